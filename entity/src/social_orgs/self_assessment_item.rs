//! `rating_self_assessment_items`: an organization's self-assessment (自评) per indicator.

use sea_orm::entity::prelude::*;

/// One self-assessed leaf indicator.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "rating_self_assessment_items")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Round.
    pub round_id: Uuid,
    /// Rated organization.
    pub organization_id: Uuid,
    /// Leaf indicator.
    pub indicator_id: Uuid,
    /// Self-assessed score, hundredths of a point.
    pub score: i64,
    /// Statement.
    pub statement: String,
    /// Submitting account.
    pub submitted_by: Uuid,
    /// Submission instant (UTC).
    pub submitted_at: DateTimeUtc,
}

/// No relations are navigated through sea-orm; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
