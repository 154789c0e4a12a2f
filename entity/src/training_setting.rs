//! `training_settings`: the platform's training options (one row, id 1).

use sea_orm::entity::prelude::*;

/// The training settings; absent means the defaults (no probation).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "training_settings")]
pub struct Model {
    /// Always 1.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i32,
    /// Newly registered volunteers are probationary until they pass a `new_volunteer_basics`
    /// course.
    pub probation_required: bool,
    /// Optimistic concurrency counter.
    pub version: i32,
    /// Last change (UTC).
    pub updated_at: DateTimeUtc,
}

/// No relations are navigated through sea-orm; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
