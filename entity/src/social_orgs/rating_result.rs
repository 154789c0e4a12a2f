//! `rating_results`: the published result (评估结果) of one organization in one round.

use sea_orm::entity::prelude::*;

/// One result. The aggregate is the exact rational `score_sum / counted_reviewers` hundredths
/// of a point (the mean of the counted reviewers' totals).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "rating_results")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Round.
    pub round_id: Uuid,
    /// Rated organization.
    pub organization_id: Uuid,
    /// Number of reviewers who scored.
    pub reviewer_count: i32,
    /// Number of reviewer totals in the mean (after trimming).
    pub counted_reviewers: i32,
    /// Sum of the counted totals, hundredths of a point.
    pub score_sum: i64,
    /// Template maximum, hundredths of a point.
    pub max_score: i64,
    /// Grade (`5A` … `1A`), `None`: no grade.
    pub grade: Option<String>,
    /// Set by an upheld appeal.
    pub adjusted: bool,
    /// Replaced by a later result of the same round (an upheld appeal).
    pub superseded: bool,
    /// Publication instant (UTC).
    pub published_at: DateTimeUtc,
    /// Last day the grade is valid.
    pub valid_until: Date,
    /// End of the appeal window (UTC, exclusive).
    pub appeal_deadline: DateTimeUtc,
    /// Creation instant (UTC).
    pub created_at: DateTimeUtc,
}

/// No relations are navigated through sea-orm; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
