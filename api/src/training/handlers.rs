//! HTTP handlers of the training module: courses, the public catalogue, instructors, training
//! classes, enrolments, attendance, completion, training records, qualifications, reports and
//! settings.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, put, web};
use chrono::{Datelike as _, Utc};
use entity::enums::Role;
use uuid::Uuid;

use super::dto::{
    AttendanceItem, BatchEnrolIn, BatchOut, BatchOutcome, ClassFilter, ClassIn, ClassOut,
    ClassPatch, ClassReportOut, CompleteIn, CompletionOut, CourseFilter, CourseIn, CourseOut,
    CoursePatch, EnrolmentOut, InstructorFilter, InstructorIn, InstructorOut, InstructorPatch,
    MyEnrolmentOut, OrganizationTrainingReportOut, PublicCourseOut, QualificationOut,
    RosterEnrolmentOut, SessionAttendanceOut, TrainingRecordOut, TrainingSettingsIn,
    TrainingSettingsOut, YearQuery,
};
use super::rules::ClassAction;
use super::service;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::organizations::handlers::actor;
use crate::pagination::{Page, PageParams};
use crate::state::AppState;

const ADMINS: &[Role] = &[Role::PlatformAdmin, Role::OrgAdmin];
const ANYONE: &[Role] = &[Role::PlatformAdmin, Role::OrgAdmin, Role::Volunteer];

fn page_of<T, U>(p: Page<T>, f: impl FnMut(T) -> U) -> Page<U> {
    Page {
        items: p.items.into_iter().map(f).collect(),
        page: p.page,
        per_page: p.per_page,
        total: p.total,
    }
}

/// The caller's volunteer id (volunteers only).
fn own_volunteer(user: &AuthUser) -> Result<Uuid, ApiError> {
    user.require(&[Role::Volunteer])?;
    user.volunteer_id.ok_or(ApiError::Forbidden)
}

// ---------------------------------------------------------------------------
// Courses
// ---------------------------------------------------------------------------

/// Create a course (unpublished).
///
/// Materials are http/https links (at most 20); minutes 1–10000; a granted qualification
/// has a snake_case code and an optional validity in days (1–3650).
#[utoipa::path(
    tag = "training",
    operation_id = "create_course",
    request_body = CourseIn,
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 201, description = "Created; Location names it", body = CourseOut),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Validation failed (minutes_range, url_format, code_format, validity_days_range, organization_not_found …)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/courses")]
pub async fn create_course(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    body: web::Json<CourseIn>,
) -> Result<HttpResponse, ApiError> {
    user.require(ADMINS)?;
    let c = service::create_course(
        &state.db,
        &user.scope(),
        &actor(&user, &req),
        body.into_inner(),
    )
    .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/courses/{}", c.id)))
        .json(CourseOut::from(c)))
}

/// List courses of the caller's scope, newest first.
#[utoipa::path(
    tag = "training",
    operation_id = "list_courses",
    params(CourseFilter, PageParams),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "One page", body = Page<CourseOut>),
        (status = 400, description = "Bad query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/courses")]
pub async fn list_courses(
    state: web::Data<AppState>,
    user: AuthUser,
    filter: web::Query<CourseFilter>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<CourseOut>>, ApiError> {
    user.require(ADMINS)?;
    let (p, n) = page.resolve()?;
    let r = service::list_courses(&state.db, &user.scope(), &filter, p, n).await?;
    Ok(web::Json(page_of(r, CourseOut::from)))
}

/// Get a course of the caller's scope.
#[utoipa::path(
    tag = "training",
    operation_id = "get_course",
    params(("id" = Uuid, Path, description = "Course id")),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "The course", body = CourseOut),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/courses/{id}")]
pub async fn get_course(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<CourseOut>, ApiError> {
    user.require(ADMINS)?;
    let c = service::get_course(&state.db, &user.scope(), *id).await?;
    Ok(web::Json(c.into()))
}

/// Update a course; `version` must match.
#[utoipa::path(
    tag = "training",
    operation_id = "update_course",
    params(("id" = Uuid, Path, description = "Course id")),
    request_body = CoursePatch,
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "Updated", body = CourseOut),
        (status = 400, description = "Malformed body or id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Version mismatch", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Validation failed", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/courses/{id}")]
pub async fn update_course(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<CoursePatch>,
) -> Result<web::Json<CourseOut>, ApiError> {
    user.require(ADMINS)?;
    let c = service::update_course(
        &state.db,
        &user.scope(),
        &actor(&user, &req),
        *id,
        body.into_inner(),
    )
    .await?;
    Ok(web::Json(c.into()))
}

/// Delete a course that no class or qualification refers to.
#[utoipa::path(
    tag = "training",
    operation_id = "delete_course",
    params(("id" = Uuid, Path, description = "Course id")),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "course_in_use", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/courses/{id}")]
pub async fn delete_course(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    user.require(ADMINS)?;
    service::delete_course(&state.db, &user.scope(), &actor(&user, &req), *id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Publish a course: public, and any organization may base a class on it.
#[utoipa::path(
    tag = "training",
    operation_id = "publish_course",
    params(("id" = Uuid, Path, description = "Course id")),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "Published", body = CourseOut),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "invalid_state (already published)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/courses/{id}/publish")]
pub async fn publish_course(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<web::Json<CourseOut>, ApiError> {
    user.require(ADMINS)?;
    let c = service::publish_course(&state.db, &user.scope(), &actor(&user, &req), *id).await?;
    Ok(web::Json(c.into()))
}

/// List published courses (public), by title.
///
/// Filters: `category`, `specialty` (exact), `q` (title contains); `published` is ignored.
#[utoipa::path(
    tag = "training",
    operation_id = "list_public_courses",
    params(CourseFilter, PageParams),
    security(()),
    responses(
        (status = 200, description = "One page", body = Page<PublicCourseOut>),
        (status = 400, description = "Bad query", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/public/courses")]
pub async fn list_public_courses(
    state: web::Data<AppState>,
    filter: web::Query<CourseFilter>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<PublicCourseOut>>, ApiError> {
    let (p, n) = page.resolve()?;
    let r = service::public_courses(&state.db, &filter, p, n).await?;
    Ok(web::Json(page_of(r, |(c, name)| {
        PublicCourseOut::new(c, name)
    })))
}

/// Get a published course (public).
#[utoipa::path(
    tag = "training",
    operation_id = "get_public_course",
    params(("id" = Uuid, Path, description = "Course id")),
    security(()),
    responses(
        (status = 200, description = "The course", body = PublicCourseOut),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or not published", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/public/courses/{id}")]
pub async fn get_public_course(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<PublicCourseOut>, ApiError> {
    let (c, name) = service::public_course(&state.db, *id).await?;
    Ok(web::Json(PublicCourseOut::new(c, name)))
}

// ---------------------------------------------------------------------------
// Instructors
// ---------------------------------------------------------------------------

/// Add an instructor to an organization's pool.
#[utoipa::path(
    tag = "training",
    operation_id = "create_instructor",
    request_body = InstructorIn,
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 201, description = "Created; Location names it", body = InstructorOut),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Validation failed (mobile_format, organization_not_found …)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/instructors")]
pub async fn create_instructor(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    body: web::Json<InstructorIn>,
) -> Result<HttpResponse, ApiError> {
    user.require(ADMINS)?;
    let m = service::create_instructor(
        &state.db,
        &user.scope(),
        &actor(&user, &req),
        body.into_inner(),
    )
    .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/instructors/{}", m.id)))
        .json(InstructorOut::from(m)))
}

/// Search instructors of the caller's scope by specialty and name.
#[utoipa::path(
    tag = "training",
    operation_id = "list_instructors",
    params(InstructorFilter, PageParams),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "One page, by name", body = Page<InstructorOut>),
        (status = 400, description = "Bad query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/instructors")]
pub async fn list_instructors(
    state: web::Data<AppState>,
    user: AuthUser,
    filter: web::Query<InstructorFilter>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<InstructorOut>>, ApiError> {
    user.require(ADMINS)?;
    let (p, n) = page.resolve()?;
    let r = service::list_instructors(&state.db, &user.scope(), &filter, p, n).await?;
    Ok(web::Json(page_of(r, InstructorOut::from)))
}

/// Get an instructor of the caller's scope (mobile masked).
#[utoipa::path(
    tag = "training",
    operation_id = "get_instructor",
    params(("id" = Uuid, Path, description = "Instructor id")),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "The instructor", body = InstructorOut),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/instructors/{id}")]
pub async fn get_instructor(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<InstructorOut>, ApiError> {
    user.require(ADMINS)?;
    let m = service::get_instructor(&state.db, &user.scope(), *id).await?;
    Ok(web::Json(m.into()))
}

/// Update an instructor; `version` must match.
#[utoipa::path(
    tag = "training",
    operation_id = "update_instructor",
    params(("id" = Uuid, Path, description = "Instructor id")),
    request_body = InstructorPatch,
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "Updated", body = InstructorOut),
        (status = 400, description = "Malformed body or id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Version mismatch", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Validation failed", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/instructors/{id}")]
pub async fn update_instructor(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<InstructorPatch>,
) -> Result<web::Json<InstructorOut>, ApiError> {
    user.require(ADMINS)?;
    let m = service::update_instructor(
        &state.db,
        &user.scope(),
        &actor(&user, &req),
        *id,
        body.into_inner(),
    )
    .await?;
    Ok(web::Json(m.into()))
}

/// Remove an instructor who teaches no class.
#[utoipa::path(
    tag = "training",
    operation_id = "delete_instructor",
    params(("id" = Uuid, Path, description = "Instructor id")),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "instructor_in_use", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/instructors/{id}")]
pub async fn delete_instructor(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    user.require(ADMINS)?;
    service::delete_instructor(&state.db, &user.scope(), &actor(&user, &req), *id).await?;
    Ok(HttpResponse::NoContent().finish())
}

// ---------------------------------------------------------------------------
// Training classes
// ---------------------------------------------------------------------------

/// Create a training class (planned).
///
/// The course must be published or owned in the caller's scope. Sessions: 1–50, each at most
/// 12 hours; times RFC 3339 with any offset, stored in UTC. Capacity 1–5000.
#[utoipa::path(
    tag = "training",
    operation_id = "create_training_class",
    request_body = ClassIn,
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 201, description = "Created; Location names it", body = ClassOut),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Validation failed (course_not_found, sessions_count, session_too_long, place_or_online_url_required, capacity_range, window_end_before_start …)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/training-classes")]
pub async fn create_training_class(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    body: web::Json<ClassIn>,
) -> Result<HttpResponse, ApiError> {
    user.require(ADMINS)?;
    let (c, ids) = service::create_class(
        &state.db,
        &user.scope(),
        &actor(&user, &req),
        body.into_inner(),
    )
    .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/training-classes/{}", c.id)))
        .json(service::class_out(c, ids)))
}

/// List training classes of the caller's scope, latest first.
#[utoipa::path(
    tag = "training",
    operation_id = "list_training_classes",
    params(ClassFilter, PageParams),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "One page", body = Page<ClassOut>),
        (status = 400, description = "Bad query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/training-classes")]
pub async fn list_training_classes(
    state: web::Data<AppState>,
    user: AuthUser,
    filter: web::Query<ClassFilter>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<ClassOut>>, ApiError> {
    user.require(ADMINS)?;
    let (p, n) = page.resolve()?;
    let r = service::list_classes(&state.db, &user.scope(), &filter, p, n).await?;
    let mut ids =
        service::instructors_of(&state.db, r.items.iter().map(|c| c.id).collect()).await?;
    Ok(web::Json(page_of(r, |c| {
        let i = ids.remove(&c.id).unwrap_or_default();
        service::class_out(c, i)
    })))
}

/// Get a training class of the caller's scope.
#[utoipa::path(
    tag = "training",
    operation_id = "get_training_class",
    params(("id" = Uuid, Path, description = "Class id")),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "The class", body = ClassOut),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/training-classes/{id}")]
pub async fn get_training_class(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<ClassOut>, ApiError> {
    user.require(ADMINS)?;
    let c = service::get_class(&state.db, &user.scope(), *id).await?;
    let i = service::instructors_of(&state.db, vec![c.id])
        .await?
        .remove(&c.id)
        .unwrap_or_default();
    Ok(web::Json(service::class_out(c, i)))
}

/// Update a planned or open class; `version` must match.
#[utoipa::path(
    tag = "training",
    operation_id = "update_training_class",
    params(("id" = Uuid, Path, description = "Class id")),
    request_body = ClassPatch,
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "Updated", body = ClassOut),
        (status = 400, description = "Malformed body or id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "class_not_editable or capacity_below_enrolled", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Version mismatch", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Validation failed", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/training-classes/{id}")]
pub async fn update_training_class(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<ClassPatch>,
) -> Result<web::Json<ClassOut>, ApiError> {
    user.require(ADMINS)?;
    let (c, ids) = service::update_class(
        &state.db,
        &user.scope(),
        &actor(&user, &req),
        *id,
        body.into_inner(),
    )
    .await?;
    Ok(web::Json(service::class_out(c, ids)))
}

/// Open a planned class for enrolment.
#[utoipa::path(
    tag = "training",
    operation_id = "open_training_class",
    params(("id" = Uuid, Path, description = "Class id")),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "New status", body = ClassOut),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "invalid_state (not planned)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/training-classes/{id}/open")]
pub async fn open_training_class(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<web::Json<ClassOut>, ApiError> {
    transition(&state, &user, &req, *id, ClassAction::Open).await
}

/// Start an open class (enrolment ends).
#[utoipa::path(
    tag = "training",
    operation_id = "start_training_class",
    params(("id" = Uuid, Path, description = "Class id")),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "New status", body = ClassOut),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "invalid_state (not open)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/training-classes/{id}/start")]
pub async fn start_training_class(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<web::Json<ClassOut>, ApiError> {
    transition(&state, &user, &req, *id, ClassAction::Start).await
}

/// Finish a running class.
#[utoipa::path(
    tag = "training",
    operation_id = "finish_training_class",
    params(("id" = Uuid, Path, description = "Class id")),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "New status", body = ClassOut),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "invalid_state (not running)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/training-classes/{id}/finish")]
pub async fn finish_training_class(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<web::Json<ClassOut>, ApiError> {
    transition(&state, &user, &req, *id, ClassAction::Finish).await
}

/// Archive a finished class (read only).
#[utoipa::path(
    tag = "training",
    operation_id = "archive_training_class",
    params(("id" = Uuid, Path, description = "Class id")),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "New status", body = ClassOut),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "invalid_state (not finished)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/training-classes/{id}/archive")]
pub async fn archive_training_class(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<web::Json<ClassOut>, ApiError> {
    transition(&state, &user, &req, *id, ClassAction::Archive).await
}

async fn transition(
    state: &AppState,
    user: &AuthUser,
    req: &HttpRequest,
    id: Uuid,
    action: ClassAction,
) -> Result<web::Json<ClassOut>, ApiError> {
    user.require(ADMINS)?;
    let c =
        service::transition_class(&state.db, &user.scope(), &actor(user, req), id, action).await?;
    let i = service::instructors_of(&state.db, vec![c.id])
        .await?
        .remove(&c.id)
        .unwrap_or_default();
    Ok(web::Json(service::class_out(c, i)))
}

// ---------------------------------------------------------------------------
// Enrolments, attendance, completion
// ---------------------------------------------------------------------------

/// Enrol the calling volunteer in an open class.
///
/// Capacity is never exceeded, also under concurrent enrolment; the window runs from
/// `enrol_opens_at` (inclusive) to `enrol_closes_at` (exclusive).
#[utoipa::path(
    tag = "training",
    operation_id = "create_enrolment",
    params(("id" = Uuid, Path, description = "Class id")),
    security(("bearer_auth" = ["volunteer"])),
    responses(
        (status = 201, description = "Enrolled; Location names the enrolment", body = EnrolmentOut),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such class", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "duplicate_enrolment or class_full", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "enrolment_closed (class not open or outside the window) or volunteer_not_active", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/training-classes/{id}/enrolments")]
pub async fn create_enrolment(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let vid = own_volunteer(&user)?;
    let e = service::enrol(&state.db, vid, &actor(&user, &req), *id, Utc::now()).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/enrolments/{}", e.id)))
        .json(EnrolmentOut::from(e)))
}

/// Enrol a list of volunteers (1–500) at once, each with its own result.
///
/// One transaction; the enrolment window does not apply to admins. Results: `enrolled`,
/// `duplicate`, `full`, `not_found` (missing or outside the caller's scope), `not_active`.
#[utoipa::path(
    tag = "training",
    operation_id = "create_enrolments_batch",
    params(("id" = Uuid, Path, description = "Class id")),
    request_body = BatchEnrolIn,
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "Results in the order sent", body = BatchOut),
        (status = 400, description = "Malformed body or id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "invalid_state (class not planned or open)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "batch_size", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/training-classes/{id}/enrolments/batch")]
pub async fn create_enrolments_batch(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<BatchEnrolIn>,
) -> Result<web::Json<BatchOut>, ApiError> {
    user.require(ADMINS)?;
    let results = service::enrol_batch(
        &state.db,
        &user,
        &actor(&user, &req),
        *id,
        &body.volunteer_ids,
    )
    .await?;
    let enrolled = results
        .iter()
        .filter(|r| r.result == BatchOutcome::Enrolled)
        .count();
    Ok(web::Json(BatchOut {
        enrolled: u32::try_from(enrolled).unwrap_or(u32::MAX),
        results,
    }))
}

/// List the enrolments of a class of the caller's scope.
#[utoipa::path(
    tag = "training",
    operation_id = "list_enrolments",
    params(("id" = Uuid, Path, description = "Class id")),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "The roster, first enrolled first", body = Vec<RosterEnrolmentOut>),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/training-classes/{id}/enrolments")]
pub async fn list_enrolments(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<Vec<RosterEnrolmentOut>>, ApiError> {
    user.require(ADMINS)?;
    let rows = service::roster(&state.db, &user.scope(), *id).await?;
    Ok(web::Json(
        rows.into_iter()
            .map(|(e, v, n)| RosterEnrolmentOut {
                volunteer_number: v
                    .as_ref()
                    .map(|v| v.volunteer_number.clone())
                    .unwrap_or_default(),
                real_name: v.map(|v| v.real_name).unwrap_or_default(),
                attended_sessions: n,
                enrolment: e.into(),
            })
            .collect(),
    ))
}

/// List the calling volunteer's enrolments, newest first.
#[utoipa::path(
    tag = "training",
    operation_id = "list_own_enrolments",
    params(PageParams),
    security(("bearer_auth" = ["volunteer"])),
    responses(
        (status = 200, description = "One page", body = Page<MyEnrolmentOut>),
        (status = 400, description = "Bad query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/enrolments/me")]
pub async fn list_own_enrolments(
    state: web::Data<AppState>,
    user: AuthUser,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<MyEnrolmentOut>>, ApiError> {
    let vid = own_volunteer(&user)?;
    let (p, n) = page.resolve()?;
    let r = service::my_enrolments(&state.db, vid, p, n).await?;
    Ok(web::Json(page_of(r, |(e, c)| MyEnrolmentOut {
        enrolment: e.into(),
        class_title: c.title,
        class_status: c.status,
        starts_at: c.starts_at,
        ends_at: c.ends_at,
    })))
}

/// Cancel an enrolment and free its place.
///
/// Volunteers cancel their own while the class is planned or open; admins in scope also
/// while it is running.
#[utoipa::path(
    tag = "training",
    operation_id = "cancel_enrolment",
    params(("id" = Uuid, Path, description = "Enrolment id")),
    security(("bearer_auth" = ["platform_admin", "org_admin", "volunteer"])),
    responses(
        (status = 200, description = "Cancelled", body = EnrolmentOut),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing, not yours, or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "invalid_state (not enrolled, or the class is too far along)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/enrolments/{id}/cancel")]
pub async fn cancel_enrolment(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<web::Json<EnrolmentOut>, ApiError> {
    user.require(ANYONE)?;
    let e = service::cancel_enrolment(&state.db, &user, &actor(&user, &req), *id).await?;
    Ok(web::Json(e.into()))
}

/// Record presence at one session of a running or finished class.
///
/// The body lists `{enrolment_id, present}` marks; each replaces an earlier mark of the same
/// enrolment for this session.
#[utoipa::path(
    tag = "training",
    operation_id = "update_session_attendance",
    params(("id" = Uuid, Path, description = "Class id"), ("n" = u32, Path, description = "Session number, 1-based")),
    request_body = Vec<AttendanceItem>,
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "All marks of the session", body = SessionAttendanceOut),
        (status = 400, description = "Malformed body, id or session number", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Class missing or outside scope, or no such session", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "invalid_state (class not running or finished)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "enrolment_not_found for an item", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/training-classes/{id}/sessions/{n}/attendance")]
pub async fn update_session_attendance(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<(Uuid, u32)>,
    body: web::Json<Vec<AttendanceItem>>,
) -> Result<web::Json<SessionAttendanceOut>, ApiError> {
    user.require(ADMINS)?;
    let (id, n) = path.into_inner();
    let items =
        service::record_attendance(&state.db, &user.scope(), &actor(&user, &req), id, n, &body)
            .await?;
    let present = items.iter().filter(|i| i.present).count();
    Ok(web::Json(SessionAttendanceOut {
        session: n,
        present: u32::try_from(present).unwrap_or(u32::MAX),
        absent: u32::try_from(items.len() - present).unwrap_or(u32::MAX),
        items,
    }))
}

/// Record the completion of an enrolment, with an optional score.
///
/// Passed = score ≥ pass mark when the class has one, else attended ≥ 80 % of the sessions;
/// a failed completion is recorded with `passed: false`. Every completion creates a training
/// record (the course's minutes); a passed one grants the course's qualification, expiring
/// on the completion date (platform time zone) + validity days.
#[utoipa::path(
    tag = "training",
    operation_id = "complete_enrolment",
    params(("id" = Uuid, Path, description = "Enrolment id")),
    request_body = CompleteIn,
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "Completed, with the training record and any qualification granted", body = CompletionOut),
        (status = 400, description = "Malformed body or id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "invalid_state (not enrolled, or class not running or finished)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "score_range", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/enrolments/{id}/complete")]
pub async fn complete_enrolment(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<CompleteIn>,
) -> Result<web::Json<CompletionOut>, ApiError> {
    user.require(ADMINS)?;
    let c = service::complete(
        &state.db,
        &user.scope(),
        &actor(&user, &req),
        *id,
        body.score,
        state.settings.time_zone,
    )
    .await?;
    Ok(web::Json(CompletionOut {
        enrolment: c.enrolment.into(),
        attended_sessions: c.attended,
        training_record: c.record,
        qualification: c.qualification,
    }))
}

/// List a volunteer's training records (themself or admins in scope).
#[utoipa::path(
    tag = "training",
    operation_id = "list_training_records",
    params(("id" = Uuid, Path, description = "Volunteer id")),
    security(("bearer_auth" = ["platform_admin", "org_admin", "volunteer"])),
    responses(
        (status = 200, description = "Newest first", body = Vec<TrainingRecordOut>),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing, not yourself, or outside scope", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/volunteers/{id}/training-records")]
pub async fn list_training_records(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<Vec<TrainingRecordOut>>, ApiError> {
    user.require(ANYONE)?;
    Ok(web::Json(
        service::training_records(&state.db, &user, *id).await?,
    ))
}

/// List a volunteer's qualifications with their validity today.
///
/// `valid` is computed for today in the platform time zone: a qualification is valid on its
/// `expires_on` date and expired from the day after.
#[utoipa::path(
    tag = "training",
    operation_id = "list_qualifications",
    params(("id" = Uuid, Path, description = "Volunteer id")),
    security(("bearer_auth" = ["platform_admin", "org_admin", "volunteer"])),
    responses(
        (status = 200, description = "By code", body = Vec<QualificationOut>),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing, not yourself, or outside scope", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/volunteers/{id}/qualifications")]
pub async fn list_qualifications(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<Vec<QualificationOut>>, ApiError> {
    user.require(ANYONE)?;
    Ok(web::Json(
        service::qualifications(&state.db, &user, *id, state.today()).await?,
    ))
}

// ---------------------------------------------------------------------------
// Reports and settings
// ---------------------------------------------------------------------------

/// Report of a class: enrolled, attended, completed, passed, pass rate.
#[utoipa::path(
    tag = "training",
    operation_id = "get_training_class_report",
    params(("id" = Uuid, Path, description = "Class id")),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "The figures", body = ClassReportOut),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/training-classes/{id}/report")]
pub async fn get_training_class_report(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<ClassReportOut>, ApiError> {
    user.require(ADMINS)?;
    Ok(web::Json(
        service::class_report(&state.db, &user.scope(), *id).await?,
    ))
}

/// Training report of an organization and its subtree for a year.
#[utoipa::path(
    tag = "training",
    operation_id = "get_organization_training_report",
    params(("id" = Uuid, Path, description = "Organization id"), YearQuery),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "Classes, trainees and training minutes", body = OrganizationTrainingReportOut),
        (status = 400, description = "Malformed id or year", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/organizations/{id}/training-report")]
pub async fn get_organization_training_report(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    query: web::Query<YearQuery>,
) -> Result<web::Json<OrganizationTrainingReportOut>, ApiError> {
    user.require(ADMINS)?;
    let year = query.year.unwrap_or_else(|| state.today().year());
    Ok(web::Json(
        service::organization_report(
            &state.db,
            &user.scope(),
            *id,
            year,
            state.settings.time_zone,
        )
        .await?,
    ))
}

/// Get the training settings (probation).
#[utoipa::path(
    tag = "training",
    operation_id = "get_training_settings",
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "The settings", body = TrainingSettingsOut),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/training-settings")]
pub async fn get_training_settings(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<web::Json<TrainingSettingsOut>, ApiError> {
    user.require(ADMINS)?;
    let (probation_required, version) = service::settings(&state.db).await?;
    Ok(web::Json(TrainingSettingsOut {
        probation_required,
        version,
    }))
}

/// Change the training settings (platform admins); `version` must match.
///
/// With `probation_required`, volunteers who have not passed a `new_volunteer_basics` course
/// may sign up only for projects with `allow_probationary` (422 `probationary_not_allowed`).
#[utoipa::path(
    tag = "training",
    operation_id = "update_training_settings",
    request_body = TrainingSettingsIn,
    security(("bearer_auth" = ["platform_admin"])),
    responses(
        (status = 200, description = "The new settings", body = TrainingSettingsOut),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Version mismatch", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid body", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/training-settings")]
pub async fn update_training_settings(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    body: web::Json<TrainingSettingsIn>,
) -> Result<web::Json<TrainingSettingsOut>, ApiError> {
    user.require(&[Role::PlatformAdmin])?;
    let (probation_required, version) =
        service::update_settings(&state.db, &actor(&user, &req), &body).await?;
    Ok(web::Json(TrainingSettingsOut {
        probation_required,
        version,
    }))
}
