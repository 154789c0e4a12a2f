//! `grant_reviews`: a reviewer assigned to a proposal, with their score once given.

use sea_orm::entity::prelude::*;

/// One assignment of a reviewer (评审专家) to a proposal; unique per (proposal, reviewer).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "grant_reviews")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The proposal.
    pub proposal_id: Uuid,
    /// The call (denormalised for the ranking query).
    pub call_id: Uuid,
    /// Reviewer account.
    pub reviewer_id: Uuid,
    /// Score 0–100 (integer); `None` until scored.
    pub score: Option<i32>,
    /// Comment, up to 2,000 characters.
    pub comment: String,
    /// When the score was last given (UTC).
    pub scored_at: Option<DateTimeUtc>,
    /// Account that assigned the reviewer.
    pub assigned_by: Uuid,
    /// Creation instant (UTC).
    pub created_at: DateTimeUtc,
}

/// No relations are navigated through sea-orm; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
