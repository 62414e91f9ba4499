//! What the database's change feed (`crate::changes`) does to this
//! process's state: a change outdates what was cached about its person
//! (snapshots and answers, through the clock of changes), and while the
//! feed cannot be followed the response cache and the read model are off.

use std::sync::Arc;

use super::{Metrics, ResponseCache};
use crate::changes;
use crate::service::freshness::Caches;

/// Keeps the response cache coherent with the change feed, and counts.
#[derive(Clone)]
pub struct CacheFollower {
    cache: Option<Arc<ResponseCache>>,
    caches: Caches,
    metrics: Arc<Metrics>,
}

impl CacheFollower {
    /// Follows for `cache` (none when caching is off) and `caches` (the
    /// read model and the clock of changes), counting in `metrics`.
    pub fn new(cache: Option<Arc<ResponseCache>>, caches: Caches, metrics: Arc<Metrics>) -> Self {
        CacheFollower {
            cache,
            caches,
            metrics,
        }
    }
}

impl changes::Follower for CacheFollower {
    fn starting(&self) {
        self.caches.set_coherent(false);
        if let Some(cache) = &self.cache {
            cache.set_coherent(false);
        }
    }

    /// The feed does not say whether the list of people changed with the
    /// person: it may have.
    fn own_writes(&self) -> &changes::OwnWrites {
        &self.caches.own_writes
    }

    fn echoed(&self, person_id: i64) {
        tracing::debug!(person_id, "own change echoed");
        self.metrics.own_changes_echoed.inc();
    }

    fn changed(&self, person_id: i64) {
        tracing::debug!(person_id, "portfolio changed");
        self.metrics.changes_followed.inc();
        self.caches.changed(person_id, true);
    }

    fn following(&self) {
        self.caches.set_coherent(true);
        if let Some(cache) = &self.cache {
            cache.invalidate_all();
            cache.set_coherent(true);
        }
        self.metrics.change_feed_up.set(1);
    }

    fn lost(&self, err: &dyn std::fmt::Display) {
        self.metrics.change_feed_losses.inc();
        if self.cache.as_ref().is_none_or(|cache| cache.is_coherent()) {
            tracing::warn!(%err, "the change feed is lost: the response cache is off until it is back");
        }
        self.caches.set_coherent(false);
        if let Some(cache) = &self.cache {
            cache.set_coherent(false);
            cache.invalidate_all();
        }
        self.metrics.change_feed_up.set(0);
    }
}
