//! HTTP handlers of `/api/v1/projects`, `/api/v1/shifts`, `/api/v1/signups` and
//! `/api/v1/public/projects`.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::Utc;
use entity::enums::Role;
use uuid::Uuid;

use super::dto::{
    MySignupOut, ProjectFilter, ProjectIn, ProjectOut, ProjectPatch, PublicProjectDetailOut,
    PublicProjectFilter, PublicProjectOut, PublicShiftOut, ReasonIn, RejectIn, RosterSignupOut,
    ShiftChangeOut, ShiftIn, ShiftOut, ShiftPatch, SignupFilter, SignupOut,
};
use super::rules::ProjectAction;
use super::service::{self, Decision};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::organizations::handlers::actor;
use crate::pagination::{Page, PageParams};
use crate::state::AppState;

const ADMINS: &[Role] = &[Role::PlatformAdmin, Role::OrgAdmin];
const ANYONE: &[Role] = &[Role::PlatformAdmin, Role::OrgAdmin, Role::Volunteer];

// ---------------------------------------------------------------------------
// Projects
// ---------------------------------------------------------------------------

/// Create a project (draft).
///
/// The organization must be in the caller's scope. Coordinates are WGS-84 degrees, stored as
/// integer micro-degrees; `code_and_geofence` needs coordinates and a radius of 50–5000 m.
#[utoipa::path(
    tag = "projects",
    operation_id = "create_project",
    request_body = ProjectIn,
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 201, description = "Created as draft; Location names it", body = ProjectOut),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Validation failed (all field issues listed)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/projects")]
pub async fn create_project(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    body: web::Json<ProjectIn>,
) -> Result<HttpResponse, ApiError> {
    user.require(ADMINS)?;
    let p = service::create(
        &state,
        &user.scope(),
        &actor(&user, &req),
        body.into_inner(),
    )
    .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/projects/{}", p.id)))
        .json(ProjectOut::from(p)))
}

/// List projects in the caller's scope, newest first.
#[utoipa::path(
    tag = "projects",
    operation_id = "list_projects",
    params(ProjectFilter, PageParams),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "One page", body = Page<ProjectOut>),
        (status = 400, description = "Bad query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/projects")]
pub async fn list_projects(
    state: web::Data<AppState>,
    user: AuthUser,
    filter: web::Query<ProjectFilter>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<ProjectOut>>, ApiError> {
    user.require(ADMINS)?;
    let (p, n) = page.resolve()?;
    let r = service::list(&state.db, &user.scope(), &filter, p, n).await?;
    Ok(web::Json(Page {
        items: r.items.into_iter().map(Into::into).collect(),
        page: r.page,
        per_page: r.per_page,
        total: r.total,
    }))
}

/// Get one project (404 outside the caller's scope).
#[utoipa::path(
    tag = "projects",
    operation_id = "get_project",
    params(("id" = Uuid, Path, description = "Project id")),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "The project", body = ProjectOut),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/projects/{id}")]
pub async fn get_project(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<ProjectOut>, ApiError> {
    user.require(ADMINS)?;
    Ok(web::Json(
        service::get_scoped(&state.db, &user.scope(), *id)
            .await?
            .into(),
    ))
}

/// Update a project; `version` must match. Drafts: any field; published: description and
/// address only.
#[utoipa::path(
    tag = "projects",
    operation_id = "update_project",
    params(("id" = Uuid, Path, description = "Project id")),
    request_body = ProjectPatch,
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "Updated", body = ProjectOut),
        (status = 400, description = "Malformed body or id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "project_not_editable (under review, closed or cancelled)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Version mismatch", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Validation failed or field_not_editable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/projects/{id}")]
pub async fn update_project(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<ProjectPatch>,
) -> Result<web::Json<ProjectOut>, ApiError> {
    user.require(ADMINS)?;
    let p = service::update(
        &state,
        &user.scope(),
        &actor(&user, &req),
        *id,
        body.into_inner(),
    )
    .await?;
    Ok(web::Json(p.into()))
}

async fn workflow(
    state: &AppState,
    user: &AuthUser,
    req: &HttpRequest,
    id: Uuid,
    action: ProjectAction,
    reason: Option<String>,
) -> Result<web::Json<ProjectOut>, ApiError> {
    user.require(ADMINS)?;
    let p = service::transition(&state.db, user, &actor(user, req), id, action, reason).await?;
    Ok(web::Json(p.into()))
}

/// Submit a draft project for review by the parent organization.
#[utoipa::path(
    tag = "projects",
    operation_id = "submit_project",
    params(("id" = Uuid, Path, description = "Project id")),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "Now pending_review", body = ProjectOut),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "invalid_transition (not a draft)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "project_has_no_shifts", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/projects/{id}/submit")]
pub async fn submit_project(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<web::Json<ProjectOut>, ApiError> {
    workflow(&state, &user, &req, *id, ProjectAction::Submit, None).await
}

/// Approve and publish a project under review.
///
/// Allowed to platform admins and to admins whose scope covers the project organization's
/// parent; never to the admins of the organization itself (422 `cannot_review_own_project`).
#[utoipa::path(
    tag = "projects",
    operation_id = "approve_project",
    params(("id" = Uuid, Path, description = "Project id")),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "Published", body = ProjectOut),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "invalid_transition (not pending_review)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "cannot_review_own_project", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/projects/{id}/approve")]
pub async fn approve_project(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<web::Json<ProjectOut>, ApiError> {
    workflow(&state, &user, &req, *id, ProjectAction::Approve, None).await
}

/// Reject a project under review with a reason; it returns to draft.
#[utoipa::path(
    tag = "projects",
    operation_id = "reject_project",
    params(("id" = Uuid, Path, description = "Project id")),
    request_body = RejectIn,
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "Back to draft with review_note", body = ProjectOut),
        (status = 400, description = "Malformed body or id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "invalid_transition (not pending_review)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "cannot_review_own_project or missing reason", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/projects/{id}/reject")]
pub async fn reject_project(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<RejectIn>,
) -> Result<web::Json<ProjectOut>, ApiError> {
    let reason = body.into_inner().reason;
    workflow(
        &state,
        &user,
        &req,
        *id,
        ProjectAction::Reject,
        Some(reason),
    )
    .await
}

/// Close a published project: no new sign-ups; existing ones stay.
#[utoipa::path(
    tag = "projects",
    operation_id = "close_project",
    params(("id" = Uuid, Path, description = "Project id")),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "Closed", body = ProjectOut),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "invalid_transition (not published)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/projects/{id}/close")]
pub async fn close_project(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<web::Json<ProjectOut>, ApiError> {
    workflow(&state, &user, &req, *id, ProjectAction::Close, None).await
}

/// Cancel a published project; every active sign-up is cancelled.
#[utoipa::path(
    tag = "projects",
    operation_id = "cancel_project",
    params(("id" = Uuid, Path, description = "Project id")),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "Cancelled", body = ProjectOut),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "invalid_transition (not published)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/projects/{id}/cancel")]
pub async fn cancel_project(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<web::Json<ProjectOut>, ApiError> {
    workflow(&state, &user, &req, *id, ProjectAction::Cancel, None).await
}

// ---------------------------------------------------------------------------
// Public
// ---------------------------------------------------------------------------

/// List published projects (public), with filters; `near` sorts by distance.
#[utoipa::path(
    tag = "projects",
    operation_id = "list_public_projects",
    params(PublicProjectFilter, PageParams),
    security(()),
    responses(
        (status = 200, description = "One page", body = Page<PublicProjectOut>),
        (status = 400, description = "Bad query (region, near, radius, dates)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/public/projects")]
pub async fn list_public_projects(
    state: web::Data<AppState>,
    filter: web::Query<PublicProjectFilter>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<PublicProjectOut>>, ApiError> {
    let (p, n) = page.resolve()?;
    let r = service::public_list(&state.db, &filter, Utc::now(), p, n).await?;
    Ok(web::Json(Page {
        items: r
            .items
            .into_iter()
            .map(|(m, name, d)| PublicProjectOut::new(m, name, d))
            .collect(),
        page: r.page,
        per_page: r.per_page,
        total: r.total,
    }))
}

/// Get a published project (public) with its shifts and free places.
#[utoipa::path(
    tag = "projects",
    operation_id = "get_public_project",
    params(("id" = Uuid, Path, description = "Project id")),
    security(()),
    responses(
        (status = 200, description = "The project and its shifts", body = PublicProjectDetailOut),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or not published", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/public/projects/{id}")]
pub async fn get_public_project(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<PublicProjectDetailOut>, ApiError> {
    let (p, name, shifts) = service::public_get(&state.db, *id).await?;
    Ok(web::Json(PublicProjectDetailOut {
        project: PublicProjectOut::new(p, name, None),
        shifts: shifts.into_iter().map(PublicShiftOut::from).collect(),
    }))
}

// ---------------------------------------------------------------------------
// Shifts
// ---------------------------------------------------------------------------

/// Add a shift to a draft or published project.
///
/// Times are RFC 3339 with any offset, stored in UTC; end after start, at most 24 hours; the
/// start's date in the platform time zone inside the project's dates; capacity 1–10000.
#[utoipa::path(
    tag = "shifts",
    operation_id = "create_shift",
    params(("id" = Uuid, Path, description = "Project id")),
    request_body = ShiftIn,
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 201, description = "Created; Location names it", body = ShiftOut),
        (status = 400, description = "Malformed body or id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Project missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "project_not_editable", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "end_before_start, shift_too_long, shift_outside_project_dates, capacity_range", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/projects/{id}/shifts")]
pub async fn create_shift(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<ShiftIn>,
) -> Result<HttpResponse, ApiError> {
    user.require(ADMINS)?;
    let s = service::create_shift(
        &state,
        &user.scope(),
        &actor(&user, &req),
        *id,
        body.into_inner(),
    )
    .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/shifts/{}", s.id)))
        .json(ShiftOut::from(s)))
}

/// List a project's shifts, earliest first.
#[utoipa::path(
    tag = "shifts",
    operation_id = "list_shifts",
    params(("id" = Uuid, Path, description = "Project id")),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "The shifts", body = Vec<ShiftOut>),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Project missing or outside scope", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/projects/{id}/shifts")]
pub async fn list_shifts(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<Vec<ShiftOut>>, ApiError> {
    user.require(ADMINS)?;
    let shifts = service::list_shifts(&state.db, &user.scope(), *id).await?;
    Ok(web::Json(shifts.into_iter().map(Into::into).collect()))
}

/// Update a shift's times, capacity or title; `version` must match.
///
/// A capacity cut below the places taken is refused (409 `capacity_below_approved`) unless
/// `overflow` is `waitlist`; a time change that would make a volunteer's shifts overlap is
/// refused (409 `time_change_conflicts`). The response lists moved and promoted sign-ups.
#[utoipa::path(
    tag = "shifts",
    operation_id = "update_shift",
    params(("id" = Uuid, Path, description = "Shift id")),
    request_body = ShiftPatch,
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "Updated, with the sign-ups moved", body = ShiftChangeOut),
        (status = 400, description = "Malformed body or id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "capacity_below_approved, time_change_conflicts or project_not_editable", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Version mismatch", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Validation failed", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/shifts/{id}")]
pub async fn update_shift(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<ShiftPatch>,
) -> Result<web::Json<ShiftChangeOut>, ApiError> {
    user.require(ADMINS)?;
    let (s, moved, promoted) = service::update_shift(
        &state,
        &user.scope(),
        &actor(&user, &req),
        *id,
        body.into_inner(),
    )
    .await?;
    Ok(web::Json(ShiftChangeOut {
        shift: s.into(),
        moved_to_waitlist: moved,
        promoted_from_waitlist: promoted,
    }))
}

/// Delete a shift without active or attended sign-ups.
#[utoipa::path(
    tag = "shifts",
    operation_id = "delete_shift",
    params(("id" = Uuid, Path, description = "Shift id")),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "shift_has_signups or project_not_editable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/shifts/{id}")]
pub async fn delete_shift(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    user.require(ADMINS)?;
    service::delete_shift(&state.db, &user.scope(), &actor(&user, &req), *id).await?;
    Ok(HttpResponse::NoContent().finish())
}

// ---------------------------------------------------------------------------
// Sign-ups
// ---------------------------------------------------------------------------

/// Sign up for a shift (volunteers).
///
/// Becomes `approved` when a place is free, `waitlisted` when full, or `applied` when the
/// project requires approval. Capacity is never exceeded, also under concurrent sign-ups.
#[utoipa::path(
    tag = "signups",
    operation_id = "create_signup",
    params(("id" = Uuid, Path, description = "Shift id")),
    security(("bearer_auth" = ["volunteer"])),
    responses(
        (status = 201, description = "Signed up; Location names the sign-up", body = SignupOut),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a volunteer", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Shift missing", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "duplicate_signup or overlapping_shift", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "project_not_open, project_closed, shift_past, volunteer_not_active, below_project_min_age, minor_high_risk", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/shifts/{id}/signups")]
pub async fn create_signup(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    user.require(&[Role::Volunteer])?;
    let volunteer_id = user.volunteer_id.ok_or(ApiError::Forbidden)?;
    let su = service::sign_up(&state, volunteer_id, &actor(&user, &req), *id).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/signups/{}", su.id)))
        .json(SignupOut::from(su)))
}

/// List a shift's sign-ups with volunteer numbers and names (admins in scope).
#[utoipa::path(
    tag = "signups",
    operation_id = "list_signups",
    params(("id" = Uuid, Path, description = "Shift id"), SignupFilter),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "The roster, first come first", body = Vec<RosterSignupOut>),
        (status = 400, description = "Malformed id or query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Shift missing or outside scope", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/shifts/{id}/signups")]
pub async fn list_signups(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    filter: web::Query<SignupFilter>,
) -> Result<web::Json<Vec<RosterSignupOut>>, ApiError> {
    user.require(ADMINS)?;
    let rows = service::roster(&state.db, &user.scope(), *id, &filter).await?;
    Ok(web::Json(
        rows.into_iter()
            .map(|(s, v)| RosterSignupOut {
                volunteer_id: s.volunteer_id,
                volunteer_number: v
                    .as_ref()
                    .map(|v| v.volunteer_number.clone())
                    .unwrap_or_default(),
                real_name: v.map(|v| v.real_name).unwrap_or_default(),
                signup: s.into(),
            })
            .collect(),
    ))
}

/// List the caller's own sign-ups with shift and project titles, newest first (volunteers).
#[utoipa::path(
    tag = "signups",
    operation_id = "list_own_signups",
    params(PageParams),
    security(("bearer_auth" = ["volunteer"])),
    responses(
        (status = 200, description = "One page", body = Page<MySignupOut>),
        (status = 400, description = "Bad query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a volunteer", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/signups/me")]
pub async fn list_own_signups(
    state: web::Data<AppState>,
    user: AuthUser,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<MySignupOut>>, ApiError> {
    user.require(&[Role::Volunteer])?;
    let volunteer_id = user.volunteer_id.ok_or(ApiError::Forbidden)?;
    let (p, n) = page.resolve()?;
    let r = service::my_signups(&state.db, volunteer_id, p, n).await?;
    Ok(web::Json(Page {
        items: r
            .items
            .into_iter()
            .map(|(su, s, title)| MySignupOut {
                signup: su.into(),
                project_title: title,
                shift_title: s.title,
                starts_at: s.starts_at,
                ends_at: s.ends_at,
            })
            .collect(),
        page: r.page,
        per_page: r.per_page,
        total: r.total,
    }))
}

/// Get one sign-up (its volunteer, or an admin in scope).
#[utoipa::path(
    tag = "signups",
    operation_id = "get_signup",
    params(("id" = Uuid, Path, description = "Sign-up id")),
    security(("bearer_auth" = ["platform_admin", "org_admin", "volunteer"])),
    responses(
        (status = 200, description = "The sign-up", body = SignupOut),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or not visible", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/signups/{id}")]
pub async fn get_signup(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<SignupOut>, ApiError> {
    user.require(ANYONE)?;
    let (su, _) = service::signup_visible(&state.db, &user, *id).await?;
    Ok(web::Json(su.into()))
}

async fn decide(
    state: &AppState,
    user: &AuthUser,
    req: &HttpRequest,
    id: Uuid,
    decision: Decision,
    reason: Option<String>,
) -> Result<web::Json<SignupOut>, ApiError> {
    let su = service::decide(&state.db, user, &actor(user, req), id, decision, reason).await?;
    Ok(web::Json(su.into()))
}

/// Cancel a sign-up (its volunteer before the shift starts, or an admin in scope); a freed
/// place goes to the first on the waitlist.
#[utoipa::path(
    tag = "signups",
    operation_id = "cancel_signup",
    params(("id" = Uuid, Path, description = "Sign-up id")),
    security(("bearer_auth" = ["platform_admin", "org_admin", "volunteer"])),
    responses(
        (status = 200, description = "Cancelled", body = SignupOut),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or not visible", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "invalid_signup_transition", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "shift_past (volunteers)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/signups/{id}/cancel")]
pub async fn cancel_signup(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<web::Json<SignupOut>, ApiError> {
    user.require(ANYONE)?;
    decide(&state, &user, &req, *id, Decision::Cancel, None).await
}

/// Approve an applied or waitlisted sign-up (admins); it is waitlisted when the shift is full.
#[utoipa::path(
    tag = "signups",
    operation_id = "approve_signup",
    params(("id" = Uuid, Path, description = "Sign-up id")),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "Approved, or waitlisted when full", body = SignupOut),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "invalid_signup_transition or shift_full", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/signups/{id}/approve")]
pub async fn approve_signup(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<web::Json<SignupOut>, ApiError> {
    user.require(ADMINS)?;
    decide(&state, &user, &req, *id, Decision::Approve, None).await
}

/// Reject a sign-up (admins), with an optional reason; a freed place goes to the waitlist.
#[utoipa::path(
    tag = "signups",
    operation_id = "reject_signup",
    params(("id" = Uuid, Path, description = "Sign-up id")),
    request_body = ReasonIn,
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "Rejected", body = SignupOut),
        (status = 400, description = "Malformed body or id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "invalid_signup_transition", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Reason too long", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/signups/{id}/reject")]
pub async fn reject_signup(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<ReasonIn>,
) -> Result<web::Json<SignupOut>, ApiError> {
    user.require(ADMINS)?;
    let reason = body.into_inner().reason;
    decide(&state, &user, &req, *id, Decision::Reject, reason).await
}

/// Mark an approved sign-up as no-show once the shift has started (admins); frees the place.
#[utoipa::path(
    tag = "signups",
    operation_id = "mark_signup_no_show",
    params(("id" = Uuid, Path, description = "Sign-up id")),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "Marked no_show", body = SignupOut),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "invalid_signup_transition (not approved)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "shift_not_started", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/signups/{id}/no_show")]
pub async fn mark_signup_no_show(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<web::Json<SignupOut>, ApiError> {
    user.require(ADMINS)?;
    decide(&state, &user, &req, *id, Decision::NoShow, None).await
}
