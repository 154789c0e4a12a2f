//! Structured logging and the request-id middleware. Logs carry method, route *pattern* (never
//! the concrete path or query string, which could hold names or numbers), status, latency and
//! request id — no personal data.

use std::time::Instant;

use actix_web::HttpMessage as _;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use tracing_subscriber::EnvFilter;

use crate::auth::extract::RequestId;

/// Default log filter. `actix_web_prom=error`: the metrics middleware warns "Cannot build mixed
/// cardinality pattern" on every Swagger UI file request, because that route's pattern
/// (`/swagger-ui/{_:.*}`) holds a regex its label formatter cannot fill; the request is still
/// counted, under that pattern.
pub const DEFAULT_FILTER: &str = "info,sqlx=warn,sea_orm=warn,actix_web_prom=error";

/// Installs the global subscriber: JSON lines in production, compact text in development.
/// `RUST_LOG` overrides the default filter [`DEFAULT_FILTER`].
pub fn init(json: bool) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.compact().try_init()
    };
}

/// Header carrying the request id.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

fn valid_incoming(v: &HeaderValue) -> Option<String> {
    let s = v.to_str().ok()?;
    (!s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
    .then(|| s.to_owned())
}

/// Middleware: takes a well-formed incoming `x-request-id` or makes one (UUID v7), stores it
/// for handlers and the audit log, echoes it on the response and logs one line per request.
///
/// # Errors
/// Passes through errors of the inner service.
pub async fn request_id(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(valid_incoming)
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    req.extensions_mut().insert(RequestId(id.clone()));
    let method = req.method().to_string();
    let started = Instant::now();
    let mut res = next.call(req).await?;
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(REQUEST_ID, v);
    }
    let route = res
        .request()
        .match_pattern()
        .unwrap_or_else(|| "unmatched".into());
    let status = res.status().as_u16();
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    if route != "/health/live" && route != "/metrics" {
        tracing::info!(request_id = %id, %method, %route, status, latency_ms, "request");
    }
    Ok(res)
}
