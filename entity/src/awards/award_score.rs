//! `award_scores`: one reviewer's score of one nomination.

use sea_orm::entity::prelude::*;

/// A score 0–100; a reviewer may change it while the campaign is in review.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "award_scores")]
pub struct Model {
    /// Nomination.
    #[sea_orm(primary_key, auto_increment = false)]
    pub nomination_id: Uuid,
    /// Reviewer account.
    #[sea_orm(primary_key, auto_increment = false)]
    pub reviewer_id: Uuid,
    /// Integer score 0–100.
    pub score: i32,
    /// Last change (UTC).
    pub updated_at: DateTimeUtc,
}

/// No relations are navigated through sea-orm; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
