//! `training_classes`: training classes (培训班) based on a course.

use sea_orm::entity::prelude::*;

use crate::enums::{TrainingClassStatus, TrainingLevel};

/// One training class. `enrolled_count` is the number of places taken (enrolled and completed
/// enrolments); it never exceeds `capacity` and is changed only with conditional updates.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "training_classes")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Course taught.
    pub course_id: Uuid,
    /// Organizing organization (scope).
    pub organization_id: Uuid,
    /// Title, 1–200 characters (the course title by default).
    pub title: String,
    /// Level of the organizer.
    pub level: TrainingLevel,
    /// Sessions: JSON array of `{starts_at, ends_at}` (RFC 3339, UTC), in time order.
    pub sessions: String,
    /// Number of sessions, 1–50.
    pub session_count: i32,
    /// Start of the first session (UTC).
    pub starts_at: DateTimeUtc,
    /// End of the last session (UTC).
    pub ends_at: DateTimeUtc,
    /// Place, up to 200 characters (this or `online_url`).
    pub place: Option<String>,
    /// Online link (http/https), up to 500 characters.
    pub online_url: Option<String>,
    /// Places, 1–5,000.
    pub capacity: i32,
    /// Places taken.
    pub enrolled_count: i32,
    /// Enrolment opens (UTC, inclusive).
    pub enrol_opens_at: DateTimeUtc,
    /// Enrolment closes (UTC, exclusive).
    pub enrol_closes_at: DateTimeUtc,
    /// Pass mark 0–100; `None`: passing is decided by attendance.
    pub pass_mark: Option<i32>,
    /// Lifecycle status.
    pub status: TrainingClassStatus,
    /// Optimistic concurrency counter.
    pub version: i32,
    /// Creation instant (UTC).
    pub created_at: DateTimeUtc,
    /// Last update instant (UTC).
    pub updated_at: DateTimeUtc,
}

/// No relations are navigated through sea-orm; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
