//! Youth social organizations (青年社会组织, DESIGN.md §3 "Youth social organizations and
//! ratings"; issue 6 part A): the registry profile of organizations of kind
//! `youth_social_organization`, partner-programme (亲青伙伴) memberships, rating templates (a
//! tree of indicators, one immutable row set per version), rating rounds with self-assessments,
//! evidence files (stored in the database), reviewer assignments, scores, results and appeals.
//!
//! Scores are integer hundredths of a point (`12.50` points = `1250`), never floats. Lists and
//! grade bands are JSON text so that the same schema serves SQLite and PostgreSQL.
//!
//! Two default templates are seeded (see [`seed_templates`] for their sources).

use sea_orm_migration::sea_orm::prelude::{ChronoUtc, Uuid};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum YouthOrgProfiles {
    Table,
    OrganizationId,
    Field,
    NewFieldGroup,
    CivilAffairsRegistered,
    RegisteredOn,
    ContactName,
    ContactPhone,
    LeagueBranch,
    IncubationStatus,
    AppliedOn,
    IncubationStartedOn,
    GraduatedOn,
    WithdrawnOn,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum YouthOrgPartnerMemberships {
    Table,
    Id,
    OrganizationId,
    Programme,
    StartsOn,
    EndsOn,
    CreatedAt,
}

#[derive(DeriveIden)]
enum RatingTemplates {
    Table,
    Id,
    Code,
    Version,
    Name,
    Description,
    TotalMaxScore,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum RatingIndicators {
    Table,
    Id,
    TemplateId,
    ParentId,
    Code,
    Name,
    Weight,
    MaxScore,
    Evidence,
    IsLeaf,
    Position,
}

#[derive(DeriveIden)]
enum RatingRounds {
    Table,
    Id,
    Name,
    TemplateId,
    PeriodStart,
    PeriodEnd,
    MinYearsRegistered,
    ScopeOrganizationId,
    RegionCode,
    TrimExtremes,
    Bands,
    ValidityYears,
    AppealDays,
    Status,
    PublishedAt,
    ValidUntil,
    AppealDeadline,
    Version,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum RatingSelfAssessmentItems {
    Table,
    Id,
    RoundId,
    OrganizationId,
    IndicatorId,
    Score,
    Statement,
    SubmittedBy,
    SubmittedAt,
}

#[derive(DeriveIden)]
enum RatingEvidenceFiles {
    Table,
    Id,
    RoundId,
    OrganizationId,
    IndicatorId,
    FileName,
    ContentType,
    SizeBytes,
    Sha256,
    Data,
    UploadedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum RatingAssignments {
    Table,
    Id,
    RoundId,
    OrganizationId,
    ReviewerAccountId,
    AssignedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum RatingScores {
    Table,
    Id,
    AssignmentId,
    IndicatorId,
    Score,
    Comment,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum RatingResults {
    Table,
    Id,
    RoundId,
    OrganizationId,
    ReviewerCount,
    CountedReviewers,
    ScoreSum,
    MaxScore,
    Grade,
    Adjusted,
    Superseded,
    PublishedAt,
    ValidUntil,
    AppealDeadline,
    CreatedAt,
}

#[derive(DeriveIden)]
enum RatingAppeals {
    Table,
    Id,
    ResultId,
    OrganizationId,
    Reason,
    Status,
    FiledBy,
    FiledAt,
    Resolution,
    ResolvedBy,
    ResolvedAt,
    NewResultId,
}

#[derive(DeriveIden)]
enum Organizations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Accounts {
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

/// One indicator of a seeded template: code, parent code, name, weight, maximum in hundredths,
/// evidence expected. Parents come before their children.
type SeedIndicator = (
    &'static str,
    Option<&'static str>,
    &'static str,
    i32,
    i64,
    &'static str,
);

/// Template (a): the seed's three dimensions of the League's evaluation of youth social
/// organizations — closeness of contact with the League (与团组织联系紧密程度), organizational
/// function (组织功能发挥), own operation (自身运营管理) — out of 100 points. The sub-indicators
/// and their points are this platform's proposal (the seed names only the dimensions); publish a
/// new version to change them.
const LEAGUE_THREE_DIMENSIONS: &[SeedIndicator] = &[
    (
        "A",
        None,
        "与团组织联系紧密程度 (closeness of contact with the League)",
        40,
        4000,
        "与团组织联系、参与团组织工作的整体情况",
    ),
    (
        "A1",
        Some("A"),
        "团组织建设 (League branch and League members)",
        10,
        1000,
        "团组织（团支部）成立文件，团员青年名册",
    ),
    (
        "A2",
        Some("A"),
        "参与团组织活动 (taking part in League activities)",
        15,
        1500,
        "近两年参加团组织活动的通知、照片、总结",
    ),
    (
        "A3",
        Some("A"),
        "承接团组织项目与服务 (League projects undertaken, 亲青伙伴)",
        15,
        1500,
        "项目协议、结项报告、亲青伙伴证明",
    ),
    (
        "B",
        None,
        "组织功能发挥 (organizational function)",
        35,
        3500,
        "服务青年、引领青年的整体成效",
    ),
    (
        "B1",
        Some("B"),
        "服务青年成效 (services to young people)",
        15,
        1500,
        "服务记录、服务对象名单（去标识化）与反馈",
    ),
    (
        "B2",
        Some("B"),
        "公益项目与社会影响 (public-welfare projects and social impact)",
        10,
        1000,
        "项目清单、媒体报道、获奖证明",
    ),
    (
        "B3",
        Some("B"),
        "青年引领与凝聚 (guiding and uniting young people)",
        10,
        1000,
        "思想引领活动记录、骨干培养情况",
    ),
    (
        "C",
        None,
        "自身运营管理 (own operation and management)",
        25,
        2500,
        "规范运作、财务与人员的整体情况",
    ),
    (
        "C1",
        Some("C"),
        "制度建设与规范运作 (rules and orderly operation)",
        10,
        1000,
        "章程、议事规则、会议纪要",
    ),
    (
        "C2",
        Some("C"),
        "财务管理 (financial management)",
        8,
        800,
        "年度财务报告、审计报告",
    ),
    (
        "C3",
        Some("C"),
        "人员队伍 (staff and volunteers)",
        7,
        700,
        "专职人员与志愿者名册（去标识化）、培训记录",
    ),
];

/// Template (b): the shape of the 民政部 social-organization assessment — 《社会组织评估管理
/// 办法》(民政部令第39号, 2010) assesses social groups and foundations comprehensively on basic
/// conditions (基础条件), internal governance (内部治理), work performance (工作绩效) and social
/// evaluation (社会评价), with five grades 5A–1A valid for five years. The 1000-point scale
/// follows the 民政部 assessment indicator tables; the split of points below is indicative (the
/// published tables differ by kind of organization): publish a new version to adopt a local one.
const CIVIL_AFFAIRS_ASSESSMENT: &[SeedIndicator] = &[
    (
        "1",
        None,
        "基础条件 (basic conditions)",
        10,
        10000,
        "法人资格、章程、登记与备案",
    ),
    (
        "1.1",
        Some("1"),
        "法人资格 (legal-person status)",
        4,
        4000,
        "登记证书、年检/年报结论",
    ),
    (
        "1.2",
        Some("1"),
        "章程 (articles of association)",
        3,
        3000,
        "现行章程及核准文件",
    ),
    (
        "1.3",
        Some("1"),
        "登记与备案 (registration and filings)",
        3,
        3000,
        "变更登记、备案材料",
    ),
    (
        "2",
        None,
        "内部治理 (internal governance)",
        35,
        35000,
        "组织机构、人力资源、领导班子、财务资产",
    ),
    (
        "2.1",
        Some("2"),
        "发展规划与组织机构 (plans and organs)",
        10,
        10000,
        "发展规划，会员（代表）大会、理事会、监事会记录",
    ),
    (
        "2.2",
        Some("2"),
        "人力资源 (human resources)",
        8,
        8000,
        "人员名册、劳动合同、社保缴纳证明",
    ),
    (
        "2.3",
        Some("2"),
        "领导班子建设 (leadership)",
        7,
        7000,
        "负责人产生文件、任职情况",
    ),
    (
        "2.4",
        Some("2"),
        "财务资产管理 (finance and assets)",
        10,
        10000,
        "财务制度、审计报告、票据管理",
    ),
    (
        "3",
        None,
        "工作绩效 (work performance)",
        40,
        40000,
        "提供服务、参与社会治理、信息公开与社会影响",
    ),
    (
        "3.1",
        Some("3"),
        "提供服务 (services provided)",
        15,
        15000,
        "服务项目、服务对象数量与成效",
    ),
    (
        "3.2",
        Some("3"),
        "反映诉求与参与社会治理 (representation and governance)",
        10,
        10000,
        "建议、调研报告、参与治理的记录",
    ),
    (
        "3.3",
        Some("3"),
        "信息公开与社会影响 (disclosure and influence)",
        15,
        15000,
        "信息公开记录、媒体报道、表彰",
    ),
    (
        "4",
        None,
        "社会评价 (social evaluation)",
        15,
        15000,
        "内部评价与外部评价",
    ),
    (
        "4.1",
        Some("4"),
        "内部评价 (members' and staff's evaluation)",
        5,
        5000,
        "会员/职工满意度调查",
    ),
    (
        "4.2",
        Some("4"),
        "外部评价 (authorities' and public evaluation)",
        10,
        10000,
        "登记管理机关、业务主管单位意见，公众满意度",
    ),
];

/// Fixed ids of the seeded templates (their indicators use the same prefix plus their index).
const SEED_LEAGUE_BASE: u128 = 0x0193_0000_0000_7000_8000_0006_a000_0000;
const SEED_CIVIL_BASE: u128 = 0x0193_0000_0000_7000_8000_0006_b000_0000;

/// Inserts the two default templates, version 1 each:
/// `league_three_dimensions` (100 points) and `civil_affairs_assessment` (1000 points).
async fn seed_templates(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let templates: [(u128, &str, &str, &str, &[SeedIndicator]); 2] = [
        (
            SEED_LEAGUE_BASE,
            "league_three_dimensions",
            "青年社会组织评价表（三维度）",
            "The seed's three dimensions: closeness of contact with the League, organizational function, own operation (100 points).",
            LEAGUE_THREE_DIMENSIONS,
        ),
        (
            SEED_CIVIL_BASE,
            "civil_affairs_assessment",
            "社会组织评估（民政部评估框架）",
            "Shape of 《社会组织评估管理办法》(民政部令第39号): basic conditions, internal governance, work performance, social evaluation (1000 points).",
            CIVIL_AFFAIRS_ASSESSMENT,
        ),
    ];
    for (base, code, name, description, indicators) in templates {
        let template_id = Uuid::from_u128(base);
        let total: i64 = indicators
            .iter()
            .filter(|i| i.1.is_none())
            .map(|i| i.4)
            .sum();
        let mut insert = Query::insert();
        insert
            .into_table(RatingTemplates::Table)
            .columns([
                RatingTemplates::Id,
                RatingTemplates::Code,
                RatingTemplates::Version,
                RatingTemplates::Name,
                RatingTemplates::Description,
                RatingTemplates::TotalMaxScore,
                RatingTemplates::CreatedBy,
                RatingTemplates::CreatedAt,
            ])
            .values([
                template_id.into(),
                code.into(),
                1.into(),
                name.into(),
                description.into(),
                total.into(),
                Option::<Uuid>::None.into(),
                ChronoUtc::now().into(),
            ])
            .map_err(|e| DbErr::Custom(format!("seed template: {e}")))?;
        m.exec_stmt(insert).await?;
        let id_of = |c: &str| {
            indicators
                .iter()
                .position(|i| i.0 == c)
                .map(|p| Uuid::from_u128(base + 1 + p as u128))
        };
        for (pos, (icode, parent, iname, weight, max, evidence)) in indicators.iter().enumerate() {
            let is_leaf = !indicators.iter().any(|i| i.1 == Some(*icode));
            let mut insert = Query::insert();
            insert
                .into_table(RatingIndicators::Table)
                .columns([
                    RatingIndicators::Id,
                    RatingIndicators::TemplateId,
                    RatingIndicators::ParentId,
                    RatingIndicators::Code,
                    RatingIndicators::Name,
                    RatingIndicators::Weight,
                    RatingIndicators::MaxScore,
                    RatingIndicators::Evidence,
                    RatingIndicators::IsLeaf,
                    RatingIndicators::Position,
                ])
                .values([
                    Uuid::from_u128(base + 1 + pos as u128).into(),
                    template_id.into(),
                    parent.and_then(id_of).into(),
                    (*icode).into(),
                    (*iname).into(),
                    (*weight).into(),
                    (*max).into(),
                    (*evidence).into(),
                    is_leaf.into(),
                    <i32 as TryFrom<usize>>::try_from(pos).unwrap_or(0).into(),
                ])
                .map_err(|e| DbErr::Custom(format!("seed indicator: {e}")))?;
            m.exec_stmt(insert).await?;
        }
    }
    Ok(())
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
                .table(YouthOrgProfiles::Table)
                .col(uuid(YouthOrgProfiles::OrganizationId).primary_key())
                .col(string_len(YouthOrgProfiles::Field, 32))
                .col(string_len(YouthOrgProfiles::NewFieldGroup, 48))
                .col(boolean(YouthOrgProfiles::CivilAffairsRegistered))
                .col(date_null(YouthOrgProfiles::RegisteredOn))
                .col(string_len(YouthOrgProfiles::ContactName, 50))
                .col(string_len(YouthOrgProfiles::ContactPhone, 11))
                .col(string_len_null(YouthOrgProfiles::LeagueBranch, 200))
                .col(string_len(YouthOrgProfiles::IncubationStatus, 16))
                .col(date(YouthOrgProfiles::AppliedOn))
                .col(date_null(YouthOrgProfiles::IncubationStartedOn))
                .col(date_null(YouthOrgProfiles::GraduatedOn))
                .col(date_null(YouthOrgProfiles::WithdrawnOn))
                .col(integer(YouthOrgProfiles::Version))
                .col(timestamp_with_time_zone(YouthOrgProfiles::CreatedAt))
                .col(timestamp_with_time_zone(YouthOrgProfiles::UpdatedAt))
                .foreign_key(&mut fk(
                    "fk_youth_org_profiles_org",
                    (YouthOrgProfiles::Table, YouthOrgProfiles::OrganizationId),
                    (Organizations::Table, Organizations::Id),
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(YouthOrgPartnerMemberships::Table)
                .col(uuid(YouthOrgPartnerMemberships::Id).primary_key())
                .col(uuid(YouthOrgPartnerMemberships::OrganizationId))
                .col(string_len(YouthOrgPartnerMemberships::Programme, 100))
                .col(date(YouthOrgPartnerMemberships::StartsOn))
                .col(date_null(YouthOrgPartnerMemberships::EndsOn))
                .col(timestamp_with_time_zone(
                    YouthOrgPartnerMemberships::CreatedAt,
                ))
                .foreign_key(&mut fk(
                    "fk_youth_org_partner_memberships_profile",
                    (
                        YouthOrgPartnerMemberships::Table,
                        YouthOrgPartnerMemberships::OrganizationId,
                    ),
                    (YouthOrgProfiles::Table, YouthOrgProfiles::OrganizationId),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_youth_org_partner_memberships_org")
                .table(YouthOrgPartnerMemberships::Table)
                .col(YouthOrgPartnerMemberships::OrganizationId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(RatingTemplates::Table)
                .col(uuid(RatingTemplates::Id).primary_key())
                .col(string_len(RatingTemplates::Code, 64))
                .col(integer(RatingTemplates::Version))
                .col(string_len(RatingTemplates::Name, 200))
                .col(text(RatingTemplates::Description))
                .col(big_integer(RatingTemplates::TotalMaxScore))
                .col(uuid_null(RatingTemplates::CreatedBy))
                .col(timestamp_with_time_zone(RatingTemplates::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_rating_templates_code_version")
                .table(RatingTemplates::Table)
                .col(RatingTemplates::Code)
                .col(RatingTemplates::Version)
                .unique()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(RatingIndicators::Table)
                .col(uuid(RatingIndicators::Id).primary_key())
                .col(uuid(RatingIndicators::TemplateId))
                .col(uuid_null(RatingIndicators::ParentId))
                .col(string_len(RatingIndicators::Code, 32))
                .col(string_len(RatingIndicators::Name, 200))
                .col(integer(RatingIndicators::Weight))
                .col(big_integer(RatingIndicators::MaxScore))
                .col(text(RatingIndicators::Evidence))
                .col(boolean(RatingIndicators::IsLeaf))
                .col(integer(RatingIndicators::Position))
                .foreign_key(&mut fk(
                    "fk_rating_indicators_template",
                    (RatingIndicators::Table, RatingIndicators::TemplateId),
                    (RatingTemplates::Table, RatingTemplates::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_rating_indicators_template_code")
                .table(RatingIndicators::Table)
                .col(RatingIndicators::TemplateId)
                .col(RatingIndicators::Code)
                .unique()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(RatingRounds::Table)
                .col(uuid(RatingRounds::Id).primary_key())
                .col(string_len(RatingRounds::Name, 200))
                .col(uuid(RatingRounds::TemplateId))
                .col(date(RatingRounds::PeriodStart))
                .col(date(RatingRounds::PeriodEnd))
                .col(integer(RatingRounds::MinYearsRegistered))
                .col(uuid_null(RatingRounds::ScopeOrganizationId))
                .col(string_len_null(RatingRounds::RegionCode, 6))
                .col(boolean(RatingRounds::TrimExtremes))
                .col(text(RatingRounds::Bands))
                .col(integer(RatingRounds::ValidityYears))
                .col(integer(RatingRounds::AppealDays))
                .col(string_len(RatingRounds::Status, 16))
                .col(timestamp_with_time_zone_null(RatingRounds::PublishedAt))
                .col(date_null(RatingRounds::ValidUntil))
                .col(timestamp_with_time_zone_null(RatingRounds::AppealDeadline))
                .col(integer(RatingRounds::Version))
                .col(uuid(RatingRounds::CreatedBy))
                .col(timestamp_with_time_zone(RatingRounds::CreatedAt))
                .col(timestamp_with_time_zone(RatingRounds::UpdatedAt))
                .foreign_key(&mut fk(
                    "fk_rating_rounds_template",
                    (RatingRounds::Table, RatingRounds::TemplateId),
                    (RatingTemplates::Table, RatingTemplates::Id),
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(RatingSelfAssessmentItems::Table)
                .col(uuid(RatingSelfAssessmentItems::Id).primary_key())
                .col(uuid(RatingSelfAssessmentItems::RoundId))
                .col(uuid(RatingSelfAssessmentItems::OrganizationId))
                .col(uuid(RatingSelfAssessmentItems::IndicatorId))
                .col(big_integer(RatingSelfAssessmentItems::Score))
                .col(text(RatingSelfAssessmentItems::Statement))
                .col(uuid(RatingSelfAssessmentItems::SubmittedBy))
                .col(timestamp_with_time_zone(
                    RatingSelfAssessmentItems::SubmittedAt,
                ))
                .foreign_key(&mut fk(
                    "fk_rating_self_items_round",
                    (
                        RatingSelfAssessmentItems::Table,
                        RatingSelfAssessmentItems::RoundId,
                    ),
                    (RatingRounds::Table, RatingRounds::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_rating_self_items")
                .table(RatingSelfAssessmentItems::Table)
                .col(RatingSelfAssessmentItems::RoundId)
                .col(RatingSelfAssessmentItems::OrganizationId)
                .col(RatingSelfAssessmentItems::IndicatorId)
                .unique()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(RatingEvidenceFiles::Table)
                .col(uuid(RatingEvidenceFiles::Id).primary_key())
                .col(uuid(RatingEvidenceFiles::RoundId))
                .col(uuid(RatingEvidenceFiles::OrganizationId))
                .col(uuid_null(RatingEvidenceFiles::IndicatorId))
                .col(string_len(RatingEvidenceFiles::FileName, 200))
                .col(string_len(RatingEvidenceFiles::ContentType, 100))
                .col(big_integer(RatingEvidenceFiles::SizeBytes))
                .col(string_len(RatingEvidenceFiles::Sha256, 64))
                .col(blob(RatingEvidenceFiles::Data))
                .col(uuid(RatingEvidenceFiles::UploadedBy))
                .col(timestamp_with_time_zone(RatingEvidenceFiles::CreatedAt))
                .foreign_key(&mut fk(
                    "fk_rating_evidence_round",
                    (RatingEvidenceFiles::Table, RatingEvidenceFiles::RoundId),
                    (RatingRounds::Table, RatingRounds::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_rating_evidence_round_org")
                .table(RatingEvidenceFiles::Table)
                .col(RatingEvidenceFiles::RoundId)
                .col(RatingEvidenceFiles::OrganizationId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(RatingAssignments::Table)
                .col(uuid(RatingAssignments::Id).primary_key())
                .col(uuid(RatingAssignments::RoundId))
                .col(uuid(RatingAssignments::OrganizationId))
                .col(uuid(RatingAssignments::ReviewerAccountId))
                .col(uuid(RatingAssignments::AssignedBy))
                .col(timestamp_with_time_zone(RatingAssignments::CreatedAt))
                .foreign_key(&mut fk(
                    "fk_rating_assignments_round",
                    (RatingAssignments::Table, RatingAssignments::RoundId),
                    (RatingRounds::Table, RatingRounds::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_rating_assignments_reviewer",
                    (
                        RatingAssignments::Table,
                        RatingAssignments::ReviewerAccountId,
                    ),
                    (Accounts::Table, Accounts::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_rating_assignments")
                .table(RatingAssignments::Table)
                .col(RatingAssignments::RoundId)
                .col(RatingAssignments::OrganizationId)
                .col(RatingAssignments::ReviewerAccountId)
                .unique()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(RatingScores::Table)
                .col(uuid(RatingScores::Id).primary_key())
                .col(uuid(RatingScores::AssignmentId))
                .col(uuid(RatingScores::IndicatorId))
                .col(big_integer(RatingScores::Score))
                .col(text(RatingScores::Comment))
                .col(timestamp_with_time_zone(RatingScores::UpdatedAt))
                .foreign_key(&mut fk(
                    "fk_rating_scores_assignment",
                    (RatingScores::Table, RatingScores::AssignmentId),
                    (RatingAssignments::Table, RatingAssignments::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_rating_scores")
                .table(RatingScores::Table)
                .col(RatingScores::AssignmentId)
                .col(RatingScores::IndicatorId)
                .unique()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(RatingResults::Table)
                .col(uuid(RatingResults::Id).primary_key())
                .col(uuid(RatingResults::RoundId))
                .col(uuid(RatingResults::OrganizationId))
                .col(integer(RatingResults::ReviewerCount))
                .col(integer(RatingResults::CountedReviewers))
                .col(big_integer(RatingResults::ScoreSum))
                .col(big_integer(RatingResults::MaxScore))
                .col(string_len_null(RatingResults::Grade, 8))
                .col(boolean(RatingResults::Adjusted))
                .col(boolean(RatingResults::Superseded))
                .col(timestamp_with_time_zone(RatingResults::PublishedAt))
                .col(date(RatingResults::ValidUntil))
                .col(timestamp_with_time_zone(RatingResults::AppealDeadline))
                .col(timestamp_with_time_zone(RatingResults::CreatedAt))
                .foreign_key(&mut fk(
                    "fk_rating_results_round",
                    (RatingResults::Table, RatingResults::RoundId),
                    (RatingRounds::Table, RatingRounds::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_rating_results_org")
                .table(RatingResults::Table)
                .col(RatingResults::OrganizationId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(RatingAppeals::Table)
                .col(uuid(RatingAppeals::Id).primary_key())
                .col(uuid(RatingAppeals::ResultId))
                .col(uuid(RatingAppeals::OrganizationId))
                .col(text(RatingAppeals::Reason))
                .col(string_len(RatingAppeals::Status, 16))
                .col(uuid(RatingAppeals::FiledBy))
                .col(timestamp_with_time_zone(RatingAppeals::FiledAt))
                .col(text_null(RatingAppeals::Resolution))
                .col(uuid_null(RatingAppeals::ResolvedBy))
                .col(timestamp_with_time_zone_null(RatingAppeals::ResolvedAt))
                .col(uuid_null(RatingAppeals::NewResultId))
                .foreign_key(&mut fk(
                    "fk_rating_appeals_result",
                    (RatingAppeals::Table, RatingAppeals::ResultId),
                    (RatingResults::Table, RatingResults::Id),
                ))
                .to_owned(),
        )
        .await?;

        seed_templates(m).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            RatingAppeals::Table.into_iden(),
            RatingResults::Table.into_iden(),
            RatingScores::Table.into_iden(),
            RatingAssignments::Table.into_iden(),
            RatingEvidenceFiles::Table.into_iden(),
            RatingSelfAssessmentItems::Table.into_iden(),
            RatingRounds::Table.into_iden(),
            RatingIndicators::Table.into_iden(),
            RatingTemplates::Table.into_iden(),
            YouthOrgPartnerMemberships::Table.into_iden(),
            YouthOrgProfiles::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
