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
use sha2::{Digest, Sha256};

/// Hex SHA-256, as APQ and manifests name documents (and as ETags, token
/// hashes and response-cache keys are made).
pub fn sha256_hex(data: impl AsRef<[u8]>) -> String {
    Sha256::digest(data.as_ref())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The operations of a manifest as `(id, query)`: Apollo's persisted-query
/// manifest (`{"operations": [{"id", "body"}]}`, an operation without an id
/// is named by its hash) or a plain `{"id": "query"}` object.
pub fn load_manifest(path: &Path) -> Result<Vec<(String, String)>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|err| format!("cannot read {}: {err}", path.display()))?;
    let json: Value = serde_json::from_str(&text)
        .map_err(|err| format!("{} is not JSON: {err}", path.display()))?;
    let mut operations = Vec::new();
    match &json {
        Value::Object(map) if map.get("operations").is_some_and(Value::is_array) => {
            for (i, op) in map["operations"]
                .as_array()
                .into_iter()
                .flatten()
                .enumerate()
            {
                let body = op["body"].as_str().ok_or_else(|| {
                    format!("{}: operations[{i}] has no string `body`", path.display())
                })?;
                let id = op["id"]
                    .as_str()
                    .map_or_else(|| sha256_hex(body), str::to_owned);
                operations.push((id, body.to_owned()));
            }
        }
        Value::Object(map) => {
            for (id, body) in map {
                let body = body.as_str().ok_or_else(|| {
                    format!(
                        "{}: the value of {id:?} is not a query string",
                        path.display()
                    )
                })?;
                operations.push((id.clone(), body.to_owned()));
            }
        }
        _ => return Err(format!("{} must be a JSON object", path.display())),
    }
    Ok(operations)
}

/// Where query texts come from.
#[derive(Clone)]
pub enum Persisted {
    /// APQ: learnt from clients, bounded in memory.
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
    pub fn automatic() -> Self {
        Persisted::Automatic(moka::sync::Cache::builder().max_capacity(10_000).build())
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
                    let query: Arc<str> = Arc::from(query);
                    known.insert(hash.clone(), query.clone());
                    Ok(Document::persisted(query, hash))
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
}

impl Document {
    fn sent(text: &str) -> Self {
        Document {
            text: Arc::from(text),
            persisted_as: None,
        }
    }

    fn persisted(text: Arc<str>, key: String) -> Self {
        Document {
            text,
            persisted_as: Some(key),
        }
    }
}
