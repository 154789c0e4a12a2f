//! HTTP handlers of award campaigns (评选表彰): campaigns and their lifecycle, reviewers,
//! nominations, scores, the public notice, objections and the awards on volunteers. The rules
//! are documented on [`super::campaigns`].

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, put, web};
use chrono::Utc;
use entity::enums::Role;
use uuid::Uuid;

use super::campaigns::{self, Step, campaign_out};
use super::dto::{
    AwardOut, CampaignFilter, CampaignIn, CampaignOut, CampaignPatch, CloseOut, EligibilityOut,
    EligibilityQuery, NominationIn, NominationOut, NoticeOut, ObjectionOut, ReasonIn, ResolveIn,
    ReviewerIn, ReviewerOut, ScoreIn, ScoreOut,
};
use super::handlers::ADMINS;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::organizations::handlers::actor;
use crate::pagination::{Page, PageParams};
use crate::state::AppState;

/// Create an award campaign (draft) of an organization in scope.
///
/// Criteria: minimum approved minutes of services starting within `[period_from, period_to]`
/// (platform time zone), minimum current star level, required completed courses; a clean record
/// (no voided record in the period, no active sanction) is always required.
#[utoipa::path(
    tag = "awards",
    operation_id = "create_award_campaign",
    request_body = CampaignIn,
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 201, description = "Created; Location names it", body = CampaignOut),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Organization missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Validation failed (text_length, year_range, quota_range, window_invalid, minutes_range, period_invalid, star_level_range, too_many_courses, course_not_found, notice_days_range)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/award-campaigns")]
pub async fn create_award_campaign(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    body: web::Json<CampaignIn>,
) -> Result<HttpResponse, ApiError> {
    user.require(ADMINS)?;
    let c = campaigns::create(
        &state.db,
        &user.scope(),
        &actor(&user, &req),
        body.into_inner(),
    )
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/award-campaigns/{}", c.id),
        ))
        .json(campaign_out(c)))
}

/// List campaigns visible to the caller, newest first.
///
/// Admins see their subtree's campaigns and those of the organizations above them (to
/// nominate to); reviewers see the campaigns they are assigned to.
#[utoipa::path(
    tag = "awards",
    operation_id = "list_award_campaigns",
    params(CampaignFilter, PageParams),
    security(("bearer_auth" = ["platform_admin", "org_admin", "reviewer"])),
    responses(
        (status = 200, description = "One page", body = Page<CampaignOut>),
        (status = 400, description = "Bad query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/award-campaigns")]
pub async fn list_award_campaigns(
    state: web::Data<AppState>,
    user: AuthUser,
    filter: web::Query<CampaignFilter>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<CampaignOut>>, ApiError> {
    user.require(&[Role::PlatformAdmin, Role::OrgAdmin, Role::Reviewer])?;
    let (p, n) = page.resolve()?;
    let r = campaigns::list(&state.db, &user, &filter, p, n).await?;
    Ok(web::Json(Page {
        items: r.items.into_iter().map(campaign_out).collect(),
        page: r.page,
        per_page: r.per_page,
        total: r.total,
    }))
}

/// Get a campaign visible to the caller (admins as in the list; reviewers if assigned).
#[utoipa::path(
    tag = "awards",
    operation_id = "get_award_campaign",
    params(("id" = Uuid, Path, description = "Campaign id")),
    security(("bearer_auth" = ["platform_admin", "org_admin", "reviewer"])),
    responses(
        (status = 200, description = "The campaign", body = CampaignOut),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or not visible", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/award-campaigns/{id}")]
pub async fn get_award_campaign(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<CampaignOut>, ApiError> {
    user.require(&[Role::PlatformAdmin, Role::OrgAdmin, Role::Reviewer])?;
    Ok(web::Json(campaign_out(
        campaigns::get_for(&state.db, &user, *id).await?,
    )))
}

/// Change a draft campaign the caller runs; `version` must match.
#[utoipa::path(
    tag = "awards",
    operation_id = "update_award_campaign",
    params(("id" = Uuid, Path, description = "Campaign id")),
    request_body = CampaignPatch,
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "Updated", body = CampaignOut),
        (status = 400, description = "Malformed JSON or id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "campaign_state (not a draft)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Version mismatch", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Validation failed", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/award-campaigns/{id}")]
pub async fn update_award_campaign(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<CampaignPatch>,
) -> Result<web::Json<CampaignOut>, ApiError> {
    user.require(ADMINS)?;
    let c = campaigns::update(
        &state.db,
        &user.scope(),
        &actor(&user, &req),
        *id,
        body.into_inner(),
    )
    .await?;
    Ok(web::Json(campaign_out(c)))
}

async fn do_step(
    state: &AppState,
    user: &AuthUser,
    req: &HttpRequest,
    id: Uuid,
    step: Step,
) -> Result<web::Json<CampaignOut>, ApiError> {
    user.require(ADMINS)?;
    let c = campaigns::step(
        &state.db,
        &user.scope(),
        &actor(user, req),
        state.today(),
        id,
        step,
    )
    .await?;
    Ok(web::Json(campaign_out(c)))
}

/// Open nominations (draft → nominating).
#[utoipa::path(
    tag = "awards",
    operation_id = "open_award_campaign_nominations",
    params(("id" = Uuid, Path, description = "Campaign id")),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "Nominating", body = CampaignOut),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "campaign_state", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/award-campaigns/{id}/open-nominations")]
pub async fn open_award_campaign_nominations(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<web::Json<CampaignOut>, ApiError> {
    do_step(&state, &user, &req, *id, Step::OpenNominations).await
}

/// Start the review (nominating → reviewing): nominations close, reviewers score.
#[utoipa::path(
    tag = "awards",
    operation_id = "start_award_campaign_review",
    params(("id" = Uuid, Path, description = "Campaign id")),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "Reviewing", body = CampaignOut),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "campaign_state", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/award-campaigns/{id}/start-review")]
pub async fn start_award_campaign_review(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<web::Json<CampaignOut>, ApiError> {
    do_step(&state, &user, &req, *id, Step::StartReview).await
}

/// Rank the nominations and publish the shortlist (reviewing → notice).
///
/// Ranking: exact mean score (descending), then approved minutes in the period (descending),
/// then nomination time (earlier first); the first `quota` are shortlisted. The public notice
/// runs from today through the `notice_working_days`-th working day after it (platform time
/// zone, working-day calendar).
#[utoipa::path(
    tag = "awards",
    operation_id = "publish_award_campaign_notice",
    params(("id" = Uuid, Path, description = "Campaign id")),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "In public notice", body = CampaignOut),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "campaign_state, scores_incomplete", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/award-campaigns/{id}/publish-notice")]
pub async fn publish_award_campaign_notice(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<web::Json<CampaignOut>, ApiError> {
    do_step(&state, &user, &req, *id, Step::PublishNotice).await
}

/// Close the campaign after its notice and grant the awards.
///
/// Every shortlisted nominee without an open objection gets an award record; nominees held by
/// an open objection get theirs when it is dismissed.
#[utoipa::path(
    tag = "awards",
    operation_id = "close_award_campaign",
    params(("id" = Uuid, Path, description = "Campaign id")),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "Closed", body = CloseOut),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "campaign_state, notice_running", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/award-campaigns/{id}/close")]
pub async fn close_award_campaign(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<web::Json<CloseOut>, ApiError> {
    user.require(ADMINS)?;
    let (c, awarded, held) = campaigns::close(
        &state.db,
        &user.scope(),
        &actor(&user, &req),
        state.today(),
        *id,
    )
    .await?;
    Ok(web::Json(CloseOut {
        campaign: campaign_out(c),
        awarded,
        held,
    }))
}

/// Assign a reviewer (an account with role reviewer) to a campaign the caller runs.
///
/// A reviewer affiliated with a nominating organization or its subtree is refused
/// (`conflict_of_interest`).
#[utoipa::path(
    tag = "awards",
    operation_id = "create_award_reviewer",
    params(("id" = Uuid, Path, description = "Campaign id")),
    request_body = ReviewerIn,
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 201, description = "Assigned; Location names the reviewer list", body = ReviewerOut),
        (status = 400, description = "Malformed JSON or id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "campaign_state, already_assigned", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "not_a_reviewer (validation), conflict_of_interest", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/award-campaigns/{id}/reviewers")]
pub async fn create_award_reviewer(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<ReviewerIn>,
) -> Result<HttpResponse, ApiError> {
    user.require(ADMINS)?;
    let r = campaigns::assign_reviewer(
        &state.db,
        &user.scope(),
        &actor(&user, &req),
        *id,
        body.account_id,
    )
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/award-campaigns/{}/reviewers", *id),
        ))
        .json(r))
}

/// List the reviewers of a campaign the caller runs.
#[utoipa::path(
    tag = "awards",
    operation_id = "list_award_reviewers",
    params(("id" = Uuid, Path, description = "Campaign id")),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "The reviewers by login name", body = Vec<ReviewerOut>),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/award-campaigns/{id}/reviewers")]
pub async fn list_award_reviewers(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<Vec<ReviewerOut>>, ApiError> {
    user.require(ADMINS)?;
    Ok(web::Json(
        campaigns::reviewers(&state.db, &user.scope(), *id).await?,
    ))
}

/// Check a volunteer's eligibility for a campaign today without nominating.
///
/// The same criteria as a nomination; the answer lists every failing criterion and the facts.
#[utoipa::path(
    tag = "awards",
    operation_id = "get_award_campaign_eligibility",
    params(("id" = Uuid, Path, description = "Campaign id"), EligibilityQuery),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "The eligibility", body = EligibilityOut),
        (status = 400, description = "Bad query or id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Campaign or volunteer not visible", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/award-campaigns/{id}/eligibility")]
pub async fn get_award_campaign_eligibility(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    query: web::Query<EligibilityQuery>,
) -> Result<web::Json<EligibilityOut>, ApiError> {
    user.require(ADMINS)?;
    Ok(web::Json(
        campaigns::eligibility(
            &state.db,
            state.settings.time_zone,
            &user.scope(),
            state.today(),
            *id,
            query.volunteer_id,
        )
        .await?,
    ))
}

/// Nominate a volunteer of the nominating organization's subtree, with a statement.
///
/// Ineligible nominations are refused with 422 and the failing criterion as the code:
/// `sanctioned`, `voided_records`, `insufficient_hours`, `star_level_too_low`,
/// `training_missing`. One nomination per volunteer and campaign.
#[utoipa::path(
    tag = "awards",
    operation_id = "create_award_nomination",
    params(("id" = Uuid, Path, description = "Campaign id")),
    request_body = NominationIn,
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 201, description = "Nominated; Location names the campaign's nominations", body = NominationOut),
        (status = 400, description = "Malformed JSON or id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Campaign, organization or volunteer missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "nominations_closed, already_nominated", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "text_length (validation), sanctioned, voided_records, insufficient_hours, star_level_too_low, training_missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/award-campaigns/{id}/nominations")]
pub async fn create_award_nomination(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<NominationIn>,
) -> Result<HttpResponse, ApiError> {
    user.require(ADMINS)?;
    let n = campaigns::nominate(
        &state.db,
        state.settings.time_zone,
        &user.scope(),
        &actor(&user, &req),
        Utc::now(),
        state.today(),
        *id,
        body.into_inner(),
    )
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/award-campaigns/{}/nominations", *id),
        ))
        .json(campaigns::nomination_out(&state.db, n).await?))
}

/// List the nominations of a campaign, by rank once ranked.
///
/// The campaign's admins and assigned reviewers see all; admins of nominating organizations
/// see their subtree's.
#[utoipa::path(
    tag = "awards",
    operation_id = "list_award_nominations",
    params(("id" = Uuid, Path, description = "Campaign id"), PageParams),
    security(("bearer_auth" = ["platform_admin", "org_admin", "reviewer"])),
    responses(
        (status = 200, description = "One page", body = Page<NominationOut>),
        (status = 400, description = "Bad query or id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or not visible", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/award-campaigns/{id}/nominations")]
pub async fn list_award_nominations(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<NominationOut>>, ApiError> {
    user.require(&[Role::PlatformAdmin, Role::OrgAdmin, Role::Reviewer])?;
    let (p, n) = page.resolve()?;
    Ok(web::Json(
        campaigns::list_nominations(&state.db, &user, *id, p, n).await?,
    ))
}

/// Give or change the calling reviewer's score (integer 0–100) of a nomination during review.
#[utoipa::path(
    tag = "awards",
    operation_id = "update_award_score",
    params(("id" = Uuid, Path, description = "Nomination id")),
    request_body = ScoreIn,
    security(("bearer_auth" = ["reviewer"])),
    responses(
        (status = 200, description = "Stored", body = ScoreOut),
        (status = 400, description = "Malformed JSON or id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a reviewer", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing, or the reviewer is not assigned", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "not_in_review", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "score_range (validation), conflict_of_interest", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/award-nominations/{id}/score")]
pub async fn update_award_score(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<ScoreIn>,
) -> Result<web::Json<ScoreOut>, ApiError> {
    user.require(&[Role::Reviewer])?;
    let s = campaigns::score(&state.db, &user, &actor(&user, &req), *id, body.score).await?;
    Ok(web::Json(ScoreOut {
        nomination_id: s.nomination_id,
        reviewer_id: s.reviewer_id,
        score: s.score,
        updated_at: s.updated_at,
    }))
}

/// The public notice (公示) of a campaign: shortlisted nominees by rank with masked names.
#[utoipa::path(
    tag = "awards",
    operation_id = "get_award_campaign_notice",
    params(("id" = Uuid, Path, description = "Campaign id")),
    security(()),
    responses(
        (status = 200, description = "The notice", body = NoticeOut),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or not in notice yet", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/public/award-campaigns/{id}/notice")]
pub async fn get_award_campaign_notice(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<NoticeOut>, ApiError> {
    Ok(web::Json(campaigns::notice(&state.db, *id).await?))
}

/// Record an objection (异议) to a shortlisted nominee during the public notice.
///
/// An open objection holds that nominee's award until it is resolved.
#[utoipa::path(
    tag = "awards",
    operation_id = "create_award_objection",
    params(("id" = Uuid, Path, description = "Nomination id")),
    request_body = ReasonIn,
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 201, description = "Recorded; Location names it", body = ObjectionOut),
        (status = 400, description = "Malformed JSON or id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "campaign_state, notice_over, nomination_state", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Validation failed (text_length)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/award-nominations/{id}/objections")]
pub async fn create_award_objection(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<ReasonIn>,
) -> Result<HttpResponse, ApiError> {
    user.require(ADMINS)?;
    let o = campaigns::object(
        &state.db,
        &user.scope(),
        &actor(&user, &req),
        state.today(),
        *id,
        &body.reason,
    )
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/award-objections/{}", o.id),
        ))
        .json(ObjectionOut::from(o)))
}

/// List the objections to a nomination of a campaign the caller runs, oldest first.
#[utoipa::path(
    tag = "awards",
    operation_id = "list_award_objections",
    params(("id" = Uuid, Path, description = "Nomination id")),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "The objections", body = Vec<ObjectionOut>),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/award-nominations/{id}/objections")]
pub async fn list_award_objections(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<Vec<ObjectionOut>>, ApiError> {
    user.require(ADMINS)?;
    Ok(web::Json(
        campaigns::objections(&state.db, &user.scope(), *id)
            .await?
            .into_iter()
            .map(ObjectionOut::from)
            .collect(),
    ))
}

/// Resolve an objection: upheld disqualifies the nominee; dismissed lets them proceed (and
/// grants a held award after closing).
#[utoipa::path(
    tag = "awards",
    operation_id = "resolve_award_objection",
    params(("id" = Uuid, Path, description = "Objection id")),
    request_body = ResolveIn,
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "Resolved", body = ObjectionOut),
        (status = 400, description = "Malformed JSON or id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "objection_resolved", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Validation failed (text_length)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/award-objections/{id}/resolve")]
pub async fn resolve_award_objection(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<ResolveIn>,
) -> Result<web::Json<ObjectionOut>, ApiError> {
    user.require(ADMINS)?;
    let o = campaigns::resolve(
        &state.db,
        &user.scope(),
        &actor(&user, &req),
        *id,
        body.outcome,
        &body.resolution,
    )
    .await?;
    Ok(web::Json(o.into()))
}

/// List the awards (表彰) of a volunteer: the volunteer themself and admins in scope.
#[utoipa::path(
    tag = "awards",
    operation_id = "list_volunteer_awards",
    params(("id" = Uuid, Path, description = "Volunteer id"), PageParams),
    security(("bearer_auth" = ["platform_admin", "org_admin", "volunteer"])),
    responses(
        (status = 200, description = "One page, newest first", body = Page<AwardOut>),
        (status = 400, description = "Bad query or id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or not visible", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/volunteers/{id}/awards")]
pub async fn list_volunteer_awards(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<AwardOut>>, ApiError> {
    user.require(&[Role::PlatformAdmin, Role::OrgAdmin, Role::Volunteer])?;
    let (p, n) = page.resolve()?;
    let r = campaigns::awards_of(&state.db, &user, *id, p, n).await?;
    Ok(web::Json(Page {
        items: r.items.into_iter().map(AwardOut::from).collect(),
        page: r.page,
        per_page: r.per_page,
        total: r.total,
    }))
}
