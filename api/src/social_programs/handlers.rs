//! HTTP handlers of the social-programs module: the project and case libraries (admin and
//! public), micro-grant calls, proposals, reviews and awards, youth social workers, their
//! assignments to youth homes and the report of youth homes without a social worker.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, put, web};
use chrono::Utc;
use entity::enums::Role;
use uuid::Uuid;

use super::common::page_map;
use super::dto::{
    AssignReviewerIn, AssignmentFilter, AssignmentIn, AssignmentOut, AssignmentPatch, AwardIn,
    DeclineIn, GrantCallFilter, GrantCallIn, GrantCallOut, GrantCallPatch, LibraryEntryFilter,
    LibraryEntryIn, LibraryEntryOut, LibraryEntryPatch, MyReviewOut, ProposalFilter, ProposalIn,
    ProposalOut, PublicLibraryEntryOut, PublicLibraryFilter, PublishIn, RankingItemOut, RejectIn,
    ReportQuery, ReviewOut, ScoreIn, SocialWorkerFilter, SocialWorkerIn, SocialWorkerOut,
    SocialWorkerPatch, TagCountOut, TagFilter, TagsIn, UncoveredYouthHomeOut, VersionIn,
};
use super::{grants, library, workers};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::organizations::handlers::actor;
use crate::pagination::{Page, PageParams};
use crate::state::AppState;

const ADMINS: &[Role] = &[Role::PlatformAdmin, Role::OrgAdmin];

/// Create a project or case entry (draft).
///
/// Projects need summary, target group, budget (fen), period and outcomes; cases need a body and
/// may name a project entry of the same organization.
#[utoipa::path(
    tag = "social-programs",
    operation_id = "create_library_entry",
    request_body = LibraryEntryIn,
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 201, description = "Created; Location names it", body = LibraryEntryOut),
        (status = 400, description = "Malformed JSON, id or query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Validation failed (organization_not_found, region_unknown, required, not_allowed_for_kind, related_entry_not_found …)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/library-entries")]
pub async fn create_library_entry(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    body: web::Json<LibraryEntryIn>,
) -> Result<HttpResponse, ApiError> {
    user.require(ADMINS)?;
    let m = library::create(&state.db, &user, &actor(&user, &req), body.into_inner()).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/library-entries/{}", m.id)))
        .json(LibraryEntryOut::from(m)))
}

/// List library entries of the caller's scope, newest first.
#[utoipa::path(
    tag = "social-programs",
    operation_id = "list_library_entries",
    params(LibraryEntryFilter, PageParams),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "One page", body = Page<LibraryEntryOut>),
        (status = 400, description = "Malformed JSON, id or query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/library-entries")]
pub async fn list_library_entries(
    state: web::Data<AppState>,
    user: AuthUser,
    filter: web::Query<LibraryEntryFilter>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    user.require(ADMINS)?;
    let (p, n) = page.resolve()?;
    let r = library::list(&state.db, &user.scope(), &filter, p, n).await?;
    Ok(HttpResponse::Ok().json(page_map(r, LibraryEntryOut::from)))
}

/// Get a library entry of the caller's scope.
#[utoipa::path(
    tag = "social-programs",
    operation_id = "get_library_entry",
    params(("id" = Uuid, Path, description = "Entry id")),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "The entry", body = LibraryEntryOut),
        (status = 400, description = "Malformed JSON, id or query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/library-entries/{id}")]
pub async fn get_library_entry(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    user.require(ADMINS)?;
    let m = library::get(&state.db, &user.scope(), *id).await?;
    Ok(HttpResponse::Ok().json(LibraryEntryOut::from(m)))
}

/// Edit a draft or rejected entry; `version` must match.
#[utoipa::path(
    tag = "social-programs",
    operation_id = "update_library_entry",
    params(("id" = Uuid, Path, description = "Entry id")),
    request_body = LibraryEntryPatch,
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "Updated", body = LibraryEntryOut),
        (status = 400, description = "Malformed JSON, id or query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "invalid_state (not draft or rejected)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Version mismatch", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Validation failed", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/library-entries/{id}")]
pub async fn update_library_entry(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<LibraryEntryPatch>,
) -> Result<HttpResponse, ApiError> {
    user.require(ADMINS)?;
    let m = library::update(
        &state.db,
        &user.scope(),
        &actor(&user, &req),
        *id,
        body.into_inner(),
    )
    .await?;
    Ok(HttpResponse::Ok().json(LibraryEntryOut::from(m)))
}

/// Submit a draft or rejected entry for curation.
#[utoipa::path(
    tag = "social-programs",
    operation_id = "submit_library_entry",
    params(("id" = Uuid, Path, description = "Entry id")),
    request_body = VersionIn,
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "Submitted", body = LibraryEntryOut),
        (status = 400, description = "Malformed JSON, id or query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "invalid_state", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Version mismatch", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid body", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/library-entries/{id}/submit")]
pub async fn submit_library_entry(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<VersionIn>,
) -> Result<HttpResponse, ApiError> {
    user.require(ADMINS)?;
    let m = library::submit(
        &state.db,
        &user.scope(),
        &actor(&user, &req),
        *id,
        body.version,
    )
    .await?;
    Ok(HttpResponse::Ok().json(LibraryEntryOut::from(m)))
}

/// Publish a submitted entry, with the curator's tags.
///
/// Curators: platform admins, or org admins whose subtree contains the submitting organization,
/// never for their own organization's entries (422 `self_curation`).
#[utoipa::path(
    tag = "social-programs",
    operation_id = "publish_library_entry",
    params(("id" = Uuid, Path, description = "Entry id")),
    request_body = PublishIn,
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "Published", body = LibraryEntryOut),
        (status = 400, description = "Malformed JSON, id or query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "invalid_state (not submitted)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Version mismatch", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "self_curation or tag validation", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/library-entries/{id}/publish")]
pub async fn publish_library_entry(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<PublishIn>,
) -> Result<HttpResponse, ApiError> {
    user.require(ADMINS)?;
    let b = body.into_inner();
    let m = library::publish(
        &state.db,
        &user,
        &actor(&user, &req),
        *id,
        b.version,
        b.tags,
    )
    .await?;
    Ok(HttpResponse::Ok().json(LibraryEntryOut::from(m)))
}

/// Reject a submitted entry with a reason.
///
/// Same curators as publishing; the submitter may edit and submit again.
#[utoipa::path(
    tag = "social-programs",
    operation_id = "reject_library_entry",
    params(("id" = Uuid, Path, description = "Entry id")),
    request_body = RejectIn,
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "Rejected", body = LibraryEntryOut),
        (status = 400, description = "Malformed JSON, id or query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "invalid_state (not submitted)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Version mismatch", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "self_curation or an empty reason", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/library-entries/{id}/reject")]
pub async fn reject_library_entry(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<RejectIn>,
) -> Result<HttpResponse, ApiError> {
    user.require(ADMINS)?;
    let b = body.into_inner();
    let m = library::reject(
        &state.db,
        &user,
        &actor(&user, &req),
        *id,
        b.version,
        &b.reason,
    )
    .await?;
    Ok(HttpResponse::Ok().json(LibraryEntryOut::from(m)))
}

/// Archive a published entry (no longer public).
#[utoipa::path(
    tag = "social-programs",
    operation_id = "archive_library_entry",
    params(("id" = Uuid, Path, description = "Entry id")),
    request_body = VersionIn,
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "Archived", body = LibraryEntryOut),
        (status = 400, description = "Malformed JSON, id or query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "invalid_state (not published)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Version mismatch", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "self_curation", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/library-entries/{id}/archive")]
pub async fn archive_library_entry(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<VersionIn>,
) -> Result<HttpResponse, ApiError> {
    user.require(ADMINS)?;
    let m = library::archive(&state.db, &user, &actor(&user, &req), *id, body.version).await?;
    Ok(HttpResponse::Ok().json(LibraryEntryOut::from(m)))
}

/// Replace the tags of an entry (curators).
///
/// Tags are free strings, normalised (trimmed, whitespace collapsed, ASCII lower-cased), at most 10.
#[utoipa::path(
    tag = "social-programs",
    operation_id = "update_library_entry_tags",
    params(("id" = Uuid, Path, description = "Entry id")),
    request_body = TagsIn,
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "Tags replaced", body = LibraryEntryOut),
        (status = 400, description = "Malformed JSON, id or query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Version mismatch", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "self_curation or tag validation", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/library-entries/{id}/tags")]
pub async fn update_library_entry_tags(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<TagsIn>,
) -> Result<HttpResponse, ApiError> {
    user.require(ADMINS)?;
    let b = body.into_inner();
    let m = library::set_tags(
        &state.db,
        &user,
        &actor(&user, &req),
        *id,
        b.version,
        &b.tags,
    )
    .await?;
    Ok(HttpResponse::Ok().json(LibraryEntryOut::from(m)))
}

/// Search published project and case entries (public).
///
/// Filters: `kind`, `field`, `region_code` (that region and every region below it), `tag`
/// (normalised), `q` (title contains). Newest publication first.
#[utoipa::path(
    tag = "social-programs",
    operation_id = "list_public_library_entries",
    params(PublicLibraryFilter, PageParams),
    security(()),
    responses(
        (status = 200, description = "One page", body = Page<PublicLibraryEntryOut>),
        (status = 400, description = "Bad query (region_code not six digits, bad tag, bad page)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/public/library-entries")]
pub async fn list_public_library_entries(
    state: web::Data<AppState>,
    filter: web::Query<PublicLibraryFilter>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let (p, n) = page.resolve()?;
    let r = library::public_search(&state.db, &filter, p, n).await?;
    Ok(HttpResponse::Ok().json(page_map(r, |(m, name)| PublicLibraryEntryOut::new(m, name))))
}

/// Get a published entry (public).
#[utoipa::path(
    tag = "social-programs",
    operation_id = "get_public_library_entry",
    params(("id" = Uuid, Path, description = "Entry id")),
    security(()),
    responses(
        (status = 200, description = "The entry", body = PublicLibraryEntryOut),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or not published", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/public/library-entries/{id}")]
pub async fn get_public_library_entry(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (m, name) = library::public_get(&state.db, *id).await?;
    Ok(HttpResponse::Ok().json(PublicLibraryEntryOut::new(m, name)))
}

/// List the tags in use on published entries (public).
///
/// Most used first; counts are of published entries.
#[utoipa::path(
    tag = "social-programs",
    operation_id = "list_public_library_tags",
    params(TagFilter, PageParams),
    security(()),
    responses(
        (status = 200, description = "One page", body = Page<TagCountOut>),
        (status = 400, description = "Bad query", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/public/library-tags")]
pub async fn list_public_library_tags(
    state: web::Data<AppState>,
    filter: web::Query<TagFilter>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let (p, n) = page.resolve()?;
    let r = library::public_tags(&state.db, &filter, p, n).await?;
    Ok(HttpResponse::Ok().json(r))
}

/// Create a micro-grant call (微创投) in draft.
///
/// Budget and per-award maximum in fen; eligibility by organization kinds, subtree (inside the
/// owner's), region (and below) and minimum whole years since registration (registry date).
#[utoipa::path(
    tag = "social-programs",
    operation_id = "create_grant_call",
    request_body = GrantCallIn,
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 201, description = "Created; Location names it", body = GrantCallOut),
        (status = 400, description = "Malformed JSON, id or query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Validation failed (amount_range, window_order, organization_not_found, region_unknown, years_range …)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/grant-calls")]
pub async fn create_grant_call(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    body: web::Json<GrantCallIn>,
) -> Result<HttpResponse, ApiError> {
    user.require(ADMINS)?;
    let m = grants::create(&state.db, &user, &actor(&user, &req), body.into_inner()).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/grant-calls/{}", m.id)))
        .json(GrantCallOut::from(m)))
}

/// List calls: those the caller runs and every call past draft.
#[utoipa::path(
    tag = "social-programs",
    operation_id = "list_grant_calls",
    params(GrantCallFilter, PageParams),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "One page, newest first", body = Page<GrantCallOut>),
        (status = 400, description = "Malformed JSON, id or query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/grant-calls")]
pub async fn list_grant_calls(
    state: web::Data<AppState>,
    user: AuthUser,
    filter: web::Query<GrantCallFilter>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    user.require(ADMINS)?;
    let (p, n) = page.resolve()?;
    let r = grants::list(&state.db, &user.scope(), &filter, p, n).await?;
    Ok(HttpResponse::Ok().json(page_map(r, GrantCallOut::from)))
}

/// Get a call (draft calls only for the admins who run them).
#[utoipa::path(
    tag = "social-programs",
    operation_id = "get_grant_call",
    params(("id" = Uuid, Path, description = "Call id")),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "The call", body = GrantCallOut),
        (status = 400, description = "Malformed JSON, id or query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/grant-calls/{id}")]
pub async fn get_grant_call(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    user.require(ADMINS)?;
    let m = grants::get(&state.db, &user.scope(), *id).await?;
    Ok(HttpResponse::Ok().json(GrantCallOut::from(m)))
}

/// Edit a draft call; `version` must match.
#[utoipa::path(
    tag = "social-programs",
    operation_id = "update_grant_call",
    params(("id" = Uuid, Path, description = "Call id")),
    request_body = GrantCallPatch,
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "Updated", body = GrantCallOut),
        (status = 400, description = "Malformed JSON, id or query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "invalid_state (not draft)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Version mismatch", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Validation failed", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/grant-calls/{id}")]
pub async fn update_grant_call(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<GrantCallPatch>,
) -> Result<HttpResponse, ApiError> {
    user.require(ADMINS)?;
    let m = grants::update(
        &state.db,
        &user.scope(),
        &actor(&user, &req),
        *id,
        body.into_inner(),
    )
    .await?;
    Ok(HttpResponse::Ok().json(GrantCallOut::from(m)))
}

/// Open a draft call for proposals.
#[utoipa::path(
    tag = "social-programs",
    operation_id = "open_grant_call",
    params(("id" = Uuid, Path, description = "Call id")),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "Moved on", body = GrantCallOut),
        (status = 400, description = "Malformed JSON, id or query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "invalid_state (the call is not draft)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/grant-calls/{id}/open")]
pub async fn open_grant_call(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    user.require(ADMINS)?;
    let m = grants::transition(&state.db, &user.scope(), &actor(&user, &req), *id, "open").await?;
    Ok(HttpResponse::Ok().json(GrantCallOut::from(m)))
}

/// Stop taking proposals and start the review.
#[utoipa::path(
    tag = "social-programs",
    operation_id = "start_grant_call_review",
    params(("id" = Uuid, Path, description = "Call id")),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "Moved on", body = GrantCallOut),
        (status = 400, description = "Malformed JSON, id or query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "invalid_state (the call is not open)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/grant-calls/{id}/start-review")]
pub async fn start_grant_call_review(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    user.require(ADMINS)?;
    let m = grants::transition(
        &state.db,
        &user.scope(),
        &actor(&user, &req),
        *id,
        "start_review",
    )
    .await?;
    Ok(HttpResponse::Ok().json(GrantCallOut::from(m)))
}

/// Close a call in review; undecided proposals are declined.
#[utoipa::path(
    tag = "social-programs",
    operation_id = "close_grant_call",
    params(("id" = Uuid, Path, description = "Call id")),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "Moved on", body = GrantCallOut),
        (status = 400, description = "Malformed JSON, id or query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "invalid_state (the call is not reviewing)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/grant-calls/{id}/close")]
pub async fn close_grant_call(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    user.require(ADMINS)?;
    let m = grants::transition(&state.db, &user.scope(), &actor(&user, &req), *id, "close").await?;
    Ok(HttpResponse::Ok().json(GrantCallOut::from(m)))
}

/// Submit a proposal to an open call.
///
/// For an organization in the caller's scope that meets the call's criteria; one proposal per
/// organization per call (409 `duplicate_proposal`); requested amount 1 ..= the per-award maximum.
#[utoipa::path(
    tag = "social-programs",
    operation_id = "create_grant_proposal",
    params(("id" = Uuid, Path, description = "Call id")),
    request_body = ProposalIn,
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 201, description = "Created; Location names it", body = ProposalOut),
        (status = 400, description = "Malformed JSON, id or query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Call missing or not visible", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "submissions_closed or duplicate_proposal", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Validation failed or not_eligible", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/grant-calls/{id}/proposals")]
pub async fn create_grant_proposal(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<ProposalIn>,
) -> Result<HttpResponse, ApiError> {
    user.require(ADMINS)?;
    let today = Utc::now()
        .with_timezone(&state.settings.time_zone)
        .date_naive();
    let m = grants::submit_proposal(
        &state.db,
        &user,
        &actor(&user, &req),
        today,
        *id,
        body.into_inner(),
    )
    .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/grant-proposals/{}", m.id)))
        .json(ProposalOut::from(m)))
}

/// List the proposals of a call the caller runs.
#[utoipa::path(
    tag = "social-programs",
    operation_id = "list_grant_proposals",
    params(("id" = Uuid, Path, description = "Call id"), PageParams),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "One page, oldest first", body = Page<ProposalOut>),
        (status = 400, description = "Malformed JSON, id or query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/grant-calls/{id}/proposals")]
pub async fn list_grant_proposals(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    user.require(ADMINS)?;
    let (p, n) = page.resolve()?;
    let r = grants::list_proposals(&state.db, &user.scope(), *id, p, n).await?;
    Ok(HttpResponse::Ok().json(page_map(r, ProposalOut::from)))
}

/// Rank a call's proposals by exact mean score.
///
/// Highest mean first (compared as exact fractions); equal means share a rank; proposals without
/// scores come last, unranked.
#[utoipa::path(
    tag = "social-programs",
    operation_id = "get_grant_call_ranking",
    params(("id" = Uuid, Path, description = "Call id"), PageParams),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "One page of the ranking", body = Page<RankingItemOut>),
        (status = 400, description = "Malformed JSON, id or query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/grant-calls/{id}/ranking")]
pub async fn get_grant_call_ranking(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    user.require(ADMINS)?;
    let (p, n) = page.resolve()?;
    let r = grants::ranking(&state.db, &user.scope(), *id, p, n).await?;
    Ok(HttpResponse::Ok().json(r))
}

/// Get a proposal (admins of the call's owner or of the proposer).
#[utoipa::path(
    tag = "social-programs",
    operation_id = "get_grant_proposal",
    params(("id" = Uuid, Path, description = "Proposal id")),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "The proposal", body = ProposalOut),
        (status = 400, description = "Malformed JSON, id or query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/grant-proposals/{id}")]
pub async fn get_grant_proposal(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    user.require(ADMINS)?;
    let (m, _) = grants::get_proposal(&state.db, &user.scope(), *id).await?;
    Ok(HttpResponse::Ok().json(ProposalOut::from(m)))
}

/// List proposals of organizations in the caller's scope (the proposer's view).
#[utoipa::path(
    tag = "social-programs",
    operation_id = "list_own_grant_proposals",
    params(ProposalFilter, PageParams),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "One page, newest first", body = Page<ProposalOut>),
        (status = 400, description = "Malformed JSON, id or query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/grant-proposals")]
pub async fn list_own_grant_proposals(
    state: web::Data<AppState>,
    user: AuthUser,
    filter: web::Query<ProposalFilter>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    user.require(ADMINS)?;
    let (p, n) = page.resolve()?;
    let r = grants::list_own_proposals(&state.db, &user.scope(), &filter, p, n).await?;
    Ok(HttpResponse::Ok().json(page_map(r, ProposalOut::from)))
}

/// Assign a reviewer to a proposal.
///
/// A reviewer affiliated with the proposing organization, its subtree or an organization above it
/// is refused (422 `conflict_of_interest`).
#[utoipa::path(
    tag = "social-programs",
    operation_id = "create_grant_review",
    params(("id" = Uuid, Path, description = "Proposal id")),
    request_body = AssignReviewerIn,
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 201, description = "Assigned; Location names the review", body = ReviewOut),
        (status = 400, description = "Malformed JSON, id or query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "invalid_state or already_assigned", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "reviewer_not_found or conflict_of_interest", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/grant-proposals/{id}/reviewers")]
pub async fn create_grant_review(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<AssignReviewerIn>,
) -> Result<HttpResponse, ApiError> {
    user.require(ADMINS)?;
    let m = grants::assign_reviewer(&state.db, &user, &actor(&user, &req), *id, body.reviewer_id)
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/grant-reviews/{}", m.id)))
        .json(ReviewOut::from(m)))
}

/// List the reviews of a proposal of a call the caller runs.
#[utoipa::path(
    tag = "social-programs",
    operation_id = "list_grant_reviews",
    params(("id" = Uuid, Path, description = "Proposal id"), PageParams),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "One page, in assignment order", body = Page<ReviewOut>),
        (status = 400, description = "Malformed JSON, id or query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/grant-proposals/{id}/reviews")]
pub async fn list_grant_reviews(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    user.require(ADMINS)?;
    let (p, n) = page.resolve()?;
    let r = grants::list_reviews(&state.db, &user.scope(), *id, p, n).await?;
    Ok(HttpResponse::Ok().json(page_map(r, ReviewOut::from)))
}

/// Award an amount to a proposal.
///
/// 1 ..= the requested amount, while the call is reviewing; the call's awarded total never exceeds
/// its budget, also under concurrent awards (422 `budget_exceeded`).
#[utoipa::path(
    tag = "social-programs",
    operation_id = "award_grant_proposal",
    params(("id" = Uuid, Path, description = "Proposal id")),
    request_body = AwardIn,
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "Awarded", body = ProposalOut),
        (status = 400, description = "Malformed JSON, id or query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "invalid_state (call not reviewing or proposal decided)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "amount_range or budget_exceeded", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/grant-proposals/{id}/award")]
pub async fn award_grant_proposal(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<AwardIn>,
) -> Result<HttpResponse, ApiError> {
    user.require(ADMINS)?;
    let m = grants::award(
        &state.db,
        &user.scope(),
        &actor(&user, &req),
        *id,
        body.amount_fen,
    )
    .await?;
    Ok(HttpResponse::Ok().json(ProposalOut::from(m)))
}

/// Decline a proposal.
#[utoipa::path(
    tag = "social-programs",
    operation_id = "decline_grant_proposal",
    params(("id" = Uuid, Path, description = "Proposal id")),
    request_body = DeclineIn,
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "Declined", body = ProposalOut),
        (status = 400, description = "Malformed JSON, id or query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "invalid_state", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Reason too long", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/grant-proposals/{id}/decline")]
pub async fn decline_grant_proposal(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<DeclineIn>,
) -> Result<HttpResponse, ApiError> {
    user.require(ADMINS)?;
    let m = grants::decline(
        &state.db,
        &user.scope(),
        &actor(&user, &req),
        *id,
        &body.reason,
    )
    .await?;
    Ok(HttpResponse::Ok().json(ProposalOut::from(m)))
}

/// List the caller's review assignments (reviewers).
#[utoipa::path(
    tag = "social-programs",
    operation_id = "list_own_grant_reviews",
    params(PageParams),
    security(("bearer_auth" = ["reviewer"])),
    responses(
        (status = 200, description = "One page, newest first", body = Page<MyReviewOut>),
        (status = 400, description = "Malformed JSON, id or query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/grant-reviews/me")]
pub async fn list_own_grant_reviews(
    state: web::Data<AppState>,
    user: AuthUser,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    user.require(&[Role::Reviewer])?;
    let (p, n) = page.resolve()?;
    let r = grants::my_reviews(&state.db, user.account_id, p, n).await?;
    Ok(HttpResponse::Ok().json(page_map(r, |(r, p)| MyReviewOut {
        review: r.into(),
        proposal: p.into(),
    })))
}

/// Score an assigned proposal (reviewers; integer 0–100).
///
/// Only the assigned reviewer; others get 404. Re-scoring replaces the score while the proposal is
/// undecided.
#[utoipa::path(
    tag = "social-programs",
    operation_id = "update_grant_review",
    params(("id" = Uuid, Path, description = "Review id")),
    request_body = ScoreIn,
    security(("bearer_auth" = ["reviewer"])),
    responses(
        (status = 200, description = "Scored", body = ReviewOut),
        (status = 400, description = "Malformed JSON, id or query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or not the caller's assignment", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "invalid_state", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "score_range", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/grant-reviews/{id}")]
pub async fn update_grant_review(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<ScoreIn>,
) -> Result<HttpResponse, ApiError> {
    user.require(&[Role::Reviewer])?;
    let m = grants::score(
        &state.db,
        user.account_id,
        &actor(&user, &req),
        *id,
        body.into_inner(),
    )
    .await?;
    Ok(HttpResponse::Ok().json(ReviewOut::from(m)))
}

/// Register a youth social worker (青少年事务社工).
///
/// Mobile is masked in every response and never logged; certificate numbers are unique
/// (409 `duplicate_certificate`).
#[utoipa::path(
    tag = "social-programs",
    operation_id = "create_youth_social_worker",
    request_body = SocialWorkerIn,
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 201, description = "Created; Location names it", body = SocialWorkerOut),
        (status = 400, description = "Malformed JSON, id or query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "duplicate_certificate", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Validation failed (mobile_format, certificate_format, organization_not_found …)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/youth-social-workers")]
pub async fn create_youth_social_worker(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    body: web::Json<SocialWorkerIn>,
) -> Result<HttpResponse, ApiError> {
    user.require(ADMINS)?;
    let m = workers::create(
        &state.db,
        &user.scope(),
        &actor(&user, &req),
        body.into_inner(),
    )
    .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/youth-social-workers/{}", m.id)))
        .json(SocialWorkerOut::from(m)))
}

/// List social workers of the caller's scope, by name.
#[utoipa::path(
    tag = "social-programs",
    operation_id = "list_youth_social_workers",
    params(SocialWorkerFilter, PageParams),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "One page", body = Page<SocialWorkerOut>),
        (status = 400, description = "Malformed JSON, id or query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/youth-social-workers")]
pub async fn list_youth_social_workers(
    state: web::Data<AppState>,
    user: AuthUser,
    filter: web::Query<SocialWorkerFilter>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    user.require(ADMINS)?;
    let (p, n) = page.resolve()?;
    let r = workers::list(&state.db, &user.scope(), &filter, p, n).await?;
    Ok(HttpResponse::Ok().json(page_map(r, SocialWorkerOut::from)))
}

/// Get a social worker of the caller's scope (mobile masked).
#[utoipa::path(
    tag = "social-programs",
    operation_id = "get_youth_social_worker",
    params(("id" = Uuid, Path, description = "Social worker id")),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "The social worker", body = SocialWorkerOut),
        (status = 400, description = "Malformed JSON, id or query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/youth-social-workers/{id}")]
pub async fn get_youth_social_worker(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    user.require(ADMINS)?;
    let m = workers::get(&state.db, &user.scope(), *id).await?;
    Ok(HttpResponse::Ok().json(SocialWorkerOut::from(m)))
}

/// Update a social worker; `version` must match.
#[utoipa::path(
    tag = "social-programs",
    operation_id = "update_youth_social_worker",
    params(("id" = Uuid, Path, description = "Social worker id")),
    request_body = SocialWorkerPatch,
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "Updated", body = SocialWorkerOut),
        (status = 400, description = "Malformed JSON, id or query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "duplicate_certificate", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Version mismatch", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Validation failed", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/youth-social-workers/{id}")]
pub async fn update_youth_social_worker(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<SocialWorkerPatch>,
) -> Result<HttpResponse, ApiError> {
    user.require(ADMINS)?;
    let m = workers::update(
        &state.db,
        &user.scope(),
        &actor(&user, &req),
        *id,
        body.into_inner(),
    )
    .await?;
    Ok(HttpResponse::Ok().json(SocialWorkerOut::from(m)))
}

/// Assign a social worker to a youth home (青年之家).
///
/// Both in the caller's scope; days inclusive; an assignment of the same worker to the same home
/// sharing a day is refused (409 `assignment_overlap`).
#[utoipa::path(
    tag = "social-programs",
    operation_id = "create_social_worker_assignment",
    request_body = AssignmentIn,
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 201, description = "Created; Location names it", body = AssignmentOut),
        (status = 400, description = "Malformed JSON, id or query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "assignment_overlap", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "worker_not_found, youth_home_not_found or period_order", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/social-worker-assignments")]
pub async fn create_social_worker_assignment(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    body: web::Json<AssignmentIn>,
) -> Result<HttpResponse, ApiError> {
    user.require(ADMINS)?;
    let m = workers::create_assignment(
        &state.db,
        &user.scope(),
        &actor(&user, &req),
        user.account_id,
        body.into_inner(),
    )
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            "Location",
            format!("/api/v1/social-worker-assignments/{}", m.id),
        ))
        .json(AssignmentOut::from(m)))
}

/// List assignments of the caller's scope, by first day.
#[utoipa::path(
    tag = "social-programs",
    operation_id = "list_social_worker_assignments",
    params(AssignmentFilter, PageParams),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "One page", body = Page<AssignmentOut>),
        (status = 400, description = "Malformed JSON, id or query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/social-worker-assignments")]
pub async fn list_social_worker_assignments(
    state: web::Data<AppState>,
    user: AuthUser,
    filter: web::Query<AssignmentFilter>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    user.require(ADMINS)?;
    let (p, n) = page.resolve()?;
    let r = workers::list_assignments(&state.db, &user.scope(), &filter, p, n).await?;
    Ok(HttpResponse::Ok().json(page_map(r, AssignmentOut::from)))
}

/// Change an assignment's last day; `version` must match.
#[utoipa::path(
    tag = "social-programs",
    operation_id = "update_social_worker_assignment",
    params(("id" = Uuid, Path, description = "Assignment id")),
    request_body = AssignmentPatch,
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "Updated", body = AssignmentOut),
        (status = 400, description = "Malformed JSON, id or query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "assignment_overlap", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Version mismatch", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "period_order", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/social-worker-assignments/{id}")]
pub async fn update_social_worker_assignment(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<AssignmentPatch>,
) -> Result<HttpResponse, ApiError> {
    user.require(ADMINS)?;
    let m = workers::update_assignment(
        &state.db,
        &user.scope(),
        &actor(&user, &req),
        *id,
        body.into_inner(),
    )
    .await?;
    Ok(HttpResponse::Ok().json(AssignmentOut::from(m)))
}

/// Delete an assignment made in error.
#[utoipa::path(
    tag = "social-programs",
    operation_id = "delete_social_worker_assignment",
    params(("id" = Uuid, Path, description = "Assignment id")),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "Malformed JSON, id or query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/social-worker-assignments/{id}")]
pub async fn delete_social_worker_assignment(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    user.require(ADMINS)?;
    workers::delete_assignment(&state.db, &user.scope(), &actor(&user, &req), *id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// List youth homes of the caller's scope without a social worker on a day.
///
/// Active organizations of kind `youth_home` with no assignment covering `date` (default: today in
/// the platform time zone), by name.
#[utoipa::path(
    tag = "social-programs",
    operation_id = "list_youth_homes_without_social_worker",
    params(ReportQuery, PageParams),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "One page", body = Page<UncoveredYouthHomeOut>),
        (status = 400, description = "Malformed JSON, id or query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/youth-homes/without-social-worker")]
pub async fn list_youth_homes_without_social_worker(
    state: web::Data<AppState>,
    user: AuthUser,
    q: web::Query<ReportQuery>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    user.require(ADMINS)?;
    let (p, n) = page.resolve()?;
    let day = q.date.unwrap_or_else(|| {
        Utc::now()
            .with_timezone(&state.settings.time_zone)
            .date_naive()
    });
    let r = workers::uncovered_youth_homes(&state.db, &user.scope(), day, p, n).await?;
    Ok(
        HttpResponse::Ok().json(page_map(r, |o| UncoveredYouthHomeOut {
            id: o.id,
            name: o.name,
            region_code: o.region_code,
            parent_id: o.parent_id,
        })),
    )
}
