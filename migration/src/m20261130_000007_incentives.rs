//! Incentives (DESIGN.md §3 "Incentives"; issue 5): versioned rule sets (star thresholds, extra
//! conditions, rounding) with an effective date and a scope, each volunteer's current star
//! level with the rule set that produced it, and certifications of levels whose rule set
//! requires one.
//!
//! Thresholds and rounding are JSON text so that the same schema serves SQLite and PostgreSQL.
//! The shipped default rule set (100 / 300 / 600 / 1000 / 1500 hours for 1 to 5 stars, exact
//! minutes, province-wide, effective 2000-01-01) follows the common 共青团 practice
//! (《中国注册志愿者管理办法》, provincial 星级志愿者认定); provinces differ and add their own
//! rule sets.

use sea_orm_migration::sea_orm::prelude::{ChronoDate, ChronoUtc, Uuid};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum RuleSets {
    Table,
    Id,
    Name,
    Version,
    EffectiveFrom,
    ScopeOrganizationId,
    Thresholds,
    Rounding,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum VolunteerLevels {
    Table,
    VolunteerId,
    Level,
    RuleSetId,
    ApprovedMinutes,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum LevelCertifications {
    Table,
    Id,
    VolunteerId,
    Level,
    RuleSetId,
    Status,
    ReviewedBy,
    NoticeStartsOn,
    NoticeEndsOn,
    DecisionReason,
    GrantedAt,
    CreatedAt,
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

/// Id of the shipped default rule set.
pub const DEFAULT_RULE_SET_ID: &str = "01900000-0000-7000-8000-000000000001";

const DEFAULT_THRESHOLDS: &str = r#"[{"level":1,"min_minutes":6000},{"level":2,"min_minutes":18000},{"level":3,"min_minutes":36000},{"level":4,"min_minutes":60000},{"level":5,"min_minutes":90000}]"#;

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

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(RuleSets::Table)
                .col(uuid(RuleSets::Id).primary_key())
                .col(string_len(RuleSets::Name, 100))
                .col(integer(RuleSets::Version))
                .col(date(RuleSets::EffectiveFrom))
                .col(uuid_null(RuleSets::ScopeOrganizationId))
                .col(text(RuleSets::Thresholds))
                .col(text(RuleSets::Rounding))
                .col(uuid_null(RuleSets::CreatedBy))
                .col(timestamp_with_time_zone(RuleSets::CreatedAt))
                .foreign_key(&mut fk(
                    "fk_rule_sets_scope_organization",
                    (RuleSets::Table, RuleSets::ScopeOrganizationId),
                    (Organizations::Table, Organizations::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_rule_sets_name_version")
                .table(RuleSets::Table)
                .col(RuleSets::Name)
                .col(RuleSets::Version)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_rule_sets_scope_effective")
                .table(RuleSets::Table)
                .col(RuleSets::ScopeOrganizationId)
                .col(RuleSets::EffectiveFrom)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(VolunteerLevels::Table)
                .col(uuid(VolunteerLevels::VolunteerId).primary_key())
                .col(integer(VolunteerLevels::Level))
                .col(uuid(VolunteerLevels::RuleSetId))
                .col(big_integer(VolunteerLevels::ApprovedMinutes))
                .col(timestamp_with_time_zone(VolunteerLevels::UpdatedAt))
                .foreign_key(&mut fk(
                    "fk_volunteer_levels_volunteer",
                    (VolunteerLevels::Table, VolunteerLevels::VolunteerId),
                    (Volunteers::Table, Volunteers::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_volunteer_levels_rule_set",
                    (VolunteerLevels::Table, VolunteerLevels::RuleSetId),
                    (RuleSets::Table, RuleSets::Id),
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(LevelCertifications::Table)
                .col(uuid(LevelCertifications::Id).primary_key())
                .col(uuid(LevelCertifications::VolunteerId))
                .col(integer(LevelCertifications::Level))
                .col(uuid(LevelCertifications::RuleSetId))
                .col(string_len(LevelCertifications::Status, 16))
                .col(uuid_null(LevelCertifications::ReviewedBy))
                .col(date_null(LevelCertifications::NoticeStartsOn))
                .col(date_null(LevelCertifications::NoticeEndsOn))
                .col(text_null(LevelCertifications::DecisionReason))
                .col(timestamp_with_time_zone_null(
                    LevelCertifications::GrantedAt,
                ))
                .col(timestamp_with_time_zone(LevelCertifications::CreatedAt))
                .col(timestamp_with_time_zone(LevelCertifications::UpdatedAt))
                .foreign_key(&mut fk(
                    "fk_level_certifications_volunteer",
                    (LevelCertifications::Table, LevelCertifications::VolunteerId),
                    (Volunteers::Table, Volunteers::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_level_certifications_rule_set",
                    (LevelCertifications::Table, LevelCertifications::RuleSetId),
                    (RuleSets::Table, RuleSets::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_level_certifications_volunteer")
                .table(LevelCertifications::Table)
                .col(LevelCertifications::VolunteerId)
                .col(LevelCertifications::Level)
                .to_owned(),
        )
        .await?;

        let id = Uuid::parse_str(DEFAULT_RULE_SET_ID)
            .map_err(|e| DbErr::Custom(format!("default rule set id: {e}")))?;
        let from = ChronoDate::from_ymd_opt(2000, 1, 1)
            .ok_or_else(|| DbErr::Custom("default rule set date".into()))?;
        let mut insert = Query::insert();
        insert
            .into_table(RuleSets::Table)
            .columns([
                RuleSets::Id,
                RuleSets::Name,
                RuleSets::Version,
                RuleSets::EffectiveFrom,
                RuleSets::ScopeOrganizationId,
                RuleSets::Thresholds,
                RuleSets::Rounding,
                RuleSets::CreatedBy,
                RuleSets::CreatedAt,
            ])
            .values([
                id.into(),
                "默认星级标准 (default star levels)".into(),
                1.into(),
                from.into(),
                Option::<Uuid>::None.into(),
                DEFAULT_THRESHOLDS.into(),
                r#"{"mode":"exact"}"#.into(),
                Option::<Uuid>::None.into(),
                ChronoUtc::now().into(),
            ])
            .map_err(|e| DbErr::Custom(format!("default rule set: {e}")))?;
        m.exec_stmt(insert).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            LevelCertifications::Table.into_iden(),
            VolunteerLevels::Table.into_iden(),
            RuleSets::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
