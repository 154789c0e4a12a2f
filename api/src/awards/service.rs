//! Shared services of the awards module (text checks, the stored star level, active sanctions)
//! and volunteer sanctions: warnings and disqualifications with dates and a reason, imposed and
//! lifted by admins whose scope covers the volunteer, both audited. An active sanction (not
//! lifted, `starts_on` ≤ today ≤ `ends_on`, platform time zone) of either kind bars a volunteer
//! from award nominations and keeps them off the credit list.

use chrono::{NaiveDate, Utc};
use entity::awards::volunteer_sanction;
use entity::{volunteer_level, volunteer_total};
use sea_orm::sea_query::{Query, SelectStatement};
use sea_orm::{
    ActiveValue::Set, ColumnTrait as _, Condition, ConnectionTrait, EntityTrait as _,
    QueryFilter as _, QueryOrder as _, TransactionSession as _, TransactionTrait,
};
use uuid::Uuid;

use super::dto::{SanctionIn, SanctionOut};
use crate::audit::{self, Actor, Entry};
use crate::auth::Scope;
use crate::error::{ApiError, FieldIssue};
use crate::pagination::{self, Page};
use crate::volunteers::service::find_in_scope;

/// A trimmed text of `min`–`max` characters, or a field issue `text_length` on `field`.
///
/// # Errors
/// The field issue.
pub fn text(field: &str, raw: &str, min: usize, max: usize) -> Result<String, FieldIssue> {
    let t = raw.trim();
    let n = t.chars().count();
    if n < min || n > max {
        return Err(FieldIssue::new(
            field,
            "text_length",
            format!("{field} has {min} to {max} characters"),
        ));
    }
    if t.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(FieldIssue::new(
            field,
            "text_characters",
            format!("{field} contains control characters"),
        ));
    }
    Ok(t.to_owned())
}

/// [`text`] as a 422.
///
/// # Errors
/// 422 `validation_failed`.
pub fn text_or_422(field: &str, raw: &str, min: usize, max: usize) -> Result<String, ApiError> {
    text(field, raw, min, max).map_err(|i| ApiError::Validation(vec![i]))
}

/// The volunteer's current star level as stored by the incentives module (recomputed in the
/// transaction of every change of approved minutes); 0 without a row.
///
/// # Errors
/// Database errors.
pub async fn stored_level(db: &impl ConnectionTrait, volunteer_id: Uuid) -> Result<i32, ApiError> {
    Ok(volunteer_level::Entity::find_by_id(volunteer_id)
        .one(db)
        .await?
        .map_or(0, |l| l.level))
}

/// The volunteer's approved minutes (all time) from the summary row; 0 without a row.
///
/// # Errors
/// Database errors.
pub async fn total_minutes(db: &impl ConnectionTrait, volunteer_id: Uuid) -> Result<i64, ApiError> {
    Ok(volunteer_total::Entity::find_by_id(volunteer_id)
        .one(db)
        .await?
        .map_or(0, |t| t.approved_minutes))
}

/// Condition on `volunteer_sanctions` rows active on `today`.
pub fn active_on(today: NaiveDate) -> Condition {
    use volunteer_sanction::Column as C;
    Condition::all()
        .add(C::LiftedAt.is_null())
        .add(C::StartsOn.lte(today))
        .add(
            Condition::any()
                .add(C::EndsOn.is_null())
                .add(C::EndsOn.gte(today)),
        )
}

/// `SELECT volunteer_id FROM volunteer_sanctions WHERE <active on today>`.
pub fn sanctioned_volunteers(today: NaiveDate) -> SelectStatement {
    Query::select()
        .column(volunteer_sanction::Column::VolunteerId)
        .from(volunteer_sanction::Entity)
        .cond_where(active_on(today))
        .to_owned()
}

/// Whether the volunteer has a sanction active on `today`.
///
/// # Errors
/// Database errors.
pub async fn is_sanctioned(
    db: &impl ConnectionTrait,
    volunteer_id: Uuid,
    today: NaiveDate,
) -> Result<bool, ApiError> {
    Ok(volunteer_sanction::Entity::find()
        .filter(volunteer_sanction::Column::VolunteerId.eq(volunteer_id))
        .filter(active_on(today))
        .one(db)
        .await?
        .is_some())
}

const SANCTION: &str = "volunteer_sanction";

/// Imposes a sanction on a volunteer in the admin's scope. Audit action `create` with the
/// reason.
///
/// # Errors
/// 404 volunteer missing or outside scope; 422 `text_length` on `reason`, `ends_before_start`
/// on `ends_on`; database errors.
pub async fn create_sanction<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    scope: &Scope,
    actor: &Actor,
    volunteer_id: Uuid,
    input: SanctionIn,
) -> Result<volunteer_sanction::Model, ApiError> {
    let mut issues = Vec::new();
    let reason = text("reason", &input.reason, 1, 500).unwrap_or_else(|i| {
        issues.push(i);
        String::new()
    });
    if input.ends_on.is_some_and(|e| e < input.starts_on) {
        issues.push(FieldIssue::new(
            "ends_on",
            "ends_before_start",
            "ends_on is not before starts_on",
        ));
    }
    if !issues.is_empty() {
        return Err(ApiError::Validation(issues));
    }
    find_in_scope(db, scope, volunteer_id).await?;
    let model = volunteer_sanction::Model {
        id: Uuid::now_v7(),
        volunteer_id,
        kind: input.kind,
        starts_on: input.starts_on,
        ends_on: input.ends_on,
        reason: reason.clone(),
        lifted_at: None,
        lifted_by: None,
        lift_reason: None,
        created_by: actor.account_id,
        created_at: Utc::now(),
    };
    let txn = db.begin().await?;
    volunteer_sanction::Entity::insert(volunteer_sanction::ActiveModel::from(model.clone()))
        .exec_without_returning(&txn)
        .await?;
    audit::record(
        &txn,
        actor,
        Entry {
            action: "create",
            entity_type: SANCTION,
            entity_id: model.id,
            fields: ["volunteer_id", "kind", "starts_on", "ends_on", "reason"]
                .into_iter()
                .map(String::from)
                .collect(),
            reason: Some(reason),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

/// Sanctions of a volunteer in the admin's scope, newest first.
///
/// # Errors
/// 404 volunteer missing or outside scope; database errors.
pub async fn list_sanctions(
    db: &impl ConnectionTrait,
    scope: &Scope,
    volunteer_id: Uuid,
    page: u64,
    per_page: u64,
) -> Result<Page<volunteer_sanction::Model>, ApiError> {
    find_in_scope(db, scope, volunteer_id).await?;
    let q = volunteer_sanction::Entity::find()
        .filter(volunteer_sanction::Column::VolunteerId.eq(volunteer_id))
        .order_by_desc(volunteer_sanction::Column::StartsOn)
        .order_by_desc(volunteer_sanction::Column::Id);
    pagination::fetch(q, db, page, per_page).await
}

/// Lifts a sanction (admins whose scope covers its volunteer), with a reason; a conditional
/// update on `lifted_at IS NULL`, so it happens once. Audit action `lift`.
///
/// # Errors
/// 404 missing or outside scope; 409 `already_lifted`; 422 `text_length`; database errors.
pub async fn lift_sanction<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    scope: &Scope,
    actor: &Actor,
    id: Uuid,
    reason: &str,
) -> Result<volunteer_sanction::Model, ApiError> {
    let reason = text_or_422("reason", reason, 1, 500)?;
    let s = volunteer_sanction::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("sanction"))?;
    find_in_scope(db, scope, s.volunteer_id)
        .await
        .map_err(|_| ApiError::NotFound("sanction"))?;
    let now = Utc::now();
    let txn = db.begin().await?;
    let done = volunteer_sanction::Entity::update_many()
        .set(volunteer_sanction::ActiveModel {
            lifted_at: Set(Some(now)),
            lifted_by: Set(actor.account_id),
            lift_reason: Set(Some(reason.clone())),
            ..Default::default()
        })
        .filter(volunteer_sanction::Column::Id.eq(id))
        .filter(volunteer_sanction::Column::LiftedAt.is_null())
        .exec(&txn)
        .await?;
    if done.rows_affected != 1 {
        return Err(ApiError::Conflict {
            code: "already_lifted",
            detail: "the sanction has already been lifted".into(),
        });
    }
    audit::record(
        &txn,
        actor,
        Entry {
            action: "lift",
            entity_type: SANCTION,
            entity_id: id,
            fields: vec!["lifted_at".into(), "lift_reason".into()],
            reason: Some(reason.clone()),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(volunteer_sanction::Model {
        lifted_at: Some(now),
        lifted_by: actor.account_id,
        lift_reason: Some(reason),
        ..s
    })
}

/// The response page of sanctions evaluated on `today`.
pub fn sanction_page(p: Page<volunteer_sanction::Model>, today: NaiveDate) -> Page<SanctionOut> {
    Page {
        items: p
            .items
            .into_iter()
            .map(|m| SanctionOut::new(m, today))
            .collect(),
        page: p.page,
        per_page: p.per_page,
        total: p.total,
    }
}
