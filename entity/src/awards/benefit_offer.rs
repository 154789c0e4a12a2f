//! `benefit_offers`: offers (便民优惠) published by partner businesses.

use sea_orm::entity::prelude::*;

use super::OfferStatus;

/// One offer. `stock_remaining` only decreases, by a conditional update per claim.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "benefit_offers")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Publishing organization (kind `partner_business`).
    pub organization_id: Uuid,
    /// Title, 1–200 characters.
    pub title: String,
    /// Description, up to 2000 characters.
    pub description: String,
    /// Minimum current star level (0: any volunteer).
    pub min_star_level: i32,
    /// First valid day (platform time zone).
    pub valid_from: Date,
    /// Last valid day (inclusive).
    pub valid_to: Date,
    /// Codes offered in total.
    pub stock: i32,
    /// Codes not yet claimed.
    pub stock_remaining: i32,
    /// Active or suspended.
    pub status: OfferStatus,
    /// Why it was suspended.
    pub suspend_reason: Option<String>,
    /// Optimistic concurrency counter.
    pub version: i32,
    /// Account that published it.
    pub created_by: Option<Uuid>,
    /// Creation instant (UTC).
    pub created_at: DateTimeUtc,
    /// Last update instant (UTC).
    pub updated_at: DateTimeUtc,
}

/// No relations are navigated through sea-orm; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
