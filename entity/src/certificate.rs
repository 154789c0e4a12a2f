//! `certificates`: certificates of service records (志愿服务记录证明, 民政部《志愿服务记录与证明出具
//! 办法（试行）》2020, Arts. 14–17), signed with the platform's Ed25519 key.

use sea_orm::entity::prelude::*;

use crate::enums::CertificateStatus;

/// One issued certificate. `payload` holds the exact signed bytes (canonical JSON) and
/// `signature` the base64url Ed25519 signature over them.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "certificates")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Human-facing serial, e.g. `ZYZM-2026-00000001`.
    #[sea_orm(unique)]
    pub serial: String,
    /// The volunteer.
    pub volunteer_id: Uuid,
    /// Masked real name, e.g. `张*`.
    pub masked_name: String,
    /// Masked ID number, e.g. `1101**********002X`.
    pub masked_id_number: String,
    /// Sum of the covered records' minutes.
    pub total_minutes: i64,
    /// Number of covered records.
    pub record_count: i32,
    /// Issuing (recording) organization.
    pub issuing_organization_id: Uuid,
    /// Its name at issue time.
    pub issuing_organization_name: String,
    /// Issue instant (UTC).
    pub issued_at: DateTimeUtc,
    /// Account that requested it.
    pub issued_by: Option<Uuid>,
    /// Valid, revoked or superseded.
    pub status: CertificateStatus,
    /// When it was revoked or superseded (UTC).
    pub status_changed_at: Option<DateTimeUtc>,
    /// Why it was revoked.
    pub revoke_reason: Option<String>,
    /// The signed canonical JSON.
    pub payload: String,
    /// base64url (no padding) Ed25519 signature over `payload`.
    pub signature: String,
    /// Key id of the signing key (first 16 hex of SHA-256 of the public key).
    pub key_id: String,
}

/// No relations are navigated through sea-orm; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
