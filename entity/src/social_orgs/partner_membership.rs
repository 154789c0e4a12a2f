//! `youth_org_partner_memberships`: partner-programme (亲青伙伴) memberships with dates.

use sea_orm::entity::prelude::*;

/// One membership period; `ends_on` is inclusive, `None` while it lasts.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "youth_org_partner_memberships")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The organization (its profile).
    pub organization_id: Uuid,
    /// Programme name (亲青伙伴 by default).
    pub programme: String,
    /// First day (inclusive).
    pub starts_on: Date,
    /// Last day (inclusive), `None`: open-ended.
    pub ends_on: Option<Date>,
    /// Creation instant (UTC).
    pub created_at: DateTimeUtc,
}

/// No relations are navigated through sea-orm; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
