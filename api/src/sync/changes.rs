//! Writing the change log (`sync_changes`): [`record`] is called by the write paths of
//! volunteers, service records and certificates inside the transaction of the change, so a
//! change is in the log if and only if it committed.
//!
//! The snapshot is the entity in the representation the API returns for it (`VolunteerOut`,
//! `ServiceRecordOut`, `CertificateOut`): personal data is masked exactly as in responses.

use std::collections::HashMap;

use chrono::Utc;
use entity::enums::MembershipStatus;
use entity::sync::{change, change_organization};
use entity::{certificate, service_record, volunteer, volunteer_membership as membership};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ColumnTrait as _, ConnectionTrait, EntityTrait as _, QueryFilter as _};
use uuid::Uuid;

use super::order;
use crate::error::ApiError;

/// Entity type of volunteer changes.
pub const VOLUNTEER: &str = "volunteer";
/// Entity type of service-record changes.
pub const SERVICE_RECORD: &str = "service_record";
/// Entity type of certificate changes.
pub const CERTIFICATE: &str = "certificate";
/// Entity type of membership changes.
pub const MEMBERSHIP: &str = "membership";

/// What happened to the entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// It was created.
    Create,
    /// It changed.
    Update,
}

impl Operation {
    /// Stored and served name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Update => "update",
        }
    }
}

/// One change to write.
#[derive(Debug, Clone)]
pub struct NewChange {
    /// [`VOLUNTEER`], [`SERVICE_RECORD`] or [`CERTIFICATE`].
    pub entity_type: &'static str,
    /// Id of the entity.
    pub entity_id: Uuid,
    /// Owning organization.
    pub organization_id: Option<Uuid>,
    /// Every organization the change is visible to (partner scopes match any of them).
    pub organization_ids: Vec<Uuid>,
    /// Create or update.
    pub operation: Operation,
    /// Domain event (`volunteer.created`, `record.approved`, …).
    pub event_type: &'static str,
    /// The entity as the API shows it.
    pub snapshot: serde_json::Value,
}

/// Writes one change in `txn` (the transaction of the change).
///
/// # Errors
/// Database errors.
pub async fn record(txn: &impl ConnectionTrait, change: NewChange) -> Result<(), ApiError> {
    record_many(txn, vec![change]).await
}

/// Writes many changes in `txn` with multi-row inserts (imports).
///
/// # Errors
/// Database errors.
pub async fn record_many(
    txn: &impl ConnectionTrait,
    changes: Vec<NewChange>,
) -> Result<(), ApiError> {
    let backend = txn.get_database_backend();
    let now = Utc::now();
    // 9 values per row: 500 rows stay far below either database's bind-parameter limit.
    for chunk in changes.chunks(500) {
        let mut stmt = Query::insert()
            .into_table(change::Entity)
            .columns([
                change::Column::Id,
                change::Column::Txid,
                change::Column::EntityType,
                change::Column::EntityId,
                change::Column::OrganizationId,
                change::Column::Operation,
                change::Column::EventType,
                change::Column::Snapshot,
                change::Column::CommittedAt,
            ])
            .to_owned();
        let mut links = Vec::new();
        for c in chunk {
            let id = Uuid::now_v7();
            stmt.values([
                Expr::value(id),
                order::txid_expr(backend),
                Expr::value(c.entity_type),
                Expr::value(c.entity_id),
                Expr::value(c.organization_id),
                Expr::value(c.operation.as_str()),
                Expr::value(c.event_type),
                Expr::value(c.snapshot.to_string()),
                Expr::value(now),
            ])
            .map_err(ApiError::internal)?;
            let mut orgs: Vec<Uuid> = c
                .organization_ids
                .iter()
                .copied()
                .chain(c.organization_id)
                .collect();
            orgs.sort_unstable();
            orgs.dedup();
            links.extend(orgs.into_iter().map(|o| change_organization::ActiveModel {
                change_id: sea_orm::ActiveValue::Set(id),
                organization_id: sea_orm::ActiveValue::Set(o),
            }));
        }
        txn.execute(&stmt).await?;
        for part in links.chunks(1000) {
            change_organization::Entity::insert_many(part.to_vec())
                .exec_without_returning(txn)
                .await?;
        }
    }
    Ok(())
}

/// The organizations each volunteer is linked to — the registering organization and every
/// membership but rejected ones — the same links that decide an organization admin's view.
async fn linked_organizations(
    txn: &impl ConnectionTrait,
    volunteers: &[(Uuid, Option<Uuid>)],
) -> Result<HashMap<Uuid, Vec<Uuid>>, ApiError> {
    let mut out: HashMap<Uuid, Vec<Uuid>> = volunteers
        .iter()
        .map(|(v, reg)| (*v, reg.iter().copied().collect()))
        .collect();
    let ids: Vec<Uuid> = volunteers.iter().map(|(v, _)| *v).collect();
    for part in ids.chunks(500) {
        let rows = membership::Entity::find()
            .filter(membership::Column::VolunteerId.is_in(part.to_vec()))
            .filter(membership::Column::Status.ne(MembershipStatus::Rejected))
            .all(txn)
            .await?;
        for m in rows {
            out.entry(m.volunteer_id)
                .or_default()
                .push(m.organization_id);
        }
    }
    Ok(out)
}

fn snapshot(value: impl serde::Serialize) -> Result<serde_json::Value, ApiError> {
    serde_json::to_value(value).map_err(ApiError::internal)
}

/// Records created or changed volunteers (`volunteer.created`; `volunteer.deregistered` once
/// anonymised; `volunteer.updated` otherwise), visible to every organization they are linked
/// to.
///
/// # Errors
/// Database errors.
pub async fn volunteers(
    txn: &impl ConnectionTrait,
    rows: &[volunteer::Model],
    operation: Operation,
) -> Result<(), ApiError> {
    // Chunk by chunk, so that a roster of 50,000 rows holds one chunk's snapshots at a time
    // (they were the import's peak memory).
    for part in rows.chunks(CHUNK) {
        volunteers_chunk(txn, part, operation).await?;
    }
    Ok(())
}

/// Volunteers whose changes are built and written at once by [`volunteers`].
const CHUNK: usize = 500;

async fn volunteers_chunk(
    txn: &impl ConnectionTrait,
    rows: &[volunteer::Model],
    operation: Operation,
) -> Result<(), ApiError> {
    // Rows just inserted were built in memory: read them back so that the snapshot carries the
    // stored values (PostgreSQL keeps microseconds), exactly as `GET` will show them.
    let mut stored = Vec::new();
    if operation == Operation::Create {
        for part in rows.chunks(500) {
            stored.extend(
                volunteer::Entity::find()
                    .filter(volunteer::Column::Id.is_in(part.iter().map(|v| v.id)))
                    .all(txn)
                    .await?,
            );
        }
    }
    let rows = if operation == Operation::Create {
        stored.as_slice()
    } else {
        rows
    };
    let keys: Vec<(Uuid, Option<Uuid>)> = rows
        .iter()
        .map(|v| (v.id, v.registration_organization_id))
        .collect();
    let mut linked = linked_organizations(txn, &keys).await?;
    let mut changes = Vec::with_capacity(rows.len());
    for v in rows {
        let event_type = match (operation, v.status) {
            (Operation::Create, _) => "volunteer.created",
            (_, entity::enums::VolunteerStatus::Deregistered) => "volunteer.deregistered",
            _ => "volunteer.updated",
        };
        let organization_ids = linked.remove(&v.id).unwrap_or_default();
        changes.push(NewChange {
            entity_type: VOLUNTEER,
            entity_id: v.id,
            organization_id: v
                .registration_organization_id
                .or_else(|| organization_ids.first().copied()),
            organization_ids,
            operation,
            event_type,
            snapshot: snapshot(crate::volunteers::dto::VolunteerOut::from(v.clone()))?,
        });
    }
    if operation == Operation::Create {
        // Memberships made with the volunteer (admin registration, import, self-registration
        // with an organization) are changes of their own.
        let ids: Vec<Uuid> = rows.iter().map(|v| v.id).collect();
        for part in ids.chunks(500) {
            for m in membership::Entity::find()
                .filter(membership::Column::VolunteerId.is_in(part.to_vec()))
                .all(txn)
                .await?
            {
                changes.push(membership_change(&m, Operation::Create)?);
            }
        }
    }
    record_many(txn, changes).await
}

/// Records a created or changed service record, visible to its organizing organization (the
/// scope of records for admins). The event follows the record: `record.corrected` for a
/// correction, otherwise `record.<status>` (`record.pending` is written `record.created`).
///
/// # Errors
/// Database errors.
pub async fn service_record(
    txn: &impl ConnectionTrait,
    row: &service_record::Model,
    operation: Operation,
) -> Result<(), ApiError> {
    service_records(txn, &[row], operation).await
}

/// [`service_record`] for many records, with multi-row inserts.
///
/// # Errors
/// Database errors.
pub async fn service_records(
    txn: &impl ConnectionTrait,
    rows: &[&service_record::Model],
    operation: Operation,
) -> Result<(), ApiError> {
    use entity::enums::ServiceRecordStatus as S;
    let changes = rows
        .iter()
        .map(|row| {
            let event_type = match (operation, row.status) {
                (Operation::Create, _) if row.supersedes_id.is_some() => "record.corrected",
                (_, S::Approved) => "record.approved",
                (_, S::Rejected) => "record.rejected",
                (_, S::Voided) => "record.voided",
                (_, S::Superseded) => "record.superseded",
                (Operation::Create, S::Pending) => "record.created",
                (Operation::Update, S::Pending) => "record.updated",
            };
            Ok(NewChange {
                entity_type: SERVICE_RECORD,
                entity_id: row.id,
                organization_id: Some(row.organization_id),
                organization_ids: vec![],
                operation,
                event_type,
                snapshot: snapshot(crate::records::dto::ServiceRecordOut::from((*row).clone()))?,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    record_many(txn, changes).await
}

/// Records an issued or changed certificate (`certificate.issued`, `certificate.revoked`,
/// `certificate.superseded`), visible where its volunteer is (certificates are scoped by their
/// volunteer for admins).
///
/// # Errors
/// Database errors.
pub async fn certificate(
    txn: &impl ConnectionTrait,
    row: &certificate::Model,
    operation: Operation,
) -> Result<(), ApiError> {
    use entity::enums::CertificateStatus as C;
    let event_type = match row.status {
        C::Revoked => "certificate.revoked",
        C::Superseded => "certificate.superseded",
        C::Valid => "certificate.issued",
    };
    let registration = volunteer::Entity::find_by_id(row.volunteer_id)
        .one(txn)
        .await?
        .and_then(|v| v.registration_organization_id);
    let organization_ids = linked_organizations(txn, &[(row.volunteer_id, registration)])
        .await?
        .remove(&row.volunteer_id)
        .unwrap_or_default();
    record(
        txn,
        NewChange {
            entity_type: CERTIFICATE,
            entity_id: row.id,
            organization_id: Some(row.issuing_organization_id),
            organization_ids,
            operation,
            event_type,
            snapshot: snapshot(crate::records::certificates::CertificateOut::from(
                row.clone(),
            ))?,
        },
    )
    .await
}

/// Records a created or changed membership (`membership.pending|active|rejected|left`), visible
/// to its organization. A membership links its volunteer to the organization (every status but
/// `rejected`), so a new membership or an application (`pending`) also records the volunteer
/// with its new links:
/// a partner whose scope holds the organization learns about the volunteer then. A partner that
/// keeps memberships knows a volunteer is in its scope while its registering organization or a
/// membership that is not `rejected` is.
///
/// # Errors
/// Database errors.
pub async fn membership(
    txn: &impl ConnectionTrait,
    row: &membership::Model,
    operation: Operation,
) -> Result<(), ApiError> {
    // Read back: callers build the row in memory, the snapshot shows what `GET` will.
    let stored = membership::Entity::find_by_id(row.id).one(txn).await?;
    let row = stored.as_ref().unwrap_or(row);
    record(txn, membership_change(row, operation)?).await?;
    if (operation == Operation::Create || row.status == MembershipStatus::Pending)
        && let Some(v) = volunteer::Entity::find_by_id(row.volunteer_id)
            .one(txn)
            .await?
    {
        volunteers(txn, &[v], Operation::Update).await?;
    }
    Ok(())
}

fn membership_change(row: &membership::Model, operation: Operation) -> Result<NewChange, ApiError> {
    let event_type = match row.status {
        MembershipStatus::Pending => "membership.pending",
        MembershipStatus::Active => "membership.active",
        MembershipStatus::Rejected => "membership.rejected",
        MembershipStatus::Left => "membership.left",
    };
    Ok(NewChange {
        entity_type: MEMBERSHIP,
        entity_id: row.id,
        organization_id: Some(row.organization_id),
        organization_ids: vec![],
        operation,
        event_type,
        snapshot: snapshot(crate::memberships::dto::MembershipOut::from(row.clone()))?,
    })
}

/// Ids of the valid certificates that cover `record_id` (read before the ledger supersedes them,
/// so that [`certificates_changed`] records exactly those).
///
/// # Errors
/// Database errors.
pub async fn valid_certificates_covering(
    txn: &impl ConnectionTrait,
    record_id: Uuid,
) -> Result<Vec<Uuid>, ApiError> {
    use entity::certificate_record;
    use sea_orm::QuerySelect as _;
    Ok(certificate::Entity::find()
        .select_only()
        .column(certificate::Column::Id)
        .filter(certificate::Column::Status.eq(entity::enums::CertificateStatus::Valid))
        .filter(
            certificate::Column::Id.in_subquery(
                Query::select()
                    .column(certificate_record::Column::CertificateId)
                    .from(certificate_record::Entity)
                    .and_where(certificate_record::Column::RecordId.eq(record_id))
                    .to_owned(),
            ),
        )
        .into_tuple()
        .all(txn)
        .await?)
}

/// Records the current state of these certificates (after a change made in bulk).
///
/// # Errors
/// Database errors.
pub async fn certificates_changed(
    txn: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<(), ApiError> {
    for id in ids {
        if let Some(c) = certificate::Entity::find_by_id(*id).one(txn).await? {
            certificate(txn, &c, Operation::Update).await?;
        }
    }
    Ok(())
}

/// Records every membership of a volunteer as it is now (after a change made in bulk, such as
/// deregistration ending them).
///
/// # Errors
/// Database errors.
pub async fn memberships_of(
    txn: &impl ConnectionTrait,
    volunteer_id: Uuid,
) -> Result<(), ApiError> {
    let rows = membership::Entity::find()
        .filter(membership::Column::VolunteerId.eq(volunteer_id))
        .all(txn)
        .await?;
    let changes = rows
        .iter()
        .map(|m| membership_change(m, Operation::Update))
        .collect::<Result<Vec<_>, _>>()?;
    record_many(txn, changes).await
}

/// Records the membership `id` as stored now (for write paths that insert memberships without
/// keeping the row, such as a partner linking an existing volunteer to its organization).
///
/// # Errors
/// Database errors.
pub async fn membership_by_id(
    txn: &impl ConnectionTrait,
    id: Uuid,
    operation: Operation,
) -> Result<(), ApiError> {
    if let Some(m) = membership::Entity::find_by_id(id).one(txn).await? {
        membership(txn, &m, operation).await?;
    }
    Ok(())
}
