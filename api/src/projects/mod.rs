//! Projects, shifts and sign-ups (`/api/v1/projects`, `/api/v1/shifts`, `/api/v1/signups`) and
//! the public project listing (`/api/v1/public/projects`): the review workflow (draft → pending
//! review by the parent organization → published → closed or cancelled), shifts whose capacity
//! is never exceeded, sign-ups with a first-come-first-served waitlist (DESIGN.md §3).

pub mod attendance;
pub mod dto;
pub mod handlers;
pub mod rules;
pub mod service;

/// Registers the project, shift and sign-up routes. `/signups/me` comes before
/// `/signups/{id}` so that it is not taken for an id.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::create_project)
        .service(handlers::list_projects)
        .service(handlers::get_project)
        .service(handlers::update_project)
        .service(handlers::submit_project)
        .service(handlers::approve_project)
        .service(handlers::reject_project)
        .service(handlers::close_project)
        .service(handlers::cancel_project)
        .service(handlers::list_public_projects)
        .service(handlers::get_public_project)
        .service(handlers::create_shift)
        .service(handlers::list_shifts)
        .service(handlers::update_shift)
        .service(handlers::delete_shift)
        .service(handlers::create_signup)
        .service(handlers::list_signups)
        .service(handlers::list_own_signups)
        .service(handlers::get_signup)
        .service(handlers::cancel_signup)
        .service(handlers::approve_signup)
        .service(handlers::reject_signup)
        .service(handlers::mark_signup_no_show)
        .service(attendance::get_attendance_code)
        .service(attendance::create_check_in)
        .service(attendance::create_check_out)
        .service(attendance::list_attendances);
}
