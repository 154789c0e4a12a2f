//! Entities of partner platforms (issue 7 part A): the registry with hashed credentials, the
//! organization subtrees in each partner's scope, the mapping of partners' external ids to our
//! rows, and the `Idempotency-Key` store of partner writes.

pub mod partner_external_id;
pub mod partner_idempotency_key;
pub mod partner_platform;
pub mod partner_platform_scope;

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Whether a partner platform may get tokens and call the API.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize, ToSchema,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(16))",
    rename_all = "snake_case"
)]
#[serde(rename_all = "snake_case")]
pub enum PartnerStatus {
    /// May get tokens; its tokens are accepted.
    Active,
    /// No tokens are issued and its outstanding tokens are refused at once.
    Suspended,
}

/// State of an `Idempotency-Key`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize, ToSchema,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(16))",
    rename_all = "snake_case"
)]
#[serde(rename_all = "snake_case")]
pub enum IdempotencyState {
    /// The first request with this key is being processed (until `lease_until`).
    InProgress,
    /// The answer is stored; replays get it byte for byte.
    Completed,
}
