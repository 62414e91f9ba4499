//! Runtime configuration of the server, filled from the command line (flags
//! with `PORTFOLIO_*` environment fallbacks, see `cli`).

use std::net::SocketAddr;
use std::time::Duration;

use crate::db::PoolConfig;
use crate::domain::Clock;

/// The default database: a SQLite file next to where the server starts,
/// created on first use.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://portfolio.db?mode=rwc";
pub const DEFAULT_ADDR: &str = "127.0.0.1:8000";

/// Everything `startup::build` needs.
#[derive(Clone, Debug)]
pub struct Config {
    pub addr: SocketAddr,
    pub database_url: String,
    /// Apply pending migrations at start.
    pub migrate: bool,
    /// Load the bundled portfolio when the database has no person.
    pub seed: bool,
    pub pool: PoolConfig,
    pub clock: Clock,
    /// Serve the GraphiQL playground at `/`.
    pub playground: bool,
    /// Where `npm ci --prefix playground` installed GraphiQL.
    pub playground_assets: std::path::PathBuf,
    /// How long in-flight requests get to finish after a shutdown signal.
    pub drain_timeout: std::time::Duration,
    /// How long to keep serving after a shutdown signal, `/readyz` failing,
    /// before the listener closes.
    pub shutdown_delay: std::time::Duration,
    /// Limits and behaviour of the HTTP and GraphQL layer.
    pub http: HttpOptions,
}

/// Limits against hostile requests and the serving behaviour of `/graphql`.
/// Every limit has a safe default; each refusal carries an error code.
#[derive(Clone, Debug)]
pub struct HttpOptions {
    /// Largest request body (413 beyond).
    pub max_body_bytes: usize,
    /// Longest a connection may take to send a complete request head, from
    /// when it is accepted, or from the first byte of a later request on a
    /// kept-alive connection; it is closed beyond.
    pub header_read_timeout: Duration,
    /// Longest a request body may take to arrive whole (408 beyond, and the
    /// connection is closed).
    pub body_read_timeout: Duration,
    /// Longest a kept-alive connection may wait for its next request without
    /// sending a byte; it is closed beyond.
    pub idle_timeout: Duration,
    /// Connections open at once; beyond, new ones wait in the kernel's queue.
    pub max_connections: usize,
    /// Longest a request may run once its body has arrived (408 beyond).
    pub request_timeout: Duration,
    /// Requests served at once; more are shed with 503 and `Retry-After`
    /// instead of queueing without bound.
    pub max_concurrent_requests: usize,
    /// Requests per second allowed per client IP (429 `RATE_LIMITED` beyond);
    /// `None` for no limit.
    pub rate_limit_per_ip: Option<u32>,
    /// Operations allowed in one batched request; `None` refuses batches.
    pub batch_limit: Option<usize>,
    /// Deepest selection nesting.
    pub max_depth: usize,
    /// Highest complexity: every field costs 1, a list field its `first` or
    /// `last` (100 when absent) times its children.
    pub max_complexity: usize,
    /// Most fields selected in one operation, `__typename` and fields reached
    /// through fragments included.
    pub max_fields: usize,
    /// Most aliases in one operation.
    pub max_aliases: usize,
    /// Most directives on one field.
    pub max_directives: usize,
    /// Most tokens in one document, counted before it is parsed.
    pub max_tokens: usize,
    /// Deepest nesting of brackets and braces in one document, counted
    /// before it is parsed (the parser recurses once per level).
    pub max_nesting: usize,
    /// Largest answer in bytes; execution stops past it.
    pub max_response_bytes: usize,
    /// Bytes of parsed documents kept, weighed as parsed.
    pub document_cache_bytes: u64,
    /// Bytes of automatic persisted queries kept.
    pub persisted_cache_bytes: u64,
    /// Allow introspection (and, with it, field suggestions in errors).
    pub introspection: bool,
    /// Bytes of anonymous responses kept in memory; 0 turns the cache off.
    pub response_cache_bytes: u64,
    /// Trusted documents: only the operations of this manifest may run.
    pub persisted_only: Option<std::path::PathBuf>,
    /// Origins allowed to call the API from a browser (none by default).
    pub cors_origins: Vec<String>,
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            max_body_bytes: 1024 * 1024,
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(10),
            // Longer than the idle timeout of the load balancers in front
            // (60 s for AWS ALB and nginx's upstream keep-alive), so that the
            // balancer always closes an idle connection first: a server that
            // closes first can do so just as the balancer sends a request on
            // it, which the balancer then answers 502.
            idle_timeout: Duration::from_secs(75),
            max_connections: 1024,
            request_timeout: Duration::from_secs(10),
            max_concurrent_requests: 64,
            rate_limit_per_ip: None,
            batch_limit: None,
            max_depth: 16,
            max_complexity: 1_000_000,
            max_fields: 1_000,
            max_aliases: 50,
            max_directives: 5,
            max_tokens: 15_000,
            max_nesting: 48,
            max_response_bytes: 8 * 1024 * 1024,
            document_cache_bytes: 8 * 1024 * 1024,
            persisted_cache_bytes: 8 * 1024 * 1024,
            introspection: true,
            response_cache_bytes: 64 * 1024 * 1024,
            persisted_only: None,
            cors_origins: Vec::new(),
        }
    }
}

impl Config {
    /// Defaults for everything but the address and database.
    pub fn new(addr: SocketAddr, database_url: impl Into<String>) -> Self {
        Config {
            addr,
            database_url: database_url.into(),
            migrate: true,
            seed: true,
            pool: PoolConfig::default(),
            clock: Clock::System,
            playground: true,
            playground_assets: "playground/node_modules".into(),
            drain_timeout: std::time::Duration::from_secs(30),
            shutdown_delay: std::time::Duration::ZERO,
            http: HttpOptions::default(),
        }
    }
}
