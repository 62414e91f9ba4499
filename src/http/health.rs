//! Liveness and readiness.
//!
//! `/healthz` answers as long as the process serves HTTP and never touches
//! the database: a database outage must not get the process restarted.
//! `/readyz` answers 200 only when the database answers and every migration
//! is applied, so a load balancer sends no traffic to an instance that cannot
//! serve it; from a shutdown signal on, it answers 503.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::AppState;
use crate::db;

/// `GET /healthz`.
pub async fn healthz() -> &'static str {
    "ok"
}

/// `GET /readyz`.
pub async fn readyz(State(state): State<AppState>) -> Response {
    if state.stopping.load(std::sync::atomic::Ordering::Relaxed) {
        return not_ready("shutting down");
    }
    let db = &state.api.db;
    let check = async {
        db.ping()
            .await
            .map_err(|_| "the database does not answer")?;
        let pending = db::pending_migrations(db)
            .await
            .map_err(|_| "cannot read the migration table")?;
        if pending.is_empty() {
            Ok(())
        } else {
            Err("migrations are pending")
        }
    };
    match tokio::time::timeout(Duration::from_secs(2), check).await {
        Ok(Ok(())) => (StatusCode::OK, Json(json!({ "status": "ready" }))).into_response(),
        Ok(Err(reason)) => not_ready(reason),
        Err(_) => not_ready("the database did not answer within 2 s"),
    }
}

fn not_ready(reason: &str) -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [("retry-after", "1")],
        Json(json!({ "status": "unavailable", "reason": reason })),
    )
        .into_response()
}
