//! Export of service records (`GET /api/v1/service-records/export`) as CSV (streamed, UTF-8 with
//! a byte-order mark for Excel) or XLSX, with Chinese headings. Names are personal data: admins
//! only, always inside their scope.

use std::collections::HashMap;

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use entity::enums::{Role, ServiceRecordStatus};
use entity::{organization, service_record, volunteer};
use futures_util::stream;
use sea_orm::{
    ColumnTrait as _, Condition, DatabaseConnection, EntityTrait as _, QueryFilter as _,
    QueryOrder as _, QuerySelect as _,
};
use uuid::Uuid;

use super::dto::{ExportFormat, ExportParams};
use super::rules::hours_display;
use super::service::{date_range, local_date};
use crate::audit::{self, Entry};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::organizations::handlers::actor;
use crate::organizations::service::{get_scoped, subtree_ids};
use crate::state::AppState;

/// Column headings of the export, in order.
pub const HEADINGS: [&str; 10] = [
    "志愿者编号",
    "姓名",
    "活动名称",
    "服务日期",
    "地点",
    "服务内容",
    "服务时长（小时）",
    "组织单位",
    "记录来源",
    "状态",
];

/// Rows fetched per query.
const PAGE: u64 = 500;
/// Most rows an XLSX export holds (one sheet; Excel's limit is 1,048,576 rows).
const XLSX_MAX_ROWS: usize = 200_000;

const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn source_label(source: &str) -> String {
    match source {
        "attendance" => "考勤".into(),
        "manual" => "手工录入".into(),
        "declaration" => "个人申报".into(),
        other => match other.strip_prefix("partner:") {
            Some(p) => format!("合作平台:{p}"),
            None => other.to_owned(),
        },
    }
}

fn status_label(s: ServiceRecordStatus) -> &'static str {
    match s {
        ServiceRecordStatus::Pending => "待审核",
        ServiceRecordStatus::Approved => "已确认",
        ServiceRecordStatus::Rejected => "已驳回",
        ServiceRecordStatus::Voided => "已作废",
        ServiceRecordStatus::Superseded => "已更正",
    }
}

/// Neutralises spreadsheet formulas in CSV cells (OWASP "CSV injection"): a cell starting with
/// `=`, `+`, `-`, `@`, tab or carriage return gets a leading apostrophe.
fn csv_safe(s: String) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s
    }
}

/// Reads the filtered records page by page (keyset on `started_at`, `id`) with the names the
/// rows need.
struct Reader {
    db: DatabaseConnection,
    tz: Tz,
    condition: Condition,
    after: Option<(DateTime<Utc>, Uuid)>,
    done: bool,
    org_names: HashMap<Uuid, String>,
}

impl Reader {
    async fn next_rows(&mut self) -> Result<Option<Vec<[String; 10]>>, ApiError> {
        if self.done {
            return Ok(None);
        }
        let mut q = service_record::Entity::find().filter(self.condition.clone());
        if let Some((t, id)) = self.after {
            q = q.filter(
                Condition::any()
                    .add(service_record::Column::StartedAt.gt(t))
                    .add(
                        Condition::all()
                            .add(service_record::Column::StartedAt.eq(t))
                            .add(service_record::Column::Id.gt(id)),
                    ),
            );
        }
        let records = q
            .order_by_asc(service_record::Column::StartedAt)
            .order_by_asc(service_record::Column::Id)
            .limit(PAGE)
            .all(&self.db)
            .await?;
        if records.len() < usize::try_from(PAGE).unwrap_or(usize::MAX) {
            self.done = true;
        }
        let Some(last) = records.last() else {
            return Ok(None);
        };
        self.after = Some((last.started_at, last.id));
        let volunteer_ids: Vec<Uuid> = records.iter().map(|r| r.volunteer_id).collect();
        let volunteers: HashMap<Uuid, volunteer::Model> = volunteer::Entity::find()
            .filter(volunteer::Column::Id.is_in(volunteer_ids))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|v| (v.id, v))
            .collect();
        let missing: Vec<Uuid> = records
            .iter()
            .map(|r| r.organization_id)
            .filter(|o| !self.org_names.contains_key(o))
            .collect();
        if !missing.is_empty() {
            for o in organization::Entity::find()
                .filter(organization::Column::Id.is_in(missing))
                .all(&self.db)
                .await?
            {
                self.org_names.insert(o.id, o.name);
            }
        }
        Ok(Some(
            records
                .into_iter()
                .map(|r| {
                    let v = volunteers.get(&r.volunteer_id);
                    [
                        v.map(|v| v.volunteer_number.clone()).unwrap_or_default(),
                        v.map(|v| v.real_name.clone()).unwrap_or_default(),
                        r.activity_name,
                        local_date(self.tz, r.started_at).to_string(),
                        r.place,
                        r.content,
                        hours_display(i64::from(r.minutes)),
                        self.org_names
                            .get(&r.organization_id)
                            .cloned()
                            .unwrap_or_default(),
                        source_label(&r.source),
                        status_label(r.status).to_owned(),
                    ]
                })
                .collect(),
        ))
    }
}

fn csv_bytes(rows: &[[String; 10]], with_heading: bool) -> Result<Bytes, ApiError> {
    let mut out = Vec::new();
    if with_heading {
        out.extend_from_slice("\u{feff}".as_bytes());
    }
    {
        let mut w = csv::Writer::from_writer(&mut out);
        if with_heading {
            w.write_record(HEADINGS).map_err(ApiError::internal)?;
        }
        for row in rows {
            w.write_record(row.iter().cloned().map(csv_safe))
                .map_err(ApiError::internal)?;
        }
        w.flush().map_err(ApiError::internal)?;
    }
    Ok(Bytes::from(out))
}

/// Export service records of an organization subtree (admins in scope), approved ones by
/// default.
///
/// CSV (`format=csv`, the default) is streamed as UTF-8 with a byte-order mark; XLSX
/// (`format=xlsx`) is one sheet of at most 200,000 rows. Headings: 志愿者编号, 姓名, 活动名称,
/// 服务日期 (date of the start, platform time zone), 地点, 服务内容, 服务时长（小时）, 组织单位,
/// 记录来源, 状态. Contains real names: audited callers only.
#[utoipa::path(
    tag = "service-records",
    operation_id = "export_service_records",
    params(ExportParams),
    security(("bearer_auth" = ["platform_admin", "org_admin"])),
    responses(
        (status = 200, description = "The export file (Content-Disposition: attachment)", content(
            (String = "text/csv"),
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )),
        (status = 400, description = "Bad query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not call this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Organization missing or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Too many rows for one XLSX sheet (export_too_large)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/service-records/export")]
pub async fn export_service_records(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    params: web::Query<ExportParams>,
) -> Result<HttpResponse, ApiError> {
    user.require(&[Role::PlatformAdmin, Role::OrgAdmin])?;
    let tz = state.settings.time_zone;
    let org = get_scoped(&state.db, &user.scope(), params.organization_id).await?;
    // The file carries real names: who exported what is audited (parameters only, no data).
    audit::record(
        &state.db,
        &actor(&user, &req),
        Entry {
            action: "export",
            entity_type: "organization",
            entity_id: org.id,
            fields: ["service_records", "volunteer_number", "real_name"]
                .into_iter()
                .map(String::from)
                .collect(),
            reason: None,
        },
    )
    .await?;
    let condition = Condition::all()
        .add(service_record::Column::OrganizationId.in_subquery(subtree_ids(org.id)))
        .add(
            service_record::Column::Status
                .eq(params.status.unwrap_or(ServiceRecordStatus::Approved)),
        )
        .add(date_range(tz, params.from, params.to)?);
    let mut reader = Reader {
        db: state.db.clone(),
        tz,
        condition,
        after: None,
        done: false,
        org_names: HashMap::new(),
    };
    let stamp = chrono::Utc::now().with_timezone(&tz).format("%Y%m%d");
    match params.format.unwrap_or(ExportFormat::Csv) {
        ExportFormat::Csv => {
            let body = stream::unfold((reader, true), |(mut reader, first)| async move {
                match reader.next_rows().await {
                    Ok(Some(rows)) => Some((csv_bytes(&rows, first), (reader, false))),
                    Ok(None) if first => Some((csv_bytes(&[], true), (reader, false))),
                    Ok(None) => None,
                    Err(e) => {
                        tracing::error!(error = %e, "export aborted");
                        reader.done = true;
                        Some((Err(e), (reader, false)))
                    }
                }
            });
            Ok(HttpResponse::Ok()
                .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
                .insert_header((
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"service-records-{stamp}.csv\""),
                ))
                .streaming(body))
        }
        ExportFormat::Xlsx => {
            let mut rows = Vec::new();
            while let Some(mut page) = reader.next_rows().await? {
                rows.append(&mut page);
                if rows.len() > XLSX_MAX_ROWS {
                    return Err(ApiError::Rule {
                        code: "export_too_large",
                        detail: format!(
                            "more than {XLSX_MAX_ROWS} rows: narrow the date range or use CSV"
                        ),
                    });
                }
            }
            let bytes = xlsx_bytes(&rows)?;
            Ok(HttpResponse::Ok()
                .insert_header((header::CONTENT_TYPE, XLSX_TYPE))
                .insert_header((
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"service-records-{stamp}.xlsx\""),
                ))
                .body(bytes))
        }
    }
}

fn xlsx_bytes(rows: &[[String; 10]]) -> Result<Vec<u8>, ApiError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("志愿服务记录").map_err(ApiError::internal)?;
    for (col, h) in (0u16..).zip(HEADINGS) {
        sheet
            .write_string_only(0, col, h)
            .map_err(ApiError::internal)?;
    }
    for (r, row) in (1u32..).zip(rows) {
        for (col, cell) in (0u16..).zip(row.iter()) {
            sheet
                .write_string_only(r, col, cell)
                .map_err(ApiError::internal)?;
        }
    }
    book.save_to_buffer().map_err(ApiError::internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_labels_are_chinese() {
        assert_eq!(csv_safe("=1+1".into()), "'=1+1");
        assert_eq!(csv_safe("社区".into()), "社区");
        assert_eq!(source_label("partner:zyh"), "合作平台:zyh");
        assert_eq!(status_label(ServiceRecordStatus::Approved), "已确认");
    }

    #[test]
    fn csv_starts_with_a_bom_and_the_headings() {
        let b = csv_bytes(&[], true).unwrap();
        let s = String::from_utf8(b.to_vec()).unwrap();
        assert!(s.starts_with("\u{feff}志愿者编号,姓名,"));
    }
}
