//! Real-name volunteers (`/api/v1/volunteers`).

pub mod domain;

/// Registers the `/volunteers` routes.
pub fn routes(_cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {}
