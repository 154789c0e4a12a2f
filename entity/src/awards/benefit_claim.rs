//! `benefit_claims`: redemption codes claimed by volunteers.

use sea_orm::entity::prelude::*;

/// One claim; unique per offer and volunteer, with a unique code.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "benefit_claims")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Offer.
    pub offer_id: Uuid,
    /// Claiming volunteer.
    pub volunteer_id: Uuid,
    /// Redemption code (12 characters of an unambiguous alphabet).
    #[sea_orm(unique)]
    pub code: String,
    /// Claim instant (UTC).
    pub claimed_at: DateTimeUtc,
    /// Redemption instant (UTC); `None` until redeemed.
    pub redeemed_at: Option<DateTimeUtc>,
    /// Account of the business that redeemed it.
    pub redeemed_by: Option<Uuid>,
}

/// No relations are navigated through sea-orm; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
