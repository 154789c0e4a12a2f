//! Attendance (`/api/v1/shifts/{id}/…`): the shift leader shows a short-lived rotating code,
//! volunteers check in and out with it (and, where the project requires, from inside its
//! geofence); times come from the server clock only. Check-out writes a pending ledger record;
//! a check-out that never comes is closed by [`close_forgotten_checkouts`] and its record held
//! for review, never credited automatically (DESIGN.md §3).
//!
//! Codes: six digits, `HMAC-SHA-256(key, shift id ‖ window)` truncated as in RFC 4226 §5.3,
//! where `window` = Unix time / [`WINDOW_SECONDS`]; the key is derived (HKDF-SHA-256) from the
//! JWT secret. A code is accepted in its own window and the next one, so a code shown at the end
//! of a minute still works; older codes are refused (no replay of a photographed code later).

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Duration, Utc};
use entity::enums::{CheckInPolicy, Role, SignupStatus};
use entity::{attendance, project, shift};
use hmac::{Hmac, Mac};
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, ConnectionTrait, DatabaseConnection,
    EntityTrait as _, QueryFilter as _, QueryOrder as _, TransactionTrait as _,
};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use utoipa::ToSchema;
use uuid::Uuid;

use super::rules::{haversine_m, micro_degrees};
use super::service::{approved_signup_for, mark_attended, shift_scoped};
use crate::audit::Actor;
use crate::auth::{AuthUser, Scope};
use crate::error::{ApiError, FieldIssue, Problem};
use crate::organizations::handlers::actor;
use crate::records::service::create_from_attendance;
use crate::state::AppState;

/// Length of a code window in seconds.
pub const WINDOW_SECONDS: i64 = 60;
/// Check-in opens this long before the shift starts.
pub const EARLY_CHECK_IN_MINUTES: i64 = 30;

fn code_key(jwt_secret: &[u8]) -> [u8; 32] {
    let hk = hkdf::Hkdf::<Sha256>::new(Some(b"youth-volunteer/attendance-codes/v1"), jwt_secret);
    let mut key = [0u8; 32];
    // 32 bytes is far below HKDF-SHA-256's limit; expansion cannot fail.
    let _ = hk.expand(b"shift check-in codes", &mut key);
    key
}

/// The six-digit code of `shift` for window number `window`.
pub fn code_for(jwt_secret: &[u8], shift: Uuid, window: i64) -> String {
    let key = code_key(jwt_secret);
    let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(&key) else {
        return String::new();
    };
    mac.update(shift.as_bytes());
    mac.update(&window.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    // RFC 4226 §5.3 dynamic truncation.
    let offset = usize::from(digest.get(31).copied().unwrap_or(0) & 0x0f);
    let word = digest
        .get(offset..offset + 4)
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .map_or(0, u32::from_be_bytes)
        & 0x7fff_ffff;
    format!("{:06}", word % 1_000_000)
}

/// Window number of an instant.
pub fn window_of(t: DateTime<Utc>) -> i64 {
    t.timestamp().div_euclid(WINDOW_SECONDS)
}

/// Whether `code` is the code of the current window or the one before.
pub fn code_is_valid(jwt_secret: &[u8], shift: Uuid, code: &str, now: DateTime<Utc>) -> bool {
    let w = window_of(now);
    let code = code.trim();
    [w, w - 1].iter().any(|win| {
        let expected = code_for(jwt_secret, shift, *win);
        // Constant-time comparison of equal-length ASCII strings.
        expected.len() == code.len()
            && expected
                .bytes()
                .zip(code.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    })
}

/// The code a shift leader shows.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttendanceCodeOut {
    /// Six digits.
    #[schema(example = "493027")]
    pub code: String,
    /// Length of a window in seconds; fetch a new code when it ends.
    pub window_seconds: i64,
    /// When this code's window started (RFC 3339, UTC).
    pub valid_from: DateTime<Utc>,
    /// Last instant the code is accepted (end of the following window; RFC 3339, UTC).
    pub valid_until: DateTime<Utc>,
}

/// A check-in or check-out.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckIn {
    /// The code shown by the shift leader.
    #[schema(example = "493027")]
    pub code: String,
    /// Latitude in degrees (WGS-84), required for geofenced projects.
    pub latitude: Option<f64>,
    /// Longitude in degrees (WGS-84), required for geofenced projects.
    pub longitude: Option<f64>,
}

/// An attendance.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttendanceOut {
    /// Id.
    pub id: Uuid,
    /// Sign-up.
    pub signup_id: Uuid,
    /// Shift.
    pub shift_id: Uuid,
    /// Volunteer.
    pub volunteer_id: Uuid,
    /// Check-in (RFC 3339, UTC, server clock).
    pub checked_in_at: DateTime<Utc>,
    /// Check-out (RFC 3339, UTC), if any.
    pub checked_out_at: Option<DateTime<Utc>>,
    /// Closed by the forgotten-check-out job.
    pub auto_closed: bool,
    /// Ledger record made at check-out (pending until an admin approves it).
    pub service_record_id: Option<Uuid>,
}

impl From<attendance::Model> for AttendanceOut {
    fn from(a: attendance::Model) -> Self {
        Self {
            id: a.id,
            signup_id: a.signup_id,
            shift_id: a.shift_id,
            volunteer_id: a.volunteer_id,
            checked_in_at: a.checked_in_at,
            checked_out_at: a.checked_out_at,
            auto_closed: a.auto_closed,
            service_record_id: a.service_record_id,
        }
    }
}

fn invalid_code() -> ApiError {
    ApiError::Rule {
        code: "invalid_code",
        detail: "the code is wrong or has expired; ask the shift leader for the current one".into(),
    }
}

fn check_geofence(p: &project::Model, body: &CheckIn) -> Result<(), ApiError> {
    if p.check_in_policy != CheckInPolicy::CodeAndGeofence {
        return Ok(());
    }
    let (Some(lat), Some(lon)) = (body.latitude, body.longitude) else {
        return Err(ApiError::field(
            "latitude",
            "location_required",
            "this project checks your position; send latitude and longitude",
        ));
    };
    let (Some(lat), Some(lon)) = (micro_degrees(lat, 90.0), micro_degrees(lon, 180.0)) else {
        return Err(ApiError::Validation(vec![FieldIssue::new(
            "latitude",
            "coordinates_range",
            "latitude −90..90, longitude −180..180",
        )]));
    };
    let (Some(plat), Some(plon), Some(radius)) =
        (p.latitude_micro, p.longitude_micro, p.geofence_radius_m)
    else {
        // A geofenced project without coordinates cannot be checked; the code suffices.
        return Ok(());
    };
    if haversine_m(plat, plon, lat, lon) > f64::from(radius) {
        return Err(ApiError::Rule {
            code: "outside_geofence",
            detail: format!("check in within {radius} m of the project's place"),
        });
    }
    Ok(())
}

fn volunteer_of(user: &AuthUser) -> Result<Uuid, ApiError> {
    user.require(&[Role::Volunteer])?;
    user.volunteer_id.ok_or(ApiError::Forbidden)
}

/// The current code of a shift (for its leader).
#[utoipa::path(
    tag = "attendance",
    operation_id = "get_attendance_code",
    params(("id" = Uuid, Path, description = "Shift id")),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "The code to show", body = AttendanceCodeOut),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/shifts/{id}/attendance-code")]
pub async fn get_attendance_code(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<AttendanceCodeOut>, ApiError> {
    user.require(&[Role::PlatformAdmin, Role::OrgAdmin])?;
    let (s, _) = shift_scoped(&state.db, &user.scope(), *id).await?;
    let now = Utc::now();
    let w = window_of(now);
    let start = DateTime::from_timestamp(w * WINDOW_SECONDS, 0).unwrap_or(now);
    Ok(web::Json(AttendanceCodeOut {
        code: code_for(state.settings.jwt_secret(), s.id, w),
        window_seconds: WINDOW_SECONDS,
        valid_from: start,
        valid_until: start + Duration::seconds(2 * WINDOW_SECONDS - 1),
    }))
}

/// Check in to a shift with the leader's code.
///
/// Needs an approved sign-up; opens 30 minutes before the shift starts and closes when it ends.
#[utoipa::path(
    tag = "attendance",
    operation_id = "create_check_in",
    params(("id" = Uuid, Path, description = "Shift id")),
    request_body = CheckIn,
    security(("bearer_auth" = ["volunteer"])),
    responses(
        (status = 201, description = "Checked in", body = AttendanceOut),
        (status = 400, description = "Malformed body or id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a volunteer", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such shift, or no approved sign-up for it", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already checked in", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Wrong or expired code, outside the time window or the geofence", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/shifts/{id}/check-in")]
pub async fn create_check_in(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: web::Json<CheckIn>,
) -> Result<HttpResponse, ApiError> {
    let volunteer = volunteer_of(&user)?;
    let now = Utc::now();
    let txn = state.db.begin().await?;
    let (s, p) = shift_scoped(&txn, &Scope::All, *id).await?;
    let signup = approved_signup_for(&txn, s.id, volunteer)
        .await?
        .ok_or(ApiError::NotFound("sign-up"))?;
    if now < s.starts_at - Duration::minutes(EARLY_CHECK_IN_MINUTES) || now > s.ends_at {
        return Err(ApiError::Rule {
            code: "outside_check_in_window",
            detail: format!(
                "check-in opens {EARLY_CHECK_IN_MINUTES} minutes before the shift starts and closes when it ends"
            ),
        });
    }
    if !code_is_valid(state.settings.jwt_secret(), s.id, &body.code, now) {
        return Err(invalid_code());
    }
    check_geofence(&p, &body)?;
    let existing = attendance::Entity::find()
        .filter(attendance::Column::SignupId.eq(signup.id))
        .one(&txn)
        .await?;
    if existing.is_some() {
        return Err(ApiError::Conflict {
            code: "already_checked_in",
            detail: "you have already checked in to this shift".into(),
        });
    }
    let a = attendance::ActiveModel {
        id: Set(Uuid::now_v7()),
        signup_id: Set(signup.id),
        shift_id: Set(s.id),
        volunteer_id: Set(volunteer),
        checked_in_at: Set(now),
        checked_out_at: Set(None),
        auto_closed: Set(false),
        service_record_id: Set(None),
        created_at: Set(now),
    }
    .insert(&txn)
    .await
    .map_err(|e| match ApiError::from(e) {
        ApiError::Conflict { .. } => ApiError::Conflict {
            code: "already_checked_in",
            detail: "you have already checked in to this shift".into(),
        },
        other => other,
    })?;
    if signup.status == SignupStatus::Approved {
        mark_attended(&txn, signup.id).await?;
    }
    txn.commit().await?;
    Ok(HttpResponse::Created().json(AttendanceOut::from(a)))
}

/// Credited interval of an attendance: check-in to check-out, clamped to the shift (time
/// before the start or after the end is not service time); `None` when less than a minute
/// remains (the ledger counts whole minutes and refuses empty records).
pub fn credited_interval(
    s: &shift::Model,
    checked_in: DateTime<Utc>,
    checked_out: DateTime<Utc>,
) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let start = checked_in.max(s.starts_at);
    let end = checked_out.min(s.ends_at);
    (end - start >= Duration::minutes(1)).then_some((start, end))
}

#[allow(clippy::too_many_arguments)]
async fn close(
    txn: &impl ConnectionTrait,
    tz: chrono_tz::Tz,
    a: attendance::Model,
    s: &shift::Model,
    p: &project::Model,
    checked_out: DateTime<Utc>,
    auto: bool,
    actor: &Actor,
) -> Result<Option<attendance::Model>, ApiError> {
    // Claim the row: of two closers (a volunteer and the job, or two API nodes) one wins.
    let claimed = attendance::Entity::update_many()
        .col_expr(
            attendance::Column::CheckedOutAt,
            sea_orm::sea_query::Expr::value(checked_out),
        )
        .col_expr(
            attendance::Column::AutoClosed,
            sea_orm::sea_query::Expr::value(auto),
        )
        .filter(attendance::Column::Id.eq(a.id))
        .filter(attendance::Column::CheckedOutAt.is_null())
        .exec(txn)
        .await?;
    if claimed.rows_affected != 1 {
        return Ok(None);
    }
    let record = match credited_interval(s, a.checked_in_at, checked_out) {
        Some((start, end)) => {
            let name = match &s.title {
                Some(t) => format!("{} · {t}", p.title),
                None => p.title.clone(),
            };
            let name: String = name.chars().take(200).collect();
            let place = if p.address.trim().is_empty() {
                "—"
            } else {
                p.address.as_str()
            };
            Some(
                create_from_attendance(
                    txn,
                    tz,
                    a.volunteer_id,
                    p.organization_id,
                    Some(p.id),
                    Some(s.id),
                    start,
                    end,
                    &name,
                    place,
                    auto,
                    actor,
                )
                .await?,
            )
        }
        None => None,
    };
    let mut active: attendance::ActiveModel = a.into();
    active.checked_out_at = Set(Some(checked_out));
    active.auto_closed = Set(auto);
    active.service_record_id = Set(record.map(|r| r.id));
    Ok(Some(active.update(txn).await?))
}

/// Check out of a shift with the leader's code; writes the pending service record.
#[utoipa::path(
    tag = "attendance",
    operation_id = "create_check_out",
    params(("id" = Uuid, Path, description = "Shift id")),
    request_body = CheckIn,
    security(("bearer_auth" = ["volunteer"])),
    responses(
        (status = 200, description = "Checked out; the record awaits approval", body = AttendanceOut),
        (status = 400, description = "Malformed body or id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a volunteer", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such shift or no check-in", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already checked out", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Wrong or expired code, or outside the geofence", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/shifts/{id}/check-out")]
pub async fn create_check_out(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<CheckIn>,
) -> Result<web::Json<AttendanceOut>, ApiError> {
    let volunteer = volunteer_of(&user)?;
    let now = Utc::now();
    let txn = state.db.begin().await?;
    let (s, p) = shift_scoped(&txn, &Scope::All, *id).await?;
    let a = attendance::Entity::find()
        .filter(attendance::Column::ShiftId.eq(s.id))
        .filter(attendance::Column::VolunteerId.eq(volunteer))
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("check-in"))?;
    if a.checked_out_at.is_some() {
        return Err(ApiError::Conflict {
            code: "already_checked_out",
            detail: "you have already checked out of this shift".into(),
        });
    }
    if !code_is_valid(state.settings.jwt_secret(), s.id, &body.code, now) {
        return Err(invalid_code());
    }
    check_geofence(&p, &body)?;
    let closed = close(
        &txn,
        state.settings.time_zone,
        a,
        &s,
        &p,
        now,
        false,
        &actor(&user, &req),
    )
    .await?
    .ok_or(ApiError::Conflict {
        code: "already_checked_out",
        detail: "this attendance was closed meanwhile".into(),
    })?;
    txn.commit().await?;
    Ok(web::Json(closed.into()))
}

/// Attendances of a shift (admins in scope).
#[utoipa::path(
    tag = "attendance",
    operation_id = "list_attendances",
    params(("id" = Uuid, Path, description = "Shift id")),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "Check-ins and check-outs", body = Vec<AttendanceOut>),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing or outside scope", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/shifts/{id}/attendances")]
pub async fn list_attendances(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<Vec<AttendanceOut>>, ApiError> {
    user.require(&[Role::PlatformAdmin, Role::OrgAdmin])?;
    let (s, _) = shift_scoped(&state.db, &user.scope(), *id).await?;
    let rows = attendance::Entity::find()
        .filter(attendance::Column::ShiftId.eq(s.id))
        .order_by_asc(attendance::Column::CheckedInAt)
        .all(&state.db)
        .await?;
    Ok(web::Json(rows.into_iter().map(Into::into).collect()))
}

/// Closes attendances whose shift ended more than `grace` ago without a check-out: the
/// check-out is set to the shift end, `auto_closed` is set, and the ledger record is made with
/// `review_required` so that it is never credited without an admin's review. Each attendance is
/// claimed with a conditional update, so several API nodes running the job never close one
/// twice. Returns how many were closed.
///
/// # Errors
/// Database errors.
pub async fn close_forgotten_checkouts(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    grace: Duration,
    tz: chrono_tz::Tz,
) -> Result<usize, ApiError> {
    let ended = sea_orm::sea_query::Query::select()
        .column(shift::Column::Id)
        .from(shift::Entity)
        .and_where(shift::Column::EndsAt.lt(now - grace))
        .to_owned();
    let open = attendance::Entity::find()
        .filter(attendance::Column::CheckedOutAt.is_null())
        .filter(attendance::Column::ShiftId.in_subquery(ended))
        .all(db)
        .await?;
    let mut closed = 0;
    for a in open {
        let txn = db.begin().await?;
        let Ok((s, p)) = shift_scoped(&txn, &Scope::All, a.shift_id).await else {
            continue;
        };
        if s.ends_at + grace > now {
            continue;
        }
        let actor = Actor::default();
        if close(&txn, tz, a, &s, &p, s.ends_at, true, &actor)
            .await?
            .is_some()
        {
            closed += 1;
        }
        txn.commit().await?;
    }
    if closed > 0 {
        tracing::info!(closed, "closed forgotten check-outs");
    }
    Ok(closed)
}
