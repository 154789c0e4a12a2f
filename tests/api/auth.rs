//! Login, tokens, refresh rotation, logout, rate limits and the error format of bodies.

use jsonwebtoken::{EncodingKey, Header};
use serde_json::json;

use crate::helpers::{ADMIN_PASSWORD, spawn_app, spawn_app_with};

#[tokio::test]
async fn login_with_the_right_password_returns_an_access_and_a_refresh_token() {
    let app = spawn_app().await;
    let r = app.login("admin", ADMIN_PASSWORD).await;
    r.expect(200);
    assert_eq!(r.body["token_type"], "Bearer");
    assert_eq!(r.body["expires_in"], 900);
    assert!(
        r.body["refresh_token"]
            .as_str()
            .is_some_and(|t| t.len() >= 40)
    );
    let me = app
        .get("/api/v1/auth/me", r.body["access_token"].as_str())
        .await;
    me.expect(200);
    assert_eq!(me.body["username"], "admin");
    assert_eq!(me.body["role"], "platform_admin");
}

#[tokio::test]
async fn a_wrong_password_or_unknown_login_returns_401_invalid_credentials() {
    let app = spawn_app().await;
    app.login("admin", "wrong-password")
        .await
        .expect_problem(401, "invalid_credentials");
    app.login("nobody", ADMIN_PASSWORD)
        .await
        .expect_problem(401, "invalid_credentials");
}

#[tokio::test]
async fn repeated_logins_for_one_account_are_rate_limited_with_retry_after() {
    let app = spawn_app().await;
    for _ in 0..5 {
        app.login("admin", "wrong-password").await.expect(401);
    }
    let r = app.login("admin", ADMIN_PASSWORD).await;
    r.expect_problem(429, "too_many_requests");
    let retry: u64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry));
}

#[tokio::test]
async fn logins_from_one_address_are_rate_limited_across_accounts() {
    let app = spawn_app_with(|s| s.login_max_per_address = 3).await;
    for name in ["a1", "a2", "a3"] {
        app.login(name, "x").await.expect(401);
    }
    app.login("a4", "x")
        .await
        .expect_problem(429, "too_many_requests");
}

#[tokio::test]
async fn requests_without_a_valid_token_get_401_with_a_reason() {
    let app = spawn_app().await;
    app.get("/api/v1/auth/me", None)
        .await
        .expect_problem(401, "missing_token");
    app.get("/api/v1/auth/me", Some("not-a-jwt"))
        .await
        .expect_problem(401, "invalid_token");

    let now = chrono::Utc::now().timestamp();
    let claims = json!({"sub": uuid::Uuid::now_v7(), "role": "platform_admin", "iat": now - 3600, "exp": now - 600});
    let expired = jsonwebtoken::encode(
        &Header::default(),
        &claims,
        &EncodingKey::from_secret(&app.jwt_secret).unwrap(),
    )
    .unwrap();
    app.get("/api/v1/auth/me", Some(&expired))
        .await
        .expect_problem(401, "token_expired");

    let forged = jsonwebtoken::encode(
        &Header::default(),
        &json!({"sub": uuid::Uuid::now_v7(), "role": "platform_admin", "iat": now, "exp": now + 600}),
        &EncodingKey::from_secret(b"another-secret-another-secret-xx").unwrap(),
    )
    .unwrap();
    app.get("/api/v1/auth/me", Some(&forged))
        .await
        .expect_problem(401, "invalid_token");

    let no_exp = jsonwebtoken::encode(
        &Header::default(),
        &json!({"sub": uuid::Uuid::now_v7(), "role": "platform_admin", "iat": now}),
        &EncodingKey::from_secret(&app.jwt_secret).unwrap(),
    )
    .unwrap();
    app.get("/api/v1/auth/me", Some(&no_exp))
        .await
        .expect_problem(401, "invalid_token");

    // alg=none: header {"alg":"none"} with the right claims and no signature.
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let none = format!(
        "{}.{}.",
        b64.encode(br#"{"alg":"none","typ":"JWT"}"#),
        b64.encode(json!({"sub": uuid::Uuid::now_v7(), "role": "platform_admin", "iat": now, "exp": now + 600}).to_string())
    );
    app.get("/api/v1/auth/me", Some(&none))
        .await
        .expect_problem(401, "invalid_token");
}

#[tokio::test]
async fn refresh_rotates_the_token_and_a_used_token_revokes_the_whole_login() {
    let app = spawn_app().await;
    let first = app.login("admin", ADMIN_PASSWORD).await;
    let t1 = first.body["refresh_token"].as_str().unwrap().to_owned();

    let second = app
        .post("/api/v1/auth/refresh", None, &json!({"refresh_token": t1}))
        .await;
    second.expect(200);
    let t2 = second.body["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(t1, t2);
    app.get("/api/v1/auth/me", second.body["access_token"].as_str())
        .await
        .expect(200);

    // Replaying the used token is refused and revokes the family, including t2.
    app.post("/api/v1/auth/refresh", None, &json!({"refresh_token": t1}))
        .await
        .expect_problem(401, "refresh_token_reused");
    app.post("/api/v1/auth/refresh", None, &json!({"refresh_token": t2}))
        .await
        .expect_problem(401, "invalid_refresh_token");
}

#[tokio::test]
async fn two_concurrent_refreshes_with_one_token_succeed_at_most_once() {
    let app = spawn_app().await;
    let t = app.login("admin", ADMIN_PASSWORD).await.body["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let body = json!({"refresh_token": t});
    let (a, b) = tokio::join!(
        app.post("/api/v1/auth/refresh", None, &body),
        app.post("/api/v1/auth/refresh", None, &body)
    );
    let ok = [a.status.as_u16(), b.status.as_u16()]
        .iter()
        .filter(|s| **s == 200)
        .count();
    assert!(ok <= 1, "both refreshes succeeded: {} / {}", a.text, b.text);
}

#[tokio::test]
async fn logout_revokes_the_refresh_token() {
    let app = spawn_app().await;
    let r = app.login("admin", ADMIN_PASSWORD).await;
    let access = r.body["access_token"].as_str().unwrap();
    let refresh = r.body["refresh_token"].as_str().unwrap();
    app.post(
        "/api/v1/auth/logout",
        Some(access),
        &json!({"refresh_token": refresh}),
    )
    .await
    .expect(204);
    app.post(
        "/api/v1/auth/refresh",
        None,
        &json!({"refresh_token": refresh}),
    )
    .await
    .expect_problem(401, "invalid_refresh_token");
}

#[tokio::test]
async fn a_disabled_account_can_neither_log_in_nor_refresh() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let org = app.create_org(&admin, "团省委", None).await;
    let password = "Org-admin-pass-1";
    let acc = app
        .post(
            "/api/v1/accounts",
            Some(&admin),
            &json!({"username": "city-admin", "password": password, "organization_id": org["id"]}),
        )
        .await;
    acc.expect(201);
    let session = app.login("city-admin", password).await;
    session.expect(200);
    app.post(
        &format!(
            "/api/v1/accounts/{}/disable",
            acc.body["id"].as_str().unwrap()
        ),
        Some(&admin),
        &json!({}),
    )
    .await
    .expect(200);
    app.login("city-admin", password)
        .await
        .expect_problem(401, "invalid_credentials");
    app.post(
        "/api/v1/auth/refresh",
        None,
        &json!({"refresh_token": session.body["refresh_token"]}),
    )
    .await
    .expect_problem(401, "invalid_refresh_token");
}

#[tokio::test]
async fn the_access_token_of_a_disabled_account_stops_working_at_once() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let org = app.create_org(&admin, "团省委", None).await;
    let password = "Org-admin-pass-1";
    let acc = app
        .post(
            "/api/v1/accounts",
            Some(&admin),
            &json!({"username": "city-admin", "password": password, "organization_id": org["id"]}),
        )
        .await;
    acc.expect(201);
    let session = app.login("city-admin", password).await;
    session.expect(200);
    let token = session.body["access_token"].as_str().unwrap().to_owned();
    app.get("/api/v1/organizations", Some(&token))
        .await
        .expect(200);
    app.post(
        &format!(
            "/api/v1/accounts/{}/disable",
            acc.body["id"].as_str().unwrap()
        ),
        Some(&admin),
        &json!({}),
    )
    .await
    .expect(200);
    // The token is still signed and unexpired, but its account is disabled.
    app.get("/api/v1/auth/me", Some(&token))
        .await
        .expect_problem(401, "account_disabled");
    app.post(
        "/api/v1/organizations",
        Some(&token),
        &json!({"name": "停用后", "kind": "league_committee", "region_code": "320100", "parent_id": org["id"]}),
    )
    .await
    .expect_problem(401, "account_disabled");
    let listed = app.get("/api/v1/organizations", Some(&admin)).await;
    listed.expect(200);
    assert_eq!(listed.body["total"], 1, "{}", listed.body);
}

#[tokio::test]
async fn weak_passwords_and_bad_usernames_are_refused_for_new_accounts() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let org = app.create_org(&admin, "团市委", None).await;
    app.post(
        "/api/v1/accounts",
        Some(&admin),
        &json!({"username": "ok-name", "password": "short", "organization_id": org["id"]}),
    )
    .await
    .expect_problem(422, "validation_failed");
    app.post(
        "/api/v1/accounts",
        Some(&admin),
        &json!({"username": "bad name!", "password": "Long-enough-1", "organization_id": org["id"]}),
    )
    .await
    .expect_problem(422, "validation_failed");
    app.post(
        "/api/v1/accounts",
        Some(&admin),
        &json!({"username": "admin", "password": "Long-enough-1", "organization_id": org["id"]}),
    )
    .await
    .expect_problem(409, "duplicate_username");
}

#[tokio::test]
async fn reviewer_accounts_carry_an_affiliation_in_scope_and_see_no_organization_data() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let city = app.create_org(&admin, "团市委", None).await;
    let other = app.create_org(&admin, "另一团市委", None).await;
    let city_admin = app
        .org_admin_token(&admin, city["id"].as_str().unwrap(), "city-admin")
        .await;
    // An org admin must affiliate the reviewer inside their own subtree.
    app.post(
        "/api/v1/accounts",
        Some(&city_admin),
        &json!({"username": "rev-none", "password": "Reviewer-pass-1", "role": "reviewer"}),
    )
    .await
    .expect_problem(422, "validation_failed");
    app.post(
        "/api/v1/accounts",
        Some(&city_admin),
        &json!({"username": "rev-out", "password": "Reviewer-pass-1", "role": "reviewer",
                "organization_id": other["id"]}),
    )
    .await
    .expect_problem(422, "validation_failed");
    let r = app
        .post(
            "/api/v1/accounts",
            Some(&city_admin),
            &json!({"username": "rev-in", "password": "Reviewer-pass-1", "role": "reviewer",
                    "organization_id": city["id"]}),
        )
        .await;
    r.expect(201);
    assert_eq!(r.body["role"], "reviewer");
    assert_eq!(r.body["organization_id"], city["id"]);
    // A platform admin may create an unaffiliated reviewer (an outside expert).
    let reviewer = app.reviewer_token(&admin, None, "outside-expert").await;
    let me = app.get("/api/v1/auth/me", Some(&reviewer)).await;
    me.expect(200);
    assert_eq!(me.body["role"], "reviewer");
    // Reviewers manage nothing: admin-only operations are forbidden to them.
    app.get("/api/v1/accounts", Some(&reviewer))
        .await
        .expect_problem(403, "forbidden");
}

#[tokio::test]
async fn malformed_bodies_get_problem_documents_never_500() {
    let app = spawn_app().await;
    let r = app
        .post_raw(
            "/api/v1/auth/login",
            None,
            "application/json",
            b"{\"login\": ".to_vec(),
        )
        .await;
    r.expect_problem(400, "malformed_json");
    app.post(
        "/api/v1/auth/login",
        None,
        &json!({"login": 1, "password": "x"}),
    )
    .await
    .expect_problem(422, "invalid_body");
    app.post(
        "/api/v1/auth/login",
        None,
        &json!({"login": "a", "password": "x", "extra": true}),
    )
    .await
    .expect_problem(422, "invalid_body");
    app.post_raw(
        "/api/v1/auth/login",
        None,
        "text/plain",
        b"login=admin".to_vec(),
    )
    .await
    .expect_problem(415, "unsupported_media_type");
    let big = format!(
        "{{\"login\": \"{}\", \"password\": \"x\"}}",
        "a".repeat(300 * 1024)
    );
    app.post_raw(
        "/api/v1/auth/login",
        None,
        "application/json",
        big.into_bytes(),
    )
    .await
    .expect_problem(413, "payload_too_large");
}

#[tokio::test]
async fn unknown_routes_and_bad_path_or_query_values_are_problems() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    app.get("/api/v1/nowhere", None)
        .await
        .expect_problem(404, "not_found");
    app.get("/api/v1/organizations/not-a-uuid", Some(&admin))
        .await
        .expect_problem(400, "invalid_path");
    app.get("/api/v1/organizations?per_page=1000", Some(&admin))
        .await
        .expect_problem(400, "invalid_query");
    app.get("/api/v1/organizations?kind=castle", Some(&admin))
        .await
        .expect_problem(400, "invalid_query");
}

#[tokio::test]
async fn a_disabled_account_is_refused_by_the_single_statement_volunteer_read() {
    // GET /volunteers/{id} checks the account inside its own SELECT (PendingAuth): the answer
    // must still be 401 once the account is disabled, whether the volunteer exists, is outside
    // the caller's scope or is unknown — never 200 or 404.
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let province = app.create_org(&admin, "团省委", None).await;
    let city = app
        .create_org(&admin, "南京团市委", province["id"].as_str())
        .await;
    let other = app
        .create_org(&admin, "苏州团市委", province["id"].as_str())
        .await;
    let city_id = city["id"].as_str().unwrap();
    let inside = crate::helpers::admin_registered_volunteer(&app, &admin, city_id, "张三", 1).await;
    let outside = crate::helpers::admin_registered_volunteer(
        &app,
        &admin,
        other["id"].as_str().unwrap(),
        "李四",
        2,
    )
    .await;
    let token = app.org_admin_token(&admin, city_id, "city-admin").await;
    let inside = format!("/api/v1/volunteers/{}", inside["id"].as_str().unwrap());
    let outside = format!("/api/v1/volunteers/{}", outside["id"].as_str().unwrap());
    let unknown = format!("/api/v1/volunteers/{}", uuid::Uuid::now_v7());
    app.get(&inside, Some(&token)).await.expect(200);
    app.get(&outside, Some(&token))
        .await
        .expect_problem(404, "not_found");
    app.get(&unknown, Some(&token))
        .await
        .expect_problem(404, "not_found");
    let accounts = app
        .get("/api/v1/accounts?role=org_admin", Some(&admin))
        .await;
    accounts.expect(200);
    let id = accounts.body["items"][0]["id"].as_str().unwrap().to_owned();
    app.post(
        &format!("/api/v1/accounts/{id}/disable"),
        Some(&admin),
        &json!({}),
    )
    .await
    .expect(200);
    for path in [&inside, &outside, &unknown] {
        app.get(path, Some(&token))
            .await
            .expect_problem(401, "account_disabled");
    }
    app.get(&inside, Some(&admin)).await.expect(200);
}
