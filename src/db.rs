//! Connecting to the database, counting its statements, running migrations.
//!
//! Migrations run under a database-wide lock, because several processes may
//! apply them at once: replicas that start together without `--no-migrate`,
//! or a migration job next to them. Unlocked, two of them would both find a
//! migration pending and both run it, and the second would fail on a table
//! that already exists (PostgreSQL can even fail the `CREATE TABLE IF NOT
//! EXISTS` of the migration table itself). Under the lock, the first applies
//! what is pending and the others find nothing left to do.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::{self, pool::PoolOptions};
use sea_orm::{
    ConnectOptions, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, IntoDatabaseExecutor,
    QueryResult, RuntimeErr, SqliteTransactionMode, SqlxMySqlConnector, SqlxPostgresConnector,
    Statement, TransactionOptions, TransactionTrait,
};

/// How many SQL statements this process has sent. Fed by SeaORM's metric
/// callback; tests read it to prove that a query's statement count does not
/// grow with the data.
#[derive(Clone, Debug, Default)]
pub struct SqlStats(Arc<AtomicU64>);

impl SqlStats {
    pub fn statements(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// The size of a pool, and how long a request waits for one of its
/// connections (also the bound on opening one).
#[derive(Clone, Copy, Debug)]
pub struct PoolSize {
    pub max_connections: u32,
    pub acquire_timeout: Duration,
}

/// Opens a pool to `url` (`sqlite://…`, `postgres://…`, `mysql://…`).
pub async fn connect(
    url: &str,
    pool: impl Into<PoolSize>,
) -> Result<(DatabaseConnection, SqlStats), DbErr> {
    let pool = pool.into();
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(pool.max_connections)
        .min_connections(0)
        .acquire_timeout(pool.acquire_timeout)
        .connect_timeout(pool.acquire_timeout)
        .sqlx_logging(false);
    let mut db = sea_orm::Database::connect(options).await?;
    let stats = SqlStats::default();
    let counter = stats.0.clone();
    db.set_metric_callback(move |_info| {
        counter.fetch_add(1, Ordering::Relaxed);
    });
    Ok((db, stats))
}

/// Opens a pool to the PostgreSQL standby at `url` without connecting yet
/// (a standby that is down must not keep the server from starting); its
/// statements are counted in `stats` with the primary's.
pub fn connect_standby(
    url: &str,
    pool: impl Into<PoolSize>,
    stats: &SqlStats,
) -> Result<DatabaseConnection, DbErr> {
    use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

    let pool = pool.into();
    let options = url
        .parse::<PgConnectOptions>()
        .map_err(|err| DbErr::Conn(RuntimeErr::Internal(err.to_string())))?
        .application_name("portfolio-standby-reads");
    let pool = PgPoolOptions::new()
        .max_connections(pool.max_connections)
        .min_connections(0)
        .acquire_timeout(pool.acquire_timeout)
        .connect_lazy_with(options);
    let mut db = SqlxPostgresConnector::from_sqlx_postgres_pool(pool);
    let counter = stats.0.clone();
    db.set_metric_callback(move |_info| {
        counter.fetch_add(1, Ordering::Relaxed);
    });
    Ok(db)
}

/// How long a process waits for another one's migrations before giving up.
/// Generous: the other process is doing the work this one would do.
pub const MIGRATION_LOCK_WAIT: Duration = Duration::from_secs(600);

/// The PostgreSQL advisory lock key of migrations (the first eight bytes of
/// `portfolio_migrate`, so that no other application's key collides by
/// chance). Advisory locks are scoped to one database.
const POSTGRES_LOCK_KEY: i64 = 0x706f_7274_666f_6c69;

/// The MySQL/MariaDB named lock of migrations. Such names are server-wide:
/// two portfolio databases on one server take turns migrating, which costs
/// nothing but a short wait.
const MYSQL_LOCK_NAME: &str = "portfolio_migrate";

/// Applies every pending migration under the migration lock; returns how
/// many this call applied (0 when another process had applied them first).
pub async fn migrate_up(db: &DatabaseConnection) -> Result<usize, DbErr> {
    match db.get_database_backend() {
        DbBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            on_own_connection(
                pool,
                SqlxPostgresConnector::from_sqlx_postgres_pool,
                migrate_postgres,
            )
            .await
        }
        DbBackend::MySql => {
            let pool = db.get_mysql_connection_pool();
            on_own_connection(
                pool,
                SqlxMySqlConnector::from_sqlx_mysql_pool,
                migrate_mysql,
            )
            .await
        }
        DbBackend::Sqlite => migrate_sqlite(db).await,
        other => Err(DbErr::Migration(format!(
            "no migration lock for the {other:?} backend"
        ))),
    }
}

/// Runs `migrate` on a connection of its own to the database of `pool`
/// (see [`single_connection`]), closed afterwards whatever the outcome.
async fn on_own_connection<DB: sqlx::Database>(
    pool: &sqlx::Pool<DB>,
    wrap: fn(sqlx::Pool<DB>) -> DatabaseConnection,
    migrate: impl AsyncFnOnce(&DatabaseConnection) -> Result<usize, DbErr>,
) -> Result<usize, DbErr> {
    let conn = wrap(
        single_connection(pool)
            .connect_with((*pool.connect_options()).clone())
            .await
            .map_err(conn_err)?,
    );
    let applied = migrate(&conn).await;
    let _ = conn.close().await;
    applied
}

/// A pool of exactly one connection, for the lock and the migrations
/// together. SeaORM runs each statement on whichever pooled connection is
/// free, and PostgreSQL and MySQL locks belong to a session: only with one
/// connection are the lock, every migration and the unlock sure to share it.
/// The connection never expires while idle and is not pinged before use, so
/// it is never silently replaced by a new session that lacks the lock; if it
/// breaks, the next statement fails and so does the migration.
fn single_connection<DB: sqlx::Database>(pool: &sqlx::Pool<DB>) -> PoolOptions<DB> {
    PoolOptions::new()
        .max_connections(1)
        .min_connections(0)
        .acquire_timeout(pool.options().get_acquire_timeout())
        .idle_timeout(None)
        .max_lifetime(None)
        .test_before_acquire(false)
}

fn conn_err(err: sqlx::Error) -> DbErr {
    DbErr::Conn(RuntimeErr::SqlxError(Arc::new(err)))
}

/// PostgreSQL: a session-level advisory lock, waited for at most
/// [`MIGRATION_LOCK_WAIT`] (`lock_timeout` bounds the wait). Each migration
/// then runs in its own transaction on the same connection, and the lock is
/// released whatever the outcome.
async fn migrate_postgres(conn: &DatabaseConnection) -> Result<usize, DbErr> {
    conn.execute_unprepared(&format!(
        "SET lock_timeout = '{}s'",
        MIGRATION_LOCK_WAIT.as_secs()
    ))
    .await?;
    conn.execute_unprepared(&format!("SELECT pg_advisory_lock({POSTGRES_LOCK_KEY})"))
        .await
        .map_err(|err| {
            DbErr::Migration(format!(
                "another process held the migration lock for {} s: {err}",
                MIGRATION_LOCK_WAIT.as_secs()
            ))
        })?;
    // The migrations keep PostgreSQL's default: wait for their locks.
    let applied = match conn.execute_unprepared("RESET lock_timeout").await {
        Ok(_) => apply_pending(conn).await,
        Err(err) => Err(err),
    };
    let released = release(
        conn,
        format!("SELECT pg_advisory_unlock({POSTGRES_LOCK_KEY}) AS released"),
        |row| row.try_get::<bool>("", "released"),
    )
    .await;
    finish(applied, released)
}

/// MySQL/MariaDB: `GET_LOCK`, which answers 1 once held, 0 after the wait.
/// DDL commits implicitly there, so no transaction could hold the
/// migrations together; the named lock does, on the same connection.
async fn migrate_mysql(conn: &DatabaseConnection) -> Result<usize, DbErr> {
    let locked = conn
        .query_one_raw(Statement::from_string(
            DbBackend::MySql,
            format!(
                "SELECT GET_LOCK('{MYSQL_LOCK_NAME}', {}) AS locked",
                MIGRATION_LOCK_WAIT.as_secs()
            ),
        ))
        .await?
        .map(|row| row.try_get::<Option<i64>>("", "locked"))
        .transpose()?
        .flatten();
    if locked != Some(1) {
        return Err(DbErr::Migration(format!(
            "another process held the migration lock for {} s",
            MIGRATION_LOCK_WAIT.as_secs()
        )));
    }
    let applied = apply_pending(conn).await;
    let released = release(
        conn,
        format!("SELECT RELEASE_LOCK('{MYSQL_LOCK_NAME}') AS released"),
        |row| Ok(row.try_get::<Option<i64>>("", "released")? == Some(1)),
    )
    .await;
    finish(applied, released)
}

/// Runs `sql`, which releases the migration lock and answers one row;
/// whether that row says the lock was held (no row: it was not).
async fn release(
    conn: &DatabaseConnection,
    sql: String,
    held: impl FnOnce(&QueryResult) -> Result<bool, DbErr>,
) -> Result<bool, DbErr> {
    let backend = conn.get_database_backend();
    match conn
        .query_one_raw(Statement::from_string(backend, sql))
        .await?
    {
        Some(row) => held(&row),
        None => Ok(false),
    }
}

/// SQLite: the database file's own lock. SQLite serializes writers, but
/// statement by statement, and migrations are several statements (with no
/// transaction of their own on SQLite), so two processes could still both
/// find a migration pending. Running them all in one `BEGIN IMMEDIATE`
/// transaction takes the file's write lock before the pending migrations are
/// even read: a second process waits for the first to commit, then finds
/// nothing pending. SQLite's DDL is transactional, so a failed migration
/// leaves nothing behind either.
async fn migrate_sqlite(db: &DatabaseConnection) -> Result<usize, DbErr> {
    let options = TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    };
    let deadline = tokio::time::Instant::now() + MIGRATION_LOCK_WAIT;
    let txn = loop {
        // `BEGIN IMMEDIATE` itself waits for the busy timeout (5 s); a
        // longer migration elsewhere makes it fail busy, and it is retried.
        match db.begin_with_options(options).await {
            Ok(txn) => break txn,
            Err(err) if is_sqlite_busy(&err) && tokio::time::Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(err) => return Err(err),
        }
    };
    // On an error the transaction is dropped, which rolls it back.
    let applied = apply_pending(&txn).await?;
    txn.commit().await?;
    Ok(applied)
}

/// Whether `err` is SQLite's "database is locked" (`SQLITE_BUSY`, any of
/// its extended codes).
fn is_sqlite_busy(err: &DbErr) -> bool {
    let (DbErr::Conn(RuntimeErr::SqlxError(err))
    | DbErr::Exec(RuntimeErr::SqlxError(err))
    | DbErr::Query(RuntimeErr::SqlxError(err))) = err
    else {
        return false;
    };
    err.as_database_error()
        .and_then(|err| err.code())
        .and_then(|code| code.parse::<i32>().ok())
        .is_some_and(|code| code & 0xff == 5)
}

/// Applies what is pending, counted under the lock so that only the process
/// that did the work reports it.
async fn apply_pending<'c, C>(conn: &'c C) -> Result<usize, DbErr>
where
    C: ConnectionTrait,
    &'c C: IntoDatabaseExecutor<'c>,
{
    let pending = Migrator::get_pending_migrations(conn).await?.len();
    Migrator::up(conn, None).await?;
    Ok(pending)
}

/// The migrations' outcome, unless the lock was not released: then it had
/// been lost on the way (the session was replaced) and the migrations may
/// have run unguarded, which is worth an error even if they succeeded.
fn finish(applied: Result<usize, DbErr>, released: Result<bool, DbErr>) -> Result<usize, DbErr> {
    let applied = applied?;
    match released {
        Ok(true) => Ok(applied),
        Ok(false) => Err(DbErr::Migration(
            "the migration lock was no longer held when released".to_owned(),
        )),
        Err(err) => Err(err),
    }
}

/// Names of migrations not yet applied. Reads only: it never creates the
/// migration table, so readiness checks and `--no-migrate` replicas issue
/// no DDL of their own next to a process that migrates (a missing table
/// means every migration is pending).
pub async fn pending_migrations(db: &DatabaseConnection) -> Result<Vec<String>, DbErr> {
    Ok(Migrator::get_pending_migrations_read_only(db)
        .await?
        .iter()
        .map(|m| m.name().to_owned())
        .collect())
}

/// The database URL with any password replaced by `***`, for logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn passwords_are_hidden_from_logged_urls() {
        assert_eq!(
            redact_url("postgres://u:secret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(
            redact_url("sqlite://portfolio.db?mode=rwc"),
            "sqlite://portfolio.db?mode=rwc"
        );
        assert_eq!(
            redact_url("mysql://root@127.0.0.1/test"),
            "mysql://root@127.0.0.1/test"
        );
    }
}
