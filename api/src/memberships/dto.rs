//! Request and response bodies of `/api/v1/memberships`.

use chrono::{DateTime, Utc};
use entity::enums::MembershipStatus;
use entity::volunteer_membership;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// A volunteer applies to join an organization.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MembershipIn {
    /// The organization; it must exist and be active.
    pub organization_id: Uuid,
}

/// A membership or an application for one.
#[derive(Debug, Serialize, ToSchema)]
pub struct MembershipOut {
    /// Id (UUID v7).
    pub id: Uuid,
    /// The volunteer.
    pub volunteer_id: Uuid,
    /// The organization.
    pub organization_id: Uuid,
    /// `pending`, `active`, `rejected` or `left`.
    pub status: MembershipStatus,
    /// When the (latest) application or admin registration happened (RFC 3339, UTC).
    pub applied_at: DateTime<Utc>,
    /// When an admin decided, or the volunteer left (RFC 3339, UTC).
    pub decided_at: Option<DateTime<Utc>>,
    /// Account that approved or rejected.
    pub decided_by: Option<Uuid>,
}

impl From<volunteer_membership::Model> for MembershipOut {
    fn from(m: volunteer_membership::Model) -> Self {
        Self {
            id: m.id,
            volunteer_id: m.volunteer_id,
            organization_id: m.organization_id,
            status: m.status,
            applied_at: m.applied_at,
            decided_at: m.decided_at,
            decided_by: m.decided_by,
        }
    }
}

/// Filters for listing memberships. Admins see memberships of organizations in their scope;
/// volunteers see only their own (the filters narrow further).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MembershipFilter {
    /// Only this organization (outside the caller's scope the list is empty).
    pub organization_id: Option<Uuid>,
    /// Only this status.
    pub status: Option<MembershipStatus>,
    /// Only this volunteer.
    pub volunteer_id: Option<Uuid>,
}
