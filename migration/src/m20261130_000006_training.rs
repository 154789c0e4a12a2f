//! Training (DESIGN.md §3 "Training"; issue 4): the course catalogue, the instructor pool,
//! training classes with their instructors, enrolments, per-session attendance, training records
//! (minutes) and the qualifications that completed courses grant, plus the one-row training
//! settings (probation).
//!
//! `training_classes` carries `enrolled_count`, the places taken (enrolled and completed
//! enrolments): enrolments take a place with a conditional `UPDATE … SET enrolled_count =
//! enrolled_count + 1 WHERE enrolled_count < capacity`, which keeps capacity under concurrent
//! enrolment on SQLite and PostgreSQL alike. The unique index on `training_enrolments (class_id,
//! volunteer_id)` is the backstop against double enrolment. Lists (sessions, materials,
//! specialties) are JSON text so that the same schema serves both databases.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Courses {
    Table,
    Id,
    OrganizationId,
    Title,
    Category,
    Specialty,
    Minutes,
    Syllabus,
    Materials,
    Published,
    PublishedAt,
    GrantsCode,
    GrantsName,
    GrantsValidityDays,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Instructors {
    Table,
    Id,
    OrganizationId,
    Name,
    Specialties,
    Affiliation,
    Profile,
    Mobile,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum TrainingClasses {
    Table,
    Id,
    CourseId,
    OrganizationId,
    Title,
    Level,
    Sessions,
    SessionCount,
    StartsAt,
    EndsAt,
    Place,
    OnlineUrl,
    Capacity,
    EnrolledCount,
    EnrolOpensAt,
    EnrolClosesAt,
    PassMark,
    Status,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum TrainingClassInstructors {
    Table,
    ClassId,
    InstructorId,
}

#[derive(DeriveIden)]
enum TrainingEnrolments {
    Table,
    Id,
    ClassId,
    VolunteerId,
    Status,
    Score,
    Passed,
    EnrolledBy,
    CompletedAt,
    CancelledAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum TrainingAttendances {
    Table,
    EnrolmentId,
    SessionNo,
    ClassId,
    Present,
    RecordedAt,
}

#[derive(DeriveIden)]
enum TrainingRecords {
    Table,
    Id,
    VolunteerId,
    ClassId,
    CourseId,
    EnrolmentId,
    Minutes,
    CompletedAt,
    Score,
    Passed,
    CreatedAt,
}

#[derive(DeriveIden)]
enum VolunteerQualifications {
    Table,
    Id,
    VolunteerId,
    Code,
    Name,
    CourseId,
    TrainingRecordId,
    GrantedAt,
    ExpiresOn,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum TrainingSettings {
    Table,
    Id,
    ProbationRequired,
    Version,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Organizations {
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
    #[expect(
        clippy::too_many_lines,
        reason = "one statement per table, read top to bottom"
    )]
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Courses::Table)
                .col(uuid(Courses::Id).primary_key())
                .col(uuid(Courses::OrganizationId))
                .col(string_len(Courses::Title, 200))
                .col(string_len(Courses::Category, 32))
                .col(string_len(Courses::Specialty, 32))
                .col(integer(Courses::Minutes))
                .col(text(Courses::Syllabus))
                .col(text(Courses::Materials))
                .col(boolean(Courses::Published))
                .col(timestamp_with_time_zone_null(Courses::PublishedAt))
                .col(string_len_null(Courses::GrantsCode, 40))
                .col(string_len_null(Courses::GrantsName, 100))
                .col(integer_null(Courses::GrantsValidityDays))
                .col(integer(Courses::Version))
                .col(timestamp_with_time_zone(Courses::CreatedAt))
                .col(timestamp_with_time_zone(Courses::UpdatedAt))
                .foreign_key(&mut fk(
                    "fk_courses_organization",
                    (Courses::Table, Courses::OrganizationId),
                    (Organizations::Table, Organizations::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "idx_courses_org",
            Courses::Table,
            &["organization_id", "created_at"],
        ))
        .await?;
        m.create_index(index(
            "idx_courses_published",
            Courses::Table,
            &["published", "category", "specialty"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(Instructors::Table)
                .col(uuid(Instructors::Id).primary_key())
                .col(uuid(Instructors::OrganizationId))
                .col(string_len(Instructors::Name, 50))
                .col(text(Instructors::Specialties))
                .col(string_len(Instructors::Affiliation, 200))
                .col(text(Instructors::Profile))
                .col(string_len_null(Instructors::Mobile, 11))
                .col(integer(Instructors::Version))
                .col(timestamp_with_time_zone(Instructors::CreatedAt))
                .col(timestamp_with_time_zone(Instructors::UpdatedAt))
                .foreign_key(&mut fk(
                    "fk_instructors_organization",
                    (Instructors::Table, Instructors::OrganizationId),
                    (Organizations::Table, Organizations::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "idx_instructors_org_name",
            Instructors::Table,
            &["organization_id", "name"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(TrainingClasses::Table)
                .col(uuid(TrainingClasses::Id).primary_key())
                .col(uuid(TrainingClasses::CourseId))
                .col(uuid(TrainingClasses::OrganizationId))
                .col(string_len(TrainingClasses::Title, 200))
                .col(string_len(TrainingClasses::Level, 16))
                .col(text(TrainingClasses::Sessions))
                .col(integer(TrainingClasses::SessionCount))
                .col(timestamp_with_time_zone(TrainingClasses::StartsAt))
                .col(timestamp_with_time_zone(TrainingClasses::EndsAt))
                .col(string_len_null(TrainingClasses::Place, 200))
                .col(string_len_null(TrainingClasses::OnlineUrl, 500))
                .col(integer(TrainingClasses::Capacity))
                .col(integer(TrainingClasses::EnrolledCount))
                .col(timestamp_with_time_zone(TrainingClasses::EnrolOpensAt))
                .col(timestamp_with_time_zone(TrainingClasses::EnrolClosesAt))
                .col(integer_null(TrainingClasses::PassMark))
                .col(string_len(TrainingClasses::Status, 16))
                .col(integer(TrainingClasses::Version))
                .col(timestamp_with_time_zone(TrainingClasses::CreatedAt))
                .col(timestamp_with_time_zone(TrainingClasses::UpdatedAt))
                .foreign_key(&mut fk(
                    "fk_training_classes_course",
                    (TrainingClasses::Table, TrainingClasses::CourseId),
                    (Courses::Table, Courses::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_training_classes_organization",
                    (TrainingClasses::Table, TrainingClasses::OrganizationId),
                    (Organizations::Table, Organizations::Id),
                ))
                .check(Expr::col(TrainingClasses::EnrolledCount).gte(0))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "idx_training_classes_org_start",
            TrainingClasses::Table,
            &["organization_id", "starts_at"],
        ))
        .await?;
        m.create_index(index(
            "idx_training_classes_course",
            TrainingClasses::Table,
            &["course_id"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(TrainingClassInstructors::Table)
                .col(uuid(TrainingClassInstructors::ClassId))
                .col(uuid(TrainingClassInstructors::InstructorId))
                .primary_key(
                    Index::create()
                        .col(TrainingClassInstructors::ClassId)
                        .col(TrainingClassInstructors::InstructorId),
                )
                .foreign_key(&mut fk(
                    "fk_tci_class",
                    (
                        TrainingClassInstructors::Table,
                        TrainingClassInstructors::ClassId,
                    ),
                    (TrainingClasses::Table, TrainingClasses::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_tci_instructor",
                    (
                        TrainingClassInstructors::Table,
                        TrainingClassInstructors::InstructorId,
                    ),
                    (Instructors::Table, Instructors::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "idx_tci_instructor",
            TrainingClassInstructors::Table,
            &["instructor_id"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(TrainingEnrolments::Table)
                .col(uuid(TrainingEnrolments::Id).primary_key())
                .col(uuid(TrainingEnrolments::ClassId))
                .col(uuid(TrainingEnrolments::VolunteerId))
                .col(string_len(TrainingEnrolments::Status, 16))
                .col(integer_null(TrainingEnrolments::Score))
                .col(boolean_null(TrainingEnrolments::Passed))
                .col(uuid_null(TrainingEnrolments::EnrolledBy))
                .col(timestamp_with_time_zone_null(
                    TrainingEnrolments::CompletedAt,
                ))
                .col(timestamp_with_time_zone_null(
                    TrainingEnrolments::CancelledAt,
                ))
                .col(timestamp_with_time_zone(TrainingEnrolments::CreatedAt))
                .col(timestamp_with_time_zone(TrainingEnrolments::UpdatedAt))
                .foreign_key(&mut fk(
                    "fk_training_enrolments_class",
                    (TrainingEnrolments::Table, TrainingEnrolments::ClassId),
                    (TrainingClasses::Table, TrainingClasses::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_training_enrolments_volunteer",
                    (TrainingEnrolments::Table, TrainingEnrolments::VolunteerId),
                    (Volunteers::Table, Volunteers::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            index(
                "uq_training_enrolments_class_volunteer",
                TrainingEnrolments::Table,
                &["class_id", "volunteer_id"],
            )
            .unique()
            .to_owned(),
        )
        .await?;
        m.create_index(index(
            "idx_training_enrolments_volunteer",
            TrainingEnrolments::Table,
            &["volunteer_id", "created_at"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(TrainingAttendances::Table)
                .col(uuid(TrainingAttendances::EnrolmentId))
                .col(integer(TrainingAttendances::SessionNo))
                .col(uuid(TrainingAttendances::ClassId))
                .col(boolean(TrainingAttendances::Present))
                .col(timestamp_with_time_zone(TrainingAttendances::RecordedAt))
                .primary_key(
                    Index::create()
                        .col(TrainingAttendances::EnrolmentId)
                        .col(TrainingAttendances::SessionNo),
                )
                .foreign_key(&mut fk(
                    "fk_training_attendances_enrolment",
                    (TrainingAttendances::Table, TrainingAttendances::EnrolmentId),
                    (TrainingEnrolments::Table, TrainingEnrolments::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_training_attendances_class",
                    (TrainingAttendances::Table, TrainingAttendances::ClassId),
                    (TrainingClasses::Table, TrainingClasses::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "idx_training_attendances_class",
            TrainingAttendances::Table,
            &["class_id", "session_no"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(TrainingRecords::Table)
                .col(uuid(TrainingRecords::Id).primary_key())
                .col(uuid(TrainingRecords::VolunteerId))
                .col(uuid(TrainingRecords::ClassId))
                .col(uuid(TrainingRecords::CourseId))
                .col(uuid(TrainingRecords::EnrolmentId).unique_key())
                .col(integer(TrainingRecords::Minutes))
                .col(timestamp_with_time_zone(TrainingRecords::CompletedAt))
                .col(integer_null(TrainingRecords::Score))
                .col(boolean(TrainingRecords::Passed))
                .col(timestamp_with_time_zone(TrainingRecords::CreatedAt))
                .foreign_key(&mut fk(
                    "fk_training_records_volunteer",
                    (TrainingRecords::Table, TrainingRecords::VolunteerId),
                    (Volunteers::Table, Volunteers::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_training_records_class",
                    (TrainingRecords::Table, TrainingRecords::ClassId),
                    (TrainingClasses::Table, TrainingClasses::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_training_records_course",
                    (TrainingRecords::Table, TrainingRecords::CourseId),
                    (Courses::Table, Courses::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_training_records_enrolment",
                    (TrainingRecords::Table, TrainingRecords::EnrolmentId),
                    (TrainingEnrolments::Table, TrainingEnrolments::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "idx_training_records_volunteer",
            TrainingRecords::Table,
            &["volunteer_id", "completed_at"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(VolunteerQualifications::Table)
                .col(uuid(VolunteerQualifications::Id).primary_key())
                .col(uuid(VolunteerQualifications::VolunteerId))
                .col(string_len(VolunteerQualifications::Code, 40))
                .col(string_len(VolunteerQualifications::Name, 100))
                .col(uuid(VolunteerQualifications::CourseId))
                .col(uuid_null(VolunteerQualifications::TrainingRecordId))
                .col(timestamp_with_time_zone(VolunteerQualifications::GrantedAt))
                .col(date_null(VolunteerQualifications::ExpiresOn))
                .col(timestamp_with_time_zone(VolunteerQualifications::UpdatedAt))
                .foreign_key(&mut fk(
                    "fk_volunteer_qualifications_volunteer",
                    (
                        VolunteerQualifications::Table,
                        VolunteerQualifications::VolunteerId,
                    ),
                    (Volunteers::Table, Volunteers::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_volunteer_qualifications_course",
                    (
                        VolunteerQualifications::Table,
                        VolunteerQualifications::CourseId,
                    ),
                    (Courses::Table, Courses::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            index(
                "uq_volunteer_qualifications_volunteer_code",
                VolunteerQualifications::Table,
                &["volunteer_id", "code"],
            )
            .unique()
            .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(TrainingSettings::Table)
                .col(integer(TrainingSettings::Id).primary_key())
                .col(boolean(TrainingSettings::ProbationRequired))
                .col(integer(TrainingSettings::Version))
                .col(timestamp_with_time_zone(TrainingSettings::UpdatedAt))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            TrainingSettings::Table.into_iden(),
            VolunteerQualifications::Table.into_iden(),
            TrainingRecords::Table.into_iden(),
            TrainingAttendances::Table.into_iden(),
            TrainingEnrolments::Table.into_iden(),
            TrainingClassInstructors::Table.into_iden(),
            TrainingClasses::Table.into_iden(),
            Instructors::Table.into_iden(),
            Courses::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
