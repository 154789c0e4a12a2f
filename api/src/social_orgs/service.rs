//! Registry of youth social organizations (青年社会组织): profiles of organizations of kind
//! `youth_social_organization`, incubation transitions and partner-programme memberships.
//! Every query is scoped to the caller's subtree; anything outside answers 404.

use chrono::{NaiveDate, Utc};
use entity::enums::OrganizationKind;
use entity::organization;
use entity::social_orgs::{IncubationStatus, NewFieldGroup, partner_membership, profile};
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, Condition, ConnectionTrait,
    EntityTrait as _, IntoActiveModel as _, QueryFilter as _, QueryOrder as _,
    TransactionSession as _, TransactionTrait,
};
use uuid::Uuid;

use super::dto::{PartnerMembershipIn, ProfileFilter, ProfileIn, ProfileOut, ProfilePatch};
use super::rules;
use crate::audit::{self, Actor, Entry};
use crate::auth::Scope;
use crate::error::{ApiError, FieldIssue};
use crate::organizations::service::{get_scoped, region_condition, subtree_ids};
use crate::pagination::Page;
use crate::volunteers::domain::{Mobile, PersonName};

/// Checks the civil-affairs flag against the organization's USCC.
///
/// # Errors
/// 422 `uscc_not_civil_affairs` when registered with civil affairs but the USCC is missing or
/// does not start with 51, 52, 53 or 59 (GB 32100-2015: authority `5` 民政; types `1` 社会团体,
/// `2` 民办非企业单位, `3` 基金会, `9` other).
fn check_civil_affairs(registered: bool, uscc: Option<&str>) -> Result<(), ApiError> {
    if registered && !uscc.is_some_and(rules::is_civil_affairs_uscc) {
        return Err(ApiError::field(
            "civil_affairs_registered",
            "uscc_not_civil_affairs",
            "an organization registered with civil affairs needs a USCC starting with 51, 52, 53 or 59",
        ));
    }
    Ok(())
}

fn contact_name(issues: &mut Vec<FieldIssue>, raw: &str) -> String {
    match PersonName::parse(raw) {
        Ok(n) => n.as_str().to_owned(),
        Err(e) => {
            issues.push(FieldIssue::new("contact_name", e.code, e.message));
            String::new()
        }
    }
}

fn contact_phone(issues: &mut Vec<FieldIssue>, raw: &str) -> String {
    match Mobile::parse(raw) {
        Ok(m) => m.as_str().to_owned(),
        Err(e) => {
            issues.push(FieldIssue::new("contact_phone", e.code, e.message));
            String::new()
        }
    }
}

fn league_branch(issues: &mut Vec<FieldIssue>, raw: Option<&str>) -> Option<String> {
    let v = raw.map(str::trim).filter(|s| !s.is_empty())?;
    if v.chars().count() > 200 {
        issues.push(FieldIssue::new(
            "league_branch",
            "text_too_long",
            "at most 200 characters",
        ));
    }
    Some(v.to_owned())
}

fn not_future(issues: &mut Vec<FieldIssue>, field: &str, d: Option<NaiveDate>, today: NaiveDate) {
    if d.is_some_and(|d| d > today) {
        issues.push(FieldIssue::new(
            field,
            "date_in_future",
            "must not be after today",
        ));
    }
}

/// The organization of a youth social organization profile in scope, or 404.
///
/// # Errors
/// 404 when the organization or its profile is missing or out of scope.
pub async fn scoped_profile(
    db: &impl ConnectionTrait,
    scope: &Scope,
    id: Uuid,
) -> Result<(profile::Model, organization::Model), ApiError> {
    let org = get_scoped(db, scope, id)
        .await
        .map_err(|_| ApiError::NotFound("youth social organization"))?;
    let p = profile::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("youth social organization"))?;
    Ok((p, org))
}

async fn memberships(
    db: &impl ConnectionTrait,
    org: Uuid,
) -> Result<Vec<partner_membership::Model>, ApiError> {
    Ok(partner_membership::Entity::find()
        .filter(partner_membership::Column::OrganizationId.eq(org))
        .order_by_asc(partner_membership::Column::StartsOn)
        .order_by_asc(partner_membership::Column::Id)
        .all(db)
        .await?)
}

/// Creates the profile of an organization of kind `youth_social_organization`.
///
/// # Errors
/// 404 organization missing or outside scope; 409 `profile_exists`; 422 `organization_kind`,
/// `uscc_not_civil_affairs` or field validation.
pub async fn create(
    db: &impl TransactionTrait,
    scope: &Scope,
    actor: &Actor,
    today: NaiveDate,
    input: ProfileIn,
) -> Result<ProfileOut, ApiError> {
    let txn = db.begin().await?;
    let org = get_scoped(&txn, scope, input.organization_id).await?;
    if org.kind != OrganizationKind::YouthSocialOrganization {
        return Err(ApiError::field(
            "organization_id",
            "organization_kind",
            "the organization must be of kind youth_social_organization",
        ));
    }
    if profile::Entity::find_by_id(org.id)
        .one(&txn)
        .await?
        .is_some()
    {
        return Err(ApiError::Conflict {
            code: "profile_exists",
            detail: "this organization already has a registry profile".into(),
        });
    }
    let mut issues = Vec::new();
    let name = contact_name(&mut issues, &input.contact_name);
    let phone = contact_phone(&mut issues, &input.contact_phone);
    let branch = league_branch(&mut issues, input.league_branch.as_deref());
    not_future(&mut issues, "registered_on", input.registered_on, today);
    not_future(&mut issues, "applied_on", input.applied_on, today);
    if !issues.is_empty() {
        return Err(ApiError::Validation(issues));
    }
    check_civil_affairs(input.civil_affairs_registered, org.uscc.as_deref())?;
    let now = Utc::now();
    let p = profile::ActiveModel {
        organization_id: Set(org.id),
        field: Set(input.field),
        new_field_group: Set(input.new_field_group.unwrap_or(NewFieldGroup::None)),
        civil_affairs_registered: Set(input.civil_affairs_registered),
        registered_on: Set(input.registered_on),
        contact_name: Set(name),
        contact_phone: Set(phone),
        league_branch: Set(branch),
        incubation_status: Set(IncubationStatus::Applied),
        applied_on: Set(input.applied_on.unwrap_or(today)),
        incubation_started_on: Set(None),
        graduated_on: Set(None),
        withdrawn_on: Set(None),
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
            entity_type: "youth_org_profile",
            entity_id: org.id,
            fields: vec![],
            reason: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(ProfileOut::build(p, &org, vec![]))
}

/// The profile of a youth social organization in scope.
///
/// # Errors
/// 404 missing or outside scope.
pub async fn get(
    db: &impl ConnectionTrait,
    scope: &Scope,
    id: Uuid,
) -> Result<ProfileOut, ApiError> {
    let (p, org) = scoped_profile(db, scope, id).await?;
    let ms = memberships(db, id).await?;
    Ok(ProfileOut::build(p, &org, ms))
}

/// Applies a patch; an incubation step must follow the allowed transitions.
///
/// # Errors
/// 404 out of scope; 412 `version_mismatch`; 422 `incubation_transition`,
/// `incubation_date_order`, `uscc_not_civil_affairs` or field validation.
pub async fn update(
    db: &impl TransactionTrait,
    scope: &Scope,
    actor: &Actor,
    today: NaiveDate,
    id: Uuid,
    patch: ProfilePatch,
) -> Result<ProfileOut, ApiError> {
    let txn = db.begin().await?;
    let (p, org) = scoped_profile(&txn, scope, id).await?;
    if p.version != patch.version {
        return Err(ApiError::VersionMismatch { current: p.version });
    }
    let mut issues = Vec::new();
    let mut changed: Vec<String> = Vec::new();
    let mut a = p.clone().into_active_model();
    if let Some(v) = patch.field {
        a.field = Set(v);
        changed.push("field".into());
    }
    if let Some(v) = patch.new_field_group {
        a.new_field_group = Set(v);
        changed.push("new_field_group".into());
    }
    let civil = patch
        .civil_affairs_registered
        .unwrap_or(p.civil_affairs_registered);
    if let Some(v) = patch.civil_affairs_registered {
        a.civil_affairs_registered = Set(v);
        changed.push("civil_affairs_registered".into());
    }
    if let Some(v) = patch.registered_on {
        not_future(&mut issues, "registered_on", v, today);
        a.registered_on = Set(v);
        changed.push("registered_on".into());
    }
    if let Some(v) = &patch.contact_name {
        a.contact_name = Set(contact_name(&mut issues, v));
        changed.push("contact_name".into());
    }
    if let Some(v) = &patch.contact_phone {
        a.contact_phone = Set(contact_phone(&mut issues, v));
        changed.push("contact_phone".into());
    }
    if let Some(v) = &patch.league_branch {
        a.league_branch = Set(league_branch(&mut issues, v.as_deref()));
        changed.push("league_branch".into());
    }
    if let Some(to) = patch.incubation_status {
        let on = patch.incubation_date.unwrap_or(today);
        not_future(&mut issues, "incubation_date", Some(on), today);
        if !rules::incubation_transition_allowed(p.incubation_status, to) {
            return Err(ApiError::Rule {
                code: "incubation_transition",
                detail: format!(
                    "incubation status cannot move from {:?} to {:?}",
                    p.incubation_status, to
                )
                .to_lowercase(),
            });
        }
        let previous = p.incubation_started_on.unwrap_or(p.applied_on);
        if on < previous {
            issues.push(FieldIssue::new(
                "incubation_date",
                "incubation_date_order",
                "must not be before the previous incubation step",
            ));
        }
        match to {
            IncubationStatus::Incubating => a.incubation_started_on = Set(Some(on)),
            IncubationStatus::Graduated => a.graduated_on = Set(Some(on)),
            IncubationStatus::Withdrawn => a.withdrawn_on = Set(Some(on)),
            IncubationStatus::Applied => {}
        }
        a.incubation_status = Set(to);
        changed.push("incubation_status".into());
    } else if patch.incubation_date.is_some() {
        issues.push(FieldIssue::new(
            "incubation_date",
            "incubation_status_required",
            "incubation_date goes with incubation_status",
        ));
    }
    if !issues.is_empty() {
        return Err(ApiError::Validation(issues));
    }
    check_civil_affairs(civil, org.uscc.as_deref())?;
    a.version = Set(p.version + 1);
    a.updated_at = Set(Utc::now());
    let p = a.update(&txn).await?;
    audit::record(
        &txn,
        actor,
        Entry {
            action: "update",
            entity_type: "youth_org_profile",
            entity_id: id,
            fields: changed,
            reason: None,
        },
    )
    .await?;
    let ms = memberships(&txn, id).await?;
    txn.commit().await?;
    Ok(ProfileOut::build(p, &org, ms))
}

/// Lists profiles in scope with filters, oldest first.
///
/// # Errors
/// 400 malformed region filter; database errors.
pub async fn list(
    db: &impl ConnectionTrait,
    scope: &Scope,
    filter: &ProfileFilter,
    page: u64,
    per_page: u64,
) -> Result<Page<ProfileOut>, ApiError> {
    let mut q = profile::Entity::find();
    match scope {
        Scope::All => {}
        Scope::Subtree(root) => {
            q = q.filter(profile::Column::OrganizationId.in_subquery(subtree_ids(*root)));
        }
        Scope::Nothing => {
            return Ok(Page {
                items: vec![],
                page,
                per_page,
                total: 0,
            });
        }
    }
    if let Some(v) = filter.field {
        q = q.filter(profile::Column::Field.eq(v));
    }
    if let Some(v) = filter.new_field_group {
        q = q.filter(profile::Column::NewFieldGroup.eq(v));
    }
    if let Some(v) = filter.incubation_status {
        q = q.filter(profile::Column::IncubationStatus.eq(v));
    }
    if let Some(code) = &filter.region_code {
        let in_region = region_condition(organization::Column::RegionCode, code)?;
        q = q.filter(
            profile::Column::OrganizationId.in_subquery(
                Query::select()
                    .column(organization::Column::Id)
                    .from(organization::Entity)
                    .and_where(in_region)
                    .to_owned(),
            ),
        );
    }
    if let Some(d) = filter.partner_active_on {
        q = q.filter(
            profile::Column::OrganizationId.in_subquery(
                Query::select()
                    .column(partner_membership::Column::OrganizationId)
                    .from(partner_membership::Entity)
                    .and_where(partner_membership::Column::StartsOn.lte(d))
                    .cond_where(
                        Condition::any()
                            .add(partner_membership::Column::EndsOn.is_null())
                            .add(partner_membership::Column::EndsOn.gte(d)),
                    )
                    .to_owned(),
            ),
        );
    }
    let found = crate::pagination::fetch(
        q.order_by_asc(profile::Column::CreatedAt)
            .order_by_asc(profile::Column::OrganizationId),
        db,
        page,
        per_page,
    )
    .await?;
    let ids: Vec<Uuid> = found.items.iter().map(|p| p.organization_id).collect();
    let orgs = organization::Entity::find()
        .filter(organization::Column::Id.is_in(ids.clone()))
        .all(db)
        .await?;
    let all_ms = partner_membership::Entity::find()
        .filter(partner_membership::Column::OrganizationId.is_in(ids))
        .order_by_asc(partner_membership::Column::StartsOn)
        .order_by_asc(partner_membership::Column::Id)
        .all(db)
        .await?;
    let mut items = Vec::with_capacity(found.items.len());
    for p in found.items {
        let Some(org) = orgs.iter().find(|o| o.id == p.organization_id) else {
            continue;
        };
        let ms = all_ms
            .iter()
            .filter(|m| m.organization_id == p.organization_id)
            .cloned()
            .collect();
        items.push(ProfileOut::build(p, org, ms));
    }
    Ok(Page {
        items,
        page: found.page,
        per_page: found.per_page,
        total: found.total,
    })
}

/// Adds a partner-programme (亲青伙伴) membership period.
///
/// # Errors
/// 404 out of scope; 422 `date_order` or `text_too_long`.
pub async fn add_membership(
    db: &impl TransactionTrait,
    scope: &Scope,
    actor: &Actor,
    id: Uuid,
    input: PartnerMembershipIn,
) -> Result<ProfileOut, ApiError> {
    let txn = db.begin().await?;
    let (p, org) = scoped_profile(&txn, scope, id).await?;
    let programme = input
        .programme
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or("亲青伙伴")
        .to_owned();
    if programme.chars().count() > 100 {
        return Err(ApiError::field(
            "programme",
            "text_too_long",
            "at most 100 characters",
        ));
    }
    if input.ends_on.is_some_and(|e| e < input.starts_on) {
        return Err(ApiError::field(
            "ends_on",
            "date_order",
            "ends_on must not be before starts_on",
        ));
    }
    let m = partner_membership::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(id),
        programme: Set(programme),
        starts_on: Set(input.starts_on),
        ends_on: Set(input.ends_on),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        actor,
        Entry {
            action: "create",
            entity_type: "youth_org_partner_membership",
            entity_id: m.id,
            fields: vec![],
            reason: None,
        },
    )
    .await?;
    let ms = memberships(&txn, id).await?;
    txn.commit().await?;
    Ok(ProfileOut::build(p, &org, ms))
}
