//! Change feed and webhooks for partner platforms (issue 7 part B): the change log written with
//! every volunteer, ledger and certificate change, the feed in commit order with cursors and
//! partner scopes (a partner following it reconstructs exactly its scope), a change that commits
//! late is never skipped, and signed webhook deliveries with retries, giving up, redelivery and
//! leased jobs that two workers never send twice.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use base64::Engine as _;
use serde_json::{Value, json};

use crate::helpers::{
    TestApp, admin_registered_volunteer, create_record, self_registered_volunteer, spawn_app,
    spawn_app_with,
};

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

/// The instant `day` days after 2025-01-01 at `hour`:00 Beijing time.
fn at(day: i64, hour: i64) -> String {
    let base = chrono::DateTime::parse_from_rfc3339("2025-01-01T00:00:00+08:00").unwrap();
    (base + chrono::Duration::days(day) + chrono::Duration::hours(hour)).to_rfc3339()
}

/// Province → city A (→ district A1) and city B; admins of A and B; the platform admin.
struct World {
    admin: String,
    a: String,
    a1: String,
    b: String,
    a_admin: String,
    b_admin: String,
}

async fn world(app: &TestApp) -> World {
    let admin = app.admin_token().await;
    let province = id(&app.create_org(&admin, "共青团江苏省委", None).await);
    let a = id(&app
        .create_org(&admin, "共青团南京市委", Some(&province))
        .await);
    let a1 = id(&app.create_org(&admin, "共青团玄武区委", Some(&a)).await);
    let b = id(&app
        .create_org(&admin, "共青团苏州市委", Some(&province))
        .await);
    let a_admin = app.org_admin_token(&admin, &a, "a_admin").await;
    let b_admin = app.org_admin_token(&admin, &b, "b_admin").await;
    World {
        admin,
        a,
        a1,
        b,
        a_admin,
        b_admin,
    }
}

/// Registers a partner platform with `scope` roots and returns (partner JSON, access token).
async fn partner(app: &TestApp, admin: &str, name: &str, scope: &[&str]) -> (Value, String) {
    let r = app
        .post(
            "/api/v1/partners",
            Some(admin),
            &json!({"name": name, "scope": scope}),
        )
        .await;
    r.expect(201);
    let p = r.body.clone();
    let t = app
        .post(
            "/api/v1/partners/token",
            None,
            &json!({
                "grant_type": "client_credentials",
                "client_id": p["client_id"],
                "client_secret": p["client_secret"],
            }),
        )
        .await;
    t.expect(200);
    let token = t.body["access_token"].as_str().unwrap().to_owned();
    (p, token)
}

/// Reads the feed from `after` to its current end in pages of `limit`; returns the changes and
/// the cursor to continue from.
async fn follow(
    app: &TestApp,
    token: &str,
    after: Option<&str>,
    limit: u32,
) -> (Vec<Value>, String) {
    let mut items = Vec::new();
    let mut cursor = after.map(str::to_owned);
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/sync/changes?limit={limit}&after={c}"),
            None => format!("/api/v1/sync/changes?limit={limit}"),
        };
        let r = app.get(&path, Some(token)).await;
        r.expect(200);
        let page = r.body["items"].as_array().unwrap().clone();
        let next = r.body["next_cursor"].as_str().unwrap().to_owned();
        assert!(page.len() <= limit as usize);
        let done = page.is_empty();
        if done && let Some(c) = &cursor {
            assert_eq!(&next, c, "an empty page keeps the cursor");
        }
        items.extend(page);
        cursor = Some(next);
        if done {
            return (items, cursor.unwrap_or_default());
        }
    }
}

/// Follows the feed until `done(items)` holds. On PostgreSQL the feed only serves changes of
/// finished transactions cluster-wide, so a transaction of another test can hold the newest
/// changes back for a moment.
async fn follow_until(app: &TestApp, token: &str, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    for _ in 0..200 {
        let (items, _) = follow(app, token, None, 1000).await;
        if done(&items) {
            return items;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the feed did not catch up");
}

/// The entities of a feed, last write wins: `(entity_type, entity_id)` → data.
fn reconstruct(items: &[Value]) -> BTreeMap<(String, String), Value> {
    let mut out = BTreeMap::new();
    for c in items {
        out.insert(
            (
                c["entity_type"].as_str().unwrap().to_owned(),
                c["entity_id"].as_str().unwrap().to_owned(),
            ),
            c["data"].clone(),
        );
    }
    out
}

async fn list_all(app: &TestApp, token: &str, path: &str) -> Vec<Value> {
    let r = app.get(&format!("{path}?per_page=100"), Some(token)).await;
    r.expect(200);
    assert!(r.body["total"].as_u64().unwrap() <= 100);
    r.body["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn the_feed_lists_changes_in_commit_order_with_cursor_paging() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let v1 = admin_registered_volunteer(&app, &w.a_admin, &w.a, "张三", 1).await;
    let v2 = admin_registered_volunteer(&app, &w.b_admin, &w.b, "李四", 2).await;
    let r1 = create_record(
        &app,
        &w.a_admin,
        &id(&v1),
        &w.a,
        &at(0, 9),
        &at(0, 12),
        false,
    )
    .await;
    app.post(
        &format!("/api/v1/service-records/{}/approve", id(&r1)),
        Some(&w.a_admin),
        &json!({}),
    )
    .await
    .expect(200);
    let patched = app
        .patch(
            &format!("/api/v1/volunteers/{}", id(&v2)),
            Some(&w.b_admin),
            &json!({"version": 1, "education": "本科"}),
        )
        .await;
    patched.expect(200);

    let all = follow_until(&app, &w.admin, |i| i.len() >= 7).await;
    let events: Vec<&str> = all
        .iter()
        .map(|c| c["event_type"].as_str().unwrap())
        .collect();
    assert_eq!(
        events,
        [
            "volunteer.created",
            "membership.active",
            "volunteer.created",
            "membership.active",
            "record.created",
            "record.approved",
            "volunteer.updated"
        ]
    );
    // Sequential requests commit in order: the sequence numbers increase along the feed.
    let seqs: Vec<i64> = all.iter().map(|c| c["seq"].as_i64().unwrap()).collect();
    assert!(seqs.windows(2).all(|p| p[0] < p[1]), "{seqs:?}");
    assert_eq!(all[2]["operation"], "create");
    assert_eq!(all[6]["operation"], "update");
    assert_eq!(all[5]["organization_id"], json!(w.a));
    assert_eq!(all[3]["organization_id"], json!(w.b));
    assert_eq!(all[3]["data"]["volunteer_id"], json!(id(&v2)));
    // The snapshot is exactly what GET returns: masked ID number and mobile.
    let got = app
        .get(&format!("/api/v1/volunteers/{}", id(&v2)), Some(&w.admin))
        .await;
    assert_eq!(all[6]["data"], got.body);
    assert!(all[6]["data"]["id_number"].as_str().unwrap().contains('*'));
    assert!(all[6]["data"]["mobile"].as_str().unwrap().contains('*'));
    let rec = app
        .get(
            &format!("/api/v1/service-records/{}", id(&r1)),
            Some(&w.admin),
        )
        .await;
    assert_eq!(all[5]["data"], rec.body);

    // Paging by 2 gives the same sequence, and the cursor of the end stays put.
    let (paged, end) = follow(&app, &w.admin, None, 2).await;
    assert_eq!(paged, all);
    let again = app
        .get(&format!("/api/v1/sync/changes?after={end}"), Some(&w.admin))
        .await;
    again.expect(200);
    assert_eq!(again.body["items"], json!([]));
    assert_eq!(again.body["next_cursor"], json!(end));
    assert_eq!(again.body["has_more"], json!(false));
    // Continuing from the middle gives the rest.
    let first = app
        .get("/api/v1/sync/changes?limit=3", Some(&w.admin))
        .await;
    assert_eq!(first.body["has_more"], json!(true));
    let rest = app
        .get(
            &format!(
                "/api/v1/sync/changes?after={}",
                first.body["next_cursor"].as_str().unwrap()
            ),
            Some(&w.admin),
        )
        .await;
    assert_eq!(rest.body["items"].as_array().unwrap()[..], all[3..]);

    app.get("/api/v1/sync/changes?after=bm9wZQ", Some(&w.admin))
        .await
        .expect_problem(400, "invalid_cursor");
    app.get("/api/v1/sync/changes?limit=0", Some(&w.admin))
        .await
        .expect_problem(400, "invalid_query");
    app.get("/api/v1/sync/changes?limit=1001", Some(&w.admin))
        .await
        .expect_problem(400, "invalid_query");
    app.get("/api/v1/sync/changes", Some(&w.a_admin))
        .await
        .expect_problem(403, "forbidden");
    app.get("/api/v1/sync/changes", None).await.expect(401);
}

#[tokio::test]
async fn a_partner_following_the_feed_reconstructs_exactly_its_scope() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let (_, pt) = partner(&app, &w.admin, "南京高校志愿平台", &[&w.a]).await;

    // In scope: registered at A, at A1 (subtree), self-registered applying to A1.
    let va = admin_registered_volunteer(&app, &w.a_admin, &w.a, "张三", 1).await;
    let va1 = admin_registered_volunteer(&app, &w.a_admin, &w.a1, "王五", 2).await;
    let (vs, _) = self_registered_volunteer(&app, "赵六", 3, Some(&w.a1)).await;
    // Out of scope.
    let vb = admin_registered_volunteer(&app, &w.b_admin, &w.b, "李四", 4).await;
    // In scope through a roster import at A1.
    let csv = format!(
        "姓名,证件号码,手机号码,所在地区\n孙七,{},{},江苏省南京市玄武区\n",
        crate::helpers::id_number("110101", "19900307", 5),
        crate::helpers::mobile_for(5)
    );
    let import = app
        .post_raw(
            &format!("/api/v1/volunteers/imports?organization_id={}", w.a1),
            Some(&w.a_admin),
            "text/csv",
            csv.into_bytes(),
        )
        .await;
    import.expect(200);
    assert_eq!(import.body["created"], 1, "{}", import.text);
    let vi = import.body["rows"][0]["volunteer_id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Registered in city B, then applies to A: the application brings them into A's scope.
    let (vj, vj_token) = self_registered_volunteer(&app, "周八", 6, Some(&w.b)).await;
    app.post(
        "/api/v1/memberships",
        Some(&vj_token),
        &json!({"organization_id": w.a}),
    )
    .await
    .expect(201);

    let a_ok = create_record(
        &app,
        &w.a_admin,
        &id(&va),
        &w.a,
        &at(0, 9),
        &at(0, 12),
        true,
    )
    .await;
    let a_pending = create_record(
        &app,
        &w.a_admin,
        &id(&va1),
        &w.a1,
        &at(1, 9),
        &at(1, 11),
        false,
    )
    .await;
    let a_rejected = create_record(
        &app,
        &w.a_admin,
        &id(&va1),
        &w.a1,
        &at(2, 9),
        &at(2, 11),
        false,
    )
    .await;
    let a_void = create_record(
        &app,
        &w.a_admin,
        &id(&va),
        &w.a,
        &at(3, 9),
        &at(3, 10),
        true,
    )
    .await;
    let b_rec = create_record(
        &app,
        &w.b_admin,
        &id(&vb),
        &w.b,
        &at(0, 9),
        &at(0, 12),
        true,
    )
    .await;
    app.post(
        &format!("/api/v1/service-records/{}/reject", id(&a_rejected)),
        Some(&w.a_admin),
        &json!({"reason": "未参加活动"}),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/v1/service-records/{}/void", id(&a_void)),
        Some(&w.a_admin),
        &json!({"reason": "重复录入"}),
    )
    .await
    .expect(200);
    let corrected = app
        .post(
            &format!("/api/v1/service-records/{}/corrections", id(&a_ok)),
            Some(&w.a_admin),
            &json!({"reason": "时间有误", "started_at": at(0, 9), "ended_at": at(0, 11)}),
        )
        .await;
    corrected.expect(201);
    app.patch(
        &format!("/api/v1/volunteers/{}", id(&va1)),
        Some(&w.a_admin),
        &json!({"version": 1, "skills": ["急救"]}),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/v1/volunteers/{}/deregister", id(&va)),
        Some(&w.a_admin),
        &json!({}),
    )
    .await
    .expect(200);
    app.patch(
        &format!("/api/v1/volunteers/{}", id(&vb)),
        Some(&w.b_admin),
        &json!({"version": 1, "education": "硕士"}),
    )
    .await
    .expect(200);

    // What A's admin lists is the truth the partner must rebuild.
    let volunteers = list_all(&app, &w.a_admin, "/api/v1/volunteers").await;
    let records = list_all(&app, &w.a_admin, "/api/v1/service-records").await;
    let memberships = list_all(&app, &w.a_admin, "/api/v1/memberships").await;
    assert_eq!(volunteers.len(), 5);
    assert!(volunteers.iter().any(|v| v["id"] == vj["id"]));
    assert_eq!(records.len(), 5); // ok→superseded, its correction, pending, rejected, voided
    // va (left on deregistration), va1, vs (pending), vi, vj's application to A (not vj's in B).
    assert_eq!(memberships.len(), 5);
    let expected = volunteers.len() + records.len() + memberships.len();

    let items = follow_until(&app, &pt, |i| {
        reconstruct(i).len() >= expected
            && i.iter()
                .any(|c| c["event_type"] == "volunteer.deregistered")
            && i.iter().any(|c| c["event_type"] == "membership.left")
    })
    .await;
    let state = reconstruct(&items);
    let mut want = BTreeMap::new();
    for v in &volunteers {
        want.insert(("volunteer".to_owned(), id(v)), v.clone());
    }
    for r in &records {
        want.insert(("service_record".to_owned(), id(r)), r.clone());
    }
    for m in &memberships {
        want.insert(("membership".to_owned(), id(m)), m.clone());
    }
    assert_eq!(state, want);
    assert!(
        memberships
            .iter()
            .any(|m| m["volunteer_id"] == json!(id(&va)) && m["status"] == "left")
    );
    assert!(state.contains_key(&("volunteer".to_owned(), id(&vs))));
    assert!(
        items
            .iter()
            .all(|c| c["entity_id"] != json!(id(&vb)) && c["entity_id"] != json!(id(&b_rec)))
    );

    // The platform admin sees the other city too.
    let everything = follow_until(&app, &w.admin, |i| {
        i.iter().any(|c| c["entity_id"] == json!(id(&b_rec)))
    })
    .await;
    assert!(everything.len() > items.len());
    // A partner of the district sees its two volunteers (one only through a membership) and
    // their district records, not the city's.
    let (_, pd) = partner(&app, &w.admin, "玄武区平台", &[&w.a1]).await;
    let district = reconstruct(&follow(&app, &pd, None, 1000).await.0);
    let ids: std::collections::BTreeSet<(String, String)> = district
        .keys()
        .filter(|(t, _)| t != "membership")
        .cloned()
        .collect();
    let want_ids: std::collections::BTreeSet<(String, String)> = [
        ("volunteer", id(&va1)),
        ("volunteer", id(&vs)),
        ("volunteer", vi.clone()),
        ("service_record", id(&a_pending)),
        ("service_record", id(&a_rejected)),
    ]
    .into_iter()
    .map(|(t, i)| (t.to_owned(), i))
    .collect();
    assert_eq!(ids, want_ids);
}

#[tokio::test]
async fn a_change_that_commits_late_with_a_smaller_sequence_is_not_skipped() {
    use sea_orm::TransactionTrait as _;
    let app = spawn_app().await;
    let w = world(&app).await;
    admin_registered_volunteer(&app, &w.a_admin, &w.a, "张三", 1).await;
    // The volunteer and its membership.
    let before = follow_until(&app, &w.admin, |i| i.len() >= 2).await;
    assert_eq!(before.len(), 2);

    // A long transaction writes a change (taking the next sequence number) and stays open.
    let txn = app.db.begin().await.unwrap();
    let late_entity = uuid::Uuid::now_v7();
    api::sync::changes::record(
        &txn,
        api::sync::changes::NewChange {
            entity_type: api::sync::changes::VOLUNTEER,
            entity_id: late_entity,
            organization_id: Some(w.a.parse().unwrap()),
            organization_ids: vec![],
            operation: api::sync::changes::Operation::Update,
            event_type: "volunteer.updated",
            snapshot: json!({"late": true}),
        },
    )
    .await
    .unwrap();

    // Meanwhile another request writes and commits a change with a larger sequence number. On
    // SQLite it waits for the single writer; on PostgreSQL it commits first.
    let later = {
        let (address, token, a) = (app.address.clone(), w.a_admin.clone(), w.a.clone());
        tokio::spawn(async move {
            reqwest::Client::new()
                .post(format!("{address}/api/v1/volunteers"))
                .bearer_auth(token)
                .json(&json!({
                    "real_name": "李四",
                    "id_type": "resident_id_card",
                    "id_number": crate::helpers::id_number("110101", "19900307", 2),
                    "mobile": crate::helpers::mobile_for(2),
                    "region_code": "320102",
                    "organization_id": a,
                }))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        })
    };
    let mut cursor = None;
    if app.postgres {
        // Wait until the later change is committed, then read: it must be held back, because
        // serving it would move the reader past the still-open change.
        for _ in 0..300 {
            if later.is_finished() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(
            later.is_finished(),
            "the later request should commit on PostgreSQL"
        );
        let (mid, c) = follow(&app, &w.admin, None, 1000).await;
        assert!(
            mid.iter().all(|c| c["data"]["real_name"] != "李四"),
            "a change committed after an open transaction's change was served before it"
        );
        assert!(mid.iter().all(|c| c["entity_id"] != json!(late_entity)));
        cursor = Some(c);
    } else {
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(!later.is_finished(), "SQLite has one writer at a time");
    }
    txn.commit().await.unwrap();
    assert_eq!(later.await.unwrap(), 201);

    // Continuing from where the reader stood, both changes arrive, the late one first.
    let mut rest = Vec::new();
    for _ in 0..200 {
        let (more, _) = follow(&app, &w.admin, cursor.as_deref(), 1000).await;
        rest = more;
        if rest.iter().any(|c| c["data"]["real_name"] == "李四") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let late_at = rest
        .iter()
        .position(|c| c["entity_id"] == json!(late_entity))
        .expect("the late change is not skipped");
    let later_at = rest
        .iter()
        .position(|c| c["data"]["real_name"] == "李四")
        .expect("the later change arrives");
    assert!(late_at < later_at);
    assert!(rest[late_at]["seq"].as_i64() < rest[later_at]["seq"].as_i64());
}

// ---------------------------------------------------------------------------
// Webhooks
// ---------------------------------------------------------------------------

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Hit {
    id: String,
    timestamp: String,
    signature: String,
    body: String,
}

/// A webhook receiver on 127.0.0.1: answers `fail_status` to the first `fail_first` requests
/// (per receiver), 200 afterwards.
struct Receiver {
    url: String,
    hits: Arc<Mutex<Vec<Hit>>>,
    fail_first: Arc<AtomicUsize>,
}

impl Receiver {
    fn hits(&self) -> Vec<Hit> {
        self.hits.lock().unwrap().clone()
    }
}

async fn receiver(fail_first: usize, fail_status: u16) -> Receiver {
    let hits: Arc<Mutex<Vec<Hit>>> = Arc::default();
    let fail = Arc::new(AtomicUsize::new(fail_first));
    let (h, f) = (hits.clone(), fail.clone());
    let server = HttpServer::new(move || {
        let (h, f) = (h.clone(), f.clone());
        App::new().default_service(web::to(move |req: HttpRequest, body: web::Bytes| {
            let (h, f) = (h.clone(), f.clone());
            async move {
                let header = |n: &str| {
                    req.headers()
                        .get(n)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_owned()
                };
                h.lock().unwrap().push(Hit {
                    id: header("webhook-id"),
                    timestamp: header("webhook-timestamp"),
                    signature: header("webhook-signature"),
                    body: String::from_utf8_lossy(&body).into_owned(),
                });
                let failing = f
                    .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                    .is_ok();
                if failing {
                    HttpResponse::build(actix_web::http::StatusCode::from_u16(fail_status).unwrap())
                        .finish()
                } else {
                    HttpResponse::Ok().finish()
                }
            }
        }))
    })
    .workers(1)
    .bind(("127.0.0.1", 0))
    .unwrap();
    let port = server.addrs()[0].port();
    tokio::spawn(server.run());
    Receiver {
        url: format!("http://127.0.0.1:{port}/hooks"),
        hits,
        fail_first: fail,
    }
}

/// Checks a Standard Webhooks signature independently of the service's code: HMAC-SHA256
/// through jsonwebtoken's HS256 primitive (base64url) compared with the header (base64).
fn signature_is_valid(secret: &str, hit: &Hit) -> bool {
    let key = base64::engine::general_purpose::STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap())
        .unwrap();
    let message = format!("{}.{}.{}", hit.id, hit.timestamp, hit.body);
    let mac = jsonwebtoken::crypto::sign(
        message.as_bytes(),
        &jsonwebtoken::EncodingKey::from_secret(&key).unwrap(),
        jsonwebtoken::Algorithm::HS256,
    )
    .unwrap();
    let mac = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(mac)
        .unwrap();
    let expected = format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(mac)
    );
    let fresh =
        (chrono::Utc::now().timestamp() - hit.timestamp.parse::<i64>().unwrap()).abs() < 300;
    fresh && hit.signature.split(' ').any(|s| s == expected)
}

async fn eventually<T>(what: &str, mut f: impl AsyncFnMut() -> Option<T>) -> T {
    for _ in 0..300 {
        if let Some(t) = f().await {
            return t;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting for {what}");
}

fn fast_webhooks(max_attempts: i32) -> impl FnOnce(&mut api::config::Settings) {
    move |s| {
        s.webhook_poll_ms = 50;
        s.webhook_backoff_ms = 100;
        s.webhook_max_attempts = max_attempts;
        s.webhook_timeout_ms = 2000;
    }
}

async fn register_endpoint(app: &TestApp, token: &str, body: Value) -> (Value, String) {
    let r = app
        .post("/api/v1/sync/webhook-endpoints", Some(token), &body)
        .await;
    r.expect(201);
    assert_eq!(
        r.headers.get("location").unwrap().to_str().unwrap(),
        format!(
            "/api/v1/sync/webhook-endpoints/{}",
            r.body["endpoint"]["id"].as_str().unwrap()
        )
    );
    (
        r.body["endpoint"].clone(),
        r.body["secret"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn approvals_corrections_revocations_and_volunteer_changes_are_delivered_signed_in_scope() {
    let app = spawn_app_with(fast_webhooks(5)).await;
    let w = world(&app).await;
    let (p, pt) = partner(&app, &w.admin, "南京高校志愿平台", &[&w.a]).await;
    let rx = receiver(0, 500).await;
    let all_events = json!([
        "record.approved",
        "record.corrected",
        "volunteer.changed",
        "certificate.revoked"
    ]);

    // Validation: http only to loopback, known events, at least one.
    for (body, status, code) in [
        (
            json!({"url": "http://partner.example.org/h", "event_types": ["record.approved"]}),
            422,
            "url_not_https",
        ),
        (
            json!({"url": "nope", "event_types": ["record.approved"]}),
            422,
            "validation_failed",
        ),
        (
            json!({"url": rx.url, "event_types": []}),
            422,
            "validation_failed",
        ),
        (
            json!({"url": rx.url, "event_types": ["record.deleted"]}),
            422,
            "invalid_body",
        ),
    ] {
        let r = app
            .post("/api/v1/sync/webhook-endpoints", Some(&pt), &body)
            .await;
        r.expect(status);
        if code == "url_not_https" {
            assert_eq!(r.body["errors"][0]["code"], code, "{}", r.text);
        } else {
            assert_eq!(r.code(), code, "{}", r.text);
        }
    }
    // An admin must name the partner; an org admin may not register at all.
    app.post(
        "/api/v1/sync/webhook-endpoints",
        Some(&w.admin),
        &json!({"url": rx.url, "event_types": ["record.approved"]}),
    )
    .await
    .expect(422);
    app.post(
        "/api/v1/sync/webhook-endpoints",
        Some(&w.a_admin),
        &json!({"url": rx.url, "event_types": ["record.approved"]}),
    )
    .await
    .expect_problem(403, "forbidden");

    let (ep, secret) = register_endpoint(
        &app,
        &pt,
        json!({"url": rx.url, "event_types": all_events, "description": "主接收端"}),
    )
    .await;
    assert!(secret.starts_with("whsec_"));
    assert_eq!(ep["partner_id"], p["id"]);
    let shown = app
        .get(
            &format!("/api/v1/sync/webhook-endpoints/{}", id(&ep)),
            Some(&pt),
        )
        .await;
    shown.expect(200);
    assert!(shown.body.get("secret").is_none());
    assert!(!shown.text.contains(&secret));

    // In scope: a volunteer, an approved record, its correction, a revoked certificate.
    let v = admin_registered_volunteer(&app, &w.a_admin, &w.a, "张三", 1).await;
    let rec = create_record(
        &app,
        &w.a_admin,
        &id(&v),
        &w.a,
        &at(0, 9),
        &at(0, 12),
        false,
    )
    .await;
    app.post(
        &format!("/api/v1/service-records/{}/approve", id(&rec)),
        Some(&w.a_admin),
        &json!({}),
    )
    .await
    .expect(200);
    let new = app
        .post(
            &format!("/api/v1/service-records/{}/corrections", id(&rec)),
            Some(&w.a_admin),
            &json!({"reason": "时间有误", "started_at": at(0, 9), "ended_at": at(0, 11)}),
        )
        .await;
    new.expect(201);
    let cert = app
        .post(
            "/api/v1/certificates",
            Some(&w.a_admin),
            &json!({"volunteer_id": id(&v)}),
        )
        .await;
    cert.expect(201);
    let serial = cert.body["serial"].as_str().unwrap().to_owned();
    app.post(
        &format!("/api/v1/certificates/{serial}/revoke"),
        Some(&w.a_admin),
        &json!({"reason": "证明信息有误，重新出具"}),
    )
    .await
    .expect(200);
    // Out of scope: nothing of city B is sent.
    let vb = admin_registered_volunteer(&app, &w.b_admin, &w.b, "李四", 2).await;
    create_record(
        &app,
        &w.b_admin,
        &id(&vb),
        &w.b,
        &at(0, 9),
        &at(0, 12),
        true,
    )
    .await;

    // volunteer.created, record.approved, record.superseded + record.corrected (both as
    // record.corrected), certificate.revoked.
    let hits = eventually("five deliveries", async || {
        let h = rx.hits();
        (h.len() >= 5).then_some(h)
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let hits_after = rx.hits();
    assert_eq!(hits_after.len(), 5, "{hits_after:#?}");
    let mut types = Vec::new();
    for h in &hits {
        assert!(signature_is_valid(&secret, h), "bad signature: {h:?}");
        let body: Value = serde_json::from_str(&h.body).unwrap();
        types.push((
            body["type"].as_str().unwrap().to_owned(),
            body["data"]["event_type"].as_str().unwrap().to_owned(),
        ));
        assert_ne!(body["data"]["object"]["volunteer_id"], json!(id(&vb)));
        assert_ne!(body["data"]["entity_id"], json!(id(&vb)));
    }
    types.sort();
    assert_eq!(
        types,
        [
            ("certificate.revoked".into(), "certificate.revoked".into()),
            ("record.approved".into(), "record.approved".into()),
            ("record.corrected".into(), "record.corrected".into()),
            ("record.corrected".into(), "record.superseded".into()),
            ("volunteer.changed".into(), "volunteer.created".into()),
        ]
        .map(|(a, b): (String, String)| (a, b))
    );
    let corrected: Vec<Value> = hits
        .iter()
        .map(|h| serde_json::from_str::<Value>(&h.body).unwrap())
        .filter(|b| b["data"]["event_type"] == "record.corrected")
        .collect();
    assert_eq!(
        corrected[0]["data"]["object"]["supersedes_id"],
        json!(id(&rec))
    );
    // A tampered body fails the check.
    let mut forged = hits[0].clone();
    forged.body.push(' ');
    assert!(!signature_is_valid(&secret, &forged));

    // The delivery list shows each one succeeded at the first attempt with 200.
    let list = app
        .get(
            &format!("/api/v1/sync/webhook-endpoints/{}/deliveries", id(&ep)),
            Some(&pt),
        )
        .await;
    list.expect(200);
    assert_eq!(list.body["total"], 5);
    for d in list.body["items"].as_array().unwrap() {
        assert_eq!(d["status"], "succeeded");
        assert_eq!(d["attempts"], 1);
        assert_eq!(d["last_response_code"], 200);
        assert!(hits.iter().any(|h| h.id == d["id"].as_str().unwrap()));
    }
    // Another partner sees none of it; the platform admin sees it.
    let (_, other) = partner(&app, &w.admin, "苏州平台", &[&w.b]).await;
    app.get(
        &format!("/api/v1/sync/webhook-endpoints/{}", id(&ep)),
        Some(&other),
    )
    .await
    .expect_problem(404, "not_found");
    app.get(
        &format!("/api/v1/sync/webhook-endpoints/{}/deliveries", id(&ep)),
        Some(&other),
    )
    .await
    .expect(404);
    let mine = app
        .get("/api/v1/sync/webhook-endpoints", Some(&other))
        .await;
    assert_eq!(mine.body["total"], 0);
    let admin_list = app
        .get(
            &format!(
                "/api/v1/sync/webhook-endpoints?partner_id={}",
                p["id"].as_str().unwrap()
            ),
            Some(&w.admin),
        )
        .await;
    assert_eq!(admin_list.body["total"], 1);

    // Disabling stops new deliveries; changing the events needs the current version.
    app.patch(
        &format!("/api/v1/sync/webhook-endpoints/{}", id(&ep)),
        Some(&pt),
        &json!({"version": 7, "active": false}),
    )
    .await
    .expect_problem(412, "version_mismatch");
    let off = app
        .patch(
            &format!("/api/v1/sync/webhook-endpoints/{}", id(&ep)),
            Some(&pt),
            &json!({"version": 1, "active": false}),
        )
        .await;
    off.expect(200);
    assert_eq!(off.body["active"], false);
    app.patch(
        &format!("/api/v1/volunteers/{}", id(&v)),
        Some(&w.a_admin),
        &json!({"version": 1, "education": "本科"}),
    )
    .await
    .expect(200);
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(rx.hits().len(), 5);
}

#[tokio::test]
async fn failed_deliveries_are_retried_with_backoff_given_up_after_the_maximum_and_redelivered() {
    let app = spawn_app_with(fast_webhooks(3)).await;
    let w = world(&app).await;
    let (p, pt) = partner(&app, &w.admin, "南京高校志愿平台", &[&w.a]).await;
    // Fails twice, then accepts.
    let flaky = receiver(2, 500).await;
    // Never accepts.
    let down = receiver(usize::MAX, 503).await;
    let (flaky_ep, flaky_secret) = register_endpoint(
        &app,
        &pt,
        json!({"url": flaky.url, "event_types": ["volunteer.changed"]}),
    )
    .await;
    // A platform admin registers one for the partner.
    let (down_ep, down_secret) = register_endpoint(
        &app,
        &w.admin,
        json!({"partner_id": p["id"], "url": down.url, "event_types": ["volunteer.changed"]}),
    )
    .await;
    assert_eq!(down_ep["partner_id"], p["id"]);

    admin_registered_volunteer(&app, &w.a_admin, &w.a, "张三", 1).await;

    let hits = eventually("three attempts at the flaky receiver", async || {
        let h = flaky.hits();
        (h.len() >= 3).then_some(h)
    })
    .await;
    // The same message each time: one id, a valid signature on every attempt.
    assert!(
        hits.iter()
            .all(|h| h.id == hits[0].id && h.body == hits[0].body)
    );
    assert!(hits.iter().all(|h| signature_is_valid(&flaky_secret, h)));
    let delivery = eventually("the flaky delivery to succeed", async || {
        let r = app
            .get(
                &format!(
                    "/api/v1/sync/webhook-endpoints/{}/deliveries",
                    id(&flaky_ep)
                ),
                Some(&pt),
            )
            .await;
        let d = r.body["items"][0].clone();
        (d["status"] == "succeeded").then_some(d)
    })
    .await;
    assert_eq!(delivery["attempts"], 3);
    assert_eq!(delivery["last_response_code"], 200);

    let failed = eventually("the other delivery to fail", async || {
        let r = app
            .get(
                &format!(
                    "/api/v1/sync/webhook-endpoints/{}/deliveries?status=failed",
                    id(&down_ep)
                ),
                Some(&pt),
            )
            .await;
        (r.body["total"] == 1).then(|| r.body["items"][0].clone())
    })
    .await;
    assert_eq!(failed["attempts"], 3);
    assert_eq!(failed["last_response_code"], 503);
    assert_eq!(failed["last_error"], "status 503");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(down.hits().len(), 3, "no attempt after giving up");

    // The partner rotates the secret: for a day both secrets sign.
    let rotated = app
        .post(
            &format!(
                "/api/v1/sync/webhook-endpoints/{}/rotate-secret",
                id(&down_ep)
            ),
            Some(&pt),
            &json!({"version": 1}),
        )
        .await;
    rotated.expect(200);
    let new_secret = rotated.body["secret"].as_str().unwrap().to_owned();
    assert_ne!(new_secret, down_secret);
    assert_eq!(rotated.body["endpoint"]["version"], 2);
    app.post(
        &format!(
            "/api/v1/sync/webhook-endpoints/{}/rotate-secret",
            id(&down_ep)
        ),
        Some(&pt),
        &json!({"version": 1}),
    )
    .await
    .expect_problem(412, "version_mismatch");
    // Redelivery once the receiver is back: pending again, then succeeded.
    down.fail_first.store(0, Ordering::SeqCst);
    let again = app
        .post(
            &format!("/api/v1/sync/webhook-deliveries/{}/redeliver", id(&failed)),
            Some(&pt),
            &json!({}),
        )
        .await;
    again.expect(202);
    assert_eq!(again.body["status"], "pending");
    assert_eq!(again.body["attempts"], 0);
    eventually("the redelivery to succeed", async || {
        let r = app
            .get(
                &format!("/api/v1/sync/webhook-endpoints/{}/deliveries", id(&down_ep)),
                Some(&w.admin),
            )
            .await;
        (r.body["items"][0]["status"] == "succeeded").then_some(())
    })
    .await;
    let last = down.hits().last().cloned().unwrap();
    assert_eq!(last.id, id(&failed));
    assert!(signature_is_valid(&new_secret, &last));
    assert!(signature_is_valid(&down_secret, &last));
    assert_eq!(last.signature.split(' ').count(), 2);
    assert!(
        down.hits()
            .iter()
            .take(3)
            .all(|h| h.signature.split(' ').count() == 1)
    );
    app.post(
        &format!(
            "/api/v1/sync/webhook-deliveries/{}/redeliver",
            uuid::Uuid::now_v7()
        ),
        Some(&pt),
        &json!({}),
    )
    .await
    .expect_problem(404, "not_found");
    app.request(
        reqwest::Method::DELETE,
        &format!("/api/v1/sync/webhook-endpoints/{}", id(&down_ep)),
        Some(&pt),
        None,
    )
    .await
    .expect(204);
    app.get(
        &format!("/api/v1/sync/webhook-endpoints/{}", id(&down_ep)),
        Some(&pt),
    )
    .await
    .expect(404);
    // Every change of an endpoint or a delivery is audited, attributed to who made it.
    use sea_orm::{ColumnTrait as _, EntityTrait as _, QueryFilter as _};
    let audit = entity::audit_log::Entity::find()
        .filter(
            entity::audit_log::Column::EntityType.is_in(["webhook_endpoint", "webhook_delivery"]),
        )
        .all(&app.db)
        .await
        .unwrap();
    let mut actions: Vec<&str> = audit.iter().map(|a| a.action.as_str()).collect();
    actions.sort_unstable();
    assert_eq!(
        actions,
        ["create", "create", "delete", "redeliver", "rotate_secret"]
    );
    assert!(audit.iter().all(|a| a.actor_id.is_some()));
}

#[tokio::test]
async fn two_workers_racing_for_one_job_send_it_once() {
    // The app's own worker sleeps: this test drives the workers itself.
    let crypto: Arc<Mutex<Option<api::crypto::FieldCrypto>>> = Arc::default();
    let slot = crypto.clone();
    let app = spawn_app_with(move |s| {
        s.webhook_poll_ms = 3_600_000;
        s.webhook_backoff_ms = 100;
        *slot.lock().unwrap() = Some(api::sync::worker::secret_crypto(s));
    })
    .await;
    let state_crypto = crypto.lock().unwrap().clone().unwrap();
    let w = world(&app).await;
    let (_, pt) = partner(&app, &w.admin, "南京高校志愿平台", &[&w.a]).await;
    let rx = receiver(0, 500).await;
    let (ep, _) = register_endpoint(
        &app,
        &pt,
        json!({"url": rx.url, "event_types": ["volunteer.changed"]}),
    )
    .await;
    admin_registered_volunteer(&app, &w.a_admin, &w.a, "张三", 1).await;

    // Two nodes fan out the same event: one job.
    let made = eventually("the fan-out", async || {
        let (a, b) = tokio::join!(
            api::sync::worker::fan_out(&app.db),
            api::sync::worker::fan_out(&app.db)
        );
        let n = a.unwrap() + b.unwrap();
        (n > 0).then_some(n)
    })
    .await;
    assert_eq!(made, 1);

    // Two nodes race for it: one claim wins, one request is sent.
    let cfg = api::sync::worker::WorkerConfig {
        backoff: Duration::from_millis(100),
        max_attempts: 3,
        lease: Duration::from_secs(30),
    };
    let (c1, c2) = (
        api::sync::worker::client(Duration::from_secs(2)).unwrap(),
        api::sync::worker::client(Duration::from_secs(2)).unwrap(),
    );
    let (s1, s2) = tokio::join!(
        api::sync::worker::deliver_due(&app.db, &state_crypto, &c1, &cfg),
        api::sync::worker::deliver_due(&app.db, &state_crypto, &c2, &cfg)
    );
    assert_eq!(s1.unwrap() + s2.unwrap(), 1);
    assert_eq!(rx.hits().len(), 1);

    // Claims on one job by many workers at once: exactly one wins.
    let r = app
        .get(
            &format!("/api/v1/sync/webhook-endpoints/{}/deliveries", id(&ep)),
            Some(&pt),
        )
        .await;
    let job: uuid::Uuid = r.body["items"][0]["id"].as_str().unwrap().parse().unwrap();
    app.post(
        &format!("/api/v1/sync/webhook-deliveries/{job}/redeliver"),
        Some(&pt),
        &json!({}),
    )
    .await
    .expect(202);
    let now = chrono::Utc::now();
    let mut racers = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let db = app.db.clone();
        racers.spawn(async move {
            api::sync::worker::claim(&db, job, Duration::from_secs(30), now)
                .await
                .unwrap()
        });
    }
    let claims = racers.join_all().await;
    assert_eq!(claims.iter().filter(|c| c.is_some()).count(), 1);
    // While leased, no worker sends it.
    assert_eq!(
        api::sync::worker::deliver_due(&app.db, &state_crypto, &c1, &cfg)
            .await
            .unwrap(),
        0
    );
    assert_eq!(rx.hits().len(), 1);
}
