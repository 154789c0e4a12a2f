//! Certificates of service records (志愿服务记录证明, 民政部《志愿服务记录与证明出具办法（试行）》
//! 2020, Arts. 14–17): free of charge, with a serial number, the volunteer's masked identity, total
//! hours, content, the recording organization and the issue date, signed with the platform's
//! Ed25519 key. Anyone can verify a certificate by serial (`/certificates/{serial}/verify`),
//! revoked and superseded ones included; the public key is published at
//! `/.well-known/jwks.json`.
//!
//! The signed document is the canonical JSON of [`CertificatePayload`]: `serde_json` output of a
//! struct with a fixed field order, no whitespace. Verifiers check the Ed25519 signature over the
//! exact `payload` string returned by the verify endpoint.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, SubsecRound as _, Utc};
use entity::enums::{CertificateStatus, Role, ServiceRecordStatus};
use entity::{certificate, certificate_record, organization, service_record};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, ConnectionTrait, EntityTrait as _,
    QueryFilter as _, QueryOrder as _, TransactionSession as _, TransactionTrait as _,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::rules::hours_display;
use super::service::{local_date, local_year};
use crate::audit::{self, Actor, Entry};
use crate::auth::{AuthUser, Scope};
use crate::error::{ApiError, FieldIssue, Problem};
use crate::organizations::handlers::actor;
use crate::state::AppState;
use crate::volunteers::service::{find_in_scope, get_visible, reserve_numbers};

/// Format tag inside every signed payload.
pub const PAYLOAD_FORMAT: &str = "volunteer-service-certificate/v1";

// ---------------------------------------------------------------------------
// Bodies
// ---------------------------------------------------------------------------

/// A certificate request. Volunteers ask for themselves (omit `volunteer_id`); admins name a
/// volunteer in their scope.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CertificateIn {
    /// The volunteer (admins only; volunteers always get their own).
    pub volunteer_id: Option<Uuid>,
    /// Approved records to cover; all approved records of the volunteer when omitted.
    pub record_ids: Option<Vec<Uuid>>,
}

/// Reason for revoking, 2–500 characters.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeIn {
    /// The reason.
    #[schema(example = "证明信息有误，重新出具")]
    pub reason: String,
}

/// One covered record as listed in the signed payload (Art. 15 content: activity and date).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PayloadRecord {
    /// Record id.
    pub id: Uuid,
    /// Activity name.
    pub activity_name: String,
    /// Date of service (start, platform time zone), `YYYY-MM-DD`.
    pub service_date: String,
    /// Credited minutes.
    pub minutes: i32,
    /// Organizing organization.
    pub organization_name: String,
}

/// The signed document. Field order is fixed: the signature covers `serde_json::to_vec` of this
/// struct.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CertificatePayload {
    /// Always `volunteer-service-certificate/v1`.
    pub format: String,
    /// Serial, e.g. `ZYZM-2026-00000001`.
    pub serial: String,
    /// Public volunteer number (志愿者编号).
    pub volunteer_number: String,
    /// Masked real name, e.g. `张*`.
    pub masked_name: String,
    /// Masked ID number, e.g. `1101**********002X`.
    pub masked_id_number: String,
    /// Issuing (recording) organization.
    pub issuing_organization_id: Uuid,
    /// Its name.
    pub issuing_organization_name: String,
    /// Issue instant, RFC 3339 UTC with seconds.
    pub issued_at: String,
    /// Total credited minutes.
    pub total_minutes: i64,
    /// Total hours for display (decimal string).
    pub total_hours: String,
    /// Number of records.
    pub record_count: i32,
    /// The records, by start of service.
    pub records: Vec<PayloadRecord>,
    /// Id of the signing key in `/.well-known/jwks.json`.
    pub key_id: String,
}

/// A certificate as shown to its volunteer and to admins.
#[derive(Debug, Serialize, ToSchema)]
pub struct CertificateOut {
    /// Serial.
    #[schema(example = "ZYZM-2026-00000001")]
    pub serial: String,
    /// The volunteer.
    pub volunteer_id: Uuid,
    /// Masked real name.
    pub masked_name: String,
    /// Masked ID number.
    pub masked_id_number: String,
    /// Total credited minutes.
    pub total_minutes: i64,
    /// Total hours for display (decimal string).
    #[schema(example = "12.5")]
    pub total_hours: String,
    /// Number of records.
    pub record_count: i32,
    /// The covered records (content of the certificate).
    pub records: Vec<PayloadRecord>,
    /// Issuing organization.
    pub issuing_organization_id: Uuid,
    /// Its name.
    pub issuing_organization_name: String,
    /// Issued (RFC 3339, UTC).
    pub issued_at: DateTime<Utc>,
    /// Valid, revoked or superseded.
    pub status: CertificateStatus,
    /// When it was revoked or superseded.
    pub status_changed_at: Option<DateTime<Utc>>,
    /// Why it was revoked.
    pub revoke_reason: Option<String>,
    /// The signed canonical JSON.
    pub payload: String,
    /// base64url Ed25519 signature over `payload`.
    pub signature: String,
    /// Signing key id.
    pub key_id: String,
}

impl From<certificate::Model> for CertificateOut {
    fn from(m: certificate::Model) -> Self {
        let records = serde_json::from_str::<CertificatePayload>(&m.payload)
            .map(|p| p.records)
            .unwrap_or_default();
        Self {
            serial: m.serial,
            volunteer_id: m.volunteer_id,
            masked_name: m.masked_name,
            masked_id_number: m.masked_id_number,
            total_minutes: m.total_minutes,
            total_hours: hours_display(m.total_minutes),
            record_count: m.record_count,
            records,
            issuing_organization_id: m.issuing_organization_id,
            issuing_organization_name: m.issuing_organization_name,
            issued_at: m.issued_at,
            status: m.status,
            status_changed_at: m.status_changed_at,
            revoke_reason: m.revoke_reason,
            payload: m.payload,
            signature: m.signature,
            key_id: m.key_id,
        }
    }
}

/// Result of a public verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VerifyStatus {
    /// Issued and still accurate.
    Valid,
    /// Withdrawn by an admin.
    Revoked,
    /// A covered record was corrected or voided after issue.
    Superseded,
    /// No certificate has this serial.
    Unknown,
}

/// What anyone may learn about a certificate by its serial. An unknown serial answers 200 with
/// `status: unknown` and the other fields null.
#[derive(Debug, Serialize, ToSchema)]
pub struct VerifyOut {
    /// Valid, revoked, superseded or unknown.
    pub status: VerifyStatus,
    /// The serial asked about.
    pub serial: String,
    /// Issuing organization.
    pub issuing_organization_name: Option<String>,
    /// Total hours (decimal string).
    pub total_hours: Option<String>,
    /// Total minutes.
    pub total_minutes: Option<i64>,
    /// Issued (RFC 3339, UTC).
    pub issued_at: Option<DateTime<Utc>>,
    /// Masked real name.
    pub masked_name: Option<String>,
    /// The signed canonical JSON (verify the signature over its UTF-8 bytes).
    pub payload: Option<String>,
    /// base64url Ed25519 signature.
    pub signature: Option<String>,
    /// Key id (JWKS `kid`).
    pub key_id: Option<String>,
    /// Whether the stored signature checks out against the platform key (false means the stored
    /// certificate was altered).
    pub signature_valid: Option<bool>,
}

/// One public key (RFC 8037 OKP key for Ed25519).
#[derive(Debug, Serialize, ToSchema)]
pub struct Jwk {
    /// Key type: `OKP`.
    pub kty: String,
    /// Curve: `Ed25519`.
    pub crv: String,
    /// base64url public key (32 bytes).
    pub x: String,
    /// Key id: first 16 hex characters of SHA-256 of the public key.
    pub kid: String,
    /// Algorithm: `EdDSA`.
    pub alg: String,
    /// Use: `sig`.
    #[serde(rename = "use")]
    pub use_: String,
}

/// A JSON Web Key Set (RFC 7517).
#[derive(Debug, Serialize, ToSchema)]
pub struct Jwks {
    /// The platform's signing keys.
    pub keys: Vec<Jwk>,
}

// ---------------------------------------------------------------------------
// Rules
// ---------------------------------------------------------------------------

/// Masks a real name for certificates: the first character stays, every other becomes `*`
/// (`张三` → `张*`, `欧阳娜娜` → `欧***`). Source: project privacy policy (GB/T 35273-2020
/// display restriction).
pub fn mask_name(name: &str) -> String {
    name.chars()
        .enumerate()
        .map(|(i, c)| if i == 0 { c } else { '*' })
        .collect()
}

/// The human-facing serial: `ZYZM-<year>-<8-digit sequence>` (志愿证明).
pub fn serial(year: i32, seq: i64) -> String {
    format!("ZYZM-{year:04}-{seq:08}")
}

// ---------------------------------------------------------------------------
// Service
// ---------------------------------------------------------------------------

async fn org_name(db: &impl ConnectionTrait, id: Uuid) -> Result<String, ApiError> {
    Ok(organization::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(|o| o.name)
        .unwrap_or_default())
}

/// Issues a certificate for all or some approved records of a volunteer, signed with the
/// platform key, in one transaction.
///
/// # Errors
/// 404 volunteer not visible, 422 `volunteer_id` missing (admins), 422 `record_not_eligible`
/// (a listed record is not an approved record of the volunteer), 422 `no_approved_records`.
pub async fn issue(
    state: &AppState,
    user: &AuthUser,
    actor: &Actor,
    input: CertificateIn,
) -> Result<certificate::Model, ApiError> {
    let volunteer_id = match user.role {
        Role::Volunteer => {
            let own = user.volunteer_id.ok_or(ApiError::NotFound("volunteer"))?;
            if input.volunteer_id.is_some_and(|v| v != own) {
                return Err(ApiError::NotFound("volunteer"));
            }
            own
        }
        _ => input
            .volunteer_id
            .ok_or_else(|| ApiError::field("volunteer_id", "required", "name the volunteer"))?,
    };
    let tz = state.settings.time_zone;
    let txn = state.db.begin().await?;
    let vol = get_visible(&txn, user, volunteer_id).await?;
    let approved = service_record::Entity::find()
        .filter(service_record::Column::VolunteerId.eq(volunteer_id))
        .filter(service_record::Column::Status.eq(ServiceRecordStatus::Approved))
        .order_by_asc(service_record::Column::StartedAt)
        .order_by_asc(service_record::Column::Id)
        .all(&txn)
        .await?;
    let records: Vec<service_record::Model> = match &input.record_ids {
        None => approved,
        Some(ids) => {
            let issues: Vec<FieldIssue> = ids
                .iter()
                .enumerate()
                .filter(|(_, id)| !approved.iter().any(|r| r.id == **id))
                .map(|(i, _)| {
                    FieldIssue::new(
                        format!("record_ids[{i}]"),
                        "record_not_eligible",
                        "not an approved record of this volunteer",
                    )
                })
                .collect();
            if !issues.is_empty() {
                return Err(ApiError::Validation(issues));
            }
            approved
                .into_iter()
                .filter(|r| ids.contains(&r.id))
                .collect()
        }
    };
    let Some(latest) = records.iter().max_by_key(|r| r.started_at) else {
        return Err(ApiError::Rule {
            code: "no_approved_records",
            detail: "the volunteer has no approved service records to certify".into(),
        });
    };
    let issuing_org = match (user.role, user.organization_id) {
        (Role::OrgAdmin, Some(o)) => o,
        _ => vol
            .registration_organization_id
            .unwrap_or(latest.organization_id),
    };
    let issuing_name = org_name(&txn, issuing_org).await?;
    let mut names = std::collections::HashMap::new();
    for r in &records {
        if let std::collections::hash_map::Entry::Vacant(slot) = names.entry(r.organization_id) {
            slot.insert(org_name(&txn, r.organization_id).await?);
        }
    }
    let issued_at = Utc::now().trunc_subsecs(0);
    let seq = reserve_numbers(&txn, "certificate_serial", 1).await?;
    let serial = serial(local_year(tz, issued_at), seq);
    let total_minutes: i64 = records.iter().map(|r| i64::from(r.minutes)).sum();
    let record_count = i32::try_from(records.len())
        .map_err(|_| ApiError::Internal("too many records for one certificate".into()))?;
    let payload = CertificatePayload {
        format: PAYLOAD_FORMAT.into(),
        serial: serial.clone(),
        volunteer_number: vol.volunteer_number.clone(),
        masked_name: mask_name(&vol.real_name),
        masked_id_number: vol.id_number_masked.clone(),
        issuing_organization_id: issuing_org,
        issuing_organization_name: issuing_name.clone(),
        issued_at: issued_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        total_minutes,
        total_hours: hours_display(total_minutes),
        record_count,
        records: records
            .iter()
            .map(|r| PayloadRecord {
                id: r.id,
                activity_name: r.activity_name.clone(),
                service_date: local_date(tz, r.started_at).to_string(),
                minutes: r.minutes,
                organization_name: names.get(&r.organization_id).cloned().unwrap_or_default(),
            })
            .collect(),
        key_id: state.signer.key_id().to_owned(),
    };
    let bytes = serde_json::to_vec(&payload).map_err(ApiError::internal)?;
    let signature = state.signer.sign_b64url(&bytes);
    let payload_text = String::from_utf8(bytes).map_err(ApiError::internal)?;
    let id = Uuid::now_v7();
    let model = certificate::ActiveModel {
        id: Set(id),
        serial: Set(serial),
        volunteer_id: Set(volunteer_id),
        masked_name: Set(payload.masked_name.clone()),
        masked_id_number: Set(payload.masked_id_number.clone()),
        total_minutes: Set(total_minutes),
        record_count: Set(record_count),
        issuing_organization_id: Set(issuing_org),
        issuing_organization_name: Set(issuing_name),
        issued_at: Set(issued_at),
        issued_by: Set(actor.account_id),
        status: Set(CertificateStatus::Valid),
        status_changed_at: Set(None),
        revoke_reason: Set(None),
        payload: Set(payload_text),
        signature: Set(signature),
        key_id: Set(state.signer.key_id().to_owned()),
    }
    .insert(&txn)
    .await?;
    let links: Vec<certificate_record::ActiveModel> = records
        .iter()
        .map(|r| certificate_record::ActiveModel {
            certificate_id: Set(id),
            record_id: Set(r.id),
        })
        .collect();
    // Two columns per row: 1,000 rows stay far below either database's bind limit.
    for chunk in links.chunks(1000) {
        certificate_record::Entity::insert_many(chunk.to_vec())
            .exec(&txn)
            .await?;
    }
    audit::record(
        &txn,
        actor,
        Entry {
            action: "issue",
            entity_type: "certificate",
            entity_id: id,
            fields: vec!["volunteer_id".into(), "record_ids".into()],
            reason: None,
        },
    )
    .await?;
    crate::sync::changes::certificate(&txn, &model, crate::sync::changes::Operation::Create)
        .await?;
    txn.commit().await?;
    Ok(model)
}

/// The certificate as visible to `user`: the volunteer's own, or admins whose scope covers the
/// volunteer; 404 otherwise.
///
/// # Errors
/// 404 `not_found`; database errors.
pub async fn get_visible_certificate(
    db: &impl ConnectionTrait,
    user: &AuthUser,
    serial: &str,
) -> Result<certificate::Model, ApiError> {
    let cert = certificate::Entity::find()
        .filter(certificate::Column::Serial.eq(serial))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("certificate"))?;
    get_visible(db, user, cert.volunteer_id)
        .await
        .map_err(|_| ApiError::NotFound("certificate"))?;
    Ok(cert)
}

/// Revokes a valid certificate with a reason (admins whose scope covers the volunteer).
///
/// # Errors
/// 404 out of scope, 409 `certificate_not_valid`, 422 reason missing.
pub async fn revoke(
    db: &impl sea_orm::TransactionTrait,
    scope: &Scope,
    actor: &Actor,
    serial: &str,
    raw_reason: &str,
) -> Result<certificate::Model, ApiError> {
    let why = crate::volunteers::domain::clean_text(raw_reason, 500)
        .map_err(|e| ApiError::field("reason", e.code, e.message))?;
    let txn = db.begin().await?;
    let cert = certificate::Entity::find()
        .filter(certificate::Column::Serial.eq(serial))
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("certificate"))?;
    find_in_scope(&txn, scope, cert.volunteer_id)
        .await
        .map_err(|_| ApiError::NotFound("certificate"))?;
    let done = certificate::Entity::update_many()
        .col_expr(
            certificate::Column::Status,
            Expr::value(CertificateStatus::Revoked),
        )
        .col_expr(
            certificate::Column::StatusChangedAt,
            Expr::value(Some(Utc::now())),
        )
        .col_expr(
            certificate::Column::RevokeReason,
            Expr::value(Some(why.clone())),
        )
        .filter(certificate::Column::Id.eq(cert.id))
        .filter(certificate::Column::Status.eq(CertificateStatus::Valid))
        .exec(&txn)
        .await?;
    if done.rows_affected != 1 {
        return Err(ApiError::Conflict {
            code: "certificate_not_valid",
            detail: "only a valid certificate can be revoked".into(),
        });
    }
    audit::record(
        &txn,
        actor,
        Entry {
            action: "revoke",
            entity_type: "certificate",
            entity_id: cert.id,
            fields: vec!["status".into(), "revoke_reason".into()],
            reason: Some(why),
        },
    )
    .await?;
    let updated = certificate::Entity::find_by_id(cert.id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("certificate"))?;
    crate::sync::changes::certificate(&txn, &updated, crate::sync::changes::Operation::Update)
        .await?;
    txn.commit().await?;
    Ok(updated)
}

/// Public verification by serial.
///
/// # Errors
/// Database errors only: an unknown serial is a normal answer.
pub async fn verify(state: &AppState, serial: &str) -> Result<VerifyOut, ApiError> {
    let cert = certificate::Entity::find()
        .filter(certificate::Column::Serial.eq(serial.trim()))
        .one(&state.db)
        .await?;
    let Some(c) = cert else {
        return Ok(VerifyOut {
            status: VerifyStatus::Unknown,
            serial: serial.to_owned(),
            issuing_organization_name: None,
            total_hours: None,
            total_minutes: None,
            issued_at: None,
            masked_name: None,
            payload: None,
            signature: None,
            key_id: None,
            signature_valid: None,
        });
    };
    let signature_valid = c.key_id == state.signer.key_id()
        && state
            .signer
            .verify_b64url(c.payload.as_bytes(), &c.signature);
    Ok(VerifyOut {
        status: match c.status {
            CertificateStatus::Valid => VerifyStatus::Valid,
            CertificateStatus::Revoked => VerifyStatus::Revoked,
            CertificateStatus::Superseded => VerifyStatus::Superseded,
        },
        serial: c.serial,
        issuing_organization_name: Some(c.issuing_organization_name),
        total_hours: Some(hours_display(c.total_minutes)),
        total_minutes: Some(c.total_minutes),
        issued_at: Some(c.issued_at),
        masked_name: Some(c.masked_name),
        payload: Some(c.payload),
        signature: Some(c.signature),
        key_id: Some(c.key_id),
        signature_valid: Some(signature_valid),
    })
}

// ---------------------------------------------------------------------------
// Handlers
// ---------------------------------------------------------------------------

/// Request a certificate of service records (the volunteer for themself, or an admin in scope).
///
/// Covers all approved records of the volunteer, or the listed subset. Free of charge (Art. 14);
/// carries the serial, masked identity, total hours, content, recording organization and issue
/// date (Art. 15), signed with the platform's Ed25519 key.
#[utoipa::path(
    tag = "certificates",
    operation_id = "create_certificate",
    request_body = CertificateIn,
    security(("bearer_auth" = ["platform_admin", "org_admin", "volunteer"])),
    responses(
        (status = 201, description = "Issued; Location names it", body = CertificateOut),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Volunteer missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "volunteer_id missing (admins), record_not_eligible or no_approved_records", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/certificates")]
pub async fn create_certificate(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    body: web::Json<CertificateIn>,
) -> Result<HttpResponse, ApiError> {
    user.require(&[Role::PlatformAdmin, Role::OrgAdmin, Role::Volunteer])?;
    let c = issue(&state, &user, &actor(&user, &req), body.into_inner()).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/certificates/{}", c.serial)))
        .json(CertificateOut::from(c)))
}

/// Get a certificate (its volunteer, or admins in scope).
#[utoipa::path(
    tag = "certificates",
    operation_id = "get_certificate",
    params(("serial" = String, Path, description = "Serial, e.g. ZYZM-2026-00000001")),
    security(("bearer_auth" = ["platform_admin", "org_admin", "volunteer"])),
    responses(
        (status = 200, description = "The certificate", body = CertificateOut),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/certificates/{serial}")]
pub async fn get_certificate(
    state: web::Data<AppState>,
    user: AuthUser,
    serial: web::Path<String>,
) -> Result<web::Json<CertificateOut>, ApiError> {
    user.require(&[Role::PlatformAdmin, Role::OrgAdmin, Role::Volunteer])?;
    Ok(web::Json(
        get_visible_certificate(&state.db, &user, &serial)
            .await?
            .into(),
    ))
}

/// Revoke a certificate with a reason (admins in scope).
#[utoipa::path(
    tag = "certificates",
    operation_id = "revoke_certificate",
    params(("serial" = String, Path, description = "Serial")),
    request_body = RevokeIn,
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "Revoked", body = CertificateOut),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "certificate_not_valid (already revoked or superseded)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Reason missing or too long", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/certificates/{serial}/revoke")]
pub async fn revoke_certificate(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    serial: web::Path<String>,
    body: web::Json<RevokeIn>,
) -> Result<web::Json<CertificateOut>, ApiError> {
    user.require(&[Role::PlatformAdmin, Role::OrgAdmin])?;
    let c = revoke(
        &state.db,
        &user.scope(),
        &actor(&user, &req),
        &serial,
        &body.reason,
    )
    .await?;
    Ok(web::Json(c.into()))
}

/// Verify a certificate by serial (public).
///
/// Answers 200 with `status` valid, revoked, superseded or unknown (an unknown serial is not an
/// error), the issuing organization, total hours, masked name and the signed payload with its
/// Ed25519 signature and key id, so that the signature can be checked independently against
/// `/.well-known/jwks.json`.
#[utoipa::path(
    tag = "certificates",
    operation_id = "verify_certificate",
    params(("serial" = String, Path, description = "Serial")),
    security(()),
    responses(
        (status = 200, description = "Verification result (status unknown for an unknown serial)", body = VerifyOut),
    )
)]
#[get("/certificates/{serial}/verify")]
pub async fn verify_certificate(
    state: web::Data<AppState>,
    serial: web::Path<String>,
) -> Result<web::Json<VerifyOut>, ApiError> {
    Ok(web::Json(verify(&state, &serial).await?))
}

/// The platform's public signing keys as a JSON Web Key Set (public).
///
/// Ed25519 keys (RFC 8037: `kty` OKP, `crv` Ed25519, `alg` EdDSA); `kid` is the first 16 hex
/// characters of SHA-256 over the raw 32-byte public key.
#[utoipa::path(
    tag = "certificates",
    operation_id = "get_jwks",
    security(()),
    responses(
        (status = 200, description = "The key set", body = Jwks),
    )
)]
#[get("/.well-known/jwks.json")]
pub async fn jwks(state: web::Data<AppState>) -> web::Json<Jwks> {
    web::Json(Jwks {
        keys: vec![Jwk {
            kty: "OKP".into(),
            crv: "Ed25519".into(),
            x: state.signer.public_key_b64url(),
            kid: state.signer.key_id().to_owned(),
            alg: "EdDSA".into(),
            use_: "sig".into(),
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_masked_after_the_first_character() {
        assert_eq!(mask_name("张三"), "张*");
        assert_eq!(mask_name("欧阳娜娜"), "欧***");
        assert_eq!(mask_name("李"), "李");
        assert_eq!(mask_name(""), "");
    }

    #[test]
    fn serials_have_year_and_eight_digits() {
        assert_eq!(serial(2026, 1), "ZYZM-2026-00000001");
    }
}
