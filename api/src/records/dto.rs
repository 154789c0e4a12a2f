//! Request and response bodies of `/api/v1/service-records`, `/api/v1/calendar-days`,
//! `/api/v1/volunteer-totals` and `/api/v1/organizations/{id}/service-totals`.

use chrono::{DateTime, NaiveDate, Utc};
use entity::enums::{CalendarDayKind, ServiceRecordStatus};
use entity::{calendar_day, service_record};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// A service record entered by an organization admin (source `manual`). Fields follow 民政部
/// 《志愿服务记录与证明出具办法（试行）》2020, Art. 7. Times are RFC 3339 with any offset and
/// are stored in UTC; minutes are computed from the interval.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceRecordIn {
    /// The volunteer who served (must be visible in the caller's scope).
    pub volunteer_id: Uuid,
    /// The organizing organization (in the caller's scope).
    pub organization_id: Uuid,
    /// Activity name, 1–200 characters.
    #[schema(example = "社区防疫志愿服务")]
    pub activity_name: String,
    /// Service category, 1–64 characters.
    #[schema(example = "社区服务")]
    pub service_category: String,
    /// Place, 1–200 characters.
    #[schema(example = "南京市玄武区梅园新村街道")]
    pub place: String,
    /// Content of the service, 1–2000 characters.
    #[schema(example = "协助核酸检测点秩序维护")]
    pub content: String,
    /// Activity leader, up to 100 characters.
    pub activity_leader: Option<String>,
    /// Start of service (RFC 3339, any offset).
    #[schema(example = "2026-03-02T09:00:00+08:00")]
    pub started_at: DateTime<Utc>,
    /// End of service (RFC 3339, any offset): after the start, at most 24 hours later.
    #[schema(example = "2026-03-02T11:30:00+08:00")]
    pub ended_at: DateTime<Utc>,
    /// Project the service belonged to, if any.
    pub project_id: Option<Uuid>,
    /// Shift the service belonged to, if any.
    pub shift_id: Option<Uuid>,
    /// Approve in the same transaction (default false: the record stays pending). A record
    /// overlapping an approved record is held pending as a conflict regardless.
    #[serde(default)]
    pub approve: bool,
}

/// A volunteer's own declaration of service (source `declaration`), confirmed later by an admin
/// of the organization.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclarationIn {
    /// The organizing organization.
    pub organization_id: Uuid,
    /// Activity name, 1–200 characters.
    pub activity_name: String,
    /// Service category, 1–64 characters.
    pub service_category: String,
    /// Place, 1–200 characters.
    pub place: String,
    /// Content, 1–2000 characters.
    pub content: String,
    /// Activity leader who can confirm the service, up to 100 characters.
    pub activity_leader: Option<String>,
    /// Start (RFC 3339, any offset).
    pub started_at: DateTime<Utc>,
    /// End (RFC 3339, any offset).
    pub ended_at: DateTime<Utc>,
}

/// A correction: a new record that supersedes the old one. Omitted fields are copied from the
/// corrected record; the interval must always be given.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CorrectionIn {
    /// Corrected start (RFC 3339, any offset).
    pub started_at: DateTime<Utc>,
    /// Corrected end (RFC 3339, any offset).
    pub ended_at: DateTime<Utc>,
    /// Corrected activity name.
    pub activity_name: Option<String>,
    /// Corrected service category.
    pub service_category: Option<String>,
    /// Corrected place.
    pub place: Option<String>,
    /// Corrected content.
    pub content: Option<String>,
    /// Corrected activity leader.
    pub activity_leader: Option<String>,
    /// Why the record is corrected, 2–500 characters (kept on the new record and in the audit
    /// log).
    #[schema(example = "签退时间登记错误")]
    pub reason: String,
}

/// Reason for rejecting or voiding a record, 2–500 characters.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonIn {
    /// The reason.
    #[schema(example = "活动未实际开展")]
    pub reason: String,
}

/// A service record.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceRecordOut {
    /// Id (UUID v7).
    pub id: Uuid,
    /// The volunteer.
    pub volunteer_id: Uuid,
    /// The organizing organization.
    pub organization_id: Uuid,
    /// Activity name.
    pub activity_name: String,
    /// Service category.
    pub service_category: String,
    /// Place.
    pub place: String,
    /// Content.
    pub content: String,
    /// Activity leader.
    pub activity_leader: Option<String>,
    /// Start (RFC 3339, UTC).
    pub started_at: DateTime<Utc>,
    /// End (RFC 3339, UTC).
    pub ended_at: DateTime<Utc>,
    /// Credited minutes: the minutes served after the rounding of the rule set in force for the
    /// volunteer on the day the service started (exact minutes by default; a bucket rule may
    /// credit a short record 0).
    pub minutes: i32,
    /// Credited hours for display (decimal string, e.g. `2.5`).
    #[schema(example = "2.5")]
    pub hours: String,
    /// Minutes actually served (from the interval, before rounding).
    pub raw_minutes: i32,
    /// The rule set whose rounding produced `minutes` (`None` on records entered before
    /// rounding was applied, which credit exact minutes).
    pub rounding_rule_set_id: Option<Uuid>,
    /// `attendance`, `manual`, `declaration` or `partner:<name>`.
    pub source: String,
    /// The source's own id (partner records).
    pub external_id: Option<String>,
    /// Account that entered it.
    pub recorded_by: Option<Uuid>,
    /// Status.
    pub status: ServiceRecordStatus,
    /// Overlapped an approved record of the same volunteer when entered.
    pub conflict: bool,
    /// Entered more than 10 working days after the activity ended (Art. 11).
    pub late: bool,
    /// Needs a look before approval (e.g. a check-out closed by the system).
    pub review_required: bool,
    /// The record this one corrects.
    pub supersedes_id: Option<Uuid>,
    /// Why it was corrected.
    pub correction_reason: Option<String>,
    /// Who approved, rejected or voided it.
    pub decided_by: Option<Uuid>,
    /// When (RFC 3339, UTC).
    pub decided_at: Option<DateTime<Utc>>,
    /// Reason of a rejection or voiding.
    pub decision_reason: Option<String>,
    /// Project.
    pub project_id: Option<Uuid>,
    /// Shift.
    pub shift_id: Option<Uuid>,
    /// Entered (RFC 3339, UTC).
    pub created_at: DateTime<Utc>,
    /// Version, bumped on every status change.
    pub version: i32,
}

impl From<service_record::Model> for ServiceRecordOut {
    fn from(m: service_record::Model) -> Self {
        Self {
            id: m.id,
            volunteer_id: m.volunteer_id,
            organization_id: m.organization_id,
            activity_name: m.activity_name,
            service_category: m.service_category,
            place: m.place,
            content: m.content,
            activity_leader: m.activity_leader,
            started_at: m.started_at,
            ended_at: m.ended_at,
            minutes: m.minutes,
            hours: super::rules::hours_display(i64::from(m.minutes)),
            raw_minutes: m.raw_minutes.unwrap_or(m.minutes),
            rounding_rule_set_id: m.rounding_rule_set_id,
            source: m.source,
            external_id: m.external_id,
            recorded_by: m.recorded_by,
            status: m.status,
            conflict: m.conflict,
            late: m.late,
            review_required: m.review_required,
            supersedes_id: m.supersedes_id,
            correction_reason: m.correction_reason,
            decided_by: m.decided_by,
            decided_at: m.decided_at,
            decision_reason: m.decision_reason,
            project_id: m.project_id,
            shift_id: m.shift_id,
            created_at: m.created_at,
            version: m.version,
        }
    }
}

/// Filters for listing records, combined with AND, always inside the caller's scope.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RecordFilter {
    /// Only this volunteer.
    pub volunteer_id: Option<Uuid>,
    /// Only records organized by this organization or its descendants.
    pub organization_id: Option<Uuid>,
    /// Only this status.
    pub status: Option<ServiceRecordStatus>,
    /// Only service starting on or after this date (platform time zone).
    pub from: Option<NaiveDate>,
    /// Only service starting on or before this date (platform time zone).
    pub to: Option<NaiveDate>,
    /// Only conflicts (true) or non-conflicts (false).
    pub conflict: Option<bool>,
    /// Only late (true) or timely (false) records.
    pub late: Option<bool>,
}

/// Approved totals of one period.
#[derive(Debug, Serialize, ToSchema)]
pub struct YearTotalOut {
    /// Calendar year (platform time zone, by the start of service).
    pub year: i32,
    /// Approved minutes.
    pub approved_minutes: i64,
    /// Approved hours for display (decimal string).
    #[schema(example = "12.5")]
    pub approved_hours: String,
    /// Number of approved records.
    pub approved_records: i64,
}

/// A volunteer's approved service. A volunteer without approved records answers zeros.
#[derive(Debug, Serialize, ToSchema)]
pub struct VolunteerTotalsOut {
    /// The volunteer.
    pub volunteer_id: Uuid,
    /// Approved minutes over all years.
    pub approved_minutes: i64,
    /// Approved hours for display (decimal string, e.g. `12.5`; never a float).
    #[schema(example = "12.5")]
    pub approved_hours: String,
    /// Number of approved records.
    pub approved_records: i64,
    /// Per calendar year, ascending.
    pub years: Vec<YearTotalOut>,
}

/// Year filter for organization totals.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearParam {
    /// Only this calendar year (platform time zone); all years when omitted.
    pub year: Option<i32>,
}

/// Approved service organized by an organization and its subtree.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationTotalsOut {
    /// The organization.
    pub organization_id: Uuid,
    /// The year asked for, or `null` for all years.
    pub year: Option<i32>,
    /// Approved minutes of records organized by this organization itself.
    pub own_approved_minutes: i64,
    /// Approved records organized by this organization itself.
    pub own_approved_records: i64,
    /// Approved minutes of the organization and all its descendants.
    pub approved_minutes: i64,
    /// Approved hours of the subtree for display (decimal string).
    #[schema(example = "1520.5")]
    pub approved_hours: String,
    /// Approved records of the subtree.
    pub approved_records: i64,
    /// Subtree totals per calendar year, ascending.
    pub years: Vec<YearTotalOut>,
}

/// A calendar exception to set.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CalendarDayIn {
    /// `holiday` (not a working day) or `workday` (a make-up working day, 调休).
    pub kind: CalendarDayKind,
    /// Name, 1–100 characters, e.g. `春节`.
    #[schema(example = "劳动节")]
    pub name: String,
}

/// A calendar exception.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarDayOut {
    /// The date (platform time zone).
    pub date: NaiveDate,
    /// Holiday or make-up workday.
    pub kind: CalendarDayKind,
    /// Name.
    pub name: String,
}

impl From<calendar_day::Model> for CalendarDayOut {
    fn from(m: calendar_day::Model) -> Self {
        Self {
            date: m.date,
            kind: m.kind,
            name: m.name,
        }
    }
}

/// Date range of calendar exceptions.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CalendarRange {
    /// First date (inclusive); default: no lower bound.
    pub from: Option<NaiveDate>,
    /// Last date (inclusive); default: no upper bound.
    pub to: Option<NaiveDate>,
}

/// Export file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    /// UTF-8 CSV with a byte-order mark (so that Excel shows Chinese correctly).
    Csv,
    /// Excel workbook (one sheet).
    Xlsx,
}

/// What to export.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// Records organized by this organization and its descendants (in the caller's scope).
    pub organization_id: Uuid,
    /// Service starting on or after this date (platform time zone).
    pub from: Option<NaiveDate>,
    /// Service starting on or before this date (platform time zone).
    pub to: Option<NaiveDate>,
    /// `csv` (default) or `xlsx`.
    pub format: Option<ExportFormat>,
    /// Records of this status; default `approved`.
    pub status: Option<ServiceRecordStatus>,
}
