//! Request and response shapes of the social-programs module: library entries, grant calls,
//! proposals, reviews, social workers, assignments and the youth-home report.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use entity::enums::OrganizationKind;
use entity::social_programs::enums::{
    GrantCallStatus, LibraryEntryKind, LibraryEntryStatus, ProgramField, ProposalStatus,
    QualificationLevel,
};
use entity::social_programs::{
    grant_call, grant_proposal, grant_review, library_entry, social_worker,
    social_worker_assignment,
};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::volunteers::domain::mask_mobile;

fn double_option<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

fn tags_of(raw: &str) -> Vec<String> {
    serde_json::from_str(raw).unwrap_or_default()
}

// ---------------------------------------------------------------------------
// Library entries (公益项目库 / 案例库)
// ---------------------------------------------------------------------------

/// A new library entry (created as `draft`).
///
/// Projects need `summary`, `target_group`, `budget_fen`, `period_start`, `period_end` and
/// `outcomes`; cases need `body` and may name a project entry of the same organization in
/// `related_entry_id`. Fields of the other kind must be left out.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LibraryEntryIn {
    /// `project` (公益项目库) or `case` (案例库).
    pub kind: LibraryEntryKind,
    /// Submitting organization, in the caller's scope (any kind; typically a youth social
    /// organization).
    pub organization_id: Uuid,
    /// Title, 1–200 characters.
    #[schema(example = "困境儿童周末课堂")]
    pub title: String,
    /// Summary, up to 2,000 characters (required for projects).
    #[serde(default)]
    pub summary: String,
    /// Case body text, 1–20,000 characters (cases only).
    #[serde(default)]
    pub body: String,
    /// Field: `public_welfare`, `service` or `interest`.
    pub field: ProgramField,
    /// Region code (six digits, must exist).
    #[schema(example = "320102")]
    pub region_code: String,
    /// Target group, 1–200 characters (projects only).
    #[serde(default)]
    pub target_group: String,
    /// Budget in fen (分), 0–10^12 (projects only).
    pub budget_fen: Option<i64>,
    /// First day of the project (projects only).
    pub period_start: Option<NaiveDate>,
    /// Last day of the project, inclusive, not before `period_start` (projects only).
    pub period_end: Option<NaiveDate>,
    /// Outcomes, 1–5,000 characters (projects only).
    #[serde(default)]
    pub outcomes: String,
    /// A project entry of the same organization this case is about (cases only).
    pub related_entry_id: Option<Uuid>,
}

/// A partial update of an entry in `draft` or `rejected`; `version` must match (else 412).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LibraryEntryPatch {
    /// Current version, as last read.
    pub version: i32,
    /// New title.
    pub title: Option<String>,
    /// New summary.
    pub summary: Option<String>,
    /// New body (cases).
    pub body: Option<String>,
    /// New field.
    pub field: Option<ProgramField>,
    /// New region code.
    pub region_code: Option<String>,
    /// New target group (projects).
    pub target_group: Option<String>,
    /// New budget in fen (projects).
    pub budget_fen: Option<i64>,
    /// New first day (projects).
    pub period_start: Option<NaiveDate>,
    /// New last day (projects).
    pub period_end: Option<NaiveDate>,
    /// New outcomes (projects).
    pub outcomes: Option<String>,
    /// New related project entry (cases); `null` removes it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub related_entry_id: Option<Option<Uuid>>,
}

/// A state change that only needs the version read last.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VersionIn {
    /// Current version, as last read.
    pub version: i32,
}

/// Publishing an entry: the curator's tags (replacing any) and the version read last.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishIn {
    /// Current version, as last read.
    pub version: i32,
    /// Tags, at most 10 free strings of 1–32 characters; normalised (trimmed, inner whitespace
    /// collapsed to one space, ASCII letters lower-cased) and de-duplicated. Omitted: keep.
    pub tags: Option<Vec<String>>,
}

/// Replacing the tags of an entry (curators; any state).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TagsIn {
    /// Current version, as last read.
    pub version: i32,
    /// Tags, as for publishing.
    #[schema(example = json!(["留守儿童", "Reading"]))]
    pub tags: Vec<String>,
}

/// Rejecting a submitted entry.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RejectIn {
    /// Current version, as last read.
    pub version: i32,
    /// Reason for the submitter, 1–500 characters.
    pub reason: String,
}

/// A library entry as admins see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct LibraryEntryOut {
    /// Id.
    pub id: Uuid,
    /// Project or case.
    pub kind: LibraryEntryKind,
    /// Submitting organization.
    pub organization_id: Uuid,
    /// Title.
    pub title: String,
    /// Summary.
    pub summary: String,
    /// Case body.
    pub body: String,
    /// Field.
    pub field: ProgramField,
    /// Region code.
    pub region_code: String,
    /// Target group (projects).
    pub target_group: String,
    /// Budget in fen (projects).
    pub budget_fen: Option<i64>,
    /// First day (projects).
    pub period_start: Option<NaiveDate>,
    /// Last day, inclusive (projects).
    pub period_end: Option<NaiveDate>,
    /// Outcomes (projects).
    pub outcomes: String,
    /// Related project entry (cases).
    pub related_entry_id: Option<Uuid>,
    /// Curation state.
    pub status: LibraryEntryStatus,
    /// Reason of the last rejection.
    pub reject_reason: Option<String>,
    /// Normalised tags.
    pub tags: Vec<String>,
    /// Account that published it.
    pub curated_by: Option<Uuid>,
    /// Last submitted (RFC 3339, UTC).
    pub submitted_at: Option<DateTime<Utc>>,
    /// Published (RFC 3339, UTC).
    pub published_at: Option<DateTime<Utc>>,
    /// Version for optimistic concurrency.
    pub version: i32,
    /// Created (RFC 3339, UTC).
    pub created_at: DateTime<Utc>,
    /// Last updated (RFC 3339, UTC).
    pub updated_at: DateTime<Utc>,
}

impl From<library_entry::Model> for LibraryEntryOut {
    fn from(m: library_entry::Model) -> Self {
        Self {
            tags: tags_of(&m.tags),
            id: m.id,
            kind: m.kind,
            organization_id: m.organization_id,
            title: m.title,
            summary: m.summary,
            body: m.body,
            field: m.field,
            region_code: m.region_code,
            target_group: m.target_group,
            budget_fen: m.budget_fen,
            period_start: m.period_start,
            period_end: m.period_end,
            outcomes: m.outcomes,
            related_entry_id: m.related_entry_id,
            status: m.status,
            reject_reason: m.reject_reason,
            curated_by: m.curated_by,
            submitted_at: m.submitted_at,
            published_at: m.published_at,
            version: m.version,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// A published library entry as the public sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicLibraryEntryOut {
    /// Id.
    pub id: Uuid,
    /// Project or case.
    pub kind: LibraryEntryKind,
    /// Submitting organization.
    pub organization_id: Uuid,
    /// Its name.
    pub organization_name: String,
    /// Title.
    pub title: String,
    /// Summary.
    pub summary: String,
    /// Case body.
    pub body: String,
    /// Field.
    pub field: ProgramField,
    /// Region code.
    pub region_code: String,
    /// Target group (projects).
    pub target_group: String,
    /// Budget in fen (projects).
    pub budget_fen: Option<i64>,
    /// First day (projects).
    pub period_start: Option<NaiveDate>,
    /// Last day, inclusive (projects).
    pub period_end: Option<NaiveDate>,
    /// Outcomes (projects).
    pub outcomes: String,
    /// Related project entry (cases), when it is published too.
    pub related_entry_id: Option<Uuid>,
    /// Tags.
    pub tags: Vec<String>,
    /// Published (RFC 3339, UTC).
    pub published_at: Option<DateTime<Utc>>,
}

impl PublicLibraryEntryOut {
    /// The public view of a published entry and its organization's name.
    pub fn new(m: library_entry::Model, organization_name: String) -> Self {
        Self {
            tags: tags_of(&m.tags),
            id: m.id,
            kind: m.kind,
            organization_id: m.organization_id,
            organization_name,
            title: m.title,
            summary: m.summary,
            body: m.body,
            field: m.field,
            region_code: m.region_code,
            target_group: m.target_group,
            budget_fen: m.budget_fen,
            period_start: m.period_start,
            period_end: m.period_end,
            outcomes: m.outcomes,
            related_entry_id: m.related_entry_id,
            published_at: m.published_at,
        }
    }
}

/// Filters of the admin list (always inside the caller's scope).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LibraryEntryFilter {
    /// Only projects or only cases.
    pub kind: Option<LibraryEntryKind>,
    /// Only this state.
    pub status: Option<LibraryEntryStatus>,
    /// Only this organization's subtree.
    pub organization_id: Option<Uuid>,
}

/// Filters of the public search (published entries only).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PublicLibraryFilter {
    /// Only projects or only cases.
    pub kind: Option<LibraryEntryKind>,
    /// Only this field.
    pub field: Option<ProgramField>,
    /// This region and every region below it (through the regions' parent links).
    pub region_code: Option<String>,
    /// Has this tag (normalised like stored tags).
    pub tag: Option<String>,
    /// Title contains this text.
    pub q: Option<String>,
}

/// A tag in use on published entries, with how many carry it.
#[derive(Debug, Serialize, ToSchema, sea_orm::FromQueryResult)]
pub struct TagCountOut {
    /// Normalised tag.
    pub tag: String,
    /// Published entries with this tag.
    pub entries: i64,
}

/// Filters of the public tag list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TagFilter {
    /// Only tags of projects or of cases.
    pub kind: Option<LibraryEntryKind>,
}

// ---------------------------------------------------------------------------
// Grant calls (微创投)
// ---------------------------------------------------------------------------

/// A new micro-grant call (created as `draft`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantCallIn {
    /// Owning organization, in the caller's scope.
    pub organization_id: Uuid,
    /// Title, 1–200 characters.
    #[schema(example = "2027年青年社会组织公益微创投")]
    pub title: String,
    /// Description, up to 10,000 characters.
    #[serde(default)]
    pub description: String,
    /// Budget in fen (分), 1–10^12.
    pub budget_fen: i64,
    /// Largest single award in fen, 1 ..= `budget_fen`.
    pub max_award_fen: i64,
    /// Eligible organization kinds; empty: any kind.
    #[serde(default)]
    pub eligible_kinds: Vec<OrganizationKind>,
    /// Only organizations in this subtree (inside the owner's subtree; default: the owner).
    pub eligible_root_id: Option<Uuid>,
    /// Only organizations whose region is this one or below it.
    pub eligible_region_code: Option<String>,
    /// Only organizations registered (民政登记, the registry's `registered_on`) at least this many
    /// whole years before the day of submission, 1–50.
    pub min_years_registered: Option<i32>,
    /// Submission window opens (RFC 3339, inclusive).
    #[schema(value_type = String, format = DateTime)]
    pub submissions_open_at: DateTime<FixedOffset>,
    /// Submission window closes (RFC 3339, exclusive), after it opens.
    #[schema(value_type = String, format = DateTime)]
    pub submissions_close_at: DateTime<FixedOffset>,
}

/// A partial update of a call in `draft`; `version` must match (else 412).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantCallPatch {
    /// Current version, as last read.
    pub version: i32,
    /// New title.
    pub title: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// New budget in fen.
    pub budget_fen: Option<i64>,
    /// New per-award maximum in fen.
    pub max_award_fen: Option<i64>,
    /// New eligible kinds.
    pub eligible_kinds: Option<Vec<OrganizationKind>>,
    /// New submission window start.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub submissions_open_at: Option<DateTime<FixedOffset>>,
    /// New submission window end.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub submissions_close_at: Option<DateTime<FixedOffset>>,
}

/// A call.
#[derive(Debug, Serialize, ToSchema)]
pub struct GrantCallOut {
    /// Id.
    pub id: Uuid,
    /// Owning organization.
    pub organization_id: Uuid,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Budget in fen.
    pub budget_fen: i64,
    /// Largest single award in fen.
    pub max_award_fen: i64,
    /// Sum of the awards so far in fen (never above the budget).
    pub awarded_total_fen: i64,
    /// Eligible kinds; empty: any.
    pub eligible_kinds: Vec<OrganizationKind>,
    /// Eligible subtree.
    pub eligible_root_id: Uuid,
    /// Eligible region (and below).
    pub eligible_region_code: Option<String>,
    /// Minimum whole years since registration.
    pub min_years_registered: Option<i32>,
    /// Submission window opens (RFC 3339, UTC).
    pub submissions_open_at: DateTime<Utc>,
    /// Submission window closes (RFC 3339, UTC, exclusive).
    pub submissions_close_at: DateTime<Utc>,
    /// State.
    pub status: GrantCallStatus,
    /// Version for optimistic concurrency.
    pub version: i32,
    /// Created (RFC 3339, UTC).
    pub created_at: DateTime<Utc>,
    /// Last updated (RFC 3339, UTC).
    pub updated_at: DateTime<Utc>,
}

impl From<grant_call::Model> for GrantCallOut {
    fn from(m: grant_call::Model) -> Self {
        Self {
            eligible_kinds: serde_json::from_str(&m.eligible_kinds).unwrap_or_default(),
            id: m.id,
            organization_id: m.organization_id,
            title: m.title,
            description: m.description,
            budget_fen: m.budget_fen,
            max_award_fen: m.max_award_fen,
            awarded_total_fen: m.awarded_total_fen,
            eligible_root_id: m.eligible_root_id,
            eligible_region_code: m.eligible_region_code,
            min_years_registered: m.min_years_registered,
            submissions_open_at: m.submissions_open_at,
            submissions_close_at: m.submissions_close_at,
            status: m.status,
            version: m.version,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// Filters of the call list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GrantCallFilter {
    /// Only this state.
    pub status: Option<GrantCallStatus>,
}

/// Filters of the proposer-side proposal list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProposalFilter {
    /// Only proposals to this call.
    pub call_id: Option<Uuid>,
    /// Only this state.
    pub status: Option<ProposalStatus>,
}

/// A proposal to a call.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProposalIn {
    /// Proposing organization, in the caller's scope and eligible for the call.
    pub organization_id: Uuid,
    /// Title, 1–200 characters.
    pub title: String,
    /// Requested amount in fen, 1 ..= the call's `max_award_fen`.
    pub requested_fen: i64,
    /// Plan, 1–20,000 characters.
    pub plan: String,
    /// A project-library entry of the same organization.
    pub library_entry_id: Option<Uuid>,
}

/// A proposal.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProposalOut {
    /// Id.
    pub id: Uuid,
    /// The call.
    pub call_id: Uuid,
    /// Proposing organization.
    pub organization_id: Uuid,
    /// Title.
    pub title: String,
    /// Requested amount in fen.
    pub requested_fen: i64,
    /// Plan.
    pub plan: String,
    /// Linked project-library entry.
    pub library_entry_id: Option<Uuid>,
    /// State.
    pub status: ProposalStatus,
    /// Awarded amount in fen.
    pub awarded_fen: Option<i64>,
    /// Reason given when declined.
    pub decision_note: Option<String>,
    /// Decided (RFC 3339, UTC).
    pub decided_at: Option<DateTime<Utc>>,
    /// Submitted (RFC 3339, UTC).
    pub created_at: DateTime<Utc>,
    /// Last updated (RFC 3339, UTC).
    pub updated_at: DateTime<Utc>,
}

impl From<grant_proposal::Model> for ProposalOut {
    fn from(m: grant_proposal::Model) -> Self {
        Self {
            id: m.id,
            call_id: m.call_id,
            organization_id: m.organization_id,
            title: m.title,
            requested_fen: m.requested_fen,
            plan: m.plan,
            library_entry_id: m.library_entry_id,
            status: m.status,
            awarded_fen: m.awarded_fen,
            decision_note: m.decision_note,
            decided_at: m.decided_at,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// Assigning a reviewer to a proposal.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignReviewerIn {
    /// Account id of an active reviewer (role `reviewer`).
    pub reviewer_id: Uuid,
}

/// A reviewer's score.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoreIn {
    /// Integer score 0–100.
    pub score: i32,
    /// Comment, up to 2,000 characters.
    #[serde(default)]
    pub comment: String,
}

/// One review assignment.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewOut {
    /// Id.
    pub id: Uuid,
    /// The proposal.
    pub proposal_id: Uuid,
    /// The call.
    pub call_id: Uuid,
    /// Reviewer account.
    pub reviewer_id: Uuid,
    /// Score 0–100, once given.
    pub score: Option<i32>,
    /// Comment.
    pub comment: String,
    /// Scored (RFC 3339, UTC).
    pub scored_at: Option<DateTime<Utc>>,
    /// Assigned (RFC 3339, UTC).
    pub created_at: DateTime<Utc>,
}

impl From<grant_review::Model> for ReviewOut {
    fn from(m: grant_review::Model) -> Self {
        Self {
            id: m.id,
            proposal_id: m.proposal_id,
            call_id: m.call_id,
            reviewer_id: m.reviewer_id,
            score: m.score,
            comment: m.comment,
            scored_at: m.scored_at,
            created_at: m.created_at,
        }
    }
}

/// A review assignment as its reviewer sees it: the assignment and the proposal to read.
#[derive(Debug, Serialize, ToSchema)]
pub struct MyReviewOut {
    /// The assignment.
    pub review: ReviewOut,
    /// The proposal.
    pub proposal: ProposalOut,
}

/// One line of a call's ranking.
#[derive(Debug, Serialize, ToSchema)]
pub struct RankingItemOut {
    /// 1-based rank; equal means share a rank; unscored proposals come last without a rank.
    pub rank: Option<u64>,
    /// The proposal.
    pub proposal: ProposalOut,
    /// Reviewers assigned.
    pub reviewers: u64,
    /// Scores given.
    pub scores: u64,
    /// Sum of the scores given.
    pub score_sum: i64,
    /// Exact mean score as a decimal string with two places, rounded half up
    /// (`score_sum / scores`); the order uses the exact fraction.
    #[schema(example = "86.67")]
    pub mean_score: Option<String>,
}

/// Awarding a proposal.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AwardIn {
    /// Amount in fen, 1 ..= requested; the call's total never exceeds its budget.
    pub amount_fen: i64,
}

/// Declining a proposal.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclineIn {
    /// Reason for the proposer, up to 500 characters.
    #[serde(default)]
    pub reason: String,
}

// ---------------------------------------------------------------------------
// Youth social workers (青少年事务社工)
// ---------------------------------------------------------------------------

/// A new social worker.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SocialWorkerIn {
    /// Employing organization, in the caller's scope.
    pub organization_id: Uuid,
    /// Name, 1–50 characters.
    #[schema(example = "李社工")]
    pub name: String,
    /// Mainland mobile; shown masked, never logged.
    #[schema(example = "13812341234")]
    pub mobile: Option<String>,
    /// Qualification level (社会工作者职业水平).
    pub qualification_level: QualificationLevel,
    /// Certificate number, 1–40 letters, digits or `-`; unique (409 `duplicate`).
    #[schema(example = "SW-2024-320100-0001")]
    pub certificate_no: String,
}

/// A partial update of a social worker; `version` must match (else 412).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SocialWorkerPatch {
    /// Current version, as last read.
    pub version: i32,
    /// New name.
    pub name: Option<String>,
    /// New mobile; `null` removes it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub mobile: Option<Option<String>>,
    /// New qualification level.
    pub qualification_level: Option<QualificationLevel>,
    /// New certificate number.
    pub certificate_no: Option<String>,
}

/// A social worker (mobile masked).
#[derive(Debug, Serialize, ToSchema)]
pub struct SocialWorkerOut {
    /// Id.
    pub id: Uuid,
    /// Employing organization.
    pub organization_id: Uuid,
    /// Name.
    pub name: String,
    /// Mobile, masked (`138****1234`).
    pub mobile: Option<String>,
    /// Qualification level.
    pub qualification_level: QualificationLevel,
    /// Certificate number.
    pub certificate_no: String,
    /// Version for optimistic concurrency.
    pub version: i32,
    /// Created (RFC 3339, UTC).
    pub created_at: DateTime<Utc>,
    /// Last updated (RFC 3339, UTC).
    pub updated_at: DateTime<Utc>,
}

impl From<social_worker::Model> for SocialWorkerOut {
    fn from(m: social_worker::Model) -> Self {
        Self {
            mobile: m.mobile.as_deref().map(mask_mobile),
            id: m.id,
            organization_id: m.organization_id,
            name: m.name,
            qualification_level: m.qualification_level,
            certificate_no: m.certificate_no,
            version: m.version,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// Filters of the social-worker list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SocialWorkerFilter {
    /// Only this level.
    pub qualification_level: Option<QualificationLevel>,
    /// Only this organization's subtree.
    pub organization_id: Option<Uuid>,
    /// Name contains this text.
    pub name: Option<String>,
}

/// A new assignment of a social worker to a youth home.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignmentIn {
    /// The social worker, in the caller's scope.
    pub worker_id: Uuid,
    /// A youth home (organization of kind `youth_home`), in the caller's scope.
    pub youth_home_id: Uuid,
    /// First day.
    pub starts_on: NaiveDate,
    /// Last day, inclusive, not before `starts_on`; omitted: open-ended.
    pub ends_on: Option<NaiveDate>,
}

/// Changing an assignment's last day; `version` must match (else 412).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignmentPatch {
    /// Current version, as last read.
    pub version: i32,
    /// New last day (inclusive); `null`: open-ended.
    #[schema(value_type = Option<NaiveDate>)]
    pub ends_on: Option<NaiveDate>,
}

/// An assignment.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssignmentOut {
    /// Id.
    pub id: Uuid,
    /// The social worker.
    pub worker_id: Uuid,
    /// The youth home.
    pub youth_home_id: Uuid,
    /// First day.
    pub starts_on: NaiveDate,
    /// Last day, inclusive; `null`: open-ended.
    pub ends_on: Option<NaiveDate>,
    /// Version for optimistic concurrency.
    pub version: i32,
    /// Created (RFC 3339, UTC).
    pub created_at: DateTime<Utc>,
}

impl From<social_worker_assignment::Model> for AssignmentOut {
    fn from(m: social_worker_assignment::Model) -> Self {
        Self {
            id: m.id,
            worker_id: m.worker_id,
            youth_home_id: m.youth_home_id,
            starts_on: m.starts_on,
            ends_on: m.ends_on,
            version: m.version,
            created_at: m.created_at,
        }
    }
}

/// Filters of the assignment list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AssignmentFilter {
    /// Only this worker's assignments.
    pub worker_id: Option<Uuid>,
    /// Only this youth home's assignments.
    pub youth_home_id: Option<Uuid>,
    /// Only assignments covering this day.
    pub on: Option<NaiveDate>,
}

/// The day of the youth-home report.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// Day to check (default: today in the platform time zone).
    pub date: Option<NaiveDate>,
}

/// A youth home without a social worker on the day asked.
#[derive(Debug, Serialize, ToSchema)]
pub struct UncoveredYouthHomeOut {
    /// Organization id of the youth home.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Region code.
    pub region_code: String,
    /// Parent organization.
    pub parent_id: Option<Uuid>,
}
