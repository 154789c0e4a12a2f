//! Award campaigns (评选表彰), volunteer sanctions, the credit list with consent (诚信激励) and
//! partner benefits (便民优惠) (DESIGN.md §3 "Incentives"; issue 5).
//!
//! - `volunteer_sanctions`: warnings and disqualifications with dates and a reason; an active one
//!   bars a volunteer from campaigns and the credit list.
//! - `award_campaigns`, `award_reviewers`, `award_nominations` (unique per campaign and
//!   volunteer), `award_scores` (one per nomination and reviewer), `award_objections`,
//!   `volunteer_awards` (one per nomination).
//! - `credit_consents` (the current consent of each volunteer; its history is in the audit log)
//!   and `credit_list_rules` (versioned, with an effective date).
//! - `benefit_offers` with `stock_remaining` (claims take stock with a conditional
//!   `UPDATE … WHERE stock_remaining > 0`, and a check constraint keeps it non-negative),
//!   `benefit_offer_regions` (eligible regions, sub-regions included) and `benefit_claims`
//!   (unique per offer and volunteer; unique redemption code).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum VolunteerSanctions {
    Table,
    Id,
    VolunteerId,
    Kind,
    StartsOn,
    EndsOn,
    Reason,
    LiftedAt,
    LiftedBy,
    LiftReason,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum AwardCampaigns {
    Table,
    Id,
    OrganizationId,
    Name,
    Year,
    Level,
    Quota,
    NominationOpensAt,
    NominationClosesAt,
    MinMinutes,
    PeriodFrom,
    PeriodTo,
    MinStarLevel,
    RequiredCourseIds,
    NoticeWorkingDays,
    NoticeStartsOn,
    NoticeEndsOn,
    Status,
    Version,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AwardReviewers {
    Table,
    CampaignId,
    AccountId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum AwardNominations {
    Table,
    Id,
    CampaignId,
    VolunteerId,
    OrganizationId,
    Statement,
    ApprovedMinutes,
    Status,
    Rank,
    NominatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AwardScores {
    Table,
    NominationId,
    ReviewerId,
    Score,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AwardObjections {
    Table,
    Id,
    NominationId,
    Reason,
    Status,
    Resolution,
    RecordedBy,
    ResolvedBy,
    CreatedAt,
    ResolvedAt,
}

#[derive(DeriveIden)]
enum VolunteerAwards {
    Table,
    Id,
    VolunteerId,
    CampaignId,
    NominationId,
    Title,
    Year,
    Level,
    OrganizationId,
    GrantedAt,
}

#[derive(DeriveIden)]
enum CreditConsents {
    Table,
    VolunteerId,
    Consented,
    ConsentedAt,
    WithdrawnAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CreditListRules {
    Table,
    Id,
    Version,
    MinStarLevel,
    MinMinutes,
    EffectiveFrom,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum BenefitOffers {
    Table,
    Id,
    OrganizationId,
    Title,
    Description,
    MinStarLevel,
    ValidFrom,
    ValidTo,
    Stock,
    StockRemaining,
    Status,
    SuspendReason,
    Version,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum BenefitOfferRegions {
    Table,
    OfferId,
    RegionCode,
}

#[derive(DeriveIden)]
enum BenefitClaims {
    Table,
    Id,
    OfferId,
    VolunteerId,
    Code,
    ClaimedAt,
    RedeemedAt,
    RedeemedBy,
}

#[derive(DeriveIden)]
enum Organizations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Volunteers {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
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
                .table(VolunteerSanctions::Table)
                .col(uuid(VolunteerSanctions::Id).primary_key())
                .col(uuid(VolunteerSanctions::VolunteerId))
                .col(string_len(VolunteerSanctions::Kind, 16))
                .col(date(VolunteerSanctions::StartsOn))
                .col(date_null(VolunteerSanctions::EndsOn))
                .col(string_len(VolunteerSanctions::Reason, 500))
                .col(timestamp_with_time_zone_null(VolunteerSanctions::LiftedAt))
                .col(uuid_null(VolunteerSanctions::LiftedBy))
                .col(string_len_null(VolunteerSanctions::LiftReason, 500))
                .col(uuid_null(VolunteerSanctions::CreatedBy))
                .col(timestamp_with_time_zone(VolunteerSanctions::CreatedAt))
                .foreign_key(&mut fk(
                    "fk_volunteer_sanctions_volunteer",
                    (VolunteerSanctions::Table, VolunteerSanctions::VolunteerId),
                    (Volunteers::Table, Volunteers::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "idx_volunteer_sanctions_volunteer",
            VolunteerSanctions::Table,
            &["volunteer_id", "starts_on"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(AwardCampaigns::Table)
                .col(uuid(AwardCampaigns::Id).primary_key())
                .col(uuid(AwardCampaigns::OrganizationId))
                .col(string_len(AwardCampaigns::Name, 200))
                .col(integer(AwardCampaigns::Year))
                .col(string_len(AwardCampaigns::Level, 16))
                .col(integer(AwardCampaigns::Quota))
                .col(timestamp_with_time_zone(AwardCampaigns::NominationOpensAt))
                .col(timestamp_with_time_zone(AwardCampaigns::NominationClosesAt))
                .col(big_integer(AwardCampaigns::MinMinutes))
                .col(date(AwardCampaigns::PeriodFrom))
                .col(date(AwardCampaigns::PeriodTo))
                .col(integer(AwardCampaigns::MinStarLevel))
                .col(text(AwardCampaigns::RequiredCourseIds))
                .col(integer(AwardCampaigns::NoticeWorkingDays))
                .col(date_null(AwardCampaigns::NoticeStartsOn))
                .col(date_null(AwardCampaigns::NoticeEndsOn))
                .col(string_len(AwardCampaigns::Status, 16))
                .col(integer(AwardCampaigns::Version))
                .col(uuid_null(AwardCampaigns::CreatedBy))
                .col(timestamp_with_time_zone(AwardCampaigns::CreatedAt))
                .col(timestamp_with_time_zone(AwardCampaigns::UpdatedAt))
                .foreign_key(&mut fk(
                    "fk_award_campaigns_organization",
                    (AwardCampaigns::Table, AwardCampaigns::OrganizationId),
                    (Organizations::Table, Organizations::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "idx_award_campaigns_org_year",
            AwardCampaigns::Table,
            &["organization_id", "year"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(AwardReviewers::Table)
                .col(uuid(AwardReviewers::CampaignId))
                .col(uuid(AwardReviewers::AccountId))
                .col(timestamp_with_time_zone(AwardReviewers::CreatedAt))
                .primary_key(
                    Index::create()
                        .col(AwardReviewers::CampaignId)
                        .col(AwardReviewers::AccountId),
                )
                .foreign_key(&mut fk(
                    "fk_award_reviewers_campaign",
                    (AwardReviewers::Table, AwardReviewers::CampaignId),
                    (AwardCampaigns::Table, AwardCampaigns::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_award_reviewers_account",
                    (AwardReviewers::Table, AwardReviewers::AccountId),
                    (Accounts::Table, Accounts::Id),
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(AwardNominations::Table)
                .col(uuid(AwardNominations::Id).primary_key())
                .col(uuid(AwardNominations::CampaignId))
                .col(uuid(AwardNominations::VolunteerId))
                .col(uuid(AwardNominations::OrganizationId))
                .col(text(AwardNominations::Statement))
                .col(big_integer(AwardNominations::ApprovedMinutes))
                .col(string_len(AwardNominations::Status, 16))
                .col(integer_null(AwardNominations::Rank))
                .col(uuid_null(AwardNominations::NominatedBy))
                .col(timestamp_with_time_zone(AwardNominations::CreatedAt))
                .col(timestamp_with_time_zone(AwardNominations::UpdatedAt))
                .foreign_key(&mut fk(
                    "fk_award_nominations_campaign",
                    (AwardNominations::Table, AwardNominations::CampaignId),
                    (AwardCampaigns::Table, AwardCampaigns::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_award_nominations_volunteer",
                    (AwardNominations::Table, AwardNominations::VolunteerId),
                    (Volunteers::Table, Volunteers::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_award_nominations_organization",
                    (AwardNominations::Table, AwardNominations::OrganizationId),
                    (Organizations::Table, Organizations::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            index(
                "uq_award_nominations_campaign_volunteer",
                AwardNominations::Table,
                &["campaign_id", "volunteer_id"],
            )
            .unique()
            .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(AwardScores::Table)
                .col(uuid(AwardScores::NominationId))
                .col(uuid(AwardScores::ReviewerId))
                .col(integer(AwardScores::Score))
                .col(timestamp_with_time_zone(AwardScores::UpdatedAt))
                .primary_key(
                    Index::create()
                        .col(AwardScores::NominationId)
                        .col(AwardScores::ReviewerId),
                )
                .foreign_key(&mut fk(
                    "fk_award_scores_nomination",
                    (AwardScores::Table, AwardScores::NominationId),
                    (AwardNominations::Table, AwardNominations::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_award_scores_reviewer",
                    (AwardScores::Table, AwardScores::ReviewerId),
                    (Accounts::Table, Accounts::Id),
                ))
                .check(Expr::col(AwardScores::Score).between(0, 100))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(AwardObjections::Table)
                .col(uuid(AwardObjections::Id).primary_key())
                .col(uuid(AwardObjections::NominationId))
                .col(string_len(AwardObjections::Reason, 500))
                .col(string_len(AwardObjections::Status, 16))
                .col(string_len_null(AwardObjections::Resolution, 500))
                .col(uuid_null(AwardObjections::RecordedBy))
                .col(uuid_null(AwardObjections::ResolvedBy))
                .col(timestamp_with_time_zone(AwardObjections::CreatedAt))
                .col(timestamp_with_time_zone_null(AwardObjections::ResolvedAt))
                .foreign_key(&mut fk(
                    "fk_award_objections_nomination",
                    (AwardObjections::Table, AwardObjections::NominationId),
                    (AwardNominations::Table, AwardNominations::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "idx_award_objections_nomination",
            AwardObjections::Table,
            &["nomination_id", "status"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(VolunteerAwards::Table)
                .col(uuid(VolunteerAwards::Id).primary_key())
                .col(uuid(VolunteerAwards::VolunteerId))
                .col(uuid(VolunteerAwards::CampaignId))
                .col(uuid_uniq(VolunteerAwards::NominationId))
                .col(string_len(VolunteerAwards::Title, 200))
                .col(integer(VolunteerAwards::Year))
                .col(string_len(VolunteerAwards::Level, 16))
                .col(uuid(VolunteerAwards::OrganizationId))
                .col(timestamp_with_time_zone(VolunteerAwards::GrantedAt))
                .foreign_key(&mut fk(
                    "fk_volunteer_awards_volunteer",
                    (VolunteerAwards::Table, VolunteerAwards::VolunteerId),
                    (Volunteers::Table, Volunteers::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_volunteer_awards_nomination",
                    (VolunteerAwards::Table, VolunteerAwards::NominationId),
                    (AwardNominations::Table, AwardNominations::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "idx_volunteer_awards_volunteer",
            VolunteerAwards::Table,
            &["volunteer_id", "granted_at"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(CreditConsents::Table)
                .col(uuid(CreditConsents::VolunteerId).primary_key())
                .col(boolean(CreditConsents::Consented))
                .col(timestamp_with_time_zone_null(CreditConsents::ConsentedAt))
                .col(timestamp_with_time_zone_null(CreditConsents::WithdrawnAt))
                .col(timestamp_with_time_zone(CreditConsents::UpdatedAt))
                .foreign_key(&mut fk(
                    "fk_credit_consents_volunteer",
                    (CreditConsents::Table, CreditConsents::VolunteerId),
                    (Volunteers::Table, Volunteers::Id),
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(CreditListRules::Table)
                .col(uuid(CreditListRules::Id).primary_key())
                .col(integer_uniq(CreditListRules::Version))
                .col(integer_null(CreditListRules::MinStarLevel))
                .col(big_integer_null(CreditListRules::MinMinutes))
                .col(date(CreditListRules::EffectiveFrom))
                .col(uuid_null(CreditListRules::CreatedBy))
                .col(timestamp_with_time_zone(CreditListRules::CreatedAt))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(BenefitOffers::Table)
                .col(uuid(BenefitOffers::Id).primary_key())
                .col(uuid(BenefitOffers::OrganizationId))
                .col(string_len(BenefitOffers::Title, 200))
                .col(text(BenefitOffers::Description))
                .col(integer(BenefitOffers::MinStarLevel))
                .col(date(BenefitOffers::ValidFrom))
                .col(date(BenefitOffers::ValidTo))
                .col(integer(BenefitOffers::Stock))
                .col(integer(BenefitOffers::StockRemaining))
                .col(string_len(BenefitOffers::Status, 16))
                .col(string_len_null(BenefitOffers::SuspendReason, 500))
                .col(integer(BenefitOffers::Version))
                .col(uuid_null(BenefitOffers::CreatedBy))
                .col(timestamp_with_time_zone(BenefitOffers::CreatedAt))
                .col(timestamp_with_time_zone(BenefitOffers::UpdatedAt))
                .foreign_key(&mut fk(
                    "fk_benefit_offers_organization",
                    (BenefitOffers::Table, BenefitOffers::OrganizationId),
                    (Organizations::Table, Organizations::Id),
                ))
                .check(Expr::col(BenefitOffers::StockRemaining).gte(0))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "idx_benefit_offers_status_valid",
            BenefitOffers::Table,
            &["status", "valid_to"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(BenefitOfferRegions::Table)
                .col(uuid(BenefitOfferRegions::OfferId))
                .col(string_len(BenefitOfferRegions::RegionCode, 6))
                .primary_key(
                    Index::create()
                        .col(BenefitOfferRegions::OfferId)
                        .col(BenefitOfferRegions::RegionCode),
                )
                .foreign_key(&mut fk(
                    "fk_benefit_offer_regions_offer",
                    (BenefitOfferRegions::Table, BenefitOfferRegions::OfferId),
                    (BenefitOffers::Table, BenefitOffers::Id),
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(BenefitClaims::Table)
                .col(uuid(BenefitClaims::Id).primary_key())
                .col(uuid(BenefitClaims::OfferId))
                .col(uuid(BenefitClaims::VolunteerId))
                .col(string_len_uniq(BenefitClaims::Code, 32))
                .col(timestamp_with_time_zone(BenefitClaims::ClaimedAt))
                .col(timestamp_with_time_zone_null(BenefitClaims::RedeemedAt))
                .col(uuid_null(BenefitClaims::RedeemedBy))
                .foreign_key(&mut fk(
                    "fk_benefit_claims_offer",
                    (BenefitClaims::Table, BenefitClaims::OfferId),
                    (BenefitOffers::Table, BenefitOffers::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_benefit_claims_volunteer",
                    (BenefitClaims::Table, BenefitClaims::VolunteerId),
                    (Volunteers::Table, Volunteers::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            index(
                "uq_benefit_claims_offer_volunteer",
                BenefitClaims::Table,
                &["offer_id", "volunteer_id"],
            )
            .unique()
            .to_owned(),
        )
        .await?;
        m.create_index(index(
            "idx_benefit_claims_volunteer",
            BenefitClaims::Table,
            &["volunteer_id", "claimed_at"],
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            BenefitClaims::Table.into_iden(),
            BenefitOfferRegions::Table.into_iden(),
            BenefitOffers::Table.into_iden(),
            CreditListRules::Table.into_iden(),
            CreditConsents::Table.into_iden(),
            VolunteerAwards::Table.into_iden(),
            AwardObjections::Table.into_iden(),
            AwardScores::Table.into_iden(),
            AwardNominations::Table.into_iden(),
            AwardReviewers::Table.into_iden(),
            AwardCampaigns::Table.into_iden(),
            VolunteerSanctions::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
