//! Request and response bodies of `/api/v1/courses`, `/api/v1/public/courses`,
//! `/api/v1/instructors`, `/api/v1/training-classes`, `/api/v1/enrolments`, the volunteer's
//! training records and qualifications, reports and the training settings.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use entity::enums::{CourseCategory, EnrolmentStatus, TrainingClassStatus, TrainingLevel};
use entity::{course, instructor, training_enrolment};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::volunteers::domain::mask_mobile;

/// Distinguishes "absent" (`None`) from "null" (`Some(None)`) in a patch.
fn double_option<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

// ---------------------------------------------------------------------------
// Courses
// ---------------------------------------------------------------------------

/// A course material: a titled link.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Material {
    /// Title, 1–200 characters.
    #[schema(example = "心肺复苏操作指引")]
    pub title: String,
    /// Absolute `http` or `https` URL, at most 500 characters.
    #[schema(example = "https://example.org/cpr.pdf")]
    pub url: String,
}

/// The qualification a passed completion of a course grants.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QualificationGrant {
    /// Code, snake_case of 2–40 characters (`^[a-z][a-z0-9_]{1,39}$`); projects list it in
    /// `required_qualifications`.
    #[schema(example = "first_aid")]
    pub code: String,
    /// Name for people, 1–100 characters.
    #[schema(example = "应急救护证")]
    pub name: String,
    /// Validity in days, 1–3650, counted from the completion date in the platform time zone;
    /// absent: never expires.
    #[schema(example = 730)]
    pub validity_days: Option<u32>,
}

/// A new course (unpublished).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CourseIn {
    /// Owning organization, in the caller's scope.
    pub organization_id: Uuid,
    /// Title, 1–200 characters.
    #[schema(example = "应急救护基础")]
    pub title: String,
    /// Category.
    pub category: CourseCategory,
    /// Specialty, up to 32 characters (such as 应急救援, 大型赛会, 助老服务); may be empty.
    #[serde(default)]
    #[schema(example = "应急救援")]
    pub specialty: String,
    /// Length in minutes, 1–10,000; a completion records these minutes.
    #[schema(example = 240)]
    pub minutes: u32,
    /// Syllabus, up to 10,000 characters (line breaks allowed).
    #[serde(default)]
    pub syllabus: String,
    /// Materials, at most 20 links.
    #[serde(default)]
    pub materials: Vec<Material>,
    /// Qualification granted by a passed completion, if any.
    pub grants_qualification: Option<QualificationGrant>,
}

/// A partial update of a course; `version` must equal the current version (else 412).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CoursePatch {
    /// Current version, as last read.
    pub version: i32,
    /// New title.
    pub title: Option<String>,
    /// New category.
    pub category: Option<CourseCategory>,
    /// New specialty.
    pub specialty: Option<String>,
    /// New length in minutes (existing training records keep theirs).
    pub minutes: Option<u32>,
    /// New syllabus.
    pub syllabus: Option<String>,
    /// New materials (replaces the list).
    pub materials: Option<Vec<Material>>,
    /// New granted qualification; `null` removes it (qualifications already granted stay).
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<QualificationGrant>)]
    pub grants_qualification: Option<Option<QualificationGrant>>,
}

/// A course as admins see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CourseOut {
    /// Id (UUID v7).
    pub id: Uuid,
    /// Owning organization.
    pub organization_id: Uuid,
    /// Title.
    pub title: String,
    /// Category.
    pub category: CourseCategory,
    /// Specialty (may be empty).
    pub specialty: String,
    /// Length in minutes.
    pub minutes: i32,
    /// Syllabus.
    pub syllabus: String,
    /// Materials.
    pub materials: Vec<Material>,
    /// Published (public).
    pub published: bool,
    /// First published (RFC 3339, UTC).
    pub published_at: Option<DateTime<Utc>>,
    /// Qualification granted by a passed completion.
    pub grants_qualification: Option<QualificationGrant>,
    /// Version for optimistic concurrency.
    pub version: i32,
    /// Created (RFC 3339, UTC).
    pub created_at: DateTime<Utc>,
    /// Last updated (RFC 3339, UTC).
    pub updated_at: DateTime<Utc>,
}

/// The materials stored as JSON text.
pub fn materials(raw: &str) -> Vec<Material> {
    serde_json::from_str(raw).unwrap_or_default()
}

/// The granted qualification of a course row.
pub fn grant(m: &course::Model) -> Option<QualificationGrant> {
    match (&m.grants_code, &m.grants_name) {
        (Some(code), Some(name)) => Some(QualificationGrant {
            code: code.clone(),
            name: name.clone(),
            validity_days: m.grants_validity_days.and_then(|d| u32::try_from(d).ok()),
        }),
        _ => None,
    }
}

impl From<course::Model> for CourseOut {
    fn from(m: course::Model) -> Self {
        Self {
            grants_qualification: grant(&m),
            materials: materials(&m.materials),
            id: m.id,
            organization_id: m.organization_id,
            title: m.title,
            category: m.category,
            specialty: m.specialty,
            minutes: m.minutes,
            syllabus: m.syllabus,
            published: m.published,
            published_at: m.published_at,
            version: m.version,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// A published course as the public sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicCourseOut {
    /// Id.
    pub id: Uuid,
    /// Owning organization.
    pub organization_id: Uuid,
    /// Its name.
    pub organization_name: String,
    /// Title.
    pub title: String,
    /// Category.
    pub category: CourseCategory,
    /// Specialty (may be empty).
    pub specialty: String,
    /// Length in minutes.
    pub minutes: i32,
    /// Syllabus.
    pub syllabus: String,
    /// Materials.
    pub materials: Vec<Material>,
    /// Qualification granted by a passed completion.
    pub grants_qualification: Option<QualificationGrant>,
    /// First published (RFC 3339, UTC).
    pub published_at: Option<DateTime<Utc>>,
}

impl PublicCourseOut {
    /// The public view of a course.
    pub fn new(m: course::Model, organization_name: String) -> Self {
        Self {
            grants_qualification: grant(&m),
            materials: materials(&m.materials),
            id: m.id,
            organization_id: m.organization_id,
            organization_name,
            title: m.title,
            category: m.category,
            specialty: m.specialty,
            minutes: m.minutes,
            syllabus: m.syllabus,
            published_at: m.published_at,
        }
    }
}

/// Filters of course lists. All are combined with AND.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CourseFilter {
    /// Only this category.
    pub category: Option<CourseCategory>,
    /// Only this specialty (exact).
    pub specialty: Option<String>,
    /// Title contains this text.
    pub q: Option<String>,
    /// Admin list only: only published (`true`) or unpublished (`false`) courses.
    pub published: Option<bool>,
}

// ---------------------------------------------------------------------------
// Instructors
// ---------------------------------------------------------------------------

/// A new instructor.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InstructorIn {
    /// Organization whose pool holds the instructor, in the caller's scope.
    pub organization_id: Uuid,
    /// Name, 1–50 characters.
    #[schema(example = "王教官")]
    pub name: String,
    /// Specialties, at most 20 of 1–32 characters.
    #[serde(default)]
    #[schema(example = json!(["应急救援", "心肺复苏"]))]
    pub specialties: Vec<String>,
    /// Affiliation (work unit), up to 200 characters.
    #[serde(default)]
    #[schema(example = "南京市红十字会")]
    pub affiliation: String,
    /// Short profile, up to 2,000 characters.
    #[serde(default)]
    pub profile: String,
    /// Mainland mobile number; shown masked.
    #[schema(example = "13812341234")]
    pub mobile: Option<String>,
}

/// A partial update of an instructor; `version` must match (else 412).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InstructorPatch {
    /// Current version, as last read.
    pub version: i32,
    /// New name.
    pub name: Option<String>,
    /// New specialties (replaces the list).
    pub specialties: Option<Vec<String>>,
    /// New affiliation.
    pub affiliation: Option<String>,
    /// New profile.
    pub profile: Option<String>,
    /// New mobile; `null` removes it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub mobile: Option<Option<String>>,
}

/// An instructor as admins see it (mobile masked).
#[derive(Debug, Serialize, ToSchema)]
pub struct InstructorOut {
    /// Id.
    pub id: Uuid,
    /// Organization.
    pub organization_id: Uuid,
    /// Name.
    pub name: String,
    /// Specialties.
    pub specialties: Vec<String>,
    /// Affiliation.
    pub affiliation: String,
    /// Profile.
    pub profile: String,
    /// Mobile, masked (`138****1234`).
    pub mobile: Option<String>,
    /// Version for optimistic concurrency.
    pub version: i32,
    /// Created (RFC 3339, UTC).
    pub created_at: DateTime<Utc>,
    /// Last updated (RFC 3339, UTC).
    pub updated_at: DateTime<Utc>,
}

impl From<instructor::Model> for InstructorOut {
    fn from(m: instructor::Model) -> Self {
        Self {
            specialties: serde_json::from_str(&m.specialties).unwrap_or_default(),
            mobile: m.mobile.as_deref().map(mask_mobile),
            id: m.id,
            organization_id: m.organization_id,
            name: m.name,
            affiliation: m.affiliation,
            profile: m.profile,
            version: m.version,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// Filters of the instructor list (always inside the caller's scope).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InstructorFilter {
    /// Only instructors with this specialty (exact item).
    pub specialty: Option<String>,
    /// Name contains this text.
    pub name: Option<String>,
    /// Only this organization's pool.
    pub organization_id: Option<Uuid>,
}

// ---------------------------------------------------------------------------
// Training classes
// ---------------------------------------------------------------------------

/// One session of a class. Times are RFC 3339 with any offset, stored in UTC.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionIn {
    /// Start (RFC 3339 with offset).
    #[schema(value_type = String, format = DateTime, example = "2026-12-05T09:00:00+08:00")]
    pub starts_at: DateTime<FixedOffset>,
    /// End: after the start, at most 12 hours later.
    #[schema(value_type = String, format = DateTime, example = "2026-12-05T12:00:00+08:00")]
    pub ends_at: DateTime<FixedOffset>,
}

/// One session as stored and returned.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SessionOut {
    /// Session number, 1-based (used by the attendance endpoint).
    pub number: u32,
    /// Start (RFC 3339, UTC).
    pub starts_at: DateTime<Utc>,
    /// End (RFC 3339, UTC).
    pub ends_at: DateTime<Utc>,
}

/// A new training class (status `planned`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClassIn {
    /// Course: published, or owned by an organization in the caller's scope.
    pub course_id: Uuid,
    /// Organizing organization, in the caller's scope.
    pub organization_id: Uuid,
    /// Title, 1–200 characters; default the course title.
    #[schema(example = "2026年省级示范培训班（第一期）")]
    pub title: Option<String>,
    /// Level of the organizer.
    pub level: TrainingLevel,
    /// Sessions, 1–50, each ending after it starts and lasting at most 12 hours.
    pub sessions: Vec<SessionIn>,
    /// Place, up to 200 characters; this or `online_url` is required.
    pub place: Option<String>,
    /// Online link (http/https).
    pub online_url: Option<String>,
    /// Places, 1–5,000.
    pub capacity: u32,
    /// Enrolment opens (RFC 3339 with offset; inclusive).
    #[schema(value_type = String, format = DateTime)]
    pub enrol_opens_at: DateTime<FixedOffset>,
    /// Enrolment closes (RFC 3339 with offset; exclusive), after it opens.
    #[schema(value_type = String, format = DateTime)]
    pub enrol_closes_at: DateTime<FixedOffset>,
    /// Instructors from the caller's scope (at most 20).
    #[serde(default)]
    pub instructor_ids: Vec<Uuid>,
    /// Pass mark 0–100: passed = score ≥ pass mark. Absent: passed = attended ≥ 80 % of the
    /// sessions.
    pub pass_mark: Option<u8>,
}

/// A partial update of a planned or open class; `version` must match (else 412).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClassPatch {
    /// Current version, as last read.
    pub version: i32,
    /// New title.
    pub title: Option<String>,
    /// New level.
    pub level: Option<TrainingLevel>,
    /// New sessions (replaces the schedule).
    pub sessions: Option<Vec<SessionIn>>,
    /// New place; `null` removes it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub place: Option<Option<String>>,
    /// New online link; `null` removes it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub online_url: Option<Option<String>>,
    /// New capacity, 1–5,000, not below the places taken (409 `capacity_below_enrolled`).
    pub capacity: Option<u32>,
    /// New opening of enrolment.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub enrol_opens_at: Option<DateTime<FixedOffset>>,
    /// New closing of enrolment.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub enrol_closes_at: Option<DateTime<FixedOffset>>,
    /// New instructors (replaces the list).
    pub instructor_ids: Option<Vec<Uuid>>,
    /// New pass mark; `null` removes it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<u8>)]
    pub pass_mark: Option<Option<u8>>,
}

/// A training class.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClassOut {
    /// Id.
    pub id: Uuid,
    /// Course.
    pub course_id: Uuid,
    /// Organizing organization.
    pub organization_id: Uuid,
    /// Title.
    pub title: String,
    /// Level.
    pub level: TrainingLevel,
    /// Sessions in time order.
    pub sessions: Vec<SessionOut>,
    /// Place.
    pub place: Option<String>,
    /// Online link.
    pub online_url: Option<String>,
    /// Places.
    pub capacity: i32,
    /// Places taken (enrolled and completed).
    pub enrolled_count: i32,
    /// Places still free.
    pub free_places: i32,
    /// Enrolment opens (RFC 3339, UTC; inclusive).
    pub enrol_opens_at: DateTime<Utc>,
    /// Enrolment closes (RFC 3339, UTC; exclusive).
    pub enrol_closes_at: DateTime<Utc>,
    /// Instructors.
    pub instructor_ids: Vec<Uuid>,
    /// Pass mark 0–100.
    pub pass_mark: Option<i32>,
    /// Lifecycle status.
    pub status: TrainingClassStatus,
    /// Version for optimistic concurrency.
    pub version: i32,
    /// Created (RFC 3339, UTC).
    pub created_at: DateTime<Utc>,
    /// Last updated (RFC 3339, UTC).
    pub updated_at: DateTime<Utc>,
}

/// Filters of the class list (always inside the caller's scope).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ClassFilter {
    /// Only this status.
    pub status: Option<TrainingClassStatus>,
    /// Only classes of this course.
    pub course_id: Option<Uuid>,
    /// Only this organizing organization.
    pub organization_id: Option<Uuid>,
}

// ---------------------------------------------------------------------------
// Enrolments, attendance, completion
// ---------------------------------------------------------------------------

/// An enrolment.
#[derive(Debug, Serialize, ToSchema)]
pub struct EnrolmentOut {
    /// Id.
    pub id: Uuid,
    /// Class.
    pub class_id: Uuid,
    /// Volunteer.
    pub volunteer_id: Uuid,
    /// Status.
    pub status: EnrolmentStatus,
    /// Score 0–100 (after completion).
    pub score: Option<i32>,
    /// Passed (after completion).
    pub passed: Option<bool>,
    /// Completed (RFC 3339, UTC).
    pub completed_at: Option<DateTime<Utc>>,
    /// Cancelled (RFC 3339, UTC).
    pub cancelled_at: Option<DateTime<Utc>>,
    /// Enrolled (RFC 3339, UTC).
    pub created_at: DateTime<Utc>,
    /// Last change (RFC 3339, UTC).
    pub updated_at: DateTime<Utc>,
}

impl From<training_enrolment::Model> for EnrolmentOut {
    fn from(m: training_enrolment::Model) -> Self {
        Self {
            id: m.id,
            class_id: m.class_id,
            volunteer_id: m.volunteer_id,
            status: m.status,
            score: m.score,
            passed: m.passed,
            completed_at: m.completed_at,
            cancelled_at: m.cancelled_at,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// An enrolment on a class roster, for admins in scope (names are personal data).
#[derive(Debug, Serialize, ToSchema)]
pub struct RosterEnrolmentOut {
    /// The enrolment.
    #[serde(flatten)]
    pub enrolment: EnrolmentOut,
    /// Public volunteer number.
    pub volunteer_number: String,
    /// Real name.
    pub real_name: String,
    /// Sessions attended (marked present).
    pub attended_sessions: u32,
}

/// One of the caller's own enrolments with its class.
#[derive(Debug, Serialize, ToSchema)]
pub struct MyEnrolmentOut {
    /// The enrolment.
    #[serde(flatten)]
    pub enrolment: EnrolmentOut,
    /// Class title.
    pub class_title: String,
    /// Class status.
    pub class_status: TrainingClassStatus,
    /// First session starts (RFC 3339, UTC).
    pub starts_at: DateTime<Utc>,
    /// Last session ends (RFC 3339, UTC).
    pub ends_at: DateTime<Utc>,
}

/// A batch enrolment by an admin.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchEnrolIn {
    /// Volunteers to enrol, 1–500 (repeats count as `duplicate`).
    pub volunteer_ids: Vec<Uuid>,
}

/// The outcome of one volunteer in a batch enrolment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BatchOutcome {
    /// Enrolled now.
    Enrolled,
    /// Already enrolled (or completed), or repeated in the list.
    Duplicate,
    /// No place left.
    Full,
    /// No such volunteer in the caller's scope.
    NotFound,
    /// The volunteer is not active.
    NotActive,
}

/// One volunteer's result in a batch enrolment.
#[derive(Debug, Serialize, ToSchema)]
pub struct BatchItemOut {
    /// Volunteer, as sent.
    pub volunteer_id: Uuid,
    /// Outcome.
    pub result: BatchOutcome,
    /// The enrolment (new or existing), when there is one.
    pub enrolment_id: Option<Uuid>,
}

/// The result of a batch enrolment, in the order sent.
#[derive(Debug, Serialize, ToSchema)]
pub struct BatchOut {
    /// Number enrolled now.
    pub enrolled: u32,
    /// One result per volunteer id sent.
    pub results: Vec<BatchItemOut>,
}

/// Presence of one enrolment at a session.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttendanceItem {
    /// Enrolment in this class (enrolled or completed).
    pub enrolment_id: Uuid,
    /// Present.
    pub present: bool,
}

/// The attendance of one session after a change.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionAttendanceOut {
    /// Session number, 1-based.
    pub session: u32,
    /// Present count.
    pub present: u32,
    /// Absent count (marked absent).
    pub absent: u32,
    /// Every mark of the session.
    pub items: Vec<AttendanceItem>,
}

/// A completion by an admin.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompleteIn {
    /// Score 0–100.
    pub score: Option<u8>,
}

/// A training record on a volunteer's profile.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrainingRecordOut {
    /// Id.
    pub id: Uuid,
    /// Volunteer.
    pub volunteer_id: Uuid,
    /// Class.
    pub class_id: Uuid,
    /// Class title.
    pub class_title: String,
    /// Course.
    pub course_id: Uuid,
    /// Course title.
    pub course_title: String,
    /// Course category.
    pub category: CourseCategory,
    /// Training minutes (the course's minutes at completion).
    pub minutes: i32,
    /// Completed (RFC 3339, UTC).
    pub completed_at: DateTime<Utc>,
    /// Score 0–100.
    pub score: Option<i32>,
    /// Passed.
    pub passed: bool,
}

/// A qualification of a volunteer.
#[derive(Debug, Serialize, ToSchema)]
pub struct QualificationOut {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Course that (last) granted it.
    pub course_id: Uuid,
    /// (Last) granted (RFC 3339, UTC).
    pub granted_at: DateTime<Utc>,
    /// Last day of validity (`YYYY-MM-DD`, platform time zone), inclusive; `null`: never
    /// expires.
    pub expires_on: Option<NaiveDate>,
    /// Valid today in the platform time zone: true on the expiry date itself, false from the
    /// day after.
    pub valid: bool,
}

/// The result of a completion.
#[derive(Debug, Serialize, ToSchema)]
pub struct CompletionOut {
    /// The enrolment, now `completed`.
    pub enrolment: EnrolmentOut,
    /// Sessions attended.
    pub attended_sessions: u32,
    /// The training record created.
    pub training_record: TrainingRecordOut,
    /// The qualification granted or renewed (passed completions of a granting course).
    pub qualification: Option<QualificationOut>,
}

// ---------------------------------------------------------------------------
// Reports and settings
// ---------------------------------------------------------------------------

/// Figures of one class.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClassReportOut {
    /// Class.
    pub class_id: Uuid,
    /// Enrolments holding a place (enrolled or completed).
    pub enrolled: u64,
    /// Of those, attended at least one session.
    pub attended: u64,
    /// Completions recorded.
    pub completed: u64,
    /// Completions that passed.
    pub passed: u64,
    /// `passed / completed` as a decimal string with four places (`"0.6667"`); `"0.0000"`
    /// with no completion.
    #[schema(example = "0.7500")]
    pub pass_rate: String,
}

/// Year figures of an organization and its subtree.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationTrainingReportOut {
    /// Organization.
    pub organization_id: Uuid,
    /// Year (classes whose first session starts in it, platform time zone).
    pub year: i32,
    /// Classes organized in the subtree (any status).
    pub classes: u64,
    /// Distinct volunteers holding a place in those classes.
    pub trainees: u64,
    /// Sum of training-record minutes of those classes.
    pub training_minutes: i64,
}

/// Query of the organization training report.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearQuery {
    /// Year, 2000–2100; default the current year (platform time zone).
    pub year: Option<i32>,
}

/// The training settings.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrainingSettingsOut {
    /// Volunteers are probationary until they pass a `new_volunteer_basics` course; they may
    /// then sign up only for projects with `allow_probationary` (422 `probationary_not_allowed`).
    pub probation_required: bool,
    /// Version for optimistic concurrency (0 before the first change).
    pub version: i32,
}

/// A change of the training settings; `version` must match (else 412).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrainingSettingsIn {
    /// Current version, as last read.
    pub version: i32,
    /// See [`TrainingSettingsOut::probation_required`].
    pub probation_required: bool,
}
