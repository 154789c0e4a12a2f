//! `volunteer_totals`: approved minutes per volunteer, kept in the transaction of every status
//! change so that star levels and leaderboards never scan the ledger.

use sea_orm::entity::prelude::*;

/// Running totals of one volunteer.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "volunteer_totals")]
pub struct Model {
    /// The volunteer.
    #[sea_orm(primary_key, auto_increment = false)]
    pub volunteer_id: Uuid,
    /// Sum of minutes of approved records.
    pub approved_minutes: i64,
    /// Number of approved records.
    pub approved_records: i64,
    /// Last change (UTC).
    pub updated_at: DateTimeUtc,
}

/// No relations are navigated through sea-orm; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
