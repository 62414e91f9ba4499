//! `GET|POST /graphql`: authenticates the request, then runs it with a fresh
//! set of loaders scoped to the viewer.

use async_graphql::{ErrorExtensions, Response, ServerError};
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response as HttpResponse};

use super::AppState;
use crate::auth;
use crate::error::code;
use crate::graphql::new_loaders;

/// Runs one request (or batch).
pub async fn handle(
    State(state): State<AppState>,
    headers: HeaderMap,
    request: GraphQLRequest,
) -> HttpResponse {
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let viewer = match auth::authenticate(&state.api.db, authorization).await {
        Ok(viewer) => viewer,
        Err(err) => {
            // A bad token is refused outright, whatever the operation: the
            // client must learn that its credentials are wrong.
            let status = if err.code() == code::UNAUTHENTICATED {
                StatusCode::UNAUTHORIZED
            } else {
                StatusCode::SERVICE_UNAVAILABLE
            };
            let error: async_graphql::Error = err.into();
            let mut server_error = ServerError::new(error.message, None);
            server_error.extensions = error.extensions;
            let response = Response::from_errors(vec![server_error]);
            let mut http = GraphQLResponse::from(response).into_response();
            *http.status_mut() = status;
            return http;
        }
    };
    let request = request
        .into_inner()
        .data(viewer)
        .data(new_loaders(state.api.db.clone(), viewer));
    let mut response = state.schema.execute(request).await;
    coded(&mut response);
    GraphQLResponse::from(response).into_response()
}

/// Gives every error a code. Request-level errors (unparsable query, unknown
/// field, bad variable) keep their message, which speaks only of the query.
/// A field error without a code did not come through `AppError`; its text
/// could be anything, so it is logged and replaced by a generic message.
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
            // An argument or variable that does not fit its type.
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
