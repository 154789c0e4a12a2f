//! The partner registry (platform admins) and the client-credentials token grant.

use chrono::Utc;
use entity::account;
use entity::enums::{AccountStatus, Role};
use entity::organization;
use entity::partners::{PartnerStatus, partner_platform, partner_platform_scope};
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, ConnectionTrait, EntityTrait as _,
    PaginatorTrait as _, QueryFilter as _, QueryOrder as _, TransactionSession as _,
    TransactionTrait,
};
use uuid::Uuid;

use super::auth::{claims_for, sign};
use super::credentials;
use super::dto::{
    MAX_SCOPE_ROOTS, PartnerFilter, PartnerIn, PartnerOut, PartnerPatch, TokenIn, TokenOut,
};
use crate::audit::{self, Actor, Entry};
use crate::error::{ApiError, FieldIssue};
use crate::pagination::Page;
use crate::state::AppState;
use crate::volunteers::domain::clean_text;

const ENTITY: &str = "partner_platform";

/// Password hash of partner system accounts: not a PHC string, so no password ever matches it
/// (the account is disabled as well).
const NO_PASSWORD: &str = "!partner-system-account";

fn name(issues: &mut Vec<FieldIssue>, raw: &str) -> String {
    clean_text(raw, 100).unwrap_or_else(|e| {
        issues.push(FieldIssue::new("name", e.code, e.message));
        String::new()
    })
}

/// Validates scope roots: 1–[`MAX_SCOPE_ROOTS`] existing organizations, duplicates dropped.
/// Issues: `scope` `scope_empty` / `too_many_items`; `scope[i]` `organization_not_found`.
async fn scope_roots(
    db: &impl ConnectionTrait,
    issues: &mut Vec<FieldIssue>,
    raw: &[Uuid],
) -> Result<Vec<Uuid>, ApiError> {
    if raw.is_empty() {
        issues.push(FieldIssue::new(
            "scope",
            "scope_empty",
            "give at least one organization",
        ));
    }
    if raw.len() > MAX_SCOPE_ROOTS {
        issues.push(FieldIssue::new(
            "scope",
            "too_many_items",
            format!("at most {MAX_SCOPE_ROOTS} organizations"),
        ));
        return Ok(Vec::new());
    }
    let mut out: Vec<Uuid> = Vec::new();
    for (i, id) in raw.iter().enumerate() {
        if out.contains(id) {
            continue;
        }
        if organization::Entity::find_by_id(*id)
            .one(db)
            .await?
            .is_none()
        {
            issues.push(FieldIssue::new(
                format!("scope[{i}]"),
                "organization_not_found",
                "no such organization",
            ));
        }
        out.push(*id);
    }
    Ok(out)
}

async fn replace_scope(
    txn: &impl ConnectionTrait,
    partner: Uuid,
    roots: &[Uuid],
) -> Result<(), ApiError> {
    partner_platform_scope::Entity::delete_many()
        .filter(partner_platform_scope::Column::PartnerId.eq(partner))
        .exec(txn)
        .await?;
    if roots.is_empty() {
        return Ok(());
    }
    partner_platform_scope::Entity::insert_many(roots.iter().map(|org| {
        partner_platform_scope::ActiveModel {
            partner_id: Set(partner),
            organization_id: Set(*org),
        }
    }))
    .exec_without_returning(txn)
    .await?;
    Ok(())
}

/// The scope roots of a partner, oldest first.
///
/// # Errors
/// Database errors.
pub async fn scope_of(db: &impl ConnectionTrait, partner: Uuid) -> Result<Vec<Uuid>, ApiError> {
    Ok(partner_platform_scope::Entity::find()
        .filter(partner_platform_scope::Column::PartnerId.eq(partner))
        .order_by_asc(partner_platform_scope::Column::OrganizationId)
        .all(db)
        .await?
        .into_iter()
        .map(|s| s.organization_id)
        .collect())
}

/// The response shape of a partner.
pub fn out(p: partner_platform::Model, scope: Vec<Uuid>) -> PartnerOut {
    PartnerOut {
        id: p.id,
        name: p.name,
        client_id: p.client_id,
        status: p.status,
        scope,
        system_account_id: p.system_account_id,
        created_by: p.created_by,
        created_at: p.created_at,
        updated_at: p.updated_at,
        version: p.version,
    }
}

/// Registers a partner: a new client id and secret (returned once, stored as a digest), its
/// scope roots, and its system account — a *disabled* `org_admin` account without organization
/// named `partner:<client_id>` (no password matches it, `:` cannot occur in usernames made
/// through the API). `service_records.recorded_by` and audit rows reference an account, so
/// partner writes are attributed to this account: every write of a partner is traceable to it,
/// and being disabled it can never log in or act by itself. One transaction; audit `create`.
///
/// # Errors
/// 422 validation (`name`, `scope`, `scope[i]`); database errors.
pub async fn register(
    db: &impl TransactionTrait,
    actor: &Actor,
    input: PartnerIn,
) -> Result<(partner_platform::Model, Vec<Uuid>, String), ApiError> {
    let txn = db.begin().await?;
    let mut issues = Vec::new();
    let name = name(&mut issues, &input.name);
    let roots = scope_roots(&txn, &mut issues, &input.scope).await?;
    if !issues.is_empty() {
        return Err(ApiError::Validation(issues));
    }
    let client_id = credentials::new_client_id();
    let secret = credentials::new_client_secret();
    let now = Utc::now();
    let account_id = Uuid::now_v7();
    account::Entity::insert(account::ActiveModel {
        id: Set(account_id),
        username: Set(format!("partner:{client_id}")),
        mobile: Set(None),
        password_hash: Set(NO_PASSWORD.into()),
        role: Set(Role::OrgAdmin),
        organization_id: Set(None),
        volunteer_id: Set(None),
        status: Set(AccountStatus::Disabled),
        created_at: Set(now),
        last_login_at: Set(None),
    })
    .exec_without_returning(&txn)
    .await?;
    let partner = partner_platform::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(name),
        client_id: Set(client_id),
        secret_hash: Set(credentials::digest(&secret)),
        secret_version: Set(1),
        status: Set(PartnerStatus::Active),
        system_account_id: Set(account_id),
        created_by: Set(actor.account_id),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
    .insert(&txn)
    .await?;
    replace_scope(&txn, partner.id, &roots).await?;
    audit::record(
        &txn,
        actor,
        Entry {
            action: "create",
            entity_type: "account",
            entity_id: account_id,
            fields: vec!["username".into(), "role".into(), "status".into()],
            reason: Some("system account of a partner platform".into()),
        },
    )
    .await?;
    audit::record(
        &txn,
        actor,
        Entry {
            action: "create",
            entity_type: ENTITY,
            entity_id: partner.id,
            fields: vec![
                "name".into(),
                "client_id".into(),
                "secret_hash".into(),
                "scope".into(),
                "status".into(),
            ],
            reason: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok((partner, roots, secret))
}

/// One partner.
///
/// # Errors
/// 404 `not_found`.
pub async fn get(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<(partner_platform::Model, Vec<Uuid>), ApiError> {
    let p = partner_platform::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("partner platform"))?;
    let scope = scope_of(db, id).await?;
    Ok((p, scope))
}

/// A page of partners, newest first.
///
/// # Errors
/// Database errors.
pub async fn list(
    db: &impl ConnectionTrait,
    filter: &PartnerFilter,
    page: u64,
    per_page: u64,
) -> Result<Page<PartnerOut>, ApiError> {
    let mut q = partner_platform::Entity::find().order_by_desc(partner_platform::Column::Id);
    if let Some(s) = filter.status {
        q = q.filter(partner_platform::Column::Status.eq(s));
    }
    let total = q.clone().count(db).await?;
    let rows = q.paginate(db, per_page).fetch_page(page - 1).await?;
    let mut items = Vec::with_capacity(rows.len());
    for p in rows {
        let scope = scope_of(db, p.id).await?;
        items.push(out(p, scope));
    }
    Ok(Page {
        items,
        page,
        per_page,
        total,
    })
}

async fn current(
    txn: &impl ConnectionTrait,
    id: Uuid,
    version: i32,
) -> Result<partner_platform::Model, ApiError> {
    let p = partner_platform::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or(ApiError::NotFound("partner platform"))?;
    if p.version != version {
        return Err(ApiError::VersionMismatch { current: p.version });
    }
    Ok(p)
}

/// Conditional update on `version`: of two concurrent changes, the second gets 412.
async fn save(
    txn: &impl ConnectionTrait,
    mut active: partner_platform::ActiveModel,
    old_version: i32,
) -> Result<partner_platform::Model, ApiError> {
    let id = match &active.id {
        Set(id) | sea_orm::ActiveValue::Unchanged(id) => *id,
        sea_orm::ActiveValue::NotSet => return Err(ApiError::Internal("partner id unset".into())),
    };
    active.version = Set(old_version + 1);
    active.updated_at = Set(Utc::now());
    let res = partner_platform::Entity::update_many()
        .set(active)
        .filter(partner_platform::Column::Id.eq(id))
        .filter(partner_platform::Column::Version.eq(old_version))
        .exec(txn)
        .await?;
    if res.rows_affected != 1 {
        return Err(ApiError::VersionMismatch {
            current: old_version + 1,
        });
    }
    partner_platform::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or(ApiError::NotFound("partner platform"))
}

/// Renames a partner or replaces its scope; `version` must match. Audit `update`.
///
/// # Errors
/// 404, 412 `version_mismatch`, 422 validation.
pub async fn update(
    db: &impl TransactionTrait,
    actor: &Actor,
    id: Uuid,
    patch: PartnerPatch,
) -> Result<(partner_platform::Model, Vec<Uuid>), ApiError> {
    let txn = db.begin().await?;
    let p = current(&txn, id, patch.version).await?;
    let mut issues = Vec::new();
    let mut changed = Vec::new();
    let mut active: partner_platform::ActiveModel = p.clone().into();
    if let Some(n) = &patch.name {
        active.name = Set(name(&mut issues, n));
        changed.push("name".to_owned());
    }
    let roots = match &patch.scope {
        Some(s) => Some(scope_roots(&txn, &mut issues, s).await?),
        None => None,
    };
    if !issues.is_empty() {
        return Err(ApiError::Validation(issues));
    }
    if let Some(r) = &roots {
        replace_scope(&txn, id, r).await?;
        changed.push("scope".into());
    }
    let saved = save(&txn, active, p.version).await?;
    audit::record(
        &txn,
        actor,
        Entry {
            action: "update",
            entity_type: ENTITY,
            entity_id: id,
            fields: changed,
            reason: None,
        },
    )
    .await?;
    let scope = scope_of(&txn, id).await?;
    txn.commit().await?;
    Ok((saved, scope))
}

/// Suspends (`to` = suspended) or reactivates (`to` = active) a partner; `version` must match.
/// A suspended partner gets no tokens and its outstanding tokens are refused at once. Audit
/// `suspend` / `reactivate`.
///
/// # Errors
/// 404, 412, 409 `partner_already_suspended` / `partner_already_active`.
pub async fn set_status(
    db: &impl TransactionTrait,
    actor: &Actor,
    id: Uuid,
    version: i32,
    to: PartnerStatus,
) -> Result<(partner_platform::Model, Vec<Uuid>), ApiError> {
    let txn = db.begin().await?;
    let p = current(&txn, id, version).await?;
    if p.status == to {
        return Err(match to {
            PartnerStatus::Suspended => ApiError::Conflict {
                code: "partner_already_suspended",
                detail: "the partner platform is already suspended".into(),
            },
            PartnerStatus::Active => ApiError::Conflict {
                code: "partner_already_active",
                detail: "the partner platform is already active".into(),
            },
        });
    }
    let mut active: partner_platform::ActiveModel = p.clone().into();
    active.status = Set(to);
    let saved = save(&txn, active, p.version).await?;
    audit::record(
        &txn,
        actor,
        Entry {
            action: match to {
                PartnerStatus::Suspended => "suspend",
                PartnerStatus::Active => "reactivate",
            },
            entity_type: ENTITY,
            entity_id: id,
            fields: vec!["status".into()],
            reason: None,
        },
    )
    .await?;
    let scope = scope_of(&txn, id).await?;
    txn.commit().await?;
    Ok((saved, scope))
}

/// Rotates the client secret: a new secret (returned once), `secret_version` + 1. The old secret
/// stops working at once, and so do tokens issued under it. Audit `rotate_secret`.
///
/// # Errors
/// 404, 412.
pub async fn rotate_secret(
    db: &impl TransactionTrait,
    actor: &Actor,
    id: Uuid,
    version: i32,
) -> Result<(partner_platform::Model, Vec<Uuid>, String), ApiError> {
    let txn = db.begin().await?;
    let p = current(&txn, id, version).await?;
    let secret = credentials::new_client_secret();
    let mut active: partner_platform::ActiveModel = p.clone().into();
    active.secret_hash = Set(credentials::digest(&secret));
    active.secret_version = Set(p.secret_version + 1);
    let saved = save(&txn, active, p.version).await?;
    audit::record(
        &txn,
        actor,
        Entry {
            action: "rotate_secret",
            entity_type: ENTITY,
            entity_id: id,
            fields: vec!["secret_hash".into(), "secret_version".into()],
            reason: None,
        },
    )
    .await?;
    let scope = scope_of(&txn, id).await?;
    txn.commit().await?;
    Ok((saved, scope, secret))
}

fn invalid_client(detail: &str) -> ApiError {
    ApiError::Unauthorized {
        code: "invalid_client",
        detail: detail.into(),
    }
}

/// The client-credentials grant (RFC 6749 §4.4): checks `grant_type`, the requested scope and
/// the client's credentials (`basic` = credentials from HTTP Basic, which take precedence over
/// the body), rate-limited per client id and per address like logins, and issues a partner
/// token of `APP_ACCESS_TOKEN_MINUTES`.
///
/// # Errors
/// 400 `invalid_request` (missing parameter), 400 `unsupported_grant_type`, 400
/// `invalid_scope`, 401 `invalid_client` (unknown client, wrong secret, suspended), 429.
pub async fn token(
    state: &AppState,
    input: TokenIn,
    basic: Option<(String, String)>,
    address: &str,
) -> Result<TokenOut, ApiError> {
    let grant = input.grant_type.as_deref().map(str::trim).unwrap_or("");
    if grant.is_empty() {
        return Err(ApiError::BadRequest {
            code: "invalid_request",
            detail: "grant_type is required".into(),
        });
    }
    if grant != "client_credentials" {
        return Err(ApiError::BadRequest {
            code: "unsupported_grant_type",
            detail: "only grant_type=client_credentials is supported".into(),
        });
    }
    if let Some(s) = input.scope.as_deref().map(str::trim)
        && !s.is_empty()
        && s != "partner"
    {
        return Err(ApiError::BadRequest {
            code: "invalid_scope",
            detail: "the only scope is `partner`".into(),
        });
    }
    let (client_id, secret) = match basic {
        Some(pair) => pair,
        None => match (input.client_id, input.client_secret) {
            (Some(id), Some(secret)) => (id, secret),
            _ => {
                return Err(ApiError::BadRequest {
                    code: "invalid_request",
                    detail: "send client_id and client_secret, in the body or with HTTP Basic"
                        .into(),
                });
            }
        },
    };
    let client_id = client_id.trim().to_owned();
    state
        .login_limiter
        .check(&format!("partner:{client_id}"), address)?;
    let partner = partner_platform::Entity::find()
        .filter(partner_platform::Column::ClientId.eq(client_id.as_str()))
        .one(&state.db)
        .await?;
    // Same answer for an unknown client and a wrong secret.
    let Some(partner) = partner.filter(|p| credentials::verify(&secret, &p.secret_hash)) else {
        return Err(invalid_client("unknown client or wrong client secret"));
    };
    if partner.status == PartnerStatus::Suspended {
        return Err(invalid_client("the partner platform is suspended"));
    }
    let minutes = state.settings.access_token_minutes;
    let access_token = sign(state, &claims_for(&partner, Utc::now(), minutes))?;
    Ok(TokenOut {
        access_token,
        token_type: "Bearer".into(),
        expires_in: minutes * 60,
        scope: "partner".into(),
    })
}
