//! `training_enrolments`: a volunteer's enrolment in a training class.

use sea_orm::entity::prelude::*;

use crate::enums::EnrolmentStatus;

/// One enrolment; unique per (class, volunteer).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "training_enrolments")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Class.
    pub class_id: Uuid,
    /// Volunteer.
    pub volunteer_id: Uuid,
    /// Status.
    pub status: EnrolmentStatus,
    /// Score 0–100, recorded at completion.
    pub score: Option<i32>,
    /// Whether the completion passed; `None` before completion.
    pub passed: Option<bool>,
    /// Admin account that enrolled the volunteer (batch enrolment); `None` for self-enrolment.
    pub enrolled_by: Option<Uuid>,
    /// Completion instant (UTC).
    pub completed_at: Option<DateTimeUtc>,
    /// Cancellation instant (UTC).
    pub cancelled_at: Option<DateTimeUtc>,
    /// When (last) enrolled (UTC).
    pub created_at: DateTimeUtc,
    /// Last change (UTC).
    pub updated_at: DateTimeUtc,
}

/// No relations are navigated through sea-orm; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
