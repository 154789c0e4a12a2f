//! `volunteers`: real-name registered volunteers (实名注册志愿者).

use sea_orm::entity::prelude::*;

use crate::enums::{Gender, IdType, VolunteerStatus};

/// One volunteer. The ID number is stored only encrypted (`id_number_ciphertext`), with a keyed
/// hash (`id_number_hash`) for uniqueness and look-ups and a masked copy for display.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "volunteers")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Public volunteer number (志愿者编号), 12 digits, never the ID number.
    #[sea_orm(unique)]
    pub volunteer_number: String,
    /// Real name as on the ID document.
    pub real_name: String,
    /// Gender.
    pub gender: Gender,
    /// Birth date.
    pub birth_date: Date,
    /// Kind of ID document.
    pub id_type: IdType,
    /// AES-256-GCM ciphertext of the normalised ID number, base64 (nonce ‖ ciphertext).
    pub id_number_ciphertext: String,
    /// Hex HMAC-SHA-256 of `id_type:normalised number`; unique.
    #[sea_orm(unique)]
    pub id_number_hash: String,
    /// Masked ID number for display, e.g. `1101**********123X`.
    pub id_number_masked: String,
    /// Normalised mainland mobile (11 digits).
    pub mobile: String,
    /// Optional e-mail.
    pub email: Option<String>,
    /// Residence region code.
    pub region_code: String,
    /// JSON array of skill names.
    pub skills: String,
    /// JSON array of service categories.
    pub service_categories: String,
    /// Optional political status (政治面貌).
    pub political_status: Option<String>,
    /// Optional education level.
    pub education: Option<String>,
    /// Organization through which the volunteer registered.
    pub registration_organization_id: Option<Uuid>,
    /// Lifecycle status.
    pub status: VolunteerStatus,
    /// Guardian's name (minors only).
    pub guardian_name: Option<String>,
    /// Guardian's relation to the volunteer (minors only).
    pub guardian_relation: Option<String>,
    /// Guardian's mobile (minors only).
    pub guardian_mobile: Option<String>,
    /// When the guardian consented (minors only, UTC).
    pub guardian_consented_at: Option<DateTimeUtc>,
    /// Optimistic concurrency counter.
    pub version: i32,
    /// Creation instant (UTC).
    pub created_at: DateTimeUtc,
    /// Last update instant (UTC).
    pub updated_at: DateTimeUtc,
    /// When the volunteer deregistered (UTC).
    pub deregistered_at: Option<DateTimeUtc>,
}

/// No relations are navigated through sea-orm; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
