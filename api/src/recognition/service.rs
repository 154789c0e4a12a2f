//! Mutual recognition (互认, DESIGN.md §3 "Partner platforms and sync"; issue 7): export of
//! approved records and certificates as signed documents, the registry of other platforms'
//! keys, public verification, and the import of other platforms' records into the ledger.
//!
//! Hours are never counted twice:
//! - one origin record is imported at most once (`recognized_records` unique on
//!   `(issuer, original_record_id)` and on the document hash; 409 `already_recognized`);
//! - the imported record goes through the ledger ([`insert_record`]), whose overlap check sees
//!   every approved record of the volunteer; a recognised record overlapping one is refused
//!   (409 `overlaps_existing_record`) rather than held as a conflict, so the same activity
//!   arriving from two platforms (two origin records, one interval) is counted once;
//! - this platform's own documents are refused for import (their records are in the ledger).

use chrono::{DateTime, SecondsFormat, Utc};
use entity::enums::{CertificateStatus, Role, ServiceRecordStatus, VolunteerStatus};
use entity::recognition::{
    PlatformKeyStatus, RecognizedPlatformStatus, SignedDocumentKind, recognized_platform,
    recognized_platform_key, recognized_record, signed_document,
};
use entity::{certificate, certificate_record, organization, service_record, volunteer};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, Condition, ConnectionTrait,
    EntityTrait as _, QueryFilter as _, QueryOrder as _, TransactionTrait as _,
};
use sha2::{Digest as _, Sha256};
use uuid::Uuid;

use super::document::{
    self, CertificateClaims, DocumentClaims, MAX_ISSUER_CHARS, MAX_RECORD_ID_CHARS, Reason,
    RecordClaims, Unverified,
};
use super::dto::{
    JwkIn, PlatformFilter, RecognitionIn, RecognizedPlatformIn, RecognizedPlatformPatch,
    RecognizedRecordFilter, VerifyDocumentOut,
};
use crate::audit::{self, Actor, Entry};
use crate::auth::{AuthUser, Scope};
use crate::crypto::hex;
use crate::error::{ApiError, FieldIssue};
use crate::organizations::service::get_scoped;
use crate::pagination::Page;
use crate::records::certificates::{get_visible_certificate, mask_name};
use crate::records::service::{
    NewRecord, RecordText, find_scoped, get_visible_record, insert_record, scope_condition,
};
use crate::state::AppState;
use crate::volunteers::domain::clean_text;
use crate::volunteers::service::find_in_scope;

/// Ledger source of records imported from other platforms' signed documents.
pub const SOURCE_RECOGNIZED: &str = "recognized";

/// Most keys one registration may carry.
pub const MAX_KEYS_PER_REQUEST: usize = 10;

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Lowercase hex SHA-256 of a compact document.
pub fn document_hash(document: &str) -> String {
    hex(&Sha256::digest(document.as_bytes()))
}

fn status_text(s: ServiceRecordStatus) -> String {
    serde_json::to_value(s)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

async fn org_name(db: &impl ConnectionTrait, id: Uuid) -> Result<String, ApiError> {
    Ok(organization::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(|o| o.name)
        .unwrap_or_default())
}

fn record_claims(
    r: &service_record::Model,
    vol: &volunteer::Model,
    organization_name: String,
) -> RecordClaims {
    RecordClaims {
        id: r.id.to_string(),
        volunteer_number: vol.volunteer_number.clone(),
        masked_name: mask_name(&vol.real_name),
        masked_id_number: vol.id_number_masked.clone(),
        organization_id: r.organization_id.to_string(),
        organization_name,
        activity_name: r.activity_name.clone(),
        service_category: r.service_category.clone(),
        place: r.place.clone(),
        content: r.content.clone(),
        started_at: rfc3339(r.started_at),
        ended_at: rfc3339(r.ended_at),
        minutes: r.minutes,
        status: status_text(r.status),
        approved_at: (r.status == ServiceRecordStatus::Approved)
            .then_some(r.decided_at)
            .flatten()
            .map(rfc3339),
    }
}

// ---------------------------------------------------------------------------
// Export
// ---------------------------------------------------------------------------

#[expect(
    clippy::too_many_arguments,
    reason = "one row's worth of columns, named at the call sites"
)]
async fn store_document(
    txn: &impl ConnectionTrait,
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    now: DateTime<Utc>,
    claims: &DocumentClaims,
    volunteer_id: Uuid,
    subject: (Option<Uuid>, Option<Uuid>),
) -> Result<signed_document::Model, ApiError> {
    let key = state
        .signer
        .jws_encoding_key()
        .map_err(|e| ApiError::Internal(format!("platform key: {e}").into()))?;
    let compact =
        document::sign(claims, &key, state.signer.key_id()).map_err(ApiError::internal)?;
    let model = signed_document::ActiveModel {
        id: Set(id),
        kind: Set(claims.kind),
        service_record_id: Set(subject.0),
        certificate_id: Set(subject.1),
        volunteer_id: Set(volunteer_id),
        document_hash: Set(document_hash(&compact)),
        document: Set(compact),
        key_id: Set(state.signer.key_id().to_owned()),
        exported_by: Set(actor.account_id),
        created_at: Set(now),
    }
    .insert(txn)
    .await?;
    audit::record(
        txn,
        actor,
        Entry {
            action: "export",
            entity_type: "signed_document",
            entity_id: id,
            fields: vec![match claims.kind {
                SignedDocumentKind::ServiceRecord => "service_record_id".into(),
                SignedDocumentKind::Certificate => "certificate_id".into(),
            }],
            reason: None,
        },
    )
    .await?;
    Ok(model)
}

/// Exports an approved service record as a signed document (the volunteer themself, admins
/// whose scope covers the record's organization, platform admins).
///
/// # Errors
/// 404 missing or not visible, 409 `record_not_approved`; database errors.
pub async fn export_record(
    state: &AppState,
    user: &AuthUser,
    actor: &Actor,
    record_id: Uuid,
) -> Result<signed_document::Model, ApiError> {
    let txn = state.db.begin().await?;
    let r = get_visible_record(&txn, user, record_id).await?;
    if r.status != ServiceRecordStatus::Approved {
        return Err(ApiError::Conflict {
            code: "record_not_approved",
            detail: "only an approved record can be exported as a signed document".into(),
        });
    }
    let vol = volunteer::Entity::find_by_id(r.volunteer_id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("service record"))?;
    let id = Uuid::now_v7();
    let now = Utc::now();
    let claims = DocumentClaims {
        iss: state.settings.platform_issuer.clone(),
        jti: id.to_string(),
        iat: now.timestamp(),
        kind: SignedDocumentKind::ServiceRecord,
        record: Some(record_claims(
            &r,
            &vol,
            org_name(&txn, r.organization_id).await?,
        )),
        certificate: None,
    };
    let model = store_document(
        &txn,
        state,
        actor,
        id,
        now,
        &claims,
        vol.id,
        (Some(r.id), None),
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

/// Exports a valid certificate as a signed document carrying its serial and covered records
/// (its volunteer, admins whose scope covers the volunteer, platform admins).
///
/// # Errors
/// 404 missing or not visible, 409 `certificate_not_valid` (revoked or superseded); database
/// errors.
pub async fn export_certificate(
    state: &AppState,
    user: &AuthUser,
    actor: &Actor,
    serial: &str,
) -> Result<signed_document::Model, ApiError> {
    let txn = state.db.begin().await?;
    let cert = get_visible_certificate(&txn, user, serial).await?;
    if cert.status != CertificateStatus::Valid {
        return Err(ApiError::Conflict {
            code: "certificate_not_valid",
            detail: "only a valid certificate can be exported as a signed document".into(),
        });
    }
    let vol = volunteer::Entity::find_by_id(cert.volunteer_id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("certificate"))?;
    let records = service_record::Entity::find()
        .filter(
            service_record::Column::Id.in_subquery(
                Query::select()
                    .column(certificate_record::Column::RecordId)
                    .from(certificate_record::Entity)
                    .and_where(certificate_record::Column::CertificateId.eq(cert.id))
                    .to_owned(),
            ),
        )
        .order_by_asc(service_record::Column::StartedAt)
        .order_by_asc(service_record::Column::Id)
        .all(&txn)
        .await?;
    let mut names = std::collections::HashMap::new();
    let mut record_list = Vec::with_capacity(records.len());
    for r in &records {
        let name = match names.get(&r.organization_id) {
            Some(n) => String::clone(n),
            None => {
                let n = org_name(&txn, r.organization_id).await?;
                names.insert(r.organization_id, n.clone());
                n
            }
        };
        record_list.push(record_claims(r, &vol, name));
    }
    let id = Uuid::now_v7();
    let now = Utc::now();
    let claims = DocumentClaims {
        iss: state.settings.platform_issuer.clone(),
        jti: id.to_string(),
        iat: now.timestamp(),
        kind: SignedDocumentKind::Certificate,
        record: None,
        certificate: Some(CertificateClaims {
            serial: cert.serial.clone(),
            volunteer_number: vol.volunteer_number.clone(),
            masked_name: cert.masked_name.clone(),
            masked_id_number: cert.masked_id_number.clone(),
            issuing_organization_id: cert.issuing_organization_id.to_string(),
            issuing_organization_name: cert.issuing_organization_name.clone(),
            issued_at: rfc3339(cert.issued_at),
            total_minutes: cert.total_minutes,
            status: "valid".into(),
            records: record_list,
        }),
    };
    let model = store_document(
        &txn,
        state,
        actor,
        id,
        now,
        &claims,
        vol.id,
        (None, Some(cert.id)),
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

/// An exported document, visible to whoever may export its subject.
///
/// # Errors
/// 404 missing or not visible; database errors.
pub async fn get_document(
    state: &AppState,
    user: &AuthUser,
    id: Uuid,
) -> Result<signed_document::Model, ApiError> {
    let d = signed_document::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or(ApiError::NotFound("signed document"))?;
    let visible = match (d.service_record_id, d.certificate_id) {
        (Some(r), _) => get_visible_record(&state.db, user, r).await.is_ok(),
        (None, Some(c)) => match certificate::Entity::find_by_id(c).one(&state.db).await? {
            Some(cert) => get_visible_certificate(&state.db, user, &cert.serial)
                .await
                .is_ok(),
            None => false,
        },
        (None, None) => false,
    };
    if visible {
        Ok(d)
    } else {
        Err(ApiError::NotFound("signed document"))
    }
}

// ---------------------------------------------------------------------------
// Verification
// ---------------------------------------------------------------------------

/// The result of checking a document.
#[derive(Debug)]
pub struct Verdict {
    /// Header and issuer as read (absent when unreadable).
    pub read: Option<Unverified>,
    /// Whether the issuer is this platform.
    pub own: bool,
    /// Registered name of another issuer.
    pub issuer_name: Option<String>,
    /// The verified claims, or why not.
    pub outcome: Result<DocumentClaims, Reason>,
}

/// Whether this platform's record / certificate named by verified `claims` still stands.
async fn own_state(
    db: &impl ConnectionTrait,
    claims: &DocumentClaims,
) -> Result<Option<Reason>, ApiError> {
    if let Some(r) = &claims.record {
        let Ok(id) = Uuid::parse_str(&r.id) else {
            return Ok(Some(Reason::UnknownRecord));
        };
        let Some(rec) = service_record::Entity::find_by_id(id).one(db).await? else {
            return Ok(Some(Reason::UnknownRecord));
        };
        return Ok(match rec.status {
            ServiceRecordStatus::Approved => None,
            ServiceRecordStatus::Voided => Some(Reason::RecordVoided),
            ServiceRecordStatus::Superseded => Some(Reason::RecordSuperseded),
            ServiceRecordStatus::Pending | ServiceRecordStatus::Rejected => {
                Some(Reason::RecordNotApproved)
            }
        });
    }
    if let Some(c) = &claims.certificate {
        let cert = certificate::Entity::find()
            .filter(certificate::Column::Serial.eq(c.serial.as_str()))
            .one(db)
            .await?;
        return Ok(match cert.map(|c| c.status) {
            None => Some(Reason::UnknownCertificate),
            Some(CertificateStatus::Valid) => None,
            Some(CertificateStatus::Revoked) => Some(Reason::CertificateRevoked),
            Some(CertificateStatus::Superseded) => Some(Reason::CertificateSuperseded),
        });
    }
    Ok(Some(Reason::Malformed))
}

/// Checks a compact document: structure and `alg` first, then the signature against this
/// platform's key (when `iss` is this platform's issuer id) or the registered active key
/// `kid` of the issuing platform, then for this platform's own documents whether the record is
/// still approved / the certificate still valid. Other platforms' records cannot be checked
/// beyond their signature and the state of their key.
///
/// # Errors
/// Database errors only: every fault of the document is a [`Reason`].
pub async fn check(state: &AppState, compact: &str) -> Result<Verdict, ApiError> {
    let compact = compact.trim();
    let read = match document::read_unverified(compact) {
        Ok(r) => r,
        Err(reason) => {
            return Ok(Verdict {
                read: None,
                own: false,
                issuer_name: None,
                outcome: Err(reason),
            });
        }
    };
    let verdict = |own: bool, issuer_name: Option<String>, outcome| Verdict {
        read: Some(read.clone()),
        own,
        issuer_name,
        outcome,
    };
    if read.iss == state.settings.platform_issuer {
        if read.kid != state.signer.key_id() {
            return Ok(verdict(true, None, Err(Reason::UnknownKey)));
        }
        let outcome = document::verify_signature(
            compact,
            &state.signer.public_key_b64url(),
            &read.iss,
            &read.typ,
        );
        let outcome = match outcome {
            Ok(claims) => match own_state(&state.db, &claims).await? {
                None => Ok(claims),
                Some(reason) => Err(reason),
            },
            Err(r) => Err(r),
        };
        return Ok(verdict(true, None, outcome));
    }
    let Some(platform) = recognized_platform::Entity::find()
        .filter(recognized_platform::Column::Issuer.eq(read.iss.as_str()))
        .one(&state.db)
        .await?
    else {
        return Ok(verdict(false, None, Err(Reason::UnknownIssuer)));
    };
    let name = Some(platform.name.clone());
    if platform.status != RecognizedPlatformStatus::Active {
        return Ok(verdict(false, name, Err(Reason::IssuerSuspended)));
    }
    let Some(key) = recognized_platform_key::Entity::find()
        .filter(recognized_platform_key::Column::PlatformId.eq(platform.id))
        .filter(recognized_platform_key::Column::Kid.eq(read.kid.as_str()))
        .one(&state.db)
        .await?
    else {
        return Ok(verdict(false, name, Err(Reason::UnknownKey)));
    };
    if key.status != PlatformKeyStatus::Active {
        return Ok(verdict(false, name, Err(Reason::RevokedKey)));
    }
    let outcome = document::verify_signature(compact, &key.x, &read.iss, &read.typ);
    Ok(verdict(false, name, outcome))
}

/// Public verification of a document (see [`check`]).
///
/// # Errors
/// Database errors only.
pub async fn verify(state: &AppState, compact: &str) -> Result<VerifyDocumentOut, ApiError> {
    let v = check(state, compact).await?;
    let (valid, reason, payload) = match v.outcome {
        Ok(claims) => (true, None, Some(claims)),
        Err(r) => (false, Some(r), None),
    };
    Ok(VerifyDocumentOut {
        valid,
        reason,
        issuer: v.read.as_ref().map(|r| r.iss.clone()),
        issuer_name: v.issuer_name,
        own_document: v.own,
        key_id: v.read.as_ref().map(|r| r.kid.clone()),
        typ: v.read.map(|r| r.typ),
        payload,
    })
}

// ---------------------------------------------------------------------------
// Recognised platforms and keys
// ---------------------------------------------------------------------------

/// A validated public key: `(kid, x)`.
fn parse_jwk(issues: &mut Vec<FieldIssue>, path: &str, jwk: &JwkIn) -> Option<(String, String)> {
    let before = issues.len();
    let at = |f: &str| {
        if path.is_empty() {
            f.to_owned()
        } else {
            format!("{path}.{f}")
        }
    };
    if jwk.d.is_some() {
        issues.push(FieldIssue::new(
            at("d"),
            "private_key_given",
            "send the public key only; the private key (d) never leaves its platform",
        ));
    }
    if jwk.kty != "OKP" || jwk.crv != "Ed25519" {
        issues.push(FieldIssue::new(
            at("kty"),
            "unsupported_key_type",
            "only Ed25519 keys (kty OKP, crv Ed25519) are accepted",
        ));
    }
    if jwk.alg.as_deref().is_some_and(|a| a != "EdDSA") {
        issues.push(FieldIssue::new(
            at("alg"),
            "unsupported_algorithm",
            "alg must be EdDSA",
        ));
    }
    if jwk.use_.as_deref().is_some_and(|u| u != "sig") {
        issues.push(FieldIssue::new(
            at("use"),
            "unsupported_use",
            "use must be sig",
        ));
    }
    let kid_ok = (1..=64).contains(&jwk.kid.chars().count())
        && jwk
            .kid
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | ':' | '-'));
    if !kid_ok {
        issues.push(FieldIssue::new(
            at("kid"),
            "kid_format",
            "kid is 1–64 characters of A–Z a–z 0–9 . _ : -",
        ));
    }
    let x_ok = {
        use base64::Engine as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(jwk.x.as_bytes())
            .ok()
            .and_then(|b| <[u8; 32]>::try_from(b.as_slice()).ok())
            .and_then(|b| ed25519_dalek::VerifyingKey::from_bytes(&b).ok())
            .is_some_and(|k| !k.is_weak())
    };
    if !x_ok {
        issues.push(FieldIssue::new(
            at("x"),
            "invalid_public_key",
            "x must be base64url (no padding) of a valid 32-byte Ed25519 public key",
        ));
    }
    (issues.len() == before).then(|| (jwk.kid.clone(), jwk.x.clone()))
}

fn parse_issuer(issues: &mut Vec<FieldIssue>, own: &str, raw: &str) -> String {
    let issuer = raw.trim().to_owned();
    let n = issuer.chars().count();
    if n == 0
        || n > MAX_ISSUER_CHARS
        || issuer.contains('#')
        || issuer.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        issues.push(FieldIssue::new(
            "issuer",
            "issuer_format",
            "issuer is 1–64 characters without spaces or '#'",
        ));
    } else if issuer == own {
        issues.push(FieldIssue::new(
            "issuer",
            "own_issuer",
            "this is this platform's own issuer id; its key is already known",
        ));
    }
    issuer
}

fn parse_name(issues: &mut Vec<FieldIssue>, raw: &str) -> String {
    match clean_text(raw, 200) {
        Ok(v) => v,
        Err(e) => {
            issues.push(FieldIssue::new("name", e.code, e.message));
            String::new()
        }
    }
}

/// Adds a field issue when `partner_platform_id` names no registered partner platform.
async fn check_partner(
    db: &impl ConnectionTrait,
    issues: &mut Vec<FieldIssue>,
    partner_platform_id: Option<Uuid>,
) -> Result<(), ApiError> {
    if let Some(p) = partner_platform_id
        && entity::partners::partner_platform::Entity::find_by_id(p)
            .one(db)
            .await?
            .is_none()
    {
        issues.push(FieldIssue::new(
            "partner_platform_id",
            "partner_platform_not_found",
            "no partner platform has this id",
        ));
    }
    Ok(())
}

async fn platform_keys(
    db: &impl ConnectionTrait,
    platform_id: Uuid,
) -> Result<Vec<recognized_platform_key::Model>, ApiError> {
    Ok(recognized_platform_key::Entity::find()
        .filter(recognized_platform_key::Column::PlatformId.eq(platform_id))
        .order_by_asc(recognized_platform_key::Column::CreatedAt)
        .order_by_asc(recognized_platform_key::Column::Id)
        .all(db)
        .await?)
}

fn key_row(platform_id: Uuid, kid: String, x: String) -> recognized_platform_key::ActiveModel {
    recognized_platform_key::ActiveModel {
        id: Set(Uuid::now_v7()),
        platform_id: Set(platform_id),
        kid: Set(kid),
        x: Set(x),
        status: Set(PlatformKeyStatus::Active),
        created_at: Set(Utc::now()),
        revoked_at: Set(None),
    }
}

/// Registers another platform with its public keys (platform admins).
///
/// # Errors
/// 422 validation (`issuer_format`, `own_issuer`, name, `keys_count`, `duplicate_kid`, key
/// faults), 409 `issuer_taken`; database errors.
pub async fn create_platform(
    state: &AppState,
    actor: &Actor,
    input: RecognizedPlatformIn,
) -> Result<
    (
        recognized_platform::Model,
        Vec<recognized_platform_key::Model>,
    ),
    ApiError,
> {
    let mut issues = Vec::new();
    let issuer = parse_issuer(&mut issues, &state.settings.platform_issuer, &input.issuer);
    let name = parse_name(&mut issues, &input.name);
    if input.keys.is_empty() || input.keys.len() > MAX_KEYS_PER_REQUEST {
        issues.push(FieldIssue::new(
            "keys",
            "keys_count",
            "give 1 to 10 public keys",
        ));
    }
    let mut keys = Vec::new();
    for (i, k) in input.keys.iter().enumerate() {
        if let Some((kid, x)) = parse_jwk(&mut issues, &format!("keys[{i}]"), k) {
            if keys.iter().any(|(seen, _)| *seen == kid) {
                issues.push(FieldIssue::new(
                    format!("keys[{i}].kid"),
                    "duplicate_kid",
                    "two keys have the same kid",
                ));
            }
            keys.push((kid, x));
        }
    }
    check_partner(&state.db, &mut issues, input.partner_platform_id).await?;
    if !issues.is_empty() {
        return Err(ApiError::Validation(issues));
    }
    let txn = state.db.begin().await?;
    if recognized_platform::Entity::find()
        .filter(recognized_platform::Column::Issuer.eq(issuer.as_str()))
        .one(&txn)
        .await?
        .is_some()
    {
        return Err(issuer_taken());
    }
    let id = Uuid::now_v7();
    let now = Utc::now();
    let platform = recognized_platform::ActiveModel {
        id: Set(id),
        issuer: Set(issuer),
        name: Set(name),
        status: Set(RecognizedPlatformStatus::Active),
        partner_platform_id: Set(input.partner_platform_id),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await
    .map_err(|e| match ApiError::from(e) {
        ApiError::Conflict {
            code: "duplicate", ..
        } => issuer_taken(),
        other => other,
    })?;
    for (kid, x) in keys {
        key_row(id, kid, x).insert(&txn).await?;
    }
    audit::record(
        &txn,
        actor,
        Entry {
            action: "create",
            entity_type: "recognized_platform",
            entity_id: id,
            fields: ["issuer", "name", "status", "partner_platform_id", "keys"]
                .into_iter()
                .map(String::from)
                .collect(),
            reason: None,
        },
    )
    .await?;
    let keys = platform_keys(&txn, id).await?;
    txn.commit().await?;
    Ok((platform, keys))
}

fn issuer_taken() -> ApiError {
    ApiError::Conflict {
        code: "issuer_taken",
        detail: "a platform with this issuer id is already registered".into(),
    }
}

/// Lists recognised platforms by issuer.
///
/// # Errors
/// Database errors.
pub async fn list_platforms(
    state: &AppState,
    filter: &PlatformFilter,
    page: u64,
    per_page: u64,
) -> Result<
    Page<(
        recognized_platform::Model,
        Vec<recognized_platform_key::Model>,
    )>,
    ApiError,
> {
    let mut q = recognized_platform::Entity::find();
    if let Some(s) = filter.status {
        q = q.filter(recognized_platform::Column::Status.eq(s));
    }
    let p = crate::pagination::fetch(
        q.order_by_asc(recognized_platform::Column::Issuer),
        &state.db,
        page,
        per_page,
    )
    .await?;
    let mut items = Vec::with_capacity(p.items.len());
    for platform in p.items {
        let keys = platform_keys(&state.db, platform.id).await?;
        items.push((platform, keys));
    }
    Ok(Page {
        items,
        page: p.page,
        per_page: p.per_page,
        total: p.total,
    })
}

/// One recognised platform with its keys.
///
/// # Errors
/// 404; database errors.
pub async fn get_platform(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<
    (
        recognized_platform::Model,
        Vec<recognized_platform_key::Model>,
    ),
    ApiError,
> {
    let p = recognized_platform::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("recognized platform"))?;
    let keys = platform_keys(db, id).await?;
    Ok((p, keys))
}

/// Renames, suspends / reactivates or links a recognised platform.
///
/// # Errors
/// 404, 412 `version_mismatch`, 422 validation; database errors.
pub async fn update_platform(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    patch: RecognizedPlatformPatch,
) -> Result<
    (
        recognized_platform::Model,
        Vec<recognized_platform_key::Model>,
    ),
    ApiError,
> {
    let mut issues = Vec::new();
    let name = patch.name.as_deref().map(|n| parse_name(&mut issues, n));
    check_partner(&state.db, &mut issues, patch.partner_platform_id).await?;
    if !issues.is_empty() {
        return Err(ApiError::Validation(issues));
    }
    let txn = state.db.begin().await?;
    let current = recognized_platform::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("recognized platform"))?;
    if current.version != patch.version {
        return Err(ApiError::VersionMismatch {
            current: current.version,
        });
    }
    let mut fields = Vec::new();
    let mut q = recognized_platform::Entity::update_many()
        .col_expr(
            recognized_platform::Column::Version,
            Expr::value(current.version + 1),
        )
        .col_expr(
            recognized_platform::Column::UpdatedAt,
            Expr::value(Utc::now()),
        );
    if let Some(n) = name {
        q = q.col_expr(recognized_platform::Column::Name, Expr::value(n));
        fields.push("name".to_owned());
    }
    if let Some(s) = patch.status {
        q = q.col_expr(recognized_platform::Column::Status, Expr::value(s));
        fields.push("status".to_owned());
    }
    if let Some(p) = patch.partner_platform_id {
        q = q.col_expr(
            recognized_platform::Column::PartnerPlatformId,
            Expr::value(Some(p)),
        );
        fields.push("partner_platform_id".to_owned());
    }
    let done = q
        .filter(recognized_platform::Column::Id.eq(id))
        .filter(recognized_platform::Column::Version.eq(current.version))
        .exec(&txn)
        .await?;
    if done.rows_affected != 1 {
        return Err(ApiError::VersionMismatch {
            current: current.version + 1,
        });
    }
    audit::record(
        &txn,
        actor,
        Entry {
            action: "update",
            entity_type: "recognized_platform",
            entity_id: id,
            fields,
            reason: None,
        },
    )
    .await?;
    let out = get_platform(&txn, id).await?;
    txn.commit().await?;
    Ok(out)
}

/// Adds a public key to a recognised platform (key rotation: add the new key, then revoke the
/// old one).
///
/// # Errors
/// 404 platform, 409 `key_exists` (same `kid`), 422 key faults; database errors.
pub async fn add_key(
    state: &AppState,
    actor: &Actor,
    platform_id: Uuid,
    jwk: &JwkIn,
) -> Result<recognized_platform_key::Model, ApiError> {
    let mut issues = Vec::new();
    let Some((kid, x)) = parse_jwk(&mut issues, "", jwk) else {
        return Err(ApiError::Validation(issues));
    };
    let txn = state.db.begin().await?;
    recognized_platform::Entity::find_by_id(platform_id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("recognized platform"))?;
    let exists = recognized_platform_key::Entity::find()
        .filter(recognized_platform_key::Column::PlatformId.eq(platform_id))
        .filter(recognized_platform_key::Column::Kid.eq(kid.as_str()))
        .one(&txn)
        .await?
        .is_some();
    let key_exists = || ApiError::Conflict {
        code: "key_exists",
        detail: "this platform already has a key with this kid (revoked kids are not reused)"
            .into(),
    };
    if exists {
        return Err(key_exists());
    }
    let key =
        key_row(platform_id, kid, x)
            .insert(&txn)
            .await
            .map_err(|e| match ApiError::from(e) {
                ApiError::Conflict {
                    code: "duplicate", ..
                } => key_exists(),
                other => other,
            })?;
    audit::record(
        &txn,
        actor,
        Entry {
            action: "add_key",
            entity_type: "recognized_platform",
            entity_id: platform_id,
            fields: vec!["keys".into()],
            reason: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(key)
}

/// Revokes a key of a recognised platform: every document signed with it is refused from then
/// on (`revoked_key`).
///
/// # Errors
/// 404 platform or key, 409 `key_already_revoked`; database errors.
pub async fn revoke_key(
    state: &AppState,
    actor: &Actor,
    platform_id: Uuid,
    kid: &str,
) -> Result<recognized_platform_key::Model, ApiError> {
    let txn = state.db.begin().await?;
    let key = recognized_platform_key::Entity::find()
        .filter(recognized_platform_key::Column::PlatformId.eq(platform_id))
        .filter(recognized_platform_key::Column::Kid.eq(kid))
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("platform key"))?;
    let done = recognized_platform_key::Entity::update_many()
        .col_expr(
            recognized_platform_key::Column::Status,
            Expr::value(PlatformKeyStatus::Revoked),
        )
        .col_expr(
            recognized_platform_key::Column::RevokedAt,
            Expr::value(Some(Utc::now())),
        )
        .filter(recognized_platform_key::Column::Id.eq(key.id))
        .filter(recognized_platform_key::Column::Status.eq(PlatformKeyStatus::Active))
        .exec(&txn)
        .await?;
    if done.rows_affected != 1 {
        return Err(ApiError::Conflict {
            code: "key_already_revoked",
            detail: "this key is already revoked".into(),
        });
    }
    audit::record(
        &txn,
        actor,
        Entry {
            action: "revoke_key",
            entity_type: "recognized_platform",
            entity_id: platform_id,
            fields: vec!["keys".into()],
            reason: None,
        },
    )
    .await?;
    let updated = recognized_platform_key::Entity::find_by_id(key.id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("platform key"))?;
    txn.commit().await?;
    Ok(updated)
}

// ---------------------------------------------------------------------------
// Recognised records
// ---------------------------------------------------------------------------

fn already_recognized() -> ApiError {
    ApiError::Conflict {
        code: "already_recognized",
        detail:
            "this document, or another document of the same origin record, was already imported"
                .into(),
    }
}

/// Whether this document, or another document of the same origin record, was imported.
async fn is_recognized(
    db: &impl ConnectionTrait,
    hash: &str,
    issuer: &str,
    original_record_id: &str,
) -> Result<bool, ApiError> {
    Ok(recognized_record::Entity::find()
        .filter(
            Condition::any()
                .add(recognized_record::Column::DocumentHash.eq(hash))
                .add(
                    Condition::all()
                        .add(recognized_record::Column::Issuer.eq(issuer))
                        .add(recognized_record::Column::OriginalRecordId.eq(original_record_id)),
                ),
        )
        .one(db)
        .await?
        .is_some())
}

fn rule(code: &'static str, detail: &str) -> ApiError {
    ApiError::Rule {
        code,
        detail: detail.into(),
    }
}

fn parse_instant(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

fn document_text(issues: &mut Vec<FieldIssue>, field: &str, raw: &str, max: usize) -> String {
    match clean_text(raw, max) {
        Ok(v) => v,
        Err(e) => {
            issues.push(FieldIssue::new(
                format!("document.record.{field}"),
                e.code,
                e.message,
            ));
            String::new()
        }
    }
}

/// Imports a record signed by a registered other platform for a local volunteer (admins whose
/// scope covers the volunteer and the recording organization; platform admins).
///
/// The document must verify ([`check`]); it must be another platform's record document with
/// status `approved`; the named volunteer's masked name ([`mask_name`]) and masked ID number
/// must equal the document's (the person check: the clear ID number is never exchanged). The
/// record enters the ledger approved, with source `recognized` and external id
/// `<issuer>#<record id>`, and its origin is kept in `recognized_records`, all in one
/// transaction. Minutes are recomputed from the interval by this platform's rules.
///
/// # Errors
/// 422 with the verification reason as code (`bad_signature`, `unknown_issuer`, `unknown_key`,
/// `revoked_key`, `issuer_suspended`, `unsupported_algorithm`, `malformed` …), 422
/// `own_document`, `not_a_record_document`, `record_not_approved`, `person_mismatch`,
/// validation (`volunteer_id` / `organization_id` not in scope, record text), ledger rules
/// (`interval_invalid` …); 409 `already_recognized`, `overlaps_existing_record`,
/// `volunteer_deregistered`; database errors.
pub async fn import(
    state: &AppState,
    user: &AuthUser,
    actor: &Actor,
    input: RecognitionIn,
) -> Result<recognized_record::Model, ApiError> {
    let compact = input.document.trim();
    let verdict = check(state, compact).await?;
    let claims = match verdict.outcome {
        Ok(c) => c,
        Err(reason) => {
            return Err(rule(
                reason.code(),
                "the document does not verify; see POST /api/v1/public/signed-documents/verify",
            ));
        }
    };
    if verdict.own {
        return Err(rule(
            "own_document",
            "this platform signed the document: its record is already in the ledger",
        ));
    }
    let Some(rec) = claims.record.as_ref() else {
        return Err(rule(
            "not_a_record_document",
            "only service-record documents (typ yv-record+jws) can be imported",
        ));
    };
    if rec.status != "approved" {
        return Err(rule(
            "record_not_approved",
            "the origin record was not approved when signed",
        ));
    }
    let (Some(started_at), Some(ended_at)) =
        (parse_instant(&rec.started_at), parse_instant(&rec.ended_at))
    else {
        return Err(rule("malformed", "started_at / ended_at are not RFC 3339"));
    };
    let n = rec.id.chars().count();
    if n == 0 || n > MAX_RECORD_ID_CHARS {
        return Err(rule("malformed", "the record id is 1–63 characters"));
    }
    let mut issues = Vec::new();
    let text = RecordText {
        activity_name: document_text(&mut issues, "activity_name", &rec.activity_name, 200),
        service_category: document_text(&mut issues, "service_category", &rec.service_category, 64),
        place: document_text(&mut issues, "place", &rec.place, 200),
        content: document_text(&mut issues, "content", &rec.content, 2000),
        activity_leader: None,
    };
    let scope = user.scope();
    let txn = state.db.begin().await?;
    if get_scoped(&txn, &scope, input.organization_id)
        .await
        .is_err()
    {
        issues.push(FieldIssue::new(
            "organization_id",
            "organization_not_found",
            "no such organization in your scope",
        ));
    }
    let vol = find_in_scope(&txn, &scope, input.volunteer_id).await.ok();
    if vol.is_none() {
        issues.push(FieldIssue::new(
            "volunteer_id",
            "volunteer_not_found",
            "no such volunteer in your scope",
        ));
    }
    let Some(vol) = vol.filter(|_| issues.is_empty()) else {
        return Err(ApiError::Validation(issues));
    };
    if vol.status == VolunteerStatus::Deregistered {
        return Err(ApiError::Conflict {
            code: "volunteer_deregistered",
            detail: "records cannot be recognised for a deregistered volunteer".into(),
        });
    }
    if mask_name(&vol.real_name) != rec.masked_name || vol.id_number_masked != rec.masked_id_number
    {
        return Err(rule(
            "person_mismatch",
            "the volunteer's masked name and masked ID number do not match the document's",
        ));
    }
    let hash = document_hash(compact);
    if is_recognized(&txn, &hash, &claims.iss, &rec.id).await? {
        return Err(already_recognized());
    }
    let dup_to_recognized = |e: ApiError| match e {
        ApiError::Conflict {
            code: "duplicate", ..
        } => already_recognized(),
        other => other,
    };
    let record = insert_record(
        &txn,
        state.settings.time_zone,
        actor,
        NewRecord {
            volunteer_id: vol.id,
            organization_id: input.organization_id,
            text,
            started_at,
            ended_at,
            source: SOURCE_RECOGNIZED.into(),
            external_id: Some(format!("{}#{}", claims.iss, rec.id)),
            project_id: None,
            shift_id: None,
            review_required: false,
            approve: true,
            supersedes: None,
            // Entered on time at the origin: the late flag follows the origin's approval.
            entered_at: rec
                .approved_at
                .as_deref()
                .and_then(parse_instant)
                .unwrap_or_else(Utc::now),
        },
    )
    .await
    .map_err(dup_to_recognized)?;
    if record.status != ServiceRecordStatus::Approved {
        // The ledger took the volunteer's lock: a concurrent import of the same origin that
        // committed meanwhile is visible now, and is the better answer than the overlap it
        // caused.
        if is_recognized(&txn, &hash, &claims.iss, &rec.id).await? {
            return Err(already_recognized());
        }
        // The ledger held it as a conflict: an approved record of the volunteer overlaps it
        // (possibly the same activity recognised from another platform). Nothing is written.
        return Err(ApiError::Conflict {
            code: "overlaps_existing_record",
            detail: "the record overlaps an approved record of the volunteer; the hours are already counted".into(),
        });
    }
    let id = Uuid::now_v7();
    let model = recognized_record::ActiveModel {
        id: Set(id),
        service_record_id: Set(record.id),
        volunteer_id: Set(vol.id),
        issuer: Set(claims.iss.clone()),
        original_record_id: Set(rec.id.clone()),
        document_id: Set(claims.jti.chars().take(64).collect()),
        document_hash: Set(hash),
        key_id: Set(verdict.read.map(|r| r.kid).unwrap_or_default()),
        imported_by: Set(actor.account_id),
        imported_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await
    .map_err(|e| dup_to_recognized(e.into()))?;
    audit::record(
        &txn,
        actor,
        Entry {
            action: "recognize",
            entity_type: "recognized_record",
            entity_id: id,
            fields: [
                "service_record_id",
                "volunteer_id",
                "issuer",
                "original_record_id",
                "document_hash",
            ]
            .into_iter()
            .map(String::from)
            .collect(),
            reason: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

fn in_scope(scope: &Scope) -> Option<Condition> {
    scope_condition(scope).map(|c| {
        Condition::all().add(
            recognized_record::Column::ServiceRecordId.in_subquery(
                Query::select()
                    .column(service_record::Column::Id)
                    .from(service_record::Entity)
                    .cond_where(c)
                    .to_owned(),
            ),
        )
    })
}

/// A recognised record whose ledger record the admin scope covers.
///
/// # Errors
/// 404; database errors.
pub async fn get_recognized(
    db: &impl ConnectionTrait,
    scope: &Scope,
    id: Uuid,
) -> Result<recognized_record::Model, ApiError> {
    let r = recognized_record::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("recognized record"))?;
    find_scoped(db, scope, r.service_record_id)
        .await
        .map_err(|_| ApiError::NotFound("recognized record"))?;
    Ok(r)
}

/// Recognised records in the admin scope, newest import first.
///
/// # Errors
/// Database errors.
pub async fn list_recognized(
    db: &impl ConnectionTrait,
    scope: &Scope,
    filter: &RecognizedRecordFilter,
    page: u64,
    per_page: u64,
) -> Result<Page<recognized_record::Model>, ApiError> {
    let mut q = recognized_record::Entity::find();
    if let Some(c) = in_scope(scope) {
        q = q.filter(c);
    }
    if let Some(v) = filter.volunteer_id {
        q = q.filter(recognized_record::Column::VolunteerId.eq(v));
    }
    if let Some(i) = &filter.issuer {
        q = q.filter(recognized_record::Column::Issuer.eq(i.trim()));
    }
    crate::pagination::fetch(
        q.order_by_desc(recognized_record::Column::ImportedAt)
            .order_by_desc(recognized_record::Column::Id),
        db,
        page,
        per_page,
    )
    .await
}

/// Roles that may import and read recognised records.
pub const IMPORTERS: &[Role] = &[Role::PlatformAdmin, Role::OrgAdmin];
