//! Training: the course catalogue, the instructor pool, training classes, capacity-safe
//! enrolment, attendance, completion with training records and qualifications, the sign-up
//! eligibility check used by projects, reports and settings (DESIGN.md §3 "Training"; issue 4).
//!
//! Capacity is kept by `training_classes.enrolled_count` (places taken = enrolled + completed
//! enrolments), changed only by conditional updates inside the writing transaction:
//! `UPDATE training_classes SET enrolled_count = enrolled_count + 1 WHERE id = ? AND
//! enrolled_count < capacity`. On PostgreSQL the row lock serialises concurrent updates and the
//! condition is re-checked on the newest row version; SQLite has a single writer. So capacity is
//! never exceeded, however many volunteers enrol at once.
//!
//! On SQLite the pool has one connection: inside a transaction every query goes through the
//! transaction (never `state.db`).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, TimeZone as _, Utc};
use entity::enums::{CourseCategory, EnrolmentStatus, TrainingClassStatus, VolunteerStatus};
use entity::{
    course, instructor, organization, project, training_attendance, training_class,
    training_class_instructor, training_enrolment, training_record, training_setting, volunteer,
    volunteer_qualification,
};
use sea_orm::sea_query::{Expr, ExprTrait as _, OnConflict, Query};
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, ConnectionTrait, EntityTrait as _,
    PaginatorTrait as _, QueryFilter as _, QueryOrder as _, QuerySelect as _,
    TransactionSession as _, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::dto::{
    AttendanceItem, BatchItemOut, BatchOutcome, ClassFilter, ClassIn, ClassOut, ClassPatch,
    ClassReportOut, CourseFilter, CourseIn, CoursePatch, InstructorFilter, InstructorIn,
    InstructorPatch, Material, OrganizationTrainingReportOut, QualificationGrant, QualificationOut,
    SessionIn, SessionOut, TrainingRecordOut, TrainingSettingsIn,
};
use super::rules::{self, ClassAction};
use crate::audit::{self, Actor, Entry};
use crate::auth::{AuthUser, Scope};
use crate::error::{ApiError, FieldIssue};
use crate::organizations::service::{escape_like, in_scope, subtree_ids};
use crate::pagination::Page;
use crate::volunteers::domain::{Mobile, clean_text};
use crate::volunteers::service::{clean_items, find_in_scope, is_self};

/// Most materials of a course.
pub const MAX_MATERIALS: usize = 20;

/// Most instructors of a class.
pub const MAX_INSTRUCTORS: usize = 20;

/// Most volunteers in one batch enrolment.
pub const MAX_BATCH: usize = 500;

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

/// Short text that may be empty (specialty, affiliation).
fn short_text(issues: &mut Vec<FieldIssue>, field: &str, raw: &str, max: usize) -> String {
    if raw.trim().is_empty() {
        String::new()
    } else {
        text(issues, field, raw, max)
    }
}

/// Free text that may be empty and may contain line breaks and tabs: trimmed, at most `max`
/// characters, no other control characters.
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

fn json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

fn invalid_state(detail: String) -> ApiError {
    ApiError::Conflict {
        code: "invalid_state",
        detail,
    }
}

fn minutes(issues: &mut Vec<FieldIssue>, v: u32) -> i32 {
    if !(1..=10_000).contains(&v) {
        issues.push(FieldIssue::new(
            "minutes",
            "minutes_range",
            "a course lasts 1 to 10000 minutes",
        ));
    }
    i32::try_from(v).unwrap_or(0)
}

fn clean_materials(issues: &mut Vec<FieldIssue>, items: &[Material]) -> Vec<Material> {
    if items.len() > MAX_MATERIALS {
        issues.push(FieldIssue::new(
            "materials",
            "too_many_items",
            format!("at most {MAX_MATERIALS} materials"),
        ));
    }
    items
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let title = text(issues, &format!("materials[{i}].title"), &m.title, 200);
            let url = m.url.trim().to_owned();
            if !rules::is_web_url(&url) {
                issues.push(FieldIssue::new(
                    format!("materials[{i}].url"),
                    "url_format",
                    "an absolute http or https URL of at most 500 characters",
                ));
            }
            Material { title, url }
        })
        .collect()
}

fn clean_grant(
    issues: &mut Vec<FieldIssue>,
    g: Option<&QualificationGrant>,
) -> Option<QualificationGrant> {
    let g = g?;
    let code = g.code.trim().to_owned();
    if !rules::is_code(&code) {
        issues.push(FieldIssue::new(
            "grants_qualification.code",
            "code_format",
            "snake_case of 2 to 40 characters (a-z, 0-9, _), starting with a letter",
        ));
    }
    let name = text(issues, "grants_qualification.name", &g.name, 100);
    if let Some(d) = g.validity_days
        && !(1..=rules::MAX_VALIDITY_DAYS).contains(&d)
    {
        issues.push(FieldIssue::new(
            "grants_qualification.validity_days",
            "validity_days_range",
            "1 to 3650 days",
        ));
    }
    Some(QualificationGrant {
        code,
        name,
        validity_days: g.validity_days,
    })
}

async fn org_field(
    db: &impl ConnectionTrait,
    scope: &Scope,
    issues: &mut Vec<FieldIssue>,
    org: Uuid,
) -> Result<(), ApiError> {
    if !in_scope(db, scope, org).await?
        || organization::Entity::find_by_id(org)
            .one(db)
            .await?
            .is_none()
    {
        issues.push(FieldIssue::new(
            "organization_id",
            "organization_not_found",
            "no such organization in your scope",
        ));
    }
    Ok(())
}

fn empty_page<T>(page: u64, per_page: u64) -> Page<T> {
    Page {
        items: vec![],
        page,
        per_page,
        total: 0,
    }
}

// ---------------------------------------------------------------------------
// Courses
// ---------------------------------------------------------------------------

/// The course if it exists and the scope covers its organization; 404 otherwise.
///
/// # Errors
/// 404 `not_found`, database errors.
pub async fn get_course(
    db: &impl ConnectionTrait,
    scope: &Scope,
    id: Uuid,
) -> Result<course::Model, ApiError> {
    let c = course::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("course"))?;
    if !in_scope(db, scope, c.organization_id).await? {
        return Err(ApiError::NotFound("course"));
    }
    Ok(c)
}

/// Creates an unpublished course for an organization in scope. Audit action `create`.
///
/// # Errors
/// 422 validation (all field issues at once), database errors.
pub async fn create_course(
    db: &impl TransactionTrait,
    scope: &Scope,
    actor: &Actor,
    input: CourseIn,
) -> Result<course::Model, ApiError> {
    let txn = db.begin().await?;
    let mut issues = Vec::new();
    org_field(&txn, scope, &mut issues, input.organization_id).await?;
    let title = text(&mut issues, "title", &input.title, 200);
    let specialty = short_text(&mut issues, "specialty", &input.specialty, 32);
    let minutes = minutes(&mut issues, input.minutes);
    let syllabus = long_text(&mut issues, "syllabus", &input.syllabus, 10_000);
    let materials = clean_materials(&mut issues, &input.materials);
    let grant = clean_grant(&mut issues, input.grants_qualification.as_ref());
    if !issues.is_empty() {
        return Err(ApiError::Validation(issues));
    }
    let now = Utc::now();
    let id = Uuid::now_v7();
    let model = course::ActiveModel {
        id: Set(id),
        organization_id: Set(input.organization_id),
        title: Set(title),
        category: Set(input.category),
        specialty: Set(specialty),
        minutes: Set(minutes),
        syllabus: Set(syllabus),
        materials: Set(json(&materials)),
        published: Set(false),
        published_at: Set(None),
        grants_code: Set(grant.as_ref().map(|g| g.code.clone())),
        grants_name: Set(grant.as_ref().map(|g| g.name.clone())),
        grants_validity_days: Set(grant
            .as_ref()
            .and_then(|g| g.validity_days)
            .and_then(|d| i32::try_from(d).ok())),
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
            entity_type: "course",
            entity_id: id,
            fields: [
                "organization_id",
                "title",
                "category",
                "specialty",
                "minutes",
                "syllabus",
                "materials",
                "grants_qualification",
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

fn course_filters(
    mut q: sea_orm::Select<course::Entity>,
    filter: &CourseFilter,
) -> sea_orm::Select<course::Entity> {
    if let Some(c) = filter.category {
        q = q.filter(course::Column::Category.eq(c));
    }
    if let Some(s) = filter
        .specialty
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        q = q.filter(course::Column::Specialty.eq(s));
    }
    if let Some(t) = filter.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        q = q.filter(course::Column::Title.like(format!("%{}%", escape_like(t))));
    }
    q
}

/// Lists courses of organizations in scope, newest first.
///
/// # Errors
/// Database errors.
pub async fn list_courses(
    db: &impl ConnectionTrait,
    scope: &Scope,
    filter: &CourseFilter,
    page: u64,
    per_page: u64,
) -> Result<Page<course::Model>, ApiError> {
    let mut q = course::Entity::find();
    match scope {
        Scope::All => {}
        Scope::Subtree(root) => {
            q = q.filter(course::Column::OrganizationId.in_subquery(subtree_ids(*root)));
        }
        Scope::Nothing => return Ok(empty_page(page, per_page)),
    }
    if let Some(p) = filter.published {
        q = q.filter(course::Column::Published.eq(p));
    }
    crate::pagination::fetch(
        course_filters(q, filter)
            .order_by_desc(course::Column::CreatedAt)
            .order_by_desc(course::Column::Id),
        db,
        page,
        per_page,
    )
    .await
}

/// Applies a patch to a course in scope (published or not; training records already made keep
/// their minutes). Audit action `update` with the changed field names.
///
/// # Errors
/// 404, 412 `version_mismatch`, 422 validation.
pub async fn update_course(
    db: &impl TransactionTrait,
    scope: &Scope,
    actor: &Actor,
    id: Uuid,
    patch: CoursePatch,
) -> Result<course::Model, ApiError> {
    let txn = db.begin().await?;
    let current = get_course(&txn, scope, id).await?;
    if current.version != patch.version {
        return Err(ApiError::VersionMismatch {
            current: current.version,
        });
    }
    let mut issues = Vec::new();
    let mut changed: Vec<&str> = Vec::new();
    let mut active: course::ActiveModel = current.clone().into();
    if let Some(v) = &patch.title {
        active.title = Set(text(&mut issues, "title", v, 200));
        changed.push("title");
    }
    if let Some(v) = patch.category {
        active.category = Set(v);
        changed.push("category");
    }
    if let Some(v) = &patch.specialty {
        active.specialty = Set(short_text(&mut issues, "specialty", v, 32));
        changed.push("specialty");
    }
    if let Some(v) = patch.minutes {
        active.minutes = Set(minutes(&mut issues, v));
        changed.push("minutes");
    }
    if let Some(v) = &patch.syllabus {
        active.syllabus = Set(long_text(&mut issues, "syllabus", v, 10_000));
        changed.push("syllabus");
    }
    if let Some(v) = &patch.materials {
        active.materials = Set(json(&clean_materials(&mut issues, v)));
        changed.push("materials");
    }
    if let Some(v) = &patch.grants_qualification {
        let g = clean_grant(&mut issues, v.as_ref());
        active.grants_code = Set(g.as_ref().map(|g| g.code.clone()));
        active.grants_name = Set(g.as_ref().map(|g| g.name.clone()));
        active.grants_validity_days = Set(g
            .as_ref()
            .and_then(|g| g.validity_days)
            .and_then(|d| i32::try_from(d).ok()));
        changed.push("grants_qualification");
    }
    if !issues.is_empty() {
        return Err(ApiError::Validation(issues));
    }
    active.version = Set(current.version + 1);
    active.updated_at = Set(Utc::now());
    let updated = active.update(&txn).await?;
    audit::record(
        &txn,
        actor,
        Entry {
            action: "update",
            entity_type: "course",
            entity_id: id,
            fields: changed.into_iter().map(String::from).collect(),
            reason: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// Publishes a course in scope: it becomes public and any organization may base a class on
/// it. Audit action `publish`.
///
/// # Errors
/// 404, 409 `invalid_state` when already published.
pub async fn publish_course(
    db: &impl TransactionTrait,
    scope: &Scope,
    actor: &Actor,
    id: Uuid,
) -> Result<course::Model, ApiError> {
    let txn = db.begin().await?;
    let current = get_course(&txn, scope, id).await?;
    if current.published {
        return Err(invalid_state("the course is already published".into()));
    }
    let now = Utc::now();
    let mut active: course::ActiveModel = current.clone().into();
    active.published = Set(true);
    active.published_at = Set(Some(current.published_at.unwrap_or(now)));
    active.version = Set(current.version + 1);
    active.updated_at = Set(now);
    let updated = active.update(&txn).await?;
    audit::record(
        &txn,
        actor,
        Entry {
            action: "publish",
            entity_type: "course",
            entity_id: id,
            fields: vec!["published".into()],
            reason: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// Deletes a course in scope that no class uses. Audit action `delete`.
///
/// # Errors
/// 404, 409 `course_in_use`.
pub async fn delete_course(
    db: &impl TransactionTrait,
    scope: &Scope,
    actor: &Actor,
    id: Uuid,
) -> Result<(), ApiError> {
    let txn = db.begin().await?;
    get_course(&txn, scope, id).await?;
    let used = training_class::Entity::find()
        .filter(training_class::Column::CourseId.eq(id))
        .count(&txn)
        .await?
        + volunteer_qualification::Entity::find()
            .filter(volunteer_qualification::Column::CourseId.eq(id))
            .count(&txn)
            .await?;
    if used > 0 {
        return Err(ApiError::Conflict {
            code: "course_in_use",
            detail: "classes or qualifications refer to this course".into(),
        });
    }
    course::Entity::delete_by_id(id).exec(&txn).await?;
    audit::record(
        &txn,
        actor,
        Entry {
            action: "delete",
            entity_type: "course",
            entity_id: id,
            fields: vec![],
            reason: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

async fn org_names(
    db: &impl ConnectionTrait,
    ids: Vec<Uuid>,
) -> Result<HashMap<Uuid, String>, ApiError> {
    Ok(organization::Entity::find()
        .filter(organization::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect())
}

/// Lists published courses (public) with the filters, by title.
///
/// # Errors
/// Database errors.
pub async fn public_courses(
    db: &impl ConnectionTrait,
    filter: &CourseFilter,
    page: u64,
    per_page: u64,
) -> Result<Page<(course::Model, String)>, ApiError> {
    let q = course::Entity::find().filter(course::Column::Published.eq(true));
    let Page { items, total, .. } = crate::pagination::fetch(
        course_filters(q, filter)
            .order_by_asc(course::Column::Title)
            .order_by_asc(course::Column::Id),
        db,
        page,
        per_page,
    )
    .await?;
    let names = org_names(db, items.iter().map(|c| c.organization_id).collect()).await?;
    Ok(Page {
        items: items
            .into_iter()
            .map(|c| {
                let n = names.get(&c.organization_id).cloned().unwrap_or_default();
                (c, n)
            })
            .collect(),
        page,
        per_page,
        total,
    })
}

/// A published course (public) with its organization's name; 404 when unpublished.
///
/// # Errors
/// 404, database errors.
pub async fn public_course(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<(course::Model, String), ApiError> {
    let c = course::Entity::find_by_id(id)
        .filter(course::Column::Published.eq(true))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("course"))?;
    let name = org_names(db, vec![c.organization_id])
        .await?
        .remove(&c.organization_id)
        .unwrap_or_default();
    Ok((c, name))
}

// ---------------------------------------------------------------------------
// Instructors
// ---------------------------------------------------------------------------

/// The instructor if the scope covers their organization; 404 otherwise.
///
/// # Errors
/// 404, database errors.
pub async fn get_instructor(
    db: &impl ConnectionTrait,
    scope: &Scope,
    id: Uuid,
) -> Result<instructor::Model, ApiError> {
    let m = instructor::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("instructor"))?;
    if !in_scope(db, scope, m.organization_id).await? {
        return Err(ApiError::NotFound("instructor"));
    }
    Ok(m)
}

fn mobile(issues: &mut Vec<FieldIssue>, raw: Option<&str>) -> Option<String> {
    let raw = raw.filter(|s| !s.trim().is_empty())?;
    match Mobile::parse(raw) {
        Ok(m) => Some(m.as_str().to_owned()),
        Err(e) => {
            issues.push(FieldIssue::new("mobile", e.code, e.message));
            None
        }
    }
}

/// Adds an instructor to the pool of an organization in scope. Audit action `create` (field
/// names only: the mobile is personal data).
///
/// # Errors
/// 422 validation.
pub async fn create_instructor(
    db: &impl TransactionTrait,
    scope: &Scope,
    actor: &Actor,
    input: InstructorIn,
) -> Result<instructor::Model, ApiError> {
    let txn = db.begin().await?;
    let mut issues = Vec::new();
    org_field(&txn, scope, &mut issues, input.organization_id).await?;
    let name = text(&mut issues, "name", &input.name, 50);
    let specialties = clean_items(&mut issues, "specialties", &input.specialties);
    let affiliation = short_text(&mut issues, "affiliation", &input.affiliation, 200);
    let profile = long_text(&mut issues, "profile", &input.profile, 2000);
    let mobile = mobile(&mut issues, input.mobile.as_deref());
    if !issues.is_empty() {
        return Err(ApiError::Validation(issues));
    }
    let now = Utc::now();
    let id = Uuid::now_v7();
    let model = instructor::ActiveModel {
        id: Set(id),
        organization_id: Set(input.organization_id),
        name: Set(name),
        specialties: Set(json(&specialties)),
        affiliation: Set(affiliation),
        profile: Set(profile),
        mobile: Set(mobile),
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
            entity_type: "instructor",
            entity_id: id,
            fields: [
                "organization_id",
                "name",
                "specialties",
                "affiliation",
                "profile",
                "mobile",
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

/// Searches instructors in scope by specialty (exact item) and name (contains), by name.
///
/// # Errors
/// Database errors.
pub async fn list_instructors(
    db: &impl ConnectionTrait,
    scope: &Scope,
    filter: &InstructorFilter,
    page: u64,
    per_page: u64,
) -> Result<Page<instructor::Model>, ApiError> {
    let mut q = instructor::Entity::find();
    match scope {
        Scope::All => {}
        Scope::Subtree(root) => {
            q = q.filter(instructor::Column::OrganizationId.in_subquery(subtree_ids(*root)));
        }
        Scope::Nothing => return Ok(empty_page(page, per_page)),
    }
    if let Some(o) = filter.organization_id {
        q = q.filter(instructor::Column::OrganizationId.eq(o));
    }
    if let Some(s) = filter
        .specialty
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        // One whole item of the JSON array, with its quotes.
        q = q.filter(instructor::Column::Specialties.like(format!("%\"{}\"%", escape_like(s))));
    }
    if let Some(n) = filter
        .name
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        q = q.filter(instructor::Column::Name.like(format!("%{}%", escape_like(n))));
    }
    crate::pagination::fetch(
        q.order_by_asc(instructor::Column::Name)
            .order_by_asc(instructor::Column::Id),
        db,
        page,
        per_page,
    )
    .await
}

/// Applies a patch to an instructor in scope. Audit action `update` (field names only).
///
/// # Errors
/// 404, 412 `version_mismatch`, 422 validation.
pub async fn update_instructor(
    db: &impl TransactionTrait,
    scope: &Scope,
    actor: &Actor,
    id: Uuid,
    patch: InstructorPatch,
) -> Result<instructor::Model, ApiError> {
    let txn = db.begin().await?;
    let current = get_instructor(&txn, scope, id).await?;
    if current.version != patch.version {
        return Err(ApiError::VersionMismatch {
            current: current.version,
        });
    }
    let mut issues = Vec::new();
    let mut changed: Vec<&str> = Vec::new();
    let mut active: instructor::ActiveModel = current.clone().into();
    if let Some(v) = &patch.name {
        active.name = Set(text(&mut issues, "name", v, 50));
        changed.push("name");
    }
    if let Some(v) = &patch.specialties {
        active.specialties = Set(json(&clean_items(&mut issues, "specialties", v)));
        changed.push("specialties");
    }
    if let Some(v) = &patch.affiliation {
        active.affiliation = Set(short_text(&mut issues, "affiliation", v, 200));
        changed.push("affiliation");
    }
    if let Some(v) = &patch.profile {
        active.profile = Set(long_text(&mut issues, "profile", v, 2000));
        changed.push("profile");
    }
    if let Some(v) = &patch.mobile {
        active.mobile = Set(mobile(&mut issues, v.as_deref()));
        changed.push("mobile");
    }
    if !issues.is_empty() {
        return Err(ApiError::Validation(issues));
    }
    active.version = Set(current.version + 1);
    active.updated_at = Set(Utc::now());
    let updated = active.update(&txn).await?;
    audit::record(
        &txn,
        actor,
        Entry {
            action: "update",
            entity_type: "instructor",
            entity_id: id,
            fields: changed.into_iter().map(String::from).collect(),
            reason: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// Removes an instructor in scope who teaches no class. Audit action `delete`.
///
/// # Errors
/// 404, 409 `instructor_in_use`.
pub async fn delete_instructor(
    db: &impl TransactionTrait,
    scope: &Scope,
    actor: &Actor,
    id: Uuid,
) -> Result<(), ApiError> {
    let txn = db.begin().await?;
    get_instructor(&txn, scope, id).await?;
    let used = training_class_instructor::Entity::find()
        .filter(training_class_instructor::Column::InstructorId.eq(id))
        .count(&txn)
        .await?;
    if used > 0 {
        return Err(ApiError::Conflict {
            code: "instructor_in_use",
            detail: format!("the instructor teaches {used} classes"),
        });
    }
    instructor::Entity::delete_by_id(id).exec(&txn).await?;
    audit::record(
        &txn,
        actor,
        Entry {
            action: "delete",
            entity_type: "instructor",
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
// Training classes
// ---------------------------------------------------------------------------

/// A session as stored in `training_classes.sessions` (JSON).
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct StoredSession {
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
}

fn stored_sessions(raw: &str) -> Vec<StoredSession> {
    serde_json::from_str(raw).unwrap_or_default()
}

/// The response form of a class with its instructors.
pub fn class_out(m: training_class::Model, instructor_ids: Vec<Uuid>) -> ClassOut {
    let sessions = stored_sessions(&m.sessions)
        .into_iter()
        .zip(1_u32..)
        .map(|(s, n)| SessionOut {
            number: n,
            starts_at: s.starts_at,
            ends_at: s.ends_at,
        })
        .collect();
    ClassOut {
        id: m.id,
        course_id: m.course_id,
        organization_id: m.organization_id,
        title: m.title,
        level: m.level,
        sessions,
        place: m.place,
        online_url: m.online_url,
        capacity: m.capacity,
        enrolled_count: m.enrolled_count,
        free_places: Ord::max(m.capacity - m.enrolled_count, 0),
        enrol_opens_at: m.enrol_opens_at,
        enrol_closes_at: m.enrol_closes_at,
        instructor_ids,
        pass_mark: m.pass_mark,
        status: m.status,
        version: m.version,
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

/// Instructor ids of classes, in insertion order per class.
///
/// # Errors
/// Database errors.
pub async fn instructors_of(
    db: &impl ConnectionTrait,
    class_ids: Vec<Uuid>,
) -> Result<HashMap<Uuid, Vec<Uuid>>, ApiError> {
    let mut out: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for l in training_class_instructor::Entity::find()
        .filter(training_class_instructor::Column::ClassId.is_in(class_ids))
        .order_by_asc(training_class_instructor::Column::InstructorId)
        .all(db)
        .await?
    {
        out.entry(l.class_id).or_default().push(l.instructor_id);
    }
    Ok(out)
}

/// The class if the scope covers its organizing organization; 404 otherwise.
///
/// # Errors
/// 404, database errors.
pub async fn get_class(
    db: &impl ConnectionTrait,
    scope: &Scope,
    id: Uuid,
) -> Result<training_class::Model, ApiError> {
    let m = training_class::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("training class"))?;
    if !in_scope(db, scope, m.organization_id).await? {
        return Err(ApiError::NotFound("training class"));
    }
    Ok(m)
}

fn sessions_utc(input: &[SessionIn]) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let mut v: Vec<_> = input
        .iter()
        .map(|s| {
            (
                s.starts_at.with_timezone(&Utc),
                s.ends_at.with_timezone(&Utc),
            )
        })
        .collect();
    v.sort();
    v
}

/// The class fields after validation, shared by create and update.
struct ClassFields {
    title: String,
    sessions: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    place: Option<String>,
    online_url: Option<String>,
    capacity: i32,
    enrol_opens_at: DateTime<Utc>,
    enrol_closes_at: DateTime<Utc>,
    pass_mark: Option<i32>,
}

fn check_class(issues: &mut Vec<FieldIssue>, f: &mut ClassFields) {
    issues.extend(rules::check_sessions(&f.sessions));
    f.place = f
        .place
        .as_deref()
        .filter(|p| !p.trim().is_empty())
        .map(|p| text(issues, "place", p, 200));
    f.online_url = f
        .online_url
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .map(str::to_owned);
    if let Some(u) = &f.online_url
        && !rules::is_web_url(u)
    {
        issues.push(FieldIssue::new(
            "online_url",
            "url_format",
            "an absolute http or https URL of at most 500 characters",
        ));
    }
    if f.place.is_none() && f.online_url.is_none() {
        issues.push(FieldIssue::new(
            "place",
            "place_or_online_url_required",
            "give a place or an online link",
        ));
    }
    if !(1..=5000).contains(&f.capacity) {
        issues.push(FieldIssue::new(
            "capacity",
            "capacity_range",
            "a class has 1 to 5000 places",
        ));
    }
    if f.enrol_closes_at <= f.enrol_opens_at {
        issues.push(FieldIssue::new(
            "enrol_closes_at",
            "window_end_before_start",
            "enrolment closes after it opens",
        ));
    }
    if f.pass_mark.is_some_and(|m| !(0..=100).contains(&m)) {
        issues.push(FieldIssue::new(
            "pass_mark",
            "pass_mark_range",
            "a pass mark is 0 to 100",
        ));
    }
}

async fn check_instructors(
    db: &impl ConnectionTrait,
    scope: &Scope,
    issues: &mut Vec<FieldIssue>,
    ids: &[Uuid],
) -> Result<Vec<Uuid>, ApiError> {
    if ids.len() > MAX_INSTRUCTORS {
        issues.push(FieldIssue::new(
            "instructor_ids",
            "too_many_items",
            format!("at most {MAX_INSTRUCTORS} instructors"),
        ));
        return Ok(vec![]);
    }
    let mut out = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        if out.contains(id) {
            continue;
        }
        if get_instructor(db, scope, *id).await.is_err() {
            issues.push(FieldIssue::new(
                format!("instructor_ids[{i}]"),
                "instructor_not_found",
                "no such instructor in your scope",
            ));
        } else {
            out.push(*id);
        }
    }
    Ok(out)
}

async fn set_instructors(
    txn: &impl ConnectionTrait,
    class_id: Uuid,
    ids: &[Uuid],
) -> Result<(), ApiError> {
    training_class_instructor::Entity::delete_many()
        .filter(training_class_instructor::Column::ClassId.eq(class_id))
        .exec(txn)
        .await?;
    if !ids.is_empty() {
        training_class_instructor::Entity::insert_many(ids.iter().map(|i| {
            training_class_instructor::ActiveModel {
                class_id: Set(class_id),
                instructor_id: Set(*i),
            }
        }))
        .exec_without_returning(txn)
        .await?;
    }
    Ok(())
}

fn first_last(sessions: &[(DateTime<Utc>, DateTime<Utc>)]) -> (DateTime<Utc>, DateTime<Utc>) {
    let start = sessions.first().map_or(DateTime::UNIX_EPOCH, |s| s.0);
    let end = sessions.iter().map(|s| s.1).max().unwrap_or(start);
    (start, end)
}

fn stored(sessions: &[(DateTime<Utc>, DateTime<Utc>)]) -> String {
    json(
        &sessions
            .iter()
            .map(|(s, e)| StoredSession {
                starts_at: *s,
                ends_at: *e,
            })
            .collect::<Vec<_>>(),
    )
}

/// Creates a `planned` class. The course must be published or owned by an organization in
/// scope; instructors must be in scope. Audit action `create`.
///
/// # Errors
/// 422 validation (`course_not_found`, `organization_not_found`, `instructor_not_found`,
/// `sessions_count`, `end_before_start`, `session_too_long`, `place_or_online_url_required`,
/// `url_format`, `capacity_range`, `window_end_before_start`, `pass_mark_range`).
pub async fn create_class(
    db: &impl TransactionTrait,
    scope: &Scope,
    actor: &Actor,
    input: ClassIn,
) -> Result<(training_class::Model, Vec<Uuid>), ApiError> {
    let txn = db.begin().await?;
    let mut issues = Vec::new();
    org_field(&txn, scope, &mut issues, input.organization_id).await?;
    let course = course::Entity::find_by_id(input.course_id)
        .one(&txn)
        .await?;
    let course_title = match course {
        Some(c) if c.published || in_scope(&txn, scope, c.organization_id).await? => c.title,
        _ => {
            issues.push(FieldIssue::new(
                "course_id",
                "course_not_found",
                "no such published course, nor one of your scope",
            ));
            String::new()
        }
    };
    let title = match input.title.as_deref().filter(|t| !t.trim().is_empty()) {
        Some(t) => text(&mut issues, "title", t, 200),
        None => course_title,
    };
    let mut f = ClassFields {
        title,
        sessions: sessions_utc(&input.sessions),
        place: input.place,
        online_url: input.online_url,
        capacity: i32::try_from(input.capacity).unwrap_or(0),
        enrol_opens_at: input.enrol_opens_at.with_timezone(&Utc),
        enrol_closes_at: input.enrol_closes_at.with_timezone(&Utc),
        pass_mark: input.pass_mark.map(i32::from),
    };
    check_class(&mut issues, &mut f);
    let instructors = check_instructors(&txn, scope, &mut issues, &input.instructor_ids).await?;
    if !issues.is_empty() {
        return Err(ApiError::Validation(issues));
    }
    let now = Utc::now();
    let id = Uuid::now_v7();
    let (starts_at, ends_at) = first_last(&f.sessions);
    let model = training_class::ActiveModel {
        id: Set(id),
        course_id: Set(input.course_id),
        organization_id: Set(input.organization_id),
        title: Set(f.title),
        level: Set(input.level),
        sessions: Set(stored(&f.sessions)),
        session_count: Set(i32::try_from(f.sessions.len()).unwrap_or(0)),
        starts_at: Set(starts_at),
        ends_at: Set(ends_at),
        place: Set(f.place),
        online_url: Set(f.online_url),
        capacity: Set(f.capacity),
        enrolled_count: Set(0),
        enrol_opens_at: Set(f.enrol_opens_at),
        enrol_closes_at: Set(f.enrol_closes_at),
        pass_mark: Set(f.pass_mark),
        status: Set(TrainingClassStatus::Planned),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    set_instructors(&txn, id, &instructors).await?;
    audit::record(
        &txn,
        actor,
        Entry {
            action: "create",
            entity_type: "training_class",
            entity_id: id,
            fields: [
                "course_id",
                "organization_id",
                "title",
                "level",
                "sessions",
                "place",
                "online_url",
                "capacity",
                "enrolment_window",
                "instructor_ids",
                "pass_mark",
            ]
            .map(String::from)
            .to_vec(),
            reason: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok((model, instructors))
}

/// Lists classes in scope, latest start first.
///
/// # Errors
/// Database errors.
pub async fn list_classes(
    db: &impl ConnectionTrait,
    scope: &Scope,
    filter: &ClassFilter,
    page: u64,
    per_page: u64,
) -> Result<Page<training_class::Model>, ApiError> {
    let mut q = training_class::Entity::find();
    match scope {
        Scope::All => {}
        Scope::Subtree(root) => {
            q = q.filter(training_class::Column::OrganizationId.in_subquery(subtree_ids(*root)));
        }
        Scope::Nothing => return Ok(empty_page(page, per_page)),
    }
    if let Some(s) = filter.status {
        q = q.filter(training_class::Column::Status.eq(s));
    }
    if let Some(c) = filter.course_id {
        q = q.filter(training_class::Column::CourseId.eq(c));
    }
    if let Some(o) = filter.organization_id {
        q = q.filter(training_class::Column::OrganizationId.eq(o));
    }
    crate::pagination::fetch(
        q.order_by_desc(training_class::Column::StartsAt)
            .order_by_desc(training_class::Column::Id),
        db,
        page,
        per_page,
    )
    .await
}

/// Applies a patch to a `planned` or `open` class in scope. Audit action `update`.
///
/// # Errors
/// 404, 409 `class_not_editable` / `capacity_below_enrolled`, 412 `version_mismatch`, 422
/// validation.
pub async fn update_class(
    db: &impl TransactionTrait,
    scope: &Scope,
    actor: &Actor,
    id: Uuid,
    patch: ClassPatch,
) -> Result<(training_class::Model, Vec<Uuid>), ApiError> {
    let txn = db.begin().await?;
    lock_class(&txn, id).await?;
    let current = get_class(&txn, scope, id).await?;
    if current.version != patch.version {
        return Err(ApiError::VersionMismatch {
            current: current.version,
        });
    }
    if !matches!(
        current.status,
        TrainingClassStatus::Planned | TrainingClassStatus::Open
    ) {
        return Err(ApiError::Conflict {
            code: "class_not_editable",
            detail: "only planned or open classes can be changed".into(),
        });
    }
    let mut issues = Vec::new();
    let mut changed: Vec<&str> = Vec::new();
    let mut f = ClassFields {
        title: current.title.clone(),
        sessions: stored_sessions(&current.sessions)
            .into_iter()
            .map(|s| (s.starts_at, s.ends_at))
            .collect(),
        place: current.place.clone(),
        online_url: current.online_url.clone(),
        capacity: current.capacity,
        enrol_opens_at: current.enrol_opens_at,
        enrol_closes_at: current.enrol_closes_at,
        pass_mark: current.pass_mark,
    };
    if let Some(t) = &patch.title {
        f.title = text(&mut issues, "title", t, 200);
        changed.push("title");
    }
    if let Some(s) = &patch.sessions {
        f.sessions = sessions_utc(s);
        changed.push("sessions");
    }
    if let Some(p) = &patch.place {
        f.place.clone_from(p);
        changed.push("place");
    }
    if let Some(u) = &patch.online_url {
        f.online_url.clone_from(u);
        changed.push("online_url");
    }
    if let Some(c) = patch.capacity {
        f.capacity = i32::try_from(c).unwrap_or(0);
        changed.push("capacity");
    }
    if let Some(t) = patch.enrol_opens_at {
        f.enrol_opens_at = t.with_timezone(&Utc);
        changed.push("enrol_opens_at");
    }
    if let Some(t) = patch.enrol_closes_at {
        f.enrol_closes_at = t.with_timezone(&Utc);
        changed.push("enrol_closes_at");
    }
    if let Some(m) = patch.pass_mark {
        f.pass_mark = m.map(i32::from);
        changed.push("pass_mark");
    }
    check_class(&mut issues, &mut f);
    let instructors = match &patch.instructor_ids {
        Some(ids) => {
            changed.push("instructor_ids");
            Some(check_instructors(&txn, scope, &mut issues, ids).await?)
        }
        None => None,
    };
    if !issues.is_empty() {
        return Err(ApiError::Validation(issues));
    }
    if f.capacity < current.enrolled_count {
        return Err(ApiError::Conflict {
            code: "capacity_below_enrolled",
            detail: format!(
                "{} places are taken; the capacity cannot go below them",
                current.enrolled_count
            ),
        });
    }
    let (starts_at, ends_at) = first_last(&f.sessions);
    let mut active: training_class::ActiveModel = current.clone().into();
    if let Some(l) = patch.level {
        active.level = Set(l);
        changed.push("level");
    }
    active.title = Set(f.title);
    active.session_count = Set(i32::try_from(f.sessions.len()).unwrap_or(0));
    active.sessions = Set(stored(&f.sessions));
    active.starts_at = Set(starts_at);
    active.ends_at = Set(ends_at);
    active.place = Set(f.place);
    active.online_url = Set(f.online_url);
    active.capacity = Set(f.capacity);
    active.enrol_opens_at = Set(f.enrol_opens_at);
    active.enrol_closes_at = Set(f.enrol_closes_at);
    active.pass_mark = Set(f.pass_mark);
    active.version = Set(current.version + 1);
    active.updated_at = Set(Utc::now());
    let updated = active.update(&txn).await?;
    if let Some(ids) = &instructors {
        set_instructors(&txn, id, ids).await?;
    }
    let ids = instructors_of(&txn, vec![id])
        .await?
        .remove(&id)
        .unwrap_or_default();
    audit::record(
        &txn,
        actor,
        Entry {
            action: "update",
            entity_type: "training_class",
            entity_id: id,
            fields: changed.into_iter().map(String::from).collect(),
            reason: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok((updated, ids))
}

/// Moves a class in scope through its lifecycle (see [`rules::transition`]). Audit action =
/// the action's name.
///
/// # Errors
/// 404, 409 `invalid_state` for an illegal transition.
pub async fn transition_class(
    db: &impl TransactionTrait,
    scope: &Scope,
    actor: &Actor,
    id: Uuid,
    action: ClassAction,
) -> Result<training_class::Model, ApiError> {
    let txn = db.begin().await?;
    lock_class(&txn, id).await?;
    let current = get_class(&txn, scope, id).await?;
    let Some(next) = rules::transition(current.status, action) else {
        return Err(invalid_state(
            format!("cannot {action:?} a class in status {:?}", current.status).to_lowercase(),
        ));
    };
    let mut active: training_class::ActiveModel = current.clone().into();
    active.status = Set(next);
    active.version = Set(current.version + 1);
    active.updated_at = Set(Utc::now());
    let updated = active.update(&txn).await?;
    audit::record(
        &txn,
        actor,
        Entry {
            action: match action {
                ClassAction::Open => "open",
                ClassAction::Start => "start",
                ClassAction::Finish => "finish",
                ClassAction::Archive => "archive",
            },
            entity_type: "training_class",
            entity_id: id,
            fields: vec!["status".into()],
            reason: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

// ---------------------------------------------------------------------------
// Enrolment
// ---------------------------------------------------------------------------

/// Takes the row lock of a class (a no-op update), serialising capacity edits, transitions and
/// cancellations on PostgreSQL (SQLite has one writer anyway).
async fn lock_class(txn: &impl ConnectionTrait, id: Uuid) -> Result<(), ApiError> {
    training_class::Entity::update_many()
        .col_expr(
            training_class::Column::Version,
            Expr::col(training_class::Column::Version),
        )
        .filter(training_class::Column::Id.eq(id))
        .exec(txn)
        .await?;
    Ok(())
}

/// Takes one place if one is free: the conditional increment that keeps capacity.
async fn take_place(txn: &impl ConnectionTrait, class_id: Uuid) -> Result<bool, ApiError> {
    let r = training_class::Entity::update_many()
        .col_expr(
            training_class::Column::EnrolledCount,
            Expr::col(training_class::Column::EnrolledCount).add(1),
        )
        .filter(training_class::Column::Id.eq(class_id))
        .filter(
            Expr::col(training_class::Column::EnrolledCount)
                .lt(Expr::col(training_class::Column::Capacity)),
        )
        .exec(txn)
        .await?;
    Ok(r.rows_affected == 1)
}

/// Gives one place back.
async fn release_place(txn: &impl ConnectionTrait, class_id: Uuid) -> Result<(), ApiError> {
    training_class::Entity::update_many()
        .col_expr(
            training_class::Column::EnrolledCount,
            Expr::col(training_class::Column::EnrolledCount).sub(1),
        )
        .filter(training_class::Column::Id.eq(class_id))
        .filter(training_class::Column::EnrolledCount.gt(0))
        .exec(txn)
        .await?;
    Ok(())
}

fn duplicate_enrolment() -> ApiError {
    ApiError::Conflict {
        code: "duplicate_enrolment",
        detail: "already enrolled in this class".into(),
    }
}

fn full() -> ApiError {
    ApiError::Conflict {
        code: "class_full",
        detail: "no place is left in this class".into(),
    }
}

/// Writes an enrolment: a new row, or the volunteer's cancelled one enrolled anew.
async fn write_enrolment(
    txn: &impl ConnectionTrait,
    existing: Option<training_enrolment::Model>,
    class_id: Uuid,
    volunteer_id: Uuid,
    by: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<training_enrolment::Model, ApiError> {
    match existing {
        Some(old) => {
            let mut a: training_enrolment::ActiveModel = old.into();
            a.status = Set(EnrolmentStatus::Enrolled);
            a.enrolled_by = Set(by);
            a.cancelled_at = Set(None);
            a.created_at = Set(now);
            a.updated_at = Set(now);
            Ok(a.update(txn).await?)
        }
        None => training_enrolment::ActiveModel {
            id: Set(Uuid::now_v7()),
            class_id: Set(class_id),
            volunteer_id: Set(volunteer_id),
            status: Set(EnrolmentStatus::Enrolled),
            score: Set(None),
            passed: Set(None),
            enrolled_by: Set(by),
            completed_at: Set(None),
            cancelled_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(txn)
        .await
        .map_err(|e| match ApiError::from(e) {
            ApiError::Conflict { .. } => duplicate_enrolment(),
            other => other,
        }),
    }
}

/// Enrols the calling volunteer. The class must be `open` and `now` inside its enrolment
/// window (422 `enrolment_closed`), the volunteer active (422 `volunteer_not_active`), not
/// enrolled already (409 `duplicate_enrolment`, backed by a unique index) and a place free (409
/// `class_full`, kept by the conditional counter update). A volunteer who cancelled may enrol
/// again. Audit action `create`.
///
/// # Errors
/// As above; 404 for a missing class.
pub async fn enrol(
    db: &impl TransactionTrait,
    volunteer_id: Uuid,
    actor: &Actor,
    class_id: Uuid,
    now: DateTime<Utc>,
) -> Result<training_enrolment::Model, ApiError> {
    let txn = db.begin().await?;
    let class = training_class::Entity::find_by_id(class_id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("training class"))?;
    if class.status != TrainingClassStatus::Open
        || !rules::window_open(now, class.enrol_opens_at, class.enrol_closes_at)
    {
        return Err(ApiError::Rule {
            code: "enrolment_closed",
            detail: format!(
                "enrolment is open while the class is open, from {} to {} (UTC)",
                class.enrol_opens_at.to_rfc3339(),
                class.enrol_closes_at.to_rfc3339()
            ),
        });
    }
    let v = volunteer::Entity::find_by_id(volunteer_id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("volunteer"))?;
    if v.status != VolunteerStatus::Active {
        return Err(ApiError::Rule {
            code: "volunteer_not_active",
            detail: "only active volunteers may enrol".into(),
        });
    }
    let existing = training_enrolment::Entity::find()
        .filter(training_enrolment::Column::ClassId.eq(class_id))
        .filter(training_enrolment::Column::VolunteerId.eq(volunteer_id))
        .one(&txn)
        .await?;
    if existing
        .as_ref()
        .is_some_and(|e| e.status != EnrolmentStatus::Cancelled)
    {
        return Err(duplicate_enrolment());
    }
    if !take_place(&txn, class_id).await? {
        return Err(full());
    }
    let model = write_enrolment(&txn, existing, class_id, volunteer_id, None, now).await?;
    audit::record(
        &txn,
        actor,
        Entry {
            action: "create",
            entity_type: "training_enrolment",
            entity_id: model.id,
            fields: vec!["class_id".into(), "volunteer_id".into()],
            reason: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

/// Enrols a list of volunteers (1–500) into a `planned` or `open` class in scope, in one
/// transaction, ignoring the enrolment window. Each volunteer gets its own result: `enrolled`,
/// `duplicate` (already holding a place, or repeated in the list), `full`, `not_found` (missing
/// or outside the caller's scope) or `not_active`. Audit action `create` per enrolment.
///
/// # Errors
/// 404 class, 409 `invalid_state` for other statuses, 422 `batch_size`.
pub async fn enrol_batch(
    db: &impl TransactionTrait,
    user: &AuthUser,
    actor: &Actor,
    class_id: Uuid,
    volunteer_ids: &[Uuid],
) -> Result<Vec<BatchItemOut>, ApiError> {
    if volunteer_ids.is_empty() || volunteer_ids.len() > MAX_BATCH {
        return Err(ApiError::field(
            "volunteer_ids",
            "batch_size",
            format!("send 1 to {MAX_BATCH} volunteer ids"),
        ));
    }
    let scope = user.scope();
    let txn = db.begin().await?;
    lock_class(&txn, class_id).await?;
    let class = get_class(&txn, &scope, class_id).await?;
    if !matches!(
        class.status,
        TrainingClassStatus::Planned | TrainingClassStatus::Open
    ) {
        return Err(invalid_state(
            format!("a {:?} class takes no enrolments", class.status).to_lowercase(),
        ));
    }
    let now = Utc::now();
    let existing: HashMap<Uuid, training_enrolment::Model> = training_enrolment::Entity::find()
        .filter(training_enrolment::Column::ClassId.eq(class_id))
        .filter(training_enrolment::Column::VolunteerId.is_in(volunteer_ids.to_vec()))
        .all(&txn)
        .await?
        .into_iter()
        .map(|e| (e.volunteer_id, e))
        .collect();
    let mut seen = HashSet::new();
    let mut results = Vec::with_capacity(volunteer_ids.len());
    let mut entries = Vec::new();
    for vid in volunteer_ids {
        let old = existing.get(vid);
        let (result, enrolment_id) = if !seen.insert(*vid) {
            (BatchOutcome::Duplicate, old.map(|e| e.id))
        } else if old.is_some_and(|e| e.status != EnrolmentStatus::Cancelled) {
            (BatchOutcome::Duplicate, old.map(|e| e.id))
        } else {
            match find_in_scope(&txn, &scope, *vid).await {
                Err(ApiError::NotFound(_)) => (BatchOutcome::NotFound, None),
                Err(e) => return Err(e),
                Ok(v) if v.status != VolunteerStatus::Active => (BatchOutcome::NotActive, None),
                Ok(_) => {
                    if take_place(&txn, class_id).await? {
                        let m = write_enrolment(
                            &txn,
                            old.cloned(),
                            class_id,
                            *vid,
                            Some(user.account_id),
                            now,
                        )
                        .await?;
                        entries.push(m.id);
                        (BatchOutcome::Enrolled, Some(m.id))
                    } else {
                        (BatchOutcome::Full, None)
                    }
                }
            }
        };
        results.push(BatchItemOut {
            volunteer_id: *vid,
            result,
            enrolment_id,
        });
    }
    audit::record_many(
        &txn,
        actor,
        entries
            .into_iter()
            .map(|id| Entry {
                action: "create",
                entity_type: "training_enrolment",
                entity_id: id,
                fields: vec!["class_id".into(), "volunteer_id".into()],
                reason: Some("batch".into()),
            })
            .collect(),
    )
    .await?;
    txn.commit().await?;
    Ok(results)
}

/// The enrolment with its class if the caller is its volunteer or an admin whose scope covers
/// the class; 404 otherwise.
///
/// # Errors
/// 404, database errors.
pub async fn enrolment_visible(
    db: &impl ConnectionTrait,
    user: &AuthUser,
    id: Uuid,
) -> Result<(training_enrolment::Model, training_class::Model), ApiError> {
    let e = training_enrolment::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("enrolment"))?;
    let class = if is_self(user, e.volunteer_id) {
        training_class::Entity::find_by_id(e.class_id)
            .one(db)
            .await?
            .ok_or(ApiError::NotFound("enrolment"))?
    } else {
        get_class(db, &user.scope(), e.class_id)
            .await
            .map_err(|_| ApiError::NotFound("enrolment"))?
    };
    Ok((e, class))
}

/// Cancels an enrolment and frees its place. Volunteers cancel their own while the class is
/// `planned` or `open`; admins in scope also while it is `running`. Audit action `cancel`.
///
/// # Errors
/// 404, 409 `invalid_state` (not `enrolled`, or the class too far along).
pub async fn cancel_enrolment(
    db: &impl TransactionTrait,
    user: &AuthUser,
    actor: &Actor,
    id: Uuid,
) -> Result<training_enrolment::Model, ApiError> {
    let txn = db.begin().await?;
    let (e0, _) = enrolment_visible(&txn, user, id).await?;
    lock_class(&txn, e0.class_id).await?;
    let (e, class) = enrolment_visible(&txn, user, id).await?;
    if e.status != EnrolmentStatus::Enrolled {
        return Err(invalid_state(
            format!("cannot cancel an enrolment in status {:?}", e.status).to_lowercase(),
        ));
    }
    let own = is_self(user, e.volunteer_id);
    let allowed = match class.status {
        TrainingClassStatus::Planned | TrainingClassStatus::Open => true,
        TrainingClassStatus::Running => !own,
        TrainingClassStatus::Finished | TrainingClassStatus::Archived => false,
    };
    if !allowed {
        return Err(invalid_state(
            format!("cannot cancel while the class is {:?}", class.status).to_lowercase(),
        ));
    }
    let now = Utc::now();
    let mut a: training_enrolment::ActiveModel = e.into();
    a.status = Set(EnrolmentStatus::Cancelled);
    a.cancelled_at = Set(Some(now));
    a.updated_at = Set(now);
    let updated = a.update(&txn).await?;
    release_place(&txn, class.id).await?;
    audit::record(
        &txn,
        actor,
        Entry {
            action: "cancel",
            entity_type: "training_enrolment",
            entity_id: id,
            fields: vec!["status".into()],
            reason: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// Present-session counts per enrolment of a class.
async fn attended_counts(
    db: &impl ConnectionTrait,
    class_id: Uuid,
) -> Result<HashMap<Uuid, u32>, ApiError> {
    let mut out: HashMap<Uuid, u32> = HashMap::new();
    for a in training_attendance::Entity::find()
        .filter(training_attendance::Column::ClassId.eq(class_id))
        .filter(training_attendance::Column::Present.eq(true))
        .all(db)
        .await?
    {
        *out.entry(a.enrolment_id).or_default() += 1;
    }
    Ok(out)
}

/// One roster line: the enrolment, its volunteer and the sessions attended.
pub type RosterItem = (training_enrolment::Model, Option<volunteer::Model>, u32);

/// The roster of a class in scope (all statuses), first enrolled first.
///
/// # Errors
/// 404, database errors.
pub async fn roster(
    db: &impl ConnectionTrait,
    scope: &Scope,
    class_id: Uuid,
) -> Result<Vec<RosterItem>, ApiError> {
    get_class(db, scope, class_id).await?;
    let enrolments = training_enrolment::Entity::find()
        .filter(training_enrolment::Column::ClassId.eq(class_id))
        .order_by_asc(training_enrolment::Column::CreatedAt)
        .order_by_asc(training_enrolment::Column::Id)
        .all(db)
        .await?;
    let ids: Vec<Uuid> = enrolments.iter().map(|e| e.volunteer_id).collect();
    let mut people: HashMap<Uuid, volunteer::Model> = volunteer::Entity::find()
        .filter(volunteer::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|v| (v.id, v))
        .collect();
    let counts = attended_counts(db, class_id).await?;
    Ok(enrolments
        .into_iter()
        .map(|e| {
            let v = people.remove(&e.volunteer_id);
            let n = counts.get(&e.id).copied().unwrap_or(0);
            (e, v, n)
        })
        .collect())
}

/// A volunteer's own enrolments, newest first, with their classes.
///
/// # Errors
/// Database errors.
pub async fn my_enrolments(
    db: &impl ConnectionTrait,
    volunteer_id: Uuid,
    page: u64,
    per_page: u64,
) -> Result<Page<(training_enrolment::Model, training_class::Model)>, ApiError> {
    let Page { items, total, .. } = crate::pagination::fetch(
        training_enrolment::Entity::find()
            .filter(training_enrolment::Column::VolunteerId.eq(volunteer_id))
            .order_by_desc(training_enrolment::Column::CreatedAt)
            .order_by_desc(training_enrolment::Column::Id),
        db,
        page,
        per_page,
    )
    .await?;
    let classes: HashMap<Uuid, training_class::Model> = training_class::Entity::find()
        .filter(training_class::Column::Id.is_in(items.iter().map(|e| e.class_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    Ok(Page {
        items: items
            .into_iter()
            .filter_map(|e| {
                let c = classes.get(&e.class_id)?.clone();
                Some((e, c))
            })
            .collect(),
        page,
        per_page,
        total,
    })
}

// ---------------------------------------------------------------------------
// Attendance and completion
// ---------------------------------------------------------------------------

/// Records presence at session `session` (1-based) of a `running` or `finished` class in scope,
/// replacing earlier marks of the listed enrolments. Audit action `attendance`.
///
/// # Errors
/// 404 class or session number, 409 `invalid_state`, 422 `enrolment_not_found` per item.
pub async fn record_attendance(
    db: &impl TransactionTrait,
    scope: &Scope,
    actor: &Actor,
    class_id: Uuid,
    session: u32,
    items: &[AttendanceItem],
) -> Result<Vec<AttendanceItem>, ApiError> {
    let txn = db.begin().await?;
    let class = get_class(&txn, scope, class_id).await?;
    let n = i32::try_from(session).unwrap_or(0);
    if n < 1 || n > class.session_count {
        return Err(ApiError::NotFound("session"));
    }
    if !matches!(
        class.status,
        TrainingClassStatus::Running | TrainingClassStatus::Finished
    ) {
        return Err(invalid_state(
            "attendance is recorded while the class is running or finished".into(),
        ));
    }
    if items.len() > 5000 {
        return Err(ApiError::field("", "too_many_items", "at most 5000 marks"));
    }
    let holders: HashSet<Uuid> = training_enrolment::Entity::find()
        .filter(training_enrolment::Column::ClassId.eq(class_id))
        .filter(
            training_enrolment::Column::Status
                .is_in([EnrolmentStatus::Enrolled, EnrolmentStatus::Completed]),
        )
        .all(&txn)
        .await?
        .into_iter()
        .map(|e| e.id)
        .collect();
    let issues: Vec<FieldIssue> = items
        .iter()
        .enumerate()
        .filter(|(_, it)| !holders.contains(&it.enrolment_id))
        .map(|(i, _)| {
            FieldIssue::new(
                format!("[{i}].enrolment_id"),
                "enrolment_not_found",
                "no enrolment holding a place in this class",
            )
        })
        .collect();
    if !issues.is_empty() {
        return Err(ApiError::Validation(issues));
    }
    let now = Utc::now();
    // Last mark wins for an enrolment listed twice.
    let mut marks: HashMap<Uuid, bool> = HashMap::new();
    for it in items {
        marks.insert(it.enrolment_id, it.present);
    }
    let rows: Vec<training_attendance::ActiveModel> = marks
        .iter()
        .map(|(e, p)| training_attendance::ActiveModel {
            enrolment_id: Set(*e),
            session_no: Set(n),
            class_id: Set(class_id),
            present: Set(*p),
            recorded_at: Set(now),
        })
        .collect();
    // 5 columns per row: 1,000 rows stay far below SQLite's bind-parameter limit.
    for chunk in rows.chunks(1000) {
        training_attendance::Entity::insert_many(chunk.to_vec())
            .on_conflict(
                OnConflict::columns([
                    training_attendance::Column::EnrolmentId,
                    training_attendance::Column::SessionNo,
                ])
                .update_columns([
                    training_attendance::Column::Present,
                    training_attendance::Column::RecordedAt,
                ])
                .to_owned(),
            )
            .exec_without_returning(&txn)
            .await?;
    }
    audit::record(
        &txn,
        actor,
        Entry {
            action: "attendance",
            entity_type: "training_class",
            entity_id: class_id,
            fields: vec![format!("sessions[{session}]")],
            reason: None,
        },
    )
    .await?;
    let all = training_attendance::Entity::find()
        .filter(training_attendance::Column::ClassId.eq(class_id))
        .filter(training_attendance::Column::SessionNo.eq(n))
        .order_by_asc(training_attendance::Column::EnrolmentId)
        .all(&txn)
        .await?;
    txn.commit().await?;
    Ok(all
        .into_iter()
        .map(|a| AttendanceItem {
            enrolment_id: a.enrolment_id,
            present: a.present,
        })
        .collect())
}

/// What a completion produced.
#[derive(Debug)]
pub struct Completion {
    /// The enrolment, now `completed`.
    pub enrolment: training_enrolment::Model,
    /// Sessions attended.
    pub attended: u32,
    /// The training record.
    pub record: TrainingRecordOut,
    /// The qualification granted or renewed.
    pub qualification: Option<QualificationOut>,
}

/// Records the completion of an `enrolled` enrolment of a `running` or `finished` class in
/// scope, with an optional score 0–100. Passed = score ≥ pass mark when the class has one, else
/// attended ≥ 80 % of the sessions ([`rules::passed`]); a failed completion is recorded too
/// (`passed: false`). Every completion creates a training record with the course's minutes; a
/// passed completion of a course that grants a qualification grants it, or renews it (keeping
/// the later expiry), with `expires_on` = completion date in the platform time zone +
/// validity days. Audit actions `complete`, `create` (training record), `grant`.
///
/// # Errors
/// 404, 409 `invalid_state`, 422 `score_range`.
pub async fn complete(
    db: &impl TransactionTrait,
    scope: &Scope,
    actor: &Actor,
    id: Uuid,
    score: Option<u8>,
    tz: chrono_tz::Tz,
) -> Result<Completion, ApiError> {
    if score.is_some_and(|s| s > 100) {
        return Err(ApiError::field(
            "score",
            "score_range",
            "a score is 0 to 100",
        ));
    }
    let txn = db.begin().await?;
    let e = training_enrolment::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("enrolment"))?;
    let class = get_class(&txn, scope, e.class_id)
        .await
        .map_err(|_| ApiError::NotFound("enrolment"))?;
    if !matches!(
        class.status,
        TrainingClassStatus::Running | TrainingClassStatus::Finished
    ) {
        return Err(invalid_state(
            "completions are recorded while the class is running or finished".into(),
        ));
    }
    if e.status != EnrolmentStatus::Enrolled {
        return Err(invalid_state(
            format!("cannot complete an enrolment in status {:?}", e.status).to_lowercase(),
        ));
    }
    let course = course::Entity::find_by_id(class.course_id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("course"))?;
    let attended = training_attendance::Entity::find()
        .filter(training_attendance::Column::EnrolmentId.eq(id))
        .filter(training_attendance::Column::Present.eq(true))
        .count(&txn)
        .await?;
    let passed = rules::passed(
        score,
        class.pass_mark.and_then(|m| u8::try_from(m).ok()),
        attended,
        u64::try_from(class.session_count).unwrap_or(0),
    );
    let now = Utc::now();
    let volunteer_id = e.volunteer_id;
    let mut a: training_enrolment::ActiveModel = e.into();
    a.status = Set(EnrolmentStatus::Completed);
    a.score = Set(score.map(i32::from));
    a.passed = Set(Some(passed));
    a.completed_at = Set(Some(now));
    a.updated_at = Set(now);
    let enrolment = a.update(&txn).await?;
    let record = training_record::ActiveModel {
        id: Set(Uuid::now_v7()),
        volunteer_id: Set(volunteer_id),
        class_id: Set(class.id),
        course_id: Set(course.id),
        enrolment_id: Set(id),
        minutes: Set(course.minutes),
        completed_at: Set(now),
        score: Set(score.map(i32::from)),
        passed: Set(passed),
        created_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let mut entries = vec![
        Entry {
            action: "complete",
            entity_type: "training_enrolment",
            entity_id: id,
            fields: vec!["status".into(), "score".into(), "passed".into()],
            reason: None,
        },
        Entry {
            action: "create",
            entity_type: "training_record",
            entity_id: record.id,
            fields: vec!["volunteer_id".into(), "minutes".into(), "passed".into()],
            reason: None,
        },
    ];
    let mut qualification = None;
    let today = now.with_timezone(&tz).date_naive();
    if passed && let Some(g) = super::dto::grant(&course) {
        let expires = rules::expires_on(today, g.validity_days);
        let existing = volunteer_qualification::Entity::find()
            .filter(volunteer_qualification::Column::VolunteerId.eq(volunteer_id))
            .filter(volunteer_qualification::Column::Code.eq(g.code.clone()))
            .one(&txn)
            .await?;
        let q = match existing {
            Some(old) => {
                let keep = rules::later_expiry(old.expires_on, expires);
                let mut qa: volunteer_qualification::ActiveModel = old.into();
                qa.name = Set(g.name.clone());
                qa.course_id = Set(course.id);
                qa.training_record_id = Set(Some(record.id));
                qa.granted_at = Set(now);
                qa.expires_on = Set(keep);
                qa.updated_at = Set(now);
                qa.update(&txn).await?
            }
            None => {
                volunteer_qualification::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    volunteer_id: Set(volunteer_id),
                    code: Set(g.code.clone()),
                    name: Set(g.name.clone()),
                    course_id: Set(course.id),
                    training_record_id: Set(Some(record.id)),
                    granted_at: Set(now),
                    expires_on: Set(expires),
                    updated_at: Set(now),
                }
                .insert(&txn)
                .await?
            }
        };
        entries.push(Entry {
            action: "grant",
            entity_type: "volunteer_qualification",
            entity_id: q.id,
            fields: vec!["code".into(), "expires_on".into()],
            reason: None,
        });
        qualification = Some(qualification_out(q, today));
    }
    audit::record_many(&txn, actor, entries).await?;
    txn.commit().await?;
    let attended = u32::try_from(attended).unwrap_or(u32::MAX);
    Ok(Completion {
        enrolment,
        attended,
        record: record_out(record, &class, &course),
        qualification,
    })
}

fn record_out(
    r: training_record::Model,
    class: &training_class::Model,
    course: &course::Model,
) -> TrainingRecordOut {
    TrainingRecordOut {
        id: r.id,
        volunteer_id: r.volunteer_id,
        class_id: r.class_id,
        class_title: class.title.clone(),
        course_id: r.course_id,
        course_title: course.title.clone(),
        category: course.category,
        minutes: r.minutes,
        completed_at: r.completed_at,
        score: r.score,
        passed: r.passed,
    }
}

/// The response form of a qualification, with `valid` computed for `today` (platform time
/// zone): valid on its expiry date, expired from the day after.
pub fn qualification_out(q: volunteer_qualification::Model, today: NaiveDate) -> QualificationOut {
    QualificationOut {
        valid: rules::valid_on(q.expires_on, today),
        code: q.code,
        name: q.name,
        course_id: q.course_id,
        granted_at: q.granted_at,
        expires_on: q.expires_on,
    }
}

/// A volunteer's training records, newest first (the volunteer themself or admins in scope).
///
/// # Errors
/// 404, database errors.
pub async fn training_records(
    db: &impl ConnectionTrait,
    user: &AuthUser,
    volunteer_id: Uuid,
) -> Result<Vec<TrainingRecordOut>, ApiError> {
    crate::volunteers::service::get_visible(db, user, volunteer_id).await?;
    let records = training_record::Entity::find()
        .filter(training_record::Column::VolunteerId.eq(volunteer_id))
        .order_by_desc(training_record::Column::CompletedAt)
        .order_by_desc(training_record::Column::Id)
        .all(db)
        .await?;
    let classes: HashMap<Uuid, training_class::Model> = training_class::Entity::find()
        .filter(training_class::Column::Id.is_in(records.iter().map(|r| r.class_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let courses: HashMap<Uuid, course::Model> = course::Entity::find()
        .filter(course::Column::Id.is_in(records.iter().map(|r| r.course_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    Ok(records
        .into_iter()
        .filter_map(|r| {
            let class = classes.get(&r.class_id)?;
            let course = courses.get(&r.course_id)?;
            Some(record_out(r, class, course))
        })
        .collect())
}

/// A volunteer's qualifications by code, with validity for `today` (platform time zone).
///
/// # Errors
/// 404, database errors.
pub async fn qualifications(
    db: &impl ConnectionTrait,
    user: &AuthUser,
    volunteer_id: Uuid,
    today: NaiveDate,
) -> Result<Vec<QualificationOut>, ApiError> {
    crate::volunteers::service::get_visible(db, user, volunteer_id).await?;
    Ok(volunteer_qualification::Entity::find()
        .filter(volunteer_qualification::Column::VolunteerId.eq(volunteer_id))
        .order_by_asc(volunteer_qualification::Column::Code)
        .all(db)
        .await?
        .into_iter()
        .map(|q| qualification_out(q, today))
        .collect())
}

// ---------------------------------------------------------------------------
// Sign-up eligibility (used by projects::service::sign_up)
// ---------------------------------------------------------------------------

/// Whether the probation rule is on (training settings; default off).
///
/// # Errors
/// Database errors.
pub async fn probation_required(db: &impl ConnectionTrait) -> Result<bool, ApiError> {
    Ok(training_setting::Entity::find_by_id(1)
        .one(db)
        .await?
        .is_some_and(|s| s.probation_required))
}

/// Whether the volunteer has passed a `new_volunteer_basics` course (which ends probation).
///
/// # Errors
/// Database errors.
pub async fn passed_basics(
    db: &impl ConnectionTrait,
    volunteer_id: Uuid,
) -> Result<bool, ApiError> {
    let n = training_record::Entity::find()
        .filter(training_record::Column::VolunteerId.eq(volunteer_id))
        .filter(training_record::Column::Passed.eq(true))
        .filter(
            training_record::Column::CourseId.in_subquery(
                Query::select()
                    .column(course::Column::Id)
                    .from(course::Entity)
                    .and_where(course::Column::Category.eq(CourseCategory::NewVolunteerBasics))
                    .to_owned(),
            ),
        )
        .count(db)
        .await?;
    Ok(n > 0)
}

/// Checks a sign-up against the training rules, inside the sign-up's transaction:
///
/// - every code in `project.required_qualifications` needs a qualification of the volunteer
///   valid **on the shift's date** (`shift_date`, platform time zone; valid on its expiry date,
///   expired the day after) — else 422 `qualification_missing` naming the missing codes;
/// - with probation on (training settings), a volunteer who has not passed a
///   `new_volunteer_basics` course is probationary and may sign up only for projects with
///   `allow_probationary` — else 422 `probationary_not_allowed`.
///
/// # Errors
/// As above, database errors.
pub async fn check_signup_eligibility(
    txn: &impl ConnectionTrait,
    project: &project::Model,
    volunteer_id: Uuid,
    shift_date: NaiveDate,
) -> Result<(), ApiError> {
    let required: Vec<String> =
        serde_json::from_str(&project.required_qualifications).unwrap_or_default();
    if !required.is_empty() {
        let held: HashSet<String> = volunteer_qualification::Entity::find()
            .filter(volunteer_qualification::Column::VolunteerId.eq(volunteer_id))
            .filter(volunteer_qualification::Column::Code.is_in(required.clone()))
            .all(txn)
            .await?
            .into_iter()
            .filter(|q| rules::valid_on(q.expires_on, shift_date))
            .map(|q| q.code)
            .collect();
        let missing: Vec<&str> = required
            .iter()
            .filter(|c| !held.contains(*c))
            .map(String::as_str)
            .collect();
        if !missing.is_empty() {
            return Err(ApiError::Rule {
                code: "qualification_missing",
                detail: format!(
                    "this project requires a qualification valid on {shift_date}: {}",
                    missing.join(", ")
                ),
            });
        }
    }
    if !project.allow_probationary
        && probation_required(txn).await?
        && !passed_basics(txn, volunteer_id).await?
    {
        return Err(ApiError::Rule {
            code: "probationary_not_allowed",
            detail: "probationary volunteers (no new-volunteer basics course passed yet) may not sign up for this project".into(),
        });
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Reports and settings
// ---------------------------------------------------------------------------

/// Figures of a class in scope: places held, attended at least once, completed, passed and
/// the pass rate (passed / completed).
///
/// # Errors
/// 404, database errors.
pub async fn class_report(
    db: &impl ConnectionTrait,
    scope: &Scope,
    class_id: Uuid,
) -> Result<ClassReportOut, ApiError> {
    get_class(db, scope, class_id).await?;
    let enrolments = training_enrolment::Entity::find()
        .filter(training_enrolment::Column::ClassId.eq(class_id))
        .filter(training_enrolment::Column::Status.ne(EnrolmentStatus::Cancelled))
        .all(db)
        .await?;
    let counts = attended_counts(db, class_id).await?;
    let enrolled = enrolments.len() as u64;
    let attended = enrolments
        .iter()
        .filter(|e| counts.get(&e.id).is_some_and(|n| *n > 0))
        .count() as u64;
    let completed = enrolments
        .iter()
        .filter(|e| e.status == EnrolmentStatus::Completed)
        .count() as u64;
    let passed = enrolments.iter().filter(|e| e.passed == Some(true)).count() as u64;
    Ok(ClassReportOut {
        class_id,
        enrolled,
        attended,
        completed,
        passed,
        pass_rate: rules::ratio(passed, completed),
    })
}

/// Year figures of an organization in scope and its subtree: classes whose first session
/// starts in `year` (platform time zone), distinct trainees holding a place in them, and the
/// minutes of their training records.
///
/// # Errors
/// 404, 400 `invalid_query` for a year outside 2000–2100, database errors.
pub async fn organization_report(
    db: &impl ConnectionTrait,
    scope: &Scope,
    org: Uuid,
    year: i32,
    tz: chrono_tz::Tz,
) -> Result<OrganizationTrainingReportOut, ApiError> {
    crate::organizations::service::get_scoped(db, scope, org).await?;
    let bad = || ApiError::BadRequest {
        code: "invalid_query",
        detail: "year must be 2000 to 2100".into(),
    };
    if !(2000..=2100).contains(&year) {
        return Err(bad());
    }
    let start = tz
        .with_ymd_and_hms(year, 1, 1, 0, 0, 0)
        .earliest()
        .ok_or_else(bad)?
        .with_timezone(&Utc);
    let end = tz
        .with_ymd_and_hms(year + 1, 1, 1, 0, 0, 0)
        .earliest()
        .ok_or_else(bad)?
        .with_timezone(&Utc);
    let class_ids: Vec<Uuid> = training_class::Entity::find()
        .filter(training_class::Column::OrganizationId.in_subquery(subtree_ids(org)))
        .filter(training_class::Column::StartsAt.gte(start))
        .filter(training_class::Column::StartsAt.lt(end))
        .select_only()
        .column(training_class::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    let trainees: HashSet<Uuid> = training_enrolment::Entity::find()
        .filter(training_enrolment::Column::ClassId.is_in(class_ids.clone()))
        .filter(training_enrolment::Column::Status.ne(EnrolmentStatus::Cancelled))
        .select_only()
        .column(training_enrolment::Column::VolunteerId)
        .into_tuple::<Uuid>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let minutes: i64 = training_record::Entity::find()
        .filter(training_record::Column::ClassId.is_in(class_ids.clone()))
        .select_only()
        .column(training_record::Column::Minutes)
        .into_tuple::<i32>()
        .all(db)
        .await?
        .into_iter()
        .map(i64::from)
        .sum();
    Ok(OrganizationTrainingReportOut {
        organization_id: org,
        year,
        classes: class_ids.len() as u64,
        trainees: trainees.len() as u64,
        training_minutes: minutes,
    })
}

/// The training settings (defaults when never changed: version 0, no probation).
///
/// # Errors
/// Database errors.
pub async fn settings(db: &impl ConnectionTrait) -> Result<(bool, i32), ApiError> {
    Ok(training_setting::Entity::find_by_id(1)
        .one(db)
        .await?
        .map_or((false, 0), |s| (s.probation_required, s.version)))
}

/// Changes the training settings; `version` must match. Audit action `update`.
///
/// # Errors
/// 412 `version_mismatch`, database errors.
pub async fn update_settings(
    db: &impl TransactionTrait,
    actor: &Actor,
    input: &TrainingSettingsIn,
) -> Result<(bool, i32), ApiError> {
    let txn = db.begin().await?;
    let (_, version) = settings(&txn).await?;
    if version != input.version {
        return Err(ApiError::VersionMismatch { current: version });
    }
    let now = Utc::now();
    let row = training_setting::ActiveModel {
        id: Set(1),
        probation_required: Set(input.probation_required),
        version: Set(version + 1),
        updated_at: Set(now),
    };
    if version == 0 {
        training_setting::Entity::insert(row)
            .exec_without_returning(&txn)
            .await?;
    } else {
        training_setting::Entity::update_many()
            .col_expr(
                training_setting::Column::ProbationRequired,
                Expr::value(input.probation_required),
            )
            .col_expr(training_setting::Column::Version, Expr::value(version + 1))
            .col_expr(training_setting::Column::UpdatedAt, Expr::value(now))
            .filter(training_setting::Column::Id.eq(1))
            .filter(training_setting::Column::Version.eq(version))
            .exec(&txn)
            .await?;
    }
    audit::record(
        &txn,
        actor,
        Entry {
            action: "update",
            entity_type: "training_settings",
            entity_id: Uuid::nil(),
            fields: vec!["probation_required".into()],
            reason: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok((input.probation_required, version + 1))
}
