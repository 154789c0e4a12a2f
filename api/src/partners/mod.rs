//! Partner platforms (`/api/v1/partners`, `/api/v1/partner/...`; DESIGN.md §3 "Partner
//! platforms and sync"; issue 7 part A): the registry of partner platforms with OAuth 2 client
//! credentials (secret shown once, stored as a digest, rotatable), suspension, the
//! client-credentials token endpoint, the [`auth::PartnerClient`] extractor with the
//! partner's organization scope, and the partner's idempotent batch upserts of volunteers and
//! service records ([`batch`], [`idempotency`]).

pub mod auth;
pub mod batch;
pub mod credentials;
pub mod dto;
pub mod handlers;
pub mod idempotency;
pub mod service;

/// Registers the partner routes. `/partners/token` is registered before `/partners/{id}`.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::create_partner_token)
        .service(handlers::create_partner)
        .service(handlers::list_partners)
        .service(handlers::get_partner)
        .service(handlers::update_partner)
        .service(handlers::suspend_partner)
        .service(handlers::reactivate_partner)
        .service(handlers::rotate_partner_secret)
        .service(handlers::get_partner_me)
        .service(handlers::create_partner_volunteers_batch)
        .service(handlers::create_partner_service_records_batch);
}
