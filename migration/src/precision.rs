//! MySQL and MariaDB keep `TIMESTAMP` to the second unless told otherwise;
//! the other backends keep microseconds. `updated_at` must move on every
//! change, so MySQL's timestamp columns are widened to microseconds too.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

/// On MySQL/MariaDB, gives `columns` of `table` microsecond precision
/// (`(name, nullable)` pairs); elsewhere does nothing.
pub async fn microseconds(
    manager: &SchemaManager<'_>,
    table: &str,
    columns: &[(&str, bool)],
) -> Result<(), DbErr> {
    if manager.get_database_backend() != DbBackend::MySql {
        return Ok(());
    }
    let changes: Vec<String> = columns
        .iter()
        .map(|(column, nullable)| {
            format!(
                "MODIFY `{column}` TIMESTAMP(6) {}",
                if *nullable { "NULL" } else { "NOT NULL" }
            )
        })
        .collect();
    manager
        .get_connection()
        .execute_unprepared(&format!("ALTER TABLE `{table}` {}", changes.join(", ")))
        .await?;
    Ok(())
}
