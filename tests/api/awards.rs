//! Award campaigns, credit list with consent, partner benefits (issue 5): sanctions, consent
//! and the credit-list export, offers with eligibility, concurrent claims that never oversell,
//! one-time redemption; campaigns with eligibility edge cases, reviewer conflicts of interest,
//! ranking and quota, public notice across weekends, objections and awards.

use chrono::{Datelike as _, Duration, NaiveDate, Weekday};
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, EntityTrait as _,
    PaginatorTrait as _, QueryFilter as _,
};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{
    Reply, TestApp, approved_minutes, beijing_today, id_number, self_registered_volunteer,
    spawn_app_with,
};

/// An app whose login limits allow the many logins of these tests.
async fn spawn_app() -> TestApp {
    spawn_app_with(|s| {
        s.login_max_per_address = 1000;
        s.login_max_per_account = 1000;
    })
    .await
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

fn uuid(s: &str) -> Uuid {
    Uuid::parse_str(s).unwrap()
}

/// province → city → (district team, partner business); province → other city.
struct World {
    admin: String,
    city: String,
    district: String,
    business: String,
    other_city: String,
    city_admin: String,
    district_admin: String,
    business_admin: String,
    other_admin: String,
}

async fn org(app: &TestApp, token: &str, name: &str, kind: &str, parent: &str) -> String {
    let r = app
        .post(
            "/api/v1/organizations",
            Some(token),
            &json!({"name": name, "kind": kind, "region_code": "320100", "parent_id": parent}),
        )
        .await;
    r.expect(201);
    id(&r.body)
}

async fn world(app: &TestApp) -> World {
    let admin = app.admin_token().await;
    let province = id(&app.create_org(&admin, "共青团江苏省委", None).await);
    let city = id(&app
        .create_org(&admin, "共青团南京市委", Some(&province))
        .await);
    let other_city = id(&app
        .create_org(&admin, "共青团苏州市委", Some(&province))
        .await);
    let district = org(
        app,
        &admin,
        "玄武区志愿者协会",
        "volunteer_association",
        &city,
    )
    .await;
    let business = org(app, &admin, "金陵影城", "partner_business", &city).await;
    let city_admin = app.org_admin_token(&admin, &city, "city_admin").await;
    let district_admin = app
        .org_admin_token(&admin, &district, "district_admin")
        .await;
    let business_admin = app
        .org_admin_token(&admin, &business, "business_admin")
        .await;
    let other_admin = app
        .org_admin_token(&admin, &other_city, "other_admin")
        .await;
    World {
        admin,
        city,
        district,
        business,
        other_city,
        city_admin,
        district_admin,
        business_admin,
        other_admin,
    }
}

/// A self-registered volunteer of `org` with `minutes` approved minutes (records from
/// 2025-01-01 + `first_day`); returns (id, token).
async fn volunteer(
    app: &TestApp,
    w: &World,
    seq: u32,
    org: &str,
    minutes: i64,
) -> (String, String) {
    let (v, t) = self_registered_volunteer(app, "王小明", seq, Some(org)).await;
    let vid = id(&v);
    if minutes > 0 {
        approved_minutes(app, &w.admin, &vid, org, 0, minutes).await;
    }
    (vid, t)
}

async fn audit_rows(app: &TestApp, action: &str, entity: &str) -> u64 {
    entity::audit_log::Entity::find()
        .filter(entity::audit_log::Column::Action.eq(action))
        .filter(entity::audit_log::Column::EntityId.eq(uuid(entity)))
        .count(&app.db)
        .await
        .unwrap()
}

// ---------------------------------------------------------------------------
// Benefits
// ---------------------------------------------------------------------------

fn offer_body(w: &World, stock: i64, extra: Value) -> Value {
    let today = beijing_today();
    let mut b = json!({
        "organization_id": w.business,
        "title": "志愿者观影八折",
        "description": "凭兑换码购票享八折",
        "valid_from": (today - Duration::days(1)).to_string(),
        "valid_to": (today + Duration::days(30)).to_string(),
        "stock": stock,
    });
    if let (Some(b), Some(e)) = (b.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            b.insert(k.clone(), v.clone());
        }
    }
    b
}

async fn create_offer(app: &TestApp, token: &str, body: &Value) -> Value {
    let r = app.post("/api/v1/benefit-offers", Some(token), body).await;
    r.expect(201);
    assert!(r.headers.get("location").is_some());
    r.body.clone()
}

async fn claim(app: &TestApp, token: &str, offer: &str) -> Reply {
    app.post(
        &format!("/api/v1/benefit-offers/{offer}/claims"),
        Some(token),
        &json!({}),
    )
    .await
}

async fn claimable_ids(app: &TestApp, token: &str) -> Vec<String> {
    let r = app
        .get("/api/v1/benefit-offers/claimable", Some(token))
        .await;
    r.expect(200);
    r.body["items"].as_array().unwrap().iter().map(id).collect()
}

#[tokio::test]
async fn offers_come_from_partner_businesses_and_only_eligible_volunteers_can_claim_them() {
    let app = spawn_app().await;
    let w = world(&app).await;
    // Only partner businesses publish; others' admins cannot reach the business.
    let mut wrong = offer_body(&w, 3, json!({}));
    wrong["organization_id"] = json!(w.district);
    app.post("/api/v1/benefit-offers", Some(&w.district_admin), &wrong)
        .await
        .expect_problem(422, "validation_failed");
    app.post(
        "/api/v1/benefit-offers",
        Some(&w.other_admin),
        &offer_body(&w, 3, json!({})),
    )
    .await
    .expect_problem(404, "not_found");
    let bad = app
        .post(
            "/api/v1/benefit-offers",
            Some(&w.business_admin),
            &offer_body(
                &w,
                0,
                json!({"min_star_level": 6, "region_codes": ["999999"], "valid_to": "2020-01-01"}),
            ),
        )
        .await;
    bad.expect_problem(422, "validation_failed");
    let codes: Vec<&str> = bad.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap())
        .collect();
    for c in [
        "star_level_range",
        "region_unknown",
        "validity_invalid",
        "stock_range",
    ] {
        assert!(codes.contains(&c), "{codes:?} lacks {c}");
    }

    // One star, Nanjing (320100 covers the volunteers' 320102); and one for Wuxi only.
    let nanjing = create_offer(
        &app,
        &w.business_admin,
        &offer_body(
            &w,
            3,
            json!({"min_star_level": 1, "region_codes": ["320100"]}),
        ),
    )
    .await;
    assert_eq!(nanjing["stock_remaining"], 3);
    assert_eq!(nanjing["region_codes"], json!(["320100"]));
    let wuxi = create_offer(
        &app,
        &w.business_admin,
        &offer_body(&w, 3, json!({"region_codes": ["320200"]})),
    )
    .await;
    let anywhere = create_offer(&app, &w.business_admin, &offer_body(&w, 3, json!({}))).await;

    // 100 hours = 1 star; one minute less = no star.
    let (_, star) = volunteer(&app, &w, 11, &w.city, 6000).await;
    let (_, none) = volunteer(&app, &w, 12, &w.city, 5999).await;
    let mut seen = claimable_ids(&app, &star).await;
    seen.sort();
    let mut want = vec![id(&nanjing), id(&anywhere)];
    want.sort();
    assert_eq!(seen, want);
    assert_eq!(claimable_ids(&app, &none).await, vec![id(&anywhere)]);
    claim(&app, &none, &id(&nanjing))
        .await
        .expect_problem(422, "star_level_too_low");
    claim(&app, &star, &id(&wuxi))
        .await
        .expect_problem(422, "region_not_eligible");

    let c = claim(&app, &star, &id(&nanjing)).await;
    c.expect(201);
    let code = c.body["code"].as_str().unwrap().to_owned();
    assert!(code.len() >= 10);
    assert!(
        code.bytes()
            .all(|b| b"23456789ABCDEFGHJKMNPQRSTVWXYZ".contains(&b)),
        "{code}"
    );
    // One claim per volunteer and offer; the claimed offer leaves the claimable list.
    claim(&app, &star, &id(&nanjing))
        .await
        .expect_problem(409, "already_claimed");
    assert_eq!(claimable_ids(&app, &star).await, vec![id(&anywhere)]);
    let mine = app.get("/api/v1/benefit-claims/me", Some(&star)).await;
    mine.expect(200);
    assert_eq!(mine.body["total"], 1);
    assert_eq!(mine.body["items"][0]["code"], code);
    assert!(mine.body["items"][0]["redeemed_at"].is_null());
    let o = app
        .get(
            &format!("/api/v1/benefit-offers/{}", id(&nanjing)),
            Some(&w.business_admin),
        )
        .await;
    o.expect(200);
    assert_eq!(o.body["stock_remaining"], 2);
    // Admins outside the business's subtree do not see the offer; volunteers cannot list.
    app.get(
        &format!("/api/v1/benefit-offers/{}", id(&nanjing)),
        Some(&w.other_admin),
    )
    .await
    .expect_problem(404, "not_found");
    app.get("/api/v1/benefit-offers", Some(&star))
        .await
        .expect_problem(403, "forbidden");
    let list = app.get("/api/v1/benefit-offers", Some(&w.city_admin)).await;
    list.expect(200);
    assert_eq!(list.body["total"], 3);
}

#[tokio::test]
async fn twenty_simultaneous_claims_of_five_codes_give_exactly_five_codes() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let offer = id(&create_offer(&app, &w.business_admin, &offer_body(&w, 5, json!({}))).await);
    let mut tokens = Vec::new();
    for seq in 0..20 {
        let (_, t) = self_registered_volunteer(&app, "赵六", 100 + seq, None).await;
        tokens.push(t);
    }
    let handles: Vec<_> = tokens
        .iter()
        .map(|t| {
            let client = app.client.clone();
            let url = format!("{}/api/v1/benefit-offers/{offer}/claims", app.address);
            let t = t.clone();
            tokio::spawn(async move {
                let r = client.post(url).bearer_auth(t).send().await.unwrap();
                let status = r.status().as_u16();
                let body: Value = r.json().await.unwrap();
                (status, body)
            })
        })
        .collect();
    let mut codes = Vec::new();
    let mut out_of_stock = 0;
    for h in handles {
        let (status, body) = h.await.unwrap();
        match status {
            201 => codes.push(body["code"].as_str().unwrap().to_owned()),
            409 => {
                assert_eq!(body["code"], "out_of_stock", "{body}");
                out_of_stock += 1;
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!((codes.len(), out_of_stock), (5, 15));
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), 5);
    let o = app
        .get(
            &format!("/api/v1/benefit-offers/{offer}"),
            Some(&w.business_admin),
        )
        .await;
    assert_eq!(o.body["stock_remaining"], 0);
    let stored = entity::awards::benefit_claim::Entity::find()
        .filter(entity::awards::benefit_claim::Column::OfferId.eq(uuid(&offer)))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(stored, 5);

    // One volunteer claiming five times at once gets one code; the refused claims give their
    // stock back.
    let second = id(&create_offer(&app, &w.business_admin, &offer_body(&w, 5, json!({}))).await);
    let handles: Vec<_> = (0..5)
        .map(|_| {
            let client = app.client.clone();
            let url = format!("{}/api/v1/benefit-offers/{second}/claims", app.address);
            let t = tokens[0].clone();
            tokio::spawn(async move {
                let r = client.post(url).bearer_auth(t).send().await.unwrap();
                let status = r.status().as_u16();
                let body: Value = r.json().await.unwrap();
                (status, body)
            })
        })
        .collect();
    let mut created = 0;
    for h in handles {
        let (status, body) = h.await.unwrap();
        match status {
            201 => created += 1,
            409 => assert_eq!(body["code"], "already_claimed", "{body}"),
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!(created, 1);
    let o = app
        .get(
            &format!("/api/v1/benefit-offers/{second}"),
            Some(&w.business_admin),
        )
        .await;
    assert_eq!(o.body["stock_remaining"], 4);
}

#[tokio::test]
async fn a_code_is_redeemed_once_by_its_business_and_not_after_the_offer_expired() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let offer = id(&create_offer(&app, &w.business_admin, &offer_body(&w, 5, json!({}))).await);
    let (_, a) = volunteer(&app, &w, 21, &w.city, 0).await;
    let (_, b) = volunteer(&app, &w, 22, &w.city, 0).await;
    let code_a = claim(&app, &a, &offer).await.body["code"]
        .as_str()
        .unwrap()
        .to_lowercase();
    let code_b = claim(&app, &b, &offer).await.body["code"]
        .as_str()
        .unwrap()
        .to_owned();
    // Another city's admin does not find the code; the business redeems it (case ignored).
    app.post(
        "/api/v1/benefit-redemptions",
        Some(&w.other_admin),
        &json!({"code": code_a}),
    )
    .await
    .expect_problem(404, "not_found");
    let r = app
        .post(
            "/api/v1/benefit-redemptions",
            Some(&w.business_admin),
            &json!({"code": code_a}),
        )
        .await;
    r.expect(200);
    assert_eq!(r.body["offer_id"], offer);
    app.post(
        "/api/v1/benefit-redemptions",
        Some(&w.business_admin),
        &json!({"code": code_a}),
    )
    .await
    .expect_problem(409, "already_redeemed");
    let mine = app.get("/api/v1/benefit-claims/me", Some(&a)).await;
    assert!(mine.body["items"][0]["redeemed_at"].is_string());
    // The business sees who claimed and what was redeemed, but not the codes.
    let claims = app
        .get(
            &format!("/api/v1/benefit-offers/{offer}/claims"),
            Some(&w.business_admin),
        )
        .await;
    claims.expect(200);
    assert_eq!(claims.body["total"], 2);
    let redeemed = claims.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["redeemed_at"].is_string())
        .count();
    assert_eq!(redeemed, 1);
    assert!(!claims.text.contains(&code_b));
    app.get(
        &format!("/api/v1/benefit-offers/{offer}/claims"),
        Some(&w.other_admin),
    )
    .await
    .expect_problem(404, "not_found");
    app.post(
        "/api/v1/benefit-redemptions",
        Some(&w.business_admin),
        &json!({"code": "NOSUCHCODE22"}),
    )
    .await
    .expect_problem(404, "not_found");

    // The offer ended yesterday: its codes are no longer redeemed.
    let mut o: entity::awards::benefit_offer::ActiveModel =
        entity::awards::benefit_offer::Entity::find_by_id(uuid(&offer))
            .one(&app.db)
            .await
            .unwrap()
            .unwrap()
            .into();
    o.valid_from = Set(beijing_today() - Duration::days(10));
    o.valid_to = Set(beijing_today() - Duration::days(1));
    o.update(&app.db).await.unwrap();
    app.post(
        "/api/v1/benefit-redemptions",
        Some(&w.business_admin),
        &json!({"code": code_b}),
    )
    .await
    .expect_problem(422, "offer_expired");
    let (_, c) = volunteer(&app, &w, 23, &w.city, 0).await;
    claim(&app, &c, &offer)
        .await
        .expect_problem(422, "offer_not_valid");
}

#[tokio::test]
async fn a_parent_admin_suspends_an_offer_and_the_business_itself_cannot() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let offer = create_offer(&app, &w.business_admin, &offer_body(&w, 5, json!({}))).await;
    let oid = id(&offer);
    let path = format!("/api/v1/benefit-offers/{oid}/suspend");
    app.post(
        &path,
        Some(&w.business_admin),
        &json!({"version": 1, "reason": "违规宣传"}),
    )
    .await
    .expect_problem(403, "forbidden");
    app.post(
        &path,
        Some(&w.other_admin),
        &json!({"version": 1, "reason": "违规宣传"}),
    )
    .await
    .expect_problem(404, "not_found");
    app.post(
        &path,
        Some(&w.city_admin),
        &json!({"version": 7, "reason": "违规宣传"}),
    )
    .await
    .expect_problem(412, "version_mismatch");
    let s = app
        .post(
            &path,
            Some(&w.city_admin),
            &json!({"version": 1, "reason": "违规宣传"}),
        )
        .await;
    s.expect(200);
    assert_eq!(s.body["status"], "suspended");
    assert_eq!(audit_rows(&app, "suspend", &oid).await, 1);
    let (_, v) = volunteer(&app, &w, 31, &w.city, 0).await;
    assert!(claimable_ids(&app, &v).await.is_empty());
    claim(&app, &v, &oid)
        .await
        .expect_problem(422, "offer_suspended");
    let r = app
        .post(
            &format!("/api/v1/benefit-offers/{oid}/resume"),
            Some(&w.admin),
            &json!({"version": 2}),
        )
        .await;
    r.expect(200);
    assert_eq!(r.body["status"], "active");
    claim(&app, &v, &oid).await.expect(201);
}

// ---------------------------------------------------------------------------
// Sanctions and the credit list
// ---------------------------------------------------------------------------

async fn sanction(app: &TestApp, token: &str, volunteer: &str, body: &Value) -> Reply {
    app.post(
        &format!("/api/v1/volunteers/{volunteer}/sanctions"),
        Some(token),
        body,
    )
    .await
}

#[tokio::test]
async fn sanctions_are_scoped_dated_audited_and_lifted_once() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let (v, vt) = volunteer(&app, &w, 41, &w.district, 0).await;
    let today = beijing_today();
    sanction(
        &app,
        &w.other_admin,
        &v,
        &json!({"kind": "warning", "starts_on": today.to_string(), "reason": "迟到"}),
    )
    .await
    .expect_problem(404, "not_found");
    sanction(
        &app,
        &vt,
        &v,
        &json!({"kind": "warning", "starts_on": today.to_string(), "reason": "迟到"}),
    )
    .await
    .expect_problem(403, "forbidden");
    sanction(
        &app,
        &w.city_admin,
        &v,
        &json!({"kind": "warning", "starts_on": today.to_string(), "ends_on": (today - Duration::days(1)).to_string(), "reason": ""}),
    )
    .await
    .expect_problem(422, "validation_failed");
    let s = sanction(
        &app,
        &w.city_admin,
        &v,
        &json!({"kind": "disqualification", "starts_on": today.to_string(), "reason": "虚报服务时长"}),
    )
    .await;
    s.expect(201);
    assert_eq!(s.body["active"], true);
    let sid = id(&s.body);
    assert_eq!(audit_rows(&app, "create", &sid).await, 1);
    // A past sanction is listed but not active.
    sanction(
        &app,
        &w.district_admin,
        &v,
        &json!({"kind": "warning", "starts_on": "2025-01-01", "ends_on": "2025-01-31", "reason": "迟到"}),
    )
    .await
    .expect(201);
    let list = app
        .get(
            &format!("/api/v1/volunteers/{v}/sanctions"),
            Some(&w.district_admin),
        )
        .await;
    list.expect(200);
    assert_eq!(list.body["total"], 2);
    assert_eq!(list.body["items"][1]["active"], false);
    let lift = format!("/api/v1/volunteer-sanctions/{sid}/lift");
    let l = app
        .post(&lift, Some(&w.city_admin), &json!({"reason": "复核后撤销"}))
        .await;
    l.expect(200);
    assert_eq!(l.body["active"], false);
    app.post(&lift, Some(&w.city_admin), &json!({"reason": "复核后撤销"}))
        .await
        .expect_problem(409, "already_lifted");
    assert_eq!(audit_rows(&app, "lift", &sid).await, 1);
}

async fn export(app: &TestApp, token: &str, body: &Value) -> Reply {
    app.post("/api/v1/credit-list/export", Some(token), body)
        .await
}

fn numbers(r: &Reply) -> Vec<String> {
    r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["volunteer_number"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_credit_list_holds_consenting_volunteers_who_meet_the_rule_and_withdrawal_removes_them()
{
    let app = spawn_app().await;
    let w = world(&app).await;
    let json_export = json!({"format": "json"});
    export(&app, &w.admin, &json_export)
        .await
        .expect_problem(409, "no_credit_rule");
    let today = beijing_today();
    app.post(
        "/api/v1/credit-list-rules",
        Some(&w.admin),
        &json!({"effective_from": today.to_string()}),
    )
    .await
    .expect_problem(422, "validation_failed");
    app.post(
        "/api/v1/credit-list-rules",
        Some(&w.city_admin),
        &json!({"min_star_level": 1, "effective_from": today.to_string()}),
    )
    .await
    .expect_problem(403, "forbidden");
    let rule = app
        .post(
            "/api/v1/credit-list-rules",
            Some(&w.admin),
            &json!({"min_star_level": 1, "effective_from": today.to_string()}),
        )
        .await;
    rule.expect(201);
    assert_eq!(rule.body["version"], 1);
    // A later version that is not in force yet does not apply.
    let later = app
        .post(
            "/api/v1/credit-list-rules",
            Some(&w.admin),
            &json!({"min_minutes": 60000, "effective_from": (today + Duration::days(30)).to_string()}),
        )
        .await;
    assert_eq!(later.body["version"], 2);

    // a: 1 star, consents. b: 1 star, never consents. c: no star, consents. d: 1 star,
    // consents, sanctioned.
    let (a, at) = volunteer(&app, &w, 51, &w.city, 6000).await;
    let (_, _bt) = volunteer(&app, &w, 52, &w.city, 6000).await;
    let (_, ct) = volunteer(&app, &w, 53, &w.city, 5999).await;
    let (d, dt) = volunteer(&app, &w, 54, &w.city, 6000).await;
    for t in [&at, &ct, &dt] {
        let r = app
            .request(
                reqwest::Method::PUT,
                "/api/v1/volunteers/me/credit-consent",
                Some(t),
                Some(&json!({})),
            )
            .await;
        r.expect(200);
        assert_eq!(r.body["consented"], true);
        assert!(r.body["consented_at"].is_string());
    }
    sanction(
        &app,
        &w.city_admin,
        &d,
        &json!({"kind": "warning", "starts_on": today.to_string(), "reason": "服务中违规"}),
    )
    .await
    .expect(201);
    // Giving consent again changes nothing.
    app.request(
        reqwest::Method::PUT,
        "/api/v1/volunteers/me/credit-consent",
        Some(&at),
        None,
    )
    .await
    .expect(200);
    assert_eq!(audit_rows(&app, "consent", &a).await, 1);

    let r = export(&app, &w.admin, &json_export).await;
    r.expect(200);
    assert_eq!(r.body["rule_version"], 1);
    assert_eq!(r.body["id_numbers_clear"], false);
    let a_number = app.get("/api/v1/volunteers/me", Some(&at)).await.body["volunteer_number"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(numbers(&r), vec![a_number.clone()]);
    let masked = r.body["items"][0]["id_number"].as_str().unwrap().to_owned();
    assert!(masked.contains('*'), "{masked}");
    assert_eq!(audit_rows(&app, "export", &id(&rule.body)).await, 1);

    // CSV: headings and the same row.
    let csv = export(&app, &w.admin, &json!({"format": "csv"})).await;
    csv.expect(200);
    assert!(
        csv.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert!(csv.text.starts_with('\u{feff}'));
    let lines: Vec<Vec<&str>> = csv
        .text
        .trim_start_matches('\u{feff}')
        .lines()
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(
        lines[0],
        [
            "志愿者编号",
            "姓名",
            "证件类型",
            "证件号码",
            "星级",
            "服务时长（分钟）",
            "同意时间"
        ]
    );
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1][0], a_number);
    assert_eq!(lines[1][1], "王小明");
    assert_eq!(lines[1][3], masked);
    assert_eq!(lines[1][5], "6000");

    // Clear ID numbers need a reason and write an audit row with it.
    export(
        &app,
        &w.admin,
        &json!({"format": "json", "include_id_numbers": true}),
    )
    .await
    .expect_problem(422, "validation_failed");
    let clear = export(
        &app,
        &w.admin,
        &json!({"format": "json", "include_id_numbers": true, "reason": "报送市信用信息平台"}),
    )
    .await;
    clear.expect(200);
    assert_eq!(
        clear.body["items"][0]["id_number"],
        id_number("110101", "19900307", 51)
    );
    let row = entity::audit_log::Entity::find()
        .filter(entity::audit_log::Column::Action.eq("export_unmasked"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.reason.as_deref(), Some("报送市信用信息平台"));
    export(&app, &w.city_admin, &json_export)
        .await
        .expect_problem(403, "forbidden");

    // Withdrawal: audited, with its time, and the next export leaves the volunteer out.
    let wd = app
        .request(
            reqwest::Method::DELETE,
            "/api/v1/volunteers/me/credit-consent",
            Some(&at),
            None,
        )
        .await;
    wd.expect(200);
    assert_eq!(wd.body["consented"], false);
    assert!(wd.body["withdrawn_at"].is_string());
    assert_eq!(audit_rows(&app, "withdraw_consent", &a).await, 1);
    let r = export(&app, &w.admin, &json_export).await;
    assert!(numbers(&r).is_empty());
    let me = app
        .get("/api/v1/volunteers/me/credit-consent", Some(&at))
        .await;
    assert_eq!(me.body["consented"], false);
}

// ---------------------------------------------------------------------------
// Campaigns
// ---------------------------------------------------------------------------

/// The `n`-th working day after `date` with weekends and the given holidays off.
fn working_days_after(date: NaiveDate, n: u32, holidays: &[NaiveDate]) -> NaiveDate {
    let mut d = date;
    let mut left = n;
    while left > 0 {
        d += Duration::days(1);
        if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !holidays.contains(&d) {
            left -= 1;
        }
    }
    d
}

fn campaign_body(org: &str, quota: i64, criteria: Value) -> Value {
    let now = chrono::Utc::now();
    json!({
        "organization_id": org,
        "name": "2026年度南京市优秀青年志愿者",
        "year": 2026,
        "level": "city",
        "quota": quota,
        "nomination_opens_at": (now - Duration::hours(1)).to_rfc3339(),
        "nomination_closes_at": (now + Duration::days(7)).to_rfc3339(),
        "criteria": criteria,
    })
}

fn loose_criteria() -> Value {
    json!({"min_minutes": 0, "period_from": "2025-01-01", "period_to": "2025-12-31"})
}

/// A campaign of `org` created and opened for nominations by `token`; returns its id.
async fn open_campaign(app: &TestApp, token: &str, body: &Value) -> String {
    let r = app.post("/api/v1/award-campaigns", Some(token), body).await;
    r.expect(201);
    assert_eq!(r.body["status"], "draft");
    let cid = id(&r.body);
    step(app, token, &cid, "open-nominations").await.expect(200);
    cid
}

async fn step(app: &TestApp, token: &str, campaign: &str, action: &str) -> Reply {
    app.post(
        &format!("/api/v1/award-campaigns/{campaign}/{action}"),
        Some(token),
        &json!({}),
    )
    .await
}

async fn nominate(app: &TestApp, token: &str, campaign: &str, org: &str, vid: &str) -> Reply {
    app.post(
        &format!("/api/v1/award-campaigns/{campaign}/nominations"),
        Some(token),
        &json!({"volunteer_id": vid, "organization_id": org, "statement": "长期参与社区助老服务，事迹突出。"}),
    )
    .await
}

async fn score(app: &TestApp, token: &str, nomination: &str, value: i64) -> Reply {
    app.request(
        reqwest::Method::PUT,
        &format!("/api/v1/award-nominations/{nomination}/score"),
        Some(token),
        Some(&json!({"score": value})),
    )
    .await
}

async fn assign(app: &TestApp, token: &str, campaign: &str, reviewer_token: &str) -> Reply {
    let me = app.get("/api/v1/auth/me", Some(reviewer_token)).await;
    me.expect(200);
    app.post(
        &format!("/api/v1/award-campaigns/{campaign}/reviewers"),
        Some(token),
        &json!({"account_id": me.body["id"]}),
    )
    .await
}

/// Passed completions of a new published course of the city by the volunteers; returns the
/// course id.
async fn pass_course(app: &TestApp, w: &World, volunteer_tokens: &[&str]) -> String {
    let at = |h: i64| {
        (chrono::Utc::now() + Duration::hours(h))
            .format("%Y-%m-%dT%H:%M:00Z")
            .to_string()
    };
    let c = app
        .post(
            "/api/v1/courses",
            Some(&w.city_admin),
            &json!({"organization_id": w.city, "title": "志愿服务骨干培训", "category": "backbone", "minutes": 120}),
        )
        .await;
    c.expect(201);
    let course = id(&c.body);
    app.post(
        &format!("/api/v1/courses/{course}/publish"),
        Some(&w.city_admin),
        &json!({}),
    )
    .await
    .expect(200);
    let k = app
        .post(
            "/api/v1/training-classes",
            Some(&w.city_admin),
            &json!({
                "course_id": course, "organization_id": w.city, "level": "city",
                "sessions": [{"starts_at": at(72), "ends_at": at(75)}],
                "place": "南京市青年活动中心", "capacity": 10, "pass_mark": 60,
                "enrol_opens_at": at(-1), "enrol_closes_at": at(24),
            }),
        )
        .await;
    k.expect(201);
    let class = id(&k.body);
    for action in ["open"] {
        app.post(
            &format!("/api/v1/training-classes/{class}/{action}"),
            Some(&w.city_admin),
            &json!({}),
        )
        .await
        .expect(200);
    }
    let mut enrolments = Vec::new();
    for t in volunteer_tokens {
        let e = app
            .post(
                &format!("/api/v1/training-classes/{class}/enrolments"),
                Some(t),
                &json!({}),
            )
            .await;
        e.expect(201);
        enrolments.push(id(&e.body));
    }
    app.post(
        &format!("/api/v1/training-classes/{class}/start"),
        Some(&w.city_admin),
        &json!({}),
    )
    .await
    .expect(200);
    for e in enrolments {
        let done = app
            .post(
                &format!("/api/v1/enrolments/{e}/complete"),
                Some(&w.city_admin),
                &json!({"score": 90}),
            )
            .await;
        done.expect(200);
        assert_eq!(done.body["enrolment"]["passed"], true);
    }
    course
}

/// A volunteer registered at the district with `before` approved minutes before the campaign
/// period (2025-01-01 on) and `inside` minutes within it (2025-04-11 on).
async fn nominee(app: &TestApp, w: &World, seq: u32, before: i64, inside: i64) -> (String, String) {
    let (v, t) = self_registered_volunteer(app, "张三丰", seq, Some(&w.district)).await;
    let vid = id(&v);
    if before > 0 {
        approved_minutes(app, &w.admin, &vid, &w.city, 0, before).await;
    }
    if inside > 0 {
        approved_minutes(app, &w.admin, &vid, &w.city, 100, inside).await;
    }
    (vid, t)
}

#[tokio::test]
async fn nominations_are_refused_with_the_failing_criterion_at_the_exact_boundaries() {
    let app = spawn_app().await;
    let w = world(&app).await;
    // The period starts 2025-03-01; the criteria: 50 hours in it, 1 star, the backbone course.
    // a meets each exactly; b to f each fail one criterion and meet the others.
    let (a, at) = nominee(&app, &w, 61, 3000, 3000).await;
    // b: one minute short in the period (1 star from earlier hours).
    let (b, bt) = nominee(&app, &w, 62, 3060, 2999).await;
    // c: 50 hours in the period but one minute short of 100 hours: no star.
    let (c, ct) = nominee(&app, &w, 63, 2999, 3000).await;
    // d: enough, but a record in the period was voided.
    let (d, dt) = nominee(&app, &w, 64, 3000, 3000).await;
    // e: enough, but sanctioned today. f: enough, without the course.
    let (e, et) = nominee(&app, &w, 65, 3000, 3000).await;
    let (f, _) = nominee(&app, &w, 66, 3000, 3000).await;
    let course = pass_course(&app, &w, &[&at, &bt, &ct, &dt, &et]).await;
    let criteria = json!({
        "min_minutes": 3000, "period_from": "2025-03-01", "period_to": "2025-12-31",
        "min_star_level": 1, "required_course_ids": [course],
    });
    // Validation and scope of campaigns.
    let bad = app
        .post(
            "/api/v1/award-campaigns",
            Some(&w.city_admin),
            &json!({
                "organization_id": w.city, "name": "", "year": 1999, "level": "city", "quota": 0,
                "nomination_opens_at": "2026-01-02T00:00:00Z", "nomination_closes_at": "2026-01-01T00:00:00Z",
                "criteria": {"min_minutes": -1, "period_from": "2025-12-31", "period_to": "2025-01-01",
                             "min_star_level": 6, "required_course_ids": [Uuid::now_v7()]},
            }),
        )
        .await;
    bad.expect_problem(422, "validation_failed");
    assert!(
        bad.body["errors"].as_array().unwrap().len() >= 8,
        "{}",
        bad.text
    );
    app.post(
        "/api/v1/award-campaigns",
        Some(&w.other_admin),
        &campaign_body(&w.city, 5, criteria.clone()),
    )
    .await
    .expect_problem(404, "not_found");
    let r = app
        .post(
            "/api/v1/award-campaigns",
            Some(&w.city_admin),
            &campaign_body(&w.city, 5, criteria.clone()),
        )
        .await;
    r.expect(201);
    let cid = id(&r.body);
    assert_eq!(r.body["notice_working_days"], 5);
    // Not open yet.
    nominate(&app, &w.district_admin, &cid, &w.district, &a)
        .await
        .expect_problem(409, "nominations_closed");
    step(&app, &w.city_admin, &cid, "open-nominations")
        .await
        .expect(200);
    step(&app, &w.city_admin, &cid, "open-nominations")
        .await
        .expect_problem(409, "campaign_state");

    let extra = approved_minutes(&app, &w.admin, &d, &w.city, 200, 60).await;
    app.post(
        &format!("/api/v1/service-records/{}/void", id(&extra[0])),
        Some(&w.admin),
        &json!({"reason": "重复登记"}),
    )
    .await
    .expect(200);
    let sanctioned = sanction(
        &app,
        &w.city_admin,
        &e,
        &json!({"kind": "warning", "starts_on": beijing_today().to_string(), "reason": "服务中违规"}),
    )
    .await;
    sanctioned.expect(201);
    for (v, code) in [
        (&b, "insufficient_hours"),
        (&c, "star_level_too_low"),
        (&d, "voided_records"),
        (&e, "sanctioned"),
        (&f, "training_missing"),
    ] {
        let r = nominate(&app, &w.district_admin, &cid, &w.district, v).await;
        r.expect_problem(422, code);
        // The only failing criterion.
        assert!(
            r.body["detail"]
                .as_str()
                .unwrap()
                .ends_with(&format!(": {code}")),
            "{}",
            r.text
        );
    }
    // The check without nominating names the facts.
    let check = app
        .get(
            &format!("/api/v1/award-campaigns/{cid}/eligibility?volunteer_id={b}"),
            Some(&w.district_admin),
        )
        .await;
    check.expect(200);
    assert_eq!(check.body["eligible"], false);
    assert_eq!(check.body["failing"], json!(["insufficient_hours"]));
    assert_eq!(check.body["minutes_in_period"], 2999);
    assert_eq!(check.body["star_level"], 1);
    let check = app
        .get(
            &format!("/api/v1/award-campaigns/{cid}/eligibility?volunteer_id={f}"),
            Some(&w.city_admin),
        )
        .await;
    assert_eq!(check.body["missing_course_ids"], json!([course]));
    app.get(
        &format!("/api/v1/award-campaigns/{cid}/eligibility?volunteer_id={b}"),
        Some(&w.other_admin),
    )
    .await
    .expect_problem(404, "not_found");
    // Lifting the sanction makes e eligible.
    app.post(
        &format!("/api/v1/volunteer-sanctions/{}/lift", id(&sanctioned.body)),
        Some(&w.city_admin),
        &json!({"reason": "复核后撤销"}),
    )
    .await
    .expect(200);
    nominate(&app, &w.district_admin, &cid, &w.district, &e)
        .await
        .expect(201);
    // a meets every criterion exactly.
    let n = nominate(&app, &w.district_admin, &cid, &w.district, &a).await;
    n.expect(201);
    assert_eq!(n.body["approved_minutes"], 3000);
    assert_eq!(n.body["status"], "nominated");
    nominate(&app, &w.district_admin, &cid, &w.district, &a)
        .await
        .expect_problem(409, "already_nominated");
    // Admins nominate only volunteers of their own subtree, for campaigns above them.
    let (outsider, _) = self_registered_volunteer(&app, "钱七", 67, Some(&w.other_city)).await;
    nominate(&app, &w.district_admin, &cid, &w.district, &id(&outsider))
        .await
        .expect_problem(404, "not_found");
    nominate(&app, &w.other_admin, &cid, &w.other_city, &id(&outsider))
        .await
        .expect_problem(404, "not_found");
    // The district admin sees the city's campaign and their own nomination.
    let list = app
        .get(
            &format!("/api/v1/award-campaigns/{cid}/nominations"),
            Some(&w.district_admin),
        )
        .await;
    list.expect(200);
    assert_eq!(list.body["total"], 2);
}

async fn nomination_ids(app: &TestApp, token: &str, campaign: &str) -> Vec<(String, Value)> {
    let r = app
        .get(
            &format!("/api/v1/award-campaigns/{campaign}/nominations"),
            Some(token),
        )
        .await;
    r.expect(200);
    r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| (id(n), n.clone()))
        .collect()
}

#[tokio::test]
async fn conflicted_reviewers_are_refused_and_ranking_uses_exact_means_then_hours_then_time() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let cid = open_campaign(
        &app,
        &w.city_admin,
        &campaign_body(&w.city, 2, loose_criteria()),
    )
    .await;
    // A reviewer of the district, assigned before any nomination, and two independent ones.
    let r_district = app
        .reviewer_token(&w.admin, Some(&w.district), "r_district")
        .await;
    let r_free = app.reviewer_token(&w.admin, None, "r_free").await;
    let r_other = app
        .reviewer_token(&w.admin, Some(&w.other_city), "r_other")
        .await;
    assign(&app, &w.city_admin, &cid, &r_district)
        .await
        .expect(201);
    let mut vols = Vec::new();
    for (seq, minutes) in [(71, 1200), (72, 1200), (73, 600), (74, 600)] {
        vols.push(nominee(&app, &w, seq, 0, minutes).await.0);
    }
    let mut noms = Vec::new();
    for v in &vols {
        let n = nominate(&app, &w.district_admin, &cid, &w.district, v).await;
        n.expect(201);
        noms.push(id(&n.body));
    }
    // A reviewer of the district or of a team below it is refused now that it nominated.
    let team = org(
        &app,
        &w.admin,
        "玄武区青年志愿服务队",
        "volunteer_team",
        &w.district,
    )
    .await;
    for (org_id, name) in [(&w.district, "r_district2"), (&team, "r_team")] {
        let t = app.reviewer_token(&w.admin, Some(org_id), name).await;
        assign(&app, &w.city_admin, &cid, &t)
            .await
            .expect_problem(422, "conflict_of_interest");
    }
    assign(&app, &w.city_admin, &cid, &r_free).await.expect(201);
    assign(&app, &w.city_admin, &cid, &r_free)
        .await
        .expect_problem(409, "already_assigned");
    assign(&app, &w.city_admin, &cid, &r_other)
        .await
        .expect(201);
    let (_, vt) = nominee(&app, &w, 75, 0, 0).await;
    assign(&app, &w.city_admin, &cid, &vt)
        .await
        .expect_problem(422, "validation_failed");
    let reviewers = app
        .get(
            &format!("/api/v1/award-campaigns/{cid}/reviewers"),
            Some(&w.city_admin),
        )
        .await;
    assert_eq!(reviewers.body.as_array().unwrap().len(), 3);

    // Scores only during the review.
    score(&app, &r_free, &noms[0], 90)
        .await
        .expect_problem(409, "not_in_review");
    step(&app, &w.city_admin, &cid, "start-review")
        .await
        .expect(200);
    nominate(&app, &w.district_admin, &cid, &w.district, &vols[0])
        .await
        .expect_problem(409, "nominations_closed");
    score(&app, &r_district, &noms[0], 90)
        .await
        .expect_problem(422, "conflict_of_interest");
    score(&app, &r_free, &noms[0], 101)
        .await
        .expect_problem(422, "validation_failed");
    score(&app, &vt, &noms[0], 90)
        .await
        .expect_problem(403, "forbidden");
    let stranger = app.reviewer_token(&w.admin, None, "stranger").await;
    score(&app, &stranger, &noms[0], 90)
        .await
        .expect_problem(404, "not_found");
    // noms[0]: 90 + 81 → 85.5. noms[1]: 85 + 85 → 85 with 1200 minutes.
    // noms[2]: 80 + 90 → 85 with 600 minutes, nominated before noms[3]: 85 + 85 → 85, 600.
    let plan = [(90, 81), (85, 85), (80, 90), (85, 85)];
    for (n, (free, other)) in noms.iter().zip(plan) {
        score(&app, &r_free, n, i64::from(free)).await.expect(200);
        if n != &noms[3] {
            score(&app, &r_other, n, i64::from(other)).await.expect(200);
        }
    }
    step(&app, &w.city_admin, &cid, "publish-notice")
        .await
        .expect_problem(409, "scores_incomplete");
    // A changed score replaces the earlier one.
    score(&app, &r_other, &noms[3], 10).await.expect(200);
    score(&app, &r_other, &noms[3], 85).await.expect(200);
    step(&app, &w.city_admin, &cid, "publish-notice")
        .await
        .expect(200);

    let ranked = nomination_ids(&app, &w.city_admin, &cid).await;
    let order: Vec<&String> = ranked.iter().map(|(i, _)| i).collect();
    assert_eq!(order, noms.iter().collect::<Vec<_>>());
    let n0 = &ranked[0].1;
    assert_eq!(n0["mean_score"], "85.50");
    assert_eq!(n0["score_count"], 2);
    let statuses: Vec<&str> = ranked
        .iter()
        .map(|(_, n)| n["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        ["shortlisted", "shortlisted", "not_selected", "not_selected"]
    );
    let ranks: Vec<i64> = ranked
        .iter()
        .map(|(_, n)| n["rank"].as_i64().unwrap())
        .collect();
    assert_eq!(ranks, [1, 2, 3, 4]);
    // Reviewers see the campaigns and nominations they review; others do not.
    assert_eq!(nomination_ids(&app, &r_free, &cid).await.len(), 4);
    let mine = app.get("/api/v1/award-campaigns", Some(&r_free)).await;
    mine.expect(200);
    assert_eq!(mine.body["total"], 1);
    app.get(&format!("/api/v1/award-campaigns/{cid}"), Some(&r_free))
        .await
        .expect(200);
    assert_eq!(
        app.get("/api/v1/award-campaigns", Some(&stranger))
            .await
            .body["total"],
        0
    );
    app.get(&format!("/api/v1/award-campaigns/{cid}"), Some(&stranger))
        .await
        .expect_problem(404, "not_found");
    app.get(
        &format!("/api/v1/award-campaigns/{cid}/nominations"),
        Some(&stranger),
    )
    .await
    .expect_problem(404, "not_found");
}

#[tokio::test]
async fn the_notice_lasts_five_working_days_across_the_weekend_and_shows_masked_names() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let today = beijing_today();
    // The second working day after today is a holiday: the notice ends one working day later.
    let holiday = working_days_after(today, 2, &[]);
    app.request(
        reqwest::Method::PUT,
        &format!("/api/v1/calendar-days/{holiday}"),
        Some(&w.admin),
        Some(&json!({"kind": "holiday", "name": "节假日"})),
    )
    .await
    .expect(200);
    let cid = open_campaign(
        &app,
        &w.city_admin,
        &campaign_body(&w.city, 1, loose_criteria()),
    )
    .await;
    let (v, _) = nominee(&app, &w, 81, 0, 60).await;
    let n = id(&nominate(&app, &w.district_admin, &cid, &w.district, &v)
        .await
        .body);
    let reviewer = app.reviewer_token(&w.admin, None, "reviewer").await;
    assign(&app, &w.city_admin, &cid, &reviewer)
        .await
        .expect(201);
    // No notice before publication.
    app.get(
        &format!("/api/v1/public/award-campaigns/{cid}/notice"),
        None,
    )
    .await
    .expect_problem(404, "not_found");
    step(&app, &w.city_admin, &cid, "start-review")
        .await
        .expect(200);
    score(&app, &reviewer, &n, 77).await.expect(200);
    let c = step(&app, &w.city_admin, &cid, "publish-notice").await;
    c.expect(200);
    assert_eq!(c.body["status"], "notice");
    assert_eq!(c.body["notice_starts_on"], today.to_string());
    let end = working_days_after(today, 5, &[holiday]);
    // Five working days always span a weekend: the end is at least seven days later.
    assert!(end - today >= Duration::days(7));
    assert_eq!(c.body["notice_ends_on"], end.to_string());
    let notice = app
        .get(
            &format!("/api/v1/public/award-campaigns/{cid}/notice"),
            None,
        )
        .await;
    notice.expect(200);
    assert_eq!(notice.body["notice_ends_on"], end.to_string());
    assert_eq!(notice.body["items"][0]["masked_name"], "张**");
    assert_eq!(
        notice.body["items"][0]["organization_name"],
        "玄武区志愿者协会"
    );
    assert!(!notice.text.contains("张三丰"));
    // Closing waits for the end of the notice.
    step(&app, &w.city_admin, &cid, "close")
        .await
        .expect_problem(409, "notice_running");
}

/// Moves a campaign's notice into the past (the clock cannot be).
async fn end_notice(app: &TestApp, campaign: &str) {
    let mut c: entity::awards::award_campaign::ActiveModel =
        entity::awards::award_campaign::Entity::find_by_id(uuid(campaign))
            .one(&app.db)
            .await
            .unwrap()
            .unwrap()
            .into();
    c.notice_starts_on = Set(Some(beijing_today() - Duration::days(10)));
    c.notice_ends_on = Set(Some(beijing_today() - Duration::days(1)));
    c.update(&app.db).await.unwrap();
}

async fn awards(app: &TestApp, token: &str, volunteer: &str) -> Reply {
    app.get(
        &format!("/api/v1/volunteers/{volunteer}/awards"),
        Some(token),
    )
    .await
}

#[tokio::test]
async fn objections_hold_an_award_until_resolved_and_closing_grants_the_others() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let cid = open_campaign(
        &app,
        &w.city_admin,
        &campaign_body(&w.city, 3, loose_criteria()),
    )
    .await;
    let reviewer = app.reviewer_token(&w.admin, None, "reviewer").await;
    assign(&app, &w.city_admin, &cid, &reviewer)
        .await
        .expect(201);
    let mut people = Vec::new();
    for seq in [91, 92, 93] {
        let (v, t) = nominee(&app, &w, seq, 0, 60).await;
        let n = id(&nominate(&app, &w.district_admin, &cid, &w.district, &v)
            .await
            .body);
        people.push((v, t, n));
    }
    step(&app, &w.city_admin, &cid, "start-review")
        .await
        .expect(200);
    for (i, (_, _, n)) in people.iter().enumerate() {
        score(&app, &reviewer, n, 90 - i64::try_from(i).unwrap())
            .await
            .expect(200);
    }
    // No objections before the notice.
    let object = |n: &str| format!("/api/v1/award-nominations/{n}/objections");
    app.post(
        &object(&people[0].2),
        Some(&w.city_admin),
        &json!({"reason": "服务时长存疑"}),
    )
    .await
    .expect_problem(409, "campaign_state");
    step(&app, &w.city_admin, &cid, "publish-notice")
        .await
        .expect(200);
    // Only the campaign's admins record objections.
    app.post(
        &object(&people[0].2),
        Some(&w.district_admin),
        &json!({"reason": "服务时长存疑"}),
    )
    .await
    .expect_problem(404, "not_found");
    let o1 = app
        .post(
            &object(&people[0].2),
            Some(&w.city_admin),
            &json!({"reason": "服务时长存疑"}),
        )
        .await;
    o1.expect(201);
    let o2 = app
        .post(
            &object(&people[1].2),
            Some(&w.admin),
            &json!({"reason": "存在违纪行为"}),
        )
        .await;
    o2.expect(201);
    let resolve = |o: &Reply| format!("/api/v1/award-objections/{}/resolve", id(&o.body));
    let up = app
        .post(
            &resolve(&o2),
            Some(&w.city_admin),
            &json!({"outcome": "upheld", "resolution": "经核实属实"}),
        )
        .await;
    up.expect(200);
    assert_eq!(up.body["status"], "upheld");
    app.post(
        &resolve(&o2),
        Some(&w.city_admin),
        &json!({"outcome": "dismissed", "resolution": "再议"}),
    )
    .await
    .expect_problem(409, "objection_resolved");
    let objections = app.get(&object(&people[1].2), Some(&w.city_admin)).await;
    objections.expect(200);
    assert_eq!(objections.body[0]["status"], "upheld");
    assert_eq!(objections.body[0]["resolution"], "经核实属实");
    app.get(&object(&people[1].2), Some(&w.other_admin))
        .await
        .expect_problem(404, "not_found");
    let listed = nomination_ids(&app, &w.city_admin, &cid).await;
    assert_eq!(listed[0].1["objection_open"], true);
    assert_eq!(listed[1].1["status"], "disqualified");

    // After the notice: no more objections; closing awards the nominee without one.
    end_notice(&app, &cid).await;
    app.post(
        &object(&people[2].2),
        Some(&w.city_admin),
        &json!({"reason": "迟到异议"}),
    )
    .await
    .expect_problem(409, "notice_over");
    let closed = step(&app, &w.city_admin, &cid, "close").await;
    closed.expect(200);
    assert_eq!(closed.body["awarded"], 1);
    assert_eq!(closed.body["held"], 1);
    assert_eq!(closed.body["campaign"]["status"], "closed");
    let mine = awards(&app, &people[2].1, &people[2].0).await;
    mine.expect(200);
    assert_eq!(mine.body["total"], 1);
    assert_eq!(
        mine.body["items"][0]["title"],
        "2026年度南京市优秀青年志愿者"
    );
    assert_eq!(mine.body["items"][0]["level"], "city");
    assert_eq!(
        awards(&app, &people[0].1, &people[0].0).await.body["total"],
        0
    );
    assert_eq!(awards(&app, &w.admin, &people[1].0).await.body["total"], 0);
    // Volunteers see only their own awards; admins their scope's.
    awards(&app, &people[0].1, &people[2].0)
        .await
        .expect_problem(404, "not_found");
    awards(&app, &w.other_admin, &people[2].0)
        .await
        .expect_problem(404, "not_found");
    assert_eq!(
        awards(&app, &w.district_admin, &people[2].0).await.body["total"],
        1
    );

    // The held award is granted once its objection is dismissed.
    app.post(
        &resolve(&o1),
        Some(&w.city_admin),
        &json!({"outcome": "dismissed", "resolution": "经核实不属实"}),
    )
    .await
    .expect(200);
    assert_eq!(
        awards(&app, &people[0].1, &people[0].0).await.body["total"],
        1
    );
    let notice = app
        .get(
            &format!("/api/v1/public/award-campaigns/{cid}/notice"),
            None,
        )
        .await;
    let statuses: Vec<&str> = notice.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["awarded", "disqualified", "awarded"]);
    step(&app, &w.city_admin, &cid, "close")
        .await
        .expect_problem(409, "campaign_state");
}

#[tokio::test]
async fn the_campaign_period_is_counted_in_beijing_time_and_drafts_change_with_their_version() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let criteria =
        json!({"min_minutes": 60, "period_from": "2025-03-01", "period_to": "2025-03-31"});
    let r = app
        .post(
            "/api/v1/award-campaigns",
            Some(&w.admin),
            &campaign_body(&w.city, 5, criteria),
        )
        .await;
    r.expect(201);
    let cid = id(&r.body);
    let path = format!("/api/v1/award-campaigns/{cid}");
    app.patch(
        &path,
        Some(&w.city_admin),
        &json!({"version": 9, "quota": 3}),
    )
    .await
    .expect_problem(412, "version_mismatch");
    app.patch(
        &path,
        Some(&w.city_admin),
        &json!({"version": 1, "quota": 0}),
    )
    .await
    .expect_problem(422, "validation_failed");
    let p = app
        .patch(
            &path,
            Some(&w.city_admin),
            &json!({"version": 1, "quota": 3, "notice_working_days": 7}),
        )
        .await;
    p.expect(200);
    assert_eq!(p.body["quota"], 3);
    assert_eq!(p.body["notice_working_days"], 7);
    assert_eq!(p.body["version"], 2);
    app.patch(
        &path,
        Some(&w.other_admin),
        &json!({"version": 2, "quota": 4}),
    )
    .await
    .expect_problem(404, "not_found");
    step(&app, &w.city_admin, &cid, "open-nominations")
        .await
        .expect(200);
    app.patch(
        &path,
        Some(&w.city_admin),
        &json!({"version": 3, "quota": 4}),
    )
    .await
    .expect_problem(409, "campaign_state");

    // inside: an hour starting 23:00 on the period's last day (Beijing).
    let (inside, _) = self_registered_volunteer(&app, "孙八", 85, Some(&w.district)).await;
    crate::helpers::create_record(
        &app,
        &w.admin,
        &id(&inside),
        &w.city,
        "2025-03-31T23:00:00+08:00",
        "2025-04-01T00:00:00+08:00",
        true,
    )
    .await;
    // outside: an hour ending at the period's first midnight and one starting at its last.
    let (outside, _) = self_registered_volunteer(&app, "周九", 86, Some(&w.district)).await;
    for (from, to) in [
        ("2025-02-28T23:00:00+08:00", "2025-03-01T00:00:00+08:00"),
        ("2025-04-01T00:00:00+08:00", "2025-04-01T01:00:00+08:00"),
    ] {
        crate::helpers::create_record(&app, &w.admin, &id(&outside), &w.city, from, to, true).await;
    }
    nominate(&app, &w.district_admin, &cid, &w.district, &id(&outside))
        .await
        .expect_problem(422, "insufficient_hours");
    let n = nominate(&app, &w.district_admin, &cid, &w.district, &id(&inside)).await;
    n.expect(201);
    assert_eq!(n.body["approved_minutes"], 60);
    let list = app
        .get(
            "/api/v1/award-campaigns?status=nominating",
            Some(&w.district_admin),
        )
        .await;
    list.expect(200);
    assert_eq!(list.body["total"], 1);
    let none = app
        .get("/api/v1/award-campaigns", Some(&w.other_admin))
        .await;
    assert_eq!(none.body["total"], 0);
}
