//! `youth_social_workers`: the registry of youth social workers (青少年事务社工).

use sea_orm::entity::prelude::*;

use super::enums::QualificationLevel;

/// One social worker, employed by an organization.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "youth_social_workers")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Employing organization (scope).
    pub organization_id: Uuid,
    /// Name, 1–50 characters.
    pub name: String,
    /// Mainland mobile (11 digits); masked in every response, never logged.
    pub mobile: Option<String>,
    /// Qualification level.
    pub qualification_level: QualificationLevel,
    /// Certificate number (职业水平证书编号), unique, 1–40 characters.
    pub certificate_no: String,
    /// Optimistic concurrency counter.
    pub version: i32,
    /// Creation instant (UTC).
    pub created_at: DateTimeUtc,
    /// Last update instant (UTC).
    pub updated_at: DateTimeUtc,
}

/// No relations are navigated through sea-orm; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
