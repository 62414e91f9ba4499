//! The change feed: every committed write to a portfolio says which person
//! it changed, so that every process serving the database can forget what
//! it cached about that person.
//!
//! Written by the database itself, with triggers on every portfolio table,
//! so that no write is missed whoever makes it: the API, `portfolio import`,
//! or an operator with a SQL prompt.
//!
//! - PostgreSQL: the triggers `NOTIFY portfolio_changes` with the person's
//!   id; notifications are delivered at commit (never for a rolled-back
//!   transaction), and PostgreSQL folds duplicates within a transaction.
//! - MySQL/MariaDB and SQLite have no notifications: the triggers append
//!   the person's id to `change_log`, which every process reads every few
//!   hundred milliseconds. Rows are only read after commit (a reader never
//!   sees an uncommitted row), and old rows are trimmed by the readers.
//!
//! MariaDB does not fire triggers for rows removed by a cascading foreign
//! key; the row that started the cascade fires its own, which names the
//! same person.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Every table of a portfolio, with the column naming its person.
const TABLES: [(&str, &str); 10] = [
    ("person", "id"),
    ("profile_link", "person_id"),
    ("role", "person_id"),
    ("activity", "person_id"),
    ("achievement", "person_id"),
    ("metric", "person_id"),
    ("skill", "person_id"),
    ("achievement_skill", "person_id"),
    ("education", "person_id"),
    ("language", "person_id"),
];

/// The PostgreSQL trigger functions, by the column naming the person.
const FUNCTIONS: [(&str, &str); 2] = [
    ("portfolio_notify_person_change", "id"),
    ("portfolio_notify_change", "person_id"),
];

const EVENTS: [(&str, &str); 3] = [("insert", "NEW"), ("update", "NEW"), ("delete", "OLD")];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Postgres => {
                // One function per key column: PL/pgSQL resolves `NEW.x` per
                // row type, and the person table has no `person_id`.
                for (function, column) in FUNCTIONS {
                    db.execute_unprepared(&format!(
                        "CREATE FUNCTION {function}() RETURNS trigger AS $$
                         BEGIN
                           IF TG_OP = 'DELETE' THEN
                             PERFORM pg_notify('portfolio_changes', OLD.{column}::text);
                           ELSE
                             PERFORM pg_notify('portfolio_changes', NEW.{column}::text);
                           END IF;
                           RETURN NULL;
                         END $$ LANGUAGE plpgsql"
                    ))
                    .await?;
                }
                for (table, column) in TABLES {
                    let function = if column == "id" {
                        FUNCTIONS[0].0
                    } else {
                        FUNCTIONS[1].0
                    };
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER {table}_changes AFTER INSERT OR UPDATE OR DELETE ON \"{table}\" \
                         FOR EACH ROW EXECUTE FUNCTION {function}()"
                    ))
                    .await?;
                }
            }
            backend => {
                manager
                    .create_table(
                        Table::create()
                            .table(ChangeLog::Table)
                            .col(
                                ColumnDef::new(ChangeLog::Id)
                                    .big_integer()
                                    .not_null()
                                    .auto_increment()
                                    .primary_key(),
                            )
                            .col(ColumnDef::new(ChangeLog::PersonId).big_integer().not_null())
                            .to_owned(),
                    )
                    .await?;
                for (table, column) in TABLES {
                    for (event, row) in EVENTS {
                        let insert =
                            format!("INSERT INTO change_log (person_id) VALUES ({row}.{column})");
                        let sql = if backend == DbBackend::MySql {
                            format!(
                                "CREATE TRIGGER {table}_{event}_changes AFTER {event} ON `{table}` \
                                 FOR EACH ROW {insert}"
                            )
                        } else {
                            format!(
                                "CREATE TRIGGER {table}_{event}_changes AFTER {event} ON \"{table}\" \
                                 FOR EACH ROW BEGIN {insert}; END"
                            )
                        };
                        db.execute_unprepared(&sql).await?;
                    }
                }
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Postgres => {
                for (table, _) in TABLES {
                    db.execute_unprepared(&format!(
                        "DROP TRIGGER IF EXISTS {table}_changes ON \"{table}\""
                    ))
                    .await?;
                }
                for (function, _) in FUNCTIONS {
                    db.execute_unprepared(&format!("DROP FUNCTION IF EXISTS {function}()"))
                        .await?;
                }
            }
            _ => {
                for (table, _) in TABLES {
                    for (event, _) in EVENTS {
                        db.execute_unprepared(&format!(
                            "DROP TRIGGER IF EXISTS {table}_{event}_changes"
                        ))
                        .await?;
                    }
                }
                manager
                    .drop_table(Table::drop().table(ChangeLog::Table).to_owned())
                    .await?;
            }
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum ChangeLog {
    Table,
    Id,
    PersonId,
}
