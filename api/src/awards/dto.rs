//! Request and response bodies of `/api/v1/award-campaigns`, `/api/v1/award-nominations`,
//! `/api/v1/award-objections`, `/api/v1/volunteers/{id}/awards`, `/api/v1/volunteers/{id}/sanctions`,
//! `/api/v1/volunteer-sanctions`, the credit list (`/api/v1/volunteers/me/credit-consent`,
//! `/api/v1/credit-list-rules`, `/api/v1/credit-list/export`) and benefits
//! (`/api/v1/benefit-offers`, `/api/v1/benefit-claims`, `/api/v1/benefit-redemptions`).

use chrono::{DateTime, NaiveDate, Utc};
use entity::awards::{
    CampaignLevel, CampaignStatus, NominationStatus, ObjectionStatus, OfferStatus, SanctionKind,
    award_objection, benefit_claim, credit_consent, credit_list_rule, volunteer_award,
    volunteer_sanction,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

// ---------------------------------------------------------------------------
// Sanctions
// ---------------------------------------------------------------------------

/// A new sanction of a volunteer.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SanctionIn {
    /// Warning or disqualification.
    pub kind: SanctionKind,
    /// First day in force (platform time zone).
    pub starts_on: NaiveDate,
    /// Last day in force (inclusive); absent: until lifted.
    pub ends_on: Option<NaiveDate>,
    /// Why, 1–500 characters.
    #[schema(example = "虚报服务时长")]
    pub reason: String,
}

/// A reason for a decision (lifting a sanction, recording an objection).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonIn {
    /// 1–500 characters.
    pub reason: String,
}

/// A sanction.
#[derive(Debug, Serialize, ToSchema)]
pub struct SanctionOut {
    /// Id.
    pub id: Uuid,
    /// Volunteer.
    pub volunteer_id: Uuid,
    /// Kind.
    pub kind: SanctionKind,
    /// First day in force.
    pub starts_on: NaiveDate,
    /// Last day in force; null: until lifted.
    pub ends_on: Option<NaiveDate>,
    /// Reason.
    pub reason: String,
    /// Whether it is in force today (platform time zone).
    pub active: bool,
    /// When it was lifted.
    pub lifted_at: Option<DateTime<Utc>>,
    /// Why it was lifted.
    pub lift_reason: Option<String>,
    /// Creation instant.
    pub created_at: DateTime<Utc>,
}

impl SanctionOut {
    /// The response shape, `active` evaluated on `today`.
    pub fn new(m: volunteer_sanction::Model, today: NaiveDate) -> Self {
        Self {
            active: super::rules::sanction_active(
                m.starts_on,
                m.ends_on,
                m.lifted_at.is_some(),
                today,
            ),
            id: m.id,
            volunteer_id: m.volunteer_id,
            kind: m.kind,
            starts_on: m.starts_on,
            ends_on: m.ends_on,
            reason: m.reason,
            lifted_at: m.lifted_at,
            lift_reason: m.lift_reason,
            created_at: m.created_at,
        }
    }
}

// ---------------------------------------------------------------------------
// Credit list
// ---------------------------------------------------------------------------

/// A volunteer's consent to the credit list.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsentOut {
    /// Volunteer.
    pub volunteer_id: Uuid,
    /// Whether consent is given now.
    pub consented: bool,
    /// Last time consent was given.
    pub consented_at: Option<DateTime<Utc>>,
    /// Last time consent was withdrawn.
    pub withdrawn_at: Option<DateTime<Utc>>,
}

impl ConsentOut {
    /// The response shape; no row means never consented.
    pub fn new(volunteer_id: Uuid, m: Option<credit_consent::Model>) -> Self {
        match m {
            Some(m) => Self {
                volunteer_id,
                consented: m.consented,
                consented_at: m.consented_at,
                withdrawn_at: m.withdrawn_at,
            },
            None => Self {
                volunteer_id,
                consented: false,
                consented_at: None,
                withdrawn_at: None,
            },
        }
    }
}

/// A new version of the credit-list rule. At least one of the minimums is required; an active
/// sanction always keeps a volunteer off the list.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreditRuleIn {
    /// Minimum current star level, 1–5.
    pub min_star_level: Option<i32>,
    /// Minimum approved minutes (all time), 1–6,000,000.
    pub min_minutes: Option<i64>,
    /// First day in force (platform time zone), today or later.
    pub effective_from: NaiveDate,
}

/// A version of the credit-list rule.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreditRuleOut {
    /// Id.
    pub id: Uuid,
    /// Version, 1, 2, …
    pub version: i32,
    /// Minimum current star level.
    pub min_star_level: Option<i32>,
    /// Minimum approved minutes.
    pub min_minutes: Option<i64>,
    /// First day in force.
    pub effective_from: NaiveDate,
    /// Creation instant.
    pub created_at: DateTime<Utc>,
}

impl From<credit_list_rule::Model> for CreditRuleOut {
    fn from(m: credit_list_rule::Model) -> Self {
        Self {
            id: m.id,
            version: m.version,
            min_star_level: m.min_star_level,
            min_minutes: m.min_minutes,
            effective_from: m.effective_from,
            created_at: m.created_at,
        }
    }
}

/// Format of a credit-list export.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    /// UTF-8 CSV with a byte-order mark.
    Csv,
    /// JSON ([`CreditListOut`]).
    Json,
}

/// An export request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreditExportIn {
    /// CSV or JSON.
    pub format: ExportFormat,
    /// Export the clear ID numbers (the credit-information department needs them to match
    /// records); requires `reason` and is audited as `export_unmasked`. Default: masked.
    #[serde(default)]
    pub include_id_numbers: bool,
    /// Why the clear ID numbers are exported, 5–500 characters (required with
    /// `include_id_numbers`).
    pub reason: Option<String>,
}

/// One volunteer on the credit list.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreditEntryOut {
    /// Public volunteer number (志愿者编号).
    pub volunteer_number: String,
    /// Real name.
    pub real_name: String,
    /// Kind of ID document.
    pub id_type: entity::enums::IdType,
    /// ID number: masked unless the export asked for clear numbers.
    pub id_number: String,
    /// Current star level.
    pub star_level: i32,
    /// Approved service minutes (all time).
    pub approved_minutes: i64,
    /// When consent was given.
    pub consented_at: Option<DateTime<Utc>>,
}

/// The JSON credit list.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreditListOut {
    /// Version of the rule applied.
    pub rule_version: i32,
    /// Day of the export (platform time zone).
    pub as_of: NaiveDate,
    /// Whether `id_number` holds clear numbers.
    pub id_numbers_clear: bool,
    /// The volunteers, by volunteer number.
    pub items: Vec<CreditEntryOut>,
}

// ---------------------------------------------------------------------------
// Benefits
// ---------------------------------------------------------------------------

/// A new offer of a partner business.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfferIn {
    /// Publishing organization: kind `partner_business`, in the caller's scope.
    pub organization_id: Uuid,
    /// Title, 1–200 characters.
    #[schema(example = "志愿者观影八折")]
    pub title: String,
    /// Description, up to 2000 characters.
    #[serde(default)]
    pub description: String,
    /// Minimum current star level, 0–5 (0: any volunteer).
    #[serde(default)]
    pub min_star_level: i32,
    /// Eligible regions (six-digit codes; a prefecture or province includes its sub-regions);
    /// empty: every region. At most 50.
    #[serde(default)]
    pub region_codes: Vec<String>,
    /// First valid day (platform time zone).
    pub valid_from: NaiveDate,
    /// Last valid day (inclusive), not before `valid_from` nor today.
    pub valid_to: NaiveDate,
    /// Number of codes, 1–1,000,000.
    pub stock: i32,
}

/// Filters of the admins' offer list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OfferFilter {
    /// Only offers of this organization (in scope).
    pub organization_id: Option<Uuid>,
    /// Only offers with this status.
    pub status: Option<OfferStatus>,
}

/// An offer.
#[derive(Debug, Serialize, ToSchema)]
pub struct OfferOut {
    /// Id.
    pub id: Uuid,
    /// Publishing organization.
    pub organization_id: Uuid,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Minimum current star level.
    pub min_star_level: i32,
    /// Eligible regions; empty: every region.
    pub region_codes: Vec<String>,
    /// First valid day.
    pub valid_from: NaiveDate,
    /// Last valid day.
    pub valid_to: NaiveDate,
    /// Codes offered.
    pub stock: i32,
    /// Codes left.
    pub stock_remaining: i32,
    /// Active or suspended.
    pub status: OfferStatus,
    /// Why it was suspended.
    pub suspend_reason: Option<String>,
    /// Optimistic concurrency counter.
    pub version: i32,
    /// Creation instant.
    pub created_at: DateTime<Utc>,
}

/// A claimed redemption code.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClaimOut {
    /// Id.
    pub id: Uuid,
    /// Offer.
    pub offer_id: Uuid,
    /// Offer title.
    pub offer_title: String,
    /// Volunteer.
    pub volunteer_id: Uuid,
    /// Redemption code (12 characters of `23456789ABCDEFGHJKMNPQRSTVWXYZ`).
    #[schema(example = "7KQ4MZ2XH9RT")]
    pub code: String,
    /// Last valid day of the offer.
    pub valid_to: NaiveDate,
    /// Claim instant.
    pub claimed_at: DateTime<Utc>,
    /// Redemption instant; null until redeemed.
    pub redeemed_at: Option<DateTime<Utc>>,
}

impl ClaimOut {
    /// The response shape.
    pub fn new(m: benefit_claim::Model, offer_title: String, valid_to: NaiveDate) -> Self {
        Self {
            id: m.id,
            offer_id: m.offer_id,
            offer_title,
            volunteer_id: m.volunteer_id,
            code: m.code,
            valid_to,
            claimed_at: m.claimed_at,
            redeemed_at: m.redeemed_at,
        }
    }
}

/// A claim as the offering business sees it: no code (codes are presented by their holders)
/// and no personal data beyond the volunteer number.
#[derive(Debug, Serialize, ToSchema)]
pub struct OfferClaimOut {
    /// Claim id.
    pub id: Uuid,
    /// Volunteer number of the holder.
    pub volunteer_number: String,
    /// Claim instant.
    pub claimed_at: DateTime<Utc>,
    /// Redemption instant; null until redeemed.
    pub redeemed_at: Option<DateTime<Utc>>,
}

/// A code presented at the business.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RedeemIn {
    /// The redemption code (case, spaces and dashes ignored).
    pub code: String,
}

/// A redeemed code, as the business sees it (no personal data beyond the volunteer number).
#[derive(Debug, Serialize, ToSchema)]
pub struct RedemptionOut {
    /// Claim id.
    pub claim_id: Uuid,
    /// Offer.
    pub offer_id: Uuid,
    /// Offer title.
    pub offer_title: String,
    /// Volunteer number of the holder.
    pub volunteer_number: String,
    /// Redemption instant.
    pub redeemed_at: DateTime<Utc>,
}

// ---------------------------------------------------------------------------
// Campaigns
// ---------------------------------------------------------------------------

/// Criteria of a campaign.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CriteriaDto {
    /// Minimum approved service minutes of services starting within the period, 0–6,000,000.
    pub min_minutes: i64,
    /// First day of the period (platform time zone).
    pub period_from: NaiveDate,
    /// Last day of the period (inclusive).
    pub period_to: NaiveDate,
    /// Minimum current star level, 0–5.
    #[serde(default)]
    pub min_star_level: i32,
    /// Courses that must have been completed with a pass (at most 20).
    #[serde(default)]
    pub required_course_ids: Vec<Uuid>,
}

/// A new campaign (draft).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CampaignIn {
    /// Owning organization, in the caller's scope.
    pub organization_id: Uuid,
    /// Name, 1–200 characters.
    #[schema(example = "2026年度南京市优秀青年志愿者")]
    pub name: String,
    /// Award year, 2000–2100.
    pub year: i32,
    /// Level (the owning organization's level).
    pub level: CampaignLevel,
    /// Number of awards, 1–10,000.
    pub quota: i32,
    /// Nominations open at (UTC) …
    pub nomination_opens_at: DateTime<Utc>,
    /// … and close at (exclusive), after the opening.
    pub nomination_closes_at: DateTime<Utc>,
    /// Eligibility criteria.
    pub criteria: CriteriaDto,
    /// Public notice length in working days, 1–30 (default 5).
    pub notice_working_days: Option<i32>,
}

/// Changes to a draft campaign; `version` must match.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CampaignPatch {
    /// Current version.
    pub version: i32,
    /// New name.
    pub name: Option<String>,
    /// New quota.
    pub quota: Option<i32>,
    /// New nomination opening.
    pub nomination_opens_at: Option<DateTime<Utc>>,
    /// New nomination closing.
    pub nomination_closes_at: Option<DateTime<Utc>>,
    /// New criteria (whole).
    pub criteria: Option<CriteriaDto>,
    /// New notice length.
    pub notice_working_days: Option<i32>,
}

/// Filters of the campaign list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CampaignFilter {
    /// Only this year.
    pub year: Option<i32>,
    /// Only this status.
    pub status: Option<CampaignStatus>,
}

/// A campaign.
#[derive(Debug, Serialize, ToSchema)]
pub struct CampaignOut {
    /// Id.
    pub id: Uuid,
    /// Owning organization.
    pub organization_id: Uuid,
    /// Name.
    pub name: String,
    /// Year.
    pub year: i32,
    /// Level.
    pub level: CampaignLevel,
    /// Quota.
    pub quota: i32,
    /// Nominations open at.
    pub nomination_opens_at: DateTime<Utc>,
    /// Nominations close at.
    pub nomination_closes_at: DateTime<Utc>,
    /// Criteria.
    pub criteria: CriteriaDto,
    /// Notice length in working days.
    pub notice_working_days: i32,
    /// First day of the notice.
    pub notice_starts_on: Option<NaiveDate>,
    /// Last day of the notice.
    pub notice_ends_on: Option<NaiveDate>,
    /// Status.
    pub status: CampaignStatus,
    /// Optimistic concurrency counter.
    pub version: i32,
    /// Creation instant.
    pub created_at: DateTime<Utc>,
}

/// A reviewer to assign.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewerIn {
    /// Account with role `reviewer`.
    pub account_id: Uuid,
}

/// An assigned reviewer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewerOut {
    /// Campaign.
    pub campaign_id: Uuid,
    /// Reviewer account.
    pub account_id: Uuid,
    /// Login name.
    pub username: String,
    /// Affiliation (organization), if any.
    pub organization_id: Option<Uuid>,
}

/// A nomination.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NominationIn {
    /// Nominee: a volunteer registered at or member of the nominating organization's subtree.
    pub volunteer_id: Uuid,
    /// Nominating organization, in the caller's scope and the campaign organization's subtree.
    pub organization_id: Uuid,
    /// Statement of deeds (事迹), 1–5000 characters.
    pub statement: String,
}

/// A nomination as admins and reviewers see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct NominationOut {
    /// Id.
    pub id: Uuid,
    /// Campaign.
    pub campaign_id: Uuid,
    /// Nominee.
    pub volunteer_id: Uuid,
    /// Nominee's volunteer number.
    pub volunteer_number: String,
    /// Nominee's real name.
    pub real_name: String,
    /// Nominating organization.
    pub organization_id: Uuid,
    /// Statement.
    pub statement: String,
    /// Approved minutes within the campaign period when nominated.
    pub approved_minutes: i64,
    /// Number of scores.
    pub score_count: i64,
    /// Sum of scores.
    pub score_sum: i64,
    /// Mean score with two decimals (display; the ranking compares exact means).
    pub mean_score: Option<String>,
    /// Rank after review (1 = best).
    pub rank: Option<i32>,
    /// Status.
    pub status: NominationStatus,
    /// Whether an objection is open.
    pub objection_open: bool,
    /// Nomination instant.
    pub created_at: DateTime<Utc>,
}

/// Query of an eligibility check.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EligibilityQuery {
    /// The volunteer to check (in the caller's scope).
    pub volunteer_id: Uuid,
}

/// A volunteer's eligibility for a campaign today, with the facts it was decided on.
#[derive(Debug, Serialize, ToSchema)]
pub struct EligibilityOut {
    /// Volunteer.
    pub volunteer_id: Uuid,
    /// Whether every criterion is met.
    pub eligible: bool,
    /// Failing criteria in the order `sanctioned`, `voided_records`, `insufficient_hours`,
    /// `star_level_too_low`, `training_missing`.
    pub failing: Vec<String>,
    /// Approved minutes of services starting within the period.
    pub minutes_in_period: i64,
    /// Minutes the criteria require.
    pub min_minutes: i64,
    /// Current stored star level.
    pub star_level: i32,
    /// Voided records of services starting within the period.
    pub voided_in_period: u64,
    /// Whether a sanction is active today.
    pub sanctioned: bool,
    /// Required courses without a passed training record.
    pub missing_course_ids: Vec<Uuid>,
}

/// A reviewer's score.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoreIn {
    /// Integer 0–100.
    pub score: i32,
}

/// A stored score.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScoreOut {
    /// Nomination.
    pub nomination_id: Uuid,
    /// Reviewer.
    pub reviewer_id: Uuid,
    /// Score.
    pub score: i32,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// One shortlisted nominee on the public notice.
#[derive(Debug, Serialize, ToSchema)]
pub struct NoticeEntryOut {
    /// Rank.
    pub rank: i32,
    /// Masked name (`张*`).
    pub masked_name: String,
    /// Nominating organization's name.
    pub organization_name: String,
    /// Status (`shortlisted`, `awarded`, `disqualified`).
    pub status: NominationStatus,
}

/// The public notice (公示) of a campaign.
#[derive(Debug, Serialize, ToSchema)]
pub struct NoticeOut {
    /// Campaign.
    pub campaign_id: Uuid,
    /// Name.
    pub name: String,
    /// Year.
    pub year: i32,
    /// Level.
    pub level: CampaignLevel,
    /// First day of the notice.
    pub notice_starts_on: Option<NaiveDate>,
    /// Last day of the notice; objections are taken through it.
    pub notice_ends_on: Option<NaiveDate>,
    /// Shortlisted nominees by rank.
    pub items: Vec<NoticeEntryOut>,
}

/// Outcome of resolving an objection.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The objection holds: the nominee is disqualified.
    Upheld,
    /// The objection is groundless: the nominee proceeds.
    Dismissed,
}

/// A resolution of an objection.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveIn {
    /// Upheld or dismissed.
    pub outcome: Outcome,
    /// Finding, 1–500 characters.
    pub resolution: String,
}

/// An objection.
#[derive(Debug, Serialize, ToSchema)]
pub struct ObjectionOut {
    /// Id.
    pub id: Uuid,
    /// Nomination.
    pub nomination_id: Uuid,
    /// Substance.
    pub reason: String,
    /// Status.
    pub status: ObjectionStatus,
    /// Finding.
    pub resolution: Option<String>,
    /// Recording instant.
    pub created_at: DateTime<Utc>,
    /// Resolution instant.
    pub resolved_at: Option<DateTime<Utc>>,
}

impl From<award_objection::Model> for ObjectionOut {
    fn from(m: award_objection::Model) -> Self {
        Self {
            id: m.id,
            nomination_id: m.nomination_id,
            reason: m.reason,
            status: m.status,
            resolution: m.resolution,
            created_at: m.created_at,
            resolved_at: m.resolved_at,
        }
    }
}

/// An award on a volunteer.
#[derive(Debug, Serialize, ToSchema)]
pub struct AwardOut {
    /// Id.
    pub id: Uuid,
    /// Volunteer.
    pub volunteer_id: Uuid,
    /// Campaign.
    pub campaign_id: Uuid,
    /// Title.
    pub title: String,
    /// Year.
    pub year: i32,
    /// Level.
    pub level: CampaignLevel,
    /// Awarding organization.
    pub organization_id: Uuid,
    /// Grant instant.
    pub granted_at: DateTime<Utc>,
}

impl From<volunteer_award::Model> for AwardOut {
    fn from(m: volunteer_award::Model) -> Self {
        Self {
            id: m.id,
            volunteer_id: m.volunteer_id,
            campaign_id: m.campaign_id,
            title: m.title,
            year: m.year,
            level: m.level,
            organization_id: m.organization_id,
            granted_at: m.granted_at,
        }
    }
}

/// Result of closing a campaign.
#[derive(Debug, Serialize, ToSchema)]
pub struct CloseOut {
    /// The closed campaign.
    pub campaign: CampaignOut,
    /// Awards granted now.
    pub awarded: u64,
    /// Shortlisted nominees held by an open objection (granted when it is dismissed).
    pub held: u64,
}
