//! HTTP handlers of mutual recognition: export of signed documents, public verification, the
//! registry of recognised platforms and their keys, and recognised records.

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use entity::enums::Role;
use uuid::Uuid;

use super::dto::{
    JwkIn, PlatformFilter, PlatformKeyOut, RecognitionIn, RecognizedPlatformIn,
    RecognizedPlatformOut, RecognizedPlatformPatch, RecognizedRecordFilter, RecognizedRecordOut,
    SignedDocumentOut, VerifyDocumentOut, VerifyIn,
};
use super::service::{self, IMPORTERS};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::organizations::handlers::actor;
use crate::pagination::{Page, PageParams};
use crate::state::AppState;

const EXPORTERS: &[Role] = &[Role::PlatformAdmin, Role::OrgAdmin, Role::Volunteer];
const PLATFORM_ADMIN: &[Role] = &[Role::PlatformAdmin];

fn document_created(
    state: &AppState,
    d: entity::recognition::signed_document::Model,
) -> HttpResponse {
    HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/signed-documents/{}", d.id)))
        .json(SignedDocumentOut::new(d, &state.settings.platform_issuer))
}

// ---------------------------------------------------------------------------
// Export
// ---------------------------------------------------------------------------

/// Export an approved service record as a signed document (compact JWS, EdDSA).
///
/// The volunteer themself, admins whose scope covers the record, platform admins. The payload
/// carries the issuer, document id, `iat` and the record with the volunteer's public number,
/// masked name and masked ID number (never the clear ID number); the header names the platform
/// key (`kid`) published at `/.well-known/jwks.json`.
#[utoipa::path(
    tag = "recognition",
    operation_id = "create_record_signed_document",
    params(("id" = Uuid, Path, description = "Service record id")),
    security(("bearer_auth" = ["platform_admin", "org_admin", "volunteer"])),
    responses(
        (status = 201, description = "Signed; Location names the stored document", body = SignedDocumentOut),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing, or not the caller's own / outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "record_not_approved", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/service-records/{id}/signed-documents")]
pub async fn create_record_signed_document(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    user.require(EXPORTERS)?;
    let d = service::export_record(&state, &user, &actor(&user, &req), *id).await?;
    Ok(document_created(&state, d))
}

/// Export a valid certificate as a signed document (compact JWS, EdDSA) with its serial and
/// covered records.
#[utoipa::path(
    tag = "recognition",
    operation_id = "create_certificate_signed_document",
    params(("serial" = String, Path, description = "Certificate serial, e.g. ZYZM-2026-00000001")),
    security(("bearer_auth" = ["platform_admin", "org_admin", "volunteer"])),
    responses(
        (status = 201, description = "Signed; Location names the stored document", body = SignedDocumentOut),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing, or not the caller's own / outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "certificate_not_valid (revoked or superseded)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/certificates/{serial}/signed-documents")]
pub async fn create_certificate_signed_document(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    serial: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    user.require(EXPORTERS)?;
    let d = service::export_certificate(&state, &user, &actor(&user, &req), &serial).await?;
    Ok(document_created(&state, d))
}

/// Get an exported signed document (whoever may export its record or certificate).
#[utoipa::path(
    tag = "recognition",
    operation_id = "get_signed_document",
    params(("id" = Uuid, Path, description = "Document id (jti)")),
    security(("bearer_auth" = ["platform_admin", "org_admin", "volunteer"])),
    responses(
        (status = 200, description = "The document", body = SignedDocumentOut),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or not visible", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/signed-documents/{id}")]
pub async fn get_signed_document(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<SignedDocumentOut>, ApiError> {
    user.require(EXPORTERS)?;
    let d = service::get_document(&state, &user, *id).await?;
    Ok(web::Json(SignedDocumentOut::new(
        d,
        &state.settings.platform_issuer,
    )))
}

// ---------------------------------------------------------------------------
// Verification
// ---------------------------------------------------------------------------

/// Verify a signed document (public).
///
/// Checks the structure, the algorithm (only `EdDSA`; `none` and `HS*` are refused), the
/// signature against this platform's key or a registered platform's active key for the issuer
/// in the payload, and for this platform's own documents whether the record is still approved
/// and the certificate still valid. Always 200 for a readable request body: `valid` false with
/// a `reason` code (`malformed`, `unsupported_algorithm`, `unsupported_type`, `unknown_issuer`,
/// `issuer_suspended`, `unknown_key`, `revoked_key`, `bad_signature`, `unknown_record`,
/// `record_not_approved`, `record_voided`, `record_superseded`, `unknown_certificate`,
/// `certificate_revoked`, `certificate_superseded`); the payload only when valid.
#[utoipa::path(
    tag = "recognition",
    operation_id = "verify_signed_document",
    request_body = VerifyIn,
    security(()),
    responses(
        (status = 200, description = "The verdict (valid or not, with a reason)", body = VerifyDocumentOut),
        (status = 400, description = "Malformed JSON body", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "invalid_body: document missing or not a string", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/public/signed-documents/verify")]
pub async fn verify_signed_document(
    state: web::Data<AppState>,
    body: web::Json<VerifyIn>,
) -> Result<web::Json<VerifyDocumentOut>, ApiError> {
    Ok(web::Json(service::verify(&state, &body.document).await?))
}

// ---------------------------------------------------------------------------
// Recognised platforms
// ---------------------------------------------------------------------------

/// Register another platform whose signed documents are recognised, with its Ed25519 public
/// keys as JWKs (platform admins).
#[utoipa::path(
    tag = "recognition",
    operation_id = "create_recognized_platform",
    request_body = RecognizedPlatformIn,
    security(("bearer_auth" = ["platform_admin"])),
    responses(
        (status = 201, description = "Registered; Location names it", body = RecognizedPlatformOut),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "issuer_taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Validation failed (issuer_format, own_issuer, partner_platform_not_found, keys_count, duplicate_kid, private_key_given, unsupported_key_type, invalid_public_key, kid_format …)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/recognized-platforms")]
pub async fn create_recognized_platform(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    body: web::Json<RecognizedPlatformIn>,
) -> Result<HttpResponse, ApiError> {
    user.require(PLATFORM_ADMIN)?;
    let (p, keys) =
        service::create_platform(&state, &actor(&user, &req), body.into_inner()).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/recognized-platforms/{}", p.id)))
        .json(RecognizedPlatformOut::new(p, keys)))
}

/// List recognised platforms by issuer (platform admins).
#[utoipa::path(
    tag = "recognition",
    operation_id = "list_recognized_platforms",
    params(PlatformFilter, PageParams),
    security(("bearer_auth" = ["platform_admin"])),
    responses(
        (status = 200, description = "One page", body = Page<RecognizedPlatformOut>),
        (status = 400, description = "Bad query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/recognized-platforms")]
pub async fn list_recognized_platforms(
    state: web::Data<AppState>,
    user: AuthUser,
    filter: web::Query<PlatformFilter>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<RecognizedPlatformOut>>, ApiError> {
    user.require(PLATFORM_ADMIN)?;
    let (p, n) = page.resolve()?;
    let r = service::list_platforms(&state, &filter, p, n).await?;
    Ok(web::Json(Page {
        items: r
            .items
            .into_iter()
            .map(|(p, k)| RecognizedPlatformOut::new(p, k))
            .collect(),
        page: r.page,
        per_page: r.per_page,
        total: r.total,
    }))
}

/// Get a recognised platform with its keys (platform admins).
#[utoipa::path(
    tag = "recognition",
    operation_id = "get_recognized_platform",
    params(("id" = Uuid, Path, description = "Recognised platform id")),
    security(("bearer_auth" = ["platform_admin"])),
    responses(
        (status = 200, description = "The platform", body = RecognizedPlatformOut),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/recognized-platforms/{id}")]
pub async fn get_recognized_platform(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<RecognizedPlatformOut>, ApiError> {
    user.require(PLATFORM_ADMIN)?;
    let (p, k) = service::get_platform(&state.db, *id).await?;
    Ok(web::Json(RecognizedPlatformOut::new(p, k)))
}

/// Rename, suspend / reactivate or link a recognised platform (platform admins; `version`
/// required).
#[utoipa::path(
    tag = "recognition",
    operation_id = "update_recognized_platform",
    params(("id" = Uuid, Path, description = "Recognised platform id")),
    request_body = RecognizedPlatformPatch,
    security(("bearer_auth" = ["platform_admin"])),
    responses(
        (status = 200, description = "Updated", body = RecognizedPlatformOut),
        (status = 400, description = "Malformed JSON or unknown status", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "version_mismatch", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Validation failed (name, partner_platform_not_found)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/recognized-platforms/{id}")]
pub async fn update_recognized_platform(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<RecognizedPlatformPatch>,
) -> Result<web::Json<RecognizedPlatformOut>, ApiError> {
    user.require(PLATFORM_ADMIN)?;
    let (p, k) =
        service::update_platform(&state, &actor(&user, &req), *id, body.into_inner()).await?;
    Ok(web::Json(RecognizedPlatformOut::new(p, k)))
}

/// Add a public key to a recognised platform (key rotation; platform admins).
#[utoipa::path(
    tag = "recognition",
    operation_id = "create_recognized_platform_key",
    params(("id" = Uuid, Path, description = "Recognised platform id")),
    request_body = JwkIn,
    security(("bearer_auth" = ["platform_admin"])),
    responses(
        (status = 201, description = "Added; Location names the platform", body = PlatformKeyOut),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Platform missing", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "key_exists", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Key faults (private_key_given, unsupported_key_type, invalid_public_key, kid_format …)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/recognized-platforms/{id}/keys")]
pub async fn create_recognized_platform_key(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<JwkIn>,
) -> Result<HttpResponse, ApiError> {
    user.require(PLATFORM_ADMIN)?;
    let k = service::add_key(&state, &actor(&user, &req), *id, &body).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/recognized-platforms/{}", *id)))
        .json(PlatformKeyOut::from(k)))
}

/// Revoke a key of a recognised platform: its documents are refused from then on (platform
/// admins).
#[utoipa::path(
    tag = "recognition",
    operation_id = "revoke_recognized_platform_key",
    params(
        ("id" = Uuid, Path, description = "Recognised platform id"),
        ("kid" = String, Path, description = "Key id"),
    ),
    security(("bearer_auth" = ["platform_admin"])),
    responses(
        (status = 200, description = "Revoked", body = PlatformKeyOut),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Platform or key missing", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "key_already_revoked", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/recognized-platforms/{id}/keys/{kid}/revoke")]
pub async fn revoke_recognized_platform_key(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<(Uuid, String)>,
) -> Result<web::Json<PlatformKeyOut>, ApiError> {
    user.require(PLATFORM_ADMIN)?;
    let (id, kid) = path.into_inner();
    let k = service::revoke_key(&state, &actor(&user, &req), id, &kid).await?;
    Ok(web::Json(k.into()))
}

// ---------------------------------------------------------------------------
// Recognised records
// ---------------------------------------------------------------------------

/// Import a record signed by a registered other platform for a local volunteer.
///
/// The document must verify; the volunteer (in the caller's scope) must match its masked name
/// and masked ID number. The record enters the ledger approved (source `recognized`, external
/// id `<issuer>#<record id>`); the same document or origin record twice answers 409
/// `already_recognized`, a record overlapping an approved one of the volunteer (e.g. the same
/// activity from another platform) 409 `overlaps_existing_record`.
#[utoipa::path(
    tag = "recognition",
    operation_id = "create_recognized_record",
    request_body = RecognitionIn,
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 201, description = "Imported; Location names it", body = RecognizedRecordOut),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "already_recognized, overlaps_existing_record or volunteer_deregistered", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The document does not verify (code = reason: bad_signature, unknown_issuer, unknown_key, revoked_key, issuer_suspended, unsupported_algorithm, malformed …), own_document, not_a_record_document, record_not_approved, person_mismatch, volunteer_not_found / organization_not_found (outside scope), ledger rules", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/recognized-records")]
pub async fn create_recognized_record(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    body: web::Json<RecognitionIn>,
) -> Result<HttpResponse, ApiError> {
    user.require(IMPORTERS)?;
    let r = service::import(&state, &user, &actor(&user, &req), body.into_inner()).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/recognized-records/{}", r.id)))
        .json(RecognizedRecordOut::from(r)))
}

/// List recognised records whose ledger record is in the caller's scope.
#[utoipa::path(
    tag = "recognition",
    operation_id = "list_recognized_records",
    params(RecognizedRecordFilter, PageParams),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "One page", body = Page<RecognizedRecordOut>),
        (status = 400, description = "Bad query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/recognized-records")]
pub async fn list_recognized_records(
    state: web::Data<AppState>,
    user: AuthUser,
    filter: web::Query<RecognizedRecordFilter>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<RecognizedRecordOut>>, ApiError> {
    user.require(IMPORTERS)?;
    let (p, n) = page.resolve()?;
    let r = service::list_recognized(&state.db, &user.scope(), &filter, p, n).await?;
    Ok(web::Json(Page {
        items: r.items.into_iter().map(RecognizedRecordOut::from).collect(),
        page: r.page,
        per_page: r.per_page,
        total: r.total,
    }))
}

/// Get a recognised record (admins whose scope covers its ledger record).
#[utoipa::path(
    tag = "recognition",
    operation_id = "get_recognized_record",
    params(("id" = Uuid, Path, description = "Recognised record id")),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "The recognised record", body = RecognizedRecordOut),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/recognized-records/{id}")]
pub async fn get_recognized_record(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<RecognizedRecordOut>, ApiError> {
    user.require(IMPORTERS)?;
    Ok(web::Json(
        service::get_recognized(&state.db, &user.scope(), *id)
            .await?
            .into(),
    ))
}
