//! HTTP handlers of `/api/v1/volunteers`.

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use entity::enums::{Role, VolunteerStatus};
use entity::volunteer;
use uuid::Uuid;

use super::dto::{
    UnmaskIn, UnmaskOut, VolunteerFilter, VolunteerIn, VolunteerOut, VolunteerPatch,
    VolunteerRegisterIn,
};
use super::service;
use crate::audit::Actor;
use crate::auth::extract::request_id;
use crate::auth::{AuthUser, PendingAuth};
use crate::error::{ApiError, Problem};
use crate::organizations::handlers::actor;
use crate::pagination::{Page, PageParams};
use crate::state::AppState;

const ADMINS: &[Role] = &[Role::PlatformAdmin, Role::OrgAdmin];
const ANYONE: &[Role] = &[Role::PlatformAdmin, Role::OrgAdmin, Role::Volunteer];

/// 201 with `Location` and the masked volunteer.
fn created(v: volunteer::Model) -> HttpResponse {
    HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/volunteers/{}", v.id)))
        .json(VolunteerOut::from(v))
}

/// Register as a volunteer (public).
///
/// Real-name self-registration: the ID number is checked per GB 11643-1999 (resident ID cards,
/// HK/MO/TW residence permits), birth date and gender must match it, the minimum age is
/// configured (default 14) and volunteers under 18 need a guardian's consent. Creates a login
/// account (username = the new volunteer number, or log in with the mobile) and, with
/// `organization_id`, a pending membership. One volunteer per ID number.
#[utoipa::path(
    tag = "volunteers",
    operation_id = "register_volunteer",
    request_body = VolunteerRegisterIn,
    security(()),
    responses(
        (status = 201, description = "Registered; Location names the volunteer", body = VolunteerOut),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "duplicate_id_number or duplicate_mobile", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Validation failed (all field issues listed), below_minimum_age or guardian_consent_required", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Password hashing saturated; retry", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/volunteers/register")]
pub async fn register_volunteer(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<VolunteerRegisterIn>,
) -> Result<HttpResponse, ApiError> {
    let actor = Actor {
        account_id: None,
        request_id: request_id(&req),
    };
    let v = service::register(&state, &actor, body.into_inner()).await?;
    Ok(created(v))
}

/// Register a volunteer for an organization (admins).
///
/// Same rules as self-registration; the volunteer becomes an active member of
/// `organization_id` (in the caller's scope). No login account is created: the volunteer claims
/// one later.
#[utoipa::path(
    tag = "volunteers",
    operation_id = "create_volunteer",
    request_body = VolunteerIn,
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 201, description = "Created; Location names the volunteer", body = VolunteerOut),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "duplicate_id_number", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Validation failed (incl. organization_not_found), below_minimum_age or guardian_consent_required", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/volunteers")]
pub async fn create_volunteer(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    body: web::Json<VolunteerIn>,
) -> Result<HttpResponse, ApiError> {
    user.require(ADMINS)?;
    let v = service::create(
        &state,
        &user.scope(),
        &actor(&user, &req),
        body.into_inner(),
    )
    .await?;
    Ok(created(v))
}

/// List volunteers in the caller's scope, newest first, with filters and pagination.
///
/// An organization admin sees volunteers registered at an organization of their subtree or with
/// a membership (any status but rejected) in one.
#[utoipa::path(
    tag = "volunteers",
    operation_id = "list_volunteers",
    params(VolunteerFilter, PageParams),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "One page", body = Page<VolunteerOut>),
        (status = 400, description = "Bad query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/volunteers")]
pub async fn list_volunteers(
    state: web::Data<AppState>,
    user: AuthUser,
    filter: web::Query<VolunteerFilter>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<VolunteerOut>>, ApiError> {
    user.require(ADMINS)?;
    let (p, n) = page.resolve()?;
    let result = service::list(&state, &user.scope(), &filter, p, n).await?;
    Ok(web::Json(Page {
        items: result.items.into_iter().map(Into::into).collect(),
        page: result.page,
        per_page: result.per_page,
        total: result.total,
    }))
}

/// Get the calling volunteer's own profile.
#[utoipa::path(
    tag = "volunteers",
    operation_id = "get_own_volunteer",
    security(("bearer_auth" = ["volunteer"])),
    responses(
        (status = 200, description = "The caller's profile", body = VolunteerOut),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a volunteer", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No volunteer profile", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/volunteers/me")]
pub async fn get_own_volunteer(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<web::Json<VolunteerOut>, ApiError> {
    user.require(&[Role::Volunteer])?;
    let id = user.volunteer_id.ok_or(ApiError::NotFound("volunteer"))?;
    Ok(web::Json(
        service::get_visible(&state.db, &user, id).await?.into(),
    ))
}

/// Get one volunteer: an admin in scope, or the volunteer themself (404 otherwise).
#[utoipa::path(
    tag = "volunteers",
    operation_id = "get_volunteer",
    params(("id" = Uuid, Path, description = "Volunteer id")),
    security(("bearer_auth" = ["platform_admin", "org_admin", "volunteer"])),
    responses(
        (status = 200, description = "The volunteer (ID number and mobile masked)", body = VolunteerOut),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/volunteers/{id}")]
pub async fn get_volunteer(
    state: web::Data<AppState>,
    caller: PendingAuth,
    id: web::Path<Uuid>,
) -> Result<web::Json<VolunteerOut>, ApiError> {
    let caller = caller.require(&state.read_db, ANYONE).await?;
    Ok(web::Json(
        service::get_visible_pending(&state.read_db, caller, *id)
            .await?
            .into(),
    ))
}

/// Update a volunteer's profile; `version` must match (optimistic concurrency).
///
/// The volunteer themself may change mobile, e-mail, region, skills, service categories,
/// political status and education; an admin in scope may also change the real name. Identity
/// fields cannot be changed here (unknown fields answer 422 `invalid_body`).
#[utoipa::path(
    tag = "volunteers",
    operation_id = "update_volunteer",
    params(("id" = Uuid, Path, description = "Volunteer id")),
    request_body = VolunteerPatch,
    security(("bearer_auth" = ["platform_admin", "org_admin", "volunteer"])),
    responses(
        (status = 200, description = "Updated", body = VolunteerOut),
        (status = 400, description = "Malformed body or id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "volunteer_deregistered or duplicate_mobile", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Version mismatch", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Validation failed, field_not_editable or invalid_body", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/volunteers/{id}")]
pub async fn update_volunteer(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<VolunteerPatch>,
) -> Result<web::Json<VolunteerOut>, ApiError> {
    user.require(ANYONE)?;
    let v = service::update(
        &state.db,
        &user,
        &actor(&user, &req),
        *id,
        body.into_inner(),
    )
    .await?;
    Ok(web::Json(v.into()))
}

/// Deregister a volunteer: the volunteer themself or an admin in scope.
///
/// Personal data is anonymised, service records stay linked, the login account is disabled and
/// the person may register again later with the same ID number.
#[utoipa::path(
    tag = "volunteers",
    operation_id = "deregister_volunteer",
    params(("id" = Uuid, Path, description = "Volunteer id")),
    security(("bearer_auth" = ["platform_admin", "org_admin", "volunteer"])),
    responses(
        (status = 200, description = "Deregistered and anonymised", body = VolunteerOut),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "already_deregistered", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/volunteers/{id}/deregister")]
pub async fn deregister_volunteer(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<web::Json<VolunteerOut>, ApiError> {
    user.require(ANYONE)?;
    let v = service::deregister(&state.db, &user, &actor(&user, &req), *id).await?;
    Ok(web::Json(v.into()))
}

/// Reveal a volunteer's full ID number and mobile (admins in scope; audited with the reason).
#[utoipa::path(
    tag = "volunteers",
    operation_id = "unmask_volunteer",
    params(("id" = Uuid, Path, description = "Volunteer id")),
    request_body = UnmaskIn,
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "Full identity; an audit row was written", body = UnmaskOut),
        (status = 400, description = "Malformed body or id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "volunteer_deregistered: nothing to unmask", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Reason missing, too short or too long", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/volunteers/{id}/unmask")]
pub async fn unmask_volunteer(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<UnmaskIn>,
) -> Result<web::Json<UnmaskOut>, ApiError> {
    user.require(ADMINS)?;
    let out = service::unmask(
        &state.db,
        &state.crypto,
        &user.scope(),
        &actor(&user, &req),
        *id,
        &body.reason,
    )
    .await?;
    Ok(web::Json(out))
}

/// Suspend a volunteer (barred from signing up until reactivated; admins in scope).
#[utoipa::path(
    tag = "volunteers",
    operation_id = "suspend_volunteer",
    params(("id" = Uuid, Path, description = "Volunteer id")),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "Suspended", body = VolunteerOut),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "volunteer_deregistered", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/volunteers/{id}/suspend")]
pub async fn suspend_volunteer(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<web::Json<VolunteerOut>, ApiError> {
    user.require(ADMINS)?;
    let v = service::set_status(
        &state.db,
        &user.scope(),
        &actor(&user, &req),
        *id,
        VolunteerStatus::Suspended,
    )
    .await?;
    Ok(web::Json(v.into()))
}

/// Reactivate a suspended volunteer (admins in scope).
#[utoipa::path(
    tag = "volunteers",
    operation_id = "activate_volunteer",
    params(("id" = Uuid, Path, description = "Volunteer id")),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "Active", body = VolunteerOut),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "volunteer_deregistered", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/volunteers/{id}/activate")]
pub async fn activate_volunteer(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<web::Json<VolunteerOut>, ApiError> {
    user.require(ADMINS)?;
    let v = service::set_status(
        &state.db,
        &user.scope(),
        &actor(&user, &req),
        *id,
        VolunteerStatus::Active,
    )
    .await?;
    Ok(web::Json(v.into()))
}
