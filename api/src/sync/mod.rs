//! Change feed and webhooks for partner platforms (issue 7).

/// Registers the routes of this module.
pub fn routes(_cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {}
