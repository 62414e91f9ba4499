//! The HTTP surface: `router(state)` builds every route and layer, so tests
//! can drive it in-process with `tower::ServiceExt::oneshot` and the server
//! binds it to a socket.
//!
//! - `POST /graphql`, `GET /graphql`: the API (GraphQL over HTTP);
//! - `GET /`: the GraphiQL playground (unless disabled), its files under
//!   `/playground/`;
//! - `GET /healthz`: liveness, never touches the database;
//! - `GET /readyz`: readiness, the database answers and is migrated;
//! - `GET /metrics`: Prometheus metrics.
//!
//! Layers, outermost first: request id (echoed or generated), one log line
//! per request, CORS (allow-list, none by default), compression (gzip,
//! brotli), the body read whole (body limit and body-read timeout, see
//! `body`), the request timeout, metrics; `/graphql` also sheds load beyond
//! its concurrency limit with 503 and `Retry-After`, counting only requests
//! whose body has arrived.

mod body;
mod cache;
mod client_ip;
mod follow;
mod graphql;
mod health;
mod metrics;
mod persisted;
mod playground;
mod rate_limit;
mod reply;
mod request;
mod request_id;
mod route;
mod shape;

pub use cache::{Cached, DocumentCache, ResponseCache};
pub use client_ip::{ClientIp, TrustedProxies};
pub use follow::CacheFollower;
pub use metrics::Metrics;
pub use persisted::Persisted;
pub use playground::{DEFAULT_QUERY, PlaygroundAssets};
pub use rate_limit::RateLimiter;
pub use request::MediaType;

use std::sync::Arc;
use std::time::Duration;

use axum::error_handling::HandleErrorLayer;
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{BoxError, Router};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::config::HttpOptions;
use crate::db::SqlStats;
use crate::error::code;
use crate::graphql::{ApiState, AppSchema};

/// Shared by every handler: one pointer, so that handing it to a request
/// costs one reference count however many parts it has.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl AppState {
    pub fn new(shared: Shared) -> Self {
        AppState(Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// What [`AppState`] holds.
pub struct Shared {
    pub schema: AppSchema,
    pub api: ApiState,
    pub playground: bool,
    pub playground_assets: PlaygroundAssets,
    pub options: Arc<HttpOptions>,
    pub metrics: Arc<Metrics>,
    pub sql_stats: SqlStats,
    pub persisted: Persisted,
    pub response_cache: Option<Arc<ResponseCache>>,
    /// Follows the database's change feed for as long as the state lives.
    pub change_feed: crate::changes::FeedTask,
    /// Delivers webhooks for as long as the state lives (unless turned off).
    pub webhooks: Option<crate::service::webhook::deliver::Worker>,
    pub documents: DocumentCache,
    /// Set once a shutdown signal arrived: `/readyz` then answers 503.
    pub stopping: Arc<std::sync::atomic::AtomicBool>,
    pub rate_limiter: Option<Arc<RateLimiter>>,
}

/// The address of the client at the other end of a connection.
#[derive(Clone, Copy, Debug)]
pub struct ClientAddr(pub std::net::SocketAddr);

/// Every route with its layers.
pub fn router(state: AppState) -> Router {
    let options = state.options.clone();
    let proxies = TrustedProxies::new(&options.trusted_proxies);
    let request_id = HeaderName::from_static("x-request-id");
    // Beyond the concurrency limit, requests are refused at once rather than queued.
    let shed = ServiceBuilder::new()
        .layer(HandleErrorLayer::new(overloaded))
        .load_shed()
        .concurrency_limit(options.max_concurrent_requests.max(1));
    let mut router = Router::new()
        .route(
            "/graphql",
            get(graphql::handle).post(graphql::handle).route_layer(shed),
        )
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(metrics::metrics));
    if state.playground {
        router = router
            .route("/", get(playground::page))
            .route("/playground/{name}", get(playground::asset));
    }
    let mut router = router
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .with_state(state.clone())
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            options.request_timeout,
        ))
        // Outside the request timeout and the concurrency limit: waiting for
        // a slow client's body costs neither (see `body`).
        .layer(axum::middleware::from_fn_with_state(
            state,
            body::read_whole,
        ))
        .layer(CompressionLayer::new().gzip(true).br(true))
        .layer(axum::middleware::map_response(async |r| {
            reply::tag_encoding(r)
        }));
    if !options.cors_origins.is_empty() {
        let origins: Vec<HeaderValue> = options
            .cors_origins
            .iter()
            .filter_map(|o| HeaderValue::from_str(o).ok())
            .collect();
        router = router.layer(
            CorsLayer::new()
                .allow_origin(AllowOrigin::list(origins))
                .allow_methods([Method::GET, Method::POST])
                .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION, header::ACCEPT])
                .max_age(Duration::from_secs(600)),
        );
    }
    router
        // A bug must cost one request a 500, never the connection or the process.
        .layer(CatchPanicLayer::custom(panicked))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &axum::http::Request<_>| {
                    let id = request
                        .headers()
                        .get("x-request-id")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default();
                    let span = tracing::info_span!(
                        "request",
                        method = %request.method(),
                        path = %request.uri().path(),
                        request_id = %id,
                        client = tracing::field::Empty,
                        operation = tracing::field::Empty,
                    );
                    if let Some(ClientIp(ip)) = request.extensions().get::<ClientIp>() {
                        span.record("client", tracing::field::display(ip));
                    }
                    span
                })
                .on_request(())
                .on_response(
                    DefaultOnResponse::new()
                        .level(Level::INFO)
                        .latency_unit(tower_http::LatencyUnit::Micros),
                ),
        )
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        // Outermost: a client's id that could forge log fields is dropped,
        // and the layer above gives the request a fresh one.
        .layer(tower::util::MapRequestLayer::new(
            request_id::sanitize::<axum::body::Body>,
        ))
        // The client, resolved once for the logs and the rate limit.
        .layer(tower::util::MapRequestLayer::new(
            move |mut request: axum::http::Request<axum::body::Body>| {
                if let Some(ip) = proxies.client_of(&request) {
                    request.extensions_mut().insert(ClientIp(ip));
                }
                request
            },
        ))
}

fn panicked(_: Box<dyn std::any::Any + Send>) -> axum::response::Response {
    tracing::error!("a request handler panicked");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(header::CONTENT_TYPE, "application/json")],
        serde_json::json!({ "errors": [{ "message": "internal server error", "extensions": { "code": code::INTERNAL_SERVER_ERROR } }] })
            .to_string(),
    )
        .into_response()
}

async fn overloaded(err: BoxError) -> axum::response::Response {
    let message = if err.is::<tower::load_shed::error::Overloaded>() {
        "the server is at capacity; retry shortly"
    } else {
        "the request could not be served"
    };
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::RETRY_AFTER, "1"), (header::CONTENT_TYPE, "application/json")],
        serde_json::json!({ "errors": [{ "message": message, "extensions": { "code": code::OVERLOADED } }] }).to_string(),
    )
        .into_response()
}
