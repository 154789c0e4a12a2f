//! `rating_rounds`: a rating round (评估/评价轮次) on one frozen template version.

use sea_orm::entity::prelude::*;

use super::RoundStatus;

/// One round.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "rating_rounds")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Template version, frozen when the round opens.
    pub template_id: Uuid,
    /// First day of the period.
    pub period_start: Date,
    /// Last day of the period.
    pub period_end: Date,
    /// Eligibility: registered at least this many years before `period_start`.
    pub min_years_registered: i32,
    /// Eligibility: only this subtree, if set.
    pub scope_organization_id: Option<Uuid>,
    /// Eligibility: only this region and its sub-regions, if set.
    pub region_code: Option<String>,
    /// Drop the single highest and lowest reviewer total when there are at least five.
    pub trim_extremes: bool,
    /// Grade bands: JSON array of `{grade, min_basis_points}`, descending.
    pub bands: String,
    /// Validity of published grades, years.
    pub validity_years: i32,
    /// Appeal window after publication, days.
    pub appeal_days: i32,
    /// Lifecycle status.
    pub status: RoundStatus,
    /// Publication instant (UTC).
    pub published_at: Option<DateTimeUtc>,
    /// Last day the published grades are valid.
    pub valid_until: Option<Date>,
    /// End of the appeal window (UTC, exclusive).
    pub appeal_deadline: Option<DateTimeUtc>,
    /// Optimistic concurrency counter.
    pub version: i32,
    /// Opening platform admin.
    pub created_by: Uuid,
    /// Creation instant (UTC).
    pub created_at: DateTimeUtc,
    /// Last update instant (UTC).
    pub updated_at: DateTimeUtc,
}

/// No relations are navigated through sea-orm; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
