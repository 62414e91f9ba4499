//! Batched, memoised reads. Every relation of the API resolves through
//! [`Loaders`], which keeps the number of SQL statements of a request
//! independent of how many rows it returns (no N+1).
//!
//! Two kinds of keys:
//! - `XOf(person_id)`: every row of one table for a person (a portfolio is
//!   hundreds of rows, not millions). Every object in a portfolio carries its
//!   `person_id`, so any relation inside a portfolio is answered from these
//!   lists: a role's achievements, an achievement's metrics and skills, a
//!   skill's achievements.
//! - `XById(id)`: one row by primary key, for `node(id:)` and back-links.
//!
//! Batching: the first resolver to ask for a key of some kind opens a batch
//! and yields once to the executor; every resolver of the same request that
//! asks for a key of that kind meanwhile (the siblings of a list, the fields
//! of an object, which async-graphql polls together) joins the batch; then
//! one `IN (...)` query loads them all. No timer and no extra task: the
//! whole request stays on one task, and a batch costs one yield. A
//! per-request memo makes every key load at most once, even when its askers
//! are spread over several batches. A fresh `Loaders` is made per request,
//! so nothing is cached across requests.

use std::any::{Any, TypeId};
use std::collections::{HashMap, HashSet};
use std::hash::Hash;
use std::sync::{Arc, Mutex};

use entity::{
    achievement, achievement_skill, activity, education, language, metric, person, profile_link,
    role, skill,
};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use tokio::sync::OnceCell;

use crate::auth::Viewer;
use crate::error::{AppError, SharedError};

/// Loads rows for the API, in batches, as `viewer` may see them: drafts
/// (`published = false`) only for their owner.
pub struct DbLoader {
    db: DatabaseConnection,
    viewer: Viewer,
}

type LoadResult<K, V> = Result<HashMap<K, V>, SharedError>;

fn shared(err: sea_orm::DbErr) -> SharedError {
    SharedError(Arc::new(AppError::from(err)))
}

/// A loader key: a newtype around a row id (of the person or of the row).
pub trait Key: Copy + Eq + Hash + Send + Sync + 'static {
    fn id(self) -> i64;
}

/// Loads the values of many keys of one kind in one query.
pub trait Loader<K: Key>: Send + Sync + 'static {
    type Value: Clone + Send + Sync + 'static;
    type Error: Clone + Send + Sync + 'static;

    fn load(
        &self,
        keys: &[K],
    ) -> impl std::future::Future<Output = Result<HashMap<K, Self::Value>, Self::Error>> + Send;
}

/// `$key`, a key type: a newtype around a row id.
macro_rules! key {
    ($(#[$doc:meta])* $key:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub struct $key(pub i64);

        impl Key for $key {
            fn id(self) -> i64 {
                self.0
            }
        }
    };
}

/// `Loader<$key>` loading `$module` rows by primary key (those `$visible`
/// keeps, when given).
macro_rules! by_id {
    ($(#[$doc:meta])* $key:ident, $module:ident) => {
        by_id!($(#[$doc])* $key, $module, |_loader: &DbLoader, _row: &$module::Model| true);
    };
    ($(#[$doc:meta])* $key:ident, $module:ident, $visible:expr) => {
        key!($(#[$doc])* $key);

        impl Loader<$key> for DbLoader {
            type Value = $module::Model;
            type Error = SharedError;

            async fn load(&self, keys: &[$key]) -> LoadResult<$key, Self::Value> {
                let rows = $module::Entity::find()
                    .filter($module::Column::Id.is_in(keys.iter().map(|k| k.0)))
                    .all(&self.db)
                    .await
                    .map_err(shared)?;
                let visible = $visible;
                Ok(rows
                    .into_iter()
                    .filter(|row| visible(self, row))
                    .map(|row| ($key(row.id), row))
                    .collect())
            }
        }
    };
}

/// `Loader<$key>` loading every `$module` row of the persons asked for, in
/// the order of `$order` columns, grouped by person.
macro_rules! of_person {
    ($key:ident, $module:ident, [$($order:ident),+]) => {
        of_person!($key, $module, [$($order),+], |_loader: &DbLoader, _row: &$module::Model| true);
    };
    ($key:ident, $module:ident, [$($order:ident),+], published) => {
        of_person!($key, $module, [$($order),+], |loader: &DbLoader, row: &$module::Model| {
            row.published || loader.viewer.sees_drafts_of(row.person_id)
        });
    };
    ($key:ident, $module:ident, [$($order:ident),+], $visible:expr) => {
        key!($key);

        impl Loader<$key> for DbLoader {
            type Value = Arc<Vec<$module::Model>>;
            type Error = SharedError;

            async fn load(&self, keys: &[$key]) -> LoadResult<$key, Self::Value> {
                let rows = $module::Entity::find()
                    .filter($module::Column::PersonId.is_in(keys.iter().map(|k| k.0)))
                    $(.order_by_asc($module::Column::$order))+
                    .all(&self.db)
                    .await
                    .map_err(shared)?;
                let visible = $visible;
                let mut grouped: HashMap<i64, Vec<$module::Model>> = HashMap::new();
                for row in rows.into_iter().filter(|row| visible(self, row)) {
                    grouped.entry(row.person_id).or_default().push(row);
                }
                Ok(keys
                    .iter()
                    .map(|k| (*k, Arc::new(grouped.remove(&k.0).unwrap_or_default())))
                    .collect())
            }
        }
    };
}

by_id!(
    /// A person by id, if the viewer may see them (a draft person only by its owner).
    PersonById,
    person,
    |loader: &DbLoader, row: &person::Model| {
        row.published || loader.viewer.sees_drafts_of(row.id)
    }
);

/// The keys of every type of the table of portfolio types: `XById` for
/// each (but the person's, above: its visibility is its own), `XOf` for the
/// person's lists. The lists without a type of their own follow.
macro_rules! keys {
    ($($type:ident => $entity:ident, $module:ident::$object:ident, $by_id:ident, $shape:ident $args:tt;)*) => {
        $(keys!(@ $shape $args $entity $by_id);)*
    };
    (@owner () $entity:ident $by_id:ident) => {};
    (@part () $entity:ident $by_id:ident) => {
        by_id!($by_id, $entity);
    };
    (@item ($of:ident, $name:literal, $plural:literal, $max:ident $(, seen_by $seen:ident)?) $entity:ident $by_id:ident) => {
        impl Row for $entity::Model {
            fn id(&self) -> i64 {
                self.id
            }
        }
        by_id!($by_id, $entity);
        of_person!($of, $entity, [Position, Id], published);
    };
}

super::portfolio_types!(keys);

// Achievements are also hidden when their role or activity is: use
// `Loaders::achievements`, which applies that rule, rather than
// `AchievementsOf`.
// Sorted by achievement, so that one achievement's rows are a contiguous run.
of_person!(MetricsOf, metric, [AchievementId, Position, Id]);
of_person!(SkillLinksOf, achievement_skill, [AchievementId, Position]);

/// A row of one of a person's lists.
pub trait Row {
    /// Its primary key.
    fn id(&self) -> i64;
}

/// The rows of a list sorted by `parent`, whose `parent` is `id`.
pub fn run_of<M>(rows: &[M], id: i64, parent: impl Fn(&M) -> i64) -> &[M] {
    let start = rows.partition_point(|row| parent(row) < id);
    let end = start + rows[start..].partition_point(|row| parent(row) == id);
    &rows[start..end]
}

/// The per-request loader handle resolvers use.
pub struct Loaders {
    loader: DbLoader,
    /// Per key: its value, loaded once (`OnceCell<Option<V>>`).
    memo: Mutex<HashMap<(TypeId, i64), Arc<dyn Any + Send + Sync>>>,
    /// Per kind of key: the batch still taking keys (`Batch<K, V>`).
    open: Mutex<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>,
}

/// Keys of one kind asked for together, and their values once loaded.
struct Batch<K, V> {
    keys: Mutex<Vec<K>>,
    loaded: OnceCell<Result<Loaded<K, V>, SharedError>>,
}

/// The keys a batch loaded, and the values found for them.
struct Loaded<K, V> {
    keys: HashSet<K>,
    values: HashMap<K, V>,
}

/// At most this many keys go into one `IN (...)` list, far below every
/// backend's limit on bound parameters.
const MAX_KEYS_PER_QUERY: usize = 5_000;

/// A fresh set of loaders for one request.
pub fn new_loaders(db: DatabaseConnection, viewer: Viewer) -> Loaders {
    Loaders {
        loader: DbLoader { db, viewer },
        memo: Mutex::new(HashMap::new()),
        open: Mutex::new(HashMap::new()),
    }
}

fn locked<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn mismatch() -> SharedError {
    SharedError(Arc::new(AppError::internal(
        "loader state holds a value of another type",
    )))
}

impl Loaders {
    /// The value of `key`, loading it at most once per request.
    pub async fn get<K, V>(&self, key: K) -> Result<Option<V>, SharedError>
    where
        K: Key,
        V: Clone + Send + Sync + 'static,
        DbLoader: Loader<K, Value = V, Error = SharedError>,
    {
        let cell = locked(&self.memo)
            .entry((TypeId::of::<K>(), key.id()))
            .or_insert_with(|| Arc::new(OnceCell::<Option<V>>::new()))
            .clone();
        let cell = cell
            .downcast::<OnceCell<Option<V>>>()
            .map_err(|_| mismatch())?;
        cell.get_or_try_init(|| self.batched(key)).await.cloned()
    }

    /// Loads `key` with every other key of its kind asked for meanwhile.
    async fn batched<K, V>(&self, key: K) -> Result<Option<V>, SharedError>
    where
        K: Key,
        V: Clone + Send + Sync + 'static,
        DbLoader: Loader<K, Value = V, Error = SharedError>,
    {
        let batch = {
            let mut open = locked(&self.open);
            let batch = open
                .entry(TypeId::of::<K>())
                .or_insert_with(|| {
                    Arc::new(Batch::<K, V> {
                        keys: Mutex::new(Vec::new()),
                        loaded: OnceCell::new(),
                    })
                })
                .clone()
                .downcast::<Batch<K, V>>()
                .map_err(|_| mismatch())?;
            locked(&batch.keys).push(key);
            batch
        };
        // The first asker loads; the others wait for its result.
        let loaded = batch
            .loaded
            .get_or_init(|| async {
                // Let the rest of the request ask for its keys first.
                tokio::task::yield_now().await;
                {
                    let mut open = locked(&self.open);
                    let current = open
                        .get(&TypeId::of::<K>())
                        .and_then(|b| b.clone().downcast::<Batch<K, V>>().ok());
                    if current.is_some_and(|b| Arc::ptr_eq(&b, &batch)) {
                        open.remove(&TypeId::of::<K>());
                    }
                }
                let keys = std::mem::take(&mut *locked(&batch.keys));
                let mut values = HashMap::with_capacity(keys.len());
                for chunk in keys.chunks(MAX_KEYS_PER_QUERY) {
                    values.extend(self.loader.load(chunk).await?);
                }
                Ok(Loaded {
                    keys: keys.into_iter().collect(),
                    values,
                })
            })
            .await;
        match loaded {
            Ok(loaded) if loaded.keys.contains(&key) => Ok(loaded.values.get(&key).cloned()),
            // The first asker was dropped (its part of the query was
            // abandoned) after taking the keys: load this one alone.
            Ok(_) => Ok(self.loader.load(&[key]).await?.remove(&key)),
            Err(err) => Err(err.clone()),
        }
    }

    /// Forgets everything loaded so far: after a mutation, the rest of the
    /// request must read what it wrote.
    pub fn clear(&self) {
        locked(&self.memo).clear();
    }

    /// Every row of one table for a person.
    pub async fn rows<K, M>(&self, key: K) -> Result<Arc<Vec<M>>, SharedError>
    where
        K: Key,
        M: Send + Sync + 'static,
        DbLoader: Loader<K, Value = Arc<Vec<M>>, Error = SharedError>,
    {
        Ok(self.get(key).await?.unwrap_or_default())
    }

    /// Row `id` of a person's list, when there is an id and the viewer may
    /// see that row (the list is loaded only when there is an id).
    pub async fn find<K, M>(&self, key: K, id: Option<i64>) -> Result<Option<M>, SharedError>
    where
        K: Key,
        M: Row + Clone + Send + Sync + 'static,
        DbLoader: Loader<K, Value = Arc<Vec<M>>, Error = SharedError>,
    {
        let Some(id) = id else {
            return Ok(None);
        };
        Ok(self
            .rows(key)
            .await?
            .iter()
            .find(|row| row.id() == id)
            .cloned())
    }

    /// The achievements of a person that the viewer may see: published, and
    /// hanging from a role or activity the viewer may see.
    pub async fn achievements(
        &self,
        person_id: i64,
    ) -> Result<Arc<Vec<achievement::Model>>, SharedError> {
        let all = self.rows(AchievementsOf(person_id)).await?;
        let roles = self.rows(RolesOf(person_id)).await?;
        let activities = self.rows(ActivitiesOf(person_id)).await?;
        if all.iter().all(|a| {
            a.role_id.is_none_or(|id| roles.iter().any(|r| r.id == id))
                && a.activity_id
                    .is_none_or(|id| activities.iter().any(|x| x.id == id))
        }) {
            return Ok(all);
        }
        let roles: HashSet<i64> = roles.iter().map(|r| r.id).collect();
        let activities: HashSet<i64> = activities.iter().map(|a| a.id).collect();
        Ok(Arc::new(
            all.iter()
                .filter(|a| {
                    a.role_id.is_none_or(|id| roles.contains(&id))
                        && a.activity_id.is_none_or(|id| activities.contains(&id))
                })
                .cloned()
                .collect(),
        ))
    }
}
