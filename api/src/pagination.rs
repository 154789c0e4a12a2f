//! Page-based list parameters and the list envelope (DESIGN.md §4: `page`, `per_page` default
//! 20, max 100, with `total`).

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::ApiError;

/// `page` (1-based, default 1) and `per_page` (1–100, default 20).
#[derive(Debug, Clone, Copy, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Page number, starting at 1.
    #[param(minimum = 1, maximum = 1000000, default = 1)]
    pub page: Option<u64>,
    /// Items per page, 1 to 100.
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub per_page: Option<u64>,
}

impl PageParams {
    /// Validated `(page, per_page)`.
    ///
    /// # Errors
    /// 400 `invalid_query` when out of range.
    pub fn resolve(&self) -> Result<(u64, u64), ApiError> {
        let page = self.page.unwrap_or(1);
        let per_page = self.per_page.unwrap_or(20);
        if page == 0 || page > 1_000_000 || !(1..=100).contains(&per_page) {
            return Err(ApiError::BadRequest {
                code: "invalid_query",
                detail: "page must be 1 to 1000000 and per_page 1 to 100".into(),
            });
        }
        Ok((page, per_page))
    }
}

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// Page number.
    pub page: u64,
    /// Items per page.
    pub per_page: u64,
    /// Number of items over all pages.
    pub total: u64,
}

/// Runs a list query for one page: the total over all pages (`COUNT(*)` of the query) and the
/// rows of page `page` (1-based) of `per_page` rows, as a [`Page`].
///
/// # Errors
/// Database errors.
pub async fn fetch<'db, C, Q>(
    query: Q,
    db: &'db C,
    page: u64,
    per_page: u64,
) -> Result<Page<<Q::Selector as sea_orm::SelectorTrait>::Item>, ApiError>
where
    C: sea_orm::ConnectionTrait,
    Q: sea_orm::PaginatorTrait<'db, C>,
{
    let paginator = query.paginate(db, per_page);
    let total = paginator.num_items().await?;
    let items = paginator.fetch_page(page.saturating_sub(1)).await?;
    Ok(Page {
        items,
        page,
        per_page,
        total,
    })
}
