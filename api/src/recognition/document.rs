//! The signed-document format of mutual recognition (互认), version 1.
//!
//! A document is a compact JWS (RFC 7515) signed with Ed25519 (RFC 8037, `alg` `EdDSA`):
//!
//! - header: `{"alg":"EdDSA","typ":"yv-record+jws"|"yv-certificate+jws","kid":"<key id>"}`; the
//!   key is the issuing platform's key with that `kid` (this platform's own key is published at
//!   `/.well-known/jwks.json`, other platforms' keys are registered by a platform admin);
//! - payload ([`DocumentClaims`]): `iss` (the issuing platform's issuer id, `APP_PLATFORM_ISSUER`
//!   here), `jti` (document id), `iat` (Unix seconds), `kind` and either `record`
//!   ([`RecordClaims`]) or `certificate` ([`CertificateClaims`]).
//!
//! Personal data is masked, and both platforms must mask the same way: the real name keeps its
//! first character and every other character becomes `*` (`王小明` → `王**`); an ID number of
//! more than 8 characters keeps its first and last four (`1101**********002X`), a shorter one
//! (passports) only its last two (`******67`). The clear ID number never leaves the platform.
//! Matching the person on the receiving platform therefore does not rely on the ID number: a
//! plain hash of an 18-character ID number is brute-forced in minutes (its entropy is a region
//! code, a birth date and a 3-digit sequence), and no key is shared between platforms for a
//! keyed hash. The importing admin names the local volunteer instead, and the import checks that
//! the masked name and masked ID number computed from that volunteer's clear data equal the ones
//! in the document (see [`super::service::import`]).
//!
//! Only `EdDSA` is accepted: `none`, `HS*` and every other algorithm are refused before any key
//! is looked up, so a public key can never be misused as an HMAC secret.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use entity::recognition::SignedDocumentKind;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `typ` of a service-record document.
pub const TYP_RECORD: &str = "yv-record+jws";
/// `typ` of a certificate document.
pub const TYP_CERTIFICATE: &str = "yv-certificate+jws";
/// The only accepted algorithm (Ed25519, RFC 8037).
pub const ALG: &str = "EdDSA";
/// Longest accepted compact document, in bytes.
pub const MAX_DOCUMENT_BYTES: usize = 64 * 1024;
/// Longest issuer id (the ledger's external id `<issuer>#<record id>` holds 128 characters).
pub const MAX_ISSUER_CHARS: usize = 64;
/// Longest record id of another platform.
pub const MAX_RECORD_ID_CHARS: usize = 63;

/// One service record as carried in a signed document (民政部《志愿服务记录与证明出具办法（试行）》
/// 2020, Art. 7 fields, masked identity).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RecordClaims {
    /// Record id on the issuing platform (1–63 characters).
    pub id: String,
    /// Public volunteer number (志愿者编号) on the issuing platform.
    pub volunteer_number: String,
    /// Masked real name, e.g. `张*`.
    pub masked_name: String,
    /// Masked ID number, e.g. `1101**********002X`.
    pub masked_id_number: String,
    /// Organizing organization's id on the issuing platform.
    pub organization_id: String,
    /// Its name.
    pub organization_name: String,
    /// Activity name.
    pub activity_name: String,
    /// Service category.
    pub service_category: String,
    /// Place of service.
    pub place: String,
    /// Content of the service.
    pub content: String,
    /// Start of service, RFC 3339 UTC.
    pub started_at: String,
    /// End of service, RFC 3339 UTC.
    pub ended_at: String,
    /// Credited minutes on the issuing platform.
    pub minutes: i32,
    /// Ledger status when signed (`approved`).
    pub status: String,
    /// When it was approved, RFC 3339 UTC.
    pub approved_at: Option<String>,
}

/// A certificate of service records (志愿服务记录证明, Arts. 14–17) as carried in a signed
/// document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CertificateClaims {
    /// Serial, e.g. `ZYZM-2026-00000001`.
    pub serial: String,
    /// Public volunteer number.
    pub volunteer_number: String,
    /// Masked real name.
    pub masked_name: String,
    /// Masked ID number.
    pub masked_id_number: String,
    /// Issuing organization's id.
    pub issuing_organization_id: String,
    /// Its name.
    pub issuing_organization_name: String,
    /// Issue instant, RFC 3339 UTC.
    pub issued_at: String,
    /// Total credited minutes.
    pub total_minutes: i64,
    /// Certificate status when signed (`valid`).
    pub status: String,
    /// The covered records.
    pub records: Vec<RecordClaims>,
}

/// The payload of a signed document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DocumentClaims {
    /// Issuer id of the signing platform.
    pub iss: String,
    /// Document id.
    pub jti: String,
    /// Signing instant, Unix seconds.
    pub iat: i64,
    /// What the document carries.
    pub kind: SignedDocumentKind,
    /// The record (kind `service_record`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<RecordClaims>,
    /// The certificate (kind `certificate`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<CertificateClaims>,
}

impl DocumentClaims {
    /// Whether the body matches `kind` and `typ` (exactly one of `record` / `certificate`).
    pub fn is_consistent(&self, typ: &str) -> bool {
        match self.kind {
            SignedDocumentKind::ServiceRecord => {
                typ == TYP_RECORD && self.record.is_some() && self.certificate.is_none()
            }
            SignedDocumentKind::Certificate => {
                typ == TYP_CERTIFICATE && self.certificate.is_some() && self.record.is_none()
            }
        }
    }
}

/// The `typ` header of a document kind.
pub fn typ_of(kind: SignedDocumentKind) -> &'static str {
    match kind {
        SignedDocumentKind::ServiceRecord => TYP_RECORD,
        SignedDocumentKind::Certificate => TYP_CERTIFICATE,
    }
}

/// Why a document does not verify. Stable snake_case codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// Not a compact JWS of this format (parts, base64url, JSON, missing `kid` / `iss`, body not
    /// matching `typ`, over 64 KiB).
    Malformed,
    /// `alg` is not `EdDSA` (`none`, `HS256`, `RS256` …).
    UnsupportedAlgorithm,
    /// `typ` is neither `yv-record+jws` nor `yv-certificate+jws`.
    UnsupportedType,
    /// `iss` is neither this platform nor a registered platform.
    UnknownIssuer,
    /// The issuing platform is registered but suspended.
    IssuerSuspended,
    /// No key with this `kid` for the issuer.
    UnknownKey,
    /// The key with this `kid` was revoked.
    RevokedKey,
    /// The signature does not verify (altered header or payload, or another key).
    BadSignature,
    /// This platform's record no longer exists.
    UnknownRecord,
    /// This platform's record is not approved (pending or rejected).
    RecordNotApproved,
    /// This platform's record was voided after signing.
    RecordVoided,
    /// This platform's record was superseded by a correction after signing.
    RecordSuperseded,
    /// This platform's certificate no longer exists.
    UnknownCertificate,
    /// This platform's certificate was revoked.
    CertificateRevoked,
    /// This platform's certificate was superseded (a covered record changed).
    CertificateSuperseded,
}

impl Reason {
    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Malformed => "malformed",
            Self::UnsupportedAlgorithm => "unsupported_algorithm",
            Self::UnsupportedType => "unsupported_type",
            Self::UnknownIssuer => "unknown_issuer",
            Self::IssuerSuspended => "issuer_suspended",
            Self::UnknownKey => "unknown_key",
            Self::RevokedKey => "revoked_key",
            Self::BadSignature => "bad_signature",
            Self::UnknownRecord => "unknown_record",
            Self::RecordNotApproved => "record_not_approved",
            Self::RecordVoided => "record_voided",
            Self::RecordSuperseded => "record_superseded",
            Self::UnknownCertificate => "unknown_certificate",
            Self::CertificateRevoked => "certificate_revoked",
            Self::CertificateSuperseded => "certificate_superseded",
        }
    }
}

/// What can be read from a document before its signature is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unverified {
    /// `typ` header.
    pub typ: String,
    /// `kid` header.
    pub kid: String,
    /// `iss` claim.
    pub iss: String,
}

fn json_part(part: &str) -> Option<serde_json::Map<String, serde_json::Value>> {
    let bytes = B64URL.decode(part).ok()?;
    match serde_json::from_slice(&bytes).ok()? {
        serde_json::Value::Object(m) => Some(m),
        _ => None,
    }
}

fn text_member<'a>(
    m: &'a serde_json::Map<String, serde_json::Value>,
    name: &str,
    max: usize,
) -> Option<&'a str> {
    m.get(name)
        .and_then(serde_json::Value::as_str)
        .filter(|s| !s.is_empty() && s.chars().count() <= max)
}

/// Reads the header and the issuer of a compact document without trusting them: the structure
/// (three base64url parts, JSON objects), `alg` (only `EdDSA`), `typ`, `kid` and `iss`. The
/// signature is checked afterwards with the key these name.
///
/// # Errors
/// The [`Reason`] the document is refused for.
pub fn read_unverified(document: &str) -> Result<Unverified, Reason> {
    if document.len() > MAX_DOCUMENT_BYTES {
        return Err(Reason::Malformed);
    }
    let parts: Vec<&str> = document.split('.').collect();
    // An empty signature (`alg: none` forgeries) is judged by its algorithm first.
    let [header, payload, _signature] = parts.as_slice() else {
        return Err(Reason::Malformed);
    };
    if header.is_empty() || payload.is_empty() {
        return Err(Reason::Malformed);
    }
    let header = json_part(header).ok_or(Reason::Malformed)?;
    let alg = header
        .get("alg")
        .and_then(serde_json::Value::as_str)
        .ok_or(Reason::Malformed)?;
    if alg != ALG {
        return Err(Reason::UnsupportedAlgorithm);
    }
    let typ = header
        .get("typ")
        .and_then(serde_json::Value::as_str)
        .ok_or(Reason::UnsupportedType)?;
    if typ != TYP_RECORD && typ != TYP_CERTIFICATE {
        return Err(Reason::UnsupportedType);
    }
    let kid = text_member(&header, "kid", 64).ok_or(Reason::Malformed)?;
    let claims = json_part(payload).ok_or(Reason::Malformed)?;
    let iss = text_member(&claims, "iss", MAX_ISSUER_CHARS).ok_or(Reason::Malformed)?;
    Ok(Unverified {
        typ: typ.to_owned(),
        kid: kid.to_owned(),
        iss: iss.to_owned(),
    })
}

/// Checks the signature of `document` with the Ed25519 public key `x` (base64url, 32 bytes)
/// through `jsonwebtoken` (algorithm pinned to `EdDSA`, issuer pinned to `iss`, no expiry: a
/// record stays true) and returns the claims.
///
/// # Errors
/// [`Reason::BadSignature`] when the signature does not verify; [`Reason::Malformed`] when the
/// key or the claims do not parse or the body does not match `typ`.
pub fn verify_signature(
    document: &str,
    x: &str,
    iss: &str,
    typ: &str,
) -> Result<DocumentClaims, Reason> {
    // jsonwebtoken's EdDSA verifier slices the first 32 bytes of the key: never hand it less.
    if B64URL.decode(x).map(|k| k.len()).ok() != Some(32) {
        return Err(Reason::UnknownKey);
    }
    let key = jsonwebtoken::DecodingKey::from_ed_components(x).map_err(|_| Reason::UnknownKey)?;
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::EdDSA);
    validation.required_spec_claims = ["iss".to_owned()].into_iter().collect();
    validation.validate_exp = false;
    validation.validate_aud = false;
    validation.set_issuer(&[iss]);
    let data =
        jsonwebtoken::decode::<DocumentClaims>(document, &key, &validation).map_err(|e| match e
            .kind()
        {
            jsonwebtoken::errors::ErrorKind::InvalidSignature => Reason::BadSignature,
            _ => Reason::Malformed,
        })?;
    if !data.claims.is_consistent(typ) {
        return Err(Reason::Malformed);
    }
    Ok(data.claims)
}

/// Signs `claims` as a compact JWS with `key` (EdDSA) under `kid`.
///
/// # Errors
/// Serialization or signing failures (not expected with a valid key).
pub fn sign(
    claims: &DocumentClaims,
    key: &jsonwebtoken::EncodingKey,
    kid: &str,
) -> Result<String, jsonwebtoken::errors::Error> {
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::EdDSA);
    header.typ = Some(typ_of(claims.kind).to_owned());
    header.kid = Some(kid.to_owned());
    jsonwebtoken::encode(&header, claims, key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(v: &serde_json::Value) -> String {
        B64URL.encode(v.to_string())
    }

    fn doc(header: &serde_json::Value, payload: &serde_json::Value) -> String {
        format!("{}.{}.c2ln", b64(header), b64(payload))
    }

    #[test]
    fn structure_algorithm_type_kid_and_issuer_are_read_before_any_key() {
        let p = serde_json::json!({"iss": "https://a.example"});
        let h = |alg: &str| serde_json::json!({"alg": alg, "typ": TYP_RECORD, "kid": "k1"});
        assert_eq!(
            read_unverified(&doc(&h("EdDSA"), &p)),
            Ok(Unverified {
                typ: TYP_RECORD.into(),
                kid: "k1".into(),
                iss: "https://a.example".into()
            })
        );
        for alg in ["none", "HS256", "RS256", "ES256"] {
            assert_eq!(
                read_unverified(&doc(&h(alg), &p)),
                Err(Reason::UnsupportedAlgorithm),
                "{alg}"
            );
        }
        let other_typ = serde_json::json!({"alg": "EdDSA", "typ": "JWT", "kid": "k1"});
        assert_eq!(
            read_unverified(&doc(&other_typ, &p)),
            Err(Reason::UnsupportedType)
        );
        let no_kid = serde_json::json!({"alg": "EdDSA", "typ": TYP_RECORD});
        assert_eq!(read_unverified(&doc(&no_kid, &p)), Err(Reason::Malformed));
        let no_iss = serde_json::json!({"sub": "x"});
        assert_eq!(
            read_unverified(&doc(&h("EdDSA"), &no_iss)),
            Err(Reason::Malformed)
        );
        for garbage in [
            "",
            "a.b",
            "a.b.c.d",
            "..",
            "!!.??.##",
            "e30.e30.",
            "WzFd.WzFd.c2ln",
        ] {
            assert_eq!(
                read_unverified(garbage),
                Err(Reason::Malformed),
                "{garbage}"
            );
        }
        assert_eq!(
            read_unverified(&"a".repeat(MAX_DOCUMENT_BYTES + 1)),
            Err(Reason::Malformed)
        );
    }

    #[test]
    fn signed_documents_round_trip_and_tampering_is_detected() {
        let signer = crate::records::signing::PlatformSigner::from_seed(&[7u8; 32]);
        let key = signer.jws_encoding_key().expect("key");
        let claims = DocumentClaims {
            iss: "https://a.example".into(),
            jti: "d1".into(),
            iat: 1_700_000_000,
            kind: SignedDocumentKind::Certificate,
            record: None,
            certificate: Some(CertificateClaims {
                serial: "ZYZM-2026-00000001".into(),
                volunteer_number: "V1".into(),
                masked_name: "张*".into(),
                masked_id_number: "1101**********002X".into(),
                issuing_organization_id: "o".into(),
                issuing_organization_name: "团市委".into(),
                issued_at: "2026-01-01T00:00:00Z".into(),
                total_minutes: 60,
                status: "valid".into(),
                records: vec![],
            }),
        };
        let token = sign(&claims, &key, signer.key_id()).expect("sign");
        let x = signer.public_key_b64url();
        let u = read_unverified(&token).expect("readable");
        assert_eq!(u.kid, signer.key_id());
        assert_eq!(
            verify_signature(&token, &x, &u.iss, &u.typ),
            Ok(claims.clone())
        );
        // Another issuer pinned, another type, another key.
        assert_eq!(
            verify_signature(&token, &x, "https://b.example", &u.typ),
            Err(Reason::Malformed)
        );
        assert_eq!(
            verify_signature(&token, &x, &u.iss, TYP_RECORD),
            Err(Reason::Malformed)
        );
        let other = crate::records::signing::PlatformSigner::from_seed(&[8u8; 32]);
        assert_eq!(
            verify_signature(&token, &other.public_key_b64url(), &u.iss, &u.typ),
            Err(Reason::BadSignature)
        );
        assert_eq!(
            verify_signature(&token, "c2hvcnQ", &u.iss, &u.typ),
            Err(Reason::UnknownKey)
        );
    }
}
