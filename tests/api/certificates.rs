//! Certificates of service records: issue (all or part of the approved records), Ed25519
//! signature checked against the published JWKS, public verification through revocation and
//! supersession by corrections, tamper detection, scope.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use ed25519_dalek::{Signature, Verifier as _, VerifyingKey};
use entity::certificate;
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, EntityTrait as _, QueryFilter as _,
};
use serde_json::{Value, json};

use crate::helpers::{TestApp, create_record, self_registered_volunteer, spawn_app};

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

struct World {
    admin: String,
    nanjing: String,
    nanjing_admin: String,
    suzhou_admin: String,
    volunteer: String,
    volunteer_token: String,
}

async fn world(app: &TestApp) -> World {
    let admin = app.admin_token().await;
    let province = id(&app.create_org(&admin, "共青团江苏省委", None).await);
    let nanjing = id(&app
        .create_org(&admin, "共青团南京市委", Some(&province))
        .await);
    let suzhou = id(&app
        .create_org(&admin, "共青团苏州市委", Some(&province))
        .await);
    let nanjing_admin = app.org_admin_token(&admin, &nanjing, "nj-admin").await;
    let suzhou_admin = app.org_admin_token(&admin, &suzhou, "sz-admin").await;
    let (vol, volunteer_token) = self_registered_volunteer(app, "张三丰", 1, Some(&nanjing)).await;
    World {
        admin,
        nanjing,
        nanjing_admin,
        suzhou_admin,
        volunteer: id(&vol),
        volunteer_token,
    }
}

/// Two approved records (150 + 90 minutes) and one pending; returns their ids.
async fn records(app: &TestApp, w: &World) -> (String, String, String) {
    let t = &w.nanjing_admin;
    let a = create_record(
        app,
        t,
        &w.volunteer,
        &w.nanjing,
        "2026-03-02T09:00:00+08:00",
        "2026-03-02T11:30:00+08:00",
        true,
    )
    .await;
    let b = create_record(
        app,
        t,
        &w.volunteer,
        &w.nanjing,
        "2026-04-02T09:00:00+08:00",
        "2026-04-02T10:30:00+08:00",
        true,
    )
    .await;
    let p = create_record(
        app,
        t,
        &w.volunteer,
        &w.nanjing,
        "2026-05-02T09:00:00+08:00",
        "2026-05-02T10:00:00+08:00",
        false,
    )
    .await;
    (id(&a), id(&b), id(&p))
}

async fn jwks_key(app: &TestApp) -> (VerifyingKey, String) {
    let r = app.get("/.well-known/jwks.json", None).await;
    r.expect(200);
    let key = &r.body["keys"][0];
    assert_eq!(key["kty"], "OKP");
    assert_eq!(key["crv"], "Ed25519");
    assert_eq!(key["alg"], "EdDSA");
    assert_eq!(key["use"], "sig");
    let x: [u8; 32] = B64URL
        .decode(key["x"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let vk = VerifyingKey::from_bytes(&x).unwrap();
    let kid = key["kid"].as_str().unwrap().to_owned();
    assert_eq!(kid.len(), 16);
    assert_eq!(kid, api::records::signing::key_id(&vk));
    (vk, kid)
}

fn signature_checks(vk: &VerifyingKey, payload: &str, signature: &str) -> bool {
    let Ok(bytes) = B64URL.decode(signature) else {
        return false;
    };
    let Ok(bytes) = <[u8; 64]>::try_from(bytes.as_slice()) else {
        return false;
    };
    vk.verify(payload.as_bytes(), &Signature::from_bytes(&bytes))
        .is_ok()
}

async fn verify(app: &TestApp, serial: &str) -> Value {
    let r = app
        .get(&format!("/api/v1/certificates/{serial}/verify"), None)
        .await;
    r.expect(200);
    r.body
}

#[tokio::test]
async fn a_volunteer_gets_a_signed_certificate_that_anyone_can_verify_until_it_is_revoked() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let (a, b, _) = records(&app, &w).await;

    let r = app
        .post("/api/v1/certificates", Some(&w.volunteer_token), &json!({}))
        .await;
    r.expect(201);
    let cert = r.body.clone();
    let serial = cert["serial"].as_str().unwrap().to_owned();
    assert!(
        serial.starts_with("ZYZM-20") && serial.ends_with("-00000001"),
        "{serial}"
    );
    assert_eq!(
        r.headers["location"].to_str().unwrap(),
        format!("/api/v1/certificates/{serial}")
    );
    assert_eq!(cert["total_minutes"], 240);
    assert_eq!(cert["total_hours"], "4");
    assert_eq!(cert["record_count"], 2);
    assert_eq!(cert["masked_name"], "张**");
    let masked = cert["masked_id_number"].as_str().unwrap();
    assert!(
        masked.starts_with("1101**********") && masked.len() == 18,
        "{masked}"
    );
    assert_eq!(cert["issuing_organization_name"], "共青团南京市委");
    assert_eq!(cert["status"], "valid");
    let listed: Vec<&str> = cert["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(listed, [a.as_str(), b.as_str()]);
    assert_eq!(cert["records"][0]["service_date"], "2026-03-02");
    assert_eq!(cert["records"][0]["activity_name"], "社区环境整治");
    // The payload holds no full ID number or real name.
    let payload = cert["payload"].as_str().unwrap();
    assert!(!payload.contains("张三丰"));

    // Public verification, checked independently with the JWKS key.
    let (vk, kid) = jwks_key(&app).await;
    let v = verify(&app, &serial).await;
    assert_eq!(v["status"], "valid");
    assert_eq!(v["serial"], serial);
    assert_eq!(v["issuing_organization_name"], "共青团南京市委");
    assert_eq!(v["total_hours"], "4");
    assert_eq!(v["masked_name"], "张**");
    assert_eq!(v["key_id"], kid);
    assert_eq!(v["signature_valid"], true);
    let payload = v["payload"].as_str().unwrap();
    let signature = v["signature"].as_str().unwrap();
    assert!(signature_checks(&vk, payload, signature));
    let signed: Value = serde_json::from_str(payload).unwrap();
    assert_eq!(signed["serial"], serial);
    assert_eq!(signed["total_minutes"], 240);
    assert_eq!(signed["key_id"], kid);

    // A tampered signature or payload fails verification with the published key.
    let mut sig = B64URL.decode(signature).unwrap();
    sig[10] ^= 0x01;
    assert!(!signature_checks(&vk, payload, &B64URL.encode(&sig)));
    let forged = payload.replace("\"total_minutes\":240", "\"total_minutes\":2400");
    assert_ne!(forged, payload);
    assert!(!signature_checks(&vk, &forged, signature));

    // The volunteer reads it; revocation is for admins.
    app.get(
        &format!("/api/v1/certificates/{serial}"),
        Some(&w.volunteer_token),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/v1/certificates/{serial}/revoke"),
        Some(&w.volunteer_token),
        &json!({"reason": "撤销"}),
    )
    .await
    .expect_problem(403, "forbidden");
    let revoked = app
        .post(
            &format!("/api/v1/certificates/{serial}/revoke"),
            Some(&w.nanjing_admin),
            &json!({"reason": "信息有误"}),
        )
        .await;
    revoked.expect(200);
    assert_eq!(revoked.body["status"], "revoked");
    assert_eq!(revoked.body["revoke_reason"], "信息有误");
    let v = verify(&app, &serial).await;
    assert_eq!(v["status"], "revoked");
    assert_eq!(v["signature_valid"], true);
    app.post(
        &format!("/api/v1/certificates/{serial}/revoke"),
        Some(&w.nanjing_admin),
        &json!({"reason": "再次"}),
    )
    .await
    .expect_problem(409, "certificate_not_valid");
}

#[tokio::test]
async fn an_unknown_serial_answers_unknown() {
    let app = spawn_app().await;
    let v = verify(&app, "ZYZM-2026-99999999").await;
    assert_eq!(v["status"], "unknown");
    assert_eq!(v["serial"], "ZYZM-2026-99999999");
    assert!(v["payload"].is_null() && v["issuing_organization_name"].is_null());
}

#[tokio::test]
async fn correcting_or_voiding_a_certified_record_supersedes_the_certificate() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let (a, b, _) = records(&app, &w).await;
    let t = &w.nanjing_admin;
    // An admin issues one certificate for A only and one for B only.
    let ca = app
        .post(
            "/api/v1/certificates",
            Some(t),
            &json!({"volunteer_id": w.volunteer, "record_ids": [a]}),
        )
        .await;
    ca.expect(201);
    assert_eq!(ca.body["total_minutes"], 150);
    assert_eq!(ca.body["record_count"], 1);
    let cb = app
        .post(
            "/api/v1/certificates",
            Some(t),
            &json!({"volunteer_id": w.volunteer, "record_ids": [b]}),
        )
        .await;
    cb.expect(201);
    let sa = ca.body["serial"].as_str().unwrap().to_owned();
    let sb = cb.body["serial"].as_str().unwrap().to_owned();
    assert_ne!(sa, sb);

    app.post(
        &format!("/api/v1/service-records/{a}/corrections"),
        Some(t),
        &json!({"started_at": "2026-03-02T09:00:00+08:00", "ended_at": "2026-03-02T10:00:00+08:00", "reason": "时长更正"}),
    )
    .await
    .expect(201);
    assert_eq!(verify(&app, &sa).await["status"], "superseded");
    assert_eq!(verify(&app, &sb).await["status"], "valid");

    app.post(
        &format!("/api/v1/service-records/{b}/void"),
        Some(t),
        &json!({"reason": "活动取消"}),
    )
    .await
    .expect(200);
    assert_eq!(verify(&app, &sb).await["status"], "superseded");
    // A superseded certificate cannot be revoked; a new one covers the current records.
    app.post(
        &format!("/api/v1/certificates/{sb}/revoke"),
        Some(t),
        &json!({"reason": "撤销"}),
    )
    .await
    .expect_problem(409, "certificate_not_valid");
    let fresh = app
        .post("/api/v1/certificates", Some(&w.volunteer_token), &json!({}))
        .await;
    fresh.expect(201);
    assert_eq!(fresh.body["total_minutes"], 60);
    assert_eq!(fresh.body["record_count"], 1);
}

#[tokio::test]
async fn certificates_need_approved_records_of_the_volunteer() {
    let app = spawn_app().await;
    let w = world(&app).await;
    app.post("/api/v1/certificates", Some(&w.volunteer_token), &json!({}))
        .await
        .expect_problem(422, "no_approved_records");
    let (a, _, pending) = records(&app, &w).await;
    let r = app
        .post(
            "/api/v1/certificates",
            Some(&w.volunteer_token),
            &json!({"record_ids": [a, pending]}),
        )
        .await;
    r.expect_problem(422, "validation_failed");
    assert_eq!(r.body["errors"][0]["field"], "record_ids[1]");
    assert_eq!(r.body["errors"][0]["code"], "record_not_eligible");
    app.post(
        "/api/v1/certificates",
        Some(&w.volunteer_token),
        &json!({"record_ids": []}),
    )
    .await
    .expect_problem(422, "no_approved_records");
    app.post("/api/v1/certificates", Some(&w.nanjing_admin), &json!({}))
        .await
        .expect_problem(422, "validation_failed");
    app.post(
        "/api/v1/certificates",
        Some(&w.volunteer_token),
        &json!({"extra": 1}),
    )
    .await
    .expect_problem(422, "invalid_body");
}

#[tokio::test]
async fn certificates_are_scoped_to_the_volunteer_and_their_admins() {
    let app = spawn_app().await;
    let w = world(&app).await;
    records(&app, &w).await;
    let r = app
        .post("/api/v1/certificates", Some(&w.volunteer_token), &json!({}))
        .await;
    r.expect(201);
    let serial = r.body["serial"].as_str().unwrap().to_owned();
    let (_, other_token) = self_registered_volunteer(&app, "李四", 2, None).await;
    for token in [&w.suzhou_admin, &other_token] {
        app.get(&format!("/api/v1/certificates/{serial}"), Some(token))
            .await
            .expect_problem(404, "not_found");
    }
    app.post(
        &format!("/api/v1/certificates/{serial}/revoke"),
        Some(&w.suzhou_admin),
        &json!({"reason": "越权"}),
    )
    .await
    .expect_problem(404, "not_found");
    app.post(
        "/api/v1/certificates",
        Some(&w.suzhou_admin),
        &json!({"volunteer_id": w.volunteer}),
    )
    .await
    .expect_problem(404, "not_found");
    // Another volunteer cannot request one for someone else.
    app.post(
        "/api/v1/certificates",
        Some(&other_token),
        &json!({"volunteer_id": w.volunteer}),
    )
    .await
    .expect_problem(404, "not_found");
    app.get(
        &format!("/api/v1/certificates/{serial}"),
        Some(&w.nanjing_admin),
    )
    .await
    .expect(200);
    app.get(&format!("/api/v1/certificates/{serial}"), Some(&w.admin))
        .await
        .expect(200);
}

#[tokio::test]
async fn a_certificate_altered_in_the_database_fails_verification() {
    let app = spawn_app().await;
    let w = world(&app).await;
    records(&app, &w).await;
    let r = app
        .post("/api/v1/certificates", Some(&w.volunteer_token), &json!({}))
        .await;
    r.expect(201);
    let serial = r.body["serial"].as_str().unwrap().to_owned();
    let row = certificate::Entity::find()
        .filter(certificate::Column::Serial.eq(serial.clone()))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let forged = row
        .payload
        .replace("\"total_minutes\":240", "\"total_minutes\":9999");
    let mut active: certificate::ActiveModel = row.into();
    active.payload = Set(forged);
    active.update(&app.db).await.unwrap();
    let v = verify(&app, &serial).await;
    assert_eq!(v["signature_valid"], false);
    let (vk, _) = jwks_key(&app).await;
    assert!(!signature_checks(
        &vk,
        v["payload"].as_str().unwrap(),
        v["signature"].as_str().unwrap()
    ));
}
