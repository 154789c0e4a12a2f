//! Request and response bodies of `/api/v1/youth-social-organizations`, `/api/v1/rating-templates`,
//! `/api/v1/rating-rounds`, `/api/v1/rating-assignments`, `/api/v1/rating-evidence`,
//! `/api/v1/rating-results` and `/api/v1/rating-appeals`.
//!
//! Scores travel as integer hundredths of a point (`*_score` fields: `1250` = 12.50 points) with
//! a two-decimal display string beside them where useful; never floats.

use chrono::{DateTime, NaiveDate, Utc};
use entity::social_orgs::{
    AppealStatus, IncubationStatus, NewFieldGroup, OrgField, RoundStatus, partner_membership,
    profile, rating_appeal, rating_assignment, rating_result, rating_round, rating_template,
};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::rules::{self, Band};
use crate::volunteers::domain::mask_mobile;

/// Distinguishes "absent" (`None`) from "null" (`Some(None)`) in a patch.
fn double_option<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// Masks a person's name for display: the first character stays, every other becomes `*`
/// (`张小明` → `张**`), following the display-restriction guidance of GB/T 35273-2020.
pub fn mask_name(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => std::iter::once(first).chain(chars.map(|_| '*')).collect(),
        None => String::new(),
    }
}

// ---------------------------------------------------------------------------
// Registry
// ---------------------------------------------------------------------------

/// A new registry profile for an existing organization of kind `youth_social_organization`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileIn {
    /// The organization (kind `youth_social_organization`, in the caller's scope).
    pub organization_id: Uuid,
    /// Field of activity.
    pub field: OrgField,
    /// New-field youth group; default `none`.
    pub new_field_group: Option<NewFieldGroup>,
    /// Registered with civil affairs (民政). When `true` the organization's USCC must be present
    /// and start with 51, 52, 53 or 59 (422 `uscc_not_civil_affairs`).
    pub civil_affairs_registered: bool,
    /// Registration date (not in the future).
    pub registered_on: Option<NaiveDate>,
    /// Contact person's name, 1–50 characters (personal data: masked in responses).
    #[schema(example = "张小明")]
    pub contact_name: String,
    /// Contact mobile (mainland, 11 digits; personal data: masked in responses).
    #[schema(example = "13812341234")]
    pub contact_phone: String,
    /// League branch (团组织), 1–200 characters, if any.
    #[schema(example = "某某青年志愿服务中心团支部")]
    pub league_branch: Option<String>,
    /// Date of the incubation application; default today (platform time zone).
    pub applied_on: Option<NaiveDate>,
}

/// Changes to a profile; `version` must match (412 otherwise).
///
/// `incubation_status` moves the incubation along `applied → incubating → graduated` (or to
/// `withdrawn` from `applied`/`incubating`; 422 `incubation_transition` otherwise), dated
/// `incubation_date` (default today in the platform time zone; not before the previous step).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfilePatch {
    /// Current version.
    pub version: i32,
    /// New field.
    pub field: Option<OrgField>,
    /// New new-field group.
    pub new_field_group: Option<NewFieldGroup>,
    /// New civil-affairs flag (checked against the USCC as on create).
    pub civil_affairs_registered: Option<bool>,
    /// New registration date; `null` clears it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub registered_on: Option<Option<NaiveDate>>,
    /// New contact name.
    pub contact_name: Option<String>,
    /// New contact mobile.
    pub contact_phone: Option<String>,
    /// New League branch; `null` removes it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub league_branch: Option<Option<String>>,
    /// Next incubation status.
    pub incubation_status: Option<IncubationStatus>,
    /// Date of that step; default today.
    pub incubation_date: Option<NaiveDate>,
}

/// A new partner-programme (亲青伙伴) membership period.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartnerMembershipIn {
    /// Programme name, 1–100 characters; default `亲青伙伴`.
    pub programme: Option<String>,
    /// First day (inclusive).
    pub starts_on: NaiveDate,
    /// Last day (inclusive), not before `starts_on`; absent: open-ended.
    pub ends_on: Option<NaiveDate>,
}

/// A partner-programme membership period.
#[derive(Debug, Serialize, ToSchema)]
pub struct PartnerMembershipOut {
    /// Id.
    pub id: Uuid,
    /// Programme name.
    pub programme: String,
    /// First day (inclusive).
    pub starts_on: NaiveDate,
    /// Last day (inclusive); `null`: open-ended.
    pub ends_on: Option<NaiveDate>,
}

impl From<partner_membership::Model> for PartnerMembershipOut {
    fn from(m: partner_membership::Model) -> Self {
        Self {
            id: m.id,
            programme: m.programme,
            starts_on: m.starts_on,
            ends_on: m.ends_on,
        }
    }
}

/// A youth social organization: the organization's registry data and its profile. Contact data
/// is masked.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileOut {
    /// Organization id (also the profile's id).
    pub organization_id: Uuid,
    /// Organization name.
    pub name: String,
    /// Region code.
    pub region_code: String,
    /// USCC, if the organization has one.
    pub uscc: Option<String>,
    /// Field of activity.
    pub field: OrgField,
    /// New-field youth group.
    pub new_field_group: NewFieldGroup,
    /// Registered with civil affairs.
    pub civil_affairs_registered: bool,
    /// Registration date.
    pub registered_on: Option<NaiveDate>,
    /// Contact name, masked (`张**`).
    pub contact_name_masked: String,
    /// Contact mobile, masked (`138****1234`).
    pub contact_phone_masked: String,
    /// League branch.
    pub league_branch: Option<String>,
    /// Incubation status.
    pub incubation_status: IncubationStatus,
    /// Date of the incubation application.
    pub applied_on: NaiveDate,
    /// Date incubation started.
    pub incubation_started_on: Option<NaiveDate>,
    /// Date of graduation.
    pub graduated_on: Option<NaiveDate>,
    /// Date of withdrawal.
    pub withdrawn_on: Option<NaiveDate>,
    /// Partner-programme memberships, oldest first.
    pub partner_memberships: Vec<PartnerMembershipOut>,
    /// Version for updates.
    pub version: i32,
    /// Creation instant (UTC).
    pub created_at: DateTime<Utc>,
    /// Last update instant (UTC).
    pub updated_at: DateTime<Utc>,
}

impl ProfileOut {
    /// Builds the response from the profile, its organization's name, region and USCC, and its
    /// memberships.
    pub fn build(
        p: profile::Model,
        org: &entity::organization::Model,
        memberships: Vec<partner_membership::Model>,
    ) -> Self {
        Self {
            organization_id: p.organization_id,
            name: org.name.clone(),
            region_code: org.region_code.clone(),
            uscc: org.uscc.clone(),
            field: p.field,
            new_field_group: p.new_field_group,
            civil_affairs_registered: p.civil_affairs_registered,
            registered_on: p.registered_on,
            contact_name_masked: mask_name(&p.contact_name),
            contact_phone_masked: mask_mobile(&p.contact_phone),
            league_branch: p.league_branch,
            incubation_status: p.incubation_status,
            applied_on: p.applied_on,
            incubation_started_on: p.incubation_started_on,
            graduated_on: p.graduated_on,
            withdrawn_on: p.withdrawn_on,
            partner_memberships: memberships.into_iter().map(Into::into).collect(),
            version: p.version,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

/// Filters of the registry list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProfileFilter {
    /// Only this field.
    pub field: Option<OrgField>,
    /// Only this new-field group.
    pub new_field_group: Option<NewFieldGroup>,
    /// Only this incubation status.
    pub incubation_status: Option<IncubationStatus>,
    /// Only this region and its sub-regions (`320000` = the province).
    pub region_code: Option<String>,
    /// Only organizations with a partner-programme membership active on this date.
    pub partner_active_on: Option<NaiveDate>,
}

// ---------------------------------------------------------------------------
// Rating templates
// ---------------------------------------------------------------------------

/// One indicator of a new template, with its children.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IndicatorIn {
    /// Code, unique in the template: 1–32 letters, digits, `.`, `-`, `_`.
    #[schema(example = "A1")]
    pub code: String,
    /// Name, 1–200 characters.
    pub name: String,
    /// Relative weight among its siblings, 1–1000 (informative; totals add maxima).
    pub weight: i64,
    /// Maximum score, hundredths of a point (1–100000000). A parent's maximum must equal the
    /// sum of its children's maxima (422 `children_max_mismatch`).
    #[schema(example = 1000)]
    pub max_score: i64,
    /// Evidence expected, up to 2000 characters.
    #[serde(default)]
    pub evidence: String,
    /// Sub-indicators; empty for a scored (leaf) indicator. At most 4 levels in all.
    #[serde(default)]
    #[schema(no_recursion)]
    pub children: Vec<IndicatorIn>,
}

/// A new template version. With a `code` that exists, this publishes the next version of that
/// template; rounds already opened keep the version they started with.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateIn {
    /// Template code, snake_case 2–64 characters.
    #[schema(example = "league_three_dimensions")]
    pub code: String,
    /// Name, 1–200 characters.
    pub name: String,
    /// Description and sources, up to 4000 characters.
    #[serde(default)]
    pub description: String,
    /// The stated total maximum (hundredths); must equal the sum of the top-level maxima
    /// (422 `total_max_mismatch`).
    #[schema(example = 10000)]
    pub total_max_score: i64,
    /// Top-level indicators (1–50; at most 500 in all).
    pub indicators: Vec<IndicatorIn>,
}

/// One indicator of a stored template version, with its children.
#[derive(Debug, Serialize, ToSchema)]
pub struct IndicatorOut {
    /// Id.
    pub id: Uuid,
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Relative weight among siblings.
    pub weight: i32,
    /// Maximum, hundredths of a point.
    pub max_score: i64,
    /// Maximum as a decimal (`10.00`).
    pub max_score_display: String,
    /// Evidence expected.
    pub evidence: String,
    /// Whether it is scored directly.
    pub is_leaf: bool,
    /// Sub-indicators.
    #[schema(no_recursion)]
    pub children: Vec<IndicatorOut>,
}

/// A template version (summary for lists).
#[derive(Debug, Serialize, ToSchema)]
pub struct TemplateSummaryOut {
    /// Id of this version.
    pub id: Uuid,
    /// Code shared by all versions.
    pub code: String,
    /// Version.
    pub version: i32,
    /// Name.
    pub name: String,
    /// Description and sources.
    pub description: String,
    /// Total maximum, hundredths of a point.
    pub total_max_score: i64,
    /// Creation instant (UTC).
    pub created_at: DateTime<Utc>,
}

impl From<rating_template::Model> for TemplateSummaryOut {
    fn from(t: rating_template::Model) -> Self {
        Self {
            id: t.id,
            code: t.code,
            version: t.version,
            name: t.name,
            description: t.description,
            total_max_score: t.total_max_score,
            created_at: t.created_at,
        }
    }
}

/// A template version with its indicator tree.
#[derive(Debug, Serialize, ToSchema)]
pub struct TemplateOut {
    /// The version.
    #[serde(flatten)]
    pub template: TemplateSummaryOut,
    /// Top-level indicators with their children.
    pub indicators: Vec<IndicatorOut>,
}

/// Filters of the template list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TemplateFilter {
    /// Only this code (all its versions).
    pub code: Option<String>,
}

// ---------------------------------------------------------------------------
// Rating rounds
// ---------------------------------------------------------------------------

/// A new rating round (platform admins). The template version is frozen now.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoundIn {
    /// Name, 1–200 characters.
    pub name: String,
    /// Template version id.
    pub template_id: Uuid,
    /// First day of the period.
    pub period_start: NaiveDate,
    /// Last day of the period (not before the start).
    pub period_end: NaiveDate,
    /// Eligibility: registered at least this many years before `period_start` (0–50, default 2).
    pub min_years_registered: Option<i32>,
    /// Eligibility: only this organization's subtree.
    pub scope_organization_id: Option<Uuid>,
    /// Eligibility: only this region and its sub-regions.
    pub region_code: Option<String>,
    /// Drop the single highest and lowest reviewer total when at least five reviewers scored
    /// (default `false`).
    #[serde(default)]
    pub trim_extremes: bool,
    /// Grade bands, descending (default 5A ≥ 90 %, 4A ≥ 80 %, 3A ≥ 70 %, 2A ≥ 60 %, 1A ≥ 50 %).
    pub bands: Option<Vec<Band>>,
    /// Validity of grades after publication, years (1–10, default 5).
    pub validity_years: Option<i32>,
    /// Appeal window after publication, days of 24 hours from the publication instant (0–90,
    /// default 15; 0 allows no appeal).
    pub appeal_days: Option<i32>,
}

/// A rating round.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoundOut {
    /// Id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Frozen template version.
    pub template_id: Uuid,
    /// First day of the period.
    pub period_start: NaiveDate,
    /// Last day of the period.
    pub period_end: NaiveDate,
    /// Minimum years registered before `period_start`.
    pub min_years_registered: i32,
    /// Eligible subtree, if limited.
    pub scope_organization_id: Option<Uuid>,
    /// Eligible region, if limited.
    pub region_code: Option<String>,
    /// Whether extremes are trimmed from five reviewers on.
    pub trim_extremes: bool,
    /// Grade bands.
    pub bands: Vec<Band>,
    /// Validity of grades, years.
    pub validity_years: i32,
    /// Appeal window, days.
    pub appeal_days: i32,
    /// Status.
    pub status: RoundStatus,
    /// Publication instant.
    pub published_at: Option<DateTime<Utc>>,
    /// Last day grades are valid.
    pub valid_until: Option<NaiveDate>,
    /// End of the appeal window (exclusive).
    pub appeal_deadline: Option<DateTime<Utc>>,
    /// Version for updates.
    pub version: i32,
    /// Creation instant.
    pub created_at: DateTime<Utc>,
}

impl From<rating_round::Model> for RoundOut {
    fn from(r: rating_round::Model) -> Self {
        Self {
            bands: serde_json::from_str(&r.bands).unwrap_or_else(|_| rules::default_bands()),
            id: r.id,
            name: r.name,
            template_id: r.template_id,
            period_start: r.period_start,
            period_end: r.period_end,
            min_years_registered: r.min_years_registered,
            scope_organization_id: r.scope_organization_id,
            region_code: r.region_code,
            trim_extremes: r.trim_extremes,
            validity_years: r.validity_years,
            appeal_days: r.appeal_days,
            status: r.status,
            published_at: r.published_at,
            valid_until: r.valid_until,
            appeal_deadline: r.appeal_deadline,
            version: r.version,
            created_at: r.created_at,
        }
    }
}

/// One self-assessed leaf indicator.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SelfItemIn {
    /// Leaf indicator code of the round's template.
    pub indicator_code: String,
    /// Self-assessed score, hundredths, `0..=max_score`.
    pub score: i64,
    /// Statement, up to 4000 characters.
    #[serde(default)]
    pub statement: String,
}

/// A self-assessment (replaces the previous one of the organization in the round).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SelfAssessmentIn {
    /// Items, one per leaf indicator at most.
    pub items: Vec<SelfItemIn>,
}

/// Metadata of an evidence file.
#[derive(Debug, Serialize, ToSchema)]
pub struct EvidenceOut {
    /// Id (download at `/api/v1/rating-evidence/{id}`).
    pub id: Uuid,
    /// Indicator code, if the file supports one.
    pub indicator_code: Option<String>,
    /// File name.
    pub file_name: String,
    /// Content type.
    pub content_type: String,
    /// Size in bytes.
    pub size_bytes: i64,
    /// SHA-256, lower-case hex.
    pub sha256: String,
    /// Upload instant.
    pub created_at: DateTime<Utc>,
}

/// An organization's self-assessment in a round, with its evidence files.
#[derive(Debug, Serialize, ToSchema)]
pub struct SelfAssessmentOut {
    /// Round.
    pub round_id: Uuid,
    /// Organization.
    pub organization_id: Uuid,
    /// Items.
    pub items: Vec<SelfItemIn>,
    /// Sum of the self-assessed scores, hundredths.
    pub total_score: i64,
    /// Evidence files.
    pub evidence: Vec<EvidenceOut>,
}

/// Query of an evidence upload.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EvidenceParams {
    /// File name, 1–200 characters (no `/` or `\`).
    pub file_name: String,
    /// Indicator code the file supports, if any.
    pub indicator_code: Option<String>,
}

/// An evidence file body (any content type; documented as binary).
#[derive(Debug, ToSchema)]
#[schema(value_type = String, format = Binary)]
#[expect(
    dead_code,
    reason = "documents the raw body; the body is read as bytes"
)]
pub struct EvidenceFile(Vec<u8>);

/// A reviewer assignment request (platform admins).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignmentIn {
    /// Rated organization (eligible for the round).
    pub organization_id: Uuid,
    /// Reviewer account (role `reviewer`, or an admin). Refused with 422
    /// `conflict_of_interest` when its affiliation is the organization or inside its subtree.
    pub reviewer_account_id: Uuid,
}

/// A reviewer's assignment.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssignmentOut {
    /// Id.
    pub id: Uuid,
    /// Round.
    pub round_id: Uuid,
    /// Rated organization.
    pub organization_id: Uuid,
    /// Reviewer account.
    pub reviewer_account_id: Uuid,
    /// Leaf indicators scored so far.
    pub scored_indicators: u64,
    /// Leaf indicators of the template.
    pub leaf_indicators: u64,
    /// Sum of the scores so far, hundredths.
    pub total_score: i64,
    /// Creation instant.
    pub created_at: DateTime<Utc>,
}

impl AssignmentOut {
    /// Builds the response from an assignment and its progress.
    pub fn build(a: rating_assignment::Model, scored: u64, leaves: u64, total: i64) -> Self {
        Self {
            id: a.id,
            round_id: a.round_id,
            organization_id: a.organization_id,
            reviewer_account_id: a.reviewer_account_id,
            scored_indicators: scored,
            leaf_indicators: leaves,
            total_score: total,
            created_at: a.created_at,
        }
    }
}

/// One score of a leaf indicator.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoreIn {
    /// Leaf indicator code.
    pub indicator_code: String,
    /// Score, hundredths, `0..=max_score` (422 `score_out_of_range` otherwise).
    pub score: i64,
    /// Comment, up to 2000 characters.
    #[serde(default)]
    pub comment: String,
}

/// Scores of an assignment (added or replaced per indicator).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoresIn {
    /// Scores, at most one per leaf indicator.
    pub scores: Vec<ScoreIn>,
}

/// An assignment with its scores.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssignmentDetailOut {
    /// The assignment.
    #[serde(flatten)]
    pub assignment: AssignmentOut,
    /// Scores given.
    pub scores: Vec<ScoreIn>,
}

/// A published result.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResultOut {
    /// Id.
    pub id: Uuid,
    /// Round.
    pub round_id: Uuid,
    /// Organization.
    pub organization_id: Uuid,
    /// Reviewers who scored.
    pub reviewer_count: i32,
    /// Reviewer totals in the mean (after trimming).
    pub counted_reviewers: i32,
    /// Sum of the counted totals, hundredths (the aggregate is `score_sum / counted_reviewers`).
    pub score_sum: i64,
    /// Aggregate, rounded down to two decimals (`89.99`).
    pub aggregate_display: String,
    /// Template maximum, hundredths.
    pub max_score: i64,
    /// Percentage of the maximum in basis points, rounded down (`8999` = 89.99 %).
    pub percent_basis_points: i64,
    /// Grade; `null`: no grade.
    pub grade: Option<String>,
    /// Set by an upheld appeal.
    pub adjusted: bool,
    /// Replaced by a later result (upheld appeal).
    pub superseded: bool,
    /// Publication instant.
    pub published_at: DateTime<Utc>,
    /// Last day the grade is valid.
    pub valid_until: NaiveDate,
    /// End of the appeal window (exclusive).
    pub appeal_deadline: DateTime<Utc>,
}

impl From<rating_result::Model> for ResultOut {
    fn from(r: rating_result::Model) -> Self {
        let counted = i64::from(r.counted_reviewers);
        Self {
            aggregate_display: rules::format_mean(r.score_sum, counted),
            percent_basis_points: rules::basis_points_floor(r.score_sum, counted, r.max_score),
            id: r.id,
            round_id: r.round_id,
            organization_id: r.organization_id,
            reviewer_count: r.reviewer_count,
            counted_reviewers: r.counted_reviewers,
            score_sum: r.score_sum,
            max_score: r.max_score,
            grade: r.grade,
            adjusted: r.adjusted,
            superseded: r.superseded,
            published_at: r.published_at,
            valid_until: r.valid_until,
            appeal_deadline: r.appeal_deadline,
        }
    }
}

/// Publication request; `version` is the round's current version.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishIn {
    /// Current version of the round.
    pub version: i32,
}

/// An organization's grade history.
#[derive(Debug, Serialize, ToSchema)]
pub struct GradeHistoryOut {
    /// Organization.
    pub organization_id: Uuid,
    /// The current valid grade: the latest non-superseded graded result whose validity has
    /// not ended (platform time zone); `null` when none.
    pub current: Option<ResultOut>,
    /// All published results, newest first (superseded ones included).
    pub results: Vec<ResultOut>,
}

/// An appeal.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppealIn {
    /// Reason, 1–4000 characters.
    pub reason: String,
}

/// Outcome of an appeal.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum AppealOutcome {
    /// Upheld: `adjusted_score_sum` replaces the aggregate.
    Upheld,
    /// Dismissed: the result stands.
    Dismissed,
}

/// Resolution of an appeal (platform admins).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppealResolutionIn {
    /// Outcome.
    pub outcome: AppealOutcome,
    /// Upheld only (required then): the adjusted aggregate, hundredths, `0..=max_score`; a new
    /// result with the grade of this score supersedes the appealed one (same validity).
    pub adjusted_score: Option<i64>,
    /// Resolution text, 1–4000 characters.
    pub resolution: String,
}

/// An appeal.
#[derive(Debug, Serialize, ToSchema)]
pub struct AppealOut {
    /// Id.
    pub id: Uuid,
    /// Result appealed.
    pub result_id: Uuid,
    /// Organization.
    pub organization_id: Uuid,
    /// Reason.
    pub reason: String,
    /// Status.
    pub status: AppealStatus,
    /// Filing instant.
    pub filed_at: DateTime<Utc>,
    /// Resolution text.
    pub resolution: Option<String>,
    /// Resolution instant.
    pub resolved_at: Option<DateTime<Utc>>,
    /// Result that replaced the appealed one.
    pub new_result_id: Option<Uuid>,
}

impl From<rating_appeal::Model> for AppealOut {
    fn from(a: rating_appeal::Model) -> Self {
        Self {
            id: a.id,
            result_id: a.result_id,
            organization_id: a.organization_id,
            reason: a.reason,
            status: a.status,
            filed_at: a.filed_at,
            resolution: a.resolution,
            resolved_at: a.resolved_at,
            new_result_id: a.new_result_id,
        }
    }
}

/// Filters of the appeal list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AppealFilter {
    /// Only this status.
    pub status: Option<AppealStatus>,
    /// Only appeals against results of this round.
    pub round_id: Option<Uuid>,
}
