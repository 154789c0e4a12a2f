//! Benefits (便民优惠): offers of partner businesses (organizations of kind `partner_business`)
//! with eligibility (minimum star level, regions with their sub-regions), validity (dates in the
//! platform time zone, both inclusive) and stock; claims with a unique random redemption code;
//! redemption once by the business.
//!
//! Stock is never oversold: a claim takes a code with the conditional
//! `UPDATE benefit_offers SET stock_remaining = stock_remaining - 1 WHERE id = ? AND
//! stock_remaining > 0 AND status = 'active'` as the first statement of its transaction (a row
//! lock on PostgreSQL, re-checked after the lock; SQLite serialises writers), and rolls back if
//! the claim row cannot be written. The unique index on `(offer_id, volunteer_id)` keeps one
//! claim per volunteer and offer; a check constraint keeps the stock non-negative.

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use entity::awards::{OfferStatus, benefit_claim, benefit_offer, benefit_offer_region as region};
use entity::enums::{OrganizationKind, VolunteerStatus};
use entity::volunteer;
use sea_orm::sea_query::{Expr, ExprTrait as _, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait as _, Condition, ConnectionTrait, EntityTrait as _,
    QueryFilter as _, QueryOrder as _, SqlErr, TransactionSession as _, TransactionTrait,
};
use uuid::Uuid;

use super::dto::{ClaimOut, OfferClaimOut, OfferFilter, OfferIn, OfferOut, RedemptionOut};
use super::rules;
use super::service::{stored_level, text};
use crate::audit::{self, Actor, Entry};
use crate::auth::Scope;
use crate::error::{ApiError, FieldIssue};
use crate::organizations::service::{get_scoped, in_scope, subtree_ids};
use crate::pagination::{self, Page};
use crate::volunteers::service::region_exists;

const OFFER: &str = "benefit_offer";
const CLAIM: &str = "benefit_claim";

/// Response shapes of offers, with their regions (one query for the page).
///
/// # Errors
/// Database errors.
pub async fn offers_out(
    db: &impl ConnectionTrait,
    offers: Vec<benefit_offer::Model>,
) -> Result<Vec<OfferOut>, ApiError> {
    let ids: Vec<Uuid> = offers.iter().map(|o| o.id).collect();
    let mut regions: HashMap<Uuid, Vec<String>> = HashMap::new();
    if !ids.is_empty() {
        for r in region::Entity::find()
            .filter(region::Column::OfferId.is_in(ids))
            .order_by_asc(region::Column::RegionCode)
            .all(db)
            .await?
        {
            regions.entry(r.offer_id).or_default().push(r.region_code);
        }
    }
    Ok(offers
        .into_iter()
        .map(|m| OfferOut {
            region_codes: regions.remove(&m.id).unwrap_or_default(),
            id: m.id,
            organization_id: m.organization_id,
            title: m.title,
            description: m.description,
            min_star_level: m.min_star_level,
            valid_from: m.valid_from,
            valid_to: m.valid_to,
            stock: m.stock,
            stock_remaining: m.stock_remaining,
            status: m.status,
            suspend_reason: m.suspend_reason,
            version: m.version,
            created_at: m.created_at,
        })
        .collect())
}

/// One offer's response shape.
///
/// # Errors
/// Database errors.
pub async fn offer_out(
    db: &impl ConnectionTrait,
    m: benefit_offer::Model,
) -> Result<OfferOut, ApiError> {
    offers_out(db, vec![m])
        .await?
        .pop()
        .ok_or_else(|| ApiError::Internal("offer vanished".into()))
}

/// Publishes an offer of a partner business in the caller's scope.
///
/// # Errors
/// 404 organization missing or outside scope; 422 validation (`text_length`,
/// `star_level_range`, `region_unknown`, `too_many_regions`, `validity_invalid`,
/// `stock_range`, `not_partner_business`); database errors.
pub async fn create_offer<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    scope: &Scope,
    actor: &Actor,
    today: NaiveDate,
    input: OfferIn,
) -> Result<benefit_offer::Model, ApiError> {
    let mut issues = Vec::new();
    let title = text("title", &input.title, 1, 200).unwrap_or_else(|i| {
        issues.push(i);
        String::new()
    });
    let description = text("description", &input.description, 0, 2000).unwrap_or_else(|i| {
        issues.push(i);
        String::new()
    });
    if !(0..=5).contains(&input.min_star_level) {
        issues.push(FieldIssue::new(
            "min_star_level",
            "star_level_range",
            "min_star_level is 0 to 5",
        ));
    }
    if input.region_codes.len() > 50 {
        issues.push(FieldIssue::new(
            "region_codes",
            "too_many_regions",
            "at most 50 regions",
        ));
    }
    let mut codes: Vec<String> = Vec::new();
    for (i, c) in input.region_codes.iter().enumerate() {
        let c = c.trim().to_owned();
        if !region_exists(db, &c).await? {
            issues.push(FieldIssue::new(
                format!("region_codes[{i}]"),
                "region_unknown",
                "no such region code",
            ));
        } else if !codes.contains(&c) {
            codes.push(c);
        }
    }
    if input.valid_to < input.valid_from || input.valid_to < today {
        issues.push(FieldIssue::new(
            "valid_to",
            "validity_invalid",
            "valid_to is on or after valid_from and today",
        ));
    }
    if !(1..=1_000_000).contains(&input.stock) {
        issues.push(FieldIssue::new(
            "stock",
            "stock_range",
            "stock is 1 to 1000000",
        ));
    }
    if !issues.is_empty() {
        return Err(ApiError::Validation(issues));
    }
    let org = get_scoped(db, scope, input.organization_id).await?;
    if org.kind != OrganizationKind::PartnerBusiness {
        return Err(ApiError::field(
            "organization_id",
            "not_partner_business",
            "only organizations of kind partner_business publish offers",
        ));
    }
    let now = Utc::now();
    let model = benefit_offer::Model {
        id: Uuid::now_v7(),
        organization_id: org.id,
        title,
        description,
        min_star_level: input.min_star_level,
        valid_from: input.valid_from,
        valid_to: input.valid_to,
        stock: input.stock,
        stock_remaining: input.stock,
        status: OfferStatus::Active,
        suspend_reason: None,
        version: 1,
        created_by: actor.account_id,
        created_at: now,
        updated_at: now,
    };
    let txn = db.begin().await?;
    benefit_offer::Entity::insert(benefit_offer::ActiveModel::from(model.clone()))
        .exec_without_returning(&txn)
        .await?;
    if !codes.is_empty() {
        region::Entity::insert_many(codes.iter().map(|c| region::ActiveModel {
            offer_id: Set(model.id),
            region_code: Set(c.clone()),
        }))
        .exec_without_returning(&txn)
        .await?;
    }
    audit::record(
        &txn,
        actor,
        Entry {
            action: "create",
            entity_type: OFFER,
            entity_id: model.id,
            fields: [
                "organization_id",
                "title",
                "description",
                "min_star_level",
                "region_codes",
                "valid_from",
                "valid_to",
                "stock",
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

/// Offers of organizations in the caller's scope, newest first.
///
/// # Errors
/// 404 for an organization filter outside scope; database errors.
pub async fn list_offers(
    db: &impl ConnectionTrait,
    scope: &Scope,
    filter: &OfferFilter,
    page: u64,
    per_page: u64,
) -> Result<Page<benefit_offer::Model>, ApiError> {
    let mut q = benefit_offer::Entity::find();
    if let Scope::Subtree(root) = scope {
        q = q.filter(benefit_offer::Column::OrganizationId.in_subquery(subtree_ids(*root)));
    }
    if let Some(org) = filter.organization_id {
        get_scoped(db, scope, org).await?;
        q = q.filter(benefit_offer::Column::OrganizationId.eq(org));
    }
    if let Some(s) = filter.status {
        q = q.filter(benefit_offer::Column::Status.eq(s));
    }
    let q = q
        .order_by_desc(benefit_offer::Column::CreatedAt)
        .order_by_desc(benefit_offer::Column::Id);
    pagination::fetch(q, db, page, per_page).await
}

/// One offer of an organization in the caller's scope.
///
/// # Errors
/// 404 missing or outside scope; database errors.
pub async fn get_offer(
    db: &impl ConnectionTrait,
    scope: &Scope,
    id: Uuid,
) -> Result<benefit_offer::Model, ApiError> {
    let o = benefit_offer::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("offer"))?;
    if !in_scope(db, scope, o.organization_id).await? {
        return Err(ApiError::NotFound("offer"));
    }
    Ok(o)
}

/// Suspends (`suspend = true`, with a reason) or resumes an offer. Platform admins and admins
/// of an organization above the business may; the business's own admins see the offer but may
/// not (403). Conditional on the expected status and `version`.
///
/// # Errors
/// 404 missing or outside scope; 403 the business's own admins; 412 `version_mismatch`;
/// 409 `offer_state`; 422 `text_length`; database errors.
pub async fn set_offer_status<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    scope: &Scope,
    actor: &Actor,
    id: Uuid,
    version: i32,
    suspend: Option<String>,
) -> Result<benefit_offer::Model, ApiError> {
    let reason = match &suspend {
        Some(r) => Some(super::service::text_or_422("reason", r, 1, 500)?),
        None => None,
    };
    let o = get_offer(db, scope, id).await?;
    if let Scope::Subtree(root) = scope
        && *root == o.organization_id
    {
        return Err(ApiError::Forbidden);
    }
    if o.version != version {
        return Err(ApiError::VersionMismatch { current: o.version });
    }
    let (from, to) = if reason.is_some() {
        (OfferStatus::Active, OfferStatus::Suspended)
    } else {
        (OfferStatus::Suspended, OfferStatus::Active)
    };
    let now = Utc::now();
    let txn = db.begin().await?;
    let done = benefit_offer::Entity::update_many()
        .set(benefit_offer::ActiveModel {
            status: Set(to),
            suspend_reason: Set(reason.clone()),
            version: Set(o.version + 1),
            updated_at: Set(now),
            ..Default::default()
        })
        .filter(benefit_offer::Column::Id.eq(id))
        .filter(benefit_offer::Column::Status.eq(from))
        .filter(benefit_offer::Column::Version.eq(version))
        .exec(&txn)
        .await?;
    if done.rows_affected != 1 {
        return Err(ApiError::Conflict {
            code: "offer_state",
            detail: format!("the offer is not {from:?} (or was changed meanwhile)").to_lowercase(),
        });
    }
    audit::record(
        &txn,
        actor,
        Entry {
            action: if reason.is_some() {
                "suspend"
            } else {
                "resume"
            },
            entity_type: OFFER,
            entity_id: id,
            fields: vec!["status".into(), "suspend_reason".into()],
            reason: reason.clone(),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(benefit_offer::Model {
        status: to,
        suspend_reason: reason,
        version: o.version + 1,
        updated_at: now,
        ..o
    })
}

/// The condition of offers a volunteer of `region_code` with `level` may claim on `today`:
/// active, within validity, stock left, star level met, region covered (or no regions), not
/// yet claimed by them.
fn claimable_condition(
    volunteer_id: Uuid,
    region_code: &str,
    level: i32,
    today: NaiveDate,
) -> Condition {
    use benefit_offer::Column as C;
    let regional = Query::select()
        .column(region::Column::OfferId)
        .from(region::Entity)
        .to_owned();
    let covering = Query::select()
        .column(region::Column::OfferId)
        .from(region::Entity)
        .and_where(region::Column::RegionCode.is_in(rules::region_ancestors(region_code)))
        .to_owned();
    let claimed = Query::select()
        .column(benefit_claim::Column::OfferId)
        .from(benefit_claim::Entity)
        .and_where(benefit_claim::Column::VolunteerId.eq(volunteer_id))
        .to_owned();
    Condition::all()
        .add(C::Status.eq(OfferStatus::Active))
        .add(C::ValidFrom.lte(today))
        .add(C::ValidTo.gte(today))
        .add(C::StockRemaining.gt(0))
        .add(C::MinStarLevel.lte(level))
        .add(
            Condition::any()
                .add(C::Id.not_in_subquery(regional))
                .add(C::Id.in_subquery(covering)),
        )
        .add(C::Id.not_in_subquery(claimed))
}

/// Offers the volunteer can claim today, ending soonest first.
///
/// # Errors
/// 404 volunteer missing; database errors.
pub async fn claimable(
    db: &impl ConnectionTrait,
    volunteer_id: Uuid,
    today: NaiveDate,
    page: u64,
    per_page: u64,
) -> Result<Page<benefit_offer::Model>, ApiError> {
    let v = volunteer::Entity::find_by_id(volunteer_id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("volunteer"))?;
    let level = stored_level(db, volunteer_id).await?;
    let q = benefit_offer::Entity::find()
        .filter(claimable_condition(
            volunteer_id,
            &v.region_code,
            level,
            today,
        ))
        .order_by_asc(benefit_offer::Column::ValidTo)
        .order_by_asc(benefit_offer::Column::Id);
    pagination::fetch(q, db, page, per_page).await
}

fn not_claimable(code: &'static str, detail: &str) -> ApiError {
    ApiError::Rule {
        code,
        detail: detail.into(),
    }
}

/// Claims a code of an offer for the volunteer (see the module docs for the stock guarantee).
/// Audit action `claim`.
///
/// # Errors
/// 404 offer missing; 422 `offer_suspended`, `offer_not_valid` (outside its validity),
/// `volunteer_not_active`, `star_level_too_low`, `region_not_eligible`; 409 `already_claimed`,
/// `out_of_stock`; database errors.
pub async fn claim<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor,
    volunteer_id: Uuid,
    offer_id: Uuid,
    today: NaiveDate,
) -> Result<(benefit_claim::Model, benefit_offer::Model), ApiError> {
    let offer = benefit_offer::Entity::find_by_id(offer_id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("offer"))?;
    let v = volunteer::Entity::find_by_id(volunteer_id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("volunteer"))?;
    if offer.status != OfferStatus::Active {
        return Err(not_claimable("offer_suspended", "the offer is suspended"));
    }
    if today < offer.valid_from || today > offer.valid_to {
        return Err(not_claimable(
            "offer_not_valid",
            "the offer is not valid today",
        ));
    }
    if v.status != VolunteerStatus::Active {
        return Err(not_claimable(
            "volunteer_not_active",
            "only active volunteers may claim offers",
        ));
    }
    if stored_level(db, volunteer_id).await? < offer.min_star_level {
        return Err(not_claimable(
            "star_level_too_low",
            &format!(
                "the offer needs a star level of at least {}",
                offer.min_star_level
            ),
        ));
    }
    let regions: Vec<String> = region::Entity::find()
        .filter(region::Column::OfferId.eq(offer_id))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.region_code)
        .collect();
    let ancestors = rules::region_ancestors(&v.region_code);
    if !regions.is_empty() && !regions.iter().any(|r| ancestors.contains(r)) {
        return Err(not_claimable(
            "region_not_eligible",
            "the offer is not open to the volunteer's region",
        ));
    }
    let already = || ApiError::Conflict {
        code: "already_claimed",
        detail: "the volunteer has already claimed this offer".into(),
    };
    if benefit_claim::Entity::find()
        .filter(benefit_claim::Column::OfferId.eq(offer_id))
        .filter(benefit_claim::Column::VolunteerId.eq(volunteer_id))
        .one(db)
        .await?
        .is_some()
    {
        return Err(already());
    }
    let txn = db.begin().await?;
    // The stock guarantee: a conditional decrement, first statement of the transaction.
    let taken = benefit_offer::Entity::update_many()
        .col_expr(
            benefit_offer::Column::StockRemaining,
            Expr::col(benefit_offer::Column::StockRemaining).sub(1),
        )
        .filter(benefit_offer::Column::Id.eq(offer_id))
        .filter(benefit_offer::Column::StockRemaining.gt(0))
        .filter(benefit_offer::Column::Status.eq(OfferStatus::Active))
        .exec(&txn)
        .await?;
    if taken.rows_affected != 1 {
        return Err(ApiError::Conflict {
            code: "out_of_stock",
            detail: "no codes of this offer are left".into(),
        });
    }
    let model = benefit_claim::Model {
        id: Uuid::now_v7(),
        offer_id,
        volunteer_id,
        code: rules::redemption_code(),
        claimed_at: Utc::now(),
        redeemed_at: None,
        redeemed_by: None,
    };
    if let Err(e) = benefit_claim::Entity::insert(benefit_claim::ActiveModel::from(model.clone()))
        .exec_without_returning(&txn)
        .await
    {
        // Dropping the transaction rolls the decrement back.
        return Err(match e.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => already(),
            _ => e.into(),
        });
    }
    audit::record(
        &txn,
        actor,
        Entry {
            action: "claim",
            entity_type: CLAIM,
            entity_id: model.id,
            fields: vec!["offer_id".into(), "volunteer_id".into(), "code".into()],
            reason: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok((model, offer))
}

/// The volunteer's claimed codes, newest first.
///
/// # Errors
/// Database errors.
pub async fn my_claims(
    db: &impl ConnectionTrait,
    volunteer_id: Uuid,
    page: u64,
    per_page: u64,
) -> Result<Page<ClaimOut>, ApiError> {
    let q = benefit_claim::Entity::find()
        .filter(benefit_claim::Column::VolunteerId.eq(volunteer_id))
        .order_by_desc(benefit_claim::Column::ClaimedAt)
        .order_by_desc(benefit_claim::Column::Id);
    let p = pagination::fetch(q, db, page, per_page).await?;
    let ids: Vec<Uuid> = p.items.iter().map(|c| c.offer_id).collect();
    let offers: HashMap<Uuid, benefit_offer::Model> = benefit_offer::Entity::find()
        .filter(benefit_offer::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect();
    Ok(Page {
        items: p
            .items
            .into_iter()
            .filter_map(|c| {
                let o = offers.get(&c.offer_id)?;
                Some(ClaimOut::new(c, o.title.clone(), o.valid_to))
            })
            .collect(),
        page: p.page,
        per_page: p.per_page,
        total: p.total,
    })
}

/// Claims of an offer in the caller's scope, newest first, without their codes.
///
/// # Errors
/// 404 offer missing or outside scope; database errors.
pub async fn offer_claims(
    db: &impl ConnectionTrait,
    scope: &Scope,
    offer_id: Uuid,
    page: u64,
    per_page: u64,
) -> Result<Page<OfferClaimOut>, ApiError> {
    get_offer(db, scope, offer_id).await?;
    let q = benefit_claim::Entity::find()
        .filter(benefit_claim::Column::OfferId.eq(offer_id))
        .order_by_desc(benefit_claim::Column::ClaimedAt)
        .order_by_desc(benefit_claim::Column::Id);
    let p = pagination::fetch(q, db, page, per_page).await?;
    let numbers: HashMap<Uuid, String> = volunteer::Entity::find()
        .filter(volunteer::Column::Id.is_in(p.items.iter().map(|c| c.volunteer_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|v| (v.id, v.volunteer_number))
        .collect();
    Ok(Page {
        items: p
            .items
            .into_iter()
            .map(|c| OfferClaimOut {
                id: c.id,
                volunteer_number: numbers.get(&c.volunteer_id).cloned().unwrap_or_default(),
                claimed_at: c.claimed_at,
                redeemed_at: c.redeemed_at,
            })
            .collect(),
        page: p.page,
        per_page: p.per_page,
        total: p.total,
    })
}

/// Redeems a code at the business: admins whose scope covers the offer's organization. Once
/// only (a conditional update on `redeemed_at IS NULL`). Audit action `redeem`.
///
/// # Errors
/// 404 unknown code or outside scope; 409 `already_redeemed`; 422 `offer_expired` (after its
/// last valid day), `offer_not_valid` (before its first), `offer_suspended`; database errors.
pub async fn redeem<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    scope: &Scope,
    actor: &Actor,
    raw_code: &str,
    today: NaiveDate,
) -> Result<RedemptionOut, ApiError> {
    let code = rules::normalise_code(raw_code);
    let c = benefit_claim::Entity::find()
        .filter(benefit_claim::Column::Code.eq(code))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("redemption code"))?;
    let offer = get_offer(db, scope, c.offer_id)
        .await
        .map_err(|_| ApiError::NotFound("redemption code"))?;
    if c.redeemed_at.is_some() {
        return Err(already_redeemed());
    }
    if offer.status != OfferStatus::Active {
        return Err(not_claimable("offer_suspended", "the offer is suspended"));
    }
    if today > offer.valid_to {
        return Err(not_claimable("offer_expired", "the offer has expired"));
    }
    if today < offer.valid_from {
        return Err(not_claimable(
            "offer_not_valid",
            "the offer is not valid yet",
        ));
    }
    let now = Utc::now();
    let txn = db.begin().await?;
    let done = benefit_claim::Entity::update_many()
        .set(benefit_claim::ActiveModel {
            redeemed_at: Set(Some(now)),
            redeemed_by: Set(actor.account_id),
            ..Default::default()
        })
        .filter(benefit_claim::Column::Id.eq(c.id))
        .filter(benefit_claim::Column::RedeemedAt.is_null())
        .exec(&txn)
        .await?;
    if done.rows_affected != 1 {
        return Err(already_redeemed());
    }
    audit::record(
        &txn,
        actor,
        Entry {
            action: "redeem",
            entity_type: CLAIM,
            entity_id: c.id,
            fields: vec!["redeemed_at".into(), "redeemed_by".into()],
            reason: None,
        },
    )
    .await?;
    txn.commit().await?;
    let number = volunteer::Entity::find_by_id(c.volunteer_id)
        .one(db)
        .await?
        .map(|v| v.volunteer_number)
        .unwrap_or_default();
    Ok(RedemptionOut {
        claim_id: c.id,
        offer_id: offer.id,
        offer_title: offer.title,
        volunteer_number: number,
        redeemed_at: now,
    })
}

fn already_redeemed() -> ApiError {
    ApiError::Conflict {
        code: "already_redeemed",
        detail: "this code has already been redeemed".into(),
    }
}
