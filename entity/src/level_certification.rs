//! `level_certifications`: applications for a star level whose rule set requires certification
//! (eligible → application → organization review → public notice → granted).

use sea_orm::entity::prelude::*;

use crate::enums::CertificationStatus;

/// One application for one level.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "level_certifications")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Volunteer.
    pub volunteer_id: Uuid,
    /// Stars applied for.
    pub level: i32,
    /// Rule set in force when applying.
    pub rule_set_id: Uuid,
    /// Status.
    pub status: CertificationStatus,
    /// Admin who decided the review.
    pub reviewed_by: Option<Uuid>,
    /// First day of the public notice (platform time zone).
    pub notice_starts_on: Option<Date>,
    /// Last day of the public notice (platform time zone).
    pub notice_ends_on: Option<Date>,
    /// Reason of a rejection or of the objection that stopped it.
    pub decision_reason: Option<String>,
    /// When it was granted (UTC).
    pub granted_at: Option<DateTimeUtc>,
    /// Application instant (UTC).
    pub created_at: DateTimeUtc,
    /// Last change (UTC).
    pub updated_at: DateTimeUtc,
}

/// No relations are navigated through sea-orm; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
