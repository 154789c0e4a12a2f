//! Background work of incentives (DESIGN.md §2 "Background work"; issue 5): `rule_sets.applied_at`
//! records when the levels of the rule set's scope were recomputed after it took effect, so that
//! the minute job recomputes each rule set once, on the day it takes effect, on whichever API
//! node claims it first.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum RuleSets {
    Table,
    AppliedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(RuleSets::Table)
                .add_column(timestamp_with_time_zone_null(RuleSets::AppliedAt))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(RuleSets::Table)
                .drop_column(RuleSets::AppliedAt)
                .to_owned(),
        )
        .await
    }
}
