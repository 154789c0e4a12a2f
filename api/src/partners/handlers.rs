//! HTTP handlers of the partner registry (`/api/v1/partners`, platform admins), the token
//! endpoint (`POST /api/v1/partners/token`) and the partner's own `GET /api/v1/partner/me`.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use entity::enums::Role;
use entity::partners::PartnerStatus;
use uuid::Uuid;

use super::auth::PartnerClient;
use super::dto::{
    BatchOut, MAX_BATCH_BYTES, MAX_BATCH_ITEMS, PartnerCredentialsOut, PartnerFilter, PartnerIn,
    PartnerMeOut, PartnerOut, PartnerPatch, RecordBatchIn, TokenIn, TokenOut, VersionIn,
    VolunteerBatchIn,
};
use super::{batch, idempotency, service};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::organizations::handlers::actor;
use crate::pagination::{Page, PageParams};
use crate::state::AppState;

const PLATFORM: &[Role] = &[Role::PlatformAdmin];

/// Largest token request body (bytes).
const MAX_TOKEN_BODY: usize = 8 * 1024;

/// Register a partner platform; the client secret is in this answer only.
///
/// Creates the client id and secret (stored as a digest), the scope roots and the disabled
/// system account partner writes are attributed to.
#[utoipa::path(
    tag = "partners",
    operation_id = "create_partner",
    request_body = PartnerIn,
    security(("bearer_auth" = ["platform_admin"])),
    responses(
        (status = 201, description = "Registered; Location names it; `client_secret` is shown only now", body = PartnerCredentialsOut),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a platform admin", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Validation failed (name, scope_empty, too_many_items, organization_not_found)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/partners")]
pub async fn create_partner(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    body: web::Json<PartnerIn>,
) -> Result<HttpResponse, ApiError> {
    user.require(PLATFORM)?;
    let (p, scope, secret) =
        service::register(&state.db, &actor(&user, &req), body.into_inner()).await?;
    let id = p.id;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/partners/{id}")))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(PartnerCredentialsOut {
            partner: service::out(p, scope),
            client_secret: secret,
        }))
}

/// List partner platforms, newest first.
#[utoipa::path(
    tag = "partners",
    operation_id = "list_partners",
    params(PageParams, PartnerFilter),
    security(("bearer_auth" = ["platform_admin"])),
    responses(
        (status = 200, description = "A page of partners", body = Page<PartnerOut>),
        (status = 400, description = "Bad query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a platform admin", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/partners")]
pub async fn list_partners(
    state: web::Data<AppState>,
    user: AuthUser,
    page: web::Query<PageParams>,
    filter: web::Query<PartnerFilter>,
) -> Result<web::Json<Page<PartnerOut>>, ApiError> {
    user.require(PLATFORM)?;
    let (page, per_page) = page.resolve()?;
    Ok(web::Json(
        service::list(&state.db, &filter, page, per_page).await?,
    ))
}

/// One partner platform.
#[utoipa::path(
    tag = "partners",
    operation_id = "get_partner",
    params(("id" = Uuid, Path, description = "Partner id")),
    security(("bearer_auth" = ["platform_admin"])),
    responses(
        (status = 200, description = "The partner", body = PartnerOut),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a platform admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such partner", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/partners/{id}")]
pub async fn get_partner(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<PartnerOut>, ApiError> {
    user.require(PLATFORM)?;
    let (p, scope) = service::get(&state.db, id.into_inner()).await?;
    Ok(web::Json(service::out(p, scope)))
}

/// Rename a partner or replace its scope; `version` must match.
#[utoipa::path(
    tag = "partners",
    operation_id = "update_partner",
    params(("id" = Uuid, Path, description = "Partner id")),
    request_body = PartnerPatch,
    security(("bearer_auth" = ["platform_admin"])),
    responses(
        (status = 200, description = "Updated", body = PartnerOut),
        (status = 400, description = "Malformed JSON or id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a platform admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such partner", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Version mismatch", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Validation failed", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/partners/{id}")]
pub async fn update_partner(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<PartnerPatch>,
) -> Result<web::Json<PartnerOut>, ApiError> {
    user.require(PLATFORM)?;
    let (p, scope) = service::update(
        &state.db,
        &actor(&user, &req),
        id.into_inner(),
        body.into_inner(),
    )
    .await?;
    Ok(web::Json(service::out(p, scope)))
}

async fn change_status(
    state: &AppState,
    user: &AuthUser,
    req: &HttpRequest,
    id: Uuid,
    version: i32,
    to: PartnerStatus,
) -> Result<web::Json<PartnerOut>, ApiError> {
    user.require(PLATFORM)?;
    let (p, scope) = service::set_status(&state.db, &actor(user, req), id, version, to).await?;
    Ok(web::Json(service::out(p, scope)))
}

/// Suspend a partner: no new tokens, its current tokens are refused at once.
#[utoipa::path(
    tag = "partners",
    operation_id = "suspend_partner",
    params(("id" = Uuid, Path, description = "Partner id")),
    request_body = VersionIn,
    security(("bearer_auth" = ["platform_admin"])),
    responses(
        (status = 200, description = "Suspended", body = PartnerOut),
        (status = 400, description = "Malformed JSON or id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a platform admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such partner", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already suspended (partner_already_suspended)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Version mismatch", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid body", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/partners/{id}/suspend")]
pub async fn suspend_partner(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<VersionIn>,
) -> Result<web::Json<PartnerOut>, ApiError> {
    change_status(
        &state,
        &user,
        &req,
        id.into_inner(),
        body.version,
        PartnerStatus::Suspended,
    )
    .await
}

/// Reactivate a suspended partner.
#[utoipa::path(
    tag = "partners",
    operation_id = "reactivate_partner",
    params(("id" = Uuid, Path, description = "Partner id")),
    request_body = VersionIn,
    security(("bearer_auth" = ["platform_admin"])),
    responses(
        (status = 200, description = "Active again", body = PartnerOut),
        (status = 400, description = "Malformed JSON or id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a platform admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such partner", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already active (partner_already_active)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Version mismatch", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid body", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/partners/{id}/reactivate")]
pub async fn reactivate_partner(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<VersionIn>,
) -> Result<web::Json<PartnerOut>, ApiError> {
    change_status(
        &state,
        &user,
        &req,
        id.into_inner(),
        body.version,
        PartnerStatus::Active,
    )
    .await
}

/// Rotate a partner's client secret; the new secret is in this answer only.
///
/// The old secret stops working at once, and so do the tokens issued under it.
#[utoipa::path(
    tag = "partners",
    operation_id = "rotate_partner_secret",
    params(("id" = Uuid, Path, description = "Partner id")),
    request_body = VersionIn,
    security(("bearer_auth" = ["platform_admin"])),
    responses(
        (status = 200, description = "Rotated; `client_secret` is shown only now", body = PartnerCredentialsOut),
        (status = 400, description = "Malformed JSON or id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a platform admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such partner", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Version mismatch", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid body", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/partners/{id}/rotate-secret")]
pub async fn rotate_partner_secret(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<VersionIn>,
) -> Result<HttpResponse, ApiError> {
    user.require(PLATFORM)?;
    let (p, scope, secret) = service::rotate_secret(
        &state.db,
        &actor(&user, &req),
        id.into_inner(),
        body.version,
    )
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(PartnerCredentialsOut {
            partner: service::out(p, scope),
            client_secret: secret,
        }))
}

/// `Authorization: Basic base64(client_id:client_secret)` (RFC 6749 §2.3.1), if sent.
fn basic_credentials(req: &HttpRequest) -> Result<Option<(String, String)>, ApiError> {
    let Some(value) = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
    else {
        return Ok(None);
    };
    let Some(encoded) = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))
    else {
        return Ok(None);
    };
    let bad = || ApiError::Unauthorized {
        code: "invalid_client",
        detail: "malformed HTTP Basic credentials".into(),
    };
    let decoded = B64.decode(encoded.trim()).map_err(|_| bad())?;
    let text = String::from_utf8(decoded).map_err(|_| bad())?;
    let (id, secret) = text.split_once(':').ok_or_else(bad)?;
    Ok(Some((id.to_owned(), secret.to_owned())))
}

/// Get a partner access token (OAuth 2 client credentials, RFC 6749 §4.4).
///
/// Body as `application/x-www-form-urlencoded` (as RFC 6749 prescribes) or JSON:
/// `grant_type=client_credentials`, with `client_id` and `client_secret` in the body or as
/// HTTP Basic. Errors carry the RFC 6749 §5.2 error name as their problem `code`
/// (`invalid_request`, `invalid_client`, `unsupported_grant_type`, `invalid_scope`).
/// Rate-limited per client id and per address like logins.
#[utoipa::path(
    tag = "partners",
    operation_id = "create_partner_token",
    request_body(content(
        (TokenIn = "application/x-www-form-urlencoded"),
        (TokenIn = "application/json"),
    )),
    security(()),
    responses(
        (status = 200, description = "A partner access token", body = TokenOut),
        (status = 400, description = "invalid_request, unsupported_grant_type, invalid_scope", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "invalid_client: unknown client, wrong secret or suspended partner", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Neither form nor JSON", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/partners/token")]
pub async fn create_partner_token(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    if body.len() > MAX_TOKEN_BODY {
        return Err(ApiError::PayloadTooLarge {
            limit: MAX_TOKEN_BODY,
        });
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let input: TokenIn = match content_type.as_str() {
        "application/x-www-form-urlencoded" => {
            let text = std::str::from_utf8(&body).map_err(|_| ApiError::BadRequest {
                code: "invalid_request",
                detail: "the form body is not UTF-8".into(),
            })?;
            // A form body uses the query-string encoding.
            web::Query::<TokenIn>::from_query(text)
                .map_err(|_| ApiError::BadRequest {
                    code: "invalid_request",
                    detail: "malformed form body".into(),
                })?
                .into_inner()
        }
        "application/json" => serde_json::from_slice(&body).map_err(|_| ApiError::BadRequest {
            code: "invalid_request",
            detail: "malformed JSON body".into(),
        })?,
        _ => {
            return Err(ApiError::UnsupportedMediaType(
                "send application/x-www-form-urlencoded (RFC 6749) or application/json".into(),
            ));
        }
    };
    let address = req
        .peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_default();
    let out = service::token(&state, input, basic_credentials(&req)?, &address).await?;
    // RFC 6749 §5.1: token answers must not be cached.
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"))
        .json(out))
}

/// The calling partner platform: id, client id, name and scope roots.
#[utoipa::path(
    tag = "partners",
    operation_id = "get_partner_me",
    security(("partner_auth" = [])),
    responses(
        (status = 200, description = "The caller", body = PartnerMeOut),
        (status = 401, description = "No, invalid or expired partner token; partner suspended or secret rotated", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/partner/me")]
pub async fn get_partner_me(partner: PartnerClient) -> web::Json<PartnerMeOut> {
    web::Json(PartnerMeOut {
        id: partner.partner_id,
        client_id: partner.client_id.clone(),
        name: partner.name.clone(),
        scope: partner.scope().to_vec(),
    })
}

// ---------------------------------------------------------------------------
// Partner writes: batch upserts with Idempotency-Key
// ---------------------------------------------------------------------------

/// Which batch a request is.
#[derive(Debug, Clone, Copy)]
enum BatchKind {
    Volunteers,
    Records,
}

/// Reads a batch body: `application/json`, at most [`MAX_BATCH_BYTES`], `{"items": [...]}` with
/// 1–[`MAX_BATCH_ITEMS`] items. Nothing is stored for a body refused here.
fn batch_items(req: &HttpRequest, body: &[u8]) -> Result<Vec<serde_json::Value>, ApiError> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    if !content_type
        .split(';')
        .next()
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
    {
        return Err(ApiError::UnsupportedMediaType(
            "expected Content-Type: application/json".into(),
        ));
    }
    if body.len() > MAX_BATCH_BYTES {
        return Err(ApiError::PayloadTooLarge {
            limit: MAX_BATCH_BYTES,
        });
    }
    let parsed: VolunteerBatchIn = serde_json::from_slice(body).map_err(|e| {
        if e.is_data() {
            ApiError::Rule {
                code: "invalid_body",
                detail: crate::error::redact_values(&e.to_string()),
            }
        } else {
            ApiError::BadRequest {
                code: "malformed_json",
                detail: format!(
                    "the body is not valid JSON: {}",
                    crate::error::redact_values(&e.to_string())
                ),
            }
        }
    })?;
    if parsed.items.is_empty() {
        return Err(ApiError::field(
            "items",
            "batch_empty",
            "send at least one item",
        ));
    }
    if parsed.items.len() > MAX_BATCH_ITEMS {
        return Err(ApiError::field(
            "items",
            "batch_too_large",
            format!("at most {MAX_BATCH_ITEMS} items per request"),
        ));
    }
    Ok(parsed.items)
}

fn stored_response(status: u16, body: String, replayed: bool) -> HttpResponse {
    let status = actix_web::http::StatusCode::from_u16(status)
        .unwrap_or(actix_web::http::StatusCode::INTERNAL_SERVER_ERROR);
    let mut res = HttpResponse::build(status);
    res.insert_header((header::CONTENT_TYPE, "application/json"));
    if replayed {
        res.insert_header(("Idempotent-Replayed", "true"));
    }
    res.body(body)
}

/// The common path of partner writes: `Idempotency-Key`, body checks, the key claim, then the
/// batch in a task of its own — a client that disconnects (or times out) does not cancel it
/// half-way, and its answer is stored for the retry.
async fn idempotent_batch(
    state: web::Data<AppState>,
    partner: PartnerClient,
    req: HttpRequest,
    body: web::Bytes,
    kind: BatchKind,
) -> Result<HttpResponse, ApiError> {
    let key = idempotency::parse_key(
        req.headers()
            .get("idempotency-key")
            .and_then(|h| h.to_str().ok()),
    )?;
    let items = batch_items(&req, &body)?;
    let fingerprint =
        idempotency::fingerprint(&state.crypto, req.method().as_str(), req.path(), &body);
    let actor = partner.actor(&req);
    let task_state = state.clone();
    // Claim, processing and storing the answer all run in the task: once the key is claimed
    // nothing cancels the work, not even a client that hangs up (actix drops the handler's
    // future then, but not a spawned task).
    let task = tokio::spawn(async move {
        let state = task_state;
        let db = &state.db;
        match idempotency::claim(db, partner.partner_id, &key, &fingerprint).await? {
            idempotency::Claim::Replay { status, body } => return Ok((status, body, true)),
            idempotency::Claim::Process => {}
        }
        let out = match kind {
            BatchKind::Volunteers => batch::volunteers(&state, &partner, &actor, items).await,
            BatchKind::Records => batch::records(&state, &partner, &actor, items).await,
        };
        let out = match out.and_then(|o| serde_json::to_string(&o).map_err(ApiError::internal)) {
            Ok(text) => text,
            Err(e) => {
                // The handler may be gone (client hung up): say it here, without personal data.
                tracing::warn!(code = e.code(), partner = %partner.client_id, "partner batch failed; key released");
                // The whole request failed (database down): free the key for a retry.
                if let Err(r) = idempotency::release(db, partner.partner_id, &key).await {
                    tracing::warn!(error = %r, "releasing an idempotency key failed");
                }
                return Err(e);
            }
        };
        idempotency::complete(db, partner.partner_id, &key, 200, &out).await?;
        Ok((200, out, false))
    });
    let (status, body, replayed) = task
        .await
        .map_err(|e| ApiError::Internal(format!("batch task failed: {e}").into()))??;
    Ok(stored_response(status, body, replayed))
}

/// Upsert a batch of volunteers by the partner's external ids.
///
/// Up to 500 items (2 MiB) per request, each processed in its own transaction with its own
/// result (`created`, `updated`, `unchanged`, `linked`, `rejected` with a problem): one bad
/// item never rejects the others, and nothing outside the partner's scope is written
/// (`out_of_scope`). Same rules as admin registration (ID-card checksum, minimum age,
/// guardian consent for minors); an ID number already registered here is `linked`, not
/// duplicated. Requires an `Idempotency-Key` header: a replay answers the stored result
/// byte for byte (`Idempotent-Replayed: true`) and writes nothing.
#[utoipa::path(
    tag = "partners",
    operation_id = "create_partner_volunteers_batch",
    params(("Idempotency-Key" = String, Header, description = "1–255 visible ASCII characters, unique per request (for example a UUID); kept 24 h")),
    request_body = VolunteerBatchIn,
    security(("partner_auth" = [])),
    responses(
        (status = 200, description = "Per-item results (also the replayed answer)", body = BatchOut),
        (status = 400, description = "Malformed JSON, Idempotency-Key missing or invalid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No, invalid or expired partner token; partner suspended or secret rotated", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "idempotency_key_in_progress: the first request with this key is still running", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over 2 MiB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "idempotency_key_reused (same key, other request), batch_empty, batch_too_large, invalid_body", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/partner/volunteers/batch")]
pub async fn create_partner_volunteers_batch(
    state: web::Data<AppState>,
    partner: PartnerClient,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    idempotent_batch(state, partner, req, body, BatchKind::Volunteers).await
}

/// Upsert a batch of service records by the partner's external ids.
///
/// Up to 500 items (2 MiB) per request, each in its own transaction with its own result.
/// Records enter the ledger with source `partner:<client_id>`: minutes, late flag, overlap
/// conflicts (held pending), totals and star levels as for local records; a changed record is
/// corrected (superseded by a new record), never edited. The volunteer is named by the
/// partner's `volunteer_external_id` or the public `volunteer_number` and must be in scope.
/// Requires an `Idempotency-Key` header (see the volunteers batch).
#[utoipa::path(
    tag = "partners",
    operation_id = "create_partner_service_records_batch",
    params(("Idempotency-Key" = String, Header, description = "1–255 visible ASCII characters, unique per request (for example a UUID); kept 24 h")),
    request_body = RecordBatchIn,
    security(("partner_auth" = [])),
    responses(
        (status = 200, description = "Per-item results (also the replayed answer)", body = BatchOut),
        (status = 400, description = "Malformed JSON, Idempotency-Key missing or invalid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No, invalid or expired partner token; partner suspended or secret rotated", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "idempotency_key_in_progress: the first request with this key is still running", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over 2 MiB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "idempotency_key_reused (same key, other request), batch_empty, batch_too_large, invalid_body", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/partner/service-records/batch")]
pub async fn create_partner_service_records_batch(
    state: web::Data<AppState>,
    partner: PartnerClient,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    idempotent_batch(state, partner, req, body, BatchKind::Records).await
}
