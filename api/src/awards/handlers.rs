//! HTTP handlers of sanctions, the credit list and benefits. Campaign handlers are in
//! [`super::campaign_handlers`].

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use entity::enums::Role;
use uuid::Uuid;

use super::dto::{
    ClaimOut, ConsentOut, CreditExportIn, CreditListOut, CreditRuleIn, CreditRuleOut, ExportFormat,
    OfferClaimOut, OfferFilter, OfferIn, OfferOut, ReasonIn, RedeemIn, RedemptionOut, SanctionIn,
    SanctionOut,
};
use super::{benefits, credit, service};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::organizations::handlers::actor;
use crate::pagination::{Page, PageParams};
use crate::state::AppState;

/// Roles of organization-scoped administration.
pub const ADMINS: &[Role] = &[Role::PlatformAdmin, Role::OrgAdmin];

/// The caller's volunteer id (volunteers only).
///
/// # Errors
/// 403 for other roles.
pub fn own_volunteer(user: &AuthUser) -> Result<Uuid, ApiError> {
    user.require(&[Role::Volunteer])?;
    user.volunteer_id.ok_or(ApiError::Forbidden)
}

// ---------------------------------------------------------------------------
// Sanctions
// ---------------------------------------------------------------------------

/// Impose a sanction (warning or disqualification) on a volunteer in scope.
///
/// An active sanction (not lifted, between its first and last day in the platform time zone)
/// bars award nominations (`sanctioned`) and keeps the volunteer off the credit list. Audited
/// with the reason.
#[utoipa::path(
    tag = "awards",
    operation_id = "create_volunteer_sanction",
    params(("id" = Uuid, Path, description = "Volunteer id")),
    request_body = SanctionIn,
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 201, description = "Created; Location names it", body = SanctionOut),
        (status = 400, description = "Malformed JSON or id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Volunteer missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Validation failed (text_length, ends_before_start)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/volunteers/{id}/sanctions")]
pub async fn create_volunteer_sanction(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<SanctionIn>,
) -> Result<HttpResponse, ApiError> {
    user.require(ADMINS)?;
    let s = service::create_sanction(
        &state.db,
        &user.scope(),
        &actor(&user, &req),
        *id,
        body.into_inner(),
    )
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/volunteers/{}/sanctions", s.volunteer_id),
        ))
        .json(SanctionOut::new(s, state.today())))
}

/// List the sanctions of a volunteer in scope, newest first.
#[utoipa::path(
    tag = "awards",
    operation_id = "list_volunteer_sanctions",
    params(("id" = Uuid, Path, description = "Volunteer id"), PageParams),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "One page", body = Page<SanctionOut>),
        (status = 400, description = "Bad query or id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Volunteer missing or outside scope", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/volunteers/{id}/sanctions")]
pub async fn list_volunteer_sanctions(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<SanctionOut>>, ApiError> {
    user.require(ADMINS)?;
    let (p, n) = page.resolve()?;
    let r = service::list_sanctions(&state.db, &user.scope(), *id, p, n).await?;
    Ok(web::Json(service::sanction_page(r, state.today())))
}

/// Lift a sanction early, with a reason (audited).
#[utoipa::path(
    tag = "awards",
    operation_id = "lift_volunteer_sanction",
    params(("id" = Uuid, Path, description = "Sanction id")),
    request_body = ReasonIn,
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "Lifted", body = SanctionOut),
        (status = 400, description = "Malformed JSON or id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "already_lifted", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Validation failed (text_length)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/volunteer-sanctions/{id}/lift")]
pub async fn lift_volunteer_sanction(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<ReasonIn>,
) -> Result<web::Json<SanctionOut>, ApiError> {
    user.require(ADMINS)?;
    let s = service::lift_sanction(
        &state.db,
        &user.scope(),
        &actor(&user, &req),
        *id,
        &body.reason,
    )
    .await?;
    Ok(web::Json(SanctionOut::new(s, state.today())))
}

// ---------------------------------------------------------------------------
// Credit list
// ---------------------------------------------------------------------------

/// The caller's consent to the credit list (诚信激励).
#[utoipa::path(
    tag = "awards",
    operation_id = "get_credit_consent",
    security(("bearer_auth" = ["volunteer"])),
    responses(
        (status = 200, description = "Current consent", body = ConsentOut),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a volunteer", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/volunteers/me/credit-consent")]
pub async fn get_credit_consent(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<web::Json<ConsentOut>, ApiError> {
    let v = own_volunteer(&user)?;
    Ok(web::Json(credit::consent(&state.db, v).await?))
}

/// Give consent to appear on the credit list exported to credit-information departments.
///
/// Sets the consent of the caller (a singleton resource, hence PUT). Audited (`consent`) with
/// its time; giving it again changes nothing.
#[utoipa::path(
    tag = "awards",
    operation_id = "update_credit_consent",
    security(("bearer_auth" = ["volunteer"])),
    responses(
        (status = 200, description = "Consent given", body = ConsentOut),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a volunteer", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/volunteers/me/credit-consent")]
pub async fn update_credit_consent(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
) -> Result<web::Json<ConsentOut>, ApiError> {
    let v = own_volunteer(&user)?;
    Ok(web::Json(
        credit::set_consent(&state.db, &actor(&user, &req), v, true).await?,
    ))
}

/// Withdraw consent: later exports leave the volunteer out.
///
/// Audited (`withdraw_consent`) with its time; withdrawing again changes nothing.
#[utoipa::path(
    tag = "awards",
    operation_id = "delete_credit_consent",
    security(("bearer_auth" = ["volunteer"])),
    responses(
        (status = 200, description = "Consent withdrawn", body = ConsentOut),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a volunteer", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/volunteers/me/credit-consent")]
pub async fn delete_credit_consent(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
) -> Result<web::Json<ConsentOut>, ApiError> {
    let v = own_volunteer(&user)?;
    Ok(web::Json(
        credit::set_consent(&state.db, &actor(&user, &req), v, false).await?,
    ))
}

/// Configure a new version of the credit-list rule (minimum star level and/or minimum approved
/// minutes; an active sanction always excludes), effective from a date.
#[utoipa::path(
    tag = "awards",
    operation_id = "create_credit_list_rule",
    request_body = CreditRuleIn,
    security(("bearer_auth" = ["platform_admin"])),
    responses(
        (status = 201, description = "Created; Location names the list", body = CreditRuleOut),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "duplicate (concurrent create)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Validation failed (rule_empty, star_level_range, minutes_range, effective_from_past)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/credit-list-rules")]
pub async fn create_credit_list_rule(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    body: web::Json<CreditRuleIn>,
) -> Result<HttpResponse, ApiError> {
    user.require(&[Role::PlatformAdmin])?;
    let r = credit::create_rule(
        &state.db,
        &actor(&user, &req),
        state.today(),
        body.into_inner(),
    )
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, "/api/v1/credit-list-rules"))
        .json(CreditRuleOut::from(r)))
}

/// List the versions of the credit-list rule, newest first.
#[utoipa::path(
    tag = "awards",
    operation_id = "list_credit_list_rules",
    params(PageParams),
    security(("bearer_auth" = ["platform_admin"])),
    responses(
        (status = 200, description = "One page", body = Page<CreditRuleOut>),
        (status = 400, description = "Bad query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/credit-list-rules")]
pub async fn list_credit_list_rules(
    state: web::Data<AppState>,
    user: AuthUser,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<CreditRuleOut>>, ApiError> {
    user.require(&[Role::PlatformAdmin])?;
    let (p, n) = page.resolve()?;
    let r = credit::list_rules(&state.db, p, n).await?;
    Ok(web::Json(Page {
        items: r.items.into_iter().map(CreditRuleOut::from).collect(),
        page: r.page,
        per_page: r.per_page,
        total: r.total,
    }))
}

/// Export the credit list for the credit-information departments, as CSV or JSON.
///
/// Volunteers who meet the rule in force today, consent at this moment and have no active
/// sanction, by volunteer number. Fields: volunteer number, real name, ID type, ID number, star
/// level, approved minutes, consent time. ID numbers are masked unless `include_id_numbers` is
/// set with a `reason` (5–500 characters); every export writes an audit row (`export`, or
/// `export_unmasked` with the reason) before the data leaves. CSV is UTF-8 with a byte-order
/// mark, headings 志愿者编号, 姓名, 证件类型, 证件号码, 星级, 服务时长（分钟）, 同意时间.
#[utoipa::path(
    tag = "awards",
    operation_id = "export_credit_list",
    request_body = CreditExportIn,
    security(("bearer_auth" = ["platform_admin"])),
    responses(
        (status = 200, description = "The list (CSV with Content-Disposition: attachment, or JSON)", content(
            (CreditListOut = "application/json"),
            (String = "text/csv"),
        )),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "no_credit_rule", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Validation failed (text_length on reason)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/credit-list/export")]
pub async fn export_credit_list(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    body: web::Json<CreditExportIn>,
) -> Result<HttpResponse, ApiError> {
    user.require(&[Role::PlatformAdmin])?;
    let today = state.today();
    let (rule, items) =
        credit::export(&state.db, &state.crypto, &actor(&user, &req), today, &body).await?;
    match body.format {
        ExportFormat::Json => Ok(HttpResponse::Ok().json(CreditListOut {
            rule_version: rule.version,
            as_of: today,
            id_numbers_clear: body.include_id_numbers,
            items,
        })),
        ExportFormat::Csv => Ok(HttpResponse::Ok()
            .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
            .insert_header((
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"credit-list-{}.csv\"",
                    today.format("%Y%m%d")
                ),
            ))
            .body(credit::csv_bytes(&items)?)),
    }
}

// ---------------------------------------------------------------------------
// Benefits
// ---------------------------------------------------------------------------

/// Publish an offer (便民优惠) of a partner business in scope.
///
/// Eligibility: minimum star level and regions (a prefecture or province code covers its
/// sub-regions; none: every region); validity from/to (inclusive days, platform time zone);
/// stock of codes.
#[utoipa::path(
    tag = "awards",
    operation_id = "create_benefit_offer",
    request_body = OfferIn,
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 201, description = "Created; Location names it", body = OfferOut),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Organization missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Validation failed (text_length, star_level_range, region_unknown, too_many_regions, validity_invalid, stock_range, not_partner_business)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/benefit-offers")]
pub async fn create_benefit_offer(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    body: web::Json<OfferIn>,
) -> Result<HttpResponse, ApiError> {
    user.require(ADMINS)?;
    let o = benefits::create_offer(
        &state.db,
        &user.scope(),
        &actor(&user, &req),
        state.today(),
        body.into_inner(),
    )
    .await?;
    let id = o.id;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/benefit-offers/{id}")))
        .json(benefits::offer_out(&state.db, o).await?))
}

/// List offers of organizations in scope, newest first.
#[utoipa::path(
    tag = "awards",
    operation_id = "list_benefit_offers",
    params(OfferFilter, PageParams),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "One page", body = Page<OfferOut>),
        (status = 400, description = "Bad query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Organization filter outside scope", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/benefit-offers")]
pub async fn list_benefit_offers(
    state: web::Data<AppState>,
    user: AuthUser,
    filter: web::Query<OfferFilter>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<OfferOut>>, ApiError> {
    user.require(ADMINS)?;
    let (p, n) = page.resolve()?;
    let r = benefits::list_offers(&state.db, &user.scope(), &filter, p, n).await?;
    Ok(web::Json(Page {
        items: benefits::offers_out(&state.db, r.items).await?,
        page: r.page,
        per_page: r.per_page,
        total: r.total,
    }))
}

/// Offers the calling volunteer can claim today (eligible, valid, in stock, not yet claimed).
#[utoipa::path(
    tag = "awards",
    operation_id = "list_claimable_benefit_offers",
    params(PageParams),
    security(("bearer_auth" = ["volunteer"])),
    responses(
        (status = 200, description = "One page, ending soonest first", body = Page<OfferOut>),
        (status = 400, description = "Bad query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a volunteer", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No volunteer profile", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/benefit-offers/claimable")]
pub async fn list_claimable_benefit_offers(
    state: web::Data<AppState>,
    user: AuthUser,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<OfferOut>>, ApiError> {
    let v = own_volunteer(&user)?;
    let (p, n) = page.resolve()?;
    let r = benefits::claimable(&state.db, v, state.today(), p, n).await?;
    Ok(web::Json(Page {
        items: benefits::offers_out(&state.db, r.items).await?,
        page: r.page,
        per_page: r.per_page,
        total: r.total,
    }))
}

/// Get an offer of an organization in scope.
#[utoipa::path(
    tag = "awards",
    operation_id = "get_benefit_offer",
    params(("id" = Uuid, Path, description = "Offer id")),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "The offer", body = OfferOut),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/benefit-offers/{id}")]
pub async fn get_benefit_offer(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<OfferOut>, ApiError> {
    user.require(ADMINS)?;
    let o = benefits::get_offer(&state.db, &user.scope(), *id).await?;
    Ok(web::Json(benefits::offer_out(&state.db, o).await?))
}

/// A status change of an offer with its version.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SuspendIn {
    /// Current version of the offer.
    pub version: i32,
    /// Why (1–500 characters); required to suspend, ignored to resume.
    pub reason: Option<String>,
}

/// Suspend an offer: platform admins and admins of an organization above the business.
///
/// A suspended offer cannot be claimed and its codes are not redeemed until it is resumed.
#[utoipa::path(
    tag = "awards",
    operation_id = "suspend_benefit_offer",
    params(("id" = Uuid, Path, description = "Offer id")),
    request_body = SuspendIn,
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "Suspended", body = OfferOut),
        (status = 400, description = "Malformed JSON or id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The business's own admins may not suspend", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "offer_state (already suspended)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Version mismatch", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Validation failed (text_length)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/benefit-offers/{id}/suspend")]
pub async fn suspend_benefit_offer(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<SuspendIn>,
) -> Result<web::Json<OfferOut>, ApiError> {
    user.require(ADMINS)?;
    let body = body.into_inner();
    let o = benefits::set_offer_status(
        &state.db,
        &user.scope(),
        &actor(&user, &req),
        *id,
        body.version,
        Some(body.reason.unwrap_or_default()),
    )
    .await?;
    Ok(web::Json(benefits::offer_out(&state.db, o).await?))
}

/// Resume a suspended offer: platform admins and admins of an organization above the business.
#[utoipa::path(
    tag = "awards",
    operation_id = "resume_benefit_offer",
    params(("id" = Uuid, Path, description = "Offer id")),
    request_body = SuspendIn,
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "Active again", body = OfferOut),
        (status = 400, description = "Malformed JSON or id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The business's own admins may not resume", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "offer_state (not suspended)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Version mismatch", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/benefit-offers/{id}/resume")]
pub async fn resume_benefit_offer(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<SuspendIn>,
) -> Result<web::Json<OfferOut>, ApiError> {
    user.require(ADMINS)?;
    let o = benefits::set_offer_status(
        &state.db,
        &user.scope(),
        &actor(&user, &req),
        *id,
        body.version,
        None,
    )
    .await?;
    Ok(web::Json(benefits::offer_out(&state.db, o).await?))
}

/// Claim a redemption code of an offer (the calling volunteer).
///
/// One claim per volunteer and offer; stock is never oversold, also under concurrent claims.
/// The code has 12 characters of `23456789ABCDEFGHJKMNPQRSTVWXYZ`.
#[utoipa::path(
    tag = "awards",
    operation_id = "create_benefit_claim",
    params(("id" = Uuid, Path, description = "Offer id")),
    security(("bearer_auth" = ["volunteer"])),
    responses(
        (status = 201, description = "Claimed; Location names the volunteer's codes", body = ClaimOut),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a volunteer", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Offer missing", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "already_claimed, out_of_stock", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "offer_suspended, offer_not_valid, volunteer_not_active, star_level_too_low, region_not_eligible", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/benefit-offers/{id}/claims")]
pub async fn create_benefit_claim(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let v = own_volunteer(&user)?;
    let (c, o) = benefits::claim(&state.db, &actor(&user, &req), v, *id, state.today()).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, "/api/v1/benefit-claims/me"))
        .json(ClaimOut::new(c, o.title, o.valid_to)))
}

/// List the claims of an offer in scope (volunteer numbers and redemption state, no codes).
#[utoipa::path(
    tag = "awards",
    operation_id = "list_benefit_offer_claims",
    params(("id" = Uuid, Path, description = "Offer id"), PageParams),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "One page, newest first", body = Page<OfferClaimOut>),
        (status = 400, description = "Bad query or id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/benefit-offers/{id}/claims")]
pub async fn list_benefit_offer_claims(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<OfferClaimOut>>, ApiError> {
    user.require(ADMINS)?;
    let (p, n) = page.resolve()?;
    Ok(web::Json(
        benefits::offer_claims(&state.db, &user.scope(), *id, p, n).await?,
    ))
}

/// The calling volunteer's redemption codes, newest first.
#[utoipa::path(
    tag = "awards",
    operation_id = "list_own_benefit_claims",
    params(PageParams),
    security(("bearer_auth" = ["volunteer"])),
    responses(
        (status = 200, description = "One page", body = Page<ClaimOut>),
        (status = 400, description = "Bad query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a volunteer", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/benefit-claims/me")]
pub async fn list_own_benefit_claims(
    state: web::Data<AppState>,
    user: AuthUser,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<ClaimOut>>, ApiError> {
    let v = own_volunteer(&user)?;
    let (p, n) = page.resolve()?;
    Ok(web::Json(benefits::my_claims(&state.db, v, p, n).await?))
}

/// Redeem a code at the business (admins whose scope covers the offer's organization); once.
#[utoipa::path(
    tag = "awards",
    operation_id = "create_benefit_redemption",
    request_body = RedeemIn,
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "Redeemed", body = RedemptionOut),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown code or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "already_redeemed", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "offer_expired, offer_not_valid, offer_suspended", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/benefit-redemptions")]
pub async fn create_benefit_redemption(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    body: web::Json<RedeemIn>,
) -> Result<web::Json<RedemptionOut>, ApiError> {
    user.require(ADMINS)?;
    Ok(web::Json(
        benefits::redeem(
            &state.db,
            &user.scope(),
            &actor(&user, &req),
            &body.code,
            state.today(),
        )
        .await?,
    ))
}
