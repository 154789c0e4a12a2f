//! Project library (公益项目库), case library (案例库), micro-grant calls (微创投), youth social
//! workers (青少年事务社工) and youth homes (青年之家) without a social worker (DESIGN.md §3
//! "Youth social organizations and ratings"; issue 6, part B): `/api/v1/library-entries`,
//! `/api/v1/public/library-entries`, `/api/v1/public/library-tags`, `/api/v1/grant-calls`,
//! `/api/v1/grant-proposals`, `/api/v1/grant-reviews`, `/api/v1/youth-social-workers`,
//! `/api/v1/social-worker-assignments`, `/api/v1/youth-homes/without-social-worker`.
//!
//! Permissions: org admins act inside their subtree (anything outside answers 404), platform
//! admins everywhere, reviewers only on their own assignments, the public only on published
//! library entries. Every change writes an audit row in its transaction.

pub mod common;
pub mod dto;
pub mod grants;
pub mod handlers;
pub mod library;
pub mod rules;
pub mod workers;

/// Registers the routes of this module. `/grant-reviews/me` (GET) and `/grant-reviews/{id}`
/// (PUT) differ in method, so their order does not matter.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::create_library_entry)
        .service(handlers::list_library_entries)
        .service(handlers::get_library_entry)
        .service(handlers::update_library_entry)
        .service(handlers::submit_library_entry)
        .service(handlers::publish_library_entry)
        .service(handlers::reject_library_entry)
        .service(handlers::archive_library_entry)
        .service(handlers::update_library_entry_tags)
        .service(handlers::list_public_library_entries)
        .service(handlers::get_public_library_entry)
        .service(handlers::list_public_library_tags)
        .service(handlers::create_grant_call)
        .service(handlers::list_grant_calls)
        .service(handlers::get_grant_call)
        .service(handlers::update_grant_call)
        .service(handlers::open_grant_call)
        .service(handlers::start_grant_call_review)
        .service(handlers::close_grant_call)
        .service(handlers::create_grant_proposal)
        .service(handlers::list_grant_proposals)
        .service(handlers::get_grant_call_ranking)
        .service(handlers::get_grant_proposal)
        .service(handlers::list_own_grant_proposals)
        .service(handlers::create_grant_review)
        .service(handlers::list_grant_reviews)
        .service(handlers::award_grant_proposal)
        .service(handlers::decline_grant_proposal)
        .service(handlers::list_own_grant_reviews)
        .service(handlers::update_grant_review)
        .service(handlers::create_youth_social_worker)
        .service(handlers::list_youth_social_workers)
        .service(handlers::get_youth_social_worker)
        .service(handlers::update_youth_social_worker)
        .service(handlers::create_social_worker_assignment)
        .service(handlers::list_social_worker_assignments)
        .service(handlers::update_social_worker_assignment)
        .service(handlers::delete_social_worker_assignment)
        .service(handlers::list_youth_homes_without_social_worker);
}
