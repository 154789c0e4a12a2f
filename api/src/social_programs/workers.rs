//! Youth social workers (青少年事务社工): the registry, assignments to youth homes (青年之家)
//! and the report of youth homes without a social worker on a day.
//!
//! Mobiles are personal data: stored as 11 digits, masked in every response
//! ([`crate::volunteers::domain::mask_mobile`]), and never logged or audited by value (the audit
//! names the field only).
//!
//! Overlaps: two assignments of the same worker to the same home never cover a common day.
//! Creating or changing an assignment first takes the worker's row lock (a no-op `UPDATE` on
//! `youth_social_workers`), so concurrent requests for one worker are serialised on PostgreSQL
//! (SQLite has a single writer) before the overlap check reads the existing assignments.

use chrono::{Datelike as _, NaiveDate, Utc};
use entity::enums::{OrganizationKind, OrganizationStatus};
use entity::organization;
use entity::social_programs::{social_worker as worker, social_worker_assignment as assignment};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, Condition, ConnectionTrait,
    EntityTrait as _, QueryFilter as _, QueryOrder as _, TransactionSession as _, TransactionTrait,
};
use uuid::Uuid;

use super::common::{empty_page, org_field, required};
use super::dto::{
    AssignmentFilter, AssignmentIn, AssignmentPatch, SocialWorkerFilter, SocialWorkerIn,
    SocialWorkerPatch,
};
use super::rules;
use crate::audit::{self, Actor, Entry};
use crate::auth::Scope;
use crate::error::{ApiError, FieldIssue};
use crate::organizations::service::{escape_like, in_scope, subtree_ids};
use crate::pagination::Page;
use crate::volunteers::domain::Mobile;

fn mobile(issues: &mut Vec<FieldIssue>, raw: Option<&str>) -> Option<String> {
    let raw = raw.map(str::trim).filter(|m| !m.is_empty())?;
    match Mobile::parse(raw) {
        Ok(m) => Some(m.as_str().to_owned()),
        Err(e) => {
            issues.push(FieldIssue::new("mobile", e.code, e.message));
            None
        }
    }
}

fn certificate(issues: &mut Vec<FieldIssue>, raw: &str) -> String {
    let c = raw.trim().to_owned();
    let ok =
        (1..=40).contains(&c.len()) && c.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if !ok {
        issues.push(FieldIssue::new(
            "certificate_no",
            "certificate_format",
            "1 to 40 letters, digits or '-'",
        ));
    }
    c
}

fn duplicate_certificate(e: ApiError) -> ApiError {
    match e {
        ApiError::Conflict { .. } => ApiError::Conflict {
            code: "duplicate_certificate",
            detail: "a social worker with this certificate number is already registered".into(),
        },
        other => other,
    }
}

/// The worker if the scope covers their employing organization; 404 otherwise.
///
/// # Errors
/// 404, database errors.
pub async fn get(
    db: &impl ConnectionTrait,
    scope: &Scope,
    id: Uuid,
) -> Result<worker::Model, ApiError> {
    let w = worker::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("social worker"))?;
    if !in_scope(db, scope, w.organization_id).await? {
        return Err(ApiError::NotFound("social worker"));
    }
    Ok(w)
}

/// Registers a social worker employed by an organization in scope. Audit action `create`.
///
/// # Errors
/// 409 `duplicate_certificate`, 422 validation.
pub async fn create(
    db: &impl TransactionTrait,
    scope: &Scope,
    actor: &Actor,
    input: SocialWorkerIn,
) -> Result<worker::Model, ApiError> {
    let txn = db.begin().await?;
    let mut issues = Vec::new();
    org_field(
        &txn,
        scope,
        &mut issues,
        "organization_id",
        input.organization_id,
    )
    .await?;
    let name = required(&mut issues, "name", &input.name, 50, false);
    let mobile = mobile(&mut issues, input.mobile.as_deref());
    let cert = certificate(&mut issues, &input.certificate_no);
    if !issues.is_empty() {
        return Err(ApiError::Validation(issues));
    }
    let now = Utc::now();
    let id = Uuid::now_v7();
    let m = worker::ActiveModel {
        id: Set(id),
        organization_id: Set(input.organization_id),
        name: Set(name),
        mobile: Set(mobile),
        qualification_level: Set(input.qualification_level),
        certificate_no: Set(cert),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await
    .map_err(|e| duplicate_certificate(e.into()))?;
    audit::record(
        &txn,
        actor,
        Entry {
            action: "create",
            entity_type: "youth_social_worker",
            entity_id: id,
            fields: [
                "organization_id",
                "name",
                "mobile",
                "qualification_level",
                "certificate_no",
            ]
            .map(String::from)
            .to_vec(),
            reason: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(m)
}

/// Updates a social worker; `version` must match. Audit action `update` (field names only).
///
/// # Errors
/// 404, 409 `duplicate_certificate`, 412, 422 validation.
pub async fn update(
    db: &impl TransactionTrait,
    scope: &Scope,
    actor: &Actor,
    id: Uuid,
    p: SocialWorkerPatch,
) -> Result<worker::Model, ApiError> {
    let txn = db.begin().await?;
    let cur = get(&txn, scope, id).await?;
    if cur.version != p.version {
        return Err(ApiError::VersionMismatch {
            current: cur.version,
        });
    }
    let mut issues = Vec::new();
    let mut fields = Vec::new();
    let mut am = <worker::ActiveModel as Default>::default();
    if let Some(n) = &p.name {
        am.name = Set(required(&mut issues, "name", n, 50, false));
        fields.push("name".to_owned());
    }
    if let Some(m) = &p.mobile {
        am.mobile = Set(mobile(&mut issues, m.as_deref()));
        fields.push("mobile".to_owned());
    }
    if let Some(l) = p.qualification_level {
        am.qualification_level = Set(l);
        fields.push("qualification_level".to_owned());
    }
    if let Some(c) = &p.certificate_no {
        am.certificate_no = Set(certificate(&mut issues, c));
        fields.push("certificate_no".to_owned());
    }
    if !issues.is_empty() {
        return Err(ApiError::Validation(issues));
    }
    am.version = Set(cur.version + 1);
    am.updated_at = Set(Utc::now());
    let r = worker::Entity::update_many()
        .set(am)
        .filter(worker::Column::Id.eq(id))
        .filter(worker::Column::Version.eq(p.version))
        .exec(&txn)
        .await
        .map_err(|e| duplicate_certificate(e.into()))?;
    if r.rows_affected != 1 {
        return Err(ApiError::VersionMismatch {
            current: cur.version + 1,
        });
    }
    audit::record(
        &txn,
        actor,
        Entry {
            action: "update",
            entity_type: "youth_social_worker",
            entity_id: id,
            fields,
            reason: None,
        },
    )
    .await?;
    let m = get(&txn, scope, id).await?;
    txn.commit().await?;
    Ok(m)
}

/// Lists social workers in scope, by name.
///
/// # Errors
/// Database errors.
pub async fn list(
    db: &impl ConnectionTrait,
    scope: &Scope,
    f: &SocialWorkerFilter,
    page: u64,
    per_page: u64,
) -> Result<Page<worker::Model>, ApiError> {
    let mut q = worker::Entity::find();
    match scope {
        Scope::All => {}
        Scope::Subtree(root) => {
            q = q.filter(worker::Column::OrganizationId.in_subquery(subtree_ids(*root)));
        }
        Scope::Nothing => return Ok(empty_page(page, per_page)),
    }
    if let Some(org) = f.organization_id {
        q = q.filter(worker::Column::OrganizationId.in_subquery(subtree_ids(org)));
    }
    if let Some(l) = f.qualification_level {
        q = q.filter(worker::Column::QualificationLevel.eq(l));
    }
    if let Some(n) = f.name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        q = q.filter(worker::Column::Name.like(format!("%{}%", escape_like(n))));
    }
    crate::pagination::fetch(
        q.order_by_asc(worker::Column::Name)
            .order_by_asc(worker::Column::Id),
        db,
        page,
        per_page,
    )
    .await
}

/// Takes the worker's row lock for the rest of the transaction.
async fn lock_worker(db: &impl ConnectionTrait, id: Uuid) -> Result<(), ApiError> {
    worker::Entity::update_many()
        .col_expr(worker::Column::Version, Expr::col(worker::Column::Version))
        .filter(worker::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// 409 `assignment_overlap` when another assignment of the worker to the home shares a day.
async fn check_overlap(
    db: &impl ConnectionTrait,
    worker_id: Uuid,
    home: Uuid,
    except: Option<Uuid>,
    starts_on: NaiveDate,
    ends_on: Option<NaiveDate>,
) -> Result<(), ApiError> {
    let others = assignment::Entity::find()
        .filter(assignment::Column::WorkerId.eq(worker_id))
        .filter(assignment::Column::YouthHomeId.eq(home))
        .all(db)
        .await?;
    let clash = others
        .iter()
        .filter(|a| Some(a.id) != except)
        .any(|a| rules::days_overlap(a.starts_on, a.ends_on, starts_on, ends_on));
    if clash {
        return Err(ApiError::Conflict {
            code: "assignment_overlap",
            detail: "this worker already has an assignment to this youth home covering some of these days".into(),
        });
    }
    Ok(())
}

/// Assignment days lie in the years 2000–2100 (as project dates do) and end on or after the
/// first day.
fn date_order(starts_on: NaiveDate, ends_on: Option<NaiveDate>) -> Result<(), ApiError> {
    let in_range = |d: NaiveDate| (2000..=2100).contains(&d.year());
    if !in_range(starts_on) || ends_on.is_some_and(|e| !in_range(e)) {
        return Err(ApiError::field(
            if in_range(starts_on) {
                "ends_on"
            } else {
                "starts_on"
            },
            "date_range",
            "assignment days lie in the years 2000 to 2100",
        ));
    }
    if ends_on.is_some_and(|e| e < starts_on) {
        return Err(ApiError::field(
            "ends_on",
            "period_order",
            "the last day is on or after the first day",
        ));
    }
    Ok(())
}

/// The assignment if the scope covers its youth home or its worker's employer; 404 otherwise.
///
/// # Errors
/// 404, database errors.
pub async fn get_assignment(
    db: &impl ConnectionTrait,
    scope: &Scope,
    id: Uuid,
) -> Result<assignment::Model, ApiError> {
    let a = assignment::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("assignment"))?;
    if in_scope(db, scope, a.youth_home_id).await? {
        return Ok(a);
    }
    let w = worker::Entity::find_by_id(a.worker_id).one(db).await?;
    match w {
        Some(w) if in_scope(db, scope, w.organization_id).await? => Ok(a),
        _ => Err(ApiError::NotFound("assignment")),
    }
}

/// Assigns a worker in scope to a youth home in scope. Audit action `create`.
///
/// # Errors
/// 409 `assignment_overlap`, 422 `worker_not_found` / `youth_home_not_found` / `period_order`.
pub async fn create_assignment(
    db: &impl TransactionTrait,
    scope: &Scope,
    actor: &Actor,
    created_by: Uuid,
    input: AssignmentIn,
) -> Result<assignment::Model, ApiError> {
    date_order(input.starts_on, input.ends_on)?;
    let txn = db.begin().await?;
    let mut issues = Vec::new();
    if let Err(e) = get(&txn, scope, input.worker_id).await {
        if !matches!(e, ApiError::NotFound(_)) {
            return Err(e);
        }
        issues.push(FieldIssue::new(
            "worker_id",
            "worker_not_found",
            "no such social worker in your scope",
        ));
    }
    let home = if in_scope(&txn, scope, input.youth_home_id).await? {
        organization::Entity::find_by_id(input.youth_home_id)
            .one(&txn)
            .await?
    } else {
        None
    };
    if !home.is_some_and(|h| h.kind == OrganizationKind::YouthHome) {
        issues.push(FieldIssue::new(
            "youth_home_id",
            "youth_home_not_found",
            "no youth home (organization of kind youth_home) with this id in your scope",
        ));
    }
    if !issues.is_empty() {
        return Err(ApiError::Validation(issues));
    }
    lock_worker(&txn, input.worker_id).await?;
    check_overlap(
        &txn,
        input.worker_id,
        input.youth_home_id,
        None,
        input.starts_on,
        input.ends_on,
    )
    .await?;
    let now = Utc::now();
    let id = Uuid::now_v7();
    let m = assignment::ActiveModel {
        id: Set(id),
        worker_id: Set(input.worker_id),
        youth_home_id: Set(input.youth_home_id),
        starts_on: Set(input.starts_on),
        ends_on: Set(input.ends_on),
        created_by: Set(created_by),
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
            entity_type: "social_worker_assignment",
            entity_id: id,
            fields: ["worker_id", "youth_home_id", "starts_on", "ends_on"]
                .map(String::from)
                .to_vec(),
            reason: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(m)
}

/// Changes an assignment's last day; `version` must match; the overlap rule is re-checked.
/// Audit action `update`.
///
/// # Errors
/// 404, 409 `assignment_overlap`, 412, 422 `period_order`.
pub async fn update_assignment(
    db: &impl TransactionTrait,
    scope: &Scope,
    actor: &Actor,
    id: Uuid,
    p: AssignmentPatch,
) -> Result<assignment::Model, ApiError> {
    let txn = db.begin().await?;
    let cur = get_assignment(&txn, scope, id).await?;
    if cur.version != p.version {
        return Err(ApiError::VersionMismatch {
            current: cur.version,
        });
    }
    date_order(cur.starts_on, p.ends_on)?;
    lock_worker(&txn, cur.worker_id).await?;
    check_overlap(
        &txn,
        cur.worker_id,
        cur.youth_home_id,
        Some(id),
        cur.starts_on,
        p.ends_on,
    )
    .await?;
    let r = assignment::Entity::update_many()
        .col_expr(assignment::Column::EndsOn, Expr::value(p.ends_on))
        .col_expr(assignment::Column::Version, Expr::value(cur.version + 1))
        .col_expr(assignment::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(assignment::Column::Id.eq(id))
        .filter(assignment::Column::Version.eq(p.version))
        .exec(&txn)
        .await?;
    if r.rows_affected != 1 {
        return Err(ApiError::VersionMismatch {
            current: cur.version + 1,
        });
    }
    audit::record(
        &txn,
        actor,
        Entry {
            action: "update",
            entity_type: "social_worker_assignment",
            entity_id: id,
            fields: vec!["ends_on".into()],
            reason: None,
        },
    )
    .await?;
    let m = get_assignment(&txn, scope, id).await?;
    txn.commit().await?;
    Ok(m)
}

/// Deletes an assignment (one made in error; ending one is an update of `ends_on`). Audit
/// action `delete`.
///
/// # Errors
/// 404.
pub async fn delete_assignment(
    db: &impl TransactionTrait,
    scope: &Scope,
    actor: &Actor,
    id: Uuid,
) -> Result<(), ApiError> {
    let txn = db.begin().await?;
    get_assignment(&txn, scope, id).await?;
    assignment::Entity::delete_by_id(id).exec(&txn).await?;
    audit::record(
        &txn,
        actor,
        Entry {
            action: "delete",
            entity_type: "social_worker_assignment",
            entity_id: id,
            fields: vec![],
            reason: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Assignments whose youth home or worker's employer is in scope, by first day.
///
/// # Errors
/// Database errors.
pub async fn list_assignments(
    db: &impl ConnectionTrait,
    scope: &Scope,
    f: &AssignmentFilter,
    page: u64,
    per_page: u64,
) -> Result<Page<assignment::Model>, ApiError> {
    let mut q = assignment::Entity::find();
    match scope {
        Scope::All => {}
        Scope::Subtree(root) => {
            let workers = Query::select()
                .column(worker::Column::Id)
                .from(worker::Entity)
                .and_where(worker::Column::OrganizationId.in_subquery(subtree_ids(*root)))
                .to_owned();
            q = q.filter(
                Condition::any()
                    .add(assignment::Column::YouthHomeId.in_subquery(subtree_ids(*root)))
                    .add(assignment::Column::WorkerId.in_subquery(workers)),
            );
        }
        Scope::Nothing => return Ok(empty_page(page, per_page)),
    }
    if let Some(w) = f.worker_id {
        q = q.filter(assignment::Column::WorkerId.eq(w));
    }
    if let Some(h) = f.youth_home_id {
        q = q.filter(assignment::Column::YouthHomeId.eq(h));
    }
    if let Some(d) = f.on {
        q = q.filter(covers(d));
    }
    crate::pagination::fetch(
        q.order_by_asc(assignment::Column::StartsOn)
            .order_by_asc(assignment::Column::Id),
        db,
        page,
        per_page,
    )
    .await
}

/// `starts_on <= d AND (ends_on IS NULL OR ends_on >= d)`.
fn covers(d: NaiveDate) -> Condition {
    Condition::all()
        .add(assignment::Column::StartsOn.lte(d))
        .add(
            Condition::any()
                .add(assignment::Column::EndsOn.is_null())
                .add(assignment::Column::EndsOn.gte(d)),
        )
}

/// Active youth homes in scope with no assignment covering day `d`, by name.
///
/// # Errors
/// Database errors.
pub async fn uncovered_youth_homes(
    db: &impl ConnectionTrait,
    scope: &Scope,
    d: NaiveDate,
    page: u64,
    per_page: u64,
) -> Result<Page<organization::Model>, ApiError> {
    let mut q = organization::Entity::find()
        .filter(organization::Column::Kind.eq(OrganizationKind::YouthHome))
        .filter(organization::Column::Status.eq(OrganizationStatus::Active));
    match scope {
        Scope::All => {}
        Scope::Subtree(root) => {
            q = q.filter(organization::Column::Id.in_subquery(subtree_ids(*root)));
        }
        Scope::Nothing => return Ok(empty_page(page, per_page)),
    }
    let covered = Query::select()
        .column(assignment::Column::YouthHomeId)
        .from(assignment::Entity)
        .cond_where(covers(d))
        .to_owned();
    q = q.filter(organization::Column::Id.not_in_subquery(covered));
    crate::pagination::fetch(
        q.order_by_asc(organization::Column::Name)
            .order_by_asc(organization::Column::Id),
        db,
        page,
        per_page,
    )
    .await
}
