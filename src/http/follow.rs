//! What the database's change feed (`crate::changes`) does to this
//! process's HTTP state: a change outdates every cached answer, and while
//! the feed cannot be followed the response cache is off.

use std::sync::Arc;

use super::{Metrics, ResponseCache};
use crate::changes;

/// Keeps the response cache coherent with the change feed, and counts.
#[derive(Clone)]
pub struct CacheFollower {
    cache: Option<Arc<ResponseCache>>,
    metrics: Arc<Metrics>,
}

impl CacheFollower {
    /// Follows for `cache` (none when caching is off), counting in `metrics`.
    pub fn new(cache: Option<Arc<ResponseCache>>, metrics: Arc<Metrics>) -> Self {
        CacheFollower { cache, metrics }
    }
}

impl changes::Follower for CacheFollower {
    fn starting(&self) {
        if let Some(cache) = &self.cache {
            cache.set_coherent(false);
        }
    }

    fn changed(&self, person_id: i64) {
        tracing::debug!(person_id, "portfolio changed");
        self.metrics.changes_followed.inc();
        if let Some(cache) = &self.cache {
            cache.invalidate_all();
        }
    }

    fn following(&self) {
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
        if let Some(cache) = &self.cache {
            cache.set_coherent(false);
            cache.invalidate_all();
        }
        self.metrics.change_feed_up.set(0);
    }
}
