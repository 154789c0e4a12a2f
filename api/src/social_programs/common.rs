//! Helpers shared by the services of this module: text validation, scope checks, region
//! subtrees, conditional version bumps.

use entity::region;
use sea_orm::sea_query::{Query, SelectStatement};
use sea_orm::{ColumnTrait as _, ConnectionTrait, EntityTrait as _, QueryFilter as _};
use uuid::Uuid;

use crate::auth::{AuthUser, Scope};
use crate::error::{ApiError, FieldIssue};
use crate::organizations::service::in_scope;
use crate::pagination::Page;
use crate::volunteers::domain::clean_text;

/// Required single-line-or-multi-line text: trimmed, 1..=`max` characters, no control
/// characters other than line breaks and tabs when `multiline`.
pub fn required(
    issues: &mut Vec<FieldIssue>,
    field: &str,
    raw: &str,
    max: usize,
    multiline: bool,
) -> String {
    if multiline {
        let v = optional_long(issues, field, raw, max);
        if v.is_empty() {
            issues.push(FieldIssue::new(field, "text_empty", "must not be empty"));
        }
        v
    } else {
        match clean_text(raw, max) {
            Ok(v) => v,
            Err(e) => {
                issues.push(FieldIssue::new(field, e.code, e.message));
                String::new()
            }
        }
    }
}

/// Free text that may be empty and may contain line breaks and tabs: trimmed, at most `max`
/// characters, no other control characters.
pub fn optional_long(issues: &mut Vec<FieldIssue>, field: &str, raw: &str, max: usize) -> String {
    let v = raw.trim().to_owned();
    if v.chars().count() > max {
        issues.push(FieldIssue::new(
            field,
            "text_too_long",
            format!("at most {max} characters"),
        ));
    } else if v
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        issues.push(FieldIssue::new(
            field,
            "text_characters",
            "control characters are not allowed",
        ));
    }
    v
}

/// 409 `invalid_state`.
pub fn invalid_state(detail: impl Into<String>) -> ApiError {
    ApiError::Conflict {
        code: "invalid_state",
        detail: detail.into(),
    }
}

/// An empty page.
pub fn empty_page<T>(page: u64, per_page: u64) -> Page<T> {
    Page {
        items: vec![],
        page,
        per_page,
        total: 0,
    }
}

/// Maps the items of a page.
pub fn page_map<T, U>(p: Page<T>, f: impl FnMut(T) -> U) -> Page<U> {
    Page {
        items: p.items.into_iter().map(f).collect(),
        page: p.page,
        per_page: p.per_page,
        total: p.total,
    }
}

/// Adds a 422 `organization_not_found` issue unless `org` exists and the scope covers it.
///
/// # Errors
/// Database errors.
pub async fn org_field(
    db: &impl ConnectionTrait,
    scope: &Scope,
    issues: &mut Vec<FieldIssue>,
    field: &str,
    org: Uuid,
) -> Result<Option<entity::organization::Model>, ApiError> {
    let found = if in_scope(db, scope, org).await? {
        entity::organization::Entity::find_by_id(org)
            .one(db)
            .await?
    } else {
        None
    };
    if found.is_none() {
        issues.push(FieldIssue::new(
            field,
            "organization_not_found",
            "no such organization in your scope",
        ));
    }
    Ok(found)
}

/// Whether `code` is six digits.
pub fn is_region_code(code: &str) -> bool {
    code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit())
}

/// Adds a 422 issue unless `code` is an existing region; returns the trimmed code.
///
/// # Errors
/// Database errors.
pub async fn region_field(
    db: &impl ConnectionTrait,
    issues: &mut Vec<FieldIssue>,
    field: &str,
    raw: &str,
) -> Result<String, ApiError> {
    let code = raw.trim().to_owned();
    if !is_region_code(&code) {
        issues.push(FieldIssue::new(
            field,
            "region_format",
            "a region code has six digits",
        ));
    } else if region::Entity::find_by_id(code.clone())
        .one(db)
        .await?
        .is_none()
    {
        issues.push(FieldIssue::new(
            field,
            "region_unknown",
            "no such region code",
        ));
    }
    Ok(code)
}

/// `SELECT code FROM regions` for `code` and every region below it, through the parent links
/// (province → prefecture → county: GB/T 2260 has three levels).
pub fn region_subtree(code: &str) -> SelectStatement {
    let children = Query::select()
        .column(region::Column::Code)
        .from(region::Entity)
        .and_where(region::Column::ParentCode.eq(code))
        .to_owned();
    Query::select()
        .column(region::Column::Code)
        .from(region::Entity)
        .cond_where(
            sea_orm::Condition::any()
                .add(region::Column::Code.eq(code))
                .add(region::Column::ParentCode.eq(code))
                .add(region::Column::ParentCode.in_subquery(children)),
        )
        .to_owned()
}

/// Whether `org`'s region is `code` or below it.
///
/// # Errors
/// Database errors.
pub async fn region_within(
    db: &impl ConnectionTrait,
    org_region: &str,
    code: &str,
) -> Result<bool, ApiError> {
    Ok(region::Entity::find()
        .filter(region::Column::Code.eq(org_region))
        .filter(region::Column::Code.in_subquery(region_subtree(code)))
        .one(db)
        .await?
        .is_some())
}

/// The registration date (登记日期) of an organization from the youth-social-organization
/// registry (`youth_org_profiles.registered_on`, issue 6 part A), if recorded.
///
/// # Errors
/// Database errors.
pub async fn registered_on(
    db: &impl ConnectionTrait,
    org: Uuid,
) -> Result<Option<chrono::NaiveDate>, ApiError> {
    Ok(entity::social_orgs::profile::Entity::find_by_id(org)
        .one(db)
        .await?
        .and_then(|p| p.registered_on))
}

/// The caller's own organization (org admins), for the no-self-curation rule.
pub fn own_org(user: &AuthUser) -> Option<Uuid> {
    match user.scope() {
        Scope::Subtree(org) => Some(org),
        _ => None,
    }
}
