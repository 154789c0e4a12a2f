//! Training (`/api/v1/courses`, `/api/v1/instructors`, `/api/v1/training-classes`, …).

/// Registers the training routes.
pub fn routes(_cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {}
