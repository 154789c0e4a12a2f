//! Admin accounts (`/api/v1/accounts`): platform admins create organization admins anywhere,
//! organization admins create them inside their subtree. Volunteer accounts are created by
//! self-registration.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use entity::account;
use entity::enums::{AccountStatus, Role};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, EntityTrait as _, QueryFilter as _,
    QueryOrder as _, TransactionTrait as _,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::audit::{self, Entry};
use crate::auth::password::check_strength;
use crate::auth::{AuthUser, Scope};
use crate::error::{ApiError, Problem};
use crate::organizations::handlers::actor;
use crate::organizations::service::{get_scoped, subtree_ids};
use crate::pagination::{Page, PageParams};
use crate::state::AppState;
use crate::volunteers::domain::{Mobile, mask_mobile};

const ADMINS: &[Role] = &[Role::PlatformAdmin, Role::OrgAdmin];

/// A new admin account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountIn {
    /// Login name: 3–64 characters of letters, digits, `.`, `_`, `-`.
    #[schema(example = "nanjing-admin")]
    pub username: String,
    /// Initial password (8–128 characters, two classes of characters).
    pub password: String,
    /// `org_admin` (default), `reviewer` (评审专家) or `platform_admin` (platform admins only).
    /// Volunteer accounts come from volunteer registration, never from here.
    pub role: Option<Role>,
    /// Organization an org admin manages, or a reviewer's affiliation (used for conflict-of-
    /// interest checks; required when an org admin creates a reviewer); must be in the caller's
    /// scope.
    pub organization_id: Option<Uuid>,
    /// Optional mobile, usable as a login name.
    pub mobile: Option<String>,
}

/// An account (mobile masked).
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountOut {
    /// Id.
    pub id: Uuid,
    /// Username.
    pub username: String,
    /// Masked mobile, e.g. `138****1234`.
    pub mobile: Option<String>,
    /// Role.
    pub role: Role,
    /// Organization managed.
    pub organization_id: Option<Uuid>,
    /// Volunteer id (volunteer accounts).
    pub volunteer_id: Option<Uuid>,
    /// Active or disabled.
    pub status: AccountStatus,
    /// Created (RFC 3339, UTC).
    pub created_at: DateTime<Utc>,
    /// Last login (RFC 3339, UTC).
    pub last_login_at: Option<DateTime<Utc>>,
}

impl From<account::Model> for AccountOut {
    fn from(a: account::Model) -> Self {
        Self {
            id: a.id,
            username: a.username,
            mobile: a.mobile.as_deref().map(mask_mobile),
            role: a.role,
            organization_id: a.organization_id,
            volunteer_id: a.volunteer_id,
            status: a.status,
            created_at: a.created_at,
            last_login_at: a.last_login_at,
        }
    }
}

/// Account filters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AccountFilter {
    /// Only accounts of this organization.
    pub organization_id: Option<Uuid>,
    /// Only this role.
    pub role: Option<Role>,
}

fn check_username(u: &str) -> Result<String, ApiError> {
    let u = u.trim();
    let ok = (3..=64).contains(&u.len())
        && u.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        && !u.bytes().all(|b| b.is_ascii_digit());
    if ok {
        Ok(u.to_owned())
    } else {
        Err(ApiError::field(
            "username",
            "username_format",
            "3 to 64 letters, digits, '.', '_' or '-', not only digits",
        ))
    }
}

/// Create an admin account.
#[utoipa::path(
    tag = "accounts",
    operation_id = "create_account",
    request_body = AccountIn,
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 201, description = "Created", body = AccountOut),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Username or mobile taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Validation failed", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/accounts")]
pub async fn create_account(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    body: web::Json<AccountIn>,
) -> Result<HttpResponse, ApiError> {
    user.require(ADMINS)?;
    let body = body.into_inner();
    let username = check_username(&body.username)?;
    check_strength("password", &body.password)?;
    let mobile = match body.mobile.as_deref().filter(|m| !m.trim().is_empty()) {
        Some(m) => Some(
            Mobile::parse(m)
                .map_err(|e| ApiError::field("mobile", e.code, e.message))?
                .as_str()
                .to_owned(),
        ),
        None => None,
    };
    let role = body.role.unwrap_or(Role::OrgAdmin);
    let scope = user.scope();
    let organization_id = match role {
        Role::PlatformAdmin if scope == Scope::All => None,
        Role::OrgAdmin => {
            let org = body.organization_id.ok_or_else(|| {
                ApiError::field(
                    "organization_id",
                    "required",
                    "an org admin needs an organization",
                )
            })?;
            get_scoped(&state.db, &scope, org).await.map_err(|_| {
                ApiError::field(
                    "organization_id",
                    "organization_not_found",
                    "no such organization in your scope",
                )
            })?;
            Some(org)
        }
        Role::Reviewer => match (body.organization_id, scope) {
            (None, Scope::All) => None,
            (None, _) => {
                return Err(ApiError::field(
                    "organization_id",
                    "required",
                    "a reviewer created by an org admin needs an affiliation in the admin's subtree",
                ));
            }
            (Some(org), _) => {
                get_scoped(&state.db, &scope, org).await.map_err(|_| {
                    ApiError::field(
                        "organization_id",
                        "organization_not_found",
                        "no such organization in your scope",
                    )
                })?;
                Some(org)
            }
        },
        _ => {
            return Err(ApiError::field(
                "role",
                "role_not_allowed",
                "you may not create accounts of this role",
            ));
        }
    };
    let hash = state.hasher.hash(body.password).await?;
    let txn = state.db.begin().await?;
    for (col, val, code) in [
        (
            account::Column::Username,
            Some(username.clone()),
            "duplicate_username",
        ),
        (account::Column::Mobile, mobile.clone(), "duplicate_mobile"),
    ] {
        if let Some(v) = val
            && account::Entity::find()
                .filter(col.eq(v))
                .one(&txn)
                .await?
                .is_some()
        {
            return Err(ApiError::Conflict {
                code,
                detail: "an account with this login already exists".into(),
            });
        }
    }
    let acc = account::ActiveModel {
        id: Set(Uuid::now_v7()),
        username: Set(username),
        mobile: Set(mobile),
        password_hash: Set(hash),
        role: Set(role),
        organization_id: Set(organization_id),
        volunteer_id: Set(None),
        status: Set(AccountStatus::Active),
        created_at: Set(Utc::now()),
        last_login_at: Set(None),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        &actor(&user, &req),
        Entry {
            action: "create",
            entity_type: "account",
            entity_id: acc.id,
            fields: vec![
                "username".into(),
                "mobile".into(),
                "role".into(),
                "organization_id".into(),
            ],
            reason: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/accounts/{}", acc.id)))
        .json(AccountOut::from(acc)))
}

/// List admin accounts in the caller's scope.
#[utoipa::path(
    tag = "accounts",
    operation_id = "list_accounts",
    params(AccountFilter, PageParams),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "One page", body = Page<AccountOut>),
        (status = 400, description = "Bad query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/accounts")]
pub async fn list_accounts(
    state: web::Data<AppState>,
    user: AuthUser,
    filter: web::Query<AccountFilter>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<AccountOut>>, ApiError> {
    user.require(ADMINS)?;
    let (p, n) = page.resolve()?;
    let mut q = account::Entity::find().filter(account::Column::Role.ne(Role::Volunteer));
    if let Scope::Subtree(root) = user.scope() {
        q = q.filter(account::Column::OrganizationId.in_subquery(subtree_ids(root)));
    }
    if let Some(org) = filter.organization_id {
        q = q.filter(account::Column::OrganizationId.eq(org));
    }
    if let Some(role) = filter.role {
        q = q.filter(account::Column::Role.eq(role));
    }
    let Page { items, total, .. } =
        crate::pagination::fetch(q.order_by_asc(account::Column::Id), &state.db, p, n).await?;
    Ok(web::Json(Page {
        items: items.into_iter().map(Into::into).collect(),
        page: p,
        per_page: n,
        total,
    }))
}

/// Disable an admin account and revoke its refresh tokens.
#[utoipa::path(
    tag = "accounts",
    operation_id = "disable_account",
    params(("id" = Uuid, Path, description = "Account id")),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "Disabled", body = AccountOut),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Cannot disable yourself", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/accounts/{id}/disable")]
pub async fn disable_account(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<web::Json<AccountOut>, ApiError> {
    user.require(ADMINS)?;
    let txn = state.db.begin().await?;
    let acc = account::Entity::find_by_id(*id)
        .one(&txn)
        .await?
        .filter(|a| a.role != Role::Volunteer)
        .ok_or(ApiError::NotFound("account"))?;
    let visible = match (user.scope(), acc.organization_id) {
        (Scope::All, _) => true,
        (scope @ Scope::Subtree(_), Some(org)) => {
            crate::organizations::service::in_scope(&txn, &scope, org).await?
        }
        _ => false,
    };
    if !visible {
        return Err(ApiError::NotFound("account"));
    }
    if acc.id == user.account_id {
        return Err(ApiError::Rule {
            code: "cannot_disable_self",
            detail: "you cannot disable your own account".into(),
        });
    }
    let mut active: account::ActiveModel = acc.into();
    active.status = Set(AccountStatus::Disabled);
    let acc = active.update(&txn).await?;
    entity::refresh_token::Entity::update_many()
        .col_expr(
            entity::refresh_token::Column::RevokedAt,
            Expr::value(Utc::now()),
        )
        .filter(entity::refresh_token::Column::AccountId.eq(acc.id))
        .filter(entity::refresh_token::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        &actor(&user, &req),
        Entry {
            action: "disable",
            entity_type: "account",
            entity_id: acc.id,
            fields: vec!["status".into()],
            reason: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(web::Json(acc.into()))
}

/// Registers the `/accounts` routes.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(create_account)
        .service(list_accounts)
        .service(disable_account);
}
