//! Change feed and webhooks for partner platforms (`/api/v1/sync/...`; DESIGN.md §3 "Partner
//! platforms and sync"; issue 7 part B).
//!
//! - [`changes`]: the change log, written by the volunteer, ledger and certificate write paths in
//!   their own transactions, with a masked snapshot of the entity as the API shows it.
//! - [`order`]: why the feed is in commit order on both databases (the only database-specific
//!   SQL here).
//! - [`feed`]: `GET /sync/changes` with opaque cursors, filtered by a partner's scope subtrees.
//! - [`webhooks`], [`worker`], [`signature`]: partner webhook endpoints, delivery jobs leased
//!   from a table on every API node, Standard Webhooks signatures, retries with backoff.

pub mod changes;
pub mod dto;
pub mod feed;
pub mod handlers;
pub mod order;
pub mod partner;
pub mod signature;
pub mod webhooks;
pub mod worker;

/// Registers the sync routes.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::list_changes)
        .service(handlers::create_webhook_endpoint)
        .service(handlers::list_webhook_endpoints)
        .service(handlers::get_webhook_endpoint)
        .service(handlers::update_webhook_endpoint)
        .service(handlers::rotate_webhook_endpoint_secret)
        .service(handlers::delete_webhook_endpoint)
        .service(handlers::list_webhook_deliveries)
        .service(handlers::redeliver_webhook_delivery);
}
