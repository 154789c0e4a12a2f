//! Login, refresh-token rotation with reuse detection, logout.

use chrono::Utc;
use entity::enums::AccountStatus;
use entity::{account, refresh_token};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, ConnectionTrait, EntityTrait as _,
    QueryFilter as _, TransactionTrait as _,
};
use uuid::Uuid;

use super::dto::TokensOut;
use super::token::{Claims, expiry, new_refresh_token};
use crate::crypto::sha256_hex;
use crate::error::ApiError;
use crate::state::AppState;
use crate::volunteers::domain::Mobile;

fn invalid_credentials() -> ApiError {
    ApiError::Unauthorized {
        code: "invalid_credentials",
        detail: "unknown login or wrong password".into(),
    }
}

fn invalid_refresh(code: &'static str, detail: &str) -> ApiError {
    ApiError::Unauthorized {
        code,
        detail: detail.into(),
    }
}

/// Checks credentials and issues tokens.
///
/// # Errors
/// 429 when rate limited, 401 `invalid_credentials`, 503 when hashing is saturated.
pub async fn login(
    state: &AppState,
    login: &str,
    password: String,
    address: &str,
) -> Result<TokensOut, ApiError> {
    let login = login.trim();
    state.login_limiter.check(login, address)?;
    let by_mobile = Mobile::parse(login).ok();
    let mut query = account::Entity::find();
    query = match &by_mobile {
        Some(m) => query.filter(account::Column::Mobile.eq(m.as_str())),
        None => query.filter(account::Column::Username.eq(login)),
    };
    let found = query.one(&state.db).await?;
    let stored = found
        .as_ref()
        .filter(|a| a.status == AccountStatus::Active)
        .map(|a| a.password_hash.clone());
    if !state.hasher.verify(password, stored).await? {
        return Err(invalid_credentials());
    }
    let acc = found.ok_or_else(invalid_credentials)?;
    let mut active: account::ActiveModel = acc.clone().into();
    active.last_login_at = Set(Some(Utc::now()));
    active.update(&state.db).await?;
    issue(state, &state.db, &acc, Uuid::now_v7()).await
}

/// Issues an access token and a new refresh token in `family`.
async fn issue(
    state: &AppState,
    db: &impl ConnectionTrait,
    acc: &account::Model,
    family: Uuid,
) -> Result<TokensOut, ApiError> {
    let now = Utc::now();
    let minutes = state.settings.access_token_minutes;
    let claims = Claims {
        sub: acc.id,
        role: acc.role,
        org: acc.organization_id,
        vol: acc.volunteer_id,
        iat: now.timestamp(),
        exp: expiry(now, minutes).timestamp(),
    };
    let access_token = state.jwt.sign(&claims)?;
    let refresh = new_refresh_token();
    let refresh_expires_at = now + chrono::Duration::days(state.settings.refresh_token_days);
    refresh_token::Entity::insert(refresh_token::ActiveModel {
        id: Set(Uuid::now_v7()),
        account_id: Set(acc.id),
        token_hash: Set(sha256_hex(&refresh)),
        family_id: Set(family),
        expires_at: Set(refresh_expires_at),
        used_at: Set(None),
        revoked_at: Set(None),
        created_at: Set(now),
    })
    .exec(db)
    .await?;
    Ok(TokensOut {
        access_token,
        token_type: "Bearer".into(),
        expires_in: minutes * 60,
        refresh_token: refresh,
        refresh_expires_at,
    })
}

async fn revoke_family(db: &impl ConnectionTrait, family: Uuid) -> Result<(), ApiError> {
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(refresh_token::Column::FamilyId.eq(family))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Exchanges a refresh token for new tokens. A token that was already used revokes its whole
/// family (RFC 6819 §5.2.2.3: refresh token rotation with reuse detection).
///
/// # Errors
/// 401 `invalid_refresh_token`, `refresh_token_reused`, `refresh_token_expired`.
pub async fn refresh(state: &AppState, token: &str) -> Result<TokensOut, ApiError> {
    let hash = sha256_hex(token.trim());
    let row = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(hash))
        .one(&state.db)
        .await?
        .ok_or_else(|| invalid_refresh("invalid_refresh_token", "unknown refresh token"))?;
    if row.revoked_at.is_some() {
        return Err(invalid_refresh(
            "invalid_refresh_token",
            "the refresh token was revoked",
        ));
    }
    if row.used_at.is_some() {
        revoke_family(&state.db, row.family_id).await?;
        tracing::warn!(account_id = %row.account_id, "refresh token reused; family revoked");
        return Err(invalid_refresh(
            "refresh_token_reused",
            "the refresh token was already used; all sessions of this login are revoked",
        ));
    }
    if row.expires_at <= Utc::now() {
        return Err(invalid_refresh(
            "refresh_token_expired",
            "the refresh token has expired",
        ));
    }
    let txn = state.db.begin().await?;
    // Conditional update: of two concurrent refreshes with one token, exactly one wins.
    let claimed = refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::UsedAt, Expr::value(Utc::now()))
        .filter(refresh_token::Column::Id.eq(row.id))
        .filter(refresh_token::Column::UsedAt.is_null())
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    if claimed.rows_affected != 1 {
        txn.rollback().await?;
        revoke_family(&state.db, row.family_id).await?;
        return Err(invalid_refresh(
            "refresh_token_reused",
            "the refresh token was already used; all sessions of this login are revoked",
        ));
    }
    let acc = account::Entity::find_by_id(row.account_id)
        .one(&txn)
        .await?
        .filter(|a| a.status == AccountStatus::Active)
        .ok_or_else(|| invalid_refresh("invalid_refresh_token", "the account is disabled"))?;
    let out = issue(state, &txn, &acc, row.family_id).await?;
    txn.commit().await?;
    Ok(out)
}

/// Revokes the family of a refresh token that belongs to `account_id`.
///
/// # Errors
/// 401 `invalid_refresh_token` when the token is unknown or another account's.
pub async fn logout(state: &AppState, account_id: Uuid, token: &str) -> Result<(), ApiError> {
    let row = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(sha256_hex(token.trim())))
        .filter(refresh_token::Column::AccountId.eq(account_id))
        .one(&state.db)
        .await?
        .ok_or_else(|| invalid_refresh("invalid_refresh_token", "unknown refresh token"))?;
    revoke_family(&state.db, row.family_id).await
}

/// The calling account.
///
/// # Errors
/// 401 when the account no longer exists.
pub async fn me(state: &AppState, account_id: Uuid) -> Result<account::Model, ApiError> {
    account::Entity::find_by_id(account_id)
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::Unauthorized {
            code: "invalid_token",
            detail: "the account no longer exists".into(),
        })
}
