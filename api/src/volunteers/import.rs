//! Roster import (`POST /api/v1/volunteers/imports`): an organization admin uploads a CSV or
//! XLSX roster; every row is validated exactly like a registration; valid new rows are stored
//! in one transaction (with an active membership of the organization), rows whose ID number is
//! already registered — on the platform or earlier in the same file — are reported as
//! duplicates, invalid rows as rejected with their field problems. Re-uploading a file creates
//! nothing twice.

use std::collections::HashMap;

use actix_web::http::header::CONTENT_TYPE;
use actix_web::{HttpRequest, post, web};
use entity::enums::{MembershipStatus, RegionLevel, Role};
use entity::region;
use futures_util::StreamExt as _;
use sea_orm::{EntityTrait as _, QuerySelect as _, TransactionTrait as _};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::roster::{self, RegionIndex};
use super::service::{
    VolunteerInput, check_joinable, existing_id_hashes, insert_prepared, validate,
};
use crate::audit::{self, Actor, Entry};
use crate::auth::{AuthUser, Scope};
use crate::error::{ApiError, FieldIssue, Problem};
use crate::organizations::handlers::actor;
use crate::state::AppState;

/// Outcome of one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RowStatus {
    /// Stored as a new volunteer.
    Created,
    /// Not stored: the ID number is already registered, or appeared earlier in the file.
    Duplicate,
    /// Not stored: see `errors`.
    Rejected,
}

/// Result of one roster row. Personal values are not echoed.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportRowOut {
    /// Line in the file (the heading is line 1).
    pub line: usize,
    /// Created, duplicate or rejected.
    pub status: RowStatus,
    /// The new volunteer (created rows).
    pub volunteer_id: Option<Uuid>,
    /// The new volunteer number (created rows).
    pub volunteer_number: Option<String>,
    /// Field problems (rejected rows) or the duplicate reason.
    pub errors: Vec<FieldIssue>,
}

/// Result of an import.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportOut {
    /// Organization the volunteers were registered for.
    pub organization_id: Uuid,
    /// Data rows read (blank rows skipped).
    pub total_rows: usize,
    /// Rows stored.
    pub created: usize,
    /// Rows skipped as duplicates.
    pub duplicates: usize,
    /// Rows refused.
    pub rejected: usize,
    /// One entry per data row, in file order.
    pub rows: Vec<ImportRowOut>,
}

/// Query of an import.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// Organization (in the caller's scope) that registers the volunteers.
    pub organization_id: Uuid,
}

/// A raw roster file in the body (documented as binary so that clients send bytes).
#[derive(Debug, ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(
    dead_code,
    reason = "documents the raw body; the body is read as a stream"
)]
pub struct RosterFile(Vec<u8>);

/// Multipart form of an upload (for Swagger UI and browsers).
#[derive(Debug, ToSchema)]
#[allow(
    dead_code,
    reason = "documents the multipart form; the body is read as a stream"
)]
pub struct RosterUpload {
    /// The roster file: CSV (UTF-8 or GBK) or XLSX.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// Reads the uploaded file: a raw body, or the `file` part (else the first part) of a
/// multipart form; at most `limit` bytes.
async fn read_upload(
    req: &HttpRequest,
    payload: web::Payload,
    limit: usize,
) -> Result<Vec<u8>, ApiError> {
    let content_type = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let too_large = || ApiError::PayloadTooLarge { limit };
    if content_type.starts_with("multipart/form-data") {
        let mut form = actix_multipart::Multipart::new(req.headers(), payload);
        let mut chosen: Option<Vec<u8>> = None;
        while let Some(field) = form.next().await {
            let mut field = field.map_err(|e| ApiError::BadRequest {
                code: "malformed_multipart",
                detail: e.to_string(),
            })?;
            let is_file = field.name() == Some("file");
            let mut bytes = Vec::new();
            while let Some(chunk) = field.next().await {
                let chunk = chunk.map_err(|e| ApiError::BadRequest {
                    code: "malformed_multipart",
                    detail: e.to_string(),
                })?;
                if bytes.len() + chunk.len() > limit {
                    return Err(too_large());
                }
                bytes.extend_from_slice(&chunk);
            }
            if is_file || chosen.is_none() {
                chosen = Some(bytes);
            }
            if is_file {
                break;
            }
        }
        return chosen.ok_or_else(|| ApiError::BadRequest {
            code: "malformed_multipart",
            detail: "the form has no `file` part".into(),
        });
    }
    let accepted = [
        "text/csv",
        "application/csv",
        "text/plain",
        "application/octet-stream",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.ms-excel",
    ];
    if !accepted.iter().any(|a| content_type.starts_with(a)) {
        return Err(ApiError::UnsupportedMediaType(
            "send the roster as text/csv, an XLSX workbook, or multipart/form-data with a `file` part".into(),
        ));
    }
    let mut payload = payload;
    let mut bytes = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| ApiError::BadRequest {
            code: "malformed_body",
            detail: e.to_string(),
        })?;
        if bytes.len() + chunk.len() > limit {
            return Err(too_large());
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// Volunteers inserted per step of an import.
const IMPORT_CHUNK: usize = 2_000;

/// Imports a roster for `organization_id`.
///
/// # Errors
/// 422 `validation_failed` on `organization_id` (outside scope or inactive), 422
/// `roster_unreadable` / `roster_headings_missing`, 409 `duplicate_id_number` when a concurrent
/// registration takes an ID number between the check and the insert (retry), database errors.
pub async fn import(
    state: &AppState,
    scope: &Scope,
    actor: &Actor,
    organization_id: Uuid,
    bytes: Vec<u8>,
) -> Result<ImportOut, ApiError> {
    let mut issues = Vec::new();
    check_joinable(&state.db, scope, organization_id, &mut issues).await?;
    if !issues.is_empty() {
        return Err(ApiError::Validation(issues));
    }
    let regions: Vec<(String, String, RegionLevel, Option<String>)> = region::Entity::find()
        .select_only()
        .columns([
            region::Column::Code,
            region::Column::Name,
            region::Column::Level,
            region::Column::ParentCode,
        ])
        .into_tuple()
        .all(&state.db)
        .await?;
    let crypto = state.crypto.clone();
    let today = state.today();
    let min_age = state.settings.min_volunteer_age;
    // Parsing, validation, encryption and hashing are CPU work: keep them off the I/O threads.
    let checked = tokio::task::spawn_blocking(move || -> Result<_, ApiError> {
        let index = RegionIndex::new(&regions);
        let rows = roster::parse(&bytes)?;
        Ok(rows
            .into_iter()
            .map(|row| {
                let prepared = row.to_input(organization_id, &index).and_then(|input| {
                    validate(
                        &crypto,
                        &VolunteerInput::from(input),
                        today,
                        min_age,
                        &|c| index.contains(c),
                    )
                });
                (row.line, prepared)
            })
            .collect::<Vec<_>>())
    })
    .await
    .map_err(ApiError::internal)??;

    let hashes: Vec<String> = checked
        .iter()
        .filter_map(|(_, p)| p.as_ref().ok().map(|p| p.id_number_hash.clone()))
        .collect();
    let txn = state.db.begin().await?;
    let existing = existing_id_hashes(&txn, &hashes).await?;
    let mut first_line: HashMap<String, usize> = HashMap::new();
    let mut results = Vec::with_capacity(checked.len());
    let mut to_insert = Vec::new();
    let mut insert_slots = Vec::new();
    for (line, prepared) in checked {
        let (status, errors) = match prepared {
            Err(errors) => (RowStatus::Rejected, errors),
            Ok(p) if existing.contains(&p.id_number_hash) => (
                RowStatus::Duplicate,
                vec![FieldIssue::new(
                    "id_number",
                    "duplicate_id_number",
                    "this ID number is already registered",
                )],
            ),
            Ok(p) => match first_line.get(&p.id_number_hash) {
                Some(first) => (
                    RowStatus::Duplicate,
                    vec![FieldIssue::new(
                        "id_number",
                        "duplicate_in_file",
                        format!("same ID number as line {first}"),
                    )],
                ),
                None => {
                    first_line.insert(p.id_number_hash.clone(), line);
                    insert_slots.push(results.len());
                    to_insert.push(p);
                    (RowStatus::Created, Vec::new())
                }
            },
        };
        results.push(ImportRowOut {
            line,
            status,
            volunteer_id: None,
            volunteer_number: None,
            errors,
        });
    }
    // In chunks: a chunk's models, memberships and change-log snapshots are dropped before the
    // next is built, so memory does not grow with the size of the roster (one transaction still).
    let mut slots = insert_slots.into_iter();
    let mut pending = to_insert.into_iter().peekable();
    while pending.peek().is_some() {
        let chunk: Vec<_> = pending.by_ref().take(IMPORT_CHUNK).collect();
        let created = insert_prepared(
            &txn,
            chunk,
            Some(organization_id),
            Some((organization_id, MembershipStatus::Active)),
            today,
            actor,
            "import",
        )
        .await?;
        // `created` first: zip stops on it before taking a slot of the next chunk.
        for (model, slot) in created.into_iter().zip(slots.by_ref()) {
            if let Some(row) = results.get_mut(slot) {
                row.volunteer_id = Some(model.id);
                row.volunteer_number = Some(model.volunteer_number);
            }
        }
    }
    let count = |s: RowStatus| results.iter().filter(|r| r.status == s).count();
    let out = ImportOut {
        organization_id,
        total_rows: results.len(),
        created: count(RowStatus::Created),
        duplicates: count(RowStatus::Duplicate),
        rejected: count(RowStatus::Rejected),
        rows: results,
    };
    audit::record(
        &txn,
        actor,
        Entry {
            action: "import",
            entity_type: "organization",
            entity_id: organization_id,
            fields: vec!["volunteers".into()],
            reason: Some(format!(
                "{} rows: {} created, {} duplicates, {} rejected",
                out.total_rows, out.created, out.duplicates, out.rejected
            )),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(out)
}

/// Import a roster (花名册) of volunteers for an organization.
///
/// Body: the file itself (`text/csv` in UTF-8 or GBK, or an XLSX workbook), or
/// `multipart/form-data` with a `file` part. The first row holds the headings (Chinese or
/// English: 姓名, 性别, 证件类型, 证件号码, 手机号码, 所在地区 or a region code, 技能, 服务类别, …).
/// Each row is validated like a registration. Valid new rows are stored with an active
/// membership; the answer lists every row as created, duplicate or rejected with its field
/// problems. Re-uploading the same file creates nothing twice.
#[utoipa::path(
    tag = "volunteers",
    operation_id = "create_volunteer_import",
    params(ImportParams),
    request_body(
        description = "The roster file, raw or as the `file` part of a form",
        content(
            (RosterUpload = "multipart/form-data"),
            (String = "text/csv"),
            (RosterFile = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )
    ),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "Every row's result", body = ImportOut),
        (status = 400, description = "Bad query or malformed form", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A concurrent registration took an ID number; retry", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "File too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not CSV, XLSX or multipart", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Organization outside scope, unreadable file or missing headings", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/volunteers/imports")]
pub async fn create_volunteer_import(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    params: web::Query<ImportParams>,
    payload: web::Payload,
) -> Result<web::Json<ImportOut>, ApiError> {
    user.require(&[Role::PlatformAdmin, Role::OrgAdmin])?;
    let bytes = read_upload(&req, payload, state.settings.max_upload_bytes).await?;
    let out = import(
        &state,
        &user.scope(),
        &actor(&user, &req),
        params.organization_id,
        bytes,
    )
    .await?;
    Ok(web::Json(out))
}
