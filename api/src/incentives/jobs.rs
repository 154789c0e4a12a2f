//! Background work of incentives, run every minute by every API node (DESIGN.md §2 "Background
//! work"; issue 5):
//!
//! - a certification whose public notice (公示) ended without objection is granted the day after
//!   the notice's last working day (platform time zone), exactly as an admin's `grant` would;
//! - a rule set that has taken effect gets the stored levels of its scope recomputed once.
//!
//! Both are claimed with conditional updates (the certification's status, the rule set's
//! `applied_at`), so several nodes never do the same work twice, and both are idempotent, so a
//! node that dies half-way leaves work the next tick finishes.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use entity::enums::CertificationStatus;
use entity::{level_certification, rule_set};
use sea_orm::{
    ColumnTrait as _, DatabaseConnection, EntityTrait as _, QueryFilter as _, QueryOrder as _,
    QuerySelect as _, sea_query::Expr,
};

use super::service::{Decision, decide, recompute_all};
use crate::audit::Actor;
use crate::auth::Scope;
use crate::error::ApiError;
use crate::records::service::local_date;

/// Work items handled per tick and kind, so one tick stays short.
const BATCH: u64 = 200;

/// What one run did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct JobsOut {
    /// Certifications granted because their notice ended without objection.
    pub granted: usize,
    /// Rule sets whose scope was recomputed.
    pub rule_sets_applied: usize,
    /// Volunteers whose stored level changed in those recomputations.
    pub levels_changed: u64,
    /// Work items that failed (logged, retried on the next tick).
    pub failed: usize,
}

/// Runs the due incentive work as of `now` (UTC; calendar dates in `tz`). The acting account of
/// the audit rows is the system (no account).
///
/// A failing item is logged and counted in [`JobsOut::failed`] without stopping the others.
///
/// # Errors
/// Database errors of the queries that find the due work (retried on the next tick).
pub async fn run_due(
    db: &DatabaseConnection,
    tz: Tz,
    now: DateTime<Utc>,
) -> Result<JobsOut, ApiError> {
    let today = local_date(tz, now);
    let system = Actor::default();
    let mut out = JobsOut::default();

    let ended: Vec<uuid::Uuid> = level_certification::Entity::find()
        .select_only()
        .column(level_certification::Column::Id)
        .filter(level_certification::Column::Status.eq(CertificationStatus::InNotice))
        .filter(level_certification::Column::NoticeEndsOn.lt(today))
        .order_by_asc(level_certification::Column::Id)
        .limit(BATCH)
        .into_tuple()
        .all(db)
        .await?;
    for id in ended {
        match decide(db, tz, &Scope::All, &system, id, Decision::Grant).await {
            Ok(_) => out.granted += 1,
            // Another node (or an admin) decided it first.
            Err(ApiError::Conflict { .. }) => {}
            // One failing certification must not hold up the others or the rule sets: it is
            // logged (ids only) and retried on the next tick.
            Err(e) => {
                tracing::warn!(certification = %id, error = %e, "granting after the notice failed");
                out.failed += 1;
            }
        }
    }

    let due: Vec<rule_set::Model> = rule_set::Entity::find()
        .filter(rule_set::Column::AppliedAt.is_null())
        .filter(rule_set::Column::EffectiveFrom.lte(today))
        .order_by_asc(rule_set::Column::EffectiveFrom)
        .limit(BATCH)
        .all(db)
        .await?;
    for set in due {
        let claimed = rule_set::Entity::update_many()
            .col_expr(rule_set::Column::AppliedAt, Expr::value(now))
            .filter(rule_set::Column::Id.eq(set.id))
            .filter(rule_set::Column::AppliedAt.is_null())
            .exec(db)
            .await?;
        if claimed.rows_affected != 1 {
            continue;
        }
        match recompute_all(db, tz, &system, set.scope_organization_id).await {
            Ok(r) => {
                out.rule_sets_applied += 1;
                out.levels_changed += r.changed;
            }
            Err(e) => {
                // Release the claim so that the next tick retries; go on with the others.
                tracing::warn!(rule_set = %set.id, error = %e, "recomputing levels failed");
                out.failed += 1;
                rule_set::Entity::update_many()
                    .col_expr(
                        rule_set::Column::AppliedAt,
                        Expr::value(Option::<DateTime<Utc>>::None),
                    )
                    .filter(rule_set::Column::Id.eq(set.id))
                    .exec(db)
                    .await?;
            }
        }
    }
    Ok(out)
}
