//! Reading a GraphQL request off HTTP: the response media type from
//! `Accept`, and the request itself from a `GET` query string or a `POST`
//! JSON body (batched when enabled), before anything in it is trusted.

use std::collections::HashMap;

use axum::body::Body;
use axum::extract::Query;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use serde::Deserialize;
use serde_json::Value;

use super::AppState;
use super::reply::Refused;
use crate::error::code;

/// The response media types this endpoint speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MediaType {
    GraphqlResponse,
    Json,
}

impl MediaType {
    pub fn header(self) -> HeaderValue {
        HeaderValue::from_static(match self {
            MediaType::GraphqlResponse => "application/graphql-response+json; charset=utf-8",
            MediaType::Json => "application/json; charset=utf-8",
        })
    }

    /// Chooses from `Accept`; no header means `application/json`, as the
    /// specification asks for legacy clients.
    pub fn negotiate(headers: &HeaderMap) -> Option<MediaType> {
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
pub struct RawRequest {
    pub query: Option<String>,
    pub operation_name: Option<String>,
    #[serde(default)]
    pub variables: Option<Value>,
    #[serde(default)]
    pub extensions: Option<HashMap<String, Value>>,
}

/// The request of a `GET`, from its query string.
pub fn get_request(uri: &axum::http::Uri) -> Result<RawRequest, Refused> {
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

/// The request(s) of a `POST`, and whether they came as a batch.
pub async fn post_requests(
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
            code::UNSUPPORTED_MEDIA_TYPE,
            "POST bodies must be application/json",
        ));
    }
    let bytes = axum::body::to_bytes(body, state.options.max_body_bytes)
        .await
        .map_err(|_| {
            Refused::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                code::PAYLOAD_TOO_LARGE,
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
