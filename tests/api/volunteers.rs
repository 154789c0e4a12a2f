//! Real-name volunteers: registration rules (GB 11643 ID numbers, minors, duplicates), masking,
//! audited unmasking, subtree scoping, profile updates, deregistration, list filters.

use chrono::{Duration, NaiveDate, Utc};
use entity::audit_log;
use sea_orm::{ColumnTrait as _, EntityTrait as _, QueryFilter as _};
use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp, id_check_char, id_number, spawn_app};

const PASSWORD: &str = "Volunteer-pass-1";

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

/// An adult's resident ID number (born 1990-03-07 in Beijing 东城区); odd `seq` = male.
fn adult_id(seq: u32) -> String {
    id_number("110101", "19900307", seq)
}

/// A date `years` years and about three months ago: far enough from a birthday that the platform
/// time zone cannot change the age.
fn born_years_ago(years: i64) -> NaiveDate {
    Utc::now().date_naive() - Duration::days(365 * years + 100)
}

fn ymd(d: NaiveDate) -> String {
    d.format("%Y%m%d").to_string()
}

/// A self-registration body for an adult.
fn registration(name: &str, id_number: &str, mobile: &str) -> Value {
    json!({
        "real_name": name,
        "id_type": "resident_id_card",
        "id_number": id_number,
        "mobile": mobile,
        "region_code": "320102",
        "skills": ["急救", "摄影"],
        "service_categories": ["社区服务"],
        "password": PASSWORD,
    })
}

/// An admin registration body for an adult.
fn admin_registration(name: &str, id_number: &str, mobile: &str, org: &str) -> Value {
    json!({
        "real_name": name,
        "id_type": "resident_id_card",
        "id_number": id_number,
        "mobile": mobile,
        "region_code": "320102",
        "skills": ["急救"],
        "service_categories": ["社区服务"],
        "organization_id": org,
    })
}

async fn register(app: &TestApp, body: &Value) -> Reply {
    app.post("/api/v1/volunteers/register", None, body).await
}

/// Registers an adult and returns (volunteer JSON, access token).
async fn registered(app: &TestApp, seq: u32, mobile: &str) -> (Value, String) {
    let r = register(app, &registration("张三", &adult_id(seq), mobile)).await;
    r.expect(201);
    let login = app.login(mobile, PASSWORD).await;
    login.expect(200);
    (
        r.body.clone(),
        login.body["access_token"].as_str().unwrap().to_owned(),
    )
}

/// province → Nanjing (with admin) → 玄武区; province → Suzhou (with admin).
struct Orgs {
    admin: String,
    nanjing: String,
    xuanwu: String,
    suzhou: String,
    province_admin: String,
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
    let province_admin = app.org_admin_token(&admin, &province, "js-admin").await;
    let nanjing_admin = app.org_admin_token(&admin, &nanjing, "nj-admin").await;
    let suzhou_admin = app.org_admin_token(&admin, &suzhou, "sz-admin").await;
    Orgs {
        admin,
        nanjing,
        xuanwu,
        suzhou,
        province_admin,
        nanjing_admin,
        suzhou_admin,
    }
}

fn error_codes(r: &Reply) -> Vec<(String, String)> {
    r.body["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| {
                    (
                        e["field"].as_str().unwrap_or("").to_owned(),
                        e["code"].as_str().unwrap_or("").to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[track_caller]
fn assert_issue(r: &Reply, field: &str, code: &str) {
    let codes = error_codes(r);
    assert!(
        codes.contains(&(field.to_owned(), code.to_owned())),
        "expected {field}: {code} in {codes:?}"
    );
}

// ---------------------------------------------------------------------------
// Registration
// ---------------------------------------------------------------------------

#[tokio::test]
async fn a_volunteer_registers_with_a_chinese_name_and_gets_a_number_and_a_login() {
    let app = spawn_app().await;
    let idn = adult_id(13);
    let r = register(&app, &registration("张伟", &idn, "13812340001")).await;
    r.expect(201);
    let v = &r.body;
    assert_eq!(
        r.headers["location"],
        format!("/api/v1/volunteers/{}", id(v)).as_str()
    );
    let number = v["volunteer_number"].as_str().unwrap();
    assert_eq!(number.len(), 12);
    assert!(number.bytes().all(|b| b.is_ascii_digit()));
    assert!(number.ends_with("00000001"), "{number}");
    assert_eq!(v["real_name"], "张伟");
    assert_eq!(v["gender"], "male");
    assert_eq!(v["birth_date"], "1990-03-07");
    assert_eq!(v["id_number"], format!("1101**********{}", &idn[14..]));
    assert_eq!(v["mobile"], "138****0001");
    assert_eq!(v["skills"], json!(["急救", "摄影"]));
    assert_eq!(v["status"], "active");
    assert_eq!(v["version"], 1);
    assert!(v["guardian"].is_null());

    // The volunteer logs in with the mobile or the volunteer number and sees themself.
    let by_number = app.login(number, PASSWORD).await;
    by_number.expect(200);
    let token = by_number.body["access_token"].as_str().unwrap();
    let me = app.get("/api/v1/volunteers/me", Some(token)).await;
    me.expect(200);
    assert_eq!(me.body["id"], v["id"]);
    app.get(&format!("/api/v1/volunteers/{}", id(v)), Some(token))
        .await
        .expect(200);
    app.login("13812340001", PASSWORD).await.expect(200);
}

#[tokio::test]
async fn names_in_minority_and_foreign_scripts_are_accepted() {
    let app = spawn_app().await;
    let r = register(
        &app,
        &registration(
            "阿依古丽•买买提",
            &id_number("650102", "19950512", 22),
            "13812340002",
        ),
    )
    .await;
    r.expect(201);
    // Look-alike dots are folded to the middle dot printed on ID cards.
    assert_eq!(r.body["real_name"], "阿依古丽·买买提");
    assert_eq!(r.body["gender"], "female");

    let mut passport = registration("José Müller", "e12345678", "13812340003");
    passport["id_type"] = json!("passport");
    passport["birth_date"] = json!("1985-10-01");
    passport["gender"] = json!("male");
    let r = register(&app, &passport).await;
    r.expect(201);
    assert_eq!(r.body["real_name"], "José Müller");
    assert_eq!(r.body["id_type"], "passport");
    assert_eq!(r.body["id_number"], "E123*5678");
}

#[tokio::test]
async fn a_wrong_check_character_or_an_impossible_birth_date_is_refused() {
    let app = spawn_app().await;
    let good = adult_id(13);
    let last = good.chars().last().unwrap();
    let wrong = format!("{}{}", &good[..17], if last == '0' { '1' } else { '0' });
    let r = register(&app, &registration("张三", &wrong, "13812340004")).await;
    r.expect_problem(422, "validation_failed");
    assert_issue(&r, "id_number", "id_number_checksum");

    let feb31 = id_number("110101", "19900231", 13);
    let r = register(&app, &registration("张三", &feb31, "13812340004")).await;
    assert_issue(&r, "id_number", "id_number_birth_date");

    let short = &good[..17];
    let r = register(&app, &registration("张三", short, "13812340004")).await;
    assert_issue(&r, "id_number", "id_number_format");

    register(&app, &registration("张三", &good, "13812340004"))
        .await
        .expect(201);
}

#[tokio::test]
async fn a_declared_birth_date_or_gender_that_contradicts_the_id_is_refused() {
    let app = spawn_app().await;
    let mut body = registration("李娜", &adult_id(24), "13812340005");
    body["gender"] = json!("male");
    body["birth_date"] = json!("1990-03-08");
    let r = register(&app, &body).await;
    r.expect_problem(422, "validation_failed");
    assert_issue(&r, "gender", "gender_mismatch");
    assert_issue(&r, "birth_date", "birth_date_mismatch");

    body["gender"] = json!("female");
    body["birth_date"] = json!("1990-03-07");
    register(&app, &body).await.expect(201);
}

#[tokio::test]
async fn a_passport_holder_must_declare_birth_date_and_gender() {
    let app = spawn_app().await;
    let mut body = registration("John Smith", "G1234567", "13812340006");
    body["id_type"] = json!("passport");
    let r = register(&app, &body).await;
    r.expect_problem(422, "validation_failed");
    assert_issue(&r, "birth_date", "required");
    assert_issue(&r, "gender", "required");
}

#[tokio::test]
async fn a_mobile_with_the_country_code_is_normalised_and_works_as_login() {
    let app = spawn_app().await;
    let r = register(
        &app,
        &registration("王芳", &adult_id(26), "+86 138-1234-0007"),
    )
    .await;
    r.expect(201);
    assert_eq!(r.body["mobile"], "138****0007");
    app.login("13812340007", PASSWORD).await.expect(200);

    let r = register(&app, &registration("王芳", &adult_id(28), "+86 1381234")).await;
    assert_issue(&r, "mobile", "mobile_format");
}

#[tokio::test]
async fn every_field_problem_is_reported_in_one_answer() {
    let app = spawn_app().await;
    let mut body = registration("张\u{7}三", &adult_id(13), "12345");
    body["region_code"] = json!("999999");
    body["skills"] = json!(["急救\n摄影"]);
    body["email"] = json!("not-an-email");
    body["password"] = json!("short");
    let r = register(&app, &body).await;
    r.expect_problem(422, "validation_failed");
    assert_issue(&r, "real_name", "name_characters");
    assert_issue(&r, "mobile", "mobile_format");
    assert_issue(&r, "region_code", "region_unknown");
    assert_issue(&r, "skills[0]", "text_characters");
    assert_issue(&r, "email", "email_format");
    assert_issue(&r, "password", "password_too_weak");
}

#[tokio::test]
async fn over_long_names_bad_regions_and_too_many_skills_are_refused() {
    let app = spawn_app().await;
    let r = register(
        &app,
        &registration(&"张".repeat(51), &adult_id(13), "13812340008"),
    )
    .await;
    assert_issue(&r, "real_name", "name_too_long");

    let mut body = registration("张三", &adult_id(13), "13812340008");
    body["region_code"] = json!("32010");
    let r = register(&app, &body).await;
    assert_issue(&r, "region_code", "region_format");

    let mut body = registration("张三", &adult_id(13), "13812340008");
    body["skills"] = json!((0..21).map(|i| format!("技能{i}")).collect::<Vec<_>>());
    let r = register(&app, &body).await;
    assert_issue(&r, "skills", "too_many_items");

    let mut body = registration("张三", &adult_id(13), "13812340008");
    body["skills"] = json!(["x".repeat(33)]);
    let r = register(&app, &body).await;
    assert_issue(&r, "skills[0]", "text_too_long");
}

#[tokio::test]
async fn unknown_fields_and_unknown_enum_values_are_refused() {
    let app = spawn_app().await;
    let mut body = registration("张三", &adult_id(13), "13812340009");
    body["status"] = json!("active");
    register(&app, &body)
        .await
        .expect_problem(422, "invalid_body");
    let mut body = registration("张三", &adult_id(13), "13812340009");
    body["id_type"] = json!("library_card");
    register(&app, &body)
        .await
        .expect_problem(422, "invalid_body");
}

#[tokio::test]
async fn a_mobile_or_id_number_sent_as_the_wrong_type_is_not_echoed_in_the_problem() {
    let app = spawn_app().await;
    let mobile = "13812345678";
    let id_no = adult_id(13);
    let mut cases = Vec::new();
    let mut body = registration("张三", &id_no, mobile);
    body["mobile"] = json!(13_812_345_678_u64);
    cases.push(body);
    let mut body = registration("张三", &id_no, mobile);
    body["id_number"] = json!(id_no[..17].parse::<u64>().unwrap());
    cases.push(body);
    let mut body = registration("张三", &id_no, mobile);
    body["id_type"] = json!(id_no);
    cases.push(body);
    let mut body = registration("张三", &id_no, mobile);
    body["birth_date"] = json!(mobile);
    cases.push(body);
    for body in cases {
        let r = register(&app, &body).await;
        r.expect_problem(422, "invalid_body");
        let text = r.body.to_string();
        assert!(
            !text.contains(mobile) && !text.contains(&id_no[..17]),
            "personal value echoed: {text}"
        );
    }
    // The login body and a query string are treated alike.
    let r = app
        .post(
            "/api/v1/auth/login",
            None,
            &json!({"login": 13_812_345_678_u64, "password": "x"}),
        )
        .await;
    r.expect_problem(422, "invalid_body");
    assert!(!r.body.to_string().contains(mobile), "{}", r.body);
    let admin = app.admin_token().await;
    let r = app
        .get(&format!("/api/v1/volunteers?status={mobile}"), Some(&admin))
        .await;
    r.expect_problem(400, "invalid_query");
    assert!(!r.body.to_string().contains(mobile), "{}", r.body);
}

#[tokio::test]
async fn registering_the_same_id_number_twice_returns_409_even_with_lower_case_x_and_spaces() {
    let app = spawn_app().await;
    // A sequence whose check character is X.
    let seq = (1..999)
        .find(|s| id_check_char(&format!("11010119900307{s:03}")) == 'X')
        .unwrap();
    let upper = adult_id(seq);
    assert!(upper.ends_with('X'));
    register(&app, &registration("张三", &upper, "13812340010"))
        .await
        .expect(201);
    let lower = format!("  {}\u{3000}", upper.to_lowercase());
    register(&app, &registration("李四", &lower, "13812340011"))
        .await
        .expect_problem(409, "duplicate_id_number");
    // The admin path refuses it too.
    let o = orgs(&app).await;
    app.post(
        "/api/v1/volunteers",
        Some(&o.admin),
        &admin_registration("李四", &lower, "13812340011", &o.nanjing),
    )
    .await
    .expect_problem(409, "duplicate_id_number");
}

#[tokio::test]
async fn a_mobile_that_already_logs_in_returns_409() {
    let app = spawn_app().await;
    register(&app, &registration("张三", &adult_id(13), "13812340012"))
        .await
        .expect(201);
    register(&app, &registration("李四", &adult_id(15), "138 1234 0012"))
        .await
        .expect_problem(409, "duplicate_mobile");
}

#[tokio::test]
async fn concurrent_registrations_get_distinct_volunteer_numbers() {
    let app = spawn_app().await;
    let mut set = tokio::task::JoinSet::new();
    for i in 0..6 {
        let body = registration(
            "张三",
            &adult_id(101 + 2 * i),
            &format!("1391234{:04}", 100 + i),
        );
        let client = app.client.clone();
        let url = format!("{}/api/v1/volunteers/register", app.address);
        set.spawn(async move {
            let r = client.post(url).json(&body).send().await.unwrap();
            let status = r.status().as_u16();
            let v: Value = r.json().await.unwrap();
            (status, v)
        });
    }
    let mut numbers = Vec::new();
    while let Some(done) = set.join_next().await {
        let (status, v) = done.unwrap();
        assert_eq!(status, 201, "{v}");
        numbers.push(v["volunteer_number"].as_str().unwrap().to_owned());
    }
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), 6);
}

// ---------------------------------------------------------------------------
// Minors
// ---------------------------------------------------------------------------

fn guardian(consent: bool) -> Value {
    json!({"name": "张建国", "relation": "父亲", "mobile": "+86 139 1234 5678", "consent": consent})
}

#[tokio::test]
async fn a_thirteen_year_old_is_refused() {
    let app = spawn_app().await;
    let mut body = registration(
        "张小明",
        &id_number("110101", &ymd(born_years_ago(13)), 13),
        "13812340020",
    );
    body["guardian"] = guardian(true);
    let r = register(&app, &body).await;
    r.expect_problem(422, "below_minimum_age");
}

#[tokio::test]
async fn the_minimum_age_is_configuration() {
    let app = crate::helpers::spawn_app_with(|s| s.min_volunteer_age = 12).await;
    let mut body = registration(
        "张小明",
        &id_number("110101", &ymd(born_years_ago(13)), 13),
        "13812340021",
    );
    body["guardian"] = guardian(true);
    register(&app, &body).await.expect(201);
}

#[tokio::test]
async fn a_sixteen_year_old_without_guardian_consent_is_refused() {
    let app = spawn_app().await;
    let idn = id_number("110101", &ymd(born_years_ago(16)), 13);
    let body = registration("张小明", &idn, "13812340022");
    register(&app, &body)
        .await
        .expect_problem(422, "guardian_consent_required");

    let mut refused = body.clone();
    refused["guardian"] = guardian(false);
    let r = register(&app, &refused).await;
    r.expect_problem(422, "guardian_consent_required");

    let mut bad_guardian = body.clone();
    bad_guardian["guardian"] =
        json!({"name": "", "relation": "父亲", "mobile": "123", "consent": true});
    let r = register(&app, &bad_guardian).await;
    r.expect_problem(422, "validation_failed");
    assert_issue(&r, "guardian.name", "name_empty");
    assert_issue(&r, "guardian.mobile", "mobile_format");
}

#[tokio::test]
async fn a_sixteen_year_old_with_guardian_consent_registers() {
    let app = spawn_app().await;
    let mut body = registration(
        "张小明",
        &id_number("110101", &ymd(born_years_ago(16)), 13),
        "13812340023",
    );
    body["guardian"] = guardian(true);
    let r = register(&app, &body).await;
    r.expect(201);
    let g = &r.body["guardian"];
    assert_eq!(g["name"], "张建国");
    assert_eq!(g["relation"], "父亲");
    assert_eq!(g["mobile"], "139****5678");
    assert!(g["consented_at"].is_string());
    assert!(!r.text.contains("13912345678"));
}

// ---------------------------------------------------------------------------
// Masking and unmasking
// ---------------------------------------------------------------------------

#[tokio::test]
async fn the_full_id_number_and_mobile_appear_only_in_the_unmask_answer() {
    let app = spawn_app().await;
    let o = orgs(&app).await;
    let idn = adult_id(31);
    let mobile = "13812340030";
    let mut body = registration("张三", &idn, mobile);
    body["organization_id"] = json!(o.nanjing);
    let reg = register(&app, &body).await;
    reg.expect(201);
    let vid = id(&reg.body);
    let token = app.login(mobile, PASSWORD).await.body["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut replies = vec![reg];
    replies.push(
        app.get(&format!("/api/v1/volunteers/{vid}"), Some(&o.admin))
            .await,
    );
    replies.push(app.get("/api/v1/volunteers/me", Some(&token)).await);
    replies.push(app.get("/api/v1/volunteers", Some(&o.admin)).await);
    replies.push(app.get("/api/v1/volunteers", Some(&o.nanjing_admin)).await);
    replies.push(
        app.get(
            &format!("/api/v1/volunteers?id_number={idn}"),
            Some(&o.admin),
        )
        .await,
    );
    replies.push(
        app.patch(
            &format!("/api/v1/volunteers/{vid}"),
            Some(&token),
            &json!({"version": 1, "education": "本科"}),
        )
        .await,
    );
    for r in &replies {
        assert!(r.status.is_success(), "{}", r.text);
        assert!(!r.text.contains(&idn), "ID number leaked: {}", r.text);
        assert!(!r.text.contains(&idn[6..14]), "birth digits leaked");
        assert!(!r.text.contains(mobile), "mobile leaked: {}", r.text);
    }

    let r = app
        .post(
            &format!("/api/v1/volunteers/{vid}/unmask"),
            Some(&o.nanjing_admin),
            &json!({"reason": "核对保险投保信息"}),
        )
        .await;
    r.expect(200);
    assert_eq!(r.body["id_number"], idn);
    assert_eq!(r.body["mobile"], mobile);
    assert_eq!(r.body["id_type"], "resident_id_card");

    let rows = audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq("unmask"))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].entity_id.to_string(), vid);
    assert_eq!(rows[0].reason.as_deref(), Some("核对保险投保信息"));
    assert!(rows[0].actor_id.is_some());
    // No audit row carries personal values.
    let all = audit_log::Entity::find().all(&app.db).await.unwrap();
    for row in all {
        assert!(!row.changed_fields.contains(&idn));
        assert!(!row.changed_fields.contains(mobile));
    }
}

#[tokio::test]
async fn unmasking_needs_an_admin_and_a_reason() {
    let app = spawn_app().await;
    let (v, token) = registered(&app, 13, "13812340031").await;
    let admin = app.admin_token().await;
    let path = format!("/api/v1/volunteers/{}/unmask", id(&v));
    app.post(&path, Some(&token), &json!({"reason": "自己看看号码"}))
        .await
        .expect_problem(403, "forbidden");
    let r = app
        .post(&path, Some(&admin), &json!({"reason": "核对信息"}))
        .await;
    r.expect(200);
    let r = app
        .post(&path, Some(&admin), &json!({"reason": "核对"}))
        .await;
    r.expect_problem(422, "validation_failed");
    assert_issue(&r, "reason", "text_too_short");
    let r = app
        .post(&path, Some(&admin), &json!({"reason": "长".repeat(201)}))
        .await;
    assert_issue(&r, "reason", "text_too_long");
    app.post(&path, Some(&admin), &json!({}))
        .await
        .expect_problem(422, "invalid_body");
}

// ---------------------------------------------------------------------------
// Scope
// ---------------------------------------------------------------------------

#[tokio::test]
async fn an_org_admin_of_another_subtree_gets_404_and_sees_nothing() {
    let app = spawn_app().await;
    let o = orgs(&app).await;
    let r = app
        .post(
            "/api/v1/volunteers",
            Some(&o.nanjing_admin),
            &admin_registration("张三", &adult_id(41), "13812340040", &o.xuanwu),
        )
        .await;
    r.expect(201);
    assert_eq!(r.body["registration_organization_id"], o.xuanwu.as_str());
    let vid = id(&r.body);
    let path = format!("/api/v1/volunteers/{vid}");

    // Suzhou's admin: nothing, 404 everywhere.
    app.get(&path, Some(&o.suzhou_admin))
        .await
        .expect_problem(404, "not_found");
    app.patch(
        &path,
        Some(&o.suzhou_admin),
        &json!({"version": 1, "education": "本科"}),
    )
    .await
    .expect_problem(404, "not_found");
    app.post(
        &format!("{path}/deregister"),
        Some(&o.suzhou_admin),
        &json!({}),
    )
    .await
    .expect_problem(404, "not_found");
    app.post(
        &format!("{path}/unmask"),
        Some(&o.suzhou_admin),
        &json!({"reason": "核对信息"}),
    )
    .await
    .expect_problem(404, "not_found");
    app.post(
        &format!("{path}/suspend"),
        Some(&o.suzhou_admin),
        &json!({}),
    )
    .await
    .expect_problem(404, "not_found");
    let list = app.get("/api/v1/volunteers", Some(&o.suzhou_admin)).await;
    list.expect(200);
    assert_eq!(list.body["total"], 0);
    let list = app
        .get(
            &format!("/api/v1/volunteers?organization_id={}", o.xuanwu),
            Some(&o.suzhou_admin),
        )
        .await;
    assert_eq!(list.body["total"], 0);

    // Nanjing (the parent) and the province see it.
    for token in [&o.nanjing_admin, &o.province_admin, &o.admin] {
        app.get(&path, Some(token)).await.expect(200);
        let list = app.get("/api/v1/volunteers", Some(token)).await;
        assert_eq!(list.body["total"], 1);
    }

    // Another volunteer gets 404 as well.
    let (_, other) = registered(&app, 43, "13812340041").await;
    app.get(&path, Some(&other))
        .await
        .expect_problem(404, "not_found");
    app.patch(
        &path,
        Some(&other),
        &json!({"version": 1, "education": "本科"}),
    )
    .await
    .expect_problem(404, "not_found");
    app.post(&format!("{path}/deregister"), Some(&other), &json!({}))
        .await
        .expect_problem(404, "not_found");
    app.get("/api/v1/volunteers", Some(&other))
        .await
        .expect_problem(403, "forbidden");
}

#[tokio::test]
async fn an_org_admin_registers_volunteers_only_for_organizations_in_scope() {
    let app = spawn_app().await;
    let o = orgs(&app).await;
    let r = app
        .post(
            "/api/v1/volunteers",
            Some(&o.suzhou_admin),
            &admin_registration("张三", &adult_id(45), "13812340042", &o.nanjing),
        )
        .await;
    r.expect_problem(422, "validation_failed");
    assert_issue(&r, "organization_id", "organization_not_found");

    // An admin-registered volunteer is an active member and has no login.
    let r = app
        .post(
            "/api/v1/volunteers",
            Some(&o.suzhou_admin),
            &admin_registration("张三", &adult_id(45), "13812340042", &o.suzhou),
        )
        .await;
    r.expect(201);
    let m = app
        .get(
            &format!("/api/v1/memberships?volunteer_id={}", id(&r.body)),
            Some(&o.suzhou_admin),
        )
        .await;
    assert_eq!(m.body["total"], 1);
    assert_eq!(m.body["items"][0]["status"], "active");
    app.login("13812340042", PASSWORD)
        .await
        .expect_problem(401, "invalid_credentials");
}

#[tokio::test]
async fn applicants_are_visible_to_the_organization_they_applied_to() {
    let app = spawn_app().await;
    let o = orgs(&app).await;
    let mut body = registration("张三", &adult_id(47), "13812340043");
    body["organization_id"] = json!(o.xuanwu);
    let r = register(&app, &body).await;
    r.expect(201);
    assert!(r.body["registration_organization_id"].is_null());
    let path = format!("/api/v1/volunteers/{}", id(&r.body));
    app.get(&path, Some(&o.nanjing_admin)).await.expect(200);
    app.get(&path, Some(&o.suzhou_admin))
        .await
        .expect_problem(404, "not_found");

    let mut body = registration("李四", &adult_id(49), "13812340044");
    body["organization_id"] = json!(uuid::Uuid::now_v7());
    let r = register(&app, &body).await;
    assert_issue(&r, "organization_id", "organization_not_found");
}

// ---------------------------------------------------------------------------
// Updates
// ---------------------------------------------------------------------------

#[tokio::test]
async fn a_patch_with_identity_or_unknown_fields_is_refused() {
    let app = spawn_app().await;
    let (v, token) = registered(&app, 13, "13812340050").await;
    let path = format!("/api/v1/volunteers/{}", id(&v));
    for field in ["id_number", "birth_date", "status", "gender", "nickname"] {
        let r = app
            .patch(&path, Some(&token), &json!({"version": 1, field: "x"}))
            .await;
        r.expect_problem(422, "invalid_body");
    }
    app.patch(&path, Some(&token), &json!({"education": "本科"}))
        .await
        .expect_problem(422, "invalid_body");
}

#[tokio::test]
async fn a_volunteer_edits_their_profile_but_not_their_real_name() {
    let app = spawn_app().await;
    let (v, token) = registered(&app, 13, "13812340051").await;
    let path = format!("/api/v1/volunteers/{}", id(&v));
    let r = app
        .patch(
            &path,
            Some(&token),
            &json!({"version": 1, "real_name": "张四"}),
        )
        .await;
    r.expect_problem(422, "validation_failed");
    assert_issue(&r, "real_name", "field_not_editable");

    let r = app
        .patch(
            &path,
            Some(&token),
            &json!({"version": 1, "skills": ["手语", "手语", "急救"], "email": "Zhang@Example.COM",
                    "region_code": "320505", "political_status": "共青团员", "education": ""}),
        )
        .await;
    r.expect(200);
    assert_eq!(r.body["skills"], json!(["手语", "急救"]));
    assert_eq!(r.body["email"], "Zhang@example.com");
    assert_eq!(r.body["region_code"], "320505");
    assert_eq!(r.body["political_status"], "共青团员");
    assert!(r.body["education"].is_null());
    assert_eq!(r.body["version"], 2);

    let admin = app.admin_token().await;
    let r = app
        .patch(
            &path,
            Some(&admin),
            &json!({"version": 2, "real_name": "张 四"}),
        )
        .await;
    r.expect(200);
    assert_eq!(r.body["real_name"], "张 四");

    let rows = audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq("update"))
        .filter(audit_log::Column::EntityType.eq("volunteer"))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    let fields: Vec<Vec<String>> = rows
        .iter()
        .map(|r| serde_json::from_str(&r.changed_fields).unwrap())
        .collect();
    assert!(fields.contains(&vec!["real_name".to_owned()]));
    assert!(fields.iter().any(|f| f.contains(&"skills".to_owned())
        && f.contains(&"email".to_owned())
        && !f.contains(&"education".to_owned())));
}

#[tokio::test]
async fn a_stale_version_returns_412() {
    let app = spawn_app().await;
    let (v, token) = registered(&app, 13, "13812340052").await;
    let path = format!("/api/v1/volunteers/{}", id(&v));
    app.patch(
        &path,
        Some(&token),
        &json!({"version": 1, "education": "本科"}),
    )
    .await
    .expect(200);
    app.patch(
        &path,
        Some(&token),
        &json!({"version": 1, "education": "硕士"}),
    )
    .await
    .expect_problem(412, "version_mismatch");
}

#[tokio::test]
async fn a_new_mobile_moves_the_login() {
    let app = spawn_app().await;
    let (v, token) = registered(&app, 13, "13812340053").await;
    registered(&app, 15, "13812340054").await;
    let path = format!("/api/v1/volunteers/{}", id(&v));
    app.patch(
        &path,
        Some(&token),
        &json!({"version": 1, "mobile": "13812340054"}),
    )
    .await
    .expect_problem(409, "duplicate_mobile");
    let r = app
        .patch(
            &path,
            Some(&token),
            &json!({"version": 1, "mobile": "+86 13812340055"}),
        )
        .await;
    r.expect(200);
    assert_eq!(r.body["mobile"], "138****0055");
    app.login("13812340055", PASSWORD).await.expect(200);
    app.login("13812340053", PASSWORD)
        .await
        .expect_problem(401, "invalid_credentials");
}

// ---------------------------------------------------------------------------
// Deregistration, suspension
// ---------------------------------------------------------------------------

#[tokio::test]
async fn deregistration_anonymises_disables_the_login_and_allows_registering_again() {
    let app = spawn_app().await;
    let idn = adult_id(13);
    let mobile = "13812340060";
    let mut body = registration("张三", &idn, mobile);
    body["email"] = json!("zhang@example.com");
    let first = register(&app, &body).await;
    first.expect(201);
    let vid = id(&first.body);
    let login = app.login(mobile, PASSWORD).await;
    let token = login.body["access_token"].as_str().unwrap().to_owned();
    let refresh = login.body["refresh_token"].as_str().unwrap().to_owned();

    let r = app
        .post(
            &format!("/api/v1/volunteers/{vid}/deregister"),
            Some(&token),
            &json!({}),
        )
        .await;
    r.expect(200);
    assert_eq!(r.body["status"], "deregistered");
    assert_eq!(r.body["real_name"], "已注销");
    assert_eq!(r.body["id_number"], "");
    assert_eq!(r.body["mobile"], "");
    assert!(r.body["email"].is_null());
    assert_eq!(r.body["skills"], json!([]));
    assert!(r.body["deregistered_at"].is_string());
    assert_eq!(r.body["volunteer_number"], first.body["volunteer_number"]);

    let stored = entity::volunteer::Entity::find_by_id(uuid::Uuid::parse_str(&vid).unwrap())
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.id_number_ciphertext, "");
    assert_eq!(stored.id_number_hash, format!("deregistered:{vid}"));

    // The login is gone, its refresh token too.
    app.login(mobile, PASSWORD)
        .await
        .expect_problem(401, "invalid_credentials");
    app.post(
        "/api/v1/auth/refresh",
        None,
        &json!({"refresh_token": refresh}),
    )
    .await
    .expect(401);

    let admin = app.admin_token().await;
    app.post(
        &format!("/api/v1/volunteers/{vid}/deregister"),
        Some(&admin),
        &json!({}),
    )
    .await
    .expect_problem(409, "already_deregistered");
    app.post(
        &format!("/api/v1/volunteers/{vid}/unmask"),
        Some(&admin),
        &json!({"reason": "核对信息"}),
    )
    .await
    .expect_problem(409, "volunteer_deregistered");

    // The same person registers again, with the same ID number and mobile.
    let again = register(&app, &body).await;
    again.expect(201);
    assert_ne!(again.body["id"], first.body["id"]);
    assert_ne!(
        again.body["volunteer_number"],
        first.body["volunteer_number"]
    );
}

#[tokio::test]
async fn an_admin_suspends_and_reactivates_a_volunteer() {
    let app = spawn_app().await;
    let (v, token) = registered(&app, 13, "13812340061").await;
    let admin = app.admin_token().await;
    let path = format!("/api/v1/volunteers/{}", id(&v));
    app.post(&format!("{path}/suspend"), Some(&token), &json!({}))
        .await
        .expect_problem(403, "forbidden");
    let r = app
        .post(&format!("{path}/suspend"), Some(&admin), &json!({}))
        .await;
    r.expect(200);
    assert_eq!(r.body["status"], "suspended");
    assert_eq!(r.body["version"], 2);
    let r = app
        .post(&format!("{path}/activate"), Some(&admin), &json!({}))
        .await;
    r.expect(200);
    assert_eq!(r.body["status"], "active");
}

// ---------------------------------------------------------------------------
// Lists
// ---------------------------------------------------------------------------

#[tokio::test]
async fn the_list_filters_by_name_region_organization_skill_mobile_and_id_number() {
    let app = spawn_app().await;
    let o = orgs(&app).await;
    let mut a = admin_registration("王小明", &adult_id(71), "13812340071", &o.xuanwu);
    a["skills"] = json!(["急救", "摄影"]);
    let mut b = admin_registration("李小红", &adult_id(72), "13812340072", &o.suzhou);
    b["region_code"] = json!("320505");
    b["skills"] = json!(["急救员"]);
    b["service_categories"] = json!(["大型活动"]);
    let mut c = admin_registration("王大力", &adult_id(73), "13812340073", &o.nanjing);
    c["id_type"] = json!("passport");
    c["id_number"] = json!("E7654321");
    c["birth_date"] = json!("1980-01-01");
    c["gender"] = json!("male");
    c["skills"] = json!([]);
    for body in [&a, &b, &c] {
        app.post("/api/v1/volunteers", Some(&o.admin), body)
            .await
            .expect(201);
    }
    let names = |r: &Reply| -> Vec<String> {
        r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["real_name"].as_str().unwrap().to_owned())
            .collect()
    };
    let q = |query: &str| {
        let path = format!("/api/v1/volunteers?{query}");
        let admin = o.admin.clone();
        let app = &app;
        async move {
            let r = app.get(&path, Some(&admin)).await;
            r.expect(200);
            r
        }
    };
    let all = q("").await;
    assert_eq!(all.body["total"], 3);
    // Newest first.
    assert_eq!(names(&all), vec!["王大力", "李小红", "王小明"]);
    assert_eq!(names(&q("name=%E7%8E%8B").await), vec!["王大力", "王小明"]);
    assert_eq!(names(&q("region_code=320500").await), vec!["李小红"]);
    assert_eq!(names(&q("region_code=320000").await).len(), 3);
    assert_eq!(
        names(&q(&format!("organization_id={}", o.nanjing)).await),
        vec!["王大力"]
    );
    // Exact skill items: 急救 does not match 急救员.
    assert_eq!(names(&q("skill=%E6%80%A5%E6%95%91").await), vec!["王小明"]);
    assert_eq!(
        names(&q("service_category=%E5%A4%A7%E5%9E%8B%E6%B4%BB%E5%8A%A8").await),
        vec!["李小红"]
    );
    assert_eq!(
        names(&q("mobile=%2B86%20138-1234-0072").await),
        vec!["李小红"]
    );
    assert_eq!(
        names(&q(&format!("id_number={}", adult_id(71))).await),
        vec!["王小明"]
    );
    assert_eq!(names(&q("id_number=e7654321").await), vec!["王大力"]);
    assert_eq!(names(&q("id_type=passport").await), vec!["王大力"]);
    assert_eq!(names(&q("status=active&per_page=1&page=2").await).len(), 1);
    let number = all.body["items"][0]["volunteer_number"].as_str().unwrap();
    assert_eq!(
        names(&q(&format!("volunteer_number={number}")).await),
        vec!["王大力"]
    );
    app.get("/api/v1/volunteers?mobile=123", Some(&o.admin))
        .await
        .expect_problem(400, "invalid_query");
    app.get("/api/v1/volunteers?status=sleeping", Some(&o.admin))
        .await
        .expect_problem(400, "invalid_query");
    // An admin of Nanjing sees the two Nanjing volunteers only.
    let nj = app.get("/api/v1/volunteers", Some(&o.nanjing_admin)).await;
    assert_eq!(nj.body["total"], 2);
}

#[tokio::test]
async fn reads_answer_beside_an_open_write_and_see_only_committed_rows() {
    // Reads outside transactions go through the read pool (on SQLite, read-only connections
    // beside the single writer): a write transaction holding the writer must neither block them
    // nor show them its uncommitted rows, and once committed the next read sees it.
    use sea_orm::TransactionTrait as _;
    use sea_orm::sea_query::Expr;
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let org = app.create_org(&admin, "团省委", None).await;
    let org_id = org["id"].as_str().unwrap();
    let v = crate::helpers::admin_registered_volunteer(&app, &admin, org_id, "张三", 1).await;
    let id: uuid::Uuid = v["id"].as_str().unwrap().parse().unwrap();
    let one = format!("/api/v1/volunteers/{id}");
    let list = format!("/api/v1/volunteers?organization_id={org_id}");
    let txn = app.db.begin().await.unwrap();
    entity::volunteer::Entity::update_many()
        .col_expr(entity::volunteer::Column::RealName, Expr::value("李四"))
        .filter(entity::volunteer::Column::Id.eq(id))
        .exec(&txn)
        .await
        .unwrap();
    let wait = std::time::Duration::from_secs(5);
    let got = tokio::time::timeout(wait, app.get(&one, Some(&admin)))
        .await
        .expect("a read waited for the open write transaction");
    got.expect(200);
    assert_eq!(got.body["real_name"], "张三", "{}", got.body);
    let listed = tokio::time::timeout(wait, app.get(&list, Some(&admin)))
        .await
        .expect("a list waited for the open write transaction");
    listed.expect(200);
    assert_eq!(
        listed.body["items"][0]["real_name"], "张三",
        "{}",
        listed.body
    );
    txn.commit().await.unwrap();
    let got = app.get(&one, Some(&admin)).await;
    got.expect(200);
    assert_eq!(got.body["real_name"], "李四", "{}", got.body);
    let listed = app.get(&list, Some(&admin)).await;
    assert_eq!(
        listed.body["items"][0]["real_name"], "李四",
        "{}",
        listed.body
    );
}
