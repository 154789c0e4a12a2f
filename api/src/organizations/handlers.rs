//! HTTP handlers of `/api/v1/organizations`.

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use entity::enums::{OrganizationStatus, Role};
use uuid::Uuid;

use super::dto::{OrganizationFilter, OrganizationIn, OrganizationOut, OrganizationPatch};
use super::service;
use crate::audit::Actor;
use crate::auth::AuthUser;
use crate::auth::extract::request_id;
use crate::error::{ApiError, Problem};
use crate::pagination::{Page, PageParams};
use crate::state::AppState;

const ADMINS: &[Role] = &[Role::PlatformAdmin, Role::OrgAdmin];

/// The audit actor of a request.
pub fn actor(user: &AuthUser, req: &HttpRequest) -> Actor {
    Actor {
        account_id: Some(user.account_id),
        request_id: request_id(req),
    }
}

/// Create an organization.
///
/// Platform admins may create roots (no `parent_id`); organization admins create inside their
/// subtree. A USCC, when given, must pass the GB 32100 check character and be unique.
#[utoipa::path(
    tag = "organizations",
    operation_id = "create_organization",
    request_body = OrganizationIn,
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 201, description = "Created; Location names it", body = OrganizationOut),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Duplicate USCC", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Validation failed or parent inactive", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/organizations")]
pub async fn create_organization(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    body: web::Json<OrganizationIn>,
) -> Result<HttpResponse, ApiError> {
    user.require(ADMINS)?;
    let org = service::create(
        &state.db,
        &user.scope(),
        &actor(&user, &req),
        body.into_inner(),
    )
    .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/organizations/{}", org.id)))
        .json(OrganizationOut::from(org)))
}

/// List organizations in the caller's scope, with filters and pagination.
#[utoipa::path(
    tag = "organizations",
    operation_id = "list_organizations",
    params(OrganizationFilter, PageParams),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "One page", body = Page<OrganizationOut>),
        (status = 400, description = "Bad query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/organizations")]
pub async fn list_organizations(
    state: web::Data<AppState>,
    user: AuthUser,
    filter: web::Query<OrganizationFilter>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<OrganizationOut>>, ApiError> {
    user.require(ADMINS)?;
    let (p, n) = page.resolve()?;
    let result = service::list(&state.db, &user.scope(), &filter, p, n).await?;
    Ok(web::Json(Page {
        items: result.items.into_iter().map(Into::into).collect(),
        page: result.page,
        per_page: result.per_page,
        total: result.total,
    }))
}

/// Get one organization (404 outside the caller's scope).
#[utoipa::path(
    tag = "organizations",
    operation_id = "get_organization",
    params(("id" = Uuid, Path, description = "Organization id")),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "The organization", body = OrganizationOut),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/organizations/{id}")]
pub async fn get_organization(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<OrganizationOut>, ApiError> {
    user.require(ADMINS)?;
    Ok(web::Json(
        service::get_scoped(&state.db, &user.scope(), *id)
            .await?
            .into(),
    ))
}

/// Update an organization; `version` must match (optimistic concurrency). Changing `parent_id`
/// moves the organization with its whole subtree.
#[utoipa::path(
    tag = "organizations",
    operation_id = "update_organization",
    params(("id" = Uuid, Path, description = "Organization id")),
    request_body = OrganizationPatch,
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "Updated", body = OrganizationOut),
        (status = 400, description = "Malformed body or id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Duplicate USCC", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Version mismatch", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Validation failed or invalid move", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/organizations/{id}")]
pub async fn update_organization(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<OrganizationPatch>,
) -> Result<web::Json<OrganizationOut>, ApiError> {
    user.require(ADMINS)?;
    let org = service::update(
        &state.db,
        &user.scope(),
        &actor(&user, &req),
        *id,
        body.into_inner(),
    )
    .await?;
    Ok(web::Json(org.into()))
}

/// Deactivate an organization (refused while it has active children).
#[utoipa::path(
    tag = "organizations",
    operation_id = "deactivate_organization",
    params(("id" = Uuid, Path, description = "Organization id")),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "Deactivated", body = OrganizationOut),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Has active children", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An org admin's own organization", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/organizations/{id}/deactivate")]
pub async fn deactivate_organization(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<web::Json<OrganizationOut>, ApiError> {
    user.require(ADMINS)?;
    let org = service::set_status(
        &state.db,
        &user.scope(),
        &actor(&user, &req),
        *id,
        OrganizationStatus::Inactive,
    )
    .await?;
    Ok(web::Json(org.into()))
}

/// Reactivate an organization (its parent must be active).
#[utoipa::path(
    tag = "organizations",
    operation_id = "activate_organization",
    params(("id" = Uuid, Path, description = "Organization id")),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "Active", body = OrganizationOut),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Parent inactive, or an org admin's own organization", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/organizations/{id}/activate")]
pub async fn activate_organization(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<web::Json<OrganizationOut>, ApiError> {
    user.require(ADMINS)?;
    let org = service::set_status(
        &state.db,
        &user.scope(),
        &actor(&user, &req),
        *id,
        OrganizationStatus::Active,
    )
    .await?;
    Ok(web::Json(org.into()))
}
