//! Award campaigns (评选表彰): a campaign of an organization (platform admins, or admins of the
//! organization's subtree root above it) moves draft → nominating → reviewing → notice →
//! closed; each step is a conditional update on the expected status.
//!
//! - **Nominations**: admins nominate volunteers linked (registered or member) to the
//!   nominating organization's subtree; the nominating organization lies in the campaign
//!   organization's subtree and in the caller's scope. One nomination per volunteer and
//!   campaign (409 `already_nominated`). Eligibility (422, the first failing criterion as the
//!   code, all of them in the detail): `sanctioned` (a sanction active today), `voided_records`
//!   (a voided record of a service that started within the period), `insufficient_hours`
//!   (approved minutes of services starting within `[period_from, period_to]`, platform time
//!   zone, counted from the ledger, below the minimum; exactly the minimum passes),
//!   `star_level_too_low` (the stored current level), `training_missing` (a required course
//!   without a passed training record).
//! - **Review**: the owner assigns reviewer accounts; a reviewer affiliated with a nominating
//!   organization or its subtree is refused (422 `conflict_of_interest`), at assignment and at
//!   scoring. Each reviewer scores each nomination 0–100 (integer) while the campaign is in
//!   review.
//! - **Ranking** (on publishing the notice): exact mean score, descending (compared by
//!   cross-multiplication, no floats); ties by approved minutes in the period, descending;
//!   then by nomination time, earlier first; then by id. The first `quota` are shortlisted.
//!   Publishing needs every assigned reviewer's score on every nomination they have no
//!   conflict with (409 `scores_incomplete`) and at least one score per nomination.
//! - **Public notice** (公示): from the publishing day through the `notice_working_days`-th
//!   working day after it (platform time zone, working-day calendar of `calendar_days`, as for
//!   star-level certification); the public endpoint shows masked names. Objections are recorded
//!   by the owner's admins through the last day; an open objection holds that nominee's award.
//! - **Closing** (after the notice): every shortlisted nominee without an open objection is
//!   awarded (an award record on the volunteer). An upheld objection disqualifies the nominee;
//!   a dismissed one after closing grants the held award then. Places freed by a
//!   disqualification are not refilled.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use entity::awards::{
    CampaignStatus, NominationStatus, ObjectionStatus, award_campaign, award_nomination,
    award_objection, award_reviewer, award_score, volunteer_award,
};
use entity::enums::{AccountStatus, Role, ServiceRecordStatus};
use entity::{
    account, course, organization, organization_closure as closure, service_record,
    training_record, volunteer,
};
use sea_orm::sea_query::{Expr, ExprTrait as _, Query};
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, Condition, ConnectionTrait,
    EntityTrait as _, Order, PaginatorTrait as _, QueryFilter as _, QueryOrder as _,
    QuerySelect as _, SqlErr, TransactionSession as _, TransactionTrait,
};
use uuid::Uuid;

use super::dto::{
    CampaignFilter, CampaignIn, CampaignOut, CampaignPatch, CriteriaDto, EligibilityOut,
    NominationIn, NominationOut, NoticeEntryOut, NoticeOut, Outcome, ReviewerOut,
};
use super::rules::{self, Criteria, NomineeFacts, Ranked};
use super::service::{is_sanctioned, stored_level, text, text_or_422};
use crate::audit::{self, Actor, Entry};
use crate::auth::{AuthUser, Scope};
use crate::error::{ApiError, FieldIssue};
use crate::organizations::service::{get_scoped, in_scope, is_in_subtree, subtree_ids};
use crate::pagination::{self, Page};
use crate::records::certificates::mask_name;
use crate::records::service::{calendar, date_range};
use crate::volunteers::service::find_in_scope;

const CAMPAIGN: &str = "award_campaign";
const NOMINATION: &str = "award_nomination";
const OBJECTION: &str = "award_objection";

fn fields(names: &[&str]) -> Vec<String> {
    names.iter().map(|f| (*f).to_owned()).collect()
}

fn state_conflict(detail: &str) -> ApiError {
    ApiError::Conflict {
        code: "campaign_state",
        detail: detail.into(),
    }
}

/// The response shape of a campaign.
pub fn campaign_out(m: award_campaign::Model) -> CampaignOut {
    let required: Vec<Uuid> = serde_json::from_str(&m.required_course_ids).unwrap_or_default();
    CampaignOut {
        id: m.id,
        organization_id: m.organization_id,
        name: m.name,
        year: m.year,
        level: m.level,
        quota: m.quota,
        nomination_opens_at: m.nomination_opens_at,
        nomination_closes_at: m.nomination_closes_at,
        criteria: CriteriaDto {
            min_minutes: m.min_minutes,
            period_from: m.period_from,
            period_to: m.period_to,
            min_star_level: m.min_star_level,
            required_course_ids: required,
        },
        notice_working_days: m.notice_working_days,
        notice_starts_on: m.notice_starts_on,
        notice_ends_on: m.notice_ends_on,
        status: m.status,
        version: m.version,
        created_at: m.created_at,
    }
}

fn criteria_of(m: &award_campaign::Model) -> Criteria {
    Criteria {
        min_minutes: m.min_minutes,
        min_star_level: m.min_star_level,
        required_courses: serde_json::from_str(&m.required_course_ids).unwrap_or_default(),
    }
}

async fn check_criteria(
    db: &impl ConnectionTrait,
    c: &CriteriaDto,
    issues: &mut Vec<FieldIssue>,
) -> Result<(), ApiError> {
    if !(0..=6_000_000).contains(&c.min_minutes) {
        issues.push(FieldIssue::new(
            "criteria.min_minutes",
            "minutes_range",
            "min_minutes is 0 to 6000000",
        ));
    }
    if c.period_to < c.period_from {
        issues.push(FieldIssue::new(
            "criteria.period_to",
            "period_invalid",
            "period_to is on or after period_from",
        ));
    }
    if !(0..=5).contains(&c.min_star_level) {
        issues.push(FieldIssue::new(
            "criteria.min_star_level",
            "star_level_range",
            "min_star_level is 0 to 5",
        ));
    }
    if c.required_course_ids.len() > 20 {
        issues.push(FieldIssue::new(
            "criteria.required_course_ids",
            "too_many_courses",
            "at most 20 courses",
        ));
    } else {
        for (i, id) in c.required_course_ids.iter().enumerate() {
            if course::Entity::find_by_id(*id).one(db).await?.is_none() {
                issues.push(FieldIssue::new(
                    format!("criteria.required_course_ids[{i}]"),
                    "course_not_found",
                    "no such course",
                ));
            }
        }
    }
    Ok(())
}

fn check_window(opens: DateTime<Utc>, closes: DateTime<Utc>, issues: &mut Vec<FieldIssue>) {
    if closes <= opens {
        issues.push(FieldIssue::new(
            "nomination_closes_at",
            "window_invalid",
            "nominations close after they open",
        ));
    }
}

fn check_quota(quota: i32, issues: &mut Vec<FieldIssue>) {
    if !(1..=10_000).contains(&quota) {
        issues.push(FieldIssue::new(
            "quota",
            "quota_range",
            "quota is 1 to 10000",
        ));
    }
}

fn check_notice_days(days: i32, issues: &mut Vec<FieldIssue>) {
    if !(1..=30).contains(&days) {
        issues.push(FieldIssue::new(
            "notice_working_days",
            "notice_days_range",
            "notice_working_days is 1 to 30",
        ));
    }
}

/// Creates a draft campaign of an organization in the caller's scope. Audit action `create`.
///
/// # Errors
/// 404 organization missing or outside scope; 422 validation (`text_length`, `year_range`,
/// `quota_range`, `window_invalid`, `minutes_range`, `period_invalid`, `star_level_range`,
/// `too_many_courses`, `course_not_found`, `notice_days_range`); database errors.
pub async fn create<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    scope: &Scope,
    actor: &Actor,
    input: CampaignIn,
) -> Result<award_campaign::Model, ApiError> {
    let mut issues = Vec::new();
    let name = text("name", &input.name, 1, 200).unwrap_or_else(|i| {
        issues.push(i);
        String::new()
    });
    if !(2000..=2100).contains(&input.year) {
        issues.push(FieldIssue::new(
            "year",
            "year_range",
            "year is 2000 to 2100",
        ));
    }
    check_quota(input.quota, &mut issues);
    check_window(
        input.nomination_opens_at,
        input.nomination_closes_at,
        &mut issues,
    );
    check_criteria(db, &input.criteria, &mut issues).await?;
    let notice_days = input
        .notice_working_days
        .unwrap_or(rules::DEFAULT_NOTICE_WORKING_DAYS);
    check_notice_days(notice_days, &mut issues);
    if !issues.is_empty() {
        return Err(ApiError::Validation(issues));
    }
    let org = get_scoped(db, scope, input.organization_id).await?;
    let now = Utc::now();
    let model = award_campaign::Model {
        id: Uuid::now_v7(),
        organization_id: org.id,
        name,
        year: input.year,
        level: input.level,
        quota: input.quota,
        nomination_opens_at: input.nomination_opens_at,
        nomination_closes_at: input.nomination_closes_at,
        min_minutes: input.criteria.min_minutes,
        period_from: input.criteria.period_from,
        period_to: input.criteria.period_to,
        min_star_level: input.criteria.min_star_level,
        required_course_ids: serde_json::to_string(&input.criteria.required_course_ids)
            .map_err(ApiError::internal)?,
        notice_working_days: notice_days,
        notice_starts_on: None,
        notice_ends_on: None,
        status: CampaignStatus::Draft,
        version: 1,
        created_by: actor.account_id,
        created_at: now,
        updated_at: now,
    };
    let txn = db.begin().await?;
    award_campaign::Entity::insert(award_campaign::ActiveModel::from(model.clone()))
        .exec_without_returning(&txn)
        .await?;
    audit::record(
        &txn,
        actor,
        Entry {
            action: "create",
            entity_type: CAMPAIGN,
            entity_id: model.id,
            fields: fields(&[
                "organization_id",
                "name",
                "year",
                "level",
                "quota",
                "nomination_opens_at",
                "nomination_closes_at",
                "criteria",
                "notice_working_days",
            ]),
            reason: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

/// Condition of campaigns visible to an admin: platform admins see all; organization admins
/// see those of their subtree (which they run) and those of the organizations above them
/// (which they nominate to).
fn visible(scope: &Scope) -> Option<Condition> {
    match scope {
        Scope::All => None,
        Scope::Subtree(root) => Some(
            Condition::any()
                .add(award_campaign::Column::OrganizationId.in_subquery(subtree_ids(*root)))
                .add(
                    award_campaign::Column::OrganizationId.in_subquery(
                        Query::select()
                            .column(closure::Column::AncestorId)
                            .from(closure::Entity)
                            .and_where(closure::Column::DescendantId.eq(*root))
                            .to_owned(),
                    ),
                ),
        ),
        Scope::Nothing => Some(Condition::all().add(Expr::value(false))),
    }
}

/// Condition of campaigns visible to a caller: reviewers see the campaigns they are assigned
/// to; admins as in [`visible`].
fn visible_to(user: &AuthUser) -> Option<Condition> {
    if user.role == Role::Reviewer {
        return Some(
            Condition::all().add(
                award_campaign::Column::Id.in_subquery(
                    Query::select()
                        .column(award_reviewer::Column::CampaignId)
                        .from(award_reviewer::Entity)
                        .and_where(award_reviewer::Column::AccountId.eq(user.account_id))
                        .to_owned(),
                ),
            ),
        );
    }
    visible(&user.scope())
}

/// A campaign visible to the caller (see [`visible_to`]).
///
/// # Errors
/// 404 missing or not visible; database errors.
pub async fn get_for(
    db: &impl ConnectionTrait,
    user: &AuthUser,
    id: Uuid,
) -> Result<award_campaign::Model, ApiError> {
    let mut q = award_campaign::Entity::find_by_id(id);
    if let Some(c) = visible_to(user) {
        q = q.filter(c);
    }
    q.one(db).await?.ok_or(ApiError::NotFound("campaign"))
}

/// A campaign visible to the admin (see [`visible`]).
///
/// # Errors
/// 404 missing or not visible; database errors.
pub async fn get(
    db: &impl ConnectionTrait,
    scope: &Scope,
    id: Uuid,
) -> Result<award_campaign::Model, ApiError> {
    let mut q = award_campaign::Entity::find_by_id(id);
    if let Some(c) = visible(scope) {
        q = q.filter(c);
    }
    q.one(db).await?.ok_or(ApiError::NotFound("campaign"))
}

/// A campaign the admin runs: its organization is in the caller's scope.
///
/// # Errors
/// 404 missing or outside scope; database errors.
pub async fn get_owned(
    db: &impl ConnectionTrait,
    scope: &Scope,
    id: Uuid,
) -> Result<award_campaign::Model, ApiError> {
    let c = award_campaign::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("campaign"))?;
    if !in_scope(db, scope, c.organization_id).await? {
        return Err(ApiError::NotFound("campaign"));
    }
    Ok(c)
}

/// Campaigns visible to the caller (see [`visible_to`]), newest first.
///
/// # Errors
/// Database errors.
pub async fn list(
    db: &impl ConnectionTrait,
    user: &AuthUser,
    filter: &CampaignFilter,
    page: u64,
    per_page: u64,
) -> Result<Page<award_campaign::Model>, ApiError> {
    let mut q = award_campaign::Entity::find();
    if let Some(c) = visible_to(user) {
        q = q.filter(c);
    }
    if let Some(y) = filter.year {
        q = q.filter(award_campaign::Column::Year.eq(y));
    }
    if let Some(s) = filter.status {
        q = q.filter(award_campaign::Column::Status.eq(s));
    }
    let q = q
        .order_by_desc(award_campaign::Column::CreatedAt)
        .order_by_desc(award_campaign::Column::Id);
    pagination::fetch(q, db, page, per_page).await
}

/// Changes a draft campaign the admin runs; `version` must match. Audit action `update`.
///
/// # Errors
/// 404; 412 `version_mismatch`; 409 `campaign_state` (not a draft); 422 validation; database
/// errors.
pub async fn update<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    scope: &Scope,
    actor: &Actor,
    id: Uuid,
    patch: CampaignPatch,
) -> Result<award_campaign::Model, ApiError> {
    let current = get_owned(db, scope, id).await?;
    if current.version != patch.version {
        return Err(ApiError::VersionMismatch {
            current: current.version,
        });
    }
    if current.status != CampaignStatus::Draft {
        return Err(state_conflict("only a draft campaign can be changed"));
    }
    let mut next = current.clone();
    let mut issues = Vec::new();
    let mut changed = Vec::new();
    if let Some(n) = &patch.name {
        match text("name", n, 1, 200) {
            Ok(n) => next.name = n,
            Err(i) => issues.push(i),
        }
        changed.push("name");
    }
    if let Some(q) = patch.quota {
        check_quota(q, &mut issues);
        next.quota = q;
        changed.push("quota");
    }
    if let Some(t) = patch.nomination_opens_at {
        next.nomination_opens_at = t;
        changed.push("nomination_opens_at");
    }
    if let Some(t) = patch.nomination_closes_at {
        next.nomination_closes_at = t;
        changed.push("nomination_closes_at");
    }
    check_window(
        next.nomination_opens_at,
        next.nomination_closes_at,
        &mut issues,
    );
    if let Some(c) = &patch.criteria {
        check_criteria(db, c, &mut issues).await?;
        next.min_minutes = c.min_minutes;
        next.period_from = c.period_from;
        next.period_to = c.period_to;
        next.min_star_level = c.min_star_level;
        next.required_course_ids =
            serde_json::to_string(&c.required_course_ids).map_err(ApiError::internal)?;
        changed.push("criteria");
    }
    if let Some(d) = patch.notice_working_days {
        check_notice_days(d, &mut issues);
        next.notice_working_days = d;
        changed.push("notice_working_days");
    }
    if !issues.is_empty() {
        return Err(ApiError::Validation(issues));
    }
    next.version = current.version + 1;
    next.updated_at = Utc::now();
    let txn = db.begin().await?;
    let mut am = award_campaign::ActiveModel::from(next.clone()).reset_all();
    am.id = sea_orm::ActiveValue::NotSet;
    let done = award_campaign::Entity::update_many()
        .set(am)
        .filter(award_campaign::Column::Id.eq(id))
        .filter(award_campaign::Column::Version.eq(current.version))
        .filter(award_campaign::Column::Status.eq(CampaignStatus::Draft))
        .exec(&txn)
        .await?;
    if done.rows_affected != 1 {
        return Err(ApiError::VersionMismatch {
            current: current.version + 1,
        });
    }
    audit::record(
        &txn,
        actor,
        Entry {
            action: "update",
            entity_type: CAMPAIGN,
            entity_id: id,
            fields: fields(&changed),
            reason: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(next)
}

/// Moves the campaign from `from` to `to` with a conditional update, bumping the version.
async fn move_status(
    txn: &impl ConnectionTrait,
    c: &award_campaign::Model,
    from: CampaignStatus,
    to: CampaignStatus,
    notice: Option<(NaiveDate, NaiveDate)>,
) -> Result<award_campaign::Model, ApiError> {
    let now = Utc::now();
    let mut am = award_campaign::ActiveModel {
        status: Set(to),
        version: Set(c.version + 1),
        updated_at: Set(now),
        ..Default::default()
    };
    if let Some((s, e)) = notice {
        am.notice_starts_on = Set(Some(s));
        am.notice_ends_on = Set(Some(e));
    }
    let done = award_campaign::Entity::update_many()
        .set(am)
        .filter(award_campaign::Column::Id.eq(c.id))
        .filter(award_campaign::Column::Status.eq(from))
        .exec(txn)
        .await?;
    if done.rows_affected != 1 {
        return Err(state_conflict(&format!(
            "the campaign is not in status {}",
            status_name(from)
        )));
    }
    let mut next = c.clone();
    next.status = to;
    next.version = c.version + 1;
    next.updated_at = now;
    if let Some((s, e)) = notice {
        next.notice_starts_on = Some(s);
        next.notice_ends_on = Some(e);
    }
    Ok(next)
}

fn status_name(s: CampaignStatus) -> &'static str {
    match s {
        CampaignStatus::Draft => "draft",
        CampaignStatus::Nominating => "nominating",
        CampaignStatus::Reviewing => "reviewing",
        CampaignStatus::Notice => "notice",
        CampaignStatus::Closed => "closed",
    }
}

/// A step of the campaign lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// draft → nominating.
    OpenNominations,
    /// nominating → reviewing.
    StartReview,
    /// reviewing → notice: rank, shortlist, start the public notice.
    PublishNotice,
}

/// Applies a lifecycle step to a campaign the admin runs. Audit action `open_nominations`,
/// `start_review` or `publish_notice`.
///
/// # Errors
/// 404; 409 `campaign_state`, `scores_incomplete`; database errors.
pub async fn step<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    scope: &Scope,
    actor: &Actor,
    today: NaiveDate,
    id: Uuid,
    step: Step,
) -> Result<award_campaign::Model, ApiError> {
    let c = get_owned(db, scope, id).await?;
    let (from, to, action) = match step {
        Step::OpenNominations => (
            CampaignStatus::Draft,
            CampaignStatus::Nominating,
            "open_nominations",
        ),
        Step::StartReview => (
            CampaignStatus::Nominating,
            CampaignStatus::Reviewing,
            "start_review",
        ),
        Step::PublishNotice => (
            CampaignStatus::Reviewing,
            CampaignStatus::Notice,
            "publish_notice",
        ),
    };
    if c.status != from {
        return Err(state_conflict(&format!(
            "the campaign is not in status {}",
            status_name(from)
        )));
    }
    let notice = if step == Step::PublishNotice {
        let (holidays, workdays) = calendar(db, today, today + chrono::Duration::days(120)).await?;
        let days = u32::try_from(c.notice_working_days).unwrap_or(5);
        Some((today, rules::notice_end(today, days, &holidays, &workdays)))
    } else {
        None
    };
    let txn = db.begin().await?;
    let next = move_status(&txn, &c, from, to, notice).await?;
    if step == Step::PublishNotice {
        shortlist(&txn, &c).await?;
    }
    audit::record(
        &txn,
        actor,
        Entry {
            action,
            entity_type: CAMPAIGN,
            entity_id: id,
            fields: if notice.is_some() {
                fields(&["status", "notice_starts_on", "notice_ends_on"])
            } else {
                fields(&["status"])
            },
            reason: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(next)
}

/// The organizations a reviewer affiliated with `account_org` may not review nominations of:
/// the affiliation and its ancestors (a nomination of organization X conflicts when the
/// affiliation is X or in X's subtree, i.e. X is an ancestor-or-self of the affiliation). Empty
/// without an affiliation. One query per reviewer.
async fn conflicting_orgs(
    db: &impl ConnectionTrait,
    account_org: Option<Uuid>,
) -> Result<BTreeSet<Uuid>, ApiError> {
    let Some(org) = account_org else {
        return Ok(BTreeSet::new());
    };
    Ok(closure::Entity::find()
        .filter(closure::Column::DescendantId.eq(org))
        .all(db)
        .await?
        .into_iter()
        .map(|c| c.ancestor_id)
        .collect())
}

/// Ranks the campaign's nominations and marks the first `quota` shortlisted, the rest not
/// selected (see the module docs).
async fn shortlist(txn: &impl ConnectionTrait, c: &award_campaign::Model) -> Result<(), ApiError> {
    let nominations = award_nomination::Entity::find()
        .filter(award_nomination::Column::CampaignId.eq(c.id))
        .all(txn)
        .await?;
    let reviewers: Vec<account::Model> = account::Entity::find()
        .filter(
            account::Column::Id.in_subquery(
                Query::select()
                    .column(award_reviewer::Column::AccountId)
                    .from(award_reviewer::Entity)
                    .and_where(award_reviewer::Column::CampaignId.eq(c.id))
                    .to_owned(),
            ),
        )
        .all(txn)
        .await?;
    let ids: Vec<Uuid> = nominations.iter().map(|n| n.id).collect();
    let mut scores: HashMap<Uuid, Vec<award_score::Model>> = HashMap::new();
    if !ids.is_empty() {
        for s in award_score::Entity::find()
            .filter(award_score::Column::NominationId.is_in(ids))
            .all(txn)
            .await?
        {
            scores.entry(s.nomination_id).or_default().push(s);
        }
    }
    let mut conflicts = HashMap::new();
    for r in &reviewers {
        conflicts.insert(r.id, conflicting_orgs(txn, r.organization_id).await?);
    }
    let mut ranked = Vec::with_capacity(nominations.len());
    for n in &nominations {
        let given = scores.get(&n.id).map_or(&[][..], Vec::as_slice);
        for r in &reviewers {
            if !given.iter().any(|s| s.reviewer_id == r.id)
                && !conflicts
                    .get(&r.id)
                    .is_some_and(|c| c.contains(&n.organization_id))
            {
                return Err(ApiError::Conflict {
                    code: "scores_incomplete",
                    detail: "every assigned reviewer must score every nomination they have no conflict of interest with".into(),
                });
            }
        }
        if given.is_empty() {
            return Err(ApiError::Conflict {
                code: "scores_incomplete",
                detail: "every nomination needs at least one score".into(),
            });
        }
        ranked.push(Ranked {
            id: n.id,
            score_sum: given.iter().map(|s| i64::from(s.score)).sum(),
            score_count: i64::try_from(given.len()).unwrap_or(i64::MAX),
            approved_minutes: n.approved_minutes,
            nominated_at: n.created_at,
        });
    }
    let quota = usize::try_from(c.quota).unwrap_or(0);
    let now = Utc::now();
    for (i, r) in rules::rank(ranked).into_iter().enumerate() {
        award_nomination::Entity::update_many()
            .set(award_nomination::ActiveModel {
                rank: Set(Some(i32::try_from(i + 1).unwrap_or(i32::MAX))),
                status: Set(if i < quota {
                    NominationStatus::Shortlisted
                } else {
                    NominationStatus::NotSelected
                }),
                updated_at: Set(now),
                ..Default::default()
            })
            .filter(award_nomination::Column::Id.eq(r.id))
            .exec(txn)
            .await?;
    }
    Ok(())
}

/// Grants the award of a shortlisted nomination: status `awarded` and a `volunteer_awards`
/// row, in the caller's transaction. Audit action `award`.
async fn grant(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    c: &award_campaign::Model,
    n: &award_nomination::Model,
) -> Result<(), ApiError> {
    let now = Utc::now();
    let done = award_nomination::Entity::update_many()
        .set(award_nomination::ActiveModel {
            status: Set(NominationStatus::Awarded),
            updated_at: Set(now),
            ..Default::default()
        })
        .filter(award_nomination::Column::Id.eq(n.id))
        .filter(award_nomination::Column::Status.eq(NominationStatus::Shortlisted))
        .exec(txn)
        .await?;
    if done.rows_affected != 1 {
        return Ok(());
    }
    let award = volunteer_award::Model {
        id: Uuid::now_v7(),
        volunteer_id: n.volunteer_id,
        campaign_id: c.id,
        nomination_id: n.id,
        title: c.name.clone(),
        year: c.year,
        level: c.level,
        organization_id: c.organization_id,
        granted_at: now,
    };
    volunteer_award::Entity::insert(volunteer_award::ActiveModel::from(award.clone()))
        .exec_without_returning(txn)
        .await?;
    audit::record(
        txn,
        actor,
        Entry {
            action: "award",
            entity_type: "volunteer",
            entity_id: n.volunteer_id,
            fields: fields(&["awards"]),
            reason: Some(format!("campaign {} nomination {}", c.id, n.id)),
        },
    )
    .await?;
    Ok(())
}

/// Open objections per nomination of a campaign.
async fn open_objections(
    db: &impl ConnectionTrait,
    nominations: Vec<Uuid>,
) -> Result<BTreeSet<Uuid>, ApiError> {
    if nominations.is_empty() {
        return Ok(BTreeSet::new());
    }
    Ok(award_objection::Entity::find()
        .filter(award_objection::Column::NominationId.is_in(nominations))
        .filter(award_objection::Column::Status.eq(ObjectionStatus::Open))
        .all(db)
        .await?
        .into_iter()
        .map(|o| o.nomination_id)
        .collect())
}

/// Closes a campaign after its notice: awards every shortlisted nominee without an open
/// objection; returns the closed campaign and the numbers awarded and held. Audit `close`.
///
/// # Errors
/// 404; 409 `campaign_state`, `notice_running` (on or before the notice's last day); database
/// errors.
pub async fn close<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    scope: &Scope,
    actor: &Actor,
    today: NaiveDate,
    id: Uuid,
) -> Result<(award_campaign::Model, u64, u64), ApiError> {
    let c = get_owned(db, scope, id).await?;
    if c.status != CampaignStatus::Notice {
        return Err(state_conflict("the campaign is not in status notice"));
    }
    if c.notice_ends_on.is_none_or(|end| today <= end) {
        return Err(ApiError::Conflict {
            code: "notice_running",
            detail: "the public notice has not ended yet".into(),
        });
    }
    let txn = db.begin().await?;
    let next = move_status(
        &txn,
        &c,
        CampaignStatus::Notice,
        CampaignStatus::Closed,
        None,
    )
    .await?;
    let shortlisted = award_nomination::Entity::find()
        .filter(award_nomination::Column::CampaignId.eq(id))
        .filter(award_nomination::Column::Status.eq(NominationStatus::Shortlisted))
        .all(&txn)
        .await?;
    let held = open_objections(&txn, shortlisted.iter().map(|n| n.id).collect()).await?;
    let mut awarded = 0;
    for n in &shortlisted {
        if !held.contains(&n.id) {
            grant(&txn, actor, &next, n).await?;
            awarded += 1;
        }
    }
    audit::record(
        &txn,
        actor,
        Entry {
            action: "close",
            entity_type: CAMPAIGN,
            entity_id: id,
            fields: fields(&["status"]),
            reason: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok((next, awarded, held.len() as u64))
}

// ---------------------------------------------------------------------------
// Reviewers
// ---------------------------------------------------------------------------

/// Assigns a reviewer account to a campaign the admin runs, before the notice. Audit action
/// `assign_reviewer`.
///
/// # Errors
/// 404 campaign; 409 `campaign_state`, `already_assigned`; 422 `not_a_reviewer` (no active
/// account with role reviewer), `conflict_of_interest` (affiliated with a nominating
/// organization or its subtree); database errors.
pub async fn assign_reviewer<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    scope: &Scope,
    actor: &Actor,
    campaign_id: Uuid,
    account_id: Uuid,
) -> Result<ReviewerOut, ApiError> {
    let c = get_owned(db, scope, campaign_id).await?;
    if matches!(c.status, CampaignStatus::Notice | CampaignStatus::Closed) {
        return Err(state_conflict(
            "reviewers are assigned before the public notice",
        ));
    }
    let a = account::Entity::find_by_id(account_id)
        .one(db)
        .await?
        .filter(|a| a.role == Role::Reviewer && a.status == AccountStatus::Active)
        .ok_or_else(|| {
            ApiError::field(
                "account_id",
                "not_a_reviewer",
                "no active account with role reviewer",
            )
        })?;
    let conflicts = conflicting_orgs(db, a.organization_id).await?;
    if !conflicts.is_empty()
        && award_nomination::Entity::find()
            .filter(award_nomination::Column::CampaignId.eq(campaign_id))
            .filter(award_nomination::Column::OrganizationId.is_in(conflicts))
            .count(db)
            .await?
            > 0
    {
        return Err(conflict_of_interest());
    }
    let txn = db.begin().await?;
    let inserted = award_reviewer::Entity::insert(award_reviewer::ActiveModel {
        campaign_id: Set(campaign_id),
        account_id: Set(account_id),
        created_at: Set(Utc::now()),
    })
    .exec_without_returning(&txn)
    .await;
    if let Err(e) = inserted {
        return Err(match e.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => ApiError::Conflict {
                code: "already_assigned",
                detail: "the reviewer is already assigned to this campaign".into(),
            },
            _ => e.into(),
        });
    }
    audit::record(
        &txn,
        actor,
        Entry {
            action: "assign_reviewer",
            entity_type: CAMPAIGN,
            entity_id: campaign_id,
            fields: fields(&["reviewers"]),
            reason: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(ReviewerOut {
        campaign_id,
        account_id,
        username: a.username,
        organization_id: a.organization_id,
    })
}

fn conflict_of_interest() -> ApiError {
    ApiError::Rule {
        code: "conflict_of_interest",
        detail: "the reviewer is affiliated with a nominating organization or its subtree".into(),
    }
}

/// Reviewers of a campaign the admin runs.
///
/// # Errors
/// 404; database errors.
pub async fn reviewers(
    db: &impl ConnectionTrait,
    scope: &Scope,
    campaign_id: Uuid,
) -> Result<Vec<ReviewerOut>, ApiError> {
    get_owned(db, scope, campaign_id).await?;
    let ids: Vec<Uuid> = award_reviewer::Entity::find()
        .filter(award_reviewer::Column::CampaignId.eq(campaign_id))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.account_id)
        .collect();
    Ok(account::Entity::find()
        .filter(account::Column::Id.is_in(ids))
        .order_by_asc(account::Column::Username)
        .all(db)
        .await?
        .into_iter()
        .map(|a| ReviewerOut {
            campaign_id,
            account_id: a.id,
            username: a.username,
            organization_id: a.organization_id,
        })
        .collect())
}

// ---------------------------------------------------------------------------
// Nominations
// ---------------------------------------------------------------------------

/// The eligibility facts of a volunteer for a campaign on `today`.
///
/// # Errors
/// Database errors.
pub async fn facts(
    db: &impl ConnectionTrait,
    tz: Tz,
    c: &award_campaign::Model,
    volunteer_id: Uuid,
    today: NaiveDate,
) -> Result<NomineeFacts, ApiError> {
    let period = date_range(tz, Some(c.period_from), Some(c.period_to))?;
    let minutes: Vec<i32> = service_record::Entity::find()
        .select_only()
        .column(service_record::Column::Minutes)
        .filter(service_record::Column::VolunteerId.eq(volunteer_id))
        .filter(service_record::Column::Status.eq(ServiceRecordStatus::Approved))
        .filter(period.clone())
        .into_tuple()
        .all(db)
        .await?;
    let voided = service_record::Entity::find()
        .filter(service_record::Column::VolunteerId.eq(volunteer_id))
        .filter(service_record::Column::Status.eq(ServiceRecordStatus::Voided))
        .filter(period)
        .count(db)
        .await?;
    let criteria = criteria_of(c);
    let passed_courses = if criteria.required_courses.is_empty() {
        BTreeSet::new()
    } else {
        training_record::Entity::find()
            .select_only()
            .column(training_record::Column::CourseId)
            .filter(training_record::Column::VolunteerId.eq(volunteer_id))
            .filter(training_record::Column::Passed.eq(true))
            .filter(training_record::Column::CourseId.is_in(criteria.required_courses))
            .into_tuple::<Uuid>()
            .all(db)
            .await?
            .into_iter()
            .collect()
    };
    Ok(NomineeFacts {
        minutes_in_period: minutes.into_iter().map(i64::from).sum(),
        star_level: stored_level(db, volunteer_id).await?,
        passed_courses,
        voided_in_period: voided,
        sanctioned: is_sanctioned(db, volunteer_id, today).await?,
    })
}

/// A volunteer's eligibility for a campaign visible to the admin, the volunteer in the admin's
/// scope (the same check as a nomination, without nominating).
///
/// # Errors
/// 404 campaign or volunteer not visible; database errors.
pub async fn eligibility(
    db: &impl ConnectionTrait,
    tz: Tz,
    scope: &Scope,
    today: NaiveDate,
    campaign_id: Uuid,
    volunteer_id: Uuid,
) -> Result<EligibilityOut, ApiError> {
    let c = get(db, scope, campaign_id).await?;
    find_in_scope(db, scope, volunteer_id).await?;
    let f = facts(db, tz, &c, volunteer_id, today).await?;
    let criteria = criteria_of(&c);
    let failing: Vec<String> = rules::failing_criteria(&criteria, &f)
        .into_iter()
        .map(String::from)
        .collect();
    Ok(EligibilityOut {
        volunteer_id,
        eligible: failing.is_empty(),
        failing,
        minutes_in_period: f.minutes_in_period,
        min_minutes: c.min_minutes,
        star_level: f.star_level,
        voided_in_period: f.voided_in_period,
        sanctioned: f.sanctioned,
        missing_course_ids: criteria
            .required_courses
            .into_iter()
            .filter(|id| !f.passed_courses.contains(id))
            .collect(),
    })
}

/// Nominates a volunteer (see the module docs for who may and the eligibility). Audit
/// action `create`.
///
/// # Errors
/// 404 campaign not visible, organization outside scope or the campaign's subtree, volunteer
/// not linked to the nominating organization's subtree; 409 `nominations_closed`,
/// `already_nominated`; 422 `text_length`, `sanctioned`, `voided_records`,
/// `insufficient_hours`, `star_level_too_low`, `training_missing`; database errors.
#[expect(
    clippy::too_many_arguments,
    reason = "connection, time zone, scope, actor, clock and input are all needed"
)]
pub async fn nominate<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    tz: Tz,
    scope: &Scope,
    actor: &Actor,
    now: DateTime<Utc>,
    today: NaiveDate,
    campaign_id: Uuid,
    input: NominationIn,
) -> Result<award_nomination::Model, ApiError> {
    let statement = text_or_422("statement", &input.statement, 1, 5000)?;
    let c = get(db, scope, campaign_id).await?;
    let org = get_scoped(db, scope, input.organization_id).await?;
    if !is_in_subtree(db, c.organization_id, org.id).await? {
        return Err(ApiError::NotFound("campaign"));
    }
    if c.status != CampaignStatus::Nominating
        || now < c.nomination_opens_at
        || now >= c.nomination_closes_at
    {
        return Err(ApiError::Conflict {
            code: "nominations_closed",
            detail: "the campaign does not take nominations now".into(),
        });
    }
    find_in_scope(db, &Scope::Subtree(org.id), input.volunteer_id).await?;
    let already = || ApiError::Conflict {
        code: "already_nominated",
        detail: "the volunteer is already nominated to this campaign".into(),
    };
    if award_nomination::Entity::find()
        .filter(award_nomination::Column::CampaignId.eq(campaign_id))
        .filter(award_nomination::Column::VolunteerId.eq(input.volunteer_id))
        .one(db)
        .await?
        .is_some()
    {
        return Err(already());
    }
    let f = facts(db, tz, &c, input.volunteer_id, today).await?;
    let failing = rules::failing_criteria(&criteria_of(&c), &f);
    if let Some(first) = failing.first() {
        return Err(ApiError::Rule {
            code: first,
            detail: format!(
                "the volunteer does not meet the campaign criteria: {}",
                failing.join(", ")
            ),
        });
    }
    let model = award_nomination::Model {
        id: Uuid::now_v7(),
        campaign_id,
        volunteer_id: input.volunteer_id,
        organization_id: org.id,
        statement,
        approved_minutes: f.minutes_in_period,
        status: NominationStatus::Nominated,
        rank: None,
        nominated_by: actor.account_id,
        created_at: now,
        updated_at: now,
    };
    let txn = db.begin().await?;
    if let Err(e) =
        award_nomination::Entity::insert(award_nomination::ActiveModel::from(model.clone()))
            .exec_without_returning(&txn)
            .await
    {
        return Err(match e.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => already(),
            _ => e.into(),
        });
    }
    audit::record(
        &txn,
        actor,
        Entry {
            action: "create",
            entity_type: NOMINATION,
            entity_id: model.id,
            fields: fields(&[
                "campaign_id",
                "volunteer_id",
                "organization_id",
                "statement",
            ]),
            reason: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

/// Response shapes of nominations with names, score aggregates and open objections.
async fn nominations_out(
    db: &impl ConnectionTrait,
    items: Vec<award_nomination::Model>,
) -> Result<Vec<NominationOut>, ApiError> {
    let ids: Vec<Uuid> = items.iter().map(|n| n.id).collect();
    let vids: Vec<Uuid> = items.iter().map(|n| n.volunteer_id).collect();
    let people: HashMap<Uuid, volunteer::Model> = volunteer::Entity::find()
        .filter(volunteer::Column::Id.is_in(vids))
        .all(db)
        .await?
        .into_iter()
        .map(|v| (v.id, v))
        .collect();
    let mut sums: HashMap<Uuid, (i64, i64)> = HashMap::new();
    if !ids.is_empty() {
        for s in award_score::Entity::find()
            .filter(award_score::Column::NominationId.is_in(ids.clone()))
            .all(db)
            .await?
        {
            let e = sums.entry(s.nomination_id).or_default();
            e.0 += i64::from(s.score);
            e.1 += 1;
        }
    }
    let open = open_objections(db, ids).await?;
    Ok(items
        .into_iter()
        .map(|n| {
            let (sum, count) = sums.get(&n.id).copied().unwrap_or_default();
            let v = people.get(&n.volunteer_id);
            NominationOut {
                id: n.id,
                campaign_id: n.campaign_id,
                volunteer_id: n.volunteer_id,
                volunteer_number: v.map(|v| v.volunteer_number.clone()).unwrap_or_default(),
                real_name: v.map(|v| v.real_name.clone()).unwrap_or_default(),
                organization_id: n.organization_id,
                statement: n.statement,
                approved_minutes: n.approved_minutes,
                score_count: count,
                score_sum: sum,
                mean_score: rules::mean_display(sum, count),
                rank: n.rank,
                status: n.status,
                objection_open: open.contains(&n.id),
                created_at: n.created_at,
            }
        })
        .collect())
}

/// One nomination's response shape.
///
/// # Errors
/// Database errors.
pub async fn nomination_out(
    db: &impl ConnectionTrait,
    n: award_nomination::Model,
) -> Result<NominationOut, ApiError> {
    nominations_out(db, vec![n])
        .await?
        .pop()
        .ok_or_else(|| ApiError::Internal("nomination vanished".into()))
}

async fn is_reviewer_of(
    db: &impl ConnectionTrait,
    campaign_id: Uuid,
    account_id: Uuid,
) -> Result<bool, ApiError> {
    Ok(
        award_reviewer::Entity::find_by_id((campaign_id, account_id))
            .one(db)
            .await?
            .is_some(),
    )
}

/// Nominations of a campaign, by rank once ranked, then by nomination time. The campaign's
/// owners and its assigned reviewers see all; other admins who can see the campaign see the
/// nominations of organizations in their scope.
///
/// # Errors
/// 404 campaign not visible; database errors.
pub async fn list_nominations(
    db: &impl ConnectionTrait,
    user: &AuthUser,
    campaign_id: Uuid,
    page: u64,
    per_page: u64,
) -> Result<Page<NominationOut>, ApiError> {
    let scope = user.scope();
    let mut q = award_nomination::Entity::find()
        .filter(award_nomination::Column::CampaignId.eq(campaign_id));
    if user.role == Role::Reviewer {
        if !is_reviewer_of(db, campaign_id, user.account_id).await? {
            return Err(ApiError::NotFound("campaign"));
        }
    } else {
        let c = get(db, &scope, campaign_id).await?;
        if !in_scope(db, &scope, c.organization_id).await?
            && let Scope::Subtree(root) = scope
        {
            q = q.filter(award_nomination::Column::OrganizationId.in_subquery(subtree_ids(root)));
        }
    }
    let q = q
        .order_by(
            Expr::col(award_nomination::Column::Rank).is_null(),
            Order::Asc,
        )
        .order_by_asc(award_nomination::Column::Rank)
        .order_by_asc(award_nomination::Column::CreatedAt)
        .order_by_asc(award_nomination::Column::Id);
    let p = pagination::fetch(q, db, page, per_page).await?;
    Ok(Page {
        items: nominations_out(db, p.items).await?,
        page: p.page,
        per_page: p.per_page,
        total: p.total,
    })
}

/// Stores (or changes) the calling reviewer's score of a nomination while the campaign is in
/// review. Audit action `score`.
///
/// # Errors
/// 404 nomination missing or the reviewer not assigned; 409 `not_in_review`; 422
/// `score_range`, `conflict_of_interest`; database errors.
pub async fn score<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    user: &AuthUser,
    actor: &Actor,
    nomination_id: Uuid,
    value: i32,
) -> Result<award_score::Model, ApiError> {
    if !(0..=100).contains(&value) {
        return Err(ApiError::field(
            "score",
            "score_range",
            "a score is an integer from 0 to 100",
        ));
    }
    let n = award_nomination::Entity::find_by_id(nomination_id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("nomination"))?;
    if !is_reviewer_of(db, n.campaign_id, user.account_id).await? {
        return Err(ApiError::NotFound("nomination"));
    }
    let c = award_campaign::Entity::find_by_id(n.campaign_id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("nomination"))?;
    if c.status != CampaignStatus::Reviewing {
        return Err(ApiError::Conflict {
            code: "not_in_review",
            detail: "scores are given while the campaign is in review".into(),
        });
    }
    let me = account::Entity::find_by_id(user.account_id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("nomination"))?;
    if conflicting_orgs(db, me.organization_id)
        .await?
        .contains(&n.organization_id)
    {
        return Err(conflict_of_interest());
    }
    let model = award_score::Model {
        nomination_id,
        reviewer_id: user.account_id,
        score: value,
        updated_at: Utc::now(),
    };
    let txn = db.begin().await?;
    {
        use award_score::Column as S;
        award_score::Entity::insert(award_score::ActiveModel::from(model.clone()))
            .on_conflict(
                sea_orm::sea_query::OnConflict::columns([S::NominationId, S::ReviewerId])
                    .update_columns([S::Score, S::UpdatedAt])
                    .to_owned(),
            )
            .exec_without_returning(&txn)
            .await?;
    }
    audit::record(
        &txn,
        actor,
        Entry {
            action: "score",
            entity_type: NOMINATION,
            entity_id: nomination_id,
            fields: fields(&["score"]),
            reason: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

// ---------------------------------------------------------------------------
// Notice and objections
// ---------------------------------------------------------------------------

/// The public notice of a campaign in notice or closed: shortlisted (then awarded or
/// disqualified) nominees by rank with masked names.
///
/// # Errors
/// 404 missing or not yet in notice; database errors.
pub async fn notice(db: &impl ConnectionTrait, id: Uuid) -> Result<NoticeOut, ApiError> {
    let c = award_campaign::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|c| matches!(c.status, CampaignStatus::Notice | CampaignStatus::Closed))
        .ok_or(ApiError::NotFound("notice"))?;
    let items = award_nomination::Entity::find()
        .filter(award_nomination::Column::CampaignId.eq(id))
        .filter(award_nomination::Column::Status.is_in([
            NominationStatus::Shortlisted,
            NominationStatus::Awarded,
            NominationStatus::Disqualified,
        ]))
        .order_by_asc(award_nomination::Column::Rank)
        .all(db)
        .await?;
    let people: HashMap<Uuid, String> = volunteer::Entity::find()
        .filter(volunteer::Column::Id.is_in(items.iter().map(|n| n.volunteer_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|v| (v.id, v.real_name))
        .collect();
    let orgs: HashMap<Uuid, String> = organization::Entity::find()
        .filter(organization::Column::Id.is_in(items.iter().map(|n| n.organization_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    Ok(NoticeOut {
        campaign_id: c.id,
        name: c.name,
        year: c.year,
        level: c.level,
        notice_starts_on: c.notice_starts_on,
        notice_ends_on: c.notice_ends_on,
        items: items
            .into_iter()
            .map(|n| NoticeEntryOut {
                rank: n.rank.unwrap_or(0),
                masked_name: people
                    .get(&n.volunteer_id)
                    .map(|s| mask_name(s))
                    .unwrap_or_default(),
                organization_name: orgs.get(&n.organization_id).cloned().unwrap_or_default(),
                status: n.status,
            })
            .collect(),
    })
}

/// Records an objection against a shortlisted nominee during the notice (admins who run the
/// campaign). Audit action `create`.
///
/// # Errors
/// 404; 409 `campaign_state` (not in notice), `notice_over` (after its last day),
/// `nomination_state` (not shortlisted); 422 `text_length`; database errors.
pub async fn object<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    scope: &Scope,
    actor: &Actor,
    today: NaiveDate,
    nomination_id: Uuid,
    reason: &str,
) -> Result<award_objection::Model, ApiError> {
    let reason = text_or_422("reason", reason, 1, 500)?;
    let n = award_nomination::Entity::find_by_id(nomination_id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("nomination"))?;
    let c = get_owned(db, scope, n.campaign_id)
        .await
        .map_err(|_| ApiError::NotFound("nomination"))?;
    if c.status != CampaignStatus::Notice {
        return Err(state_conflict(
            "objections are taken during the public notice",
        ));
    }
    if c.notice_ends_on.is_some_and(|end| today > end) {
        return Err(ApiError::Conflict {
            code: "notice_over",
            detail: "the public notice has ended; objections are no longer taken".into(),
        });
    }
    if n.status != NominationStatus::Shortlisted {
        return Err(ApiError::Conflict {
            code: "nomination_state",
            detail: "objections concern shortlisted nominees".into(),
        });
    }
    let model = award_objection::Model {
        id: Uuid::now_v7(),
        nomination_id,
        reason: reason.clone(),
        status: ObjectionStatus::Open,
        resolution: None,
        recorded_by: actor.account_id,
        resolved_by: None,
        created_at: Utc::now(),
        resolved_at: None,
    };
    let txn = db.begin().await?;
    award_objection::Entity::insert(award_objection::ActiveModel::from(model.clone()))
        .exec_without_returning(&txn)
        .await?;
    audit::record(
        &txn,
        actor,
        Entry {
            action: "create",
            entity_type: OBJECTION,
            entity_id: model.id,
            fields: fields(&["nomination_id", "reason"]),
            reason: Some(reason),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

/// Objections to a nomination of a campaign the admin runs, oldest first.
///
/// # Errors
/// 404 missing or outside scope; database errors.
pub async fn objections(
    db: &impl ConnectionTrait,
    scope: &Scope,
    nomination_id: Uuid,
) -> Result<Vec<award_objection::Model>, ApiError> {
    let n = award_nomination::Entity::find_by_id(nomination_id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("nomination"))?;
    get_owned(db, scope, n.campaign_id)
        .await
        .map_err(|_| ApiError::NotFound("nomination"))?;
    Ok(award_objection::Entity::find()
        .filter(award_objection::Column::NominationId.eq(nomination_id))
        .order_by_asc(award_objection::Column::CreatedAt)
        .order_by_asc(award_objection::Column::Id)
        .all(db)
        .await?)
}

/// Resolves an open objection (admins who run the campaign): upheld disqualifies the nominee;
/// dismissed lets them proceed, and after closing grants the held award when no other
/// objection is open. Audit action `resolve` (and `award`).
///
/// # Errors
/// 404; 409 `objection_resolved`; 422 `text_length`; database errors.
pub async fn resolve<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    scope: &Scope,
    actor: &Actor,
    objection_id: Uuid,
    outcome: Outcome,
    resolution: &str,
) -> Result<award_objection::Model, ApiError> {
    let resolution = text_or_422("resolution", resolution, 1, 500)?;
    let o = award_objection::Entity::find_by_id(objection_id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("objection"))?;
    let n = award_nomination::Entity::find_by_id(o.nomination_id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("objection"))?;
    let c = get_owned(db, scope, n.campaign_id)
        .await
        .map_err(|_| ApiError::NotFound("objection"))?;
    let status = match outcome {
        Outcome::Upheld => ObjectionStatus::Upheld,
        Outcome::Dismissed => ObjectionStatus::Dismissed,
    };
    let now = Utc::now();
    let txn = db.begin().await?;
    let done = award_objection::Entity::update_many()
        .set(award_objection::ActiveModel {
            status: Set(status),
            resolution: Set(Some(resolution.clone())),
            resolved_by: Set(actor.account_id),
            resolved_at: Set(Some(now)),
            ..Default::default()
        })
        .filter(award_objection::Column::Id.eq(objection_id))
        .filter(award_objection::Column::Status.eq(ObjectionStatus::Open))
        .exec(&txn)
        .await?;
    if done.rows_affected != 1 {
        return Err(ApiError::Conflict {
            code: "objection_resolved",
            detail: "the objection has already been resolved".into(),
        });
    }
    audit::record(
        &txn,
        actor,
        Entry {
            action: "resolve",
            entity_type: OBJECTION,
            entity_id: objection_id,
            fields: fields(&["status", "resolution"]),
            reason: Some(resolution.clone()),
        },
    )
    .await?;
    match outcome {
        Outcome::Upheld => {
            award_nomination::Entity::update_many()
                .set(award_nomination::ActiveModel {
                    status: Set(NominationStatus::Disqualified),
                    updated_at: Set(now),
                    ..Default::default()
                })
                .filter(award_nomination::Column::Id.eq(n.id))
                .filter(award_nomination::Column::Status.eq(NominationStatus::Shortlisted))
                .exec(&txn)
                .await?;
        }
        Outcome::Dismissed => {
            let still_open = !open_objections(&txn, vec![n.id]).await?.is_empty();
            if c.status == CampaignStatus::Closed
                && n.status == NominationStatus::Shortlisted
                && !still_open
            {
                grant(&txn, actor, &c, &n).await?;
            }
        }
    }
    txn.commit().await?;
    Ok(award_objection::Model {
        status,
        resolution: Some(resolution),
        resolved_by: actor.account_id,
        resolved_at: Some(now),
        ..o
    })
}

/// Awards of a volunteer (the volunteer themself or admins in scope), newest first.
///
/// # Errors
/// 404 volunteer missing or not visible; database errors.
pub async fn awards_of(
    db: &impl ConnectionTrait,
    user: &AuthUser,
    volunteer_id: Uuid,
    page: u64,
    per_page: u64,
) -> Result<Page<volunteer_award::Model>, ApiError> {
    crate::volunteers::service::get_visible(db, user, volunteer_id).await?;
    let q = volunteer_award::Entity::find()
        .filter(volunteer_award::Column::VolunteerId.eq(volunteer_id))
        .order_by_desc(volunteer_award::Column::GrantedAt)
        .order_by_desc(volunteer_award::Column::Id);
    pagination::fetch(q, db, page, per_page).await
}
