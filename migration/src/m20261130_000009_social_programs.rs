//! Project library, case library, micro-grant calls (微创投), youth social workers
//! (青少年事务社工) and their assignments to youth homes (青年之家) (issue 6, part B).
//!
//! `grant_calls.awarded_total_fen` is the running sum of awards: an award adds to it with a
//! conditional `UPDATE … WHERE awarded_total_fen + x <= budget_fen`, and a CHECK constraint is the
//! backstop, so the budget holds under concurrent decisions on SQLite and PostgreSQL alike.
//! `uq_grant_proposals_call_org` keeps one proposal per organization per call. Tags and eligible
//! kinds are JSON text so that the same schema serves both databases; tags are also stored one
//! per row in `library_entry_tags` for search.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum LibraryEntries {
    Table,
    Id,
    Kind,
    OrganizationId,
    Title,
    Summary,
    Body,
    Field,
    RegionCode,
    TargetGroup,
    BudgetFen,
    PeriodStart,
    PeriodEnd,
    Outcomes,
    RelatedEntryId,
    Status,
    RejectReason,
    Tags,
    CuratedBy,
    SubmittedAt,
    PublishedAt,
    CreatedBy,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum LibraryEntryTags {
    Table,
    EntryId,
    Tag,
}

#[derive(DeriveIden)]
enum GrantCalls {
    Table,
    Id,
    OrganizationId,
    Title,
    Description,
    BudgetFen,
    MaxAwardFen,
    AwardedTotalFen,
    EligibleKinds,
    EligibleRootId,
    EligibleRegionCode,
    MinYearsRegistered,
    SubmissionsOpenAt,
    SubmissionsCloseAt,
    Status,
    CreatedBy,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum GrantProposals {
    Table,
    Id,
    CallId,
    OrganizationId,
    Title,
    RequestedFen,
    Plan,
    LibraryEntryId,
    Status,
    AwardedFen,
    DecisionNote,
    DecidedAt,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum GrantReviews {
    Table,
    Id,
    ProposalId,
    CallId,
    ReviewerId,
    Score,
    Comment,
    ScoredAt,
    AssignedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum YouthSocialWorkers {
    Table,
    Id,
    OrganizationId,
    Name,
    Mobile,
    QualificationLevel,
    CertificateNo,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum SocialWorkerAssignments {
    Table,
    Id,
    WorkerId,
    YouthHomeId,
    StartsOn,
    EndsOn,
    CreatedBy,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Organizations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Regions {
    Table,
    Code,
}

fn fk(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(ForeignKeyAction::Restrict)
        .to_owned()
}

fn index(name: &str, table: impl IntoIden, cols: &[&'static str]) -> IndexCreateStatement {
    let mut idx = Index::create();
    idx.name(name).table(table);
    for c in cols {
        idx.col(Alias::new(*c));
    }
    idx.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    #[expect(
        clippy::too_many_lines,
        reason = "one statement per table, read top to bottom"
    )]
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(LibraryEntries::Table)
                .col(uuid(LibraryEntries::Id).primary_key())
                .col(string_len(LibraryEntries::Kind, 16))
                .col(uuid(LibraryEntries::OrganizationId))
                .col(string_len(LibraryEntries::Title, 200))
                .col(text(LibraryEntries::Summary))
                .col(text(LibraryEntries::Body))
                .col(string_len(LibraryEntries::Field, 16))
                .col(string_len(LibraryEntries::RegionCode, 6))
                .col(string_len(LibraryEntries::TargetGroup, 200))
                .col(big_integer_null(LibraryEntries::BudgetFen))
                .col(date_null(LibraryEntries::PeriodStart))
                .col(date_null(LibraryEntries::PeriodEnd))
                .col(text(LibraryEntries::Outcomes))
                .col(uuid_null(LibraryEntries::RelatedEntryId))
                .col(string_len(LibraryEntries::Status, 16))
                .col(text_null(LibraryEntries::RejectReason))
                .col(text(LibraryEntries::Tags))
                .col(uuid_null(LibraryEntries::CuratedBy))
                .col(timestamp_with_time_zone_null(LibraryEntries::SubmittedAt))
                .col(timestamp_with_time_zone_null(LibraryEntries::PublishedAt))
                .col(uuid(LibraryEntries::CreatedBy))
                .col(integer(LibraryEntries::Version))
                .col(timestamp_with_time_zone(LibraryEntries::CreatedAt))
                .col(timestamp_with_time_zone(LibraryEntries::UpdatedAt))
                .foreign_key(&mut fk(
                    "fk_library_entries_organization",
                    (LibraryEntries::Table, LibraryEntries::OrganizationId),
                    (Organizations::Table, Organizations::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_library_entries_region",
                    (LibraryEntries::Table, LibraryEntries::RegionCode),
                    (Regions::Table, Regions::Code),
                ))
                .foreign_key(&mut fk(
                    "fk_library_entries_related",
                    (LibraryEntries::Table, LibraryEntries::RelatedEntryId),
                    (LibraryEntries::Table, LibraryEntries::Id),
                ))
                .check(Expr::col(LibraryEntries::BudgetFen).gte(0))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "idx_library_entries_org",
            LibraryEntries::Table,
            &["organization_id", "created_at"],
        ))
        .await?;
        m.create_index(index(
            "idx_library_entries_public",
            LibraryEntries::Table,
            &["status", "kind", "field", "region_code"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(LibraryEntryTags::Table)
                .col(uuid(LibraryEntryTags::EntryId))
                .col(string_len(LibraryEntryTags::Tag, 32))
                .primary_key(
                    Index::create()
                        .col(LibraryEntryTags::EntryId)
                        .col(LibraryEntryTags::Tag),
                )
                .foreign_key(&mut fk(
                    "fk_library_entry_tags_entry",
                    (LibraryEntryTags::Table, LibraryEntryTags::EntryId),
                    (LibraryEntries::Table, LibraryEntries::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "idx_library_entry_tags_tag",
            LibraryEntryTags::Table,
            &["tag"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(GrantCalls::Table)
                .col(uuid(GrantCalls::Id).primary_key())
                .col(uuid(GrantCalls::OrganizationId))
                .col(string_len(GrantCalls::Title, 200))
                .col(text(GrantCalls::Description))
                .col(big_integer(GrantCalls::BudgetFen))
                .col(big_integer(GrantCalls::MaxAwardFen))
                .col(big_integer(GrantCalls::AwardedTotalFen))
                .col(text(GrantCalls::EligibleKinds))
                .col(uuid(GrantCalls::EligibleRootId))
                .col(string_len_null(GrantCalls::EligibleRegionCode, 6))
                .col(integer_null(GrantCalls::MinYearsRegistered))
                .col(timestamp_with_time_zone(GrantCalls::SubmissionsOpenAt))
                .col(timestamp_with_time_zone(GrantCalls::SubmissionsCloseAt))
                .col(string_len(GrantCalls::Status, 16))
                .col(uuid(GrantCalls::CreatedBy))
                .col(integer(GrantCalls::Version))
                .col(timestamp_with_time_zone(GrantCalls::CreatedAt))
                .col(timestamp_with_time_zone(GrantCalls::UpdatedAt))
                .foreign_key(&mut fk(
                    "fk_grant_calls_organization",
                    (GrantCalls::Table, GrantCalls::OrganizationId),
                    (Organizations::Table, Organizations::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_grant_calls_eligible_root",
                    (GrantCalls::Table, GrantCalls::EligibleRootId),
                    (Organizations::Table, Organizations::Id),
                ))
                .check(Expr::col(GrantCalls::AwardedTotalFen).gte(0).and(
                    Expr::col(GrantCalls::AwardedTotalFen).lte(Expr::col(GrantCalls::BudgetFen)),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "idx_grant_calls_org",
            GrantCalls::Table,
            &["organization_id", "created_at"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(GrantProposals::Table)
                .col(uuid(GrantProposals::Id).primary_key())
                .col(uuid(GrantProposals::CallId))
                .col(uuid(GrantProposals::OrganizationId))
                .col(string_len(GrantProposals::Title, 200))
                .col(big_integer(GrantProposals::RequestedFen))
                .col(text(GrantProposals::Plan))
                .col(uuid_null(GrantProposals::LibraryEntryId))
                .col(string_len(GrantProposals::Status, 16))
                .col(big_integer_null(GrantProposals::AwardedFen))
                .col(text_null(GrantProposals::DecisionNote))
                .col(timestamp_with_time_zone_null(GrantProposals::DecidedAt))
                .col(uuid(GrantProposals::CreatedBy))
                .col(timestamp_with_time_zone(GrantProposals::CreatedAt))
                .col(timestamp_with_time_zone(GrantProposals::UpdatedAt))
                .foreign_key(&mut fk(
                    "fk_grant_proposals_call",
                    (GrantProposals::Table, GrantProposals::CallId),
                    (GrantCalls::Table, GrantCalls::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_grant_proposals_organization",
                    (GrantProposals::Table, GrantProposals::OrganizationId),
                    (Organizations::Table, Organizations::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_grant_proposals_entry",
                    (GrantProposals::Table, GrantProposals::LibraryEntryId),
                    (LibraryEntries::Table, LibraryEntries::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            index(
                "uq_grant_proposals_call_org",
                GrantProposals::Table,
                &["call_id", "organization_id"],
            )
            .unique()
            .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(GrantReviews::Table)
                .col(uuid(GrantReviews::Id).primary_key())
                .col(uuid(GrantReviews::ProposalId))
                .col(uuid(GrantReviews::CallId))
                .col(uuid(GrantReviews::ReviewerId))
                .col(integer_null(GrantReviews::Score))
                .col(text(GrantReviews::Comment))
                .col(timestamp_with_time_zone_null(GrantReviews::ScoredAt))
                .col(uuid(GrantReviews::AssignedBy))
                .col(timestamp_with_time_zone(GrantReviews::CreatedAt))
                .foreign_key(&mut fk(
                    "fk_grant_reviews_proposal",
                    (GrantReviews::Table, GrantReviews::ProposalId),
                    (GrantProposals::Table, GrantProposals::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_grant_reviews_call",
                    (GrantReviews::Table, GrantReviews::CallId),
                    (GrantCalls::Table, GrantCalls::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_grant_reviews_reviewer",
                    (GrantReviews::Table, GrantReviews::ReviewerId),
                    (Accounts::Table, Accounts::Id),
                ))
                .check(
                    Expr::col(GrantReviews::Score)
                        .is_null()
                        .or(Expr::col(GrantReviews::Score).between(0, 100)),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            index(
                "uq_grant_reviews_proposal_reviewer",
                GrantReviews::Table,
                &["proposal_id", "reviewer_id"],
            )
            .unique()
            .to_owned(),
        )
        .await?;
        m.create_index(index(
            "idx_grant_reviews_reviewer",
            GrantReviews::Table,
            &["reviewer_id", "created_at"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(YouthSocialWorkers::Table)
                .col(uuid(YouthSocialWorkers::Id).primary_key())
                .col(uuid(YouthSocialWorkers::OrganizationId))
                .col(string_len(YouthSocialWorkers::Name, 50))
                .col(string_len_null(YouthSocialWorkers::Mobile, 11))
                .col(string_len(YouthSocialWorkers::QualificationLevel, 32))
                .col(string_len(YouthSocialWorkers::CertificateNo, 40).unique_key())
                .col(integer(YouthSocialWorkers::Version))
                .col(timestamp_with_time_zone(YouthSocialWorkers::CreatedAt))
                .col(timestamp_with_time_zone(YouthSocialWorkers::UpdatedAt))
                .foreign_key(&mut fk(
                    "fk_youth_social_workers_organization",
                    (
                        YouthSocialWorkers::Table,
                        YouthSocialWorkers::OrganizationId,
                    ),
                    (Organizations::Table, Organizations::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "idx_youth_social_workers_org_name",
            YouthSocialWorkers::Table,
            &["organization_id", "name"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(SocialWorkerAssignments::Table)
                .col(uuid(SocialWorkerAssignments::Id).primary_key())
                .col(uuid(SocialWorkerAssignments::WorkerId))
                .col(uuid(SocialWorkerAssignments::YouthHomeId))
                .col(date(SocialWorkerAssignments::StartsOn))
                .col(date_null(SocialWorkerAssignments::EndsOn))
                .col(uuid(SocialWorkerAssignments::CreatedBy))
                .col(integer(SocialWorkerAssignments::Version))
                .col(timestamp_with_time_zone(SocialWorkerAssignments::CreatedAt))
                .col(timestamp_with_time_zone(SocialWorkerAssignments::UpdatedAt))
                .foreign_key(&mut fk(
                    "fk_social_worker_assignments_worker",
                    (
                        SocialWorkerAssignments::Table,
                        SocialWorkerAssignments::WorkerId,
                    ),
                    (YouthSocialWorkers::Table, YouthSocialWorkers::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_social_worker_assignments_home",
                    (
                        SocialWorkerAssignments::Table,
                        SocialWorkerAssignments::YouthHomeId,
                    ),
                    (Organizations::Table, Organizations::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "idx_social_worker_assignments_worker",
            SocialWorkerAssignments::Table,
            &["worker_id", "youth_home_id", "starts_on"],
        ))
        .await?;
        m.create_index(index(
            "idx_social_worker_assignments_home",
            SocialWorkerAssignments::Table,
            &["youth_home_id", "starts_on"],
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            SocialWorkerAssignments::Table.into_iden(),
            YouthSocialWorkers::Table.into_iden(),
            GrantReviews::Table.into_iden(),
            GrantProposals::Table.into_iden(),
            GrantCalls::Table.into_iden(),
            LibraryEntryTags::Table.into_iden(),
            LibraryEntries::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
