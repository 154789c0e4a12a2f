//! Entities of youth social organizations: registry, incubation, rating templates, rating rounds, grades (issue 6).
//!
//! Scores are integer hundredths of a point (`12.50` points = `1250`), never floats.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub mod evidence_file;
pub mod partner_membership;
pub mod profile;
pub mod rating_appeal;
pub mod rating_assignment;
pub mod rating_indicator;
pub mod rating_result;
pub mod rating_round;
pub mod rating_score;
pub mod rating_template;
pub mod self_assessment_item;

/// Field of activity of a youth social organization (领域).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize, ToSchema,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(32))",
    rename_all = "snake_case"
)]
#[serde(rename_all = "snake_case")]
pub enum OrgField {
    /// 公益类.
    PublicWelfare,
    /// 服务类.
    Service,
    /// 兴趣类.
    Interest,
}

/// New-field youth group (新兴领域青年群体) an organization gathers, or `none`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize, ToSchema,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(48))",
    rename_all = "snake_case"
)]
#[serde(rename_all = "snake_case")]
pub enum NewFieldGroup {
    /// Not a new-field group.
    None,
    /// 网络作家.
    WebWriters,
    /// 独立音乐人.
    IndependentMusicians,
    /// 自由艺术工作者 (artists, illustrators, designers).
    Artists,
    /// 网络主播.
    OnlineStreamers,
    /// 新媒体从业人员.
    NewMediaWorkers,
    /// 快递员、外卖骑手.
    CouriersAndRiders,
    /// 网约车司机.
    RideHailingDrivers,
    /// 电竞从业者.
    EsportsPlayers,
    /// 自由职业者.
    Freelancers,
}

/// Incubation status (孵化状态): `applied → incubating → graduated`; `applied` or `incubating`
/// may also end as `withdrawn`. `graduated` and `withdrawn` are final.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize, ToSchema,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(16))",
    rename_all = "snake_case"
)]
#[serde(rename_all = "snake_case")]
pub enum IncubationStatus {
    /// Applied for incubation (申请入驻).
    Applied,
    /// Being incubated (孵化中).
    Incubating,
    /// Graduated (出壳).
    Graduated,
    /// Withdrew or was removed before graduating.
    Withdrawn,
}

/// Lifecycle of a rating round.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize, ToSchema,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(16))",
    rename_all = "snake_case"
)]
#[serde(rename_all = "snake_case")]
pub enum RoundStatus {
    /// Self-assessments, assignments and scores are accepted.
    Open,
    /// Results are published; scores are frozen.
    Published,
}

/// Status of an appeal (申诉/复核) against a published result.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize, ToSchema,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(16))",
    rename_all = "snake_case"
)]
#[serde(rename_all = "snake_case")]
pub enum AppealStatus {
    /// Filed, awaiting the platform admin.
    Pending,
    /// Upheld: the result was adjusted (a new result supersedes the old one).
    Upheld,
    /// Dismissed: the result stands.
    Dismissed,
}
