//! `signed_documents`: every signed document (compact JWS) this platform exported.

use sea_orm::entity::prelude::*;

use super::SignedDocumentKind;

/// One exported document. The document itself holds only masked personal data.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "signed_documents")]
pub struct Model {
    /// UUID v7; also the document's `jti`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Record or certificate.
    pub kind: SignedDocumentKind,
    /// The exported service record (kind `service_record`).
    pub service_record_id: Option<Uuid>,
    /// The exported certificate (kind `certificate`).
    pub certificate_id: Option<Uuid>,
    /// The volunteer the document is about.
    pub volunteer_id: Uuid,
    /// The compact JWS (`header.payload.signature`).
    pub document: String,
    /// Lowercase hex SHA-256 of the compact JWS.
    pub document_hash: String,
    /// Key id (`kid`) of the platform key that signed it.
    pub key_id: String,
    /// Account that exported it.
    pub exported_by: Option<Uuid>,
    /// Export instant (UTC), the `iat` of the document.
    pub created_at: DateTimeUtc,
}

/// No relations are navigated through sea-orm; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
