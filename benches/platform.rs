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
//! 4. Prints a table and writes JSON (`--json PATH`, default `target/bench-platform.json`).
//!
//! ```text
//! cargo bench --bench platform                      # 200,000 volunteers, 2,000,000 records
//! cargo bench --bench platform -- --scale 5         # 1,000,000 / 10,000,000
//! cargo bench --bench platform -- --volunteers 20000 --records 200000 --seconds 5
//! cargo test --bench platform -- --smoke            # seconds-long smoke run (debug build)
//! ```

use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

#[path = "../tests/support/roster_gen.rs"]
mod roster_gen;

use chrono::{TimeZone as _, Utc};
use entity::enums::ServiceRecordStatus;
use sea_orm::{ConnectionTrait as _, Database, DatabaseConnection, EntityTrait as _, Statement};
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
    let op = Arc::new(op);
    let stop = Arc::new(AtomicBool::new(false));
    let counter = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (op, stop, counter) = (op.clone(), stop.clone(), counter.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut errors = 0u64;
            let mut ticks = rate.map(|r| {
                let mut t = tokio::time::interval(Duration::from_secs_f64(
                    concurrency as f64 / r.max(1e-3),
                ));
                t.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
                t
            });
            // The deadline is also checked here, not only through the main task's timer: a run
            // whose requests fail at once must still end (and not grow `lat` without bound).
            let deadline = started + Duration::from_secs(seconds);
            while !stop.load(Ordering::Relaxed) && Instant::now() < deadline {
                if let Some(t) = ticks.as_mut() {
                    t.tick().await;
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                }
                let i = counter.fetch_add(1, Ordering::Relaxed);
                let t = Instant::now();
                if !op(i).await {
                    errors += 1;
                }
                lat.push(t.elapsed().as_secs_f64() * 1000.0);
                tokio::task::yield_now().await;
            }
            (lat, errors)
        }));
    }
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        if let Ok((lat, e)) = t.await {
            all.extend(lat);
            errors += e;
        }
    }
    let secs = started.elapsed().as_secs_f64();
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

/// Inserts `n` service records spread over the volunteers (approved, except every tenth one
/// pending) with raw multi-row INSERTs, then the summary rows in SQL. Returns (seconds of the
/// INSERTs alone — the ingest baseline —, seconds in all, ids of pending records).
async fn load_records(
    db: &DatabaseConnection,
    org: Uuid,
    volunteers: &[Uuid],
    n: usize,
) -> Result<(f64, f64, Vec<Uuid>), Error> {
    let started = Instant::now();
    let mut pending = Vec::new();
    let base = Utc
        .with_ymd_and_hms(2024, 1, 1, 1, 0, 0)
        .single()
        .ok_or("date")?;
    let mut batch = Vec::with_capacity(1000);
    for i in 0..n {
        let v = volunteers[i % volunteers.len()];
        // Each volunteer's records are a day apart, so none overlap.
        let start = base + chrono::Duration::days((i / volunteers.len()) as i64);
        let status = if i % 10 == 9 {
            ServiceRecordStatus::Pending
        } else {
            ServiceRecordStatus::Approved
        };
        let id = Uuid::now_v7();
        if status == ServiceRecordStatus::Pending {
            pending.push(id);
        }
        batch.push(entity::service_record::Model {
            id,
            volunteer_id: v,
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
        });
        if batch.len() == 1000 || i + 1 == n {
            let models: Vec<entity::service_record::ActiveModel> =
                batch.drain(..).map(Into::into).collect();
            entity::service_record::Entity::insert_many(models)
                .exec(db)
                .await?;
        }
    }
    let insert_s = started.elapsed().as_secs_f64();
    for sql in [
        "INSERT INTO volunteer_totals (volunteer_id, approved_minutes, approved_records, updated_at) \
         SELECT volunteer_id, SUM(minutes), COUNT(*), MAX(created_at) FROM service_records WHERE status = 'approved' GROUP BY volunteer_id",
        "INSERT INTO volunteer_year_totals (volunteer_id, year, approved_minutes, approved_records) \
         SELECT volunteer_id, 2024, SUM(minutes), COUNT(*) FROM service_records WHERE status = 'approved' GROUP BY volunteer_id",
        "INSERT INTO organization_year_totals (organization_id, year, approved_minutes, approved_records) \
         SELECT organization_id, 2024, SUM(minutes), COUNT(*) FROM service_records WHERE status = 'approved' GROUP BY organization_id",
    ] {
        db.execute_unprepared(sql).await?;
    }
    Ok((insert_s, started.elapsed().as_secs_f64(), pending))
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

    // 4. Totals from summary rows.
    let totals = {
        let (http, base, admin, ids) = (
            http.clone(),
            service.base.clone(),
            admin.clone(),
            ids.clone(),
        );
        timed(o.concurrency, o.seconds, move |i| {
            let (http, base, admin, ids) = (http.clone(), base.clone(), admin.clone(), ids.clone());
            async move {
                let id = ids[(i as usize * 104_729) % ids.len()];
                http.get(format!("{base}/api/v1/volunteer-totals/{id}"))
                    .bearer_auth(&admin)
                    .send()
                    .await
                    .is_ok_and(|r| r.status().is_success())
            }
        })
        .await
    };
    report.insert(
        "volunteer_totals",
        json!({"records_in_ledger": o.records, "service": totals.json()}),
    );
    rows.push((
        "GET /volunteer-totals/{id}".into(),
        format!(
            "{:.0} req/s p50 {:.1} ms p99 {:.1} ms err {}",
            totals.rate(),
            totals.p50_ms,
            totals.p99_ms,
            totals.errors
        ),
        "—".into(),
        format!("at {} records", o.records),
    ));

    // 5. Record approval.
    let pending = Arc::new(pending);
    let approve = {
        let (http, base, admin, pending) = (
            http.clone(),
            service.base.clone(),
            admin.clone(),
            pending.clone(),
        );
        timed(o.concurrency.min(8), o.seconds, move |i| {
            let (http, base, admin, pending) =
                (http.clone(), base.clone(), admin.clone(), pending.clone());
            async move {
                let Some(id) = pending.get(i as usize) else {
                    return false;
                };
                http.post(format!("{base}/api/v1/service-records/{id}/approve"))
                    .bearer_auth(&admin)
                    .json(&json!({}))
                    .send()
                    .await
                    .is_ok_and(|r| r.status().is_success())
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
        "".into(),
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
        format!("ratio {login_ratio:.2} (bar ≥ 0.80; the service keeps one core free)"),
    ));

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

    let header = ("scenario", "service", "baseline", "ratio / note");
    println!(
        "\n{:<45} {:<50} {:<28} {}",
        header.0, header.1, header.2, header.3
    );
    for (a, b, c, d) in &rows {
        println!("{a:<45} {b:<50} {c:<28} {d}");
    }
    let out = json!({"database": kind, "volunteers": o.volunteers, "records": o.records, "seconds": o.seconds, "concurrency": o.concurrency, "results": report});
    if let Some(parent) = std::path::Path::new(&o.json).parent() {
        let _ = std::fs::create_dir_all(parent);
    }
    std::fs::write(&o.json, serde_json::to_string_pretty(&out)?)?;
    println!("\nJSON written to {}", o.json);
    Ok(())
}
