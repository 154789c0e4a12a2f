//! `attendances`: a volunteer's check-in and check-out for one sign-up.

use sea_orm::entity::prelude::*;

/// One attendance. Times come from the server clock only.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "attendances")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The sign-up (unique: one attendance per sign-up).
    pub signup_id: Uuid,
    /// The shift.
    pub shift_id: Uuid,
    /// The volunteer.
    pub volunteer_id: Uuid,
    /// Check-in instant (UTC, server clock).
    pub checked_in_at: DateTimeUtc,
    /// Check-out instant (UTC, server clock), or the shift end when closed by the job.
    pub checked_out_at: Option<DateTimeUtc>,
    /// Closed by the forgotten-check-out job rather than by the volunteer.
    pub auto_closed: bool,
    /// The ledger record made at check-out.
    pub service_record_id: Option<Uuid>,
    /// Creation instant (UTC).
    pub created_at: DateTimeUtc,
}

/// No relations are navigated through sea-orm; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
