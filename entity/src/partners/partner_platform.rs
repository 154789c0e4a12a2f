//! `partner_platforms`: a registered partner platform (another volunteer platform, a university
//! system) with its OAuth 2 client credentials.

use sea_orm::entity::prelude::*;

use super::PartnerStatus;

/// One partner platform.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "partner_platforms")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Display name, 1–100 characters.
    pub name: String,
    /// OAuth 2 client id (`ptn_` + 24 hex characters), unique.
    #[sea_orm(unique)]
    pub client_id: String,
    /// Base64 of HMAC-SHA-256 of the client secret; the secret itself is never stored.
    pub secret_hash: String,
    /// Incremented by each rotation; tokens carry it, so a rotation ends older tokens.
    pub secret_version: i32,
    /// Active or suspended.
    pub status: PartnerStatus,
    /// Disabled account that partner writes are attributed to (`recorded_by`, audit actor).
    pub system_account_id: Uuid,
    /// Platform admin who registered it.
    pub created_by: Option<Uuid>,
    /// Registration instant (UTC).
    pub created_at: DateTimeUtc,
    /// Last change (UTC).
    pub updated_at: DateTimeUtc,
    /// Optimistic concurrency counter.
    pub version: i32,
}

/// No relations are navigated through sea-orm; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
