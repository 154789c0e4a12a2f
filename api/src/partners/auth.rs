//! Partner access tokens and the [`PartnerClient`] extractor.
//!
//! A partner token is a JWT signed with the same HMAC key as user access tokens
//! (`APP_JWT_SECRET`, HS256 pinned), told apart by its claims: `aud` = [`PARTNER_AUDIENCE`] and
//! `typ` = [`PARTNER_TOKEN_TYPE`], required on verification, and no `role`. A user token has no
//! audience and a partner token has no role, so neither verifies as the other (the user
//! verification needs `role`; this one needs the audience). The token carries the partner's
//! `secret_version`: rotating the secret ends the tokens issued under the old one.
//!
//! The extractor re-reads the partner on every request (one primary-key read plus its scope
//! roots): suspending a partner or rotating its secret takes effect at once, not when its
//! tokens expire.

use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use chrono::{DateTime, Utc};
use entity::organization_closure as closure;
use entity::partners::{PartnerStatus, partner_platform, partner_platform_scope};
use futures_util::future::LocalBoxFuture;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use sea_orm::sea_query::{Query, SelectStatement};
use sea_orm::{
    ColumnTrait as _, ConnectionTrait, EntityTrait as _, PaginatorTrait as _, QueryFilter as _,
    QuerySelect as _,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::audit::Actor;
use crate::auth::extract::request_id;
use crate::error::ApiError;
use crate::state::AppState;

/// The `aud` claim of partner tokens.
pub const PARTNER_AUDIENCE: &str = "partner-api";
/// The `typ` claim of partner tokens.
pub const PARTNER_TOKEN_TYPE: &str = "partner";

/// Claims of a partner access token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PartnerClaims {
    /// Partner platform id.
    pub sub: Uuid,
    /// Always [`PARTNER_AUDIENCE`].
    pub aud: String,
    /// Always [`PARTNER_TOKEN_TYPE`].
    pub typ: String,
    /// The partner's client id.
    pub cid: String,
    /// `secret_version` of the partner when the token was issued.
    pub ver: i32,
    /// Issued at (seconds since the Unix epoch).
    pub iat: i64,
    /// Expires at (seconds since the Unix epoch).
    pub exp: i64,
}

fn validation() -> Validation {
    let mut v = Validation::new(Algorithm::HS256);
    v.algorithms = vec![Algorithm::HS256];
    v.set_required_spec_claims(&["exp", "sub", "aud"]);
    v.set_audience(&[PARTNER_AUDIENCE]);
    v.leeway = 5;
    v
}

/// Signs partner claims with the platform's access-token key.
///
/// # Errors
/// 500 when the key is rejected or signing fails.
pub fn sign(state: &AppState, claims: &PartnerClaims) -> Result<String, ApiError> {
    let key = EncodingKey::from_secret(state.settings.jwt_secret()).map_err(ApiError::internal)?;
    jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &key).map_err(ApiError::internal)
}

/// Verifies a partner token: signature, algorithm, expiry, audience and type.
///
/// # Errors
/// 401 `token_expired` or `invalid_token`.
pub fn verify(state: &AppState, token: &str) -> Result<PartnerClaims, ApiError> {
    let invalid = || ApiError::Unauthorized {
        code: "invalid_token",
        detail: "the partner access token is invalid".into(),
    };
    let key = DecodingKey::from_secret(state.settings.jwt_secret()).map_err(ApiError::internal)?;
    let claims = jsonwebtoken::decode::<PartnerClaims>(token, &key, &validation())
        .map(|d| d.claims)
        .map_err(|e| match e.kind() {
            jsonwebtoken::errors::ErrorKind::ExpiredSignature => ApiError::Unauthorized {
                code: "token_expired",
                detail: "the partner access token has expired; request a new one".into(),
            },
            _ => invalid(),
        })?;
    if claims.typ != PARTNER_TOKEN_TYPE {
        return Err(invalid());
    }
    Ok(claims)
}

/// Claims for a new token of `partner`, valid `minutes` from `now`.
pub fn claims_for(
    partner: &partner_platform::Model,
    now: DateTime<Utc>,
    minutes: i64,
) -> PartnerClaims {
    PartnerClaims {
        sub: partner.id,
        aud: PARTNER_AUDIENCE.into(),
        typ: PARTNER_TOKEN_TYPE.into(),
        cid: partner.client_id.clone(),
        ver: partner.secret_version,
        iat: now.timestamp(),
        exp: crate::auth::token::expiry(now, minutes).timestamp(),
    }
}

/// The authenticated partner platform of a request (`Authorization: Bearer <partner token>`).
///
/// Refusals (401): `missing_token`, `invalid_token`, `token_expired`, `partner_suspended`,
/// `credentials_rotated` (the token predates a secret rotation), `partner_not_found`.
#[derive(Debug, Clone)]
pub struct PartnerClient {
    /// Partner platform id.
    pub partner_id: Uuid,
    /// OAuth 2 client id.
    pub client_id: String,
    /// Display name.
    pub name: String,
    /// The disabled account partner writes are attributed to.
    pub system_account_id: Uuid,
    scope_roots: Vec<Uuid>,
}

impl PartnerClient {
    /// The roots of the organization subtrees in the partner's scope.
    pub fn scope(&self) -> &[Uuid] {
        &self.scope_roots
    }

    /// `SELECT descendant_id FROM organization_closure WHERE ancestor_id IN (<scope roots>)`:
    /// every organization in scope, for `column.in_subquery(...)` filters.
    pub fn scope_org_ids(&self) -> SelectStatement {
        Query::select()
            .distinct()
            .column(closure::Column::DescendantId)
            .from(closure::Entity)
            .and_where(closure::Column::AncestorId.is_in(self.scope_roots.clone()))
            .to_owned()
    }

    /// Whether `org_id` is a scope root or a descendant of one (through
    /// `organization_closure`).
    ///
    /// # Errors
    /// Database errors.
    pub async fn in_scope(
        &self,
        db: &impl ConnectionTrait,
        org_id: Uuid,
    ) -> Result<bool, ApiError> {
        if self.scope_roots.is_empty() {
            return Ok(false);
        }
        let n = closure::Entity::find()
            .filter(closure::Column::AncestorId.is_in(self.scope_roots.clone()))
            .filter(closure::Column::DescendantId.eq(org_id))
            .count(db)
            .await?;
        Ok(n > 0)
    }

    /// The audit actor of this partner's writes: its system account and the request id.
    pub fn actor(&self, req: &HttpRequest) -> Actor {
        Actor {
            account_id: Some(self.system_account_id),
            request_id: request_id(req),
        }
    }

    /// The `source` of service records this partner writes: `partner:<client_id>`
    /// (DESIGN.md §3 "Service records").
    pub fn record_source(&self) -> String {
        format!("partner:{}", self.client_id)
    }
}

fn bearer(req: &HttpRequest) -> Result<String, ApiError> {
    let header = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .ok_or(ApiError::Unauthorized {
            code: "missing_token",
            detail: "send a partner access token: Authorization: Bearer <token> (POST /api/v1/partners/token)".into(),
        })?;
    header
        .strip_prefix("Bearer ")
        .or_else(|| header.strip_prefix("bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .ok_or(ApiError::Unauthorized {
            code: "invalid_token",
            detail: "the Authorization header must be `Bearer <token>`".into(),
        })
}

/// Loads the partner of verified claims and checks that it may still act.
///
/// # Errors
/// 401 `partner_not_found`, `partner_suspended`, `credentials_rotated`; database errors.
pub async fn load(
    db: &impl ConnectionTrait,
    claims: &PartnerClaims,
) -> Result<PartnerClient, ApiError> {
    let partner = partner_platform::Entity::find_by_id(claims.sub)
        .one(db)
        .await?
        .ok_or(ApiError::Unauthorized {
            code: "partner_not_found",
            detail: "the partner platform of this token no longer exists".into(),
        })?;
    if partner.status == PartnerStatus::Suspended {
        return Err(ApiError::Unauthorized {
            code: "partner_suspended",
            detail: "the partner platform is suspended".into(),
        });
    }
    if partner.secret_version != claims.ver {
        return Err(ApiError::Unauthorized {
            code: "credentials_rotated",
            detail:
                "the client secret was rotated after this token was issued; request a new token"
                    .into(),
        });
    }
    let scope_roots: Vec<Uuid> = partner_platform_scope::Entity::find()
        .select_only()
        .column(partner_platform_scope::Column::OrganizationId)
        .filter(partner_platform_scope::Column::PartnerId.eq(partner.id))
        .into_tuple()
        .all(db)
        .await?;
    Ok(PartnerClient {
        partner_id: partner.id,
        client_id: partner.client_id,
        name: partner.name,
        system_account_id: partner.system_account_id,
        scope_roots,
    })
}

impl FromRequest for PartnerClient {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let verified = req
            .app_data::<web::Data<AppState>>()
            .cloned()
            .ok_or_else(|| ApiError::Internal("application state missing".into()))
            .and_then(|state| {
                let token = bearer(req)?;
                Ok((verify(&state, &token)?, state))
            });
        Box::pin(async move {
            let (claims, state) = verified?;
            load(&state.db, &claims).await
        })
    }
}
