//! `organization_year_totals`: approved minutes per organizing organization and calendar year
//! (year of `started_at` in the platform time zone). Subtree totals add these rows up through
//! the closure table.

use sea_orm::entity::prelude::*;

/// Totals of one organization in one year.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "organization_year_totals")]
pub struct Model {
    /// The organizing organization.
    #[sea_orm(primary_key, auto_increment = false)]
    pub organization_id: Uuid,
    /// Calendar year (platform time zone).
    #[sea_orm(primary_key, auto_increment = false)]
    pub year: i32,
    /// Sum of minutes of approved records.
    pub approved_minutes: i64,
    /// Number of approved records.
    pub approved_records: i64,
}

/// No relations are navigated through sea-orm; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
