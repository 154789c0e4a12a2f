//! `number_sequences`: counters for human-facing numbers (volunteer numbers, certificate serials).

use sea_orm::entity::prelude::*;

/// One named counter; `next_value` is the next number to hand out.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "number_sequences")]
pub struct Model {
    /// Counter name, e.g. `volunteer_number`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub name: String,
    /// Next value to issue.
    pub next_value: i64,
}

/// No relations are navigated through sea-orm; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
