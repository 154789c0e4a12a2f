//! Youth social organizations (青年社会组织; DESIGN.md §3 "Youth social organizations and
//! ratings"; issue 6 part A): the registry (`/api/v1/youth-social-organizations`) with incubation
//! and partner-programme (亲青伙伴) memberships, rating templates (`/api/v1/rating-templates`),
//! rating rounds with self-assessments, evidence, reviewer assignments, scores, published
//! results, appeals and grade history.

pub mod dto;
pub mod handlers;
pub mod rounds;
pub mod rules;
pub mod service;
pub mod templates;

/// Registers the routes of this module.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::create_youth_social_organization)
        .service(handlers::list_youth_social_organizations)
        .service(handlers::get_youth_social_organization)
        .service(handlers::update_youth_social_organization)
        .service(handlers::create_partner_membership)
        .service(handlers::create_rating_template)
        .service(handlers::list_rating_templates)
        .service(handlers::get_rating_template)
        .service(handlers::create_rating_round)
        .service(handlers::list_rating_rounds)
        .service(handlers::get_rating_round)
        .service(handlers::update_self_assessment)
        .service(handlers::get_self_assessment)
        .service(handlers::create_rating_evidence)
        .service(handlers::get_rating_evidence)
        .service(handlers::create_rating_assignment)
        .service(handlers::list_rating_assignments)
        .service(handlers::get_rating_assignment)
        .service(handlers::update_rating_scores)
        .service(handlers::publish_rating_round)
        .service(handlers::list_rating_results)
        .service(handlers::create_rating_appeal)
        .service(handlers::list_rating_appeals)
        .service(handlers::resolve_rating_appeal)
        .service(handlers::get_organization_grades);
}
