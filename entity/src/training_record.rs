//! `training_records`: completed training on a volunteer's profile, in minutes.

use sea_orm::entity::prelude::*;

/// One completion of a class; one per enrolment. Never edited.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "training_records")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Volunteer.
    pub volunteer_id: Uuid,
    /// Class.
    pub class_id: Uuid,
    /// Course.
    pub course_id: Uuid,
    /// Enrolment completed.
    pub enrolment_id: Uuid,
    /// Training minutes (the course's minutes).
    pub minutes: i32,
    /// Completion instant (UTC).
    pub completed_at: DateTimeUtc,
    /// Score 0–100.
    pub score: Option<i32>,
    /// Whether it passed.
    pub passed: bool,
    /// Creation instant (UTC).
    pub created_at: DateTimeUtc,
}

/// No relations are navigated through sea-orm; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
