//! The HTTP surface: `router(state)` builds every route and layer, so tests
//! can drive it in-process with `tower::ServiceExt::oneshot` and the server
//! binds it to a socket.
//!
//! - `POST /graphql`, `GET /graphql`: the API;
//! - `GET /`: the GraphiQL playground (unless disabled), its files under
//!   `/playground/`;
//! - `GET /healthz`: liveness, never touches the database.

mod graphql;
mod health;
mod playground;

pub use playground::{DEFAULT_QUERY, PlaygroundAssets};

use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, StatusCode};
use axum::routing::get;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::graphql::{ApiState, AppSchema};

/// Largest request body accepted (1 MiB).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// Longest a request may take before it is answered 408.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// Shared by every handler.
#[derive(Clone)]
pub struct AppState {
    pub schema: AppSchema,
    pub api: ApiState,
    pub playground: bool,
    pub playground_assets: PlaygroundAssets,
}

/// Every route with its layers.
pub fn router(state: AppState) -> Router {
    let request_id = HeaderName::from_static("x-request-id");
    let mut router = Router::new()
        .route("/graphql", get(graphql::handle).post(graphql::handle))
        .route("/healthz", get(health::healthz));
    if state.playground {
        router = router
            .route("/", get(playground::page))
            .route("/playground/{name}", get(playground::asset));
    }
    router
        .with_state(state)
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, REQUEST_TIMEOUT))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &axum::http::Request<_>| {
            let id = request
                .headers()
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), request_id = %id)
        }))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
}
