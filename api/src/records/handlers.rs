//! HTTP handlers of `/api/v1/service-records`, `/api/v1/volunteer-totals`,
//! `/api/v1/organizations/{id}/service-totals` and `/api/v1/calendar-days`.

use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use chrono::NaiveDate;
use entity::enums::Role;
use entity::service_record;
use uuid::Uuid;

use super::dto::{
    CalendarDayIn, CalendarDayOut, CalendarRange, CorrectionIn, DeclarationIn,
    OrganizationTotalsOut, ReasonIn, RecordFilter, ServiceRecordIn, ServiceRecordOut,
    VolunteerTotalsOut, YearParam,
};
use super::service;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::organizations::handlers::actor;
use crate::pagination::{Page, PageParams};
use crate::state::AppState;

const ADMINS: &[Role] = &[Role::PlatformAdmin, Role::OrgAdmin];
const ANYONE: &[Role] = &[Role::PlatformAdmin, Role::OrgAdmin, Role::Volunteer];

fn created(r: service_record::Model) -> HttpResponse {
    HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/service-records/{}", r.id)))
        .json(ServiceRecordOut::from(r))
}

/// Enter a service record (admins; source `manual`).
///
/// Minutes are computed from the interval (exact minutes; rounding rule sets come later). An
/// interval across midnight is one record; times with any UTC offset are stored in UTC. A record
/// entered more than 10 working days after the activity ended is accepted and flagged `late`
/// (民政部《志愿服务记录与证明出具办法（试行）》Art. 11). A record overlapping an approved record
/// of the same volunteer is flagged `conflict` and held pending even with `approve: true`.
#[utoipa::path(
    tag = "service-records",
    operation_id = "create_service_record",
    request_body = ServiceRecordIn,
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 201, description = "Created (pending, or approved when asked and not in conflict); Location names it", body = ServiceRecordOut),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Validation failed (organization_not_found, volunteer_not_found, text fields), interval_invalid, interval_too_long, interval_in_future or no_rule_set_in_force (service dated before every rule set)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/service-records")]
pub async fn create_service_record(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    body: web::Json<ServiceRecordIn>,
) -> Result<HttpResponse, ApiError> {
    user.require(ADMINS)?;
    let r = service::create_manual(&state, &user, &actor(&user, &req), body.into_inner()).await?;
    Ok(created(r))
}

/// Declare one's own service (volunteers; source `declaration`, pending until an admin
/// confirms it).
#[utoipa::path(
    tag = "service-records",
    operation_id = "create_service_record_declaration",
    request_body = DeclarationIn,
    security(("bearer_auth" = ["volunteer"])),
    responses(
        (status = 201, description = "Declared (pending); Location names it", body = ServiceRecordOut),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a volunteer", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No volunteer profile", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "volunteer_deregistered", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Validation failed, interval_invalid, interval_too_long, interval_in_future or no_rule_set_in_force (service dated before every rule set)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/service-records/declarations")]
pub async fn create_service_record_declaration(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    body: web::Json<DeclarationIn>,
) -> Result<HttpResponse, ApiError> {
    user.require(&[Role::Volunteer])?;
    let r =
        service::create_declaration(&state, &user, &actor(&user, &req), body.into_inner()).await?;
    Ok(created(r))
}

/// List service records: admins see their subtree's records, volunteers their own.
#[utoipa::path(
    tag = "service-records",
    operation_id = "list_service_records",
    params(RecordFilter, PageParams),
    security(("bearer_auth" = ["platform_admin", "org_admin", "volunteer"])),
    responses(
        (status = 200, description = "One page, newest service first", body = Page<ServiceRecordOut>),
        (status = 400, description = "Bad query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/service-records")]
pub async fn list_service_records(
    state: web::Data<AppState>,
    user: AuthUser,
    filter: web::Query<RecordFilter>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<ServiceRecordOut>>, ApiError> {
    user.require(ANYONE)?;
    let (p, n) = page.resolve()?;
    let result = service::list(&state.db, state.settings.time_zone, &user, &filter, p, n).await?;
    Ok(web::Json(Page {
        items: result.items.into_iter().map(Into::into).collect(),
        page: result.page,
        per_page: result.per_page,
        total: result.total,
    }))
}

/// Get one service record (the volunteer's own, or an admin's in scope; 404 otherwise).
#[utoipa::path(
    tag = "service-records",
    operation_id = "get_service_record",
    params(("id" = Uuid, Path, description = "Record id")),
    security(("bearer_auth" = ["platform_admin", "org_admin", "volunteer"])),
    responses(
        (status = 200, description = "The record", body = ServiceRecordOut),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/service-records/{id}")]
pub async fn get_service_record(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<ServiceRecordOut>, ApiError> {
    user.require(ANYONE)?;
    Ok(web::Json(
        service::get_visible_record(&state.db, &user, *id)
            .await?
            .into(),
    ))
}

/// Approve a pending record (admins in scope); its minutes join the totals.
#[utoipa::path(
    tag = "service-records",
    operation_id = "approve_service_record",
    params(("id" = Uuid, Path, description = "Record id")),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "Approved", body = ServiceRecordOut),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "record_not_pending, record_overlaps (overlaps an approved record of the same volunteer) or record_changed", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/service-records/{id}/approve")]
pub async fn approve_service_record(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<web::Json<ServiceRecordOut>, ApiError> {
    user.require(ADMINS)?;
    let r = service::approve(&state, &user.scope(), &actor(&user, &req), *id).await?;
    Ok(web::Json(r.into()))
}

/// Reject a pending record with a reason (admins in scope).
#[utoipa::path(
    tag = "service-records",
    operation_id = "reject_service_record",
    params(("id" = Uuid, Path, description = "Record id")),
    request_body = ReasonIn,
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "Rejected", body = ServiceRecordOut),
        (status = 400, description = "Malformed body or id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "record_not_pending or record_changed", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Reason missing or too long", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/service-records/{id}/reject")]
pub async fn reject_service_record(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<ReasonIn>,
) -> Result<web::Json<ServiceRecordOut>, ApiError> {
    user.require(ADMINS)?;
    let r = service::reject(
        &state,
        &user.scope(),
        &actor(&user, &req),
        *id,
        &body.reason,
    )
    .await?;
    Ok(web::Json(r.into()))
}

/// Void an approved record with a reason (admins in scope); totals decrease and certificates
/// covering it become superseded.
#[utoipa::path(
    tag = "service-records",
    operation_id = "void_service_record",
    params(("id" = Uuid, Path, description = "Record id")),
    request_body = ReasonIn,
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "Voided", body = ServiceRecordOut),
        (status = 400, description = "Malformed body or id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "record_not_approved or record_changed", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Reason missing or too long", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/service-records/{id}/void")]
pub async fn void_service_record(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<ReasonIn>,
) -> Result<web::Json<ServiceRecordOut>, ApiError> {
    user.require(ADMINS)?;
    let r = service::void(
        &state,
        &user.scope(),
        &actor(&user, &req),
        *id,
        &body.reason,
    )
    .await?;
    Ok(web::Json(r.into()))
}

/// Correct a record (admins in scope): a new approved record supersedes it.
///
/// The old record becomes `superseded`; totals move from its minutes to the new ones and
/// certificates covering it become superseded, in one transaction. Append-only: nothing is
/// edited in place.
#[utoipa::path(
    tag = "service-records",
    operation_id = "create_service_record_correction",
    params(("id" = Uuid, Path, description = "Id of the record to correct")),
    request_body = CorrectionIn,
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 201, description = "The new record; Location names it", body = ServiceRecordOut),
        (status = 400, description = "Malformed body or id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "already_superseded, record_not_correctable, record_overlaps or record_changed", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Validation failed, interval_invalid, interval_too_long, interval_in_future or no_rule_set_in_force (service dated before every rule set)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/service-records/{id}/corrections")]
pub async fn create_service_record_correction(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<CorrectionIn>,
) -> Result<HttpResponse, ApiError> {
    user.require(ADMINS)?;
    let r = service::correct(
        &state,
        &user.scope(),
        &actor(&user, &req),
        *id,
        body.into_inner(),
    )
    .await?;
    Ok(created(r))
}

/// A volunteer's approved service totals (the volunteer themself, or admins in scope).
///
/// Minutes are exact integers; `approved_hours` is a decimal string for display. A volunteer
/// without approved records answers zeros.
#[utoipa::path(
    tag = "service-records",
    operation_id = "get_volunteer_totals",
    params(("volunteer_id" = Uuid, Path, description = "Volunteer id")),
    security(("bearer_auth" = ["platform_admin", "org_admin", "volunteer"])),
    responses(
        (status = 200, description = "Totals, overall and per year", body = VolunteerTotalsOut),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/volunteer-totals/{volunteer_id}")]
pub async fn get_volunteer_totals(
    state: web::Data<AppState>,
    user: AuthUser,
    volunteer_id: web::Path<Uuid>,
) -> Result<web::Json<VolunteerTotalsOut>, ApiError> {
    user.require(ANYONE)?;
    Ok(web::Json(
        service::volunteer_totals(&state.db, &user, *volunteer_id).await?,
    ))
}

/// Approved service organized by an organization and its subtree (admins in scope).
#[utoipa::path(
    tag = "service-records",
    operation_id = "get_organization_service_totals",
    params(("id" = Uuid, Path, description = "Organization id"), YearParam),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "Totals of the organization itself and of its subtree", body = OrganizationTotalsOut),
        (status = 400, description = "Malformed id or query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/organizations/{id}/service-totals")]
pub async fn get_organization_service_totals(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    year: web::Query<YearParam>,
) -> Result<web::Json<OrganizationTotalsOut>, ApiError> {
    user.require(ADMINS)?;
    Ok(web::Json(
        service::organization_totals(&state.db, &user.scope(), *id, year.year).await?,
    ))
}

/// List working-day calendar exceptions (holidays and make-up workdays).
#[utoipa::path(
    tag = "service-records",
    operation_id = "list_calendar_days",
    params(CalendarRange),
    security(("bearer_auth" = ["platform_admin", "org_admin", "volunteer"])),
    responses(
        (status = 200, description = "Exceptions by date (at most 1000)", body = Vec<CalendarDayOut>),
        (status = 400, description = "Bad query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/calendar-days")]
pub async fn list_calendar_days(
    state: web::Data<AppState>,
    user: AuthUser,
    range: web::Query<CalendarRange>,
) -> Result<web::Json<Vec<CalendarDayOut>>, ApiError> {
    user.require(ANYONE)?;
    let days = service::list_calendar_days(&state.db, range.from, range.to).await?;
    Ok(web::Json(days.into_iter().map(Into::into).collect()))
}

/// Set a calendar exception: a holiday on a weekday or a make-up workday (调休) on a weekend
/// (platform admins). Used for the 10-working-day late flag (Art. 11).
#[utoipa::path(
    tag = "service-records",
    operation_id = "update_calendar_day",
    params(("date" = NaiveDate, Path, description = "Date, YYYY-MM-DD (platform time zone)")),
    request_body = CalendarDayIn,
    security(("bearer_auth" = ["platform_admin"])),
    responses(
        (status = 200, description = "Set", body = CalendarDayOut),
        (status = 400, description = "Malformed body or date", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a platform admin", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Validation failed", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/calendar-days/{date}")]
pub async fn update_calendar_day(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    date: web::Path<NaiveDate>,
    body: web::Json<CalendarDayIn>,
) -> Result<web::Json<CalendarDayOut>, ApiError> {
    user.require(&[Role::PlatformAdmin])?;
    let day =
        service::put_calendar_day(&state.db, &actor(&user, &req), *date, body.into_inner()).await?;
    Ok(web::Json(day.into()))
}

/// Remove a calendar exception (platform admins).
#[utoipa::path(
    tag = "service-records",
    operation_id = "delete_calendar_day",
    params(("date" = NaiveDate, Path, description = "Date, YYYY-MM-DD")),
    security(("bearer_auth" = ["platform_admin"])),
    responses(
        (status = 204, description = "Removed"),
        (status = 400, description = "Malformed date", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a platform admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No exception on that date", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/calendar-days/{date}")]
pub async fn delete_calendar_day(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    date: web::Path<NaiveDate>,
) -> Result<HttpResponse, ApiError> {
    user.require(&[Role::PlatformAdmin])?;
    service::delete_calendar_day(&state.db, &actor(&user, &req), *date).await?;
    Ok(HttpResponse::NoContent().finish())
}
