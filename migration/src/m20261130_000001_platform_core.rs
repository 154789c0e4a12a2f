//! Platform core: regions, organizations (with closure table), accounts, refresh tokens,
//! volunteers, memberships, number sequences and the audit log.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Regions {
    Table,
    Code,
    Name,
    Level,
    ParentCode,
    DataVersion,
}

#[derive(DeriveIden)]
enum Organizations {
    Table,
    Id,
    Name,
    Kind,
    RegionCode,
    Uscc,
    ParentId,
    Depth,
    Status,
    Contact,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum OrganizationClosure {
    Table,
    AncestorId,
    DescendantId,
    Depth,
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
    Username,
    Mobile,
    PasswordHash,
    Role,
    OrganizationId,
    VolunteerId,
    Status,
    CreatedAt,
    LastLoginAt,
}

#[derive(DeriveIden)]
enum RefreshTokens {
    Table,
    Id,
    AccountId,
    TokenHash,
    FamilyId,
    ExpiresAt,
    UsedAt,
    RevokedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Volunteers {
    Table,
    Id,
    VolunteerNumber,
    RealName,
    Gender,
    BirthDate,
    IdType,
    IdNumberCiphertext,
    IdNumberHash,
    IdNumberMasked,
    Mobile,
    Email,
    RegionCode,
    Skills,
    ServiceCategories,
    PoliticalStatus,
    Education,
    RegistrationOrganizationId,
    Status,
    GuardianName,
    GuardianRelation,
    GuardianMobile,
    GuardianConsentedAt,
    Version,
    CreatedAt,
    UpdatedAt,
    DeregisteredAt,
}

#[derive(DeriveIden)]
enum VolunteerMemberships {
    Table,
    Id,
    VolunteerId,
    OrganizationId,
    Status,
    AppliedAt,
    DecidedAt,
    DecidedBy,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    ActorId,
    Action,
    EntityType,
    EntityId,
    RequestId,
    ChangedFields,
    Reason,
    CreatedAt,
}

#[derive(DeriveIden)]
enum NumberSequences {
    Table,
    Name,
    NextValue,
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
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Regions::Table)
                .col(string_len(Regions::Code, 6).primary_key())
                .col(string_len(Regions::Name, 64))
                .col(string_len(Regions::Level, 16))
                .col(string_len_null(Regions::ParentCode, 6))
                .col(string_len(Regions::DataVersion, 10))
                .foreign_key(&mut fk(
                    "fk_regions_parent",
                    (Regions::Table, Regions::ParentCode),
                    (Regions::Table, Regions::Code),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "idx_regions_parent",
            Regions::Table,
            &["parent_code"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(Organizations::Table)
                .col(uuid(Organizations::Id).primary_key())
                .col(string_len(Organizations::Name, 200))
                .col(string_len(Organizations::Kind, 32))
                .col(string_len(Organizations::RegionCode, 6))
                .col(string_len_null(Organizations::Uscc, 18).unique_key())
                .col(uuid_null(Organizations::ParentId))
                .col(integer(Organizations::Depth))
                .col(string_len(Organizations::Status, 16))
                .col(string_len_null(Organizations::Contact, 200))
                .col(integer(Organizations::Version))
                .col(timestamp_with_time_zone(Organizations::CreatedAt))
                .col(timestamp_with_time_zone(Organizations::UpdatedAt))
                .foreign_key(&mut fk(
                    "fk_organizations_parent",
                    (Organizations::Table, Organizations::ParentId),
                    (Organizations::Table, Organizations::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_organizations_region",
                    (Organizations::Table, Organizations::RegionCode),
                    (Regions::Table, Regions::Code),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "idx_organizations_parent",
            Organizations::Table,
            &["parent_id"],
        ))
        .await?;
        m.create_index(index(
            "idx_organizations_region",
            Organizations::Table,
            &["region_code"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(OrganizationClosure::Table)
                .col(uuid(OrganizationClosure::AncestorId))
                .col(uuid(OrganizationClosure::DescendantId))
                .col(integer(OrganizationClosure::Depth))
                .primary_key(
                    Index::create()
                        .col(OrganizationClosure::AncestorId)
                        .col(OrganizationClosure::DescendantId),
                )
                .foreign_key(&mut fk(
                    "fk_closure_ancestor",
                    (OrganizationClosure::Table, OrganizationClosure::AncestorId),
                    (Organizations::Table, Organizations::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_closure_descendant",
                    (
                        OrganizationClosure::Table,
                        OrganizationClosure::DescendantId,
                    ),
                    (Organizations::Table, Organizations::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "idx_closure_descendant",
            OrganizationClosure::Table,
            &["descendant_id", "ancestor_id"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(Volunteers::Table)
                .col(uuid(Volunteers::Id).primary_key())
                .col(string_len(Volunteers::VolunteerNumber, 16).unique_key())
                .col(string_len(Volunteers::RealName, 100))
                .col(string_len(Volunteers::Gender, 8))
                .col(date(Volunteers::BirthDate))
                .col(string_len(Volunteers::IdType, 40))
                .col(text(Volunteers::IdNumberCiphertext))
                .col(string_len(Volunteers::IdNumberHash, 64).unique_key())
                .col(string_len(Volunteers::IdNumberMasked, 40))
                .col(string_len(Volunteers::Mobile, 16))
                .col(string_len_null(Volunteers::Email, 254))
                .col(string_len(Volunteers::RegionCode, 6))
                .col(text(Volunteers::Skills))
                .col(text(Volunteers::ServiceCategories))
                .col(string_len_null(Volunteers::PoliticalStatus, 32))
                .col(string_len_null(Volunteers::Education, 32))
                .col(uuid_null(Volunteers::RegistrationOrganizationId))
                .col(string_len(Volunteers::Status, 16))
                .col(string_len_null(Volunteers::GuardianName, 100))
                .col(string_len_null(Volunteers::GuardianRelation, 32))
                .col(string_len_null(Volunteers::GuardianMobile, 16))
                .col(timestamp_with_time_zone_null(
                    Volunteers::GuardianConsentedAt,
                ))
                .col(integer(Volunteers::Version))
                .col(timestamp_with_time_zone(Volunteers::CreatedAt))
                .col(timestamp_with_time_zone(Volunteers::UpdatedAt))
                .col(timestamp_with_time_zone_null(Volunteers::DeregisteredAt))
                .foreign_key(&mut fk(
                    "fk_volunteers_region",
                    (Volunteers::Table, Volunteers::RegionCode),
                    (Regions::Table, Regions::Code),
                ))
                .foreign_key(&mut fk(
                    "fk_volunteers_registration_org",
                    (Volunteers::Table, Volunteers::RegistrationOrganizationId),
                    (Organizations::Table, Organizations::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "idx_volunteers_registration_org",
            Volunteers::Table,
            &["registration_organization_id", "created_at"],
        ))
        .await?;
        m.create_index(index(
            "idx_volunteers_region",
            Volunteers::Table,
            &["region_code"],
        ))
        .await?;
        m.create_index(index(
            "idx_volunteers_mobile",
            Volunteers::Table,
            &["mobile"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(Accounts::Table)
                .col(uuid(Accounts::Id).primary_key())
                .col(string_len(Accounts::Username, 64).unique_key())
                .col(string_len_null(Accounts::Mobile, 16).unique_key())
                .col(string_len(Accounts::PasswordHash, 255))
                .col(string_len(Accounts::Role, 32))
                .col(uuid_null(Accounts::OrganizationId))
                .col(uuid_null(Accounts::VolunteerId).unique_key())
                .col(string_len(Accounts::Status, 16))
                .col(timestamp_with_time_zone(Accounts::CreatedAt))
                .col(timestamp_with_time_zone_null(Accounts::LastLoginAt))
                .foreign_key(&mut fk(
                    "fk_accounts_organization",
                    (Accounts::Table, Accounts::OrganizationId),
                    (Organizations::Table, Organizations::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_accounts_volunteer",
                    (Accounts::Table, Accounts::VolunteerId),
                    (Volunteers::Table, Volunteers::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "idx_accounts_organization",
            Accounts::Table,
            &["organization_id"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(RefreshTokens::Table)
                .col(uuid(RefreshTokens::Id).primary_key())
                .col(uuid(RefreshTokens::AccountId))
                .col(string_len(RefreshTokens::TokenHash, 64).unique_key())
                .col(uuid(RefreshTokens::FamilyId))
                .col(timestamp_with_time_zone(RefreshTokens::ExpiresAt))
                .col(timestamp_with_time_zone_null(RefreshTokens::UsedAt))
                .col(timestamp_with_time_zone_null(RefreshTokens::RevokedAt))
                .col(timestamp_with_time_zone(RefreshTokens::CreatedAt))
                .foreign_key(&mut fk(
                    "fk_refresh_tokens_account",
                    (RefreshTokens::Table, RefreshTokens::AccountId),
                    (Accounts::Table, Accounts::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "idx_refresh_tokens_family",
            RefreshTokens::Table,
            &["family_id"],
        ))
        .await?;
        m.create_index(index(
            "idx_refresh_tokens_account",
            RefreshTokens::Table,
            &["account_id"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(VolunteerMemberships::Table)
                .col(uuid(VolunteerMemberships::Id).primary_key())
                .col(uuid(VolunteerMemberships::VolunteerId))
                .col(uuid(VolunteerMemberships::OrganizationId))
                .col(string_len(VolunteerMemberships::Status, 16))
                .col(timestamp_with_time_zone(VolunteerMemberships::AppliedAt))
                .col(timestamp_with_time_zone_null(
                    VolunteerMemberships::DecidedAt,
                ))
                .col(uuid_null(VolunteerMemberships::DecidedBy))
                .foreign_key(&mut fk(
                    "fk_memberships_volunteer",
                    (
                        VolunteerMemberships::Table,
                        VolunteerMemberships::VolunteerId,
                    ),
                    (Volunteers::Table, Volunteers::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_memberships_organization",
                    (
                        VolunteerMemberships::Table,
                        VolunteerMemberships::OrganizationId,
                    ),
                    (Organizations::Table, Organizations::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            index(
                "uq_memberships_volunteer_org",
                VolunteerMemberships::Table,
                &["volunteer_id", "organization_id"],
            )
            .unique()
            .to_owned(),
        )
        .await?;
        m.create_index(index(
            "idx_memberships_org_status",
            VolunteerMemberships::Table,
            &["organization_id", "status"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(AuditLog::Table)
                .col(uuid(AuditLog::Id).primary_key())
                .col(uuid_null(AuditLog::ActorId))
                .col(string_len(AuditLog::Action, 32))
                .col(string_len(AuditLog::EntityType, 32))
                .col(uuid(AuditLog::EntityId))
                .col(string_len_null(AuditLog::RequestId, 64))
                .col(text(AuditLog::ChangedFields))
                .col(string_len_null(AuditLog::Reason, 500))
                .col(timestamp_with_time_zone(AuditLog::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "idx_audit_entity",
            AuditLog::Table,
            &["entity_type", "entity_id"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(NumberSequences::Table)
                .col(string_len(NumberSequences::Name, 32).primary_key())
                .col(big_integer(NumberSequences::NextValue))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            NumberSequences::Table.into_iden(),
            AuditLog::Table.into_iden(),
            VolunteerMemberships::Table.into_iden(),
            RefreshTokens::Table.into_iden(),
            Accounts::Table.into_iden(),
            Volunteers::Table.into_iden(),
            OrganizationClosure::Table.into_iden(),
            Organizations::Table.into_iden(),
            Regions::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
