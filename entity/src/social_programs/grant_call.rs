//! `grant_calls`: micro-grant calls (微创投).

use sea_orm::entity::prelude::*;

use super::enums::GrantCallStatus;

/// One call. `awarded_total_fen` never exceeds `budget_fen`: it only grows through a conditional
/// `UPDATE … SET awarded_total_fen = awarded_total_fen + x WHERE awarded_total_fen + x <=
/// budget_fen`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "grant_calls")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Owning organization: its admins (and admins above it) run the call.
    pub organization_id: Uuid,
    /// Title, 1–200 characters.
    pub title: String,
    /// Description, up to 10,000 characters.
    pub description: String,
    /// Budget in fen (分).
    pub budget_fen: i64,
    /// Largest single award (and request) in fen.
    pub max_award_fen: i64,
    /// Sum of the awards decided so far, in fen.
    pub awarded_total_fen: i64,
    /// Eligible organization kinds, JSON array of `OrganizationKind`; empty: any kind.
    pub eligible_kinds: String,
    /// Only organizations in this subtree may apply (defaults to the owner's subtree).
    pub eligible_root_id: Uuid,
    /// Only organizations whose region is this one or below it.
    pub eligible_region_code: Option<String>,
    /// Only organizations registered at least this many years before the submission.
    pub min_years_registered: Option<i32>,
    /// Submission window opens (UTC, inclusive).
    pub submissions_open_at: DateTimeUtc,
    /// Submission window closes (UTC, exclusive).
    pub submissions_close_at: DateTimeUtc,
    /// Lifecycle state.
    pub status: GrantCallStatus,
    /// Account that created it.
    pub created_by: Uuid,
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
