//! `volunteer_awards`: awards granted to volunteers by closed campaigns.

use sea_orm::entity::prelude::*;

use super::CampaignLevel;

/// One award; one per nomination.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "volunteer_awards")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Awarded volunteer.
    pub volunteer_id: Uuid,
    /// Campaign.
    pub campaign_id: Uuid,
    /// Nomination that led to it.
    #[sea_orm(unique)]
    pub nomination_id: Uuid,
    /// Title (the campaign's name).
    pub title: String,
    /// Award year.
    pub year: i32,
    /// Campaign level.
    pub level: CampaignLevel,
    /// Awarding organization.
    pub organization_id: Uuid,
    /// Grant instant (UTC).
    pub granted_at: DateTimeUtc,
}

/// No relations are navigated through sea-orm; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
