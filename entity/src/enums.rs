//! Active enums shared by the entities. Each is stored as a short snake_case string so that the
//! same schema works on SQLite and PostgreSQL, and serialised the same way on the wire.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Level of an administrative division (GB/T 2260): province, prefecture or county.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize, ToSchema,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(16))",
    rename_all = "snake_case"
)]
#[serde(rename_all = "snake_case")]
pub enum RegionLevel {
    /// 省级 (xx0000).
    Province,
    /// 地级 (xxxx00).
    Prefecture,
    /// 县级 (xxxxxx).
    County,
}

/// Kind of an organization in the tree (DESIGN.md §3).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize, ToSchema,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(32))",
    rename_all = "snake_case"
)]
#[serde(rename_all = "snake_case")]
pub enum OrganizationKind {
    /// 团委: a Communist Youth League committee at any level.
    LeagueCommittee,
    /// 志愿者协会.
    VolunteerAssociation,
    /// 志愿服务队.
    VolunteerTeam,
    /// 学校 / 高校.
    School,
    /// 青年社会组织.
    YouthSocialOrganization,
    /// 青年之家.
    YouthHome,
    /// 合作商家 (offers benefits to volunteers).
    PartnerBusiness,
}

/// Whether an organization is in use. Deactivated organizations keep their history.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize, ToSchema,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(16))",
    rename_all = "snake_case"
)]
#[serde(rename_all = "snake_case")]
pub enum OrganizationStatus {
    /// In use.
    Active,
    /// Deactivated: no new admins, members or registrations.
    Inactive,
}

/// Role of an account. Every endpoint declares which roles may call it.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    ToSchema,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(32))",
    rename_all = "snake_case"
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The provincial committee: manages the whole tree and the platform rules.
    PlatformAdmin,
    /// Manages one organization and its subtree.
    OrgAdmin,
    /// A registered volunteer.
    Volunteer,
    /// 评审专家: scores the rating rounds, award nominations and grant proposals assigned to
    /// them, and nothing else. May carry an affiliated organization, used for conflict-of-interest
    /// checks (a reviewer never rates their own organization or its subtree).
    Reviewer,
}

/// Whether an account may log in.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize, ToSchema,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(16))",
    rename_all = "snake_case"
)]
#[serde(rename_all = "snake_case")]
pub enum AccountStatus {
    /// May log in.
    Active,
    /// May not log in; refresh tokens are revoked.
    Disabled,
}

/// Kind of identity document (证件类型).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize, ToSchema,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(40))",
    rename_all = "snake_case"
)]
#[serde(rename_all = "snake_case")]
pub enum IdType {
    /// 居民身份证 (GB 11643, 18 characters with MOD 11-2 check).
    ResidentIdCard,
    /// 港澳台居民居住证 (same 18-character layout, address code 810000/820000/830000).
    HkMoTwResidencePermit,
    /// 外国人永久居留身份证.
    ForeignPermanentResidenceCard,
    /// 护照.
    Passport,
}

/// Gender as recorded on the identity document.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize, ToSchema,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(8))",
    rename_all = "snake_case"
)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    /// 男.
    Male,
    /// 女.
    Female,
}

/// Lifecycle of a volunteer.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize, ToSchema,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(16))",
    rename_all = "snake_case"
)]
#[serde(rename_all = "snake_case")]
pub enum VolunteerStatus {
    /// Registered, awaiting confirmation.
    Pending,
    /// Registered and active.
    Active,
    /// Temporarily barred from signing up.
    Suspended,
    /// Left the platform: personal data anonymised, service records kept.
    Deregistered,
}

/// State of a volunteer's membership of an organization.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize, ToSchema,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(16))",
    rename_all = "snake_case"
)]
#[serde(rename_all = "snake_case")]
pub enum MembershipStatus {
    /// Applied, waiting for an admin of the organization.
    Pending,
    /// A member.
    Active,
    /// The application was rejected.
    Rejected,
    /// The volunteer left.
    Left,
}

/// Status of a service record in the ledger (DESIGN.md §3 "Service records"). Only `approved`
/// records count towards totals; an approved record is never edited, only voided or superseded.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize, ToSchema,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(16))",
    rename_all = "snake_case"
)]
#[serde(rename_all = "snake_case")]
pub enum ServiceRecordStatus {
    /// Waiting for an admin's decision (also conflicts held for review).
    Pending,
    /// Confirmed; counts towards totals.
    Approved,
    /// Refused by an admin; never counted.
    Rejected,
    /// Was approved, then withdrawn with a reason; no longer counted.
    Voided,
    /// Replaced by a correction (a newer record with `supersedes_id` pointing here).
    Superseded,
}

/// Kind of an entry in the working-day calendar.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize, ToSchema,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(16))",
    rename_all = "snake_case"
)]
#[serde(rename_all = "snake_case")]
pub enum CalendarDayKind {
    /// A public holiday (法定节假日) on a weekday: not a working day.
    Holiday,
    /// A make-up working day (调休) on a weekend: a working day.
    Workday,
}

/// Status of a certificate (志愿服务记录证明).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize, ToSchema,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(16))",
    rename_all = "snake_case"
)]
#[serde(rename_all = "snake_case")]
pub enum CertificateStatus {
    /// Issued and still accurate.
    Valid,
    /// Withdrawn by an admin.
    Revoked,
    /// A record it covers was corrected or voided after issue.
    Superseded,
}

/// Workflow of a project (DESIGN.md §3): `draft` → `pending_review` → `published` (or back to
/// `draft` when rejected) → `closed` or `cancelled`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize, ToSchema,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(16))",
    rename_all = "snake_case"
)]
#[serde(rename_all = "snake_case")]
pub enum ProjectStatus {
    /// Being prepared; freely editable.
    Draft,
    /// Submitted; waits for an admin of the parent organization.
    PendingReview,
    /// Listed publicly; volunteers may sign up.
    Published,
    /// Finished; no new sign-ups.
    Closed,
    /// Called off; active sign-ups were cancelled.
    Cancelled,
}

/// How attendance at a project's shifts is checked.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize, ToSchema,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(32))",
    rename_all = "snake_case"
)]
#[serde(rename_all = "snake_case")]
pub enum CheckInPolicy {
    /// The rotating code shown by the shift leader.
    Code,
    /// The code, and the volunteer's position inside the geofence radius.
    CodeAndGeofence,
}

/// Status of a sign-up for a shift.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize, ToSchema,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(16))",
    rename_all = "snake_case"
)]
#[serde(rename_all = "snake_case")]
pub enum SignupStatus {
    /// Waiting for an admin's decision (projects that require approval).
    Applied,
    /// Holds a place.
    Approved,
    /// Waiting for a place; served first come, first served.
    Waitlisted,
    /// Refused by an admin.
    Rejected,
    /// Cancelled by the volunteer or an admin, or with the project.
    Cancelled,
    /// Attended the shift.
    Attended,
    /// Held a place but did not come.
    NoShow,
}

/// Category of a training course (DESIGN.md §3 "Training"; issue 4).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize, ToSchema,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(32))",
    rename_all = "snake_case"
)]
#[serde(rename_all = "snake_case")]
pub enum CourseCategory {
    /// 新注册志愿者通识培训: completing one ends probation.
    NewVolunteerBasics,
    /// 骨干志愿者培训.
    Backbone,
    /// 专业志愿者培训 (emergency rescue, large events, elder care …).
    Specialist,
}

/// Level of the organizer of a training class (province, city, county, school).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize, ToSchema,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(16))",
    rename_all = "snake_case"
)]
#[serde(rename_all = "snake_case")]
pub enum TrainingLevel {
    /// 省级 (e.g. 省级示范培训班).
    Province,
    /// 市级.
    City,
    /// 县级.
    County,
    /// 校级.
    School,
}

/// Lifecycle of a training class: `planned` → `open` (enrolment) → `running` → `finished` →
/// `archived`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize, ToSchema,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(16))",
    rename_all = "snake_case"
)]
#[serde(rename_all = "snake_case")]
pub enum TrainingClassStatus {
    /// Being prepared; admins may enrol volunteers.
    Planned,
    /// Open for enrolment inside the enrolment window.
    Open,
    /// Sessions under way; attendance and completion are recorded.
    Running,
    /// All sessions held; completions may still be recorded.
    Finished,
    /// Closed for good; read only.
    Archived,
}

/// Status of an enrolment in a training class.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize, ToSchema,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(16))",
    rename_all = "snake_case"
)]
#[serde(rename_all = "snake_case")]
pub enum EnrolmentStatus {
    /// Holds a place.
    Enrolled,
    /// Cancelled by the volunteer or an admin; the place was freed.
    Cancelled,
    /// Completion recorded (passed or not); keeps its place.
    Completed,
}

/// Status of a star-level certification (星级认定) where a rule set requires one: applied →
/// in public notice → granted; rejected by the organization, or stopped by an objection during
/// the notice.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize, ToSchema,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(16))",
    rename_all = "snake_case"
)]
#[serde(rename_all = "snake_case")]
pub enum CertificationStatus {
    /// Applied for; awaiting the organization's review.
    Applied,
    /// Approved by the organization; in public notice.
    InNotice,
    /// Notice passed without objection; the level counts.
    Granted,
    /// Refused by the organization.
    Rejected,
    /// Stopped by an objection during the notice.
    Stopped,
}
