//! Award campaigns (评选表彰), volunteer sanctions, the credit list with consent (诚信激励) and
//! partner benefits (便民优惠) (DESIGN.md §3 "Incentives"; issue 5). Star levels, rule sets and
//! level certification live in [`crate::incentives`]; this module reads the stored star levels
//! and reuses the working-day calendar of [`crate::records`] for public notices.
//!
//! Paths: `/api/v1/award-campaigns`, `/api/v1/award-nominations`, `/api/v1/award-objections`,
//! `/api/v1/public/award-campaigns/{id}/notice`, `/api/v1/volunteers/{id}/awards`,
//! `/api/v1/volunteers/{id}/sanctions`, `/api/v1/volunteer-sanctions/{id}/lift`,
//! `/api/v1/volunteers/me/credit-consent`, `/api/v1/credit-list-rules`,
//! `/api/v1/credit-list/export`, `/api/v1/benefit-offers`, `/api/v1/benefit-claims/me`,
//! `/api/v1/benefit-redemptions`.

pub mod benefits;
pub mod campaign_handlers;
pub mod campaigns;
pub mod credit;
pub mod dto;
pub mod handlers;
pub mod rules;
pub mod service;

/// Registers the routes of this module. `/benefit-offers/claimable` comes before
/// `/benefit-offers/{id}` so that it is not taken for an id.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::create_volunteer_sanction)
        .service(handlers::list_volunteer_sanctions)
        .service(handlers::lift_volunteer_sanction)
        .service(handlers::get_credit_consent)
        .service(handlers::update_credit_consent)
        .service(handlers::delete_credit_consent)
        .service(handlers::create_credit_list_rule)
        .service(handlers::list_credit_list_rules)
        .service(handlers::export_credit_list)
        .service(handlers::create_benefit_offer)
        .service(handlers::list_benefit_offers)
        .service(handlers::list_claimable_benefit_offers)
        .service(handlers::get_benefit_offer)
        .service(handlers::suspend_benefit_offer)
        .service(handlers::resume_benefit_offer)
        .service(handlers::create_benefit_claim)
        .service(handlers::list_benefit_offer_claims)
        .service(handlers::list_own_benefit_claims)
        .service(handlers::create_benefit_redemption)
        .service(campaign_handlers::create_award_campaign)
        .service(campaign_handlers::list_award_campaigns)
        .service(campaign_handlers::get_award_campaign)
        .service(campaign_handlers::update_award_campaign)
        .service(campaign_handlers::open_award_campaign_nominations)
        .service(campaign_handlers::start_award_campaign_review)
        .service(campaign_handlers::publish_award_campaign_notice)
        .service(campaign_handlers::close_award_campaign)
        .service(campaign_handlers::create_award_reviewer)
        .service(campaign_handlers::list_award_reviewers)
        .service(campaign_handlers::get_award_campaign_eligibility)
        .service(campaign_handlers::create_award_nomination)
        .service(campaign_handlers::list_award_nominations)
        .service(campaign_handlers::update_award_score)
        .service(campaign_handlers::get_award_campaign_notice)
        .service(campaign_handlers::create_award_objection)
        .service(campaign_handlers::list_award_objections)
        .service(campaign_handlers::resolve_award_objection)
        .service(campaign_handlers::list_volunteer_awards);
}
