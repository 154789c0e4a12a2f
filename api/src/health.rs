//! Liveness and readiness probes.

use actix_web::{HttpResponse, get, web};
use sea_orm::ConnectionTrait as _;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::Problem;
use crate::state::AppState;

/// Probe answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct HealthOut {
    /// `ok` or `unavailable`.
    pub status: String,
}

/// Liveness: the process is up.
#[utoipa::path(
    tag = "operations",
    operation_id = "get_health_live",
    security(()),
    responses((status = 200, description = "Alive", body = HealthOut))
)]
#[get("/health/live")]
pub async fn live() -> HttpResponse {
    HttpResponse::Ok().json(HealthOut {
        status: "ok".into(),
    })
}

/// Readiness: the database answers.
#[utoipa::path(
    tag = "operations",
    operation_id = "get_health_ready",
    security(()),
    responses(
        (status = 200, description = "Ready", body = HealthOut),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/health/ready")]
pub async fn ready(state: web::Data<AppState>) -> HttpResponse {
    match state.db.execute_unprepared("SELECT 1").await {
        Ok(_) => HttpResponse::Ok().json(HealthOut {
            status: "ok".into(),
        }),
        Err(e) => {
            tracing::error!(error = %e, "readiness check failed");
            actix_web::ResponseError::error_response(&crate::error::ApiError::Unavailable(
                "the database is unavailable",
            ))
        }
    }
}
