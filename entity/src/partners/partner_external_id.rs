//! `partner_external_ids`: which of our rows a partner's external id stands for, with a hash of
//! the content last accepted for it.

use sea_orm::entity::prelude::*;

/// One external id of one partner.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "partner_external_ids")]
pub struct Model {
    /// The partner.
    #[sea_orm(primary_key, auto_increment = false)]
    pub partner_id: Uuid,
    /// `volunteer` or `service_record`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub kind: String,
    /// The partner's id, 1–128 characters.
    #[sea_orm(primary_key, auto_increment = false)]
    pub external_id: String,
    /// Our row: a volunteer id, or the newest service record of a correction chain.
    pub entity_id: Uuid,
    /// Keyed hash (hex HMAC-SHA-256) of the item as last accepted (replays of it are `unchanged`).
    pub content_hash: String,
    /// Whether the partner created the row (`false`: linked to a volunteer registered here).
    pub owned: bool,
    /// First accepted (UTC).
    pub created_at: DateTimeUtc,
    /// Last changed (UTC).
    pub updated_at: DateTimeUtc,
}

/// No relations are navigated through sea-orm; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
