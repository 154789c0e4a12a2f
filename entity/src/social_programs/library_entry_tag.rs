//! `library_entry_tags`: one row per (entry, normalised tag), for tag search.

use sea_orm::entity::prelude::*;

/// A tag of a library entry.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "library_entry_tags")]
pub struct Model {
    /// The entry.
    #[sea_orm(primary_key, auto_increment = false)]
    pub entry_id: Uuid,
    /// Normalised tag (trimmed, inner whitespace collapsed, ASCII lower-cased), 1–32 characters.
    #[sea_orm(primary_key, auto_increment = false)]
    pub tag: String,
}

/// No relations are navigated through sea-orm; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
