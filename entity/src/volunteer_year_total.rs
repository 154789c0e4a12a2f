//! `volunteer_year_totals`: approved minutes per volunteer and calendar year (year of
//! `started_at` in the platform time zone).

use sea_orm::entity::prelude::*;

/// Totals of one volunteer in one year.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "volunteer_year_totals")]
pub struct Model {
    /// The volunteer.
    #[sea_orm(primary_key, auto_increment = false)]
    pub volunteer_id: Uuid,
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
