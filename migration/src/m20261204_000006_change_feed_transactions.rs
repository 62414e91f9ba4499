//! The change feed names the transaction of each change (PostgreSQL).
//!
//! Besides `portfolio_changes` (the person's id, as before, for processes
//! that do not know this migration), the triggers notify
//! `portfolio_changes_tx` with the person's id and the id of the writing
//! transaction (`txid_current()`), separated by a space. A process that
//! wrote a change itself, and already outdated what it cached about the
//! person, can tell the echo of its own write from anyone else's change.
//!
//! MySQL/MariaDB and SQLite are unchanged.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The PostgreSQL trigger functions, by the column naming the person (as
/// the change feed's migration created them).
const FUNCTIONS: [(&str, &str); 2] = [
    ("portfolio_notify_person_change", "id"),
    ("portfolio_notify_change", "person_id"),
];

/// Replaces both trigger functions (PostgreSQL; nothing elsewhere) with
/// ones notifying what `notify` says for the row (`OLD` or `NEW`) and the
/// column naming its person.
async fn replace_functions(
    manager: &SchemaManager<'_>,
    notify: impl Fn(&str, &str) -> String,
) -> Result<(), DbErr> {
    if manager.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    for (name, column) in FUNCTIONS {
        let sql = function(name, |row| notify(row, column));
        manager.get_connection().execute_unprepared(&sql).await?;
    }
    Ok(())
}

/// A trigger function notifying what `notify` says for the row `row`.
fn function(name: &str, notify: impl Fn(&str) -> String) -> String {
    format!(
        "CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$
         BEGIN
           IF TG_OP = 'DELETE' THEN
             {old};
           ELSE
             {new};
           END IF;
           RETURN NULL;
         END $$ LANGUAGE plpgsql",
        old = notify("OLD"),
        new = notify("NEW"),
    )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        replace_functions(manager, |row, column| {
            format!(
                "PERFORM pg_notify('portfolio_changes', {row}.{column}::text);
                 PERFORM pg_notify('portfolio_changes_tx', {row}.{column}::text || ' ' || txid_current()::text)"
            )
        })
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        replace_functions(manager, |row, column| {
            format!("PERFORM pg_notify('portfolio_changes', {row}.{column}::text)")
        })
        .await
    }
}
