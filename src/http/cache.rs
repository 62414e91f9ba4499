//! What `/graphql` keeps between requests: anonymous answers and parsed
//! documents, each bounded in bytes of memory.
//!
//! The response cache is told apart from a plain map by the process's clock
//! of changes (`service::freshness`). A query notes the time before it runs
//! and stores its answer with that time and the persons it read (and
//! whether it read the list of people); every committed write marks the
//! persons it changed before it answers. An answer is served only while
//! none of its persons changed after its time, so an answer computed from
//! data read before a write is never served after that write has answered,
//! however the query and the write interleave, and a write outdates the
//! answers about its person and nobody else's.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use async_graphql::parser::types::ExecutableDocument;
use axum::body::Bytes;
use axum::http::HeaderValue;

use crate::graphql::weigh;
use crate::service::flight::{Flights, Lead};
use crate::service::freshness::{Freshness, Tags, weighed};

/// A cached response, with everything its answers need precomputed.
#[derive(Clone)]
pub struct Cached {
    pub body: Bytes,
    pub cache_control: HeaderValue,
    pub etag: HeaderValue,
    pub operation: Arc<str>,
    /// The locales the answer is in (`Content-Language`).
    pub content_language: Option<HeaderValue>,
    /// When the answer's computation started, on the clock of changes.
    pub since: u64,
    /// Whose data it read.
    pub tags: Arc<Tags>,
}

/// Anonymous answers by request key, valid while whose data they read
/// does not change.
pub struct ResponseCache {
    entries: moka::sync::Cache<String, Cached>,
    freshness: Arc<Freshness>,
    /// False while this process cannot learn of other processes' writes
    /// (see `changes`): nothing is served or stored meanwhile.
    coherent: AtomicBool,
    /// The answers being computed after a miss, so that a crowd missing
    /// the same key computes it once.
    flights: Flights<String, Cached>,
}

/// What looking up an answer found.
pub enum Lookup<'a> {
    /// A true answer, found at once (`"hit"`) or once the request that
    /// was computing it landed (`"coalesced"`).
    Found(Cached, &'static str),
    /// None: compute it, holding the lead (if given) until it is stored
    /// and landed, so that others missing it meanwhile wait for it.
    Missed(Option<Lead<'a, String, Cached>>),
}

/// Bookkeeping per entry beyond its key and body (moka's node, the header
/// values, the operation name's allocation).
const ENTRY_OVERHEAD: usize = 256;

impl ResponseCache {
    /// At most `bytes` of keys and bodies, each answer kept at most a minute
    /// (the longest cache hint) and while `freshness` says it is true;
    /// `None` when `bytes` is 0.
    pub fn new(bytes: u64, freshness: Arc<Freshness>) -> Option<Arc<Self>> {
        (bytes > 0).then(|| {
            Arc::new(ResponseCache {
                entries: weighed(bytes, |key: &String, value: &Cached| {
                    key.len() + value.body.len() + value.operation.len() + ENTRY_OVERHEAD
                })
                .time_to_live(Duration::from_secs(60))
                .build(),
                freshness,
                coherent: AtomicBool::new(true),
                flights: Flights::default(),
            })
        })
    }

    /// The answer stored under `key`, if it is still true.
    pub fn get(&self, key: &str) -> Option<Cached> {
        if !self.is_coherent() {
            return None;
        }
        self.entries
            .get(key)
            .filter(|cached| self.freshness.is_fresh(cached.since, &cached.tags))
    }

    /// The answer stored under `key`; else, when another request is
    /// computing it, that one's once it lands, if nothing it read changed
    /// before this request arrived (waiting at most `wait` in all); else a
    /// miss, led by this request when nobody else computes it.
    pub async fn lookup(&self, key: &String, wait: Duration) -> Lookup<'_> {
        if let Some(cached) = self.get(key) {
            return Lookup::Found(cached, "hit");
        }
        // Every write answered before this request arrived is marked on the
        // clock by now: an answer true at this time is true for it.
        let arrived = self.freshness.now();
        let found = self.flights.follow(key, wait, |landed| {
            self.get(key).or_else(|| {
                landed.filter(|cached| {
                    self.is_coherent()
                        && self
                            .freshness
                            .was_fresh_at(cached.since, arrived, &cached.tags)
                })
            })
        });
        match found.await {
            Ok(cached) => Lookup::Found(cached, "coalesced"),
            Err(lead) => Lookup::Missed(lead),
        }
    }

    /// Stores an answer computed since `cached.since` (one already
    /// outdated is dropped), and lands the flight `lead` with it: the
    /// requests waiting for it take it where it is true for them.
    pub fn store(&self, key: String, cached: Cached, lead: Option<Lead<'_, String, Cached>>) {
        match lead {
            Some(lead) => {
                self.insert(key, cached.clone());
                lead.land(cached);
            }
            None => self.insert(key, cached),
        }
    }

    /// Stores an answer computed since `cached.since`; one already
    /// outdated is dropped. (Checked again once stored: a change marked
    /// between the check and the store outdates it at once.)
    pub fn insert(&self, key: String, cached: Cached) {
        let fresh = |cached: &Cached| self.freshness.is_fresh(cached.since, &cached.tags);
        if self.is_coherent() && fresh(&cached) {
            let (since, tags) = (cached.since, cached.tags.clone());
            self.entries.insert(key.clone(), cached);
            if !self.freshness.is_fresh(since, &tags) {
                self.entries.invalidate(&key);
            }
        }
    }

    /// Whether answers may be served and stored.
    pub fn is_coherent(&self) -> bool {
        self.coherent.load(Ordering::Acquire)
    }

    /// Switches the cache off while other processes' writes cannot be
    /// learnt of, and back on once they can.
    pub fn set_coherent(&self, coherent: bool) {
        self.coherent.store(coherent, Ordering::Release);
    }

    /// Bytes held, as weighed (after pending maintenance).
    pub fn weighed_bytes(&self) -> u64 {
        self.entries.run_pending_tasks();
        self.entries.weighted_size()
    }

    /// Anything may have changed: every answer stored so far, or being
    /// computed now, is outdated.
    pub fn invalidate_all(&self) {
        self.freshness.changed_all();
        self.entries.invalidate_all();
    }
}

/// Parsed documents by query text, so that a document sent again (every
/// client sends the same few) is parsed once. Only documents that passed
/// every limit and validated are kept, weighed as parsed trees.
#[derive(Clone)]
pub struct DocumentCache(moka::sync::Cache<Arc<str>, Arc<ExecutableDocument>>);

impl DocumentCache {
    /// At most `bytes` of text and parsed trees, each document dropped after
    /// an hour unused.
    pub fn new(bytes: u64) -> Self {
        DocumentCache(
            moka::sync::Cache::builder()
                .max_capacity(bytes)
                .weigher(|query: &Arc<str>, document: &Arc<ExecutableDocument>| {
                    (query.len() + weigh::document_bytes(document))
                        .try_into()
                        .unwrap_or(u32::MAX)
                })
                .time_to_idle(Duration::from_secs(3600))
                .build(),
        )
    }

    pub fn get(&self, query: &str) -> Option<Arc<ExecutableDocument>> {
        self.0.get(query)
    }

    pub fn insert(&self, query: Arc<str>, document: Arc<ExecutableDocument>) {
        self.0.insert(query, document);
    }

    /// Bytes held, as weighed (after pending maintenance).
    pub fn weighed_bytes(&self) -> u64 {
        self.0.run_pending_tasks();
        self.0.weighted_size()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cached(since: u64, persons: &[i64], list: bool) -> Cached {
        Cached {
            body: Bytes::from_static(b"{}"),
            cache_control: HeaderValue::from_static("public, max-age=60"),
            etag: HeaderValue::from_static("\"x\""),
            operation: Arc::from("q"),
            content_language: None,
            since,
            tags: Arc::new(Tags {
                persons: persons.to_vec(),
                list,
            }),
        }
    }

    fn cache() -> (Arc<ResponseCache>, Arc<Freshness>) {
        let freshness = Arc::new(Freshness::default());
        let cache = ResponseCache::new(1 << 20, freshness.clone()).expect("a cache");
        (cache, freshness)
    }

    #[test]
    fn an_answer_computed_before_a_write_is_never_served_after_it() {
        let (cache, freshness) = cache();
        // A query notes the time and starts reading person 1...
        let before = freshness.now();
        // ...a write of person 1 answers meanwhile...
        freshness.changed(1, false);
        // ...and the query stores what it read before the write.
        cache.insert("k".to_owned(), cached(before, &[1], false));
        assert!(cache.get("k").is_none(), "stale answer served");
        // A query that started after the write is served.
        cache.insert("k".to_owned(), cached(freshness.now(), &[1], false));
        assert!(cache.get("k").is_some());
    }

    #[test]
    fn a_write_outdates_the_answers_about_its_person_and_nobody_elses() {
        let (cache, freshness) = cache();
        let before = freshness.now();
        cache.insert("one".to_owned(), cached(before, &[1], false));
        cache.insert("two".to_owned(), cached(before, &[2], false));
        cache.insert("both".to_owned(), cached(before, &[1, 2], false));
        cache.insert("people".to_owned(), cached(before, &[2], true));
        freshness.changed(1, false);
        assert!(cache.get("one").is_none());
        assert!(cache.get("both").is_none());
        assert!(cache.get("two").is_some());
        assert!(cache.get("people").is_some());
        freshness.changed(3, true);
        assert!(
            cache.get("people").is_none(),
            "a new person outdates the pages of people"
        );
        assert!(cache.get("two").is_some());
    }

    #[tokio::test]
    async fn a_write_while_the_leader_computes_outdates_its_answer_only_for_later_readers() {
        let (cache, freshness) = cache();
        let key = "k".to_owned();
        let wait = Duration::from_secs(30);
        let Lookup::Missed(Some(lead)) = cache.lookup(&key, wait).await else {
            panic!("the first to miss leads");
        };
        let since = freshness.now();
        // A reader arrives while the leader computes...
        let early = {
            let (cache, key) = (cache.clone(), key.clone());
            tokio::spawn(async move {
                match cache.lookup(&key, wait).await {
                    Lookup::Found(cached, outcome) => Some((cached.since, outcome)),
                    Lookup::Missed(_) => None,
                }
            })
        };
        tokio::task::yield_now().await;
        // ...then a write of the person commits and answers...
        freshness.changed(1, false);
        // ...and a reader arrives after it.
        let late = {
            let (cache, key) = (cache.clone(), key.clone());
            tokio::spawn(async move {
                match cache.lookup(&key, wait).await {
                    Lookup::Found(..) => "found",
                    Lookup::Missed(Some(_)) => "leads",
                    Lookup::Missed(None) => "computes alone",
                }
            })
        };
        tokio::task::yield_now().await;
        cache.store(key.clone(), cached(since, &[1], false), Some(lead));
        assert!(cache.get(&key).is_none(), "an outdated answer is not kept");
        let early = early.await.expect("the early reader");
        assert_eq!(
            early,
            Some((since, "coalesced")),
            "the reader who asked before the write takes the leader's answer"
        );
        assert_eq!(
            late.await.expect("the late reader"),
            "leads",
            "the reader who asked after the write computes anew, leading the next flight"
        );
    }

    #[test]
    fn everything_stored_before_the_feed_is_lost_is_outdated() {
        let (cache, freshness) = cache();
        cache.insert("k".to_owned(), cached(freshness.now(), &[5], false));
        assert!(cache.get("k").is_some());
        cache.invalidate_all();
        assert!(cache.get("k").is_none());
    }

    #[test]
    fn parsed_documents_are_weighed_as_trees_not_text() {
        let documents = DocumentCache::new(1 << 20);
        let text: Arc<str> =
            Arc::from("{ person(slug: \"x\") { name roles { nodes { title } } } }");
        let parsed = async_graphql::parser::parse_query(&*text).expect("parses");
        documents.insert(text.clone(), Arc::new(parsed));
        assert!(documents.weighed_bytes() > 10 * text.len() as u64);
    }
}
