//! HTTP handlers of the sync module: the change feed, webhook endpoints and deliveries.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::dto::{
    ChangeOut, ChangesOut, ChangesQuery, DeliveryFilter, DeliveryOut, EndpointCreatedOut,
    EndpointIn, EndpointOut, EndpointPatch, RotateIn,
};
use super::feed::{self, Position};
use super::partner::SyncCaller;
use super::webhooks;
use crate::error::{ApiError, Problem};
use crate::pagination::{Page, PageParams};
use crate::state::AppState;

fn page_of<T, U>(p: Page<T>, f: impl FnMut(T) -> U) -> Page<U> {
    Page {
        items: p.items.into_iter().map(f).collect(),
        page: p.page,
        per_page: p.per_page,
        total: p.total,
    }
}

/// Read the change feed.
///
/// Changes of volunteers, service records and certificates in commit order, after the cursor
/// `after` (from the start without it), at most `limit` (1–1000, default 100). A partner sees the
/// changes linked to organizations in its scope subtrees; a platform admin sees all. Following
/// `next_cursor` from the start and applying each `data` (keyed by `entity_type` + `entity_id`)
/// reconstructs the entities of the scope. A change that commits late is never skipped: the feed
/// serves only changes of transactions that have finished, so a page may lag briefly behind very
/// recent writes.
#[utoipa::path(
    tag = "sync",
    operation_id = "list_changes",
    params(ChangesQuery),
    security(("bearer_auth" = ["platform_admin"]), ("partner_auth" = [])),
    responses(
        (status = 200, description = "One page of changes", body = ChangesOut),
        (status = 400, description = "invalid_cursor or invalid_query (limit out of 1–1000)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Neither a platform admin nor a partner", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/sync/changes")]
pub async fn list_changes(
    state: web::Data<AppState>,
    caller: SyncCaller,
    q: web::Query<ChangesQuery>,
) -> Result<web::Json<ChangesOut>, ApiError> {
    let limit = q.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::BadRequest {
            code: "invalid_query",
            detail: "limit must be 1 to 1000".into(),
        });
    }
    let after = match q.after.as_deref() {
        None | Some("") => Position::default(),
        Some(c) => Position::decode(c)?,
    };
    let (rows, next) = feed::read(&state.db, &caller.feed_scope(), after, limit).await?;
    let has_more = u64::try_from(rows.len()).unwrap_or(0) == limit;
    Ok(web::Json(ChangesOut {
        items: rows.into_iter().map(ChangeOut::from).collect(),
        next_cursor: next.encode(),
        has_more,
    }))
}

/// Register a webhook endpoint.
///
/// Platform admins name the partner; a partner registers its own. The answer carries the signing
/// secret once. Events committed after registration are delivered, in the partner's scope only,
/// signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature:
/// v1,<base64 HMAC-SHA256>` over `"{id}.{timestamp}.{body}"`; see the `sync::signature` docs for
/// verification on the receiver's side).
#[utoipa::path(
    tag = "sync",
    operation_id = "create_webhook_endpoint",
    request_body = EndpointIn,
    security(("bearer_auth" = ["platform_admin"]), ("partner_auth" = [])),
    responses(
        (status = 201, description = "Created; Location names it; the secret is shown only now", body = EndpointCreatedOut),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Neither a platform admin nor a partner", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "A partner named another partner", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "invalid_body (unknown event type) or validation failed (url_invalid, url_not_https, url_not_public, required, partner_not_found, too_long)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/sync/webhook-endpoints")]
pub async fn create_webhook_endpoint(
    state: web::Data<AppState>,
    caller: SyncCaller,
    req: HttpRequest,
    body: web::Json<EndpointIn>,
) -> Result<HttpResponse, ApiError> {
    let (ep, secret) = webhooks::create(
        &state.db,
        &state.crypto,
        state.settings.environment,
        &caller,
        &caller.actor(&req),
        body.into_inner(),
    )
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            "Location",
            format!("/api/v1/sync/webhook-endpoints/{}", ep.id),
        ))
        .json(EndpointCreatedOut {
            endpoint: ep.into(),
            secret,
        }))
}

/// Filter of the endpoint list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EndpointFilter {
    /// Only this partner's endpoints (platform admins).
    pub partner_id: Option<Uuid>,
}

/// List webhook endpoints (a partner's own; all for platform admins), oldest first.
#[utoipa::path(
    tag = "sync",
    operation_id = "list_webhook_endpoints",
    params(EndpointFilter, PageParams),
    security(("bearer_auth" = ["platform_admin"]), ("partner_auth" = [])),
    responses(
        (status = 200, description = "One page", body = Page<EndpointOut>),
        (status = 400, description = "Bad query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Neither a platform admin nor a partner", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/sync/webhook-endpoints")]
pub async fn list_webhook_endpoints(
    state: web::Data<AppState>,
    caller: SyncCaller,
    filter: web::Query<EndpointFilter>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<EndpointOut>>, ApiError> {
    let (p, n) = page.resolve()?;
    let r = webhooks::list(&state.db, &caller, filter.partner_id, p, n).await?;
    Ok(web::Json(page_of(r, EndpointOut::from)))
}

/// Get a webhook endpoint.
#[utoipa::path(
    tag = "sync",
    operation_id = "get_webhook_endpoint",
    params(("id" = Uuid, Path, description = "Endpoint id")),
    security(("bearer_auth" = ["platform_admin"]), ("partner_auth" = [])),
    responses(
        (status = 200, description = "The endpoint", body = EndpointOut),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Neither a platform admin nor a partner", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or another partner's", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/sync/webhook-endpoints/{id}")]
pub async fn get_webhook_endpoint(
    state: web::Data<AppState>,
    caller: SyncCaller,
    id: web::Path<Uuid>,
) -> Result<web::Json<EndpointOut>, ApiError> {
    Ok(web::Json(
        webhooks::get(&state.db, &caller, *id).await?.into(),
    ))
}

/// Change a webhook endpoint (URL, events, description, enabled); `version` must match.
#[utoipa::path(
    tag = "sync",
    operation_id = "update_webhook_endpoint",
    params(("id" = Uuid, Path, description = "Endpoint id")),
    request_body = EndpointPatch,
    security(("bearer_auth" = ["platform_admin"]), ("partner_auth" = [])),
    responses(
        (status = 200, description = "Updated", body = EndpointOut),
        (status = 400, description = "Malformed body or id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Neither a platform admin nor a partner", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or another partner's", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Version mismatch", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Validation failed", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/sync/webhook-endpoints/{id}")]
pub async fn update_webhook_endpoint(
    state: web::Data<AppState>,
    caller: SyncCaller,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<EndpointPatch>,
) -> Result<web::Json<EndpointOut>, ApiError> {
    let ep = webhooks::update(
        &state.db,
        state.settings.environment,
        &caller,
        &caller.actor(&req),
        *id,
        body.into_inner(),
    )
    .await?;
    Ok(web::Json(ep.into()))
}

/// Rotate a webhook endpoint's signing secret.
///
/// The answer carries the new secret once. For 24 hours every delivery is signed with both the
/// new and the previous secret (`webhook-signature: v1,<new> v1,<previous>`), so the receiver can
/// switch over without dropping a message.
#[utoipa::path(
    tag = "sync",
    operation_id = "rotate_webhook_endpoint_secret",
    params(("id" = Uuid, Path, description = "Endpoint id")),
    request_body = RotateIn,
    security(("bearer_auth" = ["platform_admin"]), ("partner_auth" = [])),
    responses(
        (status = 200, description = "Rotated; the new secret is shown only now", body = EndpointCreatedOut),
        (status = 400, description = "Malformed body or id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Neither a platform admin nor a partner", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or another partner's", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Version mismatch", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid body", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/sync/webhook-endpoints/{id}/rotate-secret")]
pub async fn rotate_webhook_endpoint_secret(
    state: web::Data<AppState>,
    caller: SyncCaller,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<RotateIn>,
) -> Result<web::Json<EndpointCreatedOut>, ApiError> {
    let (ep, secret) = webhooks::rotate_secret(
        &state.db,
        &state.crypto,
        &caller,
        &caller.actor(&req),
        *id,
        body.version,
    )
    .await?;
    Ok(web::Json(EndpointCreatedOut {
        endpoint: ep.into(),
        secret,
    }))
}

/// Delete a webhook endpoint and its delivery history.
#[utoipa::path(
    tag = "sync",
    operation_id = "delete_webhook_endpoint",
    params(("id" = Uuid, Path, description = "Endpoint id")),
    security(("bearer_auth" = ["platform_admin"]), ("partner_auth" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Neither a platform admin nor a partner", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or another partner's", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/sync/webhook-endpoints/{id}")]
pub async fn delete_webhook_endpoint(
    state: web::Data<AppState>,
    caller: SyncCaller,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    webhooks::delete(&state.db, &caller, &caller.actor(&req), *id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// List the deliveries of a webhook endpoint, newest first, with status, attempts and the last
/// response code.
#[utoipa::path(
    tag = "sync",
    operation_id = "list_webhook_deliveries",
    params(("id" = Uuid, Path, description = "Endpoint id"), DeliveryFilter, PageParams),
    security(("bearer_auth" = ["platform_admin"]), ("partner_auth" = [])),
    responses(
        (status = 200, description = "One page", body = Page<DeliveryOut>),
        (status = 400, description = "Bad query or id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Neither a platform admin nor a partner", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Endpoint missing or another partner's", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/sync/webhook-endpoints/{id}/deliveries")]
pub async fn list_webhook_deliveries(
    state: web::Data<AppState>,
    caller: SyncCaller,
    id: web::Path<Uuid>,
    filter: web::Query<DeliveryFilter>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<DeliveryOut>>, ApiError> {
    let (p, n) = page.resolve()?;
    let r = webhooks::deliveries(&state.db, &caller, *id, &filter, p, n).await?;
    Ok(web::Json(page_of(r, DeliveryOut::from)))
}

/// Queue a delivery again: pending, attempts reset, due now; the same `webhook-id`.
#[utoipa::path(
    tag = "sync",
    operation_id = "redeliver_webhook_delivery",
    params(("id" = Uuid, Path, description = "Delivery id")),
    security(("bearer_auth" = ["platform_admin"]), ("partner_auth" = [])),
    responses(
        (status = 202, description = "Queued", body = DeliveryOut),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Neither a platform admin nor a partner", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or another partner's", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/sync/webhook-deliveries/{id}/redeliver")]
pub async fn redeliver_webhook_delivery(
    state: web::Data<AppState>,
    caller: SyncCaller,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let d = webhooks::redeliver(&state.db, &caller, &caller.actor(&req), *id).await?;
    Ok(HttpResponse::Accepted().json(DeliveryOut::from(d)))
}
