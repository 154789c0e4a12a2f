//! Projects (志愿项目), their shifts and volunteers' sign-ups (DESIGN.md §3 "Projects, shifts,
//! attendance").
//!
//! Coordinates are stored as integer micro-degrees (no floats in the database). `shifts` carries
//! `approved_count`, the number of places taken (approved + attended sign-ups): sign-ups take a
//! place with a conditional `UPDATE … SET approved_count = approved_count + 1 WHERE approved_count
//! < capacity`, which keeps capacity under concurrent sign-ups on SQLite and PostgreSQL alike.
//! The unique index on `signups (shift_id, volunteer_id)` is the backstop against double sign-ups.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Projects {
    Table,
    Id,
    OrganizationId,
    Title,
    ServiceCategory,
    Description,
    RegionCode,
    Address,
    LatitudeMicro,
    LongitudeMicro,
    StartDate,
    EndDate,
    MinAge,
    HighRisk,
    CheckInPolicy,
    GeofenceRadiusM,
    RequiredQualifications,
    AllowProbationary,
    SignupRequiresApproval,
    Status,
    ReviewNote,
    SubmittedAt,
    ReviewedAt,
    ReviewedBy,
    PublishedAt,
    ClosedAt,
    CancelledAt,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Shifts {
    Table,
    Id,
    ProjectId,
    Title,
    StartsAt,
    EndsAt,
    Capacity,
    ApprovedCount,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Signups {
    Table,
    Id,
    ShiftId,
    ProjectId,
    VolunteerId,
    Status,
    Reason,
    DecidedBy,
    AppliedAt,
    ApprovedAt,
    WaitlistedAt,
    RejectedAt,
    CancelledAt,
    AttendedAt,
    NoShowAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Organizations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Regions {
    Table,
    Code,
}

#[derive(DeriveIden)]
enum Volunteers {
    Table,
    Id,
}

fn fk(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(ForeignKeyAction::Restrict)
        .to_owned()
}

fn index(name: &str, table: impl IntoIden, cols: &[&'static str]) -> IndexCreateStatement {
    let mut idx = Index::create();
    idx.name(name).table(table);
    for c in cols {
        idx.col(Alias::new(*c));
    }
    idx.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Projects::Table)
                .col(uuid(Projects::Id).primary_key())
                .col(uuid(Projects::OrganizationId))
                .col(string_len(Projects::Title, 200))
                .col(string_len(Projects::ServiceCategory, 32))
                .col(text(Projects::Description))
                .col(string_len(Projects::RegionCode, 6))
                .col(string_len(Projects::Address, 200))
                .col(big_integer_null(Projects::LatitudeMicro))
                .col(big_integer_null(Projects::LongitudeMicro))
                .col(date(Projects::StartDate))
                .col(date(Projects::EndDate))
                .col(integer(Projects::MinAge))
                .col(boolean(Projects::HighRisk))
                .col(string_len(Projects::CheckInPolicy, 32))
                .col(integer_null(Projects::GeofenceRadiusM))
                .col(text(Projects::RequiredQualifications))
                .col(boolean(Projects::AllowProbationary))
                .col(boolean(Projects::SignupRequiresApproval))
                .col(string_len(Projects::Status, 16))
                .col(string_len_null(Projects::ReviewNote, 500))
                .col(timestamp_with_time_zone_null(Projects::SubmittedAt))
                .col(timestamp_with_time_zone_null(Projects::ReviewedAt))
                .col(uuid_null(Projects::ReviewedBy))
                .col(timestamp_with_time_zone_null(Projects::PublishedAt))
                .col(timestamp_with_time_zone_null(Projects::ClosedAt))
                .col(timestamp_with_time_zone_null(Projects::CancelledAt))
                .col(integer(Projects::Version))
                .col(timestamp_with_time_zone(Projects::CreatedAt))
                .col(timestamp_with_time_zone(Projects::UpdatedAt))
                .foreign_key(&mut fk(
                    "fk_projects_organization",
                    (Projects::Table, Projects::OrganizationId),
                    (Organizations::Table, Organizations::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_projects_region",
                    (Projects::Table, Projects::RegionCode),
                    (Regions::Table, Regions::Code),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "idx_projects_org_status",
            Projects::Table,
            &["organization_id", "status"],
        ))
        .await?;
        m.create_index(index(
            "idx_projects_status_dates",
            Projects::Table,
            &["status", "start_date", "end_date"],
        ))
        .await?;
        m.create_index(index(
            "idx_projects_status_region",
            Projects::Table,
            &["status", "region_code"],
        ))
        .await?;
        m.create_index(index(
            "idx_projects_status_location",
            Projects::Table,
            &["status", "latitude_micro", "longitude_micro"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(Shifts::Table)
                .col(uuid(Shifts::Id).primary_key())
                .col(uuid(Shifts::ProjectId))
                .col(string_len_null(Shifts::Title, 200))
                .col(timestamp_with_time_zone(Shifts::StartsAt))
                .col(timestamp_with_time_zone(Shifts::EndsAt))
                .col(integer(Shifts::Capacity))
                .col(integer(Shifts::ApprovedCount))
                .col(integer(Shifts::Version))
                .col(timestamp_with_time_zone(Shifts::CreatedAt))
                .col(timestamp_with_time_zone(Shifts::UpdatedAt))
                .foreign_key(&mut fk(
                    "fk_shifts_project",
                    (Shifts::Table, Shifts::ProjectId),
                    (Projects::Table, Projects::Id),
                ))
                .check(Expr::col(Shifts::ApprovedCount).gte(0))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "idx_shifts_project_start",
            Shifts::Table,
            &["project_id", "starts_at"],
        ))
        .await?;
        m.create_index(index(
            "idx_shifts_times",
            Shifts::Table,
            &["starts_at", "ends_at"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(Signups::Table)
                .col(uuid(Signups::Id).primary_key())
                .col(uuid(Signups::ShiftId))
                .col(uuid(Signups::ProjectId))
                .col(uuid(Signups::VolunteerId))
                .col(string_len(Signups::Status, 16))
                .col(string_len_null(Signups::Reason, 500))
                .col(uuid_null(Signups::DecidedBy))
                .col(timestamp_with_time_zone_null(Signups::AppliedAt))
                .col(timestamp_with_time_zone_null(Signups::ApprovedAt))
                .col(timestamp_with_time_zone_null(Signups::WaitlistedAt))
                .col(timestamp_with_time_zone_null(Signups::RejectedAt))
                .col(timestamp_with_time_zone_null(Signups::CancelledAt))
                .col(timestamp_with_time_zone_null(Signups::AttendedAt))
                .col(timestamp_with_time_zone_null(Signups::NoShowAt))
                .col(timestamp_with_time_zone(Signups::CreatedAt))
                .col(timestamp_with_time_zone(Signups::UpdatedAt))
                .foreign_key(&mut fk(
                    "fk_signups_shift",
                    (Signups::Table, Signups::ShiftId),
                    (Shifts::Table, Shifts::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_signups_project",
                    (Signups::Table, Signups::ProjectId),
                    (Projects::Table, Projects::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_signups_volunteer",
                    (Signups::Table, Signups::VolunteerId),
                    (Volunteers::Table, Volunteers::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            index(
                "uq_signups_shift_volunteer",
                Signups::Table,
                &["shift_id", "volunteer_id"],
            )
            .unique()
            .to_owned(),
        )
        .await?;
        m.create_index(index(
            "idx_signups_shift_status",
            Signups::Table,
            &["shift_id", "status", "created_at"],
        ))
        .await?;
        m.create_index(index(
            "idx_signups_volunteer_status",
            Signups::Table,
            &["volunteer_id", "status"],
        ))
        .await?;
        m.create_index(index(
            "idx_signups_project_status",
            Signups::Table,
            &["project_id", "status"],
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Signups::Table.into_iden(),
            Shifts::Table.into_iden(),
            Projects::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
