//! Audit trail: every change and every unmasking writes a row with the actor, action, entity,
//! request id, time and the *names* of the changed fields — never their personal values.

use chrono::Utc;
use entity::audit_log;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait as _};
use uuid::Uuid;

use crate::error::ApiError;

/// Who acted and in which request.
#[derive(Debug, Clone, Default)]
pub struct Actor {
    /// Account id; `None` for public self-registration.
    pub account_id: Option<Uuid>,
    /// Request id.
    pub request_id: Option<String>,
}

/// One audit entry to write.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    /// Verb (`create`, `update`, `deactivate`, `unmask`, `import`, …).
    pub action: &'a str,
    /// Entity type (`volunteer`, `organization`, …).
    pub entity_type: &'a str,
    /// Entity id.
    pub entity_id: Uuid,
    /// Names of changed fields.
    pub fields: Vec<String>,
    /// Reason, where one is required.
    pub reason: Option<String>,
}

fn model(actor: &Actor, e: Entry<'_>) -> audit_log::ActiveModel {
    audit_log::ActiveModel {
        id: Set(Uuid::now_v7()),
        actor_id: Set(actor.account_id),
        action: Set(e.action.to_owned()),
        entity_type: Set(e.entity_type.to_owned()),
        entity_id: Set(e.entity_id),
        request_id: Set(actor.request_id.clone()),
        changed_fields: Set(serde_json::to_string(&e.fields).unwrap_or_else(|_| "[]".into())),
        reason: Set(e.reason),
        created_at: Set(Utc::now()),
    }
}

/// Writes one audit row on `db` (pass the transaction of the change).
///
/// # Errors
/// Database errors.
pub async fn record(
    db: &impl ConnectionTrait,
    actor: &Actor,
    entry: Entry<'_>,
) -> Result<(), ApiError> {
    audit_log::Entity::insert(model(actor, entry))
        .exec(db)
        .await?;
    Ok(())
}

/// Writes many audit rows in multi-row inserts (for imports).
///
/// # Errors
/// Database errors.
pub async fn record_many(
    db: &impl ConnectionTrait,
    actor: &Actor,
    entries: Vec<Entry<'_>>,
) -> Result<(), ApiError> {
    // 9 columns per row: 1,000 rows stay far below SQLite's 32,766 bind parameters.
    let models: Vec<_> = entries.into_iter().map(|e| model(actor, e)).collect();
    for chunk in models.chunks(1000) {
        audit_log::Entity::insert_many(chunk.to_vec())
            .exec(db)
            .await?;
    }
    Ok(())
}
