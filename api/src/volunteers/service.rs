//! Volunteer registration, profiles, scoping, deregistration and unmasking.
//!
//! The registration pipeline is split into reusable pieces so that the roster import (CSV/XLSX,
//! thousands of rows) runs the very same rules:
//!
//! 1. [`validate`] — pure: raw fields → [`PreparedVolunteer`] (normalised, ID number encrypted,
//!    keyed hash computed) or *all* field issues at once. Region codes are checked through a
//!    caller-supplied predicate so an import can preload the region table once.
//! 2. [`insert_prepared`] — multi-row inserts in the caller's transaction, one
//!    [`reserve_numbers`] call for the whole batch, memberships and audit rows.
//!
//! Visibility (DESIGN.md §3): an organization admin sees a volunteer registered at an
//! organization of their subtree, or with a membership (any status but `rejected`) in one;
//! anything else answers 404. A volunteer sees only themself.

use std::collections::HashSet;

use chrono::{Datelike as _, NaiveDate, Utc};
use entity::enums::{
    AccountStatus, Gender, IdType, MembershipStatus, OrganizationStatus, Role, VolunteerStatus,
};
use entity::volunteer_membership as membership;
use entity::{account, number_sequence, refresh_token, region, volunteer};
use sea_orm::sea_query::{Expr, ExprTrait as _, Query, SelectStatement, UnionType};
use sea_orm::{
    ActiveEnum as _, ActiveValue::Set, ColumnTrait as _, Condition, ConnectionTrait, DbErr,
    EntityTrait as _, PaginatorTrait as _, QueryFilter as _, QueryOrder as _, QuerySelect as _,
    SqlErr, TransactionSession as _, TransactionTrait,
};
use uuid::Uuid;

use super::domain::{Email, FieldError, IdKind, IdNumber, Mobile, PersonName, age_on, clean_text};
use super::dto::{
    GuardianIn, UnmaskOut, VolunteerFilter, VolunteerIn, VolunteerPatch, VolunteerRegisterIn,
};
use crate::audit::{self, Actor, Entry};
use crate::auth::password::check_strength;
use crate::auth::{AuthUser, PendingAuth, Scope};
use crate::crypto::FieldCrypto;
use crate::error::{ApiError, FieldIssue};
use crate::organizations::service::{
    check_region, escape_like, get_scoped, in_scope, region_condition, subtree_ids,
};
use crate::pagination::Page;
use crate::state::AppState;

/// Name of the `number_sequences` row that issues volunteer numbers.
pub const VOLUNTEER_NUMBER_SEQUENCE: &str = "volunteer_number";
/// Most items in `skills` / `service_categories` (project policy).
pub const MAX_LIST_ITEMS: usize = 20;
/// Most characters of one skill or service category (project policy).
pub const MAX_ITEM_CHARS: usize = 32;
/// Most characters of political status, education and guardian relation (column width).
pub const MAX_SHORT_TEXT_CHARS: usize = 32;
/// Age of majority: younger volunteers need a guardian's consent (民法典 Art. 17; DESIGN.md §3).
pub const ADULT_AGE: u32 = 18;
/// Name shown for a deregistered volunteer.
pub const DEREGISTERED_NAME: &str = "已注销";
/// Rows per multi-row insert: volunteers have 27 columns, so 1,000 rows use 27,000 bind
/// parameters, below SQLite's 32,766 (PostgreSQL allows 65,535).
const INSERT_CHUNK: usize = 1000;
/// Largest sequence value that fits the 8 digits of a volunteer number.
const MAX_VOLUNTEER_SEQUENCE: i64 = 99_999_999;

// ---------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------

/// Raw, unvalidated volunteer fields: what self-registration, admin registration and a roster
/// row have in common. Build it from [`VolunteerIn`] / [`VolunteerRegisterIn`] or from an import
/// row; [`validate`] turns it into a [`PreparedVolunteer`].
#[derive(Clone)]
pub struct VolunteerInput {
    /// Real name as typed.
    pub real_name: String,
    /// Kind of ID document.
    pub id_type: IdType,
    /// ID number as typed.
    pub id_number: String,
    /// Gender as declared (checked against the ID number when it carries one).
    pub gender: Option<Gender>,
    /// Birth date as declared (checked against the ID number when it carries one).
    pub birth_date: Option<NaiveDate>,
    /// Mobile as typed.
    pub mobile: String,
    /// E-mail as typed; blank means none.
    pub email: Option<String>,
    /// Residence region code as typed.
    pub region_code: String,
    /// Skills as typed.
    pub skills: Vec<String>,
    /// Service categories as typed.
    pub service_categories: Vec<String>,
    /// Political status as typed; blank means none.
    pub political_status: Option<String>,
    /// Education as typed; blank means none.
    pub education: Option<String>,
    /// Guardian and consent, for minors.
    pub guardian: Option<GuardianIn>,
}

impl std::fmt::Debug for VolunteerInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Personal fields stay out of logs and panic messages.
        f.debug_struct("VolunteerInput")
            .field("id_type", &self.id_type)
            .finish_non_exhaustive()
    }
}

impl From<VolunteerIn> for VolunteerInput {
    fn from(v: VolunteerIn) -> Self {
        Self {
            real_name: v.real_name,
            id_type: v.id_type,
            id_number: v.id_number,
            gender: v.gender,
            birth_date: v.birth_date,
            mobile: v.mobile,
            email: v.email,
            region_code: v.region_code,
            skills: v.skills,
            service_categories: v.service_categories,
            political_status: v.political_status,
            education: v.education,
            guardian: v.guardian,
        }
    }
}

impl From<VolunteerRegisterIn> for VolunteerInput {
    fn from(v: VolunteerRegisterIn) -> Self {
        Self {
            real_name: v.real_name,
            id_type: v.id_type,
            id_number: v.id_number,
            gender: v.gender,
            birth_date: v.birth_date,
            mobile: v.mobile,
            email: v.email,
            region_code: v.region_code,
            skills: v.skills,
            service_categories: v.service_categories,
            political_status: v.political_status,
            education: v.education,
            guardian: v.guardian,
        }
    }
}

/// A validated guardian (minors only).
#[derive(Clone, PartialEq, Eq)]
pub struct PreparedGuardian {
    /// Normalised name.
    pub name: String,
    /// Cleaned relation.
    pub relation: String,
    /// Normalised mobile (11 digits).
    pub mobile: String,
}

/// A volunteer that passed [`validate`]: every field normalised, the ID number encrypted and
/// hashed, ready for [`insert_prepared`]. The volunteer number, id and timestamps are assigned on
/// insert.
#[derive(Clone, PartialEq, Eq)]
pub struct PreparedVolunteer {
    /// Normalised real name.
    pub real_name: String,
    /// Gender (from the ID number when it carries one).
    pub gender: Gender,
    /// Birth date (from the ID number when it carries one).
    pub birth_date: NaiveDate,
    /// Kind of ID document.
    pub id_type: IdType,
    /// Keyed hash of `<id_type>:<normalised number>` (hex HMAC-SHA-256), unique per volunteer.
    pub id_number_hash: String,
    /// AES-256-GCM ciphertext of the normalised number.
    pub id_number_ciphertext: String,
    /// Masked number for display.
    pub id_number_masked: String,
    /// Normalised mobile (11 digits).
    pub mobile: String,
    /// Normalised e-mail.
    pub email: Option<String>,
    /// Residence region code (exists).
    pub region_code: String,
    /// Cleaned, de-duplicated skills.
    pub skills: Vec<String>,
    /// Cleaned, de-duplicated service categories.
    pub service_categories: Vec<String>,
    /// Cleaned political status.
    pub political_status: Option<String>,
    /// Cleaned education.
    pub education: Option<String>,
    /// Guardian, for volunteers under 18 on the day of validation.
    pub guardian: Option<PreparedGuardian>,
}

impl std::fmt::Debug for PreparedVolunteer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Only non-identifying fields: these values end up in logs when something goes wrong.
        f.debug_struct("PreparedVolunteer")
            .field("id_type", &self.id_type)
            .field("region_code", &self.region_code)
            .finish_non_exhaustive()
    }
}

/// The domain's ID kind for an entity ID type.
pub fn id_kind(t: IdType) -> IdKind {
    match t {
        IdType::ResidentIdCard => IdKind::ResidentIdCard,
        IdType::HkMoTwResidencePermit => IdKind::HkMoTwResidencePermit,
        IdType::ForeignPermanentResidenceCard => IdKind::ForeignPermanentResidenceCard,
        IdType::Passport => IdKind::Passport,
    }
}

/// The entity ID type for a domain ID kind.
pub fn id_type(k: IdKind) -> IdType {
    match k {
        IdKind::ResidentIdCard => IdType::ResidentIdCard,
        IdKind::HkMoTwResidencePermit => IdType::HkMoTwResidencePermit,
        IdKind::ForeignPermanentResidenceCard => IdType::ForeignPermanentResidenceCard,
        IdKind::Passport => IdType::Passport,
    }
}

/// The entity gender for the gender encoded in an ID number (GB 11643-1999 §5.4).
pub fn gender(g: super::domain::Gender) -> Gender {
    match g {
        super::domain::Gender::Male => Gender::Male,
        super::domain::Gender::Female => Gender::Female,
    }
}

/// Keyed hash enforcing "one volunteer per ID" (DESIGN.md §3): HMAC of
/// `<id_type snake_case>:<normalised number>` in the `id` domain.
pub fn id_number_hash(crypto: &FieldCrypto, id: &IdNumber) -> String {
    crypto.lookup_hash(
        "id",
        &format!("{}:{}", id_type(id.kind()).to_value(), id.as_str()),
    )
}

fn issue(field: impl Into<String>, e: &FieldError) -> FieldIssue {
    FieldIssue::new(field, e.code, e.message.clone())
}

/// Cleans a list of short texts: at most [`MAX_LIST_ITEMS`] items of 1–[`MAX_ITEM_CHARS`]
/// characters (`domain::clean_text`), exact duplicates dropped (first one kept).
///
/// Issues: `too_many_items` on `field`; `text_empty` / `text_characters` / `text_too_long` on
/// `field[i]`.
pub fn clean_items(issues: &mut Vec<FieldIssue>, field: &str, items: &[String]) -> Vec<String> {
    if items.len() > MAX_LIST_ITEMS {
        issues.push(FieldIssue::new(
            field,
            "too_many_items",
            format!("at most {MAX_LIST_ITEMS} items"),
        ));
    }
    let mut out: Vec<String> = Vec::with_capacity(items.len());
    for (i, raw) in items.iter().enumerate() {
        match clean_text(raw, MAX_ITEM_CHARS) {
            Ok(v) if !out.contains(&v) => out.push(v),
            Ok(_) => {}
            Err(e) => issues.push(issue(format!("{field}[{i}]"), &e)),
        }
    }
    out
}

/// Cleans an optional short text: `None` or blank → `None`, else `domain::clean_text`.
fn optional_text(
    issues: &mut Vec<FieldIssue>,
    field: &str,
    raw: Option<&str>,
    max: usize,
) -> Option<String> {
    let raw = raw.filter(|s| !s.trim().is_empty())?;
    match clean_text(raw, max) {
        Ok(v) => Some(v),
        Err(e) => {
            issues.push(issue(field, &e));
            None
        }
    }
}

fn optional_email(issues: &mut Vec<FieldIssue>, raw: Option<&str>) -> Option<String> {
    let raw = raw.filter(|s| !s.trim().is_empty())?;
    match Email::parse(raw) {
        Ok(e) => Some(e.as_str().to_owned()),
        Err(e) => {
            issues.push(issue("email", &e));
            None
        }
    }
}

/// Checks a region code's shape and existence through `region_exists` (called with the trimmed
/// six-digit code). Issues `region_format` / `region_unknown`, like `check_region`.
fn region(issues: &mut Vec<FieldIssue>, raw: &str, region_exists: &dyn Fn(&str) -> bool) -> String {
    let code = raw.trim();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        issues.push(FieldIssue::new(
            "region_code",
            "region_format",
            "a region code has six digits",
        ));
    } else if !region_exists(code) {
        issues.push(FieldIssue::new(
            "region_code",
            "region_unknown",
            "no such region code",
        ));
    }
    code.to_owned()
}

fn birth_in_range(birth: NaiveDate, today: NaiveDate) -> bool {
    NaiveDate::from_ymd_opt(1900, 1, 1).is_some_and(|min| birth >= min) && birth <= today
}

fn guardian(issues: &mut Vec<FieldIssue>, g: Option<&GuardianIn>) -> Option<PreparedGuardian> {
    let Some(g) = g else {
        issues.push(FieldIssue::new(
            "guardian",
            "guardian_consent_required",
            format!("volunteers under {ADULT_AGE} need a guardian's consent"),
        ));
        return None;
    };
    let before = issues.len();
    if !g.consent {
        issues.push(FieldIssue::new(
            "guardian.consent",
            "guardian_consent_required",
            format!("volunteers under {ADULT_AGE} need a guardian's consent"),
        ));
    }
    let name = PersonName::parse(&g.name)
        .map_err(|e| issues.push(issue("guardian.name", &e)))
        .ok();
    let relation = clean_text(&g.relation, MAX_SHORT_TEXT_CHARS)
        .map_err(|e| issues.push(issue("guardian.relation", &e)))
        .ok();
    let mobile = Mobile::parse(&g.mobile)
        .map_err(|e| issues.push(issue("guardian.mobile", &e)))
        .ok();
    match (name, relation, mobile) {
        (Some(name), Some(relation), Some(mobile)) if issues.len() == before => {
            Some(PreparedGuardian {
                name: name.as_str().to_owned(),
                relation,
                mobile: mobile.as_str().to_owned(),
            })
        }
        _ => None,
    }
}

/// Validates and normalises one volunteer. Pure apart from encryption: no database, no clock
/// (`today` is the date in the platform time zone; region existence comes from
/// `region_exists`, e.g. a preloaded `HashSet` of codes: `&|c| codes.contains(c)`).
///
/// Rules:
/// - `real_name`: `domain::PersonName` (1–50 letters of any script, `·`, `'`, `-`, `.`);
/// - `id_number`: `domain::IdNumber` for `id_type` (GB 11643-1999 §5 for the 18-character
///   layouts: MOD 11-2 check character, real birth date);
/// - `birth_date` / `gender`: taken from the ID number when it carries them (a different value
///   sent → `birth_date_mismatch` / `gender_mismatch`); otherwise required (`required`), the
///   birth date between 1900-01-01 and today (`birth_date_range`);
/// - age (`domain::age_on`, completed years on `today`): under `min_age` → `below_minimum_age`
///   on `birth_date`; under 18 → `guardian` with `consent: true` required
///   (`guardian_consent_required`) and its fields valid (DESIGN.md §3; 《中国注册志愿者管理办法》:
///   14 to 18 with the guardian's consent). Guardians sent for adults are ignored (not stored);
/// - `mobile` / `guardian.mobile`: `domain::Mobile` (`+86` and separators removed);
/// - `email`: `domain::Email`, blank = none;
/// - `region_code`: six digits (`region_format`) that exist (`region_unknown`);
/// - `skills`, `service_categories`: [`clean_items`];
/// - `political_status`, `education`: `domain::clean_text`, at most 32 characters, blank = none.
///
/// # Errors
/// Every issue found, with field paths relative to the volunteer (`skills[2]`,
/// `guardian.mobile`); an import prefixes them with its row.
pub fn validate(
    crypto: &FieldCrypto,
    input: &VolunteerInput,
    today: NaiveDate,
    min_age: u32,
    region_exists: &dyn Fn(&str) -> bool,
) -> Result<PreparedVolunteer, Vec<FieldIssue>> {
    let mut issues = Vec::new();
    let name = PersonName::parse(&input.real_name)
        .map_err(|e| issues.push(issue("real_name", &e)))
        .ok();
    let id = IdNumber::parse(id_kind(input.id_type), &input.id_number, today)
        .map_err(|e| issues.push(issue("id_number", &e)))
        .ok();
    let mut birth = None;
    let mut sex = None;
    match &id {
        Some(id) => {
            match (id.birth_date(), input.birth_date) {
                (Some(from_id), Some(given)) if from_id != given => {
                    issues.push(FieldIssue::new(
                        "birth_date",
                        "birth_date_mismatch",
                        "birth date does not match the ID number",
                    ));
                }
                (Some(from_id), _) => birth = Some(from_id),
                (None, Some(given)) if birth_in_range(given, today) => birth = Some(given),
                (None, Some(_)) => issues.push(FieldIssue::new(
                    "birth_date",
                    "birth_date_range",
                    "birth date must be between 1900-01-01 and today",
                )),
                (None, None) => issues.push(FieldIssue::new(
                    "birth_date",
                    "required",
                    "this ID type does not carry a birth date; send birth_date",
                )),
            }
            match (id.gender().map(gender), input.gender) {
                (Some(from_id), Some(given)) if from_id != given => {
                    issues.push(FieldIssue::new(
                        "gender",
                        "gender_mismatch",
                        "gender does not match the ID number",
                    ));
                }
                (Some(from_id), _) => sex = Some(from_id),
                (None, Some(given)) => sex = Some(given),
                (None, None) => issues.push(FieldIssue::new(
                    "gender",
                    "required",
                    "this ID type does not carry a gender; send gender",
                )),
            }
        }
        None => {
            // The ID number is wrong, so nothing can be cross-checked; still judge a declared
            // birth date so that the age rules report in the same answer.
            if let Some(given) = input.birth_date {
                if birth_in_range(given, today) {
                    birth = Some(given);
                } else {
                    issues.push(FieldIssue::new(
                        "birth_date",
                        "birth_date_range",
                        "birth date must be between 1900-01-01 and today",
                    ));
                }
            }
        }
    }
    let mut guardian_out = None;
    if let Some(b) = birth {
        let age = age_on(b, today);
        if age < min_age {
            issues.push(FieldIssue::new(
                "birth_date",
                "below_minimum_age",
                format!("volunteers must be at least {min_age} years old"),
            ));
        } else if age < ADULT_AGE {
            guardian_out = guardian(&mut issues, input.guardian.as_ref());
        }
    }
    let mobile = Mobile::parse(&input.mobile)
        .map_err(|e| issues.push(issue("mobile", &e)))
        .ok();
    let email = optional_email(&mut issues, input.email.as_deref());
    let region_code = region(&mut issues, &input.region_code, region_exists);
    let skills = clean_items(&mut issues, "skills", &input.skills);
    let service_categories =
        clean_items(&mut issues, "service_categories", &input.service_categories);
    let political_status = optional_text(
        &mut issues,
        "political_status",
        input.political_status.as_deref(),
        MAX_SHORT_TEXT_CHARS,
    );
    let education = optional_text(
        &mut issues,
        "education",
        input.education.as_deref(),
        MAX_SHORT_TEXT_CHARS,
    );
    let (Some(name), Some(id), Some(birth), Some(sex), Some(mobile), true) =
        (name, id, birth, sex, mobile, issues.is_empty())
    else {
        return Err(issues);
    };
    Ok(PreparedVolunteer {
        real_name: name.as_str().to_owned(),
        gender: sex,
        birth_date: birth,
        id_type: input.id_type,
        id_number_hash: id_number_hash(crypto, &id),
        id_number_ciphertext: crypto.encrypt(id.as_str()),
        id_number_masked: id.masked(),
        mobile: mobile.as_str().to_owned(),
        email,
        region_code,
        skills,
        service_categories,
        political_status,
        education,
        guardian: guardian_out,
    })
}

/// Turns validation issues into the error of a single-volunteer request: when the only problem
/// is an age rule, the problem's `code` is that rule (`below_minimum_age`,
/// `guardian_consent_required`); otherwise 422 `validation_failed` listing every issue.
pub fn issues_to_error(issues: Vec<FieldIssue>) -> ApiError {
    if let [only] = issues.as_slice() {
        let code = match only.code.as_str() {
            "below_minimum_age" => Some("below_minimum_age"),
            "guardian_consent_required" => Some("guardian_consent_required"),
            _ => None,
        };
        if let Some(code) = code {
            return ApiError::Rule {
                code,
                detail: only.message.clone(),
            };
        }
    }
    ApiError::Validation(issues)
}

// ---------------------------------------------------------------------------
// Numbers and inserts
// ---------------------------------------------------------------------------

/// Reserves `count` consecutive values of the counter `name` and returns the first one; the
/// counter starts at 1. Call it inside the transaction that uses the numbers.
///
/// Concurrency: the row is created with `INSERT … ON CONFLICT DO NOTHING`, then incremented with
/// `UPDATE … SET next_value = next_value + count` *before* it is read back, so on PostgreSQL the
/// row lock taken by the UPDATE serialises concurrent callers until commit and no two
/// transactions get overlapping ranges. On SQLite the single pooled connection serialises
/// transactions anyway. Values of rolled-back transactions are skipped, never reused.
///
/// # Errors
/// Database errors; 500 when `count` is not positive.
pub async fn reserve_numbers(
    txn: &impl ConnectionTrait,
    name: &str,
    count: i64,
) -> Result<i64, ApiError> {
    if count < 1 {
        return Err(ApiError::Internal(
            "reserve_numbers needs a positive count".into(),
        ));
    }
    number_sequence::Entity::insert(number_sequence::ActiveModel {
        name: Set(name.to_owned()),
        next_value: Set(1),
    })
    .on_conflict_do_nothing()
    .exec_without_returning(txn)
    .await?;
    number_sequence::Entity::update_many()
        .col_expr(
            number_sequence::Column::NextValue,
            Expr::col(number_sequence::Column::NextValue).add(count),
        )
        .filter(number_sequence::Column::Name.eq(name))
        .exec(txn)
        .await?;
    let row = number_sequence::Entity::find_by_id(name.to_owned())
        .one(txn)
        .await?
        .ok_or_else(|| ApiError::Internal("number sequence row missing after update".into()))?;
    Ok(row.next_value - count)
}

/// The 12-digit volunteer number: four-digit year of registration (platform time zone) and the
/// eight-digit sequence value (DESIGN.md §2: human-facing, stable, never the ID number).
///
/// # Errors
/// 500 when the sequence is outside 1..=99,999,999.
pub fn volunteer_number(year: i32, seq: i64) -> Result<String, ApiError> {
    if !(1..=MAX_VOLUNTEER_SEQUENCE).contains(&seq) || !(1000..=9999).contains(&year) {
        return Err(ApiError::Internal(
            "volunteer number sequence exhausted".into(),
        ));
    }
    Ok(format!("{year:04}{seq:08}"))
}

fn duplicate_id() -> ApiError {
    ApiError::Conflict {
        code: "duplicate_id_number",
        detail: "a volunteer with this ID number is already registered".into(),
    }
}

fn duplicate_mobile() -> ApiError {
    ApiError::Conflict {
        code: "duplicate_mobile",
        detail: "an account with this mobile already exists".into(),
    }
}

/// Maps a unique violation on the ID hash (or an account's mobile) to its 409 code; other errors
/// go through the one `From<DbErr>`. This catches the race between the duplicate check and the
/// insert.
fn map_insert_error(e: DbErr) -> ApiError {
    if let Some(SqlErr::UniqueConstraintViolation(msg)) = e.sql_err() {
        if msg.contains("id_number_hash") {
            return duplicate_id();
        }
        if msg.contains("mobile") {
            return duplicate_mobile();
        }
    }
    e.into()
}

/// Field names written to the audit log when a volunteer is created.
const CREATED_FIELDS: [&str; 16] = [
    "real_name",
    "gender",
    "birth_date",
    "id_type",
    "id_number",
    "mobile",
    "email",
    "region_code",
    "skills",
    "service_categories",
    "political_status",
    "education",
    "registration_organization_id",
    "status",
    "guardian",
    "volunteer_number",
];

fn json_list(items: &[String]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".into())
}

/// Inserts validated volunteers in the caller's transaction and returns the stored rows, in the
/// order given.
///
/// - one [`reserve_numbers`] call for the whole batch; numbers are `today`'s year + sequence;
/// - status `active`; `registration_organization_id = registration_org`;
/// - `membership`: `(organization, status)` creates one membership per volunteer (`active` ones
///   are recorded as decided now by the actor);
/// - multi-row inserts of at most 1,000 rows (bind-parameter limits);
/// - one audit row per volunteer (`action`, e.g. `register`, `create`, `import`) and per
///   membership, field names only.
///
/// The caller checks that organizations exist and are in scope, and may pre-check duplicates;
/// a duplicate ID hash that slips through answers 409 `duplicate_id_number` (the transaction is
/// then unusable and must be dropped).
///
/// # Errors
/// 409 `duplicate_id_number`, database errors.
pub async fn insert_prepared(
    txn: &impl ConnectionTrait,
    items: Vec<PreparedVolunteer>,
    registration_org: Option<Uuid>,
    membership: Option<(Uuid, MembershipStatus)>,
    today: NaiveDate,
    actor: &Actor,
    action: &str,
) -> Result<Vec<volunteer::Model>, ApiError> {
    if items.is_empty() {
        return Ok(Vec::new());
    }
    let count =
        i64::try_from(items.len()).map_err(|_| ApiError::Internal("batch too large".into()))?;
    let first = reserve_numbers(txn, VOLUNTEER_NUMBER_SEQUENCE, count).await?;
    let now = Utc::now();
    let mut models = Vec::with_capacity(items.len());
    for (seq, p) in (first..).zip(items) {
        let (guardian_name, guardian_relation, guardian_mobile, consented) = match p.guardian {
            Some(g) => (Some(g.name), Some(g.relation), Some(g.mobile), Some(now)),
            None => (None, None, None, None),
        };
        models.push(volunteer::Model {
            id: Uuid::now_v7(),
            volunteer_number: volunteer_number(today.year(), seq)?,
            real_name: p.real_name,
            gender: p.gender,
            birth_date: p.birth_date,
            id_type: p.id_type,
            id_number_ciphertext: p.id_number_ciphertext,
            id_number_hash: p.id_number_hash,
            id_number_masked: p.id_number_masked,
            mobile: p.mobile,
            email: p.email,
            region_code: p.region_code,
            skills: json_list(&p.skills),
            service_categories: json_list(&p.service_categories),
            political_status: p.political_status,
            education: p.education,
            registration_organization_id: registration_org,
            status: VolunteerStatus::Active,
            guardian_name,
            guardian_relation,
            guardian_mobile,
            guardian_consented_at: consented,
            version: 1,
            created_at: now,
            updated_at: now,
            deregistered_at: None,
        });
    }
    for chunk in models.chunks(INSERT_CHUNK) {
        volunteer::Entity::insert_many(chunk.iter().cloned().map(volunteer::ActiveModel::from))
            .exec_without_returning(txn)
            .await
            .map_err(map_insert_error)?;
    }
    let mut entries: Vec<Entry<'_>> = models
        .iter()
        .map(|m| Entry {
            action,
            entity_type: "volunteer",
            entity_id: m.id,
            fields: CREATED_FIELDS.iter().map(|f| (*f).to_owned()).collect(),
            reason: None,
        })
        .collect();
    if let Some((org, status)) = membership {
        let decided = status != MembershipStatus::Pending;
        let rows: Vec<membership::ActiveModel> = models
            .iter()
            .map(|m| membership::ActiveModel {
                id: Set(Uuid::now_v7()),
                volunteer_id: Set(m.id),
                organization_id: Set(org),
                status: Set(status),
                applied_at: Set(now),
                decided_at: Set(decided.then_some(now)),
                decided_by: Set(if decided { actor.account_id } else { None }),
            })
            .collect();
        for r in &rows {
            if let Set(id) = r.id {
                entries.push(Entry {
                    action: "create",
                    entity_type: "membership",
                    entity_id: id,
                    fields: vec![
                        "volunteer_id".into(),
                        "organization_id".into(),
                        "status".into(),
                    ],
                    reason: None,
                });
            }
        }
        for chunk in rows.chunks(INSERT_CHUNK) {
            membership::Entity::insert_many(chunk.to_vec())
                .exec_without_returning(txn)
                .await?;
        }
    }
    crate::sync::changes::volunteers(txn, &models, crate::sync::changes::Operation::Create).await?;
    audit::record_many(txn, actor, entries).await?;
    Ok(models)
}

/// Which of `hashes` are already taken (for an import's duplicate report before inserting).
///
/// # Errors
/// Database errors.
pub async fn existing_id_hashes(
    db: &impl ConnectionTrait,
    hashes: &[String],
) -> Result<HashSet<String>, ApiError> {
    let mut found = HashSet::new();
    for chunk in hashes.chunks(INSERT_CHUNK) {
        let rows: Vec<String> = volunteer::Entity::find()
            .select_only()
            .column(volunteer::Column::IdNumberHash)
            .filter(volunteer::Column::IdNumberHash.is_in(chunk.iter().cloned()))
            .into_tuple()
            .all(db)
            .await?;
        found.extend(rows);
    }
    Ok(found)
}

async fn ensure_id_free(db: &impl ConnectionTrait, hash: &str) -> Result<(), ApiError> {
    let taken = volunteer::Entity::find()
        .filter(volunteer::Column::IdNumberHash.eq(hash))
        .count(db)
        .await?;
    if taken > 0 {
        return Err(duplicate_id());
    }
    Ok(())
}

async fn ensure_mobile_free(
    db: &impl ConnectionTrait,
    mobile: &str,
    except_volunteer: Option<Uuid>,
) -> Result<(), ApiError> {
    let mut q = account::Entity::find().filter(account::Column::Mobile.eq(mobile));
    if let Some(v) = except_volunteer {
        q = q.filter(
            Condition::any()
                .add(account::Column::VolunteerId.is_null())
                .add(account::Column::VolunteerId.ne(v)),
        );
    }
    if q.count(db).await? > 0 {
        return Err(duplicate_mobile());
    }
    Ok(())
}

/// Whether a (trimmed) region code exists; `false` for malformed codes.
///
/// # Errors
/// Database errors.
pub async fn region_exists(db: &impl ConnectionTrait, code: &str) -> Result<bool, ApiError> {
    let code = code.trim();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(false);
    }
    Ok(region::Entity::find_by_id(code.to_owned())
        .one(db)
        .await?
        .is_some())
}

/// Checks an organization a volunteer joins: it must exist (and be in `scope`) and be active.
/// Issues on `organization_id`: `organization_not_found`, `organization_inactive`.
///
/// # Errors
/// Database errors (field problems are pushed to `issues`).
pub async fn check_joinable(
    db: &impl ConnectionTrait,
    scope: &Scope,
    org: Uuid,
    issues: &mut Vec<FieldIssue>,
) -> Result<(), ApiError> {
    match get_scoped(db, scope, org).await {
        Ok(o) if o.status == OrganizationStatus::Active => {}
        Ok(_) => issues.push(FieldIssue::new(
            "organization_id",
            "organization_inactive",
            "the organization is inactive",
        )),
        Err(ApiError::NotFound(_)) => issues.push(FieldIssue::new(
            "organization_id",
            "organization_not_found",
            "no such organization in your scope",
        )),
        Err(e) => return Err(e),
    }
    Ok(())
}

/// Public self-registration: validates everything (422 listing all issues), then refuses
/// duplicates (409 `duplicate_id_number`, `duplicate_mobile`), hashes the password, and in one
/// transaction creates the volunteer (status `active`, a new volunteer number), the volunteer
/// account (username = volunteer number) and, with `organization_id`, a pending membership.
/// Audit action `register`.
///
/// # Errors
/// 422 validation (or `below_minimum_age` / `guardian_consent_required` alone), 409 duplicates,
/// 503 when password hashing is saturated, database errors.
pub async fn register(
    state: &AppState,
    actor: &Actor,
    input: VolunteerRegisterIn,
) -> Result<volunteer::Model, ApiError> {
    let today = state.today();
    let password = input.password.clone();
    let org = input.organization_id;
    let fields = VolunteerInput::from(input);
    let mut issues = Vec::new();
    if let Err(ApiError::Validation(mut v)) = check_strength("password", &password) {
        issues.append(&mut v);
    }
    if let Some(org) = org {
        check_joinable(&state.db, &Scope::All, org, &mut issues).await?;
    }
    let known = region_exists(&state.db, &fields.region_code).await?;
    let prepared = match validate(
        &state.crypto,
        &fields,
        today,
        state.settings.min_volunteer_age,
        &|_| known,
    ) {
        Ok(p) => Some(p),
        Err(mut v) => {
            issues.append(&mut v);
            None
        }
    };
    let (Some(prepared), true) = (prepared, issues.is_empty()) else {
        return Err(issues_to_error(issues));
    };
    // Cheap checks before the deliberately slow password hash.
    ensure_id_free(&state.db, &prepared.id_number_hash).await?;
    ensure_mobile_free(&state.db, &prepared.mobile, None).await?;
    let password_hash = state.hasher.hash(password).await?;
    let txn = state.db.begin().await?;
    let vol = insert_prepared(
        &txn,
        vec![prepared],
        None,
        org.map(|o| (o, MembershipStatus::Pending)),
        today,
        actor,
        "register",
    )
    .await?
    .pop()
    .ok_or_else(|| ApiError::Internal("registration inserted nothing".into()))?;
    let account_id = Uuid::now_v7();
    account::Entity::insert(account::ActiveModel {
        id: Set(account_id),
        username: Set(vol.volunteer_number.clone()),
        mobile: Set(Some(vol.mobile.clone())),
        password_hash: Set(password_hash),
        role: Set(Role::Volunteer),
        organization_id: Set(None),
        volunteer_id: Set(Some(vol.id)),
        status: Set(AccountStatus::Active),
        created_at: Set(Utc::now()),
        last_login_at: Set(None),
    })
    .exec_without_returning(&txn)
    .await
    .map_err(map_insert_error)?;
    audit::record(
        &txn,
        actor,
        Entry {
            action: "create",
            entity_type: "account",
            entity_id: account_id,
            fields: vec![
                "username".into(),
                "mobile".into(),
                "role".into(),
                "volunteer_id".into(),
            ],
            reason: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(vol)
}

/// An admin registers a volunteer for an organization in their scope: same validation and
/// duplicate rules as [`register`], `registration_organization_id` = that organization, an
/// active membership, no login account (the volunteer claims one later). Audit action `create`.
///
/// # Errors
/// 422 validation incl. `organization_not_found` / `organization_inactive` on
/// `organization_id`, 409 `duplicate_id_number`, database errors.
pub async fn create(
    state: &AppState,
    scope: &Scope,
    actor: &Actor,
    input: VolunteerIn,
) -> Result<volunteer::Model, ApiError> {
    let today = state.today();
    let org = input.organization_id;
    let fields = VolunteerInput::from(input);
    let mut issues = Vec::new();
    check_joinable(&state.db, scope, org, &mut issues).await?;
    let known = region_exists(&state.db, &fields.region_code).await?;
    let prepared = match validate(
        &state.crypto,
        &fields,
        today,
        state.settings.min_volunteer_age,
        &|_| known,
    ) {
        Ok(p) => Some(p),
        Err(mut v) => {
            issues.append(&mut v);
            None
        }
    };
    let (Some(prepared), true) = (prepared, issues.is_empty()) else {
        return Err(issues_to_error(issues));
    };
    let txn = state.db.begin().await?;
    ensure_id_free(&txn, &prepared.id_number_hash).await?;
    let vol = insert_prepared(
        &txn,
        vec![prepared],
        Some(org),
        Some((org, MembershipStatus::Active)),
        today,
        actor,
        "create",
    )
    .await?
    .pop()
    .ok_or_else(|| ApiError::Internal("registration inserted nothing".into()))?;
    txn.commit().await?;
    Ok(vol)
}

// ---------------------------------------------------------------------------
// Scope and reads
// ---------------------------------------------------------------------------

/// Volunteers whose registration organization matches `registered`, or with a membership (any
/// status but rejected) whose organization matches `member`.
///
/// Written as one `id IN (SELECT id FROM volunteers WHERE registration_organization_id …
/// UNION SELECT volunteer_id FROM volunteer_memberships WHERE organization_id … AND status <>
/// 'rejected')` rather than an OR of two IN-subqueries: PostgreSQL cannot use an index for
/// such an OR and scanned the whole volunteer table for every page and for the count (EXPLAIN
/// ANALYZE, 50,000 volunteers, an organization with none: 43–78 ms per statement, now 0.15 ms
/// with an index scan per arm on `idx_volunteers_registration_org` and
/// `idx_memberships_org_status`). `UNION`, not `UNION ALL`: PostgreSQL estimates the rows of
/// a de-duplicated union from its arms, but guesses 200 for `UNION ALL` under `IN` and then
/// probes the primary key once per row of a large organization (50,000 loops) instead of a
/// hash join.
fn linked_to_where(registered: Condition, member: Condition) -> Condition {
    let ids = Query::select()
        .column(volunteer::Column::Id)
        .from(volunteer::Entity)
        .cond_where(registered)
        .union(
            UnionType::Distinct,
            Query::select()
                .column(membership::Column::VolunteerId)
                .from(membership::Entity)
                .cond_where(member)
                .and_where(membership::Column::Status.ne(MembershipStatus::Rejected))
                .to_owned(),
        )
        .to_owned();
    Condition::all().add(volunteer::Column::Id.in_subquery(ids))
}

/// Volunteers linked to the organizations of `orgs` (a one-column select of organization ids):
/// registered at one, or a member (any status but rejected) of one.
fn linked_to(orgs: SelectStatement) -> Condition {
    linked_to_where(
        Condition::all()
            .add(volunteer::Column::RegistrationOrganizationId.in_subquery(orgs.clone())),
        Condition::all().add(membership::Column::OrganizationId.in_subquery(orgs)),
    )
}

/// Volunteers linked to one organization: registered at it, or a member (any status but
/// rejected) of it.
fn linked_to_org(org: Uuid) -> Condition {
    linked_to_where(
        Condition::all().add(volunteer::Column::RegistrationOrganizationId.eq(org)),
        Condition::all().add(membership::Column::OrganizationId.eq(org)),
    )
}

/// The condition restricting volunteers to a scope; `None` for everything (platform admins).
/// [`Scope::Nothing`] matches no row.
pub fn scope_condition(scope: &Scope) -> Option<Condition> {
    match scope {
        Scope::All => None,
        Scope::Subtree(root) => Some(linked_to(subtree_ids(*root))),
        Scope::Nothing => Some(Condition::all().add(Expr::value(false))),
    }
}

/// The volunteer if it exists and the admin scope covers it; 404 otherwise.
///
/// # Errors
/// 404 `not_found`, database errors.
pub async fn find_in_scope(
    db: &impl ConnectionTrait,
    scope: &Scope,
    id: Uuid,
) -> Result<volunteer::Model, ApiError> {
    let mut q = volunteer::Entity::find_by_id(id);
    if let Some(c) = scope_condition(scope) {
        q = q.filter(c);
    }
    q.one(db).await?.ok_or(ApiError::NotFound("volunteer"))
}

/// Whether the caller is the volunteer `id` themself.
pub fn is_self(user: &AuthUser, id: Uuid) -> bool {
    user.role == Role::Volunteer && user.volunteer_id == Some(id)
}

/// The select of the volunteer `id` as visible to `user`: themself, or an admin whose scope
/// covers them.
fn visible(user: &AuthUser, id: Uuid) -> sea_orm::Select<volunteer::Entity> {
    let q = volunteer::Entity::find_by_id(id);
    if is_self(user, id) {
        return q;
    }
    match scope_condition(&user.scope()) {
        Some(c) => q.filter(c),
        None => q,
    }
}

/// The volunteer as visible to `user`: themself, or an admin whose scope covers them; 404
/// otherwise.
///
/// # Errors
/// 404 `not_found`, database errors.
pub async fn get_visible(
    db: &impl ConnectionTrait,
    user: &AuthUser,
    id: Uuid,
) -> Result<volunteer::Model, ApiError> {
    visible(user, id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("volunteer"))
}

/// [`get_visible`] for a caller whose account is not checked yet: the check and the read are
/// one statement (see [`PendingAuth::fetch_one`]).
///
/// # Errors
/// 401 `account_disabled`, 404 `not_found`, database errors.
pub async fn get_visible_pending(
    db: &impl ConnectionTrait,
    caller: PendingAuth,
    id: Uuid,
) -> Result<volunteer::Model, ApiError> {
    let select = visible(caller.claims(), id);
    caller
        .fetch_one(db, select)
        .await?
        .1
        .ok_or(ApiError::NotFound("volunteer"))
}

/// `LIKE` pattern matching one whole item of a stored JSON array of strings: `"<item>"` with
/// its quotes, wildcards removed by `escape_like`.
fn item_pattern(item: &str) -> String {
    format!("%\"{}\"%", escape_like(item.trim()))
}

fn invalid_query(detail: &str) -> ApiError {
    ApiError::BadRequest {
        code: "invalid_query",
        detail: detail.into(),
    }
}

/// Lists volunteers in scope with filters (see [`VolunteerFilter`]), newest first. Reads on
/// [`AppState::read_db`].
///
/// # Errors
/// 400 `invalid_query` for a malformed region, mobile or ID number filter; database errors.
pub async fn list(
    state: &AppState,
    scope: &Scope,
    filter: &VolunteerFilter,
    page: u64,
    per_page: u64,
) -> Result<Page<volunteer::Model>, ApiError> {
    let empty = || Page {
        items: vec![],
        page,
        per_page,
        total: 0,
    };
    let db = &state.read_db;
    let mut q = volunteer::Entity::find();
    if let Some(c) = scope_condition(scope) {
        q = q.filter(c);
    }
    if let Some(org) = filter.organization_id {
        if !in_scope(db, scope, org).await? {
            return Ok(empty());
        }
        q = q.filter(linked_to_org(org));
    }
    if let Some(name) = filter
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        q = q.filter(volunteer::Column::RealName.like(format!("%{}%", escape_like(name))));
    }
    if let Some(code) = &filter.region_code {
        q = q.filter(region_condition(volunteer::Column::RegionCode, code)?);
    }
    if let Some(s) = filter.status {
        q = q.filter(volunteer::Column::Status.eq(s));
    }
    if let Some(skill) = filter.skill.as_deref().filter(|s| !s.trim().is_empty()) {
        q = q.filter(volunteer::Column::Skills.like(item_pattern(skill)));
    }
    if let Some(cat) = filter
        .service_category
        .as_deref()
        .filter(|s| !s.trim().is_empty())
    {
        q = q.filter(volunteer::Column::ServiceCategories.like(item_pattern(cat)));
    }
    if let Some(n) = filter.volunteer_number.as_deref() {
        q = q.filter(volunteer::Column::VolunteerNumber.eq(n.trim()));
    }
    if let Some(m) = filter.mobile.as_deref() {
        let m =
            Mobile::parse(m).map_err(|_| invalid_query("mobile is not a valid mobile number"))?;
        q = q.filter(volunteer::Column::Mobile.eq(m.as_str()));
    }
    if let Some(t) = filter.id_type {
        q = q.filter(volunteer::Column::IdType.eq(t));
    }
    if let Some(raw) = filter.id_number.as_deref() {
        let today = state.today();
        let kinds: Vec<IdType> = match filter.id_type {
            Some(t) => vec![t],
            None => vec![
                IdType::ResidentIdCard,
                IdType::HkMoTwResidencePermit,
                IdType::ForeignPermanentResidenceCard,
                IdType::Passport,
            ],
        };
        let hashes: Vec<String> = kinds
            .into_iter()
            .filter_map(|k| IdNumber::parse(id_kind(k), raw, today).ok())
            .map(|id| id_number_hash(&state.crypto, &id))
            .collect();
        if hashes.is_empty() {
            return Err(invalid_query("id_number is not a valid document number"));
        }
        q = q.filter(volunteer::Column::IdNumberHash.is_in(hashes));
    }
    crate::pagination::fetch(
        q.order_by_desc(volunteer::Column::CreatedAt)
            .order_by_desc(volunteer::Column::Id),
        db,
        page,
        per_page,
    )
    .await
}

// ---------------------------------------------------------------------------
// Changes
// ---------------------------------------------------------------------------

fn deregistered_conflict() -> ApiError {
    ApiError::Conflict {
        code: "volunteer_deregistered",
        detail: "the volunteer has deregistered".into(),
    }
}

/// Writes `active` to the row if its version is still `version` (optimistic concurrency at the
/// database, not only in memory), then reads it back.
async fn update_versioned(
    txn: &impl ConnectionTrait,
    id: Uuid,
    version: i32,
    mut active: volunteer::ActiveModel,
) -> Result<volunteer::Model, ApiError> {
    active.version = Set(version + 1);
    active.updated_at = Set(Utc::now());
    let res = volunteer::Entity::update_many()
        .set(active)
        .filter(volunteer::Column::Id.eq(id))
        .filter(volunteer::Column::Version.eq(version))
        .exec(txn)
        .await
        .map_err(map_insert_error)?;
    let row = volunteer::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or(ApiError::NotFound("volunteer"))?;
    if res.rows_affected == 0 {
        return Err(ApiError::VersionMismatch {
            current: row.version,
        });
    }
    crate::sync::changes::volunteers(
        txn,
        std::slice::from_ref(&row),
        crate::sync::changes::Operation::Update,
    )
    .await?;
    Ok(row)
}

/// Applies a profile patch. The volunteer themself may change contact and profile fields; an
/// admin in scope may also change `real_name`. A changed mobile is copied to the volunteer's
/// login account. Audit action `update` with the names of the fields that changed.
///
/// # Errors
/// 404 out of scope, 409 `volunteer_deregistered` / `duplicate_mobile`, 412 `version_mismatch`,
/// 422 validation (`field_not_editable` for a volunteer's `real_name`).
pub async fn update(
    db: &impl TransactionTrait,
    user: &AuthUser,
    actor: &Actor,
    id: Uuid,
    patch: VolunteerPatch,
) -> Result<volunteer::Model, ApiError> {
    let txn = db.begin().await?;
    let current = get_visible(&txn, user, id).await?;
    if current.status == VolunteerStatus::Deregistered {
        return Err(deregistered_conflict());
    }
    if current.version != patch.version {
        return Err(ApiError::VersionMismatch {
            current: current.version,
        });
    }
    let mut issues = Vec::new();
    let mut changed: Vec<&str> = Vec::new();
    let mut active = volunteer::ActiveModel::default();
    if let Some(n) = &patch.real_name {
        if is_self(user, id) {
            issues.push(FieldIssue::new(
                "real_name",
                "field_not_editable",
                "a volunteer cannot change their real name; ask an organization admin",
            ));
        } else {
            match PersonName::parse(n) {
                Ok(n) if n.as_str() != current.real_name => {
                    active.real_name = Set(n.as_str().to_owned());
                    changed.push("real_name");
                }
                Ok(_) => {}
                Err(e) => issues.push(issue("real_name", &e)),
            }
        }
    }
    let mut new_mobile = None;
    if let Some(m) = &patch.mobile {
        match Mobile::parse(m) {
            Ok(m) if m.as_str() != current.mobile => {
                active.mobile = Set(m.as_str().to_owned());
                new_mobile = Some(m.as_str().to_owned());
                changed.push("mobile");
            }
            Ok(_) => {}
            Err(e) => issues.push(issue("mobile", &e)),
        }
    }
    if patch.email.is_some() {
        let email = optional_email(&mut issues, patch.email.as_deref());
        if email != current.email {
            active.email = Set(email);
            changed.push("email");
        }
    }
    if let Some(r) = &patch.region_code {
        match check_region(&txn, "region_code", r).await {
            Ok(code) if code != current.region_code => {
                active.region_code = Set(code);
                changed.push("region_code");
            }
            Ok(_) => {}
            Err(ApiError::Validation(mut v)) => issues.append(&mut v),
            Err(e) => return Err(e),
        }
    }
    if let Some(items) = &patch.skills {
        let stored = json_list(&clean_items(&mut issues, "skills", items));
        if stored != current.skills {
            active.skills = Set(stored);
            changed.push("skills");
        }
    }
    if let Some(items) = &patch.service_categories {
        let stored = json_list(&clean_items(&mut issues, "service_categories", items));
        if stored != current.service_categories {
            active.service_categories = Set(stored);
            changed.push("service_categories");
        }
    }
    if patch.political_status.is_some() {
        let v = optional_text(
            &mut issues,
            "political_status",
            patch.political_status.as_deref(),
            MAX_SHORT_TEXT_CHARS,
        );
        if v != current.political_status {
            active.political_status = Set(v);
            changed.push("political_status");
        }
    }
    if patch.education.is_some() {
        let v = optional_text(
            &mut issues,
            "education",
            patch.education.as_deref(),
            MAX_SHORT_TEXT_CHARS,
        );
        if v != current.education {
            active.education = Set(v);
            changed.push("education");
        }
    }
    if !issues.is_empty() {
        return Err(ApiError::Validation(issues));
    }
    if changed.is_empty() {
        txn.commit().await?;
        return Ok(current);
    }
    // The login follows the profile's mobile; volunteers registered by an admin have no login
    // yet, so nothing to keep unique for them.
    if let Some(m) = &new_mobile
        && account::Entity::find()
            .filter(account::Column::VolunteerId.eq(id))
            .count(&txn)
            .await?
            > 0
    {
        ensure_mobile_free(&txn, m, Some(id)).await?;
        account::Entity::update_many()
            .col_expr(account::Column::Mobile, Expr::value(m.clone()))
            .filter(account::Column::VolunteerId.eq(id))
            .exec(&txn)
            .await
            .map_err(map_insert_error)?;
    }
    let updated = update_versioned(&txn, id, current.version, active).await?;
    audit::record(
        &txn,
        actor,
        Entry {
            action: "update",
            entity_type: "volunteer",
            entity_id: id,
            fields: changed.into_iter().map(String::from).collect(),
            reason: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// Field names cleared or replaced on deregistration (audit).
const DEREGISTERED_FIELDS: [&str; 14] = [
    "status",
    "deregistered_at",
    "real_name",
    "mobile",
    "email",
    "skills",
    "political_status",
    "education",
    "guardian",
    "id_number",
    "id_number_hash",
    "id_number_masked",
    "account.status",
    "memberships",
];

/// Deregisters a volunteer (DESIGN.md §3: "anonymise the person, keep the ledger"): status
/// `deregistered`; real name → `已注销`; mobile, ID number ciphertext and masked copy → empty;
/// e-mail, skills, political status, education and guardian cleared; the ID hash replaced by
/// `deregistered:<id>` so the person can register again later. The row and its id stay, so
/// service records remain linked; gender, birth date, region and service categories are kept
/// for statistics. The login account is disabled, its mobile freed and its refresh tokens
/// revoked; pending and active memberships become `left`.
///
/// # Errors
/// 404 out of scope, 409 `already_deregistered`, database errors.
pub async fn deregister(
    db: &impl TransactionTrait,
    user: &AuthUser,
    actor: &Actor,
    id: Uuid,
) -> Result<volunteer::Model, ApiError> {
    let txn = db.begin().await?;
    let current = get_visible(&txn, user, id).await?;
    if current.status == VolunteerStatus::Deregistered {
        return Err(ApiError::Conflict {
            code: "already_deregistered",
            detail: "the volunteer has already deregistered".into(),
        });
    }
    let now = Utc::now();
    let active = volunteer::ActiveModel {
        status: Set(VolunteerStatus::Deregistered),
        deregistered_at: Set(Some(now)),
        real_name: Set(DEREGISTERED_NAME.to_owned()),
        mobile: Set(String::new()),
        email: Set(None),
        skills: Set("[]".to_owned()),
        political_status: Set(None),
        education: Set(None),
        guardian_name: Set(None),
        guardian_relation: Set(None),
        guardian_mobile: Set(None),
        guardian_consented_at: Set(None),
        id_number_ciphertext: Set(String::new()),
        id_number_hash: Set(format!("deregistered:{id}")),
        id_number_masked: Set(String::new()),
        ..Default::default()
    };
    let updated = update_versioned(&txn, id, current.version, active).await?;
    account::Entity::update_many()
        .col_expr(
            account::Column::Status,
            Expr::value(AccountStatus::Disabled),
        )
        .col_expr(account::Column::Mobile, Expr::value(None::<String>))
        .filter(account::Column::VolunteerId.eq(id))
        .exec(&txn)
        .await?;
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(now))
        .filter(
            refresh_token::Column::AccountId.in_subquery(
                Query::select()
                    .column(account::Column::Id)
                    .from(account::Entity)
                    .and_where(account::Column::VolunteerId.eq(id))
                    .to_owned(),
            ),
        )
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    membership::Entity::update_many()
        .col_expr(
            membership::Column::Status,
            Expr::value(MembershipStatus::Left),
        )
        .col_expr(membership::Column::DecidedAt, Expr::value(now))
        .filter(membership::Column::VolunteerId.eq(id))
        .filter(
            membership::Column::Status.is_in([MembershipStatus::Pending, MembershipStatus::Active]),
        )
        .exec(&txn)
        .await?;
    crate::sync::changes::memberships_of(&txn, id).await?;
    audit::record(
        &txn,
        actor,
        Entry {
            action: "deregister",
            entity_type: "volunteer",
            entity_id: id,
            fields: DEREGISTERED_FIELDS
                .iter()
                .map(|f| (*f).to_owned())
                .collect(),
            reason: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// Shortest accepted unmask reason, in characters.
pub const UNMASK_REASON_MIN_CHARS: usize = 4;
/// Longest accepted unmask reason, in characters.
pub const UNMASK_REASON_MAX_CHARS: usize = 200;

/// Reveals a volunteer's full ID number and mobile to an admin in scope, after writing an audit
/// row (action `unmask`, fields `id_number` and `mobile`, the reason). Nothing is returned unless
/// the audit row was written.
///
/// # Errors
/// 422 on `reason` (`text_too_short`, `text_too_long`, `text_empty`, `text_characters`), 404 out
/// of scope, 409 `volunteer_deregistered`, 500 when the ciphertext cannot be decrypted.
pub async fn unmask(
    db: &impl ConnectionTrait,
    crypto: &FieldCrypto,
    scope: &Scope,
    actor: &Actor,
    id: Uuid,
    reason: &str,
) -> Result<UnmaskOut, ApiError> {
    let reason = clean_text(reason, UNMASK_REASON_MAX_CHARS)
        .map_err(|e| ApiError::Validation(vec![issue("reason", &e)]))?;
    if reason.chars().count() < UNMASK_REASON_MIN_CHARS {
        return Err(ApiError::field(
            "reason",
            "text_too_short",
            format!("give a reason of at least {UNMASK_REASON_MIN_CHARS} characters"),
        ));
    }
    let v = find_in_scope(db, scope, id).await?;
    if v.status == VolunteerStatus::Deregistered {
        return Err(deregistered_conflict());
    }
    let id_number = crypto
        .decrypt(&v.id_number_ciphertext)
        .map_err(ApiError::internal)?;
    audit::record(
        db,
        actor,
        Entry {
            action: "unmask",
            entity_type: "volunteer",
            entity_id: id,
            fields: vec!["id_number".into(), "mobile".into()],
            reason: Some(reason),
        },
    )
    .await?;
    Ok(UnmaskOut {
        id_type: v.id_type,
        id_number,
        mobile: v.mobile,
    })
}

/// Suspends (`suspended`: barred from signing up) or reactivates (`active`) a volunteer in the
/// admin's scope. Setting the current status again changes nothing. Audit action `suspend` /
/// `activate`.
///
/// # Errors
/// 404 out of scope, 409 `volunteer_deregistered`, 500 for another target status.
pub async fn set_status(
    db: &impl TransactionTrait,
    scope: &Scope,
    actor: &Actor,
    id: Uuid,
    status: VolunteerStatus,
) -> Result<volunteer::Model, ApiError> {
    let action = match status {
        VolunteerStatus::Suspended => "suspend",
        VolunteerStatus::Active => "activate",
        _ => return Err(ApiError::Internal("unsupported status change".into())),
    };
    let txn = db.begin().await?;
    let current = find_in_scope(&txn, scope, id).await?;
    if current.status == VolunteerStatus::Deregistered {
        return Err(deregistered_conflict());
    }
    if current.status == status {
        txn.commit().await?;
        return Ok(current);
    }
    let active = volunteer::ActiveModel {
        status: Set(status),
        ..Default::default()
    };
    let updated = update_versioned(&txn, id, current.version, active).await?;
    audit::record(
        &txn,
        actor,
        Entry {
            action,
            entity_type: "volunteer",
            entity_id: id,
            fields: vec!["status".into()],
            reason: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, reason = "tests may panic")]
mod tests {
    use super::*;

    fn crypto() -> FieldCrypto {
        FieldCrypto::new(&[9u8; 32])
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// A valid resident ID number for a birth date and sequence (GB 11643-1999 §5.5).
    fn id_card(birth: &str, seq: &str) -> String {
        let body = format!("110105{birth}{seq}");
        let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        let sum: u32 = body
            .bytes()
            .zip(weights)
            .map(|(b, w)| u32::from(b - b'0') * w)
            .sum();
        let check = b"10X98765432"[(sum % 11) as usize] as char;
        format!("{body}{check}")
    }

    fn input(id_number: &str) -> VolunteerInput {
        VolunteerInput {
            real_name: "张三".into(),
            id_type: IdType::ResidentIdCard,
            id_number: id_number.into(),
            gender: None,
            birth_date: None,
            mobile: "+86 138 1234 1234".into(),
            email: None,
            region_code: "320102".into(),
            skills: vec!["急救".into(), " 急救 ".into(), "摄影".into()],
            service_categories: vec![],
            political_status: Some(" ".into()),
            education: Some("本科".into()),
            guardian: None,
        }
    }

    fn codes(r: Result<PreparedVolunteer, Vec<FieldIssue>>) -> Vec<(String, String)> {
        r.err()
            .unwrap_or_default()
            .into_iter()
            .map(|i| (i.field, i.code))
            .collect()
    }

    #[test]
    fn a_valid_adult_is_normalised() {
        let today = d(2026, 11, 30);
        let p = validate(
            &crypto(),
            &input(&id_card("19900101", "001")),
            today,
            14,
            &|c| c == "320102",
        )
        .unwrap();
        assert_eq!(p.mobile, "13812341234");
        assert_eq!(p.birth_date, d(1990, 1, 1));
        assert_eq!(p.skills, vec!["急救".to_owned(), "摄影".to_owned()]);
        assert_eq!(p.political_status, None);
        assert!(p.guardian.is_none());
        assert!(!p.id_number_ciphertext.contains("19900101"));
        assert_eq!(p.id_number_masked.len(), 18);
    }

    #[test]
    fn all_problems_are_reported_at_once() {
        let mut i = input("110105199001010014");
        i.real_name = "张\u{7}三".into();
        i.mobile = "12345".into();
        i.region_code = "999999".into();
        i.skills = vec!["x".repeat(33)];
        let got = codes(validate(&crypto(), &i, d(2026, 1, 1), 14, &|_| false));
        assert!(got.contains(&("real_name".into(), "name_characters".into())));
        assert!(got.contains(&("id_number".into(), "id_number_checksum".into())));
        assert!(got.contains(&("mobile".into(), "mobile_format".into())));
        assert!(got.contains(&("region_code".into(), "region_unknown".into())));
        assert!(got.contains(&("skills[0]".into(), "text_too_long".into())));
    }

    #[test]
    fn declared_birth_date_and_gender_must_match_the_id() {
        let mut i = input(&id_card("19900101", "001"));
        i.birth_date = Some(d(1990, 1, 2));
        i.gender = Some(Gender::Female);
        let got = codes(validate(&crypto(), &i, d(2026, 1, 1), 14, &|_| true));
        assert_eq!(
            got,
            vec![
                ("birth_date".into(), "birth_date_mismatch".into()),
                ("gender".into(), "gender_mismatch".into())
            ]
        );
    }

    #[test]
    fn passports_need_birth_date_and_gender() {
        let mut i = input("E12345678");
        i.id_type = IdType::Passport;
        let got = codes(validate(&crypto(), &i, d(2026, 1, 1), 14, &|_| true));
        assert_eq!(
            got,
            vec![
                ("birth_date".into(), "required".into()),
                ("gender".into(), "required".into())
            ]
        );
        i.birth_date = Some(d(1980, 5, 5));
        i.gender = Some(Gender::Male);
        assert!(validate(&crypto(), &i, d(2026, 1, 1), 14, &|_| true).is_ok());
    }

    #[test]
    fn minors_need_a_consenting_guardian_and_children_are_refused() {
        let today = d(2026, 6, 1);
        let thirteen = input(&id_card("20130602", "001"));
        assert_eq!(
            codes(validate(&crypto(), &thirteen, today, 14, &|_| true)),
            vec![("birth_date".into(), "below_minimum_age".into())]
        );
        let mut sixteen = input(&id_card("20100101", "001"));
        assert_eq!(
            codes(validate(&crypto(), &sixteen, today, 14, &|_| true)),
            vec![("guardian".into(), "guardian_consent_required".into())]
        );
        sixteen.guardian = Some(GuardianIn {
            name: "张建国".into(),
            relation: "父亲".into(),
            mobile: "13912345678".into(),
            consent: false,
        });
        assert_eq!(
            codes(validate(&crypto(), &sixteen, today, 14, &|_| true)),
            vec![(
                "guardian.consent".into(),
                "guardian_consent_required".into()
            )]
        );
        if let Some(g) = sixteen.guardian.as_mut() {
            g.consent = true;
        }
        let p = validate(&crypto(), &sixteen, today, 14, &|_| true).unwrap();
        assert_eq!(p.guardian.unwrap().relation, "父亲");
    }

    #[test]
    fn a_lone_age_rule_becomes_the_problem_code() {
        let e = issues_to_error(vec![FieldIssue::new(
            "birth_date",
            "below_minimum_age",
            "x",
        )]);
        assert_eq!(e.code(), "below_minimum_age");
        let e = issues_to_error(vec![
            FieldIssue::new("birth_date", "below_minimum_age", "x"),
            FieldIssue::new("mobile", "mobile_format", "x"),
        ]);
        assert_eq!(e.code(), "validation_failed");
    }

    #[test]
    fn volunteer_numbers_have_twelve_digits() {
        assert_eq!(volunteer_number(2026, 1).unwrap(), "202600000001");
        assert_eq!(volunteer_number(2026, 99_999_999).unwrap(), "202699999999");
        assert!(volunteer_number(2026, 100_000_000).is_err());
        assert!(volunteer_number(2026, 0).is_err());
    }

    #[test]
    fn too_many_items_are_refused() {
        let mut issues = Vec::new();
        let items: Vec<String> = (0..21).map(|i| format!("s{i}")).collect();
        clean_items(&mut issues, "skills", &items);
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].code, "too_many_items");
    }

    #[test]
    fn id_kinds_round_trip() {
        for t in [
            IdType::ResidentIdCard,
            IdType::HkMoTwResidencePermit,
            IdType::ForeignPermanentResidenceCard,
            IdType::Passport,
        ] {
            assert_eq!(id_type(id_kind(t)), t);
        }
    }
}
