//! Award campaigns, credit list with consent, partner benefits (issue 5).

/// Registers the routes of this module.
pub fn routes(_cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {}
