//! `youth_org_profiles`: the registry profile of a youth social organization (青年社会组织).

use sea_orm::entity::prelude::*;

use super::{IncubationStatus, NewFieldGroup, OrgField};

/// One profile, keyed by an organization of kind `youth_social_organization`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "youth_org_profiles")]
pub struct Model {
    /// The organization (`organizations.id`).
    #[sea_orm(primary_key, auto_increment = false)]
    pub organization_id: Uuid,
    /// Field of activity.
    pub field: OrgField,
    /// New-field youth group, or `none`.
    pub new_field_group: NewFieldGroup,
    /// Registered with civil affairs (民政登记).
    pub civil_affairs_registered: bool,
    /// Registration date (登记日期); needed for round eligibility.
    pub registered_on: Option<Date>,
    /// Contact person's name (personal data: masked in responses, never logged).
    pub contact_name: String,
    /// Contact mobile, 11 digits (personal data: masked in responses, never logged).
    pub contact_phone: String,
    /// League branch (团组织) of the organization, if any.
    pub league_branch: Option<String>,
    /// Incubation status.
    pub incubation_status: IncubationStatus,
    /// Date of the incubation application.
    pub applied_on: Date,
    /// Date incubation started.
    pub incubation_started_on: Option<Date>,
    /// Date of graduation.
    pub graduated_on: Option<Date>,
    /// Date of withdrawal.
    pub withdrawn_on: Option<Date>,
    /// Optimistic concurrency counter.
    pub version: i32,
    /// Creation instant (UTC).
    pub created_at: DateTimeUtc,
    /// Last update instant (UTC).
    pub updated_at: DateTimeUtc,
}

/// No relations are navigated through sea-orm; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
