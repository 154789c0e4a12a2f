//! `accounts`: people who log in — platform admins, organization admins and volunteers.

use sea_orm::entity::prelude::*;

use crate::enums::{AccountStatus, Role};

/// One login account.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "accounts")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Unique login name.
    #[sea_orm(unique)]
    pub username: String,
    /// Normalised mainland mobile (11 digits), usable as a login name; unique when present.
    pub mobile: Option<String>,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// Role.
    pub role: Role,
    /// For organization admins: the root of the subtree they manage.
    pub organization_id: Option<Uuid>,
    /// For volunteers: their volunteer row.
    pub volunteer_id: Option<Uuid>,
    /// Active or disabled.
    pub status: AccountStatus,
    /// Creation instant (UTC).
    pub created_at: DateTimeUtc,
    /// Last successful login (UTC).
    pub last_login_at: Option<DateTimeUtc>,
}

/// No relations are navigated through sea-orm; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
