//! Schema migrations, one file per change (`mYYYYMMDD_HHMMSS_<what>.rs`).
//!
//! The same migrations run unchanged on SQLite, PostgreSQL and MySQL/MariaDB:
//! they use only portable column types (no native enums, no JSON columns, no
//! expression indexes). Data never lives here: the bundled portfolio is loaded
//! by the application, not by a migration.

pub use sea_orm_migration::prelude::*;

mod m20261125_000001_create_portfolio_tables;
mod m20261125_000002_drafts_and_tokens;
mod m20261202_000003_change_feed;
mod m20261202_000004_locales;
mod m20261202_000005_webhooks;
mod m20261204_000006_change_feed_transactions;
mod precision;

/// Every migration of the project, in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_000001_create_portfolio_tables::Migration),
            Box::new(m20261125_000002_drafts_and_tokens::Migration),
            Box::new(m20261202_000003_change_feed::Migration),
            Box::new(m20261202_000004_locales::Migration),
            Box::new(m20261202_000005_webhooks::Migration),
            Box::new(m20261204_000006_change_feed_transactions::Migration),
        ]
    }
}
