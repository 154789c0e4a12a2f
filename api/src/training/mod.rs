//! Training (`/api/v1/courses`, `/api/v1/public/courses`, `/api/v1/instructors`,
//! `/api/v1/training-classes`, `/api/v1/enrolments`, `/api/v1/volunteers/{id}/training-records`,
//! `/api/v1/volunteers/{id}/qualifications`, `/api/v1/training-settings`): the course catalogue,
//! the instructor pool, training classes with capacity-safe enrolment, attendance, completion
//! with training records and qualifications that projects may require (DESIGN.md §3
//! "Training"; issue 4).

pub mod dto;
pub mod handlers;
pub mod rules;
pub mod service;

/// Registers the training routes. `/enrolments/me` has a different shape from
/// `/enrolments/{id}/…`, so their order does not matter.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::create_course)
        .service(handlers::list_courses)
        .service(handlers::get_course)
        .service(handlers::update_course)
        .service(handlers::delete_course)
        .service(handlers::publish_course)
        .service(handlers::list_public_courses)
        .service(handlers::get_public_course)
        .service(handlers::create_instructor)
        .service(handlers::list_instructors)
        .service(handlers::get_instructor)
        .service(handlers::update_instructor)
        .service(handlers::delete_instructor)
        .service(handlers::create_training_class)
        .service(handlers::list_training_classes)
        .service(handlers::get_training_class)
        .service(handlers::update_training_class)
        .service(handlers::open_training_class)
        .service(handlers::start_training_class)
        .service(handlers::finish_training_class)
        .service(handlers::archive_training_class)
        .service(handlers::create_enrolment)
        .service(handlers::create_enrolments_batch)
        .service(handlers::list_enrolments)
        .service(handlers::list_own_enrolments)
        .service(handlers::cancel_enrolment)
        .service(handlers::complete_enrolment)
        .service(handlers::update_session_attendance)
        .service(handlers::list_training_records)
        .service(handlers::list_qualifications)
        .service(handlers::get_training_class_report)
        .service(handlers::get_organization_training_report)
        .service(handlers::get_training_settings)
        .service(handlers::update_training_settings);
}
