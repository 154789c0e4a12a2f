//! Change feed and webhooks for partner platforms (issue 7 part B; DESIGN.md §3 "Partner
//! platforms and sync").
//!
//! - `sync_changes`: the change log. One row per change of a volunteer, service record or
//!   certificate, written in the transaction of the change. `seq` is an auto-increment; `txid`
//!   is the writing transaction's id on PostgreSQL (`pg_current_xact_id()`, 0 on SQLite), and the
//!   feed reads in `(txid, seq)` order, only up to the oldest transaction still running, so that
//!   a reader never skips a change that commits late (see `api/src/sync/order.rs`).
//! - `sync_change_organizations`: the organizations a change is visible to (a volunteer is linked
//!   to its registering organization and every organization it is a member of); partner scopes
//!   filter through it and the organization closure table.
//! - `webhook_endpoints`: a partner's receiver URL, the event types it wants, its signing secret
//!   (encrypted at rest; after a rotation the previous one too, until it expires) and its fan-out
//!   position in the change log.
//! - `webhook_deliveries`: one delivery job per endpoint and change, claimed with a lease.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SyncChanges {
    Table,
    Seq,
    Id,
    Txid,
    EntityType,
    EntityId,
    OrganizationId,
    Operation,
    EventType,
    Snapshot,
    CommittedAt,
}

#[derive(DeriveIden)]
enum SyncChangeOrganizations {
    Table,
    ChangeId,
    OrganizationId,
}

#[derive(DeriveIden)]
enum WebhookEndpoints {
    Table,
    Id,
    PartnerId,
    Url,
    Description,
    EventTypes,
    SecretCiphertext,
    PreviousSecretCiphertext,
    PreviousSecretUntil,
    Active,
    CursorTxid,
    CursorSeq,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum WebhookDeliveries {
    Table,
    Id,
    EndpointId,
    PartnerId,
    ChangeId,
    EventType,
    Payload,
    Status,
    Attempts,
    NextAttemptAt,
    LeaseUntil,
    LeaseToken,
    LastAttemptAt,
    LastResponseCode,
    LastError,
    CreatedAt,
    UpdatedAt,
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
                .table(SyncChanges::Table)
                .col(big_pk_auto(SyncChanges::Seq))
                .col(uuid_uniq(SyncChanges::Id))
                .col(big_integer(SyncChanges::Txid))
                .col(string_len(SyncChanges::EntityType, 32))
                .col(uuid(SyncChanges::EntityId))
                .col(uuid_null(SyncChanges::OrganizationId))
                .col(string_len(SyncChanges::Operation, 16))
                .col(string_len(SyncChanges::EventType, 64))
                .col(text(SyncChanges::Snapshot))
                .col(timestamp_with_time_zone(SyncChanges::CommittedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "idx_sync_changes_order",
            SyncChanges::Table,
            &["txid", "seq"],
        ))
        .await?;
        m.create_index(index(
            "idx_sync_changes_entity",
            SyncChanges::Table,
            &["entity_id"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(SyncChangeOrganizations::Table)
                .col(uuid(SyncChangeOrganizations::ChangeId))
                .col(uuid(SyncChangeOrganizations::OrganizationId))
                .primary_key(
                    Index::create()
                        .col(SyncChangeOrganizations::ChangeId)
                        .col(SyncChangeOrganizations::OrganizationId),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_sync_change_organizations_change")
                        .from(
                            SyncChangeOrganizations::Table,
                            SyncChangeOrganizations::ChangeId,
                        )
                        .to(SyncChanges::Table, SyncChanges::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "idx_sync_change_organizations_org",
            SyncChangeOrganizations::Table,
            &["organization_id", "change_id"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(WebhookEndpoints::Table)
                .col(uuid(WebhookEndpoints::Id).primary_key())
                .col(uuid(WebhookEndpoints::PartnerId))
                .col(string_len(WebhookEndpoints::Url, 2048))
                .col(string_len_null(WebhookEndpoints::Description, 200))
                .col(text(WebhookEndpoints::EventTypes))
                .col(text(WebhookEndpoints::SecretCiphertext))
                .col(text_null(WebhookEndpoints::PreviousSecretCiphertext))
                .col(timestamp_with_time_zone_null(
                    WebhookEndpoints::PreviousSecretUntil,
                ))
                .col(boolean(WebhookEndpoints::Active))
                .col(big_integer(WebhookEndpoints::CursorTxid))
                .col(big_integer(WebhookEndpoints::CursorSeq))
                .col(integer(WebhookEndpoints::Version))
                .col(timestamp_with_time_zone(WebhookEndpoints::CreatedAt))
                .col(timestamp_with_time_zone(WebhookEndpoints::UpdatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "idx_webhook_endpoints_partner",
            WebhookEndpoints::Table,
            &["partner_id"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(WebhookDeliveries::Table)
                .col(uuid(WebhookDeliveries::Id).primary_key())
                .col(uuid(WebhookDeliveries::EndpointId))
                .col(uuid(WebhookDeliveries::PartnerId))
                .col(uuid(WebhookDeliveries::ChangeId))
                .col(string_len(WebhookDeliveries::EventType, 64))
                .col(text(WebhookDeliveries::Payload))
                .col(string_len(WebhookDeliveries::Status, 16))
                .col(integer(WebhookDeliveries::Attempts))
                .col(timestamp_with_time_zone(WebhookDeliveries::NextAttemptAt))
                .col(timestamp_with_time_zone_null(WebhookDeliveries::LeaseUntil))
                .col(uuid_null(WebhookDeliveries::LeaseToken))
                .col(timestamp_with_time_zone_null(
                    WebhookDeliveries::LastAttemptAt,
                ))
                .col(integer_null(WebhookDeliveries::LastResponseCode))
                .col(string_len_null(WebhookDeliveries::LastError, 500))
                .col(timestamp_with_time_zone(WebhookDeliveries::CreatedAt))
                .col(timestamp_with_time_zone(WebhookDeliveries::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_webhook_deliveries_endpoint")
                        .from(WebhookDeliveries::Table, WebhookDeliveries::EndpointId)
                        .to(WebhookEndpoints::Table, WebhookEndpoints::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_webhook_deliveries_change")
                        .from(WebhookDeliveries::Table, WebhookDeliveries::ChangeId)
                        .to(SyncChanges::Table, SyncChanges::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            index(
                "uq_webhook_deliveries_endpoint_change",
                WebhookDeliveries::Table,
                &["endpoint_id", "change_id"],
            )
            .unique()
            .to_owned(),
        )
        .await?;
        m.create_index(index(
            "idx_webhook_deliveries_due",
            WebhookDeliveries::Table,
            &["status", "next_attempt_at"],
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            WebhookDeliveries::Table.into_iden(),
            WebhookEndpoints::Table.into_iden(),
            SyncChangeOrganizations::Table.into_iden(),
            SyncChanges::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
