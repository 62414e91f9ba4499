//! What every mutation shares: checking ids and tokens, loading the row to
//! change (only among the rows the token may change), optimistic version
//! checks, positions, the per-person caps, and running all problems of an
//! input into errors at once.

use std::future::Future;

use async_graphql::{Context, ID};
use entity::person;
use sea_orm::ExprTrait;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use crate::auth::Viewer;
use crate::domain::limits;
use crate::error::{AppError, AppResult};
use crate::graphql::ids::{self, NodeType};
use crate::graphql::{state, viewer};

/// A versioned row of a portfolio (a person's own row, or a row that
/// belongs to one): what loading for an edit, compare-and-set and
/// translations need of a table.
pub trait Versioned:
    EntityTrait<Model: IntoActiveModel<Self::ActiveModel> + Sync, ActiveModel: Send>
{
    const NODE: NodeType;
    /// A human name for messages, e.g. "role".
    const NAME: &'static str;
    fn id_column() -> Self::Column;
    /// The person the row belongs to (a person's own `id`).
    fn person_column() -> Self::Column;
    fn version_column() -> Self::Column;
    fn updated_at_column() -> Self::Column;
    fn id_of(model: &Self::Model) -> i64;
    fn person_of(model: &Self::Model) -> i64;
    fn version_of(model: &Self::Model) -> i32;
}

/// A row of one of a person's lists: created at the end, deleted,
/// reordered.
pub trait Editable: Versioned {
    /// The plural of [`Versioned::NAME`], e.g. "roles".
    const PLURAL: &'static str;
    /// How many one person may have (see `domain::limits`).
    const MAX_PER_PERSON: usize;
    fn position_column() -> Self::Column;
    fn created_at_column() -> Self::Column;
    fn position_of(model: &Self::Model) -> i32;
}

/// `Versioned` for every type of the table of portfolio types, `Editable`
/// for its items.
macro_rules! editable {
    ($($type:ident => $entity:ident, $module:ident::$object:ident, $by_id:ident, $shape:ident $args:tt;)*) => {
        $(editable!(@ $shape $args $entity $type $module);)*
    };
    (@owner () $entity:ident $type:ident $object_module:ident) => {
        editable!(@versioned $entity $type, stringify!($entity), Id, id);
    };
    (@part () $entity:ident $type:ident $object_module:ident) => {
        editable!(@versioned $entity $type, stringify!($entity), PersonId, person_id);
    };
    (@item ($of:ident, $name:literal, $plural:literal, $max:ident $(, seen_by $seen:ident)?) $module:ident $type:ident $object_module:ident) => {
        editable!(@listed $module $type, $name, $plural, limits::$max);
    };
    (@list ($of:ident, $name:literal, $plural:literal, $($list:tt)*) $module:ident $type:ident $object_module:ident) => {
        editable!(@listed $module $type, $name, $plural, crate::graphql::$object_module::MAX_PER_PERSON);
    };
    (@listed $module:ident $type:ident, $name:literal, $plural:literal, $max:expr) => {
        editable!(@versioned $module $type, $name, PersonId, person_id);
        impl Editable for entity::$module::Entity {
            const PLURAL: &'static str = $plural;
            const MAX_PER_PERSON: usize = $max;
            editable!(@columns $module: position_column => Position, created_at_column => CreatedAt);
            fn position_of(model: &Self::Model) -> i32 {
                model.position
            }
        }
    };
    (@columns $module:ident: $($accessor:ident => $column:ident),*) => {
        $(fn $accessor() -> Self::Column {
            entity::$module::Column::$column
        })*
    };
    (@versioned $module:ident $type:ident, $name:expr, $person:ident, $person_field:ident) => {
        impl Versioned for entity::$module::Entity {
            const NODE: NodeType = NodeType::$type;
            const NAME: &'static str = $name;
            editable!(@columns $module:
                id_column => Id,
                person_column => $person,
                version_column => Version,
                updated_at_column => UpdatedAt
            );
            fn id_of(model: &Self::Model) -> i64 {
                model.id
            }
            fn person_of(model: &Self::Model) -> i64 {
                model.$person_field
            }
            fn version_of(model: &Self::Model) -> i32 {
                model.version
            }
        }
    };
}

crate::graphql::portfolio_types!(editable);

/// The viewer of a mutation and the database.
pub struct Edit<'a> {
    pub viewer: Viewer,
    pub db: &'a sea_orm::DatabaseConnection,
}

impl<'a> Edit<'a> {
    /// The viewer, who must have a token (the mutation root has checked
    /// already; this keeps every path honest).
    pub fn new(ctx: &Context<'a>) -> AppResult<Self> {
        let viewer = viewer(ctx);
        viewer.edit_scope()?;
        Ok(Edit {
            viewer,
            db: &state(ctx)?.db,
        })
    }

    /// The viewer, who must have an admin token.
    pub fn admin(ctx: &Context<'a>) -> AppResult<Self> {
        let edit = Edit::new(ctx)?;
        edit.viewer.must_be_admin()?;
        Ok(edit)
    }
}

/// The row id behind a global id that must be of `node_type`.
pub fn row_id(field: &str, id: &ID, node_type: NodeType) -> AppResult<i64> {
    match ids::decode(field, id)? {
        (found, row) if found == node_type => Ok(row),
        _ => Err(AppError::bad_input(
            field,
            format!("{id:?} is not the id of a {node_type:?}"),
        )),
    }
}

/// Loads the row of `E` with `id`, inside the transaction, among the rows
/// the viewer may edit: NOT_FOUND, with one message, whether there is no
/// such row or it belongs to another person.
pub async fn load<E>(
    txn: &impl ConnectionTrait,
    viewer: &Viewer,
    field: &str,
    id: &ID,
) -> AppResult<E::Model>
where
    E: Versioned,
{
    let scope = viewer.edit_scope()?;
    let row = row_id(field, id, E::NODE)?;
    // Locked until the transaction ends (PostgreSQL, MySQL; SQLite's write
    // transactions hold the whole database already): concurrent writers of
    // one row queue for it instead of losing the compare-and-set and
    // trying again.
    let mut query = E::find().filter(E::id_column().eq(row)).lock_exclusive();
    if let Some(own) = scope {
        query = query.filter(E::person_column().eq(own));
    }
    query
        .one(txn)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no {} with id {id:?}", E::NAME)))
}

/// Loads the person with `id` for editing: NOT_FOUND, with one message,
/// whether there is no such person or the token is another person's.
pub async fn load_person(
    txn: &impl ConnectionTrait,
    viewer: &Viewer,
    field: &str,
    id: &ID,
) -> AppResult<person::Model> {
    let person = load::<person::Entity>(txn, viewer, field, id).await?;
    crate::service::write::noting_person(&person);
    Ok(person)
}

/// Refuses one more row of `E` for a person who has the most allowed.
pub async fn ensure_room<E>(
    txn: &impl ConnectionTrait,
    person_id: i64,
    field: &str,
) -> AppResult<()>
where
    E: Editable,
{
    let count = E::find()
        .filter(E::person_column().eq(person_id))
        .count(txn)
        .await?;
    let mut c = crate::domain::validate::Checker::default();
    c.room(
        field,
        E::PLURAL,
        usize::try_from(count).unwrap_or(usize::MAX),
        E::MAX_PER_PERSON,
    );
    ensure_valid(c)
}

/// Refuses a reorder that lists more ids than the list can ever hold,
/// before anything is looked up.
pub fn check_reorder_ids<E>(ids: &[ID]) -> AppResult<()>
where
    E: Editable,
{
    let mut c = crate::domain::validate::Checker::default();
    c.list("input.ids", ids.len(), E::MAX_PER_PERSON);
    ensure_valid(c)
}

/// Refuses a stale `expectedVersion`.
pub fn check_version(current: i32, expected: Option<i32>, what: &str) -> AppResult<()> {
    match expected {
        Some(expected) if expected != current => Err(AppError::Conflict {
            message: format!(
                "the {what} was changed meanwhile: expected version {expected}, current version {current}"
            ),
            current_version: current,
        }),
        _ => Ok(()),
    }
}

/// Writes `changes` to row `id` if its version is still `read_version`,
/// bumping the version: the row as written, or `None` when another writer
/// got there first.
pub async fn compare_and_set<E>(
    txn: &impl ConnectionTrait,
    changes: E::ActiveModel,
    id: i64,
    read_version: i32,
) -> Result<Option<E::Model>, sea_orm::DbErr>
where
    E: Versioned,
{
    let update = E::update_many()
        .set(changes)
        .col_expr(E::version_column(), Expr::value(read_version + 1))
        .col_expr(E::updated_at_column(), Expr::value(chrono::Utc::now()))
        .filter(E::id_column().eq(id))
        .filter(E::version_column().eq(read_version));
    // One statement where the database returns what it wrote (PostgreSQL,
    // SQLite): the row stays locked a round trip shorter.
    if txn.support_returning() {
        return Ok(update.exec_with_returning(txn).await?.into_iter().next());
    }
    if update.exec(txn).await?.rows_affected != 1 {
        return Ok(None);
    }
    E::find().filter(E::id_column().eq(id)).one(txn).await
}

/// The position after the last of the person's rows of `E`.
pub async fn next_position<E>(txn: &impl ConnectionTrait, person_id: i64) -> AppResult<i32>
where
    E: Editable,
{
    let last = E::find()
        .filter(E::person_column().eq(person_id))
        .order_by_desc(E::position_column())
        .one(txn)
        .await?;
    Ok(last.map_or(0, |m| E::position_of(&m) + 1))
}

/// Puts `rows` (one list) in the order of `ids`, which must name each of
/// them exactly once. The list keeps the positions it had, handed out in the
/// new order, so lists that share a numbering (a person's achievements
/// across roles) stay consistent.
pub async fn reorder_rows<E>(
    txn: &impl ConnectionTrait,
    rows: Vec<E::Model>,
    ids: &[ID],
) -> AppResult<()>
where
    E: Editable,
{
    let mut wanted = Vec::with_capacity(ids.len());
    let mut problems = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        match row_id(&format!("input.ids[{i}]"), id, E::NODE) {
            Ok(row) if !rows.iter().any(|m| E::id_of(m) == row) => problems.push((
                format!("input.ids[{i}]"),
                format!("{id:?} is not a {} of this list", E::NAME),
            )),
            Ok(row) if wanted.contains(&row) => {
                problems.push((format!("input.ids[{i}]"), format!("{id:?} appears twice")))
            }
            Ok(row) => wanted.push(row),
            Err(AppError::BadUserInput { message, field }) => {
                problems.push((field.unwrap_or_default(), message))
            }
            Err(other) => return Err(other),
        }
    }
    if problems.is_empty() && wanted.len() != rows.len() {
        problems.push((
            "input.ids".to_owned(),
            format!(
                "must list all {} items of the list, in the new order; got {}",
                rows.len(),
                wanted.len()
            ),
        ));
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    let mut positions: Vec<i32> = rows.iter().map(E::position_of).collect();
    positions.sort_unstable();
    let now = chrono::Utc::now();
    for (row, position) in wanted.into_iter().zip(positions) {
        // A move is a change like any other: a new version, a new time.
        E::update_many()
            .col_expr(E::position_column(), Expr::value(position))
            .col_expr(E::version_column(), Expr::col(E::version_column()).add(1))
            .col_expr(E::updated_at_column(), Expr::value(now))
            .filter(E::id_column().eq(row))
            .exec(txn)
            .await?;
    }
    Ok(())
}

/// Runs an update that reads, changes and compare-and-sets a row. Without
/// `expectedVersion`, losing the race to another writer just means trying
/// again on the fresh row (`Ok(None)` from `attempt`); with it, the attempt
/// reports CONFLICT itself.
pub async fn with_retries<T, F, Fut>(mut attempt: F) -> AppResult<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = AppResult<Option<T>>>,
{
    const ATTEMPTS: u32 = 20;
    for tried in 0..ATTEMPTS {
        if let Some(done) = attempt().await? {
            return Ok(done);
        }
        // Writers that collided must not collide again in lockstep: wait a
        // random time below a bound that doubles per attempt, up to 32 ms
        // ("full jitter"); all 20 attempts wait about 0.3 s at most on average.
        let bound_us = 1_000u64 << Ord::min(tried, 5);
        tokio::time::sleep(std::time::Duration::from_micros(jitter() % bound_us)).await;
    }
    Err(AppError::Unavailable(format!(
        "the row kept changing during {ATTEMPTS} attempts"
    )))
}

/// A random number for backoff jitter, from the standard library's randomly
/// seeded hasher (no cryptographic quality needed).
fn jitter() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish()
}

/// The outcome of a mutation as GraphQL answers it.
pub trait Answer<T> {
    fn answer(self, ctx: &Context<'_>) -> async_graphql::Result<T>;
}

impl<T> Answer<T> for AppResult<T> {
    fn answer(self, ctx: &Context<'_>) -> async_graphql::Result<T> {
        self.map_err(|e| fail(ctx, e))
    }
}

impl<T> Answer<T> for async_graphql::Result<T> {
    fn answer(self, _: &Context<'_>) -> async_graphql::Result<T> {
        self
    }
}

/// Turns an error into GraphQL errors: all but the last are added to the
/// response, the last is returned (so every problem of an input is listed).
pub fn fail(ctx: &Context<'_>, err: AppError) -> async_graphql::Error {
    let mut errors = err.into_errors();
    let last = errors
        .pop()
        .unwrap_or_else(|| AppError::internal("an error without errors").into());
    for error in errors {
        ctx.add_error(error.into_server_error(ctx.item.pos));
    }
    last
}

/// Runs a change of a person's portfolio in one write transaction.
/// `work` returns the result and the person whose portfolio changed (`None`
/// when it lost a race and wrote nothing); the person's `updated_at` moves
/// in the same transaction, and once it is committed everything cached about
/// the person is outdated and the rest of the request reads fresh data.
pub async fn write<T>(
    ctx: &Context<'_>,
    db: &sea_orm::DatabaseConnection,
    work: impl AsyncFnOnce(&sea_orm::DatabaseTransaction) -> AppResult<Option<(T, i64)>>,
) -> AppResult<Option<T>> {
    write_then(ctx, db, Written::Item, work).await
}

/// What a write changes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Written {
    /// Something in a person's portfolio.
    Item,
    /// A person's own row (which moves its `updated_at` itself), and with
    /// it maybe the list of people.
    Person,
}

/// Like [`write`], for what `written` says.
pub async fn write_then<T>(
    ctx: &Context<'_>,
    db: &sea_orm::DatabaseConnection,
    written: Written,
    work: impl AsyncFnOnce(&sea_orm::DatabaseTransaction) -> AppResult<Option<(T, i64)>>,
) -> AppResult<Option<T>> {
    write_noting(ctx, db, written, work, |_| None).await
}

/// Like [`write_then`], for a change of a person's own row and nothing
/// else of theirs, whose result is the row as it was written: the process's
/// snapshot of the person takes that row rather than being loaded again
/// (see [`Caches::person_row_written`](crate::service::freshness::Caches::person_row_written)).
pub async fn write_person_row(
    ctx: &Context<'_>,
    db: &sea_orm::DatabaseConnection,
    work: impl AsyncFnOnce(
        &sea_orm::DatabaseTransaction,
    ) -> AppResult<Option<(entity::person::Model, i64)>>,
) -> AppResult<Option<entity::person::Model>> {
    write_noting(ctx, db, Written::Person, work, |row| Some(row)).await
}

/// Like [`write_then`]; `row` says which person row the result holds as
/// written, if it is a change of that row alone.
async fn write_noting<T>(
    ctx: &Context<'_>,
    db: &sea_orm::DatabaseConnection,
    written: Written,
    work: impl AsyncFnOnce(&sea_orm::DatabaseTransaction) -> AppResult<Option<(T, i64)>>,
    row: fn(&T) -> Option<&entity::person::Model>,
) -> AppResult<Option<T>> {
    // Named: once this process marked the person, the change feed's echo
    // of the transaction is known for its own (see `changes::OwnWrites`).
    let own = state(ctx).ok().map(|state| &state.caches.own_writes);
    let done =
        crate::service::write::transaction_named(db, own, async |txn| match work(txn).await? {
            Some((value, person_id)) => {
                if written == Written::Item {
                    crate::service::write::touch_person(txn, person_id).await?;
                } else {
                    crate::service::write::person_written(person_id);
                }
                Ok(Some((value, person_id)))
            }
            None => Ok(None),
        })
        .await?;
    // Nothing is awaited from the commit to the mark: the echo is known for
    // this process's own only once the person is marked.
    Ok(done.map(|((value, person_id), txid)| {
        let list = written == Written::Person;
        match (row(&value), state(ctx)) {
            (Some(row), Ok(state)) => {
                forget_loaded(ctx);
                state.caches.person_row_written(row, list);
            }
            _ => committed(ctx, person_id, list),
        }
        if let (Some(txid), Ok(state)) = (txid, state(ctx)) {
            state.caches.own_writes.marked(txid, person_id);
        }
        value
    }))
}

/// A change of `person_id` (and of the list of people, when `list`) is
/// committed: the request's loaders and the process's caches forget what
/// they read of it.
pub fn committed(ctx: &Context<'_>, person_id: i64, list: bool) {
    forget_loaded(ctx);
    if let Ok(state) = state(ctx) {
        state.caches.changed(person_id, list);
    }
}

/// The request's loaders forget what they read: the rest of the request
/// reads what was committed.
fn forget_loaded(ctx: &Context<'_>) {
    if let Ok(loaders) = crate::graphql::loaders(ctx) {
        loaders.clear();
    }
}

/// The result of a change that cannot lose a race.
pub fn written<T>(done: Option<T>) -> AppResult<T> {
    done.ok_or_else(|| AppError::internal("a write finished without a result"))
}

/// Fails with every problem the checker found, if any.
pub fn ensure_valid(checker: crate::domain::validate::Checker) -> AppResult<()> {
    if checker.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid(checker.into_problems()))
    }
}
