//! Membership lifecycle: apply, approve / reject by admins whose subtree holds the organization,
//! leave, re-apply; scoping of lists and decisions.

use serde_json::{Value, json};

use crate::helpers::{TestApp, id_number, spawn_app};

const PASSWORD: &str = "Volunteer-pass-1";

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

/// Registers an adult volunteer and returns (volunteer id, access token).
async fn volunteer(app: &TestApp, seq: u32, mobile: &str) -> (String, String) {
    let r = app
        .post(
            "/api/v1/volunteers/register",
            None,
            &json!({
                "real_name": "张三",
                "id_type": "resident_id_card",
                "id_number": id_number("110101", "19900307", seq),
                "mobile": mobile,
                "region_code": "320102",
                "password": PASSWORD,
            }),
        )
        .await;
    r.expect(201);
    let login = app.login(mobile, PASSWORD).await;
    login.expect(200);
    (
        id(&r.body),
        login.body["access_token"].as_str().unwrap().to_owned(),
    )
}

/// province → Nanjing → 玄武区 (leaf); province → Suzhou. Admins for Nanjing and Suzhou.
struct Orgs {
    admin: String,
    xuanwu: String,
    suzhou: String,
    nanjing_admin: String,
    suzhou_admin: String,
}

async fn orgs(app: &TestApp) -> Orgs {
    let admin = app.admin_token().await;
    let province = id(&app.create_org(&admin, "共青团江苏省委", None).await);
    let nanjing = id(&app
        .create_org(&admin, "共青团南京市委", Some(&province))
        .await);
    let xuanwu = id(&app
        .create_org(&admin, "共青团玄武区委", Some(&nanjing))
        .await);
    let suzhou = id(&app
        .create_org(&admin, "共青团苏州市委", Some(&province))
        .await);
    let nanjing_admin = app.org_admin_token(&admin, &nanjing, "nj-admin").await;
    let suzhou_admin = app.org_admin_token(&admin, &suzhou, "sz-admin").await;
    Orgs {
        admin,
        xuanwu,
        suzhou,
        nanjing_admin,
        suzhou_admin,
    }
}

async fn apply(app: &TestApp, token: &str, org: &str) -> crate::helpers::Reply {
    app.post(
        "/api/v1/memberships",
        Some(token),
        &json!({"organization_id": org}),
    )
    .await
}

#[tokio::test]
async fn a_volunteer_applies_and_an_admin_of_the_parent_approves() {
    let app = spawn_app().await;
    let o = orgs(&app).await;
    let (vid, token) = volunteer(&app, 13, "13812341001").await;

    let r = apply(&app, &token, &o.xuanwu).await;
    r.expect(201);
    let mid = id(&r.body);
    assert_eq!(
        r.headers["location"],
        format!("/api/v1/memberships/{mid}").as_str()
    );
    assert_eq!(r.body["status"], "pending");
    assert_eq!(r.body["volunteer_id"], vid.as_str());
    assert!(r.body["decided_at"].is_null());

    let pending = app
        .get(
            &format!(
                "/api/v1/memberships?organization_id={}&status=pending",
                o.xuanwu
            ),
            Some(&o.nanjing_admin),
        )
        .await;
    pending.expect(200);
    assert_eq!(pending.body["total"], 1);

    let r = app
        .post(
            &format!("/api/v1/memberships/{mid}/approve"),
            Some(&o.nanjing_admin),
            &json!({}),
        )
        .await;
    r.expect(200);
    assert_eq!(r.body["status"], "active");
    assert!(r.body["decided_at"].is_string());
    assert!(r.body["decided_by"].is_string());

    let mine = app.get("/api/v1/memberships", Some(&token)).await;
    mine.expect(200);
    assert_eq!(mine.body["total"], 1);
    assert_eq!(mine.body["items"][0]["status"], "active");
    app.get(&format!("/api/v1/memberships/{mid}"), Some(&token))
        .await
        .expect(200);
}

#[tokio::test]
async fn only_pending_memberships_can_be_approved_or_rejected() {
    let app = spawn_app().await;
    let o = orgs(&app).await;
    let (_, token) = volunteer(&app, 13, "13812341002").await;
    let mid = id(&apply(&app, &token, &o.xuanwu).await.body);
    let path = format!("/api/v1/memberships/{mid}");
    app.post(
        &format!("{path}/reject"),
        Some(&o.nanjing_admin),
        &json!({}),
    )
    .await
    .expect(200);
    app.post(
        &format!("{path}/approve"),
        Some(&o.nanjing_admin),
        &json!({}),
    )
    .await
    .expect_problem(409, "invalid_state");
    app.post(&format!("{path}/reject"), Some(&o.admin), &json!({}))
        .await
        .expect_problem(409, "invalid_state");
}

#[tokio::test]
async fn applying_twice_returns_409_and_applying_again_after_a_rejection_reuses_the_row() {
    let app = spawn_app().await;
    let o = orgs(&app).await;
    let (_, token) = volunteer(&app, 13, "13812341003").await;
    let first = apply(&app, &token, &o.xuanwu).await;
    first.expect(201);
    apply(&app, &token, &o.xuanwu)
        .await
        .expect_problem(409, "duplicate_membership");
    let mid = id(&first.body);
    app.post(
        &format!("/api/v1/memberships/{mid}/reject"),
        Some(&o.nanjing_admin),
        &json!({}),
    )
    .await
    .expect(200);
    let again = apply(&app, &token, &o.xuanwu).await;
    again.expect(201);
    assert_eq!(id(&again.body), mid);
    assert_eq!(again.body["status"], "pending");
    assert!(again.body["decided_by"].is_null());
}

#[tokio::test]
async fn a_volunteer_leaves_once_and_only_their_own_membership() {
    let app = spawn_app().await;
    let o = orgs(&app).await;
    let (_, token) = volunteer(&app, 13, "13812341004").await;
    let (_, other) = volunteer(&app, 15, "13812341005").await;
    let mid = id(&apply(&app, &token, &o.suzhou).await.body);
    app.post(
        &format!("/api/v1/memberships/{mid}/approve"),
        Some(&o.suzhou_admin),
        &json!({}),
    )
    .await
    .expect(200);
    let path = format!("/api/v1/memberships/{mid}/leave");
    app.post(&path, Some(&other), &json!({}))
        .await
        .expect_problem(404, "not_found");
    app.get(&format!("/api/v1/memberships/{mid}"), Some(&other))
        .await
        .expect_problem(404, "not_found");
    app.post(&path, Some(&o.suzhou_admin), &json!({}))
        .await
        .expect_problem(403, "forbidden");
    let r = app.post(&path, Some(&token), &json!({})).await;
    r.expect(200);
    assert_eq!(r.body["status"], "left");
    app.post(&path, Some(&token), &json!({}))
        .await
        .expect_problem(409, "invalid_state");
    // Re-joining after leaving is an application again.
    let again = apply(&app, &token, &o.suzhou).await;
    again.expect(201);
    assert_eq!(again.body["status"], "pending");
}

#[tokio::test]
async fn an_admin_of_another_subtree_can_neither_see_nor_decide() {
    let app = spawn_app().await;
    let o = orgs(&app).await;
    let (_, token) = volunteer(&app, 13, "13812341006").await;
    let mid = id(&apply(&app, &token, &o.xuanwu).await.body);
    app.post(
        &format!("/api/v1/memberships/{mid}/approve"),
        Some(&o.suzhou_admin),
        &json!({}),
    )
    .await
    .expect_problem(404, "not_found");
    app.get(&format!("/api/v1/memberships/{mid}"), Some(&o.suzhou_admin))
        .await
        .expect_problem(404, "not_found");
    let list = app.get("/api/v1/memberships", Some(&o.suzhou_admin)).await;
    list.expect(200);
    assert_eq!(list.body["total"], 0);
    let list = app
        .get(
            &format!("/api/v1/memberships?organization_id={}", o.xuanwu),
            Some(&o.suzhou_admin),
        )
        .await;
    assert_eq!(list.body["total"], 0);
    let all = app.get("/api/v1/memberships", Some(&o.admin)).await;
    assert_eq!(all.body["total"], 1);
}

#[tokio::test]
async fn a_rejected_applicant_is_no_longer_visible_to_the_organization() {
    let app = spawn_app().await;
    let o = orgs(&app).await;
    let (vid, token) = volunteer(&app, 13, "13812341007").await;
    let mid = id(&apply(&app, &token, &o.xuanwu).await.body);
    let path = format!("/api/v1/volunteers/{vid}");
    app.get(&path, Some(&o.nanjing_admin)).await.expect(200);
    app.post(
        &format!("/api/v1/memberships/{mid}/reject"),
        Some(&o.nanjing_admin),
        &json!({}),
    )
    .await
    .expect(200);
    app.get(&path, Some(&o.nanjing_admin))
        .await
        .expect_problem(404, "not_found");
}

#[tokio::test]
async fn applying_to_an_unknown_or_inactive_organization_is_refused() {
    let app = spawn_app().await;
    let o = orgs(&app).await;
    let (_, token) = volunteer(&app, 13, "13812341008").await;
    let r = apply(&app, &token, &uuid::Uuid::now_v7().to_string()).await;
    r.expect_problem(422, "validation_failed");
    assert_eq!(r.body["errors"][0]["code"], "organization_not_found");

    app.post(
        &format!("/api/v1/organizations/{}/deactivate", o.xuanwu),
        Some(&o.admin),
        &json!({}),
    )
    .await
    .expect(200);
    let r = apply(&app, &token, &o.xuanwu).await;
    r.expect_problem(422, "validation_failed");
    assert_eq!(r.body["errors"][0]["code"], "organization_inactive");

    app.post(
        "/api/v1/memberships",
        Some(&token),
        &json!({"organization_id": o.suzhou, "status": "active"}),
    )
    .await
    .expect_problem(422, "invalid_body");
}

#[tokio::test]
async fn only_volunteers_apply_and_a_deregistered_volunteer_cannot() {
    let app = spawn_app().await;
    let o = orgs(&app).await;
    apply(&app, &o.nanjing_admin, &o.xuanwu)
        .await
        .expect_problem(403, "forbidden");
    let (vid, token) = volunteer(&app, 13, "13812341009").await;
    let mid = id(&apply(&app, &token, &o.suzhou).await.body);
    app.post(
        &format!("/api/v1/volunteers/{vid}/deregister"),
        Some(&token),
        &json!({}),
    )
    .await
    .expect(200);
    // Deregistration ends the pending application.
    let m = app
        .get(&format!("/api/v1/memberships/{mid}"), Some(&o.suzhou_admin))
        .await;
    m.expect(200);
    assert_eq!(m.body["status"], "left");
    // Deregistration disables the login account: its access token stops working at once.
    apply(&app, &token, &o.xuanwu)
        .await
        .expect_problem(401, "account_disabled");
}
