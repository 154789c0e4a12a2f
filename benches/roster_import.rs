//! Roster import throughput: starts the real service on a fresh SQLite (or, with
//! `APP_BENCH_DATABASE_URL`, PostgreSQL) database, uploads a generated roster of N rows
//! (default 10,000) through `POST /api/v1/volunteers/imports`, and prints rows per second for
//! the first upload (all rows new) and for a re-upload of the same file (all duplicates).
//!
//! `cargo bench --bench roster_import` or `cargo bench --bench roster_import -- 50000`.

#[path = "../tests/support/roster_gen.rs"]
mod roster_gen;

use std::time::Instant;

use api::config::Settings;
use api::startup::Application;
use serde_json::{Value, json};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let rows: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(10_000);
    let dir = tempfile::tempdir()?;
    let url = std::env::var("APP_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}/bench.db?mode=rwc", dir.path().display()));
    let mut settings = Settings::for_tests(url.clone(), dir.path().to_path_buf());
    settings.max_upload_bytes = 200 * 1024 * 1024;
    let app = Application::build(settings).await?;
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    api::install_tls_provider();
    let client = reqwest::Client::new();

    let login: Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"login": "admin", "password": "admin-password-for-tests"}))
        .send()
        .await?
        .json()
        .await?;
    let token = login["access_token"]
        .as_str()
        .ok_or("login failed")?
        .to_owned();
    let org: Value = client
        .post(format!("{base}/api/v1/organizations"))
        .bearer_auth(&token)
        .json(&json!({"name": "基准测试团委", "kind": "league_committee", "region_code": "320100"}))
        .send()
        .await?
        .json()
        .await?;
    let org_id = org["id"]
        .as_str()
        .ok_or("organization not created")?
        .to_owned();

    let generated = roster_gen::generate(rows, 42, 30, 2026);
    let csv = roster_gen::to_csv(&generated).into_bytes();
    let bad = generated.iter().filter(|r| r.fault.is_some()).count();
    println!(
        "roster_import: {rows} rows ({bad} deliberately bad), {} KiB, database {}",
        csv.len() / 1024,
        if url.starts_with("sqlite") {
            "SQLite"
        } else {
            "PostgreSQL"
        }
    );

    for round in ["first upload (new rows)", "re-upload (all duplicates)"] {
        let started = Instant::now();
        let res = client
            .post(format!(
                "{base}/api/v1/volunteers/imports?organization_id={org_id}"
            ))
            .bearer_auth(&token)
            .header("content-type", "text/csv")
            .body(csv.clone())
            .send()
            .await?;
        let status = res.status();
        let body: Value = res.json().await?;
        let secs = started.elapsed().as_secs_f64();
        println!(
            "  {round:<28} {status}  {:>8.2} s  {:>9.0} rows/s  created {} duplicate {} rejected {}",
            secs,
            rows as f64 / secs,
            body["created"],
            body["duplicates"],
            body["rejected"]
        );
    }
    Ok(())
}
