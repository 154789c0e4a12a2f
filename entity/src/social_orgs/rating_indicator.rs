//! `rating_indicators`: the indicator tree of a template version.

use sea_orm::entity::prelude::*;

/// One indicator. A parent's maximum equals the sum of its children's maxima; only leaves are
/// scored.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "rating_indicators")]
pub struct Model {
    /// UUID.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Template version.
    pub template_id: Uuid,
    /// Parent indicator; `None` at the top level.
    pub parent_id: Option<Uuid>,
    /// Code, unique in the template (e.g. `A1`).
    pub code: String,
    /// Name.
    pub name: String,
    /// Relative weight among siblings (positive integer).
    pub weight: i32,
    /// Maximum score, hundredths of a point.
    pub max_score: i64,
    /// Evidence expected.
    pub evidence: String,
    /// Whether this indicator has no children (scored directly).
    pub is_leaf: bool,
    /// Order in the template (depth-first).
    pub position: i32,
}

/// No relations are navigated through sea-orm; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
