//! `sync_change_organizations`: the organizations one change is visible to (partner scopes
//! filter through these rows and the organization closure table).

use sea_orm::entity::prelude::*;

/// One (change, organization) pair.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sync_change_organizations")]
pub struct Model {
    /// `sync_changes.id`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub change_id: Uuid,
    /// An organization linked to the changed entity.
    #[sea_orm(primary_key, auto_increment = false)]
    pub organization_id: Uuid,
}

/// No relations are navigated through sea-orm; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
