//! `award_reviewers`: reviewer accounts assigned to a campaign.

use sea_orm::entity::prelude::*;

/// One assignment.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "award_reviewers")]
pub struct Model {
    /// Campaign.
    #[sea_orm(primary_key, auto_increment = false)]
    pub campaign_id: Uuid,
    /// Reviewer account.
    #[sea_orm(primary_key, auto_increment = false)]
    pub account_id: Uuid,
    /// Assignment instant (UTC).
    pub created_at: DateTimeUtc,
}

/// No relations are navigated through sea-orm; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
