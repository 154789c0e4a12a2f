//! Projects, shifts and sign-ups: scoped queries, the review workflow, capacity-safe sign-ups
//! and the waitlist (DESIGN.md §3 "Projects, shifts, attendance"; issue 3).
//!
//! Capacity is kept by `shifts.approved_count` (places taken = approved + attended sign-ups),
//! changed only by conditional updates inside the writing transaction:
//! `UPDATE shifts SET approved_count = approved_count + 1 WHERE id = ? AND approved_count <
//! capacity`. On PostgreSQL the row lock serialises concurrent updates and the condition is
//! re-checked on the newest row version; SQLite has a single writer. So capacity is never
//! exceeded, however many volunteers sign up at once.
//!
//! On SQLite the pool has one connection: inside a transaction every query goes through the
//! transaction (never `state.db`), or the request would wait for itself.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::enums::{CheckInPolicy, ProjectStatus, SignupStatus, VolunteerStatus};
use entity::{organization, project, shift, signup, volunteer};
use sea_orm::sea_query::{Expr, ExprTrait as _, Query};
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, ConnectionTrait, EntityTrait as _,
    PaginatorTrait as _, QueryFilter as _, QueryOrder as _, QuerySelect as _,
    TransactionSession as _, TransactionTrait,
};
use uuid::Uuid;

use super::dto::{
    Overflow, ProjectFilter, ProjectIn, ProjectPatch, PublicProjectFilter, ShiftIn, ShiftPatch,
    SignupFilter,
};
use super::rules::{self, ACTIVE_SIGNUP, ProjectAction};
use crate::audit::{self, Actor, Entry};
use crate::auth::{AuthUser, Scope};
use crate::error::{ApiError, FieldIssue};
use crate::organizations::service::{
    check_region, in_scope, is_in_subtree, region_condition, subtree_ids,
};
use crate::pagination::Page;
use crate::state::AppState;
use crate::volunteers::domain::{age_on, clean_text};
use crate::volunteers::service::{clean_items, is_self};

/// Largest number of candidate rows the `near` filter ranks in memory after the bounding-box
/// prefilter.
const NEAR_CANDIDATES: u64 = 5000;

// ---------------------------------------------------------------------------
// Validation helpers
// ---------------------------------------------------------------------------

fn text(issues: &mut Vec<FieldIssue>, field: &str, raw: &str, max: usize) -> String {
    match clean_text(raw, max) {
        Ok(v) => v,
        Err(e) => {
            issues.push(FieldIssue::new(field, e.code, e.message));
            String::new()
        }
    }
}

/// Free text that may be empty and may contain line breaks and tabs (descriptions, addresses):
/// trimmed, at most `max` characters, no other control characters.
fn long_text(issues: &mut Vec<FieldIssue>, field: &str, raw: &str, max: usize) -> String {
    let v = raw.trim().to_owned();
    if v.chars().count() > max {
        issues.push(FieldIssue::new(
            field,
            "text_too_long",
            format!("at most {max} characters"),
        ));
    } else if v
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        issues.push(FieldIssue::new(
            field,
            "text_characters",
            "control characters are not allowed",
        ));
    }
    v
}

fn coordinate(issues: &mut Vec<FieldIssue>, field: &str, deg: f64, limit: f64) -> Option<i64> {
    let v = rules::micro_degrees(deg, limit);
    if v.is_none() {
        issues.push(FieldIssue::new(
            field,
            "coordinate_range",
            format!("must be between -{limit} and {limit} degrees"),
        ));
    }
    v
}

/// The project fields after validation, shared by create and update.
struct ProjectFields {
    title: String,
    service_category: String,
    description: String,
    region_code: String,
    address: String,
    latitude_micro: Option<i64>,
    longitude_micro: Option<i64>,
    start_date: chrono::NaiveDate,
    end_date: chrono::NaiveDate,
    min_age: i32,
    high_risk: bool,
    check_in_policy: CheckInPolicy,
    geofence_radius_m: Option<i32>,
    required_qualifications: Vec<String>,
    allow_probationary: bool,
    signup_requires_approval: bool,
}

/// Cross-field rules: dates, coordinates in pairs, the minimum age, the geofence.
fn check_fields(issues: &mut Vec<FieldIssue>, f: &mut ProjectFields, platform_min_age: u32) {
    // Dates a project can plausibly have: the platform's era, and no project lasts past 2100.
    let (first, last) = (
        chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default(),
        chrono::NaiveDate::from_ymd_opt(2100, 12, 31).unwrap_or_default(),
    );
    for (field, date) in [("start_date", f.start_date), ("end_date", f.end_date)] {
        if !(first..=last).contains(&date) {
            issues.push(FieldIssue::new(
                field,
                "date_out_of_range",
                "dates must lie between 2000-01-01 and 2100-12-31",
            ));
        }
    }
    if f.end_date < f.start_date {
        issues.push(FieldIssue::new(
            "end_date",
            "end_before_start",
            "the last day is not before the first day",
        ));
    }
    if f.latitude_micro.is_some() != f.longitude_micro.is_some() {
        issues.push(FieldIssue::new(
            "latitude",
            "coordinates_incomplete",
            "give both latitude and longitude, or neither",
        ));
    }
    if u32::try_from(f.min_age).unwrap_or(0) < platform_min_age || f.min_age > 100 {
        issues.push(FieldIssue::new(
            "min_age",
            "min_age_range",
            format!("the minimum age is {platform_min_age} (platform minimum) to 100"),
        ));
    }
    match f.check_in_policy {
        CheckInPolicy::Code => f.geofence_radius_m = None,
        CheckInPolicy::CodeAndGeofence => {
            match f.geofence_radius_m {
                None => issues.push(FieldIssue::new(
                    "geofence_radius_m",
                    "required",
                    "a geofence needs a radius of 50 to 5000 metres",
                )),
                Some(r) if !(50..=5000).contains(&r) => issues.push(FieldIssue::new(
                    "geofence_radius_m",
                    "geofence_radius_range",
                    "the radius is 50 to 5000 metres",
                )),
                Some(_) => {}
            }
            if f.latitude_micro.is_none() {
                issues.push(FieldIssue::new(
                    "latitude",
                    "required",
                    "a geofence needs the project's coordinates",
                ));
            }
        }
    }
}

fn radius(r: Option<u32>) -> Option<i32> {
    r.map(|r| i32::try_from(r).unwrap_or(i32::MAX))
}

async fn region(
    db: &impl ConnectionTrait,
    issues: &mut Vec<FieldIssue>,
    code: &str,
) -> Result<String, ApiError> {
    match check_region(db, "region_code", code).await {
        Ok(c) => Ok(c),
        Err(ApiError::Validation(mut v)) => {
            issues.append(&mut v);
            Ok(String::new())
        }
        Err(e) => Err(e),
    }
}

fn qualifications_json(items: &[String]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".into())
}

fn not_editable(status: ProjectStatus) -> ApiError {
    ApiError::Conflict {
        code: "project_not_editable",
        detail: format!("a {status:?} project cannot be changed this way").to_lowercase(),
    }
}

// ---------------------------------------------------------------------------
// Projects
// ---------------------------------------------------------------------------

/// The project if it exists and the scope covers its organization; 404 otherwise.
///
/// # Errors
/// 404 `not_found`, database errors.
pub async fn get_scoped(
    db: &impl ConnectionTrait,
    scope: &Scope,
    id: Uuid,
) -> Result<project::Model, ApiError> {
    let p = project::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("project"))?;
    if !in_scope(db, scope, p.organization_id).await? {
        return Err(ApiError::NotFound("project"));
    }
    Ok(p)
}

/// Creates a `draft` project for an organization in scope. Audit action `create`.
///
/// # Errors
/// 422 validation (all field issues at once), 404-like `organization_not_found` on
/// `organization_id` outside scope, database errors.
pub async fn create(
    state: &AppState,
    scope: &Scope,
    actor: &Actor,
    input: ProjectIn,
) -> Result<project::Model, ApiError> {
    let txn = state.db.begin().await?;
    let mut issues = Vec::new();
    if !in_scope(&txn, scope, input.organization_id).await?
        || organization::Entity::find_by_id(input.organization_id)
            .one(&txn)
            .await?
            .is_none()
    {
        issues.push(FieldIssue::new(
            "organization_id",
            "organization_not_found",
            "no such organization in your scope",
        ));
    }
    let latitude_micro = input
        .latitude
        .and_then(|v| coordinate(&mut issues, "latitude", v, 90.0));
    let longitude_micro = input
        .longitude
        .and_then(|v| coordinate(&mut issues, "longitude", v, 180.0));
    let mut f = ProjectFields {
        title: text(&mut issues, "title", &input.title, 200),
        service_category: text(&mut issues, "service_category", &input.service_category, 32),
        description: long_text(&mut issues, "description", &input.description, 5000),
        region_code: region(&txn, &mut issues, &input.region_code).await?,
        address: long_text(&mut issues, "address", &input.address, 200),
        latitude_micro,
        longitude_micro,
        start_date: input.start_date,
        end_date: input.end_date,
        min_age: i32::from(input.min_age),
        high_risk: input.high_risk,
        check_in_policy: input.check_in_policy,
        geofence_radius_m: radius(input.geofence_radius_m),
        required_qualifications: clean_items(
            &mut issues,
            "required_qualifications",
            &input.required_qualifications,
        ),
        allow_probationary: input.allow_probationary,
        signup_requires_approval: input.signup_requires_approval,
    };
    check_fields(&mut issues, &mut f, state.settings.min_volunteer_age);
    if !issues.is_empty() {
        return Err(ApiError::Validation(issues));
    }
    let now = Utc::now();
    let id = Uuid::now_v7();
    let model = project::ActiveModel {
        id: Set(id),
        organization_id: Set(input.organization_id),
        title: Set(f.title),
        service_category: Set(f.service_category),
        description: Set(f.description),
        region_code: Set(f.region_code),
        address: Set(f.address),
        latitude_micro: Set(f.latitude_micro),
        longitude_micro: Set(f.longitude_micro),
        start_date: Set(f.start_date),
        end_date: Set(f.end_date),
        min_age: Set(f.min_age),
        high_risk: Set(f.high_risk),
        check_in_policy: Set(f.check_in_policy),
        geofence_radius_m: Set(f.geofence_radius_m),
        required_qualifications: Set(qualifications_json(&f.required_qualifications)),
        allow_probationary: Set(f.allow_probationary),
        signup_requires_approval: Set(f.signup_requires_approval),
        status: Set(ProjectStatus::Draft),
        review_note: Set(None),
        submitted_at: Set(None),
        reviewed_at: Set(None),
        reviewed_by: Set(None),
        published_at: Set(None),
        closed_at: Set(None),
        cancelled_at: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        actor,
        Entry {
            action: "create",
            entity_type: "project",
            entity_id: id,
            fields: [
                "organization_id",
                "title",
                "service_category",
                "description",
                "region_code",
                "address",
                "coordinates",
                "dates",
                "min_age",
                "high_risk",
                "check_in_policy",
                "required_qualifications",
            ]
            .map(String::from)
            .to_vec(),
            reason: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

/// Lists projects in scope, newest first.
///
/// # Errors
/// Database errors.
pub async fn list(
    db: &impl ConnectionTrait,
    scope: &Scope,
    filter: &ProjectFilter,
    page: u64,
    per_page: u64,
) -> Result<Page<project::Model>, ApiError> {
    let mut q = project::Entity::find();
    match scope {
        Scope::All => {}
        Scope::Subtree(root) => {
            q = q.filter(project::Column::OrganizationId.in_subquery(subtree_ids(*root)));
        }
        Scope::Nothing => {
            return Ok(Page {
                items: vec![],
                page,
                per_page,
                total: 0,
            });
        }
    }
    if let Some(root) = filter.subtree_of {
        q = q.filter(project::Column::OrganizationId.in_subquery(subtree_ids(root)));
    }
    if let Some(org) = filter.organization_id {
        q = q.filter(project::Column::OrganizationId.eq(org));
    }
    if let Some(s) = filter.status {
        q = q.filter(project::Column::Status.eq(s));
    }
    crate::pagination::fetch(
        q.order_by_desc(project::Column::CreatedAt)
            .order_by_desc(project::Column::Id),
        db,
        page,
        per_page,
    )
    .await
}

/// Applies a patch. Drafts accept every field; published projects only `description` and
/// `address` (others: 422 `field_not_editable`); other statuses refuse with 409
/// `project_not_editable`. Audit action `update` with the changed field names.
///
/// # Errors
/// 404, 409 `project_not_editable`, 412 `version_mismatch`, 422 validation.
pub async fn update(
    state: &AppState,
    scope: &Scope,
    actor: &Actor,
    id: Uuid,
    patch: ProjectPatch,
) -> Result<project::Model, ApiError> {
    let txn = state.db.begin().await?;
    let current = get_scoped(&txn, scope, id).await?;
    if current.version != patch.version {
        return Err(ApiError::VersionMismatch {
            current: current.version,
        });
    }
    let mut issues = Vec::new();
    let mut changed: Vec<&str> = Vec::new();
    match current.status {
        ProjectStatus::Draft => {}
        ProjectStatus::Published => {
            let restricted = [
                ("title", patch.title.is_some()),
                ("service_category", patch.service_category.is_some()),
                ("region_code", patch.region_code.is_some()),
                ("latitude", patch.latitude.is_some()),
                ("longitude", patch.longitude.is_some()),
                ("start_date", patch.start_date.is_some()),
                ("end_date", patch.end_date.is_some()),
                ("min_age", patch.min_age.is_some()),
                ("high_risk", patch.high_risk.is_some()),
                ("check_in_policy", patch.check_in_policy.is_some()),
                ("geofence_radius_m", patch.geofence_radius_m.is_some()),
                (
                    "required_qualifications",
                    patch.required_qualifications.is_some(),
                ),
                ("allow_probationary", patch.allow_probationary.is_some()),
                (
                    "signup_requires_approval",
                    patch.signup_requires_approval.is_some(),
                ),
            ];
            for (field, present) in restricted {
                if present {
                    issues.push(FieldIssue::new(
                        field,
                        "field_not_editable",
                        "a published project allows editing description and address only",
                    ));
                }
            }
            if !issues.is_empty() {
                return Err(ApiError::Validation(issues));
            }
        }
        other => return Err(not_editable(other)),
    }
    let mut f = ProjectFields {
        title: current.title.clone(),
        service_category: current.service_category.clone(),
        description: current.description.clone(),
        region_code: current.region_code.clone(),
        address: current.address.clone(),
        latitude_micro: current.latitude_micro,
        longitude_micro: current.longitude_micro,
        start_date: current.start_date,
        end_date: current.end_date,
        min_age: current.min_age,
        high_risk: current.high_risk,
        check_in_policy: current.check_in_policy,
        geofence_radius_m: current.geofence_radius_m,
        required_qualifications: serde_json::from_str(&current.required_qualifications)
            .unwrap_or_default(),
        allow_probationary: current.allow_probationary,
        signup_requires_approval: current.signup_requires_approval,
    };
    if let Some(v) = &patch.title {
        f.title = text(&mut issues, "title", v, 200);
        changed.push("title");
    }
    if let Some(v) = &patch.service_category {
        f.service_category = text(&mut issues, "service_category", v, 32);
        changed.push("service_category");
    }
    if let Some(v) = &patch.description {
        f.description = long_text(&mut issues, "description", v, 5000);
        changed.push("description");
    }
    if let Some(v) = &patch.address {
        f.address = long_text(&mut issues, "address", v, 200);
        changed.push("address");
    }
    if let Some(v) = &patch.region_code {
        f.region_code = region(&txn, &mut issues, v).await?;
        changed.push("region_code");
    }
    if let Some(v) = patch.latitude {
        f.latitude_micro = v.and_then(|d| coordinate(&mut issues, "latitude", d, 90.0));
        changed.push("latitude");
    }
    if let Some(v) = patch.longitude {
        f.longitude_micro = v.and_then(|d| coordinate(&mut issues, "longitude", d, 180.0));
        changed.push("longitude");
    }
    if let Some(v) = patch.start_date {
        f.start_date = v;
        changed.push("start_date");
    }
    if let Some(v) = patch.end_date {
        f.end_date = v;
        changed.push("end_date");
    }
    if let Some(v) = patch.min_age {
        f.min_age = i32::from(v);
        changed.push("min_age");
    }
    if let Some(v) = patch.high_risk {
        f.high_risk = v;
        changed.push("high_risk");
    }
    if let Some(v) = patch.check_in_policy {
        f.check_in_policy = v;
        changed.push("check_in_policy");
    }
    if let Some(v) = patch.geofence_radius_m {
        f.geofence_radius_m = radius(Some(v));
        changed.push("geofence_radius_m");
    }
    if let Some(v) = &patch.required_qualifications {
        f.required_qualifications = clean_items(&mut issues, "required_qualifications", v);
        changed.push("required_qualifications");
    }
    if let Some(v) = patch.allow_probationary {
        f.allow_probationary = v;
        changed.push("allow_probationary");
    }
    if let Some(v) = patch.signup_requires_approval {
        f.signup_requires_approval = v;
        changed.push("signup_requires_approval");
    }
    check_fields(&mut issues, &mut f, state.settings.min_volunteer_age);
    if !issues.is_empty() {
        return Err(ApiError::Validation(issues));
    }
    let mut active: project::ActiveModel = current.clone().into();
    active.title = Set(f.title);
    active.service_category = Set(f.service_category);
    active.description = Set(f.description);
    active.region_code = Set(f.region_code);
    active.address = Set(f.address);
    active.latitude_micro = Set(f.latitude_micro);
    active.longitude_micro = Set(f.longitude_micro);
    active.start_date = Set(f.start_date);
    active.end_date = Set(f.end_date);
    active.min_age = Set(f.min_age);
    active.high_risk = Set(f.high_risk);
    active.check_in_policy = Set(f.check_in_policy);
    active.geofence_radius_m = Set(f.geofence_radius_m);
    active.required_qualifications = Set(qualifications_json(&f.required_qualifications));
    active.allow_probationary = Set(f.allow_probationary);
    active.signup_requires_approval = Set(f.signup_requires_approval);
    active.version = Set(current.version + 1);
    active.updated_at = Set(Utc::now());
    let updated = active.update(&txn).await?;
    audit::record(
        &txn,
        actor,
        Entry {
            action: "update",
            entity_type: "project",
            entity_id: id,
            fields: changed.into_iter().map(String::from).collect(),
            reason: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// Whether the caller may approve or reject a project of `org`: platform admins always; an
/// organization admin only when their subtree covers the organization's *parent* (review by
/// the parent organization, issue 3), so never for their own organization.
///
/// # Errors
/// 422 `cannot_review_own_project`, database errors.
async fn check_reviewer(
    db: &impl ConnectionTrait,
    scope: &Scope,
    org: Uuid,
) -> Result<(), ApiError> {
    let Scope::Subtree(root) = scope else {
        return Ok(());
    };
    let parent = organization::Entity::find_by_id(org)
        .one(db)
        .await?
        .and_then(|o| o.parent_id);
    match parent {
        Some(p) if is_in_subtree(db, *root, p).await? => Ok(()),
        _ => Err(ApiError::Rule {
            code: "cannot_review_own_project",
            detail: "a project is reviewed by an admin of its organization's parent".into(),
        }),
    }
}

/// Moves a project through its workflow (see [`rules::transition`]). Submitting needs at least
/// one shift; approving and rejecting need a reviewer ([`check_reviewer`]); rejecting needs a
/// reason; cancelling cancels every active sign-up (reason `project_cancelled`) and frees their
/// places. Audit action = the action's name.
///
/// # Errors
/// 404, 409 `invalid_transition`, 422 `project_has_no_shifts` / `cannot_review_own_project` /
/// validation of the reason.
pub async fn transition(
    db: &impl TransactionTrait,
    user: &AuthUser,
    actor: &Actor,
    id: Uuid,
    action: ProjectAction,
    reason: Option<String>,
) -> Result<project::Model, ApiError> {
    let scope = user.scope();
    let txn = db.begin().await?;
    let current = get_scoped(&txn, &scope, id).await?;
    let Some(next) = rules::transition(current.status, action) else {
        return Err(ApiError::Conflict {
            code: "invalid_transition",
            detail: format!("cannot {action:?} a project in status {:?}", current.status)
                .to_lowercase(),
        });
    };
    let now = Utc::now();
    let mut active: project::ActiveModel = current.clone().into();
    let mut fields = vec!["status".to_owned()];
    match action {
        ProjectAction::Submit => {
            let shifts = shift::Entity::find()
                .filter(shift::Column::ProjectId.eq(id))
                .count(&txn)
                .await?;
            if shifts == 0 {
                return Err(ApiError::Rule {
                    code: "project_has_no_shifts",
                    detail: "add at least one shift before submitting".into(),
                });
            }
            active.submitted_at = Set(Some(now));
        }
        ProjectAction::Approve | ProjectAction::Reject => {
            check_reviewer(&txn, &scope, current.organization_id).await?;
            active.reviewed_at = Set(Some(now));
            active.reviewed_by = Set(Some(user.account_id));
            if action == ProjectAction::Approve {
                active.published_at = Set(Some(now));
                active.review_note = Set(None);
            } else {
                let mut issues = Vec::new();
                let r = text(&mut issues, "reason", reason.as_deref().unwrap_or(""), 500);
                if !issues.is_empty() {
                    return Err(ApiError::Validation(issues));
                }
                active.review_note = Set(Some(r));
                fields.push("review_note".into());
            }
        }
        ProjectAction::Close => active.closed_at = Set(Some(now)),
        ProjectAction::Cancel => {
            active.cancelled_at = Set(Some(now));
            cancel_all_signups(&txn, id, now).await?;
        }
    }
    active.status = Set(next);
    active.version = Set(current.version + 1);
    active.updated_at = Set(now);
    let updated = active.update(&txn).await?;
    audit::record(
        &txn,
        actor,
        Entry {
            action: match action {
                ProjectAction::Submit => "submit",
                ProjectAction::Approve => "approve",
                ProjectAction::Reject => "reject",
                ProjectAction::Close => "close",
                ProjectAction::Cancel => "cancel",
            },
            entity_type: "project",
            entity_id: id,
            fields,
            reason: (action == ProjectAction::Reject)
                .then(|| updated.review_note.clone())
                .flatten(),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// Cancels every active sign-up of a project and recounts each shift's taken places (only
/// attended sign-ups keep theirs).
async fn cancel_all_signups(
    txn: &impl ConnectionTrait,
    project_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    signup::Entity::update_many()
        .col_expr(signup::Column::Status, Expr::value(SignupStatus::Cancelled))
        .col_expr(signup::Column::CancelledAt, Expr::value(now))
        .col_expr(signup::Column::UpdatedAt, Expr::value(now))
        .col_expr(signup::Column::Reason, Expr::value("project_cancelled"))
        .filter(signup::Column::ProjectId.eq(project_id))
        .filter(signup::Column::Status.is_in(ACTIVE_SIGNUP))
        .exec(txn)
        .await?;
    let shifts = shift::Entity::find()
        .filter(shift::Column::ProjectId.eq(project_id))
        .all(txn)
        .await?;
    for s in shifts {
        let attended = signup::Entity::find()
            .filter(signup::Column::ShiftId.eq(s.id))
            .filter(signup::Column::Status.eq(SignupStatus::Attended))
            .count(txn)
            .await?;
        shift::Entity::update_many()
            .col_expr(
                shift::Column::ApprovedCount,
                Expr::value(i32::try_from(attended).unwrap_or(i32::MAX)),
            )
            .filter(shift::Column::Id.eq(s.id))
            .exec(txn)
            .await?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Public listing
// ---------------------------------------------------------------------------

fn invalid_query(detail: &str) -> ApiError {
    ApiError::BadRequest {
        code: "invalid_query",
        detail: detail.into(),
    }
}

/// Organization names by id, for a page of projects.
async fn org_names(
    db: &impl ConnectionTrait,
    projects: &[project::Model],
) -> Result<HashMap<Uuid, String>, ApiError> {
    let ids: Vec<Uuid> = projects.iter().map(|p| p.organization_id).collect();
    Ok(organization::Entity::find()
        .filter(organization::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect())
}

/// One public page item: a project, its organization's name and the distance in metres.
pub type PublicItem = (project::Model, String, Option<u32>);

/// Lists published projects with the public filters. With `near`, candidates come from a
/// bounding-box prefilter on the micro-degree columns, then the exact haversine distance
/// decides and sorts (nearest first); otherwise projects are sorted by start date.
///
/// # Errors
/// 400 `invalid_query` for a malformed region, `near` or radius; database errors.
pub async fn public_list(
    db: &impl ConnectionTrait,
    filter: &PublicProjectFilter,
    now: DateTime<Utc>,
    page: u64,
    per_page: u64,
) -> Result<Page<PublicItem>, ApiError> {
    let mut q =
        project::Entity::find().filter(project::Column::Status.eq(ProjectStatus::Published));
    if let Some(c) = filter
        .service_category
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        q = q.filter(project::Column::ServiceCategory.eq(c));
    }
    if let Some(code) = &filter.region_code {
        q = q.filter(region_condition(project::Column::RegionCode, code)?);
    }
    if let Some(from) = filter.from {
        q = q.filter(project::Column::EndDate.gte(from));
    }
    if let Some(to) = filter.to {
        q = q.filter(project::Column::StartDate.lte(to));
    }
    if filter.has_free_places == Some(true) {
        q = q.filter(
            project::Column::Id.in_subquery(
                Query::select()
                    .column(shift::Column::ProjectId)
                    .from(shift::Entity)
                    .and_where(shift::Column::StartsAt.gt(now))
                    .and_where(
                        Expr::col(shift::Column::ApprovedCount)
                            .lt(Expr::col(shift::Column::Capacity)),
                    )
                    .to_owned(),
            ),
        );
    }
    let Some(near) = &filter.near else {
        if filter.radius_km.is_some() {
            return Err(invalid_query("radius_km needs near=lat,lon"));
        }
        let Page { items, total, .. } = crate::pagination::fetch(
            q.order_by_asc(project::Column::StartDate)
                .order_by_asc(project::Column::Id),
            db,
            page,
            per_page,
        )
        .await?;
        let names = org_names(db, &items).await?;
        return Ok(Page {
            items: items
                .into_iter()
                .map(|p| {
                    let name = names.get(&p.organization_id).cloned().unwrap_or_default();
                    (p, name, None)
                })
                .collect(),
            page,
            per_page,
            total,
        });
    };
    let (lat, lon) =
        rules::parse_near(near).ok_or_else(|| invalid_query("near must be lat,lon in degrees"))?;
    let radius_km = filter.radius_km.unwrap_or(10.0);
    if !(0.1..=500.0).contains(&radius_km) {
        return Err(invalid_query("radius_km must be 0.1 to 500"));
    }
    let bbox = rules::bounding_box(lat, lon, radius_km);
    q = q
        .filter(project::Column::LatitudeMicro.between(bbox.lat.0, bbox.lat.1))
        .filter(project::Column::LongitudeMicro.is_not_null());
    if let Some((lo, hi)) = bbox.lon {
        q = q.filter(project::Column::LongitudeMicro.between(lo, hi));
    }
    let candidates = q
        .order_by_asc(project::Column::Id)
        .limit(NEAR_CANDIDATES)
        .all(db)
        .await?;
    let radius_m = radius_km * 1000.0;
    let mut ranked: Vec<(f64, project::Model)> = candidates
        .into_iter()
        .filter_map(|p| {
            let d = rules::haversine_m(lat, lon, p.latitude_micro?, p.longitude_micro?);
            (d <= radius_m).then_some((d, p))
        })
        .collect();
    ranked.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.id.cmp(&b.1.id)));
    let total = ranked.len() as u64;
    let skip = usize::try_from((page - 1).saturating_mul(per_page)).unwrap_or(usize::MAX);
    let take = usize::try_from(per_page).unwrap_or(100);
    let page_items: Vec<(f64, project::Model)> = ranked.into_iter().skip(skip).take(take).collect();
    let models: Vec<project::Model> = page_items.iter().map(|(_, p)| p.clone()).collect();
    let names = org_names(db, &models).await?;
    Ok(Page {
        items: page_items
            .into_iter()
            .map(|(d, p)| {
                let name = names.get(&p.organization_id).cloned().unwrap_or_default();
                #[expect(
                    clippy::cast_possible_truncation,
                    clippy::cast_sign_loss,
                    reason = "0 <= d <= 500 km in metres"
                )]
                let metres = d.round() as u32;
                (p, name, Some(metres))
            })
            .collect(),
        page,
        per_page,
        total,
    })
}

/// A published project with its organization's name and its shifts (earliest first).
///
/// # Errors
/// 404 when missing or not published.
pub async fn public_get(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<(project::Model, String, Vec<shift::Model>), ApiError> {
    let p = project::Entity::find_by_id(id)
        .filter(project::Column::Status.eq(ProjectStatus::Published))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("project"))?;
    let name = organization::Entity::find_by_id(p.organization_id)
        .one(db)
        .await?
        .map(|o| o.name)
        .unwrap_or_default();
    let shifts = shifts_of(db, id).await?;
    Ok((p, name, shifts))
}

async fn shifts_of(
    db: &impl ConnectionTrait,
    project_id: Uuid,
) -> Result<Vec<shift::Model>, ApiError> {
    Ok(shift::Entity::find()
        .filter(shift::Column::ProjectId.eq(project_id))
        .order_by_asc(shift::Column::StartsAt)
        .order_by_asc(shift::Column::Id)
        .all(db)
        .await?)
}

// ---------------------------------------------------------------------------
// Shifts
// ---------------------------------------------------------------------------

/// The shift and its project if the scope covers the project's organization; 404 otherwise.
///
/// # Errors
/// 404 `not_found`, database errors.
pub async fn shift_scoped(
    db: &impl ConnectionTrait,
    scope: &Scope,
    id: Uuid,
) -> Result<(shift::Model, project::Model), ApiError> {
    let s = shift::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("shift"))?;
    let p = get_scoped(db, scope, s.project_id)
        .await
        .map_err(|_| ApiError::NotFound("shift"))?;
    Ok((s, p))
}

fn shift_title(issues: &mut Vec<FieldIssue>, raw: Option<&str>) -> Option<String> {
    raw.filter(|t| !t.trim().is_empty())
        .map(|t| text(issues, "title", t, 200))
}

fn capacity(issues: &mut Vec<FieldIssue>, c: u32) -> i32 {
    if !(1..=10_000).contains(&c) {
        issues.push(FieldIssue::new(
            "capacity",
            "capacity_range",
            "capacity is 1 to 10000",
        ));
    }
    i32::try_from(c).unwrap_or(0)
}

/// Adds a shift to a draft or published project in scope. Audit action `create`.
///
/// # Errors
/// 404, 409 `project_not_editable`, 422 validation (`end_before_start`, `shift_too_long`,
/// `shift_outside_project_dates`, `capacity_range`).
pub async fn create_shift(
    state: &AppState,
    scope: &Scope,
    actor: &Actor,
    project_id: Uuid,
    input: ShiftIn,
) -> Result<shift::Model, ApiError> {
    let txn = state.db.begin().await?;
    let p = get_scoped(&txn, scope, project_id).await?;
    if !matches!(p.status, ProjectStatus::Draft | ProjectStatus::Published) {
        return Err(not_editable(p.status));
    }
    let starts_at = input.starts_at.with_timezone(&Utc);
    let ends_at = input.ends_at.with_timezone(&Utc);
    let mut issues = Vec::new();
    if let Err(mut v) = rules::check_shift_times(
        starts_at,
        ends_at,
        p.start_date,
        p.end_date,
        state.settings.time_zone,
    ) {
        issues.append(&mut v);
    }
    let cap = capacity(&mut issues, input.capacity);
    let title = shift_title(&mut issues, input.title.as_deref());
    if !issues.is_empty() {
        return Err(ApiError::Validation(issues));
    }
    let now = Utc::now();
    let id = Uuid::now_v7();
    let model = shift::ActiveModel {
        id: Set(id),
        project_id: Set(project_id),
        title: Set(title),
        starts_at: Set(starts_at),
        ends_at: Set(ends_at),
        capacity: Set(cap),
        approved_count: Set(0),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        actor,
        Entry {
            action: "create",
            entity_type: "shift",
            entity_id: id,
            fields: ["project_id", "title", "starts_at", "ends_at", "capacity"]
                .map(String::from)
                .to_vec(),
            reason: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

/// The shifts of a project in scope, earliest first.
///
/// # Errors
/// 404, database errors.
pub async fn list_shifts(
    db: &impl ConnectionTrait,
    scope: &Scope,
    project_id: Uuid,
) -> Result<Vec<shift::Model>, ApiError> {
    get_scoped(db, scope, project_id).await?;
    shifts_of(db, project_id).await
}

/// Takes the row lock of a shift (a no-op update), so that a capacity edit and concurrent
/// sign-ups or cancellations of the same shift are serialised on PostgreSQL (SQLite has one
/// writer anyway).
async fn lock_shift(txn: &impl ConnectionTrait, id: Uuid) -> Result<(), ApiError> {
    shift::Entity::update_many()
        .col_expr(shift::Column::Version, Expr::col(shift::Column::Version))
        .filter(shift::Column::Id.eq(id))
        .exec(txn)
        .await?;
    Ok(())
}

/// Takes one place if one is free: the conditional increment that keeps capacity.
async fn take_place(txn: &impl ConnectionTrait, shift_id: Uuid) -> Result<bool, ApiError> {
    let r = shift::Entity::update_many()
        .col_expr(
            shift::Column::ApprovedCount,
            Expr::col(shift::Column::ApprovedCount).add(1),
        )
        .filter(shift::Column::Id.eq(shift_id))
        .filter(Expr::col(shift::Column::ApprovedCount).lt(Expr::col(shift::Column::Capacity)))
        .exec(txn)
        .await?;
    Ok(r.rows_affected == 1)
}

/// Gives one place back.
async fn release_place(txn: &impl ConnectionTrait, shift_id: Uuid) -> Result<(), ApiError> {
    shift::Entity::update_many()
        .col_expr(
            shift::Column::ApprovedCount,
            Expr::col(shift::Column::ApprovedCount).sub(1),
        )
        .filter(shift::Column::Id.eq(shift_id))
        .filter(shift::Column::ApprovedCount.gt(0))
        .exec(txn)
        .await?;
    Ok(())
}

/// Sets a sign-up's status with the matching timestamp.
fn set_status(active: &mut signup::ActiveModel, status: SignupStatus, now: DateTime<Utc>) {
    active.status = Set(status);
    active.updated_at = Set(now);
    let stamp = Set(Some(now));
    match status {
        SignupStatus::Applied => active.applied_at = stamp,
        SignupStatus::Approved => active.approved_at = stamp,
        SignupStatus::Waitlisted => active.waitlisted_at = stamp,
        SignupStatus::Rejected => active.rejected_at = stamp,
        SignupStatus::Cancelled => active.cancelled_at = stamp,
        SignupStatus::Attended => active.attended_at = stamp,
        SignupStatus::NoShow => active.no_show_at = stamp,
    }
}

/// Moves waitlisted sign-ups to `approved` while places are free, first come first served
/// (`created_at`, then id), at most `limit`; returns their ids. Promotions happen only before
/// the shift starts.
async fn promote(
    txn: &impl ConnectionTrait,
    s: &shift::Model,
    limit: usize,
    now: DateTime<Utc>,
) -> Result<Vec<Uuid>, ApiError> {
    let mut promoted = Vec::new();
    if s.starts_at <= now {
        return Ok(promoted);
    }
    while promoted.len() < limit {
        let Some(next) = signup::Entity::find()
            .filter(signup::Column::ShiftId.eq(s.id))
            .filter(signup::Column::Status.eq(SignupStatus::Waitlisted))
            .order_by_asc(signup::Column::CreatedAt)
            .order_by_asc(signup::Column::Id)
            .one(txn)
            .await?
        else {
            break;
        };
        if !take_place(txn, s.id).await? {
            break;
        }
        let id = next.id;
        let mut active: signup::ActiveModel = next.into();
        set_status(&mut active, SignupStatus::Approved, now);
        active.update(txn).await?;
        promoted.push(id);
    }
    Ok(promoted)
}

/// Changes a shift's times, capacity or title (`version` must match). A time change is refused
/// with 409 `time_change_conflicts` when a volunteer with an active sign-up here would then
/// hold another active sign-up overlapping the new times; otherwise sign-ups are kept. A
/// capacity cut below the places taken is refused with 409 `capacity_below_approved`, unless
/// `overflow: waitlist`: then the latest-approved excess become `waitlisted`. A capacity rise
/// promotes from the waitlist. Audit action `update`.
///
/// # Errors
/// 404, 409 as above or `project_not_editable`, 412 `version_mismatch`, 422 validation.
pub async fn update_shift(
    state: &AppState,
    scope: &Scope,
    actor: &Actor,
    id: Uuid,
    patch: ShiftPatch,
) -> Result<(shift::Model, Vec<Uuid>, Vec<Uuid>), ApiError> {
    let txn = state.db.begin().await?;
    lock_shift(&txn, id).await?;
    let (current, p) = shift_scoped(&txn, scope, id).await?;
    if current.version != patch.version {
        return Err(ApiError::VersionMismatch {
            current: current.version,
        });
    }
    if !matches!(p.status, ProjectStatus::Draft | ProjectStatus::Published) {
        return Err(not_editable(p.status));
    }
    let mut issues = Vec::new();
    let mut changed: Vec<&str> = Vec::new();
    let starts_at = patch
        .starts_at
        .map_or(current.starts_at, |t| t.with_timezone(&Utc));
    let ends_at = patch
        .ends_at
        .map_or(current.ends_at, |t| t.with_timezone(&Utc));
    let times_changed = starts_at != current.starts_at || ends_at != current.ends_at;
    if times_changed {
        if let Err(mut v) = rules::check_shift_times(
            starts_at,
            ends_at,
            p.start_date,
            p.end_date,
            state.settings.time_zone,
        ) {
            issues.append(&mut v);
        }
        changed.extend(["starts_at", "ends_at"]);
    }
    let new_capacity = patch.capacity.map(|c| capacity(&mut issues, c));
    let title = patch
        .title
        .as_deref()
        .map(|t| shift_title(&mut issues, Some(t)));
    if !issues.is_empty() {
        return Err(ApiError::Validation(issues));
    }
    if times_changed {
        let conflicts = signup::Entity::find()
            .filter(
                signup::Column::VolunteerId.in_subquery(
                    Query::select()
                        .column(signup::Column::VolunteerId)
                        .from(signup::Entity)
                        .and_where(signup::Column::ShiftId.eq(id))
                        .and_where(signup::Column::Status.is_in(ACTIVE_SIGNUP))
                        .to_owned(),
                ),
            )
            .filter(signup::Column::Status.is_in(ACTIVE_SIGNUP))
            .filter(signup::Column::ShiftId.ne(id))
            .filter(signup::Column::ShiftId.in_subquery(overlapping_shifts(starts_at, ends_at)))
            .count(&txn)
            .await?;
        if conflicts > 0 {
            return Err(ApiError::Conflict {
                code: "time_change_conflicts",
                detail: format!(
                    "{conflicts} sign-ups of volunteers on this shift would overlap the new times"
                ),
            });
        }
    }
    let now = Utc::now();
    let mut moved = Vec::new();
    let mut cap = current.capacity;
    let mut taken = current.approved_count;
    if let Some(c) = new_capacity
        && c != current.capacity
    {
        changed.push("capacity");
        if c < taken {
            if patch.overflow != Overflow::Waitlist {
                return Err(ApiError::Conflict {
                    code: "capacity_below_approved",
                    detail: format!(
                        "{taken} places are taken; send \"overflow\": \"waitlist\" to move the latest-approved to the waitlist"
                    ),
                });
            }
            let excess = u64::try_from(taken - c).unwrap_or(0);
            let latest = signup::Entity::find()
                .filter(signup::Column::ShiftId.eq(id))
                .filter(signup::Column::Status.eq(SignupStatus::Approved))
                .order_by_desc(signup::Column::ApprovedAt)
                .order_by_desc(signup::Column::Id)
                .limit(excess)
                .all(&txn)
                .await?;
            if (latest.len() as u64) < excess {
                return Err(ApiError::Conflict {
                    code: "capacity_below_approved",
                    detail:
                        "attended sign-ups keep their places; the capacity cannot go below them"
                            .into(),
                });
            }
            for s in latest {
                moved.push(s.id);
                let mut active: signup::ActiveModel = s.into();
                set_status(&mut active, SignupStatus::Waitlisted, now);
                active.update(&txn).await?;
            }
            taken -= i32::try_from(moved.len()).unwrap_or(0);
        }
        cap = c;
    }
    let mut active: shift::ActiveModel = current.clone().into();
    active.starts_at = Set(starts_at);
    active.ends_at = Set(ends_at);
    active.capacity = Set(cap);
    active.approved_count = Set(taken);
    if let Some(t) = title {
        active.title = Set(t);
        changed.push("title");
    }
    active.version = Set(current.version + 1);
    active.updated_at = Set(now);
    let updated = active.update(&txn).await?;
    let free = usize::try_from(cap - taken).unwrap_or(0);
    let promoted = if moved.is_empty() && free > 0 {
        promote(&txn, &updated, free, now).await?
    } else {
        Vec::new()
    };
    if !moved.is_empty() || !promoted.is_empty() {
        changed.push("signups");
    }
    audit::record(
        &txn,
        actor,
        Entry {
            action: "update",
            entity_type: "shift",
            entity_id: id,
            fields: changed.into_iter().map(String::from).collect(),
            reason: None,
        },
    )
    .await?;
    let updated = shift::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("shift"))?;
    txn.commit().await?;
    Ok((updated, moved, promoted))
}

/// Deletes a shift that has no sign-ups other than cancelled or rejected ones (those are
/// removed with it). Audit action `delete`.
///
/// # Errors
/// 404, 409 `shift_has_signups` / `project_not_editable`.
pub async fn delete_shift(
    db: &impl TransactionTrait,
    scope: &Scope,
    actor: &Actor,
    id: Uuid,
) -> Result<(), ApiError> {
    let txn = db.begin().await?;
    lock_shift(&txn, id).await?;
    let (_, p) = shift_scoped(&txn, scope, id).await?;
    if !matches!(p.status, ProjectStatus::Draft | ProjectStatus::Published) {
        return Err(not_editable(p.status));
    }
    let held = signup::Entity::find()
        .filter(signup::Column::ShiftId.eq(id))
        .filter(signup::Column::Status.is_not_in([SignupStatus::Cancelled, SignupStatus::Rejected]))
        .count(&txn)
        .await?;
    if held > 0 {
        return Err(ApiError::Conflict {
            code: "shift_has_signups",
            detail: format!("{held} sign-ups are active or attended; cancel them first"),
        });
    }
    signup::Entity::delete_many()
        .filter(signup::Column::ShiftId.eq(id))
        .exec(&txn)
        .await?;
    shift::Entity::delete_by_id(id).exec(&txn).await?;
    audit::record(
        &txn,
        actor,
        Entry {
            action: "delete",
            entity_type: "shift",
            entity_id: id,
            fields: vec![],
            reason: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------------------
// Sign-ups
// ---------------------------------------------------------------------------

/// `SELECT id FROM shifts WHERE starts_at < end AND ends_at > start` (half-open intervals:
/// adjacent shifts do not overlap).
fn overlapping_shifts(
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(shift::Column::Id)
        .from(shift::Entity)
        .and_where(shift::Column::StartsAt.lt(end))
        .and_where(shift::Column::EndsAt.gt(start))
        .to_owned()
}

fn refuse(code: &'static str, detail: &str) -> ApiError {
    ApiError::Rule {
        code,
        detail: detail.into(),
    }
}

/// Signs the volunteer up for a shift. The project must be published (422 `project_not_open`,
/// or `project_closed` when closed or cancelled), the shift not started (`shift_past`), the
/// volunteer active (`volunteer_not_active`), old enough on the shift's date in the platform
/// time zone (`below_project_min_age`) and of age for high-risk projects (`minor_high_risk`); no
/// second sign-up for the shift (409 `duplicate_signup`, backed by a unique index) and no
/// active sign-up overlapping it (409 `overlapping_shift`). The sign-up becomes `applied` when
/// the project requires approval, else `approved` if a place was taken, else `waitlisted`. A
/// volunteer who cancelled may sign up again (joining the queue anew). Audit action `create`.
///
/// # Errors
/// As above, 404 for a missing shift.
pub async fn sign_up(
    state: &AppState,
    volunteer_id: Uuid,
    actor: &Actor,
    shift_id: Uuid,
) -> Result<signup::Model, ApiError> {
    let now = Utc::now();
    let txn = state.db.begin().await?;
    let s = shift::Entity::find_by_id(shift_id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("shift"))?;
    let p = project::Entity::find_by_id(s.project_id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("shift"))?;
    match p.status {
        ProjectStatus::Published => {}
        ProjectStatus::Closed | ProjectStatus::Cancelled => {
            return Err(refuse(
                "project_closed",
                "the project is closed or cancelled",
            ));
        }
        ProjectStatus::Draft | ProjectStatus::PendingReview => {
            return Err(refuse("project_not_open", "the project is not published"));
        }
    }
    if s.starts_at <= now {
        return Err(refuse("shift_past", "the shift has already started"));
    }
    // Locks the volunteer's row: one volunteer's sign-ups are serialised, so that two
    // overlapping shifts cannot both be taken at the same moment.
    volunteer::Entity::update_many()
        .col_expr(
            volunteer::Column::Version,
            Expr::col(volunteer::Column::Version),
        )
        .filter(volunteer::Column::Id.eq(volunteer_id))
        .exec(&txn)
        .await?;
    let v = volunteer::Entity::find_by_id(volunteer_id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("volunteer"))?;
    if v.status != VolunteerStatus::Active {
        return Err(refuse(
            "volunteer_not_active",
            "only active volunteers may sign up",
        ));
    }
    let day = s
        .starts_at
        .with_timezone(&state.settings.time_zone)
        .date_naive();
    rules::check_age(
        age_on(v.birth_date, day),
        u32::try_from(p.min_age).unwrap_or(0),
        p.high_risk,
    )
    .map_err(|(code, detail)| refuse(code, detail))?;
    crate::training::service::check_signup_eligibility(&txn, &p, volunteer_id, day).await?;
    let existing = signup::Entity::find()
        .filter(signup::Column::ShiftId.eq(shift_id))
        .filter(signup::Column::VolunteerId.eq(volunteer_id))
        .one(&txn)
        .await?;
    if existing
        .as_ref()
        .is_some_and(|e| e.status != SignupStatus::Cancelled)
    {
        return Err(duplicate());
    }
    let overlapping = signup::Entity::find()
        .filter(signup::Column::VolunteerId.eq(volunteer_id))
        .filter(signup::Column::Status.is_in(ACTIVE_SIGNUP))
        .filter(signup::Column::ShiftId.ne(shift_id))
        .filter(signup::Column::ShiftId.in_subquery(overlapping_shifts(s.starts_at, s.ends_at)))
        .count(&txn)
        .await?;
    if overlapping > 0 {
        return Err(ApiError::Conflict {
            code: "overlapping_shift",
            detail: "you already hold a shift whose time overlaps this one".into(),
        });
    }
    let taken = !p.signup_requires_approval && take_place(&txn, shift_id).await?;
    let status = rules::initial_status(p.signup_requires_approval, taken);
    let model = match existing {
        Some(old) => {
            let mut active: signup::ActiveModel = old.into();
            active.reason = Set(None);
            active.decided_by = Set(None);
            active.created_at = Set(now);
            set_status(&mut active, status, now);
            active.update(&txn).await?
        }
        None => {
            let mut active = signup::ActiveModel {
                id: Set(Uuid::now_v7()),
                shift_id: Set(shift_id),
                project_id: Set(p.id),
                volunteer_id: Set(volunteer_id),
                status: Set(status),
                reason: Set(None),
                decided_by: Set(None),
                applied_at: Set(None),
                approved_at: Set(None),
                waitlisted_at: Set(None),
                rejected_at: Set(None),
                cancelled_at: Set(None),
                attended_at: Set(None),
                no_show_at: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            };
            set_status(&mut active, status, now);
            active
                .insert(&txn)
                .await
                .map_err(|e| match ApiError::from(e) {
                    ApiError::Conflict { .. } => duplicate(),
                    other => other,
                })?
        }
    };
    audit::record(
        &txn,
        actor,
        Entry {
            action: "create",
            entity_type: "signup",
            entity_id: model.id,
            fields: vec!["shift_id".into(), "volunteer_id".into(), "status".into()],
            reason: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

fn duplicate() -> ApiError {
    ApiError::Conflict {
        code: "duplicate_signup",
        detail: "you have already signed up for this shift".into(),
    }
}

/// The sign-up if the caller is its volunteer or an admin whose scope covers its project, with
/// its shift; 404 otherwise.
///
/// # Errors
/// 404, database errors.
pub async fn signup_visible(
    db: &impl ConnectionTrait,
    user: &AuthUser,
    id: Uuid,
) -> Result<(signup::Model, shift::Model), ApiError> {
    let su = signup::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("signup"))?;
    if !is_self(user, su.volunteer_id) {
        get_scoped(db, &user.scope(), su.project_id)
            .await
            .map_err(|_| ApiError::NotFound("signup"))?;
    }
    let s = shift::Entity::find_by_id(su.shift_id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("signup"))?;
    Ok((su, s))
}

/// A shift's roster for admins in scope, first come first, with volunteer numbers and names.
///
/// # Errors
/// 404, database errors.
pub async fn roster(
    db: &impl ConnectionTrait,
    scope: &Scope,
    shift_id: Uuid,
    filter: &SignupFilter,
) -> Result<Vec<(signup::Model, Option<volunteer::Model>)>, ApiError> {
    shift_scoped(db, scope, shift_id).await?;
    let mut q = signup::Entity::find().filter(signup::Column::ShiftId.eq(shift_id));
    if let Some(s) = filter.status {
        q = q.filter(signup::Column::Status.eq(s));
    }
    let signups = q
        .order_by_asc(signup::Column::CreatedAt)
        .order_by_asc(signup::Column::Id)
        .all(db)
        .await?;
    let ids: Vec<Uuid> = signups.iter().map(|s| s.volunteer_id).collect();
    let mut people: HashMap<Uuid, volunteer::Model> = volunteer::Entity::find()
        .filter(volunteer::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|v| (v.id, v))
        .collect();
    Ok(signups
        .into_iter()
        .map(|s| {
            let v = people.remove(&s.volunteer_id);
            (s, v)
        })
        .collect())
}

/// One of a volunteer's own sign-ups with its shift and project title.
pub type MyItem = (signup::Model, shift::Model, String);

/// A volunteer's own sign-ups, newest first, with shift and project titles.
///
/// # Errors
/// Database errors.
pub async fn my_signups(
    db: &impl ConnectionTrait,
    volunteer_id: Uuid,
    page: u64,
    per_page: u64,
) -> Result<Page<MyItem>, ApiError> {
    let Page { items, total, .. } = crate::pagination::fetch(
        signup::Entity::find()
            .filter(signup::Column::VolunteerId.eq(volunteer_id))
            .order_by_desc(signup::Column::CreatedAt)
            .order_by_desc(signup::Column::Id),
        db,
        page,
        per_page,
    )
    .await?;
    let shift_ids: Vec<Uuid> = items.iter().map(|s| s.shift_id).collect();
    let project_ids: Vec<Uuid> = items.iter().map(|s| s.project_id).collect();
    let shifts: HashMap<Uuid, shift::Model> = shift::Entity::find()
        .filter(shift::Column::Id.is_in(shift_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let titles: HashMap<Uuid, String> = project::Entity::find()
        .filter(project::Column::Id.is_in(project_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p.title))
        .collect();
    let items = items
        .into_iter()
        .filter_map(|su| {
            let s = shifts.get(&su.shift_id)?.clone();
            let t = titles.get(&su.project_id).cloned().unwrap_or_default();
            Some((su, s, t))
        })
        .collect();
    Ok(Page {
        items,
        page,
        per_page,
        total,
    })
}

/// An admin decision on a sign-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// The volunteer or an admin cancels an applied, approved or waitlisted sign-up.
    Cancel,
    /// An admin approves an applied or waitlisted sign-up (waitlisted when the shift is full).
    Approve,
    /// An admin rejects an applied, approved or waitlisted sign-up.
    Reject,
    /// An admin marks an approved sign-up as no-show once the shift has started.
    NoShow,
}

/// Applies a decision to a sign-up in one transaction: a freed place goes to the first on the
/// waitlist (before the shift starts). Volunteers may only cancel their own sign-ups, and only
/// before the shift starts. Audit action `cancel` / `approve` / `reject` / `no_show`.
///
/// # Errors
/// 404, 403 for volunteers deciding, 409 `invalid_signup_transition` / `shift_full`, 422
/// `shift_past` / `shift_not_started`.
pub async fn decide(
    db: &impl TransactionTrait,
    user: &AuthUser,
    actor: &Actor,
    id: Uuid,
    decision: Decision,
    reason: Option<String>,
) -> Result<signup::Model, ApiError> {
    let now = Utc::now();
    let txn = db.begin().await?;
    let (su0, s0) = signup_visible(&txn, user, id).await?;
    let own = is_self(user, su0.volunteer_id);
    if own && decision != Decision::Cancel {
        return Err(ApiError::Forbidden);
    }
    lock_shift(&txn, s0.id).await?;
    let (su, s) = signup_visible(&txn, user, id).await?;
    let mut issues = Vec::new();
    let reason = reason
        .as_deref()
        .filter(|r| !r.trim().is_empty())
        .map(|r| text(&mut issues, "reason", r, 500));
    if !issues.is_empty() {
        return Err(ApiError::Validation(issues));
    }
    use SignupStatus as S;
    let allowed = match decision {
        Decision::Cancel | Decision::Reject => {
            matches!(su.status, S::Applied | S::Approved | S::Waitlisted)
        }
        Decision::Approve => matches!(su.status, S::Applied | S::Waitlisted),
        Decision::NoShow => su.status == S::Approved,
    };
    if !allowed {
        return Err(ApiError::Conflict {
            code: "invalid_signup_transition",
            detail: format!("cannot {decision:?} a sign-up in status {:?}", su.status)
                .to_lowercase(),
        });
    }
    if decision == Decision::Cancel && own && s.starts_at <= now {
        return Err(refuse(
            "shift_past",
            "the shift has started; ask an organization admin",
        ));
    }
    if decision == Decision::NoShow && s.starts_at > now {
        return Err(refuse(
            "shift_not_started",
            "a no-show is recorded once the shift has started",
        ));
    }
    let held_place = su.status == S::Approved;
    let next = match decision {
        Decision::Cancel => S::Cancelled,
        Decision::Reject => S::Rejected,
        Decision::NoShow => S::NoShow,
        Decision::Approve => {
            if take_place(&txn, s.id).await? {
                S::Approved
            } else if su.status == S::Applied {
                S::Waitlisted
            } else {
                return Err(ApiError::Conflict {
                    code: "shift_full",
                    detail: "no place is free; the sign-up stays on the waitlist".into(),
                });
            }
        }
    };
    let mut active: signup::ActiveModel = su.clone().into();
    set_status(&mut active, next, now);
    if !own {
        active.decided_by = Set(Some(user.account_id));
    }
    if reason.is_some() {
        active.reason = Set(reason.clone());
    }
    let updated = active.update(&txn).await?;
    if held_place && next != S::Approved {
        release_place(&txn, s.id).await?;
        if decision != Decision::NoShow {
            let fresh = shift::Entity::find_by_id(s.id)
                .one(&txn)
                .await?
                .ok_or(ApiError::NotFound("shift"))?;
            promote(&txn, &fresh, 1, now).await?;
        }
    }
    audit::record(
        &txn,
        actor,
        Entry {
            action: match decision {
                Decision::Cancel => "cancel",
                Decision::Approve => "approve",
                Decision::Reject => "reject",
                Decision::NoShow => "no_show",
            },
            entity_type: "signup",
            entity_id: id,
            fields: vec!["status".into()],
            reason,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

// ---------------------------------------------------------------------------
// For the attendance module
// ---------------------------------------------------------------------------

/// Marks an approved sign-up as `attended` (stamping `attended_at`), inside the caller's
/// transaction; the place stays taken. Idempotent for a sign-up already attended.
///
/// # Errors
/// 404 `not_found`, 409 `signup_not_approved` for any other status, database errors.
pub async fn mark_attended(
    txn: &impl ConnectionTrait,
    signup_id: Uuid,
) -> Result<signup::Model, ApiError> {
    let su = signup::Entity::find_by_id(signup_id)
        .one(txn)
        .await?
        .ok_or(ApiError::NotFound("signup"))?;
    match su.status {
        SignupStatus::Attended => Ok(su),
        SignupStatus::Approved => {
            let mut active: signup::ActiveModel = su.into();
            set_status(&mut active, SignupStatus::Attended, Utc::now());
            Ok(active.update(txn).await?)
        }
        _ => Err(ApiError::Conflict {
            code: "signup_not_approved",
            detail: "only an approved sign-up can be marked as attended".into(),
        }),
    }
}

/// The sign-up of `volunteer_id` for `shift_id` that holds a place: status `approved`, or
/// `attended` once [`mark_attended`] ran. `None` when there is none.
///
/// # Errors
/// Database errors.
pub async fn approved_signup_for(
    db: &impl ConnectionTrait,
    shift_id: Uuid,
    volunteer_id: Uuid,
) -> Result<Option<signup::Model>, ApiError> {
    Ok(signup::Entity::find()
        .filter(signup::Column::ShiftId.eq(shift_id))
        .filter(signup::Column::VolunteerId.eq(volunteer_id))
        .filter(signup::Column::Status.is_in([SignupStatus::Approved, SignupStatus::Attended]))
        .one(db)
        .await?)
}
