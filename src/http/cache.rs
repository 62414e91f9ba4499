//! What `/graphql` keeps between requests: anonymous answers and parsed
//! documents, each bounded in bytes of memory.
//!
//! The response cache is told apart from a plain map by its generation. A
//! query notes the generation before it runs and stores its answer under
//! it; every write moves the generation on before it answers. An answer is
//! served only while its generation is current, so an answer computed from
//! data read before a write is never served after that write has answered,
//! however the query and the write interleave (emptying the cache alone
//! cannot promise that: a slow query would store its stale answer just
//! after).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use async_graphql::parser::types::ExecutableDocument;
use axum::body::Bytes;
use axum::http::HeaderValue;

use crate::graphql::weigh;

/// A cached response, with everything its answers need precomputed.
#[derive(Clone)]
pub struct Cached {
    pub body: Bytes,
    pub cache_control: HeaderValue,
    pub etag: HeaderValue,
    pub operation: Arc<str>,
    /// The locales the answer is in (`Content-Language`).
    pub content_language: Option<HeaderValue>,
    /// The generation the answer was computed in.
    pub generation: u64,
}

/// Anonymous answers by request key, valid for one generation.
pub struct ResponseCache {
    entries: moka::sync::Cache<String, Cached>,
    generation: AtomicU64,
    /// False while this process cannot learn of other processes' writes
    /// (see `changes`): nothing is served or stored meanwhile.
    coherent: AtomicBool,
}

/// Bookkeeping per entry beyond its key and body (moka's node, the header
/// values, the operation name's allocation).
const ENTRY_OVERHEAD: usize = 256;

impl ResponseCache {
    /// At most `bytes` of keys and bodies, each answer kept at most a minute
    /// (the longest cache hint); `None` when `bytes` is 0.
    pub fn new(bytes: u64) -> Option<Arc<Self>> {
        (bytes > 0).then(|| {
            Arc::new(ResponseCache {
                entries: moka::sync::Cache::builder()
                    .max_capacity(bytes)
                    .weigher(|key: &String, value: &Cached| {
                        (key.len() + value.body.len() + value.operation.len() + ENTRY_OVERHEAD)
                            .try_into()
                            .unwrap_or(u32::MAX)
                    })
                    .time_to_live(Duration::from_secs(60))
                    .build(),
                generation: AtomicU64::new(0),
                coherent: AtomicBool::new(true),
            })
        })
    }

    /// The current generation: note it before running a query.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// The answer stored under `key`, if it is of the current generation.
    pub fn get(&self, key: &str) -> Option<Cached> {
        if !self.is_coherent() {
            return None;
        }
        self.entries
            .get(key)
            .filter(|cached| cached.generation == self.generation())
    }

    /// Stores an answer computed in `cached.generation`; one already
    /// outdated is dropped.
    pub fn insert(&self, key: String, cached: Cached) {
        if self.is_coherent() && cached.generation == self.generation() {
            self.entries.insert(key, cached);
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

    /// After a write: every answer stored so far, or being computed now, is
    /// outdated.
    pub fn invalidate_all(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
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

    fn cached(generation: u64) -> Cached {
        Cached {
            body: Bytes::from_static(b"{}"),
            cache_control: HeaderValue::from_static("public, max-age=60"),
            etag: HeaderValue::from_static("\"x\""),
            operation: Arc::from("q"),
            content_language: None,
            generation,
        }
    }

    #[test]
    fn an_answer_computed_before_a_write_is_never_served_after_it() {
        let cache = ResponseCache::new(1 << 20).expect("a cache");
        // A query notes the generation and starts reading...
        let before = cache.generation();
        // ...a write answers meanwhile...
        cache.invalidate_all();
        // ...and the query stores what it read before the write.
        cache.insert("k".to_owned(), cached(before));
        assert!(cache.get("k").is_none(), "stale answer served");
        // A query that started after the write is served.
        cache.insert("k".to_owned(), cached(cache.generation()));
        assert!(cache.get("k").is_some());
    }

    #[test]
    fn an_answer_stored_just_before_a_write_is_not_served_after_it() {
        let cache = ResponseCache::new(1 << 20).expect("a cache");
        let before = cache.generation();
        cache.insert("k".to_owned(), cached(before));
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
