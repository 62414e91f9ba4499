//! `GET|POST /graphql`, following the GraphQL-over-HTTP specification.
//!
//! - `GET` runs queries only: a mutation over `GET` is refused with 405 and
//!   `Allow: POST`.
//! - `POST` takes `application/json` bodies only (415 otherwise), which also
//!   closes the cross-site request forgery hole of form posts.
//! - The response media type follows `Accept`: `application/graphql-response+json`
//!   (request errors answered 400) or `application/json` (200 with errors);
//!   neither acceptable: 406.
//! - Before anything runs: the body limit (413), batches (refused unless
//!   enabled, then capped), the per-IP rate limit (429), the token (401), the
//!   persisted document (APQ or trusted documents), the operation's field and
//!   alias counts. Depth, complexity and directives are checked by the schema.
//! - Anonymous query results are cached in memory (invalidated by every
//!   successful mutation), carry `Cache-Control` from the schema's cache
//!   hints, and on `GET` a strong `ETag` that `If-None-Match` revalidates (304).
//!   Anything authenticated or erroneous is `private, no-store`.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::parser::types::{ExecutableDocument, OperationType};
use async_graphql::{ErrorExtensions, Response, ServerError, Variables};
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response as HttpResponse};
use serde::Deserialize;
use serde_json::Value;

use super::persisted::{Refusal, sha256_hex};
use super::shape::{self, Shape};
use super::{AppState, ClientAddr};
use crate::auth::{self, Viewer};
use crate::error::code;
use crate::graphql::new_loaders;
use crate::graphql::order::in_query_order;

/// The response media types this endpoint speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MediaType {
    GraphqlResponse,
    Json,
}

impl MediaType {
    fn header(self) -> HeaderValue {
        HeaderValue::from_static(match self {
            MediaType::GraphqlResponse => "application/graphql-response+json; charset=utf-8",
            MediaType::Json => "application/json; charset=utf-8",
        })
    }

    /// Chooses from `Accept`; no header means `application/json`, as the
    /// specification asks for legacy clients.
    fn negotiate(headers: &HeaderMap) -> Option<MediaType> {
        let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
            return Some(MediaType::Json);
        };
        let ranges: Vec<(String, f32)> = accept
            .split(',')
            .map(|part| {
                let mut pieces = part.split(';');
                let range = pieces
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_ascii_lowercase();
                let q = pieces
                    .filter_map(|p| {
                        p.trim()
                            .strip_prefix("q=")
                            .and_then(|q| q.parse::<f32>().ok())
                    })
                    .next()
                    .unwrap_or(1.0);
                (range, q)
            })
            .filter(|(_, q)| *q > 0.0)
            .collect();
        let has = |range: &str| ranges.iter().any(|(r, _)| r == range);
        if has("application/graphql-response+json") {
            Some(MediaType::GraphqlResponse)
        } else if has("application/json") || has("application/*") || has("*/*") {
            Some(MediaType::Json)
        } else {
            None
        }
    }
}

/// One GraphQL request as sent over HTTP, before anything is trusted.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawRequest {
    query: Option<String>,
    operation_name: Option<String>,
    #[serde(default)]
    variables: Option<Value>,
    #[serde(default)]
    extensions: Option<HashMap<String, Value>>,
}

/// A refusal before execution: an HTTP status and one coded error.
struct Refused {
    status: StatusCode,
    code: &'static str,
    message: String,
    allow: Option<&'static str>,
    retry_after: bool,
}

impl Refused {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Refused {
            status,
            code,
            message: message.into(),
            allow: None,
            retry_after: false,
        }
    }

    fn into_response(self, state: &AppState, media: MediaType) -> HttpResponse {
        state.metrics.reject(&self.code.to_ascii_lowercase());
        let error =
            async_graphql::Error::new(self.message).extend_with(|_, e| e.set("code", self.code));
        let mut server_error = ServerError::new(error.message, None);
        server_error.extensions = error.extensions;
        let body =
            serde_json::to_vec(&Response::from_errors(vec![server_error])).unwrap_or_default();
        let mut response = (self.status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, media.header());
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-store"),
        );
        if let Some(allow) = self.allow {
            headers.insert(header::ALLOW, HeaderValue::from_static(allow));
        }
        if self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        response
    }
}

/// A request whose document is known: sent, or found by its persisted id.
struct Resolved {
    query: Arc<str>,
    /// The document's persisted hash or id, when it has one.
    persisted_as: Option<String>,
    operation_name: Option<String>,
    variables: Value,
}

impl Resolved {
    /// The response-cache key: everything that decides the answer of an
    /// anonymous query. The cache compares whole keys, so two requests share
    /// an answer only when they are the same request. A persisted document
    /// is named by its hash or id (which stands for exactly one text), any
    /// other by its whole text.
    fn cache_key(&self) -> String {
        let operation = self.operation_name.as_deref().unwrap_or_default();
        match &self.persisted_as {
            Some(name) => format!("p\u{0}{operation}\u{0}{}\u{0}{name}", self.variables),
            None => format!(
                "q\u{0}{operation}\u{0}{}\u{0}{}",
                self.variables, self.query
            ),
        }
    }
}

/// A request ready to run.
struct Prepared {
    request: async_graphql::Request,
    shape: Option<Shape>,
    document: Option<Arc<ExecutableDocument>>,
    operation_name: Option<String>,
}

impl Prepared {
    /// Whether the request runs an operation of this type (unknown when
    /// the document did not parse or names no operation).
    fn is(&self, ty: OperationType) -> bool {
        self.shape.as_ref().is_some_and(|s| s.operation_type == ty)
    }
}

/// A cached response, with everything its answers need precomputed.
#[derive(Clone)]
pub struct Cached {
    body: Bytes,
    cache_control: HeaderValue,
    etag: HeaderValue,
    operation: Arc<str>,
}

/// `GET|POST /graphql`.
pub async fn handle(State(state): State<AppState>, request: Request) -> HttpResponse {
    let Some(media) = MediaType::negotiate(request.headers()) else {
        return Refused::new(
            StatusCode::NOT_ACCEPTABLE,
            "NOT_ACCEPTABLE",
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
        let ip = parts
            .extensions
            .get::<ConnectInfo<ClientAddr>>()
            .map(|c| c.0.0.ip());
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
        Method::GET => (vec![get_request(&parts.uri)?], false),
        Method::POST => post_requests(state, &parts.headers, body).await?,
        _ => {
            let mut refused = Refused::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "METHOD_NOT_ALLOWED",
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

    if batch {
        return Ok(serve_batch(state, media, viewer, raws).await);
    }
    let raw = raws.into_iter().next().unwrap_or_default();
    let early = |early: Early| match early {
        Early::Http(refused) => Err(refused),
        Early::GraphQl(response) => Ok(respond(
            state,
            media,
            viewer,
            None,
            *response,
            is_get,
            &parts.headers,
        )),
    };
    let resolved = match resolve(state, raw) {
        Ok(resolved) => resolved,
        Err(refusal) => return early(refusal),
    };

    // Anonymous queries are answered from the cache before anything is
    // parsed: only successful queries are ever stored, under the same limits.
    let cache = state
        .response_cache
        .as_ref()
        .filter(|_| viewer.is_anonymous());
    let cache_key = cache.map(|_| resolved.cache_key());
    if let (Some(cache), Some(key)) = (cache, &cache_key)
        && let Some(cached) = cache.get(key)
    {
        tracing::Span::current().record("operation", &*cached.operation);
        state.metrics.cache.with_label_values(&["hit"]).inc();
        state.metrics.operation(&cached.operation, "success");
        let etag = is_get.then_some(cached.etag);
        return Ok(finish(
            media,
            StatusCode::OK,
            cached.body,
            cached.cache_control,
            etag,
            &parts.headers,
        ));
    }

    let prepared = match prepare(state, resolved, is_get) {
        Ok(prepared) => prepared,
        Err(refusal) => return early(refusal),
    };
    let operation = operation_label(prepared.shape.as_ref());
    tracing::Span::current().record("operation", operation.as_str());
    let cache_key = cache_key.filter(|_| prepared.is(OperationType::Query));
    if cache_key.is_some() {
        state.metrics.cache.with_label_values(&["miss"]).inc();
    }

    let mut response = execute(state, viewer, prepared).await;
    let outcome = if response.errors.is_empty() {
        "success"
    } else {
        "error"
    };
    state.metrics.operation(&operation, outcome);
    coded(&mut response);
    let cacheable = cache_key
        .filter(|_| response.errors.is_empty())
        .map(|key| (key, Arc::from(operation)));
    Ok(respond(
        state,
        media,
        viewer,
        cacheable,
        response,
        is_get,
        &parts.headers,
    ))
}

/// A request that ends before execution: refused at the HTTP level, or
/// answered with GraphQL errors.
enum Early {
    Http(Refused),
    GraphQl(Box<Response>),
}

fn graphql_error(code: &'static str, message: impl Into<String>) -> Response {
    let error = async_graphql::Error::new(message.into()).extend_with(|_, e| e.set("code", code));
    let mut server_error = ServerError::new(error.message, None);
    server_error.extensions = error.extensions;
    Response::from_errors(vec![server_error])
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
        query: document.text,
        persisted_as: document.persisted_as,
        operation_name: raw.operation_name,
        variables,
    })
}

/// Parses (or finds the parsed) document, checks what it asks for against
/// the limits, and builds the request the schema runs.
fn prepare(state: &AppState, resolved: Resolved, is_get: bool) -> Result<Prepared, Early> {
    let Resolved {
        query,
        operation_name,
        variables,
        ..
    } = resolved;
    let limits = &state.options;
    let document = state.documents.parse(&query);
    let shape = document
        .as_ref()
        .and_then(|d| shape::inspect(d, operation_name.as_deref(), limits.max_fields));
    if let Some(shape) = &shape {
        if is_get && shape.operation_type != OperationType::Query {
            state.metrics.reject("mutation_over_get");
            let mut refused = Refused::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "METHOD_NOT_ALLOWED",
                "mutations must be sent with POST",
            );
            refused.allow = Some("POST");
            return Err(Early::Http(refused));
        }
        if shape.fields > limits.max_fields {
            state.metrics.reject("too_many_fields");
            return Err(Early::GraphQl(Box::new(graphql_error(
                code::TOO_MANY_FIELDS,
                format!(
                    "the operation selects more than {} fields",
                    limits.max_fields
                ),
            ))));
        }
        if shape.aliases > limits.max_aliases {
            state.metrics.reject("too_many_aliases");
            return Err(Early::GraphQl(Box::new(graphql_error(
                code::TOO_MANY_ALIASES,
                format!(
                    "the operation uses more than {} aliases",
                    limits.max_aliases
                ),
            ))));
        }
    }
    let mut request =
        async_graphql::Request::new(&*query).variables(Variables::from_json(variables));
    if let Some(name) = &operation_name {
        request = request.operation_name(name);
    }
    if let Some(document) = &document {
        // Parsed once: the schema runs this copy.
        request.set_parsed_query((**document).clone());
    }
    Ok(Prepared {
        request,
        shape,
        document,
        operation_name,
    })
}

/// Runs a prepared request: its answer in query order, and after a
/// successful mutation an empty response cache (whatever changed, no cached
/// answer may outlive it).
async fn execute(state: &AppState, viewer: Viewer, prepared: Prepared) -> Response {
    let is_mutation = prepared.is(OperationType::Mutation);
    // Said before the schema validates (and so reads) a mutation's variables.
    if is_mutation && viewer.is_anonymous() {
        return graphql_error(
            code::UNAUTHENTICATED,
            auth::unauthenticated().public_message(),
        );
    }
    let request = prepared
        .request
        .data(viewer)
        .data(new_loaders(state.api.db.clone(), viewer));
    let mut response = state.schema.execute(request).await;
    if let Some(document) = &prepared.document {
        in_query_order(&mut response, document, prepared.operation_name.as_deref());
    }
    if is_mutation
        && response.errors.is_empty()
        && let Some(cache) = &state.response_cache
    {
        cache.invalidate_all();
    }
    response
}

/// Runs a batch, one operation after the other.
async fn serve_batch(
    state: &AppState,
    media: MediaType,
    viewer: Viewer,
    raws: Vec<RawRequest>,
) -> HttpResponse {
    let mut responses = Vec::with_capacity(raws.len());
    let mut unavailable = false;
    for raw in raws {
        let prepared = resolve(state, raw).and_then(|resolved| prepare(state, resolved, false));
        let response = match prepared {
            Ok(prepared) => {
                let mut response = execute(state, viewer, prepared).await;
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

fn has_code(response: &Response, wanted: &str) -> bool {
    response.errors.iter().any(|e| {
        e.extensions
            .as_ref()
            .and_then(|x| x.get("code"))
            .is_some_and(|c| matches!(c, async_graphql::Value::String(s) if s == wanted))
    })
}

/// Status, caching headers and body of an executed (or early-answered) request.
fn respond(
    state: &AppState,
    media: MediaType,
    viewer: Viewer,
    cache_entry: Option<(String, Arc<str>)>,
    response: Response,
    is_get: bool,
    request_headers: &HeaderMap,
) -> HttpResponse {
    let unavailable = has_code(&response, code::SERVICE_UNAVAILABLE);
    // A request error (nothing executed): the document or its variables
    // were refused, so there is no `data`.
    let request_error = !response.errors.is_empty()
        && response.data == async_graphql::Value::Null
        && response.errors.iter().all(|e| e.path.is_empty());
    let status = if unavailable {
        StatusCode::SERVICE_UNAVAILABLE
    } else if request_error && media == MediaType::GraphqlResponse {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let hinted = response.cache_control;
    let shareable = viewer.is_anonymous() && response.errors.is_empty() && hinted.max_age > 0;
    let cache_control = if shareable {
        HeaderValue::from_str(&format!(
            "{}, max-age={}",
            if hinted.public { "public" } else { "private" },
            hinted.max_age
        ))
        .unwrap_or_else(|_| HeaderValue::from_static("private, no-store"))
    } else {
        HeaderValue::from_static("private, no-store")
    };
    let body = if request_error {
        // Nothing was executed: no `data` entry at all, as the specification asks.
        let mut value = serde_json::to_value(&response).unwrap_or_default();
        if let Some(object) = value.as_object_mut() {
            object.remove("data");
        }
        Bytes::from(serde_json::to_vec(&value).unwrap_or_default())
    } else {
        Bytes::from(serde_json::to_vec(&response).unwrap_or_default())
    };
    let etag = is_get.then(|| etag_of(&body));
    if let (Some((key, operation)), Some(cache), true) = (
        cache_entry,
        &state.response_cache,
        shareable && status == StatusCode::OK,
    ) {
        cache.insert(
            key,
            Cached {
                etag: etag.clone().unwrap_or_else(|| etag_of(&body)),
                body: body.clone(),
                cache_control: cache_control.clone(),
                operation,
            },
        );
    }
    let mut http = finish(media, status, body, cache_control, etag, request_headers);
    if unavailable {
        http.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    http
}

/// A strong `ETag` for a body.
fn etag_of(body: &[u8]) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{}\"", &sha256_hex(body)[..32]))
        .unwrap_or_else(|_| unreachable!("hex digits in quotes are a valid header value"))
}

/// The HTTP response, with its `ETag` (GET only) and 304 when the client's
/// copy is current.
fn finish(
    media: MediaType,
    status: StatusCode,
    body: Bytes,
    cache_control: HeaderValue,
    etag: Option<HeaderValue>,
    request_headers: &HeaderMap,
) -> HttpResponse {
    if let Some(etag) = &etag
        && status == StatusCode::OK
        && let Some(tag) = etag.to_str().ok()
        && request_headers
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(',').any(|t| t.trim() == tag || t.trim() == "*"))
    {
        let mut response = StatusCode::NOT_MODIFIED.into_response();
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, cache_control);
        headers.insert(header::ETAG, etag.clone());
        headers.insert(
            header::VARY,
            HeaderValue::from_static("Accept, Authorization"),
        );
        return response;
    }
    let mut response = (status, Body::from(body)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, media.header());
    headers.insert(header::CACHE_CONTROL, cache_control);
    headers.insert(
        header::VARY,
        HeaderValue::from_static("Accept, Authorization"),
    );
    if let Some(etag) = etag {
        headers.insert(header::ETAG, etag);
    }
    response
}

/// The operation's name for metrics and logs: letters, digits and `_` only,
/// at most 64 of them, so that clients cannot flood the label space with
/// arbitrary text.
fn operation_label(shape: Option<&Shape>) -> String {
    match shape.and_then(|s| s.name.as_deref()) {
        Some(name)
            if name.len() <= 64 && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') =>
        {
            name.to_owned()
        }
        Some(_) => "invalid_name".to_owned(),
        None => "anonymous".to_owned(),
    }
}

fn get_request(uri: &axum::http::Uri) -> Result<RawRequest, Refused> {
    let Query(params) = Query::<HashMap<String, String>>::try_from_uri(uri).map_err(|_| {
        Refused::new(
            StatusCode::BAD_REQUEST,
            code::BAD_REQUEST,
            "the query string cannot be read",
        )
    })?;
    let json = |name: &str| -> Result<Option<Value>, Refused> {
        params
            .get(name)
            .filter(|v| !v.is_empty())
            .map(|v| serde_json::from_str(v))
            .transpose()
            .map_err(|_| {
                Refused::new(
                    StatusCode::BAD_REQUEST,
                    code::BAD_REQUEST,
                    format!("`{name}` is not valid JSON"),
                )
            })
    };
    let extensions = match json("extensions")? {
        None => None,
        Some(Value::Object(map)) => Some(map.into_iter().collect()),
        Some(_) => {
            return Err(Refused::new(
                StatusCode::BAD_REQUEST,
                code::BAD_REQUEST,
                "`extensions` must be a JSON object",
            ));
        }
    };
    Ok(RawRequest {
        query: params.get("query").cloned(),
        operation_name: params
            .get("operationName")
            .filter(|v| !v.is_empty())
            .cloned(),
        variables: json("variables")?,
        extensions,
    })
}

async fn post_requests(
    state: &AppState,
    headers: &HeaderMap,
    body: Body,
) -> Result<(Vec<RawRequest>, bool), Refused> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    if essence != "application/json" {
        return Err(Refused::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            "POST bodies must be application/json",
        ));
    }
    let bytes = axum::body::to_bytes(body, state.options.max_body_bytes)
        .await
        .map_err(|_| {
            Refused::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "PAYLOAD_TOO_LARGE",
                format!(
                    "the body is larger than {} bytes",
                    state.options.max_body_bytes
                ),
            )
        })?;
    let json: Value = serde_json::from_slice(&bytes).map_err(|err| {
        Refused::new(
            StatusCode::BAD_REQUEST,
            code::BAD_REQUEST,
            format!("the body is not valid JSON: {err}"),
        )
    })?;
    let parse = |value: Value| -> Result<RawRequest, Refused> {
        if !value.is_object() {
            return Err(Refused::new(
                StatusCode::BAD_REQUEST,
                code::BAD_REQUEST,
                "a GraphQL request must be a JSON object",
            ));
        }
        serde_json::from_value(value).map_err(|err| {
            Refused::new(
                StatusCode::BAD_REQUEST,
                code::BAD_REQUEST,
                format!("the request does not have the GraphQL shape: {err}"),
            )
        })
    };
    match json {
        Value::Array(items) => match state.options.batch_limit {
            None => Err(Refused::new(
                StatusCode::BAD_REQUEST,
                code::BATCH_NOT_ALLOWED,
                "batched requests are not accepted",
            )),
            Some(limit) if items.len() > limit || items.is_empty() => Err(Refused::new(
                StatusCode::BAD_REQUEST,
                code::BATCH_NOT_ALLOWED,
                format!("a batch holds 1 to {limit} operations"),
            )),
            Some(_) => Ok((
                items.into_iter().map(parse).collect::<Result<_, _>>()?,
                true,
            )),
        },
        other => Ok((vec![parse(other)?], false)),
    }
}

/// Gives every error a code. Request-level errors (unparsable query, unknown
/// field) keep their message, which speaks only of the query; arguments and
/// variables that do not fit their type are `BAD_USER_INPUT`. A field error
/// without a code did not come through `AppError`; its text could be
/// anything, so it is logged and replaced by a generic message.
fn coded(response: &mut Response) {
    for error in &mut response.errors {
        let has_code = error
            .extensions
            .as_ref()
            .is_some_and(|e| e.get("code").is_some());
        if has_code {
            continue;
        }
        if error.message.starts_with("Failed to parse")
            || error.message.starts_with("Invalid value for argument")
        {
            set_code(error, code::BAD_USER_INPUT);
        } else if error.path.is_empty() {
            set_code(error, code::GRAPHQL_VALIDATION_FAILED);
        } else {
            tracing::error!(error = %error.message, path = ?error.path, "uncoded resolver error");
            error.message = "internal server error".to_owned();
            set_code(error, code::INTERNAL_SERVER_ERROR);
        }
    }
}

fn set_code(error: &mut ServerError, value: &str) {
    let extended = async_graphql::Error::new("").extend_with(|_, e| e.set("code", value));
    error.extensions = extended.extensions;
}

/// Anonymous responses by request key.
pub type ResponseCache = moka::sync::Cache<String, Cached>;

/// A bounded cache of anonymous responses: at most `bytes` of bodies, each
/// kept at most a minute (the longest cache hint).
pub fn response_cache(bytes: u64) -> Option<Arc<ResponseCache>> {
    (bytes > 0).then(|| {
        Arc::new(
            moka::sync::Cache::builder()
                .max_capacity(bytes)
                .weigher(|key: &String, value: &Cached| {
                    (key.len() + value.body.len() + value.operation.len())
                        .try_into()
                        .unwrap_or(u32::MAX)
                })
                .time_to_live(std::time::Duration::from_secs(60))
                .build(),
        )
    })
}

/// Parsed documents by query text, so that a document sent again (every
/// client sends the same few) is parsed once. Bounded; a document that does
/// not parse is not kept (the schema reports its syntax error).
#[derive(Clone)]
pub struct DocumentCache(moka::sync::Cache<Arc<str>, Arc<ExecutableDocument>>);

impl DocumentCache {
    /// At most `bytes` of query text, each document dropped after an hour
    /// unused.
    pub fn new(bytes: u64) -> Self {
        DocumentCache(
            moka::sync::Cache::builder()
                .max_capacity(bytes)
                .weigher(|query: &Arc<str>, _| query.len().try_into().unwrap_or(u32::MAX))
                .time_to_idle(std::time::Duration::from_secs(3600))
                .build(),
        )
    }

    fn parse(&self, query: &Arc<str>) -> Option<Arc<ExecutableDocument>> {
        if let Some(document) = self.0.get(query) {
            return Some(document);
        }
        let document = Arc::new(async_graphql::parser::parse_query(&**query).ok()?);
        self.0.insert(query.clone(), document.clone());
        Some(document)
    }
}
