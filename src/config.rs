//! Runtime configuration of the server, filled from the command line (flags
//! with `PORTFOLIO_*` environment fallbacks, see `cli`).

use std::net::SocketAddr;

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
        }
    }
}
