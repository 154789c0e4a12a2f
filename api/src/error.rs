//! One error vocabulary: every failure becomes an RFC 9457 `application/problem+json` body with a
//! stable snake_case `code`. Database errors are classified in one place ([`From<DbErr>`]);
//! actix's own JSON, query and path rejections go through [`json_error`], [`query_error`] and
//! [`path_error`]. 5xx bodies are generic; their cause is logged once, without personal data.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use sea_orm::{DbErr, SqlErr};
use serde::Serialize;
use utoipa::ToSchema;

/// One field-level problem: where (a JSON path such as `id_number` or `rows[3].mobile`), a stable
/// code and a message for people.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct FieldIssue {
    /// JSON path of the offending field.
    pub field: String,
    /// Stable snake_case code, e.g. `id_number_checksum`.
    pub code: String,
    /// Human-readable explanation (English).
    pub message: String,
}

impl FieldIssue {
    /// A field issue.
    pub fn new(
        field: impl Into<String>,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            field: field.into(),
            code: code.into(),
            message: message.into(),
        }
    }
}

/// The RFC 9457 problem document returned for every error.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// URI reference naming the problem type (`about:blank` or `urn:problem:<code>`).
    #[serde(rename = "type")]
    pub type_: String,
    /// Short summary of the problem type.
    pub title: String,
    /// HTTP status code.
    pub status: u16,
    /// Explanation specific to this occurrence.
    pub detail: String,
    /// Stable snake_case code that clients can branch on.
    pub code: String,
    /// Field-level problems, possibly empty.
    pub errors: Vec<FieldIssue>,
}

/// Every error the API can answer with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the request is malformed (bad JSON syntax, bad query or path value).
    #[error("{detail}")]
    BadRequest {
        /// Stable code.
        code: &'static str,
        /// Explanation.
        detail: String,
    },
    /// 401: missing, expired or invalid credentials.
    #[error("{detail}")]
    Unauthorized {
        /// Stable code.
        code: &'static str,
        /// Explanation.
        detail: String,
    },
    /// 403: authenticated, but the role may not call this endpoint.
    #[error("this role may not call this endpoint")]
    Forbidden,
    /// 404: missing, or outside the caller's scope (IDs do not leak).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// 409: duplicate or state conflict.
    #[error("{detail}")]
    Conflict {
        /// Stable code.
        code: &'static str,
        /// Explanation.
        detail: String,
    },
    /// 412: the `version` / `If-Match` given does not match the current one.
    #[error("the resource was changed by someone else (version {current})")]
    VersionMismatch {
        /// Current version.
        current: i32,
    },
    /// 413: body larger than allowed.
    #[error("request body is larger than {limit} bytes")]
    PayloadTooLarge {
        /// Limit in bytes.
        limit: usize,
    },
    /// 415: wrong content type.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// 422: field validation failed.
    #[error("validation failed")]
    Validation(Vec<FieldIssue>),
    /// 422: a domain rule forbids this.
    #[error("{detail}")]
    Rule {
        /// Stable code.
        code: &'static str,
        /// Explanation.
        detail: String,
    },
    /// 429: rate limited; retry after this many seconds.
    #[error("too many requests; retry after {retry_after} s")]
    TooManyRequests {
        /// Seconds until a retry may succeed.
        retry_after: u64,
    },
    /// 503: temporarily unable to serve (database down, hashing queue full).
    #[error("{0}")]
    Unavailable(&'static str),
    /// 500: a bug or an infrastructure failure; the cause is logged, never returned.
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl ApiError {
    /// A 422 with one field issue.
    pub fn field(
        field: impl Into<String>,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self::Validation(vec![FieldIssue::new(field, code, message)])
    }

    /// A 500 from any error.
    pub fn internal(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Internal(Box::new(e))
    }

    /// The stable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadRequest { code, .. }
            | Self::Unauthorized { code, .. }
            | Self::Conflict { code, .. }
            | Self::Rule { code, .. } => code,
            Self::Forbidden => "forbidden",
            Self::NotFound(_) => "not_found",
            Self::VersionMismatch { .. } => "version_mismatch",
            Self::PayloadTooLarge { .. } => "payload_too_large",
            Self::UnsupportedMediaType(_) => "unsupported_media_type",
            Self::Validation(_) => "validation_failed",
            Self::TooManyRequests { .. } => "too_many_requests",
            Self::Unavailable(_) => "service_unavailable",
            Self::Internal(_) => "internal_error",
        }
    }

    /// The problem document of this error.
    pub fn problem(&self) -> Problem {
        let status = self.status_code();
        let errors = match self {
            Self::Validation(issues) => issues.clone(),
            _ => Vec::new(),
        };
        let detail = match self {
            Self::Validation(issues) => match issues.as_slice() {
                [one] => format!("{}: {}", one.field, one.message),
                _ => format!("{} fields are invalid", issues.len()),
            },
            other => other.to_string(),
        };
        Problem {
            type_: format!("urn:problem:{}", self.code()),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail,
            code: self.code().to_owned(),
            errors,
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::VersionMismatch { .. } => StatusCode::PRECONDITION_FAILED,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Validation(_) | Self::Rule { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let Self::Internal(cause) = self {
            // The cause chain goes to the log once; the body stays generic.
            let mut chain = cause.to_string();
            let mut source = cause.source();
            while let Some(s) = source {
                chain.push_str(": ");
                chain.push_str(&s.to_string());
                source = s.source();
            }
            tracing::error!(error = %chain, "internal error");
        }
        let mut res = HttpResponse::build(self.status_code());
        res.insert_header((
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        ));
        if let Self::TooManyRequests { retry_after } = self {
            res.insert_header((header::RETRY_AFTER, retry_after.to_string()));
        }
        if let Self::Unauthorized { .. } = self {
            res.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
        }
        res.body(serde_json::to_string(&self.problem()).unwrap_or_default())
    }
}

impl From<DbErr> for ApiError {
    fn from(e: DbErr) -> Self {
        match e.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => Self::Conflict {
                code: "duplicate",
                detail: "a record with the same unique value already exists".into(),
            },
            Some(SqlErr::ForeignKeyConstraintViolation(_)) => Self::Rule {
                code: "reference_not_found",
                detail: "a referenced record does not exist or is still referenced".into(),
            },
            _ => match e {
                _ if sqlstate(&e).as_deref() == Some("22021") => Self::Rule {
                    code: "invalid_text",
                    detail: "text must not contain NUL (U+0000) characters".into(),
                },
                _ if matches!(sqlstate(&e).as_deref(), Some("22003" | "22008")) => Self::Rule {
                    code: "out_of_range",
                    detail: "a number or date is outside the range the database stores".into(),
                },
                DbErr::RecordNotFound(_) => Self::NotFound("record"),
                DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => {
                    tracing::error!(error = %e, "database unavailable");
                    Self::Unavailable("the database is unavailable; retry later")
                }
                other => Self::internal(other),
            },
        }
    }
}

/// The SQLSTATE of a database error, if the server reported one. PostgreSQL refuses text holding
/// NUL characters (`22021` character_not_in_repertoire; SQLite stores them) and numbers or dates
/// its column types cannot hold (`22003`, `22008`): those are the client's input, answered 422
/// (`invalid_text`, `out_of_range`) rather than 500, whichever endpoint let them through.
fn sqlstate(e: &DbErr) -> Option<String> {
    use sea_orm::RuntimeErr;
    match e {
        DbErr::Exec(RuntimeErr::SqlxError(x)) | DbErr::Query(RuntimeErr::SqlxError(x)) => {
            match &**x {
                sea_orm::sqlx::Error::Database(d) => d.code().map(|c| c.into_owned()),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Maps actix's JSON body rejections to problems: syntax → 400 `malformed_json`, wrong type,
/// unknown field or unknown enum value → 422 `invalid_body`, too large → 413, wrong content type
/// → 415.
pub fn json_error(
    err: actix_web::error::JsonPayloadError,
    _req: &actix_web::HttpRequest,
) -> actix_web::Error {
    use actix_web::error::JsonPayloadError as J;
    let api = match err {
        J::OverflowKnownLength { limit, .. } | J::Overflow { limit } => {
            ApiError::PayloadTooLarge { limit }
        }
        J::ContentType => {
            ApiError::UnsupportedMediaType("expected Content-Type: application/json".into())
        }
        J::Deserialize(e) if e.is_data() => ApiError::Rule {
            code: "invalid_body",
            detail: redact_values(&e.to_string()),
        },
        J::Deserialize(e) => ApiError::BadRequest {
            code: "malformed_json",
            detail: format!(
                "the body is not valid JSON: {}",
                redact_values(&e.to_string())
            ),
        },
        other => ApiError::BadRequest {
            code: "malformed_body",
            detail: redact_values(&other.to_string()),
        },
    };
    api.into()
}

/// Maps query-string rejections to 400 `invalid_query`.
pub fn query_error(
    err: actix_web::error::QueryPayloadError,
    _req: &actix_web::HttpRequest,
) -> actix_web::Error {
    ApiError::BadRequest {
        code: "invalid_query",
        detail: redact_values(&err.to_string()),
    }
    .into()
}

/// Maps path-parameter rejections (such as a malformed UUID) to 400 `invalid_path`.
pub fn path_error(
    err: actix_web::error::PathError,
    _req: &actix_web::HttpRequest,
) -> actix_web::Error {
    ApiError::BadRequest {
        code: "invalid_path",
        detail: redact_values(&err.to_string()),
    }
    .into()
}

/// Drops the values a deserializer quotes back in its messages (serde writes
/// ``invalid type: integer `13812345678`, expected a string``, ``unknown variant `…` ``,
/// `invalid value: string "…"`), so that a mobile or ID number sent in the wrong place is not echoed in
/// the problem document or anything that stores it. Kept: field names (`unknown field `x``,
/// `missing field `x``), the expected part (variants and formats come from the schema) and
/// the line and column.
pub fn redact_values(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(pos) = rest.find(['`', '"']) {
        let (before, from_quote) = rest.split_at(pos);
        out.push_str(before);
        let quote = from_quote.as_bytes()[0];
        let body = &from_quote[1..];
        // The closing quote: for `"`, one not escaped by a backslash (Debug-formatted strings);
        // for a backtick, one followed by `,`, a space or the end (values may hold backticks).
        let bytes = body.as_bytes();
        let close = (0..bytes.len()).find(|&i| {
            bytes[i] == quote
                && if quote == b'"' {
                    i == 0 || bytes[i - 1] != b'\\'
                } else {
                    matches!(bytes.get(i + 1), None | Some(b',' | b' '))
                }
        });
        let Some(close) = close else {
            // Unbalanced: drop the remainder rather than echo part of a value.
            return out.trim_end().to_owned();
        };
        let span = &from_quote[..close + 2];
        let keep =
            out.ends_with("field ") || (out.contains("expected") && !out.ends_with("found "));
        if keep {
            out.push_str(span);
        } else if out.ends_with(' ') {
            out.pop();
        }
        rest = &from_quote[close + 2..];
        if rest.is_empty() {
            return out;
        }
    }
    out.push_str(rest);
    out
}

/// Fallback for unknown routes: 404 problem.
pub async fn not_found_fallback() -> HttpResponse {
    ApiError::NotFound("route").error_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_problem_lists_fields_and_keeps_a_stable_code() {
        let p = ApiError::field("mobile", "mobile_format", "bad").problem();
        assert_eq!(p.status, 422);
        assert_eq!(p.code, "validation_failed");
        assert_eq!(p.errors.len(), 1);
        assert_eq!(p.type_, "urn:problem:validation_failed");
    }

    #[test]
    fn deserializer_messages_lose_the_values_they_quote() {
        for (raw, want) in [
            (
                "invalid type: integer `13812345678`, expected a string at line 1 column 117",
                "invalid type: integer, expected a string at line 1 column 117",
            ),
            (
                "unknown variant `110101199003075551`, expected one of `resident_id_card`, `passport` at line 1 column 61",
                "unknown variant, expected one of `resident_id_card`, `passport` at line 1 column 61",
            ),
            (
                r#"invalid value: string "王五 \"x\" 138", expected a date at line 1 column 9"#,
                "invalid value: string, expected a date at line 1 column 9",
            ),
            (
                "unknown field `volunteer_id`, expected `organization_id` at line 1 column 15",
                "unknown field `volunteer_id`, expected `organization_id` at line 1 column 15",
            ),
            (
                "missing field `version` at line 1 column 15",
                "missing field `version` at line 1 column 15",
            ),
            (
                "UUID parsing failed: invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], found `王` at 1",
                "UUID parsing failed: invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], found at 1",
            ),
            (
                "unknown variant `a`b`, expected `x`",
                "unknown variant, expected `x`",
            ),
            (
                "invalid type: string \"unterminated",
                "invalid type: string",
            ),
        ] {
            assert_eq!(redact_values(raw), want, "{raw}");
        }
    }

    #[test]
    fn internal_errors_do_not_leak_their_cause() {
        let e = ApiError::internal(std::io::Error::other("secret path /etc/x"));
        assert!(!e.problem().detail.contains("secret"));
    }
}
