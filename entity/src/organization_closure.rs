//! `organization_closure`: the transitive closure of the organization tree. For every
//! organization there is a row `(o, o, 0)` and one row for each ancestor `(a, o, distance)`.

use sea_orm::entity::prelude::*;

/// One ancestor–descendant pair.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "organization_closure")]
pub struct Model {
    /// The ancestor (or the organization itself at depth 0).
    #[sea_orm(primary_key, auto_increment = false)]
    pub ancestor_id: Uuid,
    /// The descendant.
    #[sea_orm(primary_key, auto_increment = false)]
    pub descendant_id: Uuid,
    /// Number of edges between them.
    pub depth: i32,
}

/// No relations are navigated through sea-orm; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
