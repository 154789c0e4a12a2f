//! `recognized_platform_keys`: Ed25519 public keys of recognised platforms (RFC 8037 OKP JWKs).

use sea_orm::entity::prelude::*;

use super::PlatformKeyStatus;

/// One public key. `(platform_id, kid)` is unique; keys are revoked, never deleted.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "recognized_platform_keys")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The platform.
    pub platform_id: Uuid,
    /// Key id (`kid`), 1–64 characters.
    pub kid: String,
    /// base64url (no padding) of the 32-byte Ed25519 public key (the JWK `x`).
    pub x: String,
    /// Active or revoked.
    pub status: PlatformKeyStatus,
    /// Registration instant (UTC).
    pub created_at: DateTimeUtc,
    /// Revocation instant (UTC).
    pub revoked_at: Option<DateTimeUtc>,
}

/// No relations are navigated through sea-orm; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
