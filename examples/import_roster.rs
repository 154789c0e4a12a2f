//! Imports a roster into a running service, the way an organization admin would:
//! logs in as `admin`, creates (or reuses) an example organization, uploads the file through
//! `POST /api/v1/volunteers/imports`, prints the per-row summary and the first volunteers with
//! their masked ID numbers.
//!
//! ```text
//! cargo run --example import_roster -- <admin password> [file] [base URL]
//! ```
//! Defaults: `examples/roster-1000.csv`, `http://127.0.0.1:$APP_PORT` (8080 when unset). The password is the one
//! printed at the first start (or `APP_ADMIN_PASSWORD`).

use serde_json::{Value, json};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let mut args = std::env::args().skip(1);
    let password = args
        .next()
        .or_else(|| std::env::var("APP_ADMIN_PASSWORD").ok())
        .ok_or("usage: cargo run --example import_roster -- <admin password> [file] [base URL]")?;
    let file = args
        .next()
        .unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/examples/roster-1000.csv").into());
    let base = args.next().unwrap_or_else(default_base);
    api::install_tls_provider();
    let http = reqwest::Client::new();

    let login: Value = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"login": "admin", "password": password}))
        .send()
        .await?
        .json()
        .await?;
    let token = login["access_token"]
        .as_str()
        .ok_or_else(|| format!("login failed: {login}"))?
        .to_owned();

    let name = "示例团委（花名册导入）";
    let found: Value = http
        .get(format!("{base}/api/v1/organizations?name={name}"))
        .bearer_auth(&token)
        .send()
        .await?
        .json()
        .await?;
    let org_id = match found["items"][0]["id"].as_str() {
        Some(id) => id.to_owned(),
        None => {
            let created: Value = http
                .post(format!("{base}/api/v1/organizations"))
                .bearer_auth(&token)
                .json(&json!({"name": name, "kind": "league_committee", "region_code": "320100"}))
                .send()
                .await?
                .json()
                .await?;
            created["id"]
                .as_str()
                .ok_or_else(|| format!("cannot create organization: {created}"))?
                .to_owned()
        }
    };

    let bytes = std::fs::read(&file).map_err(|e| format!("cannot read {file}: {e}"))?;
    let content_type = if file.ends_with(".xlsx") {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    } else {
        "text/csv"
    };
    let started = std::time::Instant::now();
    let result: Value = http
        .post(format!(
            "{base}/api/v1/volunteers/imports?organization_id={org_id}"
        ))
        .bearer_auth(&token)
        .header("content-type", content_type)
        .body(bytes)
        .send()
        .await?
        .json()
        .await?;
    if result["rows"].is_null() {
        return Err(format!("import refused: {result}").into());
    }
    println!(
        "imported {file} into organization {org_id} in {:.2} s: {} rows, {} created, {} duplicates, {} rejected",
        started.elapsed().as_secs_f64(),
        result["total_rows"],
        result["created"],
        result["duplicates"],
        result["rejected"]
    );
    for row in result["rows"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["status"] != "created")
        .take(10)
    {
        let reasons: Vec<String> = row["errors"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| {
                format!(
                    "{} {}",
                    e["field"].as_str().unwrap_or(""),
                    e["code"].as_str().unwrap_or("")
                )
            })
            .collect();
        println!(
            "  line {:>4}: {:<9} {}",
            row["line"],
            row["status"].as_str().unwrap_or(""),
            reasons.join(", ")
        );
    }

    let list: Value = http
        .get(format!(
            "{base}/api/v1/volunteers?organization_id={org_id}&per_page=5"
        ))
        .bearer_auth(&token)
        .send()
        .await?
        .json()
        .await?;
    println!(
        "{} volunteers in the organization; the newest:",
        list["total"]
    );
    for v in list["items"].as_array().into_iter().flatten() {
        println!(
            "  {}  {}  {}  {}",
            v["volunteer_number"].as_str().unwrap_or(""),
            v["real_name"].as_str().unwrap_or(""),
            v["id_number"].as_str().unwrap_or(""),
            v["mobile"].as_str().unwrap_or("")
        );
    }
    Ok(())
}

/// `http://127.0.0.1:<APP_PORT>`, the address `cargo run` binds with the same environment.
fn default_base() -> String {
    let port = std::env::var("APP_PORT").unwrap_or_else(|_| "8080".into());
    format!("http://127.0.0.1:{}", port.trim())
}
