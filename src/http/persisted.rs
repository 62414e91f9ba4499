//! Persisted queries, two ways.
//!
//! - Automatic persisted queries (Apollo's protocol): a client sends only the
//!   SHA-256 of its query; an unknown hash is answered
//!   `PERSISTED_QUERY_NOT_FOUND`, the client sends hash and query once, and
//!   from then on a GET with the hash alone runs it, which makes GETs short
//!   and cacheable by a CDN.
//! - Trusted documents (`--persisted-only MANIFEST`): only the operations of
//!   a manifest run, by id or hash; any other document is refused. The
//!   manifest is Apollo's persisted-query manifest
//!   (`{"operations": [{"id", "body", ...}]}`) or a plain `{"id": "query"}`
//!   object.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use serde_json::Value;

use crate::digest::sha256_hex;
use crate::manifest::load_manifest;

/// Where query texts come from.
#[derive(Clone)]
pub enum Persisted {
    /// APQ: learnt from clients, bounded in bytes. A document is registered
    /// only once it has passed every limit and validated
    /// ([`Persisted::register`]), so refused documents cost nothing here.
    Automatic(moka::sync::Cache<String, Arc<str>>),
    /// Only these, by id and by hash.
    Trusted(Arc<HashMap<String, Arc<str>>>),
}

/// Why a request's document could not be had.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Unknown hash or id: send the query (APQ) or use a known one.
    NotFound,
    /// The hash does not match the query sent with it.
    HashMismatch,
    /// Trusted-documents mode and the document is not in the manifest.
    NotTrusted,
    /// Neither a query nor a persisted reference.
    Missing,
}

impl Persisted {
    /// At most `bytes` of hashes and query texts.
    pub fn automatic(bytes: u64) -> Self {
        Persisted::Automatic(
            moka::sync::Cache::builder()
                .max_capacity(bytes)
                .weigher(|hash: &String, query: &Arc<str>| {
                    // Plus moka's node and the two allocations' headers.
                    (hash.len() + query.len() + 128)
                        .try_into()
                        .unwrap_or(u32::MAX)
                })
                .build(),
        )
    }

    /// Bytes of learnt documents held (trusted documents are fixed).
    pub fn weighed_bytes(&self) -> u64 {
        match self {
            Persisted::Automatic(known) => {
                known.run_pending_tasks();
                known.weighted_size()
            }
            Persisted::Trusted(_) => 0,
        }
    }

    /// Remembers an automatic persisted query that ran: from now on its
    /// hash alone stands for it. Trusted documents are fixed; nothing is
    /// learnt.
    pub fn register(&self, document: &Document) {
        if let (Persisted::Automatic(known), Some(hash), true) =
            (self, &document.persisted_as, document.register)
        {
            known.insert(hash.clone(), document.text.clone());
        }
    }

    /// Loads a manifest; the error says what is wrong with the file.
    pub fn trusted(path: &Path) -> Result<Self, String> {
        let mut documents = HashMap::new();
        for (id, body) in load_manifest(path)? {
            let body: Arc<str> = Arc::from(body);
            documents.insert(id, body.clone());
            documents.insert(sha256_hex(body.as_bytes()), body);
        }
        Ok(Persisted::Trusted(Arc::new(documents)))
    }

    /// The names of the operations of the trusted documents (none for APQ).
    pub fn operation_names(&self) -> Vec<String> {
        let Persisted::Trusted(documents) = self else {
            return Vec::new();
        };
        let mut names = std::collections::BTreeSet::new();
        for body in documents.values() {
            if let Ok(document) = async_graphql::parser::parse_query(&**body)
                && let async_graphql::parser::types::DocumentOperations::Multiple(operations) =
                    document.operations
            {
                names.extend(operations.into_keys().map(|name| name.to_string()));
            }
        }
        names.into_iter().collect()
    }

    /// The query text to run for a request that sent `query` and/or
    /// `extensions`, or why there is none.
    pub fn resolve(
        &self,
        query: Option<&str>,
        extensions: &HashMap<String, Value>,
    ) -> Result<Document, Refusal> {
        let hash = extensions
            .get("persistedQuery")
            .and_then(|p| p.get("sha256Hash"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        let id = extensions
            .get("documentId")
            .or_else(|| extensions.get("id"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        let query = query.filter(|q| !q.trim().is_empty());
        match self {
            Persisted::Automatic(known) => match (query, hash) {
                (Some(query), Some(hash)) => {
                    if sha256_hex(query) != hash {
                        return Err(Refusal::HashMismatch);
                    }
                    let register = !known.contains_key(&hash);
                    let mut document = Document::persisted(Arc::from(query), hash);
                    document.register = register;
                    Ok(document)
                }
                (Some(query), None) => Ok(Document::sent(query)),
                (None, Some(hash)) => match known.get(&hash) {
                    Some(query) => Ok(Document::persisted(query, hash)),
                    None => Err(Refusal::NotFound),
                },
                (None, None) => Err(Refusal::Missing),
            },
            Persisted::Trusted(documents) => {
                if let Some(key) = id.or(hash) {
                    return match documents.get(&key) {
                        Some(query) => Ok(Document::persisted(query.clone(), key)),
                        None => Err(Refusal::NotFound),
                    };
                }
                match query {
                    Some(query) => {
                        let hash = sha256_hex(query);
                        match documents.get(&hash) {
                            Some(query) => Ok(Document::persisted(query.clone(), hash)),
                            None => Err(Refusal::NotTrusted),
                        }
                    }
                    None => Err(Refusal::Missing),
                }
            }
        }
    }
}

/// The document a request runs.
#[derive(Debug, Clone)]
pub struct Document {
    pub text: Arc<str>,
    /// The hash or id it is known by, when it came from (or was registered
    /// with) the persisted documents: a short name for the same text.
    pub persisted_as: Option<String>,
    /// Sent with its hash and not known yet: register it once it has run.
    pub register: bool,
}

impl Document {
    fn sent(text: &str) -> Self {
        Document {
            text: Arc::from(text),
            persisted_as: None,
            register: false,
        }
    }

    fn persisted(text: Arc<str>, key: String) -> Self {
        Document {
            text,
            persisted_as: Some(key),
            register: false,
        }
    }
}
