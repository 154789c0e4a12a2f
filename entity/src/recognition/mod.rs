//! Entities of mutual recognition (互认, issue 7): the signed documents this platform exported,
//! the other platforms whose signatures it recognises with their Ed25519 public keys, and the
//! origin of every service record imported from another platform's signed document.

pub mod recognized_platform;
pub mod recognized_platform_key;
pub mod recognized_record;
pub mod signed_document;

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Whether documents of a recognised platform are accepted.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize, ToSchema,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(16))",
    rename_all = "snake_case"
)]
#[serde(rename_all = "snake_case")]
pub enum RecognizedPlatformStatus {
    /// Its documents verify (with an active key) and may be imported.
    Active,
    /// Its documents are refused (`issuer_suspended`) until it is reactivated.
    Suspended,
}

/// Whether a recognised platform's public key is accepted.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize, ToSchema,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(16))",
    rename_all = "snake_case"
)]
#[serde(rename_all = "snake_case")]
pub enum PlatformKeyStatus {
    /// Signatures by this key verify.
    Active,
    /// Withdrawn (rotation or compromise): every document signed with it is refused
    /// (`revoked_key`), whenever it was signed. Final.
    Revoked,
}

/// What a signed document carries.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize, ToSchema,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(16))",
    rename_all = "snake_case"
)]
#[serde(rename_all = "snake_case")]
pub enum SignedDocumentKind {
    /// One approved service record (`typ` `yv-record+jws`).
    ServiceRecord,
    /// A certificate of service records (`typ` `yv-certificate+jws`).
    Certificate,
}
