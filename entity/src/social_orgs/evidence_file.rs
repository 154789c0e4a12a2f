//! `rating_evidence_files`: evidence files of a self-assessment, stored in the database.

use sea_orm::entity::prelude::*;

/// One uploaded file.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "rating_evidence_files")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Round.
    pub round_id: Uuid,
    /// Rated organization.
    pub organization_id: Uuid,
    /// Indicator the file supports, if any.
    pub indicator_id: Option<Uuid>,
    /// File name given by the uploader.
    pub file_name: String,
    /// Content type given by the uploader.
    pub content_type: String,
    /// Size in bytes.
    pub size_bytes: i64,
    /// SHA-256 of the content, lower-case hex.
    pub sha256: String,
    /// Content.
    pub data: Vec<u8>,
    /// Uploading account.
    pub uploaded_by: Uuid,
    /// Upload instant (UTC).
    pub created_at: DateTimeUtc,
}

/// No relations are navigated through sea-orm; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
