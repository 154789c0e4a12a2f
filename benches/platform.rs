//! Provincial-scale benchmark harness (issue 8). Every figure is a ratio measured side by side
//! in one run: the service over HTTP against the same work done directly on the same database.
//!
//! 1. Starts the real service binary as a separate process on a fresh SQLite database (or the
//!    PostgreSQL database named by `APP_BENCH_DATABASE_URL`, which must be empty).
//! 2. Loads the data set: volunteers through the roster import API (50,000 rows per upload, the
//!    real validation and encryption path), service records by raw multi-row INSERT plus the
//!    summary rows computed in SQL (the fastest correct path for history).
//! 3. Runs each scenario with a fixed concurrency for a fixed duration and reports requests/s,
//!    p50, p99 and errors; runs the matching baseline (raw primary-key SELECT, Argon2 hashes on
//!    all cores) and prints the ratio.
//! 4. Summary reads (issue 8: "totals, star progress and leaderboards answered from summary rows:
//!    their latency does not grow with the number of service records"): with `--growth K` the
//!    totals, star-level and leaderboard scenarios are measured at N records, the ledger is then
//!    grown to K×N records (PostgreSQL: `COPY FROM STDIN`; SQLite: multi-row INSERTs in large
//!    transactions) with every summary row rebuilt in SQL, and the same three scenarios are
//!    measured again; the table prints the K×N / N ratios of p50, p99 and requests/s, judged met
//!    when p50 stays within 1.5× and p99 within 2× (the machine is shared and noisy; a read that
//!    scanned the ledger would grow about K×). `--only summary` runs just that part (after the
//!    roster import and the load). The smoke run grows 2× (tiny); without `--growth` a full run
//!    measures the three reads at N only.
//! 5. Prints a table and writes JSON (`--json PATH`, default `target/bench-platform.json`).
//!
//! ```text
//! cargo bench --bench platform                      # 200,000 volunteers, 2,000,000 records
//! cargo bench --bench platform -- --scale 5         # 1,000,000 / 10,000,000
//! cargo bench --bench platform -- --volunteers 20000 --records 200000 --seconds 5
//! cargo bench --bench platform -- --growth 5 --only summary   # summary reads at 2 M, then 10 M records
//! cargo bench --bench platform -- --only import    # stop after the roster import
//! cargo bench --bench platform -- --only get       # stop after get-by-id (import and load first)
//! cargo test --bench platform -- --smoke            # seconds-long smoke run (debug build)
//! ```

use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

#[path = "../tests/support/roster_gen.rs"]
mod roster_gen;

use chrono::{TimeZone as _, Utc};
use entity::enums::ServiceRecordStatus;
use sea_orm::{
    ConnectionTrait as _, Database, DatabaseConnection, DbBackend, EntityTrait as _, Statement,
};
use serde_json::{Value, json};
use uuid::Uuid;

type Error = Box<dyn std::error::Error + Send + Sync>;

/// The service's allocator, so that the in-process Argon2 ceiling is measured on equal terms
/// (with glibc malloc each 19 MiB hash pays for fresh pages and the ceiling reads low).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const ADMIN_PASSWORD: &str = "Bench-admin-pass-1";

struct Options {
    volunteers: usize,
    records: usize,
    seconds: u64,
    concurrency: usize,
    json: String,
    /// Grow the ledger to `growth` × `records` and measure the summary reads again (1 = no growth).
    growth: usize,
    /// `--only summary`: skip every scenario but the summary reads (and their growth).
    only_summary: bool,
    /// `--only import`: stop after the roster import; `--only get`: after the get-by-id scenario.
    stop_after: Option<&'static str>,
}

fn options() -> Options {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let smoke = args.iter().any(|a| a == "--smoke");
    let scale: usize = value("--scale").and_then(|v| v.parse().ok()).unwrap_or(1);
    let (v, r, s) = if smoke {
        (300, 3_000, 1)
    } else {
        (200_000 * scale, 2_000_000 * scale, 10)
    };
    Options {
        volunteers: value("--volunteers")
            .and_then(|x| x.parse().ok())
            .unwrap_or(v),
        records: value("--records").and_then(|x| x.parse().ok()).unwrap_or(r),
        seconds: value("--seconds").and_then(|x| x.parse().ok()).unwrap_or(s),
        concurrency: value("--concurrency")
            .and_then(|x| x.parse().ok())
            .unwrap_or(16),
        json: value("--json").unwrap_or_else(|| "target/bench-platform.json".into()),
        growth: value("--growth")
            .and_then(|x| x.parse().ok())
            .unwrap_or(if smoke { 2 } else { 1 })
            .max(1),
        only_summary: value("--only").as_deref() == Some("summary"),
        stop_after: match value("--only").as_deref() {
            None | Some("summary") => None,
            Some("import") => Some("import"),
            Some("get") => Some("get"),
            Some(other) => {
                eprintln!(
                    "--only {other}: the parts that run alone are `summary`, `import` and `get`"
                );
                std::process::exit(2);
            }
        },
    }
}

/// Result of one timed run.
#[derive(Default, Clone)]
struct Run {
    ops: u64,
    errors: u64,
    seconds: f64,
    p50_ms: f64,
    p99_ms: f64,
}

impl Run {
    fn rate(&self) -> f64 {
        self.ops as f64 / self.seconds.max(1e-9)
    }
    fn json(&self) -> Value {
        json!({"ops": self.ops, "errors": self.errors, "per_second": self.rate(), "p50_ms": self.p50_ms, "p99_ms": self.p99_ms})
    }
}

/// Runs `op(i)` from `concurrency` tasks for `seconds`; collects latencies.
async fn timed<F, Fut>(concurrency: usize, seconds: u64, op: F) -> Run
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    paced(concurrency, seconds, None, op).await
}

/// [`timed`], optionally paced: with `rate` (requests/s in all) each task starts its requests
/// on a fixed schedule (`concurrency / rate` seconds apart, skipping missed ticks) instead of
/// back to back, to read latency at a given load.
async fn paced<F, Fut>(concurrency: usize, seconds: u64, rate: Option<f64>, op: F) -> Run
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    until_done(concurrency, seconds, rate, move |i| {
        let f = op(i);
        async move { Some(f.await) }
    })
    .await
}

/// [`paced`] for work that can run out: `op(i)` answers `None` when there is nothing left to
/// do for `i` (e.g. no pending record left to approve); that task then stops, and the run's
/// time ends with the last request answered instead of the full `seconds` (so the rate is not
/// understated and nothing is counted as an error).
async fn until_done<F, Fut>(concurrency: usize, seconds: u64, rate: Option<f64>, op: F) -> Run
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Option<bool>> + Send,
{
    let op = Arc::new(op);
    let counter = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (op, counter) = (op.clone(), counter.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut errors = 0u64;
            let mut ran_out = None;
            let mut ticks = rate.map(|r| {
                let mut t = tokio::time::interval(Duration::from_secs_f64(
                    concurrency as f64 / r.max(1e-3),
                ));
                t.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
                t
            });
            // Each task watches the deadline itself: a run whose requests fail at once still
            // ends (and does not grow `lat` without bound).
            let deadline = started + Duration::from_secs(seconds);
            while Instant::now() < deadline {
                if let Some(t) = ticks.as_mut() {
                    t.tick().await;
                    if Instant::now() >= deadline {
                        break;
                    }
                }
                let i = counter.fetch_add(1, Ordering::Relaxed);
                let t = Instant::now();
                match op(i).await {
                    None => {
                        ran_out = Some(Instant::now());
                        break;
                    }
                    Some(false) => errors += 1,
                    Some(true) => {}
                }
                lat.push(t.elapsed().as_secs_f64() * 1000.0);
                tokio::task::yield_now().await;
            }
            (lat, errors, ran_out)
        }));
    }
    // Each task ends by itself at the deadline (or when it runs out of work).
    let mut all = Vec::new();
    let mut errors = 0;
    let mut last_out: Option<Instant> = None;
    let mut every_task_ran_out = true;
    for t in tasks {
        if let Ok((lat, e, out)) = t.await {
            all.extend(lat);
            errors += e;
            match out {
                Some(out) => last_out = Some(last_out.map_or(out, |l| l.max(out))),
                None => every_task_ran_out = false,
            }
        }
    }
    let secs = match last_out {
        Some(out) if every_task_ran_out => (out - started).as_secs_f64(),
        _ => started.elapsed().as_secs_f64(),
    };
    all.sort_by(f64::total_cmp);
    let pct = |p: f64| {
        all.get(((all.len() as f64 - 1.0) * p).round() as usize)
            .copied()
            .unwrap_or(0.0)
    };
    Run {
        ops: all.len() as u64 - errors,
        errors,
        seconds: secs,
        p50_ms: pct(0.5),
        p99_ms: pct(0.99),
    }
}

struct Service {
    child: Child,
    base: String,
}

impl Service {
    fn peak_rss_mb(&self) -> Option<f64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
        let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kb / 1024.0)
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start_service(url: &str, dir: &std::path::Path) -> Result<Service, Error> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let child = Command::new(env!("CARGO_BIN_EXE_youth-volunteer"))
        .env("APP_PORT", port.to_string())
        .env("APP_DATA_DIR", dir)
        .env("APP_DATABASE_URL", url)
        .env("APP_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("APP_LOGIN_MAX_PER_ACCOUNT", "100000000")
        .env("APP_LOGIN_MAX_PER_ADDRESS", "100000000")
        .env("APP_MAX_UPLOAD_BYTES", "209715200")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()?;
    let base = format!("http://127.0.0.1:{port}");
    api::install_tls_provider();
    let http = reqwest::Client::new();
    for _ in 0..600 {
        if http
            .get(format!("{base}/health/ready"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            // For profiling the service process (`perf record -p <pid>`).
            eprintln!("service pid {}", child.id());
            return Ok(Service { child, base });
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err("the service did not become ready".into())
}

async fn login(
    http: &reqwest::Client,
    base: &str,
    user: &str,
    password: &str,
) -> Result<String, Error> {
    let r: Value = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"login": user, "password": password}))
        .send()
        .await?
        .json()
        .await?;
    Ok(r["access_token"].as_str().ok_or("login failed")?.to_owned())
}

/// Ledger record number `i` of the loaded history: volunteer `i % volunteers.len()`, on day
/// `i / volunteers.len()` after 2024-01-01 at 01:00 UTC (each volunteer's records a day apart, so
/// none overlap, and the UTC year is the platform-zone year), two hours, approved except every
/// tenth one pending.
fn ledger_record(i: usize, volunteers: &[Uuid], org: Uuid) -> entity::service_record::Model {
    let base = Utc
        .with_ymd_and_hms(2024, 1, 1, 1, 0, 0)
        .single()
        .unwrap_or_default();
    let start = base + chrono::Duration::days((i / volunteers.len()) as i64);
    let status = if i % 10 == 9 {
        ServiceRecordStatus::Pending
    } else {
        ServiceRecordStatus::Approved
    };
    entity::service_record::Model {
        id: Uuid::now_v7(),
        volunteer_id: volunteers[i % volunteers.len()],
        organization_id: org,
        activity_name: "社区志愿服务".into(),
        service_category: "社区服务".into(),
        place: "南京市玄武区".into(),
        content: "基准测试数据".into(),
        activity_leader: None,
        started_at: start,
        ended_at: start + chrono::Duration::minutes(120),
        minutes: 120,
        raw_minutes: Some(120),
        rounding_rule_set_id: None,
        source: "manual".into(),
        external_id: None,
        recorded_by: None,
        status,
        conflict: false,
        late: false,
        review_required: false,
        supersedes_id: None,
        correction_reason: None,
        decided_by: None,
        decided_at: None,
        decision_reason: None,
        project_id: None,
        shift_id: None,
        created_at: Utc::now(),
        version: 1,
    }
}

/// Inserts ledger records `0..n` ([`ledger_record`]) with raw multi-row INSERTs of 1,000 rows,
/// then rebuilds the summary rows in SQL ([`rebuild_summaries`]). Returns (seconds of the
/// INSERTs alone — the ingest baseline —, seconds in all, ids of pending records).
async fn load_records(
    db: &DatabaseConnection,
    org: Uuid,
    volunteers: &[Uuid],
    n: usize,
) -> Result<(f64, f64, Vec<Uuid>), Error> {
    let started = Instant::now();
    let mut pending = Vec::new();
    let mut batch = Vec::with_capacity(1000);
    for i in 0..n {
        let record = ledger_record(i, volunteers, org);
        if record.status == ServiceRecordStatus::Pending {
            pending.push(record.id);
        }
        batch.push(record);
        if batch.len() == 1000 || i + 1 == n {
            let models: Vec<entity::service_record::ActiveModel> =
                batch.drain(..).map(Into::into).collect();
            entity::service_record::Entity::insert_many(models)
                .exec(db)
                .await?;
        }
    }
    let insert_s = started.elapsed().as_secs_f64();
    rebuild_summaries(db, org).await?;
    Ok((insert_s, started.elapsed().as_secs_f64(), pending))
}

/// Appends ledger records `from..to` ([`ledger_record`]) by the fastest correct path: on
/// PostgreSQL one `COPY … FROM STDIN` (text format) through sea-orm's sqlx pool, on SQLite
/// multi-row INSERTs of 1,000 rows, 100 to a transaction. Summary rows are not touched (see
/// [`rebuild_summaries`]). Returns the seconds taken.
async fn bulk_load(
    db: &DatabaseConnection,
    org: Uuid,
    volunteers: &[Uuid],
    from: usize,
    to: usize,
) -> Result<f64, Error> {
    use sea_orm::{ActiveEnum as _, TransactionTrait as _};
    let started = Instant::now();
    if db.get_database_backend() == DbBackend::Postgres {
        use sea_orm::sqlx::postgres::PgPoolCopyExt as _;
        use std::fmt::Write as _;
        let mut copy = db
            .get_postgres_connection_pool()
            .copy_in_raw(
                "COPY service_records (id, volunteer_id, organization_id, activity_name, \
                 service_category, place, content, started_at, ended_at, minutes, raw_minutes, \
                 source, status, conflict, late, review_required, created_at, version) FROM STDIN",
            )
            .await?;
        let mut chunk = String::with_capacity(1 << 22);
        for i in from..to {
            let r = ledger_record(i, volunteers, org);
            // The text fields are the constants above, without tabs, newlines or backslashes,
            // so they need no escaping in COPY's text format.
            let _ = writeln!(
                chunk,
                "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\tf\tf\tf\t{}\t{}",
                r.id,
                r.volunteer_id,
                r.organization_id,
                r.activity_name,
                r.service_category,
                r.place,
                r.content,
                r.started_at.to_rfc3339(),
                r.ended_at.to_rfc3339(),
                r.minutes,
                r.raw_minutes.unwrap_or(r.minutes),
                r.source,
                r.status.to_value(),
                r.created_at.to_rfc3339(),
                r.version,
            );
            if chunk.len() >= 1 << 22 || i + 1 == to {
                copy.send(chunk.as_bytes()).await?;
                chunk.clear();
            }
        }
        copy.finish().await?;
    } else {
        let mut batch = Vec::with_capacity(1000);
        let mut txn = db.begin().await?;
        for i in from..to {
            batch.push(entity::service_record::ActiveModel::from(ledger_record(
                i, volunteers, org,
            )));
            if batch.len() == 1000 || i + 1 == to {
                entity::service_record::Entity::insert_many(std::mem::take(&mut batch))
                    .exec(&txn)
                    .await?;
                if (i + 1 - from).is_multiple_of(100_000) {
                    txn.commit().await?;
                    txn = db.begin().await?;
                }
            }
        }
        txn.commit().await?;
    }
    Ok(started.elapsed().as_secs_f64())
}

/// Rebuilds every summary row the reads under test use from the ledger, in SQL:
/// `volunteer_year_totals` and `organization_year_totals` (approved records by UTC year, which
/// is the platform-zone year for the bench records, all at 01:00 UTC), `volunteer_totals` from
/// the year rows, and `volunteer_levels` under the rule set in force for `org` today, each
/// distinct total mapped to its level by the service's own [`api::incentives::rules::level_for`]
/// (bench volunteers have no courses or certifications, so empty facts are exact).
async fn rebuild_summaries(db: &DatabaseConnection, org: Uuid) -> Result<(), Error> {
    let backend = db.get_database_backend();
    let pg = backend == DbBackend::Postgres;
    let year = if pg {
        "CAST(EXTRACT(YEAR FROM started_at AT TIME ZONE 'UTC') AS INTEGER)"
    } else {
        "CAST(substr(started_at, 1, 4) AS INTEGER)"
    };
    let (p1, p2) = if pg { ("$1", "$2") } else { ("?", "?") };
    for sql in [
        "DELETE FROM volunteer_levels".to_owned(),
        "DELETE FROM volunteer_totals".into(),
        "DELETE FROM volunteer_year_totals".into(),
        "DELETE FROM organization_year_totals".into(),
        format!(
            "INSERT INTO volunteer_year_totals (volunteer_id, year, approved_minutes, approved_records) \
             SELECT volunteer_id, {year}, SUM(minutes), COUNT(*) FROM service_records \
             WHERE status = 'approved' GROUP BY volunteer_id, {year}"
        ),
        format!(
            "INSERT INTO organization_year_totals (organization_id, year, approved_minutes, approved_records) \
             SELECT organization_id, {year}, SUM(minutes), COUNT(*) FROM service_records \
             WHERE status = 'approved' GROUP BY organization_id, {year}"
        ),
    ] {
        db.execute_unprepared(&sql).await?;
    }
    let now = Utc::now();
    db.execute_raw(Statement::from_sql_and_values(
        backend,
        format!(
            "INSERT INTO volunteer_totals (volunteer_id, approved_minutes, approved_records, updated_at) \
             SELECT volunteer_id, SUM(approved_minutes), SUM(approved_records), {p1} \
             FROM volunteer_year_totals GROUP BY volunteer_id"
        ),
        [now.into()],
    ))
    .await?;
    let set = api::incentives::service::in_force(db, Some(org), now.date_naive())
        .await
        .map_err(|e| format!("rule set: {e}"))?;
    let rules = api::incentives::service::decode(&set).map_err(|e| format!("rule set: {e}"))?;
    let totals: Vec<i64> = db
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT DISTINCT approved_minutes FROM volunteer_totals",
        ))
        .await?
        .iter()
        .filter_map(|r| r.try_get::<i64>("", "approved_minutes").ok())
        .collect();
    let facts = api::incentives::rules::Facts::default();
    let cases: String = totals
        .iter()
        .filter_map(|&m| {
            let level = api::incentives::rules::level_for(m, &rules, &facts).level;
            (level > 0).then(|| format!(" WHEN {m} THEN {level}"))
        })
        .collect();
    let level = if cases.is_empty() {
        "0".to_owned()
    } else {
        format!("CASE approved_minutes{cases} ELSE 0 END")
    };
    db.execute_raw(Statement::from_sql_and_values(
        backend,
        format!(
            "INSERT INTO volunteer_levels (volunteer_id, level, rule_set_id, approved_minutes, updated_at) \
             SELECT volunteer_id, {level}, {p1}, approved_minutes, {p2} FROM volunteer_totals"
        ),
        [set.id.into(), now.into()],
    ))
    .await?;
    Ok(())
}

/// What the summary-read scenarios need: the service, an admin token, the volunteer ids.
#[derive(Clone)]
struct Reads {
    http: reqwest::Client,
    base: String,
    admin: String,
    ids: Arc<Vec<Uuid>>,
    concurrency: usize,
    seconds: u64,
}

impl Reads {
    /// The same with a fresh admin access token.
    async fn relogin(&self) -> Result<Self, Error> {
        Ok(Self {
            admin: login(&self.http, &self.base, "admin", ADMIN_PASSWORD).await?,
            ..self.clone()
        })
    }
}

/// The three reads served from summary rows, in order: `GET /volunteer-totals/{id}`,
/// `GET /volunteers/{id}/star-level` (star progress) and `GET /leaderboards/volunteers` (pages
/// 1 to 20 of the whole province, 20 a page).
const SUMMARY_READS: [(&str, &str); 3] = [
    ("volunteer_totals", "GET /volunteer-totals/{id}"),
    ("star_level", "GET /volunteers/{id}/star-level"),
    (
        "volunteer_leaderboard",
        "GET /leaderboards/volunteers (page)",
    ),
];

/// Runs the three [`SUMMARY_READS`] one after the other, each at the fixed concurrency for the
/// fixed time, as the platform admin.
async fn summary_reads(r: &Reads) -> [Run; 3] {
    let mut out: [Run; 3] = Default::default();
    for (k, slot) in out.iter_mut().enumerate() {
        let r = r.clone();
        *slot = timed(r.concurrency, r.seconds, move |i| {
            let r = r.clone();
            async move {
                let id = r.ids[(i as usize * 104_729) % r.ids.len()];
                let url = match k {
                    0 => format!("{}/api/v1/volunteer-totals/{id}", r.base),
                    1 => format!("{}/api/v1/volunteers/{id}/star-level", r.base),
                    _ => format!(
                        "{}/api/v1/leaderboards/volunteers?per_page=20&page={}",
                        r.base,
                        1 + i % 20
                    ),
                };
                r.http
                    .get(url)
                    .bearer_auth(&r.admin)
                    .send()
                    .await
                    .is_ok_and(|r| r.status().is_success())
            }
        })
        .await;
    }
    out
}

/// One run as a table cell: requests/s, p50, p99, errors.
fn cell(r: &Run) -> String {
    format!(
        "{:.0} req/s p50 {:.1} ms p99 {:.1} ms err {}",
        r.rate(),
        r.p50_ms,
        r.p99_ms,
        r.errors
    )
}

/// Growth tolerance: p50 at K×N may be at most this many times p50 at N. A read that scanned the
/// ledger would grow about K×; run-to-run noise on the shared 2-core machine is up to ~1.3×.
const GROWTH_P50_TOLERANCE: f64 = 1.5;
/// Growth tolerance for p99 (the tail is noisier: scheduler and checkpoint stalls).
const GROWTH_P99_TOLERANCE: f64 = 2.0;

/// Checks the rebuilt summary rows against the ledger for a few volunteers, through the API:
/// the totals and each year's totals (years by the service's own `local_year` in the default
/// platform zone, Asia/Shanghai) equal the approved records summed from `service_records`, and
/// the star level is the stored one.
async fn check_summaries(r: &Reads, db: &DatabaseConnection) -> Result<(), Error> {
    use entity::service_record::Column as C;
    use sea_orm::{ColumnTrait as _, QueryFilter as _, QuerySelect as _};
    let tz = "Asia/Shanghai".parse().map_err(|e| format!("{e}"))?;
    for k in [0, r.ids.len() / 2, r.ids.len() - 1] {
        let id = r.ids[k];
        let approved: Vec<(chrono::DateTime<Utc>, i32)> = entity::service_record::Entity::find()
            .select_only()
            .column(C::StartedAt)
            .column(C::Minutes)
            .filter(C::VolunteerId.eq(id))
            .filter(C::Status.eq(ServiceRecordStatus::Approved))
            .into_tuple()
            .all(db)
            .await?;
        let mut years: BTreeMap<i32, (i64, i64)> = BTreeMap::new();
        for (started, minutes) in &approved {
            let y = years
                .entry(api::records::service::local_year(tz, *started))
                .or_default();
            *y = (y.0 + i64::from(*minutes), y.1 + 1);
        }
        let ledger: i64 = years.values().map(|y| y.0).sum();
        let expected_years: Vec<Value> = years.iter().map(|(y, (m, n))| json!([y, m, n])).collect();
        let get = |path: String| {
            let r = r.clone();
            async move {
                r.http
                    .get(format!("{}/api/v1/{path}", r.base))
                    .bearer_auth(&r.admin)
                    .send()
                    .await?
                    .error_for_status()?
                    .json::<Value>()
                    .await
            }
        };
        let totals = get(format!("volunteer-totals/{id}")).await?;
        let star = get(format!("volunteers/{id}/star-level")).await?;
        let served_years: Vec<Value> = totals["years"]
            .as_array()
            .map(|ys| {
                ys.iter()
                    .map(|y| json!([y["year"], y["approved_minutes"], y["approved_records"]]))
                    .collect()
            })
            .unwrap_or_default();
        let stored = entity::volunteer_level::Entity::find_by_id(id)
            .one(db)
            .await?
            .map_or(0, |l| l.level);
        if totals["approved_minutes"].as_i64() != Some(ledger)
            || served_years != expected_years
            || star["approved_minutes"].as_i64() != Some(ledger)
            || star["level"].as_i64() != Some(i64::from(stored))
        {
            return Err(format!(
                "summary rows disagree with the ledger: ledger {ledger} min by year {expected_years:?}, \
                 totals {} by year {served_years:?}, star level {} (stored {stored})",
                totals["approved_minutes"], star["level"]
            )
            .into());
        }
    }
    Ok(())
}

/// Summary reads side by side at N and K×N records (K = `--growth`): measures the three reads,
/// grows the ledger by [`bulk_load`], rebuilds the summary rows, checks them against the ledger
/// and measures again; rows and JSON (`summary_read_growth`) with the growth ratios and the
/// verdict. With K = 1 measures at N only and says growth was not run. Ledger records are spread
/// over `r.ids` like the initial load's, from record number `records` on.
async fn growth_phase(
    r: &Reads,
    db: &DatabaseConnection,
    org: Uuid,
    records: usize,
    growth: usize,
    report: &mut BTreeMap<&str, Value>,
    rows: &mut Vec<(String, String, String, String)>,
) -> Result<(), Error> {
    let pg = db.get_database_backend() == DbBackend::Postgres;
    // A fresh token for each side: access tokens last 15 minutes, and the growth alone can take
    // longer than that.
    let r = &r.relogin().await?;
    // Settled tables on both sides of the comparison (what autovacuum would reach on its own).
    if pg {
        db.execute_unprepared("VACUUM ANALYZE").await?;
    }
    let before = summary_reads(r).await;
    let ledger_before: i64 = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM service_records",
        ))
        .await?
        .ok_or("count")?
        .try_get("", "n")?;
    let mut out = serde_json::Map::new();
    out.insert("growth".into(), json!(growth));
    out.insert("records_before".into(), json!(ledger_before));
    for (k, (key, name)) in SUMMARY_READS.iter().enumerate() {
        rows.push((
            format!("{name} at {ledger_before} records"),
            cell(&before[k]),
            "—".into(),
            "before growth".into(),
        ));
        out.insert((*key).into(), json!({"before": before[k].json()}));
    }
    if growth <= 1 {
        println!("summary-read growth not run (pass --growth K to grow the ledger K×)");
        rows.push((
            "  summary reads after growth".into(),
            "not run".into(),
            "—".into(),
            "pass --growth K".into(),
        ));
        report.insert("summary_read_growth", Value::Object(out));
        return Ok(());
    }
    // Ledger records past the loaded ones (day `i / volunteers`, 2024 on) so that the ledger holds
    // K× what it held, whatever the approval and ingest scenarios added before.
    let (from, to) = (records, records + (growth - 1) * ledger_before as usize);
    println!(
        "growing the ledger from {ledger_before} to {} records …",
        ledger_before as usize * growth
    );
    let load_s = bulk_load(db, org, &r.ids, from, to).await?;
    let started = Instant::now();
    rebuild_summaries(db, org).await?;
    let summaries_s = started.elapsed().as_secs_f64();
    if pg {
        db.execute_unprepared("VACUUM ANALYZE").await?;
    }
    let r = &r.relogin().await?;
    check_summaries(r, db).await?;
    let ledger_after: i64 = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM service_records",
        ))
        .await?
        .ok_or("count")?
        .try_get("", "n")?;
    let loader = if pg {
        "COPY FROM STDIN"
    } else {
        "multi-row INSERT in large transactions"
    };
    let load_rate = (to - from) as f64 / load_s.max(1e-9);
    rows.push((
        format!("  ledger grown {growth}× ({loader})"),
        format!("{load_rate:.0} rows/s"),
        "—".into(),
        format!("{ledger_after} records; summary rows rebuilt in {summaries_s:.1} s, checked against the ledger"),
    ));
    out.insert("records_after".into(), json!(ledger_after));
    out.insert(
        "load".into(),
        json!({"loader": loader, "rows": to - from, "seconds": load_s, "rows_per_second": load_rate, "summary_rebuild_seconds": summaries_s}),
    );
    out.insert(
        "tolerance".into(),
        json!({"p50_at_most": GROWTH_P50_TOLERANCE, "p99_at_most": GROWTH_P99_TOLERANCE}),
    );
    let after = summary_reads(r).await;
    let mut all_met = true;
    for (k, (key, name)) in SUMMARY_READS.iter().enumerate() {
        let (b, a) = (&before[k], &after[k]);
        let p50 = a.p50_ms / b.p50_ms.max(1e-9);
        let p99 = a.p99_ms / b.p99_ms.max(1e-9);
        let rate = a.rate() / b.rate().max(1e-9);
        let met = p50 <= GROWTH_P50_TOLERANCE
            && p99 <= GROWTH_P99_TOLERANCE
            && a.errors == 0
            && b.errors == 0;
        all_met &= met;
        rows.push((
            format!("{name} at {ledger_after} records"),
            cell(a),
            "—".into(),
            format!(
                "×{growth} records: p50 ×{p50:.2} p99 ×{p99:.2} req/s ×{rate:.2} — {}",
                if met { "met" } else { "MISSED" }
            ),
        ));
        out.insert(
            (*key).into(),
            json!({"before": b.json(), "after": a.json(), "p50_ratio": p50, "p99_ratio": p99, "rate_ratio": rate, "met": met}),
        );
    }
    rows.push((
        "  summary reads do not grow with records".into(),
        if all_met { "met" } else { "MISSED" }.into(),
        "—".into(),
        format!("bar: p50 ≤ {GROWTH_P50_TOLERANCE}×, p99 ≤ {GROWTH_P99_TOLERANCE}×, no errors"),
    ));
    out.insert("met".into(), json!(all_met));
    report.insert("summary_read_growth", Value::Object(out));
    Ok(())
}

/// Prints the table and writes the JSON report.
fn write_report(
    o: &Options,
    kind: &str,
    report: BTreeMap<&str, Value>,
    rows: &[(String, String, String, String)],
) -> Result<(), Error> {
    let header = ("scenario", "service", "baseline", "ratio / note");
    println!(
        "\n{:<45} {:<50} {:<28} {}",
        header.0, header.1, header.2, header.3
    );
    for (a, b, c, d) in rows {
        println!("{a:<45} {b:<50} {c:<28} {d}");
    }
    let out = json!({"database": kind, "volunteers": o.volunteers, "records": o.records, "seconds": o.seconds, "concurrency": o.concurrency, "growth": o.growth, "only": if o.only_summary { "summary" } else { o.stop_after.unwrap_or("all") }, "results": report});
    if let Some(parent) = std::path::Path::new(&o.json).parent() {
        let _ = std::fs::create_dir_all(parent);
    }
    std::fs::write(&o.json, serde_json::to_string_pretty(&out)?)?;
    println!("\nJSON written to {}", o.json);
    Ok(())
}

/// Registers a partner platform whose scope is `root` and returns an access token for it.
async fn partner_token(
    http: &reqwest::Client,
    base: &str,
    admin: &str,
    root: &str,
) -> Result<String, Error> {
    let p: Value = http
        .post(format!("{base}/api/v1/partners"))
        .bearer_auth(admin)
        .json(&json!({"name": "基准测试合作平台", "scope": [root]}))
        .send()
        .await?
        .json()
        .await?;
    let (id, secret) = (
        p["client_id"].as_str().ok_or("partner registration")?,
        p["client_secret"].as_str().ok_or("partner registration")?,
    );
    let t: Value = http
        .post(format!("{base}/api/v1/partners/token"))
        .basic_auth(id, Some(secret))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials")
        .send()
        .await?
        .json()
        .await?;
    Ok(t["access_token"]
        .as_str()
        .ok_or("partner token")?
        .to_owned())
}

/// Records per partner batch in the ingest scenario.
const INGEST_BATCH: usize = 250;

/// The partner batch number `i`: records of distinct (volunteer, day) pairs in 2020, before
/// every loaded record, so that none overlaps another.
fn ingest_batch(i: u64, numbers: &[String], org: &str) -> Value {
    let base = Utc
        .with_ymd_and_hms(2020, 1, 1, 1, 0, 0)
        .single()
        .unwrap_or_default();
    let items: Vec<Value> = (0..INGEST_BATCH)
        .map(|j| {
            let k = i as usize * INGEST_BATCH + j;
            let start = base + chrono::Duration::days((k / numbers.len()) as i64);
            json!({
                "external_id": format!("bench-{k}"),
                "volunteer_number": numbers[k % numbers.len()],
                "organization_id": org,
                "activity_name": "合作平台同步的志愿服务",
                "service_category": "社区服务",
                "place": "南京市玄武区",
                "content": "基准测试：合作平台批量推送",
                "started_at": start.to_rfc3339(),
                "ended_at": (start + chrono::Duration::minutes(90)).to_rfc3339(),
            })
        })
        .collect();
    json!({"items": items})
}

/// Argon2id verifications per second on all cores (the login ceiling).
fn argon2_ceiling(seconds: u64) -> f64 {
    use argon2::password_hash::phc::PasswordHash;
    use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
    let hash = argon2::Argon2::default()
        .hash_password(b"Bench-admin-pass-1")
        .map(|h| h.to_string())
        .unwrap_or_default();
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let count = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let threads: Vec<_> = (0..cores)
        .map(|_| {
            let (hash, count) = (hash.clone(), count.clone());
            std::thread::spawn(move || {
                while started.elapsed() < Duration::from_secs(seconds) {
                    if let Ok(parsed) = PasswordHash::new(&hash) {
                        let _ = argon2::Argon2::default()
                            .verify_password(b"Bench-admin-pass-1", &parsed);
                    }
                    count.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for t in threads {
        let _ = t.join();
    }
    count.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64()
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let o = options();
    let dir = tempfile::tempdir()?;
    let url = std::env::var("APP_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}/bench.db?mode=rwc", dir.path().display()));
    let kind = if url.starts_with("sqlite") {
        "SQLite"
    } else {
        "PostgreSQL"
    };
    println!(
        "platform bench: {} volunteers, {} records, {} s per scenario, concurrency {}, {kind}",
        o.volunteers, o.records, o.seconds, o.concurrency
    );
    let service = start_service(&url, dir.path()).await?;
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(o.concurrency * 2)
        .build()?;
    let admin = login(&http, &service.base, "admin", ADMIN_PASSWORD).await?;
    let db = Database::connect(&url).await?;
    let mut report: BTreeMap<&str, Value> = BTreeMap::new();
    let mut rows: Vec<(String, String, String, String)> = Vec::new();

    // A province with two cities; volunteers are imported into the first city.
    let org = |name: &str, parent: Option<String>| {
        let (http, base, admin) = (http.clone(), service.base.clone(), admin.clone());
        let mut body = json!({"name": name, "kind": "league_committee", "region_code": "320000"});
        if let Some(p) = parent {
            body["parent_id"] = json!(p);
        }
        async move {
            let r: Value = http
                .post(format!("{base}/api/v1/organizations"))
                .bearer_auth(&admin)
                .json(&body)
                .send()
                .await?
                .json()
                .await?;
            Ok::<String, Error>(r["id"].as_str().ok_or("organization")?.to_owned())
        }
    };
    let province = org("团省委", None).await?;
    let city = org("南京团市委", Some(province.clone())).await?;
    org("苏州团市委", Some(province.clone())).await?;

    // 1. Roster import through the API.
    let generated = roster_gen::generate(o.volunteers, 2026, 0, 2026);
    let started = Instant::now();
    for chunk in generated.chunks(50_000) {
        let csv = roster_gen::to_csv(chunk);
        let r = http
            .post(format!(
                "{}/api/v1/volunteers/imports?organization_id={city}",
                service.base
            ))
            .bearer_auth(&admin)
            .header("content-type", "text/csv")
            .body(csv)
            .send()
            .await?;
        if !r.status().is_success() {
            return Err(format!("import failed: {}", r.text().await?).into());
        }
    }
    let import_s = started.elapsed().as_secs_f64();
    let import_rate = o.volunteers as f64 / import_s;
    report.insert(
        "roster_import",
        json!({"rows": o.volunteers, "seconds": import_s, "rows_per_second": import_rate}),
    );
    rows.push((
        "roster import".into(),
        format!("{import_rate:.0} rows/s"),
        "—".into(),
        format!(
            "bar ≥ 5,000 rows/s: {}",
            if import_rate >= 5000.0 {
                "met"
            } else {
                "MISSED"
            }
        ),
    ));
    if o.stop_after == Some("import") {
        return write_report(&o, kind, report, &rows);
    }

    let ids: Vec<Uuid> = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT id FROM volunteers ORDER BY id",
        ))
        .await?
        .iter()
        .filter_map(|r| r.try_get::<Uuid>("", "id").ok())
        .collect();
    let city_id = Uuid::parse_str(&city)?;
    let (insert_s, load_s, pending) = load_records(&db, city_id, &ids, o.records).await?;
    let insert_rate = o.records as f64 / insert_s;
    report.insert("record_load", json!({"records": o.records, "insert_seconds": insert_s, "seconds": load_s, "insert_rows_per_second": insert_rate}));
    rows.push((
        "service records, raw multi-row INSERT (load)".into(),
        format!("{insert_rate:.0} rows/s"),
        "—".into(),
        format!("+ summary rows in SQL: {load_s:.1} s in all"),
    ));
    let mut memory: Vec<(&str, Option<f64>)> =
        vec![("after roster import and load", service.peak_rss_mb())];
    let ids = Arc::new(ids);
    let reads = Reads {
        http: http.clone(),
        base: service.base.clone(),
        admin: admin.clone(),
        ids: ids.clone(),
        concurrency: o.concurrency,
        seconds: o.seconds,
    };
    if o.only_summary {
        growth_phase(
            &reads,
            &db,
            city_id,
            o.records,
            o.growth,
            &mut report,
            &mut rows,
        )
        .await?;
        let rss = service.peak_rss_mb();
        report.insert("service_peak_rss_mb", json!(rss));
        rows.push((
            "service peak resident memory".into(),
            rss.map_or("n/a".into(), |m| format!("{m:.0} MB")),
            "—".into(),
            "".into(),
        ));
        return write_report(&o, kind, report, &rows);
    }

    // 2. Get a volunteer by id, authenticated, against a raw primary-key SELECT.
    let get = {
        let (http, base, admin, ids) = (
            http.clone(),
            service.base.clone(),
            admin.clone(),
            ids.clone(),
        );
        timed(o.concurrency, o.seconds, move |i| {
            let (http, base, admin, ids) = (http.clone(), base.clone(), admin.clone(), ids.clone());
            async move {
                let id = ids[(i as usize * 7919) % ids.len()];
                http.get(format!("{base}/api/v1/volunteers/{id}"))
                    .bearer_auth(&admin)
                    .send()
                    .await
                    .is_ok_and(|r| r.status().is_success())
            }
        })
        .await
    };
    let raw = {
        let (db, ids) = (db.clone(), ids.clone());
        timed(o.concurrency, o.seconds, move |i| {
            let (db, ids) = (db.clone(), ids.clone());
            async move {
                let id = ids[(i as usize * 7919) % ids.len()];
                entity::volunteer::Entity::find_by_id(id)
                    .one(&db)
                    .await
                    .is_ok_and(|v| v.is_some())
            }
        })
        .await
    };
    let ratio = get.rate() / raw.rate().max(1e-9);
    // Latency at half the peak rate.
    let half = {
        let (http, base, admin, ids) = (
            http.clone(),
            service.base.clone(),
            admin.clone(),
            ids.clone(),
        );
        paced(o.concurrency, o.seconds, Some(get.rate() / 2.0), move |i| {
            let (http, base, admin, ids) = (http.clone(), base.clone(), admin.clone(), ids.clone());
            async move {
                let id = ids[(i as usize * 6_007) % ids.len()];
                http.get(format!("{base}/api/v1/volunteers/{id}"))
                    .bearer_auth(&admin)
                    .send()
                    .await
                    .is_ok_and(|r| r.status().is_success())
            }
        })
        .await
    };
    report.insert(
        "get_volunteer",
        json!({"service": get.json(), "baseline_raw_pk_select": raw.json(), "ratio": ratio, "at_half_peak_rate": half.json()}),
    );
    rows.push((
        "GET /volunteers/{id} (auth)".into(),
        format!(
            "{:.0} req/s p50 {:.1} ms p99 {:.1} ms err {}",
            get.rate(),
            get.p50_ms,
            get.p99_ms,
            get.errors
        ),
        format!("{:.0} SELECT/s", raw.rate()),
        format!("ratio {:.2} (bar ≥ 0.50)", ratio),
    ));
    rows.push((
        "  … paced at half that rate".into(),
        format!(
            "{:.0} req/s p50 {:.1} ms p99 {:.1} ms err {}",
            half.rate(),
            half.p50_ms,
            half.p99_ms,
            half.errors
        ),
        "—".into(),
        format!(
            "p99 bar < 20 ms: {}",
            if half.p99_ms < 20.0 { "met" } else { "MISSED" }
        ),
    ));

    memory.push(("after get by id", service.peak_rss_mb()));
    if o.stop_after == Some("get") {
        return write_report(&o, kind, report, &rows);
    }

    // 3. List a subtree with a filter.
    let list = {
        let (http, base, admin, province) = (
            http.clone(),
            service.base.clone(),
            admin.clone(),
            province.clone(),
        );
        timed(o.concurrency, o.seconds, move |i| {
            let (http, base, admin, province) = (http.clone(), base.clone(), admin.clone(), province.clone());
            async move {
                let page = 1 + i % 20;
                http.get(format!("{base}/api/v1/volunteers?organization_id={province}&status=active&per_page=20&page={page}"))
                    .bearer_auth(&admin)
                    .send()
                    .await
                    .is_ok_and(|r| r.status().is_success())
            }
        })
        .await
    };
    report.insert("list_volunteers_subtree", list.json());
    rows.push((
        "GET /volunteers (subtree, filter, page)".into(),
        format!(
            "{:.0} req/s p50 {:.1} ms p99 {:.1} ms err {}",
            list.rate(),
            list.p50_ms,
            list.p99_ms,
            list.errors
        ),
        "—".into(),
        "".into(),
    ));

    // 4. Reads from summary rows: totals, star progress, leaderboard.
    let summary = summary_reads(&reads).await;
    for (k, (key, name)) in SUMMARY_READS.iter().enumerate() {
        report.insert(
            key,
            json!({"records_in_ledger": o.records, "service": summary[k].json()}),
        );
        rows.push((
            (*name).into(),
            cell(&summary[k]),
            "—".into(),
            format!("at {} records", o.records),
        ));
    }

    // 5. Record approval.
    let pending = Arc::new(pending);
    let approve = {
        let (http, base, admin, pending) = (
            http.clone(),
            service.base.clone(),
            admin.clone(),
            pending.clone(),
        );
        // Each pending record is approved once; the run ends early when they run out.
        until_done(o.concurrency.min(8), o.seconds, None, move |i| {
            let (http, base, admin, pending) =
                (http.clone(), base.clone(), admin.clone(), pending.clone());
            async move {
                let id = pending.get(i as usize)?;
                Some(
                    http.post(format!("{base}/api/v1/service-records/{id}/approve"))
                        .bearer_auth(&admin)
                        .json(&json!({}))
                        .send()
                        .await
                        .is_ok_and(|r| r.status().is_success()),
                )
            }
        })
        .await
    };
    report.insert("record_approval", approve.json());
    rows.push((
        "POST /service-records/{id}/approve".into(),
        format!(
            "{:.0} req/s p50 {:.1} ms p99 {:.1} ms err {}",
            approve.rate(),
            approve.p50_ms,
            approve.p99_ms,
            approve.errors
        ),
        "—".into(),
        if approve.seconds + 0.5 < o.seconds as f64 {
            format!(
                "all {} pending records approved in {:.1} s",
                approve.ops + approve.errors,
                approve.seconds
            )
        } else {
            String::new()
        },
    ));

    memory.push(("after list, totals, approval", service.peak_rss_mb()));

    // 6. Batch record ingest through the partner API against the raw multi-row INSERT.
    let numbers: Vec<String> = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT volunteer_number FROM volunteers ORDER BY id",
        ))
        .await?
        .iter()
        .filter_map(|r| r.try_get::<String>("", "volunteer_number").ok())
        .collect();
    let partner = partner_token(&http, &service.base, &admin, &province).await?;
    let ingested = Arc::new(AtomicU64::new(0));
    let ingest = {
        let (http, base, numbers, city, ingested) = (
            http.clone(),
            service.base.clone(),
            Arc::new(numbers),
            city.clone(),
            ingested.clone(),
        );
        timed(o.concurrency.min(4), o.seconds, move |i| {
            let (http, base, partner, numbers, city, ingested) = (
                http.clone(),
                base.clone(),
                partner.clone(),
                numbers.clone(),
                city.clone(),
                ingested.clone(),
            );
            async move {
                let Ok(r) = http
                    .post(format!("{base}/api/v1/partner/service-records/batch"))
                    .bearer_auth(&partner)
                    .header("idempotency-key", format!("bench-batch-{i}"))
                    .json(&ingest_batch(i, &numbers, &city))
                    .send()
                    .await
                else {
                    return false;
                };
                let Ok(body) = r.json::<Value>().await else {
                    return false;
                };
                let created = body["summary"]["created"].as_u64().unwrap_or(0);
                ingested.fetch_add(created, Ordering::Relaxed);
                created == INGEST_BATCH as u64
            }
        })
        .await
    };
    let ingest_rate = ingested.load(Ordering::Relaxed) as f64 / ingest.seconds.max(1e-9);
    let ingest_ratio = ingest_rate / insert_rate.max(1e-9);
    report.insert("batch_record_ingest", json!({"batch_size": INGEST_BATCH, "batches": ingest.json(), "records_per_second": ingest_rate, "baseline_raw_insert_rows_per_second": insert_rate, "ratio": ingest_ratio}));
    rows.push((
        format!("POST /partner/service-records/batch ({INGEST_BATCH}/batch)"),
        format!(
            "{ingest_rate:.0} records/s p50 {:.0} ms p99 {:.0} ms err {}",
            ingest.p50_ms, ingest.p99_ms, ingest.errors
        ),
        format!("{insert_rate:.0} INSERT rows/s"),
        format!("ratio {ingest_ratio:.3} (bar ≥ 0.50 on PostgreSQL)"),
    ));
    memory.push(("after batch ingest", service.peak_rss_mb()));

    // 7. Login against the Argon2 ceiling on the same cores.
    let logins = {
        let (http, base) = (http.clone(), service.base.clone());
        timed(o.concurrency, o.seconds, move |_| {
            let (http, base) = (http.clone(), base.clone());
            async move {
                http.post(format!("{base}/api/v1/auth/login"))
                    .json(&json!({"login": "admin", "password": ADMIN_PASSWORD}))
                    .send()
                    .await
                    .is_ok_and(|r| r.status().is_success())
            }
        })
        .await
    };
    let ceiling = argon2_ceiling(o.seconds.min(5));
    let login_ratio = logins.rate() / ceiling.max(1e-9);
    report.insert("login", json!({"service": logins.json(), "argon2_ceiling_per_second": ceiling, "ratio": login_ratio}));
    rows.push((
        "POST /auth/login".into(),
        format!(
            "{:.1} req/s p50 {:.0} ms p99 {:.0} ms err {}",
            logins.rate(),
            logins.p50_ms,
            logins.p99_ms,
            logins.errors
        ),
        format!("{ceiling:.1} Argon2id/s (all cores)"),
        format!("ratio {login_ratio:.2} (bar ≥ 0.80)"),
    ));

    // 8. With --growth K: the summary reads at N and again at K×N records.
    if o.growth > 1 {
        growth_phase(
            &reads,
            &db,
            city_id,
            o.records,
            o.growth,
            &mut report,
            &mut rows,
        )
        .await?;
        memory.push(("after ledger growth", service.peak_rss_mb()));
    }

    let rss = service.peak_rss_mb();
    memory.push(("after login", rss));
    report.insert("service_peak_rss_mb", json!(rss));
    report.insert(
        "service_peak_rss_mb_by_phase",
        json!(
            memory
                .iter()
                .map(|(k, v)| json!({"phase": k, "peak_mb": v}))
                .collect::<Vec<_>>()
        ),
    );
    for (phase, mb) in &memory {
        rows.push((
            format!("  peak resident memory {phase}"),
            mb.map_or("n/a".into(), |m| format!("{m:.0} MB")),
            "—".into(),
            "".into(),
        ));
    }
    rows.push((
        "service peak resident memory".into(),
        rss.map_or("n/a".into(), |m| format!("{m:.0} MB")),
        "—".into(),
        "bar < 200 MB".into(),
    ));

    write_report(&o, kind, report, &rows)
}
