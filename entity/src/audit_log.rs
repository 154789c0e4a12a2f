//! `audit_log`: one row for every change and every unmasking. Personal values are never stored
//! here, only the names of the fields that changed.

use sea_orm::entity::prelude::*;

/// One audited action.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    /// UUID v7 (time-ordered).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Account that acted; `None` for public self-registration and system jobs.
    pub actor_id: Option<Uuid>,
    /// Verb such as `create`, `update`, `deactivate`, `unmask`, `import`.
    pub action: String,
    /// Entity type such as `volunteer` or `organization`.
    pub entity_type: String,
    /// Id of the entity acted on.
    pub entity_id: Uuid,
    /// Request id of the HTTP request (also in the `x-request-id` response header).
    pub request_id: Option<String>,
    /// JSON array of changed field names, e.g. `["mobile","skills"]`.
    pub changed_fields: String,
    /// Free-text reason where one is required (unmasking); never personal data.
    pub reason: Option<String>,
    /// Instant (UTC).
    pub created_at: DateTimeUtc,
}

/// No relations are navigated through sea-orm; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
