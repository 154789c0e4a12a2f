//! HTTP handlers of the registry of youth social organizations
//! (`/api/v1/youth-social-organizations`).

use actix_web::{HttpRequest, HttpResponse, get, patch, post, put, web};
use entity::enums::Role;
use futures_util::StreamExt as _;
use uuid::Uuid;

use super::dto::{
    AppealFilter, AppealIn, AppealOut, AppealResolutionIn, AssignmentDetailOut, AssignmentIn,
    AssignmentOut, EvidenceFile, EvidenceOut, EvidenceParams, GradeHistoryOut, PartnerMembershipIn,
    ProfileFilter, ProfileIn, ProfileOut, ProfilePatch, PublishIn, ResultOut, RoundIn, RoundOut,
    ScoresIn, SelfAssessmentIn, SelfAssessmentOut, TemplateFilter, TemplateIn, TemplateOut,
    TemplateSummaryOut,
};
use super::{rounds, service, templates};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::organizations::handlers::actor;
use crate::pagination::{Page, PageParams};
use crate::state::AppState;

/// Roles that manage the registry.
pub const ADMINS: &[Role] = &[Role::PlatformAdmin, Role::OrgAdmin];

/// Register a youth social organization (青年社会组织): the profile of an existing organization
/// of kind `youth_social_organization`.
///
/// The profile starts in incubation status `applied`. When `civil_affairs_registered` is true
/// the organization's USCC must start with 51, 52, 53 or 59 (GB 32100-2015: 民政 registration).
/// Contact name and phone are personal data: stored, masked in every response, never logged.
#[utoipa::path(
    tag = "social-organizations",
    operation_id = "create_youth_social_organization",
    request_body = ProfileIn,
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 201, description = "Created; Location names it", body = ProfileOut),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Organization missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "profile_exists", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Validation failed (organization_kind, uscc_not_civil_affairs, mobile_format, date_in_future …)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/youth-social-organizations")]
pub async fn create_youth_social_organization(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    body: web::Json<ProfileIn>,
) -> Result<HttpResponse, ApiError> {
    user.require(ADMINS)?;
    let p = service::create(
        &state.db,
        &user.scope(),
        &actor(&user, &req),
        state.today(),
        body.into_inner(),
    )
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            "Location",
            format!("/api/v1/youth-social-organizations/{}", p.organization_id),
        ))
        .json(p))
}

/// List youth social organizations of the caller's scope.
///
/// Filters: field, new-field group, incubation status, region (with sub-regions) and a
/// partner-programme membership active on a date.
#[utoipa::path(
    tag = "social-organizations",
    operation_id = "list_youth_social_organizations",
    params(ProfileFilter, PageParams),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "One page", body = Page<ProfileOut>),
        (status = 400, description = "Bad query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/youth-social-organizations")]
pub async fn list_youth_social_organizations(
    state: web::Data<AppState>,
    user: AuthUser,
    filter: web::Query<ProfileFilter>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<ProfileOut>>, ApiError> {
    user.require(ADMINS)?;
    let (p, n) = page.resolve()?;
    Ok(web::Json(
        service::list(&state.db, &user.scope(), &filter, p, n).await?,
    ))
}

/// Get a youth social organization of the caller's scope.
#[utoipa::path(
    tag = "social-organizations",
    operation_id = "get_youth_social_organization",
    params(("id" = Uuid, Path, description = "Organization id")),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "The organization's profile", body = ProfileOut),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/youth-social-organizations/{id}")]
pub async fn get_youth_social_organization(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<ProfileOut>, ApiError> {
    user.require(ADMINS)?;
    Ok(web::Json(
        service::get(&state.db, &user.scope(), *id).await?,
    ))
}

/// Update a youth social organization's profile or move its incubation on; `version` must match.
///
/// Incubation: `applied → incubating → graduated`, or `withdrawn` from `applied`/`incubating`.
#[utoipa::path(
    tag = "social-organizations",
    operation_id = "update_youth_social_organization",
    params(("id" = Uuid, Path, description = "Organization id")),
    request_body = ProfilePatch,
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "Updated", body = ProfileOut),
        (status = 400, description = "Malformed body or id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Version mismatch", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "incubation_transition, incubation_date_order, uscc_not_civil_affairs or validation", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/youth-social-organizations/{id}")]
pub async fn update_youth_social_organization(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<ProfilePatch>,
) -> Result<web::Json<ProfileOut>, ApiError> {
    user.require(ADMINS)?;
    Ok(web::Json(
        service::update(
            &state.db,
            &user.scope(),
            &actor(&user, &req),
            state.today(),
            *id,
            body.into_inner(),
        )
        .await?,
    ))
}

/// Add a partner-programme (亲青伙伴) membership period to a youth social organization.
#[utoipa::path(
    tag = "social-organizations",
    operation_id = "create_partner_membership",
    params(("id" = Uuid, Path, description = "Organization id")),
    request_body = PartnerMembershipIn,
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 201, description = "Added; the profile with its memberships", body = ProfileOut),
        (status = 400, description = "Malformed body or id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "date_order or validation", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/youth-social-organizations/{id}/partner-memberships")]
pub async fn create_partner_membership(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<PartnerMembershipIn>,
) -> Result<HttpResponse, ApiError> {
    user.require(ADMINS)?;
    let p = service::add_membership(
        &state.db,
        &user.scope(),
        &actor(&user, &req),
        *id,
        body.into_inner(),
    )
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            "Location",
            format!("/api/v1/youth-social-organizations/{}", p.organization_id),
        ))
        .json(p))
}

// ---------------------------------------------------------------------------
// Rating templates
// ---------------------------------------------------------------------------

/// Roles that read templates, rounds and (their own) assignments.
const READERS: &[Role] = &[Role::PlatformAdmin, Role::OrgAdmin, Role::Reviewer];
/// Platform admins only.
const PLATFORM: &[Role] = &[Role::PlatformAdmin];

/// Publish a rating template version (platform admins).
///
/// A new `code` starts at version 1; an existing one gets its next version. Versions are
/// immutable and rounds keep the version they were opened with. A parent's maximum must equal
/// the sum of its children's maxima and `total_max_score` the sum of the top-level maxima
/// (scores in hundredths of a point).
#[utoipa::path(
    tag = "social-organizations",
    operation_id = "create_rating_template",
    request_body = TemplateIn,
    security(("bearer_auth" = ["platform_admin"])),
    responses(
        (status = 201, description = "Created; Location names the version", body = TemplateOut),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A concurrent request took this version", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Validation failed (children_max_mismatch, total_max_mismatch, weight_range, max_score_range, indicator_code_duplicate …)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/rating-templates")]
pub async fn create_rating_template(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    body: web::Json<TemplateIn>,
) -> Result<HttpResponse, ApiError> {
    user.require(PLATFORM)?;
    let t = templates::create(&state.db, &actor(&user, &req), body.into_inner()).await?;
    Ok(HttpResponse::Created()
        .insert_header((
            "Location",
            format!("/api/v1/rating-templates/{}", t.template.id),
        ))
        .json(t))
}

/// List rating template versions (newest version of each code first).
#[utoipa::path(
    tag = "social-organizations",
    operation_id = "list_rating_templates",
    params(TemplateFilter, PageParams),
    security(("bearer_auth" = ["platform_admin", "org_admin", "reviewer"])),
    responses(
        (status = 200, description = "One page", body = Page<TemplateSummaryOut>),
        (status = 400, description = "Bad query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/rating-templates")]
pub async fn list_rating_templates(
    state: web::Data<AppState>,
    user: AuthUser,
    filter: web::Query<TemplateFilter>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<TemplateSummaryOut>>, ApiError> {
    user.require(READERS)?;
    let (p, n) = page.resolve()?;
    Ok(web::Json(templates::list(&state.db, &filter, p, n).await?))
}

/// Get a rating template version with its indicator tree.
#[utoipa::path(
    tag = "social-organizations",
    operation_id = "get_rating_template",
    params(("id" = Uuid, Path, description = "Template version id")),
    security(("bearer_auth" = ["platform_admin", "org_admin", "reviewer"])),
    responses(
        (status = 200, description = "The version", body = TemplateOut),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/rating-templates/{id}")]
pub async fn get_rating_template(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<TemplateOut>, ApiError> {
    user.require(READERS)?;
    Ok(web::Json(templates::get(&state.db, *id).await?))
}

// ---------------------------------------------------------------------------
// Rating rounds
// ---------------------------------------------------------------------------

/// Open a rating round (platform admins) on a template version, which stays frozen for the
/// round.
///
/// Eligibility: organizations with a registry profile registered at least
/// `min_years_registered` (default 2) years before `period_start`, optionally limited to a
/// subtree and a region. Grades: bands (default 5A ≥ 90 %, 4A ≥ 80 %, 3A ≥ 70 %, 2A ≥ 60 %,
/// 1A ≥ 50 %), valid `validity_years` (default 5) from publication, appealable for
/// `appeal_days` (default 15).
#[utoipa::path(
    tag = "social-organizations",
    operation_id = "create_rating_round",
    request_body = RoundIn,
    security(("bearer_auth" = ["platform_admin"])),
    responses(
        (status = 201, description = "Opened; Location names it", body = RoundOut),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Validation failed (template_not_found, bands_invalid, date_order, range …)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/rating-rounds")]
pub async fn create_rating_round(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    body: web::Json<RoundIn>,
) -> Result<HttpResponse, ApiError> {
    user.require(PLATFORM)?;
    let r = rounds::create_round(
        &state.db,
        &actor(&user, &req),
        user.account_id,
        body.into_inner(),
    )
    .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/rating-rounds/{}", r.id)))
        .json(r))
}

/// List rating rounds, newest first.
#[utoipa::path(
    tag = "social-organizations",
    operation_id = "list_rating_rounds",
    params(PageParams),
    security(("bearer_auth" = ["platform_admin", "org_admin", "reviewer"])),
    responses(
        (status = 200, description = "One page", body = Page<RoundOut>),
        (status = 400, description = "Bad query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/rating-rounds")]
pub async fn list_rating_rounds(
    state: web::Data<AppState>,
    user: AuthUser,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<RoundOut>>, ApiError> {
    user.require(READERS)?;
    let (p, n) = page.resolve()?;
    Ok(web::Json(rounds::list_rounds(&state.db, p, n).await?))
}

/// Get a rating round.
#[utoipa::path(
    tag = "social-organizations",
    operation_id = "get_rating_round",
    params(("id" = Uuid, Path, description = "Round id")),
    security(("bearer_auth" = ["platform_admin", "org_admin", "reviewer"])),
    responses(
        (status = 200, description = "The round", body = RoundOut),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/rating-rounds/{id}")]
pub async fn get_rating_round(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<RoundOut>, ApiError> {
    user.require(READERS)?;
    Ok(web::Json(rounds::get_round(&state.db, *id).await?))
}

/// Submit (replace) an organization's self-assessment (自评) in an open round.
///
/// Scores are hundredths of a point, `0..=max_score` of each leaf indicator.
#[utoipa::path(
    tag = "social-organizations",
    operation_id = "update_self_assessment",
    params(
        ("id" = Uuid, Path, description = "Round id"),
        ("organization_id" = Uuid, Path, description = "Organization id"),
    ),
    request_body = SelfAssessmentIn,
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "Stored", body = SelfAssessmentOut),
        (status = 400, description = "Malformed body or id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Round or organization missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "round_not_open", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "not_eligible, unknown_indicator, score_out_of_range …", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/rating-rounds/{id}/self-assessments/{organization_id}")]
pub async fn update_self_assessment(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<SelfAssessmentIn>,
) -> Result<web::Json<SelfAssessmentOut>, ApiError> {
    user.require(ADMINS)?;
    let (round, org) = path.into_inner();
    Ok(web::Json(
        rounds::put_self_assessment(
            &state.db,
            &user.scope(),
            &actor(&user, &req),
            user.account_id,
            round,
            org,
            body.into_inner(),
        )
        .await?,
    ))
}

/// Get an organization's self-assessment with its evidence list (admins in scope, reviewers
/// assigned to the organization in the round).
#[utoipa::path(
    tag = "social-organizations",
    operation_id = "get_self_assessment",
    params(
        ("id" = Uuid, Path, description = "Round id"),
        ("organization_id" = Uuid, Path, description = "Organization id"),
    ),
    security(("bearer_auth" = ["platform_admin", "org_admin", "reviewer"])),
    responses(
        (status = 200, description = "The self-assessment", body = SelfAssessmentOut),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or not visible", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/rating-rounds/{id}/self-assessments/{organization_id}")]
pub async fn get_self_assessment(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<web::Json<SelfAssessmentOut>, ApiError> {
    user.require(READERS)?;
    let (round, org) = path.into_inner();
    Ok(web::Json(
        rounds::get_self_assessment(&state.db, &user, round, org).await?,
    ))
}

/// Upload an evidence file (证明材料) for an organization's self-assessment.
///
/// The body is the file itself, with its media type in `Content-Type`; at most 5 MiB. The
/// file is stored in the database with its SHA-256.
#[utoipa::path(
    tag = "social-organizations",
    operation_id = "create_rating_evidence",
    params(
        ("id" = Uuid, Path, description = "Round id"),
        ("organization_id" = Uuid, Path, description = "Organization id"),
        EvidenceParams,
    ),
    request_body(content = EvidenceFile, content_type = "application/octet-stream", description = "The file"),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 201, description = "Stored; Location names the download", body = EvidenceOut),
        (status = 400, description = "Bad query or id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Round or organization missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "round_not_open", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Larger than 5 MiB", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "not_eligible, empty_file, file_name_format, unknown_indicator, content_type_format", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/rating-rounds/{id}/self-assessments/{organization_id}/evidence")]
pub async fn create_rating_evidence(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<(Uuid, Uuid)>,
    params: web::Query<EvidenceParams>,
    mut payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    user.require(ADMINS)?;
    // Read the stream up to the limit, so that a too-large file is refused early with a problem.
    let mut body = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| ApiError::BadRequest {
            code: "malformed_body",
            detail: e.to_string(),
        })?;
        if body.len() + chunk.len() > rounds::EVIDENCE_MAX_BYTES {
            return Err(ApiError::PayloadTooLarge {
                limit: rounds::EVIDENCE_MAX_BYTES,
            });
        }
        body.extend_from_slice(&chunk);
    }
    let (round, org) = path.into_inner();
    let content_type = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let e = rounds::add_evidence(
        &state.db,
        &user.scope(),
        &actor(&user, &req),
        user.account_id,
        round,
        org,
        &params.file_name,
        params.indicator_code.as_deref(),
        &content_type,
        &body,
    )
    .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/rating-evidence/{}", e.id)))
        .json(e))
}

/// Download an evidence file (admins in scope, reviewers assigned to the organization).
#[utoipa::path(
    tag = "social-organizations",
    operation_id = "get_rating_evidence",
    params(("id" = Uuid, Path, description = "Evidence file id")),
    security(("bearer_auth" = ["platform_admin", "org_admin", "reviewer"])),
    responses(
        (status = 200, description = "The file, with its stored content type; ETag is its SHA-256", body = EvidenceFile, content_type = "application/octet-stream"),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or not visible", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/rating-evidence/{id}")]
pub async fn get_rating_evidence(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    user.require(READERS)?;
    let f = rounds::get_evidence(&state.db, &user, *id).await?;
    // Only a plain ASCII name goes into the header; the stored name is in the metadata.
    let safe: String = f
        .file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    Ok(HttpResponse::Ok()
        .insert_header(("Content-Type", f.content_type))
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{safe}\""),
        ))
        .insert_header(("ETag", format!("\"{}\"", f.sha256)))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .body(f.data))
}

/// Assign a reviewer to an organization of an open round (platform admins).
///
/// The reviewer is an account with role `reviewer` (or an admin). Refused with 422
/// `conflict_of_interest` when the reviewer's affiliation is the rated organization or inside
/// its subtree (or, for an organization admin, when the rated organization is in the subtree
/// they manage).
#[utoipa::path(
    tag = "social-organizations",
    operation_id = "create_rating_assignment",
    params(("id" = Uuid, Path, description = "Round id")),
    request_body = AssignmentIn,
    security(("bearer_auth" = ["platform_admin"])),
    responses(
        (status = 201, description = "Assigned; Location names it", body = AssignmentOut),
        (status = 400, description = "Malformed body or id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Round missing", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "round_not_open or duplicate", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "conflict_of_interest, not_eligible, reviewer_role, reviewer_not_found, organization_not_found", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/rating-rounds/{id}/assignments")]
pub async fn create_rating_assignment(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<AssignmentIn>,
) -> Result<HttpResponse, ApiError> {
    user.require(PLATFORM)?;
    let a = rounds::create_assignment(
        &state.db,
        &actor(&user, &req),
        user.account_id,
        *id,
        body.into_inner(),
    )
    .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/rating-assignments/{}", a.id)))
        .json(a))
}

/// List a round's assignments: all for platform admins, only the caller's own for reviewers.
#[utoipa::path(
    tag = "social-organizations",
    operation_id = "list_rating_assignments",
    params(("id" = Uuid, Path, description = "Round id"), PageParams),
    security(("bearer_auth" = ["platform_admin", "org_admin", "reviewer"])),
    responses(
        (status = 200, description = "One page", body = Page<AssignmentOut>),
        (status = 400, description = "Bad query or id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Round missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/rating-rounds/{id}/assignments")]
pub async fn list_rating_assignments(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<AssignmentOut>>, ApiError> {
    user.require(READERS)?;
    let (p, n) = page.resolve()?;
    Ok(web::Json(
        rounds::list_assignments(&state.db, &user, *id, p, n).await?,
    ))
}

/// Get an assignment with its scores (its reviewer, or platform admins).
#[utoipa::path(
    tag = "social-organizations",
    operation_id = "get_rating_assignment",
    params(("id" = Uuid, Path, description = "Assignment id")),
    security(("bearer_auth" = ["platform_admin", "org_admin", "reviewer"])),
    responses(
        (status = 200, description = "The assignment", body = AssignmentDetailOut),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or someone else's", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/rating-assignments/{id}")]
pub async fn get_rating_assignment(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<AssignmentDetailOut>, ApiError> {
    user.require(READERS)?;
    Ok(web::Json(
        rounds::get_assignment(&state.db, &user, *id).await?,
    ))
}

/// Score leaf indicators of the caller's own assignment (added or replaced per indicator)
/// while the round is open. Each score is hundredths of a point within `0..=max_score`.
#[utoipa::path(
    tag = "social-organizations",
    operation_id = "update_rating_scores",
    params(("id" = Uuid, Path, description = "Assignment id")),
    request_body = ScoresIn,
    security(("bearer_auth" = ["platform_admin", "org_admin", "reviewer"])),
    responses(
        (status = 200, description = "Stored; the assignment with all its scores", body = AssignmentDetailOut),
        (status = 400, description = "Malformed body or id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or someone else's", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "round_not_open", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "score_out_of_range, unknown_indicator, indicator_duplicate", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/rating-assignments/{id}/scores")]
pub async fn update_rating_scores(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<ScoresIn>,
) -> Result<web::Json<AssignmentDetailOut>, ApiError> {
    user.require(READERS)?;
    Ok(web::Json(
        rounds::put_scores(
            &state.db,
            &user,
            &actor(&user, &req),
            *id,
            body.into_inner(),
        )
        .await?,
    ))
}

/// Publish a round's results (platform admins); `version` must match.
///
/// Every assignment must have every leaf indicator scored; otherwise 422 lists each incomplete
/// assignment (`scores_missing`). Per organization: the exact mean of its reviewers' totals
/// (without the single highest and lowest from five reviewers on, when the round trims),
/// graded by the round's bands with exact integer comparison.
#[utoipa::path(
    tag = "social-organizations",
    operation_id = "publish_rating_round",
    params(("id" = Uuid, Path, description = "Round id")),
    request_body = PublishIn,
    security(("bearer_auth" = ["platform_admin"])),
    responses(
        (status = 200, description = "Published", body = RoundOut),
        (status = 400, description = "Malformed body or id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "round_not_open (already published)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Version mismatch", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "scores_missing (listed in errors[]) or no_assignments", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/rating-rounds/{id}/publish")]
pub async fn publish_rating_round(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<PublishIn>,
) -> Result<web::Json<RoundOut>, ApiError> {
    user.require(PLATFORM)?;
    Ok(web::Json(
        rounds::publish(
            &state.db,
            &actor(&user, &req),
            state.today(),
            *id,
            body.into_inner(),
        )
        .await?,
    ))
}

/// List a round's published results (platform admins: all; organization admins: their subtree).
#[utoipa::path(
    tag = "social-organizations",
    operation_id = "list_rating_results",
    params(("id" = Uuid, Path, description = "Round id"), PageParams),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "One page", body = Page<ResultOut>),
        (status = 400, description = "Bad query or id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Round missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/rating-rounds/{id}/results")]
pub async fn list_rating_results(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<ResultOut>>, ApiError> {
    user.require(ADMINS)?;
    let (p, n) = page.resolve()?;
    Ok(web::Json(
        rounds::list_results(&state.db, &user.scope(), *id, p, n).await?,
    ))
}

/// File an appeal (申诉) against a published result within its appeal window.
#[utoipa::path(
    tag = "social-organizations",
    operation_id = "create_rating_appeal",
    params(("id" = Uuid, Path, description = "Result id")),
    request_body = AppealIn,
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 201, description = "Filed; Location names it", body = AppealOut),
        (status = 400, description = "Malformed body or id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "appeal_window_closed, appeal_pending or result_superseded", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Validation failed", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/rating-results/{id}/appeals")]
pub async fn create_rating_appeal(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<AppealIn>,
) -> Result<HttpResponse, ApiError> {
    user.require(ADMINS)?;
    let a = rounds::create_appeal(
        &state.db,
        &user.scope(),
        &actor(&user, &req),
        user.account_id,
        *id,
        body.into_inner(),
    )
    .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/rating-appeals/{}", a.id)))
        .json(a))
}

/// List appeals, newest first (platform admins: all; organization admins: their subtree).
#[utoipa::path(
    tag = "social-organizations",
    operation_id = "list_rating_appeals",
    params(AppealFilter, PageParams),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "One page", body = Page<AppealOut>),
        (status = 400, description = "Bad query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/rating-appeals")]
pub async fn list_rating_appeals(
    state: web::Data<AppState>,
    user: AuthUser,
    filter: web::Query<AppealFilter>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<AppealOut>>, ApiError> {
    user.require(ADMINS)?;
    let (p, n) = page.resolve()?;
    Ok(web::Json(
        rounds::list_appeals(&state.db, &user.scope(), &filter, p, n).await?,
    ))
}

/// Resolve an appeal (platform admins): `upheld` with the adjusted aggregate (a new result
/// supersedes the appealed one), or `dismissed`.
#[utoipa::path(
    tag = "social-organizations",
    operation_id = "resolve_rating_appeal",
    params(("id" = Uuid, Path, description = "Appeal id")),
    request_body = AppealResolutionIn,
    security(("bearer_auth" = ["platform_admin"])),
    responses(
        (status = 200, description = "Resolved", body = AppealOut),
        (status = 400, description = "Malformed body or id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "appeal_resolved", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "adjusted_score_required, score_out_of_range or validation", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/rating-appeals/{id}/resolution")]
pub async fn resolve_rating_appeal(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<AppealResolutionIn>,
) -> Result<web::Json<AppealOut>, ApiError> {
    user.require(PLATFORM)?;
    Ok(web::Json(
        rounds::resolve_appeal(
            &state.db,
            &actor(&user, &req),
            user.account_id,
            *id,
            body.into_inner(),
        )
        .await?,
    ))
}

/// Grade history of an organization: every published result and the current valid grade.
#[utoipa::path(
    tag = "social-organizations",
    operation_id = "get_organization_grades",
    params(("id" = Uuid, Path, description = "Organization id")),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "Results, newest first, and the current grade", body = GradeHistoryOut),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/youth-social-organizations/{id}/grades")]
pub async fn get_organization_grades(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<GradeHistoryOut>, ApiError> {
    user.require(ADMINS)?;
    Ok(web::Json(
        rounds::grade_history(&state.db, &user.scope(), state.today(), *id).await?,
    ))
}
