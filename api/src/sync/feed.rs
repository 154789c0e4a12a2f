//! Reading the change log in commit order (see [`super::order`]) within a scope, with opaque
//! cursors.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use entity::organization_closure as closure;
use entity::sync::{change, change_organization};
use sea_orm::sea_query::Query;
use sea_orm::{
    ColumnTrait as _, Condition, ConnectionTrait, EntityTrait as _, QueryFilter as _,
    QueryOrder as _, QuerySelect as _,
};
use uuid::Uuid;

use super::order;
use crate::error::ApiError;

/// A position in the feed: the last change served, in `(txid, seq)` order. The start of the
/// feed is `(0, 0)`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    /// Transaction id part (0 on SQLite).
    pub txid: i64,
    /// Sequence part.
    pub seq: i64,
}

impl Position {
    /// The position of a change.
    pub fn of(c: &change::Model) -> Self {
        Self {
            txid: c.txid,
            seq: c.seq,
        }
    }

    /// The opaque cursor: base64url of `v1.<txid>.<seq>`.
    pub fn encode(self) -> String {
        B64URL.encode(format!("v1.{}.{}", self.txid, self.seq))
    }

    /// Parses a cursor made by [`Position::encode`].
    ///
    /// # Errors
    /// 400 `invalid_cursor`.
    pub fn decode(cursor: &str) -> Result<Self, ApiError> {
        let bad = || ApiError::BadRequest {
            code: "invalid_cursor",
            detail: "`after` must be a cursor returned by this feed".into(),
        };
        let text = B64URL
            .decode(cursor.trim())
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or_else(bad)?;
        let mut parts = text.split('.');
        match (parts.next(), parts.next(), parts.next(), parts.next()) {
            (Some("v1"), Some(t), Some(s), None) => {
                let txid: i64 = t.parse().map_err(|_| bad())?;
                let seq: i64 = s.parse().map_err(|_| bad())?;
                if txid < 0 || seq < 0 {
                    return Err(bad());
                }
                Ok(Self { txid, seq })
            }
            _ => Err(bad()),
        }
    }

    fn after(self) -> Condition {
        Condition::any()
            .add(change::Column::Txid.gt(self.txid))
            .add(
                Condition::all()
                    .add(change::Column::Txid.eq(self.txid))
                    .add(change::Column::Seq.gt(self.seq)),
            )
    }
}

/// Which changes a reader may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedScope {
    /// Everything (platform admins).
    All,
    /// Changes linked to an organization in one of these subtrees (a partner's scope roots).
    Roots(Vec<Uuid>),
}

impl FeedScope {
    fn condition(&self) -> Option<Condition> {
        match self {
            Self::All => None,
            Self::Roots(roots) => {
                let orgs = Query::select()
                    .column(closure::Column::DescendantId)
                    .from(closure::Entity)
                    .and_where(closure::Column::AncestorId.is_in(roots.clone()))
                    .to_owned();
                let changes = Query::select()
                    .column(change_organization::Column::ChangeId)
                    .from(change_organization::Entity)
                    .and_where(change_organization::Column::OrganizationId.in_subquery(orgs))
                    .to_owned();
                Some(Condition::all().add(change::Column::Id.in_subquery(changes)))
            }
        }
    }
}

/// Up to `limit` changes after `after` in commit order within `scope`, and the position to
/// continue from (the last change returned, or `after` when none).
///
/// # Errors
/// Database errors.
pub async fn read(
    db: &impl ConnectionTrait,
    scope: &FeedScope,
    after: Position,
    limit: u64,
) -> Result<(Vec<change::Model>, Position), ApiError> {
    if matches!(scope, FeedScope::Roots(r) if r.is_empty()) {
        return Ok((vec![], after));
    }
    let horizon = order::horizon(db).await?;
    let mut q = change::Entity::find().filter(after.after());
    if let Some(h) = horizon {
        q = q.filter(change::Column::Txid.lt(h));
    }
    if let Some(c) = scope.condition() {
        q = q.filter(c);
    }
    let rows = q
        .order_by_asc(change::Column::Txid)
        .order_by_asc(change::Column::Seq)
        .limit(limit)
        .all(db)
        .await?;
    let next = rows.last().map_or(after, Position::of);
    Ok((rows, next))
}

/// The position after every change that is final now (where a new subscriber starts).
///
/// # Errors
/// Database errors.
pub async fn head(db: &impl ConnectionTrait) -> Result<Position, ApiError> {
    let horizon = order::horizon(db).await?;
    let mut q = change::Entity::find();
    if let Some(h) = horizon {
        q = q.filter(change::Column::Txid.lt(h));
    }
    let last = q
        .order_by_desc(change::Column::Txid)
        .order_by_desc(change::Column::Seq)
        .one(db)
        .await?;
    Ok(last.as_ref().map(Position::of).unwrap_or_default())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests may panic")]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let p = Position { txid: 7, seq: 42 };
        assert_eq!(Position::decode(&p.encode()).unwrap(), p);
        for bad in [
            "",
            "x",
            "djEuMS4y!",
            &B64URL.encode("v2.1.2"),
            &B64URL.encode("v1.-1.2"),
        ] {
            assert!(Position::decode(bad).is_err(), "{bad}");
        }
    }
}
