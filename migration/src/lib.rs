//! Database migrations of the youth volunteer platform, for SQLite and PostgreSQL alike, plus the
//! shipped seed data (administrative division codes).

pub use sea_orm_migration::prelude::*;

mod m20261130_000001_platform_core;
mod m20261130_000002_load_regions;
mod m20261130_000003_projects;
mod m20261130_000004_service_records;
mod m20261130_000005_attendance;
mod m20261130_000006_training;
mod m20261130_000007_incentives;
mod m20261130_000008_social_orgs;
mod m20261130_000009_social_programs;
mod m20261130_000010_partners;
mod m20261130_000011_sync;
mod m20261130_000012_recognition;
mod m20261130_000013_awards;
mod m20261130_000014_incentive_jobs;
mod m20261130_000015_record_rounding;
mod m20261130_000016_leaderboard_indexes;

/// All migrations in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261130_000001_platform_core::Migration),
            Box::new(m20261130_000002_load_regions::Migration),
            Box::new(m20261130_000003_projects::Migration),
            Box::new(m20261130_000004_service_records::Migration),
            Box::new(m20261130_000005_attendance::Migration),
            Box::new(m20261130_000006_training::Migration),
            Box::new(m20261130_000007_incentives::Migration),
            Box::new(m20261130_000008_social_orgs::Migration),
            Box::new(m20261130_000009_social_programs::Migration),
            Box::new(m20261130_000010_partners::Migration),
            Box::new(m20261130_000011_sync::Migration),
            Box::new(m20261130_000012_recognition::Migration),
            Box::new(m20261130_000013_awards::Migration),
            Box::new(m20261130_000014_incentive_jobs::Migration),
            Box::new(m20261130_000015_record_rounding::Migration),
            Box::new(m20261130_000016_leaderboard_indexes::Migration),
        ]
    }
}
