//! Mutual recognition: approved records and certificates exported as signed documents (compact
//! JWS, EdDSA, the platform key of `/.well-known/jwks.json`), public verification (tampering,
//! swapped keys, unknown issuers, `alg: none` and HS256 forgeries, voided records, revoked
//! certificates), other platforms' keys (registration, rotation, revocation, suspension) and the
//! import of their records without counting hours twice.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::EncodePrivateKey as _;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{
    TestApp, admin_registered_volunteer, create_record, id_number, self_registered_volunteer,
    spawn_app,
};

const VERIFY: &str = "/api/v1/public/signed-documents/verify";
const OWN_ISSUER: &str = "https://volunteer.test";

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

/// Another volunteer platform: its own Ed25519 key, generated here, signing with jsonwebtoken.
struct OtherPlatform {
    issuer: String,
    kid: String,
    key: SigningKey,
}

impl OtherPlatform {
    fn new(issuer: &str, kid: &str, seed: u8) -> Self {
        Self {
            issuer: issuer.into(),
            kid: kid.into(),
            key: SigningKey::from_bytes(&[seed; 32]),
        }
    }

    fn jwk(&self) -> Value {
        json!({
            "kty": "OKP",
            "crv": "Ed25519",
            "x": B64URL.encode(self.key.verifying_key().as_bytes()),
            "kid": self.kid,
            "alg": "EdDSA",
            "use": "sig",
        })
    }

    fn sign(&self, claims: &Value) -> String {
        self.sign_typed(claims, "yv-record+jws")
    }

    fn sign_typed(&self, claims: &Value, typ: &str) -> String {
        let der = self.key.to_pkcs8_der().unwrap();
        let key = jsonwebtoken::EncodingKey::from_ed_der(der.as_bytes());
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::EdDSA);
        header.typ = Some(typ.into());
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &key).unwrap()
    }

    /// A record document of this platform for a person with these masked identifiers.
    fn record(&self, record_id: &str, person: &Person, start: &str, end: &str) -> Value {
        json!({
            "iss": self.issuer,
            "jti": format!("doc-{record_id}-{}", uuid::Uuid::now_v7()),
            "iat": chrono::Utc::now().timestamp(),
            "kind": "service_record",
            "record": {
                "id": record_id,
                "volunteer_number": "OTHER-000123",
                "masked_name": person.masked_name,
                "masked_id_number": person.masked_id,
                "organization_id": "org-77",
                "organization_name": "某市青年志愿者协会",
                "activity_name": "马拉松赛事服务",
                "service_category": "大型赛会",
                "place": "某市奥体中心",
                "content": "补给站服务",
                "started_at": start,
                "ended_at": end,
                "minutes": 240,
                "status": "approved",
                "approved_at": "2026-03-02T02:00:00Z",
            },
        })
    }
}

/// A local volunteer: id, masked name and masked ID number as another platform would show them.
struct Person {
    id: String,
    masked_name: String,
    masked_id: String,
}

fn mask_id(clear: &str) -> String {
    let n = clear.chars().count();
    clear
        .chars()
        .enumerate()
        .map(|(i, c)| if i < 4 || i + 4 >= n { c } else { '*' })
        .collect()
}

async fn person(app: &TestApp, token: &str, org: &str, seq: u32) -> Person {
    let v = admin_registered_volunteer(app, token, org, "王小明", seq).await;
    Person {
        id: id(&v),
        masked_name: "王**".into(),
        masked_id: mask_id(&id_number("110101", "19900307", seq)),
    }
}

/// The platform admin, a root organization with two children (A and B), admins of A and B.
struct World {
    admin: String,
    org_a: String,
    org_b: String,
    admin_a: String,
    admin_b: String,
}

async fn world(app: &TestApp) -> World {
    let admin = app.admin_token().await;
    let root = id(&app.create_org(&admin, "共青团江苏省委", None).await);
    let org_a = id(&app.create_org(&admin, "共青团南京市委", Some(&root)).await);
    let org_b = id(&app.create_org(&admin, "共青团苏州市委", Some(&root)).await);
    let admin_a = app.org_admin_token(&admin, &org_a, "admin_a").await;
    let admin_b = app.org_admin_token(&admin, &org_b, "admin_b").await;
    World {
        admin,
        org_a,
        org_b,
        admin_a,
        admin_b,
    }
}

async fn verify(app: &TestApp, document: &str) -> Value {
    let r = app.post(VERIFY, None, &json!({"document": document})).await;
    r.expect(200);
    r.body.clone()
}

fn part(document: &str, i: usize) -> Value {
    let p = document.split('.').nth(i).unwrap();
    serde_json::from_slice(&B64URL.decode(p).unwrap()).unwrap()
}

/// `document` with header / payload replaced (the signature kept).
fn with_part(document: &str, i: usize, value: &Value) -> String {
    let mut parts: Vec<String> = document.split('.').map(str::to_owned).collect();
    parts[i] = B64URL.encode(value.to_string());
    parts.join(".")
}

async fn register(app: &TestApp, admin: &str, other: &OtherPlatform, name: &str) -> Value {
    let r = app
        .post(
            "/api/v1/recognized-platforms",
            Some(admin),
            &json!({"issuer": other.issuer, "name": name, "keys": [other.jwk()]}),
        )
        .await;
    r.expect(201);
    r.body.clone()
}

async fn import(
    app: &TestApp,
    token: &str,
    document: &str,
    volunteer: &str,
    org: &str,
) -> crate::helpers::Reply {
    app.post(
        "/api/v1/recognized-records",
        Some(token),
        &json!({"document": document, "volunteer_id": volunteer, "organization_id": org}),
    )
    .await
}

async fn approved_minutes(app: &TestApp, token: &str, volunteer: &str) -> i64 {
    let r = app
        .get(
            &format!("/api/v1/volunteer-totals/{volunteer}"),
            Some(token),
        )
        .await;
    r.expect(200);
    r.body["approved_minutes"].as_i64().unwrap()
}

async fn export_record(app: &TestApp, token: &str, record: &str) -> crate::helpers::Reply {
    app.post(
        &format!("/api/v1/service-records/{record}/signed-documents"),
        Some(token),
        &json!({}),
    )
    .await
}

#[tokio::test]
async fn an_exported_record_verifies_and_tampering_swapped_keys_and_unknown_issuers_do_not() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let p = person(&app, &w.admin, &w.org_a, 11).await;
    let rec = create_record(
        &app,
        &w.admin_a,
        &p.id,
        &w.org_a,
        "2026-03-01T01:00:00Z",
        "2026-03-01T04:30:00Z",
        true,
    )
    .await;

    let r = export_record(&app, &w.admin_a, &id(&rec)).await;
    r.expect(201);
    let doc = r.body["document"].as_str().unwrap().to_owned();
    let location = r.headers["location"].to_str().unwrap().to_owned();
    assert_eq!(
        location,
        format!(
            "/api/v1/signed-documents/{}",
            r.body["id"].as_str().unwrap()
        )
    );
    let stored = app.get(&location, Some(&w.admin_a)).await;
    stored.expect(200);
    assert_eq!(stored.body["document"], r.body["document"]);
    assert_eq!(stored.body["issuer"], OWN_ISSUER);
    assert_eq!(r.body["typ"], "yv-record+jws");
    assert_eq!(r.body["service_record_id"], rec["id"]);

    // Header: EdDSA under the platform key of the JWKS; payload: issuer, masked person.
    let jwks = app.get("/.well-known/jwks.json", None).await;
    let header = part(&doc, 0);
    assert_eq!(header["alg"], "EdDSA");
    assert_eq!(header["typ"], "yv-record+jws");
    assert_eq!(header["kid"], jwks.body["keys"][0]["kid"]);
    let payload = part(&doc, 1);
    assert_eq!(payload["iss"], OWN_ISSUER);
    assert_eq!(payload["jti"], r.body["id"]);
    assert!(payload["iat"].as_i64().unwrap() > 1_700_000_000);
    let record = &payload["record"];
    assert_eq!(record["id"], rec["id"]);
    assert_eq!(record["masked_name"], "王**");
    assert_eq!(record["masked_id_number"], p.masked_id);
    assert_eq!(record["organization_id"].as_str().unwrap(), w.org_a);
    assert_eq!(record["organization_name"], "共青团南京市委");
    assert_eq!(record["started_at"], "2026-03-01T01:00:00Z");
    assert_eq!(record["ended_at"], "2026-03-01T04:30:00Z");
    assert_eq!(record["minutes"], 210);
    assert_eq!(record["status"], "approved");
    assert!(record["approved_at"].is_string());
    assert!(record["volunteer_number"].is_string());
    let clear = id_number("110101", "19900307", 11);
    assert!(!doc.contains(&clear) && !payload.to_string().contains(&clear));

    // Round trip.
    let v = verify(&app, &doc).await;
    assert_eq!(v["valid"], true, "{v}");
    assert!(v["reason"].is_null());
    assert_eq!(v["issuer"], OWN_ISSUER);
    assert_eq!(v["own_document"], true);
    assert_eq!(v["payload"]["record"]["id"], rec["id"]);

    // Tampered payload: more minutes.
    let mut forged = payload.clone();
    forged["record"]["minutes"] = json!(2100);
    let v = verify(&app, &with_part(&doc, 1, &forged)).await;
    assert_eq!(v["valid"], false);
    assert_eq!(v["reason"], "bad_signature");
    assert!(v["payload"].is_null());
    // Tampered signature: one character in the middle of the signature part (the last one
    // carries padding bits, whose change would be a malformed encoding instead).
    let at = doc.rfind('.').unwrap() + 10;
    let mut sig = doc.clone().into_bytes();
    sig[at] = if sig[at] == b'A' { b'B' } else { b'A' };
    let sig = String::from_utf8(sig).unwrap();
    assert_eq!(verify(&app, &sig).await["reason"], "bad_signature");

    // Swapped kid.
    let mut h = header.clone();
    h["kid"] = json!("0123456789abcdef");
    let v = verify(&app, &with_part(&doc, 0, &h)).await;
    assert_eq!(v["reason"], "unknown_key");
    // Unknown issuer.
    let mut other = payload.clone();
    other["iss"] = json!("https://unknown.example");
    let v = verify(&app, &with_part(&doc, 1, &other)).await;
    assert_eq!(v["reason"], "unknown_issuer");
    assert_eq!(v["issuer"], "https://unknown.example");

    // Only approved records are exported.
    let pending = create_record(
        &app,
        &w.admin_a,
        &p.id,
        &w.org_a,
        "2026-03-05T01:00:00Z",
        "2026-03-05T02:00:00Z",
        false,
    )
    .await;
    export_record(&app, &w.admin_a, &id(&pending))
        .await
        .expect_problem(409, "record_not_approved");
}

#[tokio::test]
async fn alg_none_hs256_and_garbage_are_refused_without_a_server_error() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let p = person(&app, &w.admin, &w.org_a, 12).await;
    let rec = create_record(
        &app,
        &w.admin,
        &p.id,
        &w.org_a,
        "2026-03-01T01:00:00Z",
        "2026-03-01T02:00:00Z",
        true,
    )
    .await;
    let doc = export_record(&app, &w.admin, &id(&rec)).await.body["document"]
        .as_str()
        .unwrap()
        .to_owned();
    let payload = part(&doc, 1);
    let kid = part(&doc, 0)["kid"].clone();

    // alg none, empty signature.
    let none = format!(
        "{}.{}.",
        B64URL.encode(json!({"alg": "none", "typ": "yv-record+jws", "kid": kid}).to_string()),
        B64URL.encode(payload.to_string())
    );
    let v = verify(&app, &none).await;
    assert_eq!(v["valid"], false);
    assert_eq!(v["reason"], "unsupported_algorithm");

    // HS256 keyed with the published public key (algorithm confusion).
    let jwks = app.get("/.well-known/jwks.json", None).await;
    let x = B64URL
        .decode(jwks.body["keys"][0]["x"].as_str().unwrap())
        .unwrap();
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    header.typ = Some("yv-record+jws".into());
    header.kid = kid.as_str().map(str::to_owned);
    let hs = jsonwebtoken::encode(
        &header,
        &payload,
        &jsonwebtoken::EncodingKey::from_secret(&x).unwrap(),
    )
    .unwrap();
    assert_eq!(verify(&app, &hs).await["reason"], "unsupported_algorithm");

    // Another typ.
    let mut h = part(&doc, 0);
    h["typ"] = json!("JWT");
    assert_eq!(
        verify(&app, &with_part(&doc, 0, &h)).await["reason"],
        "unsupported_type"
    );

    // Garbage of every shape: 200 malformed.
    let long = "a".repeat(70_000);
    for garbage in [
        "",
        "abc",
        "a.b.c",
        "a.b.c.d",
        "..",
        "e30.e30.e30",
        "bm90IGpzb24.bm90IGpzb24.c2ln",
        "\u{0}\u{1}",
        long.as_str(),
    ] {
        let v = verify(&app, garbage).await;
        assert_eq!(v["valid"], false, "{garbage:.20}");
        assert_eq!(v["reason"], "malformed", "{garbage:.20}");
    }
    // A wrong body is a problem (422 wrong type, 400 broken JSON), never a 500.
    app.post(VERIFY, None, &json!({"document": 5}))
        .await
        .expect_problem(422, "invalid_body");
    app.post_raw(VERIFY, None, "application/json", b"{".to_vec())
        .await
        .expect(400);
}

#[tokio::test]
async fn voided_and_corrected_records_and_revoked_certificates_no_longer_verify() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let p = person(&app, &w.admin, &w.org_a, 13).await;
    let voided = create_record(
        &app,
        &w.admin_a,
        &p.id,
        &w.org_a,
        "2026-03-01T01:00:00Z",
        "2026-03-01T02:00:00Z",
        true,
    )
    .await;
    let corrected = create_record(
        &app,
        &w.admin_a,
        &p.id,
        &w.org_a,
        "2026-03-02T01:00:00Z",
        "2026-03-02T02:00:00Z",
        true,
    )
    .await;
    let doc_voided = export_record(&app, &w.admin_a, &id(&voided)).await.body["document"]
        .as_str()
        .unwrap()
        .to_owned();
    let doc_corrected = export_record(&app, &w.admin_a, &id(&corrected)).await.body["document"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(verify(&app, &doc_voided).await["valid"], true);

    // A certificate over both, exported and verified while valid.
    let cert = app
        .post(
            "/api/v1/certificates",
            Some(&w.admin_a),
            &json!({"volunteer_id": p.id}),
        )
        .await;
    cert.expect(201);
    let serial = cert.body["serial"].as_str().unwrap().to_owned();
    let r = app
        .post(
            &format!("/api/v1/certificates/{serial}/signed-documents"),
            Some(&w.admin_a),
            &json!({}),
        )
        .await;
    r.expect(201);
    let doc_cert = r.body["document"].as_str().unwrap().to_owned();
    assert_eq!(part(&doc_cert, 0)["typ"], "yv-certificate+jws");
    let c = &part(&doc_cert, 1)["certificate"];
    assert_eq!(c["serial"], serial.as_str());
    assert_eq!(c["total_minutes"], 120);
    assert_eq!(c["records"].as_array().unwrap().len(), 2);
    assert_eq!(c["masked_id_number"], p.masked_id);
    let v = verify(&app, &doc_cert).await;
    assert_eq!(v["valid"], true, "{v}");
    assert_eq!(v["payload"]["certificate"]["serial"], serial.as_str());

    app.post(
        &format!("/api/v1/certificates/{serial}/revoke"),
        Some(&w.admin_a),
        &json!({"reason": "证明信息有误"}),
    )
    .await
    .expect(200);
    let v = verify(&app, &doc_cert).await;
    assert_eq!(v["valid"], false);
    assert_eq!(v["reason"], "certificate_revoked");
    app.post(
        &format!("/api/v1/certificates/{serial}/signed-documents"),
        Some(&w.admin_a),
        &json!({}),
    )
    .await
    .expect_problem(409, "certificate_not_valid");

    // Voiding and correcting after signing.
    app.post(
        &format!("/api/v1/service-records/{}/void", id(&voided)),
        Some(&w.admin_a),
        &json!({"reason": "活动未实际开展"}),
    )
    .await
    .expect(200);
    assert_eq!(verify(&app, &doc_voided).await["reason"], "record_voided");
    app.post(
        &format!("/api/v1/service-records/{}/corrections", id(&corrected)),
        Some(&w.admin_a),
        &json!({
            "started_at": "2026-03-02T01:00:00Z",
            "ended_at": "2026-03-02T01:30:00Z",
            "reason": "时长登记有误",
        }),
    )
    .await
    .expect(201);
    assert_eq!(
        verify(&app, &doc_corrected).await["reason"],
        "record_superseded"
    );
}

#[tokio::test]
async fn a_registered_platforms_document_verifies_and_imports_once() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let p = person(&app, &w.admin, &w.org_a, 14).await;
    let other = OtherPlatform::new("https://zyz.other-province.cn", "other-2026", 41);
    let doc =
        other.sign(&other.record("R-1001", &p, "2026-03-01T01:00:00Z", "2026-03-01T05:00:00Z"));

    // Before registration the issuer is unknown.
    assert_eq!(verify(&app, &doc).await["reason"], "unknown_issuer");
    import(&app, &w.admin_a, &doc, &p.id, &w.org_a)
        .await
        .expect_problem(422, "unknown_issuer");

    let platform = register(&app, &w.admin, &other, "某省志愿服务平台").await;
    assert_eq!(platform["issuer"], other.issuer.as_str());
    assert_eq!(platform["status"], "active");
    assert_eq!(platform["keys"][0]["kid"], "other-2026");
    assert_eq!(platform["keys"][0]["status"], "active");
    let v = verify(&app, &doc).await;
    assert_eq!(v["valid"], true, "{v}");
    assert_eq!(v["own_document"], false);
    assert_eq!(v["issuer_name"], "某省志愿服务平台");
    assert_eq!(v["payload"]["record"]["id"], "R-1001");

    let before = approved_minutes(&app, &w.admin, &p.id).await;
    let r = import(&app, &w.admin_a, &doc, &p.id, &w.org_a).await;
    r.expect(201);
    let location = r.headers["location"].to_str().unwrap().to_owned();
    assert_eq!(r.body["issuer"], other.issuer.as_str());
    assert_eq!(r.body["original_record_id"], "R-1001");
    assert_eq!(r.body["key_id"], "other-2026");
    assert_eq!(r.body["document_hash"].as_str().unwrap().len(), 64);
    assert!(r.body["imported_by"].is_string());
    let got = app.get(&location, Some(&w.admin_a)).await;
    got.expect(200);
    assert_eq!(got.body["id"], r.body["id"]);

    // In the ledger: approved, source recognized, external id issuer#record, counted once.
    let rec = app
        .get(
            &format!(
                "/api/v1/service-records/{}",
                r.body["service_record_id"].as_str().unwrap()
            ),
            Some(&w.admin_a),
        )
        .await;
    rec.expect(200);
    assert_eq!(rec.body["status"], "approved");
    assert_eq!(rec.body["source"], "recognized");
    assert_eq!(
        rec.body["external_id"],
        format!("{}#R-1001", other.issuer).as_str()
    );
    assert_eq!(rec.body["minutes"], 240);
    assert_eq!(rec.body["organization_id"].as_str().unwrap(), w.org_a);
    assert_eq!(rec.body["late"], false);
    assert_eq!(approved_minutes(&app, &w.admin, &p.id).await, before + 240);

    // The same document twice, and another document of the same origin record.
    import(&app, &w.admin_a, &doc, &p.id, &w.org_a)
        .await
        .expect_problem(409, "already_recognized");
    let again =
        other.sign(&other.record("R-1001", &p, "2026-03-01T01:00:00Z", "2026-03-01T05:00:00Z"));
    assert_ne!(again, doc);
    import(&app, &w.admin, &again, &p.id, &w.org_a)
        .await
        .expect_problem(409, "already_recognized");
    assert_eq!(approved_minutes(&app, &w.admin, &p.id).await, before + 240);

    let list = app
        .get(
            &format!("/api/v1/recognized-records?volunteer_id={}", p.id),
            Some(&w.admin_a),
        )
        .await;
    list.expect(200);
    assert_eq!(list.body["total"], 1);
    let list_b = app
        .get("/api/v1/recognized-records", Some(&w.admin_b))
        .await;
    list_b.expect(200);
    assert_eq!(list_b.body["total"], 0);
}

#[tokio::test]
async fn the_same_activity_from_two_platforms_or_already_recorded_here_is_counted_once() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let p = person(&app, &w.admin, &w.org_a, 15).await;
    let one = OtherPlatform::new("https://one.example", "k1", 51);
    let two = OtherPlatform::new("https://two.example", "k1", 52);
    register(&app, &w.admin, &one, "平台一").await;
    register(&app, &w.admin, &two, "平台二").await;

    let from_one = one.sign(&one.record("A-1", &p, "2026-03-01T01:00:00Z", "2026-03-01T05:00:00Z"));
    // The same marathon, recorded by the second platform with slightly other times.
    let from_two = two.sign(&two.record("B-9", &p, "2026-03-01T01:30:00Z", "2026-03-01T05:30:00Z"));
    import(&app, &w.admin_a, &from_one, &p.id, &w.org_a)
        .await
        .expect(201);
    let before = approved_minutes(&app, &w.admin, &p.id).await;
    import(&app, &w.admin_a, &from_two, &p.id, &w.org_a)
        .await
        .expect_problem(409, "overlaps_existing_record");
    assert_eq!(approved_minutes(&app, &w.admin, &p.id).await, before);
    // Nothing of the refused import was written.
    let records = app
        .get(
            &format!("/api/v1/service-records?volunteer_id={}", p.id),
            Some(&w.admin),
        )
        .await;
    assert_eq!(records.body["total"], 1);

    // A local approved record first: the recognised one overlapping it is refused too.
    create_record(
        &app,
        &w.admin_a,
        &p.id,
        &w.org_a,
        "2026-03-10T01:00:00Z",
        "2026-03-10T03:00:00Z",
        true,
    )
    .await;
    let overlapping =
        two.sign(&two.record("B-10", &p, "2026-03-10T02:00:00Z", "2026-03-10T04:00:00Z"));
    import(&app, &w.admin_a, &overlapping, &p.id, &w.org_a)
        .await
        .expect_problem(409, "overlaps_existing_record");
    // A later, separate activity from the second platform is fine.
    let separate =
        two.sign(&two.record("B-11", &p, "2026-03-11T02:00:00Z", "2026-03-11T04:00:00Z"));
    import(&app, &w.admin_a, &separate, &p.id, &w.org_a)
        .await
        .expect(201);
}

#[tokio::test]
async fn rotated_revoked_and_suspended_keys_are_honoured() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let p = person(&app, &w.admin, &w.org_a, 16).await;
    let old = OtherPlatform::new("https://rot.example", "2025-key", 61);
    let new = OtherPlatform::new("https://rot.example", "2026-key", 62);
    let platform = register(&app, &w.admin, &old, "轮换平台").await;
    let pid = id(&platform);
    let doc_old = old.sign(&old.record("X-1", &p, "2026-03-01T01:00:00Z", "2026-03-01T02:00:00Z"));
    let doc_new = new.sign(&new.record("X-2", &p, "2026-03-02T01:00:00Z", "2026-03-02T02:00:00Z"));
    assert_eq!(verify(&app, &doc_new).await["reason"], "unknown_key");

    // Rotation: add the new key, revoke the old one.
    let r = app
        .post(
            &format!("/api/v1/recognized-platforms/{pid}/keys"),
            Some(&w.admin),
            &new.jwk(),
        )
        .await;
    r.expect(201);
    assert_eq!(r.body["kid"], "2026-key");
    app.post(
        &format!("/api/v1/recognized-platforms/{pid}/keys"),
        Some(&w.admin),
        &new.jwk(),
    )
    .await
    .expect_problem(409, "key_exists");
    assert_eq!(verify(&app, &doc_new).await["valid"], true);
    assert_eq!(verify(&app, &doc_old).await["valid"], true);
    let r = app
        .post(
            &format!("/api/v1/recognized-platforms/{pid}/keys/2025-key/revoke"),
            Some(&w.admin),
            &json!({}),
        )
        .await;
    r.expect(200);
    assert_eq!(r.body["status"], "revoked");
    assert!(r.body["revoked_at"].is_string());
    app.post(
        &format!("/api/v1/recognized-platforms/{pid}/keys/2025-key/revoke"),
        Some(&w.admin),
        &json!({}),
    )
    .await
    .expect_problem(409, "key_already_revoked");
    let v = verify(&app, &doc_old).await;
    assert_eq!(v["valid"], false);
    assert_eq!(v["reason"], "revoked_key");
    import(&app, &w.admin_a, &doc_old, &p.id, &w.org_a)
        .await
        .expect_problem(422, "revoked_key");
    // A document signed by the new key but naming the old kid does not verify either way.
    let mut forged_kid = part(&doc_new, 0);
    forged_kid["kid"] = json!("2025-key");
    assert_eq!(
        verify(&app, &with_part(&doc_new, 0, &forged_kid)).await["reason"],
        "revoked_key"
    );

    // Suspension, with optimistic concurrency.
    let detail = app
        .get(
            &format!("/api/v1/recognized-platforms/{pid}"),
            Some(&w.admin),
        )
        .await;
    detail.expect(200);
    assert_eq!(detail.body["keys"].as_array().unwrap().len(), 2);
    let version = detail.body["version"].as_i64().unwrap();
    app.patch(
        &format!("/api/v1/recognized-platforms/{pid}"),
        Some(&w.admin),
        &json!({"version": version + 5, "status": "suspended"}),
    )
    .await
    .expect_problem(412, "version_mismatch");
    let s = app
        .patch(
            &format!("/api/v1/recognized-platforms/{pid}"),
            Some(&w.admin),
            &json!({"version": version, "status": "suspended"}),
        )
        .await;
    s.expect(200);
    assert_eq!(s.body["status"], "suspended");
    assert_eq!(verify(&app, &doc_new).await["reason"], "issuer_suspended");
    import(&app, &w.admin_a, &doc_new, &p.id, &w.org_a)
        .await
        .expect_problem(422, "issuer_suspended");
    app.patch(
        &format!("/api/v1/recognized-platforms/{pid}"),
        Some(&w.admin),
        &json!({"version": version + 1, "status": "active"}),
    )
    .await
    .expect(200);
    import(&app, &w.admin_a, &doc_new, &p.id, &w.org_a)
        .await
        .expect(201);

    let list = app
        .get("/api/v1/recognized-platforms?status=active", Some(&w.admin))
        .await;
    list.expect(200);
    assert_eq!(list.body["total"], 1);
}

#[tokio::test]
async fn platform_registration_validates_issuers_and_keys() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let other = OtherPlatform::new("https://val.example", "k1", 71);
    let post = |body: Value| {
        let app = &app;
        let admin = w.admin.clone();
        async move {
            app.post("/api/v1/recognized-platforms", Some(&admin), &body)
                .await
        }
    };
    let r = post(json!({"issuer": OWN_ISSUER, "name": "本平台", "keys": [other.jwk()]})).await;
    r.expect(422);
    assert_eq!(r.body["errors"][0]["code"], "own_issuer");
    let r = post(json!({"issuer": "bad issuer#1", "name": "x", "keys": [other.jwk()]})).await;
    assert_eq!(r.body["errors"][0]["code"], "issuer_format");
    let r = post(json!({"issuer": other.issuer, "name": "x", "keys": []})).await;
    assert_eq!(r.body["errors"][0]["code"], "keys_count");
    let mut private = other.jwk();
    private["d"] = json!(B64URL.encode([71u8; 32]));
    let r = post(json!({"issuer": other.issuer, "name": "x", "keys": [private]})).await;
    r.expect(422);
    assert_eq!(r.body["errors"][0]["field"], "keys[0].d");
    assert_eq!(r.body["errors"][0]["code"], "private_key_given");
    let mut short = other.jwk();
    short["x"] = json!("c2hvcnQ");
    let r = post(json!({"issuer": other.issuer, "name": "x", "keys": [short]})).await;
    assert_eq!(r.body["errors"][0]["code"], "invalid_public_key");
    let mut rsa = other.jwk();
    rsa["kty"] = json!("RSA");
    let r = post(json!({"issuer": other.issuer, "name": "x", "keys": [rsa]})).await;
    assert_eq!(r.body["errors"][0]["code"], "unsupported_key_type");
    let r = post(json!({"issuer": other.issuer, "name": "x", "keys": [other.jwk(), other.jwk()]}))
        .await;
    assert_eq!(r.body["errors"][0]["code"], "duplicate_kid");
    post(json!({"issuer": other.issuer, "name": "x", "keys": [other.jwk()]}))
        .await
        .expect(201);
    post(json!({"issuer": other.issuer, "name": "y", "keys": [other.jwk()]}))
        .await
        .expect_problem(409, "issuer_taken");

    // Platform admins only.
    app.post(
        "/api/v1/recognized-platforms",
        Some(&w.admin_a),
        &json!({"issuer": "https://z.example", "name": "z", "keys": [other.jwk()]}),
    )
    .await
    .expect(403);
    app.get("/api/v1/recognized-platforms", Some(&w.admin_a))
        .await
        .expect(403);
}

#[tokio::test]
async fn own_documents_and_mismatched_persons_are_refused_for_import() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let p = person(&app, &w.admin, &w.org_a, 17).await;
    let q = person(&app, &w.admin, &w.org_a, 18).await;
    let rec = create_record(
        &app,
        &w.admin_a,
        &p.id,
        &w.org_a,
        "2026-03-01T01:00:00Z",
        "2026-03-01T02:00:00Z",
        true,
    )
    .await;
    let own = export_record(&app, &w.admin_a, &id(&rec)).await.body["document"]
        .as_str()
        .unwrap()
        .to_owned();
    import(&app, &w.admin_a, &own, &p.id, &w.org_a)
        .await
        .expect_problem(422, "own_document");

    let other = OtherPlatform::new("https://mm.example", "k1", 81);
    register(&app, &w.admin, &other, "另一平台").await;
    // A document about p imported for q: the masked ID numbers differ.
    let doc = other.sign(&other.record("M-1", &p, "2026-03-03T01:00:00Z", "2026-03-03T02:00:00Z"));
    import(&app, &w.admin_a, &doc, &q.id, &w.org_a)
        .await
        .expect_problem(422, "person_mismatch");
    // Another name with the same masked ID.
    let mut claims = other.record("M-2", &p, "2026-03-04T01:00:00Z", "2026-03-04T02:00:00Z");
    claims["record"]["masked_name"] = json!("李**");
    import(&app, &w.admin_a, &other.sign(&claims), &p.id, &w.org_a)
        .await
        .expect_problem(422, "person_mismatch");
    // A record not approved at its origin.
    let mut pending = other.record("M-3", &p, "2026-03-05T01:00:00Z", "2026-03-05T02:00:00Z");
    pending["record"]["status"] = json!("pending");
    import(&app, &w.admin_a, &other.sign(&pending), &p.id, &w.org_a)
        .await
        .expect_problem(422, "record_not_approved");
    // A tampered foreign document.
    let mut forged = part(&doc, 1);
    forged["record"]["minutes"] = json!(9999);
    import(
        &app,
        &w.admin_a,
        &with_part(&doc, 1, &forged),
        &p.id,
        &w.org_a,
    )
    .await
    .expect_problem(422, "bad_signature");
    assert_eq!(approved_minutes(&app, &w.admin, &q.id).await, 0);

    // Another platform's certificate verifies but is not importable as a record.
    let record =
        other.record("M-4", &p, "2026-03-06T01:00:00Z", "2026-03-06T02:00:00Z")["record"].clone();
    let cert = other.sign_typed(
        &json!({
            "iss": other.issuer,
            "jti": "cert-doc-1",
            "iat": 1_770_000_000,
            "kind": "certificate",
            "certificate": {
                "serial": "OTHER-2026-1",
                "volunteer_number": "OTHER-000123",
                "masked_name": p.masked_name,
                "masked_id_number": p.masked_id,
                "issuing_organization_id": "org-77",
                "issuing_organization_name": "某市青年志愿者协会",
                "issued_at": "2026-03-07T00:00:00Z",
                "total_minutes": 60,
                "status": "valid",
                "records": [record],
            },
        }),
        "yv-certificate+jws",
    );
    let v = verify(&app, &cert).await;
    assert_eq!(v["valid"], true, "{v}");
    assert_eq!(v["payload"]["certificate"]["serial"], "OTHER-2026-1");
    import(&app, &w.admin_a, &cert, &p.id, &w.org_a)
        .await
        .expect_problem(422, "not_a_record_document");
    // A body that does not match its typ is malformed.
    let mismatched = other.sign_typed(
        &other.record("M-5", &p, "2026-03-08T01:00:00Z", "2026-03-08T02:00:00Z"),
        "yv-certificate+jws",
    );
    assert_eq!(verify(&app, &mismatched).await["reason"], "malformed");
}

#[tokio::test]
async fn export_and_import_follow_scopes_and_volunteers_export_only_their_own_records() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let (me, my_token) = self_registered_volunteer(&app, "赵小红", 19, Some(&w.org_a)).await;
    let someone = person(&app, &w.admin, &w.org_a, 20).await;
    let in_b = person(&app, &w.admin, &w.org_b, 21).await;
    let mine = create_record(
        &app,
        &w.admin_a,
        &id(&me),
        &w.org_a,
        "2026-03-01T01:00:00Z",
        "2026-03-01T02:00:00Z",
        true,
    )
    .await;
    let theirs = create_record(
        &app,
        &w.admin_a,
        &someone.id,
        &w.org_a,
        "2026-03-01T01:00:00Z",
        "2026-03-01T02:00:00Z",
        true,
    )
    .await;

    // The volunteer exports their own record and reads the stored document; not others'.
    let r = export_record(&app, &my_token, &id(&mine)).await;
    r.expect(201);
    let location = r.headers["location"].to_str().unwrap().to_owned();
    app.get(&location, Some(&my_token)).await.expect(200);
    export_record(&app, &my_token, &id(&theirs))
        .await
        .expect_problem(404, "not_found");
    // Admins outside the record's scope get 404; inside and platform admins 201.
    export_record(&app, &w.admin_b, &id(&mine))
        .await
        .expect_problem(404, "not_found");
    app.get(&location, Some(&w.admin_b))
        .await
        .expect_problem(404, "not_found");
    export_record(&app, &w.admin, &id(&theirs))
        .await
        .expect(201);
    // Anonymous: 401.
    app.request(
        Method::POST,
        &format!("/api/v1/service-records/{}/signed-documents", id(&mine)),
        None,
        Some(&json!({})),
    )
    .await
    .expect(401);

    // Certificates: the volunteer's own.
    let cert = app
        .post("/api/v1/certificates", Some(&my_token), &json!({}))
        .await;
    cert.expect(201);
    let serial = cert.body["serial"].as_str().unwrap();
    app.post(
        &format!("/api/v1/certificates/{serial}/signed-documents"),
        Some(&my_token),
        &json!({}),
    )
    .await
    .expect(201);
    app.post(
        &format!("/api/v1/certificates/{serial}/signed-documents"),
        Some(&w.admin_b),
        &json!({}),
    )
    .await
    .expect_problem(404, "not_found");

    // Import: a volunteer or organization outside the admin's scope is not found; volunteers
    // cannot import.
    let other = OtherPlatform::new("https://sc.example", "k1", 91);
    register(&app, &w.admin, &other, "范围平台").await;
    let doc =
        other.sign(&other.record("S-1", &in_b, "2026-03-07T01:00:00Z", "2026-03-07T02:00:00Z"));
    let r = import(&app, &w.admin_a, &doc, &in_b.id, &w.org_a).await;
    r.expect(422);
    assert_eq!(r.body["errors"][0]["code"], "volunteer_not_found");
    let r = import(&app, &w.admin_b, &doc, &in_b.id, &w.org_a).await;
    r.expect(422);
    assert_eq!(r.body["errors"][0]["code"], "organization_not_found");
    import(&app, &my_token, &doc, &in_b.id, &w.org_b)
        .await
        .expect(403);
    let ok = import(&app, &w.admin_b, &doc, &in_b.id, &w.org_b).await;
    ok.expect(201);
    let location = ok.headers["location"].to_str().unwrap().to_owned();
    app.get(&location, Some(&w.admin_b)).await.expect(200);
    app.get(&location, Some(&w.admin_a))
        .await
        .expect_problem(404, "not_found");
    app.get(&location, Some(&w.admin)).await.expect(200);
}

#[tokio::test]
async fn concurrent_imports_of_one_document_count_it_once() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let p = person(&app, &w.admin, &w.org_a, 22).await;
    let other = OtherPlatform::new("https://race.example", "k1", 101);
    register(&app, &w.admin, &other, "并发平台").await;
    let doc = other.sign(&other.record("C-1", &p, "2026-03-01T01:00:00Z", "2026-03-01T03:00:00Z"));
    let again =
        other.sign(&other.record("C-1", &p, "2026-03-01T01:00:00Z", "2026-03-01T03:00:00Z"));

    let (a, b, c, d) = tokio::join!(
        import(&app, &w.admin_a, &doc, &p.id, &w.org_a),
        import(&app, &w.admin, &doc, &p.id, &w.org_a),
        import(&app, &w.admin_a, &again, &p.id, &w.org_a),
        import(&app, &w.admin, &again, &p.id, &w.org_a),
    );
    let replies = [a, b, c, d];
    let created = replies.iter().filter(|r| r.status.as_u16() == 201).count();
    assert_eq!(created, 1, "exactly one import wins");
    for r in replies.iter().filter(|r| r.status.as_u16() != 201) {
        r.expect_problem(409, "already_recognized");
    }
    assert_eq!(approved_minutes(&app, &w.admin, &p.id).await, 120);
    let list = app
        .get(
            &format!("/api/v1/recognized-records?issuer={}", other.issuer),
            Some(&w.admin),
        )
        .await;
    assert_eq!(list.body["total"], 1);
}

#[tokio::test]
async fn a_recognised_platform_may_be_linked_to_a_registered_partner() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let other = OtherPlatform::new("https://linked.example", "k1", 111);
    let unknown = uuid::Uuid::now_v7();
    let r = app
        .post(
            "/api/v1/recognized-platforms",
            Some(&w.admin),
            &json!({"issuer": other.issuer, "name": "合作平台", "partner_platform_id": unknown, "keys": [other.jwk()]}),
        )
        .await;
    r.expect(422);
    assert_eq!(r.body["errors"][0]["code"], "partner_platform_not_found");

    let partner = app
        .post(
            "/api/v1/partners",
            Some(&w.admin),
            &json!({"name": "合作平台", "scope": [w.org_a]}),
        )
        .await;
    partner.expect(201);
    let partner_id = id(&partner.body);
    let platform = register(&app, &w.admin, &other, "合作平台").await;
    assert!(platform["partner_platform_id"].is_null());
    let r = app
        .patch(
            &format!("/api/v1/recognized-platforms/{}", id(&platform)),
            Some(&w.admin),
            &json!({"version": platform["version"], "partner_platform_id": unknown}),
        )
        .await;
    r.expect(422);
    let r = app
        .patch(
            &format!("/api/v1/recognized-platforms/{}", id(&platform)),
            Some(&w.admin),
            &json!({"version": platform["version"], "partner_platform_id": partner_id, "name": "合作平台（互认）"}),
        )
        .await;
    r.expect(200);
    assert_eq!(r.body["partner_platform_id"], partner_id.as_str());
    assert_eq!(r.body["name"], "合作平台（互认）");
    assert_eq!(r.body["version"], platform["version"].as_i64().unwrap() + 1);
}
