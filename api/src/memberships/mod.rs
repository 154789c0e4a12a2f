//! Volunteers' membership of organizations (`/api/v1/memberships`): apply, approve or reject
//! (admins whose subtree holds the organization), leave.

pub mod dto;
pub mod handlers;
pub mod service;

/// Registers the `/memberships` routes.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::create_membership)
        .service(handlers::list_memberships)
        .service(handlers::get_membership)
        .service(handlers::approve_membership)
        .service(handlers::reject_membership)
        .service(handlers::leave_membership);
}
