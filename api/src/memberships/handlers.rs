//! HTTP handlers of `/api/v1/memberships`.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use entity::enums::Role;
use uuid::Uuid;

use super::dto::{MembershipFilter, MembershipIn, MembershipOut};
use super::service;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::organizations::handlers::actor;
use crate::pagination::{Page, PageParams};
use crate::state::AppState;

const ADMINS: &[Role] = &[Role::PlatformAdmin, Role::OrgAdmin];
const ANYONE: &[Role] = &[Role::PlatformAdmin, Role::OrgAdmin, Role::Volunteer];

/// The caller's volunteer id; 403 for other roles.
fn own_volunteer(user: &AuthUser) -> Result<Uuid, ApiError> {
    user.require(&[Role::Volunteer])?;
    user.volunteer_id.ok_or(ApiError::Forbidden)
}

/// Apply to join an organization (volunteers).
///
/// Creates a pending membership that an admin of the organization approves or rejects.
/// Re-applying after a rejection or after leaving is allowed.
#[utoipa::path(
    tag = "memberships",
    operation_id = "create_membership",
    request_body = MembershipIn,
    security(("bearer_auth" = ["volunteer"])),
    responses(
        (status = 201, description = "Pending; Location names the membership", body = MembershipOut),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a volunteer", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "duplicate_membership or volunteer_deregistered", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "organization_not_found or organization_inactive", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/memberships")]
pub async fn create_membership(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    body: web::Json<MembershipIn>,
) -> Result<HttpResponse, ApiError> {
    let volunteer_id = own_volunteer(&user)?;
    let m = service::apply(
        &state.db,
        volunteer_id,
        &actor(&user, &req),
        body.into_inner(),
    )
    .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/memberships/{}", m.id)))
        .json(MembershipOut::from(m)))
}

/// List memberships: admins see those of organizations in their scope, volunteers their own.
#[utoipa::path(
    tag = "memberships",
    operation_id = "list_memberships",
    params(MembershipFilter, PageParams),
    security(("bearer_auth" = ["platform_admin", "org_admin", "volunteer"])),
    responses(
        (status = 200, description = "One page", body = Page<MembershipOut>),
        (status = 400, description = "Bad query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/memberships")]
pub async fn list_memberships(
    state: web::Data<AppState>,
    user: AuthUser,
    filter: web::Query<MembershipFilter>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<MembershipOut>>, ApiError> {
    user.require(ANYONE)?;
    let (p, n) = page.resolve()?;
    let result = service::list(&state.db, &user, &filter, p, n).await?;
    Ok(web::Json(Page {
        items: result.items.into_iter().map(Into::into).collect(),
        page: result.page,
        per_page: result.per_page,
        total: result.total,
    }))
}

/// Get one membership: its volunteer, or an admin whose scope covers the organization.
#[utoipa::path(
    tag = "memberships",
    operation_id = "get_membership",
    params(("id" = Uuid, Path, description = "Membership id")),
    security(("bearer_auth" = ["platform_admin", "org_admin", "volunteer"])),
    responses(
        (status = 200, description = "The membership", body = MembershipOut),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/memberships/{id}")]
pub async fn get_membership(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<MembershipOut>, ApiError> {
    user.require(ANYONE)?;
    Ok(web::Json(
        service::get_visible(&state.db, &user, *id).await?.into(),
    ))
}

/// Approve a pending membership (admins whose scope covers the organization).
#[utoipa::path(
    tag = "memberships",
    operation_id = "approve_membership",
    params(("id" = Uuid, Path, description = "Membership id")),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "Active", body = MembershipOut),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "invalid_state: not pending", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "organization_inactive", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/memberships/{id}/approve")]
pub async fn approve_membership(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<web::Json<MembershipOut>, ApiError> {
    user.require(ADMINS)?;
    let m = service::decide(&state.db, &user.scope(), &actor(&user, &req), *id, true).await?;
    Ok(web::Json(m.into()))
}

/// Reject a pending membership (admins whose scope covers the organization).
#[utoipa::path(
    tag = "memberships",
    operation_id = "reject_membership",
    params(("id" = Uuid, Path, description = "Membership id")),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "Rejected", body = MembershipOut),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "invalid_state: not pending", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/memberships/{id}/reject")]
pub async fn reject_membership(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<web::Json<MembershipOut>, ApiError> {
    user.require(ADMINS)?;
    let m = service::decide(&state.db, &user.scope(), &actor(&user, &req), *id, false).await?;
    Ok(web::Json(m.into()))
}

/// Leave an organization or withdraw an application (the volunteer themself).
#[utoipa::path(
    tag = "memberships",
    operation_id = "leave_membership",
    params(("id" = Uuid, Path, description = "Membership id")),
    security(("bearer_auth" = ["volunteer"])),
    responses(
        (status = 200, description = "Left", body = MembershipOut),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a volunteer", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or not the caller's", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "invalid_state: not pending or active", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/memberships/{id}/leave")]
pub async fn leave_membership(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<web::Json<MembershipOut>, ApiError> {
    let volunteer_id = own_volunteer(&user)?;
    let m = service::leave(&state.db, volunteer_id, &actor(&user, &req), *id).await?;
    Ok(web::Json(m.into()))
}
