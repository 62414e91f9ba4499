//! `GET|POST /graphql`, following the GraphQL-over-HTTP specification.
//!
//! - `GET` runs queries only: a mutation over `GET` is refused with 405 and
//!   `Allow: POST`.
//! - `POST` takes `application/json` bodies only (415 otherwise), which also
//!   closes the cross-site request forgery hole of form posts.
//! - The response media type follows `Accept` ([`MediaType`]).
//!
//! A request meets the cheapest checks first, and nothing is kept for it
//! before it has passed them all: the body limit (413), batches (refused
//! unless enabled, then capped), the per-IP rate limit (429), the token
//! (401), the persisted document (APQ or trusted documents); then the
//! response cache, for an anonymous query asked before; then one linear
//! pass over the document's text (tokens and nesting, [`scan`]), so that no
//! document can make the parser recurse deeply or work long; then parsing,
//! the operation's field and alias counts, and in the schema depth,
//! complexity (every list priced) and directives; then execution under the
//! answer's byte budget and the request's deadline. Only a document that
//! validated is kept parsed, and only then is an automatic persisted query
//! registered, each in a cache bounded in bytes.
//!
//! Anonymous query answers are cached in memory (see [`super::cache`] for
//! how a write makes them stale), carry `Cache-Control` from the schema's
//! cache hints, and on `GET` a strong `ETag` that `If-None-Match`
//! revalidates (304). Anything authenticated or erroneous is
//! `private, no-store`.

use std::sync::Arc;

use async_graphql::parser::types::{ExecutableDocument, OperationType};
use async_graphql::{Response, Variables};
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::response::Response as HttpResponse;
use serde_json::Value;

use super::cache::Lookup;
use super::persisted::{Document, Refusal};
use super::reply::{
    self, Asked, Refused, ToCache, coded, graphql_error, has_code, is_request_error, respond,
};
use super::request::{self, MediaType, RawRequest};
use super::route;
use super::shape::{self, Shape};
use super::{AppState, ClientIp};
use crate::auth::{self, Viewer};
use crate::domain::Preferences;
use crate::domain::locale::LocaleError;
use crate::error::code;
use crate::graphql::order::in_query_order;
use crate::graphql::scan::{self, ScanError, ScanLimits};
use crate::service::freshness::Tags;

/// A request whose document is known: sent, or found by its persisted id.
struct Resolved {
    document: Document,
    operation_name: Option<String>,
    variables: Value,
}

impl Resolved {
    /// The response-cache key: everything that decides the answer of an
    /// anonymous query. The cache compares whole keys, so two requests share
    /// an answer only when they are the same request. A persisted document
    /// is named by its hash or id (which stands for exactly one text), any
    /// other by its whole text.
    fn cache_key(&self, accept: &Preferences) -> String {
        let operation = self.operation_name.as_deref().unwrap_or_default();
        let accept = accept.key();
        match &self.document.persisted_as {
            Some(name) => format!(
                "p\u{0}{accept}\u{0}{operation}\u{0}{}\u{0}{name}",
                self.variables
            ),
            None => format!(
                "q\u{0}{accept}\u{0}{operation}\u{0}{}\u{0}{}",
                self.variables, self.document.text
            ),
        }
    }
}

/// A request ready to run.
struct Prepared {
    request: async_graphql::Request,
    shape: Option<Shape>,
    /// The parsed document, and whether it was parsed for this request
    /// (rather than found in the cache).
    parsed: Option<(Arc<ExecutableDocument>, bool)>,
    source: Document,
    operation_name: Option<String>,
}

impl Prepared {
    /// Whether the request runs an operation of this type (unknown when
    /// the document did not parse or names no operation).
    fn is(&self, ty: OperationType) -> bool {
        self.shape.as_ref().is_some_and(|s| s.operation_type == ty)
    }
}

/// A request that ends before execution: refused at the HTTP level, or
/// answered with GraphQL errors.
enum Early {
    Http(Refused),
    GraphQl(Box<Response>),
}

/// `GET|POST /graphql`.
pub async fn handle(State(state): State<AppState>, request: Request) -> HttpResponse {
    let Some(media) = MediaType::negotiate(request.headers()) else {
        return Refused::new(
            StatusCode::NOT_ACCEPTABLE,
            code::NOT_ACCEPTABLE,
            "this endpoint answers application/graphql-response+json or application/json",
        )
        .into_response(&state, MediaType::Json);
    };
    // Boxed: the layers around the handler then move a pointer, not the
    // whole state machine of a GraphQL execution.
    match Box::pin(serve(&state, media, request)).await {
        Ok(response) => response,
        Err(refused) => refused.into_response(&state, media),
    }
}

async fn serve(
    state: &AppState,
    media: MediaType,
    request: Request,
) -> Result<HttpResponse, Refused> {
    let (parts, body) = request.into_parts();
    if let Some(limiter) = &state.rate_limiter {
        let ip = parts.extensions.get::<ClientIp>().map(|c| c.0);
        if let Some(ip) = ip
            && !limiter.allow(ip)
        {
            let mut refused = Refused::new(
                StatusCode::TOO_MANY_REQUESTS,
                code::RATE_LIMITED,
                "too many requests from this address; slow down",
            );
            refused.retry_after = true;
            return Err(refused);
        }
    }

    let is_get = parts.method == Method::GET;
    let (raws, batch) = match parts.method {
        Method::GET => (vec![request::get_request(&parts.uri)?], false),
        Method::POST => request::post_requests(state, &parts.headers, body).await?,
        _ => {
            let mut refused = Refused::new(
                StatusCode::METHOD_NOT_ALLOWED,
                code::METHOD_NOT_ALLOWED,
                "use GET for queries or POST",
            );
            refused.allow = Some("GET, POST");
            return Err(refused);
        }
    };

    let viewer = auth::authenticate_header(&state.api.db, parts.headers.get(header::AUTHORIZATION))
        .await
        .map_err(|err| {
            let unavailable = err.code() == code::SERVICE_UNAVAILABLE;
            let mut refused = Refused::new(
                if unavailable {
                    StatusCode::SERVICE_UNAVAILABLE
                } else {
                    StatusCode::UNAUTHORIZED
                },
                err.code(),
                err.public_message(),
            );
            refused.retry_after = unavailable;
            refused
        })?;

    // The reader's languages; a malformed header is refused, not ignored.
    let accept = match parts.headers.get(header::ACCEPT_LANGUAGE) {
        None => Preferences::default(),
        Some(value) => value
            .to_str()
            .map_err(|_| LocaleError::Header("not visible ASCII".to_owned()))
            .and_then(Preferences::from_accept_language)
            .map_err(|err| {
                Refused::new(
                    StatusCode::BAD_REQUEST,
                    code::BAD_USER_INPUT,
                    err.to_string(),
                )
            })?,
    };

    if batch {
        return Ok(serve_batch(state, media, viewer, &accept, raws).await);
    }
    let asked = Asked {
        media,
        viewer,
        is_get,
        headers: &parts.headers,
    };
    let raw = raws.into_iter().next().unwrap_or_default();
    let early = |early: Early| match early {
        Early::Http(refused) => Err(refused),
        Early::GraphQl(response) => Ok(respond(state, &asked, None, *response)),
    };
    let resolved = match resolve(state, raw) {
        Ok(resolved) => resolved,
        Err(refusal) => return early(refusal),
    };

    // Anonymous queries are answered from the cache before anything is
    // parsed: only answers to documents that passed every limit are stored.
    let cache = state
        .response_cache
        .as_ref()
        .filter(|_| viewer.is_anonymous());
    let cache_key = cache.map(|_| resolved.cache_key(&accept));
    // A crowd missing the same answer computes it once (see `cache`): the
    // leader's hold lasts until its answer is stored and landed.
    let mut lead = None;
    if let (Some(cache), Some(key)) = (cache, &cache_key) {
        match cache.lookup(key, state.options.request_timeout).await {
            Lookup::Found(cached, outcome) => {
                return Ok(reply::cached(state, &asked, cached, outcome));
            }
            Lookup::Missed(led) => lead = led,
        }
    }
    // Noted before execution: a write that answers meanwhile outdates it.
    let since = state.api.caches.freshness.now();

    let prepared = match prepare(state, resolved, is_get) {
        Ok(prepared) => prepared,
        Err(refusal) => return early(refusal),
    };
    let operation = shape::operation_label(prepared.shape.as_ref());
    tracing::Span::current().record("operation", operation.as_str());
    let cache_key = cache_key.filter(|_| prepared.is(OperationType::Query));
    if cache_key.is_some() {
        state.metrics.cache.with_label_values(&["miss"]).inc();
    }

    let (mut response, tags) = execute(state, viewer, &accept, prepared).await;
    let outcome = if response.errors.is_empty() {
        "success"
    } else {
        "error"
    };
    state.metrics.operation(&operation, outcome);
    coded(&mut response);
    let to_cache = cache_key.map(|key| ToCache {
        key,
        lead,
        operation: Arc::from(operation),
        since,
        tags,
    });
    Ok(respond(state, &asked, to_cache, response))
}

/// The query text and variables of a request, from the request itself or
/// from the persisted documents.
fn resolve(state: &AppState, raw: RawRequest) -> Result<Resolved, Early> {
    let extensions = raw.extensions.unwrap_or_default();
    let document = state.persisted.resolve(raw.query.as_deref(), &extensions).map_err(|refusal| {
        state.metrics.reject(match refusal {
            Refusal::NotFound => "persisted_query_not_found",
            Refusal::HashMismatch => "persisted_query_hash_mismatch",
            Refusal::NotTrusted => "not_a_trusted_document",
            Refusal::Missing => "missing_query",
        });
        Early::GraphQl(Box::new(match refusal {
            Refusal::NotFound => graphql_error(code::PERSISTED_QUERY_NOT_FOUND, "PersistedQueryNotFound"),
            Refusal::HashMismatch => {
                graphql_error(code::BAD_USER_INPUT, "the persisted query's sha256Hash does not match its query")
            }
            Refusal::NotTrusted => graphql_error(
                code::PERSISTED_QUERY_REQUIRED,
                "this server runs only its trusted documents: send a known documentId or sha256Hash",
            ),
            Refusal::Missing => graphql_error(code::BAD_REQUEST, "the request has no query"),
        }))
    })?;
    let variables = match raw.variables {
        None | Some(Value::Null) => Value::Object(Default::default()),
        Some(Value::Object(map)) => Value::Object(map),
        Some(_) => {
            return Err(Early::Http(Refused::new(
                StatusCode::BAD_REQUEST,
                code::BAD_REQUEST,
                "`variables` must be a JSON object",
            )));
        }
    };
    Ok(Resolved {
        document,
        operation_name: raw.operation_name,
        variables,
    })
}

/// A request refused with a GraphQL error, counted under `reason`.
fn refused(state: &AppState, reason: &str, code: &'static str, message: String) -> Early {
    state.metrics.reject(reason);
    Early::GraphQl(Box::new(graphql_error(code, message)))
}

/// Finds the parsed document, or scans and parses it; checks what it asks
/// for against the limits, and builds the request the schema runs.
fn prepare(state: &AppState, resolved: Resolved, is_get: bool) -> Result<Prepared, Early> {
    let Resolved {
        document: source,
        operation_name,
        variables,
    } = resolved;
    let limits = &state.options;
    let parsed = match state.documents.get(&source.text) {
        // Kept only after it passed every limit below.
        Some(document) => Some((document, false)),
        None => {
            let scanned = scan::scan(
                &source.text,
                ScanLimits {
                    max_tokens: limits.max_tokens,
                    max_nesting: limits.max_nesting,
                },
            );
            if let Err(err) = scanned {
                let (reason, code) = match err {
                    ScanError::TooManyTokens { .. } => ("too_many_tokens", code::TOO_MANY_TOKENS),
                    ScanError::NestedTooDeep { .. } => ("nested_too_deep", code::NESTED_TOO_DEEP),
                };
                return Err(refused(state, reason, code, err.to_string()));
            }
            // A syntax error is reported by the schema, which parses again
            // (bounded by the scan) to say where.
            async_graphql::parser::parse_query(&*source.text)
                .ok()
                .map(|document| (Arc::new(document), true))
        }
    };
    let shape = parsed
        .as_ref()
        .and_then(|(d, _)| shape::inspect(d, operation_name.as_deref(), limits.max_fields));
    if let Some(shape) = &shape {
        if is_get && shape.operation_type != OperationType::Query {
            let mut refused = Refused::new(
                StatusCode::METHOD_NOT_ALLOWED,
                code::METHOD_NOT_ALLOWED,
                "mutations must be sent with POST",
            );
            refused.allow = Some("POST");
            return Err(Early::Http(refused));
        }
        let counts = [
            (
                shape.fields,
                limits.max_fields,
                code::TOO_MANY_FIELDS,
                "selects",
                "fields",
            ),
            (
                shape.aliases,
                limits.max_aliases,
                code::TOO_MANY_ALIASES,
                "uses",
                "aliases",
            ),
        ];
        for (count, max, code, verb, what) in counts {
            if count > max {
                let message = format!("the operation {verb} more than {max} {what}");
                return Err(refused(state, &code.to_ascii_lowercase(), code, message));
            }
        }
    }
    let mut request =
        async_graphql::Request::new(&*source.text).variables(Variables::from_json(variables));
    if let Some(name) = &operation_name {
        request = request.operation_name(name);
    }
    if let Some((document, _)) = &parsed {
        // Parsed once: the schema runs this copy.
        request.set_parsed_query((**document).clone());
    }
    Ok(Prepared {
        request,
        shape,
        parsed,
        source,
        operation_name,
    })
}

/// Runs a prepared request: its answer in query order, and whose data it
/// read. A document that validated is kept parsed (and registered, when it
/// came as a new automatic persisted query). A mutation outdates what is
/// cached about each person it changed as it commits (see
/// `graphql::mutation`), whether or not every field of it succeeded.
async fn execute(
    state: &AppState,
    viewer: Viewer,
    accept: &Preferences,
    prepared: Prepared,
) -> (Response, Tags) {
    let is_mutation = prepared.is(OperationType::Mutation);
    // Said before the schema validates (and so reads) a mutation's variables.
    if is_mutation && viewer.is_anonymous() {
        let refusal = graphql_error(
            code::UNAUTHENTICATED,
            auth::unauthenticated().public_message(),
        );
        return (refusal, Tags::default());
    }
    let reads_standby = viewer.is_anonymous() && !is_mutation;
    let parsed = prepared.parsed.as_ref().map(|(document, _)| document);
    let (mut response, tags) = route::run(
        state,
        viewer,
        accept,
        prepared.request,
        parsed,
        reads_standby,
    )
    .await;
    if let Some((document, fresh)) = &prepared.parsed {
        in_query_order(&mut response, document, prepared.operation_name.as_deref());
        if !is_request_error(&response) {
            if *fresh {
                state
                    .documents
                    .insert(prepared.source.text.clone(), document.clone());
            }
            state.persisted.register(&prepared.source);
        }
    }
    (response, tags)
}

/// Runs a batch, one operation after the other.
async fn serve_batch(
    state: &AppState,
    media: MediaType,
    viewer: Viewer,
    accept: &Preferences,
    raws: Vec<RawRequest>,
) -> HttpResponse {
    use axum::http::HeaderValue;
    use axum::response::IntoResponse;

    let mut responses = Vec::with_capacity(raws.len());
    let mut unavailable = false;
    for raw in raws {
        let prepared = resolve(state, raw).and_then(|resolved| prepare(state, resolved, false));
        let response = match prepared {
            Ok(prepared) => {
                let (mut response, _) = execute(state, viewer, accept, prepared).await;
                coded(&mut response);
                response
            }
            Err(Early::GraphQl(response)) => *response,
            Err(Early::Http(refused)) => graphql_error(refused.code, refused.message),
        };
        unavailable |= has_code(&response, code::SERVICE_UNAVAILABLE);
        responses.push(response);
    }
    let body = serde_json::to_vec(&responses).unwrap_or_default();
    let status = if unavailable {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::OK
    };
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, media.header());
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    if unavailable {
        headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    response
}
