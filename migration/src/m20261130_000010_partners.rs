//! Partner platforms (DESIGN.md §3 "Partner platforms and sync"; issue 7 part A): the registry of
//! partner platforms with their hashed client secret, the organization subtrees each may read and
//! write, the mapping from a partner's external ids to our rows (with a content hash, so that a
//! replayed item is recognised as unchanged), and the `Idempotency-Key` store of partner writes.
//!
//! - `partner_platforms.client_id` is unique; `secret_hash` is base64 of HMAC-SHA-256 of the
//!   secret (the secret has 256 random bits, see `api::partners::credentials`);
//!   `secret_version` counts rotations and is carried in tokens, so a rotation also ends the
//!   tokens issued under the old secret. `system_account_id` is the disabled account that
//!   partner writes are attributed to (`service_records.recorded_by`, audit rows).
//! - `partner_platform_scopes (partner_id, organization_id)`: roots of the subtrees in scope.
//! - `partner_external_ids (partner_id, kind, external_id)` is the primary key: one of our rows
//!   per external id, whatever happens to idempotency keys; `content_hash` is a keyed hash (HMAC)
//!   of the item, which may hold an ID number.
//! - `partner_idempotency_keys (partner_id, idempotency_key)` is the primary key: of two
//!   concurrent first requests with one key, the insert of exactly one succeeds.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum PartnerPlatforms {
    Table,
    Id,
    Name,
    ClientId,
    SecretHash,
    SecretVersion,
    Status,
    SystemAccountId,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
    Version,
}

#[derive(DeriveIden)]
enum PartnerPlatformScopes {
    Table,
    PartnerId,
    OrganizationId,
}

#[derive(DeriveIden)]
enum PartnerExternalIds {
    Table,
    PartnerId,
    Kind,
    ExternalId,
    EntityId,
    ContentHash,
    Owned,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PartnerIdempotencyKeys {
    Table,
    PartnerId,
    IdempotencyKey,
    Fingerprint,
    State,
    ResponseStatus,
    ResponseBody,
    LeaseUntil,
    CreatedAt,
    ExpiresAt,
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

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(PartnerPlatforms::Table)
                .col(uuid(PartnerPlatforms::Id).primary_key())
                .col(string_len(PartnerPlatforms::Name, 100))
                .col(string_len(PartnerPlatforms::ClientId, 64).unique_key())
                .col(string_len(PartnerPlatforms::SecretHash, 128))
                .col(integer(PartnerPlatforms::SecretVersion))
                .col(string_len(PartnerPlatforms::Status, 16))
                .col(uuid(PartnerPlatforms::SystemAccountId))
                .col(uuid_null(PartnerPlatforms::CreatedBy))
                .col(timestamp_with_time_zone(PartnerPlatforms::CreatedAt))
                .col(timestamp_with_time_zone(PartnerPlatforms::UpdatedAt))
                .col(integer(PartnerPlatforms::Version))
                .foreign_key(&mut fk(
                    "fk_partner_platforms_system_account",
                    (PartnerPlatforms::Table, PartnerPlatforms::SystemAccountId),
                    (Accounts::Table, Accounts::Id),
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(PartnerPlatformScopes::Table)
                .col(uuid(PartnerPlatformScopes::PartnerId))
                .col(uuid(PartnerPlatformScopes::OrganizationId))
                .primary_key(
                    Index::create()
                        .col(PartnerPlatformScopes::PartnerId)
                        .col(PartnerPlatformScopes::OrganizationId),
                )
                .foreign_key(&mut fk(
                    "fk_partner_scopes_partner",
                    (
                        PartnerPlatformScopes::Table,
                        PartnerPlatformScopes::PartnerId,
                    ),
                    (PartnerPlatforms::Table, PartnerPlatforms::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_partner_scopes_organization",
                    (
                        PartnerPlatformScopes::Table,
                        PartnerPlatformScopes::OrganizationId,
                    ),
                    (Organizations::Table, Organizations::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_partner_scopes_organization")
                .table(PartnerPlatformScopes::Table)
                .col(PartnerPlatformScopes::OrganizationId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(PartnerExternalIds::Table)
                .col(uuid(PartnerExternalIds::PartnerId))
                .col(string_len(PartnerExternalIds::Kind, 32))
                .col(string_len(PartnerExternalIds::ExternalId, 128))
                .col(uuid(PartnerExternalIds::EntityId))
                .col(string_len(PartnerExternalIds::ContentHash, 64))
                .col(boolean(PartnerExternalIds::Owned))
                .col(timestamp_with_time_zone(PartnerExternalIds::CreatedAt))
                .col(timestamp_with_time_zone(PartnerExternalIds::UpdatedAt))
                .primary_key(
                    Index::create()
                        .col(PartnerExternalIds::PartnerId)
                        .col(PartnerExternalIds::Kind)
                        .col(PartnerExternalIds::ExternalId),
                )
                .foreign_key(&mut fk(
                    "fk_partner_external_ids_partner",
                    (PartnerExternalIds::Table, PartnerExternalIds::PartnerId),
                    (PartnerPlatforms::Table, PartnerPlatforms::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_partner_external_ids_entity")
                .table(PartnerExternalIds::Table)
                .col(PartnerExternalIds::Kind)
                .col(PartnerExternalIds::EntityId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(PartnerIdempotencyKeys::Table)
                .col(uuid(PartnerIdempotencyKeys::PartnerId))
                .col(string_len(PartnerIdempotencyKeys::IdempotencyKey, 255))
                .col(string_len(PartnerIdempotencyKeys::Fingerprint, 64))
                .col(string_len(PartnerIdempotencyKeys::State, 16))
                .col(integer_null(PartnerIdempotencyKeys::ResponseStatus))
                .col(text_null(PartnerIdempotencyKeys::ResponseBody))
                .col(timestamp_with_time_zone(PartnerIdempotencyKeys::LeaseUntil))
                .col(timestamp_with_time_zone(PartnerIdempotencyKeys::CreatedAt))
                .col(timestamp_with_time_zone(PartnerIdempotencyKeys::ExpiresAt))
                .primary_key(
                    Index::create()
                        .col(PartnerIdempotencyKeys::PartnerId)
                        .col(PartnerIdempotencyKeys::IdempotencyKey),
                )
                .foreign_key(&mut fk(
                    "fk_partner_idempotency_partner",
                    (
                        PartnerIdempotencyKeys::Table,
                        PartnerIdempotencyKeys::PartnerId,
                    ),
                    (PartnerPlatforms::Table, PartnerPlatforms::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_partner_idempotency_expires")
                .table(PartnerIdempotencyKeys::Table)
                .col(PartnerIdempotencyKeys::ExpiresAt)
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            PartnerIdempotencyKeys::Table.into_iden(),
            PartnerExternalIds::Table.into_iden(),
            PartnerPlatformScopes::Table.into_iden(),
            PartnerPlatforms::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
