//! `calendar_days`: exceptions to the Monday–Friday working week in the platform time zone —
//! public holidays on weekdays and make-up working days (调休) on weekends, as published each
//! year by the State Council (国务院办公厅关于部分节假日安排的通知).

use sea_orm::entity::prelude::*;

use crate::enums::CalendarDayKind;

/// One calendar exception.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "calendar_days")]
pub struct Model {
    /// The date (platform time zone).
    #[sea_orm(primary_key, auto_increment = false)]
    pub date: Date,
    /// Holiday (not a working day) or make-up workday (a working day).
    pub kind: CalendarDayKind,
    /// Name, e.g. `春节` or `春节调休`.
    pub name: String,
}

/// No relations are navigated through sea-orm; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
