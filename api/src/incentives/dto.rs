//! Request and response types of the incentives module. Hours go in as integers or decimal
//! strings (`"12.5"`) and are stored as integer minutes; they come out as minutes plus a decimal
//! string for display. Never floats.

use chrono::NaiveDate;
use entity::enums::{CertificationStatus, CourseCategory};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// Hours as a whole number (`100`) or a decimal string with at most two decimals that is a whole
/// number of minutes (`"12.5"` = 750 min). JSON floats are refused.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum HoursIn {
    /// Whole hours.
    Whole(i64),
    /// Decimal hours as a string.
    Decimal(String),
}

/// One star threshold of a new rule set.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ThresholdIn {
    /// Stars, 1 to 5, in order.
    pub level: i32,
    /// Cumulative approved hours needed; strictly more than the previous level.
    pub hours: HoursIn,
    /// The previous level must be reached too (e.g. 5 stars need 4 stars first); default false.
    #[serde(default)]
    pub requires_previous_level: bool,
    /// A passed training course of this category is needed (e.g. `backbone`).
    pub requires_completed_course_category: Option<CourseCategory>,
    /// The level counts only once certified (application, organization review, public notice
    /// of 5 working days without objection); default false.
    #[serde(default)]
    pub requires_certification: bool,
}

/// One rounding bucket: a remainder past whole hours under `below_minutes` is credited as
/// `credit_minutes`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BucketDto {
    /// Exclusive upper bound of the remainder in minutes (1–60, increasing, the last one 60).
    pub below_minutes: i32,
    /// Minutes credited (0–60, never decreasing).
    pub credit_minutes: i32,
}

/// Rounding of service time: `{"mode":"exact"}` (default) or `{"mode":"buckets","buckets":[…]}`,
/// e.g. under 15 min → 0, under 45 → 30, under 60 → 60 (applied to the part of a record past
/// its whole hours).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum RoundingDto {
    /// Whole minutes as served.
    Exact,
    /// Buckets for the remainder past whole hours.
    Buckets {
        /// Buckets by increasing `below_minutes`.
        buckets: Vec<BucketDto>,
    },
}

/// A new rule set (platform admins).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleSetIn {
    /// Name (1–100 characters); a rule set with an existing name becomes its next version.
    pub name: String,
    /// First day it applies, in the platform time zone; today or later (rules are not changed
    /// retroactively).
    pub effective_from: NaiveDate,
    /// Organization whose subtree it covers; absent for the whole province.
    pub scope_organization_id: Option<Uuid>,
    /// 1 to 5 thresholds, levels 1, 2, … with strictly increasing hours.
    pub thresholds: Vec<ThresholdIn>,
    /// Rounding; default exact.
    pub rounding: Option<RoundingDto>,
}

/// A star threshold.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ThresholdOut {
    /// Stars.
    pub level: i32,
    /// Cumulative approved minutes needed.
    pub min_minutes: i64,
    /// The same in hours (decimal string).
    pub hours: String,
    /// The previous level must be reached too.
    pub requires_previous_level: bool,
    /// A passed course of this category is needed.
    pub requires_completed_course_category: Option<CourseCategory>,
    /// The level counts only once certified.
    pub requires_certification: bool,
}

/// A rule set.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RuleSetOut {
    /// Id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Version within the name.
    pub version: i32,
    /// First day it applies (platform time zone).
    pub effective_from: NaiveDate,
    /// Subtree it covers; null for the whole province.
    pub scope_organization_id: Option<Uuid>,
    /// Thresholds by level.
    pub thresholds: Vec<ThresholdOut>,
    /// Rounding of service time.
    pub rounding: RoundingDto,
    /// Creator (null for the shipped default).
    pub created_by: Option<Uuid>,
    /// Creation instant.
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// Filters of the rule-set list.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RuleSetFilter {
    /// Only rule sets of this subtree.
    pub scope_organization_id: Option<Uuid>,
}

/// The rule set that produced a level.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RuleSetRef {
    /// Id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Version.
    pub version: i32,
}

/// A volunteer's star level and progress under the rule set in force today.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StarLevelOut {
    /// Volunteer.
    pub volunteer_id: Uuid,
    /// Stars, 0 to 5.
    pub level: i32,
    /// Approved minutes (from the summary row).
    pub approved_minutes: i64,
    /// The same in hours (decimal string).
    pub approved_hours: String,
    /// Next level, null at the top.
    pub next_level: Option<i32>,
    /// Approved minutes still missing for the next level.
    pub minutes_missing: Option<i64>,
    /// The same in hours (decimal string).
    pub hours_missing: Option<String>,
    /// Extra condition blocking the next level although its hours are reached
    /// (`requires_previous_level`, `requires_completed_course_category`,
    /// `requires_certification`).
    pub missing_condition: Option<String>,
    /// The rule set that produced it.
    pub rule_set: RuleSetRef,
}

/// Filters of the leaderboard.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LeaderboardFilter {
    /// Volunteers linked to this organization's subtree: registered there, or with a
    /// membership there that was not rejected (pending, active or left: a volunteer who left
    /// keeps the hours served there, and admins keep seeing them, as in `GET /volunteers`).
    pub organization_id: Option<Uuid>,
    /// Volunteers residing in this region or its sub-regions (six digits).
    pub region_code: Option<String>,
}

/// One leaderboard row (admins in scope only: it shows the real name).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LeaderboardEntryOut {
    /// Position over all pages, 1-based.
    pub rank: u64,
    /// Volunteer.
    pub volunteer_id: Uuid,
    /// Public volunteer number.
    pub volunteer_number: String,
    /// Real name.
    pub real_name: String,
    /// Stars as last recomputed, 0 to 5.
    pub level: i32,
    /// Approved minutes.
    pub approved_minutes: i64,
    /// The same in hours (decimal string).
    pub approved_hours: String,
}

/// Which volunteers to recompute.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RecomputeFilter {
    /// Only volunteers linked to this organization's subtree; absent for all.
    pub organization_id: Option<Uuid>,
}

/// The outcome of a recomputation of stored star levels.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecomputeOut {
    /// Volunteers recomputed.
    pub volunteers: u64,
    /// Of those, volunteers whose level changed (each with a `level_changed` audit row).
    pub changed: u64,
}

/// An application for certification of a star level.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CertificationIn {
    /// Stars applied for; the rule set in force must require certification for it.
    pub level: i32,
}

/// A reason (rejection, objection), 1–500 characters.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CertificationReasonIn {
    /// Why.
    pub reason: String,
}

/// A certification of a star level.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CertificationOut {
    /// Id.
    pub id: Uuid,
    /// Volunteer.
    pub volunteer_id: Uuid,
    /// Stars applied for.
    pub level: i32,
    /// Rule set in force when applying.
    pub rule_set_id: Uuid,
    /// Status.
    pub status: CertificationStatus,
    /// First day of the public notice (platform time zone).
    pub notice_starts_on: Option<NaiveDate>,
    /// Last day of the public notice; objections are taken until then, the grant after it.
    pub notice_ends_on: Option<NaiveDate>,
    /// Reason of a rejection or of the objection that stopped it.
    pub decision_reason: Option<String>,
    /// When it was granted.
    pub granted_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Application instant.
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl From<entity::level_certification::Model> for CertificationOut {
    fn from(m: entity::level_certification::Model) -> Self {
        Self {
            id: m.id,
            volunteer_id: m.volunteer_id,
            level: m.level,
            rule_set_id: m.rule_set_id,
            status: m.status,
            notice_starts_on: m.notice_starts_on,
            notice_ends_on: m.notice_ends_on,
            decision_reason: m.decision_reason,
            granted_at: m.granted_at,
            created_at: m.created_at,
        }
    }
}
