//! Which cached state is still true: one clock of changes, per person and
//! for the list of people, shared by everything this process keeps about
//! the data (the read model's snapshots, the response cache's answers).
//!
//! Every change moves the clock and marks what it changed at the new time:
//! a person (anything in their portfolio), the list of people (who is in
//! it, and in which order), or everything (the change feed was lost).
//! Whatever is computed notes the time it started ([`Freshness::now`]) and
//! the persons it read; it is still true as long as none of them changed
//! after that time ([`Freshness::is_fresh`]). A result computed while one
//! of its persons changed is therefore never kept nor served, however the
//! computation and the change interleave.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use super::read_model::ReadModel;

/// What cached state depends on: persons, and maybe the list of people.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tags {
    /// The persons it read (ids, sorted, each once).
    pub persons: Vec<i64>,
    /// Whether it depends on who is in the list of people (a page of
    /// `people`, or a person looked up by slug that does not exist).
    pub list: bool,
}

impl Tags {
    /// Adds a person.
    pub fn person(&mut self, id: i64) {
        if let Err(at) = self.persons.binary_search(&id) {
            self.persons.insert(at, id);
        }
    }

    /// The `Surrogate-Key` value naming these tags, as a CDN purges by
    /// them: `person-<id>` per person, `people` for the list.
    pub fn surrogate_keys(&self) -> String {
        let mut keys: Vec<String> = self
            .persons
            .iter()
            .map(|id| format!("person-{id}"))
            .collect();
        if self.list {
            keys.push("people".to_owned());
        }
        keys.join(" ")
    }
}

/// How many of a person's latest changes the clock remembers.
const MARKS: usize = 4;

/// The times something last changed: the latest [`MARKS`] of them, and the
/// latest of those forgotten.
#[derive(Clone, Copy, Default)]
struct Marks {
    /// Oldest first; 0 for none.
    recent: [u64; MARKS],
    forgotten: u64,
}

impl Marks {
    fn mark(&mut self, at: u64) {
        self.forgotten = self.forgotten.max(self.recent[0]);
        self.recent.rotate_left(1);
        self.recent[MARKS - 1] = at;
    }

    /// Whether it may have changed after `since` and at or before `at`
    /// (when a mark in between was forgotten, it may have).
    fn between(&self, since: u64, at: u64) -> bool {
        self.forgotten > since || self.recent.iter().any(|m| *m > since && *m <= at)
    }
}

#[derive(Default)]
struct Clock {
    now: u64,
    /// When each person last changed (absent: not since start).
    persons: HashMap<i64, Marks>,
    /// When the list of people last changed.
    list: Marks,
    /// When everything last changed.
    all: u64,
}

impl Clock {
    /// Whether nothing `tags` names changed after `since` and at or before
    /// `at` (everything changing counts whenever it was after `since`).
    fn unchanged(&self, since: u64, at: u64, tags: &Tags) -> bool {
        !(tags.list && self.list.between(since, at))
            && tags
                .persons
                .iter()
                .all(|id| self.person_unchanged(since, at, *id))
            && self.all <= since
    }

    /// Whether person `id` did not change after `since` and at or before
    /// `at`.
    fn person_unchanged(&self, since: u64, at: u64, id: i64) -> bool {
        self.all <= since
            && self
                .persons
                .get(&id)
                .is_none_or(|marks| !marks.between(since, at))
    }
}

/// The clock of changes of one process.
#[derive(Default)]
pub struct Freshness(Mutex<Clock>);

impl Freshness {
    fn clock(&self) -> MutexGuard<'_, Clock> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The time to note before computing anything that may be kept.
    pub fn now(&self) -> u64 {
        self.clock().now
    }

    /// Whether nothing `tags` names changed after `since`.
    pub fn is_fresh(&self, since: u64, tags: &Tags) -> bool {
        self.clock().unchanged(since, u64::MAX, tags)
    }

    /// Whether nothing `tags` names changed after `since` up to `at` (an
    /// earlier [`Freshness::now`]): what was computed from `since` is
    /// true for a reader that arrived at `at`, whatever changed later.
    pub fn was_fresh_at(&self, since: u64, at: u64, tags: &Tags) -> bool {
        self.clock().unchanged(since, at, tags)
    }

    /// Whether person `id` did not change after `since`.
    pub fn person_is_fresh(&self, since: u64, id: i64) -> bool {
        self.person_was_fresh_at(since, u64::MAX, id)
    }

    /// Whether person `id` did not change after `since` up to `at`.
    pub fn person_was_fresh_at(&self, since: u64, at: u64, id: i64) -> bool {
        self.clock().person_unchanged(since, at, id)
    }

    /// Person `id` changed, and with them maybe the list of people: the
    /// time the change is marked at.
    pub fn changed(&self, id: i64, list: bool) -> u64 {
        let mut clock = self.clock();
        clock.now += 1;
        let now = clock.now;
        clock.persons.entry(id).or_default().mark(now);
        if list {
            clock.list.mark(now);
        }
        now
    }

    /// Anything may have changed.
    pub fn changed_all(&self) {
        let mut clock = self.clock();
        clock.now += 1;
        clock.all = clock.now;
        // Everything before this moment is outdated at once: the marks of
        // single persons add nothing any more.
        clock.persons.clear();
        let now = clock.now;
        clock.list.mark(now);
    }
}

/// Everything a process keeps about the data, and the one way changes
/// reach it: a change of this process's own, or one the change feed brings
/// from another, goes through [`Caches::changed`]; losing and regaining the
/// feed through [`Caches::set_coherent`].
#[derive(Clone, Default)]
pub struct Caches {
    pub freshness: Arc<Freshness>,
    /// The snapshots of portfolios, when they are on.
    pub read_model: Option<Arc<ReadModel>>,
    /// The standby anonymous reads may go to, when there is one: it may be
    /// read from only while changes are followed.
    pub standby: Option<Arc<super::standby::Standby>>,
    /// This process's writes whose change-feed echo changes nothing more.
    pub own_writes: crate::changes::OwnWrites,
}

impl Caches {
    /// Caches with a read model of at most about `read_model_bytes` (0:
    /// none).
    pub fn new(read_model_bytes: u64) -> Self {
        let freshness = Arc::new(Freshness::default());
        let read_model = ReadModel::new(read_model_bytes, freshness.clone());
        Caches {
            freshness,
            read_model,
            standby: None,
            own_writes: Default::default(),
        }
    }

    /// Person `id` changed (and with them the list of people, when `list`):
    /// what was computed from them is outdated from now on.
    pub fn changed(&self, id: i64, list: bool) {
        self.freshness.changed(id, list);
        if let Some(model) = &self.read_model {
            model.forget(id);
        }
    }

    /// This process committed a change of `person`'s own row and of
    /// nothing else of theirs (and of the list of people, when `list`):
    /// like [`Caches::changed`], except that the person's snapshot, when
    /// it is still true but for this row, takes the row as written instead
    /// of being loaded again.
    pub fn person_row_written(&self, person: &entity::person::Model, list: bool) {
        let at = self.freshness.changed(person.id, list);
        if let Some(model) = &self.read_model {
            model.patch_person(person.clone(), at);
        }
    }

    /// Whether changes are followed: while they are not, the read model
    /// neither serves nor keeps snapshots; either way everything known is
    /// outdated.
    pub fn set_coherent(&self, coherent: bool) {
        self.freshness.changed_all();
        if let Some(model) = &self.read_model {
            model.set_coherent(coherent);
        }
        if let Some(standby) = &self.standby {
            standby.set_following(coherent);
        }
    }
}

/// A cache of at most about `bytes`, each entry weighing what `weigh`
/// says (the coldest entries go first).
pub fn weighed<K, V>(
    bytes: u64,
    weigh: impl Fn(&K, &V) -> usize + Send + Sync + 'static,
) -> moka::sync::CacheBuilder<K, V, moka::sync::Cache<K, V>>
where
    K: std::hash::Hash + Eq + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    moka::sync::Cache::builder()
        .max_capacity(bytes)
        .weigher(move |key, value| u32::try_from(weigh(key, value)).unwrap_or(u32::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(persons: &[i64], list: bool) -> Tags {
        Tags {
            persons: persons.to_vec(),
            list,
        }
    }

    #[test]
    fn a_change_of_one_person_outdates_only_what_read_that_person() {
        let freshness = Freshness::default();
        let since = freshness.now();
        freshness.changed(1, false);
        assert!(!freshness.is_fresh(since, &tags(&[1], false)));
        assert!(!freshness.is_fresh(since, &tags(&[2, 1], false)));
        assert!(freshness.is_fresh(since, &tags(&[2], false)));
        assert!(freshness.is_fresh(since, &tags(&[2], true)));
        assert!(freshness.is_fresh(freshness.now(), &tags(&[1], false)));
    }

    #[test]
    fn a_change_of_the_list_outdates_pages_of_people() {
        let freshness = Freshness::default();
        let since = freshness.now();
        freshness.changed(7, true);
        assert!(!freshness.is_fresh(since, &tags(&[], true)));
        assert!(freshness.is_fresh(since, &tags(&[3], false)));
    }

    #[test]
    fn losing_track_outdates_everything_computed_before() {
        let freshness = Freshness::default();
        let since = freshness.now();
        freshness.changed(1, false);
        let later = freshness.now();
        freshness.changed_all();
        assert!(!freshness.is_fresh(since, &tags(&[2], false)));
        assert!(!freshness.is_fresh(later, &tags(&[], false)));
        assert!(!freshness.person_is_fresh(later, 5));
        assert!(freshness.is_fresh(freshness.now(), &tags(&[1], true)));
    }

    #[test]
    fn what_was_true_when_a_reader_arrived_stays_true_for_that_reader() {
        let freshness = Freshness::default();
        let since = freshness.now();
        freshness.changed(2, false);
        let arrived = freshness.now();
        freshness.changed(1, true);
        // Person 1 changed after the reader arrived: fine for that reader,
        // not for one arriving now.
        assert!(freshness.was_fresh_at(since, arrived, &tags(&[1], true)));
        assert!(!freshness.is_fresh(since, &tags(&[1], false)));
        assert!(!freshness.was_fresh_at(since, freshness.now(), &tags(&[1], false)));
        // Person 2 changed before the reader arrived.
        assert!(!freshness.was_fresh_at(since, arrived, &tags(&[2], false)));
        assert!(freshness.person_was_fresh_at(since, arrived, 1));
        assert!(!freshness.person_was_fresh_at(since, arrived, 2));
    }

    #[test]
    fn a_forgotten_change_counts_as_a_change() {
        let freshness = Freshness::default();
        freshness.changed(1, false);
        let since = freshness.now();
        freshness.changed(1, false);
        let arrived = freshness.now();
        for _ in 0..MARKS {
            freshness.changed(1, false);
        }
        // The change between `since` and `arrived` is no longer among the
        // latest marks; it must still count.
        assert!(!freshness.person_was_fresh_at(since, arrived, 1));
        assert!(!freshness.was_fresh_at(since, arrived, &tags(&[1], false)));
    }

    #[test]
    fn tags_name_their_surrogate_keys() {
        let mut tags = Tags::default();
        tags.person(9);
        tags.person(2);
        tags.person(9);
        tags.list = true;
        assert_eq!(tags.surrogate_keys(), "person-2 person-9 people");
    }
}
