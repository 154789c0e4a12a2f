//! Building and running the application: database, migrations, first admin, HTTP server.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpResponse, HttpServer, web};
use actix_web_prom::PrometheusMetricsBuilder;
use chrono::Utc;
use entity::account;
use entity::enums::{AccountStatus, Role};
use migration::{Migrator, MigratorTrait as _};
use rand::Rng as _;
use sea_orm::{
    ActiveValue::Set, ColumnTrait as _, ConnectOptions, Database, DatabaseConnection,
    EntityTrait as _, PaginatorTrait as _, QueryFilter as _,
};
use secrecy::ExposeSecret as _;
use utoipa::OpenApi as _;
use utoipa_actix_web::{AppExt as _, scope};
use utoipa_swagger_ui::SwaggerUi;

use crate::auth::limiter::LoginLimiter;
use crate::auth::password::PasswordHasher;
use crate::auth::token::JwtKeys;
use crate::config::Settings;
use crate::crypto::FieldCrypto;
use crate::error::{json_error, not_found_fallback, path_error, query_error};
use crate::openapi::ApiDoc;
use crate::records::signing::PlatformSigner;
use crate::state::AppState;
use crate::{
    accounts, auth, health, memberships, organizations, projects, records, regions, volunteers,
};

/// Start-up failure, with what went wrong.
pub type StartupError = Box<dyn std::error::Error + Send + Sync>;

/// Registers every documented route: `/api/v1/...` and the health probes.
pub fn register(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(
        scope::scope("/api/v1")
            .configure(auth::routes)
            .configure(accounts::routes)
            .configure(organizations::routes)
            .configure(regions::routes)
            .configure(volunteers::routes)
            .configure(memberships::routes)
            .configure(projects::routes)
            .configure(records::routes)
            .configure(crate::training::routes)
            .configure(crate::incentives::routes)
            .configure(crate::social_orgs::routes)
            .configure(crate::social_programs::routes)
            .configure(crate::partners::routes)
            .configure(crate::sync::routes)
            .configure(crate::recognition::routes)
            .configure(crate::awards::routes),
    )
    .service(health::live)
    .service(health::ready)
    .service(records::certificates::jwks);
}

/// Connects to the database: SQLite gets WAL mode, foreign keys and a single pooled
/// connection (SQLite has one writer; one connection avoids `SQLITE_BUSY` on upgrades from
/// read to write transactions); PostgreSQL gets a pool of 10.
///
/// # Errors
/// Connection failures.
pub async fn connect(settings: &Settings) -> Result<DatabaseConnection, sea_orm::DbErr> {
    let mut opts = ConnectOptions::new(settings.database_url.clone());
    opts.sqlx_logging(false)
        .acquire_timeout(Duration::from_secs(10));
    if settings.is_sqlite() {
        opts.max_connections(1)
            .min_connections(1)
            .idle_timeout(None::<Duration>)
            .max_lifetime(None::<Duration>)
            .map_sqlx_sqlite_opts(|o| {
                o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10))
                    .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
            });
    } else {
        opts.max_connections(10).min_connections(1);
    }
    Database::connect(opts).await
}

/// How many read-only connections a SQLite database gets beside its writer: one per core, at
/// least two.
pub fn sqlite_readers() -> u32 {
    std::thread::available_parallelism().map_or(2, |n| u32::try_from(n.get()).unwrap_or(2).max(2))
}

/// The pool for reads outside any transaction ([`AppState::read_db`]). PostgreSQL: `db`
/// itself. SQLite (WAL mode, which lets readers run beside the writer and see every committed
/// write): [`sqlite_readers`] connections to the same file with `PRAGMA query_only`, so that
/// reads no longer queue behind each other and behind writes on the single writer connection.
/// An in-memory SQLite database is private to its connection: it reads through `db` too.
///
/// Call it after the migrations: the file and its schema must exist.
///
/// # Errors
/// Connection failures.
pub async fn connect_readers(
    settings: &Settings,
    db: &DatabaseConnection,
) -> Result<DatabaseConnection, sea_orm::DbErr> {
    let url = &settings.database_url;
    if !settings.is_sqlite() || url.contains(":memory:") || url.contains("mode=memory") {
        return Ok(db.clone());
    }
    let mut opts = ConnectOptions::new(url.clone());
    opts.sqlx_logging(false)
        .acquire_timeout(Duration::from_secs(10))
        .max_connections(sqlite_readers())
        .min_connections(1)
        .map_sqlx_sqlite_opts(|o| {
            o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .busy_timeout(Duration::from_secs(10))
                .pragma("query_only", "ON")
        });
    Database::connect(opts).await
}

/// Creates the first platform admin (`admin`) when no platform admin exists. Returns the
/// generated password when `APP_ADMIN_PASSWORD` was not set, so that it can be printed once.
///
/// # Errors
/// Database or hashing failures.
pub async fn bootstrap_admin(state: &AppState) -> Result<Option<String>, StartupError> {
    let existing = account::Entity::find()
        .filter(account::Column::Role.eq(Role::PlatformAdmin))
        .count(&state.db)
        .await?;
    if existing > 0 {
        return Ok(None);
    }
    let (password, generated) = match &state.settings.admin_password {
        Some(p) => (p.expose_secret().to_owned(), false),
        None => {
            let alphabet = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
            let mut rng = rand::rng();
            let p: String = (0..20)
                .map(|_| {
                    char::from(
                        alphabet
                            .get(rng.random_range(0..alphabet.len()))
                            .copied()
                            .unwrap_or(b'x'),
                    )
                })
                .collect();
            (p, true)
        }
    };
    let hash = state
        .hasher
        .hash(password.clone())
        .await
        .map_err(|e| e.to_string())?;
    account::Entity::insert(account::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        username: Set("admin".into()),
        mobile: Set(None),
        password_hash: Set(hash),
        role: Set(Role::PlatformAdmin),
        organization_id: Set(None),
        volunteer_id: Set(None),
        status: Set(AccountStatus::Active),
        created_at: Set(Utc::now()),
        last_login_at: Set(None),
    })
    .exec(&state.db)
    .await?;
    Ok(generated.then_some(password))
}

/// A built application: bound, migrated, ready to run.
pub struct Application {
    server: Server,
    port: u16,
    state: AppState,
}

impl Application {
    /// Connects, migrates, creates the first admin and binds the listener (port 0 picks a free
    /// port, which tests use).
    ///
    /// # Errors
    /// Any start-up failure, with its cause.
    pub async fn build(settings: Settings) -> Result<Self, StartupError> {
        if settings.is_sqlite() {
            std::fs::create_dir_all(&settings.data_dir).map_err(|e| {
                format!(
                    "cannot create data dir {}: {e}",
                    settings.data_dir.display()
                )
            })?;
        }
        let db = connect(&settings)
            .await
            .map_err(|e| format!("cannot connect to the database: {e}"))?;
        Migrator::up(&db, None)
            .await
            .map_err(|e| format!("migration failed: {e}"))?;
        let read_db = connect_readers(&settings, &db)
            .await
            .map_err(|e| format!("cannot open the read connections: {e}"))?;
        let state = AppState {
            db,
            read_db,
            crypto: FieldCrypto::new(settings.field_key.expose_secret()),
            jwt: JwtKeys::new(settings.jwt_secret())?,
            login_limiter: LoginLimiter::new(
                settings.login_max_per_account,
                settings.login_max_per_address,
            ),
            hasher: PasswordHasher::for_this_machine()
                .map_err(|e| format!("cannot start the password hashing threads: {e}"))?,
            signer: PlatformSigner::from_seed(settings.signing_key.expose_secret()),
            settings: Arc::new(settings),
        };
        if let Some(password) = bootstrap_admin(&state).await? {
            println!(
                "\n  First start: created platform admin `admin` with one-time password:\n\n      {password}\n\n  It is shown only now. Log in at /swagger-ui/ (POST /api/v1/auth/login).\n"
            );
        }
        let listener = TcpListener::bind((state.settings.host.as_str(), state.settings.port))
            .map_err(|e| {
                format!(
                    "cannot bind {}:{}: {e}",
                    state.settings.host, state.settings.port
                )
            })?;
        let port = listener.local_addr()?.port();
        // Webhook delivery (sync): every node runs the worker; jobs are leased, never sent twice.
        crate::sync::worker::spawn(&state)?;
        let server = run(listener, state.clone())?;
        let limiter = state.login_limiter.clone();
        let db = state.db.clone();
        let grace = chrono::Duration::minutes(state.settings.checkout_grace_minutes);
        let tz = state.settings.time_zone;
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(60));
            loop {
                tick.tick().await;
                limiter.prune();
                // Idempotent and claimed row by row: safe to run on every API node.
                if let Err(e) = crate::projects::attendance::close_forgotten_checkouts(
                    &db,
                    Utc::now(),
                    grace,
                    tz,
                )
                .await
                {
                    tracing::warn!(error = %e, "closing forgotten check-outs failed; retrying next minute");
                }
                if let Err(e) = crate::incentives::jobs::run_due(&db, tz, Utc::now()).await {
                    tracing::warn!(error = %e, "incentive jobs failed; retrying next minute");
                }
            }
        });
        Ok(Self {
            server,
            port,
            state,
        })
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The shared state (tests use its database handle and keys).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until stopped. SIGTERM stops gracefully: no new connections, in-flight requests get
    /// up to 30 s to finish; SIGINT and SIGQUIT stop at once (actix-server's signal handling).
    ///
    /// # Errors
    /// I/O errors of the server.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

fn run(listener: TcpListener, state: AppState) -> Result<Server, StartupError> {
    let prometheus = PrometheusMetricsBuilder::new("api")
        .endpoint("/metrics")
        .mask_unmatched_patterns("UNMATCHED")
        .build()?;
    let json_limit = state.settings.max_body_bytes;
    let upload_limit = state.settings.max_upload_bytes;
    let data = web::Data::new(state);
    let server = HttpServer::new(move || {
        let (app, spec) = App::new()
            .wrap(from_fn(crate::telemetry::request_id))
            .wrap(prometheus.clone())
            .app_data(data.clone())
            .app_data(
                web::JsonConfig::default()
                    .limit(json_limit)
                    .error_handler(json_error),
            )
            .app_data(web::QueryConfig::default().error_handler(query_error))
            .app_data(web::PathConfig::default().error_handler(path_error))
            .app_data(web::PayloadConfig::default().limit(upload_limit))
            .into_utoipa_app()
            .openapi(ApiDoc::openapi())
            .configure(register)
            .split_for_parts();
        app.service(SwaggerUi::new("/swagger-ui/{_:.*}").url("/api-docs/openapi.json", spec))
            .route(
                "/swagger-ui",
                web::get().to(|| async {
                    HttpResponse::PermanentRedirect()
                        .insert_header(("Location", "/swagger-ui/"))
                        .finish()
                }),
            )
            .route(
                "/",
                web::get().to(|| async {
                    HttpResponse::Found()
                        .insert_header(("Location", "/swagger-ui/"))
                        .finish()
                }),
            )
            .default_service(web::to(not_found_fallback))
    })
    .shutdown_timeout(30)
    .listen(listener)?
    .run();
    Ok(server)
}
