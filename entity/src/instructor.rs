//! `instructors`: the instructor pool (师资库).

use sea_orm::entity::prelude::*;

/// One instructor of an organization's pool.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "instructors")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Organization whose pool holds the instructor.
    pub organization_id: Uuid,
    /// Name, 1–50 characters.
    pub name: String,
    /// Specialties: JSON array of short texts.
    pub specialties: String,
    /// Affiliation (work unit), up to 200 characters; empty when none.
    pub affiliation: String,
    /// Short profile, up to 2,000 characters.
    pub profile: String,
    /// Mobile (11 digits); shown masked.
    pub mobile: Option<String>,
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
