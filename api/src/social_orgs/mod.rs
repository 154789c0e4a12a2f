//! Youth social organizations: registry, incubation, rating templates, rating rounds, grades (issue 6).

/// Registers the routes of this module.
pub fn routes(_cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {}
