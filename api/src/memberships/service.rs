//! Membership lifecycle: a volunteer applies (`pending`), an admin whose scope covers the
//! organization approves (`active`) or rejects (`rejected`), the volunteer may leave (`left`).
//! Re-applying after `rejected` or `left` reuses the row (one row per volunteer and
//! organization), so the history of decisions lives in the audit log.

use chrono::Utc;
use entity::enums::{MembershipStatus, OrganizationStatus, Role, VolunteerStatus};
use entity::volunteer_membership as membership;
use entity::{organization, volunteer};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait as _, ConnectionTrait, DbErr, EntityTrait as _, QueryFilter as _, QueryOrder as _,
    SqlErr, TransactionSession as _, TransactionTrait,
};
use uuid::Uuid;

use super::dto::{MembershipFilter, MembershipIn};
use crate::audit::{self, Actor, Entry};
use crate::auth::{AuthUser, Scope};
use crate::error::ApiError;
use crate::organizations::service::{in_scope, subtree_ids};
use crate::pagination::Page;
use crate::volunteers::service::check_joinable;

fn duplicate() -> ApiError {
    ApiError::Conflict {
        code: "duplicate_membership",
        detail: "the volunteer already has a pending or active membership of this organization"
            .into(),
    }
}

fn invalid_state(detail: &str) -> ApiError {
    ApiError::Conflict {
        code: "invalid_state",
        detail: detail.into(),
    }
}

fn map_unique(e: DbErr) -> ApiError {
    if let Some(SqlErr::UniqueConstraintViolation(_)) = e.sql_err() {
        return duplicate();
    }
    e.into()
}

/// A volunteer applies to join an organization: a new `pending` membership, or the existing
/// `rejected` / `left` row back to `pending`. Audit action `apply`.
///
/// # Errors
/// 404 when the caller has no volunteer profile, 409 `volunteer_deregistered`, 422
/// `organization_not_found` / `organization_inactive` on `organization_id`, 409
/// `duplicate_membership` when a pending or active membership exists.
pub async fn apply(
    db: &impl TransactionTrait,
    volunteer_id: Uuid,
    actor: &Actor,
    input: MembershipIn,
) -> Result<membership::Model, ApiError> {
    let txn = db.begin().await?;
    let vol = volunteer::Entity::find_by_id(volunteer_id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("volunteer"))?;
    if vol.status == VolunteerStatus::Deregistered {
        return Err(ApiError::Conflict {
            code: "volunteer_deregistered",
            detail: "the volunteer has deregistered".into(),
        });
    }
    let mut issues = Vec::new();
    check_joinable(&txn, &Scope::All, input.organization_id, &mut issues).await?;
    if !issues.is_empty() {
        return Err(ApiError::Validation(issues));
    }
    let now = Utc::now();
    let existing = membership::Entity::find()
        .filter(membership::Column::VolunteerId.eq(volunteer_id))
        .filter(membership::Column::OrganizationId.eq(input.organization_id))
        .one(&txn)
        .await?;
    let is_new = existing.is_none();
    let saved = match existing {
        Some(m)
            if matches!(
                m.status,
                MembershipStatus::Pending | MembershipStatus::Active
            ) =>
        {
            return Err(duplicate());
        }
        Some(m) => {
            let res = membership::Entity::update_many()
                .col_expr(
                    membership::Column::Status,
                    Expr::value(MembershipStatus::Pending),
                )
                .col_expr(membership::Column::AppliedAt, Expr::value(now))
                .col_expr(
                    membership::Column::DecidedAt,
                    Expr::value(None::<chrono::DateTime<Utc>>),
                )
                .col_expr(membership::Column::DecidedBy, Expr::value(None::<Uuid>))
                .filter(membership::Column::Id.eq(m.id))
                .filter(membership::Column::Status.eq(m.status))
                .exec(&txn)
                .await?;
            if res.rows_affected == 0 {
                return Err(duplicate());
            }
            membership::Model {
                status: MembershipStatus::Pending,
                applied_at: now,
                decided_at: None,
                decided_by: None,
                ..m
            }
        }
        None => {
            let m = membership::Model {
                id: Uuid::now_v7(),
                volunteer_id,
                organization_id: input.organization_id,
                status: MembershipStatus::Pending,
                applied_at: now,
                decided_at: None,
                decided_by: None,
            };
            membership::Entity::insert(membership::ActiveModel::from(m.clone()))
                .exec_without_returning(&txn)
                .await
                .map_err(map_unique)?;
            m
        }
    };
    audit::record(
        &txn,
        actor,
        Entry {
            action: "apply",
            entity_type: "membership",
            entity_id: saved.id,
            fields: vec!["status".into(), "applied_at".into()],
            reason: None,
        },
    )
    .await?;
    let op = if is_new {
        crate::sync::changes::Operation::Create
    } else {
        crate::sync::changes::Operation::Update
    };
    crate::sync::changes::membership(&txn, &saved, op).await?;
    txn.commit().await?;
    Ok(saved)
}

/// Lists memberships visible to `user`, newest application first: admins see those of
/// organizations in their scope, volunteers their own.
///
/// # Errors
/// Database errors.
pub async fn list(
    db: &impl ConnectionTrait,
    user: &AuthUser,
    filter: &MembershipFilter,
    page: u64,
    per_page: u64,
) -> Result<Page<membership::Model>, ApiError> {
    let empty = || Page {
        items: vec![],
        page,
        per_page,
        total: 0,
    };
    let mut q = membership::Entity::find();
    let scope = user.scope();
    if user.role == Role::Volunteer {
        let Some(own) = user.volunteer_id else {
            return Ok(empty());
        };
        q = q.filter(membership::Column::VolunteerId.eq(own));
    } else {
        match scope {
            Scope::All => {}
            Scope::Subtree(root) => {
                q = q.filter(membership::Column::OrganizationId.in_subquery(subtree_ids(root)));
            }
            Scope::Nothing => return Ok(empty()),
        }
    }
    if let Some(org) = filter.organization_id {
        if user.role != Role::Volunteer && !in_scope(db, &scope, org).await? {
            return Ok(empty());
        }
        q = q.filter(membership::Column::OrganizationId.eq(org));
    }
    if let Some(s) = filter.status {
        q = q.filter(membership::Column::Status.eq(s));
    }
    if let Some(v) = filter.volunteer_id {
        q = q.filter(membership::Column::VolunteerId.eq(v));
    }
    crate::pagination::fetch(
        q.order_by_desc(membership::Column::AppliedAt)
            .order_by_desc(membership::Column::Id),
        db,
        page,
        per_page,
    )
    .await
}

/// The membership if `user` may see it: its volunteer, or an admin whose scope covers its
/// organization; 404 otherwise.
///
/// # Errors
/// 404 `not_found`, database errors.
pub async fn get_visible(
    db: &impl ConnectionTrait,
    user: &AuthUser,
    id: Uuid,
) -> Result<membership::Model, ApiError> {
    let m = membership::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("membership"))?;
    let visible = if user.role == Role::Volunteer {
        user.volunteer_id == Some(m.volunteer_id)
    } else {
        in_scope(db, &user.scope(), m.organization_id).await?
    };
    if visible {
        Ok(m)
    } else {
        Err(ApiError::NotFound("membership"))
    }
}

/// Moves a membership from one of `from` to `to` if it is still in that state (guards against
/// two admins deciding at once), records who and when, and writes the audit row.
async fn transition(
    txn: &impl ConnectionTrait,
    m: membership::Model,
    to: MembershipStatus,
    actor: &Actor,
    action: &str,
) -> Result<membership::Model, ApiError> {
    let now = Utc::now();
    let res = membership::Entity::update_many()
        .col_expr(membership::Column::Status, Expr::value(to))
        .col_expr(membership::Column::DecidedAt, Expr::value(now))
        .col_expr(membership::Column::DecidedBy, Expr::value(actor.account_id))
        .filter(membership::Column::Id.eq(m.id))
        .filter(membership::Column::Status.eq(m.status))
        .exec(txn)
        .await?;
    if res.rows_affected == 0 {
        return Err(invalid_state("the membership was changed concurrently"));
    }
    audit::record(
        txn,
        actor,
        Entry {
            action,
            entity_type: "membership",
            entity_id: m.id,
            fields: vec!["status".into(), "decided_at".into(), "decided_by".into()],
            reason: None,
        },
    )
    .await?;
    let saved = membership::Model {
        status: to,
        decided_at: Some(now),
        decided_by: actor.account_id,
        ..m
    };
    crate::sync::changes::membership(txn, &saved, crate::sync::changes::Operation::Update).await?;
    Ok(saved)
}

/// An admin whose scope covers the organization approves (`approve = true`) or rejects a
/// pending membership. Approval needs the organization to be active. Audit action `approve` /
/// `reject`.
///
/// # Errors
/// 404 out of scope, 409 `invalid_state` unless pending, 422 `organization_inactive`.
pub async fn decide(
    db: &impl TransactionTrait,
    scope: &Scope,
    actor: &Actor,
    id: Uuid,
    approve: bool,
) -> Result<membership::Model, ApiError> {
    let txn = db.begin().await?;
    let m = membership::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("membership"))?;
    if !in_scope(&txn, scope, m.organization_id).await? {
        return Err(ApiError::NotFound("membership"));
    }
    if m.status != MembershipStatus::Pending {
        return Err(invalid_state(
            "only pending memberships can be approved or rejected",
        ));
    }
    let (to, action) = if approve {
        let org = organization::Entity::find_by_id(m.organization_id)
            .one(&txn)
            .await?;
        if org.is_none_or(|o| o.status != OrganizationStatus::Active) {
            return Err(ApiError::Rule {
                code: "organization_inactive",
                detail: "the organization is inactive".into(),
            });
        }
        (MembershipStatus::Active, "approve")
    } else {
        (MembershipStatus::Rejected, "reject")
    };
    let saved = transition(&txn, m, to, actor, action).await?;
    txn.commit().await?;
    Ok(saved)
}

/// The volunteer leaves an organization (or withdraws an application): pending or active →
/// `left`. Audit action `leave`.
///
/// # Errors
/// 404 unless it is the caller's membership, 409 `invalid_state` unless pending or active.
pub async fn leave(
    db: &impl TransactionTrait,
    volunteer_id: Uuid,
    actor: &Actor,
    id: Uuid,
) -> Result<membership::Model, ApiError> {
    let txn = db.begin().await?;
    let m = membership::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .filter(|m| m.volunteer_id == volunteer_id)
        .ok_or(ApiError::NotFound("membership"))?;
    if !matches!(
        m.status,
        MembershipStatus::Pending | MembershipStatus::Active
    ) {
        return Err(invalid_state(
            "only pending or active memberships can be left",
        ));
    }
    let saved = transition(&txn, m, MembershipStatus::Left, actor, "leave").await?;
    txn.commit().await?;
    Ok(saved)
}
