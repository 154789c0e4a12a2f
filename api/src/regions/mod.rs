//! Administrative divisions (`/api/v1/regions`): public, read-only, loaded from shipped data
//! (NBS 统计用区划代码 2023-06-30, GB/T 2260 style codes).

use actix_web::{get, web};
use entity::enums::RegionLevel;
use entity::region;
use sea_orm::{ColumnTrait as _, EntityTrait as _, QueryFilter as _, QueryOrder as _};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiError, Problem};
use crate::organizations::service::escape_like;
use crate::pagination::{Page, PageParams};
use crate::state::AppState;

/// A region.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegionOut {
    /// Six-digit code.
    #[schema(example = "320102")]
    pub code: String,
    /// Name.
    #[schema(example = "玄武区")]
    pub name: String,
    /// Province, prefecture or county.
    pub level: RegionLevel,
    /// Enclosing region; `null` for provinces.
    pub parent_code: Option<String>,
    /// Date of the data set (`2023-06-30`).
    pub data_version: String,
}

impl From<region::Model> for RegionOut {
    fn from(m: region::Model) -> Self {
        Self {
            code: m.code,
            name: m.name,
            level: m.level,
            parent_code: m.parent_code,
            data_version: m.data_version,
        }
    }
}

/// Region filters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RegionFilter {
    /// Only direct children of this region.
    pub parent_code: Option<String>,
    /// Only this level.
    pub level: Option<RegionLevel>,
    /// Name contains this text.
    pub name: Option<String>,
}

/// List regions (public), e.g. the provinces (`level=province`) or the counties of a prefecture
/// (`parent_code=320100`).
#[utoipa::path(
    tag = "regions",
    operation_id = "list_regions",
    params(RegionFilter, PageParams),
    security(()),
    responses(
        (status = 200, description = "One page", body = Page<RegionOut>),
        (status = 400, description = "Bad query", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/regions")]
pub async fn list_regions(
    state: web::Data<AppState>,
    filter: web::Query<RegionFilter>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<RegionOut>>, ApiError> {
    let (p, n) = page.resolve()?;
    let mut q = region::Entity::find();
    if let Some(parent) = &filter.parent_code {
        q = q.filter(region::Column::ParentCode.eq(parent.trim()));
    }
    if let Some(level) = filter.level {
        q = q.filter(region::Column::Level.eq(level));
    }
    if let Some(name) = filter
        .name
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        q = q.filter(region::Column::Name.like(format!("%{}%", escape_like(name))));
    }
    let Page { items, total, .. } =
        crate::pagination::fetch(q.order_by_asc(region::Column::Code), &state.db, p, n).await?;
    Ok(web::Json(Page {
        items: items.into_iter().map(Into::into).collect(),
        page: p,
        per_page: n,
        total,
    }))
}

/// Get one region by code (public).
#[utoipa::path(
    tag = "regions",
    operation_id = "get_region",
    params(("code" = String, Path, description = "Six-digit region code")),
    security(()),
    responses(
        (status = 200, description = "The region", body = RegionOut),
        (status = 404, description = "No such code", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/regions/{code}")]
pub async fn get_region(
    state: web::Data<AppState>,
    code: web::Path<String>,
) -> Result<web::Json<RegionOut>, ApiError> {
    region::Entity::find_by_id(code.trim().to_owned())
        .one(&state.db)
        .await?
        .map(|r| web::Json(r.into()))
        .ok_or(ApiError::NotFound("region"))
}

/// Registers the `/regions` routes.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_regions).service(get_region);
}
