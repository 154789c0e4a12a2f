//! Micro-grant calls (微创投): calls with a budget and eligibility criteria, proposals (one per
//! organization per call), reviewer assignment with a conflict-of-interest check, integer scores,
//! a ranking by exact mean score, and awards that never exceed the budget.
//!
//! Budget: an award runs in one transaction that first moves the proposal to `awarded` with a
//! conditional update (`WHERE status IN ('submitted', 'under_review')`), then adds the amount to
//! the call with `UPDATE grant_calls SET awarded_total_fen = awarded_total_fen + x WHERE id = ?
//! AND status = 'reviewing' AND awarded_total_fen + x <= budget_fen`. On PostgreSQL the row lock
//! serialises concurrent awards and the condition is re-checked on the newest row version (READ
//! COMMITTED); SQLite has a single writer. When no row matches, the transaction is rolled back
//! and the answer is 422 `budget_exceeded`. A CHECK constraint on the table is the backstop.
//!
//! Conflict of interest: a reviewer whose affiliation is the proposing organization, inside its
//! subtree, or above it (the proposing organization inside the reviewer's subtree, per the
//! `reviewer` role: "never rates their own organization or its subtree") is refused with 422
//! `conflict_of_interest`.

use chrono::{DateTime, Utc};
use entity::enums::{AccountStatus, OrganizationKind, Role};
use entity::social_programs::enums::{GrantCallStatus, LibraryEntryKind, ProposalStatus};
use entity::social_programs::{
    grant_call as call, grant_proposal as proposal, grant_review as review, library_entry,
};
use entity::{account, organization};
use sea_orm::sea_query::{Expr, ExprTrait as _};
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, ConnectionTrait, EntityTrait as _,
    PaginatorTrait as _, QueryFilter as _, QueryOrder as _, TransactionSession as _,
    TransactionTrait,
};
use uuid::Uuid;

use super::common::{
    empty_page, invalid_state, optional_long, org_field, region_field, region_within,
    registered_on, required,
};
use super::dto::{
    GrantCallFilter, GrantCallIn, GrantCallPatch, ProposalFilter, ProposalIn, RankingItemOut,
    ScoreIn,
};
use super::rules;
use crate::audit::{self, Actor, Entry};
use crate::auth::{AuthUser, Scope};
use crate::error::{ApiError, FieldIssue};
use crate::organizations::service::{in_scope, is_in_subtree, subtree_ids};
use crate::pagination::Page;

/// Largest budget of a call, in fen.
pub const MAX_BUDGET_FEN: i64 = 1_000_000_000_000;

fn kinds_json(k: &[OrganizationKind]) -> String {
    serde_json::to_string(k).unwrap_or_else(|_| "[]".into())
}

fn money(issues: &mut Vec<FieldIssue>, field: &str, v: i64, max: i64) {
    if !(1..=max).contains(&v) {
        issues.push(FieldIssue::new(
            field,
            "amount_range",
            format!("1 to {max} fen"),
        ));
    }
}

fn window(issues: &mut Vec<FieldIssue>, open: DateTime<Utc>, close: DateTime<Utc>) {
    if close <= open {
        issues.push(FieldIssue::new(
            "submissions_close_at",
            "window_order",
            "the submission window closes after it opens",
        ));
    }
}

/// The call if the caller manages it (its organization is in scope); 404 otherwise.
///
/// # Errors
/// 404 `not_found`, database errors.
pub async fn owned(
    db: &impl ConnectionTrait,
    scope: &Scope,
    id: Uuid,
) -> Result<call::Model, ApiError> {
    let c = call::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("grant call"))?;
    if !in_scope(db, scope, c.organization_id).await? {
        return Err(ApiError::NotFound("grant call"));
    }
    Ok(c)
}

/// Whether a call is visible to the scope: managed calls always; calls past `draft` to every
/// admin (they are announcements organizations apply to).
async fn visible(
    db: &impl ConnectionTrait,
    scope: &Scope,
    c: &call::Model,
) -> Result<bool, ApiError> {
    Ok(match scope {
        Scope::Nothing => false,
        _ => c.status != GrantCallStatus::Draft || in_scope(db, scope, c.organization_id).await?,
    })
}

/// A call visible to the caller; 404 otherwise.
///
/// # Errors
/// 404 `not_found`, database errors.
pub async fn get(
    db: &impl ConnectionTrait,
    scope: &Scope,
    id: Uuid,
) -> Result<call::Model, ApiError> {
    let c = call::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("grant call"))?;
    if !visible(db, scope, &c).await? {
        return Err(ApiError::NotFound("grant call"));
    }
    Ok(c)
}

/// Opens a call in `draft` for an organization in scope. Audit action `create`.
///
/// # Errors
/// 422 validation, database errors.
pub async fn create(
    db: &impl TransactionTrait,
    user: &AuthUser,
    actor: &Actor,
    input: GrantCallIn,
) -> Result<call::Model, ApiError> {
    let scope = user.scope();
    let txn = db.begin().await?;
    let mut issues = Vec::new();
    org_field(
        &txn,
        &scope,
        &mut issues,
        "organization_id",
        input.organization_id,
    )
    .await?;
    let title = required(&mut issues, "title", &input.title, 200, false);
    let description = optional_long(&mut issues, "description", &input.description, 10_000);
    money(&mut issues, "budget_fen", input.budget_fen, MAX_BUDGET_FEN);
    money(
        &mut issues,
        "max_award_fen",
        input.max_award_fen,
        input.budget_fen.clamp(1, MAX_BUDGET_FEN),
    );
    let root = input.eligible_root_id.unwrap_or(input.organization_id);
    if !is_in_subtree(&txn, input.organization_id, root).await? {
        issues.push(FieldIssue::new(
            "eligible_root_id",
            "organization_not_found",
            "the eligible subtree lies inside the owning organization's subtree",
        ));
    }
    let region = match &input.eligible_region_code {
        Some(r) => Some(region_field(&txn, &mut issues, "eligible_region_code", r).await?),
        None => None,
    };
    if let Some(y) = input.min_years_registered
        && !(1..=50).contains(&y)
    {
        issues.push(FieldIssue::new(
            "min_years_registered",
            "years_range",
            "1 to 50 years",
        ));
    }
    let open = input.submissions_open_at.with_timezone(&Utc);
    let close = input.submissions_close_at.with_timezone(&Utc);
    window(&mut issues, open, close);
    if !issues.is_empty() {
        return Err(ApiError::Validation(issues));
    }
    let now = Utc::now();
    let id = Uuid::now_v7();
    let m = call::ActiveModel {
        id: Set(id),
        organization_id: Set(input.organization_id),
        title: Set(title),
        description: Set(description),
        budget_fen: Set(input.budget_fen),
        max_award_fen: Set(input.max_award_fen),
        awarded_total_fen: Set(0),
        eligible_kinds: Set(kinds_json(&input.eligible_kinds)),
        eligible_root_id: Set(root),
        eligible_region_code: Set(region),
        min_years_registered: Set(input.min_years_registered),
        submissions_open_at: Set(open),
        submissions_close_at: Set(close),
        status: Set(GrantCallStatus::Draft),
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
            entity_type: "grant_call",
            entity_id: id,
            fields: [
                "organization_id",
                "title",
                "description",
                "budget_fen",
                "max_award_fen",
                "eligibility",
                "submission_window",
            ]
            .map(String::from)
            .to_vec(),
            reason: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(m)
}

/// Updates a call in `draft`; `version` must match. Audit action `update`.
///
/// # Errors
/// 404, 409 `invalid_state`, 412 `version_mismatch`, 422 validation.
pub async fn update(
    db: &impl TransactionTrait,
    scope: &Scope,
    actor: &Actor,
    id: Uuid,
    p: GrantCallPatch,
) -> Result<call::Model, ApiError> {
    let txn = db.begin().await?;
    let cur = owned(&txn, scope, id).await?;
    if cur.status != GrantCallStatus::Draft {
        return Err(invalid_state("only draft calls can be edited"));
    }
    if cur.version != p.version {
        return Err(ApiError::VersionMismatch {
            current: cur.version,
        });
    }
    let mut issues = Vec::new();
    let mut fields = Vec::new();
    let mut am = <call::ActiveModel as Default>::default();
    if let Some(t) = &p.title {
        am.title = Set(required(&mut issues, "title", t, 200, false));
        fields.push("title".to_owned());
    }
    if let Some(d) = &p.description {
        am.description = Set(optional_long(&mut issues, "description", d, 10_000));
        fields.push("description".to_owned());
    }
    let budget = p.budget_fen.unwrap_or(cur.budget_fen);
    let max_award = p.max_award_fen.unwrap_or(cur.max_award_fen);
    money(&mut issues, "budget_fen", budget, MAX_BUDGET_FEN);
    money(
        &mut issues,
        "max_award_fen",
        max_award,
        budget.clamp(1, MAX_BUDGET_FEN),
    );
    if p.budget_fen.is_some() {
        am.budget_fen = Set(budget);
        fields.push("budget_fen".to_owned());
    }
    if p.max_award_fen.is_some() {
        am.max_award_fen = Set(max_award);
        fields.push("max_award_fen".to_owned());
    }
    if let Some(k) = &p.eligible_kinds {
        am.eligible_kinds = Set(kinds_json(k));
        fields.push("eligible_kinds".to_owned());
    }
    let open = p
        .submissions_open_at
        .map_or(cur.submissions_open_at, |t| t.with_timezone(&Utc));
    let close = p
        .submissions_close_at
        .map_or(cur.submissions_close_at, |t| t.with_timezone(&Utc));
    window(&mut issues, open, close);
    if p.submissions_open_at.is_some() || p.submissions_close_at.is_some() {
        am.submissions_open_at = Set(open);
        am.submissions_close_at = Set(close);
        fields.push("submission_window".to_owned());
    }
    if !issues.is_empty() {
        return Err(ApiError::Validation(issues));
    }
    am.version = Set(cur.version + 1);
    am.updated_at = Set(Utc::now());
    let r = call::Entity::update_many()
        .set(am)
        .filter(call::Column::Id.eq(id))
        .filter(call::Column::Version.eq(p.version))
        .filter(call::Column::Status.eq(GrantCallStatus::Draft))
        .exec(&txn)
        .await?;
    if r.rows_affected != 1 {
        return Err(ApiError::VersionMismatch {
            current: cur.version + 1,
        });
    }
    audit::record(
        &txn,
        actor,
        Entry {
            action: "update",
            entity_type: "grant_call",
            entity_id: id,
            fields,
            reason: None,
        },
    )
    .await?;
    let saved = owned(&txn, scope, id).await?;
    txn.commit().await?;
    Ok(saved)
}

/// Moves a call `from → to` (open: `draft → open`; start review: `open → reviewing`; close:
/// `reviewing → closed`, declining every undecided proposal). Audit action `open`,
/// `start_review` or `close`.
///
/// # Errors
/// 404, 409 `invalid_state`.
pub async fn transition(
    db: &impl TransactionTrait,
    scope: &Scope,
    actor: &Actor,
    id: Uuid,
    action: &'static str,
) -> Result<call::Model, ApiError> {
    let (from, to) = match action {
        "open" => (GrantCallStatus::Draft, GrantCallStatus::Open),
        "start_review" => (GrantCallStatus::Open, GrantCallStatus::Reviewing),
        _ => (GrantCallStatus::Reviewing, GrantCallStatus::Closed),
    };
    let txn = db.begin().await?;
    let cur = owned(&txn, scope, id).await?;
    let r = call::Entity::update_many()
        .col_expr(call::Column::Status, Expr::value(to))
        .col_expr(
            call::Column::Version,
            Expr::col(call::Column::Version).add(1),
        )
        .col_expr(call::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(call::Column::Id.eq(id))
        .filter(call::Column::Status.eq(from))
        .exec(&txn)
        .await?;
    if r.rows_affected != 1 {
        return Err(invalid_state(
            format!(
                "the call is {:?}; this step needs it {:?}",
                cur.status, from
            )
            .to_lowercase(),
        ));
    }
    let mut fields = vec!["status".to_owned()];
    if to == GrantCallStatus::Closed {
        let declined = proposal::Entity::update_many()
            .col_expr(
                proposal::Column::Status,
                Expr::value(ProposalStatus::Declined),
            )
            .col_expr(
                proposal::Column::DecisionNote,
                Expr::value("call closed without an award"),
            )
            .col_expr(proposal::Column::DecidedAt, Expr::value(Utc::now()))
            .col_expr(proposal::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(proposal::Column::CallId.eq(id))
            .filter(
                proposal::Column::Status
                    .is_in([ProposalStatus::Submitted, ProposalStatus::UnderReview]),
            )
            .exec(&txn)
            .await?;
        if declined.rows_affected > 0 {
            fields.push(format!("declined_proposals:{}", declined.rows_affected));
        }
    }
    audit::record(
        &txn,
        actor,
        Entry {
            action,
            entity_type: "grant_call",
            entity_id: id,
            fields,
            reason: None,
        },
    )
    .await?;
    let saved = owned(&txn, scope, id).await?;
    txn.commit().await?;
    Ok(saved)
}

/// Lists calls the caller manages or may apply to (every non-draft call), newest first.
///
/// # Errors
/// Database errors.
pub async fn list(
    db: &impl ConnectionTrait,
    scope: &Scope,
    f: &GrantCallFilter,
    page: u64,
    per_page: u64,
) -> Result<Page<call::Model>, ApiError> {
    let mut q = call::Entity::find();
    match scope {
        Scope::All => {}
        Scope::Subtree(root) => {
            q = q.filter(
                sea_orm::Condition::any()
                    .add(call::Column::Status.ne(GrantCallStatus::Draft))
                    .add(call::Column::OrganizationId.in_subquery(subtree_ids(*root))),
            );
        }
        Scope::Nothing => return Ok(empty_page(page, per_page)),
    }
    if let Some(s) = f.status {
        q = q.filter(call::Column::Status.eq(s));
    }
    crate::pagination::fetch(
        q.order_by_desc(call::Column::CreatedAt)
            .order_by_desc(call::Column::Id),
        db,
        page,
        per_page,
    )
    .await
}

/// Why `org` may not apply to `c`, if it may not (kinds, subtree, region, years registered on
/// `today` in the platform time zone).
async fn ineligibility(
    db: &impl ConnectionTrait,
    c: &call::Model,
    org: &organization::Model,
    today: chrono::NaiveDate,
) -> Result<Option<String>, ApiError> {
    let kinds: Vec<OrganizationKind> = serde_json::from_str(&c.eligible_kinds).unwrap_or_default();
    if !kinds.is_empty() && !kinds.contains(&org.kind) {
        return Ok(Some(
            "the organization's kind is not eligible for this call".into(),
        ));
    }
    if !is_in_subtree(db, c.eligible_root_id, org.id).await? {
        return Ok(Some(
            "the organization is outside the call's eligible subtree".into(),
        ));
    }
    if let Some(code) = &c.eligible_region_code
        && !region_within(db, &org.region_code, code).await?
    {
        return Ok(Some(
            "the organization's region is outside the call's region".into(),
        ));
    }
    if let Some(years) = c.min_years_registered {
        let ok = registered_on(db, org.id).await?.is_some_and(|d| {
            rules::registered_for_years(d, u32::try_from(years).unwrap_or(0), today)
        });
        if !ok {
            return Ok(Some(format!(
                "the call needs organizations registered at least {years} years (registry date)"
            )));
        }
    }
    Ok(None)
}

/// Submits a proposal: the call is `open` and inside its window, the organization is in the
/// caller's scope and eligible, the amount is within the per-award maximum, one proposal per
/// organization per call (409 `duplicate_proposal`). Audit action `create`.
///
/// # Errors
/// 404 call, 409 `submissions_closed` / `duplicate_proposal`, 422 validation or `not_eligible`.
pub async fn submit_proposal(
    db: &impl TransactionTrait,
    user: &AuthUser,
    actor: &Actor,
    today: chrono::NaiveDate,
    call_id: Uuid,
    input: ProposalIn,
) -> Result<proposal::Model, ApiError> {
    let scope = user.scope();
    let txn = db.begin().await?;
    let c = get(&txn, &scope, call_id).await?;
    let now = Utc::now();
    if c.status != GrantCallStatus::Open
        || now < c.submissions_open_at
        || now >= c.submissions_close_at
    {
        return Err(ApiError::Conflict {
            code: "submissions_closed",
            detail: "the call does not accept proposals now".into(),
        });
    }
    let mut issues = Vec::new();
    let org = org_field(
        &txn,
        &scope,
        &mut issues,
        "organization_id",
        input.organization_id,
    )
    .await?;
    let title = required(&mut issues, "title", &input.title, 200, false);
    let plan = required(&mut issues, "plan", &input.plan, 20_000, true);
    if !(1..=c.max_award_fen).contains(&input.requested_fen) {
        issues.push(FieldIssue::new(
            "requested_fen",
            "amount_range",
            format!(
                "1 to the call's per-award maximum of {} fen",
                c.max_award_fen
            ),
        ));
    }
    if let Some(e) = input.library_entry_id {
        let ok = library_entry::Entity::find_by_id(e)
            .one(&txn)
            .await?
            .is_some_and(|m| {
                m.kind == LibraryEntryKind::Project && m.organization_id == input.organization_id
            });
        if !ok {
            issues.push(FieldIssue::new(
                "library_entry_id",
                "library_entry_not_found",
                "no project entry of this organization with this id",
            ));
        }
    }
    if !issues.is_empty() {
        return Err(ApiError::Validation(issues));
    }
    let Some(org) = org else {
        return Err(ApiError::NotFound("organization"));
    };
    if let Some(why) = ineligibility(&txn, &c, &org, today).await? {
        return Err(ApiError::Rule {
            code: "not_eligible",
            detail: why,
        });
    }
    let exists = proposal::Entity::find()
        .filter(proposal::Column::CallId.eq(call_id))
        .filter(proposal::Column::OrganizationId.eq(org.id))
        .count(&txn)
        .await?
        > 0;
    if exists {
        return Err(duplicate_proposal());
    }
    let id = Uuid::now_v7();
    let m = proposal::ActiveModel {
        id: Set(id),
        call_id: Set(call_id),
        organization_id: Set(org.id),
        title: Set(title),
        requested_fen: Set(input.requested_fen),
        plan: Set(plan),
        library_entry_id: Set(input.library_entry_id),
        status: Set(ProposalStatus::Submitted),
        awarded_fen: Set(None),
        decision_note: Set(None),
        decided_at: Set(None),
        created_by: Set(user.account_id),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await
    .map_err(|e| match ApiError::from(e) {
        ApiError::Conflict { .. } => duplicate_proposal(),
        other => other,
    })?;
    audit::record(
        &txn,
        actor,
        Entry {
            action: "create",
            entity_type: "grant_proposal",
            entity_id: id,
            fields: [
                "call_id",
                "organization_id",
                "title",
                "requested_fen",
                "plan",
                "library_entry_id",
            ]
            .map(String::from)
            .to_vec(),
            reason: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(m)
}

fn duplicate_proposal() -> ApiError {
    ApiError::Conflict {
        code: "duplicate_proposal",
        detail: "this organization already has a proposal in this call".into(),
    }
}

/// A proposal with its call, visible to admins of the call's owner or of the proposing
/// organization; 404 otherwise.
///
/// # Errors
/// 404, database errors.
pub async fn get_proposal(
    db: &impl ConnectionTrait,
    scope: &Scope,
    id: Uuid,
) -> Result<(proposal::Model, call::Model), ApiError> {
    let p = proposal::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("grant proposal"))?;
    let c = call::Entity::find_by_id(p.call_id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("grant proposal"))?;
    if !in_scope(db, scope, c.organization_id).await?
        && !in_scope(db, scope, p.organization_id).await?
    {
        return Err(ApiError::NotFound("grant proposal"));
    }
    Ok((p, c))
}

/// A proposal whose call the caller manages; 404 otherwise.
async fn managed_proposal(
    db: &impl ConnectionTrait,
    scope: &Scope,
    id: Uuid,
) -> Result<(proposal::Model, call::Model), ApiError> {
    let p = proposal::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("grant proposal"))?;
    let c = owned(db, scope, p.call_id)
        .await
        .map_err(|_| ApiError::NotFound("grant proposal"))?;
    Ok((p, c))
}

/// Proposals of a call the caller manages, oldest first.
///
/// # Errors
/// 404 call, database errors.
pub async fn list_proposals(
    db: &impl ConnectionTrait,
    scope: &Scope,
    call_id: Uuid,
    page: u64,
    per_page: u64,
) -> Result<Page<proposal::Model>, ApiError> {
    owned(db, scope, call_id).await?;
    crate::pagination::fetch(
        proposal::Entity::find()
            .filter(proposal::Column::CallId.eq(call_id))
            .order_by_asc(proposal::Column::CreatedAt)
            .order_by_asc(proposal::Column::Id),
        db,
        page,
        per_page,
    )
    .await
}

/// Proposals of organizations in the caller's scope (the proposer's view), newest first.
///
/// # Errors
/// Database errors.
pub async fn list_own_proposals(
    db: &impl ConnectionTrait,
    scope: &Scope,
    f: &ProposalFilter,
    page: u64,
    per_page: u64,
) -> Result<Page<proposal::Model>, ApiError> {
    let mut q = proposal::Entity::find();
    match scope {
        Scope::All => {}
        Scope::Subtree(root) => {
            q = q.filter(proposal::Column::OrganizationId.in_subquery(subtree_ids(*root)));
        }
        Scope::Nothing => return Ok(empty_page(page, per_page)),
    }
    if let Some(c) = f.call_id {
        q = q.filter(proposal::Column::CallId.eq(c));
    }
    if let Some(st) = f.status {
        q = q.filter(proposal::Column::Status.eq(st));
    }
    crate::pagination::fetch(
        q.order_by_desc(proposal::Column::CreatedAt)
            .order_by_desc(proposal::Column::Id),
        db,
        page,
        per_page,
    )
    .await
}

/// Assigns a reviewer to a proposal of a call the caller manages (call `open` or `reviewing`,
/// proposal undecided); the proposal becomes `under_review`. Audit action `assign_reviewer`.
///
/// # Errors
/// 404, 409 `invalid_state` / `already_assigned`, 422 `reviewer_not_found` /
/// `conflict_of_interest`.
pub async fn assign_reviewer(
    db: &impl TransactionTrait,
    user: &AuthUser,
    actor: &Actor,
    proposal_id: Uuid,
    reviewer_id: Uuid,
) -> Result<review::Model, ApiError> {
    let txn = db.begin().await?;
    let (p, c) = managed_proposal(&txn, &user.scope(), proposal_id).await?;
    if !matches!(c.status, GrantCallStatus::Open | GrantCallStatus::Reviewing) {
        return Err(invalid_state(
            "reviewers are assigned while the call is open or reviewing",
        ));
    }
    if !matches!(
        p.status,
        ProposalStatus::Submitted | ProposalStatus::UnderReview
    ) {
        return Err(invalid_state("the proposal is already decided"));
    }
    let reviewer = account::Entity::find_by_id(reviewer_id)
        .one(&txn)
        .await?
        .filter(|a| a.role == Role::Reviewer && a.status == AccountStatus::Active)
        .ok_or_else(|| {
            ApiError::field(
                "reviewer_id",
                "reviewer_not_found",
                "no active reviewer account with this id",
            )
        })?;
    if let Some(aff) = reviewer.organization_id
        && (is_in_subtree(&txn, p.organization_id, aff).await?
            || is_in_subtree(&txn, aff, p.organization_id).await?)
    {
        return Err(ApiError::Rule {
            code: "conflict_of_interest",
            detail: "the reviewer is affiliated with the proposing organization, its subtree \
                     or an organization above it"
                .into(),
        });
    }
    let exists = review::Entity::find()
        .filter(review::Column::ProposalId.eq(proposal_id))
        .filter(review::Column::ReviewerId.eq(reviewer_id))
        .count(&txn)
        .await?
        > 0;
    if exists {
        return Err(ApiError::Conflict {
            code: "already_assigned",
            detail: "this reviewer is already assigned to this proposal".into(),
        });
    }
    let id = Uuid::now_v7();
    let now = Utc::now();
    let m = review::ActiveModel {
        id: Set(id),
        proposal_id: Set(proposal_id),
        call_id: Set(c.id),
        reviewer_id: Set(reviewer_id),
        score: Set(None),
        comment: Set(String::new()),
        scored_at: Set(None),
        assigned_by: Set(user.account_id),
        created_at: Set(now),
    }
    .insert(&txn)
    .await?;
    proposal::Entity::update_many()
        .col_expr(
            proposal::Column::Status,
            Expr::value(ProposalStatus::UnderReview),
        )
        .col_expr(proposal::Column::UpdatedAt, Expr::value(now))
        .filter(proposal::Column::Id.eq(proposal_id))
        .filter(proposal::Column::Status.eq(ProposalStatus::Submitted))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        actor,
        Entry {
            action: "assign_reviewer",
            entity_type: "grant_proposal",
            entity_id: proposal_id,
            fields: vec!["reviewer_id".into(), "status".into()],
            reason: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(m)
}

/// Reviews of a proposal whose call the caller manages.
///
/// # Errors
/// 404, database errors.
pub async fn list_reviews(
    db: &impl ConnectionTrait,
    scope: &Scope,
    proposal_id: Uuid,
    page: u64,
    per_page: u64,
) -> Result<Page<review::Model>, ApiError> {
    managed_proposal(db, scope, proposal_id).await?;
    crate::pagination::fetch(
        review::Entity::find()
            .filter(review::Column::ProposalId.eq(proposal_id))
            .order_by_asc(review::Column::CreatedAt)
            .order_by_asc(review::Column::Id),
        db,
        page,
        per_page,
    )
    .await
}

/// The caller's review assignments (reviewers), newest first, with their proposals.
///
/// # Errors
/// Database errors.
pub async fn my_reviews(
    db: &impl ConnectionTrait,
    reviewer: Uuid,
    page: u64,
    per_page: u64,
) -> Result<Page<(review::Model, proposal::Model)>, ApiError> {
    let p = crate::pagination::fetch(
        review::Entity::find()
            .filter(review::Column::ReviewerId.eq(reviewer))
            .order_by_desc(review::Column::CreatedAt)
            .order_by_desc(review::Column::Id),
        db,
        page,
        per_page,
    )
    .await?;
    let ids: Vec<Uuid> = p.items.iter().map(|r| r.proposal_id).collect();
    let props = proposal::Entity::find()
        .filter(proposal::Column::Id.is_in(ids))
        .all(db)
        .await?;
    let mut items = Vec::with_capacity(p.items.len());
    for r in p.items {
        if let Some(pr) = props.iter().find(|x| x.id == r.proposal_id) {
            items.push((r, pr.clone()));
        }
    }
    Ok(Page {
        items,
        page: p.page,
        per_page: p.per_page,
        total: p.total,
    })
}

/// The reviewer scores (or re-scores) their assignment: integer 0–100, while the call is open or
/// reviewing and the proposal undecided. Other callers' assignments answer 404. Audit action
/// `score`.
///
/// # Errors
/// 404, 409 `invalid_state`, 422 `score_range`.
pub async fn score(
    db: &impl TransactionTrait,
    reviewer: Uuid,
    actor: &Actor,
    review_id: Uuid,
    input: ScoreIn,
) -> Result<review::Model, ApiError> {
    let mut issues = Vec::new();
    if !(0..=100).contains(&input.score) {
        issues.push(FieldIssue::new(
            "score",
            "score_range",
            "an integer from 0 to 100",
        ));
    }
    let comment = optional_long(&mut issues, "comment", &input.comment, 2000);
    if !issues.is_empty() {
        return Err(ApiError::Validation(issues));
    }
    let txn = db.begin().await?;
    let r = review::Entity::find_by_id(review_id)
        .one(&txn)
        .await?
        .filter(|r| r.reviewer_id == reviewer)
        .ok_or(ApiError::NotFound("review"))?;
    let c = call::Entity::find_by_id(r.call_id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("review"))?;
    let p = proposal::Entity::find_by_id(r.proposal_id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("review"))?;
    if !matches!(c.status, GrantCallStatus::Open | GrantCallStatus::Reviewing)
        || !matches!(
            p.status,
            ProposalStatus::Submitted | ProposalStatus::UnderReview
        )
    {
        return Err(invalid_state(
            "scores are given while the call is open or reviewing and the proposal is undecided",
        ));
    }
    let mut am: review::ActiveModel = r.into();
    am.score = Set(Some(input.score));
    am.comment = Set(comment);
    am.scored_at = Set(Some(Utc::now()));
    let m = am.update(&txn).await?;
    audit::record(
        &txn,
        actor,
        Entry {
            action: "score",
            entity_type: "grant_review",
            entity_id: review_id,
            fields: vec!["score".into(), "comment".into()],
            reason: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(m)
}

/// The ranking of a call's proposals by exact mean score (highest first; equal means share a
/// rank, then by submission time); proposals without scores come last, unranked.
///
/// # Errors
/// 404 call, database errors.
pub async fn ranking(
    db: &impl ConnectionTrait,
    scope: &Scope,
    call_id: Uuid,
    page: u64,
    per_page: u64,
) -> Result<Page<RankingItemOut>, ApiError> {
    owned(db, scope, call_id).await?;
    let props = proposal::Entity::find()
        .filter(proposal::Column::CallId.eq(call_id))
        .order_by_asc(proposal::Column::CreatedAt)
        .order_by_asc(proposal::Column::Id)
        .all(db)
        .await?;
    let reviews = review::Entity::find()
        .filter(review::Column::CallId.eq(call_id))
        .all(db)
        .await?;
    let mut rows: Vec<(proposal::Model, u64, Vec<i32>)> = props
        .into_iter()
        .map(|p| {
            let mine: Vec<&review::Model> =
                reviews.iter().filter(|r| r.proposal_id == p.id).collect();
            let scores = mine.iter().filter_map(|r| r.score).collect();
            (p, mine.len() as u64, scores)
        })
        .collect();
    // Stable sort keeps submission order among equals.
    rows.sort_by(|a, b| match (rules::mean(&a.2), rules::mean(&b.2)) {
        (Some(x), Some(y)) => rules::cmp_mean(y, x),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    let total = rows.len() as u64;
    let mut ranked = Vec::with_capacity(rows.len());
    let mut prev: Option<(i64, u64)> = None;
    let mut rank = 0u64;
    for (i, (p, reviewers, scores)) in rows.into_iter().enumerate() {
        let m = rules::mean(&scores);
        let r = m.map(|m| {
            if prev.is_none_or(|pm| rules::cmp_mean(pm, m) != std::cmp::Ordering::Equal) {
                rank = i as u64 + 1;
            }
            prev = Some(m);
            rank
        });
        ranked.push(RankingItemOut {
            rank: r,
            proposal: p.into(),
            reviewers,
            scores: scores.len() as u64,
            score_sum: m.map_or(0, |m| m.0),
            mean_score: m.map(rules::mean_display),
        });
    }
    let start = usize::try_from((page - 1).saturating_mul(per_page)).unwrap_or(usize::MAX);
    let items = ranked
        .into_iter()
        .skip(start)
        .take(usize::try_from(per_page).unwrap_or(100))
        .collect();
    Ok(Page {
        items,
        page,
        per_page,
        total,
    })
}

/// Awards `amount_fen` (1 ..= requested) to an undecided proposal of a call in `reviewing`; the
/// call's awarded total never exceeds its budget (see the module docs). Audit action `award`.
///
/// # Errors
/// 404, 409 `invalid_state`, 422 `amount_range` / `budget_exceeded`.
pub async fn award(
    db: &impl TransactionTrait,
    scope: &Scope,
    actor: &Actor,
    proposal_id: Uuid,
    amount: i64,
) -> Result<proposal::Model, ApiError> {
    let txn = db.begin().await?;
    let (p, c) = managed_proposal(&txn, scope, proposal_id).await?;
    if c.status != GrantCallStatus::Reviewing {
        return Err(invalid_state(
            "awards are decided while the call is reviewing",
        ));
    }
    if !(1..=p.requested_fen).contains(&amount) {
        return Err(ApiError::field(
            "amount_fen",
            "amount_range",
            format!("1 to the requested {} fen", p.requested_fen),
        ));
    }
    let now = Utc::now();
    let r = proposal::Entity::update_many()
        .col_expr(
            proposal::Column::Status,
            Expr::value(ProposalStatus::Awarded),
        )
        .col_expr(proposal::Column::AwardedFen, Expr::value(amount))
        .col_expr(proposal::Column::DecidedAt, Expr::value(now))
        .col_expr(proposal::Column::UpdatedAt, Expr::value(now))
        .filter(proposal::Column::Id.eq(proposal_id))
        .filter(
            proposal::Column::Status
                .is_in([ProposalStatus::Submitted, ProposalStatus::UnderReview]),
        )
        .exec(&txn)
        .await?;
    if r.rows_affected != 1 {
        return Err(invalid_state("the proposal is already decided"));
    }
    let r = call::Entity::update_many()
        .col_expr(
            call::Column::AwardedTotalFen,
            Expr::col(call::Column::AwardedTotalFen).add(amount),
        )
        .col_expr(call::Column::UpdatedAt, Expr::value(now))
        .filter(call::Column::Id.eq(c.id))
        .filter(call::Column::Status.eq(GrantCallStatus::Reviewing))
        .filter(
            Expr::col(call::Column::AwardedTotalFen)
                .add(amount)
                .lte(Expr::col(call::Column::BudgetFen)),
        )
        .exec(&txn)
        .await?;
    if r.rows_affected != 1 {
        // Either the budget would be exceeded or the call left `reviewing` in between.
        let still_reviewing = call::Entity::find_by_id(c.id)
            .one(&txn)
            .await?
            .is_some_and(|now| now.status == GrantCallStatus::Reviewing);
        txn.rollback().await?;
        if !still_reviewing {
            return Err(invalid_state(
                "awards are decided while the call is reviewing",
            ));
        }
        return Err(ApiError::Rule {
            code: "budget_exceeded",
            detail: "this award would take the call's awarded total above its budget".into(),
        });
    }
    audit::record(
        &txn,
        actor,
        Entry {
            action: "award",
            entity_type: "grant_proposal",
            entity_id: proposal_id,
            fields: vec!["status".into(), "awarded_fen".into()],
            reason: None,
        },
    )
    .await?;
    let m = proposal::Entity::find_by_id(proposal_id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("grant proposal"))?;
    txn.commit().await?;
    Ok(m)
}

/// Declines an undecided proposal of a call in `reviewing`. Audit action `decline`.
///
/// # Errors
/// 404, 409 `invalid_state`, 422 reason too long.
pub async fn decline(
    db: &impl TransactionTrait,
    scope: &Scope,
    actor: &Actor,
    proposal_id: Uuid,
    reason: &str,
) -> Result<proposal::Model, ApiError> {
    let mut issues = Vec::new();
    let reason = optional_long(&mut issues, "reason", reason, 500);
    if !issues.is_empty() {
        return Err(ApiError::Validation(issues));
    }
    let txn = db.begin().await?;
    let (_, c) = managed_proposal(&txn, scope, proposal_id).await?;
    if c.status != GrantCallStatus::Reviewing {
        return Err(invalid_state(
            "proposals are declined while the call is reviewing",
        ));
    }
    let now = Utc::now();
    let r = proposal::Entity::update_many()
        .col_expr(
            proposal::Column::Status,
            Expr::value(ProposalStatus::Declined),
        )
        .col_expr(
            proposal::Column::DecisionNote,
            Expr::value((!reason.is_empty()).then_some(reason.clone())),
        )
        .col_expr(proposal::Column::DecidedAt, Expr::value(now))
        .col_expr(proposal::Column::UpdatedAt, Expr::value(now))
        .filter(proposal::Column::Id.eq(proposal_id))
        .filter(
            proposal::Column::Status
                .is_in([ProposalStatus::Submitted, ProposalStatus::UnderReview]),
        )
        .exec(&txn)
        .await?;
    if r.rows_affected != 1 {
        return Err(invalid_state("the proposal is already decided"));
    }
    audit::record(
        &txn,
        actor,
        Entry {
            action: "decline",
            entity_type: "grant_proposal",
            entity_id: proposal_id,
            fields: vec!["status".into(), "decision_note".into()],
            reason: (!reason.is_empty()).then_some(reason),
        },
    )
    .await?;
    let m = proposal::Entity::find_by_id(proposal_id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("grant proposal"))?;
    txn.commit().await?;
    Ok(m)
}
