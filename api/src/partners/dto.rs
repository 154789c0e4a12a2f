//! Request and response bodies of `/api/v1/partners` (registry, token) and
//! `/api/v1/partner/...` (what partners call).

use chrono::{DateTime, Utc};
use entity::partners::PartnerStatus;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// Most scope roots of one partner.
pub const MAX_SCOPE_ROOTS: usize = 50;

/// Registration of a partner platform (`POST /partners`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartnerIn {
    /// Display name, 1–100 characters.
    #[schema(example = "南京大学志愿服务系统")]
    pub name: String,
    /// Roots of the organization subtrees the partner may read and write (1–50 existing
    /// organizations; each root's descendants are in scope too).
    pub scope: Vec<Uuid>,
}

/// Change of a partner's name or scope (`PATCH /partners/{id}`); `version` must match.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartnerPatch {
    /// Current version, as last read.
    pub version: i32,
    /// New display name.
    pub name: Option<String>,
    /// Replaces the scope roots (1–50 existing organizations).
    pub scope: Option<Vec<Uuid>>,
}

/// Optimistic-concurrency guard of state changes (suspend, reactivate, rotate).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VersionIn {
    /// Current version, as last read.
    pub version: i32,
}

/// Filter of `GET /partners`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PartnerFilter {
    /// Only partners in this status.
    pub status: Option<PartnerStatus>,
}

/// A partner platform (never its secret).
#[derive(Debug, Serialize, ToSchema)]
pub struct PartnerOut {
    /// Id (UUID v7).
    pub id: Uuid,
    /// Display name.
    pub name: String,
    /// OAuth 2 client id.
    pub client_id: String,
    /// Active or suspended.
    pub status: PartnerStatus,
    /// Roots of the organization subtrees in scope.
    pub scope: Vec<Uuid>,
    /// The disabled account that partner writes are attributed to (`recorded_by` of its
    /// service records, actor of its audit rows).
    pub system_account_id: Uuid,
    /// Platform admin who registered it.
    pub created_by: Option<Uuid>,
    /// Registration instant (RFC 3339, UTC).
    pub created_at: DateTime<Utc>,
    /// Last change (RFC 3339, UTC).
    pub updated_at: DateTime<Utc>,
    /// Optimistic concurrency counter.
    pub version: i32,
}

/// A partner with its new client secret: the only answer that ever shows the secret
/// (registration and rotation). Store it now; it cannot be read back.
#[derive(Debug, Serialize, ToSchema)]
pub struct PartnerCredentialsOut {
    /// The partner.
    #[serde(flatten)]
    pub partner: PartnerOut,
    /// The client secret (43 characters, 256 random bits), shown once.
    pub client_secret: String,
}

/// Token request (RFC 6749 §4.4.2), as `application/x-www-form-urlencoded` or JSON. The client
/// may authenticate in the body (`client_id`, `client_secret`) or with HTTP Basic
/// (RFC 6749 §2.3.1).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct TokenIn {
    /// Must be `client_credentials`.
    #[schema(example = "client_credentials")]
    pub grant_type: Option<String>,
    /// Client id (unless sent with HTTP Basic).
    pub client_id: Option<String>,
    /// Client secret (unless sent with HTTP Basic).
    pub client_secret: Option<String>,
    /// Requested scope; only `partner` (or nothing) is granted.
    pub scope: Option<String>,
}

/// Token answer (RFC 6749 §5.1).
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenOut {
    /// JWT for `Authorization: Bearer` on `/api/v1/partner/...`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Lifetime in seconds.
    pub expires_in: i64,
    /// Granted scope: `partner`.
    pub scope: String,
}

/// The calling partner (`GET /partner/me`).
#[derive(Debug, Serialize, ToSchema)]
pub struct PartnerMeOut {
    /// Partner id.
    pub id: Uuid,
    /// Client id.
    pub client_id: String,
    /// Display name.
    pub name: String,
    /// Roots of the organization subtrees in scope.
    pub scope: Vec<Uuid>,
}

/// Most items in one batch request.
pub const MAX_BATCH_ITEMS: usize = 500;
/// Largest batch request body (bytes).
pub const MAX_BATCH_BYTES: usize = 2 * 1024 * 1024;

/// A batch of volunteers (`POST /partner/volunteers/batch`), 1–500 items. Items are read one by
/// one: an item of the wrong shape is rejected alone (`invalid_body`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VolunteerBatchIn {
    /// The volunteers.
    #[schema(value_type = Vec<PartnerVolunteerIn>)]
    pub items: Vec<serde_json::Value>,
}

/// A batch of service records (`POST /partner/service-records/batch`), 1–500 items.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordBatchIn {
    /// The records.
    #[schema(value_type = Vec<PartnerRecordIn>)]
    pub items: Vec<serde_json::Value>,
}

/// A guardian's consent for a minor (same rules as registration).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartnerGuardianIn {
    /// Guardian's real name.
    pub name: String,
    /// Relation to the volunteer, 1–32 characters.
    pub relation: String,
    /// Guardian's mainland mobile.
    pub mobile: String,
    /// Must be `true` for volunteers under 18.
    pub consent: bool,
}

/// One volunteer of a partner, keyed by the partner's `external_id`. Same fields and rules as
/// admin registration (`POST /volunteers`): ID-card checksum, birth date and gender from the ID
/// number, minimum age, guardian consent for minors.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartnerVolunteerIn {
    /// The partner's id of the volunteer, 1–128 visible ASCII characters.
    #[schema(example = "stu-2024-0001")]
    pub external_id: String,
    /// Organization (in the partner's scope) the volunteer is registered at / a member of.
    pub organization_id: Uuid,
    /// Real name.
    pub real_name: String,
    /// Kind of ID document.
    pub id_type: entity::enums::IdType,
    /// ID number (never echoed; responses and logs show it masked at most).
    pub id_number: String,
    /// Gender, required when the ID type does not carry one.
    pub gender: Option<entity::enums::Gender>,
    /// Birth date, required when the ID type does not carry one.
    pub birth_date: Option<chrono::NaiveDate>,
    /// Mainland mobile.
    pub mobile: String,
    /// E-mail.
    pub email: Option<String>,
    /// Residence region code (GB/T 2260).
    pub region_code: String,
    /// Skills.
    #[serde(default)]
    pub skills: Vec<String>,
    /// Service categories.
    #[serde(default)]
    pub service_categories: Vec<String>,
    /// Political status.
    pub political_status: Option<String>,
    /// Education.
    pub education: Option<String>,
    /// Guardian and consent (volunteers under 18 only).
    pub guardian: Option<PartnerGuardianIn>,
}

fn yes() -> bool {
    true
}

/// One service record of a partner, keyed by the partner's `external_id`. The volunteer is named
/// by exactly one of `volunteer_external_id` (a volunteer this partner pushed) and
/// `volunteer_number` (the public volunteer number, 志愿者编号).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartnerRecordIn {
    /// The partner's id of the record, 1–128 visible ASCII characters.
    #[schema(example = "act-2025-118-stu-0001")]
    pub external_id: String,
    /// The partner's `external_id` of the volunteer.
    pub volunteer_external_id: Option<String>,
    /// Or the volunteer's public number.
    pub volunteer_number: Option<String>,
    /// Organizing organization (in the partner's scope).
    pub organization_id: Uuid,
    /// Activity name, 1–200 characters.
    pub activity_name: String,
    /// Service category, 1–64 characters.
    pub service_category: String,
    /// Place, 1–200 characters.
    pub place: String,
    /// Content, 1–2000 characters.
    pub content: String,
    /// Activity leader, up to 100 characters.
    pub activity_leader: Option<String>,
    /// Start (RFC 3339, any offset).
    pub started_at: DateTime<Utc>,
    /// End (RFC 3339, any offset); at most 24 hours after the start, not in the future.
    pub ended_at: DateTime<Utc>,
    /// Approve on arrival (default `true`: the partner platform approved it); a record that
    /// overlaps an approved record of the volunteer is held pending as a conflict either way.
    #[serde(default = "yes")]
    pub approve: bool,
}

/// What happened to one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// A new row was written.
    Created,
    /// The row changed (a volunteer's profile; a record through a correction).
    Updated,
    /// Same content as last accepted for this external id: nothing written.
    Unchanged,
    /// The ID number already belongs to a volunteer registered on this platform: the external
    /// id now refers to that volunteer (membership added), whose profile is left as it is.
    Linked,
    /// Nothing written; `problem` says why.
    Rejected,
}

/// The problem of a rejected item (same fields as an RFC 9457 problem document).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ItemProblem {
    /// Stable snake_case code (`out_of_scope`, `validation_failed`, `interval_invalid`, …).
    pub code: String,
    /// HTTP status the same problem would have as a single request.
    pub status: u16,
    /// Explanation.
    pub detail: String,
    /// Field problems (paths relative to the item).
    pub errors: Vec<crate::error::FieldIssue>,
}

/// The result of one item.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ItemResult {
    /// Position in the request (0-based).
    pub index: usize,
    /// The item's `external_id`, as sent (absent when unreadable).
    pub external_id: Option<String>,
    /// What happened.
    pub outcome: Outcome,
    /// Our id of the row (volunteer id; for records the newest record of the chain).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    /// Volunteers: the public volunteer number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volunteer_number: Option<String>,
    /// Records: `pending` or `approved`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<entity::enums::ServiceRecordStatus>,
    /// Records: overlaps an approved record of the volunteer (held pending for review).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conflict: Option<bool>,
    /// Rejected items: why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<ItemProblem>,
}

/// Counts per outcome.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct BatchSummary {
    /// Items created.
    pub created: usize,
    /// Items updated.
    pub updated: usize,
    /// Items unchanged.
    pub unchanged: usize,
    /// Volunteers linked to an existing registration.
    pub linked: usize,
    /// Items rejected.
    pub rejected: usize,
}

/// The answer to a batch: one result per item, in request order, and the counts.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BatchOut {
    /// Per-item results.
    pub results: Vec<ItemResult>,
    /// Counts per outcome.
    pub summary: BatchSummary,
}
