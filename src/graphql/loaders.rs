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

use entity::{achievement, person};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use tokio::sync::OnceCell;

use crate::auth::Viewer;
use crate::error::{AppError, SharedError};
use crate::service::freshness::{Freshness, Tags};
use crate::service::read_model::{self, InPortfolio, Portfolio, ReadModel};

/// Loads rows for the API, in batches, as `viewer` may see them: drafts
/// (`published = false`) only for their owner.
pub struct DbLoader {
    db: DatabaseConnection,
    viewer: Viewer,
    /// The snapshots kept across requests, when they are on.
    read_model: Option<Arc<ReadModel>>,
    freshness: Arc<Freshness>,
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
        by_id!($(#[$doc])* $key, $module, |_loader: &DbLoader, _row: &entity::$module::Model| true);
    };
    ($(#[$doc:meta])* $key:ident, $module:ident, $visible:expr) => {
        key!($(#[$doc])* $key);

        impl Loader<$key> for DbLoader {
            type Value = entity::$module::Model;
            type Error = SharedError;

            async fn load(&self, keys: &[$key]) -> LoadResult<$key, Self::Value> {
                let rows = entity::$module::Entity::find()
                    .filter(entity::$module::Column::Id.is_in(keys.iter().map(|k| k.0)))
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

/// `$key(person_id)`, the key of one list of a person's portfolio, read
/// from the person's snapshot ([`PortfolioOf`]).
macro_rules! of_person {
    ($key:ident, $module:ident) => {
        key!($key);

        impl List for $key {
            type Row = entity::$module::Model;
        }
    };
}

/// A key of one list of a person's portfolio.
pub trait List: Key {
    /// The rows of the list.
    type Row: InPortfolio + Send + Sync + 'static;
}

key!(
    /// A person's whole portfolio, drafts included (see
    /// `service::read_model`): from the read model when it holds it, else
    /// loaded with every other person asked for meanwhile, in one statement
    /// per table.
    PortfolioOf
);

/// How long a request waits for another's load of the same portfolio
/// before loading it itself.
const LOAD_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

impl Loader<PortfolioOf> for DbLoader {
    type Value = Arc<Portfolio>;
    type Error = SharedError;

    async fn load(&self, keys: &[PortfolioOf]) -> LoadResult<PortfolioOf, Self::Value> {
        let mut found = HashMap::with_capacity(keys.len());
        let mut missing = Vec::new();
        // One person (a portfolio asked for by itself, the common case)
        // missed by a crowd at once is loaded once; several go as one batch.
        let mut lead = None;
        if let ([key], Some(model)) = (keys, &self.read_model) {
            match model.lookup(key.0, LOAD_WAIT).await {
                read_model::Lookup::Found(portfolio) => {
                    found.insert(*key, portfolio);
                }
                read_model::Lookup::Missed(led) => (lead, missing) = (led, vec![key.0]),
            }
        } else {
            for key in keys {
                match self.read_model.as_ref().and_then(|model| model.get(key.0)) {
                    Some(portfolio) => {
                        found.insert(*key, portfolio);
                    }
                    None => missing.push(key.0),
                }
            }
        }
        if !missing.is_empty() {
            let since = self.freshness.now();
            let loaded = Box::pin(read_model::load(&self.db, &missing))
                .await
                .map_err(shared)?;
            if let Some(model) = &self.read_model {
                model.keep(since, &loaded, lead);
            }
            found.extend(loaded.into_iter().map(|(id, p)| (PortfolioOf(id), p)));
        }
        Ok(found)
    }
}

by_id!(
    /// A person by id, if the viewer may see them (a draft person only by its owner).
    PersonById,
    person,
    |loader: &DbLoader, row: &person::Model| {
        row.published || loader.viewer.sees_drafts_of(row.id)
    }
);

/// `Owned` for the rows that carry their person's id.
macro_rules! owned {
    ($($module:ident),*) => {$(
        impl Owned for entity::$module::Model {
            fn owner(&self) -> i64 {
                self.person_id
            }
        }
    )*};
}

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
        owned!($entity);
    };
    (@item ($of:ident, $($item:tt)*) $entity:ident $by_id:ident) => {
        impl Row for entity::$entity::Model {
            fn id(&self) -> i64 {
                self.id
            }
        }
        by_id!($by_id, $entity);
        of_person!($of, $entity);
        owned!($entity);
    };
    (@list $args:tt $entity:ident $by_id:ident) => {
        keys!(@item $args $entity $by_id);
    };
}

super::portfolio_types!(keys);

// Achievements are also hidden when their role or activity is: use
// `Loaders::achievements`, which applies that rule, rather than
// `AchievementsOf`.
// Sorted by achievement, so that one achievement's rows are a contiguous run.
of_person!(MetricsOf, metric);
of_person!(SkillLinksOf, achievement_skill);

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
    /// Whose data the request read: what its answer depends on.
    tags: Arc<Mutex<Tags>>,
}

/// A value a loader returns: it belongs to one person.
pub trait Owned {
    /// The person it belongs to.
    fn owner(&self) -> i64;
}

impl Owned for person::Model {
    fn owner(&self) -> i64 {
        self.id
    }
}

impl Owned for Arc<Portfolio> {
    fn owner(&self) -> i64 {
        self.person.id
    }
}

owned!(achievement_skill);

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
        loader: DbLoader {
            db,
            viewer,
            read_model: None,
            freshness: Arc::default(),
        },
        memo: Mutex::new(HashMap::new()),
        open: Mutex::new(HashMap::new()),
        tags: Arc::default(),
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
    /// These loaders, reading portfolios through `read_model` (kept fresh
    /// by `freshness`) when it is on.
    pub fn reading(
        mut self,
        read_model: Option<Arc<ReadModel>>,
        freshness: Arc<Freshness>,
    ) -> Self {
        self.loader.read_model = read_model;
        self.loader.freshness = freshness;
        self
    }

    /// The value of `key`, loading it at most once per request.
    pub async fn get<K, V>(&self, key: K) -> Result<Option<V>, SharedError>
    where
        K: Key,
        V: Owned + Clone + Send + Sync + 'static,
        DbLoader: Loader<K, Value = V, Error = SharedError>,
    {
        let cell = locked(&self.memo)
            .entry((TypeId::of::<K>(), key.id()))
            .or_insert_with(|| Arc::new(OnceCell::<Option<V>>::new()))
            .clone();
        let cell = cell
            .downcast::<OnceCell<Option<V>>>()
            .map_err(|_| mismatch())?;
        let value = cell.get_or_try_init(|| self.batched(key)).await.cloned()?;
        match &value {
            Some(value) => self.tag_person(value.owner()),
            // What is not there (or not shown) may appear with a change of
            // whoever it is going to belong to: any change of the list.
            None => self.tag_list(),
        }
        Ok(value)
    }

    /// Person `slug`'s row as the read model holds it, if it does.
    pub fn kept_person(&self, slug: &str) -> Option<entity::person::Model> {
        let model = self.loader.read_model.as_ref()?;
        model
            .by_slug(slug)
            .map(|portfolio| portfolio.person.clone())
    }

    /// The connection the request reads through (the primary, or for an
    /// anonymous query maybe its standby).
    pub fn db(&self) -> &DatabaseConnection {
        &self.loader.db
    }

    /// The answer depends on person `id`.
    pub fn tag_person(&self, id: i64) {
        locked(&self.tags).person(id);
    }

    /// The answer depends on who is in the list of people.
    pub fn tag_list(&self) {
        locked(&self.tags).list = true;
    }

    /// Where the request's tags are noted, to read once it has answered.
    pub fn tags(&self) -> Arc<Mutex<Tags>> {
        self.tags.clone()
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

    /// Every row of one list of a person's portfolio that the viewer may
    /// see: drafts only for the person's owner.
    pub async fn rows<K: List>(&self, key: K) -> Result<Arc<Vec<K::Row>>, SharedError> {
        self.listed(key.id()).await
    }

    /// The rows of type `M` of a person's portfolio, as the viewer may see
    /// them: the list of `M`'s key, by the type of its rows.
    pub async fn listed<M>(&self, person: i64) -> Result<Arc<Vec<M>>, SharedError>
    where
        M: InPortfolio + Send + Sync + 'static,
    {
        let Some(portfolio) = self.get(PortfolioOf(person)).await? else {
            return Ok(Arc::default());
        };
        let drafts = self.loader.viewer.sees_drafts_of(person);
        Ok(M::rows(&portfolio).visible(drafts))
    }

    /// Row `id` of a person's list, when there is an id and the viewer may
    /// see that row (the list is loaded only when there is an id).
    pub async fn find<K>(&self, key: K, id: Option<i64>) -> Result<Option<K::Row>, SharedError>
    where
        K: List,
        K::Row: Row + Clone,
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
