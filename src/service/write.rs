//! Write transactions. Every change runs in one transaction that also moves
//! the owning person's `updated_at` (so `Person.updatedAt` tells a reader
//! that anything in the portfolio changed), so a failure anywhere leaves
//! nothing behind.
//!
//! On SQLite a write transaction starts with `BEGIN IMMEDIATE`: it takes the
//! write lock up front and waits for it (busy timeout) instead of failing
//! with "database is locked" when a read lock cannot be upgraded.

use chrono::Utc;
use entity::person;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, SqliteTransactionMode, TransactionOptions, TransactionTrait,
};

use crate::error::AppResult;

/// Starts a write transaction.
pub async fn begin(db: &DatabaseConnection) -> AppResult<DatabaseTransaction> {
    let options = TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    };
    Ok(db.begin_with_options(options).await?)
}

/// Marks `person_id`'s portfolio as changed now.
pub async fn touch_person(txn: &impl ConnectionTrait, person_id: i64) -> AppResult<()> {
    person::Entity::update_many()
        .col_expr(person::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(person::Column::Id.eq(person_id))
        .exec(txn)
        .await?;
    Ok(())
}

/// Runs `work` in a write transaction. What it returns `Some` for is
/// committed; on `None` (nothing to keep) or an error the transaction is
/// rolled back at once, so no connection goes back to the pool holding locks.
pub async fn transaction<T>(
    db: &DatabaseConnection,
    work: impl AsyncFnOnce(&DatabaseTransaction) -> AppResult<Option<T>>,
) -> AppResult<Option<T>> {
    let txn = begin(db).await?;
    match work(&txn).await {
        Ok(Some(value)) => {
            txn.commit().await?;
            Ok(Some(value))
        }
        other => {
            if let Err(err) = txn.rollback().await {
                tracing::warn!(%err, "rollback failed");
            }
            other
        }
    }
}
