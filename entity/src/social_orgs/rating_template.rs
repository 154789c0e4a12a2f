//! `rating_templates`: one immutable version of a rating template (评价指标体系).

use sea_orm::entity::prelude::*;

/// One template version. A version never changes once stored; rounds refer to the version they
/// were opened with.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "rating_templates")]
pub struct Model {
    /// UUID (v7, or fixed for the seeded templates).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Stable code shared by all versions (snake_case).
    pub code: String,
    /// Version, 1, 2, … per code.
    pub version: i32,
    /// Display name.
    pub name: String,
    /// Description and sources.
    pub description: String,
    /// Sum of the top-level maxima, hundredths of a point.
    pub total_max_score: i64,
    /// Creating account; `None` for seeded templates.
    pub created_by: Option<Uuid>,
    /// Creation instant (UTC).
    pub created_at: DateTimeUtc,
}

/// No relations are navigated through sea-orm; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
