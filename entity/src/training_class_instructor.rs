//! `training_class_instructors`: which instructors teach a class.

use sea_orm::entity::prelude::*;

/// One class–instructor link.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "training_class_instructors")]
pub struct Model {
    /// Class.
    #[sea_orm(primary_key, auto_increment = false)]
    pub class_id: Uuid,
    /// Instructor.
    #[sea_orm(primary_key, auto_increment = false)]
    pub instructor_id: Uuid,
}

/// No relations are navigated through sea-orm; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
