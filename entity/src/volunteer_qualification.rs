//! `volunteer_qualifications`: qualifications granted by passed courses; projects may require them.

use sea_orm::entity::prelude::*;

/// One qualification of a volunteer; unique per (volunteer, code). A renewal updates the row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "volunteer_qualifications")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Volunteer.
    pub volunteer_id: Uuid,
    /// Code (snake_case, 2–40), as projects list it in `required_qualifications`.
    pub code: String,
    /// Name for people.
    pub name: String,
    /// Course whose completion granted it (last).
    pub course_id: Uuid,
    /// Training record that granted it (last).
    pub training_record_id: Option<Uuid>,
    /// When (last) granted (UTC).
    pub granted_at: DateTimeUtc,
    /// Last day of validity (platform time zone), inclusive; `None`: no expiry.
    pub expires_on: Option<Date>,
    /// Last change (UTC).
    pub updated_at: DateTimeUtc,
}

/// No relations are navigated through sea-orm; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
