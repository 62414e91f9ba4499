//! `GET|POST /graphql`: runs a GraphQL request with a fresh set of loaders.

use async_graphql::{ErrorExtensions, Response};
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::extract::State;

use super::AppState;
use crate::error::code;
use crate::graphql::new_loaders;

/// Runs one request (or batch).
pub async fn handle(State(state): State<AppState>, request: GraphQLRequest) -> GraphQLResponse {
    let request = request.into_inner().data(new_loaders(state.api.db.clone()));
    let mut response = state.schema.execute(request).await;
    coded(&mut response);
    response.into()
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
        if error.path.is_empty() {
            let extended = async_graphql::Error::new(error.message.clone())
                .extend_with(|_, e| e.set("code", code::GRAPHQL_VALIDATION_FAILED));
            error.extensions = extended.extensions;
        } else {
            tracing::error!(error = %error.message, path = ?error.path, "uncoded resolver error");
            error.message = "internal server error".to_owned();
            let extended = async_graphql::Error::new("")
                .extend_with(|_, e| e.set("code", code::INTERNAL_SERVER_ERROR));
            error.extensions = extended.extensions;
        }
    }
}
