//! The organization tree, subtree scoping, USCC and region validation, moves and deactivation.

use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

/// province → city → county → school, plus a sibling city.
struct Tree {
    admin: String,
    province: String,
    city: String,
    county: String,
    school: String,
    other_city: String,
}

async fn tree(app: &TestApp) -> Tree {
    let admin = app.admin_token().await;
    let province = id(&app.create_org(&admin, "共青团江苏省委", None).await);
    let city = id(&app
        .create_org(&admin, "共青团南京市委", Some(&province))
        .await);
    let county = id(&app.create_org(&admin, "共青团玄武区委", Some(&city)).await);
    let school = id(&app
        .create_org(&admin, "南京某中学团委", Some(&county))
        .await);
    let other_city = id(&app
        .create_org(&admin, "共青团苏州市委", Some(&province))
        .await);
    Tree {
        admin,
        province,
        city,
        county,
        school,
        other_city,
    }
}

#[tokio::test]
async fn a_platform_admin_creates_a_root_with_location_and_version() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let r = app
        .post(
            "/api/v1/organizations",
            Some(&admin),
            &json!({"name": "共青团江苏省委", "kind": "league_committee", "region_code": "320000", "uscc": "91350100M000100Y43"}),
        )
        .await;
    r.expect(201);
    assert_eq!(
        r.headers["location"],
        format!("/api/v1/organizations/{}", r.body["id"].as_str().unwrap()).as_str()
    );
    assert_eq!(r.body["depth"], 0);
    assert_eq!(r.body["version"], 1);
    assert_eq!(r.body["status"], "active");
}

#[tokio::test]
async fn uscc_check_character_region_and_name_are_validated() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let bad_check = app
        .post(
            "/api/v1/organizations",
            Some(&admin),
            &json!({"name": "x", "kind": "school", "region_code": "320000", "uscc": "91350100M000100Y44"}),
        )
        .await;
    bad_check.expect_problem(422, "validation_failed");
    assert_eq!(bad_check.body["errors"][0]["code"], "uscc_checksum");

    let bad = app
        .post(
            "/api/v1/organizations",
            Some(&admin),
            &json!({"name": "  ", "kind": "school", "region_code": "999999"}),
        )
        .await;
    bad.expect_problem(422, "validation_failed");
    let codes: Vec<&str> = bad.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap())
        .collect();
    assert!(
        codes.contains(&"text_empty") && codes.contains(&"region_unknown"),
        "{codes:?}"
    );

    app.post(
        "/api/v1/organizations",
        Some(&admin),
        &json!({"name": "x", "kind": "university", "region_code": "320000"}),
    )
    .await
    .expect_problem(422, "invalid_body");
}

#[tokio::test]
async fn a_duplicate_uscc_is_refused_with_409() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let body = json!({"name": "某社会组织", "kind": "youth_social_organization", "region_code": "320100", "uscc": "91110000600037341L"});
    app.post("/api/v1/organizations", Some(&admin), &body)
        .await
        .expect(201);
    app.post("/api/v1/organizations", Some(&admin), &body)
        .await
        .expect_problem(409, "duplicate_uscc");
}

#[tokio::test]
async fn an_org_admin_sees_and_changes_only_their_subtree() {
    let app = spawn_app().await;
    let t = tree(&app).await;
    let city_admin = app.org_admin_token(&t.admin, &t.city, "nanjing").await;

    for visible in [&t.city, &t.county, &t.school] {
        app.get(
            &format!("/api/v1/organizations/{visible}"),
            Some(&city_admin),
        )
        .await
        .expect(200);
    }
    for hidden in [&t.province, &t.other_city] {
        app.get(
            &format!("/api/v1/organizations/{hidden}"),
            Some(&city_admin),
        )
        .await
        .expect_problem(404, "not_found");
        app.patch(
            &format!("/api/v1/organizations/{hidden}"),
            Some(&city_admin),
            &json!({"version": 1, "name": "x"}),
        )
        .await
        .expect_problem(404, "not_found");
        app.post(
            &format!("/api/v1/organizations/{hidden}/deactivate"),
            Some(&city_admin),
            &json!({}),
        )
        .await
        .expect_problem(404, "not_found");
    }
    let list = app
        .get("/api/v1/organizations?per_page=100", Some(&city_admin))
        .await;
    list.expect(200);
    assert_eq!(list.body["total"], 3);

    // Creating outside the subtree or a root is refused.
    let outside = app
        .post(
            "/api/v1/organizations",
            Some(&city_admin),
            &json!({"name": "x", "kind": "volunteer_team", "region_code": "320500", "parent_id": t.other_city}),
        )
        .await;
    outside.expect_problem(422, "validation_failed");
    app.post(
        "/api/v1/organizations",
        Some(&city_admin),
        &json!({"name": "x", "kind": "volunteer_team", "region_code": "320100"}),
    )
    .await
    .expect_problem(422, "validation_failed");
    // Accounts for organizations outside the subtree are refused too.
    app.post(
        "/api/v1/accounts",
        Some(&city_admin),
        &json!({"username": "sneaky", "password": "Long-enough-1", "organization_id": t.other_city}),
    )
    .await
    .expect_problem(422, "validation_failed");
}

#[tokio::test]
async fn list_filters_by_kind_region_parent_and_subtree() {
    let app = spawn_app().await;
    let t = tree(&app).await;
    app.post(
        "/api/v1/organizations",
        Some(&t.admin),
        &json!({"name": "苏州志愿者协会", "kind": "volunteer_association", "region_code": "320505", "parent_id": t.other_city}),
    )
    .await
    .expect(201);
    let q = |query: &str| format!("/api/v1/organizations?{query}");
    let total = |r: crate::helpers::Reply| r.body["total"].as_u64().unwrap();
    assert_eq!(
        total(
            app.get(&q("kind=volunteer_association"), Some(&t.admin))
                .await
        ),
        1
    );
    assert_eq!(
        total(app.get(&q("region_code=320500"), Some(&t.admin)).await),
        1
    );
    assert_eq!(
        total(app.get(&q("region_code=320000"), Some(&t.admin)).await),
        6
    );
    assert_eq!(
        total(app.get(&q("region_code=110000"), Some(&t.admin)).await),
        0
    );
    assert_eq!(
        total(app.get(&q("region_code=320100"), Some(&t.admin)).await),
        5
    );
    assert_eq!(
        total(
            app.get(&q(&format!("parent_id={}", t.province)), Some(&t.admin))
                .await
        ),
        2
    );
    assert_eq!(
        total(
            app.get(&q(&format!("subtree_of={}", t.city)), Some(&t.admin))
                .await
        ),
        3
    );
    assert_eq!(total(app.get(&q("name=南京"), Some(&t.admin)).await), 2);
}

#[tokio::test]
async fn updates_need_the_current_version() {
    let app = spawn_app().await;
    let t = tree(&app).await;
    let path = format!("/api/v1/organizations/{}", t.city);
    let r = app
        .patch(
            &path,
            Some(&t.admin),
            &json!({"version": 1, "name": "南京团市委"}),
        )
        .await;
    r.expect(200);
    assert_eq!(r.body["version"], 2);
    assert_eq!(r.body["name"], "南京团市委");
    app.patch(
        &path,
        Some(&t.admin),
        &json!({"version": 1, "name": "stale"}),
    )
    .await
    .expect_problem(412, "version_mismatch");
    app.patch(
        &path,
        Some(&t.admin),
        &json!({"version": 2, "status": "inactive"}),
    )
    .await
    .expect_problem(422, "invalid_body");
}

#[tokio::test]
async fn moving_an_organization_moves_its_subtree_and_scopes_follow() {
    let app = spawn_app().await;
    let t = tree(&app).await;
    let suzhou_admin = app.org_admin_token(&t.admin, &t.other_city, "suzhou").await;
    let nanjing_admin = app.org_admin_token(&t.admin, &t.city, "nanjing").await;

    // Not under its own descendant.
    app.patch(
        &format!("/api/v1/organizations/{}", t.city),
        Some(&t.admin),
        &json!({"version": 1, "parent_id": t.school}),
    )
    .await
    .expect_problem(422, "cannot_move_under_itself");

    let moved = app
        .patch(
            &format!("/api/v1/organizations/{}", t.county),
            Some(&t.admin),
            &json!({"version": 1, "parent_id": t.other_city}),
        )
        .await;
    moved.expect(200);
    assert_eq!(moved.body["depth"], 2);
    let school = app
        .get(
            &format!("/api/v1/organizations/{}", t.school),
            Some(&suzhou_admin),
        )
        .await;
    school.expect(200);
    assert_eq!(school.body["depth"], 3);
    app.get(
        &format!("/api/v1/organizations/{}", t.school),
        Some(&nanjing_admin),
    )
    .await
    .expect_problem(404, "not_found");
    let subtree = app
        .get(
            &format!("/api/v1/organizations?subtree_of={}", t.province),
            Some(&t.admin),
        )
        .await;
    assert_eq!(subtree.body["total"], 5);
}

#[tokio::test]
async fn deactivation_waits_for_children_and_admins_cannot_deactivate_their_own_root() {
    let app = spawn_app().await;
    let t = tree(&app).await;
    let city_admin = app.org_admin_token(&t.admin, &t.city, "nanjing").await;
    app.post(
        &format!("/api/v1/organizations/{}/deactivate", t.county),
        Some(&city_admin),
        &json!({}),
    )
    .await
    .expect_problem(409, "has_active_children");
    app.post(
        &format!("/api/v1/organizations/{}/deactivate", t.city),
        Some(&city_admin),
        &json!({}),
    )
    .await
    .expect_problem(422, "cannot_change_own_root");
    let r = app
        .post(
            &format!("/api/v1/organizations/{}/deactivate", t.school),
            Some(&city_admin),
            &json!({}),
        )
        .await;
    r.expect(200);
    assert_eq!(r.body["status"], "inactive");
    app.post(
        "/api/v1/organizations",
        Some(&city_admin),
        &json!({"name": "x", "kind": "volunteer_team", "region_code": "320100", "parent_id": t.school}),
    )
    .await
    .expect_problem(422, "parent_inactive");
    app.post(
        &format!("/api/v1/organizations/{}/activate", t.school),
        Some(&city_admin),
        &json!({}),
    )
    .await
    .expect(200);
}

#[tokio::test]
async fn a_deep_subtree_query_returns_every_descendant() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let root = id(&app.create_org(&admin, "root", None).await);
    let mut parent = root.clone();
    for depth in 1..=12 {
        parent = id(&app
            .create_org(&admin, &format!("level {depth}"), Some(&parent))
            .await);
    }
    let r = app
        .get(
            &format!("/api/v1/organizations?subtree_of={root}"),
            Some(&admin),
        )
        .await;
    assert_eq!(r.body["total"], 13);
    let leaf = app
        .get(&format!("/api/v1/organizations/{parent}"), Some(&admin))
        .await;
    assert_eq!(leaf.body["depth"], 12);
}

#[tokio::test]
async fn every_change_writes_an_audit_row_without_values() {
    use sea_orm::{ColumnTrait as _, EntityTrait as _, QueryFilter as _};
    let app = spawn_app().await;
    let t = tree(&app).await;
    app.patch(
        &format!("/api/v1/organizations/{}", t.city),
        Some(&t.admin),
        &json!({"version": 1, "contact": "025-12345678"}),
    )
    .await
    .expect(200);
    let rows = entity::audit_log::Entity::find()
        .filter(entity::audit_log::Column::EntityId.eq(uuid::Uuid::parse_str(&t.city).unwrap()))
        .all(&app.db)
        .await
        .unwrap();
    let actions: Vec<&str> = rows.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(actions, ["create", "update"]);
    let update = &rows[1];
    assert_eq!(update.changed_fields, r#"["contact"]"#);
    assert!(update.request_id.is_some());
    assert!(!update.changed_fields.contains("025"));
}

#[tokio::test]
async fn two_concurrent_opposite_moves_never_make_a_cycle() {
    let app = spawn_app().await;
    let t = tree(&app).await;
    // city and other_city are siblings: move each under the other at the same moment.
    let (path_a, path_b) = (
        format!("/api/v1/organizations/{}", t.city),
        format!("/api/v1/organizations/{}", t.other_city),
    );
    let (body_a, body_b) = (
        json!({"version": 1, "parent_id": t.other_city}),
        json!({"version": 1, "parent_id": t.city}),
    );
    let a = app.patch(&path_a, Some(&t.admin), &body_a);
    let b = app.patch(&path_b, Some(&t.admin), &body_b);
    let (a, b) = tokio::join!(a, b);
    let ok = [a.status.as_u16(), b.status.as_u16()]
        .iter()
        .filter(|s| **s == 200)
        .count();
    assert_eq!(ok, 1, "exactly one move wins: {} / {}", a.text, b.text);
    let loser = if a.status.as_u16() == 200 { &b } else { &a };
    assert!(
        ["cannot_move_under_itself", "version_mismatch"].contains(&loser.code()),
        "{}",
        loser.text
    );
    // Both are still inside the province's subtree, each exactly once.
    let subtree = app
        .get(
            &format!(
                "/api/v1/organizations?subtree_of={}&per_page=100",
                t.province
            ),
            Some(&t.admin),
        )
        .await;
    assert_eq!(subtree.body["total"], 5);
}
