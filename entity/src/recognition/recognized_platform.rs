//! `recognized_platforms`: other volunteer platforms whose signed documents this platform
//! verifies and imports.

use sea_orm::entity::prelude::*;

use super::RecognizedPlatformStatus;

/// One recognised platform, identified by the issuer id (`iss`) it puts in its documents.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "recognized_platforms")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Issuer id (`iss`), 1–64 characters without spaces or `#`; unique.
    #[sea_orm(unique)]
    pub issuer: String,
    /// Display name, 1–200 characters.
    pub name: String,
    /// Active or suspended.
    pub status: RecognizedPlatformStatus,
    /// The same platform in the partner registry, when it is also a sync partner (no foreign
    /// key: the registries are decoupled).
    pub partner_platform_id: Option<Uuid>,
    /// Optimistic concurrency counter.
    pub version: i32,
    /// Registration instant (UTC).
    pub created_at: DateTimeUtc,
    /// Last change (UTC).
    pub updated_at: DateTimeUtc,
}

/// No relations are navigated through sea-orm; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
