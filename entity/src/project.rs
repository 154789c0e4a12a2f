//! `projects`: volunteer projects (志愿项目) run by an organization (DESIGN.md §3).

use sea_orm::entity::prelude::*;

use crate::enums::{CheckInPolicy, ProjectStatus};

/// One project. Coordinates are integer micro-degrees (WGS-84 degrees × 1,000,000) so that no
/// float is stored; dates are calendar dates in the platform time zone.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "projects")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Organizing organization.
    pub organization_id: Uuid,
    /// Title, 1–200 characters.
    pub title: String,
    /// Service category (服务类别), 1–32 characters.
    pub service_category: String,
    /// Description, up to 5,000 characters.
    pub description: String,
    /// Region code (`regions.code`).
    pub region_code: String,
    /// Address, up to 200 characters.
    pub address: String,
    /// Latitude in micro-degrees (−90,000,000..=90,000,000).
    pub latitude_micro: Option<i64>,
    /// Longitude in micro-degrees (−180,000,000..=180,000,000).
    pub longitude_micro: Option<i64>,
    /// First day (platform time zone).
    pub start_date: Date,
    /// Last day (platform time zone), not before `start_date`.
    pub end_date: Date,
    /// Minimum age in full years on the shift's date.
    pub min_age: i32,
    /// High-risk project: minors may not sign up.
    pub high_risk: bool,
    /// How attendance is checked.
    pub check_in_policy: CheckInPolicy,
    /// Geofence radius in metres (50–5,000), for `code_and_geofence` only.
    pub geofence_radius_m: Option<i32>,
    /// JSON array of required qualification names.
    pub required_qualifications: String,
    /// Whether probationary volunteers may sign up.
    pub allow_probationary: bool,
    /// Whether sign-ups wait for an admin's approval (`applied`) instead of taking a place.
    pub signup_requires_approval: bool,
    /// Workflow status.
    pub status: ProjectStatus,
    /// Reason of the last rejection.
    pub review_note: Option<String>,
    /// When last submitted for review (UTC).
    pub submitted_at: Option<DateTimeUtc>,
    /// When last approved or rejected (UTC).
    pub reviewed_at: Option<DateTimeUtc>,
    /// Account that approved or rejected.
    pub reviewed_by: Option<Uuid>,
    /// When published (UTC).
    pub published_at: Option<DateTimeUtc>,
    /// When closed (UTC).
    pub closed_at: Option<DateTimeUtc>,
    /// When cancelled (UTC).
    pub cancelled_at: Option<DateTimeUtc>,
    /// Optimistic concurrency counter.
    pub version: i32,
    /// Creation instant (UTC).
    pub created_at: DateTimeUtc,
    /// Last update instant (UTC).
    pub updated_at: DateTimeUtc,
}

/// No relations are navigated through sea-orm; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
