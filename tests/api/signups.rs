//! Shifts and sign-ups: shift validation, capacity and time edits, the sign-up rules one by one,
//! overlap, the waitlist, concurrent sign-ups at the capacity edge, scoping.

use entity::shift;
use sea_orm::EntityTrait as _;
use serde_json::{Value, json};

use crate::helpers::{
    Reply, TestApp, birth_years_ago, hours_from_now, project_body, register_volunteer, spawn_app,
    spawn_app_with,
};

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

/// City (with admin) → school; another city with its admin.
struct Orgs {
    admin: String,
    school: String,
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
    let city_admin = app.org_admin_token(&admin, &city, "city_admin").await;
    let other_admin = app.org_admin_token(&admin, &other, "other_admin").await;
    Orgs {
        admin,
        school,
        city_admin,
        other_admin,
    }
}

async fn sign_up(app: &TestApp, shift: &str, token: &str) -> Reply {
    app.post(
        &format!("/api/v1/shifts/{shift}/signups"),
        Some(token),
        &json!({}),
    )
    .await
}

async fn adult(app: &TestApp) -> (String, String) {
    register_volunteer(app, &birth_years_ago(30)).await
}

async fn approved_count(app: &TestApp, shift: &str) -> i32 {
    shift::Entity::find_by_id(uuid::Uuid::parse_str(shift).unwrap())
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .approved_count
}

#[tokio::test]
async fn shift_times_and_capacity_are_validated() {
    let app = spawn_app().await;
    let o = orgs(&app).await;
    let pid = id(&app
        .create_project(&o.city_admin, &project_body(&o.school))
        .await);
    let path = format!("/api/v1/projects/{pid}/shifts");
    let cases = [
        (
            json!({"starts_at": hours_from_now(50), "ends_at": hours_from_now(48), "capacity": 5}),
            "ends_at",
            "end_before_start",
        ),
        (
            json!({"starts_at": hours_from_now(48), "ends_at": hours_from_now(73), "capacity": 5}),
            "ends_at",
            "shift_too_long",
        ),
        (
            json!({"starts_at": hours_from_now(48), "ends_at": hours_from_now(50), "capacity": 0}),
            "capacity",
            "capacity_range",
        ),
        (
            json!({"starts_at": hours_from_now(24 * 90), "ends_at": hours_from_now(24 * 90 + 2), "capacity": 5}),
            "starts_at",
            "shift_outside_project_dates",
        ),
    ];
    for (body, field, code) in cases {
        let r = app.post(&path, Some(&o.city_admin), &body).await;
        r.expect_problem(422, "validation_failed");
        assert_eq!(r.body["errors"][0]["field"], field, "{}", r.text);
        assert_eq!(r.body["errors"][0]["code"], code, "{}", r.text);
    }
    // Exactly 24 hours, with a +08:00 offset, is accepted and stored in UTC.
    let start = chrono::Utc::now() + chrono::Duration::days(3);
    let tz = chrono::FixedOffset::east_opt(8 * 3600).unwrap();
    let s = start
        .with_timezone(&tz)
        .format("%Y-%m-%dT%H:%M:00+08:00")
        .to_string();
    let e = (start + chrono::Duration::hours(24))
        .with_timezone(&tz)
        .format("%Y-%m-%dT%H:%M:00+08:00")
        .to_string();
    let r = app
        .post(
            &path,
            Some(&o.city_admin),
            &json!({"starts_at": s, "ends_at": e, "capacity": 10000, "title": "全天"}),
        )
        .await;
    r.expect(201);
    assert!(r.body["starts_at"].as_str().unwrap().ends_with('Z'));
    app.post(
        &path,
        Some(&o.city_admin),
        &json!({"starts_at": "tomorrow", "ends_at": e, "capacity": 1}),
    )
    .await
    .expect_problem(422, "invalid_body");
    app.post(
        &path,
        Some(&o.other_admin),
        &json!({"starts_at": s, "ends_at": e, "capacity": 1}),
    )
    .await
    .expect_problem(404, "not_found");
    let list = app.get(&path, Some(&o.city_admin)).await;
    list.expect(200);
    assert_eq!(list.body.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_full_shift_waitlists_and_a_cancellation_promotes_the_first_waitlisted() {
    let app = spawn_app().await;
    let o = orgs(&app).await;
    let (_, shift) = app
        .published_project_with_shift(&o.city_admin, &o.school, json!({}), 2)
        .await;
    let mut tokens = Vec::new();
    let mut signups = Vec::new();
    for _ in 0..4 {
        let (_, t) = adult(&app).await;
        let r = sign_up(&app, &shift, &t).await;
        r.expect(201);
        assert!(
            r.headers["location"]
                .to_str()
                .unwrap()
                .starts_with("/api/v1/signups/")
        );
        signups.push(r.body.clone());
        tokens.push(t);
    }
    let statuses: Vec<&str> = signups
        .iter()
        .map(|s| s["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        ["approved", "approved", "waitlisted", "waitlisted"]
    );
    assert!(signups[0]["approved_at"].is_string());
    assert!(signups[2]["waitlisted_at"].is_string());
    assert_eq!(approved_count(&app, &shift).await, 2);

    // The first approved cancels: the first waitlisted (third sign-up) takes the place.
    let r = app
        .post(
            &format!("/api/v1/signups/{}/cancel", id(&signups[0])),
            Some(&tokens[0]),
            &json!({}),
        )
        .await;
    r.expect(200);
    assert_eq!(r.body["status"], "cancelled");
    assert!(r.body["cancelled_at"].is_string());
    let third = app
        .get(
            &format!("/api/v1/signups/{}", id(&signups[2])),
            Some(&tokens[2]),
        )
        .await;
    assert_eq!(third.body["status"], "approved");
    let fourth = app
        .get(
            &format!("/api/v1/signups/{}", id(&signups[3])),
            Some(&tokens[3]),
        )
        .await;
    assert_eq!(fourth.body["status"], "waitlisted");
    assert_eq!(approved_count(&app, &shift).await, 2);
    // Someone else's sign-up is invisible; a cancelled one cannot be cancelled again.
    app.get(
        &format!("/api/v1/signups/{}", id(&signups[2])),
        Some(&tokens[3]),
    )
    .await
    .expect_problem(404, "not_found");
    app.post(
        &format!("/api/v1/signups/{}/cancel", id(&signups[0])),
        Some(&tokens[0]),
        &json!({}),
    )
    .await
    .expect_problem(409, "invalid_signup_transition");
    // Signing up again after cancelling joins the back of the queue.
    let again = sign_up(&app, &shift, &tokens[0]).await;
    again.expect(201);
    assert_eq!(again.body["status"], "waitlisted");
    assert_eq!(again.body["id"], signups[0]["id"]);
}

#[tokio::test]
async fn thirty_simultaneous_sign_ups_fill_five_places_exactly() {
    let app = spawn_app_with(|s| s.login_max_per_address = 1000).await;
    let o = orgs(&app).await;
    let (_, shift) = app
        .published_project_with_shift(&o.city_admin, &o.school, json!({}), 5)
        .await;
    let volunteers = adults(&app, 30).await;
    let requests = volunteers.iter().map(|t| {
        let client = app.client.clone();
        let url = format!("{}/api/v1/shifts/{shift}/signups", app.address);
        let t = t.clone();
        tokio::spawn(async move {
            let r = client.post(url).bearer_auth(t).send().await.unwrap();
            let status = r.status().as_u16();
            let body: Value = r.json().await.unwrap();
            (status, body)
        })
    });
    let mut approved = 0;
    let mut waitlisted = 0;
    for h in requests.collect::<Vec<_>>() {
        let (status, body) = h.await.unwrap();
        assert_eq!(status, 201, "{body}");
        match body["status"].as_str().unwrap() {
            "approved" => approved += 1,
            "waitlisted" => waitlisted += 1,
            other => panic!("unexpected status {other}"),
        }
    }
    assert_eq!((approved, waitlisted), (5, 25));
    assert_eq!(approved_count(&app, &shift).await, 5);
    let roster = app
        .get(
            &format!("/api/v1/shifts/{shift}/signups?status=approved"),
            Some(&o.city_admin),
        )
        .await;
    roster.expect(200);
    assert_eq!(roster.body.as_array().unwrap().len(), 5);
}

/// Registers `n` adult volunteers concurrently and returns their tokens.
async fn adults(app: &TestApp, n: usize) -> Vec<String> {
    let mut out = Vec::with_capacity(n);
    for chunk in (0..n).collect::<Vec<_>>().chunks(10) {
        let mut handles = Vec::new();
        for _ in chunk {
            handles.push(adult(app));
        }
        for h in handles {
            out.push(h.await.1);
        }
    }
    out
}

#[tokio::test]
async fn capacity_cuts_are_refused_or_overflow_to_the_waitlist_and_raises_promote() {
    let app = spawn_app().await;
    let o = orgs(&app).await;
    let (_, shift) = app
        .published_project_with_shift(&o.city_admin, &o.school, json!({}), 3)
        .await;
    let mut ids = Vec::new();
    for _ in 0..4 {
        let (_, t) = adult(&app).await;
        let r = sign_up(&app, &shift, &t).await;
        r.expect(201);
        ids.push(id(&r.body));
    }
    let path = format!("/api/v1/shifts/{shift}");
    app.patch(
        &path,
        Some(&o.city_admin),
        &json!({"version": 1, "capacity": 1}),
    )
    .await
    .expect_problem(409, "capacity_below_approved");
    app.patch(
        &path,
        Some(&o.city_admin),
        &json!({"version": 9, "capacity": 5}),
    )
    .await
    .expect_problem(412, "version_mismatch");
    app.patch(
        &path,
        Some(&o.city_admin),
        &json!({"version": 1, "capacity": 0}),
    )
    .await
    .expect_problem(422, "validation_failed");
    let r = app
        .patch(
            &path,
            Some(&o.city_admin),
            &json!({"version": 1, "capacity": 1, "overflow": "waitlist"}),
        )
        .await;
    r.expect(200);
    // The latest-approved two (second and third) move to the waitlist.
    assert_eq!(r.body["moved_to_waitlist"], json!([ids[2], ids[1]]));
    assert_eq!(r.body["shift"]["capacity"], 1);
    assert_eq!(r.body["shift"]["approved_count"], 1);
    assert_eq!(approved_count(&app, &shift).await, 1);

    // Raising to 3 promotes first come first served: the second and third sign-ups.
    let r = app
        .patch(
            &path,
            Some(&o.city_admin),
            &json!({"version": 2, "capacity": 3}),
        )
        .await;
    r.expect(200);
    assert_eq!(r.body["promoted_from_waitlist"], json!([ids[1], ids[2]]));
    assert_eq!(r.body["shift"]["approved_count"], 3);
    let roster = app
        .get(&format!("{path}/signups"), Some(&o.city_admin))
        .await;
    let statuses: Vec<&str> = roster
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["approved", "approved", "approved", "waitlisted"]);
    assert_eq!(roster.body[0]["real_name"], "李志愿");
    assert!(roster.body[0]["volunteer_number"].is_string());
    app.get(&format!("{path}/signups"), Some(&o.other_admin))
        .await
        .expect_problem(404, "not_found");
}

#[tokio::test]
async fn a_time_change_that_makes_a_volunteers_shifts_overlap_is_refused() {
    let app = spawn_app().await;
    let o = orgs(&app).await;
    let p = app
        .create_project(&o.city_admin, &project_body(&o.school))
        .await;
    let pid = id(&p);
    // 09–12 and 12–15 style: adjacent shifts.
    let a = app.create_shift(&o.city_admin, &pid, 48, 51, 5).await;
    let b = app.create_shift(&o.city_admin, &pid, 51, 54, 5).await;
    let c = app.create_shift(&o.city_admin, &pid, 50, 53, 5).await;
    app.publish_project(&o.city_admin, &pid).await;
    let (_, t) = adult(&app).await;
    sign_up(&app, &id(&a), &t).await.expect(201);
    // Adjacent shifts do not overlap.
    sign_up(&app, &id(&b), &t).await.expect(201);
    // c overlaps both.
    sign_up(&app, &id(&c), &t)
        .await
        .expect_problem(409, "overlapping_shift");
    sign_up(&app, &id(&a), &t)
        .await
        .expect_problem(409, "duplicate_signup");
    // Moving b one hour earlier would overlap a.
    app.patch(
        &format!("/api/v1/shifts/{}", id(&b)),
        Some(&o.city_admin),
        &json!({"version": 1, "starts_at": hours_from_now(50), "ends_at": hours_from_now(53)}),
    )
    .await
    .expect_problem(409, "time_change_conflicts");
    // Moving it later keeps the sign-up.
    let r = app
        .patch(
            &format!("/api/v1/shifts/{}", id(&b)),
            Some(&o.city_admin),
            &json!({"version": 1, "starts_at": hours_from_now(55), "ends_at": hours_from_now(58)}),
        )
        .await;
    r.expect(200);
    assert_eq!(r.body["shift"]["approved_count"], 1);
    let mine = app.get("/api/v1/signups/me", Some(&t)).await;
    mine.expect(200);
    assert_eq!(mine.body["total"], 2);
    assert_eq!(mine.body["items"][0]["project_title"], "社区助老服务");
    assert_eq!(mine.body["items"][0]["status"], "approved");
}

#[tokio::test]
async fn sign_up_rules_are_checked_one_by_one() {
    let app = spawn_app().await;
    let o = orgs(&app).await;
    let (vid, adult_token) = adult(&app).await;
    let (_, minor_token) = register_volunteer(&app, &birth_years_ago(16)).await;

    // Not published.
    let draft = id(&app
        .create_project(&o.city_admin, &project_body(&o.school))
        .await);
    let draft_shift = app.create_shift(&o.city_admin, &draft, 48, 50, 5).await;
    sign_up(&app, &id(&draft_shift), &adult_token)
        .await
        .expect_problem(422, "project_not_open");

    // Started shift.
    let p = id(&app
        .create_project(&o.city_admin, &project_body(&o.school))
        .await);
    let past = app.create_shift(&o.city_admin, &p, -1, 1, 5).await;
    let future = app.create_shift(&o.city_admin, &p, 48, 50, 5).await;
    app.publish_project(&o.city_admin, &p).await;
    sign_up(&app, &id(&past), &adult_token)
        .await
        .expect_problem(422, "shift_past");

    // Age: below the project minimum, and minors on high-risk projects.
    let (_, adult_only) = app
        .published_project_with_shift(&o.city_admin, &o.school, json!({"min_age": 18}), 5)
        .await;
    sign_up(&app, &adult_only, &minor_token)
        .await
        .expect_problem(422, "below_project_min_age");
    let (_, risky) = app
        .published_project_with_shift(&o.city_admin, &o.school, json!({"high_risk": true}), 5)
        .await;
    sign_up(&app, &risky, &minor_token)
        .await
        .expect_problem(422, "minor_high_risk");
    sign_up(&app, &id(&future), &minor_token).await.expect(201);

    // Suspended volunteers may not sign up.
    app.post(
        &format!("/api/v1/volunteers/{vid}/suspend"),
        Some(&o.admin),
        &json!({}),
    )
    .await
    .expect(200);
    sign_up(&app, &id(&future), &adult_token)
        .await
        .expect_problem(422, "volunteer_not_active");

    // Admins cannot sign up; unknown shifts are 404.
    sign_up(&app, &id(&future), &o.city_admin)
        .await
        .expect_problem(403, "forbidden");
    sign_up(&app, &uuid::Uuid::now_v7().to_string(), &minor_token)
        .await
        .expect_problem(404, "not_found");

    // Closed projects refuse.
    app.post(
        &format!("/api/v1/projects/{p}/close"),
        Some(&o.city_admin),
        &json!({}),
    )
    .await
    .expect(200);
    let (_, other_token) = adult(&app).await;
    sign_up(&app, &id(&future), &other_token)
        .await
        .expect_problem(422, "project_closed");
}

#[tokio::test]
async fn projects_requiring_approval_collect_applications_and_approval_respects_capacity() {
    let app = spawn_app().await;
    let o = orgs(&app).await;
    let (_, shift) = app
        .published_project_with_shift(
            &o.city_admin,
            &o.school,
            json!({"signup_requires_approval": true}),
            1,
        )
        .await;
    let (_, t1) = adult(&app).await;
    let (_, t2) = adult(&app).await;
    let (_, t3) = adult(&app).await;
    let s1 = sign_up(&app, &shift, &t1).await;
    s1.expect(201);
    assert_eq!(s1.body["status"], "applied");
    assert!(s1.body["applied_at"].is_string());
    let s2 = id(&sign_up(&app, &shift, &t2).await.body);
    let s3 = id(&sign_up(&app, &shift, &t3).await.body);
    assert_eq!(approved_count(&app, &shift).await, 0);

    // A volunteer cannot approve; another subtree's admin does not see it.
    app.post(
        &format!("/api/v1/signups/{}/approve", id(&s1.body)),
        Some(&t1),
        &json!({}),
    )
    .await
    .expect_problem(403, "forbidden");
    app.post(
        &format!("/api/v1/signups/{}/approve", id(&s1.body)),
        Some(&o.other_admin),
        &json!({}),
    )
    .await
    .expect_problem(404, "not_found");

    let r = app
        .post(
            &format!("/api/v1/signups/{}/approve", id(&s1.body)),
            Some(&o.city_admin),
            &json!({}),
        )
        .await;
    r.expect(200);
    assert_eq!(r.body["status"], "approved");
    // Full: the next approval waitlists.
    let r = app
        .post(
            &format!("/api/v1/signups/{s2}/approve"),
            Some(&o.city_admin),
            &json!({}),
        )
        .await;
    assert_eq!(r.body["status"], "waitlisted");
    let r = app
        .post(
            &format!("/api/v1/signups/{s3}/reject"),
            Some(&o.city_admin),
            &json!({"reason": "名额已满"}),
        )
        .await;
    r.expect(200);
    assert_eq!(r.body["status"], "rejected");
    assert_eq!(r.body["reason"], "名额已满");
    // Rejecting the approved one promotes the waitlisted.
    app.post(
        &format!("/api/v1/signups/{}/reject", id(&s1.body)),
        Some(&o.city_admin),
        &json!({}),
    )
    .await
    .expect(200);
    let r = app
        .get(&format!("/api/v1/signups/{s2}"), Some(&o.city_admin))
        .await;
    assert_eq!(r.body["status"], "approved");
    assert_eq!(approved_count(&app, &shift).await, 1);
    // A no-show is recorded only once the shift has started.
    app.post(
        &format!("/api/v1/signups/{s2}/no_show"),
        Some(&o.city_admin),
        &json!({}),
    )
    .await
    .expect_problem(422, "shift_not_started");
}

#[tokio::test]
async fn cancelling_a_project_cancels_its_sign_ups_and_shifts_with_sign_ups_cannot_be_deleted() {
    let app = spawn_app().await;
    let o = orgs(&app).await;
    let (pid, shift) = app
        .published_project_with_shift(&o.city_admin, &o.school, json!({}), 1)
        .await;
    let empty = app.create_shift(&o.city_admin, &pid, 60, 62, 3).await;
    let (_, t1) = adult(&app).await;
    let (_, t2) = adult(&app).await;
    let a = id(&sign_up(&app, &shift, &t1).await.body);
    let b = id(&sign_up(&app, &shift, &t2).await.body);
    let del = app
        .request(
            reqwest::Method::DELETE,
            &format!("/api/v1/shifts/{shift}"),
            Some(&o.city_admin),
            None,
        )
        .await;
    del.expect_problem(409, "shift_has_signups");
    let del = app
        .request(
            reqwest::Method::DELETE,
            &format!("/api/v1/shifts/{}", id(&empty)),
            Some(&o.other_admin),
            None,
        )
        .await;
    del.expect_problem(404, "not_found");
    let del = app
        .request(
            reqwest::Method::DELETE,
            &format!("/api/v1/shifts/{}", id(&empty)),
            Some(&o.city_admin),
            None,
        )
        .await;
    del.expect(204);

    let r = app
        .post(
            &format!("/api/v1/projects/{pid}/cancel"),
            Some(&o.city_admin),
            &json!({}),
        )
        .await;
    r.expect(200);
    assert_eq!(r.body["status"], "cancelled");
    for (s, t) in [(&a, &t1), (&b, &t2)] {
        let r = app.get(&format!("/api/v1/signups/{s}"), Some(t)).await;
        assert_eq!(r.body["status"], "cancelled");
        assert_eq!(r.body["reason"], "project_cancelled");
    }
    assert_eq!(approved_count(&app, &shift).await, 0);
    let (_, t3) = adult(&app).await;
    sign_up(&app, &shift, &t3)
        .await
        .expect_problem(422, "project_closed");
    app.get(&format!("/api/v1/public/projects/{pid}"), None)
        .await
        .expect_problem(404, "not_found");
}
