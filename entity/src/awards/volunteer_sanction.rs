//! `volunteer_sanctions`: warnings and disqualifications of volunteers.

use sea_orm::entity::prelude::*;

use super::SanctionKind;

/// One sanction. Active from `starts_on` through `ends_on` (inclusive, platform time zone; open
/// ended when `None`) unless lifted.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "volunteer_sanctions")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The volunteer.
    pub volunteer_id: Uuid,
    /// Warning or disqualification.
    pub kind: SanctionKind,
    /// First day in force.
    pub starts_on: Date,
    /// Last day in force; `None`: until lifted.
    pub ends_on: Option<Date>,
    /// Why (1–500 characters).
    pub reason: String,
    /// When it was lifted (UTC).
    pub lifted_at: Option<DateTimeUtc>,
    /// Account that lifted it.
    pub lifted_by: Option<Uuid>,
    /// Why it was lifted.
    pub lift_reason: Option<String>,
    /// Account that imposed it.
    pub created_by: Option<Uuid>,
    /// Creation instant (UTC).
    pub created_at: DateTimeUtc,
}

/// No relations are navigated through sea-orm; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
