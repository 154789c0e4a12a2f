//! HTTP handlers of the incentives module: rule sets, star levels and leaderboards.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use entity::enums::Role;
use uuid::Uuid;

use super::dto::{
    CertificationIn, CertificationOut, CertificationReasonIn, LeaderboardEntryOut,
    LeaderboardFilter, RecomputeFilter, RecomputeOut, RuleSetFilter, RuleSetIn, RuleSetOut,
    StarLevelOut,
};
use super::service::{self, Decision};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::organizations::handlers::actor;
use crate::pagination::{Page, PageParams};
use crate::state::AppState;

const ADMINS: &[Role] = &[Role::PlatformAdmin, Role::OrgAdmin];
const ANYONE: &[Role] = &[Role::PlatformAdmin, Role::OrgAdmin, Role::Volunteer];

/// Create a rule set (star thresholds, extra conditions, rounding) with an effective date.
///
/// Hours are whole numbers or decimal strings (`"12.5"`) and are stored as minutes. Thresholds
/// are levels 1, 2, … with strictly increasing hours; the default rule (100 / 300 / 600 / 1000 /
/// 1500 h) is the common 共青团 practice and provinces differ. A rule set takes effect today or
/// later and is never edited: a change is a new rule set (same name → next version).
#[utoipa::path(
    tag = "incentives",
    operation_id = "create_rule_set",
    request_body = RuleSetIn,
    security(("bearer_auth" = ["platform_admin"])),
    responses(
        (status = 201, description = "Created; Location names it", body = RuleSetOut),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Concurrent create of the same name and version", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Validation failed (thresholds_not_increasing, thresholds_levels, thresholds_count, hours_format, effective_from_past, buckets_*, organization_not_found …)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/rule-sets")]
pub async fn create_rule_set(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    body: web::Json<RuleSetIn>,
) -> Result<HttpResponse, ApiError> {
    user.require(&[Role::PlatformAdmin])?;
    let m = service::create_rule_set(
        &state.db,
        state.settings.time_zone,
        &actor(&user, &req),
        body.into_inner(),
    )
    .await?;
    let location = format!("/api/v1/rule-sets/{}", m.id);
    Ok(HttpResponse::Created()
        .insert_header(("Location", location))
        .json(service::rule_set_out(m)?))
}

/// List rule sets, latest effective date first.
#[utoipa::path(
    tag = "incentives",
    operation_id = "list_rule_sets",
    params(RuleSetFilter, PageParams),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "One page", body = Page<RuleSetOut>),
        (status = 400, description = "Bad query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/rule-sets")]
pub async fn list_rule_sets(
    state: web::Data<AppState>,
    user: AuthUser,
    filter: web::Query<RuleSetFilter>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<RuleSetOut>>, ApiError> {
    user.require(ADMINS)?;
    let (p, n) = page.resolve()?;
    let r = service::list_rule_sets(&state.db, &filter, p, n).await?;
    let items = r
        .items
        .into_iter()
        .map(service::rule_set_out)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(web::Json(Page {
        items,
        page: r.page,
        per_page: r.per_page,
        total: r.total,
    }))
}

/// Get a rule set.
#[utoipa::path(
    tag = "incentives",
    operation_id = "get_rule_set",
    params(("id" = Uuid, Path, description = "Rule set id")),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "The rule set", body = RuleSetOut),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/rule-sets/{id}")]
pub async fn get_rule_set(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<RuleSetOut>, ApiError> {
    user.require(ADMINS)?;
    let m = service::get_rule_set(&state.db, *id).await?;
    Ok(web::Json(service::rule_set_out(m)?))
}

/// A volunteer's star level and progress (the volunteer themself, or admins in scope).
///
/// Evaluated from the approved-minutes summary under the rule set in force today (platform time
/// zone): current level, approved hours, next level, hours missing, and the rule set that
/// produced it.
#[utoipa::path(
    tag = "incentives",
    operation_id = "get_star_level",
    params(("id" = Uuid, Path, description = "Volunteer id")),
    security(("bearer_auth" = ["platform_admin", "org_admin", "volunteer"])),
    responses(
        (status = 200, description = "Level and progress", body = StarLevelOut),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/volunteers/{id}/star-level")]
pub async fn get_star_level(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<StarLevelOut>, ApiError> {
    user.require(ANYONE)?;
    let out = service::star_level(&state.db, state.settings.time_zone, &user, *id).await?;
    Ok(web::Json(out))
}

/// Leaderboard of volunteers by approved hours (admins in scope; shows real names).
///
/// Served from the summary rows; filter by an organization subtree or a region (and its
/// sub-regions). Ties are ordered by registration.
#[utoipa::path(
    tag = "incentives",
    operation_id = "list_volunteer_leaderboard",
    params(LeaderboardFilter, PageParams),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "One page", body = Page<LeaderboardEntryOut>),
        (status = 400, description = "Bad query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Organization missing or outside scope", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/leaderboards/volunteers")]
pub async fn list_volunteer_leaderboard(
    state: web::Data<AppState>,
    user: AuthUser,
    filter: web::Query<LeaderboardFilter>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<LeaderboardEntryOut>>, ApiError> {
    user.require(ADMINS)?;
    let (p, n) = page.resolve()?;
    let r = service::leaderboard(&state.read_db, &user.scope(), &filter, p, n).await?;
    Ok(web::Json(r))
}

/// Recompute the stored star levels (platform admins), e.g. after a rule set took effect.
///
/// Levels are recomputed anyway whenever a volunteer's approved minutes change; this brings the
/// stored levels (shown on leaderboards) up to date with the rule sets in force today. Each
/// changed level writes a `level_changed` audit row.
#[utoipa::path(
    tag = "incentives",
    operation_id = "create_level_recomputation",
    params(RecomputeFilter),
    security(("bearer_auth" = ["platform_admin"])),
    responses(
        (status = 200, description = "Volunteers recomputed and levels changed", body = RecomputeOut),
        (status = 400, description = "Bad query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Organization missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/volunteer-levels/recompute")]
pub async fn create_level_recomputation(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    filter: web::Query<RecomputeFilter>,
) -> Result<web::Json<RecomputeOut>, ApiError> {
    user.require(&[Role::PlatformAdmin])?;
    let out = service::recompute_all(
        &state.db,
        state.settings.time_zone,
        &actor(&user, &req),
        filter.organization_id,
    )
    .await?;
    Ok(web::Json(out))
}

/// Apply for certification of a star level (the volunteer themself, or admins in scope).
///
/// Only for levels whose rule set in force requires certification (星级认定), once every other
/// condition of the level holds.
#[utoipa::path(
    tag = "incentives",
    operation_id = "create_level_certification",
    params(("id" = Uuid, Path, description = "Volunteer id")),
    request_body = CertificationIn,
    security(("bearer_auth" = ["platform_admin", "org_admin", "volunteer"])),
    responses(
        (status = 201, description = "Applied; Location names it", body = CertificationOut),
        (status = 400, description = "Malformed JSON or id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Volunteer missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "already_certified, certification_open", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "level_unknown, no_certification_needed, not_eligible", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/volunteers/{id}/level-certifications")]
pub async fn create_level_certification(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<CertificationIn>,
) -> Result<HttpResponse, ApiError> {
    user.require(ANYONE)?;
    let c = service::apply_certification(
        &state.db,
        state.settings.time_zone,
        &user,
        &actor(&user, &req),
        *id,
        body.level,
    )
    .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/level-certifications/{}", c.id)))
        .json(CertificationOut::from(c)))
}

/// Get a certification (the volunteer themself, or admins in scope).
#[utoipa::path(
    tag = "incentives",
    operation_id = "get_level_certification",
    params(("id" = Uuid, Path, description = "Certification id")),
    security(("bearer_auth" = ["platform_admin", "org_admin", "volunteer"])),
    responses(
        (status = 200, description = "The certification", body = CertificationOut),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/level-certifications/{id}")]
pub async fn get_level_certification(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<CertificationOut>, ApiError> {
    user.require(ANYONE)?;
    let c = service::get_certification(&state.db, &user, *id).await?;
    Ok(web::Json(c.into()))
}

async fn decide(
    state: &AppState,
    user: &AuthUser,
    req: &HttpRequest,
    id: Uuid,
    decision: Decision,
) -> Result<web::Json<CertificationOut>, ApiError> {
    user.require(ADMINS)?;
    let c = service::decide(
        &state.db,
        state.settings.time_zone,
        &user.scope(),
        &actor(user, req),
        id,
        decision,
    )
    .await?;
    Ok(web::Json(c.into()))
}

/// Approve a certification after review: the public notice of 5 working days starts today.
#[utoipa::path(
    tag = "incentives",
    operation_id = "approve_level_certification",
    params(("id" = Uuid, Path, description = "Certification id")),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "In public notice", body = CertificationOut),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "certification_state", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/level-certifications/{id}/approve")]
pub async fn approve_level_certification(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<web::Json<CertificationOut>, ApiError> {
    decide(&state, &user, &req, *id, Decision::Approve).await
}

/// Reject a certification after review, with a reason.
#[utoipa::path(
    tag = "incentives",
    operation_id = "reject_level_certification",
    params(("id" = Uuid, Path, description = "Certification id")),
    request_body = CertificationReasonIn,
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "Rejected", body = CertificationOut),
        (status = 400, description = "Malformed JSON or id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "certification_state", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "reason_length", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/level-certifications/{id}/reject")]
pub async fn reject_level_certification(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<CertificationReasonIn>,
) -> Result<web::Json<CertificationOut>, ApiError> {
    decide(
        &state,
        &user,
        &req,
        *id,
        Decision::Reject(body.into_inner().reason),
    )
    .await
}

/// Record an objection received during the public notice: the certification stops.
#[utoipa::path(
    tag = "incentives",
    operation_id = "create_level_certification_objection",
    params(("id" = Uuid, Path, description = "Certification id")),
    request_body = CertificationReasonIn,
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "Stopped", body = CertificationOut),
        (status = 400, description = "Malformed JSON or id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "certification_state, notice_over", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "reason_length", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/level-certifications/{id}/objections")]
pub async fn create_level_certification_objection(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<CertificationReasonIn>,
) -> Result<web::Json<CertificationOut>, ApiError> {
    decide(
        &state,
        &user,
        &req,
        *id,
        Decision::Object(body.into_inner().reason),
    )
    .await
}

/// Grant a certification after its public notice ended without objection.
#[utoipa::path(
    tag = "incentives",
    operation_id = "grant_level_certification",
    params(("id" = Uuid, Path, description = "Certification id")),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "Granted; the level counts", body = CertificationOut),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "certification_state, notice_running", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/level-certifications/{id}/grant")]
pub async fn grant_level_certification(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<web::Json<CertificationOut>, ApiError> {
    decide(&state, &user, &req, *id, Decision::Grant).await
}
