//! Test fixtures: `spawn_app`, a per-test database cloned from a migrated template, and HTTP
//! helpers.

#![allow(dead_code, reason = "not every test module uses every helper")]

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use api::config::Settings;
use api::startup::Application;
use migration::{Migrator, MigratorTrait as _};
use reqwest::{Method, Response, StatusCode};
use sea_orm::{ConnectionTrait as _, Database, DatabaseConnection};
use serde_json::{Value, json};
use tokio::sync::OnceCell;
use uuid::Uuid;

/// Password of the `admin` account in every test app.
pub const ADMIN_PASSWORD: &str = "admin-password-for-tests";

/// Environment variable naming a PostgreSQL server for the PostgreSQL run.
pub const PG_ENV: &str = "APP_TEST_DATABASE_URL";

/// A running application and a client for it.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    /// HTTP client.
    pub client: reqwest::Client,
    /// Direct database handle (for assertions on stored rows).
    pub db: DatabaseConnection,
    /// The app's JWT secret (to forge expired tokens in tests).
    pub jwt_secret: Vec<u8>,
    /// Whether this run is on PostgreSQL.
    pub postgres: bool,
    /// PostgreSQL server URL and database name, dropped when the test ends.
    pg_database: Option<(String, String)>,
    _dir: tempfile::TempDir,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // The test's runtime is ending, so drop the database from a thread of our own.
        if let Some((server, name)) = self.pg_database.take() {
            let _ = std::thread::spawn(move || {
                let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                else {
                    return;
                };
                rt.block_on(async {
                    if let Ok(admin) = Database::connect(server.as_str()).await {
                        let _ = admin
                            .execute_unprepared(&format!(
                                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                            ))
                            .await;
                        let _ = admin.close().await;
                    }
                });
            })
            .join();
        }
    }
}

static TEMPLATE: OnceCell<Template> = OnceCell::const_new();
static COUNTER: AtomicU64 = AtomicU64::new(0);

enum Template {
    Sqlite(PathBuf),
    Postgres { server: String, name: String },
}

fn pg_server() -> Option<String> {
    std::env::var(PG_ENV).ok().filter(|v| !v.trim().is_empty())
}

/// Replaces the database name of a PostgreSQL URL.
fn pg_url(server: &str, db: &str) -> String {
    let (base, query) = server
        .split_once('?')
        .map_or((server, None), |(b, q)| (b, Some(q)));
    let base = base.rsplit_once('/').map_or(base, |(b, _)| b);
    match query {
        Some(q) => format!("{base}/{db}?{q}"),
        None => format!("{base}/{db}"),
    }
}

/// A fingerprint of the migrations (their sources and shipped data): one template database per
/// migration version, reused by later runs instead of being created (and left behind) each time.
fn migrations_fingerprint() -> String {
    use std::hash::{Hash as _, Hasher as _};
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migration");
    let mut files: Vec<PathBuf> = ["src", "data"]
        .iter()
        .filter_map(|d| std::fs::read_dir(root.join(d)).ok())
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for f in files {
        f.file_name().hash(&mut h);
        std::fs::read(&f).unwrap_or_default().hash(&mut h);
    }
    format!("{:016x}", h.finish())
}

async fn template() -> &'static Template {
    TEMPLATE
        .get_or_init(|| async {
            let fingerprint = migrations_fingerprint();
            match pg_server() {
                Some(server) => {
                    let name = format!("yv_tmpl_{fingerprint}");
                    let admin = Database::connect(&server)
                        .await
                        .expect("connect to PostgreSQL");
                    let exists = admin
                        .query_one_raw(sea_orm::Statement::from_string(
                            admin.get_database_backend(),
                            format!("SELECT 1 AS one FROM pg_database WHERE datname = '{name}'"),
                        ))
                        .await
                        .expect("look up template")
                        .is_some();
                    if !exists {
                        // Build under a private name and rename when complete, so that a
                        // template that exists is always fully migrated, also when two test
                        // processes race.
                        let building = format!("{name}_{}", Uuid::now_v7().simple());
                        admin
                            .execute_unprepared(&format!("CREATE DATABASE {building}"))
                            .await
                            .expect("create template database");
                        let db = Database::connect(pg_url(&server, &building))
                            .await
                            .expect("connect template");
                        Migrator::up(&db, None).await.expect("migrate template");
                        db.close().await.expect("close template");
                        let renamed = admin
                            .execute_unprepared(&format!(
                                "ALTER DATABASE {building} RENAME TO {name}"
                            ))
                            .await;
                        if renamed.is_err() {
                            let _ = admin
                                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {building}"))
                                .await;
                        }
                    }
                    admin.close().await.ok();
                    Template::Postgres { server, name }
                }
                None => {
                    let path =
                        std::env::temp_dir().join(format!("yv-test-template-{fingerprint}.db"));
                    if !path.exists() {
                        let building = std::env::temp_dir().join(format!(
                            "yv-test-template-{fingerprint}-{}.db",
                            Uuid::now_v7().simple()
                        ));
                        let db =
                            Database::connect(format!("sqlite://{}?mode=rwc", building.display()))
                                .await
                                .expect("open template");
                        Migrator::up(&db, None).await.expect("migrate template");
                        db.execute_unprepared("VACUUM").await.expect("vacuum");
                        db.close().await.expect("close template");
                        // Atomic on one file system: readers see the old or the new file whole.
                        std::fs::rename(&building, &path).expect("publish template");
                    }
                    Template::Sqlite(path)
                }
            }
        })
        .await
}

/// A fresh database URL for one test, cloned from the migrated template, and for PostgreSQL the
/// server and database name to drop afterwards.
pub async fn fresh_database(dir: &std::path::Path) -> (String, Option<(String, String)>) {
    match template().await {
        Template::Sqlite(path) => {
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let target = dir.join(format!("test-{n}.db"));
            std::fs::copy(path, &target).expect("copy template");
            (format!("sqlite://{}?mode=rwc", target.display()), None)
        }
        Template::Postgres { server, name } => {
            let db_name = format!("yv_test_{}", Uuid::now_v7().simple());
            let admin = Database::connect(server.as_str())
                .await
                .expect("connect to PostgreSQL");
            // Concurrent clones of one template can collide briefly; retry.
            let mut attempt = 0;
            loop {
                match admin
                    .execute_unprepared(&format!("CREATE DATABASE {db_name} TEMPLATE {name}"))
                    .await
                {
                    Ok(_) => break,
                    Err(e) if attempt < 20 => {
                        attempt += 1;
                        let _ = e;
                        tokio::time::sleep(std::time::Duration::from_millis(100 * attempt)).await;
                    }
                    Err(e) => panic!("cannot clone template database: {e}"),
                }
            }
            admin.close().await.ok();
            (pg_url(server, &db_name), Some((server.clone(), db_name)))
        }
    }
}

/// Spawns the application with its own database and returns a client for it.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Like [`spawn_app`], with a chance to change the settings first.
pub async fn spawn_app_with(configure: impl FnOnce(&mut Settings)) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let (url, pg_database) = fresh_database(dir.path()).await;
    let mut settings = Settings::for_tests(url.clone(), dir.path().to_path_buf());
    configure(&mut settings);
    let jwt_secret = settings.jwt_secret().to_vec();
    let app = Application::build(settings).await.expect("build app");
    let address = format!("http://127.0.0.1:{}", app.port());
    let db = app.state().db.clone();
    tokio::spawn(app.run_until_stopped());
    api::install_tls_provider();
    TestApp {
        address,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client"),
        db,
        jwt_secret,
        postgres: pg_database.is_some(),
        pg_database,
        _dir: dir,
    }
}

/// A response read whole: status, headers and JSON body (or `Value::Null`).
pub struct Reply {
    /// Status code.
    pub status: StatusCode,
    /// Headers.
    pub headers: reqwest::header::HeaderMap,
    /// Body parsed as JSON, or the raw text as a JSON string when it is not JSON.
    pub body: Value,
    /// Raw body text.
    pub text: String,
}

impl Reply {
    async fn read(r: Response) -> Self {
        let status = r.status();
        let headers = r.headers().clone();
        let text = r.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or_else(|_| Value::String(text.clone()));
        Self {
            status,
            headers,
            body,
            text,
        }
    }

    /// The problem `code` of an error reply.
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }

    /// Asserts the status, printing the body on failure.
    #[track_caller]
    pub fn expect(&self, status: u16) -> &Self {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body: {}",
            self.text
        );
        self
    }

    /// Asserts a problem+json error with this status and code.
    #[track_caller]
    pub fn expect_problem(&self, status: u16, code: &str) -> &Self {
        self.expect(status);
        assert_eq!(
            self.headers
                .get("content-type")
                .and_then(|v| v.to_str().ok()),
            Some("application/problem+json"),
            "body: {}",
            self.text
        );
        assert_eq!(self.code(), code, "body: {}", self.text);
        self
    }
}

impl TestApp {
    /// Sends a request with an optional bearer token and JSON body.
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Reply {
        let mut req = self
            .client
            .request(method, format!("{}{}", self.address, path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        Reply::read(req.send().await.expect("request failed")).await
    }

    /// GET.
    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        self.request(Method::GET, path, token, None).await
    }

    /// POST with a JSON body.
    pub async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> Reply {
        self.request(Method::POST, path, token, Some(body)).await
    }

    /// PATCH with a JSON body.
    pub async fn patch(&self, path: &str, token: Option<&str>, body: &Value) -> Reply {
        self.request(Method::PATCH, path, token, Some(body)).await
    }

    /// POST a raw body with a content type.
    pub async fn post_raw(
        &self,
        path: &str,
        token: Option<&str>,
        content_type: &str,
        body: Vec<u8>,
    ) -> Reply {
        let mut req = self
            .client
            .post(format!("{}{}", self.address, path))
            .header("content-type", content_type)
            .body(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        Reply::read(req.send().await.expect("request failed")).await
    }

    /// Logs in and returns the full token reply.
    pub async fn login(&self, login: &str, password: &str) -> Reply {
        self.post(
            "/api/v1/auth/login",
            None,
            &json!({"login": login, "password": password}),
        )
        .await
    }

    /// An access token of the platform admin.
    pub async fn admin_token(&self) -> String {
        let r = self.login("admin", ADMIN_PASSWORD).await;
        r.expect(200);
        r.body["access_token"].as_str().expect("token").to_owned()
    }

    /// Creates an organization and returns its JSON.
    pub async fn create_org(&self, token: &str, name: &str, parent: Option<&str>) -> Value {
        let mut body = json!({"name": name, "kind": "league_committee", "region_code": "320100"});
        if let Some(p) = parent {
            body["parent_id"] = json!(p);
        }
        let r = self.post("/api/v1/organizations", Some(token), &body).await;
        r.expect(201);
        r.body
    }

    /// Creates an org admin for `org_id` and returns an access token for them.
    pub async fn org_admin_token(&self, token: &str, org_id: &str, username: &str) -> String {
        let password = "Org-admin-pass-1";
        self.post(
            "/api/v1/accounts",
            Some(token),
            &json!({"username": username, "password": password, "organization_id": org_id}),
        )
        .await
        .expect(201);
        let r = self.login(username, password).await;
        r.expect(200);
        r.body["access_token"].as_str().expect("token").to_owned()
    }
}

impl TestApp {
    /// Creates a reviewer (评审专家) account, affiliated with `org_id` if given, and returns an
    /// access token for them.
    pub async fn reviewer_token(
        &self,
        token: &str,
        org_id: Option<&str>,
        username: &str,
    ) -> String {
        let password = "Reviewer-pass-1";
        let mut body = json!({"username": username, "password": password, "role": "reviewer"});
        if let Some(org) = org_id {
            body["organization_id"] = json!(org);
        }
        self.post("/api/v1/accounts", Some(token), &body)
            .await
            .expect(201);
        let r = self.login(username, password).await;
        r.expect(200);
        r.body["access_token"].as_str().expect("token").to_owned()
    }
}

/// Computes the GB 11643 check character for 17 digits.
pub fn id_check_char(body17: &str) -> char {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const MAP: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
    let sum: u32 = body17
        .chars()
        .zip(W)
        .map(|(c, w)| c.to_digit(10).expect("digit") * w)
        .sum();
    MAP[(sum % 11) as usize]
}

/// A valid resident ID number: region code, birth date `YYYYMMDD`, 3-digit sequence (odd: male).
pub fn id_number(region: &str, birth: &str, seq: u32) -> String {
    let body = format!("{region}{birth}{seq:03}");
    format!("{body}{}", id_check_char(&body))
}

// ---------------------------------------------------------------------------
// Projects, shifts and sign-ups fixtures
// ---------------------------------------------------------------------------

static VOLUNTEER_SEQ: AtomicU64 = AtomicU64::new(1);

/// Password of volunteers made by [`register_volunteer`].
pub const VOLUNTEER_PASSWORD: &str = "Volunteer-pass-1";

/// Self-registers a volunteer born on `birth` (`YYYYMMDD`; minors get a consenting guardian),
/// logs in with the mobile and returns (volunteer id, access token).
pub async fn register_volunteer(app: &TestApp, birth: &str) -> (String, String) {
    let n = VOLUNTEER_SEQ.fetch_add(1, Ordering::Relaxed);
    let mobile = format!("137{:08}", n % 100_000_000);
    let seq = u32::try_from(n % 1000).expect("seq");
    let body = json!({
        "real_name": "李志愿",
        "id_type": "resident_id_card",
        "id_number": id_number("110101", birth, seq),
        "mobile": mobile,
        "region_code": "320102",
        "password": VOLUNTEER_PASSWORD,
        "guardian": {"name": "李建国", "relation": "父亲", "mobile": "13912345678", "consent": true},
    });
    let mut r = app.post("/api/v1/volunteers/register", None, &body).await;
    if r.status.as_u16() == 422 {
        // Adults may not send a guardian; retry without.
        let mut adult = body.clone();
        adult.as_object_mut().expect("object").remove("guardian");
        r = app.post("/api/v1/volunteers/register", None, &adult).await;
    }
    r.expect(201);
    let id = r.body["id"].as_str().expect("id").to_owned();
    let login = app.login(&mobile, VOLUNTEER_PASSWORD).await;
    login.expect(200);
    (
        id,
        login.body["access_token"]
            .as_str()
            .expect("token")
            .to_owned(),
    )
}

/// A birth date `YYYYMMDD` of someone `years` old, far from their birthday.
pub fn birth_years_ago(years: i64) -> String {
    (chrono::Utc::now().date_naive() - chrono::Duration::days(365 * years + 100))
        .format("%Y%m%d")
        .to_string()
}

/// RFC 3339 (UTC) of now + `hours`, on a whole minute.
pub fn hours_from_now(hours: i64) -> String {
    let t = chrono::Utc::now() + chrono::Duration::hours(hours);
    t.format("%Y-%m-%dT%H:%M:00Z").to_string()
}

/// A project body for `org` running from yesterday to 60 days ahead.
pub fn project_body(org: &str) -> Value {
    let today = chrono::Utc::now().date_naive();
    json!({
        "organization_id": org,
        "title": "社区助老服务",
        "service_category": "社区服务",
        "description": "陪伴老人，协助活动。\n注意安全。",
        "region_code": "320102",
        "address": "南京市玄武区某社区",
        "start_date": (today - chrono::Duration::days(1)).to_string(),
        "end_date": (today + chrono::Duration::days(60)).to_string(),
        "check_in_policy": "code",
    })
}

impl TestApp {
    /// Creates a project from `body` and returns its JSON.
    pub async fn create_project(&self, token: &str, body: &Value) -> Value {
        let r = self.post("/api/v1/projects", Some(token), body).await;
        r.expect(201);
        r.body.clone()
    }

    /// Adds a shift from `start_h` to `end_h` hours from now and returns its JSON.
    pub async fn create_shift(
        &self,
        token: &str,
        project: &str,
        start_h: i64,
        end_h: i64,
        capacity: u32,
    ) -> Value {
        let r = self
            .post(
                &format!("/api/v1/projects/{project}/shifts"),
                Some(token),
                &json!({"starts_at": hours_from_now(start_h), "ends_at": hours_from_now(end_h), "capacity": capacity}),
            )
            .await;
        r.expect(201);
        r.body.clone()
    }

    /// Submits a project with `token` and approves it as the platform admin.
    pub async fn publish_project(&self, token: &str, project: &str) {
        self.post(
            &format!("/api/v1/projects/{project}/submit"),
            Some(token),
            &json!({}),
        )
        .await
        .expect(200);
        let admin = self.admin_token().await;
        let r = self
            .post(
                &format!("/api/v1/projects/{project}/approve"),
                Some(&admin),
                &json!({}),
            )
            .await;
        r.expect(200);
        assert_eq!(r.body["status"], "published");
    }

    /// A published project of `org` (from [`project_body`] plus `extra` fields) with one shift
    /// 48–51 hours from now of `capacity` places; returns (project id, shift id).
    pub async fn published_project_with_shift(
        &self,
        token: &str,
        org: &str,
        extra: Value,
        capacity: u32,
    ) -> (String, String) {
        let mut body = project_body(org);
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            for (k, v) in e {
                b.insert(k.clone(), v.clone());
            }
        }
        let p = self.create_project(token, &body).await;
        let pid = p["id"].as_str().expect("id").to_owned();
        let s = self.create_shift(token, &pid, 48, 51, capacity).await;
        self.publish_project(token, &pid).await;
        (pid, s["id"].as_str().expect("id").to_owned())
    }
}

// ---------------------------------------------------------------------------
// Ledger fixtures (service records, certificates)
// ---------------------------------------------------------------------------

/// A mainland mobile unique per `seq`.
pub fn mobile_for(seq: u32) -> String {
    format!("139{seq:08}")
}

/// Registers an adult volunteer at `org_id` as an admin (`POST /volunteers`) and returns the
/// volunteer JSON. `seq` (1–999) keeps ID numbers and mobiles unique within a test.
pub async fn admin_registered_volunteer(
    app: &TestApp,
    token: &str,
    org_id: &str,
    name: &str,
    seq: u32,
) -> Value {
    let r = app
        .post(
            "/api/v1/volunteers",
            Some(token),
            &json!({
                "real_name": name,
                "id_type": "resident_id_card",
                "id_number": id_number("110101", "19900307", seq),
                "mobile": mobile_for(seq),
                "region_code": "320102",
                "organization_id": org_id,
            }),
        )
        .await;
    r.expect(201);
    r.body
}

/// Self-registers an adult volunteer (optionally applying to `org_id`) and returns the volunteer
/// JSON and an access token.
pub async fn self_registered_volunteer(
    app: &TestApp,
    name: &str,
    seq: u32,
    org_id: Option<&str>,
) -> (Value, String) {
    let password = "Volunteer-pass-1";
    let mut body = json!({
        "real_name": name,
        "id_type": "resident_id_card",
        "id_number": id_number("110101", "19900307", seq),
        "mobile": mobile_for(seq),
        "region_code": "320102",
        "password": password,
    });
    if let Some(o) = org_id {
        body["organization_id"] = json!(o);
    }
    let r = app.post("/api/v1/volunteers/register", None, &body).await;
    r.expect(201);
    let login = app.login(&mobile_for(seq), password).await;
    login.expect(200);
    (
        r.body,
        login.body["access_token"]
            .as_str()
            .expect("token")
            .to_owned(),
    )
}

/// A manual service-record body.
pub fn record_body(volunteer_id: &str, org_id: &str, started_at: &str, ended_at: &str) -> Value {
    json!({
        "volunteer_id": volunteer_id,
        "organization_id": org_id,
        "activity_name": "社区环境整治",
        "service_category": "社区服务",
        "place": "南京市玄武区梅园新村街道",
        "content": "清理楼道杂物，宣传垃圾分类",
        "activity_leader": "王老师",
        "started_at": started_at,
        "ended_at": ended_at,
    })
}

/// Creates a manual record (approved when `approve`) and returns its JSON.
pub async fn create_record(
    app: &TestApp,
    token: &str,
    volunteer_id: &str,
    org_id: &str,
    started_at: &str,
    ended_at: &str,
    approve: bool,
) -> Value {
    let mut body = record_body(volunteer_id, org_id, started_at, ended_at);
    body["approve"] = json!(approve);
    let r = app
        .post("/api/v1/service-records", Some(token), &body)
        .await;
    r.expect(201);
    r.body
}

/// Creates approved records for `volunteer_id` adding up to `minutes`, at most 20 hours each,
/// one a day from 2025-01-01 + `first_day` days, starting 00:00 Beijing time. Callers keep the
/// day ranges of one volunteer apart so that records never overlap.
pub async fn approved_minutes(
    app: &TestApp,
    token: &str,
    volunteer_id: &str,
    org_id: &str,
    first_day: i64,
    minutes: i64,
) -> Vec<Value> {
    let base = chrono::DateTime::parse_from_rfc3339("2025-01-01T00:00:00+08:00").expect("date");
    let mut left = minutes;
    let mut day = first_day;
    let mut records = Vec::new();
    while left > 0 {
        let m = left.min(20 * 60);
        let start = base + chrono::Duration::days(day);
        let end = start + chrono::Duration::minutes(m);
        records.push(
            create_record(
                app,
                token,
                volunteer_id,
                org_id,
                &start.to_rfc3339(),
                &end.to_rfc3339(),
                true,
            )
            .await,
        );
        left -= m;
        day += 1;
    }
    records
}

/// Today's date in Beijing (the platform time zone of the tests; no daylight saving time).
pub fn beijing_today() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
}
