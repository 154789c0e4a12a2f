//! Starts the youth volunteer platform API. Configuration comes from `APP_*` environment
//! variables (see `api::config`); with none set it serves on 127.0.0.1:8080 from a SQLite file
//! under `data/`.

/// mimalloc instead of glibc malloc: each Argon2id hash allocates 19 MiB, and glibc kept those
/// blocks in per-thread arenas (peak RSS grew by ~20 MB per login thread; measured with
/// benches/platform.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    let settings = api::config::Settings::from_env()?;
    api::telemetry::init(settings.environment == api::config::Environment::Production);
    let app = api::startup::Application::build(settings)
        .await
        .map_err(|e| anyhow::anyhow!("start-up failed: {e}"))?;
    tracing::info!(port = app.port(), "listening; Swagger UI at /swagger-ui/");
    app.run_until_stopped().await?;
    Ok(())
}
