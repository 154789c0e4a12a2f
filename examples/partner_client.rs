//! A partner platform's side of the exchange: authenticates with its client credentials,
//! pushes a batch of volunteers and their service records, replays the same batch with the same
//! `Idempotency-Key` (same answer, nothing written twice) and follows the change feed.
//!
//! ```text
//! cargo run --example partner_client -- <client_id> <client_secret> <organization id> [base URL]
//! ```
//! A platform admin registers the partner first (`POST /api/v1/partners` with a name and the
//! organization in its scope); the answer holds the client id and the one-time secret. The
//! logic lives in `tests/support/partner_client.rs`, which the HTTP tests drive as well.

#[path = "../tests/support/partner_client.rs"]
mod partner_client;

use partner_client::{PartnerApi, example_record, example_volunteer};

#[tokio::main]
async fn main() -> Result<(), partner_client::ClientError> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: cargo run --example partner_client -- <client_id> <client_secret> <organization id> [base URL]";
    let client_id = args.next().ok_or(usage)?;
    let secret = args.next().ok_or(usage)?;
    let org = args.next().ok_or(usage)?;
    let base = args.next().unwrap_or_else(|| {
        let port = std::env::var("APP_PORT").unwrap_or_else(|_| "8080".into());
        format!("http://127.0.0.1:{}", port.trim())
    });

    let mut api = PartnerApi::new(&base, &client_id, &secret);
    api.authenticate().await?;
    println!("authenticated as {client_id}");

    let volunteers: Vec<_> = (1..=3).map(|n| example_volunteer(&org, n)).collect();
    let key = format!("example-volunteers-{}", std::process::id());
    let first = api.push_volunteers(&key, &volunteers).await?;
    println!("volunteers: {} {}", first.status, first.body["summary"]);
    let again = api.push_volunteers(&key, &volunteers).await?;
    println!(
        "replay: {} identical={} replayed={}",
        again.status,
        again.text == first.text,
        again.replayed
    );

    let records: Vec<_> = (1..=3).map(|n| example_record(&org, n, 6)).collect();
    let pushed = api
        .push_records(&format!("example-records-{}", std::process::id()), &records)
        .await?;
    println!("records: {} {}", pushed.status, pushed.body["summary"]);

    match api.follow_feed(None, 100).await {
        Ok((changes, cursor)) => println!(
            "change feed: {} changes, continue after {}",
            changes.len(),
            cursor.unwrap_or_default()
        ),
        Err(e) => println!("change feed unavailable: {e}"),
    }
    Ok(())
}
