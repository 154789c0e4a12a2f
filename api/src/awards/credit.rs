//! Credit list (诚信激励): volunteers' consent (given and withdrawn by the volunteer, both
//! audited with timestamps), the versioned credit-list rule (platform admins; each version with
//! an effective date, never edited), and the export for the credit-information departments.
//!
//! Who is on the list on a day: active volunteers who consent at the moment of the export, have
//! no sanction active that day, and meet the rule version in force (the highest version whose
//! `effective_from` is on or before the day): current stored star level ≥ `min_star_level` and
//! approved minutes ≥ `min_minutes`, where set.
//!
//! ID numbers: exported masked by default. Clear ID numbers are decrypted only when the export
//! asks for them with a reason (5–500 characters); that export writes an audit row
//! `export_unmasked` with the reason before any data leaves. Every export is audited.

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use entity::awards::{credit_consent, credit_list_rule};
use entity::enums::VolunteerStatus;
use entity::{volunteer, volunteer_level, volunteer_total};
use sea_orm::sea_query::{OnConflict, Query};
use sea_orm::{
    ColumnTrait as _, ConnectionTrait, EntityTrait as _, QueryFilter as _, QueryOrder as _,
    QuerySelect as _, TransactionSession as _, TransactionTrait,
};
use uuid::Uuid;

use super::dto::{ConsentOut, CreditEntryOut, CreditExportIn, CreditRuleIn};
use super::service::{sanctioned_volunteers, text_or_422};
use crate::audit::{self, Actor, Entry};
use crate::crypto::FieldCrypto;
use crate::error::{ApiError, FieldIssue};
use crate::pagination::{self, Page};

const CONSENT: &str = "credit_consent";
const RULE: &str = "credit_list_rule";

/// The volunteer's current consent.
///
/// # Errors
/// Database errors.
pub async fn consent(
    db: &impl ConnectionTrait,
    volunteer_id: Uuid,
) -> Result<ConsentOut, ApiError> {
    let m = credit_consent::Entity::find_by_id(volunteer_id)
        .one(db)
        .await?;
    Ok(ConsentOut::new(volunteer_id, m))
}

/// Gives (`give = true`) or withdraws consent. A change writes the row and an audit row
/// (`consent` / `withdraw_consent`) in one transaction; repeating the current state changes
/// nothing.
///
/// # Errors
/// Database errors.
pub async fn set_consent<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor,
    volunteer_id: Uuid,
    give: bool,
) -> Result<ConsentOut, ApiError> {
    let txn = db.begin().await?;
    let current = credit_consent::Entity::find_by_id(volunteer_id)
        .one(&txn)
        .await?;
    if current.as_ref().map_or(!give, |c| c.consented == give) {
        txn.commit().await?;
        return Ok(ConsentOut::new(volunteer_id, current));
    }
    let now = Utc::now();
    let next = credit_consent::Model {
        volunteer_id,
        consented: give,
        consented_at: if give {
            Some(now)
        } else {
            current.as_ref().and_then(|c| c.consented_at)
        },
        withdrawn_at: if give {
            current.as_ref().and_then(|c| c.withdrawn_at)
        } else {
            Some(now)
        },
        updated_at: now,
    };
    {
        use credit_consent::Column as C;
        credit_consent::Entity::insert(credit_consent::ActiveModel::from(next.clone()))
            .on_conflict(
                OnConflict::column(C::VolunteerId)
                    .update_columns([C::Consented, C::ConsentedAt, C::WithdrawnAt, C::UpdatedAt])
                    .to_owned(),
            )
            .exec_without_returning(&txn)
            .await?;
    }
    audit::record(
        &txn,
        actor,
        Entry {
            action: if give { "consent" } else { "withdraw_consent" },
            entity_type: CONSENT,
            entity_id: volunteer_id,
            fields: vec![
                "consented".into(),
                if give { "consented_at" } else { "withdrawn_at" }.into(),
            ],
            reason: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(ConsentOut::new(volunteer_id, Some(next)))
}

/// Stores a new version of the credit-list rule (platform admins). Audit action `create`.
///
/// # Errors
/// 422 `rule_empty`, `star_level_range`, `minutes_range`, `effective_from_past`; 409
/// `duplicate` on a concurrent create; database errors.
pub async fn create_rule<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor,
    today: NaiveDate,
    input: CreditRuleIn,
) -> Result<credit_list_rule::Model, ApiError> {
    let mut issues = Vec::new();
    if input.min_star_level.is_none() && input.min_minutes.is_none() {
        issues.push(FieldIssue::new(
            "min_star_level",
            "rule_empty",
            "set min_star_level, min_minutes or both",
        ));
    }
    if input.min_star_level.is_some_and(|l| !(1..=5).contains(&l)) {
        issues.push(FieldIssue::new(
            "min_star_level",
            "star_level_range",
            "min_star_level is 1 to 5",
        ));
    }
    if input
        .min_minutes
        .is_some_and(|m| !(1..=6_000_000).contains(&m))
    {
        issues.push(FieldIssue::new(
            "min_minutes",
            "minutes_range",
            "min_minutes is 1 to 6000000",
        ));
    }
    if input.effective_from < today {
        issues.push(FieldIssue::new(
            "effective_from",
            "effective_from_past",
            "a rule takes effect today or later; rules are never changed retroactively",
        ));
    }
    if !issues.is_empty() {
        return Err(ApiError::Validation(issues));
    }
    let txn = db.begin().await?;
    let latest: Option<i32> = credit_list_rule::Entity::find()
        .select_only()
        .column(credit_list_rule::Column::Version)
        .order_by_desc(credit_list_rule::Column::Version)
        .into_tuple()
        .one(&txn)
        .await?;
    let model = credit_list_rule::Model {
        id: Uuid::now_v7(),
        version: latest.map_or(1, |v| v.saturating_add(1)),
        min_star_level: input.min_star_level,
        min_minutes: input.min_minutes,
        effective_from: input.effective_from,
        created_by: actor.account_id,
        created_at: Utc::now(),
    };
    credit_list_rule::Entity::insert(credit_list_rule::ActiveModel::from(model.clone()))
        .exec_without_returning(&txn)
        .await?;
    audit::record(
        &txn,
        actor,
        Entry {
            action: "create",
            entity_type: RULE,
            entity_id: model.id,
            fields: ["version", "min_star_level", "min_minutes", "effective_from"]
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

/// Versions of the rule, newest first.
///
/// # Errors
/// Database errors.
pub async fn list_rules(
    db: &impl ConnectionTrait,
    page: u64,
    per_page: u64,
) -> Result<Page<credit_list_rule::Model>, ApiError> {
    let q = credit_list_rule::Entity::find().order_by_desc(credit_list_rule::Column::Version);
    pagination::fetch(q, db, page, per_page).await
}

/// The rule version in force on `today`, if any.
///
/// # Errors
/// Database errors.
pub async fn rule_in_force(
    db: &impl ConnectionTrait,
    today: NaiveDate,
) -> Result<Option<credit_list_rule::Model>, ApiError> {
    Ok(credit_list_rule::Entity::find()
        .filter(credit_list_rule::Column::EffectiveFrom.lte(today))
        .order_by_desc(credit_list_rule::Column::Version)
        .one(db)
        .await?)
}

/// The credit list on `today` (see the module docs), audited, with clear or masked ID numbers.
///
/// # Errors
/// 409 `no_credit_rule` when no rule is in force; 422 `text_length` on `reason` (required,
/// 5–500 characters, with `include_id_numbers`); 500 when a ciphertext cannot be decrypted;
/// database errors.
pub async fn export(
    db: &impl ConnectionTrait,
    crypto: &FieldCrypto,
    actor: &Actor,
    today: NaiveDate,
    input: &CreditExportIn,
) -> Result<(credit_list_rule::Model, Vec<CreditEntryOut>), ApiError> {
    let reason = if input.include_id_numbers {
        Some(text_or_422(
            "reason",
            input.reason.as_deref().unwrap_or(""),
            5,
            500,
        )?)
    } else {
        None
    };
    let rule = rule_in_force(db, today)
        .await?
        .ok_or_else(|| ApiError::Conflict {
            code: "no_credit_rule",
            detail: "no credit-list rule is in force; configure one first".into(),
        })?;
    let mut q = volunteer::Entity::find()
        .filter(volunteer::Column::Status.eq(VolunteerStatus::Active))
        .filter(
            volunteer::Column::Id.in_subquery(
                Query::select()
                    .column(credit_consent::Column::VolunteerId)
                    .from(credit_consent::Entity)
                    .and_where(credit_consent::Column::Consented.eq(true))
                    .to_owned(),
            ),
        )
        .filter(volunteer::Column::Id.not_in_subquery(sanctioned_volunteers(today)));
    if let Some(level) = rule.min_star_level {
        q = q.filter(
            volunteer::Column::Id.in_subquery(
                Query::select()
                    .column(volunteer_level::Column::VolunteerId)
                    .from(volunteer_level::Entity)
                    .and_where(volunteer_level::Column::Level.gte(level))
                    .to_owned(),
            ),
        );
    }
    if let Some(minutes) = rule.min_minutes {
        q = q.filter(
            volunteer::Column::Id.in_subquery(
                Query::select()
                    .column(volunteer_total::Column::VolunteerId)
                    .from(volunteer_total::Entity)
                    .and_where(volunteer_total::Column::ApprovedMinutes.gte(minutes))
                    .to_owned(),
            ),
        );
    }
    let people = q
        .order_by_asc(volunteer::Column::VolunteerNumber)
        .all(db)
        .await?;
    let mut levels: HashMap<Uuid, i32> = HashMap::new();
    let mut minutes: HashMap<Uuid, i64> = HashMap::new();
    let mut consents: HashMap<Uuid, credit_consent::Model> = HashMap::new();
    for chunk in people.chunks(500) {
        let ids: Vec<Uuid> = chunk.iter().map(|v| v.id).collect();
        for l in volunteer_level::Entity::find()
            .filter(volunteer_level::Column::VolunteerId.is_in(ids.clone()))
            .all(db)
            .await?
        {
            levels.insert(l.volunteer_id, l.level);
        }
        for t in volunteer_total::Entity::find()
            .filter(volunteer_total::Column::VolunteerId.is_in(ids.clone()))
            .all(db)
            .await?
        {
            minutes.insert(t.volunteer_id, t.approved_minutes);
        }
        for c in credit_consent::Entity::find()
            .filter(credit_consent::Column::VolunteerId.is_in(ids))
            .all(db)
            .await?
        {
            consents.insert(c.volunteer_id, c);
        }
    }
    // The audit row comes before any data leaves.
    audit::record(
        db,
        actor,
        Entry {
            action: if reason.is_some() {
                "export_unmasked"
            } else {
                "export"
            },
            entity_type: RULE,
            entity_id: rule.id,
            fields: ["volunteer_number", "real_name", "id_number"]
                .into_iter()
                .map(String::from)
                .collect(),
            reason: reason.clone(),
        },
    )
    .await?;
    let mut items = Vec::with_capacity(people.len());
    for v in people {
        let id_number = if reason.is_some() {
            crypto
                .decrypt(&v.id_number_ciphertext)
                .map_err(ApiError::internal)?
        } else {
            v.id_number_masked.clone()
        };
        items.push(CreditEntryOut {
            star_level: levels.get(&v.id).copied().unwrap_or(0),
            approved_minutes: minutes.get(&v.id).copied().unwrap_or(0),
            consented_at: consents.get(&v.id).and_then(|c| c.consented_at),
            volunteer_number: v.volunteer_number,
            real_name: v.real_name,
            id_type: v.id_type,
            id_number,
        });
    }
    Ok((rule, items))
}

/// Neutralises spreadsheet formulas in CSV cells (OWASP "CSV injection").
fn csv_safe(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_owned()
    }
}

/// Headings of the CSV credit list.
pub const CSV_HEADINGS: [&str; 7] = [
    "志愿者编号",
    "姓名",
    "证件类型",
    "证件号码",
    "星级",
    "服务时长（分钟）",
    "同意时间",
];

/// The CSV credit list: UTF-8 with a byte-order mark, [`CSV_HEADINGS`], one row per volunteer.
///
/// # Errors
/// 500 when writing fails.
pub fn csv_bytes(items: &[CreditEntryOut]) -> Result<Vec<u8>, ApiError> {
    let mut out = "\u{feff}".as_bytes().to_vec();
    {
        let mut w = csv::Writer::from_writer(&mut out);
        w.write_record(CSV_HEADINGS).map_err(ApiError::internal)?;
        for e in items {
            let id_type = serde_json::to_value(e.id_type)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            w.write_record([
                csv_safe(&e.volunteer_number),
                csv_safe(&e.real_name),
                id_type,
                csv_safe(&e.id_number),
                e.star_level.to_string(),
                e.approved_minutes.to_string(),
                e.consented_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
            ])
            .map_err(ApiError::internal)?;
        }
        w.flush().map_err(ApiError::internal)?;
    }
    Ok(out)
}
