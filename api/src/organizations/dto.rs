//! Request and response bodies of `/api/v1/organizations`.

use chrono::{DateTime, Utc};
use entity::enums::{OrganizationKind, OrganizationStatus};
use entity::organization;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// A new organization.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationIn {
    /// Display name, 1–200 characters.
    #[schema(example = "共青团南京市委员会")]
    pub name: String,
    /// Kind.
    pub kind: OrganizationKind,
    /// Six-digit region code that exists in `/api/v1/regions`.
    #[schema(example = "320100")]
    pub region_code: String,
    /// Unified social credit code (GB 32100), optional.
    #[schema(example = "91350100M000100Y43")]
    pub uscc: Option<String>,
    /// Parent organization. Required for organization admins (inside their subtree); a platform
    /// admin may omit it to create a root.
    pub parent_id: Option<Uuid>,
    /// Public contact (office phone or address), up to 200 characters.
    pub contact: Option<String>,
}

/// A partial update. Only the fields present change; `version` must equal the current version
/// (optimistic concurrency), otherwise 412.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationPatch {
    /// Current version, as last read.
    pub version: i32,
    /// New name.
    pub name: Option<String>,
    /// New kind.
    pub kind: Option<OrganizationKind>,
    /// New region code.
    pub region_code: Option<String>,
    /// New USCC; `null` is not accepted (send an empty string to clear).
    pub uscc: Option<String>,
    /// Move under this parent (must be inside the caller's scope, never under itself).
    pub parent_id: Option<Uuid>,
    /// New contact; an empty string clears it.
    pub contact: Option<String>,
}

/// An organization.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationOut {
    /// Id (UUID v7).
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: OrganizationKind,
    /// Region code.
    pub region_code: String,
    /// Unified social credit code.
    pub uscc: Option<String>,
    /// Parent; `null` for a root.
    pub parent_id: Option<Uuid>,
    /// Depth in the tree (root = 0).
    pub depth: i32,
    /// Active or inactive.
    pub status: OrganizationStatus,
    /// Public contact.
    pub contact: Option<String>,
    /// Version for optimistic concurrency.
    pub version: i32,
    /// Created (RFC 3339, UTC).
    pub created_at: DateTime<Utc>,
    /// Last updated (RFC 3339, UTC).
    pub updated_at: DateTime<Utc>,
}

impl From<organization::Model> for OrganizationOut {
    fn from(m: organization::Model) -> Self {
        Self {
            id: m.id,
            name: m.name,
            kind: m.kind,
            region_code: m.region_code,
            uscc: m.uscc,
            parent_id: m.parent_id,
            depth: m.depth,
            status: m.status,
            contact: m.contact,
            version: m.version,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// Filters for listing organizations. All are combined with AND, always inside the caller's
/// scope.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrganizationFilter {
    /// Only this kind.
    pub kind: Option<OrganizationKind>,
    /// Only organizations in this region or its sub-regions (`320000` matches all of Jiangsu).
    #[param(pattern = "^[0-9]{6}$")]
    pub region_code: Option<String>,
    /// Only direct children of this organization.
    pub parent_id: Option<Uuid>,
    /// Only this organization and its descendants.
    pub subtree_of: Option<Uuid>,
    /// Only this status.
    pub status: Option<OrganizationStatus>,
    /// Name contains this text.
    pub name: Option<String>,
}
