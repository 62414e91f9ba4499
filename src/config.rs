//! The server's configuration, defined once: [`Config`] is at the same time
//! the flags of `portfolio serve` (each with its `PORTFOLIO_*` environment
//! fallback, its default and its help) and what `startup::build` takes.
//!
//! [`Config::default`] is `serve` given no flag and no environment, so the
//! binary, the tests and `export-static` share one set of defaults; tests
//! change single fields of it. Durations and sizes are typed here: the flags
//! take whole seconds and MiB, the fields hold `Duration`s and bytes.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::builder::RangedU64ValueParser;
use clap::{Args, FromArgMatches};

use crate::domain::Clock;

/// The default database: a SQLite file next to where the server starts,
/// created on first use. `--database-url` is a flag of every command (see
/// `cli`); `serve` copies it into [`Config::database_url`].
pub const DEFAULT_DATABASE_URL: &str = "sqlite://portfolio.db?mode=rwc";

/// Everything `startup::build` needs: the flags of `portfolio serve`.
#[derive(Clone, Debug, Args)]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "PORTFOLIO_ADDR", default_value = "127.0.0.1:8000")]
    pub addr: SocketAddr,
    /// The database to serve (the global `--database-url`).
    #[arg(skip = DEFAULT_DATABASE_URL.to_owned())]
    pub database_url: String,
    /// A PostgreSQL hot standby of the database, for anonymous reads; a
    /// read goes to the primary whenever the standby has not replayed every
    /// change this process knows of, or does not answer.
    #[arg(long, env = "PORTFOLIO_DATABASE_READ_URL")]
    pub database_read_url: Option<String>,
    /// Do not apply pending migrations at start (fail instead if any are pending).
    #[arg(long, env = "PORTFOLIO_NO_MIGRATE")]
    pub no_migrate: bool,
    /// Do not load the bundled portfolio into an empty database.
    #[arg(long, env = "PORTFOLIO_NO_SEED")]
    pub no_seed: bool,
    /// Serve the GraphiQL playground at /.
    #[arg(long, env = "PORTFOLIO_PLAYGROUND", default_value_t = true, action = clap::ArgAction::Set)]
    pub playground: bool,
    /// Directory holding GraphiQL's npm packages (`npm ci --prefix playground`).
    #[arg(
        long,
        env = "PORTFOLIO_PLAYGROUND_ASSETS",
        default_value = "playground/node_modules"
    )]
    pub playground_assets: PathBuf,
    #[command(flatten)]
    pub pool: PoolConfig,
    /// Seconds in-flight requests get to finish after SIGTERM or Ctrl-C.
    #[arg(long, env = "PORTFOLIO_DRAIN_TIMEOUT", default_value = "30", value_name = "SECONDS", value_parser = seconds)]
    pub drain_timeout: Duration,
    /// Seconds to keep serving after SIGTERM or Ctrl-C with `/readyz`
    /// answering 503, so that a load balancer stops sending first.
    #[arg(long, env = "PORTFOLIO_SHUTDOWN_DELAY", default_value = "0", value_name = "SECONDS", value_parser = seconds)]
    pub shutdown_delay: Duration,
    #[command(flatten)]
    pub http: HttpOptions,
    #[command(flatten)]
    pub webhooks: WebhookOptions,
    /// What "now" is for current roles and durations (fixed in tests).
    #[arg(skip)]
    pub clock: Clock,
}

/// The database pool. The defaults suit a small read-mostly service; the
/// commands other than `serve` use them as they are.
#[derive(Clone, Debug, Args)]
pub struct PoolConfig {
    /// Most database connections in the pool.
    #[arg(
        id = "db_max_connections",
        long = "db-max-connections",
        env = "PORTFOLIO_DB_MAX_CONNECTIONS",
        default_value_t = 10,
        value_name = "DB_MAX_CONNECTIONS",
        value_parser = clap::value_parser!(u32).range(1..)
    )]
    pub max_connections: u32,
    /// Seconds a request waits for a database connection before failing.
    // Then SERVICE_UNAVAILABLE, rather than queueing without bound.
    #[arg(
        id = "db_acquire_timeout",
        long = "db-acquire-timeout",
        env = "PORTFOLIO_DB_ACQUIRE_TIMEOUT",
        default_value = "5",
        value_name = "SECONDS",
        value_parser = positive_seconds
    )]
    pub acquire_timeout: Duration,
}

/// Delivering webhooks (registered with `portfolio webhook add`).
#[derive(Clone, Debug, Args)]
pub struct WebhookOptions {
    /// Deliver webhooks from this process (every process sharing the
    /// database may; each delivery is claimed by one).
    #[arg(long = "webhook-delivery", env = "PORTFOLIO_WEBHOOK_DELIVERY", default_value_t = true, action = clap::ArgAction::Set)]
    pub delivery: bool,
    /// Seconds one delivery attempt may take, connecting included.
    #[arg(long = "webhook-timeout", env = "PORTFOLIO_WEBHOOK_TIMEOUT", default_value = "10", value_name = "SECONDS", value_parser = positive_seconds)]
    pub timeout: Duration,
    /// Attempts at a delivery before it is given up (dead).
    #[arg(
        long = "webhook-max-attempts",
        env = "PORTFOLIO_WEBHOOK_MAX_ATTEMPTS",
        default_value_t = 12,
        value_parser = clap::value_parser!(u32).range(1..=100)
    )]
    pub max_attempts: u32,
    /// Seconds after its event a delivery is given up (dead), attempts left or not.
    #[arg(long = "webhook-max-age", env = "PORTFOLIO_WEBHOOK_MAX_AGE", default_value = "86400", value_name = "SECONDS", value_parser = positive_seconds)]
    pub max_age: Duration,
    /// How often due deliveries are looked for.
    #[arg(skip = Duration::from_secs(1))]
    pub poll: Duration,
    /// The wait after a first failed attempt; it doubles per attempt.
    #[arg(skip = Duration::from_secs(10))]
    pub backoff: Duration,
    /// The longest wait between attempts.
    #[arg(skip = Duration::from_secs(3600))]
    pub backoff_max: Duration,
}

impl Default for WebhookOptions {
    fn default() -> Self {
        defaults()
    }
}

impl From<&WebhookOptions> for crate::service::webhook::deliver::Options {
    fn from(options: &WebhookOptions) -> Self {
        crate::service::webhook::deliver::Options {
            timeout: options.timeout,
            max_attempts: options.max_attempts,
            max_age: options.max_age,
            poll: options.poll,
            backoff: options.backoff,
            backoff_max: options.backoff_max,
        }
    }
}

/// Limits against hostile requests and the serving behaviour of `/graphql`.
/// Every limit has a safe default; each refusal carries an error code.
#[derive(Clone, Debug, Args)]
pub struct HttpOptions {
    /// Largest request body in bytes.
    #[arg(long, env = "PORTFOLIO_MAX_BODY_BYTES", default_value_t = 1024 * 1024)]
    pub max_body_bytes: usize,
    /// Seconds a connection gets to send a whole request head (from when it
    /// is accepted, or from the first byte of a later request); closed beyond.
    #[arg(long, env = "PORTFOLIO_HEADER_READ_TIMEOUT", default_value = "10", value_name = "SECONDS", value_parser = positive_seconds)]
    pub header_read_timeout: Duration,
    /// Seconds a request body gets to arrive whole; 408 beyond, and the connection is closed.
    #[arg(long, env = "PORTFOLIO_BODY_READ_TIMEOUT", default_value = "10", value_name = "SECONDS", value_parser = positive_seconds)]
    pub body_read_timeout: Duration,
    /// Seconds a kept-alive connection may wait for its next request; keep it
    /// above the idle timeout of the load balancer in front.
    // Longer than the idle timeout of the load balancers in front (60 s for
    // AWS ALB and nginx's upstream keep-alive), so that the balancer always
    // closes an idle connection first: a server that closes first can do so
    // just as the balancer sends a request on it, which the balancer then
    // answers 502.
    #[arg(long, env = "PORTFOLIO_IDLE_TIMEOUT", default_value = "75", value_name = "SECONDS", value_parser = positive_seconds)]
    pub idle_timeout: Duration,
    /// Connections open at once; beyond, new ones wait in the kernel's queue.
    #[arg(
        long,
        env = "PORTFOLIO_MAX_CONNECTIONS",
        default_value_t = 1024,
        value_parser = RangedU64ValueParser::<usize>::new().range(1..)
    )]
    pub max_connections: usize,
    /// Seconds a request may run, once its body has arrived, before it is answered 408.
    #[arg(long, env = "PORTFOLIO_REQUEST_TIMEOUT", default_value = "10", value_name = "SECONDS", value_parser = positive_seconds)]
    pub request_timeout: Duration,
    /// Requests served at once; more are shed with 503 and Retry-After.
    #[arg(
        long,
        env = "PORTFOLIO_MAX_CONCURRENT_REQUESTS",
        default_value_t = 64,
        value_parser = RangedU64ValueParser::<usize>::new().range(1..)
    )]
    pub max_concurrent_requests: usize,
    /// Requests per second per client IP (429 beyond); unset for no limit.
    #[arg(
        id = "rate_limit",
        long = "rate-limit",
        env = "PORTFOLIO_RATE_LIMIT",
        value_name = "RATE_LIMIT"
    )]
    pub rate_limit_per_ip: Option<u32>,
    /// Accept batched requests of at most this many operations (max 10); off by default.
    #[arg(
        long,
        env = "PORTFOLIO_BATCH_LIMIT",
        value_parser = RangedU64ValueParser::<usize>::new().range(1..=10)
    )]
    pub batch_limit: Option<usize>,
    /// Deepest selection nesting.
    #[arg(long, env = "PORTFOLIO_MAX_DEPTH", default_value_t = 16)]
    pub max_depth: usize,
    /// Highest query complexity (a list field costs its page size times its children).
    #[arg(long, env = "PORTFOLIO_MAX_COMPLEXITY", default_value_t = 1_000_000)]
    pub max_complexity: usize,
    /// Most fields in one operation, `__typename` and fragments included.
    #[arg(long, env = "PORTFOLIO_MAX_FIELDS", default_value_t = 1_000)]
    pub max_fields: usize,
    /// Most aliases in one operation.
    #[arg(long, env = "PORTFOLIO_MAX_ALIASES", default_value_t = 50)]
    pub max_aliases: usize,
    /// Most directives on one field.
    #[arg(long, env = "PORTFOLIO_MAX_DIRECTIVES", default_value_t = 5)]
    pub max_directives: usize,
    /// Most tokens in one document, counted before it is parsed.
    #[arg(long, env = "PORTFOLIO_MAX_TOKENS", default_value_t = 15_000)]
    pub max_tokens: usize,
    /// Deepest nesting of `{`, `[` and `(` together in one document, counted
    /// before it is parsed.
    // The parser recurses once per level.
    #[arg(long, env = "PORTFOLIO_MAX_NESTING", default_value_t = 48)]
    pub max_nesting: usize,
    /// Largest answer, in MiB: execution stops past it with RESPONSE_TOO_LARGE.
    #[arg(
        id = "max_response_mib",
        long = "max-response-mib",
        env = "PORTFOLIO_MAX_RESPONSE_MIB",
        default_value = "8",
        value_name = "MIB",
        value_parser = mebibytes::<usize>
    )]
    pub max_response_bytes: usize,
    /// Memory for parsed documents, in MiB (weighed as parsed, not as text).
    #[arg(
        id = "document_cache_mib",
        long = "document-cache-mib",
        env = "PORTFOLIO_DOCUMENT_CACHE_MIB",
        default_value = "8",
        value_name = "MIB",
        value_parser = mebibytes::<u64>
    )]
    pub document_cache_bytes: u64,
    /// Memory for automatic persisted queries, in MiB.
    #[arg(
        id = "persisted_cache_mib",
        long = "persisted-cache-mib",
        env = "PORTFOLIO_PERSISTED_CACHE_MIB",
        default_value = "8",
        value_name = "MIB",
        value_parser = mebibytes::<u64>
    )]
    pub persisted_cache_bytes: u64,
    /// Allow introspection (and field suggestions in errors); false in production.
    #[arg(long, env = "PORTFOLIO_INTROSPECTION", default_value_t = true, action = clap::ArgAction::Set)]
    pub introspection: bool,
    /// Memory for cached anonymous responses, in MiB (0 turns the cache off).
    #[arg(
        id = "response_cache_mib",
        long = "response-cache-mib",
        env = "PORTFOLIO_RESPONSE_CACHE_MIB",
        default_value = "32",
        value_name = "MIB",
        value_parser = mebibytes::<u64>
    )]
    pub response_cache_bytes: u64,
    /// Memory for the read model, in MiB: whole portfolios kept in memory
    /// between requests, the coldest dropped first (0 turns it off).
    #[arg(
        id = "read_model_mib",
        long = "read-model-mib",
        env = "PORTFOLIO_READ_MODEL_MIB",
        default_value = "32",
        value_name = "MIB",
        value_parser = mebibytes::<u64>
    )]
    pub read_model_bytes: u64,
    /// Trusted documents: run only the operations of this manifest (Apollo
    /// persisted-query manifest, or a JSON object of id -> query).
    #[arg(long, env = "PORTFOLIO_PERSISTED_ONLY")]
    pub persisted_only: Option<PathBuf>,
    /// An origin allowed to call the API from a browser (repeatable; none by default).
    #[arg(
        long = "cors-origin",
        env = "PORTFOLIO_CORS_ORIGINS",
        value_delimiter = ','
    )]
    pub cors_origins: Vec<String>,
    /// A proxy in front of the server, as a CIDR block or an address
    /// (repeatable; none by default): from a peer inside one, the client is
    /// taken from `X-Forwarded-For`, for the rate limit and the logs.
    #[arg(
        long = "trusted-proxy",
        env = "PORTFOLIO_TRUSTED_PROXIES",
        value_delimiter = ',',
        value_name = "CIDR",
        value_parser = cidr
    )]
    pub trusted_proxies: Vec<ipnet::IpNet>,
}

impl Config {
    /// The defaults, listening on `addr` and serving `database_url`.
    pub fn new(addr: SocketAddr, database_url: impl Into<String>) -> Self {
        Config {
            addr,
            database_url: database_url.into(),
            ..Config::default()
        }
    }
}

impl Default for Config {
    /// `portfolio serve` without flags or environment.
    fn default() -> Self {
        defaults()
    }
}

impl Default for PoolConfig {
    fn default() -> Self {
        defaults()
    }
}

impl From<&PoolConfig> for crate::db::PoolSize {
    fn from(pool: &PoolConfig) -> Self {
        crate::db::PoolSize {
            max_connections: pool.max_connections,
            acquire_timeout: pool.acquire_timeout,
        }
    }
}

impl Default for HttpOptions {
    fn default() -> Self {
        defaults()
    }
}

/// `T` from an empty command line with every environment fallback ignored:
/// each field at the default its flag declares.
fn defaults<T: Args + FromArgMatches>() -> T {
    let command = T::augment_args(clap::Command::new("defaults")).mut_args(|arg| arg.env(None));
    command
        .try_get_matches_from(["defaults"])
        .and_then(|matches| T::from_arg_matches(&matches))
        .unwrap_or_else(|err| unreachable!("the declared defaults parse: {err}"))
}

/// Whole seconds.
fn seconds(text: &str) -> Result<Duration, String> {
    text.parse::<u64>()
        .map(Duration::from_secs)
        .map_err(|err| format!("{err} (whole seconds expected)"))
}

/// Whole seconds, at least one.
fn positive_seconds(text: &str) -> Result<Duration, String> {
    match seconds(text)? {
        Duration::ZERO => Err("must be at least 1 second".to_owned()),
        duration => Ok(duration),
    }
}

/// A CIDR block (`10.0.0.0/8`, `fd00::/8`) or a single address.
fn cidr(text: &str) -> Result<ipnet::IpNet, String> {
    let text = text.trim();
    text.parse::<ipnet::IpNet>()
        .map(|net| net.trunc())
        .or_else(|_| text.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| "a CIDR block (10.0.0.0/8, fd00::/8) or an IP address expected".to_owned())
}

/// Whole MiB, as bytes.
fn mebibytes<T: TryFrom<u64>>(text: &str) -> Result<T, String> {
    let mib = text
        .parse::<u64>()
        .map_err(|err| format!("{err} (whole MiB expected)"))?;
    mib.checked_mul(1024 * 1024)
        .and_then(|bytes| T::try_from(bytes).ok())
        .ok_or_else(|| format!("{mib} MiB is too large"))
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Serve {
        #[command(flatten)]
        config: Config,
    }

    #[test]
    fn the_defaults_are_those_of_the_flags() {
        let config = Config::default();
        assert_eq!(config.addr, "127.0.0.1:8000".parse().expect("address"));
        assert_eq!(config.database_url, DEFAULT_DATABASE_URL);
        assert_eq!(config.database_read_url, None);
        assert!(!config.no_migrate && !config.no_seed && config.playground);
        assert_eq!(config.pool.max_connections, 10);
        assert_eq!(config.pool.acquire_timeout, Duration::from_secs(5));
        assert_eq!(config.drain_timeout, Duration::from_secs(30));
        assert_eq!(config.shutdown_delay, Duration::ZERO);
        assert_eq!(config.http.idle_timeout, Duration::from_secs(75));
        assert_eq!(config.http.max_response_bytes, 8 * 1024 * 1024);
        assert_eq!(config.http.response_cache_bytes, 32 * 1024 * 1024);
        assert_eq!(config.http.read_model_bytes, 32 * 1024 * 1024);
        assert_eq!(config.http.batch_limit, None);
        assert!(config.http.cors_origins.is_empty());
        assert!(config.http.trusted_proxies.is_empty());
    }

    #[test]
    fn flags_are_typed() {
        let serve = Serve::try_parse_from([
            "serve",
            "--db-max-connections",
            "3",
            "--header-read-timeout",
            "2",
            "--max-response-mib",
            "1",
            "--rate-limit",
            "7",
            "--cors-origin",
            "https://a.example,https://b.example",
            "--trusted-proxy",
            "10.0.0.0/8,fd00::/8",
            "--trusted-proxy",
            "192.0.2.7",
        ])
        .expect("valid flags");
        let config = serve.config;
        assert_eq!(config.pool.max_connections, 3);
        assert_eq!(config.http.header_read_timeout, Duration::from_secs(2));
        assert_eq!(config.http.max_response_bytes, 1024 * 1024);
        assert_eq!(config.http.rate_limit_per_ip, Some(7));
        assert_eq!(config.http.cors_origins.len(), 2);
        let proxies: Vec<String> = config
            .http
            .trusted_proxies
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(proxies, ["10.0.0.0/8", "fd00::/8", "192.0.2.7/32"]);
        for refused in [
            ["serve", "--idle-timeout", "0"],
            ["serve", "--max-connections", "0"],
            ["serve", "--batch-limit", "11"],
            ["serve", "--max-response-mib", "x"],
            ["serve", "--trusted-proxy", "10.0.0.0/33"],
        ] {
            assert!(Serve::try_parse_from(refused).is_err(), "{refused:?}");
        }
    }
}
