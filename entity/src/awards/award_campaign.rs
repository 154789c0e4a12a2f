//! `award_campaigns`: award campaigns (评选表彰) with quota, nomination window and criteria.

use sea_orm::entity::prelude::*;

use super::{CampaignLevel, CampaignStatus};

/// One campaign of an organization.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "award_campaigns")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Owning organization; its admins (and platform admins) run the campaign.
    pub organization_id: Uuid,
    /// Name, e.g. `2026年度优秀青年志愿者`.
    pub name: String,
    /// Award year.
    pub year: i32,
    /// Level of the campaign (the owning organization's level).
    pub level: CampaignLevel,
    /// Number of awards.
    pub quota: i32,
    /// Nominations are taken from this instant (UTC) …
    pub nomination_opens_at: DateTimeUtc,
    /// … until this one (UTC, exclusive).
    pub nomination_closes_at: DateTimeUtc,
    /// Minimum approved service minutes within the period.
    pub min_minutes: i64,
    /// First day of the period (platform time zone).
    pub period_from: Date,
    /// Last day of the period (inclusive).
    pub period_to: Date,
    /// Minimum current star level (0: none required).
    pub min_star_level: i32,
    /// JSON array of course ids that must have been completed (passed).
    pub required_course_ids: String,
    /// Length of the public notice in working days.
    pub notice_working_days: i32,
    /// First day of the public notice.
    pub notice_starts_on: Option<Date>,
    /// Last day of the public notice.
    pub notice_ends_on: Option<Date>,
    /// Lifecycle status.
    pub status: CampaignStatus,
    /// Optimistic concurrency counter.
    pub version: i32,
    /// Account that created it.
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
