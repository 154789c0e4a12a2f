//! The `AuthUser` extractor: a verified access token turned into the caller's identity, role and
//! scope. Handlers declare who may call them with [`AuthUser::require`].
//!
//! Besides the signature and expiry, every request checks that the token's account still exists
//! and is active (one primary-key read): disabling an account takes effect at once, not when its
//! last access token expires.

use actix_web::{FromRequest, HttpMessage as _, HttpRequest, dev::Payload, web};
use entity::account;
use entity::enums::{AccountStatus, Role};
use futures_util::future::LocalBoxFuture;
use sea_orm::EntityTrait as _;
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
            let active = account::Entity::find_by_id(user.account_id)
                .one(&state.db)
                .await?
                .is_some_and(|a| a.status == AccountStatus::Active);
            if !active {
                return Err(ApiError::Unauthorized {
                    code: "account_disabled",
                    detail: "the account of this token is disabled or no longer exists".into(),
                });
            }
            Ok(user)
        })
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
