//! `webhook_endpoints`: a partner platform's receiver of signed event notifications.

use sea_orm::entity::prelude::*;

/// One registered endpoint.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_endpoints")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The partner platform whose scope decides which events are sent.
    pub partner_id: Uuid,
    /// Receiver URL (https; http to loopback only in development and test).
    pub url: String,
    /// Free text for the partner's operators.
    pub description: Option<String>,
    /// JSON array of subscribed event types, e.g. `["record.approved"]`.
    pub event_types: String,
    /// The signing secret (`whsec_…`), encrypted with the field key.
    pub secret_ciphertext: String,
    /// After a rotation: the previous secret (encrypted), still signing alongside the new one.
    pub previous_secret_ciphertext: Option<String>,
    /// Until when the previous secret signs too (UTC).
    pub previous_secret_until: Option<DateTimeUtc>,
    /// Disabled endpoints get no new deliveries.
    pub active: bool,
    /// Fan-out position in the change log: transaction id part.
    pub cursor_txid: i64,
    /// Fan-out position in the change log: sequence part.
    pub cursor_seq: i64,
    /// Optimistic concurrency counter.
    pub version: i32,
    /// Created (UTC).
    pub created_at: DateTimeUtc,
    /// Last changed (UTC).
    pub updated_at: DateTimeUtc,
}

/// No relations are navigated through sea-orm; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
