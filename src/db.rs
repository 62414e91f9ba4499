//! Connecting to the database, counting its statements, running migrations.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, DatabaseConnection, DbErr};

use crate::config::PoolConfig;

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

/// Opens a pool to `url` (`sqlite://…`, `postgres://…`, `mysql://…`).
pub async fn connect(
    url: &str,
    pool: &PoolConfig,
) -> Result<(DatabaseConnection, SqlStats), DbErr> {
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

/// Applies every pending migration; returns how many ran.
pub async fn migrate_up(db: &DatabaseConnection) -> Result<usize, DbErr> {
    let pending = Migrator::get_pending_migrations(db).await?.len();
    Migrator::up(db, None).await?;
    Ok(pending)
}

/// Names of migrations not yet applied.
pub async fn pending_migrations(db: &DatabaseConnection) -> Result<Vec<String>, DbErr> {
    Ok(Migrator::get_pending_migrations(db)
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
