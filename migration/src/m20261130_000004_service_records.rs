//! The service-hour ledger (志愿服务记录) and what hangs off it: the working-day calendar,
//! per-volunteer / per-year / per-organization totals kept in summary rows, and certificates
//! (志愿服务记录证明) with the records they cover.
//!
//! `project_id` / `shift_id` on records are deliberately plain columns without foreign keys, so
//! the ledger stays decoupled from the projects module.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CalendarDays {
    Table,
    Date,
    Kind,
    Name,
}

#[derive(DeriveIden)]
enum ServiceRecords {
    Table,
    Id,
    VolunteerId,
    OrganizationId,
    ActivityName,
    ServiceCategory,
    Place,
    Content,
    ActivityLeader,
    StartedAt,
    EndedAt,
    Minutes,
    Source,
    ExternalId,
    RecordedBy,
    Status,
    Conflict,
    Late,
    ReviewRequired,
    SupersedesId,
    CorrectionReason,
    DecidedBy,
    DecidedAt,
    DecisionReason,
    ProjectId,
    ShiftId,
    CreatedAt,
    Version,
}

#[derive(DeriveIden)]
enum VolunteerTotals {
    Table,
    VolunteerId,
    ApprovedMinutes,
    ApprovedRecords,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum VolunteerYearTotals {
    Table,
    VolunteerId,
    Year,
    ApprovedMinutes,
    ApprovedRecords,
}

#[derive(DeriveIden)]
enum OrganizationYearTotals {
    Table,
    OrganizationId,
    Year,
    ApprovedMinutes,
    ApprovedRecords,
}

#[derive(DeriveIden)]
enum Certificates {
    Table,
    Id,
    Serial,
    VolunteerId,
    MaskedName,
    MaskedIdNumber,
    TotalMinutes,
    RecordCount,
    IssuingOrganizationId,
    IssuingOrganizationName,
    IssuedAt,
    IssuedBy,
    Status,
    StatusChangedAt,
    RevokeReason,
    Payload,
    Signature,
    KeyId,
}

#[derive(DeriveIden)]
enum CertificateRecords {
    Table,
    CertificateId,
    RecordId,
}

#[derive(DeriveIden)]
enum Volunteers {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Organizations {
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
                .table(CalendarDays::Table)
                .col(date(CalendarDays::Date).primary_key())
                .col(string_len(CalendarDays::Kind, 16))
                .col(string_len(CalendarDays::Name, 100))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(ServiceRecords::Table)
                .col(uuid(ServiceRecords::Id).primary_key())
                .col(uuid(ServiceRecords::VolunteerId))
                .col(uuid(ServiceRecords::OrganizationId))
                .col(string_len(ServiceRecords::ActivityName, 200))
                .col(string_len(ServiceRecords::ServiceCategory, 64))
                .col(string_len(ServiceRecords::Place, 200))
                .col(text(ServiceRecords::Content))
                .col(string_len_null(ServiceRecords::ActivityLeader, 100))
                .col(timestamp_with_time_zone(ServiceRecords::StartedAt))
                .col(timestamp_with_time_zone(ServiceRecords::EndedAt))
                .col(integer(ServiceRecords::Minutes))
                .col(string_len(ServiceRecords::Source, 80))
                .col(string_len_null(ServiceRecords::ExternalId, 128))
                .col(uuid_null(ServiceRecords::RecordedBy))
                .col(string_len(ServiceRecords::Status, 16))
                .col(boolean(ServiceRecords::Conflict))
                .col(boolean(ServiceRecords::Late))
                .col(boolean(ServiceRecords::ReviewRequired))
                .col(uuid_null(ServiceRecords::SupersedesId))
                .col(string_len_null(ServiceRecords::CorrectionReason, 500))
                .col(uuid_null(ServiceRecords::DecidedBy))
                .col(timestamp_with_time_zone_null(ServiceRecords::DecidedAt))
                .col(string_len_null(ServiceRecords::DecisionReason, 500))
                .col(uuid_null(ServiceRecords::ProjectId))
                .col(uuid_null(ServiceRecords::ShiftId))
                .col(timestamp_with_time_zone(ServiceRecords::CreatedAt))
                .col(integer(ServiceRecords::Version))
                .foreign_key(&mut fk(
                    "fk_service_records_volunteer",
                    (ServiceRecords::Table, ServiceRecords::VolunteerId),
                    (Volunteers::Table, Volunteers::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_service_records_organization",
                    (ServiceRecords::Table, ServiceRecords::OrganizationId),
                    (Organizations::Table, Organizations::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_service_records_supersedes",
                    (ServiceRecords::Table, ServiceRecords::SupersedesId),
                    (ServiceRecords::Table, ServiceRecords::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "idx_service_records_volunteer",
            ServiceRecords::Table,
            &["volunteer_id", "started_at"],
        ))
        .await?;
        m.create_index(index(
            "idx_service_records_organization",
            ServiceRecords::Table,
            &["organization_id", "started_at"],
        ))
        .await?;
        m.create_index(index(
            "idx_service_records_supersedes",
            ServiceRecords::Table,
            &["supersedes_id"],
        ))
        .await?;
        // NULL external ids are distinct on both databases, so only partner records collide.
        m.create_index(
            index(
                "uq_service_records_source_external",
                ServiceRecords::Table,
                &["source", "external_id"],
            )
            .unique()
            .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(VolunteerTotals::Table)
                .col(uuid(VolunteerTotals::VolunteerId).primary_key())
                .col(big_integer(VolunteerTotals::ApprovedMinutes))
                .col(big_integer(VolunteerTotals::ApprovedRecords))
                .col(timestamp_with_time_zone(VolunteerTotals::UpdatedAt))
                .foreign_key(&mut fk(
                    "fk_volunteer_totals_volunteer",
                    (VolunteerTotals::Table, VolunteerTotals::VolunteerId),
                    (Volunteers::Table, Volunteers::Id),
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(VolunteerYearTotals::Table)
                .col(uuid(VolunteerYearTotals::VolunteerId))
                .col(integer(VolunteerYearTotals::Year))
                .col(big_integer(VolunteerYearTotals::ApprovedMinutes))
                .col(big_integer(VolunteerYearTotals::ApprovedRecords))
                .primary_key(
                    Index::create()
                        .col(VolunteerYearTotals::VolunteerId)
                        .col(VolunteerYearTotals::Year),
                )
                .foreign_key(&mut fk(
                    "fk_volunteer_year_totals_volunteer",
                    (VolunteerYearTotals::Table, VolunteerYearTotals::VolunteerId),
                    (Volunteers::Table, Volunteers::Id),
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(OrganizationYearTotals::Table)
                .col(uuid(OrganizationYearTotals::OrganizationId))
                .col(integer(OrganizationYearTotals::Year))
                .col(big_integer(OrganizationYearTotals::ApprovedMinutes))
                .col(big_integer(OrganizationYearTotals::ApprovedRecords))
                .primary_key(
                    Index::create()
                        .col(OrganizationYearTotals::OrganizationId)
                        .col(OrganizationYearTotals::Year),
                )
                .foreign_key(&mut fk(
                    "fk_organization_year_totals_organization",
                    (
                        OrganizationYearTotals::Table,
                        OrganizationYearTotals::OrganizationId,
                    ),
                    (Organizations::Table, Organizations::Id),
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Certificates::Table)
                .col(uuid(Certificates::Id).primary_key())
                .col(string_len(Certificates::Serial, 32).unique_key())
                .col(uuid(Certificates::VolunteerId))
                .col(string_len(Certificates::MaskedName, 100))
                .col(string_len(Certificates::MaskedIdNumber, 40))
                .col(big_integer(Certificates::TotalMinutes))
                .col(integer(Certificates::RecordCount))
                .col(uuid(Certificates::IssuingOrganizationId))
                .col(string_len(Certificates::IssuingOrganizationName, 200))
                .col(timestamp_with_time_zone(Certificates::IssuedAt))
                .col(uuid_null(Certificates::IssuedBy))
                .col(string_len(Certificates::Status, 16))
                .col(timestamp_with_time_zone_null(Certificates::StatusChangedAt))
                .col(string_len_null(Certificates::RevokeReason, 500))
                .col(text(Certificates::Payload))
                .col(string_len(Certificates::Signature, 128))
                .col(string_len(Certificates::KeyId, 32))
                .foreign_key(&mut fk(
                    "fk_certificates_volunteer",
                    (Certificates::Table, Certificates::VolunteerId),
                    (Volunteers::Table, Volunteers::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_certificates_issuing_organization",
                    (Certificates::Table, Certificates::IssuingOrganizationId),
                    (Organizations::Table, Organizations::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "idx_certificates_volunteer",
            Certificates::Table,
            &["volunteer_id", "issued_at"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(CertificateRecords::Table)
                .col(uuid(CertificateRecords::CertificateId))
                .col(uuid(CertificateRecords::RecordId))
                .primary_key(
                    Index::create()
                        .col(CertificateRecords::CertificateId)
                        .col(CertificateRecords::RecordId),
                )
                .foreign_key(&mut fk(
                    "fk_certificate_records_certificate",
                    (CertificateRecords::Table, CertificateRecords::CertificateId),
                    (Certificates::Table, Certificates::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_certificate_records_record",
                    (CertificateRecords::Table, CertificateRecords::RecordId),
                    (ServiceRecords::Table, ServiceRecords::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "idx_certificate_records_record",
            CertificateRecords::Table,
            &["record_id"],
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            CertificateRecords::Table.into_iden(),
            Certificates::Table.into_iden(),
            OrganizationYearTotals::Table.into_iden(),
            VolunteerYearTotals::Table.into_iden(),
            VolunteerTotals::Table.into_iden(),
            ServiceRecords::Table.into_iden(),
            CalendarDays::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
