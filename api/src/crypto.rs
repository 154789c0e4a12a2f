//! Field encryption for personal data at rest: AES-256-GCM for ID numbers, HMAC-SHA-256 for the
//! keyed hash that enforces "one volunteer per ID number" without storing the number in clear.
//! Both keys are derived with HKDF-SHA-256 from the one configured field key.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use hmac::{Hmac, Mac};
use rand::RngCore as _;
use sha2::Sha256;

/// Keys for personal fields. Cloning shares nothing secret outside the process.
#[derive(Clone)]
pub struct FieldCrypto {
    cipher: Aes256Gcm,
    lookup_key: [u8; 32],
}

impl std::fmt::Debug for FieldCrypto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FieldCrypto(..)")
    }
}

/// Decryption failed: wrong key or tampered ciphertext.
#[derive(Debug, thiserror::Error)]
#[error("cannot decrypt field")]
pub struct DecryptError;

impl FieldCrypto {
    /// Derives the encryption and lookup keys from the 32-byte master field key.
    pub fn new(master: &[u8; 32]) -> Self {
        let hk = hkdf::Hkdf::<Sha256>::new(Some(b"youth-volunteer/field-keys/v1"), master);
        let mut enc = [0u8; 32];
        let mut lookup = [0u8; 32];
        // HKDF-SHA-256 can expand up to 8160 bytes; 32 never fails.
        let _ = hk.expand(b"id-number-encryption", &mut enc);
        let _ = hk.expand(b"id-number-lookup", &mut lookup);
        Self {
            cipher: Aes256Gcm::new(&enc.into()),
            lookup_key: lookup,
        }
    }

    /// Encrypts `plain` with a fresh 96-bit nonce; returns base64 of nonce ‖ ciphertext ‖ tag.
    pub fn encrypt(&self, plain: &str) -> String {
        let mut nonce = [0u8; 12];
        rand::rng().fill_bytes(&mut nonce);
        let mut out = nonce.to_vec();
        // Encryption with a valid key and a 96-bit nonce cannot fail for short inputs.
        if let Ok(ct) = self
            .cipher
            .encrypt(Nonce::from_slice(&nonce), plain.as_bytes())
        {
            out.extend(ct);
        }
        B64.encode(out)
    }

    /// Decrypts a value made by [`FieldCrypto::encrypt`].
    ///
    /// # Errors
    /// [`DecryptError`] when the value is not base64, too short, or fails authentication.
    pub fn decrypt(&self, stored: &str) -> Result<String, DecryptError> {
        let bytes = B64.decode(stored).map_err(|_| DecryptError)?;
        if bytes.len() < 12 {
            return Err(DecryptError);
        }
        let (nonce, ct) = bytes.split_at(12);
        let plain = self
            .cipher
            .decrypt(Nonce::from_slice(nonce), ct)
            .map_err(|_| DecryptError)?;
        String::from_utf8(plain).map_err(|_| DecryptError)
    }

    /// Keyed hash (hex HMAC-SHA-256) of `domain:value`, for uniqueness and look-ups.
    pub fn lookup_hash(&self, domain: &str, value: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.lookup_key)
            .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
        mac.update(domain.as_bytes());
        mac.update(b":");
        mac.update(value.as_bytes());
        hex(&mac.finalize().into_bytes())
    }
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// Hex SHA-256 of a token (refresh tokens are stored only hashed).
pub fn sha256_hex(value: &str) -> String {
    use sha2::Digest as _;
    hex(&Sha256::digest(value.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encrypt_then_decrypt_round_trips_and_nonces_differ() {
        let c = FieldCrypto::new(&[7u8; 32]);
        let a = c.encrypt("11010519491231002X");
        let b = c.encrypt("11010519491231002X");
        assert_ne!(a, b);
        assert_eq!(c.decrypt(&a).ok().as_deref(), Some("11010519491231002X"));
    }

    #[test]
    fn another_key_cannot_decrypt_and_hashes_differ() {
        let a = FieldCrypto::new(&[1u8; 32]);
        let b = FieldCrypto::new(&[2u8; 32]);
        assert!(b.decrypt(&a.encrypt("x")).is_err());
        assert_ne!(a.lookup_hash("id", "x"), b.lookup_hash("id", "x"));
        assert_eq!(a.lookup_hash("id", "x"), a.lookup_hash("id", "x"));
    }
}
