//! `Idempotency-Key` for partner writes: a replay gets the first answer byte for byte and writes
//! nothing.
//!
//! - The first request with a key inserts `(partner, key)` as `in_progress` with the request's
//!   fingerprint (keyed hash of method, path and body). The primary key decides races: of two
//!   concurrent first requests exactly one insert succeeds.
//! - A later request with the key: another fingerprint → 422 `idempotency_key_reused`; the first
//!   still running → 409 `idempotency_key_in_progress`; completed → the stored status and body.
//! - Processing runs in a task of its own (see `handlers`), so a client that disconnects does not
//!   cancel it half-way; the answer is stored when it ends. When the processing node dies, the
//!   key's lease ([`LEASE`]) runs out and a retry with the same key takes it over; items written
//!   before the crash come back `unchanged` through the external-id map, so the retry completes
//!   the batch without writing anything twice.
//! - Keys expire [`KEY_LIFETIME`] after first use; an expired key may be used again for another
//!   request. The external-id map keeps batches safe after that too.
//! - A request refused before processing (malformed body, too many items) stores nothing.
//! - A failure of the whole request during processing (database down) releases the key, so that
//!   the same request can be retried.

use chrono::{Duration, Utc};
use entity::partners::{IdempotencyState, partner_idempotency_key as key_row};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait as _, ConnectionTrait, EntityTrait as _, QueryFilter as _,
};
use sha2::{Digest as _, Sha256};
use uuid::Uuid;

use crate::crypto::FieldCrypto;
use crate::error::ApiError;

/// How long a key and its stored answer are kept.
pub const KEY_LIFETIME: Duration = Duration::hours(24);
/// How long a node holds an in-progress key before a retry may take it over.
pub const LEASE: Duration = Duration::minutes(5);
/// Longest key (characters).
pub const MAX_KEY_CHARS: usize = 255;

/// What to do with a request.
#[derive(Debug)]
pub enum Claim {
    /// Process it; the key is ours until the lease ends.
    Process,
    /// Answer with the stored response.
    Replay {
        /// Stored HTTP status.
        status: u16,
        /// Stored body, byte for byte.
        body: String,
    },
}

/// Validates the `Idempotency-Key` header value: 1–255 visible ASCII characters.
///
/// # Errors
/// 400 `idempotency_key_missing` / `idempotency_key_invalid`.
pub fn parse_key(raw: Option<&str>) -> Result<String, ApiError> {
    let Some(raw) = raw else {
        return Err(ApiError::BadRequest {
            code: "idempotency_key_missing",
            detail: "partner writes need an Idempotency-Key header (for example a UUID)".into(),
        });
    };
    let key = raw.trim();
    if key.is_empty() || key.len() > MAX_KEY_CHARS || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::BadRequest {
            code: "idempotency_key_invalid",
            detail: format!(
                "Idempotency-Key must be 1 to {MAX_KEY_CHARS} visible ASCII characters"
            ),
        });
    }
    Ok(key.to_owned())
}

/// The fingerprint of a request: keyed hash (hex HMAC-SHA-256 under the field lookup key) of
/// `method`, `path` and the SHA-256 of `body`. Keyed because a body may hold ID numbers: a
/// plain digest stored for 24 hours would let anyone holding the rest of the body confirm a
/// guessed ID number.
pub fn fingerprint(crypto: &FieldCrypto, method: &str, path: &str, body: &[u8]) -> String {
    let body = crate::crypto::hex(&Sha256::digest(body));
    crypto.lookup_hash("idempotency", &format!("{method}\n{path}\n{body}"))
}

fn reused() -> ApiError {
    ApiError::Rule {
        code: "idempotency_key_reused",
        detail: "this Idempotency-Key was used with a different request; use a new key".into(),
    }
}

fn in_progress() -> ApiError {
    ApiError::Conflict {
        code: "idempotency_key_in_progress",
        detail: "the first request with this Idempotency-Key is still being processed; retry later"
            .into(),
    }
}

/// Claims `key` for a request with `fingerprint`, or says how to answer instead.
///
/// # Errors
/// 422 `idempotency_key_reused`, 409 `idempotency_key_in_progress`, database errors.
pub async fn claim(
    db: &impl ConnectionTrait,
    partner: Uuid,
    key: &str,
    fingerprint: &str,
) -> Result<Claim, ApiError> {
    // Expired keys of this partner go first (indexed by `expires_at`); no job is needed to
    // keep the table small.
    key_row::Entity::delete_many()
        .filter(key_row::Column::PartnerId.eq(partner))
        .filter(key_row::Column::ExpiresAt.lte(Utc::now()))
        .exec(db)
        .await?;
    // Two rounds at most: the second after deleting a key that expired meanwhile.
    for _ in 0..2 {
        let now = Utc::now();
        let inserted = key_row::Entity::insert(key_row::ActiveModel {
            partner_id: Set(partner),
            idempotency_key: Set(key.to_owned()),
            fingerprint: Set(fingerprint.to_owned()),
            state: Set(IdempotencyState::InProgress),
            response_status: Set(None),
            response_body: Set(None),
            lease_until: Set(now + LEASE),
            created_at: Set(now),
            expires_at: Set(now + KEY_LIFETIME),
        })
        .on_conflict(
            OnConflict::columns([key_row::Column::PartnerId, key_row::Column::IdempotencyKey])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
        if inserted == 1 {
            return Ok(Claim::Process);
        }
        let Some(row) = key_row::Entity::find_by_id((partner, key.to_owned()))
            .one(db)
            .await?
        else {
            // Deleted in between (expired and cleaned up): try the insert again.
            continue;
        };
        if row.expires_at <= now {
            key_row::Entity::delete_many()
                .filter(key_row::Column::PartnerId.eq(partner))
                .filter(key_row::Column::IdempotencyKey.eq(key))
                .filter(key_row::Column::CreatedAt.eq(row.created_at))
                .exec(db)
                .await?;
            continue;
        }
        if row.fingerprint != fingerprint {
            return Err(reused());
        }
        return match (row.state, row.response_status, row.response_body) {
            (IdempotencyState::Completed, Some(status), Some(body)) => Ok(Claim::Replay {
                status: u16::try_from(status).unwrap_or(500),
                body,
            }),
            (IdempotencyState::InProgress, ..) if row.lease_until <= now => {
                // The node processing it died: take the key over, unless another retry did.
                let taken = key_row::Entity::update_many()
                    .col_expr(
                        key_row::Column::LeaseUntil,
                        sea_orm::sea_query::Expr::value(now + LEASE),
                    )
                    .filter(key_row::Column::PartnerId.eq(partner))
                    .filter(key_row::Column::IdempotencyKey.eq(key))
                    .filter(key_row::Column::State.eq(IdempotencyState::InProgress))
                    .filter(key_row::Column::LeaseUntil.eq(row.lease_until))
                    .exec(db)
                    .await?;
                if taken.rows_affected == 1 {
                    Ok(Claim::Process)
                } else {
                    Err(in_progress())
                }
            }
            _ => Err(in_progress()),
        };
    }
    Err(in_progress())
}

/// Stores the answer of a processed request and marks the key completed.
///
/// # Errors
/// Database errors.
pub async fn complete(
    db: &impl ConnectionTrait,
    partner: Uuid,
    key: &str,
    status: u16,
    body: &str,
) -> Result<(), ApiError> {
    key_row::Entity::update_many()
        .col_expr(
            key_row::Column::State,
            sea_orm::sea_query::Expr::value(IdempotencyState::Completed),
        )
        .col_expr(
            key_row::Column::ResponseStatus,
            sea_orm::sea_query::Expr::value(i32::from(status)),
        )
        .col_expr(
            key_row::Column::ResponseBody,
            sea_orm::sea_query::Expr::value(body.to_owned()),
        )
        .filter(key_row::Column::PartnerId.eq(partner))
        .filter(key_row::Column::IdempotencyKey.eq(key))
        .exec(db)
        .await?;
    Ok(())
}

/// Releases an in-progress key after a failure of the whole request, so that it can be retried.
///
/// # Errors
/// Database errors.
pub async fn release(db: &impl ConnectionTrait, partner: Uuid, key: &str) -> Result<(), ApiError> {
    key_row::Entity::delete_many()
        .filter(key_row::Column::PartnerId.eq(partner))
        .filter(key_row::Column::IdempotencyKey.eq(key))
        .filter(key_row::Column::State.eq(IdempotencyState::InProgress))
        .exec(db)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_visible_ascii_of_bounded_length() {
        assert!(parse_key(None).is_err());
        assert!(parse_key(Some("")).is_err());
        assert!(parse_key(Some("a b")).is_err());
        assert!(parse_key(Some("键")).is_err());
        assert!(parse_key(Some(&"k".repeat(256))).is_err());
        assert_eq!(parse_key(Some(" abc-1 ")).ok().as_deref(), Some("abc-1"));
    }

    #[test]
    fn fingerprints_cover_method_path_and_body_and_depend_on_the_key() {
        let c = FieldCrypto::new(&[1u8; 32]);
        let a = fingerprint(&c, "POST", "/x", b"{}");
        assert_eq!(a, fingerprint(&c, "POST", "/x", b"{}"));
        assert_ne!(a, fingerprint(&c, "POST", "/y", b"{}"));
        assert_ne!(a, fingerprint(&c, "POST", "/x", b"{ }"));
        assert_ne!(a, fingerprint(&c, "PUT", "/x", b"{}"));
        assert_ne!(
            a,
            fingerprint(&FieldCrypto::new(&[2u8; 32]), "POST", "/x", b"{}")
        );
    }
}
