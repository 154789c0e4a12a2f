//! The API contract: the committed `openapi.yaml` matches the code, every operation declares
//! who may call it and its errors, protected operations refuse anonymous callers, and the
//! operational endpoints answer.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::spawn_app;

const ROLES: [&str; 4] = ["platform_admin", "org_admin", "volunteer", "reviewer"];

fn operations() -> Vec<(String, &'static str, utoipa::openapi::path::Operation)> {
    let spec = api::openapi::spec();
    let mut out = Vec::new();
    for (path, item) in spec.paths.paths {
        let ops = [
            ("GET", item.get),
            ("POST", item.post),
            ("PUT", item.put),
            ("PATCH", item.patch),
            ("DELETE", item.delete),
        ];
        for (m, op) in ops {
            if let Some(op) = op {
                out.push((path.clone(), m, op));
            }
        }
    }
    out
}

#[test]
fn the_committed_openapi_yaml_matches_the_code() {
    let yaml = api::openapi::spec().to_yaml().expect("yaml");
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.yaml");
    if std::env::var("UPDATE_OPENAPI").is_ok_and(|v| v == "1") {
        std::fs::write(path, &yaml).expect("write openapi.yaml");
        return;
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == yaml,
        "openapi.yaml is out of date: run `UPDATE_OPENAPI=1 cargo test --workspace openapi` and commit it"
    );
}

#[test]
fn every_operation_declares_roles_tag_summary_id_and_error_responses() {
    let ops = operations();
    assert!(ops.len() >= 15, "only {} operations", ops.len());
    let mut ids = BTreeSet::new();
    for (path, method, op) in ops {
        let name = format!("{method} {path}");
        let security = op
            .security
            .as_ref()
            .unwrap_or_else(|| panic!("{name}: no security declaration"));
        assert!(!security.is_empty(), "{name}: empty security list");
        let value = serde_json::to_value(security).unwrap();
        for requirement in value.as_array().unwrap() {
            for (scheme, scopes) in requirement.as_object().unwrap() {
                let scopes = scopes.as_array().unwrap();
                if scheme == "partner_auth" {
                    // Partner platforms (client-credentials tokens) have no roles.
                    assert!(scopes.is_empty(), "{name}: partner_auth takes no scopes");
                    continue;
                }
                assert_eq!(scheme, "bearer_auth", "{name}: unknown scheme");
                assert!(!scopes.is_empty(), "{name}: bearer_auth without roles");
                for s in scopes {
                    assert!(
                        ROLES.contains(&s.as_str().unwrap()),
                        "{name}: unknown role {s}"
                    );
                }
            }
        }
        assert!(
            op.tags.as_ref().is_some_and(|t| !t.is_empty()),
            "{name}: no tag"
        );
        assert!(
            op.summary.as_ref().is_some_and(|s| !s.is_empty()),
            "{name}: no summary"
        );
        let id = op
            .operation_id
            .clone()
            .unwrap_or_else(|| panic!("{name}: no operation id"));
        assert!(
            ids.insert(id.clone()),
            "{name}: duplicate operation id {id}"
        );
        let protected = value
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r.as_object().is_some_and(|o| !o.is_empty()));
        let codes: Vec<&String> = op.responses.responses.keys().collect();
        if protected {
            assert!(
                codes.iter().any(|c| *c == "401"),
                "{name}: protected but no 401 response"
            );
        }
        assert!(
            codes.iter().any(|c| c.starts_with('2')),
            "{name}: no success response"
        );
    }
}

#[tokio::test]
async fn every_protected_operation_refuses_anonymous_callers() {
    let app = spawn_app().await;
    let mut checked = 0;
    for (path, method, op) in operations() {
        let value = serde_json::to_value(op.security.unwrap()).unwrap();
        let public = value
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r.as_object().is_some_and(|o| o.is_empty()));
        if public {
            continue;
        }
        let concrete: String = path
            .split('/')
            .map(|seg| {
                if seg.starts_with('{') {
                    uuid::Uuid::now_v7().to_string()
                } else {
                    seg.to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        let m = Method::from_bytes(method.as_bytes()).unwrap();
        let body = (m != Method::GET).then(|| json!({}));
        let r = app.request(m.clone(), &concrete, None, body.as_ref()).await;
        assert_eq!(
            r.status.as_u16(),
            401,
            "{m} {path} answered {} to an anonymous caller",
            r.text
        );
        checked += 1;
    }
    assert!(checked >= 10);
}

#[tokio::test]
async fn swagger_ui_and_the_served_spec_are_available() {
    let app = spawn_app().await;
    let ui = app.get("/swagger-ui/", None).await;
    ui.expect(200);
    assert!(ui.text.contains("swagger"), "not the Swagger UI page");
    let redirect = app.get("/swagger-ui", None).await;
    assert!(redirect.status.is_redirection());
    let served = app.get("/api-docs/openapi.json", None).await;
    served.expect(200);
    assert!(served.body["openapi"].as_str().unwrap().starts_with("3.1"));
    let expected: Value = serde_json::from_str(&api::openapi::spec().to_json().unwrap()).unwrap();
    assert_eq!(served.body, expected);
}

#[tokio::test]
async fn health_metrics_and_request_ids_work() {
    let app = spawn_app().await;
    app.get("/health/live", None).await.expect(200);
    let ready = app.get("/health/ready", None).await;
    ready.expect(200);
    assert_eq!(ready.body["status"], "ok");
    let id = ready.headers["x-request-id"].to_str().unwrap();
    assert!(!id.is_empty());

    let echoed = app
        .client
        .get(format!("{}/health/live", app.address))
        .header("x-request-id", "client-id-123")
        .send()
        .await
        .unwrap();
    assert_eq!(echoed.headers()["x-request-id"], "client-id-123");

    let metrics = app.get("/metrics", None).await;
    metrics.expect(200);
    assert!(metrics.text.contains("api_http_requests_total"));
    let problem = app.get("/api/v1/unknown", None).await;
    assert!(problem.headers.contains_key("x-request-id"));
}
