//! Attendance: one check-in / check-out per sign-up.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Attendances {
    Table,
    Id,
    SignupId,
    ShiftId,
    VolunteerId,
    CheckedInAt,
    CheckedOutAt,
    AutoClosed,
    ServiceRecordId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Signups {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Shifts {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Volunteers {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Attendances::Table)
                .col(uuid(Attendances::Id).primary_key())
                .col(uuid(Attendances::SignupId).unique_key())
                .col(uuid(Attendances::ShiftId))
                .col(uuid(Attendances::VolunteerId))
                .col(timestamp_with_time_zone(Attendances::CheckedInAt))
                .col(timestamp_with_time_zone_null(Attendances::CheckedOutAt))
                .col(boolean(Attendances::AutoClosed))
                .col(uuid_null(Attendances::ServiceRecordId))
                .col(timestamp_with_time_zone(Attendances::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_attendances_signup")
                        .from(Attendances::Table, Attendances::SignupId)
                        .to(Signups::Table, Signups::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_attendances_shift")
                        .from(Attendances::Table, Attendances::ShiftId)
                        .to(Shifts::Table, Shifts::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_attendances_volunteer")
                        .from(Attendances::Table, Attendances::VolunteerId)
                        .to(Volunteers::Table, Volunteers::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_attendances_open")
                .table(Attendances::Table)
                .col(Attendances::CheckedOutAt)
                .col(Attendances::ShiftId)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_attendances_shift")
                .table(Attendances::Table)
                .col(Attendances::ShiftId)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Attendances::Table).to_owned())
            .await
    }
}
