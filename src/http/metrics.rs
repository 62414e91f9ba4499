//! `/metrics`: Prometheus text format.
//!
//! Requests by route and status with latency histograms, GraphQL operations
//! by name and outcome, response-cache hits and misses, rejections by reason,
//! SQL statements sent, the database pool's connections in use and idle, and
//! the bytes each in-memory cache holds, the HTTP connections open, and
//! webhook deliveries by outcome.
//!
//! Operation names come from clients, and every label value is a series kept
//! for the life of the process, so the names are bounded: the operations of
//! the trusted-documents manifest (when there is one) and the first
//! [`MAX_LEARNT_OPERATIONS`] other names seen are counted by name, any later
//! name as [`OTHER_OPERATION`].

use std::collections::HashSet;
use std::sync::{PoisonError, RwLock};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts,
    Registry, TextEncoder,
};
use sea_orm::{DatabaseConnection, DbBackend};

use super::AppState;
use crate::db::SqlStats;

/// Every metric of the process.
pub struct Metrics {
    registry: Registry,
    pub http_requests: IntCounterVec,
    pub http_duration: HistogramVec,
    operations: IntCounterVec,
    known_operations: RwLock<KnownOperations>,
    pub cache: IntCounterVec,
    pub rejections: IntCounterVec,
    /// HTTP connections open now (the server counts them as it accepts and
    /// closes them).
    pub open_connections: IntGauge,
    sql_statements: IntCounter,
    pool: IntGaugeVec,
    /// Bytes each in-memory cache holds, as its budget weighs them.
    pub cache_bytes: IntGaugeVec,
    /// Changes of the database's change feed acted on.
    pub changes_followed: IntCounter,
    /// Changes of the feed that were this process's own, marked already.
    pub own_changes_echoed: IntCounter,
    /// 1 while the change feed is followed (else the response cache is off).
    pub change_feed_up: IntGauge,
    /// Times the change feed was lost (each time the cache went off).
    pub change_feed_losses: IntCounter,
    /// Webhook delivery attempts by outcome: `delivered`, `retry`, `dead`.
    pub webhook_deliveries: IntCounterVec,
    /// Anonymous reads by the server they went to, when a standby is
    /// configured (`standby` or `primary`).
    pub standby_reads: IntCounterVec,
    /// Anonymous reads sent to the primary although a standby is
    /// configured, by reason.
    pub standby_fallbacks: IntCounterVec,
}

/// How many operation names seen at run time get a label of their own.
pub const MAX_LEARNT_OPERATIONS: usize = 100;
/// The label of every operation name beyond those.
pub const OTHER_OPERATION: &str = "other";

/// The operation names counted by name.
#[derive(Default)]
struct KnownOperations {
    names: HashSet<String>,
    /// How many of `names` were learnt at run time (not given up front).
    learnt: usize,
}

fn register<C: prometheus::core::Collector + Clone + 'static>(
    registry: &Registry,
    collector: C,
) -> C {
    registry
        .register(Box::new(collector.clone()))
        .unwrap_or_else(|err| unreachable!("metric names are fixed and unique: {err}"));
    collector
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let registry = Registry::new_custom(Some("portfolio".to_owned()), None)
            .unwrap_or_else(|err| unreachable!("a fixed prefix is valid: {err}"));
        let counter = |name: &str, help: &str, labels: &[&str]| {
            IntCounterVec::new(Opts::new(name, help), labels)
                .unwrap_or_else(|err| unreachable!("{name}: {err}"))
        };
        Metrics {
            http_requests: register(
                &registry,
                counter(
                    "http_requests_total",
                    "HTTP requests by route and status.",
                    &["route", "status"],
                ),
            ),
            http_duration: register(
                &registry,
                HistogramVec::new(
                    HistogramOpts::new(
                        "http_request_duration_seconds",
                        "HTTP request latency by route.",
                    )
                    .buckets(vec![
                        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
                        5.0, 10.0,
                    ]),
                    &["route"],
                )
                .unwrap_or_else(|err| unreachable!("{err}")),
            ),
            operations: register(
                &registry,
                counter(
                    "graphql_operations_total",
                    "GraphQL operations by name and outcome.",
                    &["operation", "outcome"],
                ),
            ),
            known_operations: RwLock::new(KnownOperations {
                // The labels `operation_label` gives to unnamed operations
                // and names it will not use, and the overflow label.
                names: ["anonymous", "invalid_name", OTHER_OPERATION]
                    .map(str::to_owned)
                    .into(),
                learnt: 0,
            }),
            cache: register(
                &registry,
                counter(
                    "response_cache_requests_total",
                    "Response cache lookups by result: hit, coalesced (answered once the request computing it stored it), miss.",
                    &["result"],
                ),
            ),
            rejections: register(
                &registry,
                counter(
                    "rejections_total",
                    "Requests refused, by reason.",
                    &["reason"],
                ),
            ),
            open_connections: register(
                &registry,
                IntGauge::new("open_connections", "HTTP connections open.")
                    .unwrap_or_else(|err| unreachable!("{err}")),
            ),
            sql_statements: register(
                &registry,
                IntCounter::new(
                    "sql_statements_total",
                    "SQL statements sent to the database.",
                )
                .unwrap_or_else(|err| unreachable!("{err}")),
            ),
            pool: register(
                &registry,
                IntGaugeVec::new(
                    Opts::new("db_pool_connections", "Database pool connections by state."),
                    &["state"],
                )
                .unwrap_or_else(|err| unreachable!("{err}")),
            ),
            changes_followed: register(
                &registry,
                IntCounter::new(
                    "changes_followed_total",
                    "Portfolio changes read from the database's change feed.",
                )
                .unwrap_or_else(|err| unreachable!("{err}")),
            ),
            own_changes_echoed: register(
                &registry,
                IntCounter::new(
                    "own_changes_echoed_total",
                    "Changes the change feed brought back from this process's own writes, which had outdated their caches already (PostgreSQL).",
                )
                .unwrap_or_else(|err| unreachable!("{err}")),
            ),
            change_feed_up: register(
                &registry,
                IntGauge::new(
                    "change_feed_up",
                    "1 while the database's change feed is followed; at 0 the response cache is off.",
                )
                .unwrap_or_else(|err| unreachable!("{err}")),
            ),
            change_feed_losses: register(
                &registry,
                IntCounter::new(
                    "change_feed_losses_total",
                    "Times the change feed was lost; the response cache is off until it is back.",
                )
                .unwrap_or_else(|err| unreachable!("{err}")),
            ),
            standby_reads: register(
                &registry,
                IntCounterVec::new(
                    Opts::new(
                        "standby_reads_total",
                        "Anonymous reads by the server that answered them (standby or primary), when a standby is configured.",
                    ),
                    &["server"],
                )
                .unwrap_or_else(|err| unreachable!("{err}")),
            ),
            standby_fallbacks: register(
                &registry,
                IntCounterVec::new(
                    Opts::new(
                        "standby_fallbacks_total",
                        "Anonymous reads sent to the primary instead of the standby, by reason (feed_lost, behind, down, failed).",
                    ),
                    &["reason"],
                )
                .unwrap_or_else(|err| unreachable!("{err}")),
            ),
            cache_bytes: register(
                &registry,
                IntGaugeVec::new(
                    Opts::new(
                        "cache_bytes",
                        "Bytes held by each in-memory cache (response, documents, persisted, read_model), as weighed against its budget.",
                    ),
                    &["cache"],
                )
                .unwrap_or_else(|err| unreachable!("{err}")),
            ),
            webhook_deliveries: register(&registry, {
                let deliveries = counter(
                    "webhook_deliveries_total",
                    "Webhook delivery attempts by outcome: delivered, retry (failed, tried again later), dead (failed, given up).",
                    &["outcome"],
                );
                for outcome in ["delivered", "retry", "dead"] {
                    deliveries.with_label_values(&[outcome]);
                }
                deliveries
            }),
            registry,
        }
    }

    /// Metrics that count `operations` by name from the start, on top of
    /// the names learnt at run time: the trusted-documents manifest's.
    pub fn knowing(operations: Vec<String>) -> Self {
        let metrics = Self::new();
        metrics.know_operations(operations);
        metrics
    }

    /// Counts names up front, without using up the names learnt at run
    /// time: the operations of a trusted-documents manifest.
    pub fn know_operations(&self, names: impl IntoIterator<Item = String>) {
        let mut known = self
            .known_operations
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        known.names.extend(names);
    }

    /// Counts one GraphQL operation by its name's label (see
    /// `shape::operation_label`) and outcome. A name not known yet is
    /// learnt while fewer than [`MAX_LEARNT_OPERATIONS`] were; after that it
    /// is counted as [`OTHER_OPERATION`].
    pub fn operation(&self, name: &str, outcome: &str) {
        let label = self.operation_label(name);
        self.operations.with_label_values(&[label, outcome]).inc();
    }

    fn operation_label<'a>(&self, name: &'a str) -> &'a str {
        let known = self
            .known_operations
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        if known.names.contains(name) {
            return name;
        }
        if known.learnt >= MAX_LEARNT_OPERATIONS {
            return OTHER_OPERATION;
        }
        drop(known);
        let mut known = self
            .known_operations
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        if known.names.contains(name) {
            name
        } else if known.learnt < MAX_LEARNT_OPERATIONS {
            known.names.insert(name.to_owned());
            known.learnt += 1;
            name
        } else {
            OTHER_OPERATION
        }
    }

    pub fn reject(&self, reason: &str) {
        self.rejections.with_label_values(&[reason]).inc();
    }

    /// The text exposition, with the sampled values brought up to date.
    pub fn render(&self, db: &DatabaseConnection, stats: &SqlStats) -> String {
        let total = stats.statements();
        let seen = self.sql_statements.get();
        if total > seen {
            self.sql_statements.inc_by(total - seen);
        }
        let (size, idle) = match db.get_database_backend() {
            DbBackend::Sqlite => {
                let pool = db.get_sqlite_connection_pool();
                (pool.size(), pool.num_idle())
            }
            DbBackend::Postgres => {
                let pool = db.get_postgres_connection_pool();
                (pool.size(), pool.num_idle())
            }
            DbBackend::MySql => {
                let pool = db.get_mysql_connection_pool();
                (pool.size(), pool.num_idle())
            }
            _ => (0, 0),
        };
        self.pool.with_label_values(&["idle"]).set(idle as i64);
        self.pool
            .with_label_values(&["in_use"])
            .set(i64::from(size) - idle as i64);
        let mut out = Vec::new();
        if let Err(err) = TextEncoder::new().encode(&self.registry.gather(), &mut out) {
            tracing::error!(%err, "cannot encode metrics");
        }
        String::from_utf8(out).unwrap_or_default()
    }
}

/// Counts every request by route and status, and times it.
pub async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |path| path.as_str().to_owned());
    let started = Instant::now();
    let response = next.run(request).await;
    let metrics = &state.metrics;
    metrics
        .http_requests
        .with_label_values(&[route.as_str(), response.status().as_str()])
        .inc();
    metrics
        .http_duration
        .with_label_values(&[route.as_str()])
        .observe(started.elapsed().as_secs_f64());
    response
}

/// `GET /metrics`.
pub async fn metrics(State(state): State<AppState>) -> Response {
    let weighed = [
        (
            "response",
            state
                .response_cache
                .as_ref()
                .map_or(0, |c| c.weighed_bytes()),
        ),
        ("documents", state.documents.weighed_bytes()),
        ("persisted", state.persisted.weighed_bytes()),
        (
            "read_model",
            state
                .api
                .caches
                .read_model
                .as_ref()
                .map_or(0, |m| m.weighed_bytes()),
        ),
    ];
    for (cache, bytes) in weighed {
        state
            .metrics
            .cache_bytes
            .with_label_values(&[cache])
            .set(i64::try_from(bytes).unwrap_or(i64::MAX));
    }
    let body = state.metrics.render(&state.api.db, &state.sql_stats);
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(metrics: &Metrics) -> HashSet<String> {
        prometheus::core::Collector::collect(&metrics.operations)
            .iter()
            .flat_map(|family| family.get_metric())
            .flat_map(|metric| metric.get_label())
            .filter(|label| label.name() == "operation")
            .map(|label| label.value().to_owned())
            .collect()
    }

    #[test]
    fn operation_names_beyond_the_first_hundred_are_counted_as_other() {
        let metrics = Metrics::new();
        metrics.know_operations(["FromTheManifest".to_owned()]);
        for i in 0..MAX_LEARNT_OPERATIONS + 50 {
            metrics.operation(&format!("Op{i}"), "success");
        }
        metrics.operation("FromTheManifest", "success");
        metrics.operation("anonymous", "error");
        metrics.operation("Op0", "success");
        let seen = labels(&metrics);
        assert_eq!(seen.len(), MAX_LEARNT_OPERATIONS + 3, "{seen:?}");
        assert!(seen.contains("Op99") && !seen.contains("Op100"));
        assert!(seen.contains(OTHER_OPERATION) && seen.contains("FromTheManifest"));
        assert!(seen.contains("anonymous"));
    }
}
