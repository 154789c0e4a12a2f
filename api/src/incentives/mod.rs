//! Incentives (`/api/v1/rule-sets`, `/api/v1/star-levels`, …).

/// Registers the incentive routes.
pub fn routes(_cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {}
