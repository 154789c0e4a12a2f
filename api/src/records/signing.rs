//! The platform signing key (Ed25519, RFC 8032) used for certificates and, later, signed records
//! for mutual recognition (DESIGN.md §3 "Partner platforms"). The public key is published as a
//! JWKS (RFC 7517, OKP keys per RFC 8037) at `/.well-known/jwks.json`.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use sha2::{Digest as _, Sha256};

use crate::crypto::hex;

/// The platform's signing key. Cloning copies the key inside the process only; `Debug` never
/// prints it.
#[derive(Clone)]
pub struct PlatformSigner {
    key: SigningKey,
    key_id: String,
}

impl std::fmt::Debug for PlatformSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PlatformSigner(kid={})", self.key_id)
    }
}

/// Key id of a public key: the first 16 hex characters of SHA-256 over its 32 raw bytes.
pub fn key_id(public: &VerifyingKey) -> String {
    let digest = hex(&Sha256::digest(public.as_bytes()));
    digest.chars().take(16).collect()
}

impl PlatformSigner {
    /// The key from its 32-byte seed (`APP_SIGNING_KEY`).
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        let key = SigningKey::from_bytes(seed);
        let key_id = key_id(&key.verifying_key());
        Self { key, key_id }
    }

    /// The key id published in the JWKS and stored with every signature.
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// The public key.
    pub fn public_key(&self) -> VerifyingKey {
        self.key.verifying_key()
    }

    /// base64url (no padding) of the 32-byte public key: the JWK `x` member.
    pub fn public_key_b64url(&self) -> String {
        B64URL.encode(self.public_key().as_bytes())
    }

    /// Signs `message`; returns the 64-byte signature as base64url without padding.
    pub fn sign_b64url(&self, message: &[u8]) -> String {
        B64URL.encode(self.key.sign(message).to_bytes())
    }

    /// The key as a `jsonwebtoken` EdDSA signing key (PKCS#8 DER, RFC 8410), for compact JWS
    /// documents (mutual recognition) signed with this same platform key.
    ///
    /// # Errors
    /// Only if PKCS#8 encoding of a valid key fails (never in practice).
    pub fn jws_encoding_key(
        &self,
    ) -> Result<jsonwebtoken::EncodingKey, ed25519_dalek::pkcs8::Error> {
        use ed25519_dalek::pkcs8::EncodePrivateKey as _;
        let der = self.key.to_pkcs8_der()?;
        Ok(jsonwebtoken::EncodingKey::from_ed_der(der.as_bytes()))
    }

    /// Whether `signature` (base64url) is this key's valid signature over `message` (strict
    /// verification: no malleable signatures, no small-order keys).
    pub fn verify_b64url(&self, message: &[u8], signature: &str) -> bool {
        let Ok(bytes) = B64URL.decode(signature.trim()) else {
            return false;
        };
        let Ok(bytes) = <[u8; 64]>::try_from(bytes.as_slice()) else {
            return false;
        };
        let sig = Signature::from_bytes(&bytes);
        self.public_key().verify_strict(message, &sig).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_verify_and_tampering_is_detected() {
        let s = PlatformSigner::from_seed(&[9u8; 32]);
        let sig = s.sign_b64url(b"payload");
        assert!(s.verify_b64url(b"payload", &sig));
        assert!(!s.verify_b64url(b"payload!", &sig));
        assert!(!s.verify_b64url(b"payload", "not-base64"));
        let other = PlatformSigner::from_seed(&[8u8; 32]);
        assert!(!other.verify_b64url(b"payload", &sig));
    }

    #[test]
    fn key_id_is_16_hex_characters_and_stable() {
        let s = PlatformSigner::from_seed(&[9u8; 32]);
        assert_eq!(s.key_id().len(), 16);
        assert!(s.key_id().chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(s.key_id(), PlatformSigner::from_seed(&[9u8; 32]).key_id());
    }

    #[test]
    fn rfc8032_test_vector_1_public_key() {
        // RFC 8032 §7.1, TEST 1: secret key 9d61b19d…7f60 → public key d75a9801…511a.
        let seed: [u8; 32] = [
            0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a, 0xf4, 0x92, 0xec,
            0x2c, 0xc4, 0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32, 0x69, 0x19, 0x70, 0x3b, 0xac, 0x03,
            0x1c, 0xae, 0x7f, 0x60,
        ];
        let s = PlatformSigner::from_seed(&seed);
        assert_eq!(
            hex(s.public_key().as_bytes()),
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
        );
    }
}
