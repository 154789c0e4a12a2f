//! `partner_platform_scopes`: the roots of the organization subtrees a partner may read and
//! write (every descendant through `organization_closure` is in scope too).

use sea_orm::entity::prelude::*;

/// One scope root of one partner.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "partner_platform_scopes")]
pub struct Model {
    /// The partner.
    #[sea_orm(primary_key, auto_increment = false)]
    pub partner_id: Uuid,
    /// Root organization of a subtree in scope.
    #[sea_orm(primary_key, auto_increment = false)]
    pub organization_id: Uuid,
}

/// No relations are navigated through sea-orm; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
