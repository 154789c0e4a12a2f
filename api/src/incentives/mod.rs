//! Incentives (`/api/v1/rule-sets`, `/api/v1/volunteers/{id}/star-level`,
//! `/api/v1/leaderboards/volunteers`, `/api/v1/volunteer-levels/recompute`,
//! `/api/v1/volunteers/{id}/level-certifications`, `/api/v1/level-certifications`): versioned
//! rule sets with an effective date and a scope (star thresholds, extra conditions, rounding),
//! star levels recomputed in the transaction of every change of approved minutes, progress,
//! leaderboards from the summary rows, and the certification flow (application → organization
//! review → public notice → granted) for levels that require it (DESIGN.md §3 "Incentives";
//! issue 5).

pub mod dto;
pub mod handlers;
pub mod jobs;
pub mod rules;
pub mod service;

/// Registers the incentive routes. `/volunteers/{id}/star-level` has a different shape from the
/// volunteer routes, so the order does not matter.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::create_rule_set)
        .service(handlers::list_rule_sets)
        .service(handlers::get_rule_set)
        .service(handlers::get_star_level)
        .service(handlers::list_volunteer_leaderboard)
        .service(handlers::create_level_recomputation)
        .service(handlers::create_level_certification)
        .service(handlers::get_level_certification)
        .service(handlers::approve_level_certification)
        .service(handlers::reject_level_certification)
        .service(handlers::create_level_certification_objection)
        .service(handlers::grant_level_certification);
}
