//! HTTP API of the provincial youth volunteer platform (actix-web, sea-orm, utoipa).
//!
//! One module per domain, each with its routes, DTOs and service functions; see `DESIGN.md`
//! for the model and the conventions (RFC 9457 errors, scoping to organization subtrees,
//! integer minutes, UTC instants).
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]
pub mod accounts;
pub mod audit;
pub mod auth;
pub mod awards;
pub mod config;
pub mod crypto;
pub mod error;
pub mod health;
pub mod incentives;
pub mod memberships;
pub mod openapi;
pub mod organizations;
pub mod pagination;
pub mod partners;
pub mod projects;
pub mod recognition;
pub mod records;
pub mod regions;
pub mod social_orgs;
pub mod social_programs;
pub mod startup;
pub mod state;
pub mod sync;
pub mod telemetry;
pub mod training;
pub mod volunteers;

/// Installs rustls' `ring` crypto provider as the process default. reqwest is built with
/// `rustls-no-provider` (the provider sqlx already builds; the default one would pull aws-lc, a
/// C build), so every process that builds a `reqwest::Client` — the service's webhook worker,
/// the examples, the benchmarks — calls this first. Idempotent.
pub fn install_tls_provider() {
    // Err means a provider is installed already: either way one is in place.
    let _ = rustls::crypto::ring::default_provider().install_default();
}
