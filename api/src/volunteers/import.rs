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
use sea_orm::{
    ConnectionTrait as _, DatabaseTransaction, DbBackend, EntityTrait as _, QuerySelect as _,
    TransactionTrait as _,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::roster::{RegionIndex, Roster};
use super::service::{
    PreparedVolunteer, VolunteerInput, check_joinable, existing_id_hashes, insert_prepared,
    validate,
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

/// Rows read, validated and inserted per step of an import.
const IMPORT_CHUNK: usize = 2_000;

/// One step of an import: data rows with their line and their validated volunteer or problems.
type Step = Vec<(usize, Result<PreparedVolunteer, Vec<FieldIssue>>)>;

/// Imports a roster for `organization_id`.
///
/// The file is read, validated and stored in steps of [`IMPORT_CHUNK`] rows, all in one
/// transaction: memory holds the file's bytes, one or two steps and a small result per row,
/// never the whole roster parsed. A blocking thread reads and validates (decoding, encryption,
/// hashing: CPU work) one step ahead of the inserts. An unreadable row or one past
/// [`super::roster::MAX_ROWS`] rolls back the steps already stored, so the file is still taken whole or
/// not at all.
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
    // A channel of one step: the reader stays at most one step ahead, and stops when the
    // import gives up (the receiver is dropped).
    let (steps, mut received) = tokio::sync::mpsc::channel::<Result<Step, ApiError>>(1);
    let reader = tokio::task::spawn_blocking(move || {
        let read = || -> Result<(), ApiError> {
            let index = RegionIndex::new(&regions);
            let mut step = Vec::with_capacity(IMPORT_CHUNK);
            for row in Roster::open(bytes)? {
                let row = row?;
                let prepared = row.to_input(organization_id, &index).and_then(|input| {
                    validate(
                        &crypto,
                        &VolunteerInput::from(input),
                        today,
                        min_age,
                        &|c| index.contains(c),
                    )
                });
                step.push((row.line, prepared));
                if step.len() == IMPORT_CHUNK {
                    let full = std::mem::replace(&mut step, Vec::with_capacity(IMPORT_CHUNK));
                    if steps.blocking_send(Ok(full)).is_err() {
                        return Ok(()); // the import gave up
                    }
                }
            }
            if !step.is_empty() {
                // An error here means the import gave up: nothing left to do.
                let _ = steps.blocking_send(Ok(step));
            }
            Ok(())
        };
        if let Err(e) = read() {
            let _ = steps.blocking_send(Err(e));
        }
    });

    // A file refused at its headings or first rows opens no transaction.
    let Some(first) = received.recv().await else {
        return Err(reader_gone(reader).await);
    };
    let mut step = first?;
    let txn = state.db.begin().await?;
    prefer_index_lookups(&txn).await?;
    let mut first_line: HashMap<String, usize> = HashMap::new();
    let mut results: Vec<ImportRowOut> = Vec::new();
    loop {
        store_step(
            &txn,
            step,
            organization_id,
            today,
            actor,
            &mut first_line,
            &mut results,
        )
        .await?;
        match received.recv().await {
            Some(next) => step = next?,
            None => break,
        }
    }
    // The channel also closes when the reader panics: only a reader that finished may commit.
    reader.await.map_err(ApiError::internal)?;
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

/// PostgreSQL: keeps the import's look-ups on their indexes for the rest of `txn`
/// (`SET LOCAL enable_seqscan = off`, undone at commit or rollback). SQLite: nothing.
///
/// Every read of an import is by an indexed key — registered ID hashes
/// (`id_number_hash IN (…1,000 values)`), the rows just inserted read back by id, their
/// memberships by volunteer id — but the planner costs an IN list as if every value matched a
/// row, so it keeps choosing a sequential scan of `volunteers` until the table is large
/// (measured: 27 ms per look-up against 1.3 ms by the index at 50,000 rows), and a prepared
/// statement's generic plan made while the table was small stays a sequential scan for the
/// whole transaction. Each step then scanned every row the earlier steps had stored: time
/// quadratic in the roster's length. The setting only raises the planner's cost of sequential
/// scans; a statement with no index to use still runs. Foreign-key checks plan their own
/// (index) look-ups and are unaffected.
async fn prefer_index_lookups(txn: &DatabaseTransaction) -> Result<(), ApiError> {
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_unprepared("SET LOCAL enable_seqscan = off")
            .await?;
    }
    Ok(())
}

/// The error for a reader that closed its channel without sending anything (it panicked).
async fn reader_gone(reader: tokio::task::JoinHandle<()>) -> ApiError {
    match reader.await {
        Err(e) => ApiError::internal(e),
        Ok(()) => ApiError::Internal("the roster reader stopped without an answer".into()),
    }
}

/// Classifies one step's rows and inserts its new volunteers in `txn`. A valid row is a
/// duplicate when its ID number appeared earlier in the file (`first_line`: ID hash → line of
/// the row stored for it) or is already registered; otherwise it is stored and its result
/// names the new volunteer. Appends one result per row to `results`, in file order.
async fn store_step(
    txn: &DatabaseTransaction,
    step: Step,
    organization_id: Uuid,
    today: chrono::NaiveDate,
    actor: &Actor,
    first_line: &mut HashMap<String, usize>,
    results: &mut Vec<ImportRowOut>,
) -> Result<(), ApiError> {
    // Rows stored by earlier steps are in the database too, but they are duplicates *in the
    // file*: look up only the hashes this file has not stored yet.
    let hashes: Vec<String> = step
        .iter()
        .filter_map(|(_, p)| p.as_ref().ok())
        .filter(|p| !first_line.contains_key(&p.id_number_hash))
        .map(|p| p.id_number_hash.clone())
        .collect();
    let existing = existing_id_hashes(txn, &hashes).await?;
    let mut to_insert = Vec::new();
    let mut slots = Vec::new();
    for (line, prepared) in step {
        let (status, errors) = match prepared {
            Err(errors) => (RowStatus::Rejected, errors),
            Ok(p) => match first_line.get(&p.id_number_hash) {
                Some(first) => (
                    RowStatus::Duplicate,
                    vec![FieldIssue::new(
                        "id_number",
                        "duplicate_in_file",
                        format!("same ID number as line {first}"),
                    )],
                ),
                None if existing.contains(&p.id_number_hash) => (
                    RowStatus::Duplicate,
                    vec![FieldIssue::new(
                        "id_number",
                        "duplicate_id_number",
                        "this ID number is already registered",
                    )],
                ),
                None => {
                    first_line.insert(p.id_number_hash.clone(), line);
                    slots.push(results.len());
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
    let created = insert_prepared(
        txn,
        to_insert,
        Some(organization_id),
        Some((organization_id, MembershipStatus::Active)),
        today,
        actor,
        "import",
    )
    .await?;
    for (model, slot) in created.into_iter().zip(slots) {
        if let Some(row) = results.get_mut(slot) {
            row.volunteer_id = Some(model.id);
            row.volunteer_number = Some(model.volunteer_number);
        }
    }
    Ok(())
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
