//! Rating rounds (评估轮次): opening on a frozen template version, eligibility, self-assessments
//! with evidence files, reviewer assignments (with the conflict-of-interest check), scores,
//! publication of exact results with grades, appeals and grade history.
//!
//! Every write to a round's data first takes the round's row with a conditional no-op update
//! (`… WHERE status = 'open'`): on PostgreSQL this serialises scores and self-assessments with
//! publication, so no score lands in a round after its results were computed.

use std::collections::HashMap;

use chrono::{Duration, Months, NaiveDate, Utc};
use entity::account;
use entity::enums::{AccountStatus, OrganizationStatus, Role};
use entity::organization;
use entity::social_orgs::{
    AppealStatus, RoundStatus, evidence_file, profile, rating_appeal, rating_assignment,
    rating_indicator, rating_result, rating_round, rating_score, rating_template,
    self_assessment_item,
};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, ConnectionTrait, EntityTrait as _,
    IntoActiveModel as _, PaginatorTrait as _, QueryFilter as _, QueryOrder as _, QuerySelect as _,
    TransactionSession as _, TransactionTrait,
};
use sha2::{Digest as _, Sha256};
use uuid::Uuid;

use super::dto::{
    AppealFilter, AppealIn, AppealOut, AppealOutcome, AppealResolutionIn, AssignmentDetailOut,
    AssignmentIn, AssignmentOut, EvidenceOut, GradeHistoryOut, PublishIn, ResultOut, RoundIn,
    RoundOut, ScoreIn, ScoresIn, SelfAssessmentIn, SelfAssessmentOut, SelfItemIn,
};
use super::rules::{self, Band};
use super::templates;
use crate::audit::{self, Actor, Entry};
use crate::auth::{AuthUser, Scope};
use crate::error::{ApiError, FieldIssue};
use crate::organizations::service::{
    check_region, get_scoped, in_scope, is_in_subtree, region_prefix_pattern, subtree_ids,
};
use crate::pagination::Page;

/// Largest evidence file accepted, bytes (5 MiB).
pub const EVIDENCE_MAX_BYTES: usize = 5 * 1024 * 1024;

fn audit_entry(action: &'static str, entity_type: &'static str, id: Uuid) -> Entry<'static> {
    Entry {
        action,
        entity_type,
        entity_id: id,
        fields: vec![],
        reason: None,
    }
}

async fn find_round(db: &impl ConnectionTrait, id: Uuid) -> Result<rating_round::Model, ApiError> {
    rating_round::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("rating round"))
}

/// Takes the row of an open round inside `txn` (see the module docs).
///
/// # Errors
/// 404 missing; 409 `round_not_open` once published.
async fn lock_open_round(
    txn: &impl ConnectionTrait,
    id: Uuid,
) -> Result<rating_round::Model, ApiError> {
    let r = rating_round::Entity::update_many()
        .col_expr(
            rating_round::Column::Version,
            Expr::col(rating_round::Column::Version),
        )
        .filter(rating_round::Column::Id.eq(id))
        .filter(rating_round::Column::Status.eq(RoundStatus::Open))
        .exec(txn)
        .await?;
    let round = find_round(txn, id).await?;
    if r.rows_affected == 0 || round.status != RoundStatus::Open {
        return Err(ApiError::Conflict {
            code: "round_not_open",
            detail: "the round's results are published; it accepts no more changes".into(),
        });
    }
    Ok(round)
}

fn bands_of(round: &rating_round::Model) -> Vec<Band> {
    serde_json::from_str(&round.bands).unwrap_or_else(|_| rules::default_bands())
}

/// Opens a round on a template version (frozen from now on).
///
/// # Errors
/// 422 `template_not_found`, `organization_not_found`, `region_*`, `date_order`, range and
/// band checks.
pub async fn create_round(
    db: &impl TransactionTrait,
    actor: &Actor,
    creator: Uuid,
    input: RoundIn,
) -> Result<RoundOut, ApiError> {
    let mut issues = Vec::new();
    let name = input.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 200 {
        issues.push(FieldIssue::new(
            "name",
            "text_length",
            "1 to 200 characters",
        ));
    }
    if input.period_end < input.period_start {
        issues.push(FieldIssue::new(
            "period_end",
            "date_order",
            "period_end must not be before period_start",
        ));
    }
    let min_years = input.min_years_registered.unwrap_or(2);
    if !(0..=50).contains(&min_years) {
        issues.push(FieldIssue::new(
            "min_years_registered",
            "range",
            "0 to 50 years",
        ));
    }
    let validity = input.validity_years.unwrap_or(5);
    if !(1..=10).contains(&validity) {
        issues.push(FieldIssue::new("validity_years", "range", "1 to 10 years"));
    }
    let appeal_days = input.appeal_days.unwrap_or(15);
    if !(0..=90).contains(&appeal_days) {
        issues.push(FieldIssue::new("appeal_days", "range", "0 to 90 days"));
    }
    let bands = input.bands.unwrap_or_else(rules::default_bands);
    if let Err(m) = rules::check_bands(&bands) {
        issues.push(FieldIssue::new("bands", "bands_invalid", m));
    }
    if !issues.is_empty() {
        return Err(ApiError::Validation(issues));
    }
    let txn = db.begin().await?;
    if rating_template::Entity::find_by_id(input.template_id)
        .one(&txn)
        .await?
        .is_none()
    {
        return Err(ApiError::field(
            "template_id",
            "template_not_found",
            "no such template version",
        ));
    }
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
    let region = match &input.region_code {
        Some(c) => Some(check_region(&txn, "region_code", c).await?),
        None => None,
    };
    let now = Utc::now();
    let bands: Vec<Band> = bands
        .into_iter()
        .map(|b| Band {
            grade: b.grade.trim().to_owned(),
            min_basis_points: b.min_basis_points,
        })
        .collect();
    let round = rating_round::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(name),
        template_id: Set(input.template_id),
        period_start: Set(input.period_start),
        period_end: Set(input.period_end),
        min_years_registered: Set(min_years),
        scope_organization_id: Set(input.scope_organization_id),
        region_code: Set(region),
        trim_extremes: Set(input.trim_extremes),
        bands: Set(serde_json::to_string(&bands).map_err(ApiError::internal)?),
        validity_years: Set(validity),
        appeal_days: Set(appeal_days),
        status: Set(RoundStatus::Open),
        published_at: Set(None),
        valid_until: Set(None),
        appeal_deadline: Set(None),
        version: Set(1),
        created_by: Set(creator),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    audit::record(&txn, actor, audit_entry("create", "rating_round", round.id)).await?;
    txn.commit().await?;
    Ok(round.into())
}

/// A round (any admin or reviewer may read rounds: they carry no organization data).
///
/// # Errors
/// 404 missing.
pub async fn get_round(db: &impl ConnectionTrait, id: Uuid) -> Result<RoundOut, ApiError> {
    Ok(find_round(db, id).await?.into())
}

/// Lists rounds, newest first.
///
/// # Errors
/// Database errors.
pub async fn list_rounds(
    db: &impl ConnectionTrait,
    page: u64,
    per_page: u64,
) -> Result<Page<RoundOut>, ApiError> {
    let p = crate::pagination::fetch(
        rating_round::Entity::find().order_by_desc(rating_round::Column::Id),
        db,
        page,
        per_page,
    )
    .await?;
    Ok(Page {
        items: p.items.into_iter().map(Into::into).collect(),
        page: p.page,
        per_page: p.per_page,
        total: p.total,
    })
}

/// Checks that an organization may take part in a round: it has a registry profile, is active,
/// was registered at least `min_years_registered` years before `period_start`, and lies in the
/// round's subtree and region when those are set.
///
/// # Errors
/// 422 `not_eligible` with the reason.
async fn check_eligible(
    db: &impl ConnectionTrait,
    round: &rating_round::Model,
    org: &organization::Model,
) -> Result<(), ApiError> {
    let not = |why: &str| ApiError::Rule {
        code: "not_eligible",
        detail: format!("the organization is not eligible for this round: {why}"),
    };
    let Some(p) = profile::Entity::find_by_id(org.id).one(db).await? else {
        return Err(not("it has no youth social organization profile"));
    };
    if org.status != OrganizationStatus::Active {
        return Err(not("it is inactive"));
    }
    let years = u32::try_from(round.min_years_registered).unwrap_or(0);
    let latest = round
        .period_start
        .checked_sub_months(Months::new(years.saturating_mul(12)))
        .unwrap_or(NaiveDate::MIN);
    if p.registered_on.is_none_or(|d| d > latest) {
        return Err(not(&format!(
            "it must have been registered on or before {latest}"
        )));
    }
    if let Some(root) = round.scope_organization_id
        && !is_in_subtree(db, root, org.id).await?
    {
        return Err(not("it is outside the round's organization subtree"));
    }
    if let Some(code) = &round.region_code {
        let pattern = region_prefix_pattern(code)?;
        let ok = match pattern.strip_suffix('%') {
            Some(prefix) => org.region_code.starts_with(prefix),
            None => org.region_code == pattern,
        };
        if !ok {
            return Err(not("it is outside the round's region"));
        }
    }
    Ok(())
}

async fn leaves(
    db: &impl ConnectionTrait,
    template_id: Uuid,
) -> Result<Vec<rating_indicator::Model>, ApiError> {
    Ok(templates::indicators(db, template_id)
        .await?
        .into_iter()
        .filter(|i| i.is_leaf)
        .collect())
}

/// Whether a reviewer is assigned to rate `org` in `round`.
async fn assigned(
    db: &impl ConnectionTrait,
    round: Uuid,
    org: Uuid,
    reviewer: Uuid,
) -> Result<bool, ApiError> {
    Ok(rating_assignment::Entity::find()
        .filter(rating_assignment::Column::RoundId.eq(round))
        .filter(rating_assignment::Column::OrganizationId.eq(org))
        .filter(rating_assignment::Column::ReviewerAccountId.eq(reviewer))
        .count(db)
        .await?
        > 0)
}

/// Whether the caller may read an organization's round data: admins whose scope covers it, or a
/// reviewer assigned to it in that round.
async fn may_read_org(
    db: &impl ConnectionTrait,
    user: &AuthUser,
    round: Uuid,
    org: Uuid,
) -> Result<bool, ApiError> {
    if in_scope(db, &user.scope(), org).await? {
        return Ok(true);
    }
    assigned(db, round, org, user.account_id).await
}

/// Replaces an organization's self-assessment (自评) in an open round.
///
/// # Errors
/// 404 round or organization missing / outside scope; 409 `round_not_open`; 422 `not_eligible`,
/// `unknown_indicator`, `score_out_of_range`, `indicator_duplicate`, `text_too_long`.
pub async fn put_self_assessment(
    db: &impl TransactionTrait,
    scope: &Scope,
    actor: &Actor,
    submitter: Uuid,
    round_id: Uuid,
    org_id: Uuid,
    input: SelfAssessmentIn,
) -> Result<SelfAssessmentOut, ApiError> {
    let txn = db.begin().await?;
    let org = get_scoped(&txn, scope, org_id).await?;
    find_round(&txn, round_id).await?;
    let round = lock_open_round(&txn, round_id).await?;
    check_eligible(&txn, &round, &org).await?;
    let leaves = leaves(&txn, round.template_id).await?;
    let mut issues = Vec::new();
    let mut rows = Vec::new();
    let mut seen = Vec::new();
    for (i, item) in input.items.iter().enumerate() {
        let Some(ind) = leaves.iter().find(|l| l.code == item.indicator_code.trim()) else {
            issues.push(FieldIssue::new(
                format!("items[{i}].indicator_code"),
                "unknown_indicator",
                "not a scored indicator of the round's template",
            ));
            continue;
        };
        if seen.contains(&ind.id) {
            issues.push(FieldIssue::new(
                format!("items[{i}].indicator_code"),
                "indicator_duplicate",
                "one item per indicator",
            ));
        }
        seen.push(ind.id);
        if !(0..=ind.max_score).contains(&item.score) {
            issues.push(FieldIssue::new(
                format!("items[{i}].score"),
                "score_out_of_range",
                format!("0 to {} hundredths", ind.max_score),
            ));
        }
        if item.statement.chars().count() > 4000 {
            issues.push(FieldIssue::new(
                format!("items[{i}].statement"),
                "text_too_long",
                "at most 4000 characters",
            ));
        }
        rows.push(self_assessment_item::ActiveModel {
            id: Set(Uuid::now_v7()),
            round_id: Set(round_id),
            organization_id: Set(org_id),
            indicator_id: Set(ind.id),
            score: Set(item.score),
            statement: Set(item.statement.trim().to_owned()),
            submitted_by: Set(submitter),
            submitted_at: Set(Utc::now()),
        });
    }
    if !issues.is_empty() {
        return Err(ApiError::Validation(issues));
    }
    self_assessment_item::Entity::delete_many()
        .filter(self_assessment_item::Column::RoundId.eq(round_id))
        .filter(self_assessment_item::Column::OrganizationId.eq(org_id))
        .exec(&txn)
        .await?;
    for chunk in rows.chunks(500) {
        self_assessment_item::Entity::insert_many(chunk.to_vec())
            .exec(&txn)
            .await?;
    }
    audit::record(
        &txn,
        actor,
        Entry {
            action: "self_assess",
            entity_type: "rating_round",
            entity_id: round_id,
            fields: vec![org_id.to_string()],
            reason: None,
        },
    )
    .await?;
    let out = self_assessment_in(&txn, &round, org_id).await?;
    txn.commit().await?;
    Ok(out)
}

async fn self_assessment_in(
    db: &impl ConnectionTrait,
    round: &rating_round::Model,
    org_id: Uuid,
) -> Result<SelfAssessmentOut, ApiError> {
    let inds = templates::indicators(db, round.template_id).await?;
    let code_of = |id: Uuid| inds.iter().find(|i| i.id == id).map(|i| i.code.clone());
    let items = self_assessment_item::Entity::find()
        .filter(self_assessment_item::Column::RoundId.eq(round.id))
        .filter(self_assessment_item::Column::OrganizationId.eq(org_id))
        .all(db)
        .await?;
    let mut items: Vec<(i32, SelfItemIn)> = items
        .into_iter()
        .map(|i| {
            let pos = inds
                .iter()
                .find(|x| x.id == i.indicator_id)
                .map_or(i32::MAX, |x| x.position);
            (
                pos,
                SelfItemIn {
                    indicator_code: code_of(i.indicator_id).unwrap_or_default(),
                    score: i.score,
                    statement: i.statement,
                },
            )
        })
        .collect();
    items.sort_by_key(|(p, _)| *p);
    let evidence = evidence_file::Entity::find()
        .select_only()
        .columns([
            evidence_file::Column::Id,
            evidence_file::Column::IndicatorId,
            evidence_file::Column::FileName,
            evidence_file::Column::ContentType,
            evidence_file::Column::SizeBytes,
            evidence_file::Column::Sha256,
            evidence_file::Column::CreatedAt,
        ])
        .filter(evidence_file::Column::RoundId.eq(round.id))
        .filter(evidence_file::Column::OrganizationId.eq(org_id))
        .order_by_asc(evidence_file::Column::Id)
        .into_tuple::<(
            Uuid,
            Option<Uuid>,
            String,
            String,
            i64,
            String,
            chrono::DateTime<Utc>,
        )>()
        .all(db)
        .await?
        .into_iter()
        .map(
            |(id, ind, file_name, content_type, size_bytes, sha256, created_at)| EvidenceOut {
                id,
                indicator_code: ind.and_then(code_of),
                file_name,
                content_type,
                size_bytes,
                sha256,
                created_at,
            },
        )
        .collect();
    Ok(SelfAssessmentOut {
        round_id: round.id,
        organization_id: org_id,
        total_score: items.iter().map(|(_, i)| i.score).sum(),
        items: items.into_iter().map(|(_, i)| i).collect(),
        evidence,
    })
}

/// An organization's self-assessment with its evidence list: for admins whose scope covers the
/// organization and for reviewers assigned to it in the round.
///
/// # Errors
/// 404 missing or not visible to the caller.
pub async fn get_self_assessment(
    db: &impl ConnectionTrait,
    user: &AuthUser,
    round_id: Uuid,
    org_id: Uuid,
) -> Result<SelfAssessmentOut, ApiError> {
    let round = find_round(db, round_id).await?;
    if !may_read_org(db, user, round_id, org_id).await? {
        return Err(ApiError::NotFound("self-assessment"));
    }
    self_assessment_in(db, &round, org_id).await
}

/// Stores an evidence file of an organization's self-assessment.
///
/// # Errors
/// 404 round or organization missing / outside scope; 409 `round_not_open`; 413 larger than
/// [`EVIDENCE_MAX_BYTES`]; 422 `not_eligible`, `empty_file`, `file_name_format`,
/// `unknown_indicator`, `content_type_format`.
#[expect(clippy::too_many_arguments, reason = "the parts of an upload")]
pub async fn add_evidence(
    db: &impl TransactionTrait,
    scope: &Scope,
    actor: &Actor,
    uploader: Uuid,
    round_id: Uuid,
    org_id: Uuid,
    file_name: &str,
    indicator_code: Option<&str>,
    content_type: &str,
    data: &[u8],
) -> Result<EvidenceOut, ApiError> {
    if data.len() > EVIDENCE_MAX_BYTES {
        return Err(ApiError::PayloadTooLarge {
            limit: EVIDENCE_MAX_BYTES,
        });
    }
    let name = file_name.trim();
    if name.is_empty()
        || name.chars().count() > 200
        || name.contains(['/', '\\'])
        || name.chars().any(char::is_control)
    {
        return Err(ApiError::field(
            "file_name",
            "file_name_format",
            "1 to 200 characters without '/', '\\' or control characters",
        ));
    }
    if data.is_empty() {
        return Err(ApiError::field("body", "empty_file", "the file is empty"));
    }
    let ct = content_type.trim();
    if ct.is_empty() || ct.len() > 100 || !ct.contains('/') || !ct.is_ascii() {
        return Err(ApiError::field(
            "content_type",
            "content_type_format",
            "send the file's media type in Content-Type",
        ));
    }
    let txn = db.begin().await?;
    let org = get_scoped(&txn, scope, org_id).await?;
    find_round(&txn, round_id).await?;
    let round = lock_open_round(&txn, round_id).await?;
    check_eligible(&txn, &round, &org).await?;
    let indicator = match indicator_code.map(str::trim).filter(|c| !c.is_empty()) {
        Some(code) => Some(
            templates::indicators(&txn, round.template_id)
                .await?
                .into_iter()
                .find(|i| i.code == code)
                .ok_or_else(|| {
                    ApiError::field(
                        "indicator_code",
                        "unknown_indicator",
                        "not an indicator of the round's template",
                    )
                })?,
        ),
        None => None,
    };
    let sha = crate::crypto::hex(&Sha256::digest(data));
    let m = evidence_file::ActiveModel {
        id: Set(Uuid::now_v7()),
        round_id: Set(round_id),
        organization_id: Set(org_id),
        indicator_id: Set(indicator.as_ref().map(|i| i.id)),
        file_name: Set(name.to_owned()),
        content_type: Set(ct.to_ascii_lowercase()),
        size_bytes: Set(i64::try_from(data.len()).unwrap_or(i64::MAX)),
        sha256: Set(sha),
        data: Set(data.to_vec()),
        uploaded_by: Set(uploader),
        created_at: Set(Utc::now()),
    };
    let m = evidence_file::Entity::insert(m)
        .exec_with_returning(&txn)
        .await?;
    audit::record(&txn, actor, audit_entry("upload", "rating_evidence", m.id)).await?;
    txn.commit().await?;
    Ok(EvidenceOut {
        id: m.id,
        indicator_code: indicator.map(|i| i.code),
        file_name: m.file_name,
        content_type: m.content_type,
        size_bytes: m.size_bytes,
        sha256: m.sha256,
        created_at: m.created_at,
    })
}

/// An evidence file for download: admins whose scope covers the organization and reviewers
/// assigned to it in the round.
///
/// # Errors
/// 404 missing or not visible to the caller.
pub async fn get_evidence(
    db: &impl ConnectionTrait,
    user: &AuthUser,
    id: Uuid,
) -> Result<evidence_file::Model, ApiError> {
    let f = evidence_file::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("evidence file"))?;
    if !may_read_org(db, user, f.round_id, f.organization_id).await? {
        return Err(ApiError::NotFound("evidence file"));
    }
    Ok(f)
}

/// Assigns a reviewer to an eligible organization of an open round.
///
/// Conflict of interest: a reviewer whose affiliation (`accounts.organization_id`) is the rated
/// organization or inside its subtree is refused; so is an organization admin whose subtree
/// contains the rated organization (they manage it).
///
/// # Errors
/// 404 round missing; 409 `round_not_open` or `duplicate`; 422 `organization_not_found`,
/// `not_eligible`, `reviewer_not_found`, `reviewer_role`, `conflict_of_interest`.
pub async fn create_assignment(
    db: &impl TransactionTrait,
    actor: &Actor,
    assigner: Uuid,
    round_id: Uuid,
    input: AssignmentIn,
) -> Result<AssignmentOut, ApiError> {
    let txn = db.begin().await?;
    find_round(&txn, round_id).await?;
    let round = lock_open_round(&txn, round_id).await?;
    let org = organization::Entity::find_by_id(input.organization_id)
        .one(&txn)
        .await?
        .ok_or_else(|| {
            ApiError::field(
                "organization_id",
                "organization_not_found",
                "no such organization",
            )
        })?;
    check_eligible(&txn, &round, &org).await?;
    let reviewer = account::Entity::find_by_id(input.reviewer_account_id)
        .one(&txn)
        .await?
        .filter(|a| a.status == AccountStatus::Active)
        .ok_or_else(|| {
            ApiError::field(
                "reviewer_account_id",
                "reviewer_not_found",
                "no such active account",
            )
        })?;
    if !matches!(
        reviewer.role,
        Role::Reviewer | Role::PlatformAdmin | Role::OrgAdmin
    ) {
        return Err(ApiError::field(
            "reviewer_account_id",
            "reviewer_role",
            "the account must be a reviewer or an admin",
        ));
    }
    if let Some(aff) = reviewer.organization_id {
        let inside = is_in_subtree(&txn, org.id, aff).await?;
        let manages = reviewer.role == Role::OrgAdmin && is_in_subtree(&txn, aff, org.id).await?;
        if inside || manages {
            return Err(ApiError::Rule {
                code: "conflict_of_interest",
                detail: "the reviewer belongs to the rated organization or its subtree".into(),
            });
        }
    }
    let a = rating_assignment::ActiveModel {
        id: Set(Uuid::now_v7()),
        round_id: Set(round_id),
        organization_id: Set(org.id),
        reviewer_account_id: Set(reviewer.id),
        assigned_by: Set(assigner),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        actor,
        audit_entry("create", "rating_assignment", a.id),
    )
    .await?;
    let n = u64::try_from(leaves(&txn, round.template_id).await?.len()).unwrap_or(0);
    txn.commit().await?;
    Ok(AssignmentOut::build(a, 0, n, 0))
}

/// Scores of assignments: `(assignment id → [(indicator id, score, comment)])`.
async fn scores_of(
    db: &impl ConnectionTrait,
    assignment_ids: Vec<Uuid>,
) -> Result<HashMap<Uuid, Vec<rating_score::Model>>, ApiError> {
    let mut out: HashMap<Uuid, Vec<rating_score::Model>> = HashMap::new();
    for chunk in assignment_ids.chunks(1000) {
        for s in rating_score::Entity::find()
            .filter(rating_score::Column::AssignmentId.is_in(chunk.to_vec()))
            .all(db)
            .await?
        {
            out.entry(s.assignment_id).or_default().push(s);
        }
    }
    Ok(out)
}

/// Lists the assignments of a round: all for platform admins, only the caller's own otherwise.
///
/// # Errors
/// 404 round missing.
pub async fn list_assignments(
    db: &impl ConnectionTrait,
    user: &AuthUser,
    round_id: Uuid,
    page: u64,
    per_page: u64,
) -> Result<Page<AssignmentOut>, ApiError> {
    let round = find_round(db, round_id).await?;
    let mut q =
        rating_assignment::Entity::find().filter(rating_assignment::Column::RoundId.eq(round_id));
    if user.role != Role::PlatformAdmin {
        q = q.filter(rating_assignment::Column::ReviewerAccountId.eq(user.account_id));
    }
    let p = crate::pagination::fetch(
        q.order_by_asc(rating_assignment::Column::Id),
        db,
        page,
        per_page,
    )
    .await?;
    let leaf_ids: Vec<Uuid> = leaves(db, round.template_id)
        .await?
        .into_iter()
        .map(|l| l.id)
        .collect();
    let n = u64::try_from(leaf_ids.len()).unwrap_or(0);
    let scores = scores_of(db, p.items.iter().map(|a| a.id).collect()).await?;
    Ok(Page {
        items: p
            .items
            .into_iter()
            .map(|a| {
                let s = scores.get(&a.id).map(Vec::as_slice).unwrap_or_default();
                let scored = s
                    .iter()
                    .filter(|x| leaf_ids.contains(&x.indicator_id))
                    .count();
                let total = s.iter().map(|x| x.score).sum();
                AssignmentOut::build(a, u64::try_from(scored).unwrap_or(0), n, total)
            })
            .collect(),
        page: p.page,
        per_page: p.per_page,
        total: p.total,
    })
}

/// The assignment if the caller may see it: its reviewer, or a platform admin (`for_write`:
/// only its reviewer).
async fn visible_assignment(
    db: &impl ConnectionTrait,
    user: &AuthUser,
    id: Uuid,
    for_write: bool,
) -> Result<rating_assignment::Model, ApiError> {
    let a = rating_assignment::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("rating assignment"))?;
    let own = a.reviewer_account_id == user.account_id;
    if own || (!for_write && user.role == Role::PlatformAdmin) {
        Ok(a)
    } else {
        Err(ApiError::NotFound("rating assignment"))
    }
}

async fn assignment_detail(
    db: &impl ConnectionTrait,
    a: rating_assignment::Model,
) -> Result<AssignmentDetailOut, ApiError> {
    let round = find_round(db, a.round_id).await?;
    let inds = templates::indicators(db, round.template_id).await?;
    let n = u64::try_from(inds.iter().filter(|i| i.is_leaf).count()).unwrap_or(0);
    let mut scores = scores_of(db, vec![a.id])
        .await?
        .remove(&a.id)
        .unwrap_or_default();
    scores.sort_by_key(|s| {
        inds.iter()
            .find(|i| i.id == s.indicator_id)
            .map_or(i32::MAX, |i| i.position)
    });
    let total = scores.iter().map(|s| s.score).sum();
    let scored = u64::try_from(scores.len()).unwrap_or(0);
    Ok(AssignmentDetailOut {
        assignment: AssignmentOut::build(a, scored, n, total),
        scores: scores
            .into_iter()
            .map(|s| ScoreIn {
                indicator_code: inds
                    .iter()
                    .find(|i| i.id == s.indicator_id)
                    .map(|i| i.code.clone())
                    .unwrap_or_default(),
                score: s.score,
                comment: s.comment,
            })
            .collect(),
    })
}

/// An assignment with its scores: for its reviewer and platform admins.
///
/// # Errors
/// 404 missing or someone else's.
pub async fn get_assignment(
    db: &impl ConnectionTrait,
    user: &AuthUser,
    id: Uuid,
) -> Result<AssignmentDetailOut, ApiError> {
    let a = visible_assignment(db, user, id, false).await?;
    assignment_detail(db, a).await
}

/// Adds or replaces scores of the caller's own assignment while the round is open.
///
/// # Errors
/// 404 missing or someone else's; 409 `round_not_open`; 422 `unknown_indicator`,
/// `score_out_of_range` (negative or above the indicator's maximum), `indicator_duplicate`,
/// `text_too_long`.
pub async fn put_scores(
    db: &impl TransactionTrait,
    user: &AuthUser,
    actor: &Actor,
    id: Uuid,
    input: ScoresIn,
) -> Result<AssignmentDetailOut, ApiError> {
    let txn = db.begin().await?;
    let a = visible_assignment(&txn, user, id, true).await?;
    let round = lock_open_round(&txn, a.round_id).await?;
    let leaves = leaves(&txn, round.template_id).await?;
    let mut issues = Vec::new();
    let mut rows = Vec::new();
    let mut seen = Vec::new();
    for (i, s) in input.scores.iter().enumerate() {
        let Some(ind) = leaves.iter().find(|l| l.code == s.indicator_code.trim()) else {
            issues.push(FieldIssue::new(
                format!("scores[{i}].indicator_code"),
                "unknown_indicator",
                "not a scored indicator of the round's template",
            ));
            continue;
        };
        if seen.contains(&ind.id) {
            issues.push(FieldIssue::new(
                format!("scores[{i}].indicator_code"),
                "indicator_duplicate",
                "one score per indicator",
            ));
        }
        seen.push(ind.id);
        if !(0..=ind.max_score).contains(&s.score) {
            issues.push(FieldIssue::new(
                format!("scores[{i}].score"),
                "score_out_of_range",
                format!("0 to {} hundredths", ind.max_score),
            ));
        }
        if s.comment.chars().count() > 2000 {
            issues.push(FieldIssue::new(
                format!("scores[{i}].comment"),
                "text_too_long",
                "at most 2000 characters",
            ));
        }
        rows.push(rating_score::ActiveModel {
            id: Set(Uuid::now_v7()),
            assignment_id: Set(a.id),
            indicator_id: Set(ind.id),
            score: Set(s.score),
            comment: Set(s.comment.trim().to_owned()),
            updated_at: Set(Utc::now()),
        });
    }
    if !issues.is_empty() {
        return Err(ApiError::Validation(issues));
    }
    rating_score::Entity::delete_many()
        .filter(rating_score::Column::AssignmentId.eq(a.id))
        .filter(rating_score::Column::IndicatorId.is_in(seen))
        .exec(&txn)
        .await?;
    for chunk in rows.chunks(500) {
        rating_score::Entity::insert_many(chunk.to_vec())
            .exec(&txn)
            .await?;
    }
    audit::record(&txn, actor, audit_entry("score", "rating_assignment", a.id)).await?;
    let out = assignment_detail(&txn, a).await?;
    txn.commit().await?;
    Ok(out)
}

/// Publishes a round's results: every assignment must have every leaf indicator scored. Each
/// organization with assignments gets a result: the exact mean of its reviewers' totals
/// (optionally trimmed), graded by the round's bands; valid for `validity_years` from the
/// publication date (platform time zone), appealable for `appeal_days`.
///
/// # Errors
/// 404 missing; 409 `round_not_open`; 412 `version_mismatch`; 422 `no_assignments`, or a
/// validation problem listing every incomplete assignment (`scores_missing`).
pub async fn publish(
    db: &impl TransactionTrait,
    actor: &Actor,
    today: NaiveDate,
    id: Uuid,
    input: PublishIn,
) -> Result<RoundOut, ApiError> {
    let txn = db.begin().await?;
    let current = find_round(&txn, id).await?;
    let round = lock_open_round(&txn, id).await?;
    if round.version != input.version {
        return Err(ApiError::VersionMismatch {
            current: current.version,
        });
    }
    let template = rating_template::Entity::find_by_id(round.template_id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("rating template"))?;
    let leaf_ids: Vec<Uuid> = leaves(&txn, round.template_id)
        .await?
        .into_iter()
        .map(|l| l.id)
        .collect();
    let assignments = rating_assignment::Entity::find()
        .filter(rating_assignment::Column::RoundId.eq(id))
        .order_by_asc(rating_assignment::Column::Id)
        .all(&txn)
        .await?;
    if assignments.is_empty() {
        return Err(ApiError::Rule {
            code: "no_assignments",
            detail: "assign reviewers before publishing".into(),
        });
    }
    let scores = scores_of(&txn, assignments.iter().map(|a| a.id).collect()).await?;
    let mut missing = Vec::new();
    let mut totals: Vec<(Uuid, Vec<i64>)> = Vec::new();
    for a in &assignments {
        let s = scores.get(&a.id).map(Vec::as_slice).unwrap_or_default();
        let scored = leaf_ids
            .iter()
            .filter(|l| s.iter().any(|x| x.indicator_id == **l))
            .count();
        if scored < leaf_ids.len() {
            missing.push(FieldIssue::new(
                format!("assignments[{}]", a.id),
                "scores_missing",
                format!(
                    "reviewer {} has scored {scored} of {} indicators of organization {}",
                    a.reviewer_account_id,
                    leaf_ids.len(),
                    a.organization_id
                ),
            ));
            continue;
        }
        let total: i64 = s
            .iter()
            .filter(|x| leaf_ids.contains(&x.indicator_id))
            .map(|x| x.score)
            .sum();
        match totals.iter_mut().find(|(o, _)| *o == a.organization_id) {
            Some((_, v)) => v.push(total),
            None => totals.push((a.organization_id, vec![total])),
        }
    }
    if !missing.is_empty() {
        return Err(ApiError::Validation(missing));
    }
    let now = Utc::now();
    let years = u32::try_from(round.validity_years).unwrap_or(5);
    let valid_until = today
        .checked_add_months(Months::new(years.saturating_mul(12)))
        .and_then(|d| d.pred_opt())
        .unwrap_or(NaiveDate::MAX);
    let deadline = now + Duration::days(i64::from(round.appeal_days));
    let bands = bands_of(&round);
    for (org, t) in totals {
        let Some(agg) = rules::aggregate(&t, round.trim_extremes) else {
            continue;
        };
        rating_result::ActiveModel {
            id: Set(Uuid::now_v7()),
            round_id: Set(id),
            organization_id: Set(org),
            reviewer_count: Set(i32::try_from(agg.reviewer_count).unwrap_or(i32::MAX)),
            counted_reviewers: Set(i32::try_from(agg.counted).unwrap_or(i32::MAX)),
            score_sum: Set(agg.sum),
            max_score: Set(template.total_max_score),
            grade: Set(rules::grade(
                agg.sum,
                agg.counted,
                template.total_max_score,
                &bands,
            )),
            adjusted: Set(false),
            superseded: Set(false),
            published_at: Set(now),
            valid_until: Set(valid_until),
            appeal_deadline: Set(deadline),
            created_at: Set(now),
        }
        .insert(&txn)
        .await?;
    }
    let mut a = round.into_active_model();
    a.status = Set(RoundStatus::Published);
    a.published_at = Set(Some(now));
    a.valid_until = Set(Some(valid_until));
    a.appeal_deadline = Set(Some(deadline));
    a.version = Set(current.version + 1);
    a.updated_at = Set(now);
    let round = a.update(&txn).await?;
    audit::record(&txn, actor, audit_entry("publish", "rating_round", id)).await?;
    txn.commit().await?;
    Ok(round.into())
}

/// Results of a round: all for platform admins, those of the caller's subtree for organization
/// admins.
///
/// # Errors
/// 404 round missing.
pub async fn list_results(
    db: &impl ConnectionTrait,
    scope: &Scope,
    round_id: Uuid,
    page: u64,
    per_page: u64,
) -> Result<Page<ResultOut>, ApiError> {
    find_round(db, round_id).await?;
    let mut q = rating_result::Entity::find().filter(rating_result::Column::RoundId.eq(round_id));
    match scope {
        Scope::All => {}
        Scope::Subtree(root) => {
            q = q.filter(rating_result::Column::OrganizationId.in_subquery(subtree_ids(*root)));
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
    let p = crate::pagination::fetch(
        q.order_by_asc(rating_result::Column::OrganizationId)
            .order_by_asc(rating_result::Column::Id),
        db,
        page,
        per_page,
    )
    .await?;
    Ok(Page {
        items: p.items.into_iter().map(Into::into).collect(),
        page: p.page,
        per_page: p.per_page,
        total: p.total,
    })
}

/// Files an appeal against a result within its appeal window.
///
/// # Errors
/// 404 missing or outside scope; 409 `appeal_window_closed`, `result_superseded`,
/// `appeal_pending`; 422 `text_length`.
pub async fn create_appeal(
    db: &impl TransactionTrait,
    scope: &Scope,
    actor: &Actor,
    filer: Uuid,
    result_id: Uuid,
    input: AppealIn,
) -> Result<AppealOut, ApiError> {
    let reason = input.reason.trim().to_owned();
    if reason.is_empty() || reason.chars().count() > 4000 {
        return Err(ApiError::field(
            "reason",
            "text_length",
            "1 to 4000 characters",
        ));
    }
    let txn = db.begin().await?;
    let r = rating_result::Entity::find_by_id(result_id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("rating result"))?;
    if !in_scope(&txn, scope, r.organization_id).await? {
        return Err(ApiError::NotFound("rating result"));
    }
    if Utc::now() >= r.appeal_deadline {
        return Err(ApiError::Conflict {
            code: "appeal_window_closed",
            detail: format!(
                "the appeal window closed at {}",
                r.appeal_deadline.to_rfc3339()
            ),
        });
    }
    if r.superseded {
        return Err(ApiError::Conflict {
            code: "result_superseded",
            detail: "this result was replaced after an appeal".into(),
        });
    }
    let pending = rating_appeal::Entity::find()
        .filter(rating_appeal::Column::ResultId.eq(result_id))
        .filter(rating_appeal::Column::Status.eq(AppealStatus::Pending))
        .count(&txn)
        .await?;
    if pending > 0 {
        return Err(ApiError::Conflict {
            code: "appeal_pending",
            detail: "an appeal against this result is already pending".into(),
        });
    }
    let a = rating_appeal::ActiveModel {
        id: Set(Uuid::now_v7()),
        result_id: Set(result_id),
        organization_id: Set(r.organization_id),
        reason: Set(reason),
        status: Set(AppealStatus::Pending),
        filed_by: Set(filer),
        filed_at: Set(Utc::now()),
        resolution: Set(None),
        resolved_by: Set(None),
        resolved_at: Set(None),
        new_result_id: Set(None),
    }
    .insert(&txn)
    .await?;
    audit::record(&txn, actor, audit_entry("create", "rating_appeal", a.id)).await?;
    txn.commit().await?;
    Ok(a.into())
}

/// Resolves a pending appeal: `upheld` replaces the result by a new one with the adjusted
/// aggregate (graded by the round's bands, same validity; the old one is kept as superseded);
/// `dismissed` leaves the result.
///
/// # Errors
/// 404 missing; 409 `appeal_resolved`; 422 `adjusted_score_required`, `score_out_of_range`,
/// `text_length`.
pub async fn resolve_appeal(
    db: &impl TransactionTrait,
    actor: &Actor,
    resolver: Uuid,
    id: Uuid,
    input: AppealResolutionIn,
) -> Result<AppealOut, ApiError> {
    let resolution = input.resolution.trim().to_owned();
    if resolution.is_empty() || resolution.chars().count() > 4000 {
        return Err(ApiError::field(
            "resolution",
            "text_length",
            "1 to 4000 characters",
        ));
    }
    let txn = db.begin().await?;
    // Claim the appeal: only one resolution wins, also under concurrent requests.
    let claimed = rating_appeal::Entity::update_many()
        .col_expr(rating_appeal::Column::ResolvedBy, Expr::value(resolver))
        .filter(rating_appeal::Column::Id.eq(id))
        .filter(rating_appeal::Column::Status.eq(AppealStatus::Pending))
        .exec(&txn)
        .await?;
    let appeal = rating_appeal::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("rating appeal"))?;
    if claimed.rows_affected == 0 {
        return Err(ApiError::Conflict {
            code: "appeal_resolved",
            detail: "the appeal is already resolved".into(),
        });
    }
    let now = Utc::now();
    let mut new_result = None;
    let status = match input.outcome {
        AppealOutcome::Dismissed => AppealStatus::Dismissed,
        AppealOutcome::Upheld => {
            let old = rating_result::Entity::find_by_id(appeal.result_id)
                .one(&txn)
                .await?
                .ok_or(ApiError::NotFound("rating result"))?;
            let adjusted = input.adjusted_score.ok_or_else(|| {
                ApiError::field(
                    "adjusted_score",
                    "adjusted_score_required",
                    "an upheld appeal needs the adjusted aggregate",
                )
            })?;
            if !(0..=old.max_score).contains(&adjusted) {
                return Err(ApiError::field(
                    "adjusted_score",
                    "score_out_of_range",
                    format!("0 to {} hundredths", old.max_score),
                ));
            }
            let round = find_round(&txn, old.round_id).await?;
            let bands = bands_of(&round);
            let n = rating_result::ActiveModel {
                id: Set(Uuid::now_v7()),
                round_id: Set(old.round_id),
                organization_id: Set(old.organization_id),
                reviewer_count: Set(old.reviewer_count),
                counted_reviewers: Set(1),
                score_sum: Set(adjusted),
                max_score: Set(old.max_score),
                grade: Set(rules::grade(adjusted, 1, old.max_score, &bands)),
                adjusted: Set(true),
                superseded: Set(false),
                published_at: Set(old.published_at),
                valid_until: Set(old.valid_until),
                appeal_deadline: Set(old.appeal_deadline),
                created_at: Set(now),
            }
            .insert(&txn)
            .await?;
            let mut o = old.into_active_model();
            o.superseded = Set(true);
            o.update(&txn).await?;
            new_result = Some(n.id);
            AppealStatus::Upheld
        }
    };
    let mut a = appeal.into_active_model();
    a.status = Set(status);
    a.resolution = Set(Some(resolution));
    a.resolved_by = Set(Some(resolver));
    a.resolved_at = Set(Some(now));
    a.new_result_id = Set(new_result);
    let a = a.update(&txn).await?;
    audit::record(&txn, actor, audit_entry("resolve", "rating_appeal", id)).await?;
    txn.commit().await?;
    Ok(a.into())
}

/// Grade history of an organization in scope: every published result, newest first, and the
/// current valid grade.
///
/// # Errors
/// 404 missing or outside scope.
pub async fn grade_history(
    db: &impl ConnectionTrait,
    scope: &Scope,
    today: NaiveDate,
    org_id: Uuid,
) -> Result<GradeHistoryOut, ApiError> {
    get_scoped(db, scope, org_id).await?;
    let results = rating_result::Entity::find()
        .filter(rating_result::Column::OrganizationId.eq(org_id))
        .order_by_desc(rating_result::Column::PublishedAt)
        .order_by_desc(rating_result::Column::Id)
        .all(db)
        .await?;
    let current = results
        .iter()
        .find(|r| !r.superseded && r.grade.is_some() && r.valid_until >= today)
        .cloned()
        .map(Into::into);
    Ok(GradeHistoryOut {
        organization_id: org_id,
        current,
        results: results.into_iter().map(Into::into).collect(),
    })
}

/// Lists appeals, newest first: all for platform admins, those of organizations in the caller's
/// subtree for organization admins.
///
/// # Errors
/// Database errors.
pub async fn list_appeals(
    db: &impl ConnectionTrait,
    scope: &Scope,
    filter: &AppealFilter,
    page: u64,
    per_page: u64,
) -> Result<Page<AppealOut>, ApiError> {
    let mut q = rating_appeal::Entity::find();
    match scope {
        Scope::All => {}
        Scope::Subtree(root) => {
            q = q.filter(rating_appeal::Column::OrganizationId.in_subquery(subtree_ids(*root)));
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
    if let Some(s) = filter.status {
        q = q.filter(rating_appeal::Column::Status.eq(s));
    }
    if let Some(r) = filter.round_id {
        q = q.filter(
            rating_appeal::Column::ResultId.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(rating_result::Column::Id)
                    .from(rating_result::Entity)
                    .and_where(rating_result::Column::RoundId.eq(r))
                    .to_owned(),
            ),
        );
    }
    let p = crate::pagination::fetch(
        q.order_by_desc(rating_appeal::Column::Id),
        db,
        page,
        per_page,
    )
    .await?;
    Ok(Page {
        items: p.items.into_iter().map(Into::into).collect(),
        page: p.page,
        per_page: p.per_page,
        total: p.total,
    })
}
