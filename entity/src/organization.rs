//! `organizations`: the tree of League committees, associations, teams, schools and others.

use sea_orm::entity::prelude::*;

use crate::enums::{OrganizationKind, OrganizationStatus};

/// One organization. Its place in the tree is `parent_id` plus the rows of
/// `organization_closure`, which make "this subtree" one indexed query.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "organizations")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Display name.
    pub name: String,
    /// Kind of organization.
    pub kind: OrganizationKind,
    /// Region code (`regions.code`).
    pub region_code: String,
    /// Unified social credit code (统一社会信用代码, GB 32100), unique when present.
    pub uscc: Option<String>,
    /// Parent organization; `None` for a root.
    pub parent_id: Option<Uuid>,
    /// Distance from the root (a root has depth 0).
    pub depth: i32,
    /// Active or inactive.
    pub status: OrganizationStatus,
    /// Contact person's public phone or address (not personal data of volunteers).
    pub contact: Option<String>,
    /// Optimistic concurrency counter, incremented on each update.
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
