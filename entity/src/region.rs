//! `regions`: administrative division codes (GB/T 2260 style), loaded from shipped data.

use sea_orm::entity::prelude::*;

use crate::enums::RegionLevel;

/// One administrative division (行政区划).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "regions")]
pub struct Model {
    /// Six-digit division code, e.g. `110101`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub code: String,
    /// Official name, e.g. `东城区`.
    pub name: String,
    /// Province, prefecture or county.
    pub level: RegionLevel,
    /// Code of the enclosing division; `None` for provinces.
    pub parent_code: Option<String>,
    /// Date of the data set this row comes from (`2023-06-30`).
    pub data_version: String,
}

/// No relations are navigated through sea-orm; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
