//! `credit_list_rules`: versions of the rule that decides who is on the credit list.

use sea_orm::entity::prelude::*;

/// One version of the rule; the one in force on a day is the highest version whose
/// `effective_from` is on or before it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "credit_list_rules")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Version, 1, 2, …
    #[sea_orm(unique)]
    pub version: i32,
    /// Minimum current star level, if any.
    pub min_star_level: Option<i32>,
    /// Minimum approved minutes (all time), if any.
    pub min_minutes: Option<i64>,
    /// First day in force (platform time zone).
    pub effective_from: Date,
    /// Account that configured it.
    pub created_by: Option<Uuid>,
    /// Creation instant (UTC).
    pub created_at: DateTimeUtc,
}

/// No relations are navigated through sea-orm; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
