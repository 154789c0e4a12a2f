//! `training_attendances`: presence of an enrolment at one session of its class.

use sea_orm::entity::prelude::*;

/// Presence at session `session_no` (1-based).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "training_attendances")]
pub struct Model {
    /// Enrolment.
    #[sea_orm(primary_key, auto_increment = false)]
    pub enrolment_id: Uuid,
    /// Session number, 1-based.
    #[sea_orm(primary_key, auto_increment = false)]
    pub session_no: i32,
    /// Class (denormalised for per-class queries).
    pub class_id: Uuid,
    /// Present or absent.
    pub present: bool,
    /// When last recorded (UTC).
    pub recorded_at: DateTimeUtc,
}

/// No relations are navigated through sea-orm; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
