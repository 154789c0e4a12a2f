//! Project library (公益项目库) and case library (案例库): organizations submit entries,
//! curators publish or reject them, the public searches published ones.
//!
//! Workflow: `draft → submitted → published | rejected`, `rejected → submitted` after edits,
//! `published → archived`. Entries are edited only in `draft` or `rejected`. Curators are platform
//! admins, or org admins whose subtree contains the submitting organization — but never for an
//! entry of their own organization (422 `self_curation`): the subtree root's admins submit,
//! admins above them curate.
//!
//! Tags are free strings, normalised by [`rules::normalise_tag`] (no managed vocabulary: curators
//! coin tags as they go, and normalisation keeps `Reading` and `reading` one tag). They live as a
//! JSON array on the entry (for display) and as rows of `library_entry_tags` (for search),
//! replaced together in one transaction. `GET /public/library-tags` lists the tags in use, most
//! used first, so that curators reuse them.

use chrono::{NaiveDate, Utc};
use entity::organization;
use entity::social_programs::enums::{LibraryEntryKind, LibraryEntryStatus, ProgramField};
use entity::social_programs::{library_entry as entry, library_entry_tag as entry_tag};
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, ConnectionTrait, EntityTrait as _,
    QueryFilter as _, QueryOrder as _, TransactionSession as _, TransactionTrait,
};
use uuid::Uuid;

use super::common::{
    empty_page, invalid_state, is_region_code, optional_long, org_field, own_org, region_field,
    region_subtree, required,
};
use super::dto::{
    LibraryEntryFilter, LibraryEntryIn, LibraryEntryPatch, PublicLibraryFilter, TagCountOut,
    TagFilter,
};
use super::rules::{self, MAX_TAGS};
use crate::audit::{self, Actor, Entry};
use crate::auth::{AuthUser, Scope};
use crate::error::{ApiError, FieldIssue};
use crate::organizations::service::{escape_like, in_scope, subtree_ids};
use crate::pagination::Page;

/// Largest project budget, in fen (10 billion yuan).
pub const MAX_BUDGET_FEN: i64 = 1_000_000_000_000;

/// The content of an entry, validated together so that create and update share the rules.
struct Content {
    title: String,
    summary: String,
    body: String,
    field: ProgramField,
    region_code: String,
    target_group: String,
    budget_fen: Option<i64>,
    period_start: Option<NaiveDate>,
    period_end: Option<NaiveDate>,
    outcomes: String,
    related_entry_id: Option<Uuid>,
}

async fn validate(
    db: &impl ConnectionTrait,
    kind: LibraryEntryKind,
    organization_id: Uuid,
    self_id: Option<Uuid>,
    c: &Content,
    issues: &mut Vec<FieldIssue>,
) -> Result<Content, ApiError> {
    let title = required(issues, "title", &c.title, 200, false);
    let region_code = region_field(db, issues, "region_code", &c.region_code).await?;
    let not_for = |issues: &mut Vec<FieldIssue>, field: &str| {
        issues.push(FieldIssue::new(
            field,
            "not_allowed_for_kind",
            format!("{field} does not belong to this kind of entry"),
        ));
    };
    let out = match kind {
        LibraryEntryKind::Project => {
            let summary = required(issues, "summary", &c.summary, 2000, true);
            if !c.body.trim().is_empty() {
                not_for(issues, "body");
            }
            let target_group = required(issues, "target_group", &c.target_group, 200, false);
            match c.budget_fen {
                None => issues.push(FieldIssue::new(
                    "budget_fen",
                    "required",
                    "a project has a budget in fen",
                )),
                Some(b) if !(0..=MAX_BUDGET_FEN).contains(&b) => issues.push(FieldIssue::new(
                    "budget_fen",
                    "budget_range",
                    "0 to 10^12 fen",
                )),
                Some(_) => {}
            }
            match (c.period_start, c.period_end) {
                (Some(s), Some(e)) if e < s => issues.push(FieldIssue::new(
                    "period_end",
                    "period_order",
                    "the period ends on or after its first day",
                )),
                (Some(_), Some(_)) => {}
                _ => issues.push(FieldIssue::new(
                    "period_start",
                    "required",
                    "a project has a period (period_start and period_end)",
                )),
            }
            let outcomes = required(issues, "outcomes", &c.outcomes, 5000, true);
            if c.related_entry_id.is_some() {
                not_for(issues, "related_entry_id");
            }
            Content {
                title,
                summary,
                body: String::new(),
                field: c.field,
                region_code,
                target_group,
                budget_fen: c.budget_fen,
                period_start: c.period_start,
                period_end: c.period_end,
                outcomes,
                related_entry_id: None,
            }
        }
        LibraryEntryKind::Case => {
            let summary = optional_long(issues, "summary", &c.summary, 2000);
            let body = required(issues, "body", &c.body, 20_000, true);
            if !c.target_group.trim().is_empty() {
                not_for(issues, "target_group");
            }
            if c.budget_fen.is_some() {
                not_for(issues, "budget_fen");
            }
            if c.period_start.is_some() || c.period_end.is_some() {
                not_for(issues, "period_start");
            }
            if !c.outcomes.trim().is_empty() {
                not_for(issues, "outcomes");
            }
            if let Some(rel) = c.related_entry_id {
                let ok = rel != self_id.unwrap_or_default()
                    && entry::Entity::find_by_id(rel)
                        .one(db)
                        .await?
                        .is_some_and(|r| {
                            r.kind == LibraryEntryKind::Project
                                && r.organization_id == organization_id
                        });
                if !ok {
                    issues.push(FieldIssue::new(
                        "related_entry_id",
                        "related_entry_not_found",
                        "no project entry of the same organization with this id",
                    ));
                }
            }
            Content {
                title,
                summary,
                body,
                field: c.field,
                region_code,
                target_group: String::new(),
                budget_fen: None,
                period_start: None,
                period_end: None,
                outcomes: String::new(),
                related_entry_id: c.related_entry_id,
            }
        }
    };
    Ok(out)
}

/// The entry if it exists and the scope covers its organization; 404 otherwise.
///
/// # Errors
/// 404 `not_found`, database errors.
pub async fn get(
    db: &impl ConnectionTrait,
    scope: &Scope,
    id: Uuid,
) -> Result<entry::Model, ApiError> {
    let e = entry::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("library entry"))?;
    if !in_scope(db, scope, e.organization_id).await? {
        return Err(ApiError::NotFound("library entry"));
    }
    Ok(e)
}

/// Creates a `draft` entry for an organization in scope. Audit action `create`.
///
/// # Errors
/// 422 validation (all field issues at once), database errors.
pub async fn create(
    db: &impl TransactionTrait,
    user: &AuthUser,
    actor: &Actor,
    input: LibraryEntryIn,
) -> Result<entry::Model, ApiError> {
    let txn = db.begin().await?;
    let mut issues = Vec::new();
    org_field(
        &txn,
        &user.scope(),
        &mut issues,
        "organization_id",
        input.organization_id,
    )
    .await?;
    let content = Content {
        title: input.title,
        summary: input.summary,
        body: input.body,
        field: input.field,
        region_code: input.region_code,
        target_group: input.target_group,
        budget_fen: input.budget_fen,
        period_start: input.period_start,
        period_end: input.period_end,
        outcomes: input.outcomes,
        related_entry_id: input.related_entry_id,
    };
    let c = validate(
        &txn,
        input.kind,
        input.organization_id,
        None,
        &content,
        &mut issues,
    )
    .await?;
    if !issues.is_empty() {
        return Err(ApiError::Validation(issues));
    }
    let now = Utc::now();
    let id = Uuid::now_v7();
    let model = entry::ActiveModel {
        id: Set(id),
        kind: Set(input.kind),
        organization_id: Set(input.organization_id),
        title: Set(c.title),
        summary: Set(c.summary),
        body: Set(c.body),
        field: Set(c.field),
        region_code: Set(c.region_code),
        target_group: Set(c.target_group),
        budget_fen: Set(c.budget_fen),
        period_start: Set(c.period_start),
        period_end: Set(c.period_end),
        outcomes: Set(c.outcomes),
        related_entry_id: Set(c.related_entry_id),
        status: Set(LibraryEntryStatus::Draft),
        reject_reason: Set(None),
        tags: Set("[]".into()),
        curated_by: Set(None),
        submitted_at: Set(None),
        published_at: Set(None),
        created_by: Set(user.account_id),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        actor,
        Entry {
            action: "create",
            entity_type: "library_entry",
            entity_id: id,
            fields: vec!["kind".into(), "organization_id".into(), "content".into()],
            reason: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

/// Checks the version and writes `am` with `version + 1` only if the stored version is still
/// `expected` (412 otherwise: someone else changed it in between).
async fn save(
    db: &impl ConnectionTrait,
    current: &entry::Model,
    expected: i32,
    mut am: entry::ActiveModel,
) -> Result<entry::Model, ApiError> {
    if current.version != expected {
        return Err(ApiError::VersionMismatch {
            current: current.version,
        });
    }
    am.version = Set(expected + 1);
    am.updated_at = Set(Utc::now());
    let r = entry::Entity::update_many()
        .set(am)
        .filter(entry::Column::Id.eq(current.id))
        .filter(entry::Column::Version.eq(expected))
        .exec(db)
        .await?;
    if r.rows_affected != 1 {
        let now = entry::Entity::find_by_id(current.id).one(db).await?;
        return Err(ApiError::VersionMismatch {
            current: now.map_or(expected, |m| m.version),
        });
    }
    entry::Entity::find_by_id(current.id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("library entry"))
}

/// Applies a patch to an entry in `draft` or `rejected`. Audit action `update`.
///
/// # Errors
/// 404 out of scope, 409 `invalid_state`, 412 `version_mismatch`, 422 validation.
pub async fn update(
    db: &impl TransactionTrait,
    scope: &Scope,
    actor: &Actor,
    id: Uuid,
    p: LibraryEntryPatch,
) -> Result<entry::Model, ApiError> {
    let txn = db.begin().await?;
    let cur = get(&txn, scope, id).await?;
    if !matches!(
        cur.status,
        LibraryEntryStatus::Draft | LibraryEntryStatus::Rejected
    ) {
        return Err(invalid_state(
            "only draft or rejected entries can be edited",
        ));
    }
    let mut changed = Vec::new();
    let mut note = |name: &str, is: bool| {
        if is {
            changed.push(name.to_owned());
        }
    };
    note("title", p.title.is_some());
    note("summary", p.summary.is_some());
    note("body", p.body.is_some());
    note("field", p.field.is_some());
    note("region_code", p.region_code.is_some());
    note("target_group", p.target_group.is_some());
    note("budget_fen", p.budget_fen.is_some());
    note("period_start", p.period_start.is_some());
    note("period_end", p.period_end.is_some());
    note("outcomes", p.outcomes.is_some());
    note("related_entry_id", p.related_entry_id.is_some());
    let content = Content {
        title: p.title.unwrap_or_else(|| cur.title.clone()),
        summary: p.summary.unwrap_or_else(|| cur.summary.clone()),
        body: p.body.unwrap_or_else(|| cur.body.clone()),
        field: p.field.unwrap_or(cur.field),
        region_code: p.region_code.unwrap_or_else(|| cur.region_code.clone()),
        target_group: p.target_group.unwrap_or_else(|| cur.target_group.clone()),
        budget_fen: p.budget_fen.or(cur.budget_fen),
        period_start: p.period_start.or(cur.period_start),
        period_end: p.period_end.or(cur.period_end),
        outcomes: p.outcomes.unwrap_or_else(|| cur.outcomes.clone()),
        related_entry_id: p.related_entry_id.unwrap_or(cur.related_entry_id),
    };
    let mut issues = Vec::new();
    let c = validate(
        &txn,
        cur.kind,
        cur.organization_id,
        Some(cur.id),
        &content,
        &mut issues,
    )
    .await?;
    if !issues.is_empty() {
        return Err(ApiError::Validation(issues));
    }
    let am = entry::ActiveModel {
        title: Set(c.title),
        summary: Set(c.summary),
        body: Set(c.body),
        field: Set(c.field),
        region_code: Set(c.region_code),
        target_group: Set(c.target_group),
        budget_fen: Set(c.budget_fen),
        period_start: Set(c.period_start),
        period_end: Set(c.period_end),
        outcomes: Set(c.outcomes),
        related_entry_id: Set(c.related_entry_id),
        ..Default::default()
    };
    let saved = save(&txn, &cur, p.version, am).await?;
    audit::record(
        &txn,
        actor,
        Entry {
            action: "update",
            entity_type: "library_entry",
            entity_id: id,
            fields: changed,
            reason: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(saved)
}

/// Submits a `draft` or `rejected` entry for curation. Audit action `submit`.
///
/// # Errors
/// 404 out of scope, 409 `invalid_state`, 412 `version_mismatch`.
pub async fn submit(
    db: &impl TransactionTrait,
    scope: &Scope,
    actor: &Actor,
    id: Uuid,
    version: i32,
) -> Result<entry::Model, ApiError> {
    let txn = db.begin().await?;
    let cur = get(&txn, scope, id).await?;
    if !matches!(
        cur.status,
        LibraryEntryStatus::Draft | LibraryEntryStatus::Rejected
    ) {
        return Err(invalid_state(
            "only draft or rejected entries can be submitted",
        ));
    }
    let am = entry::ActiveModel {
        status: Set(LibraryEntryStatus::Submitted),
        submitted_at: Set(Some(Utc::now())),
        ..Default::default()
    };
    let saved = save(&txn, &cur, version, am).await?;
    audit::record(&txn, actor, state_entry("submit", id, None)).await?;
    txn.commit().await?;
    Ok(saved)
}

fn state_entry(action: &str, id: Uuid, reason: Option<String>) -> Entry<'_> {
    Entry {
        action,
        entity_type: "library_entry",
        entity_id: id,
        fields: vec!["status".into()],
        reason,
    }
}

/// The entry for a curator: in scope (404 otherwise) and not of the curator's own organization
/// (422 `self_curation`).
async fn curated(
    db: &impl ConnectionTrait,
    user: &AuthUser,
    id: Uuid,
) -> Result<entry::Model, ApiError> {
    let e = get(db, &user.scope(), id).await?;
    if own_org(user) == Some(e.organization_id) {
        return Err(ApiError::Rule {
            code: "self_curation",
            detail: "curators do not curate their own organization's entries; an admin above \
                     the organization curates them"
                .into(),
        });
    }
    Ok(e)
}

/// Normalises and de-duplicates tags (order of first appearance kept).
fn clean_tags(raw: &[String]) -> Result<Vec<String>, ApiError> {
    let mut issues = Vec::new();
    if raw.len() > MAX_TAGS {
        issues.push(FieldIssue::new(
            "tags",
            "too_many_items",
            format!("at most {MAX_TAGS} tags"),
        ));
    }
    let mut out: Vec<String> = Vec::new();
    for (i, t) in raw.iter().enumerate() {
        match rules::normalise_tag(t) {
            Ok(t) if !out.contains(&t) => out.push(t),
            Ok(_) => {}
            Err(code) => issues.push(FieldIssue::new(
                format!("tags[{i}]"),
                code,
                "a tag has 1 to 32 characters and no control characters",
            )),
        }
    }
    if issues.is_empty() {
        Ok(out)
    } else {
        Err(ApiError::Validation(issues))
    }
}

async fn replace_tags(
    db: &impl ConnectionTrait,
    id: Uuid,
    tags: &[String],
) -> Result<(), ApiError> {
    entry_tag::Entity::delete_many()
        .filter(entry_tag::Column::EntryId.eq(id))
        .exec(db)
        .await?;
    if !tags.is_empty() {
        entry_tag::Entity::insert_many(tags.iter().map(|t| entry_tag::ActiveModel {
            entry_id: Set(id),
            tag: Set(t.clone()),
        }))
        .exec(db)
        .await?;
    }
    Ok(())
}

fn tags_json(tags: &[String]) -> String {
    serde_json::to_string(tags).unwrap_or_else(|_| "[]".into())
}

/// Publishes a `submitted` entry, optionally replacing its tags. Audit action `publish`.
///
/// # Errors
/// 404 out of scope, 409 `invalid_state`, 412 `version_mismatch`, 422 `self_curation` or tag
/// validation.
pub async fn publish(
    db: &impl TransactionTrait,
    user: &AuthUser,
    actor: &Actor,
    id: Uuid,
    version: i32,
    tags: Option<Vec<String>>,
) -> Result<entry::Model, ApiError> {
    let txn = db.begin().await?;
    let cur = curated(&txn, user, id).await?;
    if cur.status != LibraryEntryStatus::Submitted {
        return Err(invalid_state("only submitted entries can be published"));
    }
    let tags = tags.as_deref().map(clean_tags).transpose()?;
    let mut am = entry::ActiveModel {
        status: Set(LibraryEntryStatus::Published),
        curated_by: Set(Some(user.account_id)),
        published_at: Set(Some(Utc::now())),
        reject_reason: Set(None),
        ..Default::default()
    };
    if let Some(t) = &tags {
        am.tags = Set(tags_json(t));
    }
    let saved = save(&txn, &cur, version, am).await?;
    if let Some(t) = &tags {
        replace_tags(&txn, id, t).await?;
    }
    let mut e = state_entry("publish", id, None);
    if tags.is_some() {
        e.fields.push("tags".into());
    }
    audit::record(&txn, actor, e).await?;
    txn.commit().await?;
    Ok(saved)
}

/// Rejects a `submitted` entry with a reason. Audit action `reject` (with the reason).
///
/// # Errors
/// 404 out of scope, 409 `invalid_state`, 412 `version_mismatch`, 422 `self_curation` or an empty
/// reason.
pub async fn reject(
    db: &impl TransactionTrait,
    user: &AuthUser,
    actor: &Actor,
    id: Uuid,
    version: i32,
    reason: &str,
) -> Result<entry::Model, ApiError> {
    let mut issues = Vec::new();
    let reason = required(&mut issues, "reason", reason, 500, true);
    if !issues.is_empty() {
        return Err(ApiError::Validation(issues));
    }
    let txn = db.begin().await?;
    let cur = curated(&txn, user, id).await?;
    if cur.status != LibraryEntryStatus::Submitted {
        return Err(invalid_state("only submitted entries can be rejected"));
    }
    let am = entry::ActiveModel {
        status: Set(LibraryEntryStatus::Rejected),
        reject_reason: Set(Some(reason.clone())),
        ..Default::default()
    };
    let saved = save(&txn, &cur, version, am).await?;
    let mut e = state_entry("reject", id, Some(reason));
    e.fields.push("reject_reason".into());
    audit::record(&txn, actor, e).await?;
    txn.commit().await?;
    Ok(saved)
}

/// Archives a `published` entry (no longer public). Audit action `archive`.
///
/// # Errors
/// 404 out of scope, 409 `invalid_state`, 412 `version_mismatch`, 422 `self_curation`.
pub async fn archive(
    db: &impl TransactionTrait,
    user: &AuthUser,
    actor: &Actor,
    id: Uuid,
    version: i32,
) -> Result<entry::Model, ApiError> {
    let txn = db.begin().await?;
    let cur = curated(&txn, user, id).await?;
    if cur.status != LibraryEntryStatus::Published {
        return Err(invalid_state("only published entries can be archived"));
    }
    let am = entry::ActiveModel {
        status: Set(LibraryEntryStatus::Archived),
        ..Default::default()
    };
    let saved = save(&txn, &cur, version, am).await?;
    audit::record(&txn, actor, state_entry("archive", id, None)).await?;
    txn.commit().await?;
    Ok(saved)
}

/// Replaces the tags of an entry (curators, any state). Audit action `tag`.
///
/// # Errors
/// 404 out of scope, 412 `version_mismatch`, 422 `self_curation` or tag validation.
pub async fn set_tags(
    db: &impl TransactionTrait,
    user: &AuthUser,
    actor: &Actor,
    id: Uuid,
    version: i32,
    tags: &[String],
) -> Result<entry::Model, ApiError> {
    let tags = clean_tags(tags)?;
    let txn = db.begin().await?;
    let cur = curated(&txn, user, id).await?;
    let am = entry::ActiveModel {
        tags: Set(tags_json(&tags)),
        ..Default::default()
    };
    let saved = save(&txn, &cur, version, am).await?;
    replace_tags(&txn, id, &tags).await?;
    audit::record(
        &txn,
        actor,
        Entry {
            action: "tag",
            entity_type: "library_entry",
            entity_id: id,
            fields: vec!["tags".into()],
            reason: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(saved)
}

/// Lists entries of organizations in scope, newest first.
///
/// # Errors
/// Database errors.
pub async fn list(
    db: &impl ConnectionTrait,
    scope: &Scope,
    f: &LibraryEntryFilter,
    page: u64,
    per_page: u64,
) -> Result<Page<entry::Model>, ApiError> {
    let mut q = entry::Entity::find();
    match scope {
        Scope::All => {}
        Scope::Subtree(root) => {
            q = q.filter(entry::Column::OrganizationId.in_subquery(subtree_ids(*root)));
        }
        Scope::Nothing => return Ok(empty_page(page, per_page)),
    }
    if let Some(org) = f.organization_id {
        q = q.filter(entry::Column::OrganizationId.in_subquery(subtree_ids(org)));
    }
    if let Some(k) = f.kind {
        q = q.filter(entry::Column::Kind.eq(k));
    }
    if let Some(s) = f.status {
        q = q.filter(entry::Column::Status.eq(s));
    }
    crate::pagination::fetch(
        q.order_by_desc(entry::Column::CreatedAt)
            .order_by_desc(entry::Column::Id),
        db,
        page,
        per_page,
    )
    .await
}

/// Searches published entries (public), newest publication first, each with its organization's
/// name. Region filters include every region below the one given.
///
/// # Errors
/// 400 `invalid_query` for a malformed region code or tag, database errors.
pub async fn public_search(
    db: &impl ConnectionTrait,
    f: &PublicLibraryFilter,
    page: u64,
    per_page: u64,
) -> Result<Page<(entry::Model, String)>, ApiError> {
    let mut q =
        entry::Entity::find().filter(entry::Column::Status.eq(LibraryEntryStatus::Published));
    if let Some(k) = f.kind {
        q = q.filter(entry::Column::Kind.eq(k));
    }
    if let Some(field) = f.field {
        q = q.filter(entry::Column::Field.eq(field));
    }
    if let Some(code) = &f.region_code {
        let code = code.trim();
        if !is_region_code(code) {
            return Err(ApiError::BadRequest {
                code: "invalid_query",
                detail: "region_code must have six digits".into(),
            });
        }
        q = q.filter(entry::Column::RegionCode.in_subquery(region_subtree(code)));
    }
    if let Some(tag) = &f.tag {
        let tag = rules::normalise_tag(tag).map_err(|_| ApiError::BadRequest {
            code: "invalid_query",
            detail: "tag must have 1 to 32 characters".into(),
        })?;
        q = q.filter(
            entry::Column::Id.in_subquery(
                Query::select()
                    .column(entry_tag::Column::EntryId)
                    .from(entry_tag::Entity)
                    .and_where(entry_tag::Column::Tag.eq(tag))
                    .to_owned(),
            ),
        );
    }
    if let Some(text) = f.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        q = q.filter(entry::Column::Title.like(format!("%{}%", escape_like(text))));
    }
    let p = crate::pagination::fetch(
        q.order_by_desc(entry::Column::PublishedAt)
            .order_by_desc(entry::Column::Id),
        db,
        page,
        per_page,
    )
    .await?;
    let ids: Vec<Uuid> = p.items.iter().map(|e| e.organization_id).collect();
    let orgs = organization::Entity::find()
        .filter(organization::Column::Id.is_in(ids))
        .all(db)
        .await?;
    // A related entry is shown only when it is published too.
    let related: Vec<Uuid> = p.items.iter().filter_map(|e| e.related_entry_id).collect();
    let visible: Vec<Uuid> = if related.is_empty() {
        Vec::new()
    } else {
        entry::Entity::find()
            .filter(entry::Column::Id.is_in(related))
            .filter(entry::Column::Status.eq(LibraryEntryStatus::Published))
            .all(db)
            .await?
            .into_iter()
            .map(|e| e.id)
            .collect()
    };
    Ok(super::common::page_map(p, |mut e| {
        if e.related_entry_id.is_some_and(|r| !visible.contains(&r)) {
            e.related_entry_id = None;
        }
        let name = orgs
            .iter()
            .find(|o| o.id == e.organization_id)
            .map(|o| o.name.clone())
            .unwrap_or_default();
        (e, name)
    }))
}

/// One published entry (public); a related entry that is not published is hidden.
///
/// # Errors
/// 404 when missing or not published.
pub async fn public_get(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<(entry::Model, String), ApiError> {
    let mut e = entry::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|e| e.status == LibraryEntryStatus::Published)
        .ok_or(ApiError::NotFound("library entry"))?;
    if let Some(rel) = e.related_entry_id {
        let published = entry::Entity::find_by_id(rel)
            .one(db)
            .await?
            .is_some_and(|r| r.status == LibraryEntryStatus::Published);
        if !published {
            e.related_entry_id = None;
        }
    }
    let name = organization::Entity::find_by_id(e.organization_id)
        .one(db)
        .await?
        .map(|o| o.name)
        .unwrap_or_default();
    Ok((e, name))
}

/// The tags in use on published entries (public), most used first, then alphabetically: the
/// vocabulary curators reuse, since tags are free strings.
///
/// # Errors
/// Database errors.
pub async fn public_tags(
    db: &impl ConnectionTrait,
    f: &TagFilter,
    page: u64,
    per_page: u64,
) -> Result<Page<TagCountOut>, ApiError> {
    use sea_orm::sea_query::{Expr, ExprTrait as _, Order};
    use sea_orm::{PaginatorTrait as _, QuerySelect as _};
    let mut published = Query::select()
        .column(entry::Column::Id)
        .from(entry::Entity)
        .and_where(entry::Column::Status.eq(LibraryEntryStatus::Published))
        .to_owned();
    if let Some(k) = f.kind {
        published.and_where(entry::Column::Kind.eq(k));
    }
    let q = entry_tag::Entity::find()
        .select_only()
        .column(entry_tag::Column::Tag)
        .column_as(Expr::col(entry_tag::Column::EntryId).count(), "entries")
        .filter(entry_tag::Column::EntryId.in_subquery(published))
        .group_by(entry_tag::Column::Tag)
        .order_by(Expr::col(entry_tag::Column::EntryId).count(), Order::Desc)
        .order_by_asc(entry_tag::Column::Tag)
        .into_model::<TagCountOut>();
    let paginator = q.paginate(db, per_page);
    let total = paginator.num_items().await?;
    let items = paginator.fetch_page(page.saturating_sub(1)).await?;
    Ok(Page {
        items,
        page,
        per_page,
        total,
    })
}
