//! `signups`: a volunteer's sign-up for a shift.

use sea_orm::entity::prelude::*;

use crate::enums::SignupStatus;

/// One sign-up; unique per (shift, volunteer). Each status change stores its instant.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "signups")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Shift.
    pub shift_id: Uuid,
    /// Project of the shift (denormalised for scoped queries).
    pub project_id: Uuid,
    /// Volunteer.
    pub volunteer_id: Uuid,
    /// Status.
    pub status: SignupStatus,
    /// Reason of a rejection or cancellation, up to 500 characters.
    pub reason: Option<String>,
    /// Account that made the last decision (approve, reject, no-show, admin cancel).
    pub decided_by: Option<Uuid>,
    /// When it became `applied` (UTC).
    pub applied_at: Option<DateTimeUtc>,
    /// When it last became `approved` (UTC).
    pub approved_at: Option<DateTimeUtc>,
    /// When it last became `waitlisted` (UTC).
    pub waitlisted_at: Option<DateTimeUtc>,
    /// When it became `rejected` (UTC).
    pub rejected_at: Option<DateTimeUtc>,
    /// When it became `cancelled` (UTC).
    pub cancelled_at: Option<DateTimeUtc>,
    /// When it became `attended` (UTC).
    pub attended_at: Option<DateTimeUtc>,
    /// When it became `no_show` (UTC).
    pub no_show_at: Option<DateTimeUtc>,
    /// When the volunteer (last) signed up (UTC); the waitlist is served in this order.
    pub created_at: DateTimeUtc,
    /// Last change (UTC).
    pub updated_at: DateTimeUtc,
}

/// No relations are navigated through sea-orm; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
