//! `grant_proposals`: proposals to a micro-grant call; one per organization per call.

use sea_orm::entity::prelude::*;

use super::enums::ProposalStatus;

/// One proposal.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "grant_proposals")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The call.
    pub call_id: Uuid,
    /// Proposing organization (unique per call).
    pub organization_id: Uuid,
    /// Title, 1–200 characters.
    pub title: String,
    /// Requested amount in fen, 1 ..= the call's per-award maximum.
    pub requested_fen: i64,
    /// Plan, up to 20,000 characters.
    pub plan: String,
    /// Linked project-library entry of the same organization.
    pub library_entry_id: Option<Uuid>,
    /// State.
    pub status: ProposalStatus,
    /// Awarded amount in fen, ≤ requested.
    pub awarded_fen: Option<i64>,
    /// Reason given when declined.
    pub decision_note: Option<String>,
    /// When the award or decline was decided (UTC).
    pub decided_at: Option<DateTimeUtc>,
    /// Account that submitted it.
    pub created_by: Uuid,
    /// Creation instant (UTC).
    pub created_at: DateTimeUtc,
    /// Last update instant (UTC).
    pub updated_at: DateTimeUtc,
}

/// No relations are navigated through sea-orm; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
