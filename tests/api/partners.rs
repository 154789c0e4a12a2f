//! Partner platforms (issue 7 part A): registry, client credentials, tokens, the partner
//! extractor, idempotent batch upserts of volunteers and service records.

use std::time::Duration;

use reqwest::Method;
use sea_orm::{
    ActiveValue::Set, ColumnTrait as _, ConnectionTrait as _, EntityTrait as _,
    PaginatorTrait as _, QueryFilter as _, Statement,
};
use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp, admin_registered_volunteer, id_number, spawn_app};

#[path = "../support/partner_client.rs"]
mod partner_client;

use partner_client::{PartnerApi, example_record, example_volunteer};

/// Registers a partner with `scope` roots and returns (registration JSON, admin token).
async fn register_partner(app: &TestApp, admin: &str, name: &str, scope: &[&str]) -> Value {
    let r = app
        .post(
            "/api/v1/partners",
            Some(admin),
            &json!({"name": name, "scope": scope}),
        )
        .await;
    r.expect(201);
    r.body.clone()
}

/// `POST /partners/token` as a form (RFC 6749 §4.4.2).
async fn token_form(app: &TestApp, client_id: &str, secret: &str) -> Reply {
    let body = format!(
        "grant_type=client_credentials&client_id={client_id}&client_secret={}",
        secret.replace('-', "%2D")
    );
    app.post_raw(
        "/api/v1/partners/token",
        None,
        "application/x-www-form-urlencoded",
        body.into_bytes(),
    )
    .await
}

/// A partner access token for a registration JSON.
async fn partner_token(app: &TestApp, partner: &Value) -> String {
    let r = token_form(
        app,
        partner["client_id"].as_str().unwrap(),
        partner["client_secret"].as_str().unwrap(),
    )
    .await;
    r.expect(200);
    r.body["access_token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_platform_admin_registers_a_partner_and_the_secret_is_shown_once_and_stored_hashed() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let org = app.create_org(&admin, "南京团市委", None).await;
    let org_id = org["id"].as_str().unwrap();

    let p = register_partner(&app, &admin, "南京大学志愿系统", &[org_id]).await;
    let id = p["id"].as_str().unwrap();
    let secret = p["client_secret"].as_str().unwrap();
    assert!(p["client_id"].as_str().unwrap().starts_with("ptn_"));
    assert_eq!(secret.len(), 43);
    assert_eq!(p["status"], "active");
    assert_eq!(p["scope"], json!([org_id]));
    assert_eq!(p["version"], 1);

    // Reads never show the secret, and the database holds only a digest.
    let got = app
        .get(&format!("/api/v1/partners/{id}"), Some(&admin))
        .await;
    got.expect(200);
    assert!(got.body.get("client_secret").is_none());
    assert!(!got.text.contains(secret));
    let row: Option<(String,)> = {
        let r = app
            .db
            .query_one_raw(Statement::from_string(
                app.db.get_database_backend(),
                format!(
                    "SELECT secret_hash FROM partner_platforms WHERE client_id = '{}'",
                    p["client_id"].as_str().unwrap()
                ),
            ))
            .await
            .unwrap()
            .unwrap();
        Some((r.try_get::<String>("", "secret_hash").unwrap(),))
    };
    let stored = row.unwrap().0;
    assert_ne!(stored, secret);
    assert!(!stored.contains(secret));

    let list = app
        .get("/api/v1/partners?status=active", Some(&admin))
        .await;
    list.expect(200);
    assert_eq!(list.body["total"], 1);
    assert_eq!(list.body["items"][0]["id"], id);

    // Validation and permissions.
    app.post(
        "/api/v1/partners",
        Some(&admin),
        &json!({"name": "x", "scope": []}),
    )
    .await
    .expect_problem(422, "validation_failed");
    let r = app
        .post(
            "/api/v1/partners",
            Some(&admin),
            &json!({"name": "x", "scope": [uuid::Uuid::now_v7()]}),
        )
        .await;
    r.expect_problem(422, "validation_failed");
    assert_eq!(r.body["errors"][0]["field"], "scope[0]");
    let org_admin = app.org_admin_token(&admin, org_id, "nj-admin").await;
    app.post(
        "/api/v1/partners",
        Some(&org_admin),
        &json!({"name": "x", "scope": [org_id]}),
    )
    .await
    .expect_problem(403, "forbidden");
    app.get("/api/v1/partners", Some(&org_admin))
        .await
        .expect_problem(403, "forbidden");

    // Renaming and re-scoping carry the version.
    let child = app.create_org(&admin, "玄武区团委", Some(org_id)).await;
    let other = app.create_org(&admin, "苏州团市委", None).await;
    let patched = app
        .patch(
            &format!("/api/v1/partners/{id}"),
            Some(&admin),
            &json!({"version": 1, "name": "南大志愿", "scope": [other["id"], child["id"]]}),
        )
        .await;
    patched.expect(200);
    assert_eq!(patched.body["name"], "南大志愿");
    assert_eq!(patched.body["version"], 2);
    assert_eq!(patched.body["scope"].as_array().unwrap().len(), 2);
    app.patch(
        &format!("/api/v1/partners/{id}"),
        Some(&admin),
        &json!({"version": 1, "name": "again"}),
    )
    .await
    .expect_problem(412, "version_mismatch");
    app.get(
        &format!("/api/v1/partners/{}", uuid::Uuid::now_v7()),
        Some(&admin),
    )
    .await
    .expect_problem(404, "not_found");
}

#[tokio::test]
async fn the_token_endpoint_follows_the_client_credentials_grant_in_form_json_and_basic() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let org = app.create_org(&admin, "南京团市委", None).await;
    let p = register_partner(&app, &admin, "P", &[org["id"].as_str().unwrap()]).await;
    let cid = p["client_id"].as_str().unwrap();
    let secret = p["client_secret"].as_str().unwrap();

    let form = token_form(&app, cid, secret).await;
    form.expect(200);
    assert_eq!(form.body["token_type"], "Bearer");
    assert_eq!(form.body["expires_in"], 15 * 60);
    assert_eq!(form.headers["cache-control"], "no-store");
    let token = form.body["access_token"].as_str().unwrap();

    let json_reply = app
        .post(
            "/api/v1/partners/token",
            None,
            &json!({"grant_type": "client_credentials", "client_id": cid, "client_secret": secret}),
        )
        .await;
    json_reply.expect(200);

    let basic = app
        .client
        .post(format!("{}/api/v1/partners/token", app.address))
        .basic_auth(cid, Some(secret))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials")
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status().as_u16(), 200);

    // The token identifies the partner.
    let me = app.get("/api/v1/partner/me", Some(token)).await;
    me.expect(200);
    assert_eq!(me.body["client_id"], cid);
    assert_eq!(me.body["scope"], json!([org["id"]]));

    // RFC 6749 §5.2 errors, as problems with the error name as code.
    token_form(&app, cid, "wrong-secret-wrong-secret-wrong-secret-wrong")
        .await
        .expect_problem(401, "invalid_client");
    token_form(&app, "ptn_unknown", secret)
        .await
        .expect_problem(401, "invalid_client");
    app.post_raw(
        "/api/v1/partners/token",
        None,
        "application/x-www-form-urlencoded",
        format!("grant_type=password&client_id={cid}&client_secret={secret}").into_bytes(),
    )
    .await
    .expect_problem(400, "unsupported_grant_type");
    app.post_raw(
        "/api/v1/partners/token",
        None,
        "application/x-www-form-urlencoded",
        format!("client_id={cid}&client_secret={secret}").into_bytes(),
    )
    .await
    .expect_problem(400, "invalid_request");
    app.post_raw(
        "/api/v1/partners/token",
        None,
        "application/x-www-form-urlencoded",
        format!("grant_type=client_credentials&scope=admin&client_id={cid}&client_secret={secret}")
            .into_bytes(),
    )
    .await
    .expect_problem(400, "invalid_scope");
    app.post_raw("/api/v1/partners/token", None, "text/plain", b"x".to_vec())
        .await
        .expect_problem(415, "unsupported_media_type");
}

#[tokio::test]
async fn partner_tokens_and_user_tokens_are_not_interchangeable() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let org = app.create_org(&admin, "南京团市委", None).await;
    let p = register_partner(&app, &admin, "P", &[org["id"].as_str().unwrap()]).await;
    let token = partner_token(&app, &p).await;

    // A partner token is not a user token …
    app.get("/api/v1/auth/me", Some(&token))
        .await
        .expect_problem(401, "invalid_token");
    app.get("/api/v1/partners", Some(&token))
        .await
        .expect_problem(401, "invalid_token");
    // … and a user token is not a partner token.
    app.get("/api/v1/partner/me", Some(&admin))
        .await
        .expect_problem(401, "invalid_token");
    app.get("/api/v1/partner/me", None)
        .await
        .expect_problem(401, "missing_token");
}

#[tokio::test]
async fn a_suspended_partner_is_refused_at_once_and_a_reactivated_one_works_again() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let org = app.create_org(&admin, "南京团市委", None).await;
    let p = register_partner(&app, &admin, "P", &[org["id"].as_str().unwrap()]).await;
    let id = p["id"].as_str().unwrap();
    let token = partner_token(&app, &p).await;
    app.get("/api/v1/partner/me", Some(&token))
        .await
        .expect(200);

    let s = app
        .post(
            &format!("/api/v1/partners/{id}/suspend"),
            Some(&admin),
            &json!({"version": 1}),
        )
        .await;
    s.expect(200);
    assert_eq!(s.body["status"], "suspended");
    // The token issued before is refused at once, and no new one is issued.
    app.get("/api/v1/partner/me", Some(&token))
        .await
        .expect_problem(401, "partner_suspended");
    token_form(
        &app,
        p["client_id"].as_str().unwrap(),
        p["client_secret"].as_str().unwrap(),
    )
    .await
    .expect_problem(401, "invalid_client");
    app.post(
        &format!("/api/v1/partners/{id}/suspend"),
        Some(&admin),
        &json!({"version": 2}),
    )
    .await
    .expect_problem(409, "partner_already_suspended");

    app.post(
        &format!("/api/v1/partners/{id}/reactivate"),
        Some(&admin),
        &json!({"version": 2}),
    )
    .await
    .expect(200);
    app.get("/api/v1/partner/me", Some(&token))
        .await
        .expect(200);
}

#[tokio::test]
async fn rotating_the_secret_ends_the_old_secret_and_its_tokens() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let org = app.create_org(&admin, "南京团市委", None).await;
    let p = register_partner(&app, &admin, "P", &[org["id"].as_str().unwrap()]).await;
    let id = p["id"].as_str().unwrap();
    let cid = p["client_id"].as_str().unwrap();
    let old_token = partner_token(&app, &p).await;

    let r = app
        .post(
            &format!("/api/v1/partners/{id}/rotate-secret"),
            Some(&admin),
            &json!({"version": 1}),
        )
        .await;
    r.expect(200);
    let new_secret = r.body["client_secret"].as_str().unwrap();
    assert_ne!(new_secret, p["client_secret"].as_str().unwrap());
    assert_eq!(r.body["client_id"], cid);

    token_form(&app, cid, p["client_secret"].as_str().unwrap())
        .await
        .expect_problem(401, "invalid_client");
    app.get("/api/v1/partner/me", Some(&old_token))
        .await
        .expect_problem(401, "credentials_rotated");
    let fresh = token_form(&app, cid, new_secret).await;
    fresh.expect(200);
    app.get(
        "/api/v1/partner/me",
        Some(fresh.body["access_token"].as_str().unwrap()),
    )
    .await
    .expect(200);
}

#[tokio::test]
async fn the_token_endpoint_is_rate_limited_like_login() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let org = app.create_org(&admin, "南京团市委", None).await;
    let p = register_partner(&app, &admin, "P", &[org["id"].as_str().unwrap()]).await;
    let cid = p["client_id"].as_str().unwrap();
    let mut limited = None;
    for _ in 0..10 {
        let r = token_form(&app, cid, "wrong").await;
        if r.status.as_u16() == 429 {
            limited = Some(r);
            break;
        }
        r.expect_problem(401, "invalid_client");
    }
    let r = limited.expect("never rate limited");
    r.expect_problem(429, "too_many_requests");
    assert!(r.headers.contains_key("retry-after"));
}

// ---------------------------------------------------------------------------
// Batch upserts and idempotency
// ---------------------------------------------------------------------------

const VOLUNTEERS: &str = "/api/v1/partner/volunteers/batch";
const RECORDS: &str = "/api/v1/partner/service-records/batch";

/// A partner with one scope root, an organization outside its scope and a token.
struct World {
    app: TestApp,
    admin: String,
    org: String,
    outside: String,
    partner: Value,
    token: String,
}

async fn world() -> World {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let root = app.create_org(&admin, "南京大学团委", None).await;
    let org = app
        .create_org(&admin, "南京大学青年志愿者协会", root["id"].as_str())
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let outside = app.create_org(&admin, "苏州团市委", None).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let partner = register_partner(
        &app,
        &admin,
        "南大志愿系统",
        &[root["id"].as_str().unwrap()],
    )
    .await;
    let token = partner_token(&app, &partner).await;
    World {
        app,
        admin,
        org,
        outside,
        partner,
        token,
    }
}

/// POST with a bearer token, an optional Idempotency-Key and a JSON body.
async fn send(app: &TestApp, path: &str, token: &str, key: Option<&str>, body: &Value) -> Reply {
    let mut req = app
        .client
        .request(Method::POST, format!("{}{}", app.address, path))
        .bearer_auth(token)
        .json(body);
    if let Some(k) = key {
        req = req.header("Idempotency-Key", k);
    }
    let r = req.send().await.expect("request");
    let status = r.status();
    let headers = r.headers().clone();
    let text = r.text().await.unwrap_or_default();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Reply {
        status,
        headers,
        body,
        text,
    }
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    let row = app
        .db
        .query_one_raw(Statement::from_string(
            app.db.get_database_backend(),
            format!("SELECT COUNT(*) AS n FROM {sql}"),
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

/// Memberships of `org` (of `volunteer` when given).
async fn members(app: &TestApp, org: &str, volunteer: Option<&str>) -> u64 {
    use entity::volunteer_membership as m;
    let mut q =
        m::Entity::find().filter(m::Column::OrganizationId.eq(uuid::Uuid::parse_str(org).unwrap()));
    if let Some(v) = volunteer {
        q = q.filter(m::Column::VolunteerId.eq(uuid::Uuid::parse_str(v).unwrap()));
    }
    q.count(&app.db).await.unwrap()
}

fn outcomes(r: &Reply) -> Vec<String> {
    r.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["outcome"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_volunteer_batch_answers_per_item_and_one_bad_item_never_rejects_the_others() {
    let w = world().await;
    let mut bad_checksum = example_volunteer(&w.org, 2);
    let id = bad_checksum["id_number"].as_str().unwrap().to_owned();
    let last = if id.ends_with('1') { "2" } else { "1" };
    bad_checksum["id_number"] = json!(format!("{}{last}", &id[..17]));
    let mut minor = example_volunteer(&w.org, 3);
    minor["id_number"] = json!(id_number("320102", &crate::helpers::birth_years_ago(15), 3));
    let mut minor_with_consent = example_volunteer(&w.org, 4);
    minor_with_consent["id_number"] =
        json!(id_number("320102", &crate::helpers::birth_years_ago(16), 4));
    minor_with_consent["guardian"] =
        json!({"name": "周建国", "relation": "父亲", "mobile": "13912345678", "consent": true});
    let outside = example_volunteer(&w.outside, 5);
    let wrong_shape = json!({"external_id": "stu-0006", "organization_id": "not-a-uuid"});
    let items = vec![
        example_volunteer(&w.org, 1),
        bad_checksum,
        minor,
        minor_with_consent,
        outside,
        wrong_shape,
    ];
    let r = send(
        &w.app,
        VOLUNTEERS,
        &w.token,
        Some("k-1"),
        &json!({"items": items}),
    )
    .await;
    r.expect(200);
    assert_eq!(
        outcomes(&r),
        [
            "created", "rejected", "rejected", "created", "rejected", "rejected"
        ]
    );
    let results = r.body["results"].as_array().unwrap();
    assert_eq!(results[1]["problem"]["errors"][0]["field"], "id_number");
    assert_eq!(results[2]["problem"]["code"], "guardian_consent_required");
    assert_eq!(results[4]["problem"]["code"], "out_of_scope");
    assert_eq!(results[5]["problem"]["code"], "invalid_body");
    assert_eq!(results[5]["external_id"], "stu-0006");
    assert!(!r.text.contains(&id), "an ID number was echoed");
    assert_eq!(r.body["summary"]["created"], 2);
    assert_eq!(r.body["summary"]["rejected"], 4);
    assert_eq!(count(&w.app, "volunteers").await, 2);

    // The created volunteer is a normal volunteer of the organization, masked as usual.
    let vid = results[0]["id"].as_str().unwrap();
    let v = w
        .app
        .get(&format!("/api/v1/volunteers/{vid}"), Some(&w.admin))
        .await;
    v.expect(200);
    assert_eq!(v.body["registration_organization_id"], w.org.as_str());
    assert_eq!(v.body["volunteer_number"], results[0]["volunteer_number"]);
    assert!(v.body["id_number"].as_str().unwrap().contains('*'));

    // Nothing outside the scope was written.
    assert_eq!(members(&w.app, &w.outside, None).await, 0);
    assert_eq!(members(&w.app, &w.org, None).await, 2);
}

#[tokio::test]
async fn a_replay_returns_the_first_answer_byte_for_byte_and_writes_nothing() {
    let w = world().await;
    let items = json!({"items": [example_volunteer(&w.org, 1), example_volunteer(&w.org, 2)]});
    let first = send(&w.app, VOLUNTEERS, &w.token, Some("same-key"), &items).await;
    first.expect(200);
    assert!(!first.headers.contains_key("idempotent-replayed"));
    let audits = count(&w.app, "audit_log").await;
    let replay = send(&w.app, VOLUNTEERS, &w.token, Some("same-key"), &items).await;
    replay.expect(200);
    assert_eq!(replay.text, first.text);
    assert_eq!(replay.headers["idempotent-replayed"], "true");
    assert_eq!(count(&w.app, "volunteers").await, 2);
    assert_eq!(count(&w.app, "audit_log").await, audits);

    // The same key with another body is refused; without a key nothing is done.
    let other = json!({"items": [example_volunteer(&w.org, 3)]});
    send(&w.app, VOLUNTEERS, &w.token, Some("same-key"), &other)
        .await
        .expect_problem(422, "idempotency_key_reused");
    send(&w.app, VOLUNTEERS, &w.token, None, &other)
        .await
        .expect_problem(400, "idempotency_key_missing");
    send(&w.app, VOLUNTEERS, &w.token, Some("bad key"), &other)
        .await
        .expect_problem(400, "idempotency_key_invalid");
    assert_eq!(count(&w.app, "volunteers").await, 2);

    // A new key with the same content: every item is unchanged (the external ids decide).
    let again = send(&w.app, VOLUNTEERS, &w.token, Some("new-key"), &items).await;
    again.expect(200);
    assert_eq!(outcomes(&again), ["unchanged", "unchanged"]);
    assert_eq!(count(&w.app, "volunteers").await, 2);

    // A body refused before processing does not use up the key.
    let refused = w
        .app
        .client
        .post(format!("{}{VOLUNTEERS}", w.app.address))
        .bearer_auth(&w.token)
        .header("Idempotency-Key", "fresh")
        .header("content-type", "text/plain")
        .body(serde_json::to_vec(&other).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status().as_u16(), 415);
    let mut malformed = w
        .app
        .client
        .post(format!("{}{VOLUNTEERS}", w.app.address))
        .bearer_auth(&w.token)
        .header("Idempotency-Key", "fresh")
        .header("content-type", "application/json")
        .body("{\"items\": [")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status().as_u16(), 400);
    malformed = w
        .app
        .client
        .post(format!("{}{VOLUNTEERS}", w.app.address))
        .bearer_auth(&w.token)
        .header("Idempotency-Key", "fresh")
        .json(&other)
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status().as_u16(), 200);

    // Batch limits.
    send(
        &w.app,
        VOLUNTEERS,
        &w.token,
        Some("empty"),
        &json!({"items": []}),
    )
    .await
    .expect_problem(422, "validation_failed");
    let many: Vec<Value> = (0..501).map(|_| json!({})).collect();
    let r = send(
        &w.app,
        VOLUNTEERS,
        &w.token,
        Some("many"),
        &json!({"items": many}),
    )
    .await;
    r.expect_problem(422, "validation_failed");
    assert_eq!(r.body["errors"][0]["code"], "batch_too_large");
}

#[tokio::test]
async fn concurrent_identical_requests_create_exactly_once() {
    let w = world().await;
    let items =
        json!({"items": (1..=20).map(|n| example_volunteer(&w.org, n)).collect::<Vec<_>>()});
    let one = || send(&w.app, VOLUNTEERS, &w.token, Some("race"), &items);
    let (a, b, c, d, e, f) = tokio::join!(one(), one(), one(), one(), one(), one());
    let replies = [a, b, c, d, e, f];
    let mut ok = Vec::new();
    for r in &replies {
        match r.status.as_u16() {
            200 => ok.push(r.text.clone()),
            409 => assert_eq!(r.code(), "idempotency_key_in_progress"),
            s => panic!("unexpected {s}: {}", r.text),
        }
    }
    assert!(!ok.is_empty());
    // Every 200 is the one answer; later replays too.
    let last = send(&w.app, VOLUNTEERS, &w.token, Some("race"), &items).await;
    last.expect(200);
    for text in &ok {
        assert_eq!(text, &last.text);
    }
    assert_eq!(last.body["summary"]["created"], 20);
    assert_eq!(count(&w.app, "volunteers").await, 20);
}

#[tokio::test]
async fn a_key_still_in_progress_answers_409_and_a_stale_one_is_taken_over_and_completed() {
    let w = world().await;
    let partner_id = w.partner["id"].as_str().unwrap();
    let items = json!({"items": [example_volunteer(&w.org, 1), example_volunteer(&w.org, 2)]});
    let body = serde_json::to_vec(&items).unwrap();
    // The request's fingerprint is a keyed hash: learn it from a partner whose scope does not
    // cover the organization (its items are all rejected, nothing is written).
    let prober = register_partner(&w.app, &w.admin, "探针", &[&w.outside]).await;
    let prober_token = partner_token(&w.app, &prober).await;
    let probe = w
        .app
        .client
        .post(format!("{}{VOLUNTEERS}", w.app.address))
        .bearer_auth(&prober_token)
        .header("Idempotency-Key", "probe")
        .header("content-type", "application/json")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(probe.status().as_u16(), 200);
    assert_eq!(count(&w.app, "volunteers").await, 0);
    let fingerprint = {
        use entity::partners::partner_idempotency_key as k;
        k::Entity::find()
            .filter(k::Column::IdempotencyKey.eq("probe"))
            .one(&w.app.db)
            .await
            .unwrap()
            .unwrap()
            .fingerprint
    };
    // What a node that is still processing (or died mid-batch) leaves behind.
    let partner_uuid = uuid::Uuid::parse_str(partner_id).unwrap();
    for (key, lease) in [
        ("running", chrono::Utc::now() + chrono::Duration::minutes(5)),
        ("crashed", chrono::Utc::now() - chrono::Duration::minutes(1)),
    ] {
        use entity::partners::{IdempotencyState, partner_idempotency_key as k};
        k::Entity::insert(k::ActiveModel {
            partner_id: Set(partner_uuid),
            idempotency_key: Set(key.into()),
            fingerprint: Set(fingerprint.clone()),
            state: Set(IdempotencyState::InProgress),
            response_status: Set(None),
            response_body: Set(None),
            lease_until: Set(lease),
            created_at: Set(chrono::Utc::now()),
            expires_at: Set(chrono::Utc::now() + chrono::Duration::hours(24)),
        })
        .exec_without_returning(&w.app.db)
        .await
        .unwrap();
    }

    let send_raw = |key: &'static str| {
        w.app
            .client
            .post(format!("{}{VOLUNTEERS}", w.app.address))
            .bearer_auth(&w.token)
            .header("Idempotency-Key", key)
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
    };
    let r = send_raw("running").await.unwrap();
    assert_eq!(r.status().as_u16(), 409);
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["code"], "idempotency_key_in_progress");

    // The crashed node had written the first item (under another request); the retry takes
    // the key over, completes the batch, and the item already done comes back unchanged.
    send(
        &w.app,
        VOLUNTEERS,
        &w.token,
        Some("earlier"),
        &json!({"items": [example_volunteer(&w.org, 1)]}),
    )
    .await
    .expect(200);
    let r = send_raw("crashed").await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let b: Value = r.json().await.unwrap();
    assert_eq!(b["results"][0]["outcome"], "unchanged");
    assert_eq!(b["results"][1]["outcome"], "created");
    assert_eq!(count(&w.app, "volunteers").await, 2);
    // And it is now completed: a replay gets the same answer.
    let again = send_raw("crashed").await.unwrap();
    assert_eq!(again.headers()["idempotent-replayed"], "true");

    // After 24 hours a key is free again, also for another request.
    {
        use entity::partners::{IdempotencyState, partner_idempotency_key as k};
        let long_ago = chrono::Utc::now() - chrono::Duration::hours(25);
        k::Entity::insert(k::ActiveModel {
            partner_id: Set(partner_uuid),
            idempotency_key: Set("yesterday".into()),
            fingerprint: Set("0".repeat(64)),
            state: Set(IdempotencyState::Completed),
            response_status: Set(Some(200)),
            response_body: Set(Some("{}".into())),
            lease_until: Set(long_ago),
            created_at: Set(long_ago),
            expires_at: Set(long_ago + chrono::Duration::hours(24)),
        })
        .exec_without_returning(&w.app.db)
        .await
        .unwrap();
    }
    let fresh = send(
        &w.app,
        VOLUNTEERS,
        &w.token,
        Some("yesterday"),
        &json!({"items": [example_volunteer(&w.org, 3)]}),
    )
    .await;
    fresh.expect(200);
    assert!(!fresh.headers.contains_key("idempotent-replayed"));
    assert_eq!(outcomes(&fresh), ["created"]);
}

#[tokio::test]
async fn a_killed_connection_does_not_cancel_the_batch_and_a_retry_gets_its_answer() {
    let w = world().await;
    let n = 150;
    let items = json!({"items": (1..=n).map(|i| example_volunteer(&w.org, i)).collect::<Vec<_>>()});
    // The client hangs up once the batch is under way (its first volunteer is in).
    let request = w
        .app
        .client
        .post(format!("{}{VOLUNTEERS}", w.app.address))
        .bearer_auth(&w.token)
        .header("Idempotency-Key", "slow")
        .json(&items)
        .send();
    let client = tokio::spawn(request);
    let mut started = false;
    for _ in 0..500 {
        if count(&w.app, "volunteers").await > 0 {
            started = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    client.abort();
    assert!(started, "the batch never started");
    let at_hang_up = count(&w.app, "volunteers").await;
    assert!(
        at_hang_up < i64::from(n),
        "the batch was done before the client hung up"
    );
    // The retry answers 409 while the batch still runs, then the stored answer.
    let mut answer = None;
    for _ in 0..600 {
        let r = send(&w.app, VOLUNTEERS, &w.token, Some("slow"), &items).await;
        match r.status.as_u16() {
            409 => tokio::time::sleep(Duration::from_millis(100)).await,
            200 => {
                answer = Some(r);
                break;
            }
            s => panic!("unexpected {s}: {}", r.text),
        }
    }
    let answer = answer.expect("the batch never completed");
    assert_eq!(answer.body["summary"]["created"], n);
    assert_eq!(answer.headers["idempotent-replayed"], "true");
    assert_eq!(count(&w.app, "volunteers").await, i64::from(n));
}

#[tokio::test]
async fn an_existing_registration_is_linked_not_duplicated_and_partner_volunteers_are_updated() {
    let w = world().await;
    // Registered on the platform directly, with the ID number the partner will send.
    let mut item = example_volunteer(&w.org, 7);
    let local = admin_registered_volunteer(&w.app, &w.admin, &w.outside, "周同学", 900).await;
    item["id_number"] = json!(id_number("110101", "19900307", 900));
    let r = send(
        &w.app,
        VOLUNTEERS,
        &w.token,
        Some("a"),
        &json!({"items": [item.clone()]}),
    )
    .await;
    r.expect(200);
    assert_eq!(outcomes(&r), ["linked"]);
    assert_eq!(r.body["results"][0]["id"], local["id"]);
    assert_eq!(
        r.body["results"][0]["volunteer_number"],
        local["volunteer_number"]
    );
    assert_eq!(count(&w.app, "volunteers").await, 1);
    // The volunteer is now a member of the partner's organization.
    assert_eq!(members(&w.app, &w.org, local["id"].as_str()).await, 1);
    // Its profile is not the partner's to change.
    item["mobile"] = json!("13600000999");
    let r = send(
        &w.app,
        VOLUNTEERS,
        &w.token,
        Some("b"),
        &json!({"items": [item]}),
    )
    .await;
    assert_eq!(
        r.body["results"][0]["problem"]["code"],
        "volunteer_managed_elsewhere"
    );

    // A volunteer the partner created follows its changes, through the volunteers module.
    let mut own = example_volunteer(&w.org, 8);
    send(
        &w.app,
        VOLUNTEERS,
        &w.token,
        Some("c"),
        &json!({"items": [own.clone()]}),
    )
    .await
    .expect(200);
    own["mobile"] = json!("13600000888");
    own["skills"] = json!(["急救", "摄影"]);
    let r = send(
        &w.app,
        VOLUNTEERS,
        &w.token,
        Some("d"),
        &json!({"items": [own.clone()]}),
    )
    .await;
    assert_eq!(outcomes(&r), ["updated"]);
    let vid = r.body["results"][0]["id"].as_str().unwrap();
    let v = w
        .app
        .get(&format!("/api/v1/volunteers/{vid}"), Some(&w.admin))
        .await;
    assert_eq!(v.body["mobile"], "136****0888");
    assert_eq!(v.body["skills"], json!(["急救", "摄影"]));
    assert_eq!(v.body["version"], 2);
    // The ID number of a volunteer cannot change.
    own["id_number"] = json!(id_number("320102", "20000101", 99));
    let r = send(
        &w.app,
        VOLUNTEERS,
        &w.token,
        Some("e"),
        &json!({"items": [own]}),
    )
    .await;
    assert_eq!(
        r.body["results"][0]["problem"]["errors"][0]["code"],
        "id_number_immutable"
    );
}

#[tokio::test]
async fn partner_records_go_through_the_ledger_with_conflicts_totals_and_corrections() {
    let w = world().await;
    send(
        &w.app,
        VOLUNTEERS,
        &w.token,
        Some("v"),
        &json!({"items": [example_volunteer(&w.org, 1), example_volunteer(&w.org, 2)]}),
    )
    .await
    .expect(200);
    let number_2 = {
        let r = send(
            &w.app,
            VOLUNTEERS,
            &w.token,
            Some("v"),
            &json!({"items": [example_volunteer(&w.org, 1), example_volunteer(&w.org, 2)]}),
        )
        .await;
        r.body["results"][1]["volunteer_number"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let local_elsewhere =
        admin_registered_volunteer(&w.app, &w.admin, &w.outside, "吴某", 901).await;

    let mut by_number = example_record(&w.org, 2, 6);
    by_number
        .as_object_mut()
        .unwrap()
        .remove("volunteer_external_id");
    by_number["volunteer_number"] = json!(number_2);
    let mut overlapping = example_record(&w.org, 1, 5);
    overlapping["external_id"] = json!("act-05b-stu-0001");
    overlapping["started_at"] = json!("2025-01-05T10:00:00+08:00");
    let mut outside_org = example_record(&w.outside, 1, 7);
    outside_org["external_id"] = json!("act-07-outside");
    let mut not_in_scope = example_record(&w.org, 1, 8);
    not_in_scope
        .as_object_mut()
        .unwrap()
        .remove("volunteer_external_id");
    not_in_scope["volunteer_number"] = local_elsewhere["volunteer_number"].clone();
    let mut future = example_record(&w.org, 1, 9);
    let tomorrow = chrono::Utc::now() + chrono::Duration::days(1);
    future["started_at"] = json!(tomorrow.to_rfc3339());
    future["ended_at"] = json!((tomorrow + chrono::Duration::hours(1)).to_rfc3339());
    let items = vec![
        example_record(&w.org, 1, 5),
        by_number,
        overlapping,
        outside_org,
        not_in_scope,
        future,
    ];
    let r = send(
        &w.app,
        RECORDS,
        &w.token,
        Some("r1"),
        &json!({"items": items}),
    )
    .await;
    r.expect(200);
    assert_eq!(
        outcomes(&r),
        [
            "created", "created", "created", "rejected", "rejected", "rejected"
        ]
    );
    let res = r.body["results"].as_array().unwrap();
    assert_eq!(res[0]["status"], "approved");
    assert_eq!(res[0]["conflict"], false);
    assert_eq!(res[2]["status"], "pending");
    assert_eq!(res[2]["conflict"], true);
    assert_eq!(res[3]["problem"]["code"], "out_of_scope");
    assert_eq!(
        res[4]["problem"]["errors"][0]["code"],
        "volunteer_not_found"
    );
    assert_eq!(res[5]["problem"]["code"], "interval_in_future");

    let rec = w
        .app
        .get(
            &format!("/api/v1/service-records/{}", res[0]["id"].as_str().unwrap()),
            Some(&w.admin),
        )
        .await;
    rec.expect(200);
    assert_eq!(
        rec.body["source"],
        format!("partner:{}", w.partner["client_id"].as_str().unwrap())
    );
    assert_eq!(rec.body["external_id"], "act-05-stu-0001");
    // Attributed to the partner's system account, which cannot log in.
    assert_eq!(rec.body["recorded_by"], w.partner["system_account_id"]);
    w.app
        .login(
            &format!("partner:{}", w.partner["client_id"].as_str().unwrap()),
            "anything",
        )
        .await
        .expect_problem(401, "invalid_credentials");
    let vid = rec.body["volunteer_id"].as_str().unwrap().to_owned();
    let totals = w
        .app
        .get(&format!("/api/v1/volunteer-totals/{vid}"), Some(&w.admin))
        .await;
    assert_eq!(totals.body["approved_minutes"], 120);

    // A changed record is corrected through the ledger, not edited.
    let mut longer = example_record(&w.org, 1, 5);
    longer["ended_at"] = json!("2025-01-05T12:30:00+08:00");
    let r2 = send(
        &w.app,
        RECORDS,
        &w.token,
        Some("r2"),
        &json!({"items": [longer.clone()]}),
    )
    .await;
    assert_eq!(outcomes(&r2), ["updated"]);
    let new_id = r2.body["results"][0]["id"].as_str().unwrap();
    assert_ne!(new_id, res[0]["id"].as_str().unwrap());
    let old = w
        .app
        .get(
            &format!("/api/v1/service-records/{}", res[0]["id"].as_str().unwrap()),
            Some(&w.admin),
        )
        .await;
    assert_eq!(old.body["status"], "superseded");
    let new = w
        .app
        .get(&format!("/api/v1/service-records/{new_id}"), Some(&w.admin))
        .await;
    assert_eq!(new.body["supersedes_id"], res[0]["id"]);
    assert_eq!(new.body["minutes"], 210);
    let totals = w
        .app
        .get(&format!("/api/v1/volunteer-totals/{vid}"), Some(&w.admin))
        .await;
    assert_eq!(totals.body["approved_minutes"], 210);
    // A local admin corrects it; the partner's next update corrects the newest record.
    let local = w
        .app
        .post(
            &format!("/api/v1/service-records/{new_id}/corrections"),
            Some(&w.admin),
            &json!({"started_at": "2025-01-05T09:00:00+08:00", "ended_at": "2025-01-05T12:00:00+08:00", "reason": "现场核实为三小时"}),
        )
        .await;
    local.expect(201);
    let mut latest = longer.clone();
    latest["ended_at"] = json!("2025-01-05T11:30:00+08:00");
    let r4 = send(
        &w.app,
        RECORDS,
        &w.token,
        Some("r4"),
        &json!({"items": [latest.clone()]}),
    )
    .await;
    assert_eq!(outcomes(&r4), ["updated"]);
    let newest = w
        .app
        .get(
            &format!(
                "/api/v1/service-records/{}",
                r4.body["results"][0]["id"].as_str().unwrap()
            ),
            Some(&w.admin),
        )
        .await;
    assert_eq!(newest.body["supersedes_id"], local.body["id"]);
    let totals = w
        .app
        .get(&format!("/api/v1/volunteer-totals/{vid}"), Some(&w.admin))
        .await;
    assert_eq!(totals.body["approved_minutes"], 150);
    // Sending it again changes nothing.
    let r3 = send(
        &w.app,
        RECORDS,
        &w.token,
        Some("r3"),
        &json!({"items": [latest]}),
    )
    .await;
    assert_eq!(outcomes(&r3), ["unchanged"]);
    assert_eq!(r3.body["results"][0]["id"], r4.body["results"][0]["id"]);
    assert_eq!(count(&w.app, "service_records").await, 6);
}

/// A record item of volunteer `stu-<n>` on `date` (Beijing time) from `from` to `to` o'clock.
fn record_at(org: &str, external_id: &str, n: u32, date: &str, from: u32, to: u32) -> Value {
    let mut r = example_record(org, n, 1);
    r["external_id"] = json!(external_id);
    r["started_at"] = json!(format!("{date}T{from:02}:00:00+08:00"));
    r["ended_at"] = json!(format!("{date}T{to:02}:00:00+08:00"));
    r
}

/// Pushes volunteers `stu-1` … `stu-<n>` and returns their ids.
async fn push_volunteers(w: &World, n: u32) -> Vec<String> {
    let items: Vec<Value> = (1..=n).map(|i| example_volunteer(&w.org, i)).collect();
    let r = send(
        &w.app,
        VOLUNTEERS,
        &w.token,
        Some("vols"),
        &json!({"items": items}),
    )
    .await;
    r.expect(200);
    r.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap().to_owned())
        .collect()
}

/// (approved minutes, [(year, minutes)]) of a volunteer.
async fn totals_of(w: &World, volunteer: &str) -> (i64, Vec<(i64, i64)>) {
    let t = w
        .app
        .get(
            &format!("/api/v1/volunteer-totals/{volunteer}"),
            Some(&w.admin),
        )
        .await;
    t.expect(200);
    let mut years: Vec<(i64, i64)> = t.body["years"]
        .as_array()
        .unwrap()
        .iter()
        .map(|y| {
            (
                y["year"].as_i64().unwrap(),
                y["approved_minutes"].as_i64().unwrap(),
            )
        })
        .collect();
    years.sort_unstable();
    (t.body["approved_minutes"].as_i64().unwrap(), years)
}

#[tokio::test]
async fn a_mixed_batch_has_the_outcomes_of_its_items_processed_one_by_one() {
    let w = world().await;
    let ids = push_volunteers(&w, 3).await;
    let first = json!({"items": [
        record_at(&w.org, "a-1", 1, "2025-01-05", 9, 11),
        record_at(&w.org, "b-1", 2, "2025-01-05", 9, 11),
    ]});
    let r = send(&w.app, RECORDS, &w.token, Some("first"), &first).await;
    assert_eq!(outcomes(&r), ["created", "created"]);

    let mut unknown = record_at(&w.org, "x-1", 2, "2025-01-08", 9, 11);
    unknown["volunteer_external_id"] = json!("stu-0999");
    let second = json!({"items": [
        // Already mapped, same content.
        record_at(&w.org, "a-1", 1, "2025-01-05", 9, 11),
        // New records of three volunteers, one of them in 2024.
        record_at(&w.org, "a-2", 1, "2025-01-06", 9, 11),
        record_at(&w.org, "b-2", 2, "2025-01-06", 9, 11),
        // The same external id again with a longer interval: a correction of the line above.
        record_at(&w.org, "b-2", 2, "2025-01-06", 9, 12),
        record_at(&w.org, "c-1", 3, "2025-01-07", 9, 11),
        // Overlaps the line above (same volunteer, same batch): held pending as a conflict.
        record_at(&w.org, "c-2", 3, "2025-01-07", 10, 12),
        unknown,
        record_at(&w.org, "a-3", 1, "2024-12-30", 9, 11),
        // Touches c-1 without overlapping it.
        record_at(&w.org, "c-3", 3, "2025-01-07", 11, 13),
    ]});
    let r = send(&w.app, RECORDS, &w.token, Some("second"), &second).await;
    r.expect(200);
    assert_eq!(
        outcomes(&r),
        [
            "unchanged",
            "created",
            "created",
            "updated",
            "created",
            "created",
            "rejected",
            "created",
            "created"
        ]
    );
    let res = r.body["results"].as_array().unwrap();
    assert_eq!(res[3]["status"], "approved");
    assert_ne!(res[3]["id"], res[2]["id"]);
    assert_eq!(
        (res[5]["status"].as_str(), res[5]["conflict"].as_bool()),
        (Some("pending"), Some(true))
    );
    assert_eq!(
        (res[8]["status"].as_str(), res[8]["conflict"].as_bool()),
        (Some("approved"), Some(false))
    );
    assert_eq!(
        res[6]["problem"]["errors"][0]["code"],
        "volunteer_not_found"
    );
    assert_eq!(r.body["summary"]["created"], 6);
    // The record of b-2 as first pushed is superseded by the correction.
    let old = w
        .app
        .get(
            &format!("/api/v1/service-records/{}", res[2]["id"].as_str().unwrap()),
            Some(&w.admin),
        )
        .await;
    assert_eq!(old.body["status"], "superseded");

    assert_eq!(
        totals_of(&w, &ids[0]).await,
        (360, vec![(2024, 120), (2025, 240)])
    );
    assert_eq!(totals_of(&w, &ids[1]).await, (300, vec![(2025, 300)]));
    assert_eq!(totals_of(&w, &ids[2]).await, (240, vec![(2025, 240)]));
    let org_totals = w
        .app
        .get(
            &format!("/api/v1/organizations/{}/service-totals", w.org),
            Some(&w.admin),
        )
        .await;
    org_totals.expect(200);
    let years = org_totals.body["years"].as_array().unwrap();
    let minutes_in = |year: i64| {
        years
            .iter()
            .find(|y| y["year"] == year)
            .map_or(0, |y| y["approved_minutes"].as_i64().unwrap())
    };
    assert_eq!((minutes_in(2024), minutes_in(2025)), (120, 780));
    // Every written record is in the change feed once (superseded + correction for b-2).
    assert_eq!(
        count(&w.app, "sync_changes WHERE entity_type = 'service_record'").await,
        2 + 6 + 2
    );
    assert_eq!(
        count(&w.app, "partner_external_ids WHERE kind = 'service_record'").await,
        8
    );
}

#[tokio::test]
async fn two_keys_pushing_the_same_new_records_at_once_create_each_record_once() {
    let w = world().await;
    let ids = push_volunteers(&w, 3).await;
    let items: Vec<Value> = (1..=10)
        .flat_map(|day| {
            let org = w.org.clone();
            (1..=3).map(move |n| {
                record_at(
                    &org,
                    &format!("r-{day}-{n}"),
                    n,
                    &format!("2025-02-{day:02}"),
                    9,
                    11,
                )
            })
        })
        .collect();
    let body = json!({"items": items});
    let (a, b) = tokio::join!(
        send(&w.app, RECORDS, &w.token, Some("key-a"), &body),
        send(&w.app, RECORDS, &w.token, Some("key-b"), &body)
    );
    a.expect(200);
    b.expect(200);
    let mut created = 0;
    for r in [&a, &b] {
        for o in outcomes(r) {
            assert!(o == "created" || o == "unchanged", "{o}: {}", r.text);
            created += usize::from(o == "created");
        }
    }
    assert_eq!(created, 30);
    assert_eq!(count(&w.app, "service_records").await, 30);
    for id in &ids {
        assert_eq!(totals_of(&w, id).await.0, 1200);
    }
}

#[tokio::test]
async fn concurrent_batches_for_the_same_volunteers_neither_deadlock_nor_lose_minutes() {
    let w = world().await;
    let ids = push_volunteers(&w, 4).await;
    // Four batches, each touching all four volunteers, in different orders.
    let batch = |k: u32| {
        let mut items: Vec<Value> = (1..=4)
            .flat_map(|n| (1..=5).map(move |d| (n, d)))
            .map(|(n, d)| {
                record_at(
                    &w.org,
                    &format!("k{k}-{n}-{d}"),
                    n,
                    &format!("2025-0{}-{d:02}", k + 2),
                    9,
                    10,
                )
            })
            .collect();
        if k % 2 == 1 {
            items.reverse();
        }
        json!({"items": items})
    };
    let (b1, b2, b3, b4) = (batch(1), batch(2), batch(3), batch(4));
    let (r1, r2, r3, r4) = tokio::join!(
        send(&w.app, RECORDS, &w.token, Some("k1"), &b1),
        send(&w.app, RECORDS, &w.token, Some("k2"), &b2),
        send(&w.app, RECORDS, &w.token, Some("k3"), &b3),
        send(&w.app, RECORDS, &w.token, Some("k4"), &b4)
    );
    for r in [&r1, &r2, &r3, &r4] {
        r.expect(200);
        assert_eq!(r.body["summary"]["created"], 20, "{}", r.text);
    }
    for id in &ids {
        // 4 batches × 5 days × 60 minutes.
        assert_eq!(totals_of(&w, id).await.0, 1200);
    }
}

#[tokio::test]
async fn partner_hours_count_towards_star_levels_like_local_ones() {
    let w = world().await;
    let v = send(
        &w.app,
        VOLUNTEERS,
        &w.token,
        Some("v"),
        &json!({"items": [example_volunteer(&w.org, 1)]}),
    )
    .await;
    let vid = v.body["results"][0]["id"].as_str().unwrap().to_owned();
    // Five days of 20 hours: 100 hours, the default threshold of one star.
    let items: Vec<Value> = (10..15)
        .map(|day| {
            let mut r = example_record(&w.org, 1, day);
            r["started_at"] = json!(format!("2025-01-{day:02}T02:00:00+08:00"));
            r["ended_at"] = json!(format!("2025-01-{day:02}T22:00:00+08:00"));
            r
        })
        .collect();
    let r = send(
        &w.app,
        RECORDS,
        &w.token,
        Some("r"),
        &json!({"items": items}),
    )
    .await;
    assert_eq!(r.body["summary"]["created"], 5);
    let level = w
        .app
        .get(
            &format!("/api/v1/volunteers/{vid}/star-level"),
            Some(&w.admin),
        )
        .await;
    level.expect(200);
    assert_eq!(level.body["approved_minutes"], 6000);
    assert_eq!(level.body["level"], 1);
}

#[tokio::test]
async fn partner_writes_stop_when_the_partner_is_suspended_or_its_secret_rotated() {
    let w = world().await;
    let id = w.partner["id"].as_str().unwrap();
    let items = json!({"items": [example_volunteer(&w.org, 1)]});
    w.app
        .post(
            &format!("/api/v1/partners/{id}/suspend"),
            Some(&w.admin),
            &json!({"version": 1}),
        )
        .await
        .expect(200);
    send(&w.app, VOLUNTEERS, &w.token, Some("s"), &items)
        .await
        .expect_problem(401, "partner_suspended");
    w.app
        .post(
            &format!("/api/v1/partners/{id}/reactivate"),
            Some(&w.admin),
            &json!({"version": 2}),
        )
        .await
        .expect(200);
    w.app
        .post(
            &format!("/api/v1/partners/{id}/rotate-secret"),
            Some(&w.admin),
            &json!({"version": 3}),
        )
        .await
        .expect(200);
    send(&w.app, VOLUNTEERS, &w.token, Some("s"), &items)
        .await
        .expect_problem(401, "credentials_rotated");
    // A user token is no partner token either.
    send(&w.app, VOLUNTEERS, &w.admin, Some("s"), &items)
        .await
        .expect_problem(401, "invalid_token");
    assert_eq!(count(&w.app, "volunteers").await, 0);
}

#[tokio::test]
async fn the_example_partner_client_pushes_replays_and_follows_the_feed() {
    let w = world().await;
    let mut api = PartnerApi::new(
        &w.app.address,
        w.partner["client_id"].as_str().unwrap(),
        w.partner["client_secret"].as_str().unwrap(),
    );
    api.authenticate().await.unwrap();
    let volunteers: Vec<Value> = (1..=3).map(|n| example_volunteer(&w.org, n)).collect();
    let first = api.push_volunteers("ex-v", &volunteers).await.unwrap();
    assert_eq!(first.status, 200);
    assert_eq!(first.body["summary"]["created"], 3);
    let replay = api.push_volunteers("ex-v", &volunteers).await.unwrap();
    assert!(replay.replayed);
    assert_eq!(replay.text, first.text);
    let records: Vec<Value> = (1..=3).map(|n| example_record(&w.org, n, 6)).collect();
    let pushed = api.push_records("ex-r", &records).await.unwrap();
    assert_eq!(pushed.body["summary"]["created"], 3);
    assert_eq!(count(&w.app, "volunteers").await, 3);
    assert_eq!(count(&w.app, "service_records").await, 3);

    // The change feed (issue 7, sync) shows what the partner pushed, in its scope. A change
    // appears once it is final (on PostgreSQL, when older transactions of the server have
    // ended), so the client polls from its cursor, as a partner would.
    let mut expected: Vec<String> = first.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| format!("volunteer/{}", r["id"].as_str().unwrap()))
        .collect();
    expected.extend(
        pushed.body["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| format!("service_record/{}", r["id"].as_str().unwrap())),
    );
    let mut mirror = std::collections::BTreeMap::new();
    let mut cursor = None;
    for _ in 0..100 {
        let (changes, next) = api.follow_feed(cursor.clone(), 2).await.unwrap();
        assert!(next.is_some());
        cursor = next;
        PartnerApi::apply(&mut mirror, &changes);
        if expected.iter().all(|k| mirror.contains_key(k)) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for k in &expected {
        assert!(mirror.contains_key(k), "{k} never appeared in the feed");
    }
    // The mirror holds the records as the platform shows them (approved, masked volunteer).
    let record = &mirror[&expected[3]];
    assert_eq!(record["status"], "approved");
    assert_eq!(record["external_id"], "act-06-stu-0001");
}
