//! Black-box HTTP tests of the API. Each test spawns the real application on a random port
//! with its own database: SQLite by default, PostgreSQL when `APP_TEST_DATABASE_URL` is set
//! (for example `postgres://postgres@127.0.0.1:5432/postgres`).

mod adversarial;
mod attendance;
mod auth;
mod awards;
mod certificates;
mod helpers;
mod imports;
mod incentives;
mod memberships;
mod migrations;
mod openapi;
mod organizations;
mod partners;
mod projects;
mod recognition;
mod records;
#[path = "../support/roster_gen.rs"]
mod roster_gen;
mod signups;
mod social_orgs;
mod social_programs;
mod sync;
mod training;
mod volunteers;
