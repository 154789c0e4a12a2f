//! Partner platforms: registry, credentials, tokens, batch upsert with idempotency (issue 7).

/// Registers the routes of this module.
pub fn routes(_cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {}
