//! Entities of change feed and webhooks for partner platforms (issue 7).

pub mod change;
pub mod change_organization;
pub mod webhook_delivery;
pub mod webhook_endpoint;
