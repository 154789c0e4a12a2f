//! Request and response bodies of `/api/v1/volunteers`.
//!
//! Responses never carry an entity `Model`: [`VolunteerOut`] is where masking happens (ID number
//! `1101**********002X`, mobile `138****1234`). The full ID number and mobile leave the server only
//! through [`UnmaskOut`], which is audited.

use chrono::{DateTime, NaiveDate, Utc};
use entity::enums::{Gender, IdType, VolunteerStatus};
use entity::volunteer;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::domain::mask_mobile;

/// Guardian of a minor volunteer and their consent (DESIGN.md §3 "Minors": under 18 needs a
/// guardian consent record; 《中国注册志愿者管理办法》(共青团中央, 2013): volunteers aged 14 to 18
/// register with the consent of their legal guardian).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GuardianIn {
    /// Guardian's real name (same rules as `real_name`).
    #[schema(example = "张建国")]
    pub name: String,
    /// Relation to the volunteer, 1–32 characters (`父亲`, `母亲`, `监护人`, …).
    #[schema(example = "父亲")]
    pub relation: String,
    /// Guardian's mainland mobile; `+86`, spaces and dashes are accepted and removed.
    #[schema(example = "13912345678")]
    pub mobile: String,
    /// The guardian consents to the registration. Must be `true` for volunteers under 18.
    pub consent: bool,
}

/// Public self-registration (`POST /volunteers/register`). Creates the volunteer, a volunteer
/// login account (username = the volunteer number; the mobile also works as login) and, when
/// `organization_id` is given, a pending membership.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VolunteerRegisterIn {
    /// Real name as on the ID document: 1–50 letters of any script, `·`, `'`, `-`, `.`, single
    /// spaces.
    #[schema(example = "阿依古丽·买买提")]
    pub real_name: String,
    /// Kind of ID document.
    pub id_type: IdType,
    /// ID number. Resident ID cards and HK/MO/TW residence permits are checked per GB 11643-1999
    /// (MOD 11-2 check character, birth date); surrounding spaces and a lower-case `x` are
    /// accepted.
    #[schema(example = "11010519491231002X")]
    pub id_number: String,
    /// Gender. Optional when the ID number carries it (18-character layouts), and must then match;
    /// required otherwise.
    pub gender: Option<Gender>,
    /// Birth date (`YYYY-MM-DD`). Optional when the ID number carries it, and must then match;
    /// required otherwise.
    pub birth_date: Option<NaiveDate>,
    /// Mainland mobile; `+86`, `0086`, spaces and dashes are accepted and removed. Becomes a login
    /// name, so it must not belong to another account.
    #[schema(example = "13812341234")]
    pub mobile: String,
    /// Optional e-mail; an empty string means none.
    pub email: Option<String>,
    /// Six-digit residence region code that exists in `/api/v1/regions`.
    #[schema(example = "320102")]
    pub region_code: String,
    /// Skills, at most 20 items of 1–32 characters each (duplicates are dropped).
    #[serde(default)]
    pub skills: Vec<String>,
    /// Service categories, at most 20 items of 1–32 characters each (duplicates are dropped).
    #[serde(default)]
    pub service_categories: Vec<String>,
    /// Political status (政治面貌), up to 32 characters.
    pub political_status: Option<String>,
    /// Education level, up to 32 characters.
    pub education: Option<String>,
    /// Password: 8–128 characters from at least two of lower case, upper case, digits, symbols.
    pub password: String,
    /// Organization to apply to; must exist and be active. Creates a pending membership.
    pub organization_id: Option<Uuid>,
    /// Guardian and consent; required for volunteers under 18.
    pub guardian: Option<GuardianIn>,
}

/// A volunteer registered by an admin (`POST /volunteers`): the same fields as
/// [`VolunteerRegisterIn`] without a password, and with a required organization in the caller's
/// scope. No login account is created; the volunteer claims one later (not part of this API yet).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VolunteerIn {
    /// Real name as on the ID document.
    #[schema(example = "José Müller")]
    pub real_name: String,
    /// Kind of ID document.
    pub id_type: IdType,
    /// ID number (see [`VolunteerRegisterIn::id_number`]).
    #[schema(example = "E12345678")]
    pub id_number: String,
    /// Gender; required when the ID number does not carry it.
    pub gender: Option<Gender>,
    /// Birth date; required when the ID number does not carry it.
    pub birth_date: Option<NaiveDate>,
    /// Mainland mobile.
    #[schema(example = "13812341234")]
    pub mobile: String,
    /// Optional e-mail.
    pub email: Option<String>,
    /// Six-digit residence region code.
    #[schema(example = "320102")]
    pub region_code: String,
    /// Skills, at most 20 items of 1–32 characters each.
    #[serde(default)]
    pub skills: Vec<String>,
    /// Service categories, at most 20 items of 1–32 characters each.
    #[serde(default)]
    pub service_categories: Vec<String>,
    /// Political status (政治面貌), up to 32 characters.
    pub political_status: Option<String>,
    /// Education level, up to 32 characters.
    pub education: Option<String>,
    /// Registering organization, in the caller's scope. The volunteer becomes an active member.
    pub organization_id: Uuid,
    /// Guardian and consent; required for volunteers under 18.
    pub guardian: Option<GuardianIn>,
}

/// A partial update. Only the fields present change; `version` must equal the current version
/// (optimistic concurrency), otherwise 412. Identity fields (ID number, birth date, gender) and
/// `status` cannot be changed here: sending them answers 422 `invalid_body`. A volunteer editing
/// their own profile may not change `real_name` (422 `field_not_editable`); an admin may.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VolunteerPatch {
    /// Current version, as last read.
    pub version: i32,
    /// New real name (admins only).
    pub real_name: Option<String>,
    /// New mobile; the login account's mobile follows.
    pub mobile: Option<String>,
    /// New e-mail; an empty string clears it.
    pub email: Option<String>,
    /// New residence region code.
    pub region_code: Option<String>,
    /// Replaces the skills.
    pub skills: Option<Vec<String>>,
    /// Replaces the service categories.
    pub service_categories: Option<Vec<String>>,
    /// New political status; an empty string clears it.
    pub political_status: Option<String>,
    /// New education level; an empty string clears it.
    pub education: Option<String>,
}

/// Guardian as shown in responses (mobile masked).
#[derive(Debug, Serialize, ToSchema)]
pub struct GuardianOut {
    /// Guardian's name.
    pub name: String,
    /// Relation to the volunteer.
    pub relation: String,
    /// Masked mobile, e.g. `139****5678`.
    pub mobile: String,
    /// When consent was recorded (RFC 3339, UTC).
    pub consented_at: Option<DateTime<Utc>>,
}

/// A volunteer as shown to admins and to the volunteer themself. The ID number and mobiles are
/// masked; `POST /volunteers/{id}/unmask` reveals them (audited). After deregistration the
/// personal fields are anonymised (`real_name` = `已注销`, empty ID number and mobile).
#[derive(Debug, Serialize, ToSchema)]
pub struct VolunteerOut {
    /// Id (UUID v7).
    pub id: Uuid,
    /// Public volunteer number (志愿者编号): 12 digits, year of registration + 8-digit sequence.
    #[schema(example = "202600000001")]
    pub volunteer_number: String,
    /// Real name.
    pub real_name: String,
    /// Gender.
    pub gender: Gender,
    /// Birth date.
    pub birth_date: NaiveDate,
    /// Kind of ID document.
    pub id_type: IdType,
    /// Masked ID number, e.g. `1101**********002X`.
    #[schema(example = "1101**********002X")]
    pub id_number: String,
    /// Masked mobile, e.g. `138****1234`.
    #[schema(example = "138****1234")]
    pub mobile: String,
    /// E-mail.
    pub email: Option<String>,
    /// Residence region code.
    pub region_code: String,
    /// Skills.
    pub skills: Vec<String>,
    /// Service categories.
    pub service_categories: Vec<String>,
    /// Political status.
    pub political_status: Option<String>,
    /// Education level.
    pub education: Option<String>,
    /// Organization that registered the volunteer (admin registration and roster import).
    pub registration_organization_id: Option<Uuid>,
    /// Lifecycle status.
    pub status: VolunteerStatus,
    /// Guardian of a minor.
    pub guardian: Option<GuardianOut>,
    /// Version for optimistic concurrency.
    pub version: i32,
    /// Created (RFC 3339, UTC).
    pub created_at: DateTime<Utc>,
    /// Last updated (RFC 3339, UTC).
    pub updated_at: DateTime<Utc>,
    /// When the volunteer deregistered (RFC 3339, UTC).
    pub deregistered_at: Option<DateTime<Utc>>,
}

/// Parses a stored JSON array of strings; a malformed value shows as empty rather than failing
/// the whole response.
pub(crate) fn parse_list(stored: &str) -> Vec<String> {
    serde_json::from_str(stored).unwrap_or_default()
}

impl From<volunteer::Model> for VolunteerOut {
    fn from(m: volunteer::Model) -> Self {
        let guardian = match (m.guardian_name, m.guardian_relation) {
            (Some(name), Some(relation)) => Some(GuardianOut {
                name,
                relation,
                mobile: mask_mobile(m.guardian_mobile.as_deref().unwrap_or("")),
                consented_at: m.guardian_consented_at,
            }),
            _ => None,
        };
        Self {
            id: m.id,
            volunteer_number: m.volunteer_number,
            real_name: m.real_name,
            gender: m.gender,
            birth_date: m.birth_date,
            id_type: m.id_type,
            id_number: m.id_number_masked,
            mobile: mask_mobile(&m.mobile),
            email: m.email,
            region_code: m.region_code,
            skills: parse_list(&m.skills),
            service_categories: parse_list(&m.service_categories),
            political_status: m.political_status,
            education: m.education,
            registration_organization_id: m.registration_organization_id,
            status: m.status,
            guardian,
            version: m.version,
            created_at: m.created_at,
            updated_at: m.updated_at,
            deregistered_at: m.deregistered_at,
        }
    }
}

/// Filters for listing volunteers. All are combined with AND, always inside the caller's scope.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VolunteerFilter {
    /// Real name contains this text.
    pub name: Option<String>,
    /// Residence in this region or its sub-regions (`320000` matches all of Jiangsu).
    #[param(pattern = "^[0-9]{6}$")]
    pub region_code: Option<String>,
    /// Registered at, or member (any status but rejected) of, this organization. Outside the
    /// caller's scope the list is empty.
    pub organization_id: Option<Uuid>,
    /// Only this status.
    pub status: Option<VolunteerStatus>,
    /// Has exactly this skill (one whole item, not a substring).
    pub skill: Option<String>,
    /// Has exactly this service category.
    pub service_category: Option<String>,
    /// Exactly this volunteer number.
    pub volunteer_number: Option<String>,
    /// Exactly this mobile (normalised first: `+86 138 1234 1234` finds `13812341234`).
    pub mobile: Option<String>,
    /// Exactly this ID number (matched through the keyed hash; combine with `id_type` to narrow
    /// the document kind).
    pub id_number: Option<String>,
    /// Kind of ID document (used with `id_number`, or alone).
    pub id_type: Option<IdType>,
}

/// Why the full ID number and mobile are needed; written to the audit log.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnmaskIn {
    /// Reason, 4–200 characters, e.g. `核对保险投保信息`.
    #[schema(example = "核对保险投保信息")]
    pub reason: String,
}

/// The unmasked identity of a volunteer.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnmaskOut {
    /// Kind of ID document.
    pub id_type: IdType,
    /// Full normalised ID number.
    pub id_number: String,
    /// Full mobile (11 digits).
    pub mobile: String,
}
