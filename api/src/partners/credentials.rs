//! Partner client credentials: the client id, the client secret and its stored digest.
//!
//! The secret is 32 bytes from the operating system's CSPRNG (256 bits), shown once at
//! registration or rotation and stored only as a digest: base64 of HMAC-SHA-256 under a fixed
//! domain-separation key. A slow password hash (Argon2) protects *low-entropy* secrets chosen
//! by people against guessing after a database leak; a uniformly random 256-bit secret cannot be
//! guessed, so a fast digest is just as safe here and keeps the token endpoint cheap (no 19 MiB
//! Argon2 run per token). The digest is compared in constant time (`Mac::verify_slice`), so the
//! comparison leaks nothing about how much of a guess was right. No server-side key is mixed in
//! on purpose: rotating `APP_JWT_SECRET` or the field key must not invalidate partner
//! credentials.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD as B64, URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac as _};
use rand::RngCore as _;
use sha2::Sha256;

/// Domain-separation key of the secret digest (not a secret).
const DIGEST_KEY: &[u8] = b"youth-volunteer/partner-client-secret/v1";

/// Prefix of client ids, so that they are recognisable in logs and configuration.
pub const CLIENT_ID_PREFIX: &str = "ptn_";

/// A new client id: `ptn_` + 24 lower-case hex characters (96 random bits).
pub fn new_client_id() -> String {
    let mut bytes = [0u8; 12];
    rand::rng().fill_bytes(&mut bytes);
    format!("{CLIENT_ID_PREFIX}{}", crate::crypto::hex(&bytes))
}

/// A new client secret: 32 random bytes, base64url without padding (43 characters).
pub fn new_client_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

fn mac() -> Hmac<Sha256> {
    <Hmac<Sha256> as hmac::Mac>::new_from_slice(DIGEST_KEY)
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"))
}

/// The stored digest of a secret: base64 of HMAC-SHA-256 (44 characters).
pub fn digest(secret: &str) -> String {
    let mut m = mac();
    m.update(secret.as_bytes());
    B64.encode(m.finalize().into_bytes())
}

/// Whether `secret` matches the stored digest, compared in constant time.
pub fn verify(secret: &str, stored: &str) -> bool {
    let Ok(expected) = B64.decode(stored) else {
        return false;
    };
    let mut m = mac();
    m.update(secret.as_bytes());
    m.verify_slice(&expected).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_verifies_against_its_digest_and_nothing_else_does() {
        let s = new_client_secret();
        assert_eq!(s.len(), 43);
        let d = digest(&s);
        assert!(verify(&s, &d));
        assert!(!verify(&new_client_secret(), &d));
        assert!(!verify(&s, "not base64!"));
        assert!(!verify(&s, ""));
    }

    #[test]
    fn client_ids_are_prefixed_and_random() {
        let a = new_client_id();
        assert!(a.starts_with(CLIENT_ID_PREFIX));
        assert_eq!(a.len(), 28);
        assert_ne!(a, new_client_id());
    }
}
