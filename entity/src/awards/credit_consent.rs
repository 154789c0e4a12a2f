//! `credit_consents`: each volunteer's current consent to appear on the credit list (诚信激励).
//! Every change is also an audit row, which keeps the history.

use sea_orm::entity::prelude::*;

/// The current consent of one volunteer.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "credit_consents")]
pub struct Model {
    /// The volunteer.
    #[sea_orm(primary_key, auto_increment = false)]
    pub volunteer_id: Uuid,
    /// Whether consent is currently given.
    pub consented: bool,
    /// Last time consent was given (UTC).
    pub consented_at: Option<DateTimeUtc>,
    /// Last time consent was withdrawn (UTC).
    pub withdrawn_at: Option<DateTimeUtc>,
    /// Last change (UTC).
    pub updated_at: DateTimeUtc,
}

/// No relations are navigated through sea-orm; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
