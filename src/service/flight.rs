//! One computation at a time per key, so that a crowd of requests missing
//! the same cached thing at once (right after a write outdated it, or at a
//! cold start) computes it once: the first to miss leads, the others wait
//! for it to land and then read what it kept.
//!
//! Waiting never replaces the followers' own work: a leader that kept
//! nothing (its answer was an error, or outdated before it landed), failed,
//! or took longer than the wait allows leaves each follower to compute for
//! itself, as if there had been no flight.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::watch;

/// The computations under way, by key.
pub struct Flights<K> {
    under_way: Mutex<HashMap<K, (u64, watch::Receiver<()>)>>,
    next: AtomicU64,
}

impl<K> Default for Flights<K> {
    fn default() -> Self {
        Flights {
            under_way: Mutex::new(HashMap::new()),
            next: AtomicU64::new(0),
        }
    }
}

/// What joining a key's flight made of the caller.
pub enum Joined<'a, K: Hash + Eq + Clone> {
    /// Nobody was computing it: the caller does, and lands the flight by
    /// dropping this once what it computed is kept.
    Lead(Lead<'a, K>),
    /// Somebody is: wait with [`Follow::landed`], then look again.
    Follow(Follow),
}

/// The leader's hold on its key's flight.
pub struct Lead<'a, K: Hash + Eq + Clone> {
    flights: &'a Flights<K>,
    key: K,
    id: u64,
    _landed: watch::Sender<()>,
}

/// A follower's view of the flight it joined.
pub struct Follow(watch::Receiver<()>);

impl<K: Hash + Eq + Clone> Flights<K> {
    /// Leads the flight of `key`, or follows the one under way.
    pub fn join(&self, key: &K) -> Joined<'_, K> {
        let mut under_way = self.lock();
        if let Some((_, landed)) = under_way.get(key) {
            return Joined::Follow(Follow(landed.clone()));
        }
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let (sender, receiver) = watch::channel(());
        under_way.insert(key.clone(), (id, receiver));
        Joined::Lead(Lead {
            flights: self,
            key: key.clone(),
            id,
            _landed: sender,
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<K, (u64, watch::Receiver<()>)>> {
        // The map is consistent after every statement: a panic elsewhere
        // while it was held leaves nothing half done.
        self.under_way
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl<K: Hash + Eq + Clone> Drop for Lead<'_, K> {
    fn drop(&mut self) {
        let mut under_way = self.flights.lock();
        if under_way
            .get(&self.key)
            .is_some_and(|(id, _)| *id == self.id)
        {
            under_way.remove(&self.key);
        }
        // The sender drops after this: followers wake to a key that has no
        // flight, so the next miss leads a new one.
    }
}

impl Follow {
    /// Waits until the leader lands (or gives up, or its request is
    /// dropped), at most `within`.
    pub async fn landed(mut self, within: Duration) {
        // `changed` ends with an error once the sender is dropped; nothing
        // is ever sent.
        let _ = tokio::time::timeout(within, self.0.changed()).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_first_leads_the_others_follow_until_it_lands() {
        let flights = Flights::<i64>::default();
        let Joined::Lead(lead) = flights.join(&1) else {
            panic!("the first to join must lead");
        };
        let Joined::Follow(follow) = flights.join(&1) else {
            panic!("a second must follow");
        };
        assert!(
            matches!(flights.join(&2), Joined::Lead(_)),
            "another key has a flight of its own"
        );
        let waiting = tokio::spawn(follow.landed(Duration::from_secs(30)));
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished(), "the follower waits for the leader");
        drop(lead);
        tokio::time::timeout(Duration::from_secs(5), waiting)
            .await
            .expect("the follower wakes when the leader lands")
            .expect("the follower's task");
        assert!(flights.lock().is_empty(), "a landed flight is gone");
        assert!(
            matches!(flights.join(&1), Joined::Lead(_)),
            "the next miss leads again"
        );
    }

    #[tokio::test]
    async fn a_follower_waits_no_longer_than_it_was_told() {
        let flights = Flights::<&str>::default();
        let _lead = flights.join(&"k");
        let Joined::Follow(follow) = flights.join(&"k") else {
            panic!("a second must follow");
        };
        tokio::time::timeout(
            Duration::from_secs(5),
            follow.landed(Duration::from_millis(10)),
        )
        .await
        .expect("the wait is bounded");
    }
}
