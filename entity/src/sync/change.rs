//! `sync_changes`: the change log behind the partner change feed. One row per change of a
//! volunteer, service record or certificate, written in the transaction of the change.

use sea_orm::entity::prelude::*;

/// One change.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sync_changes")]
pub struct Model {
    /// Monotonic sequence number (auto-increment).
    #[sea_orm(primary_key)]
    pub seq: i64,
    /// UUID v7; referenced by delivery jobs and the scope rows.
    #[sea_orm(unique)]
    pub id: Uuid,
    /// Id of the writing transaction on PostgreSQL (`pg_current_xact_id()`); 0 on SQLite.
    pub txid: i64,
    /// `volunteer`, `service_record` or `certificate`.
    pub entity_type: String,
    /// Id of the changed entity (a certificate's id, not its serial).
    pub entity_id: Uuid,
    /// The organization that owns the entity (registering organization of a volunteer,
    /// organizing organization of a record, issuing organization of a certificate).
    pub organization_id: Option<Uuid>,
    /// `create`, `update` or `delete`.
    pub operation: String,
    /// Domain event, e.g. `record.approved`.
    pub event_type: String,
    /// JSON of the entity after the change, in the representation the API returns (masked).
    pub snapshot: String,
    /// When the change was written (UTC; the transaction commits right after).
    pub committed_at: DateTimeUtc,
}

/// No relations are navigated through sea-orm; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
