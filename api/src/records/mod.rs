//! The service-hour ledger (`/api/v1/service-records`) and certificates (`/api/v1/certificates`).

/// Registers the ledger and certificate routes.
pub fn routes(_cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {}
