//! Incentives: rule sets (validation, versions, scope, effective date), star levels recomputed
//! with every change of approved minutes (up after an approval, down after a void or a
//! downward correction, with an audit row), progress and leaderboards.

use chrono::{Datelike as _, Duration, NaiveDate, Weekday};
use sea_orm::{ColumnTrait as _, EntityTrait as _, PaginatorTrait as _, QueryFilter as _};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{
    TestApp, admin_registered_volunteer, approved_minutes, beijing_today, create_record,
    self_registered_volunteer, spawn_app,
};

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

/// The volunteer ids of a leaderboard page, in order.
fn board_ids(page: &Value) -> Vec<&str> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["volunteer_id"].as_str().unwrap())
        .collect()
}

/// province → Nanjing (with admin) → 玄武区; province → Suzhou (with admin).
struct World {
    admin: String,
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
        nanjing,
        xuanwu,
        suzhou,
        nanjing_admin,
        suzhou_admin,
    }
}

async fn star(app: &TestApp, token: &str, volunteer_id: &str) -> Value {
    let r = app
        .get(
            &format!("/api/v1/volunteers/{volunteer_id}/star-level"),
            Some(token),
        )
        .await;
    r.expect(200);
    r.body
}

async fn level_changes(app: &TestApp, volunteer_id: &str) -> u64 {
    entity::audit_log::Entity::find()
        .filter(entity::audit_log::Column::Action.eq("level_changed"))
        .filter(entity::audit_log::Column::EntityId.eq(Uuid::parse_str(volunteer_id).unwrap()))
        .count(&app.db)
        .await
        .unwrap()
}

async fn stored_level(app: &TestApp, volunteer_id: &str) -> i32 {
    entity::volunteer_level::Entity::find_by_id(Uuid::parse_str(volunteer_id).unwrap())
        .one(&app.db)
        .await
        .unwrap()
        .map_or(0, |l| l.level)
}

fn thresholds(hours: &[i64]) -> Value {
    Value::Array(
        hours
            .iter()
            .zip(1..)
            .map(|(h, level)| json!({"level": level, "hours": h}))
            .collect(),
    )
}

async fn issue_of(app: &TestApp, token: &str, body: Value) -> Value {
    let r = app.post("/api/v1/rule-sets", Some(token), &body).await;
    r.expect_problem(422, "validation_failed");
    r.body["errors"][0].clone()
}

async fn create_rule_set(app: &TestApp, token: &str, body: &Value) -> Value {
    let r = app.post("/api/v1/rule-sets", Some(token), body).await;
    r.expect(201);
    r.body
}

#[tokio::test]
async fn exactly_100_hours_is_one_star_and_a_void_takes_it_away_with_an_audit_row() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let t = &w.nanjing_admin;
    let v = id(&admin_registered_volunteer(&app, t, &w.nanjing, "张三", 1).await);

    // 99 h 59 min: no star yet, one minute missing.
    approved_minutes(&app, t, &v, &w.nanjing, 0, 100 * 60 - 1).await;
    let s = star(&app, t, &v).await;
    assert_eq!(s["level"], 0);
    assert_eq!(s["approved_minutes"], 5999);
    assert_eq!(s["approved_hours"], "99.98");
    assert_eq!(s["next_level"], 1);
    assert_eq!(s["minutes_missing"], 1);
    assert_eq!(s["hours_missing"], "0.02");
    assert_eq!(s["rule_set"]["version"], 1);
    assert_eq!(level_changes(&app, &v).await, 0);

    // One more approved minute: exactly 100 h = 1 star.
    let last = create_record(
        &app,
        t,
        &v,
        &w.nanjing,
        "2025-03-01T09:00:00+08:00",
        "2025-03-01T09:01:00+08:00",
        true,
    )
    .await;
    let s = star(&app, t, &v).await;
    assert_eq!(s["level"], 1);
    assert_eq!(s["approved_hours"], "100");
    assert_eq!(s["next_level"], 2);
    assert_eq!(s["minutes_missing"], 200 * 60);
    assert_eq!(s["hours_missing"], "200");
    assert_eq!(stored_level(&app, &v).await, 1);
    assert_eq!(level_changes(&app, &v).await, 1);

    // Voiding it lowers the level again, in the same transaction, with an audit row.
    app.post(
        &format!("/api/v1/service-records/{}/void", id(&last)),
        Some(t),
        &json!({"reason": "重复登记"}),
    )
    .await
    .expect(200);
    assert_eq!(star(&app, t, &v).await["level"], 0);
    assert_eq!(stored_level(&app, &v).await, 0);
    assert_eq!(level_changes(&app, &v).await, 2);
}

#[tokio::test]
async fn a_downward_correction_lowers_the_level() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let t = &w.nanjing_admin;
    let v = id(&admin_registered_volunteer(&app, t, &w.nanjing, "李四", 2).await);
    let records = approved_minutes(&app, t, &v, &w.nanjing, 0, 100 * 60).await;
    assert_eq!(star(&app, t, &v).await["level"], 1);
    assert_eq!(stored_level(&app, &v).await, 1);

    // A correction keeping the hours (moved by an hour) keeps the level: no level_changed rows
    // (the old record leaving and the new one arriving are one recomputation).
    let first = records.first().unwrap();
    let moved = app
        .post(
            &format!("/api/v1/service-records/{}/corrections", id(first)),
            Some(t),
            &json!({
                "started_at": "2025-01-01T01:00:00+08:00",
                "ended_at": "2025-01-01T21:00:00+08:00",
                "reason": "签到时间登记错误",
            }),
        )
        .await;
    moved.expect(201);
    assert_eq!(stored_level(&app, &v).await, 1);
    assert_eq!(level_changes(&app, &v).await, 1);

    // 20 h → 19 h: 99 h in all.
    app.post(
        &format!("/api/v1/service-records/{}/corrections", id(&moved.body)),
        Some(t),
        &json!({
            "started_at": "2025-01-01T00:00:00+08:00",
            "ended_at": "2025-01-01T19:00:00+08:00",
            "reason": "签退时间登记错误",
        }),
    )
    .await
    .expect(201);
    let s = star(&app, t, &v).await;
    assert_eq!(s["level"], 0);
    assert_eq!(s["minutes_missing"], 60);
    assert_eq!(stored_level(&app, &v).await, 0);
    assert_eq!(level_changes(&app, &v).await, 2);
}

#[tokio::test]
async fn a_subtree_rule_set_wins_over_the_province_and_a_future_one_does_not_apply_yet() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let today = beijing_today();
    let tomorrow = today + Duration::days(1);
    let nanjing_rules = create_rule_set(
        &app,
        &w.admin,
        &json!({
            "name": "南京市星级志愿者认定",
            "effective_from": today,
            "scope_organization_id": w.nanjing,
            "thresholds": thresholds(&[10, 20]),
        }),
    )
    .await;
    // Not yet in force: a province-wide rule set from tomorrow, and one for Nanjing.
    create_rule_set(
        &app,
        &w.admin,
        &json!({"name": "江苏省新标准", "effective_from": tomorrow, "thresholds": thresholds(&[1])}),
    )
    .await;
    create_rule_set(
        &app,
        &w.admin,
        &json!({
            "name": "南京市星级志愿者认定",
            "effective_from": tomorrow,
            "scope_organization_id": w.nanjing,
            "thresholds": thresholds(&[5]),
        }),
    )
    .await;

    // Registered at 玄武区 (inside Nanjing): the Nanjing rule set; 10 h = 1 star.
    let xw = id(&admin_registered_volunteer(&app, &w.nanjing_admin, &w.xuanwu, "王五", 3).await);
    approved_minutes(&app, &w.nanjing_admin, &xw, &w.xuanwu, 0, 10 * 60).await;
    let s = star(&app, &w.nanjing_admin, &xw).await;
    assert_eq!(s["level"], 1);
    assert_eq!(s["rule_set"]["id"], id(&nanjing_rules));
    assert_eq!(s["rule_set"]["version"], 1);
    assert_eq!(s["minutes_missing"], 10 * 60);
    assert_eq!(stored_level(&app, &xw).await, 1);

    // Suzhou: the province-wide default still (the future rule set does not apply).
    let sz = id(&admin_registered_volunteer(&app, &w.suzhou_admin, &w.suzhou, "赵六", 4).await);
    approved_minutes(&app, &w.suzhou_admin, &sz, &w.suzhou, 0, 10 * 60).await;
    let s = star(&app, &w.suzhou_admin, &sz).await;
    assert_eq!(s["level"], 0);
    assert_eq!(s["rule_set"]["name"], "默认星级标准 (default star levels)");
    assert_eq!(s["minutes_missing"], 90 * 60);
    assert_eq!(stored_level(&app, &sz).await, 0);
}

#[tokio::test]
async fn rule_sets_are_validated_versioned_and_keep_rounding_buckets() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let today = beijing_today();
    let admin = w.admin.as_str();
    let issue = async |body: Value| issue_of(&app, admin, body).await;
    assert_eq!(
        issue(json!({"name": "x", "effective_from": today, "thresholds": thresholds(&[100, 100])}))
            .await["code"],
        "thresholds_not_increasing"
    );
    assert_eq!(
        issue(json!({"name": "x", "effective_from": today, "thresholds": thresholds(&[300, 100])}))
            .await["field"],
        "thresholds[1].hours"
    );
    assert_eq!(
        issue(json!({"name": "x", "effective_from": today, "thresholds": [{"level": 1, "hours": "0.01"}]}))
            .await["code"],
        "hours_format"
    );
    assert_eq!(
        issue(json!({"name": "x", "effective_from": today - Duration::days(1), "thresholds": thresholds(&[1])}))
            .await["code"],
        "effective_from_past"
    );
    assert_eq!(
        issue(json!({
            "name": "x", "effective_from": today, "thresholds": thresholds(&[1]),
            "rounding": {"mode": "buckets", "buckets": [{"below_minutes": 15, "credit_minutes": 0}]},
        }))
        .await["code"],
        "buckets_incomplete"
    );
    assert_eq!(
        issue(json!({"name": "x", "effective_from": today, "scope_organization_id": Uuid::now_v7(), "thresholds": thresholds(&[1])}))
            .await["code"],
        "organization_not_found"
    );
    // Floats and unknown fields are refused before any rule runs.
    for body in [
        json!({"name": "x", "effective_from": today, "thresholds": [{"level": 1, "hours": 12.5}]}),
        json!({"name": "x", "effective_from": today, "thresholds": [], "colour": "red"}),
    ] {
        app.post("/api/v1/rule-sets", Some(admin), &body)
            .await
            .expect_problem(422, "invalid_body");
    }
    // Only platform admins define rules.
    app.post(
        "/api/v1/rule-sets",
        Some(&w.nanjing_admin),
        &json!({"name": "x", "effective_from": today, "thresholds": thresholds(&[1])}),
    )
    .await
    .expect_problem(403, "forbidden");

    // Decimal hours, extra conditions and rounding buckets are kept; the same name is the next version.
    let body = json!({
        "name": "省级星级认定",
        "effective_from": today,
        "thresholds": [
            {"level": 1, "hours": "12.5"},
            {"level": 2, "hours": 300, "requires_previous_level": true, "requires_completed_course_category": "backbone"},
        ],
        "rounding": {"mode": "buckets", "buckets": [
            {"below_minutes": 15, "credit_minutes": 0},
            {"below_minutes": 45, "credit_minutes": 30},
            {"below_minutes": 60, "credit_minutes": 60},
        ]},
    });
    let first = app.post("/api/v1/rule-sets", Some(admin), &body).await;
    first.expect(201);
    let r = &first.body;
    assert_eq!(r["version"], 1);
    assert_eq!(r["thresholds"][0]["min_minutes"], 750);
    assert_eq!(r["thresholds"][0]["hours"], "12.5");
    assert_eq!(r["thresholds"][0]["requires_previous_level"], false);
    assert_eq!(r["thresholds"][1]["requires_previous_level"], true);
    assert_eq!(
        r["thresholds"][1]["requires_completed_course_category"],
        "backbone"
    );
    assert_eq!(r["rounding"], body["rounding"]);
    assert_eq!(r["effective_from"], json!(today));
    assert_eq!(
        first.headers["location"].to_str().unwrap(),
        format!("/api/v1/rule-sets/{}", id(r))
    );
    let second = app.post("/api/v1/rule-sets", Some(admin), &body).await;
    second.expect(201);
    assert_eq!(second.body["version"], 2);

    let got = app
        .get(
            &format!("/api/v1/rule-sets/{}", id(r)),
            Some(&w.nanjing_admin),
        )
        .await;
    got.expect(200);
    assert_eq!(got.body["rounding"]["mode"], "buckets");
    app.get(
        &format!("/api/v1/rule-sets/{}", Uuid::now_v7()),
        Some(&w.admin),
    )
    .await
    .expect_problem(404, "not_found");
    let list = app
        .get("/api/v1/rule-sets?per_page=2", Some(&w.admin))
        .await;
    list.expect(200);
    assert_eq!(list.body["total"], 3);
    assert_eq!(list.body["items"].as_array().unwrap().len(), 2);
    app.get("/api/v1/rule-sets", None)
        .await
        .expect_problem(401, "missing_token");
}

#[tokio::test]
async fn volunteers_see_their_own_star_level_and_nobody_else_s() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let (me, my_token) = self_registered_volunteer(&app, "钱七", 5, None).await;
    let other =
        id(&admin_registered_volunteer(&app, &w.nanjing_admin, &w.nanjing, "孙八", 6).await);
    let s = star(&app, &my_token, &id(&me)).await;
    assert_eq!(s["level"], 0);
    assert_eq!(s["approved_hours"], "0");
    assert_eq!(s["minutes_missing"], 6000);
    app.get(
        &format!("/api/v1/volunteers/{other}/star-level"),
        Some(&my_token),
    )
    .await
    .expect_problem(404, "not_found");
    app.get(
        &format!("/api/v1/volunteers/{other}/star-level"),
        Some(&w.suzhou_admin),
    )
    .await
    .expect_problem(404, "not_found");
    star(&app, &w.admin, &other).await;
}

#[tokio::test]
async fn leaderboards_rank_by_approved_hours_within_the_callers_scope() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let nj = &w.nanjing_admin;
    let a = id(&admin_registered_volunteer(&app, nj, &w.nanjing, "甲", 11).await);
    let b = id(&admin_registered_volunteer(&app, nj, &w.xuanwu, "乙", 12).await);
    let c = id(&admin_registered_volunteer(&app, &w.suzhou_admin, &w.suzhou, "丙", 13).await);
    let idle = id(&admin_registered_volunteer(&app, nj, &w.nanjing, "丁", 14).await);
    approved_minutes(&app, nj, &a, &w.nanjing, 0, 120 * 60).await;
    approved_minutes(&app, nj, &b, &w.xuanwu, 0, 30 * 60).await;
    approved_minutes(&app, &w.suzhou_admin, &c, &w.suzhou, 0, 60 * 60).await;

    let all = app
        .get("/api/v1/leaderboards/volunteers", Some(&w.admin))
        .await;
    all.expect(200);
    let ids = board_ids(&all.body);
    assert_eq!(ids, [a.as_str(), c.as_str(), b.as_str()]);
    assert!(!ids.contains(&idle.as_str()));
    assert_eq!(all.body["total"], 3);
    let top = &all.body["items"][0];
    assert_eq!(top["rank"], 1);
    assert_eq!(top["real_name"], "甲");
    assert_eq!(top["level"], 1);
    assert_eq!(top["approved_hours"], "120");
    assert!(top["volunteer_number"].as_str().is_some());

    // Nanjing's admin sees Nanjing's subtree only; paging keeps the rank.
    let page2 = app
        .get(
            "/api/v1/leaderboards/volunteers?per_page=1&page=2",
            Some(nj),
        )
        .await;
    page2.expect(200);
    assert_eq!(page2.body["total"], 2);
    assert_eq!(page2.body["items"][0]["volunteer_id"], b);
    assert_eq!(page2.body["items"][0]["rank"], 2);
    let xw = app
        .get(
            &format!(
                "/api/v1/leaderboards/volunteers?organization_id={}",
                w.xuanwu
            ),
            Some(nj),
        )
        .await;
    xw.expect(200);
    assert_eq!(xw.body["total"], 1);
    assert_eq!(xw.body["items"][0]["volunteer_id"], b);
    app.get(
        &format!(
            "/api/v1/leaderboards/volunteers?organization_id={}",
            w.suzhou
        ),
        Some(nj),
    )
    .await
    .expect_problem(404, "not_found");
    // By region of residence (all test volunteers live in 320102).
    let region = app
        .get(
            "/api/v1/leaderboards/volunteers?region_code=320100",
            Some(&w.admin),
        )
        .await;
    region.expect(200);
    assert_eq!(region.body["total"], 3);
    let none = app
        .get(
            "/api/v1/leaderboards/volunteers?region_code=110000",
            Some(&w.admin),
        )
        .await;
    assert_eq!(none.body["total"], 0);
    app.get(
        "/api/v1/leaderboards/volunteers?region_code=32",
        Some(&w.admin),
    )
    .await
    .expect_problem(400, "invalid_query");
    // Volunteers may not see the leaderboard (it shows real names).
    let (_, vt) = self_registered_volunteer(&app, "戊", 15, None).await;
    app.get("/api/v1/leaderboards/volunteers", Some(&vt))
        .await
        .expect_problem(403, "forbidden");
}

/// (volunteer id, rank) of each row of a board.
type Ranks = Vec<(String, u64)>;

/// (volunteer id, rank) of every row of one board, page by page, and its total.
async fn board_pages(
    app: &TestApp,
    scope: &api::auth::Scope,
    filter: &api::incentives::dto::LeaderboardFilter,
    sort_up_to: u64,
) -> (Ranks, u64) {
    let mut rows = Vec::new();
    let mut total = 0;
    // Two per page, and one page past the end (empty, total still given).
    for page in 1..=4 {
        let p = api::incentives::service::leaderboard_sorting_up_to(
            &app.db, scope, filter, page, 2, sort_up_to,
        )
        .await
        .unwrap();
        assert!(p.items.len() <= 2);
        if page > 1 {
            assert_eq!(
                p.total, total,
                "the total does not change from page to page"
            );
        }
        total = p.total;
        rows.extend(
            p.items
                .into_iter()
                .map(|i| (i.volunteer_id.to_string(), i.rank)),
        );
    }
    (rows, total)
}

#[tokio::test]
async fn leaderboards_read_in_rank_order_give_the_pages_of_sorted_boards() {
    use api::auth::Scope;
    use api::incentives::dto::LeaderboardFilter;

    let app = spawn_app().await;
    let w = world(&app).await;
    let nj = &w.nanjing_admin;
    let sz = &w.suzhou_admin;
    let mut minutes: Vec<(String, i64, &str)> = Vec::new();
    for (seq, (token, org, m)) in [
        (nj, &w.nanjing, 120),
        (nj, &w.xuanwu, 60),
        (sz, &w.suzhou, 120),
        (nj, &w.xuanwu, 90),
        (nj, &w.nanjing, 60),
        (sz, &w.suzhou, 45),
    ]
    .into_iter()
    .enumerate()
    {
        let seq = 31 + u32::try_from(seq).unwrap();
        let v = id(&admin_registered_volunteer(&app, token, org, "排名", seq).await);
        approved_minutes(&app, token, &v, org, 0, m).await;
        let place = if org == &w.suzhou {
            "suzhou"
        } else if org == &w.xuanwu {
            "xuanwu"
        } else {
            "nanjing"
        };
        minutes.push((v, m, place));
    }
    // The most minutes of all, then deregistered: left out of every board and every total.
    let gone = id(&admin_registered_volunteer(&app, nj, &w.nanjing, "离开", 40).await);
    approved_minutes(&app, nj, &gone, &w.nanjing, 0, 300).await;
    app.post(
        &format!("/api/v1/volunteers/{gone}/deregister"),
        Some(nj),
        &json!({}),
    )
    .await
    .expect(200);
    // Registered, no minutes: not ranked.
    admin_registered_volunteer(&app, nj, &w.nanjing, "未服务", 41).await;

    let expected = |places: &[&str]| {
        let mut v: Vec<&(String, i64, &str)> = minutes
            .iter()
            .filter(|(_, _, p)| places.contains(p))
            .collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        v.into_iter()
            .zip(1..)
            .map(|(r, rank)| (r.0.clone(), rank))
            .collect::<Vec<_>>()
    };
    let nanjing = Uuid::parse_str(&w.nanjing).unwrap();
    let xuanwu = Uuid::parse_str(&w.xuanwu).unwrap();
    let everywhere = ["nanjing", "xuanwu", "suzhou"];
    let boards: [(Scope, LeaderboardFilter, Ranks); 5] = [
        (
            Scope::All,
            LeaderboardFilter {
                organization_id: None,
                region_code: None,
            },
            expected(&everywhere),
        ),
        (
            Scope::All,
            LeaderboardFilter {
                organization_id: Some(nanjing),
                region_code: None,
            },
            expected(&["nanjing", "xuanwu"]),
        ),
        (
            // Every test volunteer lives in 320102.
            Scope::All,
            LeaderboardFilter {
                organization_id: None,
                region_code: Some("320100".into()),
            },
            expected(&everywhere),
        ),
        (
            Scope::Subtree(nanjing),
            LeaderboardFilter {
                organization_id: None,
                region_code: None,
            },
            expected(&["nanjing", "xuanwu"]),
        ),
        (
            Scope::Subtree(nanjing),
            LeaderboardFilter {
                organization_id: Some(xuanwu),
                region_code: None,
            },
            expected(&["xuanwu"]),
        ),
    ];
    for (scope, filter, want) in &boards {
        let walked = board_pages(&app, scope, filter, 0).await;
        let sorted = board_pages(&app, scope, filter, u64::MAX).await;
        assert_eq!(walked.0, *want, "{scope:?} {filter:?} read in rank order");
        assert_eq!(sorted.0, *want, "{scope:?} {filter:?} sorted");
        assert_eq!(walked.1, u64::try_from(want.len()).unwrap());
        assert_eq!(sorted.1, walked.1);
    }

    // Over HTTP, the platform-wide board.
    let all = app
        .get(
            "/api/v1/leaderboards/volunteers?per_page=10",
            Some(&w.admin),
        )
        .await;
    all.expect(200);
    assert_eq!(all.body["total"], 6);
    let ids = board_ids(&all.body);
    let want: Vec<&str> = boards[0].2.iter().map(|(v, _)| v.as_str()).collect();
    assert_eq!(ids, want);
    assert!(!ids.contains(&gone.as_str()));
    let past = app
        .get(
            "/api/v1/leaderboards/volunteers?per_page=10&page=2",
            Some(&w.admin),
        )
        .await;
    past.expect(200);
    assert_eq!(past.body["items"], json!([]));
    assert_eq!(past.body["total"], 6);
}

#[tokio::test]
async fn recomputing_brings_stored_levels_up_to_a_rule_set_that_took_effect() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let nj = &w.nanjing_admin;
    let v = id(&admin_registered_volunteer(&app, nj, &w.xuanwu, "周九", 21).await);
    let sz = id(&admin_registered_volunteer(&app, &w.suzhou_admin, &w.suzhou, "吴十", 22).await);
    approved_minutes(&app, nj, &v, &w.xuanwu, 0, 10 * 60).await;
    approved_minutes(&app, &w.suzhou_admin, &sz, &w.suzhou, 0, 10 * 60).await;
    assert_eq!(stored_level(&app, &v).await, 0);

    // A Nanjing rule set from today: the progress endpoint shows it at once, the stored level
    // (leaderboards) catches up when recomputed.
    create_rule_set(
        &app,
        &w.admin,
        &json!({
            "name": "南京市星级志愿者认定",
            "effective_from": beijing_today(),
            "scope_organization_id": w.nanjing,
            "thresholds": thresholds(&[10]),
        }),
    )
    .await;
    assert_eq!(star(&app, nj, &v).await["level"], 1);
    assert_eq!(stored_level(&app, &v).await, 0);

    app.post("/api/v1/volunteer-levels/recompute", Some(nj), &json!({}))
        .await
        .expect_problem(403, "forbidden");
    let r = app
        .post(
            &format!(
                "/api/v1/volunteer-levels/recompute?organization_id={}",
                w.nanjing
            ),
            Some(&w.admin),
            &json!({}),
        )
        .await;
    r.expect(200);
    assert_eq!(r.body, json!({"volunteers": 1, "changed": 1}));
    assert_eq!(stored_level(&app, &v).await, 1);
    assert_eq!(level_changes(&app, &v).await, 1);
    let board = app.get("/api/v1/leaderboards/volunteers", Some(nj)).await;
    assert_eq!(board.body["items"][0]["level"], 1);

    // Everyone: nothing else changes.
    let all = app
        .post(
            "/api/v1/volunteer-levels/recompute",
            Some(&w.admin),
            &json!({}),
        )
        .await;
    all.expect(200);
    assert_eq!(all.body, json!({"volunteers": 2, "changed": 0}));
}

/// The `n`-th working day after `date` with weekends and the given holidays off.
fn working_days_after(date: NaiveDate, n: u32, holidays: &[NaiveDate]) -> NaiveDate {
    let mut d = date;
    let mut left = n;
    while left > 0 {
        d = d.succ_opt().unwrap();
        if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !holidays.contains(&d) {
            left -= 1;
        }
    }
    d
}

async fn certify(
    app: &TestApp,
    token: &str,
    volunteer_id: &str,
    level: i32,
) -> crate::helpers::Reply {
    app.post(
        &format!("/api/v1/volunteers/{volunteer_id}/level-certifications"),
        Some(token),
        &json!({"level": level}),
    )
    .await
}

async fn decide(
    app: &TestApp,
    token: &str,
    cert: &str,
    what: &str,
    body: &Value,
) -> crate::helpers::Reply {
    app.post(
        &format!("/api/v1/level-certifications/{cert}/{what}"),
        Some(token),
        body,
    )
    .await
}

#[tokio::test]
async fn a_certified_level_counts_after_a_public_notice_of_five_working_days_without_objection() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let nj = &w.nanjing_admin;
    let today = beijing_today();
    create_rule_set(
        &app,
        &w.admin,
        &json!({
            "name": "南京市星级认定",
            "effective_from": today,
            "scope_organization_id": w.nanjing,
            "thresholds": [{"level": 1, "hours": 10, "requires_certification": true}],
        }),
    )
    .await;
    // The first working day after today is a holiday: the notice ends one working day later.
    let holiday = working_days_after(today, 1, &[]);
    app.request(
        reqwest::Method::PUT,
        &format!("/api/v1/calendar-days/{holiday}"),
        Some(&w.admin),
        Some(&json!({"kind": "holiday", "name": "节假日"})),
    )
    .await
    .expect(200);

    let v = id(&admin_registered_volunteer(&app, nj, &w.nanjing, "郑一", 31).await);
    approved_minutes(&app, nj, &v, &w.nanjing, 0, 5 * 60).await;
    certify(&app, nj, &v, 1)
        .await
        .expect_problem(422, "not_eligible");
    approved_minutes(&app, nj, &v, &w.nanjing, 10, 5 * 60).await;
    let s = star(&app, nj, &v).await;
    assert_eq!(s["level"], 0);
    assert_eq!(s["minutes_missing"], 0);
    assert_eq!(s["missing_condition"], "requires_certification");
    certify(&app, nj, &v, 2)
        .await
        .expect_problem(422, "level_unknown");

    let applied = certify(&app, nj, &v, 1).await;
    applied.expect(201);
    assert_eq!(applied.body["status"], "applied");
    let cert = id(&applied.body);
    certify(&app, nj, &v, 1)
        .await
        .expect_problem(409, "certification_open");
    decide(&app, &w.suzhou_admin, &cert, "approve", &json!({}))
        .await
        .expect_problem(404, "not_found");

    let approved = decide(&app, nj, &cert, "approve", &json!({})).await;
    approved.expect(200);
    assert_eq!(approved.body["status"], "in_notice");
    assert_eq!(approved.body["notice_starts_on"], json!(today));
    assert_eq!(
        approved.body["notice_ends_on"],
        json!(working_days_after(today, 5, &[holiday]))
    );
    decide(&app, nj, &cert, "grant", &json!({}))
        .await
        .expect_problem(409, "notice_running");
    assert_eq!(star(&app, nj, &v).await["level"], 0);

    // The notice has passed (moved into the past, as the clock cannot be).
    use sea_orm::{ActiveModelTrait as _, ActiveValue::Set, IntoActiveModel as _};
    let row = entity::level_certification::Entity::find_by_id(Uuid::parse_str(&cert).unwrap())
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let mut past = row.into_active_model();
    past.notice_ends_on = Set(Some(today - Duration::days(1)));
    past.update(&app.db).await.unwrap();
    decide(
        &app,
        nj,
        &cert,
        "objections",
        &json!({"reason": "服务时长存疑"}),
    )
    .await
    .expect_problem(409, "notice_over");
    let granted = decide(&app, nj, &cert, "grant", &json!({})).await;
    granted.expect(200);
    assert_eq!(granted.body["status"], "granted");
    assert!(granted.body["granted_at"].is_string());
    let s = star(&app, nj, &v).await;
    assert_eq!(s["level"], 1);
    assert_eq!(s["next_level"], Value::Null);
    assert_eq!(stored_level(&app, &v).await, 1);
    assert_eq!(level_changes(&app, &v).await, 1);
    certify(&app, nj, &v, 1)
        .await
        .expect_problem(409, "already_certified");
    let got = app
        .get(&format!("/api/v1/level-certifications/{cert}"), Some(nj))
        .await;
    got.expect(200);
    assert_eq!(got.body["status"], "granted");
}

#[tokio::test]
async fn an_objection_during_the_notice_stops_a_certification_and_a_rejection_ends_it() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let nj = &w.nanjing_admin;
    create_rule_set(
        &app,
        &w.admin,
        &json!({
            "name": "南京市星级认定",
            "effective_from": beijing_today(),
            "scope_organization_id": w.nanjing,
            "thresholds": [{"level": 1, "hours": 10, "requires_certification": true}],
        }),
    )
    .await;
    let a = id(&admin_registered_volunteer(&app, nj, &w.nanjing, "王二", 32).await);
    let b = id(&admin_registered_volunteer(&app, nj, &w.nanjing, "冯三", 33).await);
    approved_minutes(&app, nj, &a, &w.nanjing, 0, 10 * 60).await;
    approved_minutes(&app, nj, &b, &w.nanjing, 0, 10 * 60).await;

    let ca = certify(&app, nj, &a, 1).await;
    ca.expect(201);
    let ca = id(&ca.body);
    decide(&app, nj, &ca, "objections", &json!({"reason": "x"}))
        .await
        .expect_problem(409, "certification_state");
    decide(&app, nj, &ca, "approve", &json!({}))
        .await
        .expect(200);
    decide(&app, nj, &ca, "objections", &json!({"reason": "  "}))
        .await
        .expect_problem(422, "validation_failed");
    let stopped = decide(
        &app,
        nj,
        &ca,
        "objections",
        &json!({"reason": "服务时长存疑"}),
    )
    .await;
    stopped.expect(200);
    assert_eq!(stopped.body["status"], "stopped");
    assert_eq!(stopped.body["decision_reason"], "服务时长存疑");
    decide(&app, nj, &ca, "grant", &json!({}))
        .await
        .expect_problem(409, "certification_state");
    assert_eq!(star(&app, nj, &a).await["level"], 0);
    // A stopped application can be made again.
    certify(&app, nj, &a, 1).await.expect(201);

    let cb = certify(&app, nj, &b, 1).await;
    let cb = id(&cb.body);
    let rejected = decide(&app, nj, &cb, "reject", &json!({"reason": "材料不全"})).await;
    rejected.expect(200);
    assert_eq!(rejected.body["status"], "rejected");
    decide(&app, nj, &cb, "approve", &json!({}))
        .await
        .expect_problem(409, "certification_state");
    // Outside scope the certification does not exist.
    app.get(
        &format!("/api/v1/level-certifications/{cb}"),
        Some(&w.suzhou_admin),
    )
    .await
    .expect_problem(404, "not_found");
}

#[tokio::test]
async fn the_minute_job_grants_after_an_unopposed_notice_and_applies_a_rule_set_once() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let nj = &w.nanjing_admin;
    let tz = "Asia/Shanghai".parse().unwrap();
    let today = beijing_today();
    let v = id(&admin_registered_volunteer(&app, nj, &w.nanjing, "钱二", 30).await);
    approved_minutes(&app, nj, &v, &w.nanjing, 0, 10 * 60).await;
    assert_eq!(stored_level(&app, &v).await, 0);

    // A rule set taking effect today: the job recomputes its scope once, on one node.
    create_rule_set(
        &app,
        &w.admin,
        &json!({
            "name": "南京市星级认定（公示）",
            "effective_from": today,
            "scope_organization_id": w.nanjing,
            "thresholds": [
                {"level": 1, "hours": 10},
                {"level": 2, "hours": 11, "requires_certification": true},
            ],
        }),
    )
    .await;
    let first = api::incentives::jobs::run_due(&app.db, tz, chrono::Utc::now())
        .await
        .unwrap();
    assert_eq!(first.rule_sets_applied, 1);
    assert_eq!(first.levels_changed, 1);
    assert_eq!(stored_level(&app, &v).await, 1);
    let again = api::incentives::jobs::run_due(&app.db, tz, chrono::Utc::now())
        .await
        .unwrap();
    assert_eq!(again, api::incentives::jobs::JobsOut::default());

    // Level 2 needs a certification: in notice, the job leaves it alone; once the notice has
    // passed (moved into the past, as the clock cannot be), the job grants it.
    approved_minutes(&app, nj, &v, &w.nanjing, 11, 60).await;
    let applied = certify(&app, nj, &v, 2).await;
    applied.expect(201);
    let cert = id(&applied.body);
    decide(&app, nj, &cert, "approve", &json!({}))
        .await
        .expect(200);
    let idle = api::incentives::jobs::run_due(&app.db, tz, chrono::Utc::now())
        .await
        .unwrap();
    assert_eq!(idle.granted, 0);
    assert_eq!(stored_level(&app, &v).await, 1);
    use sea_orm::{ActiveModelTrait as _, ActiveValue::Set, IntoActiveModel as _};
    let row = entity::level_certification::Entity::find_by_id(Uuid::parse_str(&cert).unwrap())
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let mut past = row.into_active_model();
    past.notice_ends_on = Set(Some(today - Duration::days(1)));
    past.update(&app.db).await.unwrap();
    let done = api::incentives::jobs::run_due(&app.db, tz, chrono::Utc::now())
        .await
        .unwrap();
    assert_eq!(done.granted, 1);
    let got = app
        .get(&format!("/api/v1/level-certifications/{cert}"), Some(nj))
        .await;
    got.expect(200);
    assert_eq!(got.body["status"], "granted");
    assert_eq!(stored_level(&app, &v).await, 2);
    // An admin arriving late finds it decided.
    decide(&app, nj, &cert, "grant", &json!({}))
        .await
        .expect_problem(409, "certification_state");
}

#[tokio::test]
async fn a_rule_set_s_rounding_buckets_credit_service_time_from_the_day_it_takes_effect() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let nj = &w.nanjing_admin;
    let v = id(&admin_registered_volunteer(&app, nj, &w.xuanwu, "孙三", 25).await);
    let sz = id(&admin_registered_volunteer(&app, &w.suzhou_admin, &w.suzhou, "李四", 26).await);
    let set = create_rule_set(
        &app,
        &w.admin,
        &json!({
            "name": "南京市服务时长折算",
            "effective_from": beijing_today(),
            "scope_organization_id": w.nanjing,
            "thresholds": thresholds(&[100]),
            "rounding": {"mode": "buckets", "buckets": [
                {"below_minutes": 15, "credit_minutes": 0},
                {"below_minutes": 45, "credit_minutes": 30},
                {"below_minutes": 60, "credit_minutes": 60},
            ]},
        }),
    )
    .await;
    // Served before the rule set takes effect: exact minutes under the default.
    let before = create_record(
        &app,
        nj,
        &v,
        &w.xuanwu,
        "2025-03-03T09:00:00+08:00",
        "2025-03-03T10:50:00+08:00",
        true,
    )
    .await;
    assert_eq!(before["minutes"], 110);
    assert_eq!(before["raw_minutes"], 110);
    assert_ne!(before["rounding_rule_set_id"], set["id"]);

    // The rule set took effect on 2025-03-04 (moved into the past, as the clock cannot be).
    use sea_orm::{ActiveModelTrait as _, ActiveValue::Set, IntoActiveModel as _};
    let row = entity::rule_set::Entity::find_by_id(Uuid::parse_str(&id(&set)).unwrap())
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let mut past = row.into_active_model();
    past.effective_from = Set(NaiveDate::from_ymd_opt(2025, 3, 4).unwrap());
    past.update(&app.db).await.unwrap();

    let cases = [
        // (day, end time, served, credited): remainders past whole hours go through the buckets.
        ("2025-03-04", "10:50", 110, 120),
        ("2025-03-05", "09:10", 10, 0),
        ("2025-03-06", "09:20", 20, 30),
        ("2025-03-07", "09:45", 45, 60),
        ("2025-03-08", "11:00", 120, 120),
    ];
    let mut short = String::new();
    for (day, end, served, credited) in cases {
        let r = create_record(
            &app,
            nj,
            &v,
            &w.xuanwu,
            &format!("{day}T09:00:00+08:00"),
            &format!("{day}T{end}:00+08:00"),
            true,
        )
        .await;
        assert_eq!(r["raw_minutes"], served, "{day}");
        assert_eq!(r["minutes"], credited, "{day}");
        assert_eq!(r["rounding_rule_set_id"], set["id"], "{day}");
        assert_eq!(r["status"], "approved");
        if served == 10 {
            short = id(&r);
        }
    }
    // Outside the rule set's scope: exact minutes.
    let other = create_record(
        &app,
        &w.suzhou_admin,
        &sz,
        &w.suzhou,
        "2025-03-04T09:00:00+08:00",
        "2025-03-04T10:50:00+08:00",
        true,
    )
    .await;
    assert_eq!(other["minutes"], 110);
    let totals = app
        .get(&format!("/api/v1/volunteer-totals/{v}"), Some(nj))
        .await;
    totals.expect(200);
    assert_eq!(totals.body["approved_minutes"], 110 + 120 + 30 + 60 + 120);

    // A correction is credited under the rules of its own service day.
    let corrected = app
        .post(
            &format!("/api/v1/service-records/{short}/corrections"),
            Some(nj),
            &json!({
                "started_at": "2025-03-05T09:00:00+08:00",
                "ended_at": "2025-03-05T09:50:00+08:00",
                "reason": "签退时间登记错误",
            }),
        )
        .await;
    corrected.expect(201);
    assert_eq!(corrected.body["raw_minutes"], 50);
    assert_eq!(corrected.body["minutes"], 60);
    let totals = app
        .get(&format!("/api/v1/volunteer-totals/{v}"), Some(nj))
        .await;
    assert_eq!(
        totals.body["approved_minutes"],
        110 + 120 + 60 + 30 + 60 + 120
    );
}
