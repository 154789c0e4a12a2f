//! Request and response bodies of `/api/v1/projects`, `/api/v1/shifts`, `/api/v1/signups` and
//! `/api/v1/public/projects`.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use entity::enums::{CheckInPolicy, ProjectStatus, SignupStatus};
use entity::{project, shift, signup};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::rules::degrees;

/// Distinguishes "absent" (`None`) from "null" (`Some(None)`) in a patch.
fn double_option<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

fn default_min_age() -> u8 {
    14
}

fn yes() -> bool {
    true
}

/// A new project (created as `draft`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectIn {
    /// Organizing organization, in the caller's scope.
    pub organization_id: Uuid,
    /// Title, 1–200 characters.
    #[schema(example = "社区助老服务")]
    pub title: String,
    /// Service category, 1–32 characters.
    #[schema(example = "社区服务")]
    pub service_category: String,
    /// Description, up to 5,000 characters (line breaks allowed).
    #[serde(default)]
    pub description: String,
    /// Six-digit region code that exists in `/api/v1/regions`.
    #[schema(example = "320102")]
    pub region_code: String,
    /// Address, up to 200 characters.
    #[serde(default)]
    pub address: String,
    /// Latitude in degrees (WGS-84, −90 to 90); give both coordinates or neither. Stored as
    /// integer micro-degrees.
    #[schema(example = 32.0415)]
    pub latitude: Option<f64>,
    /// Longitude in degrees (WGS-84, −180 to 180).
    #[schema(example = 118.784)]
    pub longitude: Option<f64>,
    /// First day (`YYYY-MM-DD`, platform time zone).
    pub start_date: NaiveDate,
    /// Last day, not before `start_date`.
    pub end_date: NaiveDate,
    /// Minimum age in full years on the shift's date (platform time zone); default 14, not below
    /// the platform minimum (`APP_MIN_VOLUNTEER_AGE`).
    #[serde(default = "default_min_age")]
    pub min_age: u8,
    /// High-risk project: minors (under 18) may not sign up.
    #[serde(default)]
    pub high_risk: bool,
    /// How attendance is checked.
    pub check_in_policy: CheckInPolicy,
    /// Geofence radius in metres, 50–5,000; required for `code_and_geofence` (which also needs
    /// coordinates), ignored otherwise.
    pub geofence_radius_m: Option<u32>,
    /// Required qualification names (at most 20 of 1–32 characters); enforced by the training
    /// module (issue 4).
    #[serde(default)]
    pub required_qualifications: Vec<String>,
    /// Whether probationary volunteers may sign up (default true).
    #[serde(default = "yes")]
    pub allow_probationary: bool,
    /// Whether sign-ups wait for an admin's approval (`applied`) instead of taking a place
    /// directly (default false).
    #[serde(default)]
    pub signup_requires_approval: bool,
}

/// A partial update of a project; `version` must equal the current version (else 412). Drafts
/// accept every field; published projects only `description` and `address`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectPatch {
    /// Current version, as last read.
    pub version: i32,
    /// New title.
    pub title: Option<String>,
    /// New service category.
    pub service_category: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// New region code.
    pub region_code: Option<String>,
    /// New address.
    pub address: Option<String>,
    /// New latitude in degrees; `null` clears both coordinates.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<f64>)]
    pub latitude: Option<Option<f64>>,
    /// New longitude in degrees; `null` clears both coordinates.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<f64>)]
    pub longitude: Option<Option<f64>>,
    /// New first day.
    pub start_date: Option<NaiveDate>,
    /// New last day.
    pub end_date: Option<NaiveDate>,
    /// New minimum age.
    pub min_age: Option<u8>,
    /// New high-risk flag.
    pub high_risk: Option<bool>,
    /// New check-in policy.
    pub check_in_policy: Option<CheckInPolicy>,
    /// New geofence radius in metres.
    pub geofence_radius_m: Option<u32>,
    /// New required qualifications (replaces the list).
    pub required_qualifications: Option<Vec<String>>,
    /// New probationary flag.
    pub allow_probationary: Option<bool>,
    /// New approval flag.
    pub signup_requires_approval: Option<bool>,
}

/// A project as admins see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectOut {
    /// Id (UUID v7).
    pub id: Uuid,
    /// Organizing organization.
    pub organization_id: Uuid,
    /// Title.
    pub title: String,
    /// Service category.
    pub service_category: String,
    /// Description.
    pub description: String,
    /// Region code.
    pub region_code: String,
    /// Address.
    pub address: String,
    /// Latitude in degrees (6 decimals).
    pub latitude: Option<f64>,
    /// Longitude in degrees (6 decimals).
    pub longitude: Option<f64>,
    /// First day (platform time zone).
    pub start_date: NaiveDate,
    /// Last day (platform time zone).
    pub end_date: NaiveDate,
    /// Minimum age in full years.
    pub min_age: i32,
    /// High-risk project.
    pub high_risk: bool,
    /// Check-in policy.
    pub check_in_policy: CheckInPolicy,
    /// Geofence radius in metres.
    pub geofence_radius_m: Option<i32>,
    /// Required qualification names.
    pub required_qualifications: Vec<String>,
    /// Whether probationary volunteers may sign up.
    pub allow_probationary: bool,
    /// Whether sign-ups need an admin's approval.
    pub signup_requires_approval: bool,
    /// Workflow status.
    pub status: ProjectStatus,
    /// Reason of the last rejection.
    pub review_note: Option<String>,
    /// Last submitted (RFC 3339, UTC).
    pub submitted_at: Option<DateTime<Utc>>,
    /// Last reviewed (RFC 3339, UTC).
    pub reviewed_at: Option<DateTime<Utc>>,
    /// Published (RFC 3339, UTC).
    pub published_at: Option<DateTime<Utc>>,
    /// Closed (RFC 3339, UTC).
    pub closed_at: Option<DateTime<Utc>>,
    /// Cancelled (RFC 3339, UTC).
    pub cancelled_at: Option<DateTime<Utc>>,
    /// Version for optimistic concurrency.
    pub version: i32,
    /// Created (RFC 3339, UTC).
    pub created_at: DateTime<Utc>,
    /// Last updated (RFC 3339, UTC).
    pub updated_at: DateTime<Utc>,
}

fn qualifications(raw: &str) -> Vec<String> {
    serde_json::from_str(raw).unwrap_or_default()
}

impl From<project::Model> for ProjectOut {
    fn from(m: project::Model) -> Self {
        Self {
            id: m.id,
            organization_id: m.organization_id,
            title: m.title,
            service_category: m.service_category,
            description: m.description,
            region_code: m.region_code,
            address: m.address,
            latitude: m.latitude_micro.map(degrees),
            longitude: m.longitude_micro.map(degrees),
            start_date: m.start_date,
            end_date: m.end_date,
            min_age: m.min_age,
            high_risk: m.high_risk,
            check_in_policy: m.check_in_policy,
            geofence_radius_m: m.geofence_radius_m,
            required_qualifications: qualifications(&m.required_qualifications),
            allow_probationary: m.allow_probationary,
            signup_requires_approval: m.signup_requires_approval,
            status: m.status,
            review_note: m.review_note,
            submitted_at: m.submitted_at,
            reviewed_at: m.reviewed_at,
            published_at: m.published_at,
            closed_at: m.closed_at,
            cancelled_at: m.cancelled_at,
            version: m.version,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// Filters for the admins' project list; always inside the caller's scope.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProjectFilter {
    /// Only this status.
    pub status: Option<ProjectStatus>,
    /// Only this organization.
    pub organization_id: Option<Uuid>,
    /// Only projects of this organization and its descendants.
    pub subtree_of: Option<Uuid>,
}

/// A rejection of a project under review.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RejectIn {
    /// Why, 1–500 characters; shown to the organization.
    #[schema(example = "请补充安全保障措施")]
    pub reason: String,
}

/// Filters of the public project list. All are combined with AND.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PublicProjectFilter {
    /// Only this service category (exact).
    pub service_category: Option<String>,
    /// Only projects in this region or its sub-regions (`320000` matches all of Jiangsu).
    pub region_code: Option<String>,
    /// Only projects whose date range ends on or after this day (`YYYY-MM-DD`).
    pub from: Option<NaiveDate>,
    /// Only projects whose date range starts on or before this day.
    pub to: Option<NaiveDate>,
    /// `true`: only projects with a shift that has not started and has a free place.
    pub has_free_places: Option<bool>,
    /// `lat,lon` in degrees: only projects with coordinates within `radius_km`, nearest first.
    #[param(example = "32.0415,118.784")]
    pub near: Option<String>,
    /// Radius for `near` in kilometres, 0.1–500 (default 10).
    pub radius_km: Option<f64>,
}

/// A published project as the public sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicProjectOut {
    /// Id.
    pub id: Uuid,
    /// Organizing organization.
    pub organization_id: Uuid,
    /// Its name.
    pub organization_name: String,
    /// Title.
    pub title: String,
    /// Service category.
    pub service_category: String,
    /// Description.
    pub description: String,
    /// Region code.
    pub region_code: String,
    /// Address.
    pub address: String,
    /// Latitude in degrees.
    pub latitude: Option<f64>,
    /// Longitude in degrees.
    pub longitude: Option<f64>,
    /// First day (platform time zone).
    pub start_date: NaiveDate,
    /// Last day (platform time zone).
    pub end_date: NaiveDate,
    /// Minimum age in full years.
    pub min_age: i32,
    /// High-risk project (no minors).
    pub high_risk: bool,
    /// Required qualification names.
    pub required_qualifications: Vec<String>,
    /// Whether sign-ups need an admin's approval.
    pub signup_requires_approval: bool,
    /// Distance in metres from the `near` point, when one was given.
    pub distance_m: Option<u32>,
}

impl PublicProjectOut {
    /// The public view of a project.
    pub fn new(m: project::Model, organization_name: String, distance_m: Option<u32>) -> Self {
        Self {
            id: m.id,
            organization_id: m.organization_id,
            organization_name,
            title: m.title,
            service_category: m.service_category,
            description: m.description,
            region_code: m.region_code,
            address: m.address,
            latitude: m.latitude_micro.map(degrees),
            longitude: m.longitude_micro.map(degrees),
            start_date: m.start_date,
            end_date: m.end_date,
            min_age: m.min_age,
            high_risk: m.high_risk,
            required_qualifications: qualifications(&m.required_qualifications),
            signup_requires_approval: m.signup_requires_approval,
            distance_m,
        }
    }
}

/// A shift with its free places, as the public sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicShiftOut {
    /// Id.
    pub id: Uuid,
    /// Title.
    pub title: Option<String>,
    /// Start (RFC 3339, UTC).
    pub starts_at: DateTime<Utc>,
    /// End (RFC 3339, UTC).
    pub ends_at: DateTime<Utc>,
    /// Places.
    pub capacity: i32,
    /// Places still free (0 when full; sign-ups then join the waitlist).
    pub free_places: i32,
}

impl From<shift::Model> for PublicShiftOut {
    fn from(m: shift::Model) -> Self {
        Self {
            id: m.id,
            title: m.title,
            starts_at: m.starts_at,
            ends_at: m.ends_at,
            capacity: m.capacity,
            free_places: (m.capacity - m.approved_count).max(0),
        }
    }
}

/// A published project with its shifts.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicProjectDetailOut {
    /// The project.
    pub project: PublicProjectOut,
    /// Its shifts, earliest first.
    pub shifts: Vec<PublicShiftOut>,
}

/// A new shift. Times are RFC 3339 with any offset and stored in UTC.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShiftIn {
    /// Start (RFC 3339 with offset); its date in the platform time zone must lie in the
    /// project's date range.
    #[schema(value_type = String, format = DateTime, example = "2026-12-05T09:00:00+08:00")]
    pub starts_at: DateTime<FixedOffset>,
    /// End: after the start, at most 24 hours later.
    #[schema(value_type = String, format = DateTime, example = "2026-12-05T12:00:00+08:00")]
    pub ends_at: DateTime<FixedOffset>,
    /// Places, 1–10,000.
    pub capacity: u32,
    /// Optional title, up to 200 characters.
    pub title: Option<String>,
}

/// What to do with approved volunteers who no longer fit after a capacity cut.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Overflow {
    /// Refuse the change with 409 `capacity_below_approved` (default).
    #[default]
    Refuse,
    /// Move the latest-approved excess to the waitlist and list them in the response.
    Waitlist,
}

/// A partial update of a shift; `version` must match (else 412).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShiftPatch {
    /// Current version, as last read.
    pub version: i32,
    /// New start (RFC 3339 with offset).
    #[schema(value_type = Option<String>, format = DateTime)]
    pub starts_at: Option<DateTime<FixedOffset>>,
    /// New end (RFC 3339 with offset).
    #[schema(value_type = Option<String>, format = DateTime)]
    pub ends_at: Option<DateTime<FixedOffset>>,
    /// New capacity, 1–10,000. Raising it promotes waitlisted sign-ups (first come, first
    /// served); cutting it below the places taken needs `overflow: waitlist`.
    pub capacity: Option<u32>,
    /// New title; an empty string clears it.
    pub title: Option<String>,
    /// Capacity cut policy (default `refuse`).
    #[serde(default)]
    pub overflow: Overflow,
}

/// A shift as admins see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ShiftOut {
    /// Id.
    pub id: Uuid,
    /// Project.
    pub project_id: Uuid,
    /// Title.
    pub title: Option<String>,
    /// Start (RFC 3339, UTC).
    pub starts_at: DateTime<Utc>,
    /// End (RFC 3339, UTC).
    pub ends_at: DateTime<Utc>,
    /// Places.
    pub capacity: i32,
    /// Places taken (approved and attended sign-ups).
    pub approved_count: i32,
    /// Version for optimistic concurrency.
    pub version: i32,
    /// Created (RFC 3339, UTC).
    pub created_at: DateTime<Utc>,
    /// Last updated (RFC 3339, UTC).
    pub updated_at: DateTime<Utc>,
}

impl From<shift::Model> for ShiftOut {
    fn from(m: shift::Model) -> Self {
        Self {
            id: m.id,
            project_id: m.project_id,
            title: m.title,
            starts_at: m.starts_at,
            ends_at: m.ends_at,
            capacity: m.capacity,
            approved_count: m.approved_count,
            version: m.version,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// The result of a shift update, with the sign-ups it moved (the "notice" of issue 3).
#[derive(Debug, Serialize, ToSchema)]
pub struct ShiftChangeOut {
    /// The shift after the change.
    pub shift: ShiftOut,
    /// Sign-ups moved from `approved` to `waitlisted` by a capacity cut (latest-approved first).
    pub moved_to_waitlist: Vec<Uuid>,
    /// Sign-ups moved from `waitlisted` to `approved` by a capacity rise (first come first).
    pub promoted_from_waitlist: Vec<Uuid>,
}

/// A sign-up.
#[derive(Debug, Serialize, ToSchema)]
pub struct SignupOut {
    /// Id.
    pub id: Uuid,
    /// Shift.
    pub shift_id: Uuid,
    /// Project.
    pub project_id: Uuid,
    /// Status.
    pub status: SignupStatus,
    /// Reason of a rejection or cancellation.
    pub reason: Option<String>,
    /// Applied (RFC 3339, UTC).
    pub applied_at: Option<DateTime<Utc>>,
    /// Last approved (RFC 3339, UTC).
    pub approved_at: Option<DateTime<Utc>>,
    /// Last waitlisted (RFC 3339, UTC).
    pub waitlisted_at: Option<DateTime<Utc>>,
    /// Rejected (RFC 3339, UTC).
    pub rejected_at: Option<DateTime<Utc>>,
    /// Cancelled (RFC 3339, UTC).
    pub cancelled_at: Option<DateTime<Utc>>,
    /// Attended (RFC 3339, UTC).
    pub attended_at: Option<DateTime<Utc>>,
    /// Marked as no-show (RFC 3339, UTC).
    pub no_show_at: Option<DateTime<Utc>>,
    /// Signed up (RFC 3339, UTC); the waitlist is served in this order.
    pub created_at: DateTime<Utc>,
    /// Last change (RFC 3339, UTC).
    pub updated_at: DateTime<Utc>,
}

impl From<signup::Model> for SignupOut {
    fn from(m: signup::Model) -> Self {
        Self {
            id: m.id,
            shift_id: m.shift_id,
            project_id: m.project_id,
            status: m.status,
            reason: m.reason,
            applied_at: m.applied_at,
            approved_at: m.approved_at,
            waitlisted_at: m.waitlisted_at,
            rejected_at: m.rejected_at,
            cancelled_at: m.cancelled_at,
            attended_at: m.attended_at,
            no_show_at: m.no_show_at,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// A sign-up on a shift's roster, for admins in scope only (names are personal data).
#[derive(Debug, Serialize, ToSchema)]
pub struct RosterSignupOut {
    /// The sign-up.
    #[serde(flatten)]
    pub signup: SignupOut,
    /// Volunteer id.
    pub volunteer_id: Uuid,
    /// Public volunteer number.
    pub volunteer_number: String,
    /// Real name.
    pub real_name: String,
}

/// One of the caller's own sign-ups, with its shift and project.
#[derive(Debug, Serialize, ToSchema)]
pub struct MySignupOut {
    /// The sign-up.
    #[serde(flatten)]
    pub signup: SignupOut,
    /// Project title.
    pub project_title: String,
    /// Shift title.
    pub shift_title: Option<String>,
    /// Shift start (RFC 3339, UTC).
    pub starts_at: DateTime<Utc>,
    /// Shift end (RFC 3339, UTC).
    pub ends_at: DateTime<Utc>,
}

/// Filters of the roster of a shift.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SignupFilter {
    /// Only this status.
    pub status: Option<SignupStatus>,
}

/// An optional reason for a cancellation or rejection.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonIn {
    /// Why, up to 500 characters.
    pub reason: Option<String>,
}
