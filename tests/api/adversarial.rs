//! Adversarial review: malformed, extreme and out-of-scope requests against the modules added
//! for issues 5–9 (social organizations, social programs, partners, sync, recognition, awards).
//! Each test names the defect it guards against; none of them may see a 5xx.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp, self_registered_volunteer, spawn_app, spawn_app_with};

/// Tags of the modules under review.
const TAGS: [&str; 7] = [
    "social-organizations",
    "social-programs",
    "partners",
    "sync",
    "recognition",
    "awards",
    "incentives",
];

/// Resolves a `$ref` against the spec's components.
fn resolve<'a>(spec: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let name = r.rsplit('/').next().unwrap();
            resolve(spec, &spec["components"]["schemas"][name])
        }
        None => schema,
    }
}

/// An extreme value for a schema: `mode` 0 = maxima, 1 = minima/negatives, 2 = empties, 3 / 4 =
/// the latest / earliest dates chrono can represent (otherwise like 2 / 1).
fn extreme(spec: &Value, schema: &Value, mode: u8, depth: u8) -> Value {
    let s = resolve(spec, schema);
    if depth > 4 {
        return Value::Null;
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(list) = s.get(key).and_then(Value::as_array)
            && let Some(first) = list
                .iter()
                .find(|v| resolve(spec, v).get("type") != Some(&json!("null")))
        {
            return extreme(spec, first, mode, depth + 1);
        }
    }
    if let Some(e) = s.get("enum").and_then(Value::as_array) {
        return e.first().cloned().unwrap_or(Value::Null);
    }
    let ty = match s.get("type") {
        Some(Value::String(t)) => t.clone(),
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .unwrap_or("null")
            .to_owned(),
        _ => {
            if s.get("properties").is_some() {
                "object".into()
            } else {
                "string".into()
            }
        }
    };
    let format = s.get("format").and_then(Value::as_str).unwrap_or("");
    match ty.as_str() {
        "integer" => match mode {
            0 => json!(i64::MAX),
            1 => json!(i64::MIN),
            3 | 4 => json!(1),
            _ => json!(0),
        },
        "number" => match mode {
            0 => json!(1e308),
            1 => json!(-1e308),
            _ => json!(0),
        },
        "boolean" => json!(true),
        "string" => match (format, mode) {
            ("uuid", 0) => json!("ffffffff-ffff-ffff-ffff-ffffffffffff"),
            ("uuid", _) => json!("00000000-0000-0000-0000-000000000000"),
            ("date", 0) => json!("9999-12-31"),
            ("date", 3) => json!("+262142-12-31"),
            ("date", 4) => json!("-262143-01-01"),
            ("date", _) => json!("0001-01-01"),
            ("date-time", 0) => json!("9999-12-31T23:59:59Z"),
            ("date-time", 3) => json!("+262142-12-31T23:59:59Z"),
            ("date-time", 4) => json!("-262143-01-01T00:00:00Z"),
            ("date-time", _) => json!("0001-01-01T00:00:00Z"),
            (_, 0) => json!("志".repeat(5000)),
            (_, 3 | 4) => json!("测试"),
            (_, 1) => json!("\u{0}\u{202e}😀'\"--"),
            _ => json!(""),
        },
        "array" => {
            if mode == 2 {
                json!([])
            } else {
                let item = s.get("items").cloned().unwrap_or(json!({}));
                json!([extreme(spec, &item, mode, depth + 1)])
            }
        }
        "object" => {
            let mut out = serde_json::Map::new();
            if let Some(props) = s.get("properties").and_then(Value::as_object) {
                for (k, v) in props {
                    out.insert(k.clone(), extreme(spec, v, mode, depth + 1));
                }
            }
            Value::Object(out)
        }
        _ => Value::Null,
    }
}

/// Status and text of an answer.
struct Answer {
    status: reqwest::StatusCode,
    text: String,
}

thread_local! {
    /// Clear personal data no probed response may contain (ID numbers, mobiles).
    static SECRETS: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// A body whose top-level arrays hold `n` copies of a plausible element (the rest as mode 3),
/// with `n` halved until the body fits the 256 KiB JSON limit: long arrays must meet a length
/// check, not the databases' bind-parameter limits.
fn long_arrays(spec: &Value, schema: &Value) -> Option<Value> {
    let s = resolve(spec, schema);
    let props = s.get("properties")?.as_object()?;
    let base = extreme(spec, schema, 3, 0);
    let mut has_array = false;
    let mut n = 60_000usize;
    while n > 0 {
        let mut body = base.clone();
        for (k, v) in props {
            let v = resolve(spec, v);
            let is_array = v.get("type") == Some(&json!("array"))
                || v.get("type")
                    .and_then(Value::as_array)
                    .is_some_and(|t| t.contains(&json!("array")));
            if is_array {
                has_array = true;
                let item = extreme(spec, &v.get("items").cloned().unwrap_or(json!({})), 3, 1);
                body[k] = Value::Array(vec![item; n]);
            }
        }
        if !has_array {
            return None;
        }
        if body.to_string().len() <= 250 * 1024 {
            return Some(body);
        }
        n /= 2;
    }
    None
}

/// Sends malformed path parameters, extreme query parameters and extreme bodies to every
/// operation of the reviewed modules as `token`, and lists the 5xx answers.
async fn probe_all(
    app: &TestApp,
    spec: &Value,
    token: &str,
    path_values: &[&str],
    query_values: &[&str],
    thorough: bool,
) -> Vec<String> {
    let mut failures = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let Ok(m) = Method::from_bytes(method.to_uppercase().as_bytes()) else {
                continue;
            };
            let tags: Vec<&str> = op["tags"]
                .as_array()
                .map(|t| t.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            if !tags.iter().any(|t| TAGS.contains(t)) {
                continue;
            }
            let params: Vec<&Value> = op["parameters"]
                .as_array()
                .map(|p| p.iter().collect())
                .unwrap_or_default();
            let query_names: Vec<&str> = params
                .iter()
                .filter(|p| p["in"] == "query")
                .filter_map(|p| p["name"].as_str())
                .collect();
            let body_schema = op["requestBody"]["content"]["application/json"]["schema"].clone();
            for pv in path_values {
                // `a|b` fills the first path parameter with `a`, the second with `b`.
                let mut fill = pv.split('|').cycle();
                let concrete: String = path
                    .split('/')
                    .map(|seg| {
                        if seg.starts_with('{') {
                            fill.next().unwrap_or(pv)
                        } else {
                            seg
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("/");
                let mut urls = vec![concrete.clone()];
                for qv in query_values {
                    if !query_names.is_empty() {
                        let q: Vec<String> =
                            query_names.iter().map(|n| format!("{n}={qv}")).collect();
                        urls.push(format!("{concrete}?{}", q.join("&")));
                    }
                }
                let bodies: Vec<Option<Value>> = if m == Method::GET || m == Method::DELETE {
                    vec![None]
                } else if body_schema.is_null() {
                    vec![Some(json!({}))]
                } else if thorough {
                    vec![
                        Some(extreme(spec, &body_schema, 0, 0)),
                        Some(extreme(spec, &body_schema, 1, 0)),
                        Some(extreme(spec, &body_schema, 2, 0)),
                        Some(extreme(spec, &body_schema, 3, 0)),
                        Some(extreme(spec, &body_schema, 4, 0)),
                        Some(json!([])),
                        Some(json!("x")),
                    ]
                } else {
                    vec![
                        Some(extreme(spec, &body_schema, 0, 0)),
                        Some(extreme(spec, &body_schema, 1, 0)),
                    ]
                };
                for url in &urls {
                    for body in &bodies {
                        let mut req = app
                            .client
                            .request(m.clone(), format!("{}{url}", app.address))
                            .bearer_auth(token);
                        if let Some(b) = body {
                            req = req.json(b);
                        }
                        let r = match req.send().await {
                            Ok(r) => {
                                let status = r.status();
                                let text = r.text().await.unwrap_or_default();
                                (status, text)
                            }
                            // A server that refuses a large body before reading it (401 from
                            // an extractor) closes the connection: the client may see the reset
                            // instead of the answer. That is HTTP, not a defect.
                            Err(_)
                                if body.as_ref().is_some_and(|b| b.to_string().len() > 65_536) =>
                            {
                                continue;
                            }
                            Err(e) => {
                                failures.push(format!("{m} {url}: no answer: {e}"));
                                continue;
                            }
                        };
                        let r = Answer {
                            status: r.0,
                            text: r.1,
                        };
                        if let Some(secret) = SECRETS.with(|s| {
                            s.borrow()
                                .iter()
                                .find(|x| r.text.contains(x.as_str()))
                                .cloned()
                        }) && !url.starts_with("/api/v1/credit-list/export")
                        {
                            failures.push(format!("{m} {url}: clear personal data {secret}"));
                        }
                        if r.status.is_server_error() {
                            failures.push(format!(
                                "{m} {url} body={} -> {} {}",
                                body.as_ref()
                                    .map(|b| b.to_string().chars().take(200).collect::<String>())
                                    .unwrap_or_default(),
                                r.status,
                                r.text.chars().take(300).collect::<String>()
                            ));
                        }
                    }
                }
            }
        }
    }
    failures
}

const QUERY_VALUES: [&str; 8] = [
    "99999999999999999999999",
    "-1",
    "0",
    "9223372036854775807",
    "%00%FF",
    "a%00b",
    "9999-99-99",
    "-9999-01-01T00:00:00Z",
];

/// Every operation of the reviewed modules, called by the platform admin with malformed path
/// parameters, extreme query parameters and extreme bodies, answers a 4xx (or 2xx), never 5xx.
/// Found: NUL characters reached PostgreSQL (`POST /benefit-redemptions`) and answered 500.
#[tokio::test]
async fn garbage_input_never_yields_a_server_error() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let spec: Value = serde_json::from_str(&api::openapi::spec().to_json().unwrap()).unwrap();
    let org = app.create_org(&admin, "南京团市委", None).await;
    let org_id = org["id"].as_str().unwrap().to_owned();
    let path_values = [
        org_id.as_str(),
        "00000000-0000-0000-0000-000000000000",
        "not-a-uuid",
        "99999999999999999999999",
        "%F0%9F%98%80",
    ];
    let failures = probe_all(&app, &spec, &admin, &path_values, &QUERY_VALUES, true).await;
    assert!(
        failures.is_empty(),
        "server errors:\n{}",
        failures.join("\n")
    );
}

/// The same probes as an org admin of another city, a volunteer, a reviewer and a partner
/// platform: the refusal paths (scope, role, partner checks) never answer 5xx either.
#[tokio::test]
async fn garbage_input_from_every_kind_of_caller_never_yields_a_server_error() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let spec: Value = serde_json::from_str(&api::openapi::spec().to_json().unwrap()).unwrap();
    let nanjing = app.create_org(&admin, "南京团市委", None).await;
    let nanjing_id = nanjing["id"].as_str().unwrap().to_owned();
    let suzhou = app.create_org(&admin, "苏州团市委", None).await;
    let suzhou_id = suzhou["id"].as_str().unwrap().to_owned();
    let org_admin = app
        .org_admin_token(&admin, &suzhou_id, "suzhou_admin")
        .await;
    let reviewer = app.reviewer_token(&admin, Some(&suzhou_id), "expert").await;
    let (vol, vol_token) = self_registered_volunteer(&app, "张三", 7, Some(&nanjing_id)).await;
    let vol_id = vol["id"].as_str().unwrap().to_owned();
    let p = app
        .post(
            "/api/v1/partners",
            Some(&admin),
            &json!({"name": "南京大学志愿系统", "scope": [nanjing_id]}),
        )
        .await;
    p.expect(201);
    let form = format!(
        "grant_type=client_credentials&client_id={}&client_secret={}",
        p.body["client_id"].as_str().unwrap(),
        p.body["client_secret"]
            .as_str()
            .unwrap()
            .replace('-', "%2D")
    );
    let t = app
        .post_raw(
            "/api/v1/partners/token",
            None,
            "application/x-www-form-urlencoded",
            form.into_bytes(),
        )
        .await;
    t.expect(200);
    let partner = t.body["access_token"].as_str().unwrap().to_owned();
    let path_values = [nanjing_id.as_str(), vol_id.as_str(), "not-a-uuid"];
    let query_values = ["-1", "99999999999999999999999", "a%00b"];
    let mut failures = Vec::new();
    for token in [&org_admin, &reviewer, &vol_token, &partner] {
        failures.extend(probe_all(&app, &spec, token, &path_values, &query_values, false).await);
    }
    assert!(
        failures.is_empty(),
        "server errors:\n{}",
        failures.join("\n")
    );
}

/// SSRF: in production a partner (or an admin) must not point webhook deliveries at this
/// machine or its internal networks, whether the URL names an IP literal or `localhost`, on
/// create and on update. Before the fix every `https` URL was accepted, including
/// `https://169.254.169.254/…` (cloud metadata) and `https://127.0.0.1:…/`.
#[tokio::test]
async fn production_webhook_urls_must_name_public_hosts() {
    let app = spawn_app_with(|s| s.environment = api::config::Environment::Production).await;
    let admin = app.admin_token().await;
    let org = app.create_org(&admin, "南京团市委", None).await;
    let org_id = org["id"].as_str().unwrap();
    let p = app
        .post(
            "/api/v1/partners",
            Some(&admin),
            &json!({"name": "南京大学志愿系统", "scope": [org_id]}),
        )
        .await;
    p.expect(201);
    let pid = p.body["id"].as_str().unwrap();
    let base =
        |url: &str| json!({"partner_id": pid, "url": url, "event_types": ["record.approved"]});
    for url in [
        "https://127.0.0.1:8443/h",
        "https://localhost/h",
        "https://169.254.169.254/latest/meta-data/",
        "https://10.0.0.7/h",
        "https://192.168.1.1/h",
        "https://[::1]/h",
        "https://[::ffff:7f00:1]/h",
        "https://2130706433/h",
        "https://0.0.0.0/h",
    ] {
        app.post("/api/v1/sync/webhook-endpoints", Some(&admin), &base(url))
            .await
            .expect(422);
    }
    let ok = app
        .post(
            "/api/v1/sync/webhook-endpoints",
            Some(&admin),
            &base("https://hooks.example.org/h"),
        )
        .await;
    ok.expect(201);
    let id = ok.body["endpoint"]["id"].as_str().unwrap();
    let r = app
        .patch(
            &format!("/api/v1/sync/webhook-endpoints/{id}"),
            Some(&admin),
            &json!({"url": "https://169.254.169.254/", "version": ok.body["endpoint"]["version"]}),
        )
        .await;
    r.expect(422);
    assert_eq!(r.body["errors"][0]["code"], "url_not_public", "{}", r.text);
}

/// The delivery client built for production refuses names resolving to internal addresses
/// (a public-looking name whose DNS points at 127.0.0.1 reaches nothing).
#[tokio::test]
async fn the_production_delivery_client_does_not_connect_to_loopback_names() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let prod = api::sync::worker::client_for(
        std::time::Duration::from_secs(2),
        api::config::Environment::Production,
    )
    .unwrap();
    let err = prod
        .get(format!("http://localhost:{port}/"))
        .send()
        .await
        .expect_err("reached loopback through DNS");
    assert!(err.is_connect() || err.is_request(), "{err:?}");
    let dev = api::sync::worker::client(std::time::Duration::from_secs(2)).unwrap();
    let accept = tokio::spawn(async move { listener.accept().await.is_ok() });
    let _ = dev.get(format!("http://localhost:{port}/")).send().await;
    assert!(
        accept.await.unwrap(),
        "the development client should connect"
    );
}

/// POST with a bearer token, an Idempotency-Key and a JSON body.
async fn send_keyed(app: &TestApp, path: &str, token: &str, key: &str, body: &Value) -> Reply {
    let r = app
        .client
        .post(format!("{}{}", app.address, path))
        .bearer_auth(token)
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .expect("request");
    let status = r.status();
    let headers = r.headers().clone();
    let text = r.text().await.unwrap_or_default();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Reply {
        status,
        headers,
        body,
        text,
    }
}

/// A partner token for a new partner scoped to `root`.
async fn partner_for(app: &TestApp, admin: &str, root: &str) -> String {
    let p = app
        .post(
            "/api/v1/partners",
            Some(admin),
            &json!({"name": format!("伙伴{}", &root[..8]), "scope": [root]}),
        )
        .await;
    p.expect(201);
    let form = format!(
        "grant_type=client_credentials&client_id={}&client_secret={}",
        p.body["client_id"].as_str().unwrap(),
        p.body["client_secret"]
            .as_str()
            .unwrap()
            .replace('-', "%2D")
    );
    let t = app
        .post_raw(
            "/api/v1/partners/token",
            None,
            "application/x-www-form-urlencoded",
            form.into_bytes(),
        )
        .await;
    t.expect(200);
    t.body["access_token"].as_str().unwrap().to_owned()
}

/// Partner batches with hostile items (extreme instants, reversed or enormous intervals,
/// duplicate external ids in one batch, unicode digits, NUL characters, out-of-scope
/// organizations) answer per item or with a 4xx, never 5xx, and never echo ID numbers or
/// mobiles in clear.
#[tokio::test]
async fn hostile_partner_batches_never_yield_server_errors_or_echo_personal_data() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let root = app.create_org(&admin, "南京大学团委", None).await;
    let org = root["id"].as_str().unwrap().to_owned();
    let outside = app.create_org(&admin, "苏州团市委", None).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let token = partner_for(&app, &admin, &org).await;
    let good_id = crate::helpers::id_number("320102", "20000101", 1);
    let vol = |ext: &str, id: &str, mobile: &str, org: &str| {
        json!({
            "external_id": ext, "organization_id": org, "real_name": "周同学",
            "id_type": "resident_id_card", "id_number": id, "mobile": mobile,
            "region_code": "320102",
        })
    };
    let volunteers = json!({"items": [
        vol("stu-1", &good_id, "13600000001", &org),
        vol("stu-1", &good_id, "13600000001", &org),
        vol("stu-2", "11010119900307123X", "13600000002", &org),
        vol("stu-3", "１１０１０１１９９００３０７１２３４", "１３６００００００３", &org),
        vol("stu-4\u{0}", &crate::helpers::id_number("320102", "20000101", 4), "13600000004", &org),
        vol("stu-5", &crate::helpers::id_number("320102", "20000101", 5), "13600000005", &outside),
        vol(&"x".repeat(10_000), &crate::helpers::id_number("320102", "20000101", 6), "13600000006", &org),
        vol("stu-7", &crate::helpers::id_number("320102", "99991231", 7), "13600000007", &org),
    ]});
    let r = send_keyed(
        &app,
        "/api/v1/partner/volunteers/batch",
        &token,
        "k1",
        &volunteers,
    )
    .await;
    assert!(!r.status.is_server_error(), "{}", r.text);
    for secret in [
        good_id.as_str(),
        "11010119900307123X",
        "13600000002",
        "13600000001",
    ] {
        assert!(
            !r.text.contains(secret),
            "clear personal data in {}",
            r.text
        );
    }
    let rec = |ext: &str, start: &str, end: &str| {
        json!({
            "external_id": ext, "volunteer_external_id": "stu-1", "organization_id": org,
            "activity_name": "社区环境整治", "service_category": "社区服务",
            "place": "南京市玄武区", "content": "清理楼道杂物",
            "started_at": start, "ended_at": end,
        })
    };
    let records = json!({"items": [
        rec("r1", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"),
        rec("r2", "9999-12-31T23:00:00Z", "9999-12-31T23:59:59Z"),
        rec("r3", "2025-01-02T11:00:00+08:00", "2025-01-02T09:00:00+08:00"),
        rec("r4", "2025-01-02T09:00:00+08:00", "2025-01-02T09:00:00+08:00"),
        rec("r5", "-000001-01-01T00:00:00Z", "2025-01-02T09:00:00+08:00"),
        rec("r6", "2025-01-02T09:00:00+14:00", "2025-01-02T09:00:00-12:00"),
        rec("r6", "2025-01-03T09:00:00+08:00", "2025-01-03T10:00:00+08:00"),
    ]});
    let r = send_keyed(
        &app,
        "/api/v1/partner/service-records/batch",
        &token,
        "k2",
        &records,
    )
    .await;
    assert!(!r.status.is_server_error(), "{}", r.text);
    for body in [
        json!({"items": []}),
        json!({}),
        json!({"items": null}),
        json!({"items": [{}]}),
    ] {
        for path in [
            "/api/v1/partner/volunteers/batch",
            "/api/v1/partner/service-records/batch",
        ] {
            let r = send_keyed(
                &app,
                path,
                &token,
                &format!("k-{}", uuid::Uuid::now_v7()),
                &body,
            )
            .await;
            assert!(
                r.status.is_client_error() || r.status.is_success(),
                "{path} {body}: {}",
                r.text
            );
        }
    }
}

/// Per-volunteer reads (awards, sanctions, star level, level certifications) are not open to
/// another volunteer or to an org admin of another city: 404 (or 403 for a role that never may).
#[tokio::test]
async fn per_volunteer_reads_do_not_leak_across_volunteers_or_cities() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let nanjing = app.create_org(&admin, "南京团市委", None).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let suzhou = app.create_org(&admin, "苏州团市委", None).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let suzhou_admin = app.org_admin_token(&admin, &suzhou, "sz_admin").await;
    let reviewer = app.reviewer_token(&admin, Some(&suzhou), "sz_expert").await;
    let (a, _a_token) = self_registered_volunteer(&app, "张三", 1, Some(&nanjing)).await;
    let (_b, b_token) = self_registered_volunteer(&app, "李四", 2, Some(&suzhou)).await;
    let a_id = a["id"].as_str().unwrap();
    for path in [
        format!("/api/v1/volunteers/{a_id}/awards"),
        format!("/api/v1/volunteers/{a_id}/sanctions"),
        format!("/api/v1/volunteers/{a_id}/star-level"),
    ] {
        for (who, token) in [
            ("volunteer B", &b_token),
            ("suzhou admin", &suzhou_admin),
            ("reviewer", &reviewer),
        ] {
            let r = app.get(&path, Some(token)).await;
            assert!(
                matches!(r.status.as_u16(), 403 | 404),
                "{who} GET {path} -> {} {}",
                r.status,
                r.text
            );
        }
        app.get(&path, Some(&admin)).await.expect(200);
    }
}

/// Ids of every row of the reviewed modules' tables.
async fn all_ids(app: &TestApp, tables: &[&str]) -> Vec<String> {
    use sea_orm::ConnectionTrait as _;
    let mut out = Vec::new();
    for t in tables {
        let rows = app
            .db
            .query_all_raw(sea_orm::Statement::from_string(
                app.db.get_database_backend(),
                format!("SELECT id FROM {t}"),
            ))
            .await
            .unwrap_or_else(|e| panic!("{t}: {e}"));
        for r in rows {
            let id: uuid::Uuid = r.try_get("", "id").unwrap();
            out.push(id.to_string());
        }
    }
    out
}

/// The same probes against real objects in real states (a youth social organization with a
/// profile, an open rating round with an assignment, an open grant call with a proposal, a
/// library entry, a social worker, a partner and a webhook endpoint): extreme bodies on
/// existing rows reach the deep validation and storage code, never a 5xx.
#[tokio::test]
async fn garbage_input_against_real_objects_never_yields_a_server_error() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let spec: Value = serde_json::from_str(&api::openapi::spec().to_json().unwrap()).unwrap();
    let province = app.create_org(&admin, "共青团江苏省委", None).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = app
        .post(
            "/api/v1/organizations",
            Some(&admin),
            &json!({"name": "青年公益社", "kind": "youth_social_organization",
                    "region_code": "320102", "parent_id": province}),
        )
        .await;
    r.expect(201);
    let yso = r.body["id"].as_str().unwrap().to_owned();
    app.post(
        "/api/v1/youth-social-organizations",
        Some(&admin),
        &json!({"organization_id": yso, "field": "public_welfare",
                "new_field_group": "web_writers", "civil_affairs_registered": false,
                "registered_on": "2015-03-01", "contact_name": "张小明",
                "contact_phone": "13812341234", "league_branch": "团支部"}),
    )
    .await
    .expect(201);
    let templates = app.get("/api/v1/rating-templates", Some(&admin)).await;
    templates.expect(200);
    let template = templates.body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let round = app
        .post(
            "/api/v1/rating-rounds",
            Some(&admin),
            &json!({"name": "2026年度评价", "template_id": template,
                    "period_start": "2026-01-01", "period_end": "2026-12-31"}),
        )
        .await;
    round.expect(201);
    let round_id = round.body["id"].as_str().unwrap().to_owned();
    let reviewer = app.reviewer_token(&admin, None, "expert").await;
    let me = app.get("/api/v1/auth/me", Some(&reviewer)).await;
    app.post(
        &format!("/api/v1/rating-rounds/{round_id}/assignments"),
        Some(&admin),
        &json!({"organization_id": yso, "reviewer_account_id": me.body["id"]}),
    )
    .await
    .expect(201);
    let call = app
        .post(
            "/api/v1/grant-calls",
            Some(&admin),
            &json!({
                "organization_id": province, "title": "微创投", "description": "社区服务",
                "budget_fen": 1_000_000, "max_award_fen": 100_000,
                "eligible_kinds": ["youth_social_organization"],
                "submissions_open_at": "2020-01-01T00:00:00Z",
                "submissions_close_at": "2099-01-01T00:00:00Z",
            }),
        )
        .await;
    call.expect(201);
    let call_id = call.body["id"].as_str().unwrap().to_owned();
    app.post(
        &format!("/api/v1/grant-calls/{call_id}/open"),
        Some(&admin),
        &json!({}),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/v1/grant-calls/{call_id}/proposals"),
        Some(&admin),
        &json!({"organization_id": yso, "title": "课后服务", "requested_fen": 50_000,
                "plan": "每周三次"}),
    )
    .await
    .expect(201);
    app.post(
        "/api/v1/library-entries",
        Some(&admin),
        &json!({"kind": "case", "organization_id": yso, "title": "案例",
                "body": "背景", "field": "public_welfare", "region_code": "320102"}),
    )
    .await
    .expect(201);
    app.post(
        "/api/v1/youth-social-workers",
        Some(&admin),
        &json!({"organization_id": yso, "name": "王社工", "mobile": "13812341234",
                "qualification_level": "social_worker", "certificate_no": "SW-1"}),
    )
    .await
    .expect(201);
    let (vol, _) = self_registered_volunteer(&app, "张三", 3, Some(&yso)).await;
    SECRETS.with(|s| {
        s.borrow_mut().extend([
            crate::helpers::id_number("110101", "19900307", 3),
            crate::helpers::mobile_for(3),
            "13812341234".to_owned(),
        ]);
    });
    let vol_id = vol["id"].as_str().unwrap().to_owned();
    let p = app
        .post(
            "/api/v1/partners",
            Some(&admin),
            &json!({"name": "伙伴平台", "scope": [province]}),
        )
        .await;
    p.expect(201);
    app.post(
        "/api/v1/sync/webhook-endpoints",
        Some(&admin),
        &json!({"partner_id": p.body["id"], "url": "https://hooks.example.org/h",
                "event_types": ["record.approved"]}),
    )
    .await
    .expect(201);
    let mut values = all_ids(
        &app,
        &[
            "rating_rounds",
            "rating_assignments",
            "grant_calls",
            "grant_proposals",
            "library_entries",
            "youth_social_workers",
            "partner_platforms",
            "webhook_endpoints",
        ],
    )
    .await;
    values.push(yso.clone());
    values.push(vol_id.clone());
    values.push(format!("{round_id}|{yso}"));
    let refs: Vec<&str> = values.iter().map(String::as_str).collect();
    let failures = probe_all(&app, &spec, &admin, &refs, &[], true).await;
    assert!(
        failures.is_empty(),
        "server errors:\n{}",
        failures.join("\n")
    );
}

/// The same probes against awards and recognition objects: a campaign with a nomination, a
/// benefit offer with a claim, a sanction, a credit-list rule, a recognized platform with a key
/// and a signed document of an approved record.
#[tokio::test]
async fn garbage_input_against_awards_and_recognition_objects_never_yields_a_server_error() {
    use base64::Engine as _;
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let spec: Value = serde_json::from_str(&api::openapi::spec().to_json().unwrap()).unwrap();
    let city = app.create_org(&admin, "共青团南京市委", None).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = app
        .post(
            "/api/v1/organizations",
            Some(&admin),
            &json!({"name": "金陵影城", "kind": "partner_business", "region_code": "320100",
                    "parent_id": city}),
        )
        .await;
    r.expect(201);
    let business = r.body["id"].as_str().unwrap().to_owned();
    let (vol, vol_token) = self_registered_volunteer(&app, "王小明", 5, Some(&city)).await;
    SECRETS.with(|s| {
        s.borrow_mut().extend([
            crate::helpers::id_number("110101", "19900307", 5),
            crate::helpers::mobile_for(5),
        ]);
    });
    let vid = vol["id"].as_str().unwrap().to_owned();
    let records = crate::helpers::approved_minutes(&app, &admin, &vid, &city, 0, 120).await;
    let record_id = records[0]["id"].as_str().unwrap().to_owned();
    let now = chrono::Utc::now();
    let c = app
        .post(
            "/api/v1/award-campaigns",
            Some(&admin),
            &json!({
                "organization_id": city, "name": "优秀青年志愿者", "year": 2026,
                "level": "city", "quota": 3,
                "nomination_opens_at": (now - chrono::Duration::hours(1)).to_rfc3339(),
                "nomination_closes_at": (now + chrono::Duration::days(7)).to_rfc3339(),
                "criteria": {"min_minutes": 0, "period_from": "2025-01-01", "period_to": "2025-12-31"},
            }),
        )
        .await;
    c.expect(201);
    let cid = c.body["id"].as_str().unwrap().to_owned();
    app.post(
        &format!("/api/v1/award-campaigns/{cid}/open-nominations"),
        Some(&admin),
        &json!({}),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/v1/award-campaigns/{cid}/nominations"),
        Some(&admin),
        &json!({"volunteer_id": vid, "organization_id": city, "statement": "事迹突出。"}),
    )
    .await
    .expect(201);
    let today = crate::helpers::beijing_today();
    let offer = app
        .post(
            "/api/v1/benefit-offers",
            Some(&admin),
            &json!({"organization_id": business, "title": "观影八折", "description": "八折",
                    "valid_from": (today - chrono::Duration::days(1)).to_string(),
                    "valid_to": (today + chrono::Duration::days(30)).to_string(), "stock": 5}),
        )
        .await;
    offer.expect(201);
    let oid = offer.body["id"].as_str().unwrap().to_owned();
    let claim = app
        .post(
            &format!("/api/v1/benefit-offers/{oid}/claims"),
            Some(&vol_token),
            &json!({}),
        )
        .await;
    assert!(claim.status.is_success(), "{}", claim.text);
    app.post(
        &format!("/api/v1/volunteers/{vid}/sanctions"),
        Some(&admin),
        &json!({"kind": "warning", "starts_on": today.to_string(), "reason": "迟到"}),
    )
    .await
    .expect(201);
    app.post(
        "/api/v1/credit-list-rules",
        Some(&admin),
        &json!({"min_star_level": 1, "effective_from": today.to_string()}),
    )
    .await
    .expect(201);
    let key = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]);
    let x = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(key.verifying_key().as_bytes());
    let platform = app
        .post(
            "/api/v1/recognized-platforms",
            Some(&admin),
            &json!({"issuer": "https://other.example.cn", "name": "外省平台", "keys": [
                {"kty": "OKP", "crv": "Ed25519", "x": x, "kid": "k1", "alg": "EdDSA", "use": "sig"}
            ]}),
        )
        .await;
    platform.expect(201);
    let pid = platform.body["id"].as_str().unwrap().to_owned();
    let doc = app
        .post(
            &format!("/api/v1/service-records/{record_id}/signed-documents"),
            Some(&admin),
            &json!({}),
        )
        .await;
    assert!(doc.status.is_success(), "{}", doc.text);
    let mut values = all_ids(
        &app,
        &[
            "award_campaigns",
            "award_nominations",
            "benefit_offers",
            "benefit_claims",
            "volunteer_sanctions",
            "signed_documents",
        ],
    )
    .await;
    values.extend([vid.clone(), record_id, pid.clone(), format!("{pid}|k1")]);
    let refs: Vec<&str> = values.iter().map(String::as_str).collect();
    let failures = probe_all(&app, &spec, &admin, &refs, &[], true).await;
    let more = probe_all(&app, &spec, &vol_token, &refs, &[], false).await;
    let all: Vec<String> = failures.into_iter().chain(more).collect();
    assert!(all.is_empty(), "server errors:\n{}", all.join("\n"));
}

/// A webhook receiver that always answers 503 and counts the requests it gets.
async fn failing_receiver() -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use actix_web::{App, HttpResponse, HttpServer, web};
    use std::sync::atomic::{AtomicUsize, Ordering};
    let hits = std::sync::Arc::new(AtomicUsize::new(0));
    let h = hits.clone();
    let server = HttpServer::new(move || {
        let h = h.clone();
        App::new().default_service(web::to(move || {
            let h = h.clone();
            async move {
                h.fetch_add(1, Ordering::SeqCst);
                HttpResponse::ServiceUnavailable().finish()
            }
        }))
    })
    .workers(1)
    .bind(("127.0.0.1", 0))
    .unwrap();
    let port = server.addrs()[0].port();
    tokio::spawn(server.run());
    (format!("http://127.0.0.1:{port}/hooks"), hits)
}

/// Suspending a partner stops its webhooks at once: a delivery queued before the suspension
/// (here one being retried) is not sent again; it ends `failed`. Before the fix the worker kept
/// sending the suspended partner's queued and retried jobs (only the fan-out checked the
/// partner's status).
#[tokio::test]
async fn a_suspended_partner_gets_no_more_webhook_deliveries() {
    use std::sync::atomic::Ordering;
    let app = spawn_app_with(|s| {
        s.webhook_poll_ms = 50;
        s.webhook_backoff_ms = 100;
        s.webhook_max_attempts = 1000;
        s.webhook_timeout_ms = 2000;
    })
    .await;
    let admin = app.admin_token().await;
    let org = app.create_org(&admin, "南京团市委", None).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let p = app
        .post(
            "/api/v1/partners",
            Some(&admin),
            &json!({"name": "南京大学志愿系统", "scope": [org]}),
        )
        .await;
    p.expect(201);
    let pid = p.body["id"].as_str().unwrap().to_owned();
    let (url, hits) = failing_receiver().await;
    let ep = app
        .post(
            "/api/v1/sync/webhook-endpoints",
            Some(&admin),
            &json!({"partner_id": pid, "url": url, "event_types": ["volunteer.changed"]}),
        )
        .await;
    ep.expect(201);
    let ep_id = ep.body["endpoint"]["id"].as_str().unwrap().to_owned();
    crate::helpers::admin_registered_volunteer(&app, &admin, &org, "张三", 1).await;
    for _ in 0..300 {
        if hits.load(Ordering::SeqCst) >= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        hits.load(Ordering::SeqCst) >= 2,
        "the delivery was never retried"
    );
    app.post(
        &format!("/api/v1/partners/{pid}/suspend"),
        Some(&admin),
        &json!({"version": p.body["version"]}),
    )
    .await
    .expect(200);
    let deliveries = format!("/api/v1/sync/webhook-endpoints/{ep_id}/deliveries?status=failed");
    let mut failed = false;
    for _ in 0..100 {
        let r = app.get(&deliveries, Some(&admin)).await;
        r.expect(200);
        if r.body["total"] == 1 {
            failed = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        failed,
        "the suspended partner's delivery is still being retried"
    );
    let after = hits.load(Ordering::SeqCst);
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(
        hits.load(Ordering::SeqCst),
        after,
        "sent after the suspension"
    );
}

/// Signed documents of a record are not readable or issuable by another volunteer or by an org
/// admin of another city (404), while the record's own admin and volunteer may.
#[tokio::test]
async fn signed_documents_do_not_leak_across_volunteers_or_cities() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let nanjing = app.create_org(&admin, "南京团市委", None).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let suzhou = app.create_org(&admin, "苏州团市委", None).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let nanjing_admin = app.org_admin_token(&admin, &nanjing, "nj_admin").await;
    let suzhou_admin = app.org_admin_token(&admin, &suzhou, "sz_admin").await;
    let (a, a_token) = self_registered_volunteer(&app, "张三", 1, Some(&nanjing)).await;
    let (_b, b_token) = self_registered_volunteer(&app, "李四", 2, Some(&suzhou)).await;
    let aid = a["id"].as_str().unwrap();
    let records = crate::helpers::approved_minutes(&app, &admin, aid, &nanjing, 0, 60).await;
    let rid = records[0]["id"].as_str().unwrap();
    let issue = format!("/api/v1/service-records/{rid}/signed-documents");
    for token in [&suzhou_admin, &b_token] {
        let r = app.post(&issue, Some(token), &json!({})).await;
        assert!(matches!(r.status.as_u16(), 403 | 404), "{}", r.text);
    }
    let doc = app.post(&issue, Some(&nanjing_admin), &json!({})).await;
    assert!(doc.status.is_success(), "{}", doc.text);
    let did = doc.body["id"].as_str().unwrap();
    let read = format!("/api/v1/signed-documents/{did}");
    for token in [&suzhou_admin, &b_token] {
        let r = app.get(&read, Some(token)).await;
        assert!(matches!(r.status.as_u16(), 403 | 404), "{}", r.text);
    }
    app.get(&read, Some(&nanjing_admin)).await.expect(200);
    let own = app.get(&read, Some(&a_token)).await;
    assert!(matches!(own.status.as_u16(), 200 | 403), "{}", own.text);
}

/// A rating template whose maxima add up beyond i64 (two top-level indicators of i64::MAX, or
/// children that do) is refused with 422 like any other mismatch. Before the fix the sums
/// overflowed: a panic (no answer) in debug builds, a silently wrapped total in release.
#[tokio::test]
async fn rating_template_maxima_that_overflow_are_refused_not_a_crash() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let leaf = |code: &str, max: i64| json!({"code": code, "name": "指标", "weight": 1, "max_score": max, "evidence": "材料"});
    let bodies = [
        json!({"code": "overflow_top", "name": "溢出", "total_max_score": -2,
               "indicators": [leaf("a", i64::MAX), leaf("b", i64::MAX)]}),
        json!({"code": "overflow_children", "name": "溢出", "total_max_score": 100,
               "indicators": [{"code": "p", "name": "父", "weight": 1, "max_score": 100,
                               "evidence": "材料",
                               "children": [leaf("c", i64::MAX), leaf("d", i64::MAX)]}]}),
        json!({"code": "underflow_top", "name": "溢出", "total_max_score": 0,
               "indicators": [leaf("a", i64::MIN), leaf("b", i64::MIN)]}),
    ];
    for body in bodies {
        let r = app
            .client
            .post(format!("{}/api/v1/rating-templates", app.address))
            .bearer_auth(&admin)
            .json(&body)
            .send()
            .await;
        let r = r.unwrap_or_else(|e| panic!("no answer to {body}: {e}"));
        assert_eq!(r.status().as_u16(), 422, "{body}");
    }
}

/// Bodies whose arrays hold as many elements as fit in the JSON limit, sent by the platform admin
/// to every write operation without path parameters (the creates): a length check or a
/// per-item refusal, never the databases' bind-parameter limits (5xx).
#[tokio::test]
async fn long_arrays_never_yield_a_server_error() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let spec: Value = serde_json::from_str(&api::openapi::spec().to_json().unwrap()).unwrap();
    let mut failures = Vec::new();
    let mut sent = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        if path.contains('{') {
            continue;
        }
        for (method, op) in item.as_object().unwrap() {
            let Ok(m) = Method::from_bytes(method.to_uppercase().as_bytes()) else {
                continue;
            };
            let tagged = op["tags"]
                .as_array()
                .is_some_and(|t| t.iter().any(|t| TAGS.contains(&t.as_str().unwrap_or(""))));
            let schema = &op["requestBody"]["content"]["application/json"]["schema"];
            let Some(body) = tagged.then(|| long_arrays(&spec, schema)).flatten() else {
                continue;
            };
            sent += 1;
            let sent_body = app
                .client
                .request(m.clone(), format!("{}{path}", app.address))
                .bearer_auth(&admin)
                .json(&body)
                .send()
                .await;
            let (status, text) = match sent_body {
                Ok(r) => (r.status(), r.text().await.unwrap_or_default()),
                // Refused before the body was read (an admin token on a partner operation: 401
                // from the extractor): the client may see the reset instead of the answer.
                Err(_) if body.to_string().len() > 65_536 => continue,
                Err(e) => {
                    failures.push(format!("{m} {path}: no answer: {e}"));
                    continue;
                }
            };
            if status.is_server_error() {
                failures.push(format!("{m} {path} -> {status} {text}"));
            }
        }
    }
    assert!(sent >= 5, "only {sent} operations take arrays");
    assert!(
        failures.is_empty(),
        "server errors:\n{}",
        failures.join("\n")
    );
}
