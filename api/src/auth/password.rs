//! Password hashing with Argon2id (argon2 crate, default parameters: m = 19 MiB, t = 2, p = 1,
//! the OWASP recommendation). Hashing runs on the blocking pool behind a semaphore so that a
//! login flood cannot occupy every core: at most `permits` hashes run at once and the others
//! wait up to [`QUEUE_WAIT`] before getting 503.

use std::sync::Arc;
use std::time::Duration;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use tokio::sync::Semaphore;

use crate::error::ApiError;

/// How long a hash waits for a free slot before the request is refused with 503.
pub const QUEUE_WAIT: Duration = Duration::from_secs(10);

/// A bounded pool for Argon2 work.
#[derive(Clone, Debug)]
pub struct PasswordHasher {
    slots: Arc<Semaphore>,
    dummy_hash: Arc<String>,
}

impl PasswordHasher {
    /// A hasher allowing `permits` concurrent hashes (at least one).
    pub fn new(permits: usize) -> Self {
        let dummy = Argon2::default()
            .hash_password(b"dummy password for timing equalisation")
            .map(|h| h.to_string())
            .unwrap_or_default();
        Self {
            slots: Arc::new(Semaphore::new(permits.max(1))),
            dummy_hash: Arc::new(dummy),
        }
    }

    /// Default size: one core fewer than the machine has (at least one), so that other
    /// requests always keep a core.
    pub fn for_this_machine() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Self::new(cores.saturating_sub(1))
    }

    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        let permit = tokio::time::timeout(QUEUE_WAIT, self.slots.clone().acquire_owned())
            .await
            .map_err(|_| ApiError::Unavailable("password hashing is saturated; retry later"))?
            .map_err(ApiError::internal)?;
        let out = tokio::task::spawn_blocking(f)
            .await
            .map_err(ApiError::internal)?;
        drop(permit);
        Ok(out)
    }

    /// Hashes a password to a PHC string (`$argon2id$v=19$…`).
    ///
    /// # Errors
    /// 503 when the queue is full; 500 if hashing fails.
    pub async fn hash(&self, password: String) -> Result<String, ApiError> {
        self.run(move || {
            Argon2::default()
                .hash_password(password.as_bytes())
                .map(|h| h.to_string())
        })
        .await?
        .map_err(|e| ApiError::Internal(e.to_string().into()))
    }

    /// Checks a password against a stored PHC string. With `None` it verifies against a dummy
    /// hash, so that unknown accounts take as long as known ones, and returns `false`.
    ///
    /// # Errors
    /// 503 when the queue is full.
    pub async fn verify(&self, password: String, stored: Option<String>) -> Result<bool, ApiError> {
        let known = stored.is_some();
        let stored = stored.unwrap_or_else(|| self.dummy_hash.as_str().to_owned());
        let ok = self
            .run(move || {
                PasswordHash::new(&stored).is_ok_and(|parsed| {
                    Argon2::default()
                        .verify_password(password.as_bytes(), &parsed)
                        .is_ok()
                })
            })
            .await?;
        Ok(ok && known)
    }
}

/// Checks a new password: 8–128 characters, not all of one class.
///
/// # Errors
/// A 422 field error `password_too_weak` on the given field.
pub fn check_strength(field: &str, password: &str) -> Result<(), ApiError> {
    let n = password.chars().count();
    let classes = [
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_ascii_alphanumeric()),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    if !(8..=128).contains(&n) || classes < 2 {
        return Err(ApiError::field(
            field,
            "password_too_weak",
            "a password needs 8 to 128 characters from at least two of: lower case, upper case, digits, symbols",
        ));
    }
    Ok(())
}
