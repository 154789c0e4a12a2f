//! Volunteers' membership of organizations (`/api/v1/memberships`).

/// Registers the `/memberships` routes.
pub fn routes(_cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {}
