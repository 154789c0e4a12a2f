//! Attendance: rotating codes, check-in and check-out, geofence, the ledger record made at
//! check-out, and the job that closes forgotten check-outs for review.
//!
//! Sign-ups are only open before a shift starts, so a test signs up first and then moves the
//! shift's times in the database — the stand-in for the clock moving on.

use api::projects::attendance::{WINDOW_SECONDS, close_forgotten_checkouts, code_for, window_of};
use chrono::{Duration, Utc};
use sea_orm::{ActiveModelTrait as _, ActiveValue::Set, EntityTrait as _};
use serde_json::json;
use uuid::Uuid;

use crate::helpers::{TestApp, birth_years_ago, register_volunteer, spawn_app};

struct Setup {
    admin: String,
    org: String,
    shift: String,
    volunteer: String,
    token: String,
}

/// A published project with one shift (now + 48 h) and one volunteer signed up for it.
async fn setup(app: &TestApp, extra: serde_json::Value) -> Setup {
    let admin = app.admin_token().await;
    let org = app.create_org(&admin, "共青团玄武区委", None).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, shift) = app
        .published_project_with_shift(&admin, &org, extra, 10)
        .await;
    let (volunteer, token) = register_volunteer(app, &birth_years_ago(25)).await;
    let r = app
        .post(
            &format!("/api/v1/shifts/{shift}/signups"),
            Some(&token),
            &json!({}),
        )
        .await;
    r.expect(201);
    assert_eq!(r.body["status"], "approved");
    Setup {
        admin,
        org,
        shift,
        volunteer,
        token,
    }
}

/// Moves the shift to run from `start` to `end` minutes relative to now.
async fn move_shift(app: &TestApp, shift: &str, start: i64, end: i64) {
    let id = Uuid::parse_str(shift).unwrap();
    let s = entity::shift::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let mut a: entity::shift::ActiveModel = s.into();
    let now = Utc::now();
    a.starts_at = Set(now + Duration::minutes(start));
    a.ends_at = Set(now + Duration::minutes(end));
    a.update(&app.db).await.unwrap();
}

/// Moves the volunteer's check-in on `shift` to `minutes` ago.
async fn backdate_check_in(app: &TestApp, shift: &str, minutes: i64) {
    use sea_orm::{ColumnTrait as _, QueryFilter as _};
    let a = entity::attendance::Entity::find()
        .filter(entity::attendance::Column::ShiftId.eq(Uuid::parse_str(shift).unwrap()))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let mut a: entity::attendance::ActiveModel = a.into();
    a.checked_in_at = Set(Utc::now() - Duration::minutes(minutes));
    a.update(&app.db).await.unwrap();
}

async fn current_code(app: &TestApp, admin: &str, shift: &str) -> String {
    let r = app
        .get(
            &format!("/api/v1/shifts/{shift}/attendance-code"),
            Some(admin),
        )
        .await;
    r.expect(200);
    assert_eq!(r.body["window_seconds"], WINDOW_SECONDS);
    r.body["code"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_volunteer_checks_in_and_out_and_a_pending_record_is_made_from_the_server_clock() {
    let app = spawn_app().await;
    let s = setup(&app, json!({})).await;
    move_shift(&app, &s.shift, -90, 90).await;
    let code = current_code(&app, &s.admin, &s.shift).await;
    assert_eq!(code.len(), 6);

    let r = app
        .post(
            &format!("/api/v1/shifts/{}/check-in", s.shift),
            Some(&s.token),
            &json!({"code": code}),
        )
        .await;
    r.expect(201);
    assert_eq!(r.body["volunteer_id"], s.volunteer);
    app.post(
        &format!("/api/v1/shifts/{}/check-in", s.shift),
        Some(&s.token),
        &json!({"code": code}),
    )
    .await
    .expect_problem(409, "already_checked_in");
    let mine = app.get("/api/v1/signups/me", Some(&s.token)).await;
    assert!(mine.text.contains("attended"), "{}", mine.text);

    // The volunteer checked in an hour ago and checks out now: 60 minutes.
    backdate_check_in(&app, &s.shift, 60).await;
    let out = app
        .post(
            &format!("/api/v1/shifts/{}/check-out", s.shift),
            Some(&s.token),
            &json!({"code": code}),
        )
        .await;
    out.expect(200);
    let record_id = out.body["service_record_id"].as_str().unwrap().to_owned();
    app.post(
        &format!("/api/v1/shifts/{}/check-out", s.shift),
        Some(&s.token),
        &json!({"code": code}),
    )
    .await
    .expect_problem(409, "already_checked_out");

    let record = app
        .get(
            &format!("/api/v1/service-records/{record_id}"),
            Some(&s.admin),
        )
        .await;
    record.expect(200);
    assert_eq!(record.body["status"], "pending");
    assert_eq!(record.body["source"], "attendance");
    assert_eq!(record.body["review_required"], false);
    assert_eq!(record.body["organization_id"], s.org);
    let minutes = record.body["minutes"].as_i64().unwrap();
    assert!(
        (60..=61).contains(&minutes),
        "an hour from check-in to check-out: {minutes}"
    );

    app.post(
        &format!("/api/v1/service-records/{record_id}/approve"),
        Some(&s.admin),
        &json!({}),
    )
    .await
    .expect(200);
    let totals = app
        .get(
            &format!("/api/v1/volunteer-totals/{}", s.volunteer),
            Some(&s.token),
        )
        .await;
    assert_eq!(
        totals.body["approved_minutes"].as_i64(),
        Some(minutes),
        "{}",
        totals.text
    );
}

#[tokio::test]
async fn wrong_and_expired_codes_are_refused_and_the_previous_window_still_counts() {
    let app = spawn_app().await;
    let s = setup(&app, json!({})).await;
    move_shift(&app, &s.shift, -10, 120).await;
    let id = Uuid::parse_str(&s.shift).unwrap();
    let w = window_of(Utc::now());
    let expired = code_for(&app.jwt_secret, id, w - 2);
    let other_shift = code_for(&app.jwt_secret, Uuid::now_v7(), w);
    let path = format!("/api/v1/shifts/{}/check-in", s.shift);
    for bad in [
        "000000",
        "12345",
        "abcdef",
        expired.as_str(),
        other_shift.as_str(),
    ] {
        if bad == code_for(&app.jwt_secret, id, w) || bad == code_for(&app.jwt_secret, id, w - 1) {
            continue; // a one-in-a-million collision with a valid code
        }
        app.post(&path, Some(&s.token), &json!({"code": bad}))
            .await
            .expect_problem(422, "invalid_code");
    }
    let previous = code_for(&app.jwt_secret, id, w - 1);
    app.post(&path, Some(&s.token), &json!({"code": previous}))
        .await
        .expect(201);
}

#[tokio::test]
async fn check_in_needs_an_approved_sign_up_and_the_time_window() {
    let app = spawn_app().await;
    let s = setup(&app, json!({})).await;
    // 48 hours ahead: too early.
    let code = current_code(&app, &s.admin, &s.shift).await;
    app.post(
        &format!("/api/v1/shifts/{}/check-in", s.shift),
        Some(&s.token),
        &json!({"code": code}),
    )
    .await
    .expect_problem(422, "outside_check_in_window");
    // 20 minutes ahead: check-in opens 30 minutes early.
    move_shift(&app, &s.shift, 20, 200).await;
    let (_, stranger) = register_volunteer(&app, &birth_years_ago(30)).await;
    app.post(
        &format!("/api/v1/shifts/{}/check-in", s.shift),
        Some(&stranger),
        &json!({"code": code}),
    )
    .await
    .expect_problem(404, "not_found");
    app.post(
        &format!("/api/v1/shifts/{}/check-in", s.shift),
        Some(&s.token),
        &json!({"code": code}),
    )
    .await
    .expect(201);
    // Checking out before the shift started credits nothing: no record.
    let out = app
        .post(
            &format!("/api/v1/shifts/{}/check-out", s.shift),
            Some(&s.token),
            &json!({"code": code}),
        )
        .await;
    out.expect(200);
    assert!(out.body["service_record_id"].is_null());
    // After the end: closed.
    move_shift(&app, &s.shift, -300, -200).await;
    app.post(
        &format!("/api/v1/shifts/{}/check-in", s.shift),
        Some(&s.token),
        &json!({"code": code}),
    )
    .await
    .expect_problem(422, "outside_check_in_window");
}

#[tokio::test]
async fn geofenced_projects_need_a_position_inside_the_radius() {
    let app = spawn_app().await;
    // 玄武湖 (32.0747 N, 118.7953 E), 200 m radius.
    let s = setup(
        &app,
        json!({"check_in_policy": "code_and_geofence", "geofence_radius_m": 200, "latitude": 32.0747, "longitude": 118.7953}),
    )
    .await;
    move_shift(&app, &s.shift, -10, 120).await;
    let code = current_code(&app, &s.admin, &s.shift).await;
    let path = format!("/api/v1/shifts/{}/check-in", s.shift);
    app.post(&path, Some(&s.token), &json!({"code": code}))
        .await
        .expect_problem(422, "validation_failed");
    // Nanjing South station, about 10 km away.
    app.post(
        &path,
        Some(&s.token),
        &json!({"code": code, "latitude": 31.9687, "longitude": 118.7983}),
    )
    .await
    .expect_problem(422, "outside_geofence");
    app.post(
        &path,
        Some(&s.token),
        &json!({"code": code, "latitude": 32.0750, "longitude": 118.7960}),
    )
    .await
    .expect(201);
}

#[tokio::test]
async fn a_forgotten_check_out_is_closed_by_the_job_and_held_for_review_once() {
    let app = spawn_app().await;
    let s = setup(&app, json!({})).await;
    move_shift(&app, &s.shift, -30, 150).await;
    let code = current_code(&app, &s.admin, &s.shift).await;
    app.post(
        &format!("/api/v1/shifts/{}/check-in", s.shift),
        Some(&s.token),
        &json!({"code": code}),
    )
    .await
    .expect(201);

    // Not yet past the grace period: nothing happens.
    assert_eq!(
        close_forgotten_checkouts(
            &app.db,
            Utc::now(),
            Duration::minutes(120),
            "Asia/Shanghai".parse().unwrap()
        )
        .await
        .unwrap(),
        0
    );

    // The shift ran from 400 to 180 minutes ago; the volunteer checked in 390 minutes ago and
    // never checked out.
    move_shift(&app, &s.shift, -400, -180).await;
    backdate_check_in(&app, &s.shift, 390).await;
    let (a, b) = tokio::join!(
        close_forgotten_checkouts(
            &app.db,
            Utc::now(),
            Duration::minutes(120),
            "Asia/Shanghai".parse().unwrap()
        ),
        close_forgotten_checkouts(
            &app.db,
            Utc::now(),
            Duration::minutes(120),
            "Asia/Shanghai".parse().unwrap()
        )
    );
    assert_eq!(
        a.unwrap() + b.unwrap(),
        1,
        "two job runs close it exactly once"
    );

    let list = app
        .get(
            &format!("/api/v1/shifts/{}/attendances", s.shift),
            Some(&s.admin),
        )
        .await;
    list.expect(200);
    let att = &list.body[0];
    assert_eq!(att["auto_closed"], true);
    let record = app
        .get(
            &format!(
                "/api/v1/service-records/{}",
                att["service_record_id"].as_str().unwrap()
            ),
            Some(&s.admin),
        )
        .await;
    assert_eq!(record.body["status"], "pending");
    assert_eq!(record.body["review_required"], true);
    let minutes = record.body["minutes"].as_i64().unwrap();
    assert!(
        (209..=211).contains(&minutes),
        "credited from check-in to the shift end, never beyond: {minutes}"
    );
    let totals = app
        .get(
            &format!("/api/v1/volunteer-totals/{}", s.volunteer),
            Some(&s.token),
        )
        .await;
    assert_eq!(
        totals.body["approved_minutes"], 0,
        "not credited automatically"
    );

    app.post(
        &format!("/api/v1/shifts/{}/check-out", s.shift),
        Some(&s.token),
        &json!({"code": code}),
    )
    .await
    .expect_problem(409, "already_checked_out");
}

#[tokio::test]
async fn codes_and_attendance_lists_are_for_admins_in_scope() {
    let app = spawn_app().await;
    let s = setup(&app, json!({})).await;
    let other = app.create_org(&s.admin, "共青团苏州市委", None).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let outsider = app.org_admin_token(&s.admin, &other, "suzhou-admin").await;
    app.get(
        &format!("/api/v1/shifts/{}/attendance-code", s.shift),
        Some(&outsider),
    )
    .await
    .expect_problem(404, "not_found");
    app.get(
        &format!("/api/v1/shifts/{}/attendances", s.shift),
        Some(&outsider),
    )
    .await
    .expect_problem(404, "not_found");
    app.get(
        &format!("/api/v1/shifts/{}/attendance-code", s.shift),
        Some(&s.token),
    )
    .await
    .expect_problem(403, "forbidden");
    let insider = app.org_admin_token(&s.admin, &s.org, "xuanwu-admin").await;
    app.get(
        &format!("/api/v1/shifts/{}/attendance-code", s.shift),
        Some(&insider),
    )
    .await
    .expect(200);
}
