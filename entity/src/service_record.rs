//! `service_records`: the append-only service-hour ledger (志愿服务记录, 民政部《志愿服务记录与证明
//! 出具办法（试行）》2020, Art. 7 fields).

use sea_orm::entity::prelude::*;

use crate::enums::ServiceRecordStatus;

/// One record of service. An approved record is never edited or deleted: it is voided, or
/// superseded by a correction (a new record whose `supersedes_id` points at it).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "service_records")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The volunteer who served.
    pub volunteer_id: Uuid,
    /// The organizing organization.
    pub organization_id: Uuid,
    /// Activity name (1–200 characters).
    pub activity_name: String,
    /// Service category, e.g. `社区服务`.
    pub service_category: String,
    /// Place of service (≤ 200 characters).
    pub place: String,
    /// Content of the service (≤ 2000 characters).
    pub content: String,
    /// Activity leader (≤ 100 characters).
    pub activity_leader: Option<String>,
    /// Start of service (UTC).
    pub started_at: DateTimeUtc,
    /// End of service (UTC).
    pub ended_at: DateTimeUtc,
    /// Credited minutes: `raw_minutes` after the rounding of the rule set in force (0–1440;
    /// a bucket rule may credit a short record nothing).
    pub minutes: i32,
    /// Minutes actually served (1–1440); `None` on rows entered before rounding was applied,
    /// whose raw minutes are `minutes`.
    pub raw_minutes: Option<i32>,
    /// The rule set whose rounding produced `minutes` (in force for the volunteer on the day
    /// the service started, platform time zone).
    pub rounding_rule_set_id: Option<Uuid>,
    /// `attendance`, `manual`, `declaration` or `partner:<name>`.
    pub source: String,
    /// The source's own id (partner records); unique per source.
    pub external_id: Option<String>,
    /// Account that entered the record (`None` for system-made records).
    pub recorded_by: Option<Uuid>,
    /// Lifecycle status.
    pub status: ServiceRecordStatus,
    /// Overlapped another counted record of the same volunteer when entered.
    pub conflict: bool,
    /// Entered more than 10 working days after the activity ended (Art. 11).
    pub late: bool,
    /// Made by the system from an incomplete source (e.g. a check-out closed by the job) and to
    /// be looked at before approval.
    pub review_required: bool,
    /// The record this one corrects.
    pub supersedes_id: Option<Uuid>,
    /// Why the correction was made.
    pub correction_reason: Option<String>,
    /// Account that approved, rejected or voided.
    pub decided_by: Option<Uuid>,
    /// When that happened (UTC).
    pub decided_at: Option<DateTimeUtc>,
    /// Reason of a rejection or voiding.
    pub decision_reason: Option<String>,
    /// Project the service belonged to (no foreign key: the ledger is decoupled).
    pub project_id: Option<Uuid>,
    /// Shift the service belonged to (no foreign key).
    pub shift_id: Option<Uuid>,
    /// Entry instant (UTC).
    pub created_at: DateTimeUtc,
    /// Optimistic concurrency counter, bumped on every status change.
    pub version: i32,
}

/// No relations are navigated through sea-orm; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
