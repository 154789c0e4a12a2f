//! Projects, shifts and sign-ups (`/api/v1/projects`, `/api/v1/shifts`, `/api/v1/signups`).

/// Registers the project, shift and sign-up routes.
pub fn routes(_cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {}
