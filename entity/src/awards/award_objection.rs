//! `award_objections`: objections (异议) received during a campaign's public notice.

use sea_orm::entity::prelude::*;

use super::ObjectionStatus;

/// One objection against one shortlisted nomination.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "award_objections")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Nomination objected to.
    pub nomination_id: Uuid,
    /// Substance of the objection (1–500 characters).
    pub reason: String,
    /// Open, upheld or dismissed.
    pub status: ObjectionStatus,
    /// Finding of the resolution.
    pub resolution: Option<String>,
    /// Account that recorded it.
    pub recorded_by: Option<Uuid>,
    /// Account that resolved it.
    pub resolved_by: Option<Uuid>,
    /// Recording instant (UTC).
    pub created_at: DateTimeUtc,
    /// Resolution instant (UTC).
    pub resolved_at: Option<DateTimeUtc>,
}

/// No relations are navigated through sea-orm; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
