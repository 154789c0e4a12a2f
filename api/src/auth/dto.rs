//! Request and response bodies of `/api/v1/auth`.

use chrono::{DateTime, Utc};
use entity::enums::Role;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// Credentials for `POST /auth/login`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginIn {
    /// Username, or an 11-digit mainland mobile (`+86` accepted).
    #[schema(example = "admin")]
    pub login: String,
    /// Password.
    #[schema(example = "change-me-123")]
    pub password: String,
}

/// A refresh token, for `POST /auth/refresh` and `POST /auth/logout`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshIn {
    /// The refresh token from the last login or refresh.
    pub refresh_token: String,
}

/// Tokens issued at login and refresh.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokensOut {
    /// JWT for `Authorization: Bearer`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Access token lifetime in seconds.
    pub expires_in: i64,
    /// Opaque refresh token; single use, rotated on every refresh.
    pub refresh_token: String,
    /// Refresh token expiry (RFC 3339, UTC).
    pub refresh_expires_at: DateTime<Utc>,
}

/// The calling account.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeOut {
    /// Account id.
    pub id: Uuid,
    /// Username.
    pub username: String,
    /// Role.
    pub role: Role,
    /// Organization managed (org admins).
    pub organization_id: Option<Uuid>,
    /// Volunteer id (volunteers).
    pub volunteer_id: Option<Uuid>,
}
