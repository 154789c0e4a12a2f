//! Active enums of the social-programs tables, stored as snake_case strings.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Which library an entry belongs to: the project library (公益项目库) or the case library
/// (案例库).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize, ToSchema,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(16))",
    rename_all = "snake_case"
)]
#[serde(rename_all = "snake_case")]
pub enum LibraryEntryKind {
    /// A public-welfare project (公益项目).
    Project,
    /// A case write-up (案例).
    Case,
}

/// Field of a project or case, as the seed names the fields of youth social organizations:
/// public welfare (公益类), service (服务类), interest (兴趣类).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize, ToSchema,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(16))",
    rename_all = "snake_case"
)]
#[serde(rename_all = "snake_case")]
pub enum ProgramField {
    /// 公益类.
    PublicWelfare,
    /// 服务类.
    Service,
    /// 兴趣类.
    Interest,
}

/// Curation state of a library entry: `draft → submitted → published | rejected`,
/// `rejected → submitted` (after edits), `published → archived`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize, ToSchema,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(16))",
    rename_all = "snake_case"
)]
#[serde(rename_all = "snake_case")]
pub enum LibraryEntryStatus {
    /// Being written by the submitting organization.
    Draft,
    /// Waiting for a curator.
    Submitted,
    /// Public.
    Published,
    /// Sent back with a reason; may be edited and submitted again.
    Rejected,
    /// No longer public; kept.
    Archived,
}

/// State of a micro-grant call (微创投): `draft → open → reviewing → closed`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize, ToSchema,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(16))",
    rename_all = "snake_case"
)]
#[serde(rename_all = "snake_case")]
pub enum GrantCallStatus {
    /// Being prepared; only its owners see it.
    Draft,
    /// Accepting proposals within the submission window.
    Open,
    /// Proposals are scored and awards decided.
    Reviewing,
    /// Finished; undecided proposals were declined.
    Closed,
}

/// State of a grant proposal: `submitted → under_review → awarded | declined`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize, ToSchema,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(16))",
    rename_all = "snake_case"
)]
#[serde(rename_all = "snake_case")]
pub enum ProposalStatus {
    /// Received.
    Submitted,
    /// At least one reviewer is assigned.
    UnderReview,
    /// Granted an amount.
    Awarded,
    /// Not granted.
    Declined,
}

/// Qualification level of a social worker, the national levels of 社会工作者职业水平评价
/// (人力资源社会保障部、民政部《社会工作者职业水平评价暂行规定》): 助理社会工作师,
/// 社会工作师, 高级社会工作师.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize, ToSchema,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(32))",
    rename_all = "snake_case"
)]
#[serde(rename_all = "snake_case")]
pub enum QualificationLevel {
    /// 助理社会工作师.
    AssistantSocialWorker,
    /// 社会工作师.
    SocialWorker,
    /// 高级社会工作师.
    SeniorSocialWorker,
}
