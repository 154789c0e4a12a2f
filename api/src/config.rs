//! Typed configuration, read once from `APP_*` environment variables.
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `APP_HOST` | `127.0.0.1` | address to bind |
//! | `APP_PORT` | `8080` | port to bind (`0` picks a free one) |
//! | `APP_ENV` | `development` | `development` or `production` |
//! | `APP_DATA_DIR` | `data` | folder for the SQLite file and development secrets |
//! | `APP_DATABASE_URL` | `sqlite://<data dir>/volunteer.db?mode=rwc` | SQLite or PostgreSQL URL |
//! | `APP_ADMIN_PASSWORD` | generated and printed once | first platform admin's password (user `admin`; 8–128 characters from two classes) |
//! | `APP_JWT_SECRET` | dev: generated into the data dir | HMAC key for access tokens, ≥ 32 bytes |
//! | `APP_FIELD_ENCRYPTION_KEY` | dev: generated into the data dir | base64 of 32 bytes; encrypts ID numbers |
//! | `APP_SIGNING_KEY` | dev: generated into the data dir | base64 of a 32-byte Ed25519 seed; signs certificates |
//! | `APP_ACCESS_TOKEN_MINUTES` | `15` | access token lifetime |
//! | `APP_REFRESH_TOKEN_DAYS` | `14` | refresh token lifetime |
//! | `APP_MIN_VOLUNTEER_AGE` | `14` | youngest age that may register |
//! | `APP_TIME_ZONE` | `Asia/Shanghai` | platform time zone for calendar rules (ages, working days) |
//! | `APP_LOGIN_MAX_PER_ACCOUNT` | `5` | login attempts per account per minute (burst) |
//! | `APP_LOGIN_MAX_PER_ADDRESS` | `30` | login attempts per client address per minute (burst) |
//! | `APP_CHECKOUT_GRACE_MINUTES` | `120` | minutes after a shift ends before a missing check-out is closed for review |
//! | `APP_WEBHOOK_POLL_MS` | `1000` | how often each node's webhook worker looks for work |
//! | `APP_WEBHOOK_BACKOFF_MS` | `10000` | first retry delay of a failed webhook delivery (doubles per attempt, at most 1 hour) |
//! | `APP_WEBHOOK_MAX_ATTEMPTS` | `8` | attempts before a webhook delivery is marked failed |
//! | `APP_WEBHOOK_TIMEOUT_MS` | `10000` | timeout of one webhook request |
//! | `APP_MAX_BODY_BYTES` | `262144` | largest JSON body |
//! | `APP_MAX_UPLOAD_BYTES` | `20971520` | largest roster upload |
//! | `APP_PLATFORM_ISSUER` | `http://localhost:<APP_PORT>` | this platform's issuer id (`iss`) in signed documents (mutual recognition) |
//!
//! In production the JWT secret, the field-encryption key and the signing key must be given
//! explicitly; start-up fails and names the missing variable otherwise.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use rand::RngCore as _;
use secrecy::{ExposeSecret as _, SecretBox, SecretString};

/// Whether the service runs for development (generated secrets allowed) or production.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    /// Generated secrets are stored under the data dir; logs are human-readable.
    Development,
    /// Secrets must be configured; logs are JSON.
    Production,
}

/// All settings of one running service.
#[derive(Debug)]
pub struct Settings {
    /// Bind address.
    pub host: String,
    /// Bind port (0: any free port).
    pub port: u16,
    /// Development or production.
    pub environment: Environment,
    /// Folder for the SQLite database and development secrets.
    pub data_dir: PathBuf,
    /// Database URL (`sqlite://…` or `postgres://…`).
    pub database_url: String,
    /// First platform admin's password; generated when `None`.
    pub admin_password: Option<SecretString>,
    /// HMAC-SHA-256 key for access tokens.
    pub jwt_secret: SecretBox<Vec<u8>>,
    /// 32-byte key from which the ID-number encryption and lookup keys are derived.
    pub field_key: SecretBox<[u8; 32]>,
    /// 32-byte Ed25519 seed of the platform signing key (certificates; public key published at
    /// `/.well-known/jwks.json`).
    pub signing_key: SecretBox<[u8; 32]>,
    /// Access token lifetime in minutes.
    pub access_token_minutes: i64,
    /// Refresh token lifetime in days.
    pub refresh_token_days: i64,
    /// Youngest age (in full years, platform time zone) that may register.
    pub min_volunteer_age: u32,
    /// Platform time zone.
    pub time_zone: chrono_tz::Tz,
    /// Login attempts allowed per account per minute.
    pub login_max_per_account: u32,
    /// Login attempts allowed per client address per minute.
    pub login_max_per_address: u32,
    /// Minutes after a shift ends before an attendance without check-out is closed by the job
    /// (its record is then held for review).
    pub checkout_grace_minutes: i64,
    /// Milliseconds between two runs of the webhook worker on this node.
    pub webhook_poll_ms: u64,
    /// First retry delay of a failed webhook delivery in milliseconds; doubles per attempt, capped
    /// at one hour.
    pub webhook_backoff_ms: u64,
    /// Attempts before a webhook delivery is given up (`failed`).
    pub webhook_max_attempts: i32,
    /// Timeout of one webhook request in milliseconds.
    pub webhook_timeout_ms: u64,
    /// Largest JSON body in bytes.
    pub max_body_bytes: usize,
    /// Largest upload in bytes.
    pub max_upload_bytes: usize,
    /// This platform's issuer id in signed documents (mutual recognition, `iss` of every JWS):
    /// 1–64 characters, no spaces and no `#` (`APP_PLATFORM_ISSUER`, default
    /// `http://localhost:8080`).
    pub platform_issuer: String,
}

/// A configuration error names the variable at fault.
#[derive(Debug, thiserror::Error)]
#[error("configuration error in {variable}: {message}")]
pub struct ConfigError {
    /// The environment variable.
    pub variable: &'static str,
    /// What is wrong with it.
    pub message: String,
}

fn parsed<T: FromStr>(
    var: &impl Fn(&'static str) -> Option<String>,
    name: &'static str,
    default: T,
) -> Result<T, ConfigError>
where
    T::Err: std::fmt::Display,
{
    match var(name) {
        None => Ok(default),
        Some(v) => v.trim().parse().map_err(|e: T::Err| ConfigError {
            variable: name,
            message: format!("cannot parse {v:?}: {e}"),
        }),
    }
}

/// [`parsed`], then refused unless within `min..=max` (a negative token lifetime or a zero body
/// limit would start a service that refuses everything).
fn ranged<T>(
    var: &impl Fn(&'static str) -> Option<String>,
    name: &'static str,
    default: T,
    min: T,
    max: T,
) -> Result<T, ConfigError>
where
    T: FromStr + PartialOrd + std::fmt::Display,
    T::Err: std::fmt::Display,
{
    let v = parsed(var, name, default)?;
    if v < min || v > max {
        return Err(ConfigError {
            variable: name,
            message: format!("must be between {min} and {max}, got {v}"),
        });
    }
    Ok(v)
}

impl Settings {
    /// Reads the settings from the process environment.
    ///
    /// # Errors
    /// A [`ConfigError`] naming the first variable that is malformed, or that production mode
    /// requires and is missing.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the settings through `lookup` (variable name → value); blank values count as unset.
    /// [`Settings::from_env`] passes the process environment; tests pass a map.
    ///
    /// # Errors
    /// As [`Settings::from_env`].
    pub fn from_lookup(
        lookup: impl Fn(&'static str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let var = |name: &'static str| lookup(name).filter(|v| !v.trim().is_empty());
        let environment = match var("APP_ENV").as_deref().map(str::trim) {
            None | Some("development") | Some("dev") => Environment::Development,
            Some("production") | Some("prod") => Environment::Production,
            Some(other) => {
                return Err(ConfigError {
                    variable: "APP_ENV",
                    message: format!("expected development or production, got {other:?}"),
                });
            }
        };
        let data_dir = PathBuf::from(var("APP_DATA_DIR").unwrap_or_else(|| "data".into()));
        let database_url = var("APP_DATABASE_URL")
            .unwrap_or_else(|| format!("sqlite://{}/volunteer.db?mode=rwc", data_dir.display()));
        let jwt_secret = match var("APP_JWT_SECRET") {
            Some(s) if s.len() >= 32 => s.into_bytes(),
            Some(_) => {
                return Err(ConfigError {
                    variable: "APP_JWT_SECRET",
                    message: "must be at least 32 bytes".into(),
                });
            }
            None if environment == Environment::Production => {
                return Err(ConfigError {
                    variable: "APP_JWT_SECRET",
                    message: "required in production (at least 32 random bytes)".into(),
                });
            }
            None => dev_secret(&data_dir, "jwt-secret", "APP_JWT_SECRET")?.to_vec(),
        };
        let field_key = match var("APP_FIELD_ENCRYPTION_KEY") {
            Some(s) => decode_key("APP_FIELD_ENCRYPTION_KEY", &s)?,
            None if environment == Environment::Production => {
                return Err(ConfigError {
                    variable: "APP_FIELD_ENCRYPTION_KEY",
                    message: "required in production (base64 of 32 random bytes)".into(),
                });
            }
            None => dev_secret(
                &data_dir,
                "field-encryption-key",
                "APP_FIELD_ENCRYPTION_KEY",
            )?,
        };
        let signing_key = match var("APP_SIGNING_KEY") {
            Some(s) => decode_key("APP_SIGNING_KEY", &s)?,
            None if environment == Environment::Production => {
                return Err(ConfigError {
                    variable: "APP_SIGNING_KEY",
                    message: "required in production (base64 of a 32-byte Ed25519 seed)".into(),
                });
            }
            None => dev_secret(&data_dir, "signing-key", "APP_SIGNING_KEY")?,
        };
        let time_zone = match var("APP_TIME_ZONE") {
            None => chrono_tz::Asia::Shanghai,
            Some(v) => v.parse().map_err(|_| ConfigError {
                variable: "APP_TIME_ZONE",
                message: format!("unknown IANA time zone {v:?}"),
            })?,
        };
        let port: u16 = parsed(&var, "APP_PORT", 8080)?;
        let platform_issuer = var("APP_PLATFORM_ISSUER").map_or_else(
            || format!("http://localhost:{port}"),
            |v| v.trim().to_owned(),
        );
        if platform_issuer.chars().count() > 64
            || platform_issuer.contains('#')
            || platform_issuer.chars().any(char::is_whitespace)
        {
            return Err(ConfigError {
                variable: "APP_PLATFORM_ISSUER",
                message: "1–64 characters without spaces or '#'".into(),
            });
        }
        let admin_password = var("APP_ADMIN_PASSWORD");
        if let Some(p) = &admin_password
            && crate::auth::password::check_strength("APP_ADMIN_PASSWORD", p).is_err()
        {
            return Err(ConfigError {
                variable: "APP_ADMIN_PASSWORD",
                message: "8 to 128 characters from at least two of: lower case, upper case, \
                          digits, symbols (the rule of every account)"
                    .into(),
            });
        }
        Ok(Self {
            host: var("APP_HOST").unwrap_or_else(|| "127.0.0.1".into()),
            port,
            environment,
            data_dir,
            database_url,
            admin_password: admin_password.map(SecretString::from),
            jwt_secret: SecretBox::new(Box::new(jwt_secret)),
            field_key: SecretBox::new(Box::new(field_key)),
            signing_key: SecretBox::new(Box::new(signing_key)),
            access_token_minutes: ranged(&var, "APP_ACCESS_TOKEN_MINUTES", 15, 1, 24 * 60)?,
            refresh_token_days: ranged(&var, "APP_REFRESH_TOKEN_DAYS", 14, 1, 366)?,
            min_volunteer_age: ranged(&var, "APP_MIN_VOLUNTEER_AGE", 14, 0, 100)?,
            time_zone,
            login_max_per_account: ranged(&var, "APP_LOGIN_MAX_PER_ACCOUNT", 5, 1, u32::MAX)?,
            login_max_per_address: ranged(&var, "APP_LOGIN_MAX_PER_ADDRESS", 30, 1, u32::MAX)?,
            checkout_grace_minutes: ranged(
                &var,
                "APP_CHECKOUT_GRACE_MINUTES",
                120,
                0,
                7 * 24 * 60,
            )?,
            webhook_poll_ms: ranged(&var, "APP_WEBHOOK_POLL_MS", 1000, 10, 3_600_000)?,
            webhook_backoff_ms: ranged(&var, "APP_WEBHOOK_BACKOFF_MS", 10_000, 1, 86_400_000)?,
            webhook_max_attempts: ranged(&var, "APP_WEBHOOK_MAX_ATTEMPTS", 8, 1, 100)?,
            webhook_timeout_ms: ranged(&var, "APP_WEBHOOK_TIMEOUT_MS", 10_000, 100, 600_000)?,
            max_body_bytes: ranged(&var, "APP_MAX_BODY_BYTES", 256 * 1024, 1024, usize::MAX)?,
            max_upload_bytes: ranged(
                &var,
                "APP_MAX_UPLOAD_BYTES",
                20 * 1024 * 1024,
                1024,
                usize::MAX,
            )?,
            platform_issuer,
        })
    }

    /// Settings for tests: random secrets, the given database, port 0, defaults elsewhere.
    pub fn for_tests(database_url: String, data_dir: PathBuf) -> Self {
        let mut key = [0u8; 32];
        rand::rng().fill_bytes(&mut key);
        let mut jwt = vec![0u8; 32];
        rand::rng().fill_bytes(&mut jwt);
        let mut signing = [0u8; 32];
        rand::rng().fill_bytes(&mut signing);
        Self {
            host: "127.0.0.1".into(),
            port: 0,
            environment: Environment::Development,
            data_dir,
            database_url,
            admin_password: Some(SecretString::from("admin-password-for-tests")),
            jwt_secret: SecretBox::new(Box::new(jwt)),
            field_key: SecretBox::new(Box::new(key)),
            signing_key: SecretBox::new(Box::new(signing)),
            access_token_minutes: 15,
            refresh_token_days: 14,
            min_volunteer_age: 14,
            time_zone: chrono_tz::Asia::Shanghai,
            login_max_per_account: 5,
            login_max_per_address: 30,
            checkout_grace_minutes: 120,
            webhook_poll_ms: 1000,
            webhook_backoff_ms: 10_000,
            webhook_max_attempts: 8,
            webhook_timeout_ms: 10_000,
            max_body_bytes: 256 * 1024,
            max_upload_bytes: 20 * 1024 * 1024,
            platform_issuer: "https://volunteer.test".into(),
        }
    }

    /// Whether the database is SQLite.
    pub fn is_sqlite(&self) -> bool {
        self.database_url.starts_with("sqlite:")
    }

    /// The JWT secret bytes.
    pub fn jwt_secret(&self) -> &[u8] {
        self.jwt_secret.expose_secret()
    }
}

fn decode_key(variable: &'static str, s: &str) -> Result<[u8; 32], ConfigError> {
    let bytes = B64.decode(s.trim()).map_err(|e| ConfigError {
        variable,
        message: format!("not base64: {e}"),
    })?;
    bytes.try_into().map_err(|_| ConfigError {
        variable,
        message: "must decode to exactly 32 bytes".into(),
    })
}

/// Reads a development secret from `<data dir>/secrets/<name>`, creating it (32 random bytes,
/// base64) on first use, so that restarts keep tokens and encrypted data readable.
fn dev_secret(
    data_dir: &Path,
    name: &'static str,
    variable: &'static str,
) -> Result<[u8; 32], ConfigError> {
    let err = |message: String| ConfigError { variable, message };
    let dir = data_dir.join("secrets");
    let path = dir.join(name);
    if let Ok(text) = std::fs::read_to_string(&path) {
        let bytes = B64
            .decode(text.trim())
            .map_err(|e| err(format!("{} is not base64: {e}", path.display())))?;
        return bytes
            .try_into()
            .map_err(|_| err(format!("{} must hold 32 bytes", path.display())));
    }
    let mut folder = std::fs::DirBuilder::new();
    folder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut folder, 0o700);
    folder
        .create(&dir)
        .map_err(|e| err(format!("cannot create {}: {e}", dir.display())))?;
    let mut key = [0u8; 32];
    rand::rng().fill_bytes(&mut key);
    write_private(&path, B64.encode(key).as_bytes())
        .map_err(|e| err(format!("cannot write {}: {e}", path.display())))?;
    Ok(key)
}

/// Creates `path` (it must not exist yet) readable and writable by the owner only (mode 0600
/// on Unix), and writes `bytes` to it: development keys are secrets too.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(bytes)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn load(vars: &[(&'static str, &str)]) -> Result<Settings, ConfigError> {
        let map: HashMap<&'static str, String> =
            vars.iter().map(|(k, v)| (*k, (*v).to_owned())).collect();
        Settings::from_lookup(|name| map.get(name).cloned())
    }

    #[cfg(unix)]
    #[test]
    fn development_secrets_are_readable_by_their_owner_only_and_kept_across_starts() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = std::env::temp_dir().join(format!("yv-secret-{}", uuid::Uuid::now_v7()));
        let first = dev_secret(&dir, "jwt", "APP_JWT_SECRET").unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir.join("secrets").join("jwt")), 0o600);
        assert_eq!(mode(&dir.join("secrets")), 0o700);
        assert_eq!(dev_secret(&dir, "jwt", "APP_JWT_SECRET").unwrap(), first);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    const JWT: &str = "a-jwt-secret-of-at-least-32-bytes!!";

    #[test]
    fn production_refuses_to_start_without_each_secret_and_names_it() {
        let missing = |vars: &[(&'static str, &str)]| load(vars).err().map(|e| e.variable);
        let base = [
            ("APP_ENV", "production"),
            ("APP_DATABASE_URL", "postgres://x@localhost/db"),
        ];
        assert_eq!(missing(&base), Some("APP_JWT_SECRET"));
        assert_eq!(
            missing(&[base[0], base[1], ("APP_JWT_SECRET", JWT)]),
            Some("APP_FIELD_ENCRYPTION_KEY")
        );
        assert_eq!(
            missing(&[
                base[0],
                base[1],
                ("APP_JWT_SECRET", JWT),
                ("APP_FIELD_ENCRYPTION_KEY", KEY)
            ]),
            Some("APP_SIGNING_KEY")
        );
        let all = load(&[
            base[0],
            base[1],
            ("APP_JWT_SECRET", JWT),
            ("APP_FIELD_ENCRYPTION_KEY", KEY),
            ("APP_SIGNING_KEY", KEY),
        ]);
        assert!(all.is_ok_and(|s| s.environment == Environment::Production));
    }

    #[test]
    fn malformed_values_name_their_variable() {
        let variable = |vars: &[(&'static str, &str)]| load(vars).err().map(|e| e.variable);
        let dir = tempfile_dir();
        let data = dir.to_str().unwrap_or_default().to_owned();
        let with =
            |k: &'static str, v: &'static str| variable(&[("APP_DATA_DIR", data.as_str()), (k, v)]);
        assert_eq!(with("APP_PORT", "eighty"), Some("APP_PORT"));
        assert_eq!(with("APP_ENV", "staging"), Some("APP_ENV"));
        assert_eq!(with("APP_JWT_SECRET", "short"), Some("APP_JWT_SECRET"));
        assert_eq!(
            with("APP_FIELD_ENCRYPTION_KEY", "not base64!"),
            Some("APP_FIELD_ENCRYPTION_KEY")
        );
        assert_eq!(
            with("APP_FIELD_ENCRYPTION_KEY", "AAEC"),
            Some("APP_FIELD_ENCRYPTION_KEY")
        );
        assert_eq!(with("APP_TIME_ZONE", "Mars/Olympus"), Some("APP_TIME_ZONE"));
        assert_eq!(
            with("APP_PLATFORM_ISSUER", "https://a.example/#frag"),
            Some("APP_PLATFORM_ISSUER")
        );
        assert_eq!(
            with("APP_PLATFORM_ISSUER", "two words"),
            Some("APP_PLATFORM_ISSUER")
        );
        // Values that parse but would start a service that refuses everything.
        assert_eq!(
            with("APP_ACCESS_TOKEN_MINUTES", "-5"),
            Some("APP_ACCESS_TOKEN_MINUTES")
        );
        assert_eq!(with("APP_MAX_BODY_BYTES", "0"), Some("APP_MAX_BODY_BYTES"));
        assert_eq!(
            with("APP_LOGIN_MAX_PER_ACCOUNT", "0"),
            Some("APP_LOGIN_MAX_PER_ACCOUNT")
        );
        assert_eq!(
            with("APP_WEBHOOK_MAX_ATTEMPTS", "0"),
            Some("APP_WEBHOOK_MAX_ATTEMPTS")
        );
        // The first admin's password follows the rule of every account.
        assert_eq!(
            with("APP_ADMIN_PASSWORD", "123"),
            Some("APP_ADMIN_PASSWORD")
        );
        assert_eq!(with("APP_ADMIN_PASSWORD", "Strong-pass-1"), None);
        // The development issuer follows the port.
        let issuer = load(&[("APP_DATA_DIR", data.as_str()), ("APP_PORT", "18080")])
            .map(|s| s.platform_issuer)
            .ok();
        assert_eq!(issuer.as_deref(), Some("http://localhost:18080"));
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn development_generates_secrets_once_and_keeps_them() {
        let dir = tempfile_dir();
        let data = dir.to_str().unwrap_or_default().to_owned();
        let first = load(&[("APP_DATA_DIR", data.as_str())]).ok();
        let second = load(&[("APP_DATA_DIR", data.as_str())]).ok();
        let (Some(a), Some(b)) = (first, second) else {
            panic!("development settings should load");
        };
        assert_eq!(a.jwt_secret(), b.jwt_secret());
        assert_eq!(a.field_key.expose_secret(), b.field_key.expose_secret());
        assert_eq!(a.port, 8080);
        assert!(
            a.database_url.starts_with("sqlite://")
                && a.database_url.ends_with("volunteer.db?mode=rwc")
        );
        let _ = std::fs::remove_dir_all(dir);
    }

    fn tempfile_dir() -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("yv-config-test-{}", uuid::Uuid::now_v7()));
        let _ = std::fs::create_dir_all(&dir);
        dir
    }
}
