//! `rule_sets`: versioned incentive rules (star thresholds, extra conditions, rounding) with an
//! effective date and a scope (DESIGN.md §3 "Incentives"). Policy as data: never edited once in
//! force; a change is a new rule set.

use sea_orm::entity::prelude::*;

/// One rule set.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "rule_sets")]
pub struct Model {
    /// UUID v7 (the shipped default has a fixed id).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Name; rule sets of one name are numbered by `version`.
    pub name: String,
    /// 1, 2, … per name.
    pub version: i32,
    /// First day it applies (a date in the platform time zone).
    pub effective_from: Date,
    /// `None`: the whole province; otherwise this organization and its subtree.
    pub scope_organization_id: Option<Uuid>,
    /// JSON array of `{level, min_minutes, requires_previous_level, requires_completed_course_category}`,
    /// ordered by level 1 to n.
    pub thresholds: String,
    /// JSON `{"mode":"exact"}` or `{"mode":"buckets","buckets":[{below_minutes, credit_minutes}]}`.
    pub rounding: String,
    /// Account that created it; `None` for the shipped default.
    pub created_by: Option<Uuid>,
    /// Creation instant (UTC).
    pub created_at: DateTimeUtc,
    /// When the minute job recomputed the levels of this rule set's scope after it took effect
    /// (UTC); `None` until then.
    pub applied_at: Option<DateTimeUtc>,
}

/// No relations are navigated through sea-orm; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
