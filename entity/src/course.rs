//! `courses`: the training catalogue (课程目录, DESIGN.md §3 "Training").

use sea_orm::entity::prelude::*;

use crate::enums::CourseCategory;

/// One course. A published course is public and any organization may base a class on it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "courses")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Owning organization (scope of the admins who edit it).
    pub organization_id: Uuid,
    /// Title, 1–200 characters.
    pub title: String,
    /// Category.
    pub category: CourseCategory,
    /// Specialty (free text such as 应急救援), up to 32 characters; empty when none.
    pub specialty: String,
    /// Length in minutes, 1–10,000; the minutes of a training record.
    pub minutes: i32,
    /// Syllabus, up to 10,000 characters.
    pub syllabus: String,
    /// Materials: JSON array of `{title, url}` (http/https), at most 20.
    pub materials: String,
    /// Published: readable without login.
    pub published: bool,
    /// When first published (UTC).
    pub published_at: Option<DateTimeUtc>,
    /// Code of the qualification a passed completion grants (snake_case, 2–40).
    pub grants_code: Option<String>,
    /// Name of that qualification, 1–100 characters.
    pub grants_name: Option<String>,
    /// Validity of that qualification in days (1–3650); `None`: no expiry.
    pub grants_validity_days: Option<i32>,
    /// Optimistic concurrency counter.
    pub version: i32,
    /// Creation instant (UTC).
    pub created_at: DateTimeUtc,
    /// Last update instant (UTC).
    pub updated_at: DateTimeUtc,
}

/// No relations are navigated through sea-orm; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
