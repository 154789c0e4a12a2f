//! The `AuthUser` extractor: a verified access token turned into the caller's identity, role and
//! scope. Handlers declare who may call them with [`AuthUser::require`].
//!
//! Besides the signature and expiry, every request checks that the token's account still exists
//! and is active (one primary-key read, on [`AppState::read_db`], which sees every committed
//! write): disabling an account takes effect at once, not when its last access token expires.
//!
//! Hot single-row reads use [`PendingAuth`] instead, which makes the same check part of the
//! handler's own statement (`… AND EXISTS (SELECT 1 FROM accounts WHERE id = ? AND status =
//! 'active')`): one round trip instead of two, with the same guarantee — the row is returned
//! only if the account was active when it was read. There is no cache: a disabled account is
//! refused by the next request, whichever extractor the handler uses.

use actix_web::{FromRequest, HttpMessage as _, HttpRequest, dev::Payload, web};
use entity::account;
use entity::enums::{AccountStatus, Role};
use futures_util::future::LocalBoxFuture;
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ColumnTrait as _, ConnectionTrait, EntityTrait, QueryFilter as _, Select};
use uuid::Uuid;

use crate::error::ApiError;
use crate::state::AppState;

/// The authenticated caller.
#[derive(Debug, Clone)]
pub struct AuthUser {
    /// Account id.
    pub account_id: Uuid,
    /// Role.
    pub role: Role,
    /// For organization admins: the root of their subtree.
    pub organization_id: Option<Uuid>,
    /// For volunteers: their volunteer id.
    pub volunteer_id: Option<Uuid>,
}

/// Which organizations a caller may see and change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Platform admins: everything.
    All,
    /// Organization admins: this organization and its descendants.
    Subtree(Uuid),
    /// Volunteers: no organization data beyond their own.
    Nothing,
}

impl AuthUser {
    /// Refuses the call with 403 unless the caller has one of `roles`.
    ///
    /// # Errors
    /// 403 `forbidden`.
    pub fn require(&self, roles: &[Role]) -> Result<(), ApiError> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(ApiError::Forbidden)
        }
    }

    /// The caller's organization scope.
    pub fn scope(&self) -> Scope {
        match (self.role, self.organization_id) {
            (Role::PlatformAdmin, _) => Scope::All,
            (Role::OrgAdmin, Some(org)) => Scope::Subtree(org),
            _ => Scope::Nothing,
        }
    }
}

/// Request extension holding the request id (set by the request-id middleware).
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// The request id of a request, if the middleware set one.
pub fn request_id(req: &HttpRequest) -> Option<String> {
    req.extensions().get::<RequestId>().map(|r| r.0.clone())
}

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let verified = req
            .app_data::<web::Data<AppState>>()
            .cloned()
            .ok_or_else(|| ApiError::Internal("application state missing".into()))
            .and_then(|state| Ok((verify(req, &state)?, state)));
        Box::pin(async move {
            let (user, state) = verified?;
            PendingAuth(user).confirm(&state.read_db).await
        })
    }
}

fn account_disabled() -> ApiError {
    ApiError::Unauthorized {
        code: "account_disabled",
        detail: "the account of this token is disabled or no longer exists".into(),
    }
}

/// A caller whose access token is verified (signature, expiry) but whose account has not been
/// checked yet. The [`AuthUser`] comes out only through [`Self::fetch_one`], which folds the
/// account check into the handler's statement, or [`Self::confirm`]; both refuse a disabled or
/// deleted account with 401 `account_disabled`, exactly as the [`AuthUser`] extractor does.
#[derive(Debug)]
pub struct PendingAuth(AuthUser);

impl PendingAuth {
    /// The token's claims, to build the handler's query (role, scope). Not yet proof that the
    /// account is active.
    pub fn claims(&self) -> &AuthUser {
        &self.0
    }

    /// Checks the account with its own primary-key read.
    ///
    /// # Errors
    /// 401 `account_disabled`; database errors.
    pub async fn confirm(self, db: &impl ConnectionTrait) -> Result<AuthUser, ApiError> {
        let active = account::Entity::find_by_id(self.0.account_id)
            .one(db)
            .await?
            .is_some_and(|a| a.status == AccountStatus::Active);
        if active {
            Ok(self.0)
        } else {
            Err(account_disabled())
        }
    }

    /// [`AuthUser::require`] with the same precedence as the [`AuthUser`] extractor: a disabled
    /// account gets 401 before a wrong role gets 403.
    ///
    /// # Errors
    /// 401 `account_disabled`, 403 `forbidden`; database errors.
    pub async fn require(
        self,
        db: &impl ConnectionTrait,
        roles: &[Role],
    ) -> Result<Self, ApiError> {
        if roles.contains(&self.0.role) {
            return Ok(self);
        }
        self.confirm(db).await?;
        Err(ApiError::Forbidden)
    }

    /// Runs `select` with the account check folded in, in one statement. A row proves the
    /// account was active when it was read; without one, a second read tells a disabled account
    /// (401) from a missing or invisible row (`None`).
    ///
    /// # Errors
    /// 401 `account_disabled`; database errors.
    pub async fn fetch_one<E: EntityTrait>(
        self,
        db: &impl ConnectionTrait,
        select: Select<E>,
    ) -> Result<(AuthUser, Option<E::Model>), ApiError> {
        let active = Query::select()
            .expr(Expr::val(1))
            .from(account::Entity)
            .and_where(account::Column::Id.eq(self.0.account_id))
            .and_where(account::Column::Status.eq(AccountStatus::Active))
            .to_owned();
        match select.filter(Expr::exists(active)).one(db).await? {
            Some(row) => Ok((self.0, Some(row))),
            None => Ok((self.confirm(db).await?, None)),
        }
    }
}

impl FromRequest for PendingAuth {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(
            req.app_data::<web::Data<AppState>>()
                .ok_or_else(|| ApiError::Internal("application state missing".into()))
                .and_then(|state| verify(req, state))
                .map(PendingAuth),
        )
    }
}

fn verify(req: &HttpRequest, state: &AppState) -> Result<AuthUser, ApiError> {
    let header = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .ok_or(ApiError::Unauthorized {
            code: "missing_token",
            detail: "send an access token: Authorization: Bearer <token>".into(),
        })?;
    let token = header
        .strip_prefix("Bearer ")
        .or_else(|| header.strip_prefix("bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or(ApiError::Unauthorized {
            code: "invalid_token",
            detail: "the Authorization header must be `Bearer <token>`".into(),
        })?;
    let claims = state.jwt.verify(token)?;
    Ok(AuthUser {
        account_id: claims.sub,
        role: claims.role,
        organization_id: claims.org,
        volunteer_id: claims.vol,
    })
}
