//! Training: the course catalogue (admin CRUD, publishing, the public catalogue), instructors,
//! training classes and their lifecycle, enrolment (window, duplicates, capacity under
//! concurrency, batches), attendance and completion, training records and qualifications
//! (expiry on the day in Asia/Shanghai), the sign-up rules fed by qualifications and probation,
//! and reports.

use chrono::{Duration, NaiveDate, Utc};
use entity::volunteer_qualification;
use reqwest::Method;
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, EntityTrait as _, QueryFilter as _,
};
use serde_json::{Value, json};

use crate::helpers::{
    Reply, TestApp, birth_years_ago, register_volunteer, self_registered_volunteer, spawn_app,
    spawn_app_with,
};

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

/// province → city; province → other city; admins of city and other city.
struct Orgs {
    admin: String,
    province: String,
    city: String,
    city_admin: String,
    other_admin: String,
}

async fn orgs(app: &TestApp) -> Orgs {
    let admin = app.admin_token().await;
    let province = id(&app.create_org(&admin, "共青团江苏省委", None).await);
    let city = id(&app
        .create_org(&admin, "共青团南京市委", Some(&province))
        .await);
    let other = id(&app
        .create_org(&admin, "共青团苏州市委", Some(&province))
        .await);
    let city_admin = app.org_admin_token(&admin, &city, "city_admin").await;
    let other_admin = app.org_admin_token(&admin, &other, "other_admin").await;
    Orgs {
        admin,
        province,
        city,
        city_admin,
        other_admin,
    }
}

fn course_body(org: &str) -> Value {
    json!({
        "organization_id": org,
        "title": "应急救护基础",
        "category": "specialist",
        "specialty": "应急救援",
        "minutes": 240,
        "syllabus": "心肺复苏\n止血包扎",
        "materials": [{"title": "操作指引", "url": "https://example.org/cpr.pdf"}],
        "grants_qualification": {"code": "first_aid", "name": "应急救护证", "validity_days": 730},
    })
}

async fn create_course(app: &TestApp, token: &str, body: &Value) -> Value {
    let r = app.post("/api/v1/courses", Some(token), body).await;
    r.expect(201);
    r.body.clone()
}

fn at(hours: i64) -> String {
    (Utc::now() + Duration::hours(hours))
        .format("%Y-%m-%dT%H:%M:00Z")
        .to_string()
}

/// A class body: `sessions` sessions of 3 hours on consecutive days from 3 days ahead; the
/// enrolment window from an hour ago to a day ahead.
fn class_body(course: &str, org: &str, capacity: u32, sessions: i64) -> Value {
    let sessions: Vec<Value> = (0..sessions)
        .map(|i| json!({"starts_at": at(72 + 24 * i), "ends_at": at(75 + 24 * i)}))
        .collect();
    json!({
        "course_id": course,
        "organization_id": org,
        "level": "city",
        "sessions": sessions,
        "place": "南京市青年活动中心",
        "capacity": capacity,
        "enrol_opens_at": at(-1),
        "enrol_closes_at": at(24),
    })
}

async fn create_class(app: &TestApp, token: &str, body: &Value) -> Value {
    let r = app
        .post("/api/v1/training-classes", Some(token), body)
        .await;
    r.expect(201);
    r.body.clone()
}

async fn act(app: &TestApp, token: &str, class: &str, action: &str) -> Reply {
    app.post(
        &format!("/api/v1/training-classes/{class}/{action}"),
        Some(token),
        &json!({}),
    )
    .await
}

async fn enrol(app: &TestApp, class: &str, token: &str) -> Reply {
    app.post(
        &format!("/api/v1/training-classes/{class}/enrolments"),
        Some(token),
        &json!({}),
    )
    .await
}

/// A published course of the city (granting `first_aid` for `validity_days`) and an open
/// class of it; returns (course id, class id).
async fn open_class(
    app: &TestApp,
    o: &Orgs,
    capacity: u32,
    sessions: i64,
    extra: Value,
) -> (String, String) {
    let course = id(&create_course(app, &o.city_admin, &course_body(&o.city)).await);
    app.post(
        &format!("/api/v1/courses/{course}/publish"),
        Some(&o.city_admin),
        &json!({}),
    )
    .await
    .expect(200);
    let mut body = class_body(&course, &o.city, capacity, sessions);
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            b.insert(k.clone(), v.clone());
        }
    }
    let class = id(&create_class(app, &o.city_admin, &body).await);
    act(app, &o.city_admin, &class, "open").await.expect(200);
    (course, class)
}

async fn attendance(app: &TestApp, token: &str, class: &str, n: u32, marks: Value) -> Reply {
    app.request(
        Method::PUT,
        &format!("/api/v1/training-classes/{class}/sessions/{n}/attendance"),
        Some(token),
        Some(&marks),
    )
    .await
}

async fn complete(app: &TestApp, token: &str, enrolment: &str, body: Value) -> Reply {
    app.post(
        &format!("/api/v1/enrolments/{enrolment}/complete"),
        Some(token),
        &body,
    )
    .await
}

/// Asia/Shanghai (UTC+8, no daylight saving since 1991).
fn shanghai() -> chrono::FixedOffset {
    chrono::FixedOffset::east_opt(8 * 3600).unwrap()
}

fn shanghai_today() -> NaiveDate {
    Utc::now().with_timezone(&shanghai()).date_naive()
}

#[tokio::test]
async fn courses_are_validated_scoped_and_public_only_once_published() {
    let app = spawn_app().await;
    let o = orgs(&app).await;
    let mut bad = course_body(&o.city);
    bad["minutes"] = json!(0);
    bad["materials"] = json!([{"title": "x", "url": "javascript:alert(1)"}]);
    bad["grants_qualification"] = json!({"code": "First Aid", "name": "证", "validity_days": 4000});
    let r = app.post("/api/v1/courses", Some(&o.city_admin), &bad).await;
    r.expect_problem(422, "validation_failed");
    let codes: Vec<&str> = r.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap())
        .collect();
    for c in [
        "minutes_range",
        "url_format",
        "code_format",
        "validity_days_range",
    ] {
        assert!(codes.contains(&c), "{c} missing in {}", r.text);
    }
    let mut unknown = course_body(&o.city);
    unknown["colour"] = json!("red");
    app.post("/api/v1/courses", Some(&o.city_admin), &unknown)
        .await
        .expect_problem(422, "invalid_body");
    app.post(
        "/api/v1/courses",
        Some(&o.other_admin),
        &course_body(&o.city),
    )
    .await
    .expect_problem(422, "validation_failed");

    let c = create_course(&app, &o.city_admin, &course_body(&o.city)).await;
    let cid = id(&c);
    assert_eq!(c["published"], false);
    assert_eq!(c["grants_qualification"]["code"], "first_aid");
    assert_eq!(c["materials"][0]["url"], "https://example.org/cpr.pdf");
    app.get(&format!("/api/v1/courses/{cid}"), Some(&o.other_admin))
        .await
        .expect_problem(404, "not_found");
    app.get(&format!("/api/v1/public/courses/{cid}"), None)
        .await
        .expect_problem(404, "not_found");
    let public = app.get("/api/v1/public/courses", None).await;
    public.expect(200);
    assert_eq!(public.body["total"], 0);

    // Optimistic concurrency.
    let path = format!("/api/v1/courses/{cid}");
    let r = app
        .patch(
            &path,
            Some(&o.city_admin),
            &json!({"version": 1, "minutes": 180}),
        )
        .await;
    r.expect(200);
    assert_eq!(r.body["minutes"], 180);
    assert_eq!(r.body["version"], 2);
    app.patch(
        &path,
        Some(&o.city_admin),
        &json!({"version": 1, "minutes": 120}),
    )
    .await
    .expect_problem(412, "version_mismatch");

    let publish = format!("/api/v1/courses/{cid}/publish");
    app.post(&publish, Some(&o.city_admin), &json!({}))
        .await
        .expect(200);
    app.post(&publish, Some(&o.city_admin), &json!({}))
        .await
        .expect_problem(409, "invalid_state");
    let mut basics = course_body(&o.city);
    basics["title"] = json!("新志愿者通识");
    basics["category"] = json!("new_volunteer_basics");
    basics["specialty"] = json!("");
    let b = create_course(&app, &o.city_admin, &basics).await;
    app.post(
        &format!("/api/v1/courses/{}/publish", id(&b)),
        Some(&o.city_admin),
        &json!({}),
    )
    .await
    .expect(200);

    let all = app.get("/api/v1/public/courses", None).await;
    assert_eq!(all.body["total"], 2);
    let f = app
        .get("/api/v1/public/courses?category=specialist", None)
        .await;
    assert_eq!(f.body["total"], 1);
    assert_eq!(f.body["items"][0]["organization_name"], "共青团南京市委");
    let s = app
        .get(
            &format!("/api/v1/public/courses?specialty={}", urlencode("应急救援")),
            None,
        )
        .await;
    assert_eq!(s.body["total"], 1);
    let q = app
        .get(
            &format!("/api/v1/public/courses?q={}", urlencode("通识")),
            None,
        )
        .await;
    assert_eq!(q.body["total"], 1);
    assert_eq!(q.body["items"][0]["category"], "new_volunteer_basics");
    app.get("/api/v1/public/courses?category=cooking", None)
        .await
        .expect_problem(400, "invalid_query");
    let one = app
        .get(&format!("/api/v1/public/courses/{cid}"), None)
        .await;
    one.expect(200);
    assert!(one.body.get("version").is_none());

    // Deletion: refused while a class uses the course.
    create_class(&app, &o.city_admin, &class_body(&cid, &o.city, 5, 1)).await;
    app.request(Method::DELETE, &path, Some(&o.city_admin), None)
        .await
        .expect_problem(409, "course_in_use");
    let bpath = format!("/api/v1/courses/{}", id(&b));
    app.request(Method::DELETE, &bpath, Some(&o.city_admin), None)
        .await
        .expect(204);
}

fn urlencode(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

#[tokio::test]
async fn instructors_are_searchable_scoped_and_their_mobiles_masked() {
    let app = spawn_app().await;
    let o = orgs(&app).await;
    let body = json!({
        "organization_id": o.city,
        "name": "王教官",
        "specialties": ["应急救援", "心肺复苏"],
        "affiliation": "南京市红十字会",
        "profile": "十年急救培训经验",
        "mobile": "13812341234",
    });
    let r = app
        .post("/api/v1/instructors", Some(&o.city_admin), &body)
        .await;
    r.expect(201);
    assert_eq!(r.body["mobile"], "138****1234");
    assert!(!r.text.contains("13812341234"));
    let iid = id(&r.body);
    let mut other = body.clone();
    other["name"] = json!("李老师");
    other["specialties"] = json!(["助老服务"]);
    other["mobile"] = json!(null);
    app.post("/api/v1/instructors", Some(&o.city_admin), &other)
        .await
        .expect(201);
    let mut bad = body.clone();
    bad["mobile"] = json!("12345");
    app.post("/api/v1/instructors", Some(&o.city_admin), &bad)
        .await
        .expect_problem(422, "validation_failed");

    let s = app
        .get(
            &format!("/api/v1/instructors?specialty={}", urlencode("应急救援")),
            Some(&o.city_admin),
        )
        .await;
    s.expect(200);
    assert_eq!(s.body["total"], 1);
    assert_eq!(s.body["items"][0]["name"], "王教官");
    let n = app
        .get(
            &format!("/api/v1/instructors?name={}", urlencode("李")),
            Some(&o.city_admin),
        )
        .await;
    assert_eq!(n.body["total"], 1);
    let none = app.get("/api/v1/instructors", Some(&o.other_admin)).await;
    assert_eq!(none.body["total"], 0);
    app.get(&format!("/api/v1/instructors/{iid}"), Some(&o.other_admin))
        .await
        .expect_problem(404, "not_found");
    let p = app
        .patch(
            &format!("/api/v1/instructors/{iid}"),
            Some(&o.city_admin),
            &json!({"version": 1, "affiliation": "江苏省红十字会"}),
        )
        .await;
    p.expect(200);
    assert_eq!(p.body["version"], 2);

    // An instructor teaching a class cannot be removed.
    let course = id(&create_course(&app, &o.city_admin, &course_body(&o.city)).await);
    let mut cb = class_body(&course, &o.city, 5, 1);
    cb["instructor_ids"] = json!([iid]);
    let class = create_class(&app, &o.city_admin, &cb).await;
    assert_eq!(class["instructor_ids"], json!([iid]));
    app.request(
        Method::DELETE,
        &format!("/api/v1/instructors/{iid}"),
        Some(&o.city_admin),
        None,
    )
    .await
    .expect_problem(409, "instructor_in_use");
}

#[tokio::test]
async fn classes_are_validated_and_move_through_their_lifecycle_one_step_at_a_time() {
    let app = spawn_app().await;
    let o = orgs(&app).await;
    let course = id(&create_course(&app, &o.city_admin, &course_body(&o.city)).await);
    let mut bad = class_body(&course, &o.city, 0, 1);
    bad["sessions"] = json!([
        {"starts_at": at(72), "ends_at": at(71)},
        {"starts_at": at(96), "ends_at": at(96 + 13)},
    ]);
    bad["place"] = json!(null);
    bad["enrol_closes_at"] = json!(at(-2));
    let r = app
        .post("/api/v1/training-classes", Some(&o.city_admin), &bad)
        .await;
    r.expect_problem(422, "validation_failed");
    let codes: Vec<&str> = r.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap())
        .collect();
    for c in [
        "end_before_start",
        "session_too_long",
        "place_or_online_url_required",
        "capacity_range",
        "window_end_before_start",
    ] {
        assert!(codes.contains(&c), "{c} missing in {}", r.text);
    }
    // Another city may not use an unpublished course of ours.
    let admin = &o.admin;
    let other_org = id(&app.create_org(admin, "苏州某中学", Some(&o.province)).await);
    let _ = other_org;
    app.post(
        "/api/v1/training-classes",
        Some(&o.other_admin),
        &class_body(&course, &o.city, 5, 1),
    )
    .await
    .expect_problem(422, "validation_failed");

    let mut online = class_body(&course, &o.city, 30, 2);
    online["place"] = json!(null);
    online["online_url"] = json!("https://meeting.example.org/room/1");
    online["pass_mark"] = json!(60);
    let c = create_class(&app, &o.city_admin, &online).await;
    let cid = id(&c);
    assert_eq!(c["status"], "planned");
    assert_eq!(c["title"], "应急救护基础");
    assert_eq!(c["sessions"].as_array().unwrap().len(), 2);
    assert_eq!(c["sessions"][1]["number"], 2);
    assert_eq!(c["free_places"], 30);
    app.get(
        &format!("/api/v1/training-classes/{cid}"),
        Some(&o.other_admin),
    )
    .await
    .expect_problem(404, "not_found");

    act(&app, &o.city_admin, &cid, "start")
        .await
        .expect_problem(409, "invalid_state");
    for (action, status) in [
        ("open", "open"),
        ("start", "running"),
        ("finish", "finished"),
        ("archive", "archived"),
    ] {
        let r = act(&app, &o.city_admin, &cid, action).await;
        r.expect(200);
        assert_eq!(r.body["status"], status);
    }
    act(&app, &o.city_admin, &cid, "open")
        .await
        .expect_problem(409, "invalid_state");
    app.patch(
        &format!("/api/v1/training-classes/{cid}"),
        Some(&o.city_admin),
        &json!({"version": 5, "capacity": 10}),
    )
    .await
    .expect_problem(409, "class_not_editable");
}

#[tokio::test]
async fn enrolment_needs_an_open_class_inside_its_window_and_no_double_enrolment() {
    let app = spawn_app().await;
    let o = orgs(&app).await;
    let course = id(&create_course(&app, &o.city_admin, &course_body(&o.city)).await);
    let class = id(&create_class(&app, &o.city_admin, &class_body(&course, &o.city, 5, 1)).await);
    let (_, v) = register_volunteer(&app, &birth_years_ago(25)).await;
    // Planned: not open yet.
    enrol(&app, &class, &v)
        .await
        .expect_problem(422, "enrolment_closed");
    act(&app, &o.city_admin, &class, "open").await.expect(200);
    // Move the window into the future: still closed.
    let path = format!("/api/v1/training-classes/{class}");
    app.patch(
        &path,
        Some(&o.city_admin),
        &json!({"version": 2, "enrol_opens_at": at(2), "enrol_closes_at": at(24)}),
    )
    .await
    .expect(200);
    enrol(&app, &class, &v)
        .await
        .expect_problem(422, "enrolment_closed");
    // And into the past: closed again.
    app.patch(
        &path,
        Some(&o.city_admin),
        &json!({"version": 3, "enrol_opens_at": at(-48), "enrol_closes_at": at(-1)}),
    )
    .await
    .expect(200);
    enrol(&app, &class, &v)
        .await
        .expect_problem(422, "enrolment_closed");
    app.patch(
        &path,
        Some(&o.city_admin),
        &json!({"version": 4, "enrol_closes_at": at(24)}),
    )
    .await
    .expect(200);

    let r = enrol(&app, &class, &v).await;
    r.expect(201);
    assert!(
        r.headers["location"]
            .to_str()
            .unwrap()
            .starts_with("/api/v1/enrolments/")
    );
    assert_eq!(r.body["status"], "enrolled");
    let eid = id(&r.body);
    enrol(&app, &class, &v)
        .await
        .expect_problem(409, "duplicate_enrolment");
    // Admins cannot use the volunteer endpoint.
    enrol(&app, &class, &o.city_admin)
        .await
        .expect_problem(403, "forbidden");

    let mine = app.get("/api/v1/enrolments/me", Some(&v)).await;
    mine.expect(200);
    assert_eq!(mine.body["total"], 1);
    assert_eq!(mine.body["items"][0]["class_title"], "应急救护基础");

    // Cancelling frees the place; enrolling again reuses the enrolment.
    let c = app
        .post(
            &format!("/api/v1/enrolments/{eid}/cancel"),
            Some(&v),
            &json!({}),
        )
        .await;
    c.expect(200);
    assert_eq!(c.body["status"], "cancelled");
    let cls = app.get(&path, Some(&o.city_admin)).await;
    assert_eq!(cls.body["enrolled_count"], 0);
    let again = enrol(&app, &class, &v).await;
    again.expect(201);
    assert_eq!(id(&again.body), eid);
    // Another volunteer cannot see or cancel it.
    let (_, w) = register_volunteer(&app, &birth_years_ago(25)).await;
    app.post(
        &format!("/api/v1/enrolments/{eid}/cancel"),
        Some(&w),
        &json!({}),
    )
    .await
    .expect_problem(404, "not_found");
    // Capacity cannot go below the places taken.
    app.patch(
        &path,
        Some(&o.city_admin),
        &json!({"version": 5, "capacity": 0}),
    )
    .await
    .expect_problem(422, "validation_failed");
    app.get(
        &format!("/api/v1/training-classes/{class}/enrolments"),
        Some(&o.other_admin),
    )
    .await
    .expect_problem(404, "not_found");
    let roster = app
        .get(
            &format!("/api/v1/training-classes/{class}/enrolments"),
            Some(&o.city_admin),
        )
        .await;
    roster.expect(200);
    assert_eq!(roster.body.as_array().unwrap().len(), 1);
    assert_eq!(roster.body[0]["real_name"], "李志愿");
}

#[tokio::test]
async fn twenty_simultaneous_enrolments_fill_five_places_exactly() {
    let app = spawn_app_with(|s| s.login_max_per_address = 1000).await;
    let o = orgs(&app).await;
    let (_, class) = open_class(&app, &o, 5, 1, json!({})).await;
    let mut tokens = Vec::new();
    for _ in 0..20 {
        tokens.push(register_volunteer(&app, &birth_years_ago(30)).await.1);
    }
    let handles: Vec<_> = tokens
        .iter()
        .map(|t| {
            let client = app.client.clone();
            let url = format!("{}/api/v1/training-classes/{class}/enrolments", app.address);
            let t = t.clone();
            tokio::spawn(async move {
                let r = client.post(url).bearer_auth(t).send().await.unwrap();
                let status = r.status().as_u16();
                let body: Value = r.json().await.unwrap();
                (status, body)
            })
        })
        .collect();
    let (mut enrolled, mut full) = (0, 0);
    for h in handles {
        let (status, body) = h.await.unwrap();
        match status {
            201 => enrolled += 1,
            409 => {
                assert_eq!(body["code"], "class_full", "{body}");
                full += 1;
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!((enrolled, full), (5, 15));
    let c = app
        .get(
            &format!("/api/v1/training-classes/{class}"),
            Some(&o.city_admin),
        )
        .await;
    assert_eq!(c.body["enrolled_count"], 5);
    assert_eq!(c.body["free_places"], 0);
}

#[tokio::test]
async fn a_batch_enrolment_reports_each_volunteer_in_one_transaction() {
    let app = spawn_app().await;
    let o = orgs(&app).await;
    let (_, class) = open_class(&app, &o, 3, 1, json!({})).await;
    let (a, ta) = self_registered_volunteer(&app, "张一", 11, Some(&o.city)).await;
    let (b, _) = self_registered_volunteer(&app, "张二", 12, Some(&o.city)).await;
    let (c, _) = self_registered_volunteer(&app, "张三", 13, Some(&o.city)).await;
    let (d, _) = self_registered_volunteer(&app, "张四", 14, Some(&o.city)).await;
    // Outside the city admin's scope.
    let (stranger, _) = self_registered_volunteer(&app, "王五", 15, None).await;
    enrol(&app, &class, &ta).await.expect(201);
    let path = format!("/api/v1/training-classes/{class}/enrolments/batch");
    let ids = [
        id(&a),
        id(&b),
        id(&b),
        id(&stranger),
        uuid::Uuid::now_v7().to_string(),
        id(&c),
        id(&d),
    ];
    let r = app
        .post(&path, Some(&o.city_admin), &json!({"volunteer_ids": ids}))
        .await;
    r.expect(200);
    let results: Vec<&str> = r.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["result"].as_str().unwrap())
        .collect();
    assert_eq!(
        results,
        [
            "duplicate",
            "enrolled",
            "duplicate",
            "not_found",
            "not_found",
            "enrolled",
            "full"
        ]
    );
    assert_eq!(r.body["enrolled"], 2);
    assert!(r.body["results"][1]["enrolment_id"].is_string());
    let cls = app
        .get(
            &format!("/api/v1/training-classes/{class}"),
            Some(&o.city_admin),
        )
        .await;
    assert_eq!(cls.body["enrolled_count"], 3);
    app.post(&path, Some(&o.city_admin), &json!({"volunteer_ids": []}))
        .await
        .expect_problem(422, "validation_failed");
    let too_many: Vec<String> = (0..501).map(|_| uuid::Uuid::now_v7().to_string()).collect();
    app.post(
        &path,
        Some(&o.city_admin),
        &json!({"volunteer_ids": too_many}),
    )
    .await
    .expect_problem(422, "validation_failed");
    app.post(
        &path,
        Some(&o.other_admin),
        &json!({"volunteer_ids": [id(&d)]}),
    )
    .await
    .expect_problem(404, "not_found");
}

#[tokio::test]
async fn completion_passes_by_attendance_or_by_pass_mark_and_grants_the_qualification() {
    let app = spawn_app().await;
    let o = orgs(&app).await;
    let (course, class) = open_class(&app, &o, 10, 5, json!({})).await;
    let mut people = Vec::new();
    for (i, name) in ["甲", "乙", "丙"].iter().enumerate() {
        let (v, t) =
            self_registered_volunteer(&app, name, 21 + u32::try_from(i).unwrap(), Some(&o.city))
                .await;
        let e = enrol(&app, &class, &t).await;
        e.expect(201);
        people.push((id(&v), t, id(&e.body)));
    }
    // Attendance and completion need a running class.
    attendance(&app, &o.city_admin, &class, 1, json!([]))
        .await
        .expect_problem(409, "invalid_state");
    complete(&app, &o.city_admin, &people[0].2, json!({}))
        .await
        .expect_problem(409, "invalid_state");
    act(&app, &o.city_admin, &class, "start").await.expect(200);
    // 甲 attends 4 of 5 (80 %: passes), 乙 3 of 5 (fails), 丙 none.
    for n in 1..=5_u32 {
        let marks = json!([
            {"enrolment_id": people[0].2, "present": n <= 4},
            {"enrolment_id": people[1].2, "present": n <= 3},
            {"enrolment_id": people[2].2, "present": false},
        ]);
        let r = attendance(&app, &o.city_admin, &class, n, marks).await;
        r.expect(200);
        assert_eq!(r.body["session"], n);
    }
    // A correction replaces the earlier mark.
    let r = attendance(
        &app,
        &o.city_admin,
        &class,
        5,
        json!([{"enrolment_id": people[2].2, "present": true}]),
    )
    .await;
    assert_eq!(r.body["present"], 1);
    attendance(&app, &o.city_admin, &class, 6, json!([]))
        .await
        .expect_problem(404, "not_found");
    attendance(
        &app,
        &o.city_admin,
        &class,
        1,
        json!([{"enrolment_id": uuid::Uuid::now_v7(), "present": true}]),
    )
    .await
    .expect_problem(422, "validation_failed");

    let p = complete(&app, &o.city_admin, &people[0].2, json!({})).await;
    p.expect(200);
    assert_eq!(p.body["enrolment"]["status"], "completed");
    assert_eq!(p.body["enrolment"]["passed"], true);
    assert_eq!(p.body["attended_sessions"], 4);
    assert_eq!(p.body["training_record"]["minutes"], 240);
    assert_eq!(p.body["qualification"]["code"], "first_aid");
    assert_eq!(p.body["qualification"]["valid"], true);
    let expected = shanghai_today() + Duration::days(730);
    assert_eq!(p.body["qualification"]["expires_on"], expected.to_string());
    complete(&app, &o.city_admin, &people[0].2, json!({}))
        .await
        .expect_problem(409, "invalid_state");

    let f = complete(&app, &o.city_admin, &people[1].2, json!({"score": 99})).await;
    f.expect(200);
    assert_eq!(f.body["enrolment"]["passed"], false);
    assert!(f.body["qualification"].is_null());
    assert_eq!(f.body["training_record"]["passed"], false);
    complete(&app, &o.city_admin, &people[2].2, json!({"score": 101}))
        .await
        .expect_problem(422, "validation_failed");
    complete(&app, &o.city_admin, &people[2].2, json!({}))
        .await
        .expect(200);

    // Records and qualifications: the volunteer themself, admins in scope; nobody else.
    let recs = app
        .get(
            &format!("/api/v1/volunteers/{}/training-records", people[0].0),
            Some(&people[0].1),
        )
        .await;
    recs.expect(200);
    assert_eq!(recs.body[0]["course_id"], course);
    assert_eq!(recs.body[0]["course_title"], "应急救护基础");
    let qs = app
        .get(
            &format!("/api/v1/volunteers/{}/qualifications", people[0].0),
            Some(&o.city_admin),
        )
        .await;
    qs.expect(200);
    assert_eq!(qs.body[0]["valid"], true);
    app.get(
        &format!("/api/v1/volunteers/{}/qualifications", people[0].0),
        Some(&people[1].1),
    )
    .await
    .expect_problem(404, "not_found");
    app.get(
        &format!("/api/v1/volunteers/{}/training-records", people[0].0),
        Some(&o.other_admin),
    )
    .await
    .expect_problem(404, "not_found");

    // Reports.
    let rep = app
        .get(
            &format!("/api/v1/training-classes/{class}/report"),
            Some(&o.city_admin),
        )
        .await;
    rep.expect(200);
    assert_eq!(rep.body["enrolled"], 3);
    assert_eq!(rep.body["attended"], 3);
    assert_eq!(rep.body["completed"], 3);
    assert_eq!(rep.body["passed"], 1);
    assert_eq!(rep.body["pass_rate"], "0.3333");
    let year = shanghai_today()
        .checked_add_signed(Duration::days(3))
        .unwrap()
        .format("%Y")
        .to_string();
    let org = app
        .get(
            &format!(
                "/api/v1/organizations/{}/training-report?year={year}",
                o.province
            ),
            Some(&o.admin),
        )
        .await;
    org.expect(200);
    assert_eq!(org.body["classes"], 1);
    assert_eq!(org.body["trainees"], 3);
    assert_eq!(org.body["training_minutes"], 720);
    app.get(
        &format!("/api/v1/organizations/{}/training-report", o.province),
        Some(&o.city_admin),
    )
    .await
    .expect_problem(404, "not_found");
}

#[tokio::test]
async fn a_pass_mark_decides_by_score() {
    let app = spawn_app().await;
    let o = orgs(&app).await;
    let (_, class) = open_class(&app, &o, 10, 1, json!({"pass_mark": 60})).await;
    let (_, t1) = register_volunteer(&app, &birth_years_ago(30)).await;
    let (_, t2) = register_volunteer(&app, &birth_years_ago(30)).await;
    let e1 = id(&enrol(&app, &class, &t1).await.body);
    let e2 = id(&enrol(&app, &class, &t2).await.body);
    act(&app, &o.city_admin, &class, "start").await.expect(200);
    let a = complete(&app, &o.admin, &e1, json!({"score": 60})).await;
    a.expect(200);
    assert_eq!(a.body["enrolment"]["passed"], true);
    assert_eq!(a.body["enrolment"]["score"], 60);
    let b = complete(&app, &o.admin, &e2, json!({"score": 59})).await;
    assert_eq!(b.body["enrolment"]["passed"], false);
}

async fn set_expiry(app: &TestApp, volunteer: &str, day: NaiveDate) {
    let q = volunteer_qualification::Entity::find()
        .filter(
            volunteer_qualification::Column::VolunteerId
                .eq(uuid::Uuid::parse_str(volunteer).unwrap()),
        )
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let mut a: volunteer_qualification::ActiveModel = q.into();
    a.expires_on = Set(Some(day));
    a.update(&app.db).await.unwrap();
}

#[tokio::test]
async fn a_qualification_is_valid_on_its_expiry_day_in_shanghai_and_expired_the_day_after() {
    let app = spawn_app().await;
    let o = orgs(&app).await;
    let (_, class) = open_class(&app, &o, 10, 1, json!({"pass_mark": 60})).await;
    let (v, t) = register_volunteer(&app, &birth_years_ago(30)).await;
    let e = id(&enrol(&app, &class, &t).await.body);
    act(&app, &o.city_admin, &class, "start").await.expect(200);
    complete(&app, &o.admin, &e, json!({"score": 90}))
        .await
        .expect(200);
    let path = format!("/api/v1/volunteers/{v}/qualifications");
    let today = shanghai_today();

    set_expiry(&app, &v, today).await;
    let r = app.get(&path, Some(&t)).await;
    r.expect(200);
    assert_eq!(r.body[0]["expires_on"], today.to_string());
    assert_eq!(r.body[0]["valid"], true, "valid on the day it expires");

    set_expiry(&app, &v, today - Duration::days(1)).await;
    let r = app.get(&path, Some(&t)).await;
    assert_eq!(r.body[0]["valid"], false, "expired the day after");
}

#[tokio::test]
async fn a_sign_up_is_refused_without_a_qualification_valid_on_the_shift_date_then_allowed_after_completion()
 {
    let app = spawn_app().await;
    let o = orgs(&app).await;
    let (_, shift) = app
        .published_project_with_shift(
            &o.city_admin,
            &o.city,
            json!({"required_qualifications": ["first_aid"]}),
            10,
        )
        .await;
    let (_, class) = open_class(&app, &o, 10, 1, json!({"pass_mark": 60})).await;
    let (v, t) = register_volunteer(&app, &birth_years_ago(30)).await;
    let signup = format!("/api/v1/shifts/{shift}/signups");
    let r = app.post(&signup, Some(&t), &json!({})).await;
    r.expect_problem(422, "qualification_missing");
    assert!(r.body["detail"].as_str().unwrap().contains("first_aid"));

    let e = id(&enrol(&app, &class, &t).await.body);
    act(&app, &o.city_admin, &class, "start").await.expect(200);
    complete(&app, &o.admin, &e, json!({"score": 90}))
        .await
        .expect(200);

    // The shift starts 48 hours from now: a qualification expiring the day before its date
    // (platform time zone) does not count; one expiring on that date does.
    let shift_day = (Utc::now() + Duration::hours(48))
        .with_timezone(&shanghai())
        .date_naive();
    set_expiry(&app, &v, shift_day - Duration::days(1)).await;
    app.post(&signup, Some(&t), &json!({}))
        .await
        .expect_problem(422, "qualification_missing");
    set_expiry(&app, &v, shift_day).await;
    let ok = app.post(&signup, Some(&t), &json!({})).await;
    ok.expect(201);
    assert_eq!(ok.body["status"], "approved");
}

#[tokio::test]
async fn probationary_volunteers_sign_up_only_where_allowed_until_they_pass_basics() {
    let app = spawn_app().await;
    let o = orgs(&app).await;
    let (_, strict) = app
        .published_project_with_shift(
            &o.city_admin,
            &o.city,
            json!({"allow_probationary": false}),
            10,
        )
        .await;
    let (_, open) = app
        .published_project_with_shift(&o.city_admin, &o.city, json!({}), 10)
        .await;
    let (_, t) = register_volunteer(&app, &birth_years_ago(30)).await;
    let s = app
        .get("/api/v1/training-settings", Some(&o.city_admin))
        .await;
    s.expect(200);
    assert_eq!(s.body, json!({"probation_required": false, "version": 0}));
    app.request(
        Method::PUT,
        "/api/v1/training-settings",
        Some(&o.city_admin),
        Some(&json!({"version": 0, "probation_required": true})),
    )
    .await
    .expect_problem(403, "forbidden");
    let put = app
        .request(
            Method::PUT,
            "/api/v1/training-settings",
            Some(&o.admin),
            Some(&json!({"version": 0, "probation_required": true})),
        )
        .await;
    put.expect(200);
    assert_eq!(put.body["version"], 1);
    app.request(
        Method::PUT,
        "/api/v1/training-settings",
        Some(&o.admin),
        Some(&json!({"version": 0, "probation_required": true})),
    )
    .await
    .expect_problem(412, "version_mismatch");

    app.post(
        &format!("/api/v1/shifts/{strict}/signups"),
        Some(&t),
        &json!({}),
    )
    .await
    .expect_problem(422, "probationary_not_allowed");
    let allowed = app
        .post(
            &format!("/api/v1/shifts/{open}/signups"),
            Some(&t),
            &json!({}),
        )
        .await;
    allowed.expect(201);
    // Both shifts are at the same time: free the first before taking the second.
    app.post(
        &format!("/api/v1/signups/{}/cancel", id(&allowed.body)),
        Some(&t),
        &json!({}),
    )
    .await
    .expect(200);

    // Passing a new-volunteer basics course ends probation.
    let mut basics = course_body(&o.city);
    basics["category"] = json!("new_volunteer_basics");
    basics["grants_qualification"] = json!(null);
    let course = id(&create_course(&app, &o.city_admin, &basics).await);
    let class = id(&create_class(&app, &o.city_admin, &class_body(&course, &o.city, 5, 1)).await);
    act(&app, &o.city_admin, &class, "open").await.expect(200);
    let e = id(&enrol(&app, &class, &t).await.body);
    act(&app, &o.city_admin, &class, "start").await.expect(200);
    attendance(
        &app,
        &o.city_admin,
        &class,
        1,
        json!([{"enrolment_id": e, "present": true}]),
    )
    .await
    .expect(200);
    let c = complete(&app, &o.city_admin, &e, json!({})).await;
    c.expect(200);
    assert_eq!(c.body["enrolment"]["passed"], true);
    app.post(
        &format!("/api/v1/shifts/{strict}/signups"),
        Some(&t),
        &json!({}),
    )
    .await
    .expect(201);
}
