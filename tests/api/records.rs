//! The service-hour ledger: minutes from intervals (offsets, midnight), rejected intervals,
//! overlap conflicts, the late flag and the working-day calendar, approvals, voiding, correction
//! chains, totals (also under concurrent approvals), declarations, scoping and export.

use std::io::Cursor;

use calamine::{Reader as _, Xlsx};
use chrono::{Duration, SecondsFormat, Utc};
use serde_json::{Value, json};

use crate::helpers::{
    TestApp, admin_registered_volunteer, create_record, record_body, self_registered_volunteer,
    spawn_app,
};

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

/// province → Nanjing (with admin) → 玄武区; province → Suzhou (with admin).
struct World {
    admin: String,
    province: String,
    nanjing: String,
    xuanwu: String,
    suzhou: String,
    nanjing_admin: String,
    suzhou_admin: String,
}

async fn world(app: &TestApp) -> World {
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
    World {
        admin,
        province,
        nanjing,
        xuanwu,
        suzhou,
        nanjing_admin,
        suzhou_admin,
    }
}

async fn totals(app: &TestApp, token: &str, volunteer_id: &str) -> Value {
    let r = app
        .get(
            &format!("/api/v1/volunteer-totals/{volunteer_id}"),
            Some(token),
        )
        .await;
    r.expect(200);
    r.body
}

async fn approved_sum(app: &TestApp, token: &str, volunteer_id: &str) -> i64 {
    let r = app
        .get(
            &format!(
                "/api/v1/service-records?volunteer_id={volunteer_id}&status=approved&per_page=100"
            ),
            Some(token),
        )
        .await;
    r.expect(200);
    r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["minutes"].as_i64().unwrap())
        .sum()
}

fn rfc3339(t: chrono::DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

// ---------------------------------------------------------------------------
// Minutes and intervals
// ---------------------------------------------------------------------------

#[tokio::test]
async fn minutes_come_from_the_interval_across_midnight_and_any_offset_is_stored_in_utc() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let v = id(&admin_registered_volunteer(&app, &w.nanjing_admin, &w.nanjing, "张三", 1).await);

    // 22:00 to 02:00 Beijing time: one record of 4 hours across midnight.
    let night = create_record(
        &app,
        &w.nanjing_admin,
        &v,
        &w.nanjing,
        "2026-03-02T22:00:00+08:00",
        "2026-03-03T02:00:00+08:00",
        false,
    )
    .await;
    assert_eq!(night["minutes"], 240);
    assert_eq!(night["hours"], "4");
    assert_eq!(night["started_at"], "2026-03-02T14:00:00Z");
    assert_eq!(night["ended_at"], "2026-03-02T18:00:00Z");
    assert_eq!(night["status"], "pending");
    assert_eq!(night["source"], "manual");

    // New York morning (-05:00) to a UTC end: 09:00-05:00 is 14:00Z; 90 minutes.
    let west = create_record(
        &app,
        &w.nanjing_admin,
        &v,
        &w.nanjing,
        "2026-03-04T09:00:00-05:00",
        "2026-03-04T15:30:00Z",
        false,
    )
    .await;
    assert_eq!(west["minutes"], 90);
    assert_eq!(west["hours"], "1.5");
    assert_eq!(west["started_at"], "2026-03-04T14:00:00Z");

    // Seconds are dropped: 2 h 30 min 59 s credit 150 minutes.
    let z = create_record(
        &app,
        &w.nanjing_admin,
        &v,
        &w.nanjing,
        "2026-03-05T01:00:00Z",
        "2026-03-05T03:30:59Z",
        false,
    )
    .await;
    assert_eq!(z["minutes"], 150);

    // A full 24 hours is still one record.
    let day = create_record(
        &app,
        &w.nanjing_admin,
        &v,
        &w.nanjing,
        "2026-03-10T08:00:00+08:00",
        "2026-03-11T08:00:00+08:00",
        false,
    )
    .await;
    assert_eq!(day["minutes"], 1440);

    let stored = app
        .get(
            &format!("/api/v1/service-records/{}", id(&night)),
            Some(&w.nanjing_admin),
        )
        .await;
    stored.expect(200);
    assert_eq!(stored.body["started_at"], "2026-03-02T14:00:00Z");
}

#[tokio::test]
async fn zero_negative_and_over_24_hour_intervals_are_rejected() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let v = id(&admin_registered_volunteer(&app, &w.nanjing_admin, &w.nanjing, "张三", 1).await);
    let cases = [
        (
            "2026-03-02T09:00:00+08:00",
            "2026-03-02T09:00:00+08:00",
            "interval_invalid",
        ),
        (
            "2026-03-02T09:00:00+08:00",
            "2026-03-02T08:00:00+08:00",
            "interval_invalid",
        ),
        // The same instant written in two offsets is a zero interval.
        (
            "2026-03-02T09:00:00+08:00",
            "2026-03-02T01:00:00Z",
            "interval_invalid",
        ),
        (
            "2026-03-02T09:00:00Z",
            "2026-03-02T09:00:30Z",
            "interval_invalid",
        ),
        (
            "2026-03-02T08:00:00+08:00",
            "2026-03-03T08:01:00+08:00",
            "interval_too_long",
        ),
        // Before the shipped province-wide rule set (effective 2000-01-01): nothing to credit
        // it under (was a 500).
        (
            "1999-12-31T09:00:00+08:00",
            "1999-12-31T11:00:00+08:00",
            "no_rule_set_in_force",
        ),
    ];
    for (start, end, code) in cases {
        let r = app
            .post(
                "/api/v1/service-records",
                Some(&w.nanjing_admin),
                &record_body(&v, &w.nanjing, start, end),
            )
            .await;
        r.expect_problem(422, code);
    }
    let list = app
        .get("/api/v1/service-records", Some(&w.nanjing_admin))
        .await;
    assert_eq!(list.body["total"], 0);
}

#[tokio::test]
async fn service_that_has_not_ended_yet_cannot_be_recorded_declared_or_corrected_into() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let (vol, token) = self_registered_volunteer(&app, "赵六", 5, Some(&w.nanjing)).await;
    let v = id(&vol);
    let in_an_hour = (Utc::now() + Duration::hours(1)).to_rfc3339_opts(SecondsFormat::Secs, true);
    let now = Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true);
    for (start, end) in [
        ("9999-12-31T20:00:00Z", "9999-12-31T22:00:00Z"),
        (now.as_str(), in_an_hour.as_str()),
    ] {
        let mut body = record_body(&v, &w.nanjing, start, end);
        body["approve"] = json!(true);
        app.post("/api/v1/service-records", Some(&w.nanjing_admin), &body)
            .await
            .expect_problem(422, "interval_in_future");
        body.as_object_mut().unwrap().remove("volunteer_id");
        body.as_object_mut().unwrap().remove("approve");
        app.post("/api/v1/service-records/declarations", Some(&token), &body)
            .await
            .expect_problem(422, "interval_in_future");
    }
    let past = create_record(
        &app,
        &w.nanjing_admin,
        &v,
        &w.nanjing,
        "2026-03-02T09:00:00+08:00",
        "2026-03-02T11:00:00+08:00",
        true,
    )
    .await;
    app.post(
        &format!("/api/v1/service-records/{}/corrections", id(&past)),
        Some(&w.nanjing_admin),
        &json!({"reason": "wrong day", "started_at": "9999-12-31T20:00:00Z", "ended_at": "9999-12-31T22:00:00Z"}),
    )
    .await
    .expect_problem(422, "interval_in_future");
    let t = totals(&app, &w.nanjing_admin, &v).await;
    assert_eq!(t["approved_minutes"], 120, "{t}");
}

#[tokio::test]
async fn malformed_times_and_fields_answer_problems() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let v = id(&admin_registered_volunteer(&app, &w.nanjing_admin, &w.nanjing, "张三", 1).await);
    let mut body = record_body(&v, &w.nanjing, "2026-03-02 09:00", "2026-03-02T10:00:00Z");
    let r = app
        .post("/api/v1/service-records", Some(&w.nanjing_admin), &body)
        .await;
    r.expect_problem(422, "invalid_body");
    body = record_body(
        &v,
        &w.nanjing,
        "2026-03-02T09:00:00Z",
        "2026-03-02T10:00:00Z",
    );
    body["activity_name"] = json!("   ");
    body["place"] = json!("x".repeat(201));
    body["unknown"] = json!(1);
    app.post("/api/v1/service-records", Some(&w.nanjing_admin), &body)
        .await
        .expect_problem(422, "invalid_body");
    body.as_object_mut().unwrap().remove("unknown");
    let r = app
        .post("/api/v1/service-records", Some(&w.nanjing_admin), &body)
        .await;
    r.expect_problem(422, "validation_failed");
    let fields: Vec<&str> = r.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(fields.contains(&"activity_name") && fields.contains(&"place"));
}

// ---------------------------------------------------------------------------
// Overlap
// ---------------------------------------------------------------------------

#[tokio::test]
async fn an_overlapping_record_is_held_as_a_conflict_and_cannot_be_approved() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let v = id(&admin_registered_volunteer(&app, &w.nanjing_admin, &w.nanjing, "张三", 1).await);
    let t = &w.nanjing_admin;
    let a = create_record(
        &app,
        t,
        &v,
        &w.nanjing,
        "2026-03-02T09:00:00+08:00",
        "2026-03-02T12:00:00+08:00",
        true,
    )
    .await;
    assert_eq!(a["status"], "approved");
    assert_eq!(a["conflict"], false);

    // Inside A (given in UTC, 10:00 to 12:00 Beijing time): flagged and held pending despite
    // approve=true.
    let b = create_record(
        &app,
        t,
        &v,
        &w.xuanwu,
        "2026-03-02T02:00:00Z",
        "2026-03-02T04:00:00Z",
        true,
    )
    .await;
    assert_eq!(b["status"], "pending");
    assert_eq!(b["conflict"], true);
    app.post(
        &format!("/api/v1/service-records/{}/approve", id(&b)),
        Some(t),
        &json!({}),
    )
    .await
    .expect_problem(409, "record_overlaps");

    // Touching A (starts when A ends) is not an overlap.
    let c = create_record(
        &app,
        t,
        &v,
        &w.nanjing,
        "2026-03-02T12:00:00+08:00",
        "2026-03-02T13:00:00+08:00",
        true,
    )
    .await;
    assert_eq!(c["status"], "approved");
    assert_eq!(c["conflict"], false);

    // Another volunteer at the same time is no conflict.
    let other = id(&admin_registered_volunteer(&app, t, &w.nanjing, "李四", 2).await);
    let d = create_record(
        &app,
        t,
        &other,
        &w.nanjing,
        "2026-03-02T09:00:00+08:00",
        "2026-03-02T12:00:00+08:00",
        true,
    )
    .await;
    assert_eq!(d["conflict"], false);

    // Conflicts can be listed; once A is voided, B can be approved.
    let list = app
        .get("/api/v1/service-records?conflict=true", Some(t))
        .await;
    list.expect(200);
    assert_eq!(list.body["total"], 1);
    assert_eq!(list.body["items"][0]["id"], id(&b));
    app.post(
        &format!("/api/v1/service-records/{}/void", id(&a)),
        Some(t),
        &json!({"reason": "重复录入"}),
    )
    .await
    .expect(200);
    let approved = app
        .post(
            &format!("/api/v1/service-records/{}/approve", id(&b)),
            Some(t),
            &json!({}),
        )
        .await;
    approved.expect(200);
    assert_eq!(approved.body["status"], "approved");
    assert_eq!(totals(&app, t, &v).await["approved_minutes"], 120 + 60);
}

// ---------------------------------------------------------------------------
// Late flag and calendar
// ---------------------------------------------------------------------------

#[tokio::test]
async fn records_entered_more_than_ten_working_days_after_the_activity_are_flagged_late() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let v = id(&admin_registered_volunteer(&app, &w.nanjing_admin, &w.nanjing, "张三", 1).await);
    let t = &w.nanjing_admin;
    let now = Utc::now();

    // Ended yesterday: one calendar day can never be more than ten working days.
    let recent_end = now - Duration::days(1);
    let recent = create_record(
        &app,
        t,
        &v,
        &w.nanjing,
        &rfc3339(recent_end - Duration::hours(2)),
        &rfc3339(recent_end),
        false,
    )
    .await;
    assert_eq!(recent["late"], false);

    // Ended 30 days ago: at least 20 working days have passed without calendar exceptions.
    let old_end = now - Duration::days(30);
    let old = create_record(
        &app,
        t,
        &v,
        &w.nanjing,
        &rfc3339(old_end - Duration::hours(2)),
        &rfc3339(old_end),
        false,
    )
    .await;
    assert_eq!(old["late"], true);

    let late = app.get("/api/v1/service-records?late=true", Some(t)).await;
    assert_eq!(late.body["total"], 1);
    assert_eq!(late.body["items"][0]["id"], id(&old));
}

#[tokio::test]
async fn holidays_from_the_calendar_extend_the_recording_period() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let v = id(&admin_registered_volunteer(&app, &w.nanjing_admin, &w.nanjing, "张三", 1).await);
    // Asia/Shanghai has had no daylight saving time since 1991: a fixed +08:00 offset.
    let tz = chrono::FixedOffset::east_opt(8 * 3600).unwrap();
    let today = Utc::now().with_timezone(&tz).date_naive();
    // An activity that ended 20 days ago is late on an ordinary calendar …
    let ended_on = today - Duration::days(20);
    // … but not when every day since was a holiday (a long closure declared by the platform).
    let mut d = ended_on;
    while d <= today {
        app.request(
            reqwest::Method::PUT,
            &format!("/api/v1/calendar-days/{d}"),
            Some(&w.admin),
            Some(&json!({"kind": "holiday", "name": "停工"})),
        )
        .await
        .expect(200);
        d = d.succ_opt().unwrap();
    }
    let end = ended_on
        .and_hms_opt(12, 0, 0)
        .unwrap()
        .and_local_timezone(tz)
        .unwrap()
        .with_timezone(&Utc);
    let r = create_record(
        &app,
        &w.nanjing_admin,
        &v,
        &w.nanjing,
        &rfc3339(end - Duration::hours(3)),
        &rfc3339(end),
        false,
    )
    .await;
    assert_eq!(r["late"], false);
}

#[tokio::test]
async fn the_calendar_is_edited_by_platform_admins_and_readable_by_everyone() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let (_, vol_token) = self_registered_volunteer(&app, "赵六", 5, None).await;
    let put = |token: String, date: &'static str, body: Value| {
        let app = &app;
        async move {
            app.request(
                reqwest::Method::PUT,
                &format!("/api/v1/calendar-days/{date}"),
                Some(&token),
                Some(&body),
            )
            .await
        }
    };
    let r = put(
        w.admin.clone(),
        "2026-10-01",
        json!({"kind": "holiday", "name": "国庆节"}),
    )
    .await;
    r.expect(200);
    assert_eq!(
        r.body,
        json!({"date": "2026-10-01", "kind": "holiday", "name": "国庆节"})
    );
    put(
        w.admin.clone(),
        "2026-10-10",
        json!({"kind": "workday", "name": "国庆调休"}),
    )
    .await
    .expect(200);
    // Replacing a date keeps one row.
    put(
        w.admin.clone(),
        "2026-10-01",
        json!({"kind": "holiday", "name": "国庆节假期"}),
    )
    .await
    .expect(200);
    put(
        w.nanjing_admin.clone(),
        "2026-10-02",
        json!({"kind": "holiday", "name": "x"}),
    )
    .await
    .expect_problem(403, "forbidden");
    put(
        w.admin.clone(),
        "2026-10-02",
        json!({"kind": "vacation", "name": "x"}),
    )
    .await
    .expect_problem(422, "invalid_body");
    put(
        w.admin.clone(),
        "2026-13-02",
        json!({"kind": "holiday", "name": "x"}),
    )
    .await
    .expect_problem(400, "invalid_path");

    let list = app
        .get(
            "/api/v1/calendar-days?from=2026-10-01&to=2026-10-31",
            Some(&vol_token),
        )
        .await;
    list.expect(200);
    assert_eq!(
        list.body,
        json!([
            {"date": "2026-10-01", "kind": "holiday", "name": "国庆节假期"},
            {"date": "2026-10-10", "kind": "workday", "name": "国庆调休"},
        ])
    );
    let del = app
        .request(
            reqwest::Method::DELETE,
            "/api/v1/calendar-days/2026-10-10",
            Some(&w.admin),
            None,
        )
        .await;
    del.expect(204);
    app.request(
        reqwest::Method::DELETE,
        "/api/v1/calendar-days/2026-10-10",
        Some(&w.admin),
        None,
    )
    .await
    .expect_problem(404, "not_found");
    let list = app
        .get(
            "/api/v1/calendar-days?from=2026-10-01&to=2026-10-31",
            Some(&w.admin),
        )
        .await;
    assert_eq!(list.body.as_array().unwrap().len(), 1);
}

// ---------------------------------------------------------------------------
// Decisions, corrections, totals
// ---------------------------------------------------------------------------

#[tokio::test]
async fn a_volunteer_without_records_has_zero_totals_and_manual_records_count_once_approved() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let (vol, vol_token) = self_registered_volunteer(&app, "赵六", 5, Some(&w.nanjing)).await;
    let v = id(&vol);
    let empty = totals(&app, &vol_token, &v).await;
    assert_eq!(
        empty,
        json!({"volunteer_id": v, "approved_minutes": 0, "approved_hours": "0", "approved_records": 0, "years": []})
    );
    // The volunteer applied to Nanjing, so Nanjing's admin sees them.
    let t = &w.nanjing_admin;
    let a = create_record(
        &app,
        t,
        &v,
        &w.nanjing,
        "2025-12-31T22:00:00+08:00",
        "2026-01-01T01:00:00+08:00",
        false,
    )
    .await;
    create_record(
        &app,
        t,
        &v,
        &w.xuanwu,
        "2026-02-01T09:00:00+08:00",
        "2026-02-01T09:45:00+08:00",
        true,
    )
    .await;
    // Pending records do not count.
    assert_eq!(totals(&app, t, &v).await["approved_minutes"], 45);
    app.post(
        &format!("/api/v1/service-records/{}/approve", id(&a)),
        Some(t),
        &json!({}),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/v1/service-records/{}/approve", id(&a)),
        Some(t),
        &json!({}),
    )
    .await
    .expect_problem(409, "record_not_pending");
    let all = totals(&app, &vol_token, &v).await;
    assert_eq!(all["approved_minutes"], 180 + 45);
    assert_eq!(all["approved_hours"], "3.75");
    assert_eq!(all["approved_records"], 2);
    // The year is the year of the start in Beijing time: 2025-12-31 22:00 belongs to 2025.
    assert_eq!(
        all["years"],
        json!([
            {"year": 2025, "approved_minutes": 180, "approved_hours": "3", "approved_records": 1},
            {"year": 2026, "approved_minutes": 45, "approved_hours": "0.75", "approved_records": 1},
        ])
    );
    assert_eq!(approved_sum(&app, t, &v).await, 225);
}

#[tokio::test]
async fn rejecting_needs_a_reason_and_voiding_lowers_the_totals() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let t = &w.nanjing_admin;
    let v = id(&admin_registered_volunteer(&app, t, &w.nanjing, "张三", 1).await);
    let a = create_record(
        &app,
        t,
        &v,
        &w.nanjing,
        "2026-03-02T09:00:00+08:00",
        "2026-03-02T11:00:00+08:00",
        true,
    )
    .await;
    let b = create_record(
        &app,
        t,
        &v,
        &w.nanjing,
        "2026-03-03T09:00:00+08:00",
        "2026-03-03T10:00:00+08:00",
        false,
    )
    .await;
    assert_eq!(totals(&app, t, &v).await["approved_minutes"], 120);

    app.post(
        &format!("/api/v1/service-records/{}/reject", id(&b)),
        Some(t),
        &json!({"reason": ""}),
    )
    .await
    .expect_problem(422, "validation_failed");
    let rejected = app
        .post(
            &format!("/api/v1/service-records/{}/reject", id(&b)),
            Some(t),
            &json!({"reason": "未参加活动"}),
        )
        .await;
    rejected.expect(200);
    assert_eq!(rejected.body["status"], "rejected");
    assert_eq!(rejected.body["decision_reason"], "未参加活动");
    app.post(
        &format!("/api/v1/service-records/{}/void", id(&b)),
        Some(t),
        &json!({"reason": "x1"}),
    )
    .await
    .expect_problem(409, "record_not_approved");

    let voided = app
        .post(
            &format!("/api/v1/service-records/{}/void", id(&a)),
            Some(t),
            &json!({"reason": "活动信息有误"}),
        )
        .await;
    voided.expect(200);
    assert_eq!(voided.body["status"], "voided");
    let after = totals(&app, t, &v).await;
    assert_eq!(after["approved_minutes"], 0);
    assert_eq!(after["approved_records"], 0);
    assert_eq!(after["years"], json!([]));
    let org = app
        .get(
            &format!("/api/v1/organizations/{}/service-totals", w.nanjing),
            Some(t),
        )
        .await;
    org.expect(200);
    assert_eq!(org.body["approved_minutes"], 0);
}

#[tokio::test]
async fn a_correction_chain_moves_the_totals_to_the_newest_record() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let t = &w.nanjing_admin;
    let v = id(&admin_registered_volunteer(&app, t, &w.nanjing, "张三", 1).await);
    let a = create_record(
        &app,
        t,
        &v,
        &w.nanjing,
        "2026-03-02T09:00:00+08:00",
        "2026-03-02T11:00:00+08:00",
        true,
    )
    .await;
    create_record(
        &app,
        t,
        &v,
        &w.xuanwu,
        "2026-04-02T09:00:00+08:00",
        "2026-04-02T10:00:00+08:00",
        true,
    )
    .await;
    assert_eq!(totals(&app, t, &v).await["approved_minutes"], 180);

    // A (120) → B (90).
    let b = app
        .post(
            &format!("/api/v1/service-records/{}/corrections", id(&a)),
            Some(t),
            &json!({
                "started_at": "2026-03-02T09:00:00+08:00",
                "ended_at": "2026-03-02T10:30:00+08:00",
                "reason": "签退时间登记错误",
            }),
        )
        .await;
    b.expect(201);
    assert_eq!(b.body["supersedes_id"], id(&a));
    assert_eq!(b.body["status"], "approved");
    assert_eq!(b.body["minutes"], 90);
    assert_eq!(b.body["correction_reason"], "签退时间登记错误");
    assert_eq!(b.body["activity_name"], a["activity_name"]);
    assert_eq!(
        b.headers["location"].to_str().unwrap(),
        format!("/api/v1/service-records/{}", id(&b.body))
    );
    assert_eq!(totals(&app, t, &v).await["approved_minutes"], 150);

    // B (90) → C (150), moving the activity to the evening and renaming it.
    let c = app
        .post(
            &format!("/api/v1/service-records/{}/corrections", id(&b.body)),
            Some(t),
            &json!({
                "started_at": "2026-03-02T18:00:00+08:00",
                "ended_at": "2026-03-02T20:30:00+08:00",
                "activity_name": "夜间巡逻",
                "reason": "活动时间记录错误",
            }),
        )
        .await;
    c.expect(201);
    assert_eq!(c.body["activity_name"], "夜间巡逻");
    let now = totals(&app, t, &v).await;
    assert_eq!(now["approved_minutes"], 150 + 60);
    assert_eq!(now["approved_records"], 2);
    assert_eq!(approved_sum(&app, t, &v).await, 210);

    // The chain: A and B superseded; correcting them again is refused.
    for old in [id(&a), id(&b.body)] {
        let r = app
            .get(&format!("/api/v1/service-records/{old}"), Some(t))
            .await;
        assert_eq!(r.body["status"], "superseded");
        app.post(
            &format!("/api/v1/service-records/{old}/corrections"),
            Some(t),
            &json!({"started_at": "2026-03-02T09:00:00Z", "ended_at": "2026-03-02T10:00:00Z", "reason": "再次更正"}),
        )
        .await
        .expect_problem(409, "already_superseded");
    }
    // A correction overlapping another approved record is refused and changes nothing.
    app.post(
        &format!("/api/v1/service-records/{}/corrections", id(&c.body)),
        Some(t),
        &json!({"started_at": "2026-04-02T09:30:00+08:00", "ended_at": "2026-04-02T11:00:00+08:00", "reason": "更正"}),
    )
    .await
    .expect_problem(409, "record_overlaps");
    assert_eq!(totals(&app, t, &v).await["approved_minutes"], 210);
    // A correction of a pending record approves the new one.
    let p = create_record(
        &app,
        t,
        &v,
        &w.nanjing,
        "2026-05-02T09:00:00+08:00",
        "2026-05-02T10:00:00+08:00",
        false,
    )
    .await;
    let q = app
        .post(
            &format!("/api/v1/service-records/{}/corrections", id(&p)),
            Some(t),
            &json!({"started_at": "2026-05-02T09:00:00+08:00", "ended_at": "2026-05-02T09:20:00+08:00", "reason": "更正时长"}),
        )
        .await;
    q.expect(201);
    assert_eq!(totals(&app, t, &v).await["approved_minutes"], 230);
    assert_eq!(approved_sum(&app, t, &v).await, 230);
    // Organization totals follow: Nanjing's subtree holds everything, Xuanwu its 60 minutes.
    let nj = app
        .get(
            &format!(
                "/api/v1/organizations/{}/service-totals?year=2026",
                w.nanjing
            ),
            Some(t),
        )
        .await;
    nj.expect(200);
    assert_eq!(nj.body["approved_minutes"], 230);
    assert_eq!(nj.body["own_approved_minutes"], 170);
    assert_eq!(nj.body["approved_hours"], "3.83");
    let xw = app
        .get(
            &format!("/api/v1/organizations/{}/service-totals", w.xuanwu),
            Some(t),
        )
        .await;
    assert_eq!(xw.body["approved_minutes"], 60);
    assert_eq!(xw.body["years"][0]["year"], 2026);
}

#[tokio::test]
async fn twenty_concurrent_approvals_of_one_volunteer_give_an_exact_total() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let t = w.nanjing_admin.clone();
    let v = id(&admin_registered_volunteer(&app, &t, &w.nanjing, "张三", 1).await);
    let mut ids = Vec::new();
    let mut expected = 0i64;
    for i in 0..20i64 {
        let start = format!("2026-03-{:02}T09:00:00+08:00", i + 1);
        let minutes = 30 + i * 7;
        expected += minutes;
        let end = format!(
            "2026-03-{:02}T{:02}:{:02}:00+08:00",
            i + 1,
            9 + minutes / 60,
            minutes % 60
        );
        ids.push(id(&create_record(
            &app, &t, &v, &w.nanjing, &start, &end, false,
        )
        .await));
    }
    let mut set = tokio::task::JoinSet::new();
    for rid in ids {
        let client = app.client.clone();
        let url = format!("{}/api/v1/service-records/{rid}/approve", app.address);
        let token = t.clone();
        set.spawn(async move {
            client
                .post(url)
                .bearer_auth(token)
                .json(&json!({}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        });
    }
    while let Some(status) = set.join_next().await {
        assert_eq!(status.unwrap(), 200);
    }
    let total = totals(&app, &t, &v).await;
    assert_eq!(total["approved_minutes"], expected);
    assert_eq!(total["approved_records"], 20);
    assert_eq!(approved_sum(&app, &t, &v).await, expected);
    let org = app
        .get(
            &format!("/api/v1/organizations/{}/service-totals", w.province),
            Some(&w.admin),
        )
        .await;
    assert_eq!(org.body["approved_minutes"], expected);
    assert_eq!(org.body["approved_records"], 20);
}

// ---------------------------------------------------------------------------
// Declarations and scope
// ---------------------------------------------------------------------------

#[tokio::test]
async fn volunteers_declare_their_own_service_and_see_only_their_own_records() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let (vol, token) = self_registered_volunteer(&app, "赵六", 5, Some(&w.nanjing)).await;
    let (other, other_token) = self_registered_volunteer(&app, "钱七", 7, None).await;
    let mut body = record_body(
        "ignored",
        &w.xuanwu,
        "2026-03-02T09:00:00+08:00",
        "2026-03-02T11:00:00+08:00",
    );
    body.as_object_mut().unwrap().remove("volunteer_id");
    let declared = app
        .post("/api/v1/service-records/declarations", Some(&token), &body)
        .await;
    declared.expect(201);
    assert_eq!(declared.body["source"], "declaration");
    assert_eq!(declared.body["status"], "pending");
    assert_eq!(declared.body["volunteer_id"], id(&vol));
    let rid = id(&declared.body);

    // Volunteers may not enter manual records nor approve.
    app.post(
        "/api/v1/service-records",
        Some(&token),
        &record_body(
            &id(&vol),
            &w.xuanwu,
            "2026-03-03T09:00:00Z",
            "2026-03-03T10:00:00Z",
        ),
    )
    .await
    .expect_problem(403, "forbidden");
    app.post(
        &format!("/api/v1/service-records/{rid}/approve"),
        Some(&token),
        &json!({}),
    )
    .await
    .expect_problem(403, "forbidden");
    // Admins may not declare.
    app.post(
        "/api/v1/service-records/declarations",
        Some(&w.nanjing_admin),
        &body,
    )
    .await
    .expect_problem(403, "forbidden");

    // Own records only.
    let mine = app.get("/api/v1/service-records", Some(&token)).await;
    assert_eq!(mine.body["total"], 1);
    let theirs = app.get("/api/v1/service-records", Some(&other_token)).await;
    assert_eq!(theirs.body["total"], 0);
    app.get(
        &format!("/api/v1/service-records/{rid}"),
        Some(&other_token),
    )
    .await
    .expect_problem(404, "not_found");
    app.get(
        &format!("/api/v1/volunteer-totals/{}", id(&vol)),
        Some(&other_token),
    )
    .await
    .expect_problem(404, "not_found");
    // A volunteer cannot filter their way into someone else's records.
    let filtered = app
        .get(
            &format!("/api/v1/service-records?volunteer_id={}", id(&other)),
            Some(&token),
        )
        .await;
    assert_eq!(filtered.body["total"], 0);

    // The admin of the organizing organization's ancestors confirms it.
    app.post(
        &format!("/api/v1/service-records/{rid}/approve"),
        Some(&w.nanjing_admin),
        &json!({}),
    )
    .await
    .expect(200);
    assert_eq!(
        totals(&app, &token, &id(&vol)).await["approved_minutes"],
        120
    );
}

#[tokio::test]
async fn admins_of_another_subtree_see_nothing_and_get_404() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let t = &w.nanjing_admin;
    let v = id(&admin_registered_volunteer(&app, t, &w.nanjing, "张三", 1).await);
    let r = create_record(
        &app,
        t,
        &v,
        &w.xuanwu,
        "2026-03-02T09:00:00+08:00",
        "2026-03-02T11:00:00+08:00",
        false,
    )
    .await;
    let rid = id(&r);
    let s = &w.suzhou_admin;
    app.get(&format!("/api/v1/service-records/{rid}"), Some(s))
        .await
        .expect_problem(404, "not_found");
    app.post(
        &format!("/api/v1/service-records/{rid}/approve"),
        Some(s),
        &json!({}),
    )
    .await
    .expect_problem(404, "not_found");
    app.post(
        &format!("/api/v1/service-records/{rid}/void"),
        Some(s),
        &json!({"reason": "越权"}),
    )
    .await
    .expect_problem(404, "not_found");
    app.post(
        &format!("/api/v1/service-records/{rid}/corrections"),
        Some(s),
        &json!({"started_at": "2026-03-02T09:00:00Z", "ended_at": "2026-03-02T10:00:00Z", "reason": "越权"}),
    )
    .await
    .expect_problem(404, "not_found");
    assert_eq!(
        app.get("/api/v1/service-records", Some(s)).await.body["total"],
        0
    );
    app.get(&format!("/api/v1/volunteer-totals/{v}"), Some(s))
        .await
        .expect_problem(404, "not_found");
    app.get(
        &format!("/api/v1/organizations/{}/service-totals", w.nanjing),
        Some(s),
    )
    .await
    .expect_problem(404, "not_found");
    // Entering records for another subtree's organization or volunteer is refused.
    let bad = app
        .post(
            "/api/v1/service-records",
            Some(s),
            &record_body(
                &v,
                &w.nanjing,
                "2026-03-05T09:00:00Z",
                "2026-03-05T10:00:00Z",
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
    assert!(codes.contains(&"organization_not_found") && codes.contains(&"volunteer_not_found"));
    // The province's platform admin sees it.
    assert_eq!(
        app.get("/api/v1/service-records", Some(&w.admin))
            .await
            .body["total"],
        1
    );
    let _ = &w.suzhou;
}

// ---------------------------------------------------------------------------
// Export
// ---------------------------------------------------------------------------

async fn export_fixture(app: &TestApp, w: &World) -> String {
    let t = &w.nanjing_admin;
    let v = id(&admin_registered_volunteer(app, t, &w.nanjing, "张三", 1).await);
    let v2 = id(&admin_registered_volunteer(app, t, &w.nanjing, "李四", 2).await);
    create_record(
        app,
        t,
        &v,
        &w.nanjing,
        "2026-03-02T09:00:00+08:00",
        "2026-03-02T11:30:00+08:00",
        true,
    )
    .await;
    create_record(
        app,
        t,
        &v2,
        &w.xuanwu,
        "2026-03-03T23:00:00+08:00",
        "2026-03-04T01:00:00+08:00",
        true,
    )
    .await;
    // Pending and out-of-range records are not exported by default.
    create_record(
        app,
        t,
        &v,
        &w.nanjing,
        "2026-03-05T09:00:00+08:00",
        "2026-03-05T10:00:00+08:00",
        false,
    )
    .await;
    create_record(
        app,
        t,
        &v,
        &w.nanjing,
        "2026-05-05T09:00:00+08:00",
        "2026-05-05T10:00:00+08:00",
        true,
    )
    .await;
    // Another subtree.
    let s = id(&admin_registered_volunteer(app, &w.suzhou_admin, &w.suzhou, "孙八", 3).await);
    create_record(
        app,
        &w.suzhou_admin,
        &s,
        &w.suzhou,
        "2026-03-02T09:00:00+08:00",
        "2026-03-02T10:00:00+08:00",
        true,
    )
    .await;
    v
}

#[tokio::test]
async fn csv_export_has_a_bom_chinese_headings_and_only_the_subtree_approved_rows() {
    let app = spawn_app().await;
    let w = world(&app).await;
    export_fixture(&app, &w).await;
    let res = app
        .client
        .get(format!(
            "{}/api/v1/service-records/export?organization_id={}&from=2026-03-01&to=2026-03-31&format=csv",
            app.address, w.nanjing
        ))
        .bearer_auth(&w.nanjing_admin)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    let bytes = res.bytes().await.unwrap();
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF");
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "志愿者编号,姓名,活动名称,服务日期,地点,服务内容,服务时长（小时）,组织单位,记录来源,状态"
    );
    assert_eq!(lines.len(), 3, "{text}");
    assert!(
        lines[1].contains(",张三,社区环境整治,2026-03-02,"),
        "{}",
        lines[1]
    );
    assert!(
        lines[1].ends_with(",2.5,共青团南京市委,手工录入,已确认"),
        "{}",
        lines[1]
    );
    // Across midnight in Beijing: the service date is the start date.
    assert!(
        lines[2].contains(",李四,社区环境整治,2026-03-03,"),
        "{}",
        lines[2]
    );
    assert!(lines[2].contains(",2,共青团玄武区委,"), "{}", lines[2]);
    assert!(!text.contains("孙八"));
    // Exports of names are audited.
    use sea_orm::{ColumnTrait as _, EntityTrait as _, PaginatorTrait as _, QueryFilter as _};
    let audited = entity::audit_log::Entity::find()
        .filter(entity::audit_log::Column::Action.eq("export"))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(audited, 1);

    // Pending records on request.
    let pending = app
        .get(
            &format!(
                "/api/v1/service-records/export?organization_id={}&status=pending",
                w.nanjing
            ),
            Some(&w.nanjing_admin),
        )
        .await;
    pending.expect(200);
    assert_eq!(pending.text.lines().count(), 2);
    assert!(pending.text.contains("待审核"));
}

#[tokio::test]
async fn xlsx_export_has_chinese_headings_and_the_rows() {
    let app = spawn_app().await;
    let w = world(&app).await;
    export_fixture(&app, &w).await;
    let res = app
        .client
        .get(format!(
            "{}/api/v1/service-records/export?organization_id={}&format=xlsx",
            app.address, w.province
        ))
        .bearer_auth(&w.admin)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(
        res.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let bytes = res.bytes().await.unwrap().to_vec();
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    let range = book.worksheet_range("志愿服务记录").unwrap();
    let rows: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(
        rows[0],
        [
            "志愿者编号",
            "姓名",
            "活动名称",
            "服务日期",
            "地点",
            "服务内容",
            "服务时长（小时）",
            "组织单位",
            "记录来源",
            "状态"
        ]
    );
    // The province sees both subtrees' approved records: 3 in March, 1 in May.
    assert_eq!(rows.len(), 5);
    let names: Vec<&str> = rows[1..].iter().map(|r| r[1].as_str()).collect();
    assert!(names.contains(&"孙八") && names.contains(&"李四"));
    let may = rows.iter().find(|r| r[3] == "2026-05-05").unwrap();
    assert_eq!(may[6], "1");
}

#[tokio::test]
async fn export_is_for_admins_in_scope_only() {
    let app = spawn_app().await;
    let w = world(&app).await;
    export_fixture(&app, &w).await;
    let (_, vol_token) = self_registered_volunteer(&app, "赵六", 5, None).await;
    app.get(
        &format!(
            "/api/v1/service-records/export?organization_id={}",
            w.nanjing
        ),
        Some(&w.suzhou_admin),
    )
    .await
    .expect_problem(404, "not_found");
    app.get(
        &format!(
            "/api/v1/service-records/export?organization_id={}",
            w.nanjing
        ),
        Some(&vol_token),
    )
    .await
    .expect_problem(403, "forbidden");
    app.get(
        &format!(
            "/api/v1/service-records/export?organization_id={}&format=pdf",
            w.nanjing
        ),
        Some(&w.nanjing_admin),
    )
    .await
    .expect_problem(400, "invalid_query");
    app.get(
        &format!(
            "/api/v1/service-records/export?organization_id={}&from=2026-04-01&to=2026-03-01",
            w.nanjing
        ),
        Some(&w.nanjing_admin),
    )
    .await
    .expect_problem(400, "invalid_query");
}
