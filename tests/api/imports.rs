//! Roster import: the shipped example rosters, re-uploads, formats, headings and scope.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

const CSV: &str = include_str!("../../examples/roster-1000.csv");
const FAULTS: &str = include_str!("../../examples/roster-1000.faults.txt");

async fn org(app: &TestApp, admin: &str, name: &str, parent: Option<&str>) -> String {
    app.create_org(admin, name, parent).await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn upload_csv(app: &TestApp, token: &str, org: &str, body: &[u8]) -> crate::helpers::Reply {
    app.post_raw(
        &format!("/api/v1/volunteers/imports?organization_id={org}"),
        Some(token),
        "text/csv",
        body.to_vec(),
    )
    .await
}

/// Line number → fault, from the shipped fault list.
fn faults() -> BTreeMap<usize, String> {
    FAULTS
        .lines()
        .filter_map(|l| l.strip_prefix("line "))
        .filter_map(|l| l.split_once(": "))
        .map(|(n, f)| (n.parse().unwrap(), f.to_owned()))
        .collect()
}

#[tokio::test]
async fn importing_the_shipped_roster_stores_valid_rows_and_reports_every_bad_one() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let org = org(&app, &admin, "共青团南京市委", None).await;
    let r = upload_csv(&app, &admin, &org, CSV.as_bytes()).await;
    r.expect(200);
    let faults = faults();
    assert_eq!(r.body["total_rows"], 1000);
    assert_eq!(
        r.body["created"].as_u64().unwrap() as usize,
        1000 - faults.len()
    );
    let rows = r.body["rows"].as_array().unwrap();
    for row in rows {
        let line = row["line"].as_u64().unwrap() as usize;
        match faults.get(&line).map(String::as_str) {
            None => assert_eq!(row["status"], "created", "line {line}: {row}"),
            Some("duplicate ID number inside the file") => {
                assert_eq!(row["status"], "duplicate", "line {line}");
                assert_eq!(row["errors"][0]["code"], "duplicate_in_file");
            }
            Some(fault) => {
                assert_eq!(row["status"], "rejected", "line {line} ({fault}): {row}");
                let code = row["errors"][0]["code"].as_str().unwrap();
                let expected = match fault {
                    "wrong ID check digit" => "id_number_checksum",
                    "mobile number does not start with 13-19" => "mobile_format",
                    "unknown region code" => "region_unknown",
                    "missing name" => "name_empty",
                    "12 years old: below the minimum age" => "below_minimum_age",
                    other => panic!("unknown fault {other}"),
                };
                assert_eq!(code, expected, "line {line}: {row}");
            }
        }
        if row["status"] == "created" {
            assert_eq!(row["volunteer_number"].as_str().unwrap().len(), 12);
        }
    }

    // The volunteers are listed with masked ID numbers; no full ID number leaves the server.
    let list = app
        .get(
            &format!("/api/v1/volunteers?organization_id={org}&per_page=100"),
            Some(&admin),
        )
        .await;
    list.expect(200);
    assert_eq!(list.body["total"], r.body["created"]);
    let first_id = CSV.lines().nth(1).unwrap().split(',').nth(3).unwrap();
    assert!(!list.text.contains(first_id));
    for v in list.body["items"].as_array().unwrap() {
        assert!(v["id_number"].as_str().unwrap().contains("****"), "{v}");
        assert!(v["mobile"].as_str().unwrap().contains("****"), "{v}");
    }
}

#[tokio::test]
async fn re_uploading_the_same_roster_creates_nothing_twice() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let org = org(&app, &admin, "共青团南京市委", None).await;
    let first = upload_csv(&app, &admin, &org, CSV.as_bytes()).await;
    first.expect(200);
    let second = upload_csv(&app, &admin, &org, CSV.as_bytes()).await;
    second.expect(200);
    assert_eq!(second.body["created"], 0);
    assert_eq!(second.body["rejected"], first.body["rejected"]);
    assert_eq!(
        second.body["duplicates"].as_u64().unwrap(),
        first.body["created"].as_u64().unwrap() + first.body["duplicates"].as_u64().unwrap()
    );
    let list = app
        .get(
            &format!("/api/v1/volunteers?organization_id={org}"),
            Some(&admin),
        )
        .await;
    assert_eq!(list.body["total"], first.body["created"]);
}

#[tokio::test]
async fn the_shipped_xlsx_roster_imports_through_a_multipart_form() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let org = org(&app, &admin, "某大学团委", None).await;
    let bytes =
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/roster.xlsx")).unwrap();
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name("roster.xlsx"),
    );
    let res = app
        .client
        .post(format!(
            "{}/api/v1/volunteers/imports?organization_id={org}",
            app.address
        ))
        .bearer_auth(&admin)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["total_rows"], 50);
    // The workbook is `make_rosters`' 50-row roster (seed 11, 6 % bad rows).
    let expected = crate::roster_gen::generate(50, 11, 60, 2026);
    let good = expected.iter().filter(|r| r.fault.is_none()).count();
    assert_eq!(body["created"].as_u64().unwrap() as usize, good, "{body}");
    for (row, generated) in body["rows"].as_array().unwrap().iter().zip(&expected) {
        assert_eq!(
            row["status"] == "created",
            generated.fault.is_none(),
            "{row}"
        );
    }
    assert_eq!(
        body["created"].as_u64().unwrap()
            + body["duplicates"].as_u64().unwrap()
            + body["rejected"].as_u64().unwrap(),
        50
    );
}

#[tokio::test]
async fn a_gbk_csv_with_region_names_and_english_headings_are_understood() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let org = org(&app, &admin, "共青团玄武区委", None).await;
    let id = crate::helpers::id_number("320102", "19950301", 123);
    let text = format!(
        "姓名,证件号码,手机号码,所在地区,技能\n张三,{id},+86 138 0013 8000,江苏省南京市玄武区,急救、外语\n"
    );
    let (gbk, _, _) = encoding_rs_gbk(&text);
    let r = upload_csv(&app, &admin, &org, &gbk).await;
    r.expect(200);
    assert_eq!(r.body["created"], 1, "{}", r.text);
    let v = app
        .get(
            &format!(
                "/api/v1/volunteers/{}",
                r.body["rows"][0]["volunteer_id"].as_str().unwrap()
            ),
            Some(&admin),
        )
        .await;
    assert_eq!(v.body["real_name"], "张三");
    assert_eq!(v.body["region_code"], "320102");
    assert_eq!(v.body["skills"], json!(["急救", "外语"]));
    assert_eq!(v.body["gender"], "male");

    let id2 = crate::helpers::id_number("320102", "19960401", 124);
    let english =
        format!("name,id_number,mobile,region_code\nJosé Müller,{id2},13900139000,320102\n");
    let r = upload_csv(&app, &admin, &org, english.as_bytes()).await;
    assert_eq!(r.body["created"], 1, "{}", r.text);
}

/// GBK bytes of a string (the encoder of the roster tests, kept local to the test).
fn encoding_rs_gbk(s: &str) -> (Vec<u8>, (), ()) {
    // Excel on Chinese Windows saves CSV as GBK; build such bytes by hand for the few
    // characters used here via the api crate's dependency-free path: round-trip through
    // the server is what is tested, so the bytes must really be GBK.
    let mut out = Vec::new();
    for ch in s.chars() {
        match ch {
            '姓' => out.extend([0xD0, 0xD5]),
            '名' => out.extend([0xC3, 0xFB]),
            '证' => out.extend([0xD6, 0xA4]),
            '件' => out.extend([0xBC, 0xFE]),
            '号' => out.extend([0xBA, 0xC5]),
            '码' => out.extend([0xC2, 0xEB]),
            '手' => out.extend([0xCA, 0xD6]),
            '机' => out.extend([0xBB, 0xFA]),
            '所' => out.extend([0xCB, 0xF9]),
            '在' => out.extend([0xD4, 0xDA]),
            '地' => out.extend([0xB5, 0xD8]),
            '区' => out.extend([0xC7, 0xF8]),
            '技' => out.extend([0xBC, 0xBC]),
            '能' => out.extend([0xC4, 0xDC]),
            '张' => out.extend([0xD5, 0xC5]),
            '三' => out.extend([0xC8, 0xFD]),
            '江' => out.extend([0xBD, 0xAD]),
            '苏' => out.extend([0xCB, 0xD5]),
            '省' => out.extend([0xCA, 0xA1]),
            '南' => out.extend([0xC4, 0xCF]),
            '京' => out.extend([0xBE, 0xA9]),
            '市' => out.extend([0xCA, 0xD0]),
            '玄' => out.extend([0xD0, 0xFE]),
            '武' => out.extend([0xCE, 0xE4]),
            '急' => out.extend([0xBC, 0xB1]),
            '救' => out.extend([0xBE, 0xC8]),
            '、' => out.extend([0xA1, 0xA2]),
            '外' => out.extend([0xCD, 0xE2]),
            '语' => out.extend([0xD3, 0xEF]),
            c if c.is_ascii() => out.push(c as u8),
            c => panic!("no GBK code for {c} in this test table"),
        }
    }
    (out, (), ())
}

#[tokio::test]
async fn unreadable_files_missing_headings_and_wrong_types_are_clear_problems() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let org = org(&app, &admin, "团委", None).await;
    upload_csv(
        &app,
        &admin,
        &org,
        "姓名,手机号码\n张三,13800138000\n".as_bytes(),
    )
    .await
    .expect_problem(422, "roster_headings_missing");
    upload_csv(&app, &admin, &org, b"")
        .await
        .expect_problem(422, "roster_unreadable");
    app.post_raw(
        &format!("/api/v1/volunteers/imports?organization_id={org}"),
        Some(&admin),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        b"PK\x03\x04not really a workbook".to_vec(),
    )
    .await
    .expect_problem(422, "roster_unreadable");
    app.post_raw(
        &format!("/api/v1/volunteers/imports?organization_id={org}"),
        Some(&admin),
        "application/json",
        b"{}".to_vec(),
    )
    .await
    .expect_problem(415, "unsupported_media_type");
    app.post_raw(
        "/api/v1/volunteers/imports",
        Some(&admin),
        "text/csv",
        b"x".to_vec(),
    )
    .await
    .expect_problem(400, "invalid_query");
}

#[tokio::test]
async fn an_org_admin_cannot_import_into_another_subtree_and_sees_only_their_imports() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let province = org(&app, &admin, "团省委", None).await;
    let nanjing = org(&app, &admin, "南京", Some(&province)).await;
    let suzhou = org(&app, &admin, "苏州", Some(&province)).await;
    let nj_admin = app.org_admin_token(&admin, &nanjing, "nanjing-admin").await;
    let sz_admin = app.org_admin_token(&admin, &suzhou, "suzhou-admin").await;

    let refused = upload_csv(&app, &nj_admin, &suzhou, CSV.as_bytes()).await;
    refused.expect_problem(422, "validation_failed");
    assert_eq!(refused.body["errors"][0]["code"], "organization_not_found");

    let ok = upload_csv(&app, &nj_admin, &nanjing, CSV.as_bytes()).await;
    ok.expect(200);
    let created = ok.body["created"].clone();
    assert_eq!(
        app.get("/api/v1/volunteers", Some(&nj_admin)).await.body["total"],
        created
    );
    assert_eq!(
        app.get("/api/v1/volunteers", Some(&sz_admin)).await.body["total"],
        0
    );
    let one = ok.body["rows"][0]["volunteer_id"].as_str().unwrap();
    app.get(&format!("/api/v1/volunteers/{one}"), Some(&sz_admin))
        .await
        .expect_problem(404, "not_found");
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

#[tokio::test]
async fn a_tiny_workbook_with_a_cell_at_the_far_corner_of_the_sheet_is_refused_and_the_service_survives()
 {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let org = org(&app, &admin, "团委", None).await;
    // Two cells, A1 and XFD1048576: a 6 KB file whose extent is 17 billion cells.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string_only(0, 0, "姓名").unwrap();
    sheet.write_string_only(1_048_575, 16_383, "x").unwrap();
    let bytes = book.save_to_buffer().unwrap();
    app.post_raw(
        &format!("/api/v1/volunteers/imports?organization_id={org}"),
        Some(&admin),
        XLSX,
        bytes,
    )
    .await
    .expect_problem(422, "roster_unreadable");
    // Wide but short: a heading row reaching column XFD.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string_only(0, 0, "姓名").unwrap();
    sheet.write_string_only(0, 16_383, "x").unwrap();
    app.post_raw(
        &format!("/api/v1/volunteers/imports?organization_id={org}"),
        Some(&admin),
        XLSX,
        book.save_to_buffer().unwrap(),
    )
    .await
    .expect_problem(422, "roster_unreadable");
    app.get("/health/ready", None).await.expect(200);
}

#[tokio::test]
async fn a_workbook_that_inflates_to_hundreds_of_megabytes_is_refused_without_parsing_it() {
    use std::io::Write as _;
    // A real roster workbook plus one extra part of 256 MB of zeros (a few hundred KB deflated).
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (i, h) in ["姓名", "证件号码", "手机号码", "所在地区"]
        .iter()
        .enumerate()
    {
        sheet
            .write_string_only(0, u16::try_from(i).unwrap(), h)
            .unwrap();
    }
    let plain = book.save_to_buffer().unwrap();
    let mut source = zip::ZipArchive::new(std::io::Cursor::new(plain)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..source.len() {
        out.raw_copy_file(source.by_index(i).unwrap()).unwrap();
    }
    out.start_file(
        "xl/media/padding.bin",
        zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(true),
    )
    .unwrap();
    let zeros = vec![0u8; 1024 * 1024];
    for _ in 0..256 {
        out.write_all(&zeros).unwrap();
    }
    let bomb = out.finish().unwrap().into_inner();
    assert!(bomb.len() < 2 * 1024 * 1024, "{} bytes", bomb.len());
    // Built before the app starts: deflating takes a while in debug builds, longer than the
    // server keeps an idle connection open.
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let org = org(&app, &admin, "团委", None).await;
    let r = app
        .post_raw(
            &format!("/api/v1/volunteers/imports?organization_id={org}"),
            Some(&admin),
            XLSX,
            bomb,
        )
        .await;
    r.expect_problem(422, "roster_unreadable");
    assert!(
        r.body["detail"]
            .as_str()
            .unwrap()
            .contains("unpacks to more than"),
        "{}",
        r.body
    );
}

#[tokio::test]
async fn a_roster_larger_than_one_insert_step_maps_every_row_to_its_own_volunteer() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let org = org(&app, &admin, "共青团玄武区委", None).await;
    // 4,500 rows: more than two insert steps of 2,000, with 2 % bad rows spread over all steps.
    let generated = crate::roster_gen::generate(4_500, 7, 20, 2026);
    let csv = crate::roster_gen::to_csv(&generated);
    let r = upload_csv(&app, &admin, &org, csv.as_bytes()).await;
    r.expect(200);
    let good = generated.iter().filter(|g| g.fault.is_none()).count();
    assert!(good > 4_000 && good < 4_500, "{good}");
    assert_eq!(r.body["created"].as_u64().unwrap() as usize, good);
    let rows = r.body["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 4_500);
    let mut numbers = std::collections::HashSet::new();
    for (row, g) in rows.iter().zip(&generated) {
        assert_eq!(row["status"] == "created", g.fault.is_none(), "{row}");
        if row["status"] == "created" {
            assert!(numbers.insert(row["volunteer_number"].as_str().unwrap().to_owned()));
        }
    }
    // Rows of each insert step name the volunteer stored for them: same number, and the masked
    // ID number ends like the row's.
    for line in [0usize, 1_999, 2_000, 2_001, 4_001, 4_499] {
        let (row, g) = (&rows[line], &generated[line]);
        if row["status"] != "created" {
            continue;
        }
        let v = app
            .get(
                &format!(
                    "/api/v1/volunteers/{}",
                    row["volunteer_id"].as_str().unwrap()
                ),
                Some(&admin),
            )
            .await;
        v.expect(200);
        assert_eq!(v.body["volunteer_number"], row["volunteer_number"]);
        let id_number = &g.cells[crate::roster_gen::HEADINGS
            .iter()
            .position(|h| *h == "证件号码")
            .unwrap()];
        let masked = v.body["id_number"].as_str().unwrap();
        assert_eq!(
            masked[masked.len() - 4..].to_uppercase(),
            id_number[id_number.len() - 4..].to_uppercase(),
            "line {line}"
        );
    }
}

#[tokio::test]
async fn duplicates_are_found_across_insert_steps_inside_the_file_and_against_the_platform() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let org = org(&app, &admin, "共青团鼓楼区委", None).await;
    let mut generated = crate::roster_gen::generate(4_500, 11, 0, 2026);
    // The ID number with the gender it implies (the roster's gender must agree with it).
    let id_of = |rows: &[crate::roster_gen::Row], i: usize| {
        (rows[i].cells[1].clone(), rows[i].cells[3].clone())
    };
    // Rows 100 and 3,000 are registered before the big upload.
    let earlier = crate::roster_gen::to_csv(&[
        crate::roster_gen::Row {
            cells: generated[100].cells.clone(),
            fault: None,
        },
        crate::roster_gen::Row {
            cells: generated[3_000].cells.clone(),
            fault: None,
        },
    ]);
    let r = upload_csv(&app, &admin, &org, earlier.as_bytes()).await;
    r.expect(200);
    assert_eq!(r.body["created"], 2);
    // Steps hold 2,000 rows: rows 0–1,999 (lines 2–2,001), 2,000–3,999, 4,000–4,499.
    let planted = [
        (2_500, id_of(&generated, 10)),    // first seen in an earlier step
        (4_200, id_of(&generated, 3_000)), // registered before, in the last step
        (1_999, id_of(&generated, 100)),   // registered before, last row of a step…
        (2_000, id_of(&generated, 100)),   // … and again in the first row of the next
        (2_001, id_of(&generated, 1_998)), // last-but-one row of the previous step
        (2_002, id_of(&generated, 2_003)), // the next row, in the same step
    ];
    for (i, (gender, id)) in &planted {
        generated[*i].cells[1] = gender.clone();
        generated[*i].cells[3] = id.clone();
    }
    let csv = crate::roster_gen::to_csv(&generated);
    let r = upload_csv(&app, &admin, &org, csv.as_bytes()).await;
    r.expect(200);
    let rows = r.body["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 4_500);
    let status = |i: usize| (rows[i]["status"].clone(), rows[i]["errors"][0].clone());
    let registered = |i: usize| {
        let (s, e) = status(i);
        assert_eq!(s, "duplicate", "row {i}: {}", rows[i]);
        assert_eq!(e["code"], "duplicate_id_number", "row {i}: {}", rows[i]);
    };
    let in_file = |i: usize, first_line: usize| {
        let (s, e) = status(i);
        assert_eq!(s, "duplicate", "row {i}: {}", rows[i]);
        assert_eq!(e["code"], "duplicate_in_file", "row {i}: {}", rows[i]);
        assert_eq!(
            e["message"],
            format!("same ID number as line {first_line}"),
            "row {i}"
        );
    };
    for i in [100, 3_000, 4_200, 1_999, 2_000] {
        registered(i);
    }
    in_file(2_500, 12);
    in_file(2_001, 2_000);
    // Row 2,002 comes first: row 2,003 is its duplicate.
    assert_eq!(rows[2_002]["status"], "created");
    in_file(2_003, 2_004);
    let duplicates = 8;
    assert_eq!(r.body["duplicates"], duplicates);
    assert_eq!(r.body["created"], 4_500 - duplicates);
    assert_eq!(r.body["rejected"], 0);
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(row["line"], i + 2);
    }
    let list = app
        .get(
            &format!("/api/v1/volunteers?organization_id={org}&per_page=1"),
            Some(&admin),
        )
        .await;
    assert_eq!(list.body["total"], 2 + 4_500 - duplicates);
}

#[tokio::test]
async fn a_roster_found_too_long_after_steps_were_stored_stores_nothing() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let org = org(&app, &admin, "共青团秦淮区委", None).await;
    // 2,500 valid rows (more than one insert step), then blank records past the row limit.
    let mut csv = crate::roster_gen::to_csv(&crate::roster_gen::generate(2_500, 5, 0, 2026));
    csv.push_str(&",\n".repeat(48_000));
    let r = upload_csv(&app, &admin, &org, csv.as_bytes()).await;
    r.expect_problem(422, "roster_unreadable");
    assert!(
        r.body["detail"].as_str().unwrap().contains("at most"),
        "{}",
        r.body
    );
    let list = app
        .get(
            &format!("/api/v1/volunteers?organization_id={org}&per_page=1"),
            Some(&admin),
        )
        .await;
    assert_eq!(list.body["total"], 0);
}
