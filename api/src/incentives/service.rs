//! Incentive services: rule sets (create, list, get, the one in force for a volunteer on a date),
//! star levels recomputed from the `volunteer_totals` summary rows in the transaction of every
//! change of approved minutes, progress, and leaderboards (DESIGN.md §3 "Incentives"; issue 5).
//!
//! Rule set in force for a volunteer on a date: among the rule sets with `effective_from` ≤ the
//! date whose scope covers the volunteer's registration organization, the most specific scope
//! wins (the nearest ancestor; the province-wide rule sets come last), and within one scope the
//! latest `effective_from` (then the highest version). Volunteers without a registration
//! organization get the province-wide rule sets.

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use chrono_tz::Tz;
use entity::enums::{CertificationStatus, VolunteerStatus};
use entity::{
    course, level_certification, organization, organization_closure as closure, rule_set,
    training_record, volunteer, volunteer_level, volunteer_total,
};
use sea_orm::sea_query::{Expr, ExprTrait as _, OnConflict, Query};
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, Condition, ConnectionTrait,
    EntityTrait as _, PaginatorTrait as _, QueryFilter as _, QueryOrder as _, QuerySelect as _,
    QueryTrait as _, TransactionSession as _, TransactionTrait,
};
use uuid::Uuid;

use super::dto::{
    BucketDto, HoursIn, LeaderboardEntryOut, LeaderboardFilter, RecomputeOut, RoundingDto,
    RuleSetFilter, RuleSetIn, RuleSetOut, RuleSetRef, StarLevelOut, ThresholdOut,
};
use super::rules::{self, Bucket, Evaluation, Facts, RoundingRule, RuleSet, Threshold};
use crate::audit::{self, Actor, Entry};
use crate::auth::{AuthUser, Scope};
use crate::error::{ApiError, FieldIssue};
use crate::organizations::service::{get_scoped, region_condition};
use crate::pagination::Page;
use crate::records::rules::hours_display;
use crate::records::service::local_date;
use crate::volunteers::service::{get_visible, scope_condition};

const RULE_SET: &str = "rule_set";
const VOLUNTEER: &str = "volunteer";

// ---------------------------------------------------------------------------
// Rule sets
// ---------------------------------------------------------------------------

/// The stored rule set decoded for evaluation. Stored JSON is written only by this module and the
/// migration, so a decoding failure is a 500.
///
/// # Errors
/// 500 when the stored JSON is corrupt.
pub fn decode(m: &rule_set::Model) -> Result<RuleSet, ApiError> {
    let thresholds: Vec<Threshold> =
        serde_json::from_str(&m.thresholds).map_err(ApiError::internal)?;
    let rounding: RoundingRule = serde_json::from_str(&m.rounding).map_err(ApiError::internal)?;
    Ok(RuleSet {
        id: m.id,
        thresholds,
        rounding,
    })
}

/// The response shape of a rule set.
///
/// # Errors
/// 500 when the stored JSON is corrupt.
pub fn rule_set_out(m: rule_set::Model) -> Result<RuleSetOut, ApiError> {
    let r = decode(&m)?;
    Ok(RuleSetOut {
        id: m.id,
        name: m.name,
        version: m.version,
        effective_from: m.effective_from,
        scope_organization_id: m.scope_organization_id,
        thresholds: r
            .thresholds
            .into_iter()
            .map(|t| ThresholdOut {
                level: t.level,
                min_minutes: t.min_minutes,
                hours: hours_display(t.min_minutes),
                requires_previous_level: t.requires_previous_level,
                requires_completed_course_category: t.requires_completed_course_category,
                requires_certification: t.requires_certification,
            })
            .collect(),
        rounding: match r.rounding {
            RoundingRule::Exact => RoundingDto::Exact,
            RoundingRule::Buckets { buckets } => RoundingDto::Buckets {
                buckets: buckets
                    .into_iter()
                    .map(|b| BucketDto {
                        below_minutes: b.below_minutes,
                        credit_minutes: b.credit_minutes,
                    })
                    .collect(),
            },
        },
        created_by: m.created_by,
        created_at: m.created_at,
    })
}

fn hours_minutes(field: String, hours: &HoursIn, issues: &mut Vec<FieldIssue>) -> i64 {
    let minutes = match hours {
        HoursIn::Whole(h) => h.checked_mul(60).filter(|m| *m > 0),
        HoursIn::Decimal(s) => rules::hours_to_minutes(s).filter(|m| *m > 0),
    };
    minutes.unwrap_or_else(|| {
        issues.push(FieldIssue::new(
            field,
            "hours_format",
            "hours must be a positive whole number or a decimal string such as \"12.5\" that is a whole number of minutes",
        ));
        0
    })
}

/// Validated parts of a new rule set.
struct Parsed {
    name: String,
    thresholds: Vec<Threshold>,
    rounding: RoundingRule,
}

fn parse(input: &RuleSetIn, today: NaiveDate) -> Result<Parsed, ApiError> {
    let mut issues = Vec::new();
    let name = input.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 100 {
        issues.push(FieldIssue::new(
            "name",
            "name_length",
            "the name has 1 to 100 characters",
        ));
    }
    if input.effective_from < today {
        issues.push(FieldIssue::new(
            "effective_from",
            "effective_from_past",
            "a rule set takes effect today or later; rules are never changed retroactively",
        ));
    }
    let thresholds: Vec<Threshold> = input
        .thresholds
        .iter()
        .enumerate()
        .map(|(i, t)| Threshold {
            level: t.level,
            min_minutes: hours_minutes(format!("thresholds[{i}].hours"), &t.hours, &mut issues),
            requires_previous_level: t.requires_previous_level,
            requires_completed_course_category: t.requires_completed_course_category,
            requires_certification: t.requires_certification,
        })
        .collect();
    if issues.is_empty() {
        issues.extend(
            rules::check_thresholds(&thresholds)
                .into_iter()
                .map(|i| FieldIssue::new(i.field, i.code, i.message)),
        );
    }
    let rounding = match &input.rounding {
        None | Some(RoundingDto::Exact) => RoundingRule::Exact,
        Some(RoundingDto::Buckets { buckets }) => RoundingRule::Buckets {
            buckets: buckets
                .iter()
                .map(|b| Bucket {
                    below_minutes: b.below_minutes,
                    credit_minutes: b.credit_minutes,
                })
                .collect(),
        },
    };
    issues.extend(
        rules::check_rounding(&rounding)
            .into_iter()
            .map(|i| FieldIssue::new(i.field, i.code, i.message)),
    );
    if issues.is_empty() {
        Ok(Parsed {
            name,
            thresholds,
            rounding,
        })
    } else {
        Err(ApiError::Validation(issues))
    }
}

/// Creates a rule set (platform admins). A rule set with an existing name becomes its next
/// version. Rule sets are never edited: a change is a new rule set with a later effective date.
///
/// # Errors
/// 422 validation (`name_length`, `effective_from_past`, `hours_format`, `thresholds_count`,
/// `thresholds_levels`, `thresholds_not_increasing`, `hours_range`, `no_previous_level`,
/// `buckets_*`, `organization_not_found`); 409 `duplicate` on a concurrent same-name create;
/// database errors.
pub async fn create_rule_set(
    db: &impl TransactionTrait,
    tz: Tz,
    actor: &Actor,
    input: RuleSetIn,
) -> Result<rule_set::Model, ApiError> {
    let parsed = parse(&input, local_date(tz, Utc::now()))?;
    let txn = db.begin().await?;
    if let Some(org) = input.scope_organization_id
        && organization::Entity::find_by_id(org)
            .one(&txn)
            .await?
            .is_none()
    {
        return Err(ApiError::field(
            "scope_organization_id",
            "organization_not_found",
            "no such organization",
        ));
    }
    let latest = rule_set::Entity::find()
        .filter(rule_set::Column::Name.eq(parsed.name.clone()))
        .order_by_desc(rule_set::Column::Version)
        .one(&txn)
        .await?;
    let model = rule_set::Model {
        id: Uuid::now_v7(),
        name: parsed.name,
        version: latest.map_or(1, |l| l.version.saturating_add(1)),
        effective_from: input.effective_from,
        scope_organization_id: input.scope_organization_id,
        thresholds: serde_json::to_string(&parsed.thresholds).map_err(ApiError::internal)?,
        rounding: serde_json::to_string(&parsed.rounding).map_err(ApiError::internal)?,
        created_by: actor.account_id,
        created_at: Utc::now(),
        applied_at: None,
    };
    rule_set::Entity::insert(rule_set::ActiveModel::from(model.clone()))
        .exec_without_returning(&txn)
        .await?;
    audit::record(
        &txn,
        actor,
        Entry {
            action: "create",
            entity_type: RULE_SET,
            entity_id: model.id,
            fields: [
                "name",
                "version",
                "effective_from",
                "scope_organization_id",
                "thresholds",
                "rounding",
            ]
            .into_iter()
            .map(String::from)
            .collect(),
            reason: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

/// Lists rule sets, latest effective date first.
///
/// # Errors
/// Database errors.
pub async fn list_rule_sets(
    db: &impl ConnectionTrait,
    filter: &RuleSetFilter,
    page: u64,
    per_page: u64,
) -> Result<Page<rule_set::Model>, ApiError> {
    let mut q = rule_set::Entity::find();
    if let Some(org) = filter.scope_organization_id {
        q = q.filter(rule_set::Column::ScopeOrganizationId.eq(org));
    }
    let q = q
        .order_by_desc(rule_set::Column::EffectiveFrom)
        .order_by_desc(rule_set::Column::CreatedAt)
        .order_by_desc(rule_set::Column::Id);
    let total = q.clone().count(db).await?;
    let items = q
        .offset((page - 1) * per_page)
        .limit(per_page)
        .all(db)
        .await?;
    Ok(Page {
        items,
        page,
        per_page,
        total,
    })
}

/// One rule set.
///
/// # Errors
/// 404 `not_found`; database errors.
pub async fn get_rule_set(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<rule_set::Model, ApiError> {
    rule_set::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("rule set"))
}

/// Rule sets and ancestor depths read once for many look-ups of the rule set in force (a batch
/// of service records, the levels of many volunteers): two queries, whatever the number of
/// look-ups. [`RuleBook::in_force`] applies the precedence of the module docs.
pub struct RuleBook {
    /// Candidate rule sets (province-wide ones and those scoped to an ancestor of a loaded
    /// organization) with their decoded rules (`None` when the stored JSON cannot be decoded).
    sets: Vec<(rule_set::Model, Option<RuleSet>)>,
    /// Per loaded organization: depth of each ancestor (0 = itself).
    depths: HashMap<Uuid, HashMap<Uuid, i32>>,
}

impl RuleBook {
    /// Reads the rule sets that can apply to volunteers registered at any of `organizations`.
    ///
    /// # Errors
    /// Database errors.
    pub async fn load(
        db: &impl ConnectionTrait,
        organizations: impl IntoIterator<Item = Uuid>,
    ) -> Result<Self, ApiError> {
        let mut orgs: Vec<Uuid> = organizations.into_iter().collect();
        orgs.sort_unstable();
        orgs.dedup();
        let mut depths: HashMap<Uuid, HashMap<Uuid, i32>> = HashMap::new();
        for part in orgs.chunks(500) {
            for c in closure::Entity::find()
                .filter(closure::Column::DescendantId.is_in(part.to_vec()))
                .all(db)
                .await?
            {
                depths
                    .entry(c.descendant_id)
                    .or_default()
                    .insert(c.ancestor_id, c.depth);
            }
        }
        let mut ancestors: Vec<Uuid> = depths.values().flat_map(|d| d.keys().copied()).collect();
        ancestors.sort_unstable();
        ancestors.dedup();
        let mut scopes = Condition::any().add(rule_set::Column::ScopeOrganizationId.is_null());
        for part in ancestors.chunks(500) {
            scopes = scopes.add(rule_set::Column::ScopeOrganizationId.is_in(part.to_vec()));
        }
        let sets = rule_set::Entity::find()
            .filter(scopes)
            .all(db)
            .await?
            .into_iter()
            .map(|m| {
                let rules = decode(&m).ok();
                (m, rules)
            })
            .collect();
        Ok(Self { sets, depths })
    }

    /// The rule set in force on `date` for a volunteer registered at `organization` (which must
    /// have been loaded), with its decoded rules.
    ///
    /// # Errors
    /// 422 `no_rule_set_in_force` when none applies on `date` (the migration ships a
    /// province-wide default effective 2000-01-01, so this answers service dated before any
    /// rule set); 500 when the chosen one cannot be decoded.
    pub fn in_force(
        &self,
        organization: Option<Uuid>,
        date: NaiveDate,
    ) -> Result<(&rule_set::Model, &RuleSet), ApiError> {
        let none = HashMap::new();
        let depths = organization
            .and_then(|o| self.depths.get(&o))
            .unwrap_or(&none);
        let (set, rules) = self
            .sets
            .iter()
            .filter(|(r, _)| r.effective_from <= date)
            .filter_map(|(r, rules)| match r.scope_organization_id {
                None => Some((i32::MAX, r, rules)),
                Some(o) => depths.get(&o).map(|d| (*d, r, rules)),
            })
            .min_by_key(|(depth, r, _)| {
                (
                    *depth,
                    std::cmp::Reverse(r.effective_from),
                    std::cmp::Reverse(r.version),
                    std::cmp::Reverse(r.created_at),
                )
            })
            .map(|(_, r, rules)| (r, rules))
            .ok_or_else(|| ApiError::Rule {
                code: "no_rule_set_in_force",
                detail: format!(
                    "no rule set of star levels and rounding is in force on {date} for this \
                     volunteer (the earliest takes effect on its effective_from date); service \
                     dated before it cannot be credited"
                ),
            })?;
        let rules = rules
            .as_ref()
            .ok_or_else(|| ApiError::Internal("stored rule set cannot be decoded".into()))?;
        Ok((set, rules))
    }
}

/// The rule set in force on `date` for a volunteer registered at `organization` (see the module
/// docs for the precedence).
///
/// # Errors
/// 422 `no_rule_set_in_force` when none applies (the migration ships a province-wide default
/// effective 2000-01-01); database errors.
pub async fn in_force(
    db: &impl ConnectionTrait,
    organization: Option<Uuid>,
    date: NaiveDate,
) -> Result<rule_set::Model, ApiError> {
    let book = RuleBook::load(db, organization).await?;
    Ok(book.in_force(organization, date)?.0.clone())
}

/// Facts for the extra conditions: categories of the courses the volunteer passed and the
/// levels granted by certification. Each is read only when the rule set has such a condition.
async fn facts(
    db: &impl ConnectionTrait,
    rules: &RuleSet,
    volunteer_id: Uuid,
) -> Result<Facts, ApiError> {
    let mut facts = Facts::default();
    if rules
        .thresholds
        .iter()
        .any(|t| t.requires_completed_course_category.is_some())
    {
        facts.completed_course_categories = course::Entity::find()
            .filter(
                course::Column::Id.in_subquery(
                    Query::select()
                        .column(training_record::Column::CourseId)
                        .from(training_record::Entity)
                        .and_where(training_record::Column::VolunteerId.eq(volunteer_id))
                        .and_where(training_record::Column::Passed.eq(true))
                        .to_owned(),
                ),
            )
            .all(db)
            .await?
            .into_iter()
            .map(|c| c.category)
            .collect();
    }
    if rules.thresholds.iter().any(|t| t.requires_certification) {
        facts.certified_levels = level_certification::Entity::find()
            .filter(level_certification::Column::VolunteerId.eq(volunteer_id))
            .filter(level_certification::Column::Status.eq(CertificationStatus::Granted))
            .all(db)
            .await?
            .into_iter()
            .map(|c| c.level)
            .collect();
    }
    Ok(facts)
}

/// Evaluates a volunteer on `date` from the summary row: (evaluation, approved minutes, rule set).
async fn evaluate(
    db: &impl ConnectionTrait,
    v: &volunteer::Model,
    date: NaiveDate,
) -> Result<(Evaluation, i64, rule_set::Model), ApiError> {
    let minutes = volunteer_total::Entity::find_by_id(v.id)
        .one(db)
        .await?
        .map_or(0, |t| t.approved_minutes);
    let set = in_force(db, v.registration_organization_id, date).await?;
    let rules = decode(&set)?;
    let facts = facts(db, &rules, v.id).await?;
    Ok((rules::level_for(minutes, &rules, &facts), minutes, set))
}

// ---------------------------------------------------------------------------
// Rounding of service time
// ---------------------------------------------------------------------------

/// The minutes a service record credits: `raw` minutes served, rounded by the rule set in force
/// for the volunteer (by their registration organization) on the day the service started in the
/// platform time zone — the rules of the day the service was given, not of the day it was
/// entered. Returns the credited minutes and that rule set's id. Exact minutes under the shipped
/// default; a bucket rule maps the remainder past whole hours (e.g. under 15 min → 0, 15–45 →
/// 30, 45–60 → 60), see [`rules::credit_minutes`].
///
/// # Errors
/// 422 `reference_not_found` when the volunteer is missing (as the foreign key would answer),
/// 422 `no_rule_set_in_force` for service dated before every rule set; database errors.
pub async fn credit(
    txn: &impl ConnectionTrait,
    tz: Tz,
    volunteer_id: Uuid,
    started_at: chrono::DateTime<Utc>,
    raw: i32,
) -> Result<(i32, Uuid), ApiError> {
    credit_many(txn, tz, &[(volunteer_id, started_at, raw)])
        .await?
        .pop()
        .unwrap_or_else(|| Err(ApiError::Internal("no credit computed".into())))
}

/// The registration organization of each of `ids` that exists.
async fn registrations(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, Option<Uuid>>, ApiError> {
    let mut out = HashMap::with_capacity(ids.len());
    for part in ids.chunks(500) {
        let rows: Vec<(Uuid, Option<Uuid>)> = volunteer::Entity::find()
            .select_only()
            .column(volunteer::Column::Id)
            .column(volunteer::Column::RegistrationOrganizationId)
            .filter(volunteer::Column::Id.is_in(part.to_vec()))
            .into_tuple()
            .all(db)
            .await?;
        out.extend(rows);
    }
    Ok(out)
}

/// The registration organization of a set of volunteers and the rule sets that can apply to
/// them, read once (three queries) and used for every look-up of the rule set in force for
/// those volunteers in one transaction: the rounding of a batch of records
/// ([`RuleContext::credit`]) and then the star levels of the same volunteers
/// ([`recompute_many_with`]).
pub struct RuleContext {
    /// Registration organization of each loaded volunteer that exists.
    registration: HashMap<Uuid, Option<Uuid>>,
    /// Rule sets for those organizations.
    book: RuleBook,
}

impl RuleContext {
    /// Reads the registrations of `volunteer_ids` and the rule sets that can apply to them.
    ///
    /// # Errors
    /// Database errors.
    pub async fn load(db: &impl ConnectionTrait, volunteer_ids: &[Uuid]) -> Result<Self, ApiError> {
        let mut ids = volunteer_ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        let registration = registrations(db, &ids).await?;
        let book = RuleBook::load(db, registration.values().flatten().copied()).await?;
        Ok(Self { registration, book })
    }

    /// [`credit`] for many records at once (`(volunteer, started_at, raw minutes)` each, every
    /// volunteer among those loaded), without a query; one result per input, in order.
    ///
    /// # Errors
    /// Per item: 422 `reference_not_found` for a missing (or not loaded) volunteer, 422
    /// `no_rule_set_in_force` for service dated before every rule set.
    pub fn credit(
        &self,
        tz: Tz,
        items: &[(Uuid, chrono::DateTime<Utc>, i32)],
    ) -> Vec<Result<(i32, Uuid), ApiError>> {
        items
            .iter()
            .map(|(volunteer_id, started_at, raw)| {
                let registration =
                    self.registration
                        .get(volunteer_id)
                        .ok_or_else(|| ApiError::Rule {
                            code: "reference_not_found",
                            detail: "a referenced record does not exist or is still referenced"
                                .into(),
                        })?;
                let (set, rules) = self
                    .book
                    .in_force(*registration, local_date(tz, *started_at))?;
                Ok((rules::credit_minutes(*raw, &rules.rounding), set.id))
            })
            .collect()
    }
}

/// [`credit`] for many records at once (`(volunteer, started_at, raw minutes)` each), with
/// three queries in all; one result per input, in order.
///
/// # Errors
/// Per item: 422 `reference_not_found` for a missing volunteer, 422 `no_rule_set_in_force`
/// for service dated before every rule set. The whole call: database errors.
pub async fn credit_many(
    txn: &impl ConnectionTrait,
    tz: Tz,
    items: &[(Uuid, chrono::DateTime<Utc>, i32)],
) -> Result<Vec<Result<(i32, Uuid), ApiError>>, ApiError> {
    let ids: Vec<Uuid> = items.iter().map(|(v, _, _)| *v).collect();
    Ok(RuleContext::load(txn, &ids).await?.credit(tz, items))
}

// ---------------------------------------------------------------------------
// Star levels
// ---------------------------------------------------------------------------

/// Recomputes and stores a volunteer's star level from `volunteer_totals` under the rule set in
/// force today (platform time zone). Called by `records::service::apply_totals`, so it runs in
/// the transaction of every change of approved minutes (approve, void, correction). A changed
/// level, up or down, writes an audit row `level_changed` (fields `["level"]`); the acting
/// account is not known here, the change is traced through the record's own audit rows of the
/// same transaction.
///
/// # Errors
/// 404 when the volunteer is gone; database errors.
pub async fn recompute_level(
    txn: &impl ConnectionTrait,
    tz: Tz,
    volunteer_id: Uuid,
) -> Result<(), ApiError> {
    recompute(txn, tz, volunteer_id, &Actor::default()).await?;
    Ok(())
}

/// [`recompute_level`] with a known actor; whether the level changed.
async fn recompute(
    txn: &impl ConnectionTrait,
    tz: Tz,
    volunteer_id: Uuid,
    actor: &Actor,
) -> Result<bool, ApiError> {
    Ok(recompute_many(txn, tz, &[volunteer_id], actor).await? > 0)
}

/// Recomputes and stores the star levels of `volunteer_ids` like [`recompute_level`], with a
/// fixed number of queries for the whole set (plus the facts of rule sets with extra
/// conditions, per volunteer); returns how many levels changed. Each changed level writes an
/// audit row `level_changed` by `actor`.
///
/// # Errors
/// 404 when a volunteer is gone; database errors.
pub async fn recompute_many(
    txn: &impl ConnectionTrait,
    tz: Tz,
    volunteer_ids: &[Uuid],
    actor: &Actor,
) -> Result<usize, ApiError> {
    let rules = RuleContext::load(txn, volunteer_ids).await?;
    recompute_many_with(txn, tz, volunteer_ids, actor, &rules).await
}

/// [`recompute_many`] with the registrations and rule sets already read in this transaction
/// (`rules` must have been loaded for every one of `volunteer_ids`).
///
/// # Errors
/// 404 when a volunteer is gone (or was not loaded); database errors.
pub async fn recompute_many_with(
    txn: &impl ConnectionTrait,
    tz: Tz,
    volunteer_ids: &[Uuid],
    actor: &Actor,
    rules: &RuleContext,
) -> Result<usize, ApiError> {
    let mut ids = volunteer_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let today = local_date(tz, Utc::now());
    let RuleContext { registration, book } = rules;
    let mut minutes: HashMap<Uuid, i64> = HashMap::with_capacity(ids.len());
    let mut previous: HashMap<Uuid, i32> = HashMap::with_capacity(ids.len());
    for part in ids.chunks(500) {
        minutes.extend(
            volunteer_total::Entity::find()
                .filter(volunteer_total::Column::VolunteerId.is_in(part.to_vec()))
                .all(txn)
                .await?
                .into_iter()
                .map(|t| (t.volunteer_id, t.approved_minutes)),
        );
        previous.extend(
            volunteer_level::Entity::find()
                .filter(volunteer_level::Column::VolunteerId.is_in(part.to_vec()))
                .all(txn)
                .await?
                .into_iter()
                .map(|l| (l.volunteer_id, l.level)),
        );
    }
    let now = Utc::now();
    let mut levels = Vec::with_capacity(ids.len());
    let mut changed = Vec::new();
    for id in &ids {
        let reg = registration
            .get(id)
            .ok_or(ApiError::NotFound("volunteer"))?;
        let (set, rules) = book.in_force(*reg, today)?;
        let facts = facts(txn, rules, *id).await?;
        let minutes = minutes.get(id).copied().unwrap_or(0);
        let eval = rules::level_for(minutes, rules, &facts);
        if previous.get(id).copied().unwrap_or(0) != eval.level {
            changed.push(Entry {
                action: "level_changed",
                entity_type: VOLUNTEER,
                entity_id: *id,
                fields: vec!["level".into()],
                reason: Some(format!(
                    "recomputed under rule set {} version {}",
                    set.id, set.version
                )),
            });
        }
        levels.push(volunteer_level::ActiveModel {
            volunteer_id: Set(*id),
            level: Set(eval.level),
            rule_set_id: Set(set.id),
            approved_minutes: Set(minutes),
            updated_at: Set(now),
        });
    }
    for part in levels.chunks(1000) {
        use volunteer_level::Column as C;
        volunteer_level::Entity::insert_many(part.to_vec())
            .on_conflict(
                OnConflict::column(C::VolunteerId)
                    .update_columns([C::Level, C::RuleSetId, C::ApprovedMinutes, C::UpdatedAt])
                    .to_owned(),
            )
            .exec_without_returning(txn)
            .await?;
    }
    let count = changed.len();
    audit::record_many(txn, actor, changed).await?;
    Ok(count)
}

/// Volunteers recomputed per batch read.
const RECOMPUTE_BATCH: u64 = 500;

/// Recomputes the stored level of every volunteer with a totals row (optionally only those
/// linked to an organization's subtree), e.g. after a rule set took effect. Each volunteer is
/// one transaction that first locks the volunteer's `volunteer_totals` row (PostgreSQL
/// `SELECT … FOR UPDATE`; SQLite serialises writes), so a concurrent approval can never leave a
/// stale level behind. A stopgap until the recompute job of DESIGN.md §2 runs this in the
/// background.
///
/// # Errors
/// 404 for an unknown organization; database errors.
pub async fn recompute_all<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    tz: Tz,
    actor: &Actor,
    organization: Option<Uuid>,
) -> Result<RecomputeOut, ApiError> {
    let mut people = volunteer::Entity::find()
        .select_only()
        .column(volunteer::Column::Id);
    if let Some(org) = organization {
        get_scoped(db, &Scope::All, org).await?;
        if let Some(c) = scope_condition(&Scope::Subtree(org)) {
            people = people.filter(c);
        }
    }
    let people = people.into_query();
    let mut out = RecomputeOut {
        volunteers: 0,
        changed: 0,
    };
    let mut after: Option<Uuid> = None;
    loop {
        let mut q = volunteer_total::Entity::find()
            .select_only()
            .column(volunteer_total::Column::VolunteerId)
            .filter(volunteer_total::Column::VolunteerId.in_subquery(people.clone()))
            .order_by_asc(volunteer_total::Column::VolunteerId)
            .limit(RECOMPUTE_BATCH);
        if let Some(last) = after {
            q = q.filter(volunteer_total::Column::VolunteerId.gt(last));
        }
        let ids: Vec<Uuid> = q.into_tuple().all(db).await?;
        let Some(last) = ids.last().copied() else {
            break;
        };
        for id in ids {
            let txn = db.begin().await?;
            volunteer_total::Entity::find_by_id(id)
                .lock_exclusive()
                .one(&txn)
                .await?;
            if recompute(&txn, tz, id, actor).await? {
                out.changed += 1;
            }
            txn.commit().await?;
            out.volunteers += 1;
        }
        after = Some(last);
    }
    Ok(out)
}

/// A volunteer's star level and progress (the volunteer themself or admins in scope), evaluated
/// from the summary row under the rule set in force today, so that a rule set that took effect
/// since the last change of hours shows at once.
///
/// # Errors
/// 404 missing or outside scope; database errors.
pub async fn star_level(
    db: &impl ConnectionTrait,
    tz: Tz,
    user: &AuthUser,
    volunteer_id: Uuid,
) -> Result<StarLevelOut, ApiError> {
    let v = get_visible(db, user, volunteer_id).await?;
    let (eval, minutes, set) = evaluate(db, &v, local_date(tz, Utc::now())).await?;
    Ok(StarLevelOut {
        volunteer_id,
        level: eval.level,
        approved_minutes: minutes,
        approved_hours: hours_display(minutes),
        next_level: eval.next_level,
        minutes_missing: eval.minutes_missing,
        hours_missing: eval.minutes_missing.map(hours_display),
        missing_condition: eval.missing_condition.map(String::from),
        rule_set: RuleSetRef {
            id: set.id,
            name: set.name,
            version: set.version,
        },
    })
}

// ---------------------------------------------------------------------------
// Leaderboards
// ---------------------------------------------------------------------------

/// Boards of at most this many ranked volunteers (an organization's or a region's) are read
/// whole and sorted; larger ones, and the platform-wide board, are read in rank order along the
/// index `idx_volunteer_totals_rank` (approved minutes descending, then volunteer id), checking
/// each row's volunteer by primary key and stopping after the page. Sorting a small set beats
/// walking an index in which its volunteers are sparse; walking beats sorting a large set, whose
/// cost grows with the number of volunteers (issue 8: 200,000 volunteers took seconds per page).
pub const SORT_BOARD_UP_TO: u64 = 10_000;

/// Volunteers of the caller's scope by approved minutes (descending, then by id, i.e. registration order),
/// from the summary rows; volunteers without approved minutes and deregistered ones are left
/// out. `total` is exact. See [`SORT_BOARD_UP_TO`] for how a page is read.
///
/// # Errors
/// 400 `invalid_query` for a malformed region; 404 for an organization outside scope; database
/// errors.
pub async fn leaderboard(
    db: &impl ConnectionTrait,
    scope: &Scope,
    filter: &LeaderboardFilter,
    page: u64,
    per_page: u64,
) -> Result<Page<LeaderboardEntryOut>, ApiError> {
    leaderboard_sorting_up_to(db, scope, filter, page, per_page, SORT_BOARD_UP_TO).await
}

/// [`leaderboard`] with the threshold of [`SORT_BOARD_UP_TO`] given: `0` reads every board in
/// rank order along the index, `u64::MAX` sorts every narrowed board whole. Public so that tests
/// can check that both ways give the same pages; the service always uses [`SORT_BOARD_UP_TO`].
///
/// # Errors
/// As [`leaderboard`].
pub async fn leaderboard_sorting_up_to(
    db: &impl ConnectionTrait,
    scope: &Scope,
    filter: &LeaderboardFilter,
    page: u64,
    per_page: u64,
    sort_up_to: u64,
) -> Result<Page<LeaderboardEntryOut>, ApiError> {
    // Conditions on `volunteers` beyond "not deregistered"; none for the platform-wide board.
    let mut narrowing = Condition::all();
    if let Some(c) = scope_condition(scope) {
        narrowing = narrowing.add(c);
    }
    if let Some(org) = filter.organization_id {
        get_scoped(db, scope, org).await?;
        if let Some(c) = scope_condition(&Scope::Subtree(org)) {
            narrowing = narrowing.add(c);
        }
    }
    if let Some(code) = &filter.region_code {
        narrowing = narrowing.add(region_condition(volunteer::Column::RegionCode, code)?);
    }
    let narrowed = !narrowing.is_empty();
    let people = || {
        Query::select()
            .column(volunteer::Column::Id)
            .from(volunteer::Entity)
            .and_where(volunteer::Column::Status.ne(VolunteerStatus::Deregistered))
            .cond_where(narrowing.clone())
            .to_owned()
    };
    // Counted without ORDER BY: a sorted subquery under COUNT(*) may be sorted for nothing.
    let with_minutes =
        || volunteer_total::Entity::find().filter(volunteer_total::Column::ApprovedMinutes.gt(0));
    let ranked = || {
        with_minutes()
            .order_by_desc(volunteer_total::Column::ApprovedMinutes)
            .order_by_asc(volunteer_total::Column::VolunteerId)
    };
    let total = if narrowed {
        with_minutes()
            .filter(volunteer_total::Column::VolunteerId.in_subquery(people()))
            .count(db)
            .await?
    } else {
        // Everyone with minutes, less the deregistered (few, found by a partial index).
        let deregistered = Query::select()
            .column(volunteer::Column::Id)
            .from(volunteer::Entity)
            .and_where(volunteer::Column::Status.eq(VolunteerStatus::Deregistered))
            .to_owned();
        let everyone = with_minutes().count(db).await?;
        let gone = with_minutes()
            .filter(volunteer_total::Column::VolunteerId.in_subquery(deregistered))
            .count(db)
            .await?;
        everyone.saturating_sub(gone)
    };
    let offset = (page - 1) * per_page;
    let rows = if offset >= total {
        Vec::new()
    } else if narrowed && total <= sort_up_to {
        ranked()
            .filter(volunteer_total::Column::VolunteerId.in_subquery(people()))
            .offset(offset)
            .limit(per_page)
            .all(db)
            .await?
    } else {
        let this_volunteer = people()
            .and_where(
                Expr::col((volunteer::Entity, volunteer::Column::Id)).equals((
                    volunteer_total::Entity,
                    volunteer_total::Column::VolunteerId,
                )),
            )
            .to_owned();
        ranked()
            .filter(Expr::exists(this_volunteer))
            .offset(offset)
            .limit(per_page)
            .all(db)
            .await?
    };
    let ids: Vec<Uuid> = rows.iter().map(|r| r.volunteer_id).collect();
    let mut people: HashMap<Uuid, volunteer::Model> = volunteer::Entity::find()
        .filter(volunteer::Column::Id.is_in(ids.clone()))
        .all(db)
        .await?
        .into_iter()
        .map(|v| (v.id, v))
        .collect();
    let levels: HashMap<Uuid, i32> = volunteer_level::Entity::find()
        .filter(volunteer_level::Column::VolunteerId.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|l| (l.volunteer_id, l.level))
        .collect();
    let items = rows
        .into_iter()
        .zip(offset + 1..)
        .filter_map(|(r, rank)| {
            let v = people.remove(&r.volunteer_id)?;
            Some(LeaderboardEntryOut {
                rank,
                volunteer_id: v.id,
                volunteer_number: v.volunteer_number,
                real_name: v.real_name,
                level: levels.get(&v.id).copied().unwrap_or(0),
                approved_minutes: r.approved_minutes,
                approved_hours: hours_display(r.approved_minutes),
            })
        })
        .collect();
    Ok(Page {
        items,
        page,
        per_page,
        total,
    })
}

// ---------------------------------------------------------------------------
// Certification (星级认定) where a rule set requires it
// ---------------------------------------------------------------------------

const CERTIFICATION: &str = "level_certification";

fn clean_reason(reason: &str) -> Result<String, ApiError> {
    let r = reason.trim();
    if r.is_empty() || r.chars().count() > 500 {
        return Err(ApiError::field(
            "reason",
            "reason_length",
            "the reason has 1 to 500 characters",
        ));
    }
    Ok(r.to_owned())
}

/// Applies for certification of `level` (the volunteer themself or admins in scope): the rule
/// set in force today must require certification for the level, and every other condition of
/// the level must hold.
///
/// # Errors
/// 404 volunteer missing or outside scope; 422 `level_unknown`, `no_certification_needed`,
/// `not_eligible`; 409 `already_certified`, `certification_open`; database errors.
pub async fn apply_certification<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    tz: Tz,
    user: &AuthUser,
    actor: &Actor,
    volunteer_id: Uuid,
    level: i32,
) -> Result<level_certification::Model, ApiError> {
    let v = get_visible(db, user, volunteer_id).await?;
    let txn = db.begin().await?;
    // Serialises applications of one volunteer (row lock on PostgreSQL; SQLite serialises
    // writes).
    volunteer_total::Entity::find_by_id(volunteer_id)
        .lock_exclusive()
        .one(&txn)
        .await?;
    let minutes = volunteer_total::Entity::find_by_id(volunteer_id)
        .one(&txn)
        .await?
        .map_or(0, |t| t.approved_minutes);
    let set = in_force(
        &txn,
        v.registration_organization_id,
        local_date(tz, Utc::now()),
    )
    .await?;
    let rules = decode(&set)?;
    let facts = facts(&txn, &rules, volunteer_id).await?;
    match rules::certifiable(minutes, &rules, &facts, level) {
        Ok(()) => {}
        Err("already_certified") => {
            return Err(ApiError::Conflict {
                code: "already_certified",
                detail: "this level is already certified".into(),
            });
        }
        Err(code) => {
            return Err(ApiError::Rule {
                code,
                detail: format!("level {level} cannot be applied for under the rule set in force"),
            });
        }
    }
    let open = level_certification::Entity::find()
        .filter(level_certification::Column::VolunteerId.eq(volunteer_id))
        .filter(level_certification::Column::Level.eq(level))
        .filter(
            level_certification::Column::Status
                .is_in([CertificationStatus::Applied, CertificationStatus::InNotice]),
        )
        .count(&txn)
        .await?;
    if open > 0 {
        return Err(ApiError::Conflict {
            code: "certification_open",
            detail: "an application for this level is already under way".into(),
        });
    }
    let now = Utc::now();
    let model = level_certification::Model {
        id: Uuid::now_v7(),
        volunteer_id,
        level,
        rule_set_id: set.id,
        status: CertificationStatus::Applied,
        reviewed_by: None,
        notice_starts_on: None,
        notice_ends_on: None,
        decision_reason: None,
        granted_at: None,
        created_at: now,
        updated_at: now,
    };
    level_certification::Entity::insert(level_certification::ActiveModel::from(model.clone()))
        .exec_without_returning(&txn)
        .await?;
    audit::record(
        &txn,
        actor,
        Entry {
            action: "create",
            entity_type: CERTIFICATION,
            entity_id: model.id,
            fields: vec!["volunteer_id".into(), "level".into(), "status".into()],
            reason: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

/// The certification if its volunteer is visible to `user` (themself or admins in scope).
///
/// # Errors
/// 404 `not_found`; database errors.
pub async fn get_certification(
    db: &impl ConnectionTrait,
    user: &AuthUser,
    id: Uuid,
) -> Result<level_certification::Model, ApiError> {
    let c = level_certification::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("certification"))?;
    get_visible(db, user, c.volunteer_id)
        .await
        .map_err(|_| ApiError::NotFound("certification"))?;
    Ok(c)
}

/// A decision on a certification by an admin in scope.
#[derive(Debug, Clone)]
pub enum Decision {
    /// Approve after review: the public notice starts today.
    Approve,
    /// Refuse after review.
    Reject(String),
    /// An objection received during the notice stops it.
    Object(String),
    /// The notice passed without objection: grant the level.
    Grant,
}

/// Applies a decision (admins whose scope covers the volunteer). Transitions are conditional
/// updates on the expected status, so two admins deciding at once cannot both succeed.
///
/// Public notice (公示): from the approval day through the [`rules::NOTICE_WORKING_DAYS`]-th
/// working day after it (platform time zone, weekends, holidays and make-up working days per the
/// working-day calendar). Objections are taken until its last day; the grant comes after it and
/// recomputes the stored level in the same transaction.
///
/// # Errors
/// 404 missing or outside scope; 422 `reason_length`; 409 `certification_state`,
/// `notice_over` (objection after the notice), `notice_running` (grant before its end);
/// database errors.
pub async fn decide<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    tz: Tz,
    scope: &Scope,
    actor: &Actor,
    id: Uuid,
    decision: Decision,
) -> Result<level_certification::Model, ApiError> {
    let current = level_certification::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("certification"))?;
    crate::volunteers::service::find_in_scope(db, scope, current.volunteer_id)
        .await
        .map_err(|_| ApiError::NotFound("certification"))?;
    let today = local_date(tz, Utc::now());
    let now = Utc::now();
    let mut next = current.clone();
    next.updated_at = now;
    let (from, action, fields): (CertificationStatus, &str, &[&str]) = match &decision {
        Decision::Approve => {
            let (holidays, workdays) =
                crate::records::service::calendar(db, today, today + chrono::Duration::days(90))
                    .await?;
            next.status = CertificationStatus::InNotice;
            next.reviewed_by = actor.account_id;
            next.notice_starts_on = Some(today);
            next.notice_ends_on = Some(crate::records::rules::add_working_days(
                today,
                rules::NOTICE_WORKING_DAYS,
                &holidays,
                &workdays,
            ));
            (
                CertificationStatus::Applied,
                "approve",
                &[
                    "status",
                    "reviewed_by",
                    "notice_starts_on",
                    "notice_ends_on",
                ],
            )
        }
        Decision::Reject(reason) => {
            next.status = CertificationStatus::Rejected;
            next.reviewed_by = actor.account_id;
            next.decision_reason = Some(clean_reason(reason)?);
            (
                CertificationStatus::Applied,
                "reject",
                &["status", "reviewed_by", "decision_reason"],
            )
        }
        Decision::Object(reason) => {
            if current.status == CertificationStatus::InNotice
                && current.notice_ends_on.is_some_and(|end| today > end)
            {
                return Err(ApiError::Conflict {
                    code: "notice_over",
                    detail: "the public notice has ended; objections are no longer taken".into(),
                });
            }
            next.status = CertificationStatus::Stopped;
            next.decision_reason = Some(clean_reason(reason)?);
            (
                CertificationStatus::InNotice,
                "object",
                &["status", "decision_reason"],
            )
        }
        Decision::Grant => {
            if current.status == CertificationStatus::InNotice
                && current.notice_ends_on.is_none_or(|end| today <= end)
            {
                return Err(ApiError::Conflict {
                    code: "notice_running",
                    detail: "the public notice has not ended yet".into(),
                });
            }
            next.status = CertificationStatus::Granted;
            next.granted_at = Some(now);
            (
                CertificationStatus::InNotice,
                "grant",
                &["status", "granted_at"],
            )
        }
    };
    let txn = db.begin().await?;
    let mut update = level_certification::ActiveModel::from(next.clone()).reset_all();
    update.id = sea_orm::ActiveValue::NotSet;
    let done = level_certification::Entity::update_many()
        .set(update)
        .filter(level_certification::Column::Id.eq(id))
        .filter(level_certification::Column::Status.eq(from))
        .exec(&txn)
        .await?;
    if done.rows_affected != 1 {
        return Err(ApiError::Conflict {
            code: "certification_state",
            detail: "the certification is not in the status this decision needs".into(),
        });
    }
    audit::record(
        &txn,
        actor,
        Entry {
            action,
            entity_type: CERTIFICATION,
            entity_id: id,
            fields: fields.iter().map(|f| (*f).to_owned()).collect(),
            reason: next.decision_reason.clone(),
        },
    )
    .await?;
    if matches!(decision, Decision::Grant) {
        volunteer_total::Entity::find_by_id(next.volunteer_id)
            .lock_exclusive()
            .one(&txn)
            .await?;
        recompute(&txn, tz, next.volunteer_id, actor).await?;
    }
    txn.commit().await?;
    Ok(next)
}
