//! Answers of `/graphql`: refusals before execution, coded GraphQL errors,
//! and the status, caching headers and body of an executed request.
//!
//! Every error a client sees carries `extensions.code`; [`coded_error`]
//! builds each one, and [`coded`] gives one to any error that arrived
//! without (hiding the text of those that did not come from our own code).

use std::sync::Arc;

use async_graphql::{ErrorExtensions, Response, ServerError};
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response as HttpResponse};

use super::AppState;
use super::cache::Cached;
use super::request::MediaType;
use crate::auth::Viewer;
use crate::digest::sha256_hex;
use crate::error::code;
use crate::service::flight::Lead;
use crate::service::freshness::Tags;

/// A refusal before execution: an HTTP status and one coded error.
pub struct Refused {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub allow: Option<&'static str>,
    pub retry_after: bool,
}

impl Refused {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Refused {
            status,
            code,
            message: message.into(),
            allow: None,
            retry_after: false,
        }
    }

    pub fn into_response(self, state: &AppState, media: MediaType) -> HttpResponse {
        state.metrics.reject(&self.code.to_ascii_lowercase());
        let body = serde_json::to_vec(&Response::from_errors(vec![coded_error(
            self.code,
            self.message,
        )]))
        .unwrap_or_default();
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

/// One GraphQL error with `extensions.code`.
pub fn coded_error(code: &str, message: impl Into<String>) -> ServerError {
    let error = async_graphql::Error::new(message.into()).extend_with(|_, e| e.set("code", code));
    let mut server_error = ServerError::new(error.message, None);
    server_error.extensions = error.extensions;
    server_error
}

/// A response of one coded error and no data.
pub fn graphql_error(code: &'static str, message: impl Into<String>) -> Response {
    Response::from_errors(vec![coded_error(code, message)])
}

pub fn has_code(response: &Response, wanted: &str) -> bool {
    response.errors.iter().any(|e| {
        e.extensions
            .as_ref()
            .and_then(|x| x.get("code"))
            .is_some_and(|c| matches!(c, async_graphql::Value::String(s) if s == wanted))
    })
}

/// A request error: nothing was executed (the document or its variables
/// were refused), so the answer has no `data`.
pub fn is_request_error(response: &Response) -> bool {
    !response.errors.is_empty()
        && response.data == async_graphql::Value::Null
        && response.errors.iter().all(|e| e.path.is_empty())
}

/// What [`respond`] needs to know about the request.
pub struct Asked<'a> {
    pub media: MediaType,
    pub viewer: Viewer,
    pub is_get: bool,
    pub headers: &'a HeaderMap,
}

/// An answer to store in the response cache, with the generation it was
/// computed in.
pub struct ToCache<'a> {
    pub key: String,
    /// The flight of `key` this request leads, landed with the answer.
    pub lead: Option<Lead<'a, String, Cached>>,
    pub operation: Arc<str>,
    /// When the query started, on the clock of changes.
    pub since: u64,
    /// Whose data the answer read.
    pub tags: Tags,
}

/// Status, caching headers and body of an executed (or early-answered) request.
pub fn respond(
    state: &AppState,
    asked: &Asked<'_>,
    to_cache: Option<ToCache<'_>>,
    response: Response,
) -> HttpResponse {
    let unavailable = has_code(&response, code::SERVICE_UNAVAILABLE);
    let request_error = is_request_error(&response);
    let status = if unavailable {
        StatusCode::SERVICE_UNAVAILABLE
    } else if request_error && asked.media == MediaType::GraphqlResponse {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let hinted = response.cache_control;
    let shareable = asked.viewer.is_anonymous() && response.errors.is_empty() && hinted.max_age > 0;
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
    let etag = asked.is_get.then(|| etag_of(&body));
    let content_language = response.http_headers.get(header::CONTENT_LANGUAGE).cloned();
    let mut tags = None;
    if let (Some(to_cache), true) = (to_cache, shareable && status == StatusCode::OK) {
        let cached = Cached {
            etag: etag.clone().unwrap_or_else(|| etag_of(&body)),
            body: body.clone(),
            cache_control: cache_control.clone(),
            operation: to_cache.operation,
            content_language: content_language.clone(),
            since: to_cache.since,
            tags: Arc::new(to_cache.tags),
        };
        tags = Some(cached.tags.clone());
        if let Some(cache) = &state.response_cache {
            cache.store(to_cache.key, cached, to_cache.lead);
        }
    }
    let mut http = finish(asked, status, body, cache_control, etag, content_language);
    if let Some(tags) = tags {
        surrogate_keys(&mut http, &tags);
    }
    if unavailable {
        http.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    http
}

/// The answer to an anonymous query from the response cache (`outcome`:
/// found there at once, or once the request computing it landed).
pub fn cached(state: &AppState, asked: &Asked<'_>, cached: Cached, outcome: &str) -> HttpResponse {
    tracing::Span::current().record("operation", &*cached.operation);
    state.metrics.cache.with_label_values(&[outcome]).inc();
    state.metrics.operation(&cached.operation, "success");
    let etag = asked.is_get.then_some(cached.etag);
    let mut http = finish(
        asked,
        StatusCode::OK,
        cached.body,
        cached.cache_control,
        etag,
        cached.content_language,
    );
    surrogate_keys(&mut http, &cached.tags);
    http
}

/// Names whose data a shareable answer holds, as CDNs purge by:
/// `Surrogate-Key` (space-separated) and `Cache-Tag` (comma-separated).
pub fn surrogate_keys(http: &mut HttpResponse, tags: &Tags) {
    let keys = tags.surrogate_keys();
    if keys.is_empty() {
        return;
    }
    let headers = http.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&keys) {
        headers.insert("surrogate-key", value);
    }
    if let Ok(value) = HeaderValue::from_str(&keys.replace(' ', ",")) {
        headers.insert("cache-tag", value);
    }
}

/// A strong `ETag` for a body (of its identity encoding; see
/// [`tag_encoding`] for the others).
pub fn etag_of(body: &[u8]) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{}\"", &sha256_hex(body)[..32]))
        .unwrap_or_else(|_| unreachable!("hex digits in quotes are a valid header value"))
}

/// Content codings whose answers get their own `ETag` suffix.
const ENCODINGS: [&str; 4] = ["gzip", "br", "deflate", "zstd"];

/// Gives a compressed answer its own strong `ETag` (`"tag-gzip"`): a strong
/// validator promises byte-identical representations, which the gzip and
/// identity encodings of one answer are not. Runs outside the compression
/// layer; [`etag_matches`] accepts any encoding's tag in `If-None-Match`.
pub fn tag_encoding(mut response: HttpResponse) -> HttpResponse {
    let encoding = response
        .headers()
        .get(header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .filter(|e| ENCODINGS.contains(e))
        .map(str::to_owned);
    if let Some(encoding) = encoding
        && let Some(tag) = response
            .headers()
            .get(header::ETAG)
            .and_then(|v| v.to_str().ok())
            .and_then(|t| t.strip_prefix('"'))
            .and_then(|t| t.strip_suffix('"'))
        && let Ok(tagged) = HeaderValue::from_str(&format!("\"{tag}-{encoding}\""))
    {
        response.headers_mut().insert(header::ETAG, tagged);
    }
    response
}

/// Whether `If-None-Match` names `etag` in any of its encodings (weak
/// comparison, as RFC 9110 asks for `If-None-Match`).
pub fn etag_matches(if_none_match: &str, etag: &str) -> bool {
    let Some(tag) = etag.strip_prefix('"').and_then(|t| t.strip_suffix('"')) else {
        return false;
    };
    if_none_match.split(',').any(|candidate| {
        let candidate = candidate.trim();
        if candidate == "*" {
            return true;
        }
        let Some(inner) = candidate
            .trim_start_matches("W/")
            .strip_prefix('"')
            .and_then(|t| t.strip_suffix('"'))
        else {
            return false;
        };
        inner == tag
            || ENCODINGS.iter().any(|encoding| {
                inner
                    .strip_suffix(encoding)
                    .and_then(|t| t.strip_suffix('-'))
                    == Some(tag)
            })
    })
}

/// The HTTP response, with its `ETag` (GET only) and 304 when the client's
/// copy is current.
pub fn finish(
    asked: &Asked<'_>,
    status: StatusCode,
    body: Bytes,
    cache_control: HeaderValue,
    etag: Option<HeaderValue>,
    content_language: Option<HeaderValue>,
) -> HttpResponse {
    let vary = HeaderValue::from_static("Accept, Accept-Encoding, Accept-Language, Authorization");
    if let Some(etag) = &etag
        && status == StatusCode::OK
        && let Some(tag) = etag.to_str().ok()
        && asked
            .headers
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| etag_matches(v, tag))
    {
        let mut response = StatusCode::NOT_MODIFIED.into_response();
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, cache_control);
        headers.insert(header::ETAG, etag.clone());
        headers.insert(header::VARY, vary);
        return response;
    }
    let mut response = (status, Body::from(body)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, asked.media.header());
    headers.insert(header::CACHE_CONTROL, cache_control);
    headers.insert(header::VARY, vary);
    if let Some(etag) = etag {
        headers.insert(header::ETAG, etag);
    }
    if let Some(content_language) = content_language {
        headers.insert(header::CONTENT_LANGUAGE, content_language);
    }
    response
}

/// Most errors in one answer: a document can break one rule per token, and
/// listing thousands of them helps nobody while costing bytes.
const MAX_ERRORS: usize = 50;

/// Gives every error a code. Request-level errors (unparsable query, unknown
/// field) keep their message, which speaks only of the query; arguments and
/// variables that do not fit their type are `BAD_USER_INPUT`. A field error
/// without a code did not come through `AppError`; its text could be
/// anything, so it is logged and replaced by a generic message. Past
/// [`MAX_ERRORS`], one last error says how many more there were.
pub fn coded(response: &mut Response) {
    if response.errors.len() > MAX_ERRORS {
        let more = response.errors.len() - (MAX_ERRORS - 1);
        response.errors.truncate(MAX_ERRORS - 1);
        response.errors.push(coded_error(
            code::TOO_MANY_ERRORS,
            format!("{more} more errors not shown"),
        ));
    }
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
    error.extensions = coded_error(value, "").extensions;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_accepts_every_encoding_of_a_tag_and_nothing_else() {
        let tag = "\"abc\"";
        for header in [
            "\"abc\"",
            "\"abc-gzip\"",
            "W/\"abc-br\"",
            "\"x\", \"abc\"",
            "*",
        ] {
            assert!(etag_matches(header, tag), "{header}");
        }
        for header in ["\"abcd\"", "\"abc-gzipx\"", "abc", "\"ab\"", ""] {
            assert!(!etag_matches(header, tag), "{header}");
        }
    }

    #[test]
    fn a_compressed_answer_gets_its_own_etag() {
        let mut response = StatusCode::OK.into_response();
        response
            .headers_mut()
            .insert(header::ETAG, HeaderValue::from_static("\"abc\""));
        response
            .headers_mut()
            .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        let tagged = tag_encoding(response);
        assert_eq!(tagged.headers()[header::ETAG], "\"abc-gzip\"");
    }

    #[test]
    fn thousands_of_errors_become_fifty() {
        let mut response = Response::from_errors(
            (0..5000)
                .map(|i| ServerError::new(format!("e{i}"), None))
                .collect(),
        );
        coded(&mut response);
        assert_eq!(response.errors.len(), MAX_ERRORS);
        assert_eq!(
            response.errors[MAX_ERRORS - 1].message,
            "4951 more errors not shown"
        );
    }
}
