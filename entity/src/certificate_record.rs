//! `certificate_records`: which service records a certificate covers.

use sea_orm::entity::prelude::*;

/// One covered record.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "certificate_records")]
pub struct Model {
    /// The certificate.
    #[sea_orm(primary_key, auto_increment = false)]
    pub certificate_id: Uuid,
    /// The record.
    #[sea_orm(primary_key, auto_increment = false)]
    pub record_id: Uuid,
}

/// No relations are navigated through sea-orm; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
