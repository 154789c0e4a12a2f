//! `award_nominations`: volunteers nominated to a campaign by an organization.

use sea_orm::entity::prelude::*;

use super::NominationStatus;

/// One nomination; unique per campaign and volunteer.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "award_nominations")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Campaign.
    pub campaign_id: Uuid,
    /// Nominee.
    pub volunteer_id: Uuid,
    /// Nominating organization.
    pub organization_id: Uuid,
    /// Statement of deeds (事迹), 1–5000 characters.
    pub statement: String,
    /// Approved minutes within the campaign period when nominated.
    pub approved_minutes: i64,
    /// Status.
    pub status: NominationStatus,
    /// Rank after review (1 = best).
    pub rank: Option<i32>,
    /// Account that nominated.
    pub nominated_by: Option<Uuid>,
    /// Nomination instant (UTC).
    pub created_at: DateTimeUtc,
    /// Last update instant (UTC).
    pub updated_at: DateTimeUtc,
}

/// No relations are navigated through sea-orm; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
