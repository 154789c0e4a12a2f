//! Entities of award campaigns, credit list with consent, partner benefits (issue 5), and the
//! active enums they use (stored as short snake_case strings like those of `crate::enums`).

pub mod award_campaign;
pub mod award_nomination;
pub mod award_objection;
pub mod award_reviewer;
pub mod award_score;
pub mod benefit_claim;
pub mod benefit_offer;
pub mod benefit_offer_region;
pub mod credit_consent;
pub mod credit_list_rule;
pub mod volunteer_award;
pub mod volunteer_sanction;

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Kind of a volunteer sanction.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize, ToSchema,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(16))",
    rename_all = "snake_case"
)]
#[serde(rename_all = "snake_case")]
pub enum SanctionKind {
    /// 警告.
    Warning,
    /// 取消资格: disqualification from awards and incentives.
    Disqualification,
}

/// Level of an award campaign: that of the organizing organization.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize, ToSchema,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(16))",
    rename_all = "snake_case"
)]
#[serde(rename_all = "snake_case")]
pub enum CampaignLevel {
    /// 省级.
    Province,
    /// 市级.
    City,
    /// 县级.
    County,
    /// 校级.
    School,
}

/// Status of an award campaign: draft → nominating → reviewing → notice → closed.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize, ToSchema,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(16))",
    rename_all = "snake_case"
)]
#[serde(rename_all = "snake_case")]
pub enum CampaignStatus {
    /// Being prepared; editable.
    Draft,
    /// Organizations nominate volunteers.
    Nominating,
    /// Reviewers score nominations.
    Reviewing,
    /// The shortlist is in public notice (公示).
    Notice,
    /// Awards granted; final.
    Closed,
}

/// Status of a nomination.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize, ToSchema,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(16))",
    rename_all = "snake_case"
)]
#[serde(rename_all = "snake_case")]
pub enum NominationStatus {
    /// Nominated, not yet ranked.
    Nominated,
    /// Within the quota after ranking: in the public notice.
    Shortlisted,
    /// Ranked outside the quota.
    NotSelected,
    /// An objection was upheld: excluded.
    Disqualified,
    /// The award was granted.
    Awarded,
}

/// Status of an objection raised during a public notice.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize, ToSchema,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(16))",
    rename_all = "snake_case"
)]
#[serde(rename_all = "snake_case")]
pub enum ObjectionStatus {
    /// Recorded, not resolved: the nominee's award is held.
    Open,
    /// Found valid: the nominee is disqualified.
    Upheld,
    /// Found groundless: the nominee proceeds.
    Dismissed,
}

/// Status of a benefit offer.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize, ToSchema,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(16))",
    rename_all = "snake_case"
)]
#[serde(rename_all = "snake_case")]
pub enum OfferStatus {
    /// Claimable by eligible volunteers within its validity.
    Active,
    /// Suspended by a platform or parent admin: not claimable, codes not redeemable.
    Suspended,
}
