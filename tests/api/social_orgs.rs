//! Youth social organizations (issue 6 part A): the registry (USCC prefix of civil-affairs
//! registration, incubation transitions, subtree scope, filters, masking), rating templates
//! (tree checks, versions) and rating rounds (eligibility, self-assessment with evidence,
//! reviewer conflict of interest, score bounds, exact aggregation and bands, trimmed mean,
//! template version freezing, publication, appeals, grade history).

use serde_json::{Value, json};

use chrono::Datelike as _;

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
    // A step is never dated before the previous one.
    let r = app
        .patch(
            &path,
            Some(&w.city_admin),
            &json!({"version": 2, "incubation_status": "graduated", "incubation_date": "2000-01-01"}),
        )
        .await;
    r.expect(422);
    assert_eq!(r.body["errors"][0]["code"], "incubation_date_order");
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

// ---------------------------------------------------------------------------
// Rating templates
// ---------------------------------------------------------------------------

const LEAGUE_TEMPLATE: &str = "01930000-0000-7000-8000-0006a0000000";
const CIVIL_TEMPLATE: &str = "01930000-0000-7000-8000-0006b0000000";

#[tokio::test]
async fn the_two_default_templates_are_seeded_with_consistent_trees() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let r = app.get("/api/v1/rating-templates", Some(&admin)).await;
    r.expect(200);
    assert_eq!(r.body["total"], 2);

    let r = app
        .get(
            &format!("/api/v1/rating-templates/{LEAGUE_TEMPLATE}"),
            Some(&admin),
        )
        .await;
    r.expect(200);
    assert_eq!(r.body["code"], "league_three_dimensions");
    assert_eq!(r.body["version"], 1);
    assert_eq!(r.body["total_max_score"], 10000);
    let top = r.body["indicators"].as_array().unwrap();
    assert_eq!(top.len(), 3);
    assert!(
        top[0]["name"]
            .as_str()
            .unwrap()
            .contains("与团组织联系紧密程度")
    );
    assert!(top[1]["name"].as_str().unwrap().contains("组织功能发挥"));
    assert!(top[2]["name"].as_str().unwrap().contains("自身运营管理"));
    let mut total = 0;
    for t in top {
        let children: i64 = t["children"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["max_score"].as_i64().unwrap())
            .sum();
        assert_eq!(children, t["max_score"].as_i64().unwrap());
        assert!(!t["is_leaf"].as_bool().unwrap());
        total += children;
    }
    assert_eq!(total, 10000);

    let r = app
        .get(
            &format!("/api/v1/rating-templates/{CIVIL_TEMPLATE}"),
            Some(&admin),
        )
        .await;
    r.expect(200);
    assert_eq!(r.body["total_max_score"], 100_000);
    let names: Vec<&str> = r.body["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    for (n, expected) in names
        .iter()
        .zip(["基础条件", "内部治理", "工作绩效", "社会评价"])
    {
        assert!(n.contains(expected), "{n}");
    }
}

fn leaf(code: &str, max: i64) -> Value {
    json!({"code": code, "name": format!("指标{code}"), "weight": 1, "max_score": max, "evidence": "材料"})
}

#[tokio::test]
async fn template_trees_are_checked_and_each_publication_is_a_new_version() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let good = json!({
        "code": "city_rating",
        "name": "市级青年社会组织评价",
        "total_max_score": 10000,
        "indicators": [
            {"code": "A", "name": "联系", "weight": 40, "max_score": 4000,
             "children": [leaf("A1", 1500), leaf("A2", 2500)]},
            leaf("B", 6000),
        ],
    });
    let mut bad = good.clone();
    bad["indicators"][0]["children"][1]["max_score"] = json!(2400);
    bad["total_max_score"] = json!(9900);
    bad["indicators"][1]["weight"] = json!(0);
    let r = app
        .post("/api/v1/rating-templates", Some(&w.admin), &bad)
        .await;
    r.expect_problem(422, "validation_failed");
    let codes: Vec<&str> = r.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"children_max_mismatch"), "{}", r.text);
    assert!(codes.contains(&"weight_range"), "{}", r.text);
    let mut bad = good.clone();
    bad["total_max_score"] = json!(9999);
    let r = app
        .post("/api/v1/rating-templates", Some(&w.admin), &bad)
        .await;
    assert_eq!(
        r.body["errors"][0]["code"], "total_max_mismatch",
        "{}",
        r.text
    );
    let mut bad = good.clone();
    bad["indicators"][1]["max_score"] = json!(-6000);
    bad["total_max_score"] = json!(-2000);
    app.post("/api/v1/rating-templates", Some(&w.admin), &bad)
        .await
        .expect(422);
    // Only platform admins publish templates.
    app.post("/api/v1/rating-templates", Some(&w.city_admin), &good)
        .await
        .expect_problem(403, "forbidden");

    let r = app
        .post("/api/v1/rating-templates", Some(&w.admin), &good)
        .await;
    r.expect(201);
    assert_eq!(r.body["version"], 1);
    assert_eq!(
        r.body["indicators"][0]["children"][1]["max_score_display"],
        "25.00"
    );
    let r = app
        .post("/api/v1/rating-templates", Some(&w.admin), &good)
        .await;
    r.expect(201);
    assert_eq!(r.body["version"], 2);
    let r = app
        .get(
            "/api/v1/rating-templates?code=city_rating",
            Some(&w.city_admin),
        )
        .await;
    r.expect(200);
    assert_eq!(r.body["total"], 2);
    assert_eq!(r.body["items"][0]["version"], 2);
}

// ---------------------------------------------------------------------------
// Rating rounds
// ---------------------------------------------------------------------------

/// A one-indicator template (`S`, max 100.00 points) under a fresh code; returns its id.
async fn single_leaf_template(
    app: &TestApp,
    admin: &str,
    code: &str,
    leaf_code: &str,
    max: i64,
) -> String {
    let r = app
        .post(
            "/api/v1/rating-templates",
            Some(admin),
            &json!({"code": code, "name": "单项评价", "total_max_score": max, "indicators": [leaf(leaf_code, max)]}),
        )
        .await;
    r.expect(201);
    id(&r.body)
}

async fn open_round(app: &TestApp, admin: &str, template: &str, extra: Value) -> Value {
    let mut body = json!({
        "name": "2026年度青年社会组织评价",
        "template_id": template,
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let r = app.post("/api/v1/rating-rounds", Some(admin), &body).await;
    r.expect(201);
    r.body.clone()
}

/// A reviewer account (affiliated with `org` if given): (token, account id).
async fn reviewer(app: &TestApp, admin: &str, org: Option<&str>, name: &str) -> (String, String) {
    let token = app.reviewer_token(admin, org, name).await;
    let me = app.get("/api/v1/auth/me", Some(&token)).await;
    me.expect(200);
    let account = id(&me.body);
    (token, account)
}

async fn assign(app: &TestApp, admin: &str, round: &str, org: &str, reviewer: &str) -> String {
    let r = app
        .post(
            &format!("/api/v1/rating-rounds/{round}/assignments"),
            Some(admin),
            &json!({"organization_id": org, "reviewer_account_id": reviewer}),
        )
        .await;
    r.expect(201);
    id(&r.body)
}

async fn score(
    app: &TestApp,
    token: &str,
    assignment: &str,
    code: &str,
    points: i64,
) -> crate::helpers::Reply {
    app.request(
        reqwest::Method::PUT,
        &format!("/api/v1/rating-assignments/{assignment}/scores"),
        Some(token),
        Some(&json!({"scores": [{"indicator_code": code, "score": points}]})),
    )
    .await
}

async fn publish(app: &TestApp, admin: &str, round: &str) -> crate::helpers::Reply {
    let version = app
        .get(&format!("/api/v1/rating-rounds/{round}"), Some(admin))
        .await
        .body["version"]
        .clone();
    app.post(
        &format!("/api/v1/rating-rounds/{round}/publish"),
        Some(admin),
        &json!({"version": version}),
    )
    .await
}

async fn results(app: &TestApp, token: &str, round: &str) -> Vec<Value> {
    let r = app
        .get(
            &format!("/api/v1/rating-rounds/{round}/results"),
            Some(token),
        )
        .await;
    r.expect(200);
    r.body["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn reviewers_from_the_rated_organization_or_its_subtree_are_refused() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let rated = registered(&app, &w.admin, "南京青年公益联盟", &w.city).await;
    let branch = id(&app
        .create_org(&w.admin, "公益联盟浦口分队", Some(&rated))
        .await);
    let round = id(&open_round(&app, &w.admin, LEAGUE_TEMPLATE, json!({})).await);
    let path = format!("/api/v1/rating-rounds/{round}/assignments");

    let (_, own) = reviewer(&app, &w.admin, Some(&rated), "own_reviewer").await;
    let (_, below) = reviewer(&app, &w.admin, Some(&branch), "branch_reviewer").await;
    let (_, outside) = reviewer(&app, &w.admin, Some(&w.other), "suzhou_reviewer").await;
    let (_, free) = reviewer(&app, &w.admin, None, "free_reviewer").await;
    let city_admin_id = id(&app.get("/api/v1/auth/me", Some(&w.city_admin)).await.body);
    for conflicted in [&own, &below, &city_admin_id] {
        app.post(
            &path,
            Some(&w.admin),
            &json!({"organization_id": rated, "reviewer_account_id": conflicted}),
        )
        .await
        .expect_problem(422, "conflict_of_interest");
    }
    assign(&app, &w.admin, &round, &rated, &outside).await;
    assign(&app, &w.admin, &round, &rated, &free).await;
    app.post(
        &path,
        Some(&w.admin),
        &json!({"organization_id": rated, "reviewer_account_id": free}),
    )
    .await
    .expect_problem(409, "duplicate");
    // Only platform admins assign.
    app.post(
        &path,
        Some(&w.city_admin),
        &json!({"organization_id": rated, "reviewer_account_id": free}),
    )
    .await
    .expect_problem(403, "forbidden");

    // Eligibility: registered less than two years before the round's start.
    let young = yso_org(&app, &w.admin, "新成立的青年社团", &w.city, "320102", None).await;
    app.post(
        "/api/v1/youth-social-organizations",
        Some(&w.admin),
        &profile_body(&young, false, "2024-01-02"),
    )
    .await
    .expect(201);
    app.post(
        &path,
        Some(&w.admin),
        &json!({"organization_id": young, "reviewer_account_id": free}),
    )
    .await
    .expect_problem(422, "not_eligible");
    app.request(
        reqwest::Method::PUT,
        &format!("/api/v1/rating-rounds/{round}/self-assessments/{young}"),
        Some(&w.city_admin),
        Some(&json!({"items": []})),
    )
    .await
    .expect_problem(422, "not_eligible");
    // Registered exactly two years before the start is eligible.
    let exact = yso_org(&app, &w.admin, "两年整的青年社团", &w.city, "320102", None).await;
    app.post(
        "/api/v1/youth-social-organizations",
        Some(&w.admin),
        &profile_body(&exact, false, "2024-01-01"),
    )
    .await
    .expect(201);
    assign(&app, &w.admin, &round, &exact, &free).await;

    // A round limited to a subtree and a region: 南京 organizations are outside 苏州 (320500).
    let limited = id(&open_round(
        &app,
        &w.admin,
        LEAGUE_TEMPLATE,
        json!({"scope_organization_id": w.province, "region_code": "320500", "min_years_registered": 0}),
    )
    .await);
    app.post(
        &format!("/api/v1/rating-rounds/{limited}/assignments"),
        Some(&w.admin),
        &json!({"organization_id": rated, "reviewer_account_id": free}),
    )
    .await
    .expect_problem(422, "not_eligible");
    let suzhou = yso_org(&app, &w.admin, "苏州青年社团", &w.other, "320505", None).await;
    app.post(
        "/api/v1/youth-social-organizations",
        Some(&w.admin),
        &profile_body(&suzhou, false, "2025-06-01"),
    )
    .await
    .expect(201);
    assign(&app, &w.admin, &limited, &suzhou, &free).await;
}

#[tokio::test]
async fn scores_stay_within_bounds_and_reviewers_see_only_their_assignments() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let org = registered(&app, &w.city_admin, "南京青年公益联盟", &w.city).await;
    let round = id(&open_round(&app, &w.admin, LEAGUE_TEMPLATE, json!({})).await);
    let (ta, a) = reviewer(&app, &w.admin, None, "reviewer_a").await;
    let (tb, b) = reviewer(&app, &w.admin, None, "reviewer_b").await;
    let (tc, _) = reviewer(&app, &w.admin, None, "reviewer_c").await;
    let asg_a = assign(&app, &w.admin, &round, &org, &a).await;
    let asg_b = assign(&app, &w.admin, &round, &org, &b).await;

    // A1 has a maximum of 10.00 points.
    score(&app, &ta, &asg_a, "A1", 1001).await.expect(422);
    let r = score(&app, &ta, &asg_a, "A1", -1).await;
    r.expect(422);
    assert_eq!(r.body["errors"][0]["code"], "score_out_of_range");
    let r = score(&app, &ta, &asg_a, "A", 100).await;
    assert_eq!(
        r.body["errors"][0]["code"], "unknown_indicator",
        "{}",
        r.text
    );
    let r = score(&app, &ta, &asg_a, "A1", 1000).await;
    r.expect(200);
    assert_eq!(r.body["scored_indicators"], 1);
    assert_eq!(r.body["leaf_indicators"], 9);
    let r = score(&app, &ta, &asg_a, "A1", 0).await;
    r.expect(200);
    assert_eq!(r.body["total_score"], 0);

    // B cannot see or score A's assignment; neither can the platform admin score it.
    app.get(&format!("/api/v1/rating-assignments/{asg_a}"), Some(&tb))
        .await
        .expect_problem(404, "not_found");
    score(&app, &tb, &asg_a, "A1", 500)
        .await
        .expect_problem(404, "not_found");
    score(&app, &w.admin, &asg_a, "A1", 500)
        .await
        .expect_problem(404, "not_found");
    app.get(&format!("/api/v1/rating-assignments/{asg_b}"), Some(&tb))
        .await
        .expect(200);
    let r = app
        .get(
            &format!("/api/v1/rating-rounds/{round}/assignments"),
            Some(&tb),
        )
        .await;
    assert_eq!(r.body["total"], 1);
    assert_eq!(r.body["items"][0]["id"], asg_b.as_str());
    let r = app
        .get(
            &format!("/api/v1/rating-rounds/{round}/assignments"),
            Some(&tc),
        )
        .await;
    assert_eq!(r.body["total"], 0);
    let r = app
        .get(
            &format!("/api/v1/rating-rounds/{round}/assignments"),
            Some(&w.admin),
        )
        .await;
    assert_eq!(r.body["total"], 2);

    // Self-assessment with an evidence file, visible to the organization's admins and its
    // assigned reviewers only.
    let sa = format!("/api/v1/rating-rounds/{round}/self-assessments/{org}");
    let r = app
        .request(
            reqwest::Method::PUT,
            &sa,
            Some(&w.city_admin),
            Some(&json!({"items": [{"indicator_code": "A1", "score": 900, "statement": "成立团支部"}, {"indicator_code": "B1", "score": 1600}]})),
        )
        .await;
    r.expect(422);
    assert_eq!(r.body["errors"][0]["field"], "items[1].score");
    app.request(
        reqwest::Method::PUT,
        &sa,
        Some(&w.city_admin),
        Some(
            &json!({"items": [{"indicator_code": "A1", "score": 900, "statement": "成立团支部"}]}),
        ),
    )
    .await
    .expect(200);
    let file = b"%PDF-1.4 evidence".to_vec();
    let r = app
        .post_raw(
            &format!("{sa}/evidence?file_name=团支部成立批复.pdf&indicator_code=A1"),
            Some(&w.city_admin),
            "application/pdf",
            file.clone(),
        )
        .await;
    r.expect(201);
    assert_eq!(r.body["sha256"], SHA_OF_FILE);
    assert_eq!(r.body["size_bytes"], file.len());
    let evidence = id(&r.body);
    let download = format!("/api/v1/rating-evidence/{evidence}");
    for token in [&w.city_admin, &w.admin, &ta] {
        let r = app.get(&download, Some(token)).await;
        r.expect(200);
        assert_eq!(r.text.as_bytes(), file.as_slice());
        assert_eq!(r.headers["content-type"], "application/pdf");
    }
    for token in [&w.other_admin, &tc] {
        app.get(&download, Some(token))
            .await
            .expect_problem(404, "not_found");
    }
    let r = app.get(&sa, Some(&tb)).await;
    r.expect(200);
    assert_eq!(r.body["items"][0]["score"], 900);
    assert_eq!(r.body["evidence"][0]["indicator_code"], "A1");
    app.get(&sa, Some(&tc))
        .await
        .expect_problem(404, "not_found");
    app.get(&sa, Some(&w.other_admin))
        .await
        .expect_problem(404, "not_found");
    // Too large, and empty.
    app.post_raw(
        &format!("{sa}/evidence?file_name=big.bin"),
        Some(&w.city_admin),
        "application/octet-stream",
        vec![0u8; 5 * 1024 * 1024 + 1],
    )
    .await
    .expect_problem(413, "payload_too_large");
    app.post_raw(
        &format!("{sa}/evidence?file_name=empty.txt"),
        Some(&w.city_admin),
        "text/plain",
        vec![],
    )
    .await
    .expect(422);
    app.post_raw(
        &format!("{sa}/evidence?file_name=x.pdf"),
        Some(&w.other_admin),
        "application/pdf",
        file.clone(),
    )
    .await
    .expect_problem(404, "not_found");
}

/// SHA-256 of `%PDF-1.4 evidence`.
const SHA_OF_FILE: &str = "83d40e60c499a02179e970db4fa0caa836a109dfbfcdbae0298f2652a75c2954";

#[tokio::test]
async fn publication_waits_for_every_score_and_bands_compare_exactly() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let x = registered(&app, &w.admin, "青年社会组织甲", &w.city).await;
    let y = registered(&app, &w.admin, "青年社会组织乙", &w.city).await;
    let template = single_leaf_template(&app, &w.admin, "edge_test", "S", 10000).await;
    let round = id(&open_round(&app, &w.admin, &template, json!({})).await);
    let (t, r1) = reviewer(&app, &w.admin, None, "reviewer_1").await;
    let ax = assign(&app, &w.admin, &round, &x, &r1).await;
    let ay = assign(&app, &w.admin, &round, &y, &r1).await;

    score(&app, &t, &ax, "S", 9000).await.expect(200);
    let r = publish(&app, &w.admin, &round).await;
    r.expect(422);
    let errors = r.body["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{}", r.text);
    assert_eq!(errors[0]["code"], "scores_missing");
    assert_eq!(errors[0]["field"], format!("assignments[{ay}]"));
    assert!(results(&app, &w.admin, &round).await.is_empty());

    // 90.00 of 100 is exactly 90 % → 5A; 89.99 → 4A.
    score(&app, &t, &ay, "S", 8999).await.expect(200);
    app.post(
        &format!("/api/v1/rating-rounds/{round}/publish"),
        Some(&w.admin),
        &json!({"version": 99}),
    )
    .await
    .expect_problem(412, "version_mismatch");
    // Two concurrent publications: one wins, the other finds the round published.
    let (first, second) = tokio::join!(
        publish(&app, &w.admin, &round),
        publish(&app, &w.admin, &round)
    );
    let mut statuses = [first.status.as_u16(), second.status.as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409], "{} / {}", first.text, second.text);
    let r = if first.status.as_u16() == 200 {
        first
    } else {
        second
    };
    assert_eq!(r.body["status"], "published");
    let results = results(&app, &w.admin, &round).await;
    assert_eq!(results.len(), 2);
    let of = |org: &str| {
        results
            .iter()
            .find(|r| r["organization_id"] == org)
            .unwrap()
            .clone()
    };
    assert_eq!(of(&x)["grade"], "5A");
    assert_eq!(of(&x)["percent_basis_points"], 9000);
    assert_eq!(of(&y)["grade"], "4A");
    assert_eq!(of(&y)["aggregate_display"], "89.99");
    let today = beijing_today();
    let valid_until = today
        .with_year(today.year() + 5)
        .unwrap_or_else(|| today + chrono::Duration::days(365 * 5))
        .pred_opt()
        .unwrap();
    assert_eq!(of(&x)["valid_until"], valid_until.to_string());

    // Published rounds are frozen.
    score(&app, &t, &ax, "S", 10000)
        .await
        .expect_problem(409, "round_not_open");
    publish(&app, &w.admin, &round)
        .await
        .expect_problem(409, "round_not_open");

    // Grade history: the current valid grade and every result.
    let r = app
        .get(
            &format!("/api/v1/youth-social-organizations/{x}/grades"),
            Some(&w.city_admin),
        )
        .await;
    r.expect(200);
    assert_eq!(r.body["current"]["grade"], "5A");
    assert_eq!(r.body["results"].as_array().unwrap().len(), 1);
    app.get(
        &format!("/api/v1/youth-social-organizations/{x}/grades"),
        Some(&w.other_admin),
    )
    .await
    .expect_problem(404, "not_found");
    // Organization admins see the results of their subtree only.
    assert_eq!(results_of(&app, &w.other_admin, &round).await, 0);
    assert_eq!(results_of(&app, &w.city_admin, &round).await, 2);
}

async fn results_of(app: &TestApp, token: &str, round: &str) -> usize {
    results(app, token, round).await.len()
}

#[tokio::test]
async fn five_reviewers_drop_the_highest_and_lowest_when_the_round_says_so() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let org = registered(&app, &w.admin, "青年社会组织丙", &w.city).await;
    let template = single_leaf_template(&app, &w.admin, "trim_test", "S", 10000).await;
    let trimmed = id(&open_round(&app, &w.admin, &template, json!({"trim_extremes": true})).await);
    let plain = id(&open_round(&app, &w.admin, &template, json!({})).await);
    let mut reviewers = Vec::new();
    for i in 0..5 {
        reviewers.push(reviewer(&app, &w.admin, None, &format!("panel_{i}")).await);
    }
    for round in [&trimmed, &plain] {
        for ((token, account), points) in reviewers.iter().zip([10000, 9000, 9000, 9000, 0]) {
            let a = assign(&app, &w.admin, round, &org, account).await;
            score(&app, token, &a, "S", points).await.expect(200);
        }
        publish(&app, &w.admin, round).await.expect(200);
    }
    // Trimmed: (9000 + 9000 + 9000) / 3 = 90.00 → 5A.
    let r = &results(&app, &w.admin, &trimmed).await[0];
    assert_eq!(
        (
            r["reviewer_count"].as_i64(),
            r["counted_reviewers"].as_i64()
        ),
        (Some(5), Some(3))
    );
    assert_eq!(r["score_sum"], 27000);
    assert_eq!(r["aggregate_display"], "90.00");
    assert_eq!(r["grade"], "5A");
    // Not trimmed: 37000 / 5 = 74.00 → 3A.
    let r = &results(&app, &w.admin, &plain).await[0];
    assert_eq!(r["counted_reviewers"], 5);
    assert_eq!(r["aggregate_display"], "74.00");
    assert_eq!(r["grade"], "3A");
}

#[tokio::test]
async fn a_round_keeps_the_template_version_it_opened_with() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let org = registered(&app, &w.admin, "青年社会组织丁", &w.city).await;
    let v1 = single_leaf_template(&app, &w.admin, "frozen", "OLD", 10000).await;
    let round = id(&open_round(&app, &w.admin, &v1, json!({})).await);
    // A new version with another indicator and maximum is published mid-round.
    let v2 = single_leaf_template(&app, &w.admin, "frozen", "NEW", 5000).await;
    let r = app
        .get(&format!("/api/v1/rating-templates/{v2}"), Some(&w.admin))
        .await;
    assert_eq!(r.body["version"], 2);

    let r = app
        .get(&format!("/api/v1/rating-rounds/{round}"), Some(&w.admin))
        .await;
    assert_eq!(r.body["template_id"], v1.as_str());
    let (t, rev) = reviewer(&app, &w.admin, None, "reviewer_f").await;
    let a = assign(&app, &w.admin, &round, &org, &rev).await;
    let r = score(&app, &t, &a, "NEW", 4500).await;
    r.expect(422);
    assert_eq!(r.body["errors"][0]["code"], "unknown_indicator");
    // 60.00 of v1's 100 points (it would be 120 % of v2's 50).
    score(&app, &t, &a, "OLD", 6000).await.expect(200);
    publish(&app, &w.admin, &round).await.expect(200);
    let r = &results(&app, &w.admin, &round).await[0];
    assert_eq!(r["max_score"], 10000);
    assert_eq!(r["grade"], "2A");
}

#[tokio::test]
async fn appeals_are_accepted_only_within_the_window_and_upheld_ones_adjust_the_grade() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let org = registered(&app, &w.admin, "青年社会组织戊", &w.city).await;
    let template = single_leaf_template(&app, &w.admin, "appeal_test", "S", 10000).await;
    let closed = id(&open_round(&app, &w.admin, &template, json!({"appeal_days": 0})).await);
    let open = id(&open_round(&app, &w.admin, &template, json!({})).await);
    let (t, rev) = reviewer(&app, &w.admin, None, "reviewer_g").await;
    for round in [&closed, &open] {
        let a = assign(&app, &w.admin, round, &org, &rev).await;
        score(&app, &t, &a, "S", 7950).await.expect(200);
        publish(&app, &w.admin, round).await.expect(200);
    }
    let appeal = json!({"reason": "评审未采纳我们提交的服务记录"});

    let result = id(&results(&app, &w.admin, &closed).await[0]);
    app.post(
        &format!("/api/v1/rating-results/{result}/appeals"),
        Some(&w.city_admin),
        &appeal,
    )
    .await
    .expect_problem(409, "appeal_window_closed");

    let result = results(&app, &w.admin, &open).await[0].clone();
    assert_eq!(result["grade"], "3A");
    let path = format!("/api/v1/rating-results/{}/appeals", id(&result));
    app.post(&path, Some(&w.other_admin), &appeal)
        .await
        .expect_problem(404, "not_found");
    let r = app.post(&path, Some(&w.city_admin), &appeal).await;
    r.expect(201);
    assert_eq!(r.body["status"], "pending");
    let appeal_id = id(&r.body);
    app.post(&path, Some(&w.city_admin), &appeal)
        .await
        .expect_problem(409, "appeal_pending");

    let r = app
        .get("/api/v1/rating-appeals?status=pending", Some(&w.admin))
        .await;
    r.expect(200);
    assert_eq!(r.body["total"], 1);
    assert_eq!(r.body["items"][0]["id"], appeal_id.as_str());
    let r = app
        .get("/api/v1/rating-appeals", Some(&w.other_admin))
        .await;
    assert_eq!(r.body["total"], 0);
    let resolve = format!("/api/v1/rating-appeals/{appeal_id}/resolution");
    app.post(
        &resolve,
        Some(&w.admin),
        &json!({"outcome": "upheld", "resolution": "复核"}),
    )
    .await
    .expect(422);
    app.post(
        &resolve,
        Some(&w.city_admin),
        &json!({"outcome": "dismissed", "resolution": "x"}),
    )
    .await
    .expect_problem(403, "forbidden");
    let r = app
        .post(
            &resolve,
            Some(&w.admin),
            &json!({"outcome": "upheld", "adjusted_score": 8000, "resolution": "补充材料属实，调整为80分"}),
        )
        .await;
    r.expect(200);
    assert_eq!(r.body["status"], "upheld");
    app.post(
        &resolve,
        Some(&w.admin),
        &json!({"outcome": "dismissed", "resolution": "x"}),
    )
    .await
    .expect_problem(409, "appeal_resolved");

    let r = app
        .get(
            &format!("/api/v1/youth-social-organizations/{org}/grades"),
            Some(&w.city_admin),
        )
        .await;
    r.expect(200);
    assert_eq!(r.body["current"]["grade"], "4A");
    assert_eq!(r.body["current"]["adjusted"], true);
    let all = r.body["results"].as_array().unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(all.iter().filter(|r| r["superseded"] == true).count(), 1);
    let r = app
        .get("/api/v1/rating-appeals?status=pending", Some(&w.admin))
        .await;
    assert_eq!(r.body["total"], 0);
    // The superseded result takes no further appeal.
    app.post(&path, Some(&w.city_admin), &appeal)
        .await
        .expect_problem(409, "result_superseded");
}
