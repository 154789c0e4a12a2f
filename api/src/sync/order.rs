//! Commit order of the change log: the only database-specific SQL of the sync module.
//!
//! A change-feed reader must never skip a change that commits *after* the reader has moved past
//! it. An auto-increment alone does not give that on PostgreSQL: transaction A takes `seq` 10,
//! transaction B takes `seq` 11 and commits first; a reader that served 11 and remembered
//! "after 11" would never see 10 when A commits.
//!
//! - **SQLite** has one writer at a time (and this service keeps one pooled connection), so a
//!   change's `seq` is taken and committed before the next writer starts: `seq` order is commit
//!   order. `txid` is stored as 0 and the feed orders by `seq`.
//! - **PostgreSQL**: each change stores its writing transaction's id (`pg_current_xact_id()`, a
//!   64-bit xid8 that never wraps). A reader first takes the *horizon* —
//!   `pg_snapshot_xmin(pg_current_snapshot())`, the oldest transaction still running — and serves
//!   only changes whose `txid` is below it: those transactions have all finished, so no row with
//!   such a `txid` can still appear. The feed is ordered by `(txid, seq)`; every transaction that
//!   commits later has a `txid` at or above the horizon and therefore sorts after everything
//!   served so far. The price is latency, not correctness: while a transaction stays open, changes
//!   of younger transactions wait for it (cluster-wide, as xids are).
//!
//! We chose this over serialising change-log inserts on a counter row (which would make every
//! volunteer and ledger write of the platform queue behind one lock held to commit).

use sea_orm::sea_query::Expr;
use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement};

/// The value stored in `sync_changes.txid` by an insert inside the writing transaction.
pub fn txid_expr(backend: DbBackend) -> Expr {
    match backend {
        DbBackend::Postgres => Expr::cust("pg_current_xact_id()::text::bigint"),
        _ => Expr::value(0i64),
    }
}

/// The horizon: changes whose `txid` is below it are final. `None` means no limit (SQLite).
///
/// # Errors
/// Database errors.
pub async fn horizon(db: &impl ConnectionTrait) -> Result<Option<i64>, DbErr> {
    match db.get_database_backend() {
        DbBackend::Postgres => {
            let row = db
                .query_one_raw(Statement::from_string(
                    DbBackend::Postgres,
                    "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS horizon",
                ))
                .await?
                .ok_or_else(|| DbErr::Custom("no snapshot horizon".into()))?;
            Ok(Some(row.try_get::<i64>("", "horizon")?))
        }
        _ => Ok(None),
    }
}
