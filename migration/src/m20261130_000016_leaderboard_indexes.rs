//! Indexes for leaderboards answered without sorting every volunteer (issue 8): the leaderboard
//! walks `volunteer_totals` in rank order (approved minutes descending, then volunteer id) and
//! stops after the page, and the platform-wide count subtracts the few deregistered volunteers
//! found through a partial index instead of checking every volunteer's status.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum VolunteerTotals {
    Table,
    ApprovedMinutes,
    VolunteerId,
}

#[derive(DeriveIden)]
enum Volunteers {
    Table,
    Id,
    Status,
}

const RANK: &str = "idx_volunteer_totals_rank";
const DEREGISTERED: &str = "idx_volunteers_deregistered";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(
            Index::create()
                .name(RANK)
                .table(VolunteerTotals::Table)
                .col((VolunteerTotals::ApprovedMinutes, IndexOrder::Desc))
                .col(VolunteerTotals::VolunteerId)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name(DEREGISTERED)
                .table(Volunteers::Table)
                .col(Volunteers::Id)
                .and_where(Expr::col(Volunteers::Status).eq("deregistered"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name(DEREGISTERED)
                .table(Volunteers::Table)
                .to_owned(),
        )
        .await?;
        m.drop_index(
            Index::drop()
                .name(RANK)
                .table(VolunteerTotals::Table)
                .to_owned(),
        )
        .await
    }
}
