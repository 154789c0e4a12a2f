//! `volunteer_levels`: each volunteer's current star level (星级志愿者), recomputed in the
//! transaction of every change of approved minutes, with the rule set that produced it.

use sea_orm::entity::prelude::*;

/// The current star level of one volunteer.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "volunteer_levels")]
pub struct Model {
    /// The volunteer.
    #[sea_orm(primary_key, auto_increment = false)]
    pub volunteer_id: Uuid,
    /// Stars, 0 (none yet) to 5.
    pub level: i32,
    /// Rule set that produced the level.
    pub rule_set_id: Uuid,
    /// Approved minutes the level was computed from.
    pub approved_minutes: i64,
    /// Last recomputation (UTC).
    pub updated_at: DateTimeUtc,
}

/// No relations are navigated through sea-orm; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
