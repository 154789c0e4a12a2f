//! A small partner-platform client, shared by `examples/partner_client.rs` and the HTTP tests:
//! it authenticates with OAuth 2 client credentials, pushes batches of volunteers and service
//! records with an `Idempotency-Key`, replays them, and follows the change feed.
//!
//! It is deliberately plain (one struct, `reqwest` and `serde_json`), the way a partner would
//! write it against the OpenAPI document.

#![allow(dead_code, reason = "each user takes what it needs")]

use serde_json::{Value, json};

/// Error of the client: a message with the HTTP status and body where there was one.
pub type ClientError = Box<dyn std::error::Error + Send + Sync>;

/// An answer of a partner write: status, body text as received and the body parsed.
#[derive(Debug, Clone)]
pub struct Pushed {
    /// HTTP status.
    pub status: u16,
    /// The body exactly as received (a replay must match it byte for byte).
    pub text: String,
    /// The body as JSON.
    pub body: Value,
    /// Whether the server said it replayed a stored answer (`Idempotent-Replayed: true`).
    pub replayed: bool,
}

/// A partner platform's connection to the volunteer platform.
pub struct PartnerApi {
    base: String,
    client_id: String,
    client_secret: String,
    http: reqwest::Client,
    token: Option<String>,
}

impl PartnerApi {
    /// A client for `base` (`http://127.0.0.1:8080`) with the partner's credentials.
    pub fn new(base: &str, client_id: &str, client_secret: &str) -> Self {
        Self {
            base: base.trim_end_matches('/').to_owned(),
            client_id: client_id.to_owned(),
            client_secret: client_secret.to_owned(),
            http: {
                api::install_tls_provider();
                reqwest::Client::new()
            },
            token: None,
        }
    }

    /// Gets an access token (`POST /api/v1/partners/token`, form-encoded as RFC 6749 §4.4
    /// prescribes, credentials with HTTP Basic) and keeps it for later calls.
    ///
    /// # Errors
    /// Transport errors, or the problem the server answered.
    pub async fn authenticate(&mut self) -> Result<String, ClientError> {
        let r = self
            .http
            .post(format!("{}/api/v1/partners/token", self.base))
            .basic_auth(&self.client_id, Some(&self.client_secret))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("grant_type=client_credentials")
            .send()
            .await?;
        let status = r.status().as_u16();
        let body: Value = r.json().await?;
        let token = body["access_token"]
            .as_str()
            .ok_or_else(|| format!("token request answered {status}: {body}"))?
            .to_owned();
        self.token = Some(token.clone());
        Ok(token)
    }

    fn bearer(&self) -> Result<&str, ClientError> {
        self.token
            .as_deref()
            .ok_or_else(|| "call authenticate() first".into())
    }

    async fn push(&self, path: &str, key: &str, items: &[Value]) -> Result<Pushed, ClientError> {
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(self.bearer()?)
            .header("Idempotency-Key", key)
            .json(&json!({ "items": items }))
            .send()
            .await?;
        let status = r.status().as_u16();
        let replayed = r
            .headers()
            .get("idempotent-replayed")
            .is_some_and(|v| v == "true");
        let text = r.text().await?;
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Ok(Pushed {
            status,
            text,
            body,
            replayed,
        })
    }

    /// Pushes volunteers (`POST /api/v1/partner/volunteers/batch`) under `key`.
    ///
    /// # Errors
    /// Transport errors (an HTTP error status is in the answer).
    pub async fn push_volunteers(&self, key: &str, items: &[Value]) -> Result<Pushed, ClientError> {
        self.push("/api/v1/partner/volunteers/batch", key, items)
            .await
    }

    /// Pushes service records (`POST /api/v1/partner/service-records/batch`) under `key`.
    ///
    /// # Errors
    /// Transport errors (an HTTP error status is in the answer).
    pub async fn push_records(&self, key: &str, items: &[Value]) -> Result<Pushed, ClientError> {
        self.push("/api/v1/partner/service-records/batch", key, items)
            .await
    }

    /// Follows the change feed (`GET /api/v1/sync/changes`) from `after` (the start when
    /// `None`) until it has no more, `limit` changes per page; returns the changes in feed order
    /// and the cursor to continue from next time.
    ///
    /// # Errors
    /// Transport errors, or the problem the server answered.
    pub async fn follow_feed(
        &self,
        after: Option<String>,
        limit: u32,
    ) -> Result<(Vec<Value>, Option<String>), ClientError> {
        let mut cursor = after;
        let mut changes = Vec::new();
        // Bounded: a feed that keeps growing while we read is picked up next time.
        for _ in 0..10_000 {
            let mut url = format!("{}/api/v1/sync/changes?limit={limit}", self.base);
            if let Some(c) = &cursor {
                url.push_str("&after=");
                url.push_str(&percent_encode(c));
            }
            let req = self.http.get(url).bearer_auth(self.bearer()?);
            let r = req.send().await?;
            let status = r.status().as_u16();
            let page: Value = r.json().await?;
            if status != 200 {
                return Err(format!("change feed answered {status}: {page}").into());
            }
            if let Some(items) = page["items"].as_array() {
                changes.extend(items.iter().cloned());
            }
            if let Some(next) = page["next_cursor"].as_str() {
                cursor = Some(next.to_owned());
            }
            if page["has_more"] != Value::Bool(true) {
                break;
            }
        }
        Ok((changes, cursor))
    }

    /// Applies feed changes to a local copy keyed by `entity_type/entity_id` (the latest
    /// `data` wins), the way a partner mirrors the data in its scope.
    pub fn apply(mirror: &mut std::collections::BTreeMap<String, Value>, changes: &[Value]) {
        for c in changes {
            let key = format!(
                "{}/{}",
                c["entity_type"].as_str().unwrap_or(""),
                c["entity_id"].as_str().unwrap_or("")
            );
            mirror.insert(key, c["data"].clone());
        }
    }
}

/// Percent-encodes a query value (RFC 3986 unreserved characters stay as they are).
fn percent_encode(value: &str) -> String {
    use std::fmt::Write as _;
    value.bytes().fold(String::new(), |mut out, b| {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
        out
    })
}

/// A valid resident ID number (GB 11643 check character) from a 6-digit region, a birth date
/// `YYYYMMDD` and a 3-digit sequence.
pub fn resident_id(region: &str, birth: &str, seq: u32) -> String {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const MAP: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
    let body = format!("{region}{birth}{seq:03}");
    let sum: u32 = body
        .chars()
        .zip(W)
        .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
        .sum();
    format!("{body}{}", MAP[(sum % 11) as usize])
}

/// An example volunteer item for `organization_id`, numbered `n` (1–999).
pub fn example_volunteer(organization_id: &str, n: u32) -> Value {
    json!({
        "external_id": format!("stu-{n:04}"),
        "organization_id": organization_id,
        "real_name": "周同学",
        "id_type": "resident_id_card",
        "id_number": resident_id("320102", "20000101", n),
        "mobile": format!("136{n:08}"),
        "region_code": "320102",
        "skills": ["急救"],
        "service_categories": ["社区服务"],
    })
}

/// An example record item: volunteer `stu-<n>`, two hours on day `day` of January 2025
/// (Beijing time).
pub fn example_record(organization_id: &str, n: u32, day: u32) -> Value {
    json!({
        "external_id": format!("act-{day:02}-stu-{n:04}"),
        "volunteer_external_id": format!("stu-{n:04}"),
        "organization_id": organization_id,
        "activity_name": "社区环境整治",
        "service_category": "社区服务",
        "place": "南京市玄武区",
        "content": "清理楼道杂物",
        "started_at": format!("2025-01-{day:02}T09:00:00+08:00"),
        "ended_at": format!("2025-01-{day:02}T11:00:00+08:00"),
    })
}
