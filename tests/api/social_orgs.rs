//! Youth social organizations (issue 6 part A): the registry (USCC prefix of civil-affairs
//! registration, incubation transitions, subtree scope, filters, masking), rating templates
//! (tree checks, versions) and rating rounds (eligibility, self-assessment with evidence,
//! reviewer conflict of interest, score bounds, exact aggregation and bands, trimmed mean,
//! template version freezing, publication, appeals, grade history).

use serde_json::{Value, json};

use crate::helpers::{TestApp, beijing_today, spawn_app};

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

/// GB 32100 check character for a 17-character body.
fn uscc(body17: &str) -> String {
    const CHARS: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    const W: [usize; 17] = [
        1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
    ];
    let sum: usize = body17
        .chars()
        .zip(W)
        .map(|(c, w)| CHARS.find(c).unwrap() * w)
        .sum();
    let check = (31 - sum % 31) % 31;
    format!("{body17}{}", CHARS.chars().nth(check).unwrap())
}

/// province → city (南京) → …; province → other city (苏州); admins of both cities.
struct World {
    admin: String,
    province: String,
    city: String,
    city_admin: String,
    other: String,
    other_admin: String,
}

async fn world(app: &TestApp) -> World {
    let admin = app.admin_token().await;
    let province = id(&app.create_org(&admin, "共青团江苏省委", None).await);
    let city = id(&app
        .create_org(&admin, "共青团南京市委", Some(&province))
        .await);
    let r = app
        .post(
            "/api/v1/organizations",
            Some(&admin),
            &json!({"name": "共青团苏州市委", "kind": "league_committee", "region_code": "320500", "parent_id": province}),
        )
        .await;
    r.expect(201);
    let other = id(&r.body);
    let city_admin = app.org_admin_token(&admin, &city, "city_admin").await;
    let other_admin = app.org_admin_token(&admin, &other, "other_admin").await;
    World {
        admin,
        province,
        city,
        city_admin,
        other,
        other_admin,
    }
}

/// Creates an organization of kind `youth_social_organization` under `parent`.
async fn yso_org(
    app: &TestApp,
    token: &str,
    name: &str,
    parent: &str,
    region: &str,
    uscc: Option<&str>,
) -> String {
    let mut body = json!({"name": name, "kind": "youth_social_organization", "region_code": region, "parent_id": parent});
    if let Some(u) = uscc {
        body["uscc"] = json!(u);
    }
    let r = app.post("/api/v1/organizations", Some(token), &body).await;
    r.expect(201);
    id(&r.body)
}

fn profile_body(org: &str, civil: bool, registered_on: &str) -> Value {
    json!({
        "organization_id": org,
        "field": "public_welfare",
        "new_field_group": "web_writers",
        "civil_affairs_registered": civil,
        "registered_on": registered_on,
        "contact_name": "张小明",
        "contact_phone": "13812341234",
        "league_branch": "青年志愿服务中心团支部",
    })
}

/// A registered youth social organization (registered ten years ago) under `parent`.
async fn registered(app: &TestApp, token: &str, name: &str, parent: &str) -> String {
    let org = yso_org(app, token, name, parent, "320102", None).await;
    app.post(
        "/api/v1/youth-social-organizations",
        Some(token),
        &profile_body(&org, false, "2015-03-01"),
    )
    .await
    .expect(201);
    org
}

#[tokio::test]
async fn civil_affairs_registration_needs_a_uscc_starting_51_52_53_or_59() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let business = yso_org(
        &app,
        &w.admin,
        "某文化公司",
        &w.city,
        "320102",
        Some(&uscc("91320102MA1X2Y3B4")),
    )
    .await;
    let none = yso_org(&app, &w.admin, "无代码组织", &w.city, "320102", None).await;
    let social = yso_org(
        &app,
        &w.admin,
        "南京青年公益服务中心",
        &w.city,
        "320102",
        Some(&uscc("52320102MJ5678901")),
    )
    .await;

    for org in [&business, &none] {
        app.post(
            "/api/v1/youth-social-organizations",
            Some(&w.admin),
            &profile_body(org, true, "2020-01-01"),
        )
        .await
        .expect_problem(422, "validation_failed");
        let r = app
            .post(
                "/api/v1/youth-social-organizations",
                Some(&w.admin),
                &profile_body(org, true, "2020-01-01"),
            )
            .await;
        assert_eq!(
            r.body["errors"][0]["code"], "uscc_not_civil_affairs",
            "{}",
            r.text
        );
    }
    // Not registered with civil affairs: no USCC needed.
    app.post(
        "/api/v1/youth-social-organizations",
        Some(&w.admin),
        &profile_body(&none, false, "2020-01-01"),
    )
    .await
    .expect(201);

    let r = app
        .post(
            "/api/v1/youth-social-organizations",
            Some(&w.city_admin),
            &profile_body(&social, true, "2020-01-01"),
        )
        .await;
    r.expect(201);
    assert_eq!(
        r.headers["location"].to_str().unwrap(),
        format!("/api/v1/youth-social-organizations/{social}")
    );
    assert_eq!(r.body["incubation_status"], "applied");
    assert_eq!(r.body["contact_phone_masked"], "138****1234");
    assert_eq!(r.body["contact_name_masked"], "张**");
    assert!(!r.text.contains("13812341234") && !r.text.contains("张小明"));

    // A second profile for the same organization is a conflict.
    app.post(
        "/api/v1/youth-social-organizations",
        Some(&w.admin),
        &profile_body(&social, true, "2020-01-01"),
    )
    .await
    .expect_problem(409, "profile_exists");
    // A league committee is not a youth social organization.
    let r = app
        .post(
            "/api/v1/youth-social-organizations",
            Some(&w.admin),
            &profile_body(&w.city, false, "2020-01-01"),
        )
        .await;
    r.expect(422);
    assert_eq!(r.body["errors"][0]["code"], "organization_kind");
    // Switching the business-registered organization's profile to civil affairs is refused too.
    let r = app
        .post(
            "/api/v1/youth-social-organizations",
            Some(&w.admin),
            &profile_body(&business, false, "2020-01-01"),
        )
        .await;
    r.expect(201);
    let r = app
        .patch(
            &format!("/api/v1/youth-social-organizations/{business}"),
            Some(&w.admin),
            &json!({"version": 1, "civil_affairs_registered": true}),
        )
        .await;
    r.expect(422);
    assert_eq!(r.body["errors"][0]["code"], "uscc_not_civil_affairs");
}

#[tokio::test]
async fn incubation_moves_applied_incubating_graduated_and_never_back() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let org = registered(&app, &w.city_admin, "青年创客社", &w.city).await;
    let path = format!("/api/v1/youth-social-organizations/{org}");

    // applied → graduated skips a step.
    app.patch(
        &path,
        Some(&w.city_admin),
        &json!({"version": 1, "incubation_status": "graduated"}),
    )
    .await
    .expect_problem(422, "incubation_transition");
    let r = app
        .patch(
            &path,
            Some(&w.city_admin),
            &json!({"version": 1, "incubation_status": "incubating", "incubation_date": beijing_today().to_string()}),
        )
        .await;
    r.expect(200);
    assert_eq!(r.body["incubation_status"], "incubating");
    assert_eq!(r.body["incubation_started_on"], beijing_today().to_string());
    // A stale version is refused.
    app.patch(
        &path,
        Some(&w.city_admin),
        &json!({"version": 1, "incubation_status": "graduated"}),
    )
    .await
    .expect_problem(412, "version_mismatch");
    // Back to applied is not allowed.
    app.patch(
        &path,
        Some(&w.city_admin),
        &json!({"version": 2, "incubation_status": "applied"}),
    )
    .await
    .expect_problem(422, "incubation_transition");
    let r = app
        .patch(
            &path,
            Some(&w.city_admin),
            &json!({"version": 2, "incubation_status": "graduated"}),
        )
        .await;
    r.expect(200);
    assert_eq!(r.body["incubation_status"], "graduated");
    assert_eq!(r.body["version"], 3);
    // Graduated is final.
    app.patch(
        &path,
        Some(&w.city_admin),
        &json!({"version": 3, "incubation_status": "withdrawn"}),
    )
    .await
    .expect_problem(422, "incubation_transition");

    // applied → withdrawn is allowed.
    let other = registered(&app, &w.admin, "青年读书会", &w.city).await;
    let r = app
        .patch(
            &format!("/api/v1/youth-social-organizations/{other}"),
            Some(&w.admin),
            &json!({"version": 1, "incubation_status": "withdrawn"}),
        )
        .await;
    r.expect(200);
    assert_eq!(r.body["incubation_status"], "withdrawn");
}

#[tokio::test]
async fn org_admins_see_only_their_subtree_and_lists_filter() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let nanjing = registered(&app, &w.city_admin, "南京青年志愿服务中心", &w.city).await;
    let suzhou_org = yso_org(
        &app,
        &w.admin,
        "苏州青年音乐人协会",
        &w.other,
        "320505",
        None,
    )
    .await;
    let mut body = profile_body(&suzhou_org, false, "2018-05-01");
    body["field"] = json!("interest");
    body["new_field_group"] = json!("independent_musicians");
    app.post(
        "/api/v1/youth-social-organizations",
        Some(&w.other_admin),
        &body,
    )
    .await
    .expect(201);

    // Outside the subtree: 404 for reads and writes.
    let path = format!("/api/v1/youth-social-organizations/{nanjing}");
    app.get(&path, Some(&w.other_admin))
        .await
        .expect_problem(404, "not_found");
    app.patch(
        &path,
        Some(&w.other_admin),
        &json!({"version": 1, "field": "service"}),
    )
    .await
    .expect_problem(404, "not_found");
    app.post(
        &format!("{path}/partner-memberships"),
        Some(&w.other_admin),
        &json!({"starts_on": "2024-01-01"}),
    )
    .await
    .expect_problem(404, "not_found");
    app.get(&path, Some(&w.city_admin)).await.expect(200);
    // An org admin cannot register an organization outside the subtree either.
    let outside = yso_org(&app, &w.admin, "另一个组织", &w.other, "320505", None).await;
    app.post(
        "/api/v1/youth-social-organizations",
        Some(&w.city_admin),
        &profile_body(&outside, false, "2020-01-01"),
    )
    .await
    .expect_problem(404, "not_found");

    let r = app
        .get("/api/v1/youth-social-organizations", Some(&w.city_admin))
        .await;
    r.expect(200);
    assert_eq!(r.body["total"], 1);
    assert_eq!(r.body["items"][0]["organization_id"], nanjing.as_str());
    let r = app
        .get("/api/v1/youth-social-organizations", Some(&w.admin))
        .await;
    assert_eq!(r.body["total"], 2);

    // Filters: field, region with sub-regions, incubation status, partner programme on a date.
    let r = app
        .get(
            "/api/v1/youth-social-organizations?field=interest",
            Some(&w.admin),
        )
        .await;
    assert_eq!(r.body["total"], 1);
    assert_eq!(r.body["items"][0]["organization_id"], suzhou_org.as_str());
    let r = app
        .get(
            "/api/v1/youth-social-organizations?region_code=320100",
            Some(&w.admin),
        )
        .await;
    assert_eq!(r.body["total"], 1);
    assert_eq!(r.body["items"][0]["organization_id"], nanjing.as_str());
    let r = app
        .get(
            "/api/v1/youth-social-organizations?region_code=320000",
            Some(&w.admin),
        )
        .await;
    assert_eq!(r.body["total"], 2);
    let r = app
        .get(
            "/api/v1/youth-social-organizations?incubation_status=incubating",
            Some(&w.admin),
        )
        .await;
    assert_eq!(r.body["total"], 0);

    let r = app
        .post(
            &format!("{path}/partner-memberships"),
            Some(&w.city_admin),
            &json!({"starts_on": "2024-01-01", "ends_on": "2024-12-31"}),
        )
        .await;
    r.expect(201);
    assert_eq!(r.body["partner_memberships"][0]["programme"], "亲青伙伴");
    app.post(
        &format!("{path}/partner-memberships"),
        Some(&w.city_admin),
        &json!({"starts_on": "2024-01-01", "ends_on": "2023-12-31"}),
    )
    .await
    .expect(422);
    for (date, total) in [
        ("2024-06-01", 1),
        ("2024-12-31", 1),
        ("2025-01-01", 0),
        ("2023-12-31", 0),
    ] {
        let r = app
            .get(
                &format!("/api/v1/youth-social-organizations?partner_active_on={date}"),
                Some(&w.admin),
            )
            .await;
        assert_eq!(r.body["total"], total, "{date}: {}", r.text);
    }
}
