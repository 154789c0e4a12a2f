//! The webhook worker: turns change-log events into delivery jobs (fan-out) and sends due jobs,
//! on every API node.
//!
//! Delivery runs as jobs in the `webhook_deliveries` table, claimed with a lease. DESIGN.md asks
//! for a maintained job-queue crate; none fits this build: apalis and the other database-backed
//! queues depend on sqlx 0.8 (or bundle their own `libsqlite3-sys`), which cannot link next to
//! sea-orm 2's sqlx 0.9 — both declare `links = "sqlite3"`. The queue here is therefore one
//! small table and two conditional statements, the same on SQLite and PostgreSQL:
//!
//! - **claim**: `UPDATE webhook_deliveries SET lease_until = now + lease, lease_token = <new>,
//!   attempts = attempts + 1 WHERE id = ? AND status = 'pending' AND next_attempt_at <= now AND
//!   (lease_until IS NULL OR lease_until < now)`. Only the node whose update touched the row sends
//!   it; a node that dies mid-send leaves a lease that expires, and the job is retried.
//! - **finish**: `UPDATE … SET status, next_attempt_at, last_response_code, lease_until = NULL
//!   WHERE id = ? AND lease_token = <mine>`.
//!
//! Fan-out follows each endpoint's position in the change feed (the same commit-order read as
//! `GET /sync/changes`, in the partner's scope) and inserts one job per matching event, moving
//! the position with a conditional update in the same transaction; the unique
//! `(endpoint_id, change_id)` index makes a duplicate impossible even if two nodes race.
//!
//! Retries: attempt *n* failing (no answer within the timeout, a transport error, or a status
//! other than 2xx) is retried after `APP_WEBHOOK_BACKOFF_MS × 2^(n−1)`, at most one hour, until
//! `APP_WEBHOOK_MAX_ATTEMPTS` attempts, then the job is `failed` (visible in the delivery list and
//! redeliverable).

use std::time::Duration;

use chrono::{DateTime, Utc};
use entity::partners::{PartnerStatus, partner_platform};
use entity::sync::{change, webhook_delivery as delivery, webhook_endpoint as endpoint};
use sea_orm::sea_query::{Expr, OnConflict, Query};
use sea_orm::{
    ColumnTrait as _, Condition, ConnectionTrait, DatabaseConnection, EntityTrait as _,
    QueryFilter as _, QueryOrder as _, QuerySelect as _, TransactionTrait as _,
};
use uuid::Uuid;

use super::dto::WebhookEvent;
use super::feed::{self, Position};
use super::{partner, signature};
use crate::config::Environment;
use crate::crypto::FieldCrypto;
use crate::error::ApiError;
use crate::state::AppState;

/// Events fanned out per endpoint and run.
const FAN_OUT_BATCH: u64 = 500;
/// Jobs sent per run and node.
const SEND_BATCH: u64 = 20;
/// Longest retry delay.
const MAX_BACKOFF_MS: u64 = 3_600_000;

/// How the worker sends.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// First retry delay; doubles per attempt up to one hour.
    pub backoff: Duration,
    /// Attempts before a job is `failed`.
    pub max_attempts: i32,
    /// How long a claimed job stays with its worker (request timeout plus a margin).
    pub lease: Duration,
}

impl WorkerConfig {
    /// From the settings (`APP_WEBHOOK_*`).
    pub fn from_state(state: &AppState) -> Self {
        let s = &state.settings;
        Self {
            backoff: Duration::from_millis(s.webhook_backoff_ms),
            max_attempts: s.webhook_max_attempts.max(1),
            lease: Duration::from_millis(s.webhook_timeout_ms) + Duration::from_secs(30),
        }
    }

    /// Delay before the attempt after failed attempt number `attempts` (1-based).
    pub fn backoff_after(&self, attempts: i32) -> Duration {
        let base = u64::try_from(self.backoff.as_millis()).unwrap_or(MAX_BACKOFF_MS);
        let shift = u32::try_from(attempts.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
        Duration::from_millis(base.saturating_mul(1u64 << shift).min(MAX_BACKOFF_MS))
    }
}

/// The field crypto of `settings` (endpoint secrets are encrypted with the field key), for
/// callers that drive [`deliver_due`] themselves, such as tests.
pub fn secret_crypto(settings: &crate::config::Settings) -> FieldCrypto {
    use secrecy::ExposeSecret as _;
    FieldCrypto::new(settings.field_key.expose_secret())
}

/// The HTTP client of webhook delivery: rustls with the ring provider, the configured timeout,
/// no redirects (a 3xx counts as a failure). Development settings: any address may be reached.
///
/// # Errors
/// When the TLS setup fails.
pub fn client(timeout: Duration) -> Result<reqwest::Client, reqwest::Error> {
    client_for(timeout, Environment::Development)
}

/// Like [`client`]; outside development host names resolve only to public addresses
/// ([`PublicOnlyResolver`]), so a receiver's DNS cannot point deliveries at this machine or its
/// internal networks (SSRF; IP literals are refused when the endpoint is registered).
///
/// # Errors
/// When the TLS setup fails.
pub fn client_for(timeout: Duration, env: Environment) -> Result<reqwest::Client, reqwest::Error> {
    // Another part of the process may have installed it already; either way one is in place.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut builder = reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent("youth-volunteer-webhooks/1");
    if env != Environment::Development {
        builder = builder.dns_resolver(PublicOnlyResolver);
    }
    builder.build()
}

/// A DNS resolver (the system's, through `tokio::net::lookup_host`) that drops every address
/// [`super::webhooks::is_public_ip`] refuses, and fails when none is left.
#[derive(Debug, Clone, Copy)]
pub struct PublicOnlyResolver;

impl reqwest::dns::Resolve for PublicOnlyResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs: Vec<std::net::SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|a| super::webhooks::is_public_ip(a.ip()))
                .collect();
            if addrs.is_empty() {
                return Err(format!("{host} resolves to no public address").into());
            }
            let addrs: reqwest::dns::Addrs = Box::new(addrs.into_iter());
            Ok(addrs)
        })
    }
}

/// Starts this node's worker: fan-out and sending every `APP_WEBHOOK_POLL_MS`.
///
/// # Errors
/// When the HTTP client cannot be built.
pub fn spawn(state: &AppState) -> Result<(), reqwest::Error> {
    let http = client_for(
        Duration::from_millis(state.settings.webhook_timeout_ms),
        state.settings.environment,
    )?;
    let db = state.db.clone();
    let crypto = state.crypto.clone();
    let cfg = WorkerConfig::from_state(state);
    let poll = Duration::from_millis(state.settings.webhook_poll_ms.max(10));
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(poll);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = fan_out(&db).await {
                tracing::warn!(error = %e, "webhook fan-out failed; retrying");
            }
            if let Err(e) = deliver_due(&db, &crypto, &http, &cfg).await {
                tracing::warn!(error = %e, "webhook delivery failed; retrying");
            }
        }
    });
    Ok(())
}

/// The JSON body of an event (Standard Webhooks shape: `type`, `timestamp`, `data`).
fn payload(event: WebhookEvent, c: &change::Model) -> String {
    serde_json::json!({
        "type": event.as_str(),
        "timestamp": c.committed_at,
        "data": {
            "change_id": c.id,
            "seq": c.seq,
            "event_type": c.event_type,
            "entity_type": c.entity_type,
            "entity_id": c.entity_id,
            "organization_id": c.organization_id,
            "operation": c.operation,
            "object": serde_json::from_str::<serde_json::Value>(&c.snapshot).unwrap_or_default(),
        }
    })
    .to_string()
}

/// Moves every active endpoint of an active partner forward in the change feed, making a job for
/// each event it subscribed to. Returns the number of jobs made.
///
/// # Errors
/// Database errors.
pub async fn fan_out(db: &DatabaseConnection) -> Result<usize, ApiError> {
    let endpoints = endpoint::Entity::find()
        .filter(endpoint::Column::Active.eq(true))
        .all(db)
        .await?;
    let mut made = 0;
    for ep in endpoints {
        let Some(scope) = partner::scope_of(db, ep.partner_id).await? else {
            continue;
        };
        let wanted: Vec<String> = serde_json::from_str(&ep.event_types).unwrap_or_default();
        let after = Position {
            txid: ep.cursor_txid,
            seq: ep.cursor_seq,
        };
        let (rows, next) = feed::read(db, &scope, after, FAN_OUT_BATCH).await?;
        if next == after {
            continue;
        }
        let now = Utc::now();
        let jobs: Vec<(Uuid, Uuid, &'static str, String)> = rows
            .iter()
            .filter_map(|c| {
                let e = WebhookEvent::of_change(&c.event_type)?;
                wanted
                    .iter()
                    .any(|w| w == e.as_str())
                    .then(|| (Uuid::now_v7(), c.id, e.as_str(), payload(e, c)))
            })
            .collect();
        let txn = db.begin().await?;
        let moved = endpoint::Entity::update_many()
            .col_expr(endpoint::Column::CursorTxid, Expr::value(next.txid))
            .col_expr(endpoint::Column::CursorSeq, Expr::value(next.seq))
            .filter(endpoint::Column::Id.eq(ep.id))
            .filter(endpoint::Column::CursorTxid.eq(after.txid))
            .filter(endpoint::Column::CursorSeq.eq(after.seq))
            .exec(&txn)
            .await?;
        if moved.rows_affected != 1 {
            // Another node fanned this batch out first; dropping `txn` rolls back.
            continue;
        }
        // 10 values per row: 100 rows stay far below the bind-parameter limits.
        for part in jobs.chunks(100) {
            let mut stmt = Query::insert()
                .into_table(delivery::Entity)
                .columns([
                    delivery::Column::Id,
                    delivery::Column::EndpointId,
                    delivery::Column::PartnerId,
                    delivery::Column::ChangeId,
                    delivery::Column::EventType,
                    delivery::Column::Payload,
                    delivery::Column::Status,
                    delivery::Column::Attempts,
                    delivery::Column::NextAttemptAt,
                    delivery::Column::CreatedAt,
                    delivery::Column::UpdatedAt,
                ])
                .on_conflict(
                    OnConflict::columns([delivery::Column::EndpointId, delivery::Column::ChangeId])
                        .do_nothing()
                        .to_owned(),
                )
                .to_owned();
            for (id, change_id, event, body) in part {
                stmt.values([
                    Expr::value(*id),
                    Expr::value(ep.id),
                    Expr::value(ep.partner_id),
                    Expr::value(*change_id),
                    Expr::value(*event),
                    Expr::value(body.clone()),
                    Expr::value("pending"),
                    Expr::value(0),
                    Expr::value(now),
                    Expr::value(now),
                    Expr::value(now),
                ])
                .map_err(ApiError::internal)?;
            }
            txn.execute(&stmt).await?;
        }
        txn.commit().await?;
        made += jobs.len();
    }
    Ok(made)
}

/// Claims one job for this worker: the conditional update described in the module docs.
/// Returns the lease token when this worker got it.
///
/// # Errors
/// Database errors.
pub async fn claim(
    db: &impl ConnectionTrait,
    id: Uuid,
    lease: Duration,
    now: DateTime<Utc>,
) -> Result<Option<Uuid>, ApiError> {
    use sea_orm::sea_query::ExprTrait as _;
    let token = Uuid::now_v7();
    let until = now + chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::minutes(1));
    let done = delivery::Entity::update_many()
        .col_expr(delivery::Column::LeaseUntil, Expr::value(Some(until)))
        .col_expr(delivery::Column::LeaseToken, Expr::value(Some(token)))
        .col_expr(
            delivery::Column::Attempts,
            Expr::col(delivery::Column::Attempts).add(1),
        )
        .col_expr(delivery::Column::LastAttemptAt, Expr::value(Some(now)))
        .col_expr(delivery::Column::UpdatedAt, Expr::value(now))
        .filter(delivery::Column::Id.eq(id))
        .filter(delivery::Column::Status.eq("pending"))
        .filter(delivery::Column::NextAttemptAt.lte(now))
        .filter(
            Condition::any()
                .add(delivery::Column::LeaseUntil.is_null())
                .add(delivery::Column::LeaseUntil.lt(now)),
        )
        .exec(db)
        .await?;
    Ok((done.rows_affected == 1).then_some(token))
}

/// Outcome of one attempt.
#[derive(Debug, Clone)]
struct Outcome {
    code: Option<i32>,
    error: Option<String>,
}

async fn send(
    http: &reqwest::Client,
    url: &str,
    secrets: &[String],
    id: Uuid,
    body: &str,
) -> Outcome {
    let ts = Utc::now().timestamp();
    let msg_id = id.to_string();
    let sigs: Option<Vec<String>> = secrets
        .iter()
        .map(|s| signature::sign(s, &msg_id, ts, body.as_bytes()))
        .collect();
    let Some(sig) = sigs.map(|s| s.join(" ")) else {
        return Outcome {
            code: None,
            error: Some("endpoint secret unreadable".into()),
        };
    };
    let sent = http
        .post(url)
        .header("content-type", "application/json")
        .header("webhook-id", &msg_id)
        .header("webhook-timestamp", ts.to_string())
        .header("webhook-signature", sig)
        .body(body.to_owned())
        .send()
        .await;
    match sent {
        Ok(r) => {
            let code = i32::from(r.status().as_u16());
            Outcome {
                code: Some(code),
                error: (!r.status().is_success()).then(|| format!("status {code}")),
            }
        }
        Err(e) => Outcome {
            code: None,
            error: Some(
                if e.is_timeout() {
                    "timeout"
                } else if e.is_connect() {
                    "connect"
                } else {
                    "request"
                }
                .into(),
            ),
        },
    }
}

/// Sends due jobs that this worker manages to claim; returns how many it sent.
///
/// # Errors
/// Database errors.
pub async fn deliver_due(
    db: &DatabaseConnection,
    crypto: &FieldCrypto,
    http: &reqwest::Client,
    cfg: &WorkerConfig,
) -> Result<usize, ApiError> {
    let now = Utc::now();
    let due: Vec<Uuid> = delivery::Entity::find()
        .select_only()
        .column(delivery::Column::Id)
        .filter(delivery::Column::Status.eq("pending"))
        .filter(delivery::Column::NextAttemptAt.lte(now))
        .filter(
            Condition::any()
                .add(delivery::Column::LeaseUntil.is_null())
                .add(delivery::Column::LeaseUntil.lt(now)),
        )
        .order_by_asc(delivery::Column::NextAttemptAt)
        .limit(SEND_BATCH)
        .into_tuple()
        .all(db)
        .await?;
    let mut sent = 0;
    for id in due {
        let Some(token) = claim(db, id, cfg.lease, Utc::now()).await? else {
            continue;
        };
        let Some(job) = delivery::Entity::find_by_id(id).one(db).await? else {
            continue;
        };
        let ep = endpoint::Entity::find_by_id(job.endpoint_id)
            .one(db)
            .await?;
        // Suspending a partner stops its data at once: jobs queued (or retried, or redelivered)
        // before the suspension are not sent; they fail and can be redelivered after
        // reactivation.
        let ep = match ep {
            Some(ep) if ep.active && partner_active(db, ep.partner_id).await? => Some(ep),
            Some(_) => None,
            None => None,
        };
        let outcome = match &ep {
            Some(ep) => match signing_secrets(crypto, ep) {
                Ok(secrets) => {
                    sent += 1;
                    send(http, &ep.url, &secrets, job.id, &job.payload).await
                }
                Err(_) => Outcome {
                    code: None,
                    error: Some("endpoint secret unreadable".into()),
                },
            },
            None => Outcome {
                code: None,
                error: Some("endpoint disabled or partner suspended".into()),
            },
        };
        finish(db, &job, token, cfg, &outcome, ep.is_some()).await?;
    }
    Ok(sent)
}

/// Whether the partner of an endpoint is active (not suspended, still registered).
async fn partner_active(db: &impl ConnectionTrait, partner_id: Uuid) -> Result<bool, ApiError> {
    Ok(partner_platform::Entity::find_by_id(partner_id)
        .one(db)
        .await?
        .is_some_and(|p| p.status == PartnerStatus::Active))
}

/// The secrets that sign a delivery now: the current one, and the previous one until its overlap
/// after a rotation ends.
fn signing_secrets(
    crypto: &FieldCrypto,
    ep: &endpoint::Model,
) -> Result<Vec<String>, crate::crypto::DecryptError> {
    let mut secrets = vec![crypto.decrypt(&ep.secret_ciphertext)?];
    if let (Some(prev), Some(until)) = (&ep.previous_secret_ciphertext, ep.previous_secret_until)
        && until > Utc::now()
    {
        secrets.push(crypto.decrypt(prev)?);
    }
    Ok(secrets)
}

async fn finish(
    db: &impl ConnectionTrait,
    job: &delivery::Model,
    token: Uuid,
    cfg: &WorkerConfig,
    outcome: &Outcome,
    endpoint_active: bool,
) -> Result<(), ApiError> {
    let now = Utc::now();
    let ok = outcome.error.is_none();
    let status = if ok {
        "succeeded"
    } else if !endpoint_active || job.attempts >= cfg.max_attempts {
        "failed"
    } else {
        "pending"
    };
    let next = now
        + chrono::Duration::from_std(cfg.backoff_after(job.attempts))
            .unwrap_or(chrono::Duration::hours(1));
    let error: Option<String> = outcome
        .error
        .as_ref()
        .map(|e| e.chars().take(500).collect());
    delivery::Entity::update_many()
        .col_expr(delivery::Column::Status, Expr::value(status))
        .col_expr(delivery::Column::NextAttemptAt, Expr::value(next))
        .col_expr(
            delivery::Column::LastResponseCode,
            Expr::value(outcome.code),
        )
        .col_expr(delivery::Column::LastError, Expr::value(error))
        .col_expr(
            delivery::Column::LeaseUntil,
            Expr::value(None::<DateTime<Utc>>),
        )
        .col_expr(delivery::Column::LeaseToken, Expr::value(None::<Uuid>))
        .col_expr(delivery::Column::UpdatedAt, Expr::value(now))
        .filter(delivery::Column::Id.eq(job.id))
        .filter(delivery::Column::LeaseToken.eq(token))
        .exec(db)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped_at_an_hour() {
        let cfg = WorkerConfig {
            backoff: Duration::from_secs(10),
            max_attempts: 8,
            lease: Duration::from_secs(40),
        };
        assert_eq!(cfg.backoff_after(1), Duration::from_secs(10));
        assert_eq!(cfg.backoff_after(2), Duration::from_secs(20));
        assert_eq!(cfg.backoff_after(4), Duration::from_secs(80));
        assert_eq!(cfg.backoff_after(40), Duration::from_secs(3600));
    }
}
