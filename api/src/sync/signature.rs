//! Webhook signatures per the Standard Webhooks specification (standardwebhooks.com, v1):
//!
//! ```text
//! webhook-id:        <delivery id, the same on every attempt: receivers deduplicate on it>
//! webhook-timestamp: <seconds since the Unix epoch of this attempt>
//! webhook-signature: v1,<base64 of HMAC-SHA256(key, "<webhook-id>.<webhook-timestamp>.<body>")>
//! ```
//!
//! The endpoint secret is shown once as `whsec_<base64 of 24 random bytes>`; the HMAC key is the
//! base64-decoded part after `whsec_`.
//!
//! ## Verifying on the receiver's side
//!
//! 1. Take the three headers and the raw body bytes (before any JSON parsing).
//! 2. Refuse a `webhook-timestamp` more than 5 minutes away from your clock (replay guard), and
//!    a `webhook-id` you have already processed (deduplication).
//! 3. Compute `base64(HMAC-SHA256(base64decode(secret without "whsec_"), id + "." + timestamp +
//!    "." + body))` and compare it in constant time with each space-separated `v1,<sig>` entry of
//!    `webhook-signature` (several entries appear while a secret is being rotated).
//!
//! In Rust, [`verify`] does exactly this; the official `standardwebhooks` libraries (Python,
//! JavaScript, Go, Java, …) accept these headers unchanged. In Python without a library:
//!
//! ```python
//! import base64, hashlib, hmac, time
//! def verify(secret: str, headers, body: bytes) -> bool:
//!     key = base64.b64decode(secret.removeprefix("whsec_"))
//!     msg_id, ts = headers["webhook-id"], headers["webhook-timestamp"]
//!     if abs(time.time() - int(ts)) > 300:
//!         return False
//!     mac = hmac.new(key, f"{msg_id}.{ts}.".encode() + body, hashlib.sha256).digest()
//!     expected = "v1," + base64.b64encode(mac).decode()
//!     return any(hmac.compare_digest(expected, s) for s in headers["webhook-signature"].split())
//! ```

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use hmac::{Hmac, Mac as _};
use rand::RngCore as _;
use sha2::Sha256;

/// Prefix of endpoint secrets.
pub const SECRET_PREFIX: &str = "whsec_";

/// Largest accepted clock difference of a `webhook-timestamp`, in seconds.
pub const TOLERANCE_SECONDS: i64 = 300;

/// A new endpoint secret: `whsec_` + base64 of 24 random bytes.
pub fn new_secret() -> String {
    let mut key = [0u8; 24];
    rand::rng().fill_bytes(&mut key);
    format!("{SECRET_PREFIX}{}", B64.encode(key))
}

fn key_of(secret: &str) -> Option<Vec<u8>> {
    B64.decode(secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret))
        .ok()
}

fn mac(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> Option<Hmac<Sha256>> {
    let mut mac = Hmac::<Sha256>::new_from_slice(&key_of(secret)?).ok()?;
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Some(mac)
}

/// The `webhook-signature` header value `v1,<base64>`; `None` when the secret is not
/// `whsec_<base64>`.
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> Option<String> {
    let tag = mac(secret, id, timestamp, body)?.finalize().into_bytes();
    Some(format!("v1,{}", B64.encode(tag)))
}

/// Why a received webhook was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The timestamp is more than [`TOLERANCE_SECONDS`] away from `now`.
    #[error("timestamp outside the tolerance")]
    Timestamp,
    /// No `v1` signature matches.
    #[error("no matching signature")]
    Signature,
}

/// Receiver-side check of a webhook: timestamp within [`TOLERANCE_SECONDS`] of `now` (Unix
/// seconds) and one `v1,` entry of `signature_header` matching, compared in constant time.
///
/// # Errors
/// [`VerifyError`].
pub fn verify(
    secret: &str,
    id: &str,
    timestamp: i64,
    signature_header: &str,
    body: &[u8],
    now: i64,
) -> Result<(), VerifyError> {
    // `abs_diff`: a hostile header (`-9223372036854775808`) must not overflow the subtraction.
    if now.abs_diff(timestamp) > TOLERANCE_SECONDS.unsigned_abs() {
        return Err(VerifyError::Timestamp);
    }
    for entry in signature_header.split_whitespace() {
        let Some(sig) = entry.strip_prefix("v1,").and_then(|s| B64.decode(s).ok()) else {
            continue;
        };
        if let Some(m) = mac(secret, id, timestamp, body)
            && m.verify_slice(&sig).is_ok()
        {
            return Ok(());
        }
    }
    Err(VerifyError::Signature)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests may panic")]
mod tests {
    use super::*;

    /// Extreme timestamps from a hostile sender are refused, not an arithmetic overflow.
    #[test]
    fn extreme_timestamps_are_refused_without_overflow() {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        for ts in [i64::MIN, i64::MAX, -1] {
            let sig = sign(secret, "msg", ts, b"{}").unwrap();
            assert_eq!(
                verify(secret, "msg", ts, &sig, b"{}", 1_614_265_330),
                Err(VerifyError::Timestamp)
            );
        }
    }

    /// The example of the Standard Webhooks reference implementations.
    #[test]
    fn matches_the_specification_example() {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
        let ts = 1_614_265_330;
        let body = br#"{"test": 2432232314}"#;
        assert_eq!(
            sign(secret, id, ts, body).unwrap(),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
        assert_eq!(
            verify(
                secret,
                id,
                ts,
                &sign(secret, id, ts, body).unwrap(),
                body,
                ts + 10
            ),
            Ok(())
        );
        assert_eq!(
            verify(
                secret,
                id,
                ts,
                "v1,AAAA v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
                body,
                ts
            ),
            Ok(())
        );
        assert_eq!(
            verify(
                secret,
                id,
                ts,
                &sign(secret, id, ts, body).unwrap(),
                b"{}",
                ts
            ),
            Err(VerifyError::Signature)
        );
        assert_eq!(
            verify(
                secret,
                id,
                ts,
                &sign(secret, id, ts, body).unwrap(),
                body,
                ts + 301
            ),
            Err(VerifyError::Timestamp)
        );
    }

    #[test]
    fn new_secrets_are_prefixed_base64_of_24_bytes() {
        let s = new_secret();
        assert!(s.starts_with(SECRET_PREFIX));
        assert_eq!(key_of(&s).unwrap().len(), 24);
        assert_ne!(s, new_secret());
    }
}
