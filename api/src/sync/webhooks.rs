//! Webhook endpoints and their deliveries: registration (secret shown once, stored encrypted),
//! changes, listing deliveries and redelivery. Sending is [`super::worker`]'s job.

use chrono::Utc;
use entity::sync::{webhook_delivery as delivery, webhook_endpoint as endpoint};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, ConnectionTrait, EntityTrait as _,
    QueryFilter as _, QueryOrder as _, TransactionSession as _, TransactionTrait,
};
use uuid::Uuid;

use super::dto::{DeliveryFilter, EndpointIn, EndpointPatch, WebhookEvent};
use super::partner::SyncCaller;
use super::{feed, partner, signature};
use crate::audit::{self, Actor, Entry};
use crate::config::Environment;
use crate::crypto::FieldCrypto;
use crate::error::ApiError;
use crate::pagination::Page;

const ENDPOINT: &str = "webhook_endpoint";

async fn audited(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    action: &str,
    entity_type: &str,
    id: Uuid,
    fields: &[&str],
) -> Result<(), ApiError> {
    audit::record(
        txn,
        actor,
        Entry {
            action,
            entity_type,
            entity_id: id,
            fields: fields.iter().map(|f| (*f).to_owned()).collect(),
            reason: None,
        },
    )
    .await
}

/// Longest accepted URL.
pub const MAX_URL_CHARS: usize = 2048;

/// Checks a receiver URL: `https` with a host and no credentials; `http` only to a loopback
/// host (127.0.0.1, localhost, [::1]) and only in development (and tests), so that production
/// events never travel unencrypted and never to this machine.
///
/// # Errors
/// 422 `url_invalid` / `url_not_https` / `url_not_public` (outside development) on `field`.
pub fn check_url(field: &str, raw: &str, env: Environment) -> Result<String, ApiError> {
    let raw = raw.trim();
    let invalid = |code: &'static str, msg: &str| ApiError::field(field, code, msg);
    if raw.chars().count() > MAX_URL_CHARS {
        return Err(invalid("url_invalid", "at most 2048 characters"));
    }
    let url =
        reqwest::Url::parse(raw).map_err(|_| invalid("url_invalid", "not an absolute URL"))?;
    if url.host_str().is_none_or(str::is_empty)
        || !url.username().is_empty()
        || url.password().is_some()
    {
        return Err(invalid(
            "url_invalid",
            "the URL needs a host and must not carry credentials",
        ));
    }
    let loopback = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    if env != Environment::Development && !public_host(&url) {
        return Err(invalid(
            "url_not_public",
            "webhook URLs must name a public host (not a loopback, private, link-local or \
             other special-purpose address)",
        ));
    }
    match url.scheme() {
        "https" => Ok(url.to_string()),
        "http" if loopback && env == Environment::Development => Ok(url.to_string()),
        _ => Err(invalid(
            "url_not_https",
            "webhook URLs must use https (http only to localhost in development)",
        )),
    }
}

/// Whether a URL's host may receive webhooks outside development: not `localhost` (or a
/// `*.localhost` name, RFC 6761 §6.3) and not an IP literal outside the public unicast space
/// (see [`is_public_ip`]). Names are checked again against what they resolve to when sending
/// (`super::worker::client_for`), since DNS can point a public-looking name anywhere.
fn public_host(url: &reqwest::Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    // The URL parser has already normalised IP literals (`2130706433` reads as `127.0.0.1`).
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<std::net::IpAddr>() {
        Ok(ip) => is_public_ip(ip),
        Err(_) => {
            let d = host.trim_end_matches('.').to_ascii_lowercase();
            d != "localhost" && !d.ends_with(".localhost")
        }
    }
}

/// Whether an address is public unicast: webhook deliveries in production never go to this
/// machine or its networks (SSRF: loopback, RFC 1918 private, link-local incl. the cloud
/// metadata address 169.254.169.254, CGNAT 100.64/10, unspecified, broadcast, multicast,
/// documentation, benchmarking 198.18/15, IETF 192.0.0/24, reserved 240/4; IPv6 loopback,
/// unspecified, multicast, unique-local fc00::/7, link-local fe80::/10, documentation
/// 2001:db8::/32, and IPv4-mapped/NAT64 forms of the IPv4 ranges). Source: the IANA IPv4 and
/// IPv6 special-purpose address registries (RFC 6890).
#[must_use]
pub fn is_public_ip(ip: std::net::IpAddr) -> bool {
    use std::net::{IpAddr, Ipv4Addr};
    fn v4(ip: Ipv4Addr) -> bool {
        let [a, b, c, _] = ip.octets();
        !(ip.is_private()
            || ip.is_loopback()
            || ip.is_link_local()
            || ip.is_unspecified()
            || ip.is_broadcast()
            || ip.is_documentation()
            || ip.is_multicast()
            || a == 0
            || (a == 100 && (64..128).contains(&b))
            || (a == 192 && b == 0 && c == 0)
            || (a == 198 && (18..20).contains(&b))
            || a >= 240)
    }
    match ip.to_canonical() {
        IpAddr::V4(ip) => v4(ip),
        IpAddr::V6(ip) => {
            let seg = ip.segments();
            // NAT64 well-known prefix 64:ff9b::/96 embeds an IPv4 address.
            if seg[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
                let [a, b] = seg[6].to_be_bytes();
                let [c, d] = seg[7].to_be_bytes();
                return v4(Ipv4Addr::new(a, b, c, d));
            }
            !(ip.is_loopback()
                || ip.is_unspecified()
                || ip.is_multicast()
                || ip.is_unique_local()
                || ip.is_unicast_link_local()
                || (seg[0] == 0x2001 && seg[1] == 0x0db8)
                || seg[0] == 0)
        }
    }
}

fn event_list(field: &str, events: &[WebhookEvent]) -> Result<String, ApiError> {
    let mut names: Vec<&str> = events.iter().map(|e| e.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    if names.is_empty() {
        return Err(ApiError::field(
            field,
            "required",
            "subscribe to at least one event",
        ));
    }
    serde_json::to_string(&names).map_err(ApiError::internal)
}

fn description(raw: Option<&str>) -> Result<Option<String>, ApiError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(d) if d.chars().count() <= 200 => Ok(Some(d.to_owned())),
        Some(_) => Err(ApiError::field(
            "description",
            "too_long",
            "at most 200 characters",
        )),
    }
}

/// Registers an endpoint for a partner; returns it with its new secret (shown once). Deliveries
/// start with the changes committed after registration.
///
/// # Errors
/// 422 `partner_id` `required` / `partner_not_found` (admins), `url_invalid`, `url_not_https`,
/// `url_not_public`, `event_types` `required`, `description` `too_long`; 404 when a partner names another
/// partner; database errors.
pub async fn create(
    db: &impl TransactionTrait,
    crypto: &FieldCrypto,
    env: Environment,
    caller: &SyncCaller,
    actor: &Actor,
    input: EndpointIn,
) -> Result<(endpoint::Model, String), ApiError> {
    let txn = db.begin().await?;
    let db = &txn;
    let partner_id = match (caller.partner_id(), input.partner_id) {
        (Some(own), None) => own,
        (Some(own), Some(named)) if named == own => own,
        (Some(_), Some(_)) => return Err(ApiError::NotFound("partner")),
        (None, None) => {
            return Err(ApiError::field(
                "partner_id",
                "required",
                "name the partner the endpoint belongs to",
            ));
        }
        (None, Some(named)) => {
            if !partner::exists(db, named).await? {
                return Err(ApiError::field(
                    "partner_id",
                    "partner_not_found",
                    "no such partner platform",
                ));
            }
            named
        }
    };
    let url = check_url("url", &input.url, env)?;
    let events = event_list("event_types", &input.event_types)?;
    let description = description(input.description.as_deref())?;
    let secret = signature::new_secret();
    let start = feed::head(db).await?;
    let now = Utc::now();
    let model = endpoint::ActiveModel {
        id: Set(Uuid::now_v7()),
        partner_id: Set(partner_id),
        url: Set(url),
        description: Set(description),
        event_types: Set(events),
        secret_ciphertext: Set(crypto.encrypt(&secret)),
        previous_secret_ciphertext: Set(None),
        previous_secret_until: Set(None),
        active: Set(true),
        cursor_txid: Set(start.txid),
        cursor_seq: Set(start.seq),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    audited(
        db,
        actor,
        "create",
        ENDPOINT,
        model.id,
        &["partner_id", "url", "description", "event_types", "secret"],
    )
    .await?;
    txn.commit().await?;
    Ok((model, secret))
}

/// The endpoint if the caller may see it (platform admins: any; partners: their own); 404
/// otherwise.
///
/// # Errors
/// 404 `not_found`; database errors.
pub async fn get(
    db: &impl ConnectionTrait,
    caller: &SyncCaller,
    id: Uuid,
) -> Result<endpoint::Model, ApiError> {
    let mut q = endpoint::Entity::find_by_id(id);
    if let Some(p) = caller.partner_id() {
        q = q.filter(endpoint::Column::PartnerId.eq(p));
    }
    q.one(db)
        .await?
        .ok_or(ApiError::NotFound("webhook endpoint"))
}

/// Lists the endpoints the caller may see, optionally of one partner, oldest first.
///
/// # Errors
/// Database errors.
pub async fn list(
    db: &impl ConnectionTrait,
    caller: &SyncCaller,
    partner_id: Option<Uuid>,
    page: u64,
    per_page: u64,
) -> Result<Page<endpoint::Model>, ApiError> {
    let mut q = endpoint::Entity::find();
    if let Some(p) = caller.partner_id() {
        q = q.filter(endpoint::Column::PartnerId.eq(p));
    }
    if let Some(p) = partner_id {
        q = q.filter(endpoint::Column::PartnerId.eq(p));
    }
    crate::pagination::fetch(
        q.order_by_asc(endpoint::Column::CreatedAt)
            .order_by_asc(endpoint::Column::Id),
        db,
        page,
        per_page,
    )
    .await
}

/// Applies a patch (optimistic concurrency on `version`).
///
/// # Errors
/// 404, 412 `version_mismatch`, 422 as on creation; database errors.
pub async fn update(
    db: &impl TransactionTrait,
    env: Environment,
    caller: &SyncCaller,
    actor: &Actor,
    id: Uuid,
    patch: EndpointPatch,
) -> Result<endpoint::Model, ApiError> {
    let txn = db.begin().await?;
    let db = &txn;
    let current = get(db, caller, id).await?;
    if current.version != patch.version {
        return Err(ApiError::VersionMismatch {
            current: current.version,
        });
    }
    let mut active = <endpoint::ActiveModel as Default>::default();
    let mut fields = Vec::new();
    if let Some(u) = &patch.url {
        active.url = Set(check_url("url", u, env)?);
        fields.push("url");
    }
    if let Some(e) = &patch.event_types {
        active.event_types = Set(event_list("event_types", e)?);
        fields.push("event_types");
    }
    if patch.description.is_some() {
        active.description = Set(description(patch.description.as_deref())?);
        fields.push("description");
    }
    if let Some(a) = patch.active {
        active.active = Set(a);
        fields.push("active");
    }
    active.version = Set(current.version + 1);
    active.updated_at = Set(Utc::now());
    let done = endpoint::Entity::update_many()
        .set(active)
        .filter(endpoint::Column::Id.eq(id))
        .filter(endpoint::Column::Version.eq(current.version))
        .exec(db)
        .await?;
    let row = get(db, caller, id).await?;
    if done.rows_affected != 1 {
        return Err(ApiError::VersionMismatch {
            current: row.version,
        });
    }
    audited(db, actor, "update", ENDPOINT, id, &fields).await?;
    txn.commit().await?;
    Ok(row)
}

/// How long the previous secret keeps signing after a rotation.
pub const ROTATION_OVERLAP_HOURS: i64 = 24;

/// Replaces the signing secret (optimistic concurrency on `version`); returns the endpoint and the
/// new secret, shown once. For [`ROTATION_OVERLAP_HOURS`] every delivery carries two signatures,
/// `v1,<new> v1,<previous>`, so the receiver can switch without losing a message.
///
/// # Errors
/// 404, 412 `version_mismatch`; database errors.
pub async fn rotate_secret(
    db: &impl TransactionTrait,
    crypto: &FieldCrypto,
    caller: &SyncCaller,
    actor: &Actor,
    id: Uuid,
    version: i32,
) -> Result<(endpoint::Model, String), ApiError> {
    let txn = db.begin().await?;
    let db = &txn;
    let current = get(db, caller, id).await?;
    if current.version != version {
        return Err(ApiError::VersionMismatch {
            current: current.version,
        });
    }
    let secret = signature::new_secret();
    let now = Utc::now();
    let done = endpoint::Entity::update_many()
        .col_expr(
            endpoint::Column::SecretCiphertext,
            Expr::value(crypto.encrypt(&secret)),
        )
        .col_expr(
            endpoint::Column::PreviousSecretCiphertext,
            Expr::value(Some(current.secret_ciphertext.clone())),
        )
        .col_expr(
            endpoint::Column::PreviousSecretUntil,
            Expr::value(Some(now + chrono::Duration::hours(ROTATION_OVERLAP_HOURS))),
        )
        .col_expr(endpoint::Column::Version, Expr::value(current.version + 1))
        .col_expr(endpoint::Column::UpdatedAt, Expr::value(now))
        .filter(endpoint::Column::Id.eq(id))
        .filter(endpoint::Column::Version.eq(current.version))
        .exec(db)
        .await?;
    let row = get(db, caller, id).await?;
    if done.rows_affected != 1 {
        return Err(ApiError::VersionMismatch {
            current: row.version,
        });
    }
    audited(db, actor, "rotate_secret", ENDPOINT, id, &["secret"]).await?;
    txn.commit().await?;
    Ok((row, secret))
}

/// Deletes an endpoint with its delivery history.
///
/// # Errors
/// 404; database errors.
pub async fn delete(
    db: &impl TransactionTrait,
    caller: &SyncCaller,
    actor: &Actor,
    id: Uuid,
) -> Result<(), ApiError> {
    let txn = db.begin().await?;
    let db = &txn;
    let ep = get(db, caller, id).await?;
    delivery::Entity::delete_many()
        .filter(delivery::Column::EndpointId.eq(ep.id))
        .exec(db)
        .await?;
    endpoint::Entity::delete_by_id(ep.id).exec(db).await?;
    audited(db, actor, "delete", ENDPOINT, ep.id, &[]).await?;
    txn.commit().await?;
    Ok(())
}

/// The deliveries of an endpoint, newest first.
///
/// # Errors
/// 404 for an endpoint the caller may not see; database errors.
pub async fn deliveries(
    db: &impl ConnectionTrait,
    caller: &SyncCaller,
    endpoint_id: Uuid,
    filter: &DeliveryFilter,
    page: u64,
    per_page: u64,
) -> Result<Page<delivery::Model>, ApiError> {
    let ep = get(db, caller, endpoint_id).await?;
    let mut q = delivery::Entity::find().filter(delivery::Column::EndpointId.eq(ep.id));
    if let Some(s) = filter.status {
        q = q.filter(delivery::Column::Status.eq(s.as_str()));
    }
    crate::pagination::fetch(
        q.order_by_desc(delivery::Column::CreatedAt)
            .order_by_desc(delivery::Column::Id),
        db,
        page,
        per_page,
    )
    .await
}

/// Queues a delivery again (any status): `pending`, attempts reset to 0, due now, lease
/// cleared. The `webhook-id` stays the same, so a receiver that already processed it can
/// deduplicate.
///
/// # Errors
/// 404 for a delivery of an endpoint the caller may not see; database errors.
pub async fn redeliver(
    db: &impl TransactionTrait,
    caller: &SyncCaller,
    actor: &Actor,
    id: Uuid,
) -> Result<delivery::Model, ApiError> {
    let txn = db.begin().await?;
    let db = &txn;
    let mut q = delivery::Entity::find_by_id(id);
    if let Some(p) = caller.partner_id() {
        q = q.filter(delivery::Column::PartnerId.eq(p));
    }
    let d = q
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("webhook delivery"))?;
    let now = Utc::now();
    delivery::Entity::update_many()
        .col_expr(delivery::Column::Status, Expr::value("pending"))
        .col_expr(delivery::Column::Attempts, Expr::value(0))
        .col_expr(delivery::Column::NextAttemptAt, Expr::value(now))
        .col_expr(
            delivery::Column::LeaseUntil,
            Expr::value(None::<chrono::DateTime<Utc>>),
        )
        .col_expr(delivery::Column::LeaseToken, Expr::value(None::<Uuid>))
        .col_expr(delivery::Column::UpdatedAt, Expr::value(now))
        .filter(delivery::Column::Id.eq(d.id))
        .exec(db)
        .await?;
    audited(
        db,
        actor,
        "redeliver",
        "webhook_delivery",
        d.id,
        &["status", "attempts", "next_attempt_at"],
    )
    .await?;
    let row = delivery::Entity::find_by_id(d.id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("webhook delivery"))?;
    txn.commit().await?;
    Ok(row)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_loopback_http_in_development() {
        let dev = Environment::Development;
        let prod = Environment::Production;
        assert!(check_url("url", "https://p.example.org/h", prod).is_ok());
        assert!(check_url("url", "http://127.0.0.1:9000/h", dev).is_ok());
        assert!(check_url("url", "http://localhost/h", dev).is_ok());
        assert!(check_url("url", "http://127.0.0.1:9000/h", prod).is_err());
        assert!(check_url("url", "http://p.example.org/h", dev).is_err());
        assert!(check_url("url", "ftp://p.example.org/h", dev).is_err());
        assert!(check_url("url", "https://user:pw@p.example.org/h", prod).is_err());
        assert!(check_url("url", "not a url", dev).is_err());
        for internal in [
            "https://127.0.0.1/h",
            "https://localhost/h",
            "https://a.localhost./h",
            "https://169.254.169.254/latest/meta-data",
            "https://10.1.2.3/h",
            "https://192.168.0.1/h",
            "https://172.16.0.1/h",
            "https://100.64.0.1/h",
            "https://0.0.0.0/h",
            "https://2130706433/h",
            "https://[::1]/h",
            "https://[::ffff:127.0.0.1]/h",
            "https://[fd00::1]/h",
            "https://[fe80::1]/h",
            "https://[64:ff9b::a9fe:a9fe]/h",
        ] {
            assert!(check_url("url", internal, prod).is_err(), "{internal}");
        }
        assert!(check_url("url", "https://8.8.8.8/h", prod).is_ok());
        assert!(check_url("url", "https://[2606:4700::1111]/h", prod).is_ok());
    }
}
