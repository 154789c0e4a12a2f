//! Batch upserts of partner volunteers and service records, keyed by the partner's external ids.
//!
//! Every item is processed in a transaction of its own (all or nothing of each item) and gets
//! its own result; a bad item never rejects the others. Problems of one item (validation, scope,
//! ledger rules) reject that item; a failure of the service itself (database unavailable) fails
//! the whole request, which the partner retries with the same `Idempotency-Key` — the items done
//! before then come back `unchanged`.
//!
//! The external-id map (`partner_external_ids`) holds, per `(partner, kind, external_id)`, our
//! row and a keyed hash of the item as last accepted: the same content again is `unchanged` and
//! writes nothing, also after the idempotency key has expired.
//!
//! **Volunteers** go through the registration rules of `volunteers::service::validate` (ID-card
//! checksum, birth date and gender from the ID number, minimum age, guardian consent for
//! minors). When the ID number already belongs to a volunteer on this platform (the keyed ID
//! hash, DESIGN.md §3 "one volunteer per ID"), no second person is created: the external id is
//! *linked* to that volunteer (outcome `linked`, with their volunteer number), an active
//! membership in the item's organization is added if there is none, and the profile is left as
//! it is — a person registered here owns their profile, so later changes from the partner to a
//! linked volunteer are rejected (`volunteer_managed_elsewhere`). Volunteers the partner created
//! are updated through `volunteers::service::update` (same field rules, audited); the ID number
//! cannot change (`id_number_immutable`), guardian data is kept from the first push.
//!
//! **Service records** go through the ledger (`records::service::insert_record`): source
//! `partner:<client_id>`, the partner's external id, minutes, the late flag, overlap conflicts
//! (held pending), totals and star levels. A changed record is never edited in place: it is
//! corrected through `records::service::correct_in` (the old record is superseded, a new one
//! takes its place, totals move), and the map then points at the newest record. The volunteer
//! and organization of a record cannot change (`volunteer_immutable`, `organization_immutable`).
//!
//! **Scope**: an item's organization must be in the partner's scope (`out_of_scope` otherwise);
//! a record's volunteer must be registered at or a member of an organization in scope
//! (`volunteer_not_found` otherwise).

use std::collections::HashMap;

use chrono::Utc;
use entity::enums::{MembershipStatus, ServiceRecordStatus, VolunteerStatus};
use entity::partners::partner_external_id as ext;
use entity::volunteer_membership as membership;
use entity::{organization, service_record, volunteer};
use sea_orm::sea_query::{Query, SelectStatement};
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, Condition, ConnectionTrait,
    EntityTrait as _, PaginatorTrait as _, QueryFilter as _, QuerySelect as _,
    TransactionTrait as _,
};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use super::auth::PartnerClient;
use super::dto::{
    BatchOut, BatchSummary, ItemProblem, ItemResult, Outcome, PartnerRecordIn, PartnerVolunteerIn,
};
use crate::audit::Actor;
use crate::auth::{AuthUser, Scope};
use crate::error::{ApiError, FieldIssue};
use crate::records::dto::CorrectionIn;
use crate::records::service::{NewRecord, RecordText, correct_in, insert_many, insert_record};
use crate::state::AppState;
use crate::volunteers::domain::clean_text;
use crate::volunteers::dto::{GuardianIn, VolunteerPatch};
use crate::volunteers::service::{
    VolunteerInput, insert_prepared, issues_to_error, region_exists, validate,
};

/// `kind` of volunteers in the external-id map.
pub const KIND_VOLUNTEER: &str = "volunteer";
/// `kind` of service records in the external-id map.
pub const KIND_SERVICE_RECORD: &str = "service_record";

/// Reason written on corrections that partner updates make.
const CORRECTION_REASON: &str = "合作平台更新记录 (partner update)";

/// The result of one item before it gets its index and external id.
struct Done {
    outcome: Outcome,
    id: Option<Uuid>,
    volunteer_number: Option<String>,
    status: Option<ServiceRecordStatus>,
    conflict: Option<bool>,
}

impl Done {
    fn volunteer(outcome: Outcome, v: &volunteer::Model) -> Self {
        Self {
            outcome,
            id: Some(v.id),
            volunteer_number: Some(v.volunteer_number.clone()),
            status: None,
            conflict: None,
        }
    }

    fn record(outcome: Outcome, r: &service_record::Model) -> Self {
        Self {
            outcome,
            id: Some(r.id),
            volunteer_number: None,
            status: Some(r.status),
            conflict: Some(r.conflict),
        }
    }
}

fn problem_of(e: &ApiError) -> ItemProblem {
    let p = e.problem();
    ItemProblem {
        code: p.code,
        status: p.status,
        detail: p.detail,
        errors: p.errors,
    }
}

fn rule(code: &'static str, detail: &str) -> ApiError {
    ApiError::Rule {
        code,
        detail: detail.into(),
    }
}

fn out_of_scope() -> ApiError {
    rule(
        "out_of_scope",
        "organization_id is not in this partner's scope",
    )
}

/// Errors of the service itself fail the whole request; everything else rejects one item.
fn is_fatal(e: &ApiError) -> bool {
    matches!(e, ApiError::Internal(_) | ApiError::Unavailable(_))
}

/// Keyed hash (hex HMAC-SHA-256 under the field lookup key) of the item's canonical JSON
/// (fields in declaration order, instants in UTC). Keyed because a volunteer item holds an ID
/// number: a plain digest stored beside the row would let anyone holding the other fields
/// confirm a guessed ID number.
fn content_hash(state: &AppState, item: &impl Serialize) -> Result<String, ApiError> {
    let json = serde_json::to_string(item).map_err(ApiError::internal)?;
    Ok(state.crypto.lookup_hash("partner_item", &json))
}

fn check_external_id(field: &str, raw: &str) -> Result<(), ApiError> {
    if raw.is_empty() || raw.len() > 128 || !raw.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::field(
            field,
            "external_id_format",
            "1 to 128 visible ASCII characters",
        ));
    }
    Ok(())
}

async fn mapping(
    db: &impl ConnectionTrait,
    partner: Uuid,
    kind: &str,
    external_id: &str,
) -> Result<Option<ext::Model>, ApiError> {
    Ok(
        ext::Entity::find_by_id((partner, kind.to_owned(), external_id.to_owned()))
            .one(db)
            .await?,
    )
}

/// `(partner, kind, external_id)` of the external-id map.
#[derive(Clone, Copy)]
struct MapKey<'a> {
    partner: Uuid,
    kind: &'a str,
    external_id: &'a str,
}

async fn put_mapping(
    db: &impl ConnectionTrait,
    key: MapKey<'_>,
    entity_id: Uuid,
    hash: String,
    owned: bool,
    existing: Option<&ext::Model>,
) -> Result<(), ApiError> {
    let now = Utc::now();
    match existing {
        Some(m) => {
            let mut active: ext::ActiveModel = m.clone().into();
            active.entity_id = Set(entity_id);
            active.content_hash = Set(hash);
            active.updated_at = Set(now);
            active.update(db).await?;
        }
        None => {
            ext::Entity::insert(ext::ActiveModel {
                partner_id: Set(key.partner),
                kind: Set(key.kind.to_owned()),
                external_id: Set(key.external_id.to_owned()),
                entity_id: Set(entity_id),
                content_hash: Set(hash),
                owned: Set(owned),
                created_at: Set(now),
                updated_at: Set(now),
            })
            .exec_without_returning(db)
            .await
            .map_err(|e| match e.sql_err() {
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => ApiError::Conflict {
                    code: "concurrent_change",
                    detail: "another request wrote this external id at the same time; retry".into(),
                },
                _ => e.into(),
            })?;
        }
    }
    Ok(())
}

/// The organization must be in scope and active.
async fn check_organization(
    db: &impl ConnectionTrait,
    partner: &PartnerClient,
    org: Uuid,
) -> Result<(), ApiError> {
    if !partner.in_scope(db, org).await? {
        return Err(out_of_scope());
    }
    let active = organization::Entity::find_by_id(org)
        .one(db)
        .await?
        .is_some_and(|o| o.status == entity::enums::OrganizationStatus::Active);
    if !active {
        return Err(organization_inactive());
    }
    Ok(())
}

fn organization_inactive() -> ApiError {
    ApiError::field(
        "organization_id",
        "organization_inactive",
        "the organization is inactive",
    )
}

/// Adds an active membership of `volunteer` in `org` unless one exists (in any status).
async fn ensure_membership(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    volunteer_id: Uuid,
    org: Uuid,
) -> Result<(), ApiError> {
    let exists = membership::Entity::find()
        .filter(membership::Column::VolunteerId.eq(volunteer_id))
        .filter(membership::Column::OrganizationId.eq(org))
        .count(txn)
        .await?
        > 0;
    if exists {
        return Ok(());
    }
    let now = Utc::now();
    let id = Uuid::now_v7();
    membership::Entity::insert(membership::ActiveModel {
        id: Set(id),
        volunteer_id: Set(volunteer_id),
        organization_id: Set(org),
        status: Set(MembershipStatus::Active),
        applied_at: Set(now),
        decided_at: Set(Some(now)),
        decided_by: Set(actor.account_id),
    })
    .exec_without_returning(txn)
    .await?;
    crate::audit::record(
        txn,
        actor,
        crate::audit::Entry {
            action: "create",
            entity_type: "membership",
            entity_id: id,
            fields: vec![
                "volunteer_id".into(),
                "organization_id".into(),
                "status".into(),
            ],
            reason: Some("partner platform".into()),
        },
    )
    .await?;
    // The volunteer enters the partner's scope: the change feed and webhooks must see it.
    crate::sync::changes::membership_by_id(txn, id, crate::sync::changes::Operation::Create).await
}

/// The external id of a raw item (as sent, for its result) and the item parsed.
fn parse_item<T: serde::de::DeserializeOwned>(raw: Value) -> (Option<String>, Result<T, ApiError>) {
    let external_id = raw
        .get("external_id")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let item = serde_json::from_value::<T>(raw).map_err(|e| ApiError::Rule {
        code: "invalid_body",
        detail: crate::error::redact_values(&e.to_string()),
    });
    (external_id, item)
}

/// The result of item `index`; a fatal error fails the whole request.
fn item_result(
    index: usize,
    external_id: Option<String>,
    outcome: Result<Done, ApiError>,
) -> Result<ItemResult, ApiError> {
    Ok(match outcome {
        Ok(d) => ItemResult {
            index,
            external_id,
            outcome: d.outcome,
            id: d.id,
            volunteer_number: d.volunteer_number,
            status: d.status,
            conflict: d.conflict,
            problem: None,
        },
        Err(e) if is_fatal(&e) => return Err(e),
        Err(e) => ItemResult {
            index,
            external_id,
            outcome: Outcome::Rejected,
            id: None,
            volunteer_number: None,
            status: None,
            conflict: None,
            problem: Some(problem_of(&e)),
        },
    })
}

/// The answer: results in item order and their counts.
fn batch_out(results: Vec<ItemResult>) -> BatchOut {
    let mut summary = BatchSummary::default();
    for r in &results {
        match r.outcome {
            Outcome::Created => summary.created += 1,
            Outcome::Updated => summary.updated += 1,
            Outcome::Unchanged => summary.unchanged += 1,
            Outcome::Linked => summary.linked += 1,
            Outcome::Rejected => summary.rejected += 1,
        }
    }
    BatchOut { results, summary }
}

/// Runs `one` for every item, collecting results; stops at the first fatal error.
async fn run<T, F, Fut>(items: Vec<Value>, mut one: F) -> Result<BatchOut, ApiError>
where
    T: serde::de::DeserializeOwned,
    F: FnMut(T) -> Fut,
    Fut: std::future::Future<Output = Result<Done, ApiError>>,
{
    let mut results = Vec::with_capacity(items.len());
    for (index, raw) in items.into_iter().enumerate() {
        let (external_id, item) = parse_item::<T>(raw);
        let outcome = match item {
            Ok(item) => one(item).await,
            Err(e) => Err(e),
        };
        results.push(item_result(index, external_id, outcome)?);
    }
    Ok(batch_out(results))
}

// ---------------------------------------------------------------------------
// Volunteers
// ---------------------------------------------------------------------------

/// Upserts a batch of volunteers (see the module documentation for the rules).
///
/// # Errors
/// Only failures of the service itself (500, 503); item problems are item results.
pub async fn volunteers(
    state: &AppState,
    partner: &PartnerClient,
    actor: &Actor,
    items: Vec<Value>,
) -> Result<BatchOut, ApiError> {
    run(items, |item: PartnerVolunteerIn| {
        upsert_volunteer(state, partner, actor, item)
    })
    .await
}

fn input_of(item: &PartnerVolunteerIn) -> VolunteerInput {
    VolunteerInput {
        real_name: item.real_name.clone(),
        id_type: item.id_type,
        id_number: item.id_number.clone(),
        gender: item.gender,
        birth_date: item.birth_date,
        mobile: item.mobile.clone(),
        email: item.email.clone(),
        region_code: item.region_code.clone(),
        skills: item.skills.clone(),
        service_categories: item.service_categories.clone(),
        political_status: item.political_status.clone(),
        education: item.education.clone(),
        guardian: item.guardian.clone().map(|g| GuardianIn {
            name: g.name,
            relation: g.relation,
            mobile: g.mobile,
            consent: g.consent,
        }),
    }
}

async fn upsert_volunteer(
    state: &AppState,
    partner: &PartnerClient,
    actor: &Actor,
    item: PartnerVolunteerIn,
) -> Result<Done, ApiError> {
    check_external_id("external_id", &item.external_id)?;
    let hash = content_hash(state, &item)?;
    let db = &state.db;
    let existing = mapping(db, partner.partner_id, KIND_VOLUNTEER, &item.external_id).await?;
    if let Some(m) = &existing
        && m.content_hash == hash
    {
        let v = volunteer::Entity::find_by_id(m.entity_id)
            .one(db)
            .await?
            .ok_or(ApiError::NotFound("volunteer"))?;
        return Ok(Done::volunteer(Outcome::Unchanged, &v));
    }
    check_organization(db, partner, item.organization_id).await?;
    let today = state.today();
    let known = region_exists(db, &item.region_code).await?;
    let prepared = validate(
        &state.crypto,
        &input_of(&item),
        today,
        state.settings.min_volunteer_age,
        &|_| known,
    )
    .map_err(issues_to_error)?;
    let txn = db.begin().await?;
    let done = match &existing {
        Some(m) if !m.owned => {
            return Err(ApiError::Conflict {
                code: "volunteer_managed_elsewhere",
                detail: "this external id is linked to a volunteer registered on the platform, whose profile the partner cannot change".into(),
            });
        }
        Some(m) => {
            let current = volunteer::Entity::find_by_id(m.entity_id)
                .one(&txn)
                .await?
                .ok_or(ApiError::NotFound("volunteer"))?;
            if current.id_number_hash != prepared.id_number_hash {
                return Err(ApiError::field(
                    "id_number",
                    "id_number_immutable",
                    "the ID number of a volunteer cannot change",
                ));
            }
            let patch = VolunteerPatch {
                version: current.version,
                real_name: Some(prepared.real_name.clone()),
                mobile: Some(prepared.mobile.clone()),
                email: Some(prepared.email.clone().unwrap_or_default()),
                region_code: Some(prepared.region_code.clone()),
                skills: Some(prepared.skills.clone()),
                service_categories: Some(prepared.service_categories.clone()),
                political_status: Some(prepared.political_status.clone().unwrap_or_default()),
                education: Some(prepared.education.clone().unwrap_or_default()),
            };
            // The partner's scope was checked above; the profile rules are the volunteers
            // module's own, applied with the partner's system account as the admin. `&txn`
            // nests the update's transaction (a savepoint) in this item's transaction.
            let as_admin = AuthUser {
                account_id: partner.system_account_id,
                role: entity::enums::Role::PlatformAdmin,
                organization_id: None,
                volunteer_id: None,
            };
            let updated =
                crate::volunteers::service::update(&txn, &as_admin, actor, current.id, patch)
                    .await?;
            ensure_membership(&txn, actor, updated.id, item.organization_id).await?;
            put_mapping(
                &txn,
                MapKey {
                    partner: partner.partner_id,
                    kind: KIND_VOLUNTEER,
                    external_id: &item.external_id,
                },
                updated.id,
                hash,
                true,
                existing.as_ref(),
            )
            .await?;
            Done::volunteer(Outcome::Updated, &updated)
        }
        None => {
            let same_person = volunteer::Entity::find()
                .filter(volunteer::Column::IdNumberHash.eq(prepared.id_number_hash.as_str()))
                .one(&txn)
                .await?;
            match same_person {
                Some(v) if v.status == VolunteerStatus::Deregistered => {
                    return Err(ApiError::Conflict {
                        code: "volunteer_deregistered",
                        detail: "a volunteer with this ID number has deregistered".into(),
                    });
                }
                Some(v) => {
                    ensure_membership(&txn, actor, v.id, item.organization_id).await?;
                    put_mapping(
                        &txn,
                        MapKey {
                            partner: partner.partner_id,
                            kind: KIND_VOLUNTEER,
                            external_id: &item.external_id,
                        },
                        v.id,
                        hash,
                        false,
                        None,
                    )
                    .await?;
                    Done::volunteer(Outcome::Linked, &v)
                }
                None => {
                    let v = insert_prepared(
                        &txn,
                        vec![prepared],
                        Some(item.organization_id),
                        Some((item.organization_id, MembershipStatus::Active)),
                        today,
                        actor,
                        "partner_create",
                    )
                    .await?
                    .pop()
                    .ok_or_else(|| ApiError::Internal("partner volunteer not inserted".into()))?;
                    put_mapping(
                        &txn,
                        MapKey {
                            partner: partner.partner_id,
                            kind: KIND_VOLUNTEER,
                            external_id: &item.external_id,
                        },
                        v.id,
                        hash,
                        true,
                        None,
                    )
                    .await?;
                    Done::volunteer(Outcome::Created, &v)
                }
            }
        }
    };
    txn.commit().await?;
    Ok(done)
}

// ---------------------------------------------------------------------------
// Service records
// ---------------------------------------------------------------------------

/// Upserts a batch of service records (see the module documentation for the rules).
///
/// Records with external ids new to the partner — the bulk of a push — are checked with a few
/// queries for the whole batch and written together in one transaction through
/// [`records::service::insert_many`](crate::records::service::insert_many) (multi-row
/// statements; per-item rule failures are still per-item results). Everything else — items
/// already mapped (unchanged or updated), an external id repeated within the batch, and the
/// whole set again should that transaction fail on a conflict with a concurrent request — goes
/// through the per-item path afterwards, in item order. New records are therefore written
/// before updates of the same batch; the outcomes are those of items processed one by one in
/// that order.
///
/// # Errors
/// Only failures of the service itself (500, 503); item problems are item results.
pub async fn records(
    state: &AppState,
    partner: &PartnerClient,
    actor: &Actor,
    items: Vec<Value>,
) -> Result<BatchOut, ApiError> {
    let mut external_ids = Vec::with_capacity(items.len());
    let mut parsed: Vec<Option<PartnerRecordIn>> = Vec::with_capacity(items.len());
    let mut outcomes: Vec<Option<Result<Done, ApiError>>> = Vec::with_capacity(items.len());
    for raw in items {
        let (external_id, item) = parse_item(raw);
        external_ids.push(external_id);
        match item {
            Ok(item) => {
                parsed.push(Some(item));
                outcomes.push(None);
            }
            Err(e) => {
                parsed.push(None);
                outcomes.push(Some(Err(e)));
            }
        }
    }
    let settled = {
        let mut seen = std::collections::HashSet::new();
        // Items for the set-based path: (index, item, content hash).
        let mut fresh: Vec<(usize, &PartnerRecordIn, String)> = Vec::new();
        for (index, item) in parsed.iter().enumerate() {
            let Some(item) = item else { continue };
            if let Err(e) = check_external_id("external_id", &item.external_id) {
                outcomes[index] = Some(Err(e));
            } else if seen.insert(item.external_id.as_str()) {
                fresh.push((index, item, content_hash(state, item)?));
            }
        }
        new_records(state, partner, actor, fresh).await?
    };
    for (index, done) in settled {
        outcomes[index] = Some(done);
    }
    let mut results = Vec::with_capacity(parsed.len());
    for (index, ((external_id, item), outcome)) in external_ids
        .into_iter()
        .zip(parsed)
        .zip(outcomes)
        .enumerate()
    {
        let outcome = match (outcome, item) {
            (Some(o), _) => o,
            (None, Some(item)) => upsert_record(state, partner, actor, item).await,
            (None, None) => Err(ApiError::Internal("batch item lost".into())),
        };
        results.push(item_result(index, external_id, outcome)?);
    }
    Ok(batch_out(results))
}

/// The set-based path of [`records`] for items whose external ids are not mapped yet: the
/// outcome of each item it settles, by index. Items found mapped, or all of them when the
/// transaction meets a concurrent writer, are left out (the per-item path takes them).
async fn new_records(
    state: &AppState,
    partner: &PartnerClient,
    actor: &Actor,
    items: Vec<(usize, &PartnerRecordIn, String)>,
) -> Result<Vec<(usize, Result<Done, ApiError>)>, ApiError> {
    let db = &state.db;
    let mut mapped = std::collections::HashSet::new();
    let ids: Vec<String> = items
        .iter()
        .map(|(_, i, _)| i.external_id.clone())
        .collect();
    for part in ids.chunks(500) {
        mapped.extend(
            mapped_ids(db, partner.partner_id, KIND_SERVICE_RECORD, part)
                .await?
                .into_iter()
                .map(|(external_id, _)| external_id),
        );
    }
    let items: Vec<_> = items
        .into_iter()
        .filter(|(_, i, _)| !mapped.contains(&i.external_id))
        .collect();
    if items.is_empty() {
        return Ok(Vec::new());
    }
    let orgs =
        OrganizationCheck::load(db, partner, items.iter().map(|(_, i, _)| i.organization_id))
            .await?;
    let people = VolunteerLookup::load(db, partner, items.iter().map(|(_, i, _)| *i)).await?;
    let mut out = Vec::with_capacity(items.len());
    let mut accepted = Vec::new();
    for (index, item, hash) in items {
        let checked = orgs
            .check(item.organization_id)
            .and_then(|()| record_text(item))
            .and_then(|text| Ok((text, people.resolve(item)?)));
        match checked {
            Err(e) => out.push((index, Err(e))),
            Ok((text, volunteer_id)) => accepted.push((index, item, hash, text, volunteer_id)),
        }
    }
    if accepted.is_empty() {
        return Ok(out);
    }
    match write_new_records(state, partner, actor, &accepted).await {
        Ok(done) => {
            out.extend(done);
            Ok(out)
        }
        Err(e) if is_fatal(&e) => Err(e),
        // A concurrent request mapped one of these external ids first (or another conflict of
        // the whole transaction): nothing was written; the per-item path settles each item.
        Err(_) => Ok(out),
    }
}

/// Writes the accepted new records and their external-id mappings in one transaction.
async fn write_new_records(
    state: &AppState,
    partner: &PartnerClient,
    actor: &Actor,
    accepted: &[(usize, &PartnerRecordIn, String, RecordText, Uuid)],
) -> Result<Vec<(usize, Result<Done, ApiError>)>, ApiError> {
    let entered_at = Utc::now();
    let news = accepted
        .iter()
        .map(|(_, item, _, text, volunteer_id)| {
            new_record(partner, item, text.clone(), *volunteer_id, entered_at)
        })
        .collect();
    let txn = state.db.begin().await?;
    let written = insert_many(&txn, state.settings.time_zone, actor, news).await?;
    let mut maps = Vec::new();
    let mut out = Vec::with_capacity(accepted.len());
    for ((index, item, hash, _, _), r) in accepted.iter().zip(written) {
        out.push((
            *index,
            r.map(|r| {
                maps.push(ext::ActiveModel {
                    partner_id: Set(partner.partner_id),
                    kind: Set(KIND_SERVICE_RECORD.to_owned()),
                    external_id: Set(item.external_id.clone()),
                    entity_id: Set(r.id),
                    content_hash: Set(hash.clone()),
                    owned: Set(true),
                    created_at: Set(entered_at),
                    updated_at: Set(entered_at),
                });
                Done::record(Outcome::Created, &r)
            }),
        ));
    }
    // 8 columns a row: 1,000 rows stay below SQLite's bind-parameter limit.
    for part in maps.chunks(1000) {
        ext::Entity::insert_many(part.to_vec())
            .exec_without_returning(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(out)
}

/// Which of `ids` (at most a few hundred) the partner has mapped for `kind`: (external id,
/// entity id) pairs.
///
/// On PostgreSQL this is one primary-key probe per id (`unnest` joined `LATERAL` to a subquery
/// that `OFFSET 0` keeps from being flattened), whatever the planner's statistics say. With a
/// plain `external_id IN (…)` a partner the statistics do not know yet — its first large push,
/// before autovacuum has analysed the table — got a plan that reads all of its mappings for
/// every batch: 21 ms instead of 1.9 ms for 250 ids among 24,250 mappings, growing with the
/// mappings (EXPLAIN ANALYZE on the benchmark database). SQLite's planner probes the primary
/// key for the `IN` list.
async fn mapped_ids(
    db: &impl ConnectionTrait,
    partner: Uuid,
    kind: &str,
    ids: &[String],
) -> Result<Vec<(String, Uuid)>, ApiError> {
    // Stored external ids are visible ASCII (`check_external_id`): others cannot match, and a
    // space can separate the rest.
    let ids: Vec<&str> = ids
        .iter()
        .map(String::as_str)
        .filter(|id| check_external_id("external_id", id).is_ok())
        .collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    if db.get_database_backend() != sea_orm::DbBackend::Postgres {
        return Ok(ext::Entity::find()
            .select_only()
            .column(ext::Column::ExternalId)
            .column(ext::Column::EntityId)
            .filter(ext::Column::PartnerId.eq(partner))
            .filter(ext::Column::Kind.eq(kind))
            .filter(ext::Column::ExternalId.is_in(ids))
            .into_tuple::<(String, Uuid)>()
            .all(db)
            .await?);
    }
    let rows = db
        .query_all_raw(sea_orm::Statement::from_sql_and_values(
            sea_orm::DbBackend::Postgres,
            "SELECT m.external_id, m.entity_id \
             FROM unnest(string_to_array($1, ' ')) AS x(id) \
             CROSS JOIN LATERAL (SELECT p.external_id, p.entity_id FROM partner_external_ids p \
             WHERE p.partner_id = $2 AND p.kind = $3 AND p.external_id = x.id OFFSET 0) AS m",
            [ids.join(" ").into(), partner.into(), kind.into()],
        ))
        .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get::<String>("", "external_id")?,
                r.try_get::<Uuid>("", "entity_id")?,
            ))
        })
        .collect()
}

/// The ledger entry of a partner's new record (source `partner:<client_id>`).
fn new_record(
    partner: &PartnerClient,
    item: &PartnerRecordIn,
    text: RecordText,
    volunteer_id: Uuid,
    entered_at: chrono::DateTime<Utc>,
) -> NewRecord {
    NewRecord {
        volunteer_id,
        organization_id: item.organization_id,
        text,
        started_at: item.started_at,
        ended_at: item.ended_at,
        source: partner.record_source(),
        external_id: Some(item.external_id.clone()),
        project_id: None,
        shift_id: None,
        review_required: false,
        approve: item.approve,
        supersedes: None,
        entered_at,
    }
}

/// Which organizations of a batch are in the partner's scope and active (two queries).
struct OrganizationCheck {
    in_scope: std::collections::HashSet<Uuid>,
    active: std::collections::HashSet<Uuid>,
}

impl OrganizationCheck {
    async fn load(
        db: &impl ConnectionTrait,
        partner: &PartnerClient,
        orgs: impl Iterator<Item = Uuid>,
    ) -> Result<Self, ApiError> {
        let mut orgs: Vec<Uuid> = orgs.collect();
        orgs.sort_unstable();
        orgs.dedup();
        let mut in_scope = std::collections::HashSet::new();
        let mut active = std::collections::HashSet::new();
        for part in orgs.chunks(500) {
            if !partner.scope().is_empty() {
                in_scope.extend(
                    entity::organization_closure::Entity::find()
                        .select_only()
                        .column(entity::organization_closure::Column::DescendantId)
                        .filter(
                            entity::organization_closure::Column::AncestorId
                                .is_in(partner.scope().to_vec()),
                        )
                        .filter(
                            entity::organization_closure::Column::DescendantId.is_in(part.to_vec()),
                        )
                        .into_tuple::<Uuid>()
                        .all(db)
                        .await?,
                );
            }
            active.extend(
                organization::Entity::find()
                    .select_only()
                    .column(organization::Column::Id)
                    .filter(organization::Column::Id.is_in(part.to_vec()))
                    .filter(
                        organization::Column::Status.eq(entity::enums::OrganizationStatus::Active),
                    )
                    .into_tuple::<Uuid>()
                    .all(db)
                    .await?,
            );
        }
        Ok(Self { in_scope, active })
    }

    /// [`check_organization`] from the loaded sets.
    fn check(&self, org: Uuid) -> Result<(), ApiError> {
        if !self.in_scope.contains(&org) {
            return Err(out_of_scope());
        }
        if !self.active.contains(&org) {
            return Err(organization_inactive());
        }
        Ok(())
    }
}

/// The volunteers a batch of records refers to, in the partner's scope (two queries).
struct VolunteerLookup {
    /// Partner external id → volunteer id.
    mapped: HashMap<String, Uuid>,
    by_id: HashMap<Uuid, volunteer::Model>,
    by_number: HashMap<String, Uuid>,
}

impl VolunteerLookup {
    async fn load<'a>(
        db: &impl ConnectionTrait,
        partner: &PartnerClient,
        items: impl Iterator<Item = &'a PartnerRecordIn>,
    ) -> Result<Self, ApiError> {
        let (mut externals, mut numbers) = (Vec::new(), Vec::new());
        for i in items {
            match (&i.volunteer_external_id, &i.volunteer_number) {
                (Some(x), None) => externals.push(x.clone()),
                (None, Some(n)) => numbers.push(n.trim().to_owned()),
                _ => {}
            }
        }
        for list in [&mut externals, &mut numbers] {
            list.sort_unstable();
            list.dedup();
        }
        let mut mapped = HashMap::new();
        for part in externals.chunks(500) {
            mapped.extend(mapped_ids(db, partner.partner_id, KIND_VOLUNTEER, part).await?);
        }
        let ids: Vec<Uuid> = mapped.values().copied().collect();
        let mut by_id = HashMap::new();
        let mut by_number = HashMap::new();
        for part in ids.chunks(500) {
            by_id.extend(
                volunteer::Entity::find()
                    .filter(volunteer::Column::Id.is_in(part.to_vec()))
                    .filter(volunteers_in_scope(partner))
                    .all(db)
                    .await?
                    .into_iter()
                    .map(|v| (v.id, v)),
            );
        }
        for part in numbers.chunks(500) {
            for v in volunteer::Entity::find()
                .filter(volunteer::Column::VolunteerNumber.is_in(part.to_vec()))
                .filter(volunteers_in_scope(partner))
                .all(db)
                .await?
            {
                by_number.insert(v.volunteer_number.clone(), v.id);
                by_id.insert(v.id, v);
            }
        }
        Ok(Self {
            mapped,
            by_id,
            by_number,
        })
    }

    /// [`resolve_volunteer`] from the loaded rows: the volunteer's id.
    fn resolve(&self, item: &PartnerRecordIn) -> Result<Uuid, ApiError> {
        let (id, field) = match (&item.volunteer_external_id, &item.volunteer_number) {
            (Some(x), None) => (self.mapped.get(x).copied(), "volunteer_external_id"),
            (None, Some(n)) => (self.by_number.get(n.trim()).copied(), "volunteer_number"),
            _ => return Err(volunteer_reference()),
        };
        let v = id
            .and_then(|id| self.by_id.get(&id))
            .ok_or_else(|| volunteer_not_found(field))?;
        check_not_deregistered(v)?;
        Ok(v.id)
    }
}

fn text(issues: &mut Vec<FieldIssue>, field: &str, raw: &str, max: usize) -> String {
    clean_text(raw, max).unwrap_or_else(|e| {
        issues.push(FieldIssue::new(field, e.code, e.message));
        String::new()
    })
}

/// The Art. 7 text fields with the ledger's limits (records::service::RecordText).
fn record_text(item: &PartnerRecordIn) -> Result<RecordText, ApiError> {
    let mut issues = Vec::new();
    let t = RecordText {
        activity_name: text(&mut issues, "activity_name", &item.activity_name, 200),
        service_category: text(&mut issues, "service_category", &item.service_category, 64),
        place: text(&mut issues, "place", &item.place, 200),
        content: text(&mut issues, "content", &item.content, 2000),
        activity_leader: item
            .activity_leader
            .as_deref()
            .filter(|l| !l.trim().is_empty())
            .map(|l| text(&mut issues, "activity_leader", l, 100)),
    };
    if issues.is_empty() {
        Ok(t)
    } else {
        Err(ApiError::Validation(issues))
    }
}

/// Volunteers registered at, or members (any status but rejected) of, an organization in scope.
fn volunteers_in_scope(partner: &PartnerClient) -> Condition {
    let members: SelectStatement = Query::select()
        .column(membership::Column::VolunteerId)
        .from(membership::Entity)
        .and_where(membership::Column::OrganizationId.in_subquery(partner.scope_org_ids()))
        .and_where(membership::Column::Status.ne(MembershipStatus::Rejected))
        .to_owned();
    Condition::any()
        .add(volunteer::Column::RegistrationOrganizationId.in_subquery(partner.scope_org_ids()))
        .add(volunteer::Column::Id.in_subquery(members))
}

/// The record's volunteer, by the partner's external id or the public number, in scope.
async fn resolve_volunteer(
    db: &impl ConnectionTrait,
    partner: &PartnerClient,
    item: &PartnerRecordIn,
) -> Result<volunteer::Model, ApiError> {
    let (id_filter, field) = match (&item.volunteer_external_id, &item.volunteer_number) {
        (Some(x), None) => {
            let m = mapping(db, partner.partner_id, KIND_VOLUNTEER, x)
                .await?
                .ok_or_else(|| volunteer_not_found("volunteer_external_id"))?;
            (
                volunteer::Column::Id.eq(m.entity_id),
                "volunteer_external_id",
            )
        }
        (None, Some(n)) => (
            volunteer::Column::VolunteerNumber.eq(n.trim()),
            "volunteer_number",
        ),
        _ => return Err(volunteer_reference()),
    };
    let v = volunteer::Entity::find()
        .filter(id_filter)
        .filter(volunteers_in_scope(partner))
        .one(db)
        .await?
        .ok_or_else(|| volunteer_not_found(field))?;
    check_not_deregistered(&v)?;
    Ok(v)
}

fn volunteer_not_found(field: &str) -> ApiError {
    ApiError::field(
        field,
        "volunteer_not_found",
        "no such volunteer in this partner's scope",
    )
}

fn volunteer_reference() -> ApiError {
    ApiError::field(
        "volunteer_external_id",
        "volunteer_reference",
        "give exactly one of volunteer_external_id and volunteer_number",
    )
}

fn check_not_deregistered(v: &volunteer::Model) -> Result<(), ApiError> {
    if v.status == VolunteerStatus::Deregistered {
        return Err(ApiError::Conflict {
            code: "volunteer_deregistered",
            detail: "the volunteer has deregistered".into(),
        });
    }
    Ok(())
}

/// The newest record of the correction chain that starts at `id`: a local admin may have
/// corrected a partner record since, and the partner's update then corrects that correction.
async fn newest_of_chain(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<service_record::Model, ApiError> {
    let mut current = service_record::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("service record"))?;
    // Bounded: a chain is as long as the corrections of one record.
    for _ in 0..1000 {
        if current.status != ServiceRecordStatus::Superseded {
            break;
        }
        match service_record::Entity::find()
            .filter(service_record::Column::SupersedesId.eq(current.id))
            .one(db)
            .await?
        {
            Some(next) => current = next,
            None => break,
        }
    }
    Ok(current)
}

async fn upsert_record(
    state: &AppState,
    partner: &PartnerClient,
    actor: &Actor,
    item: PartnerRecordIn,
) -> Result<Done, ApiError> {
    check_external_id("external_id", &item.external_id)?;
    let hash = content_hash(state, &item)?;
    let db = &state.db;
    let existing = mapping(
        db,
        partner.partner_id,
        KIND_SERVICE_RECORD,
        &item.external_id,
    )
    .await?;
    if let Some(m) = &existing
        && m.content_hash == hash
    {
        let r = service_record::Entity::find_by_id(m.entity_id)
            .one(db)
            .await?
            .ok_or(ApiError::NotFound("service record"))?;
        return Ok(Done::record(Outcome::Unchanged, &r));
    }
    check_organization(db, partner, item.organization_id).await?;
    let text = record_text(&item)?;
    let vol = resolve_volunteer(db, partner, &item).await?;
    let tz = state.settings.time_zone;
    let txn = db.begin().await?;
    let done = match &existing {
        Some(m) => {
            let current = newest_of_chain(&txn, m.entity_id).await?;
            if current.volunteer_id != vol.id {
                return Err(rule(
                    "volunteer_immutable",
                    "a record's volunteer cannot change; send a new external_id",
                ));
            }
            if current.organization_id != item.organization_id {
                return Err(rule(
                    "organization_immutable",
                    "a record's organization cannot change; send a new external_id",
                ));
            }
            let corrected = correct_in(
                &txn,
                tz,
                &Scope::All,
                actor,
                current.id,
                CorrectionIn {
                    started_at: item.started_at,
                    ended_at: item.ended_at,
                    activity_name: Some(text.activity_name),
                    service_category: Some(text.service_category),
                    place: Some(text.place),
                    content: Some(text.content),
                    activity_leader: text.activity_leader,
                    reason: CORRECTION_REASON.into(),
                },
            )
            .await?;
            put_mapping(
                &txn,
                MapKey {
                    partner: partner.partner_id,
                    kind: KIND_SERVICE_RECORD,
                    external_id: &item.external_id,
                },
                corrected.id,
                hash,
                true,
                existing.as_ref(),
            )
            .await?;
            Done::record(Outcome::Updated, &corrected)
        }
        None => {
            let r = insert_record(
                &txn,
                tz,
                actor,
                new_record(partner, &item, text, vol.id, Utc::now()),
            )
            .await?;
            put_mapping(
                &txn,
                MapKey {
                    partner: partner.partner_id,
                    kind: KIND_SERVICE_RECORD,
                    external_id: &item.external_id,
                },
                r.id,
                hash,
                true,
                None,
            )
            .await?;
            Done::record(Outcome::Created, &r)
        }
    };
    txn.commit().await?;
    Ok(done)
}
