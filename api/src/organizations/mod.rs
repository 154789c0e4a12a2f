//! Organizations and their tree (`/api/v1/organizations`). Every admin permission is scoped to
//! a subtree; anything outside answers 404.

pub mod domain;
pub mod dto;
pub mod handlers;
pub mod service;

/// Registers the `/organizations` routes.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::create_organization)
        .service(handlers::list_organizations)
        .service(handlers::get_organization)
        .service(handlers::update_organization)
        .service(handlers::deactivate_organization)
        .service(handlers::activate_organization);
}
