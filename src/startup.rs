//! Building and running the application:
//! `build(config)` → [`App::local_addr`] → [`App::run_until_stopped`].
//!
//! `build` connects to the database, applies pending migrations (unless told
//! not to), loads the bundled portfolio into an empty database, and binds the
//! listener, so that a port of `0` in tests yields a real free port before the
//! server runs.

use std::future::{Future, IntoFuture};
use std::net::SocketAddr;
use std::sync::Arc;

use sea_orm::DatabaseConnection;
use tokio::net::TcpListener;

use crate::config::Config;
use crate::db::{self, SqlStats};
use crate::graphql::{ApiState, build_schema};
use crate::http::{
    AppState, DocumentCache, Metrics, Persisted, PlaygroundAssets, RateLimiter, Shared,
    response_cache, router,
};
use crate::service;

/// Why the application could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot connect to the database at {url}: {source}")]
    Connect { url: String, source: sea_orm::DbErr },
    #[error("cannot apply migrations: {0}")]
    Migrate(sea_orm::DbErr),
    #[error(
        "the database has pending migrations ({0}); run `portfolio migrate up` or start without --no-migrate"
    )]
    Pending(String),
    #[error("cannot load the bundled portfolio: {0}")]
    Seed(String),
    #[error("cannot load the trusted documents: {0}")]
    Manifest(String),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

/// A built application, bound and ready to run.
pub struct App {
    listener: TcpListener,
    state: AppState,
    stats: SqlStats,
    drain_timeout: std::time::Duration,
}

/// Connects, migrates and seeds as configured, and binds the listener.
pub async fn build(config: Config) -> Result<App, StartupError> {
    let (db, stats) = db::connect(&config.database_url, &config.pool)
        .await
        .map_err(|source| StartupError::Connect {
            url: db::redact_url(&config.database_url),
            source,
        })?;
    prepare_database(&db, &config).await?;
    let listener = TcpListener::bind(config.addr)
        .await
        .map_err(|source| StartupError::Bind {
            addr: config.addr,
            source,
        })?;
    let api = ApiState {
        db,
        clock: config.clock,
    };
    let playground_assets = if config.playground {
        PlaygroundAssets::locate(&config.playground_assets)
    } else {
        PlaygroundAssets::cdn()
    };
    let persisted = match &config.http.persisted_only {
        Some(manifest) => Persisted::trusted(manifest).map_err(StartupError::Manifest)?,
        None => Persisted::automatic(),
    };
    let state = AppState::new(Shared {
        schema: build_schema(api.clone(), &config.http),
        api,
        playground: config.playground,
        playground_assets,
        options: Arc::new(config.http.clone()),
        metrics: Arc::new(Metrics::new()),
        sql_stats: stats.clone(),
        persisted,
        response_cache: response_cache(config.http.response_cache_bytes),
        // Parsed documents: a few MiB of query text covers every client's
        // operations many times over.
        documents: DocumentCache::new(4 * 1024 * 1024),
        rate_limiter: config
            .http
            .rate_limit_per_ip
            .map(|rate| Arc::new(RateLimiter::new(rate))),
    });
    Ok(App {
        listener,
        state,
        stats,
        drain_timeout: config.drain_timeout,
    })
}

async fn prepare_database(db: &DatabaseConnection, config: &Config) -> Result<(), StartupError> {
    if config.migrate {
        let applied = db::migrate_up(db).await.map_err(StartupError::Migrate)?;
        if applied > 0 {
            tracing::info!(applied, "applied pending migrations");
        }
    } else {
        let pending = db::pending_migrations(db)
            .await
            .map_err(StartupError::Migrate)?;
        if !pending.is_empty() {
            return Err(StartupError::Pending(pending.join(", ")));
        }
    }
    if config.seed {
        let loaded = service::load_bundled_if_empty(db)
            .await
            .map_err(|err| StartupError::Seed(err.detail()))?;
        if loaded {
            tracing::info!("loaded the bundled portfolio into the empty database");
        }
    }
    Ok(())
}

impl App {
    /// The address actually bound (the real port when configured with 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or_else(|err| unreachable!("a bound TCP listener has an address: {err}"))
    }

    /// The database connection the application uses.
    pub fn db(&self) -> &DatabaseConnection {
        &self.state.api.db
    }

    /// The statement counter of the application's connection.
    pub fn sql_stats(&self) -> SqlStats {
        self.stats.clone()
    }

    /// The router, for in-process tests.
    pub fn router(&self) -> axum::Router {
        router(self.state.clone())
    }

    /// Serves until `shutdown` completes, then stops accepting connections and
    /// lets in-flight requests finish, for at most the drain timeout.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let (stopping_tx, stopping_rx) = tokio::sync::oneshot::channel::<()>();
        let signal = async move {
            shutdown.await;
            tracing::info!("shutting down: no new connections, draining in-flight requests");
            let _ = stopping_tx.send(());
        };
        let app = router(self.state).into_make_service_with_connect_info::<SocketAddr>();
        let server = axum::serve(self.listener, app)
            .with_graceful_shutdown(signal)
            .into_future();
        let drain_timeout = self.drain_timeout;
        let deadline = async move {
            if stopping_rx.await.is_ok() {
                tokio::time::sleep(drain_timeout).await;
            } else {
                std::future::pending::<()>().await;
            }
        };
        tokio::select! {
            result = server => result,
            () = deadline => {
                tracing::warn!(?drain_timeout, "drain timeout reached; dropping remaining connections");
                Ok(())
            }
        }
    }
}

/// Completes on Ctrl-C (SIGINT) or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::error!(%err, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::error!(%err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
