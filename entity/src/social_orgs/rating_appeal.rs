//! `rating_appeals`: an organization's appeal (申诉/复核申请) against a published result.

use sea_orm::entity::prelude::*;

use super::AppealStatus;

/// One appeal.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "rating_appeals")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Result appealed.
    pub result_id: Uuid,
    /// Appealing organization.
    pub organization_id: Uuid,
    /// Reason.
    pub reason: String,
    /// Status.
    pub status: AppealStatus,
    /// Filing account.
    pub filed_by: Uuid,
    /// Filing instant (UTC).
    pub filed_at: DateTimeUtc,
    /// Resolution text.
    pub resolution: Option<String>,
    /// Resolving platform admin.
    pub resolved_by: Option<Uuid>,
    /// Resolution instant (UTC).
    pub resolved_at: Option<DateTimeUtc>,
    /// Result that replaced the appealed one (upheld appeals).
    pub new_result_id: Option<Uuid>,
}

/// No relations are navigated through sea-orm; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
