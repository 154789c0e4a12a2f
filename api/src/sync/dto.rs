//! Request and response bodies of `/api/v1/sync/...`.

use chrono::{DateTime, Utc};
use entity::sync::{change, webhook_delivery, webhook_endpoint};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// Query of the change feed.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChangesQuery {
    /// Cursor from a previous page's `next_cursor`; absent to start at the beginning.
    pub after: Option<String>,
    /// Changes per page, 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000, default = 100)]
    pub limit: Option<u64>,
}

/// One change of the change log.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeOut {
    /// Sequence number. Unique and increasing in the order changes were written; the feed order
    /// is commit order, which on PostgreSQL may differ slightly, so use `next_cursor`, not `seq`,
    /// to continue.
    pub seq: i64,
    /// Change id (UUID v7); webhook payloads carry it as `change_id`.
    pub id: Uuid,
    /// `volunteer`, `service_record` or `certificate`.
    #[schema(example = "service_record")]
    pub entity_type: String,
    /// Id of the changed entity.
    pub entity_id: Uuid,
    /// Owning organization (registering organization of a volunteer, organizing organization of
    /// a record, issuing organization of a certificate).
    pub organization_id: Option<Uuid>,
    /// `create` or `update`.
    #[schema(example = "update")]
    pub operation: String,
    /// Domain event: `volunteer.created|updated|deregistered`,
    /// `record.created|approved|rejected|voided|superseded|corrected|updated`,
    /// `certificate.issued|revoked|superseded`.
    #[schema(example = "record.approved")]
    pub event_type: String,
    /// When the change was written (RFC 3339, UTC).
    pub committed_at: DateTime<Utc>,
    /// The entity after the change, exactly as `GET` of the entity returns it (personal data
    /// masked): `VolunteerOut`, `ServiceRecordOut` or `CertificateOut`.
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

impl From<change::Model> for ChangeOut {
    fn from(c: change::Model) -> Self {
        Self {
            seq: c.seq,
            id: c.id,
            entity_type: c.entity_type,
            entity_id: c.entity_id,
            organization_id: c.organization_id,
            operation: c.operation,
            event_type: c.event_type,
            committed_at: c.committed_at,
            data: serde_json::from_str(&c.snapshot).unwrap_or(serde_json::Value::Null),
        }
    }
}

/// One page of the change feed.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangesOut {
    /// Changes in commit order.
    pub items: Vec<ChangeOut>,
    /// Pass as `after` to continue. Unchanged when `items` is empty: poll again later.
    pub next_cursor: String,
    /// Whether more changes were ready when this page was read (`items` is full).
    pub has_more: bool,
}

/// Webhook event types a partner can subscribe to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub enum WebhookEvent {
    /// A service record was approved (also a record created approved).
    #[serde(rename = "record.approved")]
    RecordApproved,
    /// A service record was corrected: sent for the new record (`record.corrected`, with
    /// `supersedes_id`) and for the old one (`record.superseded`).
    #[serde(rename = "record.corrected")]
    RecordCorrected,
    /// A volunteer was created, changed or deregistered.
    #[serde(rename = "volunteer.changed")]
    VolunteerChanged,
    /// A certificate was revoked.
    #[serde(rename = "certificate.revoked")]
    CertificateRevoked,
}

impl WebhookEvent {
    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RecordApproved => "record.approved",
            Self::RecordCorrected => "record.corrected",
            Self::VolunteerChanged => "volunteer.changed",
            Self::CertificateRevoked => "certificate.revoked",
        }
    }

    /// The webhook event a change-log event becomes, if any.
    pub fn of_change(event_type: &str) -> Option<Self> {
        match event_type {
            "record.approved" => Some(Self::RecordApproved),
            "record.corrected" | "record.superseded" => Some(Self::RecordCorrected),
            "volunteer.created" | "volunteer.updated" | "volunteer.deregistered" => {
                Some(Self::VolunteerChanged)
            }
            "certificate.revoked" => Some(Self::CertificateRevoked),
            _ => None,
        }
    }
}

/// A new webhook endpoint.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndpointIn {
    /// The partner the endpoint belongs to: required for platform admins; partners may omit it
    /// (their own) and may not name another.
    pub partner_id: Option<Uuid>,
    /// Receiver URL, at most 2048 characters: `https://…`; `http://` only to 127.0.0.1,
    /// localhost or [::1] while the service runs in development (`APP_ENV=development`, which
    /// tests use).
    #[schema(example = "https://partner.example.org/hooks/volunteer")]
    pub url: String,
    /// Free text, at most 200 characters.
    pub description: Option<String>,
    /// Subscribed events, at least one.
    pub event_types: Vec<WebhookEvent>,
}

/// A change to an endpoint; `version` must match (412 otherwise).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndpointPatch {
    /// Current version, as last read.
    pub version: i32,
    /// New URL (same rules as on creation).
    pub url: Option<String>,
    /// New description; empty clears it.
    pub description: Option<String>,
    /// New subscriptions (at least one).
    pub event_types: Option<Vec<WebhookEvent>>,
    /// Enable or disable; a disabled endpoint gets no new deliveries.
    pub active: Option<bool>,
}

/// Rotation of an endpoint's signing secret.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RotateIn {
    /// Current version, as last read.
    pub version: i32,
}

/// A webhook endpoint (its secret is never shown again after creation).
#[derive(Debug, Serialize, ToSchema)]
pub struct EndpointOut {
    /// Id.
    pub id: Uuid,
    /// Owning partner.
    pub partner_id: Uuid,
    /// Receiver URL.
    pub url: String,
    /// Description.
    pub description: Option<String>,
    /// Subscribed events.
    pub event_types: Vec<WebhookEvent>,
    /// Whether new events are delivered.
    pub active: bool,
    /// Version for optimistic concurrency.
    pub version: i32,
    /// Created (RFC 3339, UTC).
    pub created_at: DateTime<Utc>,
    /// Last changed (RFC 3339, UTC).
    pub updated_at: DateTime<Utc>,
}

impl From<webhook_endpoint::Model> for EndpointOut {
    fn from(m: webhook_endpoint::Model) -> Self {
        Self {
            id: m.id,
            partner_id: m.partner_id,
            url: m.url,
            description: m.description,
            event_types: serde_json::from_str(&m.event_types).unwrap_or_default(),
            active: m.active,
            version: m.version,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// A new endpoint with its signing secret, shown only in this answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct EndpointCreatedOut {
    /// The endpoint.
    pub endpoint: EndpointOut,
    /// Signing secret `whsec_<base64>`: the HMAC key is the base64-decoded part (Standard
    /// Webhooks). Store it now; it is never shown again.
    #[schema(example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    pub secret: String,
}

/// State of a delivery job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Waiting for its (next) attempt.
    Pending,
    /// The receiver answered 2xx.
    Succeeded,
    /// Given up after the maximum number of attempts (or the endpoint was disabled).
    Failed,
}

impl DeliveryStatus {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "succeeded" => Self::Succeeded,
            "failed" => Self::Failed,
            _ => Self::Pending,
        }
    }
}

/// Filter of the delivery list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryFilter {
    /// Only this status.
    pub status: Option<DeliveryStatus>,
}

/// One delivery job of an endpoint.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryOut {
    /// Id; also the `webhook-id` header, the same on every attempt.
    pub id: Uuid,
    /// Endpoint.
    pub endpoint_id: Uuid,
    /// The change the event comes from (`/sync/changes` item `id`).
    pub change_id: Uuid,
    /// Webhook event type.
    pub event_type: WebhookEvent,
    /// Pending, succeeded or failed.
    pub status: DeliveryStatus,
    /// Attempts made.
    pub attempts: i32,
    /// Next attempt not before (RFC 3339, UTC; pending only).
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// Last attempt (RFC 3339, UTC).
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// HTTP status the receiver answered last, if it answered.
    pub last_response_code: Option<i32>,
    /// Why the last attempt failed (`timeout`, `connect`, `status 500`, …).
    pub last_error: Option<String>,
    /// Created (RFC 3339, UTC).
    pub created_at: DateTime<Utc>,
    /// The JSON body sent (signed as is).
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
}

impl From<webhook_delivery::Model> for DeliveryOut {
    fn from(m: webhook_delivery::Model) -> Self {
        let status = DeliveryStatus::parse(&m.status);
        Self {
            id: m.id,
            endpoint_id: m.endpoint_id,
            change_id: m.change_id,
            // Stored from `WebhookEvent::as_str`, so it always parses.
            event_type: serde_json::from_value(serde_json::Value::String(m.event_type))
                .unwrap_or(WebhookEvent::VolunteerChanged),
            status,
            attempts: m.attempts,
            next_attempt_at: (status == DeliveryStatus::Pending).then_some(m.next_attempt_at),
            last_attempt_at: m.last_attempt_at,
            last_response_code: m.last_response_code,
            last_error: m.last_error,
            created_at: m.created_at,
            payload: serde_json::from_str(&m.payload).unwrap_or(serde_json::Value::Null),
        }
    }
}
