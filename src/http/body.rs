//! Request bodies are read whole before a request goes any further: within
//! the body limit (413 beyond) and the body-read timeout (408 beyond, and the
//! connection is closed).
//!
//! Reading the body here, outside the request timeout and before the
//! concurrency limit of `/graphql`, means a client that uploads slowly holds
//! a connection and nothing else: it never takes one of the limited request
//! slots away from clients whose requests have arrived, and the request
//! timeout counts the time spent serving, not the time spent waiting for the
//! client.

use axum::body::{Body, HttpBody};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, Version, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::{BodyExt, LengthLimitError, Limited};

use super::AppState;
use crate::error::code;

/// Reads the body of `request` whole, then hands the request on with that
/// body in memory.
pub async fn read_whole(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if request.body().is_end_stream() {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let limit = state.options.max_body_bytes;
    // A declared length over the limit is refused before a byte is read.
    if body.size_hint().lower() > limit as u64 {
        return too_large(&state, limit);
    }
    let timeout = state.options.body_read_timeout;
    let read = tokio::time::timeout(timeout, Limited::new(body, limit).collect()).await;
    match read {
        Ok(Ok(collected)) => {
            let body = Body::from(collected.to_bytes());
            next.run(Request::from_parts(parts, body)).await
        }
        Ok(Err(err)) if err.downcast_ref::<LengthLimitError>().is_some() => {
            too_large(&state, limit)
        }
        // The client closed the connection mid-body, or sent a malformed
        // chunked body: there is no request to answer.
        Ok(Err(_)) => refusal(
            StatusCode::BAD_REQUEST,
            code::BAD_REQUEST,
            "the request body could not be read".to_owned(),
            Some(parts.version),
        ),
        Err(_) => {
            state.metrics.reject("request_timeout");
            refusal(
                StatusCode::REQUEST_TIMEOUT,
                code::REQUEST_TIMEOUT,
                format!(
                    "the request body did not arrive within {} ms",
                    timeout.as_millis()
                ),
                Some(parts.version),
            )
        }
    }
}

fn too_large(state: &AppState, limit: usize) -> Response {
    state.metrics.reject("payload_too_large");
    refusal(
        StatusCode::PAYLOAD_TOO_LARGE,
        code::PAYLOAD_TOO_LARGE,
        format!("the body is larger than {limit} bytes"),
        None,
    )
}

/// A GraphQL error response. With `close` (the HTTP version of the request),
/// an HTTP/1 connection is closed once it is sent: the rest of the body is
/// still on its way, or will never come, and reading it would only keep the
/// connection busy for a client that is too slow already.
fn refusal(
    status: StatusCode,
    code: &'static str,
    message: String,
    close: Option<Version>,
) -> Response {
    let body =
        serde_json::json!({ "errors": [{ "message": message, "extensions": { "code": code } }] })
            .to_string();
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    // HTTP/2 has no such header: a stream ends on its own.
    if close.is_some_and(|version| version <= Version::HTTP_11) {
        headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}
