//! Mutual recognition (互认, issue 7): signed documents this platform exported, the other
//! platforms it recognises with their Ed25519 public keys, and the origin of imported records.
//!
//! Uniqueness is the backstop against counting one origin record twice: `recognized_records`
//! is unique on `(issuer, original_record_id)` and on `document_hash`, and the ledger's own
//! `(source, external_id)` index holds `recognized` / `<issuer>#<record id>`. No foreign key
//! points at the partner registry (`partner_platform_id`), which lives in another migration.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SignedDocuments {
    Table,
    Id,
    Kind,
    ServiceRecordId,
    CertificateId,
    VolunteerId,
    Document,
    DocumentHash,
    KeyId,
    ExportedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum RecognizedPlatforms {
    Table,
    Id,
    Issuer,
    Name,
    Status,
    PartnerPlatformId,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum RecognizedPlatformKeys {
    Table,
    Id,
    PlatformId,
    Kid,
    X,
    Status,
    CreatedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum RecognizedRecords {
    Table,
    Id,
    ServiceRecordId,
    VolunteerId,
    Issuer,
    OriginalRecordId,
    DocumentId,
    DocumentHash,
    KeyId,
    ImportedBy,
    ImportedAt,
}

#[derive(DeriveIden)]
enum ServiceRecords {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Certificates {
    Table,
    Id,
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
                .table(SignedDocuments::Table)
                .col(uuid(SignedDocuments::Id).primary_key())
                .col(string_len(SignedDocuments::Kind, 16))
                .col(uuid_null(SignedDocuments::ServiceRecordId))
                .col(uuid_null(SignedDocuments::CertificateId))
                .col(uuid(SignedDocuments::VolunteerId))
                .col(text(SignedDocuments::Document))
                .col(string_len(SignedDocuments::DocumentHash, 64))
                .col(string_len(SignedDocuments::KeyId, 64))
                .col(uuid_null(SignedDocuments::ExportedBy))
                .col(timestamp_with_time_zone(SignedDocuments::CreatedAt))
                .foreign_key(&mut fk(
                    "fk_signed_documents_record",
                    (SignedDocuments::Table, SignedDocuments::ServiceRecordId),
                    (ServiceRecords::Table, ServiceRecords::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_signed_documents_certificate",
                    (SignedDocuments::Table, SignedDocuments::CertificateId),
                    (Certificates::Table, Certificates::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_signed_documents_volunteer",
                    (SignedDocuments::Table, SignedDocuments::VolunteerId),
                    (Volunteers::Table, Volunteers::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "idx_signed_documents_volunteer",
            SignedDocuments::Table,
            &["volunteer_id", "created_at"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(RecognizedPlatforms::Table)
                .col(uuid(RecognizedPlatforms::Id).primary_key())
                .col(string_len(RecognizedPlatforms::Issuer, 64))
                .col(string_len(RecognizedPlatforms::Name, 200))
                .col(string_len(RecognizedPlatforms::Status, 16))
                .col(uuid_null(RecognizedPlatforms::PartnerPlatformId))
                .col(integer(RecognizedPlatforms::Version))
                .col(timestamp_with_time_zone(RecognizedPlatforms::CreatedAt))
                .col(timestamp_with_time_zone(RecognizedPlatforms::UpdatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            index(
                "uq_recognized_platforms_issuer",
                RecognizedPlatforms::Table,
                &["issuer"],
            )
            .unique()
            .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(RecognizedPlatformKeys::Table)
                .col(uuid(RecognizedPlatformKeys::Id).primary_key())
                .col(uuid(RecognizedPlatformKeys::PlatformId))
                .col(string_len(RecognizedPlatformKeys::Kid, 64))
                .col(string_len(RecognizedPlatformKeys::X, 64))
                .col(string_len(RecognizedPlatformKeys::Status, 16))
                .col(timestamp_with_time_zone(RecognizedPlatformKeys::CreatedAt))
                .col(timestamp_with_time_zone_null(
                    RecognizedPlatformKeys::RevokedAt,
                ))
                .foreign_key(&mut fk(
                    "fk_recognized_platform_keys_platform",
                    (
                        RecognizedPlatformKeys::Table,
                        RecognizedPlatformKeys::PlatformId,
                    ),
                    (RecognizedPlatforms::Table, RecognizedPlatforms::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            index(
                "uq_recognized_platform_keys_kid",
                RecognizedPlatformKeys::Table,
                &["platform_id", "kid"],
            )
            .unique()
            .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(RecognizedRecords::Table)
                .col(uuid(RecognizedRecords::Id).primary_key())
                .col(uuid(RecognizedRecords::ServiceRecordId))
                .col(uuid(RecognizedRecords::VolunteerId))
                .col(string_len(RecognizedRecords::Issuer, 64))
                .col(string_len(RecognizedRecords::OriginalRecordId, 63))
                .col(string_len(RecognizedRecords::DocumentId, 64))
                .col(string_len(RecognizedRecords::DocumentHash, 64))
                .col(string_len(RecognizedRecords::KeyId, 64))
                .col(uuid_null(RecognizedRecords::ImportedBy))
                .col(timestamp_with_time_zone(RecognizedRecords::ImportedAt))
                .foreign_key(&mut fk(
                    "fk_recognized_records_record",
                    (RecognizedRecords::Table, RecognizedRecords::ServiceRecordId),
                    (ServiceRecords::Table, ServiceRecords::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_recognized_records_volunteer",
                    (RecognizedRecords::Table, RecognizedRecords::VolunteerId),
                    (Volunteers::Table, Volunteers::Id),
                ))
                .to_owned(),
        )
        .await?;
        for (name, cols) in [
            (
                "uq_recognized_records_origin",
                &["issuer", "original_record_id"][..],
            ),
            ("uq_recognized_records_hash", &["document_hash"][..]),
            ("uq_recognized_records_record", &["service_record_id"][..]),
        ] {
            m.create_index(
                index(name, RecognizedRecords::Table, cols)
                    .unique()
                    .to_owned(),
            )
            .await?;
        }
        m.create_index(index(
            "idx_recognized_records_volunteer",
            RecognizedRecords::Table,
            &["volunteer_id", "imported_at"],
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            RecognizedRecords::Table.into_iden(),
            RecognizedPlatformKeys::Table.into_iden(),
            RecognizedPlatforms::Table.into_iden(),
            SignedDocuments::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
