//! Write transactions. Every change runs in one transaction that also moves
//! the owning person's `updated_at` (so `Person.updatedAt` tells a reader
//! that anything in the portfolio changed), so a failure anywhere leaves
//! nothing behind.
//!
//! Before committing, what the transaction changed becomes the webhooks'
//! events, in the same transaction (see [`super::webhook::outbox`]).
//!
//! On SQLite a write transaction starts with `BEGIN IMMEDIATE`: it takes the
//! write lock up front and waits for it (busy timeout) instead of failing
//! with "database is locked" when a read lock cannot be upgraded.

use chrono::Utc;
use entity::person;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, EntityTrait,
    QueryFilter, SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait,
};

use super::webhook::outbox;
use crate::changes::OwnWrites;
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
    outbox::items_changed(person_id);
    person::Entity::update_many()
        .col_expr(person::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(person::Column::Id.eq(person_id))
        .exec(txn)
        .await?;
    Ok(())
}

/// `person` is about to change (read for it, before the change): what it
/// was decides the event its change makes (published, unpublished).
pub fn noting_person(person: &person::Model) {
    outbox::person_read(person);
}

/// `person_id`'s own row was written (created or changed).
pub fn person_written(person_id: i64) {
    outbox::person_written(person_id);
}

/// Deletes person `id` and the whole portfolio; false if there is none.
pub async fn delete_person(txn: &impl ConnectionTrait, id: i64) -> AppResult<bool> {
    let Some(found) = person::Entity::find_by_id(id).one(txn).await? else {
        return Ok(false);
    };
    outbox::person_read(&found);
    let deleted = person::Entity::delete_by_id(id).exec(txn).await?;
    Ok(deleted.rows_affected == 1)
}

/// Runs `work` in a write transaction. What it returns `Some` for is
/// committed, with the webhook events of what it changed; on `None`
/// (nothing to keep) or an error the transaction is rolled back at once, so
/// no connection goes back to the pool holding locks.
pub async fn transaction<T>(
    db: &DatabaseConnection,
    work: impl AsyncFnOnce(&DatabaseTransaction) -> AppResult<Option<T>>,
) -> AppResult<Option<T>> {
    Ok(transaction_named(db, None, work)
        .await?
        .map(|(value, _)| value))
}

/// Like [`transaction`]; with `own` and on PostgreSQL, also notes the
/// transaction's id there (as the change feed will name it) and returns
/// it: the caller marks what it changed, then [`OwnWrites::marked`], with
/// nothing awaited in between.
pub async fn transaction_named<T>(
    db: &DatabaseConnection,
    own: Option<&OwnWrites>,
    work: impl AsyncFnOnce(&DatabaseTransaction) -> AppResult<Option<T>>,
) -> AppResult<Option<(T, Option<i64>)>> {
    let txn = begin(db).await?;
    let own = own.filter(|_| db.get_database_backend() == DbBackend::Postgres);
    let txid = match own {
        Some(own) => {
            let row = txn
                .query_one_raw(Statement::from_string(
                    DbBackend::Postgres,
                    "SELECT txid_current() AS txid",
                ))
                .await?;
            let txid = row.map(|row| row.try_get::<i64>("", "txid")).transpose()?;
            if let Some(txid) = txid {
                own.begun(txid);
            }
            txid
        }
        None => None,
    };
    // Whatever ends this transaction without a mark lets its echo through.
    let abandon = || {
        if let (Some(own), Some(txid)) = (own, txid) {
            own.abandoned(txid);
        }
    };
    let webhooks = outbox::subscriptions(&txn).await?;
    let (done, journal) = outbox::journaled(work(&txn)).await;
    let done = match done {
        Ok(Some(value)) => outbox::record(&txn, journal, webhooks)
            .await
            .map(|deliveries| Some((value, deliveries))),
        Ok(None) => Ok(None),
        Err(err) => Err(err),
    };
    match done {
        Ok(Some((value, deliveries))) => {
            if let Err(err) = txn.commit().await {
                abandon();
                return Err(err.into());
            }
            if deliveries > 0 {
                outbox::committed();
            }
            Ok(Some((value, txid)))
        }
        other => {
            abandon();
            if let Err(err) = txn.rollback().await {
                tracing::warn!(%err, "rollback failed");
            }
            other.map(|_| None)
        }
    }
}
