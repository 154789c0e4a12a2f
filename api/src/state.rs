//! Shared application state handed to every handler as `web::Data<AppState>`.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::auth::limiter::LoginLimiter;
use crate::auth::password::PasswordHasher;
use crate::auth::token::JwtKeys;
use crate::config::Settings;
use crate::crypto::FieldCrypto;
use crate::records::signing::PlatformSigner;

/// Everything a request needs besides itself. Cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState {
    /// Connection pool: every write and every read that belongs to a write.
    pub db: DatabaseConnection,
    /// Pool for reads outside any transaction, in handlers that only read (and the account
    /// check of every request). It sees every write committed before the read starts, never
    /// one still open: do not read back through it what the same request is writing. On
    /// PostgreSQL it is `db`; on SQLite, read-only connections beside the single writer (see
    /// [`crate::startup::connect_readers`]).
    pub read_db: DatabaseConnection,
    /// Settings.
    pub settings: Arc<Settings>,
    /// Keys for personal fields.
    pub crypto: FieldCrypto,
    /// Access-token keys.
    pub jwt: JwtKeys,
    /// Login rate limits.
    pub login_limiter: LoginLimiter,
    /// Bounded Argon2 pool.
    pub hasher: PasswordHasher,
    /// Platform Ed25519 signing key (certificates).
    pub signer: PlatformSigner,
}

impl AppState {
    /// Today's date in the platform time zone.
    pub fn today(&self) -> chrono::NaiveDate {
        chrono::Utc::now()
            .with_timezone(&self.settings.time_zone)
            .date_naive()
    }
}
