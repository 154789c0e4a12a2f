//! `partner_idempotency_keys`: the `Idempotency-Key` of each partner write, the fingerprint of
//! the request it was first used with and, once processed, the answer to replay.

use sea_orm::entity::prelude::*;

use super::IdempotencyState;

/// One key of one partner.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "partner_idempotency_keys")]
pub struct Model {
    /// The partner.
    #[sea_orm(primary_key, auto_increment = false)]
    pub partner_id: Uuid,
    /// The header value, 1–255 visible ASCII characters.
    #[sea_orm(primary_key, auto_increment = false)]
    pub idempotency_key: String,
    /// Hex SHA-256 of method, path and body of the first request.
    pub fingerprint: String,
    /// In progress or completed.
    pub state: IdempotencyState,
    /// HTTP status of the stored answer.
    pub response_status: Option<i32>,
    /// Body of the stored answer, byte for byte.
    pub response_body: Option<String>,
    /// While in progress: until when the processing node holds the key; after it a retry may
    /// take it over (the node died).
    pub lease_until: DateTimeUtc,
    /// First use (UTC).
    pub created_at: DateTimeUtc,
    /// The key may be reused with another request after this instant (24 h after first use).
    pub expires_at: DateTimeUtc,
}

/// No relations are navigated through sea-orm; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
