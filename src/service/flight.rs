//! One computation at a time per key, so that a crowd of requests missing
//! the same cached thing at once (right after a write outdated it, or at a
//! cold start) computes it once: the first to miss leads, the others wait
//! for it to land and take what it computed.
//!
//! A follower takes the leader's result only if it is true for the
//! follower: nothing it was computed from changed before the follower
//! arrived (the caller checks, on the clock of changes). A write that
//! commits while the leader computes outdates the result for later
//! readers, not for those already waiting, who asked before the write.
//! Waiting never replaces the followers' own work: a leader that landed
//! nothing (an error), failed, or took longer than the wait allows leaves
//! each follower to look again, as if there had been no flight.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::watch;

/// Each flight under way: its id, and where it lands.
type UnderWay<K, V> = HashMap<K, (u64, watch::Receiver<Option<V>>)>;

/// The computations under way, by key, each landing with a `V`.
pub struct Flights<K, V> {
    under_way: Mutex<UnderWay<K, V>>,
    next: AtomicU64,
}

impl<K, V> Default for Flights<K, V> {
    fn default() -> Self {
        Flights {
            under_way: Mutex::new(HashMap::new()),
            next: AtomicU64::new(0),
        }
    }
}

/// What joining a key's flight made of the caller.
pub enum Joined<'a, K: Hash + Eq + Clone, V> {
    /// Nobody was computing it: the caller does, and lands the flight with
    /// [`Lead::land`] (or, with nothing, by dropping this).
    Lead(Lead<'a, K, V>),
    /// Somebody is: wait with [`Follow::landed`].
    Follow(Follow<V>),
}

/// The leader's hold on its key's flight.
pub struct Lead<'a, K: Hash + Eq + Clone, V> {
    flights: &'a Flights<K, V>,
    key: K,
    id: u64,
    landed: watch::Sender<Option<V>>,
}

/// A follower's view of the flight it joined.
pub struct Follow<V>(watch::Receiver<Option<V>>);

impl<K: Hash + Eq + Clone, V: Clone> Flights<K, V> {
    /// Leads the flight of `key`, or follows the one under way.
    pub fn join(&self, key: &K) -> Joined<'_, K, V> {
        let mut under_way = self.lock();
        if let Some((_, landed)) = under_way.get(key) {
            return Joined::Follow(Follow(landed.clone()));
        }
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let (sender, receiver) = watch::channel(None);
        under_way.insert(key.clone(), (id, receiver));
        Joined::Lead(Lead {
            flights: self,
            key: key.clone(),
            id,
            landed: sender,
        })
    }

    /// Follows the flights of `key` until one lands with a result `take`
    /// accepts (at most [`ROUNDS`] flights in a row, waiting at most `wait`
    /// in all); `Err` with the lead of the next flight when none was under
    /// way, with none when the rounds or the wait ran out.
    pub async fn follow<R>(
        &self,
        key: &K,
        wait: Duration,
        take: impl Fn(Option<V>) -> Option<R>,
    ) -> Result<R, Option<Lead<'_, K, V>>> {
        let deadline = tokio::time::Instant::now() + wait;
        for _ in 0..ROUNDS {
            let follow = match self.join(key) {
                Joined::Lead(lead) => return Err(Some(lead)),
                Joined::Follow(follow) => follow,
            };
            let landed = follow
                .landed(deadline.saturating_duration_since(tokio::time::Instant::now()))
                .await;
            if let Some(taken) = take(landed) {
                return Ok(taken);
            }
            if tokio::time::Instant::now() >= deadline {
                break;
            }
        }
        Err(None)
    }
}

/// How many flights in a row a request follows before it computes by
/// itself (each may land with a result a write outdated for it).
pub const ROUNDS: usize = 3;

impl<K, V> Flights<K, V> {
    fn lock(&self) -> std::sync::MutexGuard<'_, UnderWay<K, V>> {
        // The map is consistent after every statement: a panic elsewhere
        // while it was held leaves nothing half done.
        self.under_way
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl<K: Hash + Eq + Clone, V> Lead<'_, K, V> {
    /// The key of the flight.
    pub fn key(&self) -> &K {
        &self.key
    }

    /// Lands the flight with what the leader computed: the followers take
    /// it where it is true for them.
    pub fn land(self, value: V) {
        // Off the map first: a follower that finds the result not true for
        // it and joins again leads (or follows) the next flight, not this.
        self.leave();
        self.landed.send_replace(Some(value));
    }

    fn leave(&self) {
        let mut under_way = self.flights.lock();
        if under_way
            .get(&self.key)
            .is_some_and(|(id, _)| *id == self.id)
        {
            under_way.remove(&self.key);
        }
    }
}

impl<K: Hash + Eq + Clone, V> Drop for Lead<'_, K, V> {
    fn drop(&mut self) {
        // The sender drops after this: followers wake to a key that has no
        // flight, so the next miss leads a new one.
        self.leave();
    }
}

impl<V: Clone> Follow<V> {
    /// Waits until the leader lands (or gives up, or its request is
    /// dropped), at most `within`: what it landed with, if anything.
    pub async fn landed(mut self, within: Duration) -> Option<V> {
        // The sender sends at most once, then drops; either wakes this.
        let _ = tokio::time::timeout(within, self.0.wait_for(Option::is_some)).await;
        self.0.borrow().clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_first_leads_the_others_follow_until_it_lands() {
        let flights = Flights::<i64, &str>::default();
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
        lead.land("answer");
        let landed = tokio::time::timeout(Duration::from_secs(5), waiting)
            .await
            .expect("the follower wakes when the leader lands")
            .expect("the follower's task");
        assert_eq!(
            landed,
            Some("answer"),
            "the follower gets what the leader landed"
        );
        assert!(flights.lock().is_empty(), "a landed flight is gone");
        assert!(
            matches!(flights.join(&1), Joined::Lead(_)),
            "the next miss leads again"
        );
    }

    /// What the leader does while its follower waits.
    enum Leader {
        Holds,
        GivesUp,
        Lands(u8),
    }

    /// What a follower lands with, waiting at most `wait` (and failing past
    /// 5 s), while the leader does what `leader` says.
    async fn follower_lands(wait: Duration, leader: Leader) -> Option<u8> {
        let flights = Flights::<u8, u8>::default();
        let Joined::Lead(lead) = flights.join(&1) else {
            panic!("the first to join must lead");
        };
        let Joined::Follow(follow) = flights.join(&1) else {
            panic!("a second must follow");
        };
        let _held = match leader {
            Leader::Holds => Some(lead),
            Leader::GivesUp => {
                drop(lead);
                None
            }
            Leader::Lands(value) => {
                lead.land(value);
                None
            }
        };
        tokio::time::timeout(Duration::from_secs(5), follow.landed(wait))
            .await
            .expect("the wait is bounded")
    }

    #[tokio::test]
    async fn a_follower_waits_no_longer_than_it_was_told() {
        let landed = follower_lands(Duration::from_millis(10), Leader::Holds).await;
        assert_eq!(landed, None);
    }

    #[tokio::test]
    async fn a_leader_that_gives_up_lands_nothing() {
        let landed = follower_lands(Duration::from_secs(30), Leader::GivesUp).await;
        assert_eq!(landed, None);
    }

    #[tokio::test]
    async fn a_landed_result_reaches_its_follower() {
        let landed = follower_lands(Duration::from_secs(30), Leader::Lands(7)).await;
        assert_eq!(landed, Some(7));
    }
}
