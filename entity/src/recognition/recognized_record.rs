//! `recognized_records`: the origin of every service record imported from another platform's
//! signed document, so that one origin record is never counted twice.

use sea_orm::entity::prelude::*;

/// One imported record. `(issuer, original_record_id)` and `document_hash` are unique.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "recognized_records")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The ledger record created by the import (source `recognized`).
    #[sea_orm(unique)]
    pub service_record_id: Uuid,
    /// The local volunteer named by the importing admin.
    pub volunteer_id: Uuid,
    /// Issuer id of the platform that signed the document.
    pub issuer: String,
    /// The record's id on that platform.
    pub original_record_id: String,
    /// Id (`jti`) of the imported document.
    pub document_id: String,
    /// Lowercase hex SHA-256 of the compact JWS.
    pub document_hash: String,
    /// Key id (`kid`) that signed it.
    pub key_id: String,
    /// Account that imported it.
    pub imported_by: Option<Uuid>,
    /// Import instant (UTC).
    pub imported_at: DateTimeUtc,
}

/// No relations are navigated through sea-orm; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
