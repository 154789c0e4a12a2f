//! Real-name volunteers (`/api/v1/volunteers`): self-registration and admin registration with
//! GB 11643 ID checks, masked profiles, scoped lists, optimistic updates, audited unmasking,
//! suspension and deregistration (anonymise the person, keep the ledger).

pub mod domain;
pub mod dto;
pub mod handlers;
pub mod import;
pub mod roster;
pub mod service;

/// Registers the `/volunteers` routes. `/volunteers/me` and `/volunteers/register` come before
/// `/volunteers/{id}` so that they are not taken for an id.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::register_volunteer)
        .service(import::create_volunteer_import)
        .service(handlers::get_own_volunteer)
        .service(handlers::create_volunteer)
        .service(handlers::list_volunteers)
        .service(handlers::get_volunteer)
        .service(handlers::update_volunteer)
        .service(handlers::deregister_volunteer)
        .service(handlers::unmask_volunteer)
        .service(handlers::suspend_volunteer)
        .service(handlers::activate_volunteer);
}
