//! Projects: the review workflow and who may approve, edit rules, validation, scoping and the
//! public listing with its filters (category, region, dates, free places, nearby).

use serde_json::{Value, json};

use crate::helpers::{TestApp, project_body, spawn_app};

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

/// province → city → school, province → other city; admins of city, province and other city.
struct Orgs {
    admin: String,
    province: String,
    city: String,
    school: String,
    province_admin: String,
    city_admin: String,
    other_admin: String,
}

async fn orgs(app: &TestApp) -> Orgs {
    let admin = app.admin_token().await;
    let province = id(&app.create_org(&admin, "共青团江苏省委", None).await);
    let city = id(&app
        .create_org(&admin, "共青团南京市委", Some(&province))
        .await);
    let school = id(&app.create_org(&admin, "南京某中学团委", Some(&city)).await);
    let other = id(&app
        .create_org(&admin, "共青团苏州市委", Some(&province))
        .await);
    let province_admin = app.org_admin_token(&admin, &province, "prov_admin").await;
    let city_admin = app.org_admin_token(&admin, &city, "city_admin").await;
    let other_admin = app.org_admin_token(&admin, &other, "other_admin").await;
    Orgs {
        admin,
        province,
        city,
        school,
        province_admin,
        city_admin,
        other_admin,
    }
}

async fn post(app: &TestApp, path: &str, token: &str) -> crate::helpers::Reply {
    app.post(path, Some(token), &json!({})).await
}

#[tokio::test]
async fn a_project_goes_from_draft_through_review_to_published_approved_by_the_parent() {
    let app = spawn_app().await;
    let o = orgs(&app).await;
    let r = app
        .post(
            "/api/v1/projects",
            Some(&o.city_admin),
            &project_body(&o.school),
        )
        .await;
    r.expect(201);
    let pid = id(&r.body);
    assert_eq!(
        r.headers["location"],
        format!("/api/v1/projects/{pid}").as_str()
    );
    assert_eq!(r.body["status"], "draft");
    assert_eq!(r.body["min_age"], 14);
    assert_eq!(r.body["allow_probationary"], true);
    assert_eq!(r.body["version"], 1);

    post(
        &app,
        &format!("/api/v1/projects/{pid}/submit"),
        &o.city_admin,
    )
    .await
    .expect_problem(422, "project_has_no_shifts");
    post(
        &app,
        &format!("/api/v1/projects/{pid}/approve"),
        &o.city_admin,
    )
    .await
    .expect_problem(409, "invalid_transition");
    app.create_shift(&o.city_admin, &pid, 48, 51, 5).await;
    let r = post(
        &app,
        &format!("/api/v1/projects/{pid}/submit"),
        &o.city_admin,
    )
    .await;
    r.expect(200);
    assert_eq!(r.body["status"], "pending_review");
    assert!(r.body["submitted_at"].is_string());

    // Another subtree's admin does not even see it.
    post(
        &app,
        &format!("/api/v1/projects/{pid}/approve"),
        &o.other_admin,
    )
    .await
    .expect_problem(404, "not_found");
    // The school's parent is the city: the city admin approves.
    let r = post(
        &app,
        &format!("/api/v1/projects/{pid}/approve"),
        &o.city_admin,
    )
    .await;
    r.expect(200);
    assert_eq!(r.body["status"], "published");
    assert!(r.body["published_at"].is_string());

    post(
        &app,
        &format!("/api/v1/projects/{pid}/close"),
        &o.city_admin,
    )
    .await
    .expect(200);
    let r = post(
        &app,
        &format!("/api/v1/projects/{pid}/cancel"),
        &o.city_admin,
    )
    .await;
    r.expect_problem(409, "invalid_transition");
}

#[tokio::test]
async fn an_org_admin_never_approves_their_own_organizations_project() {
    let app = spawn_app().await;
    let o = orgs(&app).await;
    let p = app
        .create_project(&o.city_admin, &project_body(&o.city))
        .await;
    let pid = id(&p);
    app.create_shift(&o.city_admin, &pid, 48, 51, 5).await;
    post(
        &app,
        &format!("/api/v1/projects/{pid}/submit"),
        &o.city_admin,
    )
    .await
    .expect(200);
    post(
        &app,
        &format!("/api/v1/projects/{pid}/approve"),
        &o.city_admin,
    )
    .await
    .expect_problem(422, "cannot_review_own_project");
    app.post(
        &format!("/api/v1/projects/{pid}/reject"),
        Some(&o.city_admin),
        &json!({"reason": "自己审自己"}),
    )
    .await
    .expect_problem(422, "cannot_review_own_project");
    // The province admin covers the city's parent.
    post(
        &app,
        &format!("/api/v1/projects/{pid}/approve"),
        &o.province_admin,
    )
    .await
    .expect(200);

    // A root organization's project: only a platform admin approves.
    let root_admin_project = app
        .create_project(&o.province_admin, &project_body(&o.province))
        .await;
    let rid = id(&root_admin_project);
    app.create_shift(&o.province_admin, &rid, 48, 51, 5).await;
    post(
        &app,
        &format!("/api/v1/projects/{rid}/submit"),
        &o.province_admin,
    )
    .await
    .expect(200);
    post(
        &app,
        &format!("/api/v1/projects/{rid}/approve"),
        &o.province_admin,
    )
    .await
    .expect_problem(422, "cannot_review_own_project");
    post(&app, &format!("/api/v1/projects/{rid}/approve"), &o.admin)
        .await
        .expect(200);
}

#[tokio::test]
async fn a_rejection_needs_a_reason_and_returns_the_project_to_draft() {
    let app = spawn_app().await;
    let o = orgs(&app).await;
    let pid = id(&app
        .create_project(&o.city_admin, &project_body(&o.school))
        .await);
    app.create_shift(&o.city_admin, &pid, 48, 51, 5).await;
    post(
        &app,
        &format!("/api/v1/projects/{pid}/submit"),
        &o.city_admin,
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/v1/projects/{pid}/reject"),
        Some(&o.city_admin),
        &json!({"reason": "  "}),
    )
    .await
    .expect_problem(422, "validation_failed");
    let r = app
        .post(
            &format!("/api/v1/projects/{pid}/reject"),
            Some(&o.city_admin),
            &json!({"reason": "请补充安全保障措施"}),
        )
        .await;
    r.expect(200);
    assert_eq!(r.body["status"], "draft");
    assert_eq!(r.body["review_note"], "请补充安全保障措施");
    // Editable again, and can be resubmitted.
    app.patch(
        &format!("/api/v1/projects/{pid}"),
        Some(&o.city_admin),
        &json!({"version": r.body["version"], "title": "社区助老服务（修订）"}),
    )
    .await
    .expect(200);
    post(
        &app,
        &format!("/api/v1/projects/{pid}/submit"),
        &o.city_admin,
    )
    .await
    .expect(200);
}

#[tokio::test]
async fn drafts_are_freely_editable_published_projects_only_description_and_address() {
    let app = spawn_app().await;
    let o = orgs(&app).await;
    let pid = id(&app
        .create_project(&o.city_admin, &project_body(&o.school))
        .await);
    let path = format!("/api/v1/projects/{pid}");
    let r = app
        .patch(
            &path,
            Some(&o.city_admin),
            &json!({"version": 1, "title": "新标题", "latitude": 32.05, "longitude": 118.78, "high_risk": true, "required_qualifications": ["急救证"]}),
        )
        .await;
    r.expect(200);
    assert_eq!(r.body["version"], 2);
    assert_eq!(r.body["latitude"], 32.05);
    assert_eq!(r.body["required_qualifications"], json!(["急救证"]));
    app.patch(
        &path,
        Some(&o.city_admin),
        &json!({"version": 1, "title": "x"}),
    )
    .await
    .expect_problem(412, "version_mismatch");

    app.create_shift(&o.city_admin, &pid, 48, 51, 5).await;
    post(&app, &format!("{path}/submit"), &o.city_admin)
        .await
        .expect(200);
    app.patch(
        &path,
        Some(&o.city_admin),
        &json!({"version": 3, "description": "x"}),
    )
    .await
    .expect_problem(409, "project_not_editable");
    let r = post(&app, &format!("{path}/approve"), &o.city_admin).await;
    r.expect(200);
    let v = r.body["version"].clone();
    let r = app
        .patch(
            &path,
            Some(&o.city_admin),
            &json!({"version": v, "title": "改标题", "description": "新的说明"}),
        )
        .await;
    r.expect_problem(422, "validation_failed");
    assert_eq!(r.body["errors"][0]["field"], "title");
    assert_eq!(r.body["errors"][0]["code"], "field_not_editable");
    let r = app
        .patch(
            &path,
            Some(&o.city_admin),
            &json!({"version": v, "description": "新的说明", "address": "新地址"}),
        )
        .await;
    r.expect(200);
    assert_eq!(r.body["description"], "新的说明");
    assert_eq!(r.body["title"], "新标题");
}

#[tokio::test]
async fn project_fields_are_validated_together() {
    let app = spawn_app().await;
    let o = orgs(&app).await;
    let mut body = project_body(&o.school);
    body["title"] = json!("");
    body["end_date"] = json!("2020-01-01");
    body["latitude"] = json!(91.0);
    body["longitude"] = json!(118.0);
    body["min_age"] = json!(10);
    body["region_code"] = json!("999999");
    body["check_in_policy"] = json!("code_and_geofence");
    let r = app
        .post("/api/v1/projects", Some(&o.city_admin), &body)
        .await;
    r.expect_problem(422, "validation_failed");
    let codes: Vec<(String, String)> = r.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap().to_owned(),
                e["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    for want in [
        ("title", "text_empty"),
        ("end_date", "end_before_start"),
        ("latitude", "coordinate_range"),
        ("min_age", "min_age_range"),
        ("region_code", "region_unknown"),
        ("geofence_radius_m", "required"),
    ] {
        assert!(
            codes.contains(&(want.0.to_owned(), want.1.to_owned())),
            "{want:?} missing from {codes:?}"
        );
    }
    let mut geo = project_body(&o.school);
    geo["check_in_policy"] = json!("code_and_geofence");
    geo["latitude"] = json!(32.05);
    geo["longitude"] = json!(118.78);
    geo["geofence_radius_m"] = json!(20);
    app.post("/api/v1/projects", Some(&o.city_admin), &geo)
        .await
        .expect_problem(422, "validation_failed");
    // Dates outside 2000-01-01..=2100-12-31 are refused.
    for (start, end) in [("0000-01-01", "2026-01-01"), ("2026-01-01", "9999-12-31")] {
        let mut far = project_body(&o.school);
        far["start_date"] = json!(start);
        far["end_date"] = json!(end);
        let r = app
            .post("/api/v1/projects", Some(&o.city_admin), &far)
            .await;
        r.expect_problem(422, "validation_failed");
        assert!(r.text.contains("date_out_of_range"), "{}", r.text);
    }
    geo["geofence_radius_m"] = json!(300);
    let r = app
        .post("/api/v1/projects", Some(&o.city_admin), &geo)
        .await;
    r.expect(201);
    assert_eq!(r.body["geofence_radius_m"], 300);
    assert_eq!(r.body["longitude"], 118.78);

    let mut unknown = project_body(&o.school);
    unknown["colour"] = json!("red");
    app.post("/api/v1/projects", Some(&o.city_admin), &unknown)
        .await
        .expect_problem(422, "invalid_body");
    // Outside the caller's scope.
    let r = app
        .post(
            "/api/v1/projects",
            Some(&o.other_admin),
            &project_body(&o.school),
        )
        .await;
    r.expect_problem(422, "validation_failed");
    assert_eq!(r.body["errors"][0]["code"], "organization_not_found");
}

#[tokio::test]
async fn the_admin_list_is_scoped_and_filtered() {
    let app = spawn_app().await;
    let o = orgs(&app).await;
    let a = id(&app
        .create_project(&o.city_admin, &project_body(&o.school))
        .await);
    app.create_project(&o.city_admin, &project_body(&o.city))
        .await;
    let r = app.get("/api/v1/projects", Some(&o.city_admin)).await;
    r.expect(200);
    assert_eq!(r.body["total"], 2);
    let r = app.get("/api/v1/projects", Some(&o.other_admin)).await;
    assert_eq!(r.body["total"], 0);
    app.get(&format!("/api/v1/projects/{a}"), Some(&o.other_admin))
        .await
        .expect_problem(404, "not_found");
    let r = app
        .get(
            &format!("/api/v1/projects?organization_id={}", o.school),
            Some(&o.admin),
        )
        .await;
    assert_eq!(r.body["total"], 1);
    let r = app
        .get(
            &format!("/api/v1/projects?subtree_of={}&status=draft", o.city),
            Some(&o.province_admin),
        )
        .await;
    assert_eq!(r.body["total"], 2);
    let r = app
        .get("/api/v1/projects?status=published", Some(&o.admin))
        .await;
    assert_eq!(r.body["total"], 0);
}

#[tokio::test]
async fn the_public_list_shows_published_projects_with_filters() {
    let app = spawn_app().await;
    let o = orgs(&app).await;
    // Xinjiekou, Nanjing; Xuanwu Lake (~3 km); Suzhou (~190 km).
    let mut a = project_body(&o.school);
    a["title"] = json!("新街口");
    a["latitude"] = json!(32.0415);
    a["longitude"] = json!(118.784);
    let (pa, sa) = app
        .published_project_with_shift(&o.city_admin, &o.school, a, 1)
        .await;
    let mut b = json!({"title": "玄武湖", "latitude": 32.0713, "longitude": 118.7913, "service_category": "环境保护"});
    b["region_code"] = json!("320102");
    let (pb, _) = app
        .published_project_with_shift(&o.city_admin, &o.school, b, 3)
        .await;
    let today = chrono::Utc::now().date_naive();
    let c = json!({"title": "苏州", "latitude": 31.2989, "longitude": 120.5853, "region_code": "320500",
        "start_date": (today + chrono::Duration::days(1)).to_string(), "end_date": (today + chrono::Duration::days(10)).to_string()});
    let (pc, _) = app
        .published_project_with_shift(&o.city_admin, &o.school, c, 2)
        .await;
    // A draft is never listed.
    let draft = id(&app
        .create_project(&o.city_admin, &project_body(&o.school))
        .await);

    let all = app.get("/api/v1/public/projects", None).await;
    all.expect(200);
    assert_eq!(all.body["total"], 3);
    assert!(all.body["items"][0]["organization_name"].is_string());

    let ids = |r: &crate::helpers::Reply| -> Vec<String> {
        r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let r = app
        .get(
            "/api/v1/public/projects?service_category=%E7%8E%AF%E5%A2%83%E4%BF%9D%E6%8A%A4",
            None,
        )
        .await;
    assert_eq!(ids(&r), vec![pb.clone()]);
    let r = app
        .get("/api/v1/public/projects?region_code=320500", None)
        .await;
    assert_eq!(ids(&r), vec![pc.clone()]);
    let r = app
        .get("/api/v1/public/projects?region_code=320100", None)
        .await;
    assert_eq!(r.body["total"], 2);
    let far = today + chrono::Duration::days(30);
    let r = app
        .get(&format!("/api/v1/public/projects?from={far}"), None)
        .await;
    assert_eq!(r.body["total"], 2, "project c ends before {far}");
    let r = app
        .get(&format!("/api/v1/public/projects?to={today}"), None)
        .await;
    assert_eq!(r.body["total"], 2, "project c starts tomorrow");

    // Nearby: within 5 km of Xinjiekou, nearest first, with the distance in metres.
    let r = app
        .get(
            "/api/v1/public/projects?near=32.0415,118.784&radius_km=5",
            None,
        )
        .await;
    r.expect(200);
    assert_eq!(ids(&r), vec![pa.clone(), pb.clone()]);
    assert_eq!(r.body["items"][0]["distance_m"], 0);
    let d = r.body["items"][1]["distance_m"].as_u64().unwrap();
    assert!((3000..4000).contains(&d), "{d}");
    let r = app
        .get(
            "/api/v1/public/projects?near=32.0713,118.7913&radius_km=300",
            None,
        )
        .await;
    assert_eq!(ids(&r), vec![pb.clone(), pa.clone(), pc.clone()]);
    app.get("/api/v1/public/projects?near=95,1", None)
        .await
        .expect_problem(400, "invalid_query");
    app.get("/api/v1/public/projects?radius_km=5", None)
        .await
        .expect_problem(400, "invalid_query");

    // Free places: fill project a's only place.
    let (_, token) = crate::helpers::register_volunteer(&app, "19900307").await;
    app.post(
        &format!("/api/v1/shifts/{sa}/signups"),
        Some(&token),
        &json!({}),
    )
    .await
    .expect(201);
    let r = app
        .get("/api/v1/public/projects?has_free_places=true", None)
        .await;
    let free = ids(&r);
    assert!(!free.contains(&pa) && free.contains(&pb) && free.contains(&pc));

    // The detail shows shifts and free places; drafts are not public.
    let r = app
        .get(&format!("/api/v1/public/projects/{pa}"), None)
        .await;
    r.expect(200);
    assert_eq!(r.body["project"]["title"], "新街口");
    assert_eq!(r.body["shifts"][0]["capacity"], 1);
    assert_eq!(r.body["shifts"][0]["free_places"], 0);
    assert!(r.body["project"].get("version").is_none());
    app.get(&format!("/api/v1/public/projects/{draft}"), None)
        .await
        .expect_problem(404, "not_found");
}
