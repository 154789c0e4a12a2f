//! `rating_scores`: a reviewer's score of one leaf indicator.

use sea_orm::entity::prelude::*;

/// One score.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "rating_scores")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Assignment.
    pub assignment_id: Uuid,
    /// Leaf indicator.
    pub indicator_id: Uuid,
    /// Score, hundredths of a point, `0..=max_score`.
    pub score: i64,
    /// Reviewer's comment.
    pub comment: String,
    /// Last change (UTC).
    pub updated_at: DateTimeUtc,
}

/// No relations are navigated through sea-orm; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
