//! The service-hour ledger: entry (manual, declaration, attendance), decisions (approve, reject,
//! void), corrections that supersede, scoped queries, the working-day calendar and the summary
//! totals kept in the same transaction as every status change.
//!
//! Rules (民政部《志愿服务记录与证明出具办法（试行）》2020): Art. 7 fields; Art. 11 records within
//! ten working days (later ones accepted and flagged `late`); append-only ledger: an approved
//! record is never edited or deleted, only voided or superseded by a correction.
//!
//! Concurrency: every change that may count minutes first upserts the volunteer's
//! `volunteer_totals` row (`INSERT … ON CONFLICT DO UPDATE`), which on PostgreSQL takes that
//! row's lock until commit. Changes for one volunteer are therefore serialised, so the overlap
//! check sees every committed approval, and totals are incremented with `x = x + delta` so that
//! concurrent changes of different volunteers never lose updates. SQLite serialises all writes
//! on its single pooled connection.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Datelike as _, Duration, NaiveDate, NaiveTime, TimeZone as _, Utc};
use chrono_tz::Tz;
use entity::enums::{CalendarDayKind, Role, ServiceRecordStatus, VolunteerStatus};
use entity::{
    calendar_day, certificate, certificate_record, organization, organization_year_total,
    service_record, volunteer, volunteer_total, volunteer_year_total,
};
use sea_orm::sea_query::{Alias, Expr, ExprTrait as _, OnConflict, Query};
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, Condition, ConnectionTrait,
    EntityTrait as _, QueryFilter as _, QueryOrder as _, QuerySelect as _, TransactionSession as _,
    TransactionTrait as _,
};
use uuid::Uuid;

use super::dto::{
    CalendarDayIn, CorrectionIn, DeclarationIn, OrganizationTotalsOut, RecordFilter,
    ServiceRecordIn, VolunteerTotalsOut, YearTotalOut,
};
use super::rules::{self, IntervalError, Rounding};
use crate::audit::{self, Actor, Entry};
use crate::auth::{AuthUser, Scope};
use crate::error::{ApiError, FieldIssue};
use crate::incentives::service::RuleContext;
use crate::organizations::service::{get_scoped, subtree_ids};
use crate::pagination::Page;
use crate::state::AppState;
use crate::volunteers::domain::clean_text;
use crate::volunteers::service::{find_in_scope, get_visible};

/// Source of manual entries by admins.
pub const SOURCE_MANUAL: &str = "manual";
/// Source of volunteers' own declarations.
pub const SOURCE_DECLARATION: &str = "declaration";
/// Source of records made at check-out.
pub const SOURCE_ATTENDANCE: &str = "attendance";

const ENTITY: &str = "service_record";

// ---------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------

/// The date of `t` in the platform time zone.
pub fn local_date(tz: Tz, t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&tz).date_naive()
}

/// The calendar year of `t` in the platform time zone (the year totals are kept by).
pub fn local_year(tz: Tz, t: DateTime<Utc>) -> i32 {
    t.with_timezone(&tz).year()
}

/// The UTC instant of 00:00 on `date` in the platform time zone.
pub fn local_midnight(tz: Tz, date: NaiveDate) -> DateTime<Utc> {
    let naive = date.and_time(NaiveTime::MIN);
    tz.from_local_datetime(&naive)
        .earliest()
        .map_or_else(|| naive.and_utc(), |t| t.with_timezone(&Utc))
}

fn text(issues: &mut Vec<FieldIssue>, field: &str, raw: &str, max: usize) -> String {
    match clean_text(raw, max) {
        Ok(v) => v,
        Err(e) => {
            issues.push(FieldIssue::new(field, e.code, e.message));
            String::new()
        }
    }
}

fn optional_text(
    issues: &mut Vec<FieldIssue>,
    field: &str,
    raw: Option<&str>,
    max: usize,
) -> Option<String> {
    raw.filter(|r| !r.trim().is_empty())
        .map(|r| text(issues, field, r, max))
}

fn reason(raw: &str) -> Result<String, ApiError> {
    let r = clean_text(raw, 500).map_err(|e| ApiError::field("reason", e.code, e.message))?;
    if r.chars().count() < 2 {
        return Err(ApiError::field(
            "reason",
            "reason_too_short",
            "give a reason of at least 2 characters",
        ));
    }
    Ok(r)
}

/// The Art. 7 text fields of a record, validated.
#[derive(Debug, Clone)]
pub struct RecordText {
    /// Activity name, 1–200 characters.
    pub activity_name: String,
    /// Service category, 1–64 characters.
    pub service_category: String,
    /// Place, 1–200 characters.
    pub place: String,
    /// Content, 1–2000 characters.
    pub content: String,
    /// Activity leader, up to 100 characters.
    pub activity_leader: Option<String>,
}

impl RecordText {
    fn parse(
        issues: &mut Vec<FieldIssue>,
        activity_name: &str,
        service_category: &str,
        place: &str,
        content: &str,
        activity_leader: Option<&str>,
    ) -> Self {
        Self {
            activity_name: text(issues, "activity_name", activity_name, 200),
            service_category: text(issues, "service_category", service_category, 64),
            place: text(issues, "place", place, 200),
            content: text(issues, "content", content, 2000),
            activity_leader: optional_text(issues, "activity_leader", activity_leader, 100),
        }
    }
}

/// How far past the server clock a record's end may lie (clock skew of the entering device).
pub const FUTURE_LEEWAY_MINUTES: i64 = 5;

/// Credited minutes of an interval under the active rounding rule ([`Rounding::Exact`] until
/// versioned rule sets arrive).
///
/// # Errors
/// 422 `interval_invalid` (end not after start, or under one minute), 422 `interval_too_long`
/// (over 24 hours), 422 `interval_in_future` (ends more than [`FUTURE_LEEWAY_MINUTES`] after
/// the server clock: service is recorded once it has been given).
pub fn credited_minutes(start: DateTime<Utc>, end: DateTime<Utc>) -> Result<i32, ApiError> {
    if end > Utc::now() + chrono::Duration::minutes(FUTURE_LEEWAY_MINUTES) {
        return Err(ApiError::Rule {
            code: "interval_in_future",
            detail: "ended_at is in the future; record service after it has ended".into(),
        });
    }
    let raw = rules::interval_minutes(start, end).map_err(|e| match e {
        IntervalError::Invalid => ApiError::Rule {
            code: "interval_invalid",
            detail: "ended_at must be at least one minute after started_at".into(),
        },
        IntervalError::TooLong => ApiError::Rule {
            code: "interval_too_long",
            detail: "one record covers at most 24 hours (1440 minutes); split longer service"
                .into(),
        },
    })?;
    let minutes = rules::round_minutes(raw, &Rounding::default());
    if minutes < 1 {
        return Err(ApiError::Rule {
            code: "interval_invalid",
            detail: "the interval rounds to zero minutes".into(),
        });
    }
    Ok(minutes)
}

// ---------------------------------------------------------------------------
// Calendar and the late flag
// ---------------------------------------------------------------------------

/// Holidays and make-up workdays between `from` and `to` (inclusive).
///
/// # Errors
/// Database errors.
pub async fn calendar(
    db: &impl ConnectionTrait,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<(BTreeSet<NaiveDate>, BTreeSet<NaiveDate>), ApiError> {
    let rows = calendar_day::Entity::find()
        .filter(calendar_day::Column::Date.gte(from))
        .filter(calendar_day::Column::Date.lte(to))
        .all(db)
        .await?;
    let mut holidays = BTreeSet::new();
    let mut workdays = BTreeSet::new();
    for r in rows {
        match r.kind {
            CalendarDayKind::Holiday => holidays.insert(r.date),
            CalendarDayKind::Workday => workdays.insert(r.date),
        };
    }
    Ok((holidays, workdays))
}

/// Whether a record of service ending at `ended_at`, entered at `entered_at`, is late: entered
/// after the tenth working day following the end date (Art. 11), dates in the platform time
/// zone, working days per [`rules::is_working_day`] and the `calendar_days` table.
///
/// # Errors
/// Database errors.
pub async fn is_late(
    db: &impl ConnectionTrait,
    tz: Tz,
    ended_at: DateTime<Utc>,
    entered_at: DateTime<Utc>,
) -> Result<bool, ApiError> {
    let ended_on = local_date(tz, ended_at);
    let entered_on = local_date(tz, entered_at);
    if entered_on <= ended_on {
        return Ok(false);
    }
    // Ten working days never span more than 90 calendar days, even across Spring Festival.
    let (holidays, workdays) = calendar(db, ended_on, ended_on + Duration::days(90)).await?;
    Ok(rules::is_late(ended_on, entered_on, &holidays, &workdays))
}

// ---------------------------------------------------------------------------
// Totals
// ---------------------------------------------------------------------------

/// Takes the per-volunteer lock: upserts the volunteer's totals row with a no-op update, which
/// on PostgreSQL row-locks it until commit (see the module docs).
async fn lock_volunteer(txn: &impl ConnectionTrait, volunteer_id: Uuid) -> Result<(), ApiError> {
    lock_volunteers(txn, [volunteer_id]).await
}

/// [`lock_volunteer`] for many volunteers: one multi-row upsert in id order, so that two
/// transactions locking overlapping sets always lock in the same order and cannot deadlock.
async fn lock_volunteers(
    txn: &impl ConnectionTrait,
    volunteer_ids: impl IntoIterator<Item = Uuid>,
) -> Result<(), ApiError> {
    let zero: BTreeMap<Uuid, (i64, i64)> = volunteer_ids.into_iter().map(|v| (v, (0, 0))).collect();
    upsert_volunteer_totals(txn, &zero).await
}

/// A summary table whose rows are keyed and carry `approved_minutes` and `approved_records`.
struct SummaryTable {
    table: &'static str,
    keys: &'static [&'static str],
    /// Columns set to the proposed value on conflict (after the keys and the two sums).
    replace: &'static [&'static str],
}

const SUMS: [&str; 2] = ["approved_minutes", "approved_records"];

/// Adds `(minutes, records)` deltas to a summary table: one multi-row
/// `INSERT … ON CONFLICT (keys) DO UPDATE SET x = x + excluded.x` per 500 rows. Each row is the
/// key values, then minutes and records, then the `replace` values. Callers pass distinct
/// keys (PostgreSQL refuses one statement touching a row twice) in key order (the lock order).
async fn upsert_sums(
    txn: &impl ConnectionTrait,
    t: &SummaryTable,
    rows: Vec<Vec<Expr>>,
) -> Result<(), ApiError> {
    let table = Alias::new(t.table);
    let mut update = OnConflict::columns(t.keys.iter().map(|k| Alias::new(*k)));
    for sum in SUMS {
        update.value(
            Alias::new(sum),
            Expr::col((table.clone(), Alias::new(sum)))
                .add(Expr::col((Alias::new("excluded"), Alias::new(sum)))),
        );
    }
    for col in t.replace {
        update.value(
            Alias::new(*col),
            Expr::col((Alias::new("excluded"), Alias::new(*col))),
        );
    }
    let columns: Vec<Alias> = t
        .keys
        .iter()
        .chain(SUMS.iter())
        .chain(t.replace.iter())
        .map(|c| Alias::new(*c))
        .collect();
    for part in rows.chunks(500) {
        let mut stmt = Query::insert()
            .into_table(table.clone())
            .columns(columns.clone())
            .on_conflict(update.clone())
            .to_owned();
        for row in part {
            stmt.values(row.clone()).map_err(ApiError::internal)?;
        }
        txn.execute(&stmt).await?;
    }
    Ok(())
}

async fn upsert_volunteer_totals(
    txn: &impl ConnectionTrait,
    deltas: &BTreeMap<Uuid, (i64, i64)>,
) -> Result<(), ApiError> {
    let now = Utc::now();
    let rows = deltas
        .iter()
        .map(|(v, (m, r))| {
            vec![
                Expr::value(*v),
                Expr::value(*m),
                Expr::value(*r),
                Expr::value(now),
            ]
        })
        .collect();
    upsert_sums(
        txn,
        &SummaryTable {
            table: "volunteer_totals",
            keys: &["volunteer_id"],
            replace: &["updated_at"],
        },
        rows,
    )
    .await
}

/// Adds (`sign` = 1) or removes (`sign` = -1) an approved record's minutes to or from the
/// volunteer, volunteer-year and organization-year totals, with `x = x + delta` upserts, then
/// recomputes the volunteer's star level in the same transaction.
///
/// # Errors
/// Database errors.
pub async fn apply_totals(
    txn: &impl ConnectionTrait,
    tz: Tz,
    record: &service_record::Model,
    sign: i64,
) -> Result<(), ApiError> {
    add_to_totals(txn, tz, record, sign).await?;
    crate::incentives::service::recompute_level(txn, tz, record.volunteer_id).await
}

/// [`apply_totals`] without the star-level recomputation, for a change made of several steps
/// (a correction: the old record out, the new one in) that recomputes once at its end, so that
/// a correction keeping the level writes no `level_changed` rows.
async fn add_to_totals(
    txn: &impl ConnectionTrait,
    tz: Tz,
    record: &service_record::Model,
    sign: i64,
) -> Result<(), ApiError> {
    add_many_to_totals(txn, tz, &[record], sign).await
}

/// [`add_to_totals`] for many records: three multi-row upserts whatever their number.
async fn add_many_to_totals(
    txn: &impl ConnectionTrait,
    tz: Tz,
    records: &[&service_record::Model],
    sign: i64,
) -> Result<(), ApiError> {
    add_many_to_volunteer_totals(txn, tz, records, sign).await?;
    add_many_to_organization_totals(txn, tz, records, sign).await
}

/// The volunteer and volunteer-year part of [`add_many_to_totals`]: rows of the volunteers
/// concerned only (their locks are taken first anyway, see [`lock_volunteers`]).
async fn add_many_to_volunteer_totals(
    txn: &impl ConnectionTrait,
    tz: Tz,
    records: &[&service_record::Model],
    sign: i64,
) -> Result<(), ApiError> {
    let mut volunteers: BTreeMap<Uuid, (i64, i64)> = BTreeMap::new();
    let mut volunteer_years: BTreeMap<(Uuid, i32), (i64, i64)> = BTreeMap::new();
    for r in records {
        let minutes = sign * i64::from(r.minutes);
        let year = local_year(tz, r.started_at);
        for (m, n) in [
            volunteers.entry(r.volunteer_id).or_default(),
            volunteer_years.entry((r.volunteer_id, year)).or_default(),
        ] {
            *m += minutes;
            *n += sign;
        }
    }
    upsert_volunteer_totals(txn, &volunteers).await?;
    upsert_year_sums(
        txn,
        "volunteer_year_totals",
        &["volunteer_id", "year"],
        volunteer_years,
    )
    .await
}

/// The organization-year part of [`add_many_to_totals`]. One organization's row for a year is
/// shared by every write of records of that organization, so it is locked until commit:
/// writers call this as late in their transaction as they can, so that concurrent batches of
/// one organization wait for each other's commit only, not for each other's work.
async fn add_many_to_organization_totals(
    txn: &impl ConnectionTrait,
    tz: Tz,
    records: &[&service_record::Model],
    sign: i64,
) -> Result<(), ApiError> {
    let mut organization_years: BTreeMap<(Uuid, i32), (i64, i64)> = BTreeMap::new();
    for r in records {
        let (m, n) = organization_years
            .entry((r.organization_id, local_year(tz, r.started_at)))
            .or_default();
        *m += sign * i64::from(r.minutes);
        *n += sign;
    }
    upsert_year_sums(
        txn,
        "organization_year_totals",
        &["organization_id", "year"],
        organization_years,
    )
    .await
}

/// `x = x + delta` upserts of (minutes, records) into a year-totals table keyed by (id, year),
/// in key order (the order the rows are locked in).
async fn upsert_year_sums(
    txn: &impl ConnectionTrait,
    table: &'static str,
    keys: &'static [&'static str],
    deltas: BTreeMap<(Uuid, i32), (i64, i64)>,
) -> Result<(), ApiError> {
    let rows = deltas
        .into_iter()
        .map(|((id, year), (m, n))| {
            vec![
                Expr::value(id),
                Expr::value(year),
                Expr::value(m),
                Expr::value(n),
            ]
        })
        .collect();
    upsert_sums(
        txn,
        &SummaryTable {
            table,
            keys,
            replace: &[],
        },
        rows,
    )
    .await
}

/// Marks every still-valid certificate covering `record_id` superseded (a record it certifies
/// was corrected or voided). Runs in the caller's transaction.
///
/// # Errors
/// Database errors.
pub async fn supersede_certificates(
    txn: &impl ConnectionTrait,
    record_id: Uuid,
) -> Result<u64, ApiError> {
    let covering = crate::sync::changes::valid_certificates_covering(txn, record_id).await?;
    let result = certificate::Entity::update_many()
        .col_expr(
            certificate::Column::Status,
            Expr::value(entity::enums::CertificateStatus::Superseded),
        )
        .col_expr(
            certificate::Column::StatusChangedAt,
            Expr::value(Some(Utc::now())),
        )
        .filter(certificate::Column::Status.eq(entity::enums::CertificateStatus::Valid))
        .filter(
            certificate::Column::Id.in_subquery(
                Query::select()
                    .column(certificate_record::Column::CertificateId)
                    .from(certificate_record::Entity)
                    .and_where(certificate_record::Column::RecordId.eq(record_id))
                    .to_owned(),
            ),
        )
        .exec(txn)
        .await?;
    crate::sync::changes::certificates_changed(txn, &covering).await?;
    Ok(result.rows_affected)
}

// ---------------------------------------------------------------------------
// Scoped reads
// ---------------------------------------------------------------------------

/// Records an admin scope covers (by organizing organization); `None` for everything.
pub fn scope_condition(scope: &Scope) -> Option<Condition> {
    match scope {
        Scope::All => None,
        Scope::Subtree(root) => Some(
            Condition::all()
                .add(service_record::Column::OrganizationId.in_subquery(subtree_ids(*root))),
        ),
        Scope::Nothing => Some(Condition::all().add(Expr::value(false))),
    }
}

/// The record if the admin scope covers its organizing organization; 404 otherwise.
///
/// # Errors
/// 404 `not_found`, database errors.
pub async fn find_scoped(
    db: &impl ConnectionTrait,
    scope: &Scope,
    id: Uuid,
) -> Result<service_record::Model, ApiError> {
    let mut q = service_record::Entity::find_by_id(id);
    if let Some(c) = scope_condition(scope) {
        q = q.filter(c);
    }
    q.one(db).await?.ok_or(ApiError::NotFound("service record"))
}

/// The record as visible to `user`: a volunteer sees their own, admins their scope.
///
/// # Errors
/// 404 `not_found`, database errors.
pub async fn get_visible_record(
    db: &impl ConnectionTrait,
    user: &AuthUser,
    id: Uuid,
) -> Result<service_record::Model, ApiError> {
    if user.role == Role::Volunteer {
        let own = service_record::Entity::find_by_id(id)
            .filter(service_record::Column::VolunteerId.eq(user.volunteer_id.unwrap_or_default()))
            .one(db)
            .await?;
        return own.ok_or(ApiError::NotFound("service record"));
    }
    find_scoped(db, &user.scope(), id).await
}

/// Lists records visible to `user` with filters, newest service first.
///
/// # Errors
/// 400 `invalid_query` when `from` is after `to`; database errors.
pub async fn list(
    db: &impl ConnectionTrait,
    tz: Tz,
    user: &AuthUser,
    filter: &RecordFilter,
    page: u64,
    per_page: u64,
) -> Result<Page<service_record::Model>, ApiError> {
    let mut q = service_record::Entity::find();
    if user.role == Role::Volunteer {
        q = q.filter(service_record::Column::VolunteerId.eq(user.volunteer_id.unwrap_or_default()));
    } else if let Some(c) = scope_condition(&user.scope()) {
        q = q.filter(c);
    }
    if let Some(v) = filter.volunteer_id {
        q = q.filter(service_record::Column::VolunteerId.eq(v));
    }
    if let Some(o) = filter.organization_id {
        q = q.filter(service_record::Column::OrganizationId.in_subquery(subtree_ids(o)));
    }
    if let Some(s) = filter.status {
        q = q.filter(service_record::Column::Status.eq(s));
    }
    if let Some(c) = filter.conflict {
        q = q.filter(service_record::Column::Conflict.eq(c));
    }
    if let Some(l) = filter.late {
        q = q.filter(service_record::Column::Late.eq(l));
    }
    q = q.filter(date_range(tz, filter.from, filter.to)?);
    crate::pagination::fetch(
        q.order_by_desc(service_record::Column::StartedAt)
            .order_by_desc(service_record::Column::Id),
        db,
        page,
        per_page,
    )
    .await
}

/// Records whose service starts between `from` and `to` (inclusive dates, platform time zone).
///
/// # Errors
/// 400 `invalid_query` when `from` is after `to`.
pub fn date_range(
    tz: Tz,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<Condition, ApiError> {
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        return Err(ApiError::BadRequest {
            code: "invalid_query",
            detail: "from must not be after to".into(),
        });
    }
    let mut c = Condition::all();
    if let Some(f) = from {
        c = c.add(service_record::Column::StartedAt.gte(local_midnight(tz, f)));
    }
    if let Some(t) = to.and_then(|t| t.succ_opt()) {
        c = c.add(service_record::Column::StartedAt.lt(local_midnight(tz, t)));
    }
    Ok(c)
}

/// An approved record of the volunteer whose interval overlaps `[start, end)`, other than the
/// ones in `except`.
async fn approved_overlap(
    db: &impl ConnectionTrait,
    volunteer_id: Uuid,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    except: &[Uuid],
) -> Result<Option<service_record::Model>, ApiError> {
    let mut q = service_record::Entity::find()
        .filter(service_record::Column::VolunteerId.eq(volunteer_id))
        .filter(service_record::Column::Status.eq(ServiceRecordStatus::Approved))
        .filter(service_record::Column::StartedAt.lt(end))
        .filter(service_record::Column::EndedAt.gt(start));
    if !except.is_empty() {
        q = q.filter(service_record::Column::Id.is_not_in(except.to_vec()));
    }
    Ok(q.one(db).await?)
}

fn overlaps_error() -> ApiError {
    ApiError::Conflict {
        code: "record_overlaps",
        detail: "the interval overlaps an approved record of the same volunteer; void or correct that one first".into(),
    }
}

// ---------------------------------------------------------------------------
// Entry
// ---------------------------------------------------------------------------

/// A stored record's id, start and end.
type Interval = (Uuid, DateTime<Utc>, DateTime<Utc>);

/// Everything needed to insert one record.
#[derive(Debug, Clone)]
pub struct NewRecord {
    /// The volunteer.
    pub volunteer_id: Uuid,
    /// The organizing organization.
    pub organization_id: Uuid,
    /// Art. 7 text fields.
    pub text: RecordText,
    /// Start (UTC).
    pub started_at: DateTime<Utc>,
    /// End (UTC).
    pub ended_at: DateTime<Utc>,
    /// Source.
    pub source: String,
    /// The source's own id.
    pub external_id: Option<String>,
    /// Project.
    pub project_id: Option<Uuid>,
    /// Shift.
    pub shift_id: Option<Uuid>,
    /// Needs a look before approval.
    pub review_required: bool,
    /// Approve immediately (unless it conflicts).
    pub approve: bool,
    /// Corrected record and reason.
    pub supersedes: Option<(Uuid, String)>,
    /// When the service was first entered (for the late flag of corrections).
    pub entered_at: DateTime<Utc>,
}

/// Inserts a record inside `txn`: computes minutes, the late and conflict flags, approves it
/// when asked and possible (updating totals), and writes the audit rows. [`insert_many`] with
/// one record.
///
/// # Errors
/// 422 `interval_invalid` / `interval_too_long`; database errors.
pub async fn insert_record(
    txn: &impl ConnectionTrait,
    tz: Tz,
    actor: &Actor,
    new: NewRecord,
) -> Result<service_record::Model, ApiError> {
    insert_many(txn, tz, actor, vec![new])
        .await?
        .pop()
        .unwrap_or_else(|| Err(ApiError::Internal("no record inserted".into())))
}

/// Inserts many records inside `txn` with set-based statements (partner batches; one record
/// for every other entry path): for each record the minutes (credited under the rule set in
/// force on its service day), the late flag (Art. 11), the conflict flag (an approved record
/// of the same volunteer overlapping it — already stored, or earlier in `news` and approved),
/// approval when asked and possible; then the records, their audit rows (`create` or
/// `correct`, and `approve`), the summary totals, the star levels of the volunteers concerned
/// and the change-log rows, each written with multi-row statements. Takes the volunteers'
/// locks first, in id order.
///
/// A record whose own rules fail (interval) gets its error in its slot and is not written; the
/// others are. A record with `supersedes` ignores that record in its overlap check.
///
/// # Errors
/// Per record: 422 `interval_invalid`, `interval_too_long`, `interval_in_future`,
/// `no_rule_set_in_force`, `reference_not_found`. The whole call: database errors (the
/// caller's transaction is then to be rolled back).
pub async fn insert_many(
    txn: &impl ConnectionTrait,
    tz: Tz,
    actor: &Actor,
    news: Vec<NewRecord>,
) -> Result<Vec<Result<service_record::Model, ApiError>>, ApiError> {
    let raws: Vec<Result<i32, ApiError>> = news
        .iter()
        .map(|n| credited_minutes(n.started_at, n.ended_at))
        .collect();
    let valid = || {
        news.iter()
            .zip(&raws)
            .filter_map(|(n, raw)| raw.as_ref().ok().map(|raw| (n, *raw)))
    };
    let Some(first_end) = valid().map(|(n, _)| local_date(tz, n.ended_at)).min() else {
        return Ok(raws
            .into_iter()
            .map(|r| r.and_then(|_| Err(ApiError::Internal("no valid record".into()))))
            .collect());
    };
    // Holidays and make-up days for every late check at once (ten working days never span more
    // than 90 calendar days, see `is_late`).
    let last_end = valid()
        .map(|(n, _)| local_date(tz, n.ended_at))
        .max()
        .unwrap_or(first_end);
    let any_later = valid().any(|(n, _)| local_date(tz, n.entered_at) > local_date(tz, n.ended_at));
    let (holidays, workdays) = if any_later {
        calendar(txn, first_end, last_end + Duration::days(90)).await?
    } else {
        Default::default()
    };
    lock_volunteers(txn, valid().map(|(n, _)| n.volunteer_id)).await?;
    let mut volunteers: Vec<Uuid> = valid().map(|(n, _)| n.volunteer_id).collect();
    volunteers.sort_unstable();
    volunteers.dedup();
    // Registrations and rule sets, read once for the rounding here and the star levels below.
    let rule_context = RuleContext::load(txn, &volunteers).await?;
    let credits = rule_context.credit(
        tz,
        &valid()
            .map(|(n, raw)| (n.volunteer_id, n.started_at, raw))
            .collect::<Vec<_>>(),
    );
    // Approved records of these volunteers that may overlap: [earliest start, latest end).
    let from = valid().map(|(n, _)| n.started_at).min().unwrap_or_default();
    let to = valid().map(|(n, _)| n.ended_at).max().unwrap_or_default();
    let mut approved: HashMap<Uuid, Vec<Interval>> = HashMap::new();
    for part in volunteers.chunks(500) {
        let rows: Vec<(Uuid, Uuid, DateTime<Utc>, DateTime<Utc>)> = service_record::Entity::find()
            .select_only()
            .columns([
                service_record::Column::Id,
                service_record::Column::VolunteerId,
                service_record::Column::StartedAt,
                service_record::Column::EndedAt,
            ])
            .filter(service_record::Column::VolunteerId.is_in(part.to_vec()))
            .filter(service_record::Column::Status.eq(ServiceRecordStatus::Approved))
            .filter(service_record::Column::StartedAt.lt(to))
            .filter(service_record::Column::EndedAt.gt(from))
            .into_tuple()
            .all(txn)
            .await?;
        for (id, v, s, e) in rows {
            approved.entry(v).or_default().push((id, s, e));
        }
    }

    let now = Utc::now();
    let mut credits = credits.into_iter();
    let mut out: Vec<Result<service_record::Model, ApiError>> = Vec::with_capacity(news.len());
    for (new, raw) in news.into_iter().zip(raws) {
        let raw = match raw {
            Ok(raw) => raw,
            Err(e) => {
                out.push(Err(e));
                continue;
            }
        };
        let (minutes, rounding_rule_set) = match credits.next() {
            Some(Ok(c)) => c,
            Some(Err(e)) => {
                out.push(Err(e));
                continue;
            }
            None => return Err(ApiError::Internal("credit missing".into())),
        };
        let late = rules::is_late(
            local_date(tz, new.ended_at),
            local_date(tz, new.entered_at),
            &holidays,
            &workdays,
        );
        let superseded = new.supersedes.as_ref().map(|(id, _)| *id);
        let mine = approved.entry(new.volunteer_id).or_default();
        let conflict = mine.iter().any(|(id, s, e)| {
            Some(*id) != superseded && rules::overlaps(*s, *e, new.started_at, new.ended_at)
        });
        let is_approved = new.approve && !conflict;
        let id = Uuid::now_v7();
        if is_approved {
            mine.push((id, new.started_at, new.ended_at));
        }
        let (supersedes_id, correction_reason) = new.supersedes.unzip();
        out.push(Ok(service_record::Model {
            id,
            volunteer_id: new.volunteer_id,
            organization_id: new.organization_id,
            activity_name: new.text.activity_name,
            service_category: new.text.service_category,
            place: new.text.place,
            content: new.text.content,
            activity_leader: new.text.activity_leader,
            started_at: new.started_at,
            ended_at: new.ended_at,
            minutes,
            raw_minutes: Some(raw),
            rounding_rule_set_id: Some(rounding_rule_set),
            source: new.source,
            external_id: new.external_id,
            recorded_by: actor.account_id,
            status: if is_approved {
                ServiceRecordStatus::Approved
            } else {
                ServiceRecordStatus::Pending
            },
            conflict,
            late,
            review_required: new.review_required,
            supersedes_id,
            correction_reason,
            decided_by: if is_approved { actor.account_id } else { None },
            decided_at: is_approved.then_some(now),
            decision_reason: None,
            project_id: new.project_id,
            shift_id: new.shift_id,
            created_at: now,
            version: 1,
        }));
    }
    // Written as the database stores them (instants to the microsecond), so that what the
    // change log and the caller see is what a read returns.
    let models: Vec<service_record::ActiveModel> = out
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .map(|m| service_record::ActiveModel::from(m.clone()))
        .collect();
    let mut stored: HashMap<Uuid, service_record::Model> = HashMap::with_capacity(models.len());
    // 31 columns a row: 500 rows stay below SQLite's 32,766 bind parameters.
    for part in models.chunks(500) {
        for m in service_record::Entity::insert_many(part.to_vec())
            .exec_with_returning(txn)
            .await?
        {
            stored.insert(m.id, m);
        }
    }
    let out: Vec<Result<service_record::Model, ApiError>> = out
        .into_iter()
        .map(|r| {
            r.and_then(|m| {
                stored
                    .remove(&m.id)
                    .ok_or_else(|| ApiError::Internal("inserted record not returned".into()))
            })
        })
        .collect();
    let written: Vec<&service_record::Model> = out.iter().filter_map(|r| r.as_ref().ok()).collect();
    let approved_now: Vec<&service_record::Model> = written
        .iter()
        .copied()
        .filter(|m| m.status == ServiceRecordStatus::Approved)
        .collect();
    if !approved_now.is_empty() {
        add_many_to_volunteer_totals(txn, tz, &approved_now, 1).await?;
        let ids: Vec<Uuid> = approved_now.iter().map(|m| m.volunteer_id).collect();
        crate::incentives::service::recompute_many_with(
            txn,
            tz,
            &ids,
            &Actor::default(),
            &rule_context,
        )
        .await?;
    }
    let mut entries = Vec::with_capacity(written.len() + approved_now.len());
    for m in &written {
        entries.push(Entry {
            action: if m.supersedes_id.is_some() {
                "correct"
            } else {
                "create"
            },
            entity_type: ENTITY,
            entity_id: m.id,
            fields: [
                "volunteer_id",
                "organization_id",
                "activity_name",
                "service_category",
                "place",
                "content",
                "activity_leader",
                "started_at",
                "ended_at",
                "minutes",
                "source",
                "status",
            ]
            .into_iter()
            .map(String::from)
            .collect(),
            reason: m.correction_reason.clone(),
        });
    }
    for m in &approved_now {
        entries.push(Entry {
            action: "approve",
            entity_type: ENTITY,
            entity_id: m.id,
            fields: vec!["status".into()],
            reason: None,
        });
    }
    audit::record_many(txn, actor, entries).await?;
    crate::sync::changes::service_records(txn, &written, crate::sync::changes::Operation::Create)
        .await?;
    // Last: the organizations' year rows, shared with every concurrent writer of their records.
    add_many_to_organization_totals(txn, tz, &approved_now, 1).await?;
    Ok(out)
}

/// Manual entry by an admin (source `manual`): the organization must be in the caller's scope
/// and the volunteer visible in it. Pending unless `approve` is true; a record overlapping an
/// approved one is flagged `conflict` and held pending whatever `approve` says.
///
/// # Errors
/// 422 validation (`organization_not_found`, `volunteer_not_found`, text fields),
/// `interval_invalid`, `interval_too_long`; database errors.
pub async fn create_manual(
    state: &AppState,
    user: &AuthUser,
    actor: &Actor,
    input: ServiceRecordIn,
) -> Result<service_record::Model, ApiError> {
    let scope = user.scope();
    let txn = state.db.begin().await?;
    let mut issues = Vec::new();
    let text = RecordText::parse(
        &mut issues,
        &input.activity_name,
        &input.service_category,
        &input.place,
        &input.content,
        input.activity_leader.as_deref(),
    );
    if get_scoped(&txn, &scope, input.organization_id)
        .await
        .is_err()
    {
        issues.push(FieldIssue::new(
            "organization_id",
            "organization_not_found",
            "no such organization in your scope",
        ));
    }
    if find_in_scope(&txn, &scope, input.volunteer_id)
        .await
        .is_err()
    {
        issues.push(FieldIssue::new(
            "volunteer_id",
            "volunteer_not_found",
            "no such volunteer in your scope",
        ));
    }
    if !issues.is_empty() {
        return Err(ApiError::Validation(issues));
    }
    let model = insert_record(
        &txn,
        state.settings.time_zone,
        actor,
        NewRecord {
            volunteer_id: input.volunteer_id,
            organization_id: input.organization_id,
            text,
            started_at: input.started_at,
            ended_at: input.ended_at,
            source: SOURCE_MANUAL.into(),
            external_id: None,
            project_id: input.project_id,
            shift_id: input.shift_id,
            review_required: false,
            approve: input.approve,
            supersedes: None,
            entered_at: Utc::now(),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

/// A volunteer declares their own service for an organization (source `declaration`); always
/// pending until an admin of the organization approves it.
///
/// # Errors
/// 404 when the caller has no volunteer profile, 409 `volunteer_deregistered`, 422 validation
/// (`organization_not_found`, text fields), `interval_invalid`, `interval_too_long`.
pub async fn create_declaration(
    state: &AppState,
    user: &AuthUser,
    actor: &Actor,
    input: DeclarationIn,
) -> Result<service_record::Model, ApiError> {
    let volunteer_id = user.volunteer_id.ok_or(ApiError::NotFound("volunteer"))?;
    let txn = state.db.begin().await?;
    let v = volunteer::Entity::find_by_id(volunteer_id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("volunteer"))?;
    if v.status == VolunteerStatus::Deregistered {
        return Err(ApiError::Conflict {
            code: "volunteer_deregistered",
            detail: "a deregistered volunteer cannot declare service".into(),
        });
    }
    let mut issues = Vec::new();
    let text = RecordText::parse(
        &mut issues,
        &input.activity_name,
        &input.service_category,
        &input.place,
        &input.content,
        input.activity_leader.as_deref(),
    );
    if organization::Entity::find_by_id(input.organization_id)
        .one(&txn)
        .await?
        .is_none()
    {
        issues.push(FieldIssue::new(
            "organization_id",
            "organization_not_found",
            "no such organization",
        ));
    }
    if !issues.is_empty() {
        return Err(ApiError::Validation(issues));
    }
    let model = insert_record(
        &txn,
        state.settings.time_zone,
        actor,
        NewRecord {
            volunteer_id,
            organization_id: input.organization_id,
            text,
            started_at: input.started_at,
            ended_at: input.ended_at,
            source: SOURCE_DECLARATION.into(),
            external_id: None,
            project_id: None,
            shift_id: None,
            review_required: false,
            approve: false,
            supersedes: None,
            entered_at: Utc::now(),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

/// Makes the ledger record of an attendance (check-out, or a check-out closed by the job) in the
/// caller's transaction. The record is `pending` (attendance records are approved by admins),
/// source `attendance`, `review_required` = `needs_review`, flagged `conflict` when it overlaps
/// an approved record. Service category and content are left empty for the admin to see the
/// activity name; `late` is false because the record is made when the activity ends (the server
/// clock at check-out, Art. 11 cannot be missed).
///
/// # Errors
/// 422 `interval_invalid` / `interval_too_long` / text validation; database errors (a missing
/// volunteer or organization is a foreign-key violation: 422 `reference_not_found`).
#[expect(
    clippy::too_many_arguments,
    reason = "the signature agreed with the attendance work"
)]
pub async fn create_from_attendance(
    txn: &impl ConnectionTrait,
    tz: Tz,
    volunteer_id: Uuid,
    organization_id: Uuid,
    project_id: Option<Uuid>,
    shift_id: Option<Uuid>,
    started_at: DateTime<Utc>,
    ended_at: DateTime<Utc>,
    activity_name: &str,
    place: &str,
    needs_review: bool,
    actor: &Actor,
) -> Result<service_record::Model, ApiError> {
    let mut issues = Vec::new();
    let activity_name = text(&mut issues, "activity_name", activity_name, 200);
    let place = text(&mut issues, "place", place, 200);
    if !issues.is_empty() {
        return Err(ApiError::Validation(issues));
    }
    let raw = credited_minutes(started_at, ended_at)?;
    lock_volunteer(txn, volunteer_id).await?;
    let (minutes, rounding_rule_set) =
        crate::incentives::service::credit(txn, tz, volunteer_id, started_at, raw).await?;
    let conflict = approved_overlap(txn, volunteer_id, started_at, ended_at, &[])
        .await?
        .is_some();
    let id = Uuid::now_v7();
    let model = service_record::ActiveModel {
        id: Set(id),
        volunteer_id: Set(volunteer_id),
        organization_id: Set(organization_id),
        activity_name: Set(activity_name),
        service_category: Set(String::new()),
        place: Set(place),
        content: Set(String::new()),
        activity_leader: Set(None),
        started_at: Set(started_at),
        ended_at: Set(ended_at),
        minutes: Set(minutes),
        raw_minutes: Set(Some(raw)),
        rounding_rule_set_id: Set(Some(rounding_rule_set)),
        source: Set(SOURCE_ATTENDANCE.into()),
        external_id: Set(None),
        recorded_by: Set(actor.account_id),
        status: Set(ServiceRecordStatus::Pending),
        conflict: Set(conflict),
        late: Set(false),
        review_required: Set(needs_review),
        supersedes_id: Set(None),
        correction_reason: Set(None),
        decided_by: Set(None),
        decided_at: Set(None),
        decision_reason: Set(None),
        project_id: Set(project_id),
        shift_id: Set(shift_id),
        created_at: Set(Utc::now()),
        version: Set(1),
    }
    .insert(txn)
    .await?;
    audit::record(
        txn,
        actor,
        Entry {
            action: "create",
            entity_type: ENTITY,
            entity_id: id,
            fields: vec![
                "volunteer_id".into(),
                "organization_id".into(),
                "started_at".into(),
                "ended_at".into(),
                "minutes".into(),
                "source".into(),
            ],
            reason: None,
        },
    )
    .await?;
    crate::sync::changes::service_record(txn, &model, crate::sync::changes::Operation::Create)
        .await?;
    Ok(model)
}

// ---------------------------------------------------------------------------
// Decisions
// ---------------------------------------------------------------------------

/// Moves `record` from its current status to `to` if nobody changed it meanwhile (guarded by
/// status and version), returning the updated row.
async fn transition(
    txn: &impl ConnectionTrait,
    record: &service_record::Model,
    to: ServiceRecordStatus,
    actor: &Actor,
    decision_reason: Option<String>,
) -> Result<service_record::Model, ApiError> {
    let now = Utc::now();
    let mut q = service_record::Entity::update_many()
        .col_expr(service_record::Column::Status, Expr::value(to))
        .col_expr(
            service_record::Column::Version,
            Expr::value(record.version + 1),
        );
    if to != ServiceRecordStatus::Superseded {
        q = q
            .col_expr(
                service_record::Column::DecidedBy,
                Expr::value(actor.account_id),
            )
            .col_expr(service_record::Column::DecidedAt, Expr::value(Some(now)))
            .col_expr(
                service_record::Column::DecisionReason,
                Expr::value(decision_reason),
            );
    }
    let done = q
        .filter(service_record::Column::Id.eq(record.id))
        .filter(service_record::Column::Status.eq(record.status))
        .filter(service_record::Column::Version.eq(record.version))
        .exec(txn)
        .await?;
    if done.rows_affected != 1 {
        return Err(ApiError::Conflict {
            code: "record_changed",
            detail: "the record was changed by someone else; reload it".into(),
        });
    }
    let updated = service_record::Entity::find_by_id(record.id)
        .one(txn)
        .await?
        .ok_or(ApiError::NotFound("service record"))?;
    crate::sync::changes::service_record(txn, &updated, crate::sync::changes::Operation::Update)
        .await?;
    Ok(updated)
}

fn not_in_status(code: &'static str, what: &str) -> ApiError {
    ApiError::Conflict {
        code,
        detail: format!("only a {what} record can be changed this way"),
    }
}

/// Approves a pending record (admins in scope) and adds its minutes to the totals in the same
/// transaction.
///
/// # Errors
/// 404 out of scope, 409 `record_not_pending`, 409 `record_overlaps` (overlaps an approved
/// record of the same volunteer), 409 `record_changed` (concurrent change).
pub async fn approve(
    state: &AppState,
    scope: &Scope,
    actor: &Actor,
    id: Uuid,
) -> Result<service_record::Model, ApiError> {
    let txn = state.db.begin().await?;
    let current = find_scoped(&txn, scope, id).await?;
    if current.status != ServiceRecordStatus::Pending {
        return Err(not_in_status("record_not_pending", "pending"));
    }
    lock_volunteer(&txn, current.volunteer_id).await?;
    if approved_overlap(
        &txn,
        current.volunteer_id,
        current.started_at,
        current.ended_at,
        &[current.id],
    )
    .await?
    .is_some()
    {
        return Err(overlaps_error());
    }
    let updated = transition(&txn, &current, ServiceRecordStatus::Approved, actor, None).await?;
    apply_totals(&txn, state.settings.time_zone, &updated, 1).await?;
    audit::record(
        &txn,
        actor,
        Entry {
            action: "approve",
            entity_type: ENTITY,
            entity_id: id,
            fields: vec!["status".into()],
            reason: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// Rejects a pending record with a reason (admins in scope).
///
/// # Errors
/// 404 out of scope, 409 `record_not_pending`, 422 reason missing.
pub async fn reject(
    state: &AppState,
    scope: &Scope,
    actor: &Actor,
    id: Uuid,
    raw_reason: &str,
) -> Result<service_record::Model, ApiError> {
    let why = reason(raw_reason)?;
    let txn = state.db.begin().await?;
    let current = find_scoped(&txn, scope, id).await?;
    if current.status != ServiceRecordStatus::Pending {
        return Err(not_in_status("record_not_pending", "pending"));
    }
    let updated = transition(
        &txn,
        &current,
        ServiceRecordStatus::Rejected,
        actor,
        Some(why.clone()),
    )
    .await?;
    audit::record(
        &txn,
        actor,
        Entry {
            action: "reject",
            entity_type: ENTITY,
            entity_id: id,
            fields: vec!["status".into(), "decision_reason".into()],
            reason: Some(why),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// Voids an approved record with a reason (admins in scope): its minutes leave the totals and
/// certificates covering it become superseded, in the same transaction.
///
/// # Errors
/// 404 out of scope, 409 `record_not_approved`, 422 reason missing.
pub async fn void(
    state: &AppState,
    scope: &Scope,
    actor: &Actor,
    id: Uuid,
    raw_reason: &str,
) -> Result<service_record::Model, ApiError> {
    let why = reason(raw_reason)?;
    let txn = state.db.begin().await?;
    let current = find_scoped(&txn, scope, id).await?;
    if current.status != ServiceRecordStatus::Approved {
        return Err(not_in_status("record_not_approved", "approved"));
    }
    lock_volunteer(&txn, current.volunteer_id).await?;
    let updated = transition(
        &txn,
        &current,
        ServiceRecordStatus::Voided,
        actor,
        Some(why.clone()),
    )
    .await?;
    apply_totals(&txn, state.settings.time_zone, &current, -1).await?;
    supersede_certificates(&txn, id).await?;
    audit::record(
        &txn,
        actor,
        Entry {
            action: "void",
            entity_type: ENTITY,
            entity_id: id,
            fields: vec!["status".into(), "decision_reason".into()],
            reason: Some(why),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// Corrects a pending or approved record (admins in scope): the old record becomes
/// `superseded`, a new approved record with `supersedes_id` takes its place, totals move from
/// the old minutes to the new ones and certificates covering the old record become superseded,
/// all in one transaction. The late flag of the new record is judged against the entry time of
/// the corrected one (the service was recorded then; only the content changed).
///
/// # Errors
/// 404 out of scope, 409 `already_superseded`, 409 `record_not_correctable` (rejected or
/// voided), 409 `record_overlaps` (the new interval overlaps another approved record), 422
/// validation / `interval_invalid` / `interval_too_long`.
pub async fn correct(
    state: &AppState,
    scope: &Scope,
    actor: &Actor,
    id: Uuid,
    input: CorrectionIn,
) -> Result<service_record::Model, ApiError> {
    let txn = state.db.begin().await?;
    let new = correct_in(&txn, state.settings.time_zone, scope, actor, id, input).await?;
    txn.commit().await?;
    Ok(new)
}

/// [`correct`] inside the caller's transaction (partner batch items correct a record and move
/// their external-id mapping in one transaction); the caller commits.
///
/// # Errors
/// As [`correct`].
pub async fn correct_in(
    txn: &impl ConnectionTrait,
    tz: Tz,
    scope: &Scope,
    actor: &Actor,
    id: Uuid,
    input: CorrectionIn,
) -> Result<service_record::Model, ApiError> {
    let why = reason(&input.reason)?;
    let old = find_scoped(txn, scope, id).await?;
    match old.status {
        ServiceRecordStatus::Superseded => {
            return Err(ApiError::Conflict {
                code: "already_superseded",
                detail: "this record was already corrected; correct the newest record of the chain"
                    .into(),
            });
        }
        ServiceRecordStatus::Rejected | ServiceRecordStatus::Voided => {
            return Err(ApiError::Conflict {
                code: "record_not_correctable",
                detail: "rejected and voided records cannot be corrected".into(),
            });
        }
        ServiceRecordStatus::Pending | ServiceRecordStatus::Approved => {}
    }
    let mut issues = Vec::new();
    let text = RecordText::parse(
        &mut issues,
        input.activity_name.as_deref().unwrap_or(&old.activity_name),
        input
            .service_category
            .as_deref()
            .unwrap_or(&old.service_category),
        input.place.as_deref().unwrap_or(&old.place),
        input.content.as_deref().unwrap_or(&old.content),
        input
            .activity_leader
            .as_deref()
            .or(old.activity_leader.as_deref()),
    );
    if !issues.is_empty() {
        return Err(ApiError::Validation(issues));
    }
    credited_minutes(input.started_at, input.ended_at)?;
    lock_volunteer(txn, old.volunteer_id).await?;
    if approved_overlap(
        txn,
        old.volunteer_id,
        input.started_at,
        input.ended_at,
        &[old.id],
    )
    .await?
    .is_some()
    {
        return Err(overlaps_error());
    }
    transition(txn, &old, ServiceRecordStatus::Superseded, actor, None).await?;
    if old.status == ServiceRecordStatus::Approved {
        // The level is recomputed once the new record is in (below).
        add_to_totals(txn, tz, &old, -1).await?;
    }
    supersede_certificates(txn, old.id).await?;
    audit::record(
        txn,
        actor,
        Entry {
            action: "supersede",
            entity_type: ENTITY,
            entity_id: old.id,
            fields: vec!["status".into()],
            reason: Some(why.clone()),
        },
    )
    .await?;
    let new = insert_record(
        txn,
        tz,
        actor,
        NewRecord {
            volunteer_id: old.volunteer_id,
            organization_id: old.organization_id,
            text,
            started_at: input.started_at,
            ended_at: input.ended_at,
            source: old.source.clone(),
            external_id: None,
            project_id: old.project_id,
            shift_id: old.shift_id,
            review_required: false,
            approve: true,
            supersedes: Some((old.id, why)),
            entered_at: old.created_at,
        },
    )
    .await?;
    if new.status != ServiceRecordStatus::Approved {
        // `insert_record` recomputes only when it approves (adding the new minutes).
        crate::incentives::service::recompute_level(txn, tz, new.volunteer_id).await?;
    }
    Ok(new)
}

// ---------------------------------------------------------------------------
// Totals queries
// ---------------------------------------------------------------------------

fn year_out(year: i32, minutes: i64, records: i64) -> YearTotalOut {
    YearTotalOut {
        year,
        approved_minutes: minutes,
        approved_hours: rules::hours_display(minutes),
        approved_records: records,
    }
}

/// A volunteer's approved totals (the volunteer themself, or admins in scope). Zeros, never
/// null, for a volunteer without approved records.
///
/// # Errors
/// 404 outside scope; database errors.
pub async fn volunteer_totals(
    db: &impl ConnectionTrait,
    user: &AuthUser,
    volunteer_id: Uuid,
) -> Result<VolunteerTotalsOut, ApiError> {
    get_visible(db, user, volunteer_id).await?;
    let total = volunteer_total::Entity::find_by_id(volunteer_id)
        .one(db)
        .await?;
    let years = volunteer_year_total::Entity::find()
        .filter(volunteer_year_total::Column::VolunteerId.eq(volunteer_id))
        .filter(
            Condition::any()
                .add(volunteer_year_total::Column::ApprovedMinutes.ne(0))
                .add(volunteer_year_total::Column::ApprovedRecords.ne(0)),
        )
        .order_by_asc(volunteer_year_total::Column::Year)
        .all(db)
        .await?;
    let (minutes, records) = total.map_or((0, 0), |t| (t.approved_minutes, t.approved_records));
    Ok(VolunteerTotalsOut {
        volunteer_id,
        approved_minutes: minutes,
        approved_hours: rules::hours_display(minutes),
        approved_records: records,
        years: years
            .into_iter()
            .map(|y| year_out(y.year, y.approved_minutes, y.approved_records))
            .collect(),
    })
}

/// Approved totals of an organization and its subtree (admins in scope), from the summary rows.
///
/// # Errors
/// 404 outside scope; database errors.
pub async fn organization_totals(
    db: &impl ConnectionTrait,
    scope: &Scope,
    organization_id: Uuid,
    year: Option<i32>,
) -> Result<OrganizationTotalsOut, ApiError> {
    get_scoped(db, scope, organization_id).await?;
    let mut q = organization_year_total::Entity::find().filter(
        organization_year_total::Column::OrganizationId.in_subquery(subtree_ids(organization_id)),
    );
    if let Some(y) = year {
        q = q.filter(organization_year_total::Column::Year.eq(y));
    }
    let rows = q.all(db).await?;
    let mut own = (0i64, 0i64);
    let mut by_year: std::collections::BTreeMap<i32, (i64, i64)> = Default::default();
    for r in &rows {
        if r.organization_id == organization_id {
            own.0 += r.approved_minutes;
            own.1 += r.approved_records;
        }
        let e = by_year.entry(r.year).or_default();
        e.0 += r.approved_minutes;
        e.1 += r.approved_records;
    }
    let minutes: i64 = by_year.values().map(|v| v.0).sum();
    let records: i64 = by_year.values().map(|v| v.1).sum();
    Ok(OrganizationTotalsOut {
        organization_id,
        year,
        own_approved_minutes: own.0,
        own_approved_records: own.1,
        approved_minutes: minutes,
        approved_hours: rules::hours_display(minutes),
        approved_records: records,
        years: by_year
            .into_iter()
            .filter(|(_, (m, r))| *m != 0 || *r != 0)
            .map(|(y, (m, r))| year_out(y, m, r))
            .collect(),
    })
}

// ---------------------------------------------------------------------------
// Calendar administration
// ---------------------------------------------------------------------------

/// Sets (creates or replaces) a calendar exception. Platform admins only (checked by the
/// handler). Records already entered keep their late flag.
///
/// # Errors
/// 422 name invalid; database errors.
pub async fn put_calendar_day(
    db: &impl sea_orm::TransactionTrait,
    actor: &Actor,
    date: NaiveDate,
    input: CalendarDayIn,
) -> Result<calendar_day::Model, ApiError> {
    let name =
        clean_text(&input.name, 100).map_err(|e| ApiError::field("name", e.code, e.message))?;
    let txn = db.begin().await?;
    calendar_day::Entity::insert(calendar_day::ActiveModel {
        date: Set(date),
        kind: Set(input.kind),
        name: Set(name.clone()),
    })
    .on_conflict(
        OnConflict::column(calendar_day::Column::Date)
            .update_columns([calendar_day::Column::Kind, calendar_day::Column::Name])
            .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    audit::record(
        &txn,
        actor,
        Entry {
            action: "update",
            entity_type: "calendar_day",
            entity_id: Uuid::nil(),
            fields: vec!["date".into(), "kind".into(), "name".into()],
            reason: Some(date.to_string()),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(calendar_day::Model {
        date,
        kind: input.kind,
        name,
    })
}

/// Deletes a calendar exception.
///
/// # Errors
/// 404 when the date has none; database errors.
pub async fn delete_calendar_day(
    db: &impl sea_orm::TransactionTrait,
    actor: &Actor,
    date: NaiveDate,
) -> Result<(), ApiError> {
    let txn = db.begin().await?;
    let done = calendar_day::Entity::delete_by_id(date).exec(&txn).await?;
    if done.rows_affected == 0 {
        return Err(ApiError::NotFound("calendar day"));
    }
    audit::record(
        &txn,
        actor,
        Entry {
            action: "delete",
            entity_type: "calendar_day",
            entity_id: Uuid::nil(),
            fields: vec!["date".into()],
            reason: Some(date.to_string()),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Calendar exceptions between `from` and `to` (inclusive), by date.
///
/// # Errors
/// 400 `invalid_query` when `from` is after `to`; database errors.
pub async fn list_calendar_days(
    db: &impl ConnectionTrait,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<Vec<calendar_day::Model>, ApiError> {
    let mut q = calendar_day::Entity::find();
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        return Err(ApiError::BadRequest {
            code: "invalid_query",
            detail: "from must not be after to".into(),
        });
    }
    if let Some(f) = from {
        q = q.filter(calendar_day::Column::Date.gte(f));
    }
    if let Some(t) = to {
        q = q.filter(calendar_day::Column::Date.lte(t));
    }
    Ok(q.order_by_asc(calendar_day::Column::Date)
        .limit(1000)
        .all(db)
        .await?)
}
