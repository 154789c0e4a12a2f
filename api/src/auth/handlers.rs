//! HTTP handlers of `/api/v1/auth`.

use actix_web::{HttpRequest, HttpResponse, get, post, web};

use super::dto::{LoginIn, MeOut, RefreshIn, TokensOut};
use super::extract::AuthUser;
use super::service;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// Log in with username or mobile and password.
///
/// Returns an access token (JWT, `APP_ACCESS_TOKEN_MINUTES` long, default 15) and a single-use
/// refresh token. Attempts are rate-limited per login name and per client address.
#[utoipa::path(
    tag = "auth",
    operation_id = "create_login",
    request_body = LoginIn,
    security(()),
    responses(
        (status = 200, description = "Logged in", body = TokensOut),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Unknown login or wrong password", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid body", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts; see Retry-After", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Hashing saturated", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<LoginIn>,
) -> Result<web::Json<TokensOut>, ApiError> {
    let address = req
        .peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_default();
    let body = body.into_inner();
    Ok(web::Json(
        service::login(&state, &body.login, body.password, &address).await?,
    ))
}

/// Exchange a refresh token for new tokens.
///
/// The presented token is used up; presenting it again revokes every token of that login.
#[utoipa::path(
    tag = "auth",
    operation_id = "create_refresh",
    request_body = RefreshIn,
    security(()),
    responses(
        (status = 200, description = "New tokens", body = TokensOut),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Unknown, used, revoked or expired refresh token", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid body", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/refresh")]
pub async fn refresh(
    state: web::Data<AppState>,
    body: web::Json<RefreshIn>,
) -> Result<web::Json<TokensOut>, ApiError> {
    Ok(web::Json(
        service::refresh(&state, &body.refresh_token).await?,
    ))
}

/// Log out: revoke the refresh token and every token rotated from the same login.
#[utoipa::path(
    tag = "auth",
    operation_id = "create_logout",
    request_body = RefreshIn,
    security(("bearer_auth" = ["platform_admin", "org_admin", "volunteer"])),
    responses(
        (status = 204, description = "Logged out"),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated, or unknown refresh token", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid body", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<RefreshIn>,
) -> Result<HttpResponse, ApiError> {
    service::logout(&state, user.account_id, &body.refresh_token).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The calling account: id, username, role and what it is bound to.
#[utoipa::path(
    tag = "auth",
    operation_id = "get_me",
    security(("bearer_auth" = ["platform_admin", "org_admin", "volunteer"])),
    responses(
        (status = 200, description = "The caller", body = MeOut),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/auth/me")]
pub async fn me(state: web::Data<AppState>, user: AuthUser) -> Result<web::Json<MeOut>, ApiError> {
    let a = service::me(&state, user.account_id).await?;
    Ok(web::Json(MeOut {
        id: a.id,
        username: a.username,
        role: a.role,
        organization_id: a.organization_id,
        volunteer_id: a.volunteer_id,
    }))
}
