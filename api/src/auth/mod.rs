//! Authentication: login, refresh-token rotation, logout, the caller (`/api/v1/auth`), plus the
//! building blocks other modules use: password hashing, tokens, the `AuthUser` extractor and
//! login rate limits.

pub mod dto;
pub mod extract;
pub mod handlers;
pub mod limiter;
pub mod password;
pub mod service;
pub mod token;

pub use extract::{AuthUser, PendingAuth, Scope};

/// Registers the `/auth` routes.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::login)
        .service(handlers::refresh)
        .service(handlers::logout)
        .service(handlers::me);
}
