//! The service-hour ledger (`/api/v1/service-records`) and certificates (`/api/v1/certificates`):
//! manual entry, declarations and attendance records, approval, voiding and corrections that
//! supersede; totals in summary rows; the working-day calendar (`/api/v1/calendar-days`); CSV /
//! XLSX export; signed certificates with public verification and the platform JWKS.

pub mod certificates;
pub mod dto;
pub mod export;
pub mod handlers;
pub mod rules;
pub mod service;
pub mod signing;

/// Registers the ledger and certificate routes. `/service-records/export` and
/// `/service-records/declarations` come before `/service-records/{id}` so that they are not taken
/// for an id. `/.well-known/jwks.json` lives outside `/api/v1` and is registered by
/// `crate::startup::register`.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(export::export_service_records)
        .service(handlers::create_service_record_declaration)
        .service(handlers::create_service_record)
        .service(handlers::list_service_records)
        .service(handlers::get_service_record)
        .service(handlers::approve_service_record)
        .service(handlers::reject_service_record)
        .service(handlers::void_service_record)
        .service(handlers::create_service_record_correction)
        .service(handlers::get_volunteer_totals)
        .service(handlers::get_organization_service_totals)
        .service(handlers::list_calendar_days)
        .service(handlers::update_calendar_day)
        .service(handlers::delete_calendar_day)
        .service(certificates::create_certificate)
        .service(certificates::get_certificate)
        .service(certificates::revoke_certificate)
        .service(certificates::verify_certificate);
}
