//! `shifts`: time slots of a project with a capacity.

use sea_orm::entity::prelude::*;

/// One shift. `approved_count` is the number of places taken (approved and attended sign-ups);
/// it never exceeds `capacity` and is changed only with conditional updates.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "shifts")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Project.
    pub project_id: Uuid,
    /// Optional title, up to 200 characters.
    pub title: Option<String>,
    /// Start instant (UTC).
    pub starts_at: DateTimeUtc,
    /// End instant (UTC), after the start and at most 24 hours later.
    pub ends_at: DateTimeUtc,
    /// Places, 1–10,000.
    pub capacity: i32,
    /// Places taken (approved + attended sign-ups).
    pub approved_count: i32,
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
