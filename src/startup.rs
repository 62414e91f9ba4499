//! Building and running the application:
//! `build(config)` → [`App::local_addr`] → [`App::run_until_stopped`].
//!
//! `build` connects to the database, applies pending migrations (unless told
//! not to), loads the bundled portfolio into an empty database, and binds the
//! listener, so that a port of `0` in tests yields a real free port before the
//! server runs.
//!
//! `build` and `run_until_stopped` hand out boxed futures. The state machine
//! of an `async fn` is compiled anew in every crate that awaits it (it is not
//! shared like an ordinary function), and these two reach the whole server:
//! boxed here, the server is compiled once, in this crate, and the binary and
//! the tests only call it. They run once per process, so the allocation
//! cannot matter.

mod connection;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use futures::future::BoxFuture;
use hyper::body::Incoming;
use sea_orm::DatabaseConnection;
use tokio::net::TcpListener;

use crate::config::Config;
use crate::db::{self, SqlStats};
use crate::graphql::{ApiState, build_schema};
use crate::http::{
    AppState, CacheFollower, ClientAddr, DocumentCache, Metrics, Persisted, PlaygroundAssets,
    RateLimiter, ResponseCache, Shared, router,
};
use crate::service::freshness::Caches;
use crate::{changes, service};

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
    #[error("{0}")]
    ReadUrl(String),
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
    shutdown_delay: std::time::Duration,
}

/// Connects, migrates and seeds as configured, and binds the listener.
// `inline(never)`: the boxing must happen in this crate (see the module docs).
#[inline(never)]
pub fn build(config: Config) -> BoxFuture<'static, Result<App, StartupError>> {
    Box::pin(build_app(config))
}

async fn build_app(config: Config) -> Result<App, StartupError> {
    let (db, stats) = db::connect(&config.database_url, &config.pool)
        .await
        .map_err(|source| StartupError::Connect {
            url: db::redact_url(&config.database_url),
            source,
        })?;
    let standby = match &config.database_read_url {
        Some(url) => Some(standby_of(&db, url, &config, &stats)?),
        None => None,
    };
    prepare_database(&db, &config).await?;
    let listener = TcpListener::bind(config.addr)
        .await
        .map_err(|source| StartupError::Bind {
            addr: config.addr,
            source,
        })?;
    let mut caches = Caches::new(config.http.read_model_bytes);
    caches.standby = standby.map(|standby| {
        service::standby::Standby::new(db.clone(), standby, caches.freshness.clone())
    });
    let api = ApiState {
        db,
        clock: config.clock,
        caches,
    };
    let playground_assets = if config.playground {
        PlaygroundAssets::locate(&config.playground_assets)
    } else {
        PlaygroundAssets::cdn()
    };
    let persisted = match &config.http.persisted_only {
        Some(manifest) => Persisted::trusted(manifest).map_err(StartupError::Manifest)?,
        None => Persisted::automatic(config.http.persisted_cache_bytes),
    };
    let metrics = Arc::new(Metrics::knowing(persisted.operation_names()));
    let response_cache = ResponseCache::new(
        config.http.response_cache_bytes,
        api.caches.freshness.clone(),
    );
    // Other processes' writes reach this one's cache through the database.
    let change_feed = changes::follow(
        &config.database_url,
        api.db.get_database_backend(),
        CacheFollower::new(response_cache.clone(), api.caches.clone(), metrics.clone()),
        std::time::Duration::from_secs(5),
    )
    .await;
    // Webhooks committed by any process are delivered by some process.
    let webhooks = config.webhooks.delivery.then(|| {
        service::webhook::deliver::start(
            &config.database_url,
            (&config.webhooks).into(),
            metrics.webhook_deliveries.clone(),
        )
    });
    let state = AppState::new(Shared {
        schema: build_schema(api.clone(), &config.http),
        api,
        playground: config.playground,
        playground_assets,
        options: Arc::new(config.http.clone()),
        metrics,
        sql_stats: stats.clone(),
        persisted,
        change_feed,
        webhooks,
        response_cache,
        documents: DocumentCache::new(config.http.document_cache_bytes),
        stopping: Arc::default(),
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
        shutdown_delay: config.shutdown_delay,
    })
}

/// The pool of `--database-read-url`: a standby of a PostgreSQL primary only.
fn standby_of(
    primary: &DatabaseConnection,
    url: &str,
    config: &Config,
    stats: &SqlStats,
) -> Result<DatabaseConnection, StartupError> {
    let postgres = |url: &str| url.starts_with("postgres://") || url.starts_with("postgresql://");
    if primary.get_database_backend() != sea_orm::DbBackend::Postgres {
        return Err(StartupError::ReadUrl(
            "--database-read-url is only supported with PostgreSQL (a hot standby of the --database-url primary)".to_owned(),
        ));
    }
    if !postgres(url) {
        return Err(StartupError::ReadUrl(format!(
            "--database-read-url must be a PostgreSQL standby of the primary (postgres://…), not {}",
            db::redact_url(url)
        )));
    }
    db::connect_standby(url, &config.pool, stats).map_err(|err| {
        StartupError::ReadUrl(format!(
            "--database-read-url {} is not a usable PostgreSQL URL: {err}",
            db::redact_url(url)
        ))
    })
}

async fn prepare_database(db: &DatabaseConnection, config: &Config) -> Result<(), StartupError> {
    if !config.no_migrate {
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
    if !config.no_seed {
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

    /// Serves until `shutdown` completes, then stops: `/readyz` fails at
    /// once; after the shutdown delay the listener stops taking new
    /// connections, but first accepts every connection the kernel has
    /// already queued (a client whose `connect` succeeded gets its answer);
    /// then in-flight requests finish, for at most the drain timeout.
    ///
    /// Each connection must send its request head within the header-read
    /// timeout, may wait idle between requests for the idle timeout, and at
    /// most the configured number of connections are open at once.
    pub fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> BoxFuture<'static, std::io::Result<()>> {
        self.run(Box::pin(shutdown))
    }

    /// [`App::run_until_stopped`] for any signal, boxed in this crate (see
    /// the module docs).
    #[inline(never)]
    fn run(self, shutdown: BoxFuture<'static, ()>) -> BoxFuture<'static, std::io::Result<()>> {
        Box::pin(self.serve(shutdown))
    }

    async fn serve(self, shutdown: BoxFuture<'static, ()>) -> std::io::Result<()> {
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let (drained_tx, drained_rx) = tokio::sync::oneshot::channel::<()>();
        let (stopping_tx, stopping_rx) = tokio::sync::oneshot::channel::<()>();
        let options = self.state.options.clone();
        let mut listener = DrainingListener {
            inner: Some(self.listener),
            stop: stop_rx,
            stopped: false,
            drained: Some(drained_tx),
            slots: Arc::new(tokio::sync::Semaphore::new(options.max_connections.max(1))),
        };
        let stopping = self.state.stopping.clone();
        let delay = self.shutdown_delay;
        let signal = async move {
            shutdown.await;
            stopping.store(true, std::sync::atomic::Ordering::Relaxed);
            if !delay.is_zero() {
                tracing::info!(
                    ?delay,
                    "shutting down: /readyz answers 503; still serving for the shutdown delay"
                );
                tokio::time::sleep(delay).await;
            }
            let _ = stop_tx.send(true);
            // Every connection already queued by the kernel is accepted
            // first; then they get a moment to have their request read: a
            // connection still waiting for its first bytes when the drain
            // starts is closed unanswered.
            let _ = drained_rx.await;
            tokio::time::sleep(SETTLE).await;
            tracing::info!("shutting down: no new connections, draining in-flight requests");
            let _ = stopping_tx.send(());
        };
        let limits = Limits {
            header_read: options.header_read_timeout,
            idle: options.idle_timeout,
        };
        let open = self.state.metrics.open_connections.clone();
        let app = router(self.state);
        let server = async move {
            // Every connection task holds a receiver; all gone means drained.
            let (closed_tx, closed_rx) = tokio::sync::watch::channel(());
            let (drain_tx, drain_rx) = tokio::sync::watch::channel(false);
            let mut signal = std::pin::pin!(signal);
            loop {
                let (stream, addr, slot) = tokio::select! {
                    accepted = listener.accept() => accepted,
                    () = &mut signal => break,
                };
                open.inc();
                let guard = OpenConnection {
                    _slot: slot,
                    _open: closed_rx.clone(),
                    gauge: open.clone(),
                };
                tokio::spawn(serve_connection(
                    stream,
                    addr,
                    app.clone(),
                    limits,
                    drain_rx.clone(),
                    guard,
                ));
            }
            drop(listener);
            let _ = drain_tx.send(true);
            drop(closed_rx);
            closed_tx.closed().await;
        };
        let drain_timeout = self.drain_timeout;
        let deadline = async move {
            if stopping_rx.await.is_ok() {
                tokio::time::sleep(drain_timeout).await;
            } else {
                std::future::pending::<()>().await;
            }
        };
        tokio::select! {
            () = server => Ok(()),
            () = deadline => {
                tracing::warn!(?drain_timeout, "drain timeout reached; dropping remaining connections");
                Ok(())
            }
        }
    }
}

/// How long connections accepted from the kernel's queue at shutdown get to
/// have their first request read before the drain starts.
const SETTLE: std::time::Duration = std::time::Duration::from_millis(200);

/// The time bounds of one connection.
#[derive(Clone, Copy, Debug)]
struct Limits {
    /// For a whole request head: from the connection's acceptance for the
    /// first, from its first byte for a later one.
    header_read: std::time::Duration,
    /// For the first byte of a kept-alive connection's next request.
    idle: std::time::Duration,
}

/// An accepted connection, counted in the open-connections gauge and holding
/// its slot under the connection cap until it closes.
struct OpenConnection {
    _slot: Option<tokio::sync::OwnedSemaphorePermit>,
    /// Dropped with the connection, which is how the drain knows it is done.
    _open: tokio::sync::watch::Receiver<()>,
    gauge: prometheus::IntGauge,
}

impl Drop for OpenConnection {
    fn drop(&mut self) {
        self.gauge.dec();
    }
}

/// Serves HTTP/1 on one connection until the client leaves, a timeout closes
/// it, or the drain ends it: then a connection between requests is closed,
/// one with a request in flight is closed after its response, and one whose
/// client has not sent a byte yet is closed unanswered.
async fn serve_connection(
    stream: tokio::net::TcpStream,
    addr: SocketAddr,
    app: axum::Router,
    limits: Limits,
    mut drain: tokio::sync::watch::Receiver<bool>,
    guard: OpenConnection,
) {
    let reads = Arc::new(connection::Reads::default());
    let io = hyper_util::rt::TokioIo::new(connection::Counted::new(stream, reads.clone()));
    let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
        let mut request = request.map(axum::body::Body::new);
        request
            .extensions_mut()
            .insert(axum::extract::ConnectInfo(ClientAddr(addr)));
        tower::ServiceExt::oneshot(app.clone(), request)
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(connection::HeadTimer::new(
            reads.clone(),
            limits.header_read,
            limits.idle,
        ))
        .header_read_timeout(limits.header_read);
    let connection = builder.serve_connection(io, service).with_upgrades();
    let mut connection = std::pin::pin!(connection);
    let draining = async move {
        // An error means the server is gone: drain as well.
        let _ = drain.wait_for(|draining| *draining).await;
    };
    tokio::select! {
        result = connection.as_mut() => {
            if let Err(err) = result {
                tracing::debug!(%err, client = %addr, "connection ended with an error");
            }
        }
        () = draining => {
            if reads.any() {
                connection.as_mut().graceful_shutdown();
                if let Err(err) = connection.await {
                    tracing::debug!(%err, client = %addr, "connection ended with an error");
                }
            }
        }
    }
    drop(guard);
}

/// The server's listener. Once told to stop, it takes the connections the
/// kernel has already completed (without waiting for more), closes the
/// listening socket, reports itself drained and accepts nothing else.
/// Closing a listening socket resets the connections still in its queue,
/// whose clients already believe they are connected; this hands them to the
/// server instead, and closes the socket at once so that no new connection
/// waits in a queue nobody reads.
struct DrainingListener {
    inner: Option<TcpListener>,
    stop: tokio::sync::watch::Receiver<bool>,
    stopped: bool,
    drained: Option<tokio::sync::oneshot::Sender<()>>,
    /// One permit per connection that may be open at once.
    slots: Arc<tokio::sync::Semaphore>,
}

impl DrainingListener {
    /// A connection already in the kernel's queue, if there is one.
    fn queued(&self) -> std::io::Result<Option<(tokio::net::TcpStream, SocketAddr)>> {
        let Some(inner) = &self.inner else {
            return Ok(None);
        };
        loop {
            match socket2::SockRef::from(inner).accept() {
                Ok((socket, addr)) => {
                    let stream: std::net::TcpStream = socket.into();
                    stream.set_nonblocking(true)?;
                    let addr = addr.as_socket().ok_or_else(|| {
                        std::io::Error::other("a TCP connection without an IP address")
                    })?;
                    return Ok(Some((tokio::net::TcpStream::from_std(stream)?, addr)));
                }
                Err(err) if err.kind() == std::io::ErrorKind::WouldBlock => return Ok(None),
                Err(err) if is_connection_error(&err) => continue,
                Err(err) => return Err(err),
            }
        }
    }

    /// The next connection, with its slot under the connection cap (none for
    /// the connections taken from the queue at shutdown: the kernel's queue
    /// bounds them, and each was promised an answer by its `connect`).
    async fn accept(
        &mut self,
    ) -> (
        tokio::net::TcpStream,
        SocketAddr,
        Option<tokio::sync::OwnedSemaphorePermit>,
    ) {
        loop {
            if self.stopped {
                match self.queued() {
                    Ok(Some((stream, addr))) => return (stream, addr, None),
                    Ok(None) => {}
                    Err(err) => tracing::error!(%err, "cannot accept the queued connections"),
                }
                // Closed: from now on a client is refused at connect.
                self.inner = None;
                if let Some(drained) = self.drained.take() {
                    let _ = drained.send(());
                }
                // The server stops calling once it sees the drained signal.
                std::future::pending::<()>().await;
            }
            // Gone only once drained, after which nothing is accepted.
            let Some(inner) = &self.inner else {
                return std::future::pending().await;
            };
            // At the cap, stop accepting rather than accept and close: new
            // connections wait in the kernel's queue, which costs the process
            // nothing, and are served in order as slots free up. Once that
            // queue is full the kernel refuses connections, which a load
            // balancer sees as a failed connect, always safe to retry on
            // another backend; a connection accepted then closed would look
            // to it like a backend failing a request it had already sent,
            // which it does not retry when the request is a POST.
            let slot = tokio::select! {
                slot = self.slots.clone().acquire_owned() => slot.ok(),
                changed = self.stop.changed() => {
                    self.stopped = changed.is_err() || *self.stop.borrow();
                    continue;
                }
            };
            tokio::select! {
                accepted = inner.accept() => match accepted {
                    Ok((stream, addr)) => return (stream, addr, slot),
                    Err(err) if is_connection_error(&err) => {}
                    Err(err) => {
                        // Out of file descriptors, most likely: wait rather than spin.
                        tracing::error!(%err, "cannot accept connections");
                        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                    }
                },
                changed = self.stop.changed() => {
                    self.stopped = changed.is_err() || *self.stop.borrow();
                }
            }
        }
    }
}

/// Errors of one connection (the client gave up before it was accepted),
/// not of the listener.
fn is_connection_error(err: &std::io::Error) -> bool {
    matches!(
        err.kind(),
        std::io::ErrorKind::ConnectionRefused
            | std::io::ErrorKind::ConnectionAborted
            | std::io::ErrorKind::ConnectionReset
    )
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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn a_stopped_listener_hands_out_the_queued_connections_then_reports_drained() {
        let inner = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = inner.local_addr().expect("addr");
        let (_stop_tx, stop) = tokio::sync::watch::channel(true);
        let (drained_tx, mut drained) = tokio::sync::oneshot::channel();
        let mut listener = DrainingListener {
            inner: Some(inner),
            stop,
            stopped: true,
            drained: Some(drained_tx),
            slots: Arc::new(tokio::sync::Semaphore::new(1)),
        };
        let mut clients = Vec::new();
        for _ in 0..3 {
            clients.push(
                tokio::net::TcpStream::connect(addr)
                    .await
                    .expect("queued by the kernel"),
            );
        }
        for i in 0..3 {
            let accepted = tokio::time::timeout(Duration::from_secs(2), listener.accept()).await;
            assert!(accepted.is_ok(), "queued connection {i} is handed out");
            assert!(drained.try_recv().is_err(), "not drained yet");
        }
        let after = tokio::time::timeout(Duration::from_millis(200), listener.accept()).await;
        assert!(after.is_err(), "nothing more is accepted");
        assert!(
            drained.try_recv().is_ok(),
            "drained once the queue is empty"
        );
        assert!(
            tokio::net::TcpStream::connect(addr).await.is_err(),
            "the listening socket is closed"
        );
    }
}
