//! `webhook_deliveries`: one delivery job (an event for one endpoint), claimed by a worker with
//! a lease so that several API nodes never send it twice.

use sea_orm::entity::prelude::*;

/// One delivery job.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_deliveries")]
pub struct Model {
    /// UUID v7; also the `webhook-id` header, the same on every attempt.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The endpoint.
    pub endpoint_id: Uuid,
    /// The endpoint's partner (for scoped listing).
    pub partner_id: Uuid,
    /// `sync_changes.id` of the event.
    pub change_id: Uuid,
    /// Webhook event type, e.g. `record.approved`.
    pub event_type: String,
    /// The JSON body, fixed when the job is made so that every attempt sends the same bytes.
    pub payload: String,
    /// `pending`, `succeeded` or `failed`.
    pub status: String,
    /// Attempts made so far.
    pub attempts: i32,
    /// Not before this instant (UTC).
    pub next_attempt_at: DateTimeUtc,
    /// A worker holds the job until this instant (UTC).
    pub lease_until: Option<DateTimeUtc>,
    /// Token of the worker holding the lease; only it may record the outcome.
    pub lease_token: Option<Uuid>,
    /// Last attempt (UTC).
    pub last_attempt_at: Option<DateTimeUtc>,
    /// HTTP status of the last attempt, if the receiver answered.
    pub last_response_code: Option<i32>,
    /// Why the last attempt failed (transport error or status), without the body.
    pub last_error: Option<String>,
    /// Created (UTC).
    pub created_at: DateTimeUtc,
    /// Last changed (UTC).
    pub updated_at: DateTimeUtc,
}

/// No relations are navigated through sea-orm; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
