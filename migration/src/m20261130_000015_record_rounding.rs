//! Rounding of service time by the rule set in force (DESIGN.md §3 "Incentives"; issue 5):
//! `service_records.raw_minutes` keeps the minutes actually served, `minutes` the minutes
//! credited after the rounding of `rounding_rule_set_id` (the rule set in force for the
//! volunteer on the day the service started). Rows entered before this migration credited
//! exact minutes and keep both columns empty: their raw minutes are their minutes.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ServiceRecords {
    Table,
    RawMinutes,
    RoundingRuleSetId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite takes one column per ALTER TABLE.
        m.alter_table(
            Table::alter()
                .table(ServiceRecords::Table)
                .add_column(integer_null(ServiceRecords::RawMinutes))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(ServiceRecords::Table)
                .add_column(uuid_null(ServiceRecords::RoundingRuleSetId))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for col in [
            ServiceRecords::RawMinutes,
            ServiceRecords::RoundingRuleSetId,
        ] {
            m.alter_table(
                Table::alter()
                    .table(ServiceRecords::Table)
                    .drop_column(col)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
