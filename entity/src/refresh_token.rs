//! `refresh_tokens`: long-lived tokens, stored as SHA-256 hashes, rotated on every use.

use sea_orm::entity::prelude::*;

/// One issued refresh token. Tokens of one login form a family; presenting a token that was
/// already used revokes the whole family (the token was stolen or replayed).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "refresh_tokens")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Owner.
    pub account_id: Uuid,
    /// Hex SHA-256 of the token; the token itself is never stored.
    #[sea_orm(unique)]
    pub token_hash: String,
    /// All tokens rotated from one login share a family.
    pub family_id: Uuid,
    /// Expiry instant (UTC).
    pub expires_at: DateTimeUtc,
    /// When it was exchanged for a new one.
    pub used_at: Option<DateTimeUtc>,
    /// When it was revoked (logout, reuse, disabled account).
    pub revoked_at: Option<DateTimeUtc>,
    /// Creation instant (UTC).
    pub created_at: DateTimeUtc,
}

/// No relations are navigated through sea-orm; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
