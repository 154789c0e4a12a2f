//! Request and response bodies of mutual recognition.

use chrono::{DateTime, Utc};
use entity::recognition::{
    PlatformKeyStatus, RecognizedPlatformStatus, SignedDocumentKind, recognized_platform,
    recognized_platform_key, recognized_record, signed_document,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::document::{DocumentClaims, Reason, typ_of};

// ---------------------------------------------------------------------------
// Signed documents (export)
// ---------------------------------------------------------------------------

/// An exported signed document.
#[derive(Debug, Serialize, ToSchema)]
pub struct SignedDocumentOut {
    /// Document id (the `jti`).
    pub id: Uuid,
    /// Record or certificate.
    pub kind: SignedDocumentKind,
    /// The exported record.
    pub service_record_id: Option<Uuid>,
    /// The exported certificate.
    pub certificate_id: Option<Uuid>,
    /// The compact JWS: hand it to the receiving platform as is.
    pub document: String,
    /// `typ` header: `yv-record+jws` or `yv-certificate+jws`.
    pub typ: String,
    /// `iss` claim: this platform's issuer id.
    pub issuer: String,
    /// `kid` header: the platform key in `/.well-known/jwks.json`.
    pub key_id: String,
    /// Lowercase hex SHA-256 of `document`.
    pub document_hash: String,
    /// Signing instant (RFC 3339, UTC).
    pub created_at: DateTime<Utc>,
}

impl SignedDocumentOut {
    /// The response for a stored document; `issuer` is read from the document itself (the
    /// setting may have changed since), `default_issuer` only if it cannot be read.
    pub fn new(m: signed_document::Model, default_issuer: &str) -> Self {
        let issuer = super::document::read_unverified(&m.document)
            .map_or_else(|_| default_issuer.to_owned(), |u| u.iss);
        Self {
            id: m.id,
            kind: m.kind,
            service_record_id: m.service_record_id,
            certificate_id: m.certificate_id,
            typ: typ_of(m.kind).to_owned(),
            document: m.document,
            issuer,
            key_id: m.key_id,
            document_hash: m.document_hash,
            created_at: m.created_at,
        }
    }
}

// ---------------------------------------------------------------------------
// Verification
// ---------------------------------------------------------------------------

/// A document to verify.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyIn {
    /// The compact JWS (`header.payload.signature`), at most 64 KiB.
    pub document: String,
}

/// The verdict on a document. Always 200: an invalid document is a normal answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct VerifyDocumentOut {
    /// Whether the signature verifies against a known active key of the issuer and, for this
    /// platform's own documents, the record is still approved / the certificate still valid.
    pub valid: bool,
    /// Why not (absent when valid).
    pub reason: Option<Reason>,
    /// `iss` as read from the document (absent when unreadable).
    pub issuer: Option<String>,
    /// Name of the issuing platform when known (this platform: `null`).
    pub issuer_name: Option<String>,
    /// Whether the issuer is this platform.
    pub own_document: bool,
    /// `kid` as read from the document.
    pub key_id: Option<String>,
    /// `typ` as read from the document.
    pub typ: Option<String>,
    /// The verified payload (only when valid).
    pub payload: Option<DocumentClaims>,
}

// ---------------------------------------------------------------------------
// Recognised platforms and keys
// ---------------------------------------------------------------------------

/// An Ed25519 public key as a JWK (RFC 7517 / RFC 8037). Private members (`d`) are refused.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JwkIn {
    /// Key type: `OKP`.
    #[schema(example = "OKP")]
    pub kty: String,
    /// Curve: `Ed25519`.
    #[schema(example = "Ed25519")]
    pub crv: String,
    /// base64url (no padding) of the 32-byte public key.
    pub x: String,
    /// Key id, 1–64 characters of `A–Z a–z 0–9 . _ : -`.
    pub kid: String,
    /// Algorithm, `EdDSA` when given.
    pub alg: Option<String>,
    /// Use, `sig` when given.
    #[serde(rename = "use")]
    pub use_: Option<String>,
    /// Private key: never accepted (422 `private_key_given`).
    pub d: Option<String>,
}

/// Registration of another platform whose signed documents this platform recognises.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecognizedPlatformIn {
    /// Issuer id (`iss`) it signs with: 1–64 characters, no spaces, no `#`; not this
    /// platform's own.
    #[schema(example = "https://zyz.example-province.cn")]
    pub issuer: String,
    /// Display name, 1–200 characters.
    #[schema(example = "某省青年志愿服务平台")]
    pub name: String,
    /// The same platform in the partner registry (`/partners`), if it is also a sync
    /// partner; must exist (422 `partner_platform_not_found`).
    pub partner_platform_id: Option<Uuid>,
    /// Its public keys, 1–10.
    pub keys: Vec<JwkIn>,
}

/// Changes to a recognised platform; `version` must match (412 otherwise).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecognizedPlatformPatch {
    /// The version read.
    pub version: i32,
    /// New display name.
    pub name: Option<String>,
    /// `active` or `suspended` (suspended: its documents are refused with `issuer_suspended`).
    pub status: Option<RecognizedPlatformStatus>,
    /// New partner registry link (must exist).
    pub partner_platform_id: Option<Uuid>,
}

/// Filter of the recognised-platform list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PlatformFilter {
    /// Only this status.
    pub status: Option<RecognizedPlatformStatus>,
}

/// A public key of a recognised platform.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlatformKeyOut {
    /// Key id.
    pub kid: String,
    /// `OKP`.
    pub kty: String,
    /// `Ed25519`.
    pub crv: String,
    /// `EdDSA`.
    pub alg: String,
    /// base64url public key.
    pub x: String,
    /// Active or revoked.
    pub status: PlatformKeyStatus,
    /// Registered (RFC 3339, UTC).
    pub created_at: DateTime<Utc>,
    /// Revoked (RFC 3339, UTC).
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<recognized_platform_key::Model> for PlatformKeyOut {
    fn from(m: recognized_platform_key::Model) -> Self {
        Self {
            kid: m.kid,
            kty: "OKP".into(),
            crv: "Ed25519".into(),
            alg: "EdDSA".into(),
            x: m.x,
            status: m.status,
            created_at: m.created_at,
            revoked_at: m.revoked_at,
        }
    }
}

/// A recognised platform with its keys.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecognizedPlatformOut {
    /// Id.
    pub id: Uuid,
    /// Issuer id.
    pub issuer: String,
    /// Display name.
    pub name: String,
    /// Active or suspended.
    pub status: RecognizedPlatformStatus,
    /// Partner registry link.
    pub partner_platform_id: Option<Uuid>,
    /// Its keys, oldest first (revoked ones included).
    pub keys: Vec<PlatformKeyOut>,
    /// Optimistic concurrency version.
    pub version: i32,
    /// Registered (RFC 3339, UTC).
    pub created_at: DateTime<Utc>,
    /// Last change (RFC 3339, UTC).
    pub updated_at: DateTime<Utc>,
}

impl RecognizedPlatformOut {
    /// The response from a platform row and its keys.
    pub fn new(p: recognized_platform::Model, keys: Vec<recognized_platform_key::Model>) -> Self {
        Self {
            id: p.id,
            issuer: p.issuer,
            name: p.name,
            status: p.status,
            partner_platform_id: p.partner_platform_id,
            keys: keys.into_iter().map(PlatformKeyOut::from).collect(),
            version: p.version,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

// ---------------------------------------------------------------------------
// Recognised records (import)
// ---------------------------------------------------------------------------

/// Import of another platform's signed record for a local volunteer.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecognitionIn {
    /// The compact JWS (`typ` `yv-record+jws`) signed by a registered other platform.
    pub document: String,
    /// The local volunteer the record belongs to (in the caller's scope); their masked name and
    /// masked ID number must equal the document's.
    pub volunteer_id: Uuid,
    /// The local organization (in the caller's scope) recording the recognition; the record's
    /// minutes count in its totals.
    pub organization_id: Uuid,
}

/// Filter of the recognised-record list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RecognizedRecordFilter {
    /// Only this volunteer.
    pub volunteer_id: Option<Uuid>,
    /// Only documents of this issuer.
    pub issuer: Option<String>,
}

/// A recognised record: the origin of a ledger record imported from another platform.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecognizedRecordOut {
    /// Id.
    pub id: Uuid,
    /// The ledger record (source `recognized`, external id `<issuer>#<original record id>`).
    pub service_record_id: Uuid,
    /// The local volunteer.
    pub volunteer_id: Uuid,
    /// Issuer id of the signing platform.
    pub issuer: String,
    /// The record's id on that platform.
    pub original_record_id: String,
    /// The imported document's id (`jti`).
    pub document_id: String,
    /// Lowercase hex SHA-256 of the imported document.
    pub document_hash: String,
    /// Signing key id.
    pub key_id: String,
    /// Importing account.
    pub imported_by: Option<Uuid>,
    /// Import instant (RFC 3339, UTC).
    pub imported_at: DateTime<Utc>,
}

impl From<recognized_record::Model> for RecognizedRecordOut {
    fn from(m: recognized_record::Model) -> Self {
        Self {
            id: m.id,
            service_record_id: m.service_record_id,
            volunteer_id: m.volunteer_id,
            issuer: m.issuer,
            original_record_id: m.original_record_id,
            document_id: m.document_id,
            document_hash: m.document_hash,
            key_id: m.key_id,
            imported_by: m.imported_by,
            imported_at: m.imported_at,
        }
    }
}
