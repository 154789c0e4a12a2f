//! `social_worker_assignments`: a social worker assigned to a youth home (青年之家) for a
//! period of calendar days.

use sea_orm::entity::prelude::*;

/// One assignment. Two assignments of the same worker to the same home never overlap.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "social_worker_assignments")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The social worker.
    pub worker_id: Uuid,
    /// The youth home (an organization of kind `youth_home`).
    pub youth_home_id: Uuid,
    /// First day (platform time zone calendar).
    pub starts_on: Date,
    /// Last day, inclusive; `None`: open-ended.
    pub ends_on: Option<Date>,
    /// Account that made it.
    pub created_by: Uuid,
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
