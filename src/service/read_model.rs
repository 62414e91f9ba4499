//! The read model: each person's whole portfolio, loaded at once into an
//! immutable in-memory snapshot and kept until something about that person
//! changes.
//!
//! A portfolio is small (hundreds of rows), read far more often than it is
//! written, and nearly always read whole. So the first read of a person
//! loads every row of theirs in a fixed number of statements (one per
//! table, for any number of persons at once: every row carries
//! `person_id`), and later reads of that person cost no SQL at all. The
//! snapshot holds drafts too; each list keeps a second view without them,
//! so a reader who may not see drafts gets a shared list instead of a
//! filtered copy.
//!
//! Coherence: a committed change of person P marks P on the process's
//! clock of changes ([`super::freshness`]) and drops P's snapshot (in this
//! process after its own writes, through the change feed for everyone
//! else's); losing the feed drops everything. One of this process's own
//! writes that changed P's own row and nothing else of P's patches the row
//! as written into P's snapshot instead, when the snapshot was true up to
//! that write and holds an older version of the row
//! ([`ReadModel::patch_person`]). A kept snapshot also answers a lookup of
//! its person by slug ([`ReadModel::by_slug`]). A load that raced a change
//! is used by the request that made it but never kept: a snapshot is kept
//! only if its person did not change after the load started. Memory is
//! bounded in bytes; the coldest persons go first.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use entity::{achievement, achievement_skill, activity, metric, person, profile_link, role, skill};
use sea_orm::{
    ColumnTrait, DatabaseConnection, DbErr, EntityTrait, Iterable, ModelTrait, QueryFilter,
    QueryOrder, Value,
};

use super::flight::{Flights, Lead};
use super::freshness::{Freshness, weighed};

/// One list of a portfolio, with and without its drafts.
pub struct Rows<M> {
    all: Arc<Vec<M>>,
    published: Arc<Vec<M>>,
}

impl<M> Clone for Rows<M> {
    /// Another handle on the same rows.
    fn clone(&self) -> Self {
        Rows {
            all: self.all.clone(),
            published: self.published.clone(),
        }
    }
}

impl<M: Clone> Rows<M> {
    fn new(all: Vec<M>, published: impl Fn(&M) -> bool) -> Self {
        let all = Arc::new(all);
        let published = if all.iter().all(&published) {
            all.clone()
        } else {
            Arc::new(all.iter().filter(|row| published(row)).cloned().collect())
        };
        Rows { all, published }
    }
}

impl<M: ModelTrait> Rows<M> {
    /// The memory the rows hold: the published ones count again when they
    /// are a copy of their own.
    fn bytes(&self) -> usize {
        let copy = if Arc::ptr_eq(&self.all, &self.published) {
            0
        } else {
            weigh(&self.published)
        };
        weigh(&self.all) + copy
    }
}

impl<M> Rows<M> {
    /// The rows a reader sees: all of them for one who sees the person's
    /// drafts, the published ones for everyone else.
    pub fn visible(&self, drafts: bool) -> Arc<Vec<M>> {
        if drafts {
            self.all.clone()
        } else {
            self.published.clone()
        }
    }
}

/// Everything of one person, as stored when it was loaded.
pub struct Portfolio {
    pub person: person::Model,
    pub profile_links: Rows<profile_link::Model>,
    pub roles: Rows<role::Model>,
    pub achievements: Rows<achievement::Model>,
    /// In achievement order, then position: one achievement's are a run.
    pub metrics: Rows<metric::Model>,
    /// In achievement order, then position: one achievement's are a run.
    pub skill_links: Rows<achievement_skill::Model>,
    pub skills: Rows<skill::Model>,
    pub activities: Rows<activity::Model>,
    /// The simple lists, one per row of `document_lists!`.
    pub lists: Lists,
    /// About how many bytes it holds (its weight in the budget).
    bytes: usize,
}

impl Portfolio {
    /// About how many bytes of memory this snapshot holds.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// This portfolio with the person's own row replaced by `person`; every
    /// list is shared with this one, not copied.
    fn with_person(&self, person: person::Model) -> Portfolio {
        let bytes = self.bytes - weigh(std::slice::from_ref(&self.person))
            + weigh(std::slice::from_ref(&person));
        Portfolio {
            person,
            profile_links: self.profile_links.clone(),
            roles: self.roles.clone(),
            achievements: self.achievements.clone(),
            metrics: self.metrics.clone(),
            skill_links: self.skill_links.clone(),
            skills: self.skills.clone(),
            activities: self.activities.clone(),
            lists: self.lists.clone(),
            bytes,
        }
    }
}

/// A row of a portfolio's lists: where a snapshot holds its kind.
pub trait InPortfolio: Sized {
    fn rows(portfolio: &Portfolio) -> &Rows<Self>;
}

macro_rules! in_portfolio {
    ($($module:ident => $field:ident),* $(,)?) => {$(
        impl InPortfolio for $module::Model {
            fn rows(portfolio: &Portfolio) -> &Rows<Self> {
                &portfolio.$field
            }
        }
    )*};
}

in_portfolio! {
    profile_link => profile_links,
    role => roles,
    achievement => achievements,
    metric => metrics,
    achievement_skill => skill_links,
    skill => skills,
    activity => activities,
}

/// What the allocator spends on one heap allocation beyond the bytes asked
/// for (glibc: an 8-byte header, rounded up to 16-byte chunks).
const ALLOCATION_OVERHEAD: usize = 16;

/// The memory rows hold: their structs, the vector holding them, and the
/// text they own, each string a heap allocation of its own (its capacity,
/// not its length, plus the allocator's overhead).
fn weigh<M: ModelTrait>(rows: &[M]) -> usize {
    let text: usize = rows
        .iter()
        .map(|row| {
            <M::Entity as EntityTrait>::Column::iter()
                .map(|column| match row.get(column) {
                    Value::String(Some(text)) => text.capacity() + ALLOCATION_OVERHEAD,
                    _ => 0,
                })
                .sum::<usize>()
        })
        .sum();
    text + std::mem::size_of_val(rows) + ALLOCATION_OVERHEAD
}

/// Every row of `E` of the persons `ids`, in the order of `columns`,
/// grouped by person.
async fn rows_of<E, C>(
    db: &DatabaseConnection,
    ids: &[i64],
    person: C,
    order: &[C],
    person_of: fn(&E::Model) -> i64,
) -> Result<HashMap<i64, Vec<E::Model>>, DbErr>
where
    E: EntityTrait<Column = C>,
    C: ColumnTrait,
{
    let mut query = E::find().filter(person.is_in(ids.iter().copied()));
    for column in order {
        query = query.order_by_asc(*column);
    }
    let mut grouped: HashMap<i64, Vec<E::Model>> = HashMap::new();
    for row in query.all(db).await? {
        grouped.entry(person_of(&row)).or_default().push(row);
    }
    Ok(grouped)
}

/// The rows of one table, grouped by person.
type Grouped<M> = HashMap<i64, Vec<M>>;

/// What one load read, table by table.
#[derive(Default)]
struct Loaded {
    links: Grouped<profile_link::Model>,
    roles: Grouped<role::Model>,
    achievements: Grouped<achievement::Model>,
    metrics: Grouped<metric::Model>,
    skill_links: Grouped<achievement_skill::Model>,
    skills: Grouped<skill::Model>,
    activities: Grouped<activity::Model>,
    lists: LoadedLists,
}

fn take<M>(grouped: &mut Grouped<M>, id: i64) -> Vec<M> {
    grouped.remove(&id).unwrap_or_default()
}

impl Loaded {
    /// The snapshot of `person` out of what was read.
    fn portfolio(&mut self, person: person::Model) -> Portfolio {
        let id = person.id;
        let (links, roles, achievements) = (
            take(&mut self.links, id),
            take(&mut self.roles, id),
            take(&mut self.achievements, id),
        );
        let (metrics, skill_links, skills) = (
            take(&mut self.metrics, id),
            take(&mut self.skill_links, id),
            take(&mut self.skills, id),
        );
        let activities = take(&mut self.activities, id);
        let (lists, lists_bytes) = self.lists.take(id);
        let mut portfolio = Portfolio {
            profile_links: Rows::new(links, |r| r.published),
            roles: Rows::new(roles, |r| r.published),
            achievements: Rows::new(achievements, |r| r.published),
            metrics: Rows::new(metrics, |_| true),
            skill_links: Rows::new(skill_links, |_| true),
            skills: Rows::new(skills, |r| r.published),
            activities: Rows::new(activities, |r| r.published),
            lists,
            bytes: std::mem::size_of::<Portfolio>() + weigh(std::slice::from_ref(&person)),
            person,
        };
        portfolio.bytes += portfolio.profile_links.bytes()
            + portfolio.roles.bytes()
            + portfolio.achievements.bytes()
            + portfolio.metrics.bytes()
            + portfolio.skill_links.bytes()
            + portfolio.skills.bytes()
            + portfolio.activities.bytes()
            + lists_bytes;
        portfolio
    }
}

/// Loads the whole portfolios of `ids` (those that exist) in one statement
/// per table, whatever the number of persons; the statements run at once.
pub async fn load(
    db: &DatabaseConnection,
    ids: &[i64],
) -> Result<HashMap<i64, Arc<Portfolio>>, DbErr> {
    use entity::{achievement as a, achievement_skill as s, metric as m};
    // Each statement's future is boxed: ten of them side by side would
    // make one future too large for a thread's stack in a debug build.
    let persons = Box::pin(
        person::Entity::find()
            .filter(person::Column::Id.is_in(ids.iter().copied()))
            .all(db),
    );
    macro_rules! of {
        ($module:ident, [$($order:ident),+]) => {
            Box::pin(rows_of::<$module::Entity, _>(
                db,
                ids,
                $module::Column::PersonId,
                &[$($module::Column::$order),+],
                |row| row.person_id,
            ))
        };
    }
    // Every statement at once; then the rows by table, into `Loaded`.
    macro_rules! all_at_once {
        ($($field:ident: $rows:expr),* $(,)?) => {{
            let (persons, $($field),*) = futures::try_join!(persons, $($rows),*)?;
            (persons, Loaded { $($field),* })
        }};
    }
    let (persons, mut loaded) = all_at_once! {
        links: of!(profile_link, [Position, Id]),
        roles: of!(role, [Position, Id]),
        achievements: of!(a, [Position, Id]),
        metrics: of!(m, [AchievementId, Position, Id]),
        skill_links: of!(s, [AchievementId, Position]),
        skills: of!(skill, [Position, Id]),
        activities: of!(activity, [Position, Id]),
        lists: Box::pin(load_lists(db, ids)),
    };
    Ok(persons
        .into_iter()
        .map(|person| (person.id, Arc::new(loaded.portfolio(person))))
        .collect())
}

/// The snapshot's part and the load of the simple lists, from the rows of
/// `document_lists!`.
macro_rules! lists {
    ($($key:ident: $doc:ident in $table:ident;)*) => {
        /// The rows of a person's simple lists, one field per list.
        #[derive(Clone)]
        pub struct Lists {
            $(pub $key: Rows<entity::$table::Model>,)*
        }

        $(impl InPortfolio for entity::$table::Model {
            fn rows(portfolio: &Portfolio) -> &Rows<Self> {
                &portfolio.lists.$key
            }
        })*

        /// What one load read of the simple lists, table by table.
        #[derive(Default)]
        struct LoadedLists {
            $($key: Grouped<entity::$table::Model>,)*
        }

        impl LoadedLists {
            /// The lists of person `id`, with about how many bytes they hold.
            fn take(&mut self, id: i64) -> (Lists, usize) {
                let mut bytes = 0;
                let lists = Lists {
                    $($key: Rows::new(take(&mut self.$key, id), |r| r.published),)*
                };
                $(bytes += lists.$key.bytes();)*
                (lists, bytes)
            }
        }

        /// The simple lists of the persons `ids`: one statement per table,
        /// all at once, each boxed like the others of [`load`].
        async fn load_lists(db: &DatabaseConnection, ids: &[i64]) -> Result<LoadedLists, DbErr> {
            let ($($key,)*) = futures::try_join!($(Box::pin(rows_of::<entity::$table::Entity, _>(
                db,
                ids,
                entity::$table::Column::PersonId,
                &[entity::$table::Column::Position, entity::$table::Column::Id],
                |row| row.person_id,
            ))),*)?;
            Ok(LoadedLists { $($key),* })
        }
    };
}

crate::document::document_lists!(lists);

/// The part of the read model's budget its index by slug may take.
const SLUGS_SHARE: u64 = 32;
/// What an entry of that index holds beyond its slug's text.
const SLUG_ENTRY_BYTES: usize = 64;

/// A kept snapshot, and the time of the clock of changes from which it is
/// true (its load's start, or the write it was patched with).
#[derive(Clone)]
struct Kept {
    since: u64,
    portfolio: Arc<Portfolio>,
}

/// The snapshots of the persons read lately, within a memory budget.
pub struct ReadModel {
    cache: moka::sync::Cache<i64, Kept>,
    /// The person of each slug a kept snapshot had (checked against the
    /// snapshot on every use, so an entry that outlived its snapshot or
    /// names an old slug misleads nobody).
    slugs: moka::sync::Cache<String, i64>,
    freshness: Arc<Freshness>,
    /// False while changes may be missed (the change feed is lost):
    /// nothing is served from the snapshots nor kept.
    coherent: AtomicBool,
    /// The persons being loaded after a miss, so that a crowd missing the
    /// same person loads them once; each lands with its load's start and
    /// snapshot.
    flights: Flights<i64, (u64, Arc<Portfolio>)>,
}

/// What looking up a snapshot found.
pub enum Lookup<'a> {
    /// Kept, or loaded meanwhile by the request that was loading it.
    Found(Arc<Portfolio>),
    /// Not kept: load it, holding the lead (if given) until it is kept and
    /// landed (see [`ReadModel::keep`]), so that others missing it
    /// meanwhile wait for it.
    Missed(Option<Lead<'a, i64, (u64, Arc<Portfolio>)>>),
}

impl ReadModel {
    /// A read model of at most about `bytes`, kept fresh by `freshness`;
    /// `None` for 0 (off: every request loads what it reads).
    pub fn new(bytes: u64, freshness: Arc<Freshness>) -> Option<Arc<Self>> {
        (bytes > 0).then(|| {
            Arc::new(ReadModel {
                cache: weighed(bytes, |_, kept: &Kept| kept.portfolio.bytes()).build(),
                slugs: weighed(bytes / SLUGS_SHARE, |slug: &String, _| {
                    slug.capacity() + SLUG_ENTRY_BYTES
                })
                .build(),
                freshness,
                coherent: AtomicBool::new(true),
                flights: Flights::default(),
            })
        })
    }

    /// The snapshot of `person_id`, if one is kept.
    pub fn get(&self, person_id: i64) -> Option<Arc<Portfolio>> {
        if !self.coherent.load(Ordering::Acquire) {
            return None;
        }
        self.cache.get(&person_id).map(|kept| kept.portfolio)
    }

    /// The kept snapshot of the person whose slug is `slug`, if there is
    /// one. Slugs are unique, so a snapshot true now that has this slug is
    /// the person's who has it.
    pub fn by_slug(&self, slug: &str) -> Option<Arc<Portfolio>> {
        let id = self.slugs.get(slug)?;
        self.get(id)
            .filter(|portfolio| portfolio.person.slug == slug)
    }

    /// The snapshot of `person_id`; else, when another request is loading
    /// it, that one's once landed, if the person did not change before
    /// this request arrived (waiting at most `wait` in all); else a miss,
    /// led by this request when nobody else loads it.
    pub async fn lookup(&self, person_id: i64, wait: Duration) -> Lookup<'_> {
        if let Some(portfolio) = self.get(person_id) {
            return Lookup::Found(portfolio);
        }
        // Every change answered before this request arrived is marked by
        // now: a snapshot true at this time is true for it.
        let arrived = self.freshness.now();
        let found = self.flights.follow(&person_id, wait, |landed| {
            self.get(person_id).or_else(|| {
                landed
                    .filter(|(since, _)| {
                        self.coherent.load(Ordering::Acquire)
                            && self
                                .freshness
                                .person_was_fresh_at(*since, arrived, person_id)
                    })
                    .map(|(_, portfolio)| portfolio)
            })
        });
        match found.await {
            Ok(portfolio) => Lookup::Found(portfolio),
            Err(lead) => Lookup::Missed(lead),
        }
    }

    /// Keeps the snapshots of a load that started at `since` (a
    /// [`Freshness::now`]), those of persons that did not change since,
    /// and lands the flight `lead` led with its person's snapshot.
    pub fn keep(
        &self,
        since: u64,
        loaded: &HashMap<i64, Arc<Portfolio>>,
        lead: Option<Lead<'_, i64, (u64, Arc<Portfolio>)>>,
    ) {
        self.keep_all(since, loaded);
        if let Some(lead) = lead
            && let Some(portfolio) = loaded.get(lead.key())
        {
            let portfolio = portfolio.clone();
            lead.land((since, portfolio));
        }
    }

    fn keep_all(&self, since: u64, loaded: &HashMap<i64, Arc<Portfolio>>) {
        for (id, portfolio) in loaded {
            // Checked and inserted under one lock of the clock would be
            // tighter; instead the order does it: a change marks the clock
            // before it drops the snapshot, so a snapshot inserted after a
            // fresh check is either still true or dropped by that change.
            if self.coherent.load(Ordering::Acquire) && self.freshness.person_is_fresh(since, *id) {
                self.insert(*id, since, portfolio.clone());
            }
        }
    }

    /// Keeps `portfolio` as true from `since`, unless `person_id` changed
    /// after `since` by the time it is in.
    fn insert(&self, person_id: i64, since: u64, portfolio: Arc<Portfolio>) {
        self.slugs.insert(portfolio.person.slug.clone(), person_id);
        self.cache.insert(person_id, Kept { since, portfolio });
        if !self.freshness.person_is_fresh(since, person_id) {
            self.cache.invalidate(&person_id);
        }
    }

    /// This process wrote `person`'s own row and nothing else of theirs,
    /// and marked the change at `at` (the clock is marked already): the
    /// snapshot kept of them gets the new row instead of going, when it
    /// was true up to just before this change and holds an older version
    /// of the row. Otherwise (another change in between, or the row of an
    /// earlier write committed before one already patched in) it goes, and
    /// the next reader loads the person again.
    pub fn patch_person(&self, person: person::Model, at: u64) {
        let id = person.id;
        let kept = self.cache.get(&id).filter(|kept| {
            self.coherent.load(Ordering::Acquire)
                && kept.portfolio.person.version < person.version
                && self
                    .freshness
                    .person_was_fresh_at(kept.since, at.saturating_sub(1), id)
        });
        match kept {
            Some(kept) => self.insert(id, at, Arc::new(kept.portfolio.with_person(person))),
            None => self.forget(id),
        }
    }

    /// Person `person_id` changed (the clock is marked already): its
    /// snapshot goes.
    pub fn forget(&self, person_id: i64) {
        self.cache.invalidate(&person_id);
    }

    /// Anything may have changed: every snapshot goes.
    pub fn forget_all(&self) {
        self.cache.invalidate_all();
    }

    /// While `coherent` is false (changes may be missed), snapshots are
    /// neither served nor kept; either way, every snapshot goes.
    pub fn set_coherent(&self, coherent: bool) {
        self.coherent.store(coherent, Ordering::Release);
        self.forget_all();
    }

    /// About how many bytes the kept snapshots hold.
    pub fn weighed_bytes(&self) -> u64 {
        self.cache.run_pending_tasks();
        self.cache.weighted_size()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;

    fn person(version: i32, headline: &str) -> person::Model {
        person::Model {
            id: 1,
            slug: "someone".into(),
            name: "Someone".into(),
            headline: headline.into(),
            summary: "[]".into(),
            location: None,
            email: None,
            avatar_url: None,
            default_locale: "en".into(),
            locales: None,
            translations: None,
            published: true,
            version,
            created_at: DateTime::UNIX_EPOCH,
            updated_at: DateTime::UNIX_EPOCH,
        }
    }

    /// A read model holding person 1 at `version`, loaded now.
    fn holding(version: i32) -> (Arc<Freshness>, Arc<ReadModel>) {
        let freshness = Arc::new(Freshness::default());
        let model = ReadModel::new(1 << 20, freshness.clone()).expect("a budget turns it on");
        let loaded = HashMap::from([(
            1,
            Arc::new(Loaded::default().portfolio(person(version, "loaded"))),
        )]);
        model.keep(freshness.now(), &loaded, None);
        assert!(model.get(1).is_some());
        (freshness, model)
    }

    /// This process wrote person 1's own row as `row`.
    fn written(freshness: &Freshness, model: &ReadModel, row: person::Model) {
        let at = freshness.changed(1, true);
        model.patch_person(row, at);
    }

    fn headline(model: &ReadModel) -> Option<String> {
        model.get(1).map(|p| p.person.headline.clone())
    }

    #[test]
    fn a_write_of_the_persons_own_row_is_patched_into_the_snapshot() {
        let (freshness, model) = holding(1);
        written(&freshness, &model, person(2, "second"));
        assert_eq!(headline(&model).as_deref(), Some("second"));
        written(&freshness, &model, person(3, "third"));
        assert_eq!(headline(&model).as_deref(), Some("third"));
        assert_eq!(model.get(1).map(|p| p.person.version), Some(3));
    }

    #[test]
    fn another_change_in_between_makes_the_snapshot_go() {
        let (freshness, model) = holding(1);
        // A change this process knows nothing more of (the change feed's).
        freshness.changed(1, false);
        written(&freshness, &model, person(2, "second"));
        assert_eq!(headline(&model), None);
    }

    #[test]
    fn an_earlier_write_marked_after_a_later_one_makes_the_snapshot_go() {
        let (freshness, model) = holding(1);
        written(&freshness, &model, person(3, "third"));
        // Version 2 committed first but its writer marks it only now.
        written(&freshness, &model, person(2, "second"));
        assert_eq!(headline(&model), None);
    }

    #[test]
    fn nothing_is_patched_while_changes_may_be_missed() {
        let (freshness, model) = holding(1);
        model.set_coherent(false);
        written(&freshness, &model, person(2, "second"));
        model.set_coherent(true);
        assert_eq!(headline(&model), None);
    }

    #[test]
    fn a_kept_person_is_found_by_their_current_slug_only() {
        let (freshness, model) = holding(1);
        assert_eq!(model.by_slug("someone").map(|p| p.person.id), Some(1));
        assert!(model.by_slug("nobody").is_none());
        let mut renamed = person(2, "loaded");
        renamed.slug = "someone-new".into();
        written(&freshness, &model, renamed);
        assert!(model.by_slug("someone").is_none());
        assert_eq!(model.by_slug("someone-new").map(|p| p.person.id), Some(1));
        model.forget(1);
        assert!(model.by_slug("someone-new").is_none());
    }

    #[test]
    fn a_patched_snapshot_shares_its_lists_and_weighs_its_new_row() {
        let (freshness, model) = holding(1);
        let before = model.get(1).expect("kept");
        let longer = "a much longer headline than the one loaded";
        written(&freshness, &model, person(2, longer));
        let after = model.get(1).expect("patched");
        assert!(Arc::ptr_eq(&before.roles.all, &after.roles.all));
        assert!(after.bytes() > before.bytes());
    }
}
