//! `benefit_offer_regions`: the regions (with their sub-regions) whose residents may claim an
//! offer; an offer without rows is open to every region.

use sea_orm::entity::prelude::*;

/// One eligible region of one offer.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "benefit_offer_regions")]
pub struct Model {
    /// Offer.
    #[sea_orm(primary_key, auto_increment = false)]
    pub offer_id: Uuid,
    /// GB/T 2260 code (province, prefecture or county).
    #[sea_orm(primary_key, auto_increment = false)]
    pub region_code: String,
}

/// No relations are navigated through sea-orm; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
