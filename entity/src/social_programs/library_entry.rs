//! `library_entries`: entries of the project library (公益项目库) and the case library (案例库).

use sea_orm::entity::prelude::*;

use super::enums::{LibraryEntryKind, LibraryEntryStatus, ProgramField};

/// One project or case entry, submitted by an organization and curated before it is public.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "library_entries")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Project or case.
    pub kind: LibraryEntryKind,
    /// Submitting organization (scope).
    pub organization_id: Uuid,
    /// Title, 1–200 characters.
    pub title: String,
    /// Project summary or case abstract, up to 2,000 characters.
    pub summary: String,
    /// Case body text, up to 20,000 characters (empty for projects).
    pub body: String,
    /// Field.
    pub field: ProgramField,
    /// Region code (`regions.code`).
    pub region_code: String,
    /// Target group of a project, up to 200 characters (empty for cases).
    pub target_group: String,
    /// Project budget in fen (分); `None` for cases.
    pub budget_fen: Option<i64>,
    /// First day of a project's period.
    pub period_start: Option<Date>,
    /// Last day of a project's period (inclusive).
    pub period_end: Option<Date>,
    /// Expected or achieved outcomes of a project, up to 5,000 characters.
    pub outcomes: String,
    /// For a case: the project entry it is about (same organization).
    pub related_entry_id: Option<Uuid>,
    /// Curation state.
    pub status: LibraryEntryStatus,
    /// Reason of the last rejection.
    pub reject_reason: Option<String>,
    /// Tags, normalised, JSON array (the `library_entry_tags` rows are the searchable copy).
    pub tags: String,
    /// Account that published it.
    pub curated_by: Option<Uuid>,
    /// When it was submitted last (UTC).
    pub submitted_at: Option<DateTimeUtc>,
    /// When it was published (UTC).
    pub published_at: Option<DateTimeUtc>,
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
