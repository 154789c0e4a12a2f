//! Rating templates (评价指标体系): a tree of indicators with weights, maximum scores and the
//! evidence expected. Each version is immutable: creating a template with an existing code
//! publishes its next version, and rounds keep the version they were opened with.
//!
//! Rule chosen for the tree: a parent's maximum equals the sum of its children's maxima, and
//! the stated total equals the sum of the top-level maxima; only leaves are scored, so a total is
//! the plain sum of the leaf scores.

use std::collections::HashSet;

use chrono::Utc;
use entity::social_orgs::{rating_indicator, rating_template};
use sea_orm::{
    ActiveValue::Set, ColumnTrait as _, ConnectionTrait, EntityTrait as _, QueryFilter as _,
    QueryOrder as _, TransactionSession as _, TransactionTrait,
};
use uuid::Uuid;

use super::dto::{
    IndicatorIn, IndicatorOut, TemplateFilter, TemplateIn, TemplateOut, TemplateSummaryOut,
};
use super::rules::{self, Node};
use crate::audit::{self, Actor, Entry};
use crate::error::{ApiError, FieldIssue};
use crate::pagination::Page;

/// Deepest indicator level accepted.
const MAX_DEPTH: usize = 4;
/// Most indicators in one template.
const MAX_INDICATORS: usize = 500;

struct Flat<'a> {
    ind: &'a IndicatorIn,
    parent: Option<usize>,
}

fn flatten<'a>(
    list: &'a [IndicatorIn],
    parent: Option<usize>,
    path: &str,
    depth: usize,
    out: &mut Vec<Flat<'a>>,
    issues: &mut Vec<FieldIssue>,
) {
    for (i, ind) in list.iter().enumerate() {
        let p = format!("{path}[{i}]");
        if depth > MAX_DEPTH {
            issues.push(FieldIssue::new(
                p,
                "indicator_depth",
                format!("at most {MAX_DEPTH} levels of indicators"),
            ));
            continue;
        }
        let name_len = ind.name.trim().chars().count();
        if name_len == 0 || name_len > 200 {
            issues.push(FieldIssue::new(
                format!("{p}.name"),
                "text_length",
                "1 to 200 characters",
            ));
        }
        if ind.evidence.chars().count() > 2000 {
            issues.push(FieldIssue::new(
                format!("{p}.evidence"),
                "text_too_long",
                "at most 2000 characters",
            ));
        }
        let children_max = (!ind.children.is_empty()).then(|| sum_of_maxima(&ind.children));
        for (field, code, message) in rules::check_node(&Node {
            path: p.clone(),
            code: ind.code.trim(),
            weight: ind.weight,
            max_score: ind.max_score,
            children_max,
        }) {
            issues.push(FieldIssue::new(field, code, message));
        }
        let me = out.len();
        out.push(Flat { ind, parent });
        flatten(
            &ind.children,
            Some(me),
            &format!("{p}.children"),
            depth + 1,
            out,
            issues,
        );
    }
}

/// The sum of the indicators' maxima, saturating: the maxima are client input not yet
/// range-checked, and an overflowing sum must read as a mismatch (422), not panic or wrap.
fn sum_of_maxima(list: &[IndicatorIn]) -> i64 {
    list.iter()
        .fold(0i64, |sum, i| sum.saturating_add(i.max_score))
}

fn check_code(code: &str) -> bool {
    let len = code.len();
    (2..=64).contains(&len)
        && code.starts_with(|c: char| c.is_ascii_lowercase())
        && code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Stores a new template version (version 1 for a new code, else the next one).
///
/// # Errors
/// 422 validation (`template_code_format`, `indicator_code_format`, `indicator_code_duplicate`,
/// `weight_range`, `max_score_range`, `children_max_mismatch`, `total_max_mismatch`,
/// `indicator_depth`, `indicator_count` …); 409 `duplicate` when a concurrent request took the
/// same version.
pub async fn create(
    db: &impl TransactionTrait,
    actor: &Actor,
    input: TemplateIn,
) -> Result<TemplateOut, ApiError> {
    let mut issues = Vec::new();
    let code = input.code.trim().to_owned();
    if !check_code(&code) {
        issues.push(FieldIssue::new(
            "code",
            "template_code_format",
            "snake_case, 2 to 64 characters",
        ));
    }
    let name = input.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 200 {
        issues.push(FieldIssue::new(
            "name",
            "text_length",
            "1 to 200 characters",
        ));
    }
    if input.description.chars().count() > 4000 {
        issues.push(FieldIssue::new(
            "description",
            "text_too_long",
            "at most 4000 characters",
        ));
    }
    if input.indicators.is_empty() || input.indicators.len() > 50 {
        issues.push(FieldIssue::new(
            "indicators",
            "indicator_count",
            "1 to 50 top-level indicators",
        ));
    }
    let mut flat = Vec::new();
    flatten(
        &input.indicators,
        None,
        "indicators",
        1,
        &mut flat,
        &mut issues,
    );
    if flat.len() > MAX_INDICATORS {
        issues.push(FieldIssue::new(
            "indicators",
            "indicator_count",
            format!("at most {MAX_INDICATORS} indicators in all"),
        ));
    }
    let mut seen = HashSet::new();
    for f in &flat {
        if !seen.insert(f.ind.code.trim()) {
            issues.push(FieldIssue::new(
                "indicators",
                "indicator_code_duplicate",
                format!("indicator code {} is used twice", f.ind.code.trim()),
            ));
        }
    }
    let top = sum_of_maxima(&input.indicators);
    if top != input.total_max_score {
        issues.push(FieldIssue::new(
            "total_max_score",
            "total_max_mismatch",
            format!(
                "total_max_score must equal the sum of the top-level maxima ({})",
                rules::format_hundredths(top)
            ),
        ));
    }
    if !issues.is_empty() {
        return Err(ApiError::Validation(issues));
    }

    let txn = db.begin().await?;
    let latest = rating_template::Entity::find()
        .filter(rating_template::Column::Code.eq(code.as_str()))
        .order_by_desc(rating_template::Column::Version)
        .one(&txn)
        .await?
        .map_or(0, |t| t.version);
    let template_id = Uuid::now_v7();
    let t = rating_template::ActiveModel {
        id: Set(template_id),
        code: Set(code),
        version: Set(latest + 1),
        name: Set(name),
        description: Set(input.description.trim().to_owned()),
        total_max_score: Set(input.total_max_score),
        created_by: Set(actor.account_id),
        created_at: Set(Utc::now()),
    };
    rating_template::Entity::insert(t).exec(&txn).await?;
    let ids: Vec<Uuid> = flat.iter().map(|_| Uuid::now_v7()).collect();
    let models: Vec<rating_indicator::ActiveModel> = flat
        .iter()
        .zip(&ids)
        .enumerate()
        .map(|(pos, (f, id))| rating_indicator::ActiveModel {
            id: Set(*id),
            template_id: Set(template_id),
            parent_id: Set(f.parent.and_then(|p| ids.get(p).copied())),
            code: Set(f.ind.code.trim().to_owned()),
            name: Set(f.ind.name.trim().to_owned()),
            weight: Set(i32::try_from(f.ind.weight).unwrap_or(1)),
            max_score: Set(f.ind.max_score),
            evidence: Set(f.ind.evidence.trim().to_owned()),
            is_leaf: Set(f.ind.children.is_empty()),
            position: Set(i32::try_from(pos).unwrap_or(i32::MAX)),
        })
        .collect();
    // 10 columns per row: chunks of 500 stay below both databases' bind-parameter limits.
    for chunk in models.chunks(500) {
        rating_indicator::Entity::insert_many(chunk.to_vec())
            .exec(&txn)
            .await?;
    }
    audit::record(
        &txn,
        actor,
        Entry {
            action: "create",
            entity_type: "rating_template",
            entity_id: template_id,
            fields: vec![],
            reason: None,
        },
    )
    .await?;
    let out = get_in(&txn, template_id).await?;
    txn.commit().await?;
    Ok(out)
}

/// The indicators of a template version, in template order.
///
/// # Errors
/// Database errors.
pub async fn indicators(
    db: &impl ConnectionTrait,
    template_id: Uuid,
) -> Result<Vec<rating_indicator::Model>, ApiError> {
    Ok(rating_indicator::Entity::find()
        .filter(rating_indicator::Column::TemplateId.eq(template_id))
        .order_by_asc(rating_indicator::Column::Position)
        .all(db)
        .await?)
}

fn tree(all: &[rating_indicator::Model], parent: Option<Uuid>) -> Vec<IndicatorOut> {
    all.iter()
        .filter(|i| i.parent_id == parent)
        .map(|i| IndicatorOut {
            id: i.id,
            code: i.code.clone(),
            name: i.name.clone(),
            weight: i.weight,
            max_score: i.max_score,
            max_score_display: rules::format_hundredths(i.max_score),
            evidence: i.evidence.clone(),
            is_leaf: i.is_leaf,
            children: tree(all, Some(i.id)),
        })
        .collect()
}

async fn get_in(db: &impl ConnectionTrait, id: Uuid) -> Result<TemplateOut, ApiError> {
    let t = rating_template::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("rating template"))?;
    let all = indicators(db, id).await?;
    Ok(TemplateOut {
        template: t.into(),
        indicators: tree(&all, None),
    })
}

/// A template version with its indicator tree.
///
/// # Errors
/// 404 missing.
pub async fn get(db: &impl ConnectionTrait, id: Uuid) -> Result<TemplateOut, ApiError> {
    get_in(db, id).await
}

/// Lists template versions by code, newest version first.
///
/// # Errors
/// Database errors.
pub async fn list(
    db: &impl ConnectionTrait,
    filter: &TemplateFilter,
    page: u64,
    per_page: u64,
) -> Result<Page<TemplateSummaryOut>, ApiError> {
    let mut q = rating_template::Entity::find();
    if let Some(c) = filter
        .code
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        q = q.filter(rating_template::Column::Code.eq(c));
    }
    let p = crate::pagination::fetch(
        q.order_by_asc(rating_template::Column::Code)
            .order_by_desc(rating_template::Column::Version),
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
