//! Mutual recognition (互认; `/api/v1/service-records/{id}/signed-documents`,
//! `/api/v1/certificates/{serial}/signed-documents`, `/api/v1/signed-documents`,
//! `/api/v1/public/signed-documents/verify`, `/api/v1/recognized-platforms`,
//! `/api/v1/recognized-records`): approved records and certificates exported as signed
//! documents (compact JWS, Ed25519, the platform key published at `/.well-known/jwks.json`),
//! other platforms' public keys, public verification and the import of other platforms'
//! records without counting hours twice (DESIGN.md §3 "Partner platforms and sync"; issue 7).
//! The document format is described in [`document`].

pub mod document;
pub mod dto;
pub mod handlers;
pub mod service;

/// Registers the routes of this module.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::create_record_signed_document)
        .service(handlers::create_certificate_signed_document)
        .service(handlers::get_signed_document)
        .service(handlers::verify_signed_document)
        .service(handlers::create_recognized_platform)
        .service(handlers::list_recognized_platforms)
        .service(handlers::get_recognized_platform)
        .service(handlers::update_recognized_platform)
        .service(handlers::create_recognized_platform_key)
        .service(handlers::revoke_recognized_platform_key)
        .service(handlers::create_recognized_record)
        .service(handlers::list_recognized_records)
        .service(handlers::get_recognized_record);
}
