//! Partner platforms (issue 7 part A): registry, client credentials, tokens, the partner
//! extractor, idempotent batch upserts of volunteers and service records.

use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp, spawn_app};

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
        use sea_orm::{ConnectionTrait as _, Statement};
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
