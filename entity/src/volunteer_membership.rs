//! `volunteer_memberships`: a volunteer's membership of an organization, with approval.

use sea_orm::entity::prelude::*;

use crate::enums::MembershipStatus;

/// One membership (or application for one). Unique per volunteer and organization.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "volunteer_memberships")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The volunteer.
    pub volunteer_id: Uuid,
    /// The organization.
    pub organization_id: Uuid,
    /// Pending, active, rejected or left.
    pub status: MembershipStatus,
    /// When the application (or admin registration) happened (UTC).
    pub applied_at: DateTimeUtc,
    /// When an admin decided, or the volunteer left (UTC).
    pub decided_at: Option<DateTimeUtc>,
    /// Account that decided.
    pub decided_by: Option<Uuid>,
}

/// No relations are navigated through sea-orm; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
