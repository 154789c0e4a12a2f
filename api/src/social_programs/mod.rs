//! Project library, case library, micro-grant calls, youth homes and youth social workers (issue 6).

/// Registers the routes of this module.
pub fn routes(_cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {}
