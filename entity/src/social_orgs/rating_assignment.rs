//! `rating_assignments`: a reviewer assigned to rate one organization in one round.

use sea_orm::entity::prelude::*;

/// One assignment.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "rating_assignments")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Round.
    pub round_id: Uuid,
    /// Rated organization.
    pub organization_id: Uuid,
    /// Reviewer account (role reviewer, or an admin).
    pub reviewer_account_id: Uuid,
    /// Assigning platform admin.
    pub assigned_by: Uuid,
    /// Creation instant (UTC).
    pub created_at: DateTimeUtc,
}

/// No relations are navigated through sea-orm; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
