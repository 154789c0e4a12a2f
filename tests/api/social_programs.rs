//! Project library, case library, micro-grant calls (微创投), youth social workers and youth homes
//! (issue 6, part B): the submission and curation workflow (no self-curation), public search
//! (field, region with its sub-regions, tag, title), scope 404s, one proposal per organization,
//! reviewer conflicts of interest, exact-mean ranking, the budget under concurrent awards,
//! assignment overlaps and the report of youth homes without a social worker.

use chrono::{Datelike as _, Duration, Utc};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, beijing_today, spawn_app};

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

fn field_code(r: &crate::helpers::Reply) -> String {
    r.body["errors"][0]["code"]
        .as_str()
        .unwrap_or("")
        .to_owned()
}

async fn org(
    app: &TestApp,
    token: &str,
    name: &str,
    kind: &str,
    region: &str,
    parent: Option<&str>,
) -> String {
    let mut body = json!({"name": name, "kind": kind, "region_code": region});
    if let Some(p) = parent {
        body["parent_id"] = json!(p);
    }
    let r = app.post("/api/v1/organizations", Some(token), &body).await;
    r.expect(201);
    id(&r.body)
}

/// province → city (南京) → youth org; province → other city (苏州).
struct Tree {
    admin: String,
    province: String,
    city: String,
    youth_org: String,
    other: String,
    city_admin: String,
    youth_admin: String,
    other_admin: String,
}

async fn tree(app: &TestApp) -> Tree {
    let admin = app.admin_token().await;
    let province = org(
        app,
        &admin,
        "共青团江苏省委",
        "league_committee",
        "320000",
        None,
    )
    .await;
    let city = org(
        app,
        &admin,
        "共青团南京市委",
        "league_committee",
        "320100",
        Some(&province),
    )
    .await;
    let youth_org = org(
        app,
        &admin,
        "南京青禾公益服务中心",
        "youth_social_organization",
        "320102",
        Some(&city),
    )
    .await;
    let other = org(
        app,
        &admin,
        "共青团苏州市委",
        "league_committee",
        "320500",
        Some(&province),
    )
    .await;
    let city_admin = app.org_admin_token(&admin, &city, "city_admin").await;
    let youth_admin = app.org_admin_token(&admin, &youth_org, "youth_admin").await;
    let other_admin = app.org_admin_token(&admin, &other, "other_admin").await;
    Tree {
        admin,
        province,
        city,
        youth_org,
        other,
        city_admin,
        youth_admin,
        other_admin,
    }
}

fn project_body(org: &str, title: &str, region: &str, field: &str) -> Value {
    json!({
        "kind": "project",
        "organization_id": org,
        "title": title,
        "summary": "周末为困境儿童开设阅读与科学课堂",
        "field": field,
        "region_code": region,
        "target_group": "6–12岁困境儿童",
        "budget_fen": 12_000_000,
        "period_start": "2027-03-01",
        "period_end": "2027-12-31",
        "outcomes": "覆盖200名儿童，每周一次课堂",
    })
}

fn case_body(org: &str, title: &str, region: &str, field: &str) -> Value {
    json!({
        "kind": "case",
        "organization_id": org,
        "title": title,
        "body": "项目背景……\n实施过程……\n成效与反思……",
        "field": field,
        "region_code": region,
    })
}

async fn create_entry(app: &TestApp, token: &str, body: &Value) -> Value {
    let r = app.post("/api/v1/library-entries", Some(token), body).await;
    r.expect(201);
    assert!(r.headers.get("location").is_some());
    r.body.clone()
}

async fn act(app: &TestApp, token: &str, entry: &Value, action: &str, extra: Value) -> Value {
    let mut body = json!({"version": entry["version"]});
    if let Value::Object(m) = extra {
        for (k, v) in m {
            body[k] = v;
        }
    }
    let r = app
        .post(
            &format!("/api/v1/library-entries/{}/{action}", id(entry)),
            Some(token),
            &body,
        )
        .await;
    r.expect(200);
    r.body.clone()
}

async fn put(app: &TestApp, path: &str, token: &str, body: &Value) -> crate::helpers::Reply {
    app.request(Method::PUT, path, Some(token), Some(body))
        .await
}

#[tokio::test]
async fn entries_go_from_draft_through_curation_to_publication_and_nobody_curates_their_own() {
    let app = spawn_app().await;
    let t = tree(&app).await;
    let entry = create_entry(
        &app,
        &t.youth_admin,
        &project_body(&t.youth_org, "困境儿童周末课堂", "320102", "public_welfare"),
    )
    .await;
    assert_eq!(entry["status"], "draft");
    assert_eq!(entry["budget_fen"], 12_000_000);
    let path = format!("/api/v1/public/library-entries/{}", id(&entry));
    app.get(&path, None).await.expect_problem(404, "not_found");

    // Publishing needs a submitted entry.
    app.post(
        &format!("/api/v1/library-entries/{}/publish", id(&entry)),
        Some(&t.city_admin),
        &json!({"version": entry["version"]}),
    )
    .await
    .expect_problem(409, "invalid_state");
    let entry = act(&app, &t.youth_admin, &entry, "submit", json!({})).await;
    assert_eq!(entry["status"], "submitted");

    // The youth organization's own admin may not curate it.
    app.post(
        &format!("/api/v1/library-entries/{}/publish", id(&entry)),
        Some(&t.youth_admin),
        &json!({"version": entry["version"]}),
    )
    .await
    .expect_problem(422, "self_curation");
    // An admin of another subtree does not even see it.
    app.post(
        &format!("/api/v1/library-entries/{}/reject", id(&entry)),
        Some(&t.other_admin),
        &json!({"version": entry["version"], "reason": "x"}),
    )
    .await
    .expect_problem(404, "not_found");

    // The city admin (above the organization) rejects with a reason; a stale version is 412.
    app.post(
        &format!("/api/v1/library-entries/{}/reject", id(&entry)),
        Some(&t.city_admin),
        &json!({"version": 1, "reason": "预算说明不足"}),
    )
    .await
    .expect_problem(412, "version_mismatch");
    app.post(
        &format!("/api/v1/library-entries/{}/reject", id(&entry)),
        Some(&t.city_admin),
        &json!({"version": entry["version"], "reason": "  "}),
    )
    .await
    .expect_problem(422, "validation_failed");
    let entry = act(
        &app,
        &t.city_admin,
        &entry,
        "reject",
        json!({"reason": "预算说明不足"}),
    )
    .await;
    assert_eq!(entry["status"], "rejected");
    assert_eq!(entry["reject_reason"], "预算说明不足");

    // The submitter edits and submits again; the city admin publishes with tags.
    let r = app
        .patch(
            &format!("/api/v1/library-entries/{}", id(&entry)),
            Some(&t.youth_admin),
            &json!({"version": entry["version"], "budget_fen": 9_000_000}),
        )
        .await;
    r.expect(200);
    let entry = act(&app, &t.youth_admin, &r.body, "submit", json!({})).await;
    let entry = act(
        &app,
        &t.city_admin,
        &entry,
        "publish",
        json!({"tags": ["  Reading  Club ", "留守儿童", "reading club"]}),
    )
    .await;
    assert_eq!(entry["status"], "published");
    assert_eq!(entry["tags"], json!(["reading club", "留守儿童"]));
    assert!(entry["curated_by"].is_string());
    // Published entries are no longer editable.
    app.patch(
        &format!("/api/v1/library-entries/{}", id(&entry)),
        Some(&t.youth_admin),
        &json!({"version": entry["version"], "title": "新标题"}),
    )
    .await
    .expect_problem(409, "invalid_state");

    let public = app.get(&path, None).await;
    public.expect(200);
    assert_eq!(public.body["organization_name"], "南京青禾公益服务中心");
    assert_eq!(public.body["budget_fen"], 9_000_000);
    assert!(public.body.get("status").is_none());

    // An entry of the city itself: its admin may not curate it, the platform admin may.
    let own = create_entry(
        &app,
        &t.city_admin,
        &case_body(&t.city, "城市青年之家运营案例", "320100", "service"),
    )
    .await;
    let own = act(&app, &t.city_admin, &own, "submit", json!({})).await;
    app.post(
        &format!("/api/v1/library-entries/{}/publish", id(&own)),
        Some(&t.city_admin),
        &json!({"version": own["version"]}),
    )
    .await
    .expect_problem(422, "self_curation");
    let own = act(&app, &t.admin, &own, "publish", json!({})).await;
    assert_eq!(own["status"], "published");

    // Archiving takes an entry off the public library.
    let entry = act(&app, &t.city_admin, &entry, "archive", json!({})).await;
    assert_eq!(entry["status"], "archived");
    app.get(&path, None).await.expect_problem(404, "not_found");

    // Every change is audited.
    use sea_orm::{ColumnTrait as _, EntityTrait as _, QueryFilter as _};
    let uuid: uuid::Uuid = id(&entry).parse().unwrap();
    let actions: Vec<String> = entity::audit_log::Entity::find()
        .filter(entity::audit_log::Column::EntityId.eq(uuid))
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.action)
        .collect();
    for a in ["create", "submit", "reject", "update", "publish", "archive"] {
        assert!(actions.iter().any(|x| x == a), "{a} missing in {actions:?}");
    }
}

#[tokio::test]
async fn entries_are_validated_by_kind() {
    let app = spawn_app().await;
    let t = tree(&app).await;
    let mut body = project_body(&t.youth_org, "项目", "320102", "service");
    body.as_object_mut().unwrap().remove("budget_fen");
    body["period_end"] = json!("2027-01-01");
    body["body"] = json!("正文不属于项目");
    let r = app
        .post("/api/v1/library-entries", Some(&t.youth_admin), &body)
        .await;
    r.expect_problem(422, "validation_failed");
    let codes: Vec<&str> = r.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap())
        .collect();
    for c in ["required", "period_order", "not_allowed_for_kind"] {
        assert!(codes.contains(&c), "{c} missing in {codes:?}");
    }
    // A case may name a project entry of its own organization only.
    let other_project = create_entry(
        &app,
        &t.city_admin,
        &project_body(&t.city, "市级项目", "320100", "service"),
    )
    .await;
    let own_project = create_entry(
        &app,
        &t.youth_admin,
        &project_body(&t.youth_org, "本组织项目", "320102", "service"),
    )
    .await;
    let mut case = case_body(&t.youth_org, "案例", "320102", "service");
    case["related_entry_id"] = other_project["id"].clone();
    let r = app
        .post("/api/v1/library-entries", Some(&t.youth_admin), &case)
        .await;
    r.expect_problem(422, "validation_failed");
    assert_eq!(field_code(&r), "related_entry_not_found");
    case["related_entry_id"] = own_project["id"].clone();
    let c = create_entry(&app, &t.youth_admin, &case).await;
    assert_eq!(c["related_entry_id"], own_project["id"]);
    // Unknown region, organization outside the scope.
    let r = app
        .post(
            "/api/v1/library-entries",
            Some(&t.youth_admin),
            &project_body(&t.other, "越界", "999999", "service"),
        )
        .await;
    r.expect_problem(422, "validation_failed");
    let codes: Vec<&str> = r.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"organization_not_found"), "{codes:?}");
    assert!(codes.contains(&"region_unknown"), "{codes:?}");
}

#[tokio::test]
async fn public_search_filters_by_kind_field_region_with_sub_regions_tag_and_title() {
    let app = spawn_app().await;
    let t = tree(&app).await;
    let suzhou_org = org(
        &app,
        &t.admin,
        "苏州青年志愿服务社",
        "youth_social_organization",
        "320505",
        Some(&t.other),
    )
    .await;
    let beijing = org(
        &app,
        &t.admin,
        "北京某青年组织",
        "youth_social_organization",
        "110101",
        None,
    )
    .await;
    let mut published = Vec::new();
    for (org_id, body, tags) in [
        (
            &t.youth_org,
            project_body(&t.youth_org, "困境儿童阅读课堂", "320102", "public_welfare"),
            json!(["Reading"]),
        ),
        (
            &suzhou_org,
            case_body(&suzhou_org, "社区助老服务案例", "320505", "service"),
            json!(["助老"]),
        ),
        (
            &beijing,
            project_body(&beijing, "青年乐队公益演出", "110101", "interest"),
            json!(["music", "reading"]),
        ),
    ] {
        let _ = org_id;
        let e = create_entry(&app, &t.admin, &body).await;
        let e = act(&app, &t.admin, &e, "submit", json!({})).await;
        let e = act(&app, &t.admin, &e, "publish", json!({"tags": tags})).await;
        published.push(id(&e));
    }
    // A draft never shows.
    create_entry(
        &app,
        &t.youth_admin,
        &project_body(&t.youth_org, "草稿阅读项目", "320102", "public_welfare"),
    )
    .await;

    let titles = |r: &crate::helpers::Reply| -> Vec<String> {
        r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["title"].as_str().unwrap().to_owned())
            .collect()
    };
    let all = app.get("/api/v1/public/library-entries", None).await;
    all.expect(200);
    assert_eq!(all.body["total"], 3);

    // The province includes its prefectures and counties; a prefecture its counties.
    let r = app
        .get("/api/v1/public/library-entries?region_code=320000", None)
        .await;
    r.expect(200);
    let mut got = titles(&r);
    got.sort();
    assert_eq!(got, vec!["困境儿童阅读课堂", "社区助老服务案例"]);
    let r = app
        .get("/api/v1/public/library-entries?region_code=320100", None)
        .await;
    assert_eq!(titles(&r), vec!["困境儿童阅读课堂"]);
    let r = app
        .get("/api/v1/public/library-entries?region_code=320505", None)
        .await;
    assert_eq!(titles(&r), vec!["社区助老服务案例"]);

    let r = app
        .get("/api/v1/public/library-entries?field=interest", None)
        .await;
    assert_eq!(titles(&r), vec!["青年乐队公益演出"]);
    let r = app
        .get("/api/v1/public/library-entries?kind=case", None)
        .await;
    assert_eq!(titles(&r), vec!["社区助老服务案例"]);
    // Tags match after normalisation.
    let r = app
        .get("/api/v1/public/library-entries?tag=READING", None)
        .await;
    r.expect(200);
    assert_eq!(r.body["total"], 2);
    let r = app
        .get(
            "/api/v1/public/library-entries?tag=reading&region_code=320000&kind=project",
            None,
        )
        .await;
    assert_eq!(titles(&r), vec!["困境儿童阅读课堂"]);
    let r = app
        .get(
            &format!("/api/v1/public/library-entries?q={}", "乐队"),
            None,
        )
        .await;
    assert_eq!(titles(&r), vec!["青年乐队公益演出"]);
    let r = app
        .get("/api/v1/public/library-entries?per_page=1&page=2", None)
        .await;
    r.expect(200);
    assert_eq!(r.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(r.body["total"], 3);
    // Curators retag published entries; the search follows.
    let e = app
        .get(
            &format!("/api/v1/library-entries/{}", published[1]),
            Some(&t.admin),
        )
        .await;
    let r = put(
        &app,
        &format!("/api/v1/library-entries/{}/tags", published[1]),
        &t.admin,
        &json!({"version": e.body["version"], "tags": ["Elderly Care", "助老"]}),
    )
    .await;
    r.expect(200);
    assert_eq!(r.body["tags"], json!(["elderly care", "助老"]));
    let r = app
        .get("/api/v1/public/library-entries?tag=elderly%20care", None)
        .await;
    assert_eq!(titles(&r), vec!["社区助老服务案例"]);
    let r = put(
        &app,
        &format!("/api/v1/library-entries/{}/tags", published[1]),
        &t.admin,
        &json!({"version": e.body["version"], "tags": ["x"]}),
    )
    .await;
    r.expect_problem(412, "version_mismatch");
    let r = put(
        &app,
        &format!("/api/v1/library-entries/{}/tags", published[1]),
        &t.admin,
        &json!({"version": e.body["version"].as_i64().unwrap() + 1, "tags": vec!["a"; 11]}),
    )
    .await;
    r.expect_problem(422, "validation_failed");
    // The tags in use, most used first (drafts and other kinds left out on request).
    let r = app.get("/api/v1/public/library-tags", None).await;
    r.expect(200);
    assert_eq!(r.body["items"][0], json!({"tag": "reading", "entries": 2}));
    assert_eq!(r.body["total"], 4);
    let r = app.get("/api/v1/public/library-tags?kind=case", None).await;
    let tags: Vec<&str> = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["tag"].as_str().unwrap())
        .collect();
    assert_eq!(tags, vec!["elderly care", "助老"]);
    // A published case about an unpublished project does not reveal the project.
    let hidden = create_entry(
        &app,
        &t.youth_admin,
        &project_body(&t.youth_org, "未发布项目", "320102", "service"),
    )
    .await;
    let mut case = case_body(&t.youth_org, "关于未发布项目的案例", "320102", "service");
    case["related_entry_id"] = hidden["id"].clone();
    let c = create_entry(&app, &t.youth_admin, &case).await;
    let c = act(&app, &t.youth_admin, &c, "submit", json!({})).await;
    let c = act(&app, &t.city_admin, &c, "publish", json!({})).await;
    assert_eq!(c["related_entry_id"], hidden["id"]);
    let r = app
        .get(&format!("/api/v1/public/library-entries/{}", id(&c)), None)
        .await;
    assert!(r.body["related_entry_id"].is_null());
    let r = app
        .get("/api/v1/public/library-entries?q=关于未发布", None)
        .await;
    assert_eq!(r.body["total"], 1);
    assert!(r.body["items"][0]["related_entry_id"].is_null());
    app.get("/api/v1/public/library-entries?region_code=32", None)
        .await
        .expect_problem(400, "invalid_query");
    app.get("/api/v1/public/library-entries?field=sports", None)
        .await
        .expect_problem(400, "invalid_query");
}

#[tokio::test]
async fn library_entries_outside_the_subtree_answer_404() {
    let app = spawn_app().await;
    let t = tree(&app).await;
    let e = create_entry(
        &app,
        &t.youth_admin,
        &project_body(&t.youth_org, "项目", "320102", "service"),
    )
    .await;
    let path = format!("/api/v1/library-entries/{}", id(&e));
    app.get(&path, Some(&t.other_admin))
        .await
        .expect_problem(404, "not_found");
    app.patch(
        &path,
        Some(&t.other_admin),
        &json!({"version": 1, "title": "x"}),
    )
    .await
    .expect_problem(404, "not_found");
    app.post(
        &format!("{path}/submit"),
        Some(&t.other_admin),
        &json!({"version": 1}),
    )
    .await
    .expect_problem(404, "not_found");
    put(
        &app,
        &format!("{path}/tags"),
        &t.other_admin,
        &json!({"version": 1, "tags": ["x"]}),
    )
    .await
    .expect_problem(404, "not_found");
    app.get(&path, Some(&t.city_admin)).await.expect(200);
    let list = app
        .get("/api/v1/library-entries", Some(&t.other_admin))
        .await;
    list.expect(200);
    assert_eq!(list.body["total"], 0);
    let list = app
        .get("/api/v1/library-entries", Some(&t.city_admin))
        .await;
    assert_eq!(list.body["total"], 1);
    let reviewer = app.reviewer_token(&t.admin, None, "rev-lib").await;
    app.get("/api/v1/library-entries", Some(&reviewer))
        .await
        .expect_problem(403, "forbidden");
}

fn call_body(owner: &str, budget: i64, max_award: i64) -> Value {
    json!({
        "organization_id": owner,
        "title": "2027年青年社会组织公益微创投",
        "description": "支持青年社会组织开展社区服务",
        "budget_fen": budget,
        "max_award_fen": max_award,
        "eligible_kinds": ["youth_social_organization"],
        "submissions_open_at": (Utc::now() - Duration::hours(1)).to_rfc3339(),
        "submissions_close_at": (Utc::now() + Duration::days(7)).to_rfc3339(),
    })
}

async fn open_call(app: &TestApp, token: &str, body: &Value) -> Value {
    let r = app.post("/api/v1/grant-calls", Some(token), body).await;
    r.expect(201);
    let c = r.body.clone();
    let r = app
        .post(
            &format!("/api/v1/grant-calls/{}/open", id(&c)),
            Some(token),
            &json!({}),
        )
        .await;
    r.expect(200);
    assert_eq!(r.body["status"], "open");
    r.body.clone()
}

fn ranking_path(call_id: &str) -> String {
    format!("/api/v1/grant-calls/{call_id}/ranking")
}

fn proposal(org: &str, amount: i64) -> Value {
    json!({"organization_id": org, "title": "社区青少年课后服务", "requested_fen": amount,
           "plan": "每周三次课后托管与陪伴"})
}

#[tokio::test]
async fn grant_calls_take_one_eligible_proposal_per_organization_and_rank_by_exact_mean() {
    let app = spawn_app().await;
    let t = tree(&app).await;
    let second = org(
        &app,
        &t.admin,
        "南京青柠社区服务社",
        "youth_social_organization",
        "320104",
        Some(&t.city),
    )
    .await;
    let child_of_youth = org(
        &app,
        &t.admin,
        "青禾读书会",
        "youth_social_organization",
        "320102",
        Some(&t.youth_org),
    )
    .await;

    // A draft call is invisible outside its owner's subtree.
    let r = app
        .post(
            "/api/v1/grant-calls",
            Some(&t.city_admin),
            &call_body(&t.city, 100_000, 50_000),
        )
        .await;
    r.expect(201);
    let draft = r.body.clone();
    app.get(
        &format!("/api/v1/grant-calls/{}", id(&draft)),
        Some(&t.other_admin),
    )
    .await
    .expect_problem(404, "not_found");
    // Organizations below the owner do not see a draft either; its owner cannot propose yet.
    app.post(
        &format!("/api/v1/grant-calls/{}/proposals", id(&draft)),
        Some(&t.youth_admin),
        &proposal(&t.youth_org, 10_000),
    )
    .await
    .expect_problem(404, "not_found");
    app.post(
        &format!("/api/v1/grant-calls/{}/proposals", id(&draft)),
        Some(&t.city_admin),
        &proposal(&t.youth_org, 10_000),
    )
    .await
    .expect_problem(409, "submissions_closed");
    // Bad calls are refused.
    let r = app
        .post(
            "/api/v1/grant-calls",
            Some(&t.city_admin),
            &call_body(&t.city, 100_000, 200_000),
        )
        .await;
    r.expect_problem(422, "validation_failed");
    assert_eq!(field_code(&r), "amount_range");
    let r = app
        .post(
            "/api/v1/grant-calls",
            Some(&t.city_admin),
            &call_body(&t.other, 100_000, 1),
        )
        .await;
    r.expect_problem(422, "validation_failed");
    assert_eq!(field_code(&r), "organization_not_found");

    // Drafts are edited with their version; open calls no longer.
    let draft_path = format!("/api/v1/grant-calls/{}", id(&draft));
    let r = app
        .patch(
            &draft_path,
            Some(&t.city_admin),
            &json!({"version": 1, "budget_fen": 120_000, "title": "改名的微创投"}),
        )
        .await;
    r.expect(200);
    assert_eq!(r.body["budget_fen"], 120_000);
    assert_eq!(r.body["version"], 2);
    app.patch(
        &draft_path,
        Some(&t.city_admin),
        &json!({"version": 1, "budget_fen": 1}),
    )
    .await
    .expect_problem(412, "version_mismatch");
    let r = app
        .patch(
            &draft_path,
            Some(&t.city_admin),
            &json!({"version": 2, "max_award_fen": 120_001}),
        )
        .await;
    r.expect_problem(422, "validation_failed");
    assert_eq!(field_code(&r), "amount_range");
    app.patch(
        &draft_path,
        Some(&t.other_admin),
        &json!({"version": 2, "title": "x"}),
    )
    .await
    .expect_problem(404, "not_found");
    app.post(
        &format!("{draft_path}/open"),
        Some(&t.city_admin),
        &json!({}),
    )
    .await
    .expect(200);
    app.patch(
        &draft_path,
        Some(&t.city_admin),
        &json!({"version": 3, "title": "x"}),
    )
    .await
    .expect_problem(409, "invalid_state");
    app.post(
        &format!("{draft_path}/open"),
        Some(&t.city_admin),
        &json!({}),
    )
    .await
    .expect_problem(409, "invalid_state");
    app.post(
        &format!("{draft_path}/close"),
        Some(&t.city_admin),
        &json!({}),
    )
    .await
    .expect_problem(409, "invalid_state");
    // Once open, the call is visible to every admin (organizations apply to it).
    app.get(&draft_path, Some(&t.other_admin)).await.expect(200);

    let call = open_call(&app, &t.city_admin, &call_body(&t.city, 100_000, 50_000)).await;
    let call_id = id(&call);
    let proposals = format!("/api/v1/grant-calls/{call_id}/proposals");
    // Over the per-award maximum.
    let r = app
        .post(
            &proposals,
            Some(&t.youth_admin),
            &proposal(&t.youth_org, 50_001),
        )
        .await;
    r.expect_problem(422, "validation_failed");
    assert_eq!(field_code(&r), "amount_range");
    // Not of an eligible kind; outside the eligible subtree.
    app.post(&proposals, Some(&t.city_admin), &proposal(&t.city, 10_000))
        .await
        .expect_problem(422, "not_eligible");
    let suzhou_org = org(
        &app,
        &t.admin,
        "苏州青年组织",
        "youth_social_organization",
        "320505",
        Some(&t.other),
    )
    .await;
    app.post(&proposals, Some(&t.admin), &proposal(&suzhou_org, 10_000))
        .await
        .expect_problem(422, "not_eligible");
    // Another subtree's admin cannot propose for an organization it does not manage.
    let r = app
        .post(
            &proposals,
            Some(&t.other_admin),
            &proposal(&t.youth_org, 10_000),
        )
        .await;
    r.expect_problem(422, "validation_failed");
    assert_eq!(field_code(&r), "organization_not_found");

    let r = app
        .post(
            &proposals,
            Some(&t.youth_admin),
            &proposal(&t.youth_org, 40_000),
        )
        .await;
    r.expect(201);
    assert!(r.headers.get("location").is_some());
    let p1 = r.body.clone();
    assert_eq!(p1["status"], "submitted");
    // One proposal per organization per call.
    app.post(
        &proposals,
        Some(&t.youth_admin),
        &proposal(&t.youth_org, 5_000),
    )
    .await
    .expect_problem(409, "duplicate_proposal");
    app.post(
        &proposals,
        Some(&t.city_admin),
        &proposal(&t.youth_org, 5_000),
    )
    .await
    .expect_problem(409, "duplicate_proposal");
    let p2 = app
        .post(&proposals, Some(&t.city_admin), &proposal(&second, 30_000))
        .await;
    p2.expect(201);
    let p2 = p2.body.clone();
    let p3 = app
        .post(
            &proposals,
            Some(&t.city_admin),
            &proposal(&child_of_youth, 20_000),
        )
        .await;
    p3.expect(201);
    let p3 = p3.body.clone();
    let third = org(
        &app,
        &t.admin,
        "南京青苗社工服务社",
        "youth_social_organization",
        "320105",
        Some(&t.city),
    )
    .await;
    let fourth = org(
        &app,
        &t.admin,
        "南京青藤志愿服务社",
        "youth_social_organization",
        "320106",
        Some(&t.city),
    )
    .await;
    let p4 = app
        .post(&proposals, Some(&t.city_admin), &proposal(&third, 20_000))
        .await;
    p4.expect(201);
    let p4 = p4.body.clone();
    let p5 = app
        .post(&proposals, Some(&t.city_admin), &proposal(&fourth, 20_000))
        .await;
    p5.expect(201);
    let p5 = p5.body.clone();
    // The proposer sees its proposal; the other subtree does not.
    app.get(
        &format!("/api/v1/grant-proposals/{}", id(&p1)),
        Some(&t.youth_admin),
    )
    .await
    .expect(200);
    app.get(
        &format!("/api/v1/grant-proposals/{}", id(&p1)),
        Some(&t.other_admin),
    )
    .await
    .expect_problem(404, "not_found");
    app.get(&proposals, Some(&t.other_admin))
        .await
        .expect_problem(404, "not_found");
    let list = app.get(&proposals, Some(&t.city_admin)).await;
    list.expect(200);
    assert_eq!(list.body["total"], 5);

    // The proposer's view: proposals of its own subtree only.
    let own = app
        .get("/api/v1/grant-proposals", Some(&t.youth_admin))
        .await;
    own.expect(200);
    assert_eq!(own.body["total"], 2);
    let own = app
        .get(
            &format!("/api/v1/grant-proposals?call_id={call_id}&status=submitted"),
            Some(&t.city_admin),
        )
        .await;
    assert_eq!(own.body["total"], 5);
    assert_eq!(
        app.get("/api/v1/grant-proposals", Some(&t.other_admin))
            .await
            .body["total"],
        0
    );

    // Reviewers: affiliated with the proposer, its subtree or above it → conflict of interest.
    let rev_own = app
        .reviewer_token(&t.admin, Some(&t.youth_org), "rev-own")
        .await;
    let rev_child = app
        .reviewer_token(&t.admin, Some(&child_of_youth), "rev-child")
        .await;
    let rev_other = app
        .reviewer_token(&t.admin, Some(&t.other), "rev-other")
        .await;
    let rev_free = app.reviewer_token(&t.admin, None, "rev-free").await;
    let me = |tok: &str| {
        let tok = tok.to_owned();
        let app = &app;
        async move {
            let r = app.get("/api/v1/auth/me", Some(&tok)).await;
            r.body["id"]
                .as_str()
                .or(r.body["account_id"].as_str())
                .unwrap()
                .to_owned()
        }
    };
    let (own_id, child_id, other_id, free_id) = (
        me(&rev_own).await,
        me(&rev_child).await,
        me(&rev_other).await,
        me(&rev_free).await,
    );
    let assign = |p: &Value| format!("/api/v1/grant-proposals/{}/reviewers", id(p));
    for conflicted in [&own_id, &child_id] {
        app.post(
            &assign(&p1),
            Some(&t.city_admin),
            &json!({"reviewer_id": conflicted}),
        )
        .await
        .expect_problem(422, "conflict_of_interest");
    }
    // rev-own is affiliated above the child organization's proposal too.
    app.post(
        &assign(&p3),
        Some(&t.city_admin),
        &json!({"reviewer_id": own_id}),
    )
    .await
    .expect_problem(422, "conflict_of_interest");
    // Not a reviewer account.
    let admin_me = me(&t.city_admin).await;
    let r = app
        .post(
            &assign(&p1),
            Some(&t.city_admin),
            &json!({"reviewer_id": admin_me}),
        )
        .await;
    r.expect_problem(422, "validation_failed");
    assert_eq!(field_code(&r), "reviewer_not_found");
    // Outside the call owner's scope.
    app.post(
        &assign(&p1),
        Some(&t.other_admin),
        &json!({"reviewer_id": other_id}),
    )
    .await
    .expect_problem(404, "not_found");
    let mut reviews = std::collections::HashMap::new();
    for (p, rid, name) in [
        (&p1, &other_id, "p1-other"),
        (&p1, &free_id, "p1-free"),
        (&p2, &other_id, "p2-other"),
        (&p2, &free_id, "p2-free"),
        (&p3, &free_id, "p3-free"),
    ] {
        let r = app
            .post(
                &assign(p),
                Some(&t.city_admin),
                &json!({"reviewer_id": rid}),
            )
            .await;
        r.expect(201);
        reviews.insert(name, id(&r.body));
    }
    app.post(
        &assign(&p1),
        Some(&t.city_admin),
        &json!({"reviewer_id": free_id}),
    )
    .await
    .expect_problem(409, "already_assigned");
    let revs = app
        .get(
            &format!("/api/v1/grant-proposals/{}/reviews", id(&p1)),
            Some(&t.city_admin),
        )
        .await;
    revs.expect(200);
    assert_eq!(revs.body["total"], 2);
    app.get(
        &format!("/api/v1/grant-proposals/{}/reviews", id(&p1)),
        Some(&t.other_admin),
    )
    .await
    .expect_problem(404, "not_found");
    let p1_now = app
        .get(
            &format!("/api/v1/grant-proposals/{}", id(&p1)),
            Some(&t.city_admin),
        )
        .await;
    assert_eq!(p1_now.body["status"], "under_review");

    // Reviewers see and score only their own assignments, integers 0–100; admin views are not
    // theirs.
    app.get(
        &format!("/api/v1/grant-proposals/{}", id(&p1)),
        Some(&rev_other),
    )
    .await
    .expect_problem(403, "forbidden");
    app.get(&ranking_path(&call_id), Some(&rev_other))
        .await
        .expect_problem(403, "forbidden");
    let mine = app.get("/api/v1/grant-reviews/me", Some(&rev_other)).await;
    mine.expect(200);
    assert_eq!(mine.body["total"], 2);
    assert!(mine.body["items"][0]["proposal"]["plan"].is_string());
    let score = |rid: &str| format!("/api/v1/grant-reviews/{rid}");
    put(
        &app,
        &score(&reviews["p1-free"]),
        &rev_other,
        &json!({"score": 90}),
    )
    .await
    .expect_problem(404, "not_found");
    let r = put(
        &app,
        &score(&reviews["p1-other"]),
        &rev_other,
        &json!({"score": 101}),
    )
    .await;
    r.expect_problem(422, "validation_failed");
    assert_eq!(field_code(&r), "score_range");
    put(
        &app,
        &score(&reviews["p1-other"]),
        &rev_other,
        &json!({"score": -1}),
    )
    .await
    .expect_problem(422, "validation_failed");
    put(
        &app,
        &score(&reviews["p1-other"]),
        &rev_other,
        &json!({"score": 87.5}),
    )
    .await
    .expect(422);
    put(
        &app,
        &score(&reviews["p1-other"]),
        &t.city_admin,
        &json!({"score": 90}),
    )
    .await
    .expect_problem(403, "forbidden");
    // p1: 90, 83 → 86.5; p2: 87, 86 → 86.5 (tie); p3: 100 → first. Then p1 re-scored 90, 84 →
    // 87 > 86.5.
    for (rid, tok, s) in [
        ("p1-other", &rev_other, 90),
        ("p1-free", &rev_free, 83),
        ("p2-other", &rev_other, 87),
        ("p2-free", &rev_free, 86),
        ("p3-free", &rev_free, 100),
    ] {
        let r = put(
            &app,
            &score(&reviews[rid]),
            tok,
            &json!({"score": s, "comment": "可行"}),
        )
        .await;
        r.expect(200);
        assert_eq!(r.body["score"], s);
    }
    let ranking = format!("/api/v1/grant-calls/{call_id}/ranking");
    let r = app.get(&ranking, Some(&t.city_admin)).await;
    r.expect(200);
    let items = r.body["items"].as_array().unwrap();
    assert_eq!(items[0]["proposal"]["id"], p3["id"]);
    assert_eq!(items[0]["rank"], 1);
    assert_eq!(items[0]["mean_score"], "100.00");
    assert_eq!(items[1]["rank"], 2);
    assert_eq!(items[2]["rank"], 2);
    assert_eq!(items[1]["mean_score"], "86.50");
    put(
        &app,
        &score(&reviews["p1-free"]),
        &rev_free,
        &json!({"score": 84}),
    )
    .await
    .expect(200);
    let r = app.get(&ranking, Some(&t.city_admin)).await;
    let items = r.body["items"].as_array().unwrap();
    assert_eq!(items[1]["proposal"]["id"], p1["id"]);
    assert_eq!(items[1]["mean_score"], "87.00");
    assert_eq!(items[2]["proposal"]["id"], p2["id"]);
    assert_eq!(items[2]["rank"], 3);
    assert_eq!(items.len(), 5);
    assert!(items[3]["rank"].is_null() && items[4]["rank"].is_null());
    assert!(items[3]["mean_score"].is_null());
    app.get(&ranking, Some(&t.other_admin))
        .await
        .expect_problem(404, "not_found");

    // Awards wait for the review stage and stay within the request.
    let award = |p: &Value| format!("/api/v1/grant-proposals/{}/award", id(p));
    app.post(
        &award(&p1),
        Some(&t.city_admin),
        &json!({"amount_fen": 40_000}),
    )
    .await
    .expect_problem(409, "invalid_state");
    app.post(
        &format!("/api/v1/grant-calls/{call_id}/start-review"),
        Some(&t.city_admin),
        &json!({}),
    )
    .await
    .expect(200);
    app.post(&proposals, Some(&t.admin), &proposal(&t.youth_org, 1))
        .await
        .expect_problem(409, "submissions_closed");
    let r = app
        .post(
            &award(&p1),
            Some(&t.city_admin),
            &json!({"amount_fen": 40_001}),
        )
        .await;
    r.expect_problem(422, "validation_failed");
    assert_eq!(field_code(&r), "amount_range");
    app.post(
        &award(&p1),
        Some(&t.other_admin),
        &json!({"amount_fen": 40_000}),
    )
    .await
    .expect_problem(404, "not_found");
    let r = app
        .post(
            &award(&p3),
            Some(&t.city_admin),
            &json!({"amount_fen": 20_000}),
        )
        .await;
    r.expect(200);
    assert_eq!(r.body["status"], "awarded");
    assert_eq!(r.body["awarded_fen"], 20_000);
    app.post(&award(&p3), Some(&t.city_admin), &json!({"amount_fen": 1}))
        .await
        .expect_problem(409, "invalid_state");
    app.post(
        &award(&p1),
        Some(&t.city_admin),
        &json!({"amount_fen": 40_000}),
    )
    .await
    .expect(200);
    // 60,000 of 100,000 awarded: 30,000 more would exceed the budget, 25,000 fits... after
    // which nothing more does.
    app.post(
        &award(&p2),
        Some(&t.city_admin),
        &json!({"amount_fen": 30_000}),
    )
    .await
    .expect(200);
    let c = app
        .get(
            &format!("/api/v1/grant-calls/{call_id}"),
            Some(&t.city_admin),
        )
        .await;
    assert_eq!(c.body["awarded_total_fen"], 90_000);
    // 10,000 fen are left: one more fen is refused, the total stays.
    app.post(
        &award(&p5),
        Some(&t.city_admin),
        &json!({"amount_fen": 10_001}),
    )
    .await
    .expect_problem(422, "budget_exceeded");
    let p5_now = app
        .get(
            &format!("/api/v1/grant-proposals/{}", id(&p5)),
            Some(&t.city_admin),
        )
        .await;
    assert_eq!(p5_now.body["status"], "submitted");
    assert!(p5_now.body["awarded_fen"].is_null());
    let r = app
        .post(
            &format!("/api/v1/grant-proposals/{}/decline", id(&p4)),
            Some(&t.city_admin),
            &json!({"reason": "与本次主题不符"}),
        )
        .await;
    r.expect(200);
    assert_eq!(r.body["status"], "declined");
    assert_eq!(r.body["decision_note"], "与本次主题不符");
    app.post(&award(&p4), Some(&t.city_admin), &json!({"amount_fen": 1}))
        .await
        .expect_problem(409, "invalid_state");
    // Closing declines what is undecided; scores are then frozen.
    let c = app
        .post(
            &format!("/api/v1/grant-calls/{call_id}/close"),
            Some(&t.city_admin),
            &json!({}),
        )
        .await;
    c.expect(200);
    assert_eq!(c.body["status"], "closed");
    assert_eq!(c.body["awarded_total_fen"], 90_000);
    let p5_now = app
        .get(
            &format!("/api/v1/grant-proposals/{}", id(&p5)),
            Some(&t.city_admin),
        )
        .await;
    assert_eq!(p5_now.body["status"], "declined");
    let p3_now = app
        .get(
            &format!("/api/v1/grant-proposals/{}", id(&p3)),
            Some(&t.city_admin),
        )
        .await;
    assert_eq!(p3_now.body["status"], "awarded");
    put(
        &app,
        &score(&reviews["p1-free"]),
        &rev_free,
        &json!({"score": 50}),
    )
    .await
    .expect_problem(409, "invalid_state");
}

#[tokio::test]
async fn awards_never_exceed_the_budget_under_concurrent_decisions() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let owner = org(
        &app,
        &admin,
        "共青团江苏省委",
        "league_committee",
        "320000",
        None,
    )
    .await;
    let budget: i64 = 100_000;
    let call = open_call(&app, &admin, &call_body(&owner, budget, 20_000)).await;
    let call_id = id(&call);
    let mut props = Vec::new();
    for i in 0..20_i64 {
        let o = org(
            &app,
            &admin,
            &format!("青年组织{i}"),
            "youth_social_organization",
            "320100",
            Some(&owner),
        )
        .await;
        let amount = 9_000 + i * 500; // 9,000 … 18,500: together 275,000, far above the budget
        let r = app
            .post(
                &format!("/api/v1/grant-calls/{call_id}/proposals"),
                Some(&admin),
                &proposal(&o, amount),
            )
            .await;
        r.expect(201);
        props.push((id(&r.body), amount));
    }
    app.post(
        &format!("/api/v1/grant-calls/{call_id}/start-review"),
        Some(&admin),
        &json!({}),
    )
    .await
    .expect(200);

    // All twenty decisions at once, each on its own task and connection.
    let mut tasks = tokio::task::JoinSet::new();
    for (p, amount) in props.clone() {
        let client = app.client.clone();
        let url = format!("{}/api/v1/grant-proposals/{p}/award", app.address);
        let token = admin.clone();
        tasks.spawn(async move {
            let r = client
                .post(url)
                .bearer_auth(token)
                .json(&json!({"amount_fen": amount}))
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            let body: Value = r.json().await.unwrap_or(Value::Null);
            (
                status,
                body["code"].as_str().unwrap_or("").to_owned(),
                amount,
            )
        });
    }
    let results = tasks.join_all().await;
    let mut awarded = 0_i64;
    let mut refused = Vec::new();
    for (status, code, amount) in &results {
        match status {
            200 => awarded += amount,
            422 => {
                assert_eq!(code, "budget_exceeded");
                refused.push(*amount);
            }
            other => panic!("unexpected status {other} ({code})"),
        }
    }
    assert!(awarded <= budget, "awarded {awarded} > budget {budget}");
    assert!(!refused.is_empty());
    let c = app
        .get(&format!("/api/v1/grant-calls/{call_id}"), Some(&admin))
        .await;
    assert_eq!(c.body["awarded_total_fen"], awarded);
    // Each refusal was right: its amount did not fit even in what is left at the end.
    for amount in refused {
        assert!(
            amount > budget - awarded,
            "{amount} would still fit in {}",
            budget - awarded
        );
    }
    // The stored awards agree with the call's total.
    let list = app
        .get(
            &format!("/api/v1/grant-calls/{call_id}/proposals?per_page=100"),
            Some(&admin),
        )
        .await;
    let sum: i64 = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["status"] == "awarded")
        .map(|p| p["awarded_fen"].as_i64().unwrap())
        .sum();
    assert_eq!(sum, awarded);
}

async fn worker(app: &TestApp, token: &str, org_id: &str, name: &str, cert: &str) -> Value {
    let r = app
        .post(
            "/api/v1/youth-social-workers",
            Some(token),
            &json!({"organization_id": org_id, "name": name, "mobile": "13812341234",
                    "qualification_level": "social_worker", "certificate_no": cert}),
        )
        .await;
    r.expect(201);
    r.body.clone()
}

#[tokio::test]
async fn social_workers_are_registered_in_scope_with_masked_mobiles() {
    let app = spawn_app().await;
    let t = tree(&app).await;
    let w = worker(&app, &t.city_admin, &t.city, "李社工", "SW-2024-0001").await;
    assert_eq!(w["mobile"], "138****1234");
    assert_eq!(w["qualification_level"], "social_worker");
    assert!(!w.to_string().contains("13812341234"));
    let r = app
        .post(
            "/api/v1/youth-social-workers",
            Some(&t.city_admin),
            &json!({"organization_id": t.city, "name": "王社工", "mobile": "12345",
                    "qualification_level": "senior_social_worker", "certificate_no": "SW 1"}),
        )
        .await;
    r.expect_problem(422, "validation_failed");
    assert_eq!(r.body["errors"].as_array().unwrap().len(), 2);
    app.post(
        "/api/v1/youth-social-workers",
        Some(&t.city_admin),
        &json!({"organization_id": t.city, "name": "王社工", "qualification_level": "chief",
                "certificate_no": "SW-9"}),
    )
    .await
    .expect(422);
    app.post(
        "/api/v1/youth-social-workers",
        Some(&t.admin),
        &json!({"organization_id": t.other, "name": "赵社工",
                "qualification_level": "assistant_social_worker", "certificate_no": "SW-2024-0001"}),
    )
    .await
    .expect_problem(409, "duplicate_certificate");
    let path = format!("/api/v1/youth-social-workers/{}", id(&w));
    app.get(&path, Some(&t.other_admin))
        .await
        .expect_problem(404, "not_found");
    app.patch(
        &path,
        Some(&t.other_admin),
        &json!({"version": 1, "name": "x"}),
    )
    .await
    .expect_problem(404, "not_found");
    let r = app
        .patch(
            &path,
            Some(&t.city_admin),
            &json!({"version": 1, "qualification_level": "senior_social_worker", "mobile": "13900001111"}),
        )
        .await;
    r.expect(200);
    assert_eq!(r.body["mobile"], "139****1111");
    assert_eq!(r.body["version"], 2);
    app.patch(
        &path,
        Some(&t.city_admin),
        &json!({"version": 1, "name": "x"}),
    )
    .await
    .expect_problem(412, "version_mismatch");
    let list = app
        .get(
            "/api/v1/youth-social-workers?qualification_level=senior_social_worker",
            Some(&t.city_admin),
        )
        .await;
    list.expect(200);
    assert_eq!(list.body["total"], 1);
    let list = app
        .get("/api/v1/youth-social-workers", Some(&t.other_admin))
        .await;
    assert_eq!(list.body["total"], 0);
    // The audit names the mobile field, never its value.
    use sea_orm::{ColumnTrait as _, EntityTrait as _, QueryFilter as _};
    let rows = entity::audit_log::Entity::find()
        .filter(entity::audit_log::Column::EntityId.eq(id(&w).parse::<uuid::Uuid>().unwrap()))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    for a in rows {
        let all = format!("{} {:?}", a.changed_fields, a.reason);
        assert!(
            !all.contains("1381234") && !all.contains("1390000"),
            "{all}"
        );
    }
}

#[tokio::test]
async fn assignments_of_a_worker_to_a_youth_home_never_overlap() {
    let app = spawn_app().await;
    let t = tree(&app).await;
    let home = org(
        &app,
        &t.admin,
        "玄武区青年之家",
        "youth_home",
        "320102",
        Some(&t.city),
    )
    .await;
    let home2 = org(
        &app,
        &t.admin,
        "秦淮区青年之家",
        "youth_home",
        "320104",
        Some(&t.city),
    )
    .await;
    let far_home = org(
        &app,
        &t.admin,
        "苏州青年之家",
        "youth_home",
        "320505",
        Some(&t.other),
    )
    .await;
    let w = worker(&app, &t.city_admin, &t.city, "李社工", "SW-1").await;
    let assign = |home: &str, from: &str, to: Option<&str>| json!({"worker_id": w["id"], "youth_home_id": home, "starts_on": from, "ends_on": to});
    let path = "/api/v1/social-worker-assignments";
    let r = app
        .post(
            path,
            Some(&t.city_admin),
            &assign(&home, "2026-01-01", Some("2026-06-30")),
        )
        .await;
    r.expect(201);
    let first = r.body.clone();
    // Sharing a day (the last one) with the first assignment.
    app.post(
        path,
        Some(&t.city_admin),
        &assign(&home, "2026-06-30", None),
    )
    .await
    .expect_problem(409, "assignment_overlap");
    app.post(
        path,
        Some(&t.city_admin),
        &assign(&home, "2025-01-01", None),
    )
    .await
    .expect_problem(409, "assignment_overlap");
    let r = app
        .post(
            path,
            Some(&t.city_admin),
            &assign(&home, "2026-07-01", None),
        )
        .await;
    r.expect(201);
    // The same days at another home are fine.
    app.post(
        path,
        Some(&t.city_admin),
        &assign(&home2, "2026-03-01", Some("2026-03-31")),
    )
    .await
    .expect(201);
    // Extending the first assignment into the second is refused; shortening it is fine.
    let one = format!("{path}/{}", id(&first));
    app.patch(
        &one,
        Some(&t.city_admin),
        &json!({"version": 1, "ends_on": "2026-07-15"}),
    )
    .await
    .expect_problem(409, "assignment_overlap");
    let r = app
        .patch(
            &one,
            Some(&t.city_admin),
            &json!({"version": 1, "ends_on": "2026-05-31"}),
        )
        .await;
    r.expect(200);
    assert_eq!(r.body["ends_on"], "2026-05-31");
    app.patch(
        &one,
        Some(&t.city_admin),
        &json!({"version": 2, "ends_on": "2025-12-31"}),
    )
    .await
    .expect_problem(422, "validation_failed");
    let r = app
        .post(
            path,
            Some(&t.city_admin),
            &assign(&home2, "1999-12-31", None),
        )
        .await;
    r.expect_problem(422, "validation_failed");
    assert_eq!(field_code(&r), "date_range");
    // Not a youth home; a home outside the scope.
    let r = app
        .post(
            path,
            Some(&t.city_admin),
            &assign(&t.youth_org, "2026-01-01", None),
        )
        .await;
    r.expect_problem(422, "validation_failed");
    assert_eq!(field_code(&r), "youth_home_not_found");
    let r = app
        .post(
            path,
            Some(&t.city_admin),
            &assign(&far_home, "2026-01-01", None),
        )
        .await;
    r.expect_problem(422, "validation_failed");
    assert_eq!(field_code(&r), "youth_home_not_found");
    app.patch(
        &one,
        Some(&t.other_admin),
        &json!({"version": 2, "ends_on": null}),
    )
    .await
    .expect_problem(404, "not_found");
    let list = app
        .get(&format!("{path}?youth_home_id={home}"), Some(&t.city_admin))
        .await;
    list.expect(200);
    assert_eq!(list.body["total"], 2);
    let list = app
        .get(&format!("{path}?on=2026-03-15"), Some(&t.city_admin))
        .await;
    assert_eq!(list.body["total"], 2);
    assert_eq!(app.get(path, Some(&t.other_admin)).await.body["total"], 0);
    let r = app
        .request(Method::DELETE, &one, Some(&t.other_admin), None)
        .await;
    r.expect_problem(404, "not_found");
    let r = app
        .request(Method::DELETE, &one, Some(&t.city_admin), None)
        .await;
    r.expect(204);
}

#[tokio::test]
async fn the_report_lists_youth_homes_of_the_scope_without_a_social_worker_on_the_day() {
    let app = spawn_app().await;
    let t = tree(&app).await;
    let covered = org(
        &app,
        &t.admin,
        "甲青年之家",
        "youth_home",
        "320102",
        Some(&t.city),
    )
    .await;
    let ended = org(
        &app,
        &t.admin,
        "乙青年之家",
        "youth_home",
        "320102",
        Some(&t.city),
    )
    .await;
    let _never = org(
        &app,
        &t.admin,
        "丙青年之家",
        "youth_home",
        "320102",
        Some(&t.youth_org),
    )
    .await;
    let far = org(
        &app,
        &t.admin,
        "丁青年之家",
        "youth_home",
        "320505",
        Some(&t.other),
    )
    .await;
    let w = worker(&app, &t.city_admin, &t.city, "李社工", "SW-1").await;
    let today = beijing_today();
    let yesterday = today - Duration::days(1);
    for (home, from, to) in [
        (&covered, "2020-01-01".to_owned(), None),
        (&ended, "2020-01-01".to_owned(), Some(yesterday.to_string())),
    ] {
        app.post(
            "/api/v1/social-worker-assignments",
            Some(&t.city_admin),
            &json!({"worker_id": w["id"], "youth_home_id": home, "starts_on": from, "ends_on": to}),
        )
        .await
        .expect(201);
    }
    let names = |r: &crate::helpers::Reply| -> Vec<String> {
        r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let report = "/api/v1/youth-homes/without-social-worker";
    // Today (platform time zone): the ended home and the never-assigned one.
    let r = app.get(report, Some(&t.city_admin)).await;
    r.expect(200);
    let mut got = names(&r);
    got.sort();
    let mut want = vec!["乙青年之家".to_owned(), "丙青年之家".to_owned()];
    want.sort();
    assert_eq!(got, want);
    assert_eq!(r.body["total"], 2);
    // Yesterday the ended home was still covered.
    let r = app
        .get(&format!("{report}?date={yesterday}"), Some(&t.city_admin))
        .await;
    assert_eq!(names(&r), vec!["丙青年之家"]);
    // Before any assignment every home of the scope is uncovered.
    let r = app
        .get(&format!("{report}?date=2019-12-31"), Some(&t.city_admin))
        .await;
    assert_eq!(r.body["total"], 3);
    // The platform admin sees the other city's home too; the other city only its own.
    let r = app.get(report, Some(&t.admin)).await;
    assert_eq!(r.body["total"], 3);
    let r = app.get(report, Some(&t.other_admin)).await;
    assert_eq!(names(&r), vec!["丁青年之家"]);
    let _ = far;
    let r = app
        .get(&format!("{report}?per_page=1&page=2"), Some(&t.city_admin))
        .await;
    assert_eq!(r.body["items"].as_array().unwrap().len(), 1);
    app.get(&format!("{report}?date=2026-13-01"), Some(&t.city_admin))
        .await
        .expect_problem(400, "invalid_query");
    let _ = (&t.province, &t.youth_admin);
}

#[tokio::test]
async fn eligibility_checks_years_since_registration_and_region_with_sub_regions() {
    let app = spawn_app().await;
    let t = tree(&app).await;
    let profile = |org: &str, registered_on: &str| {
        json!({"organization_id": org, "field": "public_welfare", "new_field_group": "none",
               "civil_affairs_registered": false, "registered_on": registered_on,
               "contact_name": "张小明", "contact_phone": "13812341234"})
    };
    let today = beijing_today();
    let old = org(
        &app,
        &t.admin,
        "老牌青年组织",
        "youth_social_organization",
        "320104",
        Some(&t.city),
    )
    .await;
    let young = org(
        &app,
        &t.admin,
        "新生青年组织",
        "youth_social_organization",
        "320104",
        Some(&t.city),
    )
    .await;
    let unregistered = org(
        &app,
        &t.admin,
        "未登记青年组织",
        "youth_social_organization",
        "320104",
        Some(&t.city),
    )
    .await;
    let elsewhere = org(
        &app,
        &t.admin,
        "江宁外区组织",
        "youth_social_organization",
        "320505",
        Some(&t.city),
    )
    .await;
    // Exactly two years ago today counts; two years ago tomorrow does not.
    let two_years_ago = today
        .with_year(today.year() - 2)
        .unwrap_or(today - Duration::days(731));
    for (o, d) in [
        (&old, two_years_ago),
        (&young, two_years_ago + Duration::days(1)),
        (&elsewhere, two_years_ago - Duration::days(400)),
    ] {
        app.post(
            "/api/v1/youth-social-organizations",
            Some(&t.admin),
            &profile(o, &d.to_string()),
        )
        .await
        .expect(201);
    }
    let mut body = call_body(&t.city, 100_000, 50_000);
    body["min_years_registered"] = json!(2);
    body["eligible_region_code"] = json!("320100");
    let call = open_call(&app, &t.city_admin, &body).await;
    assert_eq!(call["min_years_registered"], 2);
    let proposals = format!("/api/v1/grant-calls/{}/proposals", id(&call));
    app.post(&proposals, Some(&t.city_admin), &proposal(&old, 10_000))
        .await
        .expect(201);
    for o in [&young, &unregistered, &elsewhere] {
        app.post(&proposals, Some(&t.city_admin), &proposal(o, 10_000))
            .await
            .expect_problem(422, "not_eligible");
    }
    let mut bad = call_body(&t.city, 100_000, 50_000);
    bad["min_years_registered"] = json!(0);
    bad["eligible_region_code"] = json!("999999");
    let r = app
        .post("/api/v1/grant-calls", Some(&t.city_admin), &bad)
        .await;
    r.expect_problem(422, "validation_failed");
    assert_eq!(r.body["errors"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn concurrent_proposals_of_one_organization_leave_exactly_one() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let owner = org(
        &app,
        &admin,
        "共青团江苏省委",
        "league_committee",
        "320000",
        None,
    )
    .await;
    let applicant = org(
        &app,
        &admin,
        "青年组织",
        "youth_social_organization",
        "320100",
        Some(&owner),
    )
    .await;
    let call = open_call(&app, &admin, &call_body(&owner, 100_000, 20_000)).await;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..8_i64 {
        let client = app.client.clone();
        let url = format!("{}/api/v1/grant-calls/{}/proposals", app.address, id(&call));
        let (token, body) = (admin.clone(), proposal(&applicant, 1_000 + i));
        tasks.spawn(async move {
            let r = client
                .post(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            let body: Value = r.json().await.unwrap_or(Value::Null);
            (status, body["code"].as_str().unwrap_or("").to_owned())
        });
    }
    let results = tasks.join_all().await;
    assert_eq!(
        results.iter().filter(|(s, _)| *s == 201).count(),
        1,
        "{results:?}"
    );
    for (s, code) in &results {
        assert!(
            *s == 201 || (*s == 409 && code == "duplicate_proposal"),
            "{results:?}"
        );
    }
}

#[tokio::test]
async fn concurrent_overlapping_assignments_leave_exactly_one() {
    let app = spawn_app().await;
    let t = tree(&app).await;
    let home = org(
        &app,
        &t.admin,
        "玄武区青年之家",
        "youth_home",
        "320102",
        Some(&t.city),
    )
    .await;
    let w = worker(&app, &t.city_admin, &t.city, "李社工", "SW-1").await;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..16_u32 {
        let client = app.client.clone();
        let url = format!("{}/api/v1/social-worker-assignments", app.address);
        let token = t.city_admin.clone();
        // Different first days in January, all open-ended: every pair overlaps.
        let body = json!({"worker_id": w["id"], "youth_home_id": home,
                          "starts_on": format!("2026-01-{:02}", i + 1)});
        tasks.spawn(async move {
            let r = client
                .post(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            let body: Value = r.json().await.unwrap_or(Value::Null);
            (status, body["code"].as_str().unwrap_or("").to_owned())
        });
    }
    let results = tasks.join_all().await;
    assert_eq!(
        results.iter().filter(|(s, _)| *s == 201).count(),
        1,
        "{results:?}"
    );
    for (s, code) in &results {
        assert!(
            *s == 201 || (*s == 409 && code == "assignment_overlap"),
            "{results:?}"
        );
    }
    let list = app
        .get(
            &format!("/api/v1/social-worker-assignments?youth_home_id={home}"),
            Some(&t.city_admin),
        )
        .await;
    assert_eq!(list.body["total"], 1);
}
