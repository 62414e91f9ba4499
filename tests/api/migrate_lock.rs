//! Migrations under the database lock: processes that migrate one fresh
//! database at the same moment (replicas starting together, a migration job
//! beside them) all succeed, and each migration is applied exactly once.

use std::process::{Command, Stdio};

use migration::{Migrator, MigratorTrait};
use portfolio::config::PoolConfig;
use portfolio::db;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

use crate::helpers::{TestDb, backends};

/// How many processes race; more than the replicas of the manifests' Deployment.
const RACERS: usize = 4;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The versions recorded in the migration table, in order.
async fn recorded_versions(db: &DatabaseConnection) -> Vec<String> {
    let backend = db.get_database_backend();
    db.query_all_raw(Statement::from_string(
        backend,
        "SELECT version FROM seaql_migrations ORDER BY version",
    ))
    .await
    .expect("the migration table is readable")
    .iter()
    .map(|row| row.try_get::<String>("", "version").expect("a version"))
    .collect()
}

/// Every migration's name, in order.
fn every_migration() -> Vec<String> {
    Migrator::migrations()
        .iter()
        .map(|m| m.name().to_owned())
        .collect()
}

#[tokio::test]
async fn concurrent_migrate_up_commands_on_a_fresh_database_all_succeed_and_apply_each_migration_once()
 {
    for backend in backends() {
        let b = backend.name();
        let test_db = TestDb::create(&backend).await;
        // Started together, waited for after: the processes overlap.
        let children: Vec<_> = (0..RACERS)
            .map(|_| {
                Command::new(env!("CARGO_BIN_EXE_portfolio"))
                    .args(["--database-url", &test_db.url, "migrate", "up"])
                    .env_remove("PORTFOLIO_ADDR")
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .expect("the portfolio binary runs")
            })
            .collect();
        let mut applied = 0;
        for child in children {
            let out = child.wait_with_output().expect("the process ends");
            assert!(
                out.status.success(),
                "[{b}] a concurrent `migrate up` failed: {}",
                text(&out.stderr)
            );
            let stdout = text(&out.stdout);
            applied += stdout
                .trim()
                .strip_prefix("applied ")
                .and_then(|rest| rest.split(' ').next())
                .and_then(|n| n.parse::<usize>().ok())
                .unwrap_or_else(|| panic!("[{b}] unexpected output: {stdout}"));
        }
        let all = every_migration();
        assert_eq!(
            applied,
            all.len(),
            "[{b}] the processes together applied each migration once"
        );
        let (db, _) = db::connect(&test_db.url, &PoolConfig::default())
            .await
            .expect("connects");
        assert_eq!(
            recorded_versions(&db).await,
            all,
            "[{b}] recorded once each"
        );
        assert!(
            db::pending_migrations(&db)
                .await
                .expect("readable")
                .is_empty()
        );
        let _ = db.close().await;
    }
}

#[tokio::test]
async fn servers_starting_together_on_a_fresh_database_migrate_it_once_without_an_error() {
    for backend in backends() {
        let b = backend.name();
        let test_db = TestDb::create(&backend).await;
        // What `serve` does before it binds: its own pool, then `migrate_up`.
        let mut pools = Vec::new();
        for _ in 0..RACERS {
            let (pool, _) = db::connect(&test_db.url, &PoolConfig::default())
                .await
                .expect("connects");
            pools.push(pool);
        }
        let outcomes = futures::future::join_all(pools.iter().map(db::migrate_up)).await;
        let mut applied = 0;
        for outcome in outcomes {
            applied += outcome.unwrap_or_else(|err| panic!("[{b}] a migration failed: {err}"));
        }
        let all = every_migration();
        assert_eq!(applied, all.len(), "[{b}] each migration applied once");
        assert_eq!(
            recorded_versions(&pools[0]).await,
            all,
            "[{b}] recorded once each"
        );
        for pool in pools {
            let _ = pool.close().await;
        }
    }
}

#[tokio::test]
async fn reading_the_pending_migrations_of_a_fresh_database_creates_no_table() {
    for backend in backends() {
        let b = backend.name();
        let test_db = TestDb::create(&backend).await;
        let (db, _) = db::connect(&test_db.url, &PoolConfig::default())
            .await
            .expect("connects");
        assert_eq!(
            db::pending_migrations(&db).await.expect("readable"),
            every_migration(),
            "[{b}] everything is pending on a fresh database"
        );
        let manager = migration::SchemaManager::new(&db);
        assert!(
            !manager
                .has_table("seaql_migrations")
                .await
                .expect("the catalog is readable"),
            "[{b}] a readiness check issues no DDL"
        );
        let _ = db.close().await;
    }
}
