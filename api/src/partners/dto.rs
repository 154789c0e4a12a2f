//! Request and response bodies of `/api/v1/partners` (registry, token) and
//! `/api/v1/partner/...` (what partners call).

use chrono::{DateTime, Utc};
use entity::partners::PartnerStatus;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// Most scope roots of one partner.
pub const MAX_SCOPE_ROOTS: usize = 50;

/// Registration of a partner platform (`POST /partners`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartnerIn {
    /// Display name, 1–100 characters.
    #[schema(example = "南京大学志愿服务系统")]
    pub name: String,
    /// Roots of the organization subtrees the partner may read and write (1–50 existing
    /// organizations; each root's descendants are in scope too).
    pub scope: Vec<Uuid>,
}

/// Change of a partner's name or scope (`PATCH /partners/{id}`); `version` must match.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartnerPatch {
    /// Current version, as last read.
    pub version: i32,
    /// New display name.
    pub name: Option<String>,
    /// Replaces the scope roots (1–50 existing organizations).
    pub scope: Option<Vec<Uuid>>,
}

/// Optimistic-concurrency guard of state changes (suspend, reactivate, rotate).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VersionIn {
    /// Current version, as last read.
    pub version: i32,
}

/// Filter of `GET /partners`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PartnerFilter {
    /// Only partners in this status.
    pub status: Option<PartnerStatus>,
}

/// A partner platform (never its secret).
#[derive(Debug, Serialize, ToSchema)]
pub struct PartnerOut {
    /// Id (UUID v7).
    pub id: Uuid,
    /// Display name.
    pub name: String,
    /// OAuth 2 client id.
    pub client_id: String,
    /// Active or suspended.
    pub status: PartnerStatus,
    /// Roots of the organization subtrees in scope.
    pub scope: Vec<Uuid>,
    /// The disabled account that partner writes are attributed to (`recorded_by` of its
    /// service records, actor of its audit rows).
    pub system_account_id: Uuid,
    /// Platform admin who registered it.
    pub created_by: Option<Uuid>,
    /// Registration instant (RFC 3339, UTC).
    pub created_at: DateTime<Utc>,
    /// Last change (RFC 3339, UTC).
    pub updated_at: DateTime<Utc>,
    /// Optimistic concurrency counter.
    pub version: i32,
}

/// A partner with its new client secret: the only answer that ever shows the secret
/// (registration and rotation). Store it now; it cannot be read back.
#[derive(Debug, Serialize, ToSchema)]
pub struct PartnerCredentialsOut {
    /// The partner.
    #[serde(flatten)]
    pub partner: PartnerOut,
    /// The client secret (43 characters, 256 random bits), shown once.
    pub client_secret: String,
}

/// Token request (RFC 6749 §4.4.2), as `application/x-www-form-urlencoded` or JSON. The client
/// may authenticate in the body (`client_id`, `client_secret`) or with HTTP Basic
/// (RFC 6749 §2.3.1).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct TokenIn {
    /// Must be `client_credentials`.
    #[schema(example = "client_credentials")]
    pub grant_type: Option<String>,
    /// Client id (unless sent with HTTP Basic).
    pub client_id: Option<String>,
    /// Client secret (unless sent with HTTP Basic).
    pub client_secret: Option<String>,
    /// Requested scope; only `partner` (or nothing) is granted.
    pub scope: Option<String>,
}

/// Token answer (RFC 6749 §5.1).
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenOut {
    /// JWT for `Authorization: Bearer` on `/api/v1/partner/...`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Lifetime in seconds.
    pub expires_in: i64,
    /// Granted scope: `partner`.
    pub scope: String,
}

/// The calling partner (`GET /partner/me`).
#[derive(Debug, Serialize, ToSchema)]
pub struct PartnerMeOut {
    /// Partner id.
    pub id: Uuid,
    /// Client id.
    pub client_id: String,
    /// Display name.
    pub name: String,
    /// Roots of the organization subtrees in scope.
    pub scope: Vec<Uuid>,
}
