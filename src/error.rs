//! One error type for everything a request can fail with, and its mapping to
//! GraphQL errors with `extensions.code`.
//!
//! `AppError` deliberately does not implement `Display`: async-graphql turns
//! any `Display` type into an error carrying its text, which is how database
//! messages leak to clients. Without `Display`, the only way into a GraphQL
//! error is [`From<AppError>`] below, which logs internal details and shows
//! the client a generic message.

use std::fmt;

use async_graphql::ErrorExtensions;
use sea_orm::DbErr;

/// The error codes of the API, as sent in `extensions.code`.
pub mod code {
    pub const BAD_USER_INPUT: &str = "BAD_USER_INPUT";
    pub const NOT_FOUND: &str = "NOT_FOUND";
    pub const UNAUTHENTICATED: &str = "UNAUTHENTICATED";
    pub const FORBIDDEN: &str = "FORBIDDEN";
    pub const CONFLICT: &str = "CONFLICT";
    pub const SERVICE_UNAVAILABLE: &str = "SERVICE_UNAVAILABLE";
    pub const INTERNAL_SERVER_ERROR: &str = "INTERNAL_SERVER_ERROR";
    pub const GRAPHQL_VALIDATION_FAILED: &str = "GRAPHQL_VALIDATION_FAILED";
    pub const BAD_REQUEST: &str = "BAD_REQUEST";
    pub const RATE_LIMITED: &str = "RATE_LIMITED";
    pub const BATCH_NOT_ALLOWED: &str = "BATCH_NOT_ALLOWED";
    pub const TOO_MANY_FIELDS: &str = "TOO_MANY_FIELDS";
    pub const TOO_MANY_ALIASES: &str = "TOO_MANY_ALIASES";
    pub const PERSISTED_QUERY_NOT_FOUND: &str = "PERSISTED_QUERY_NOT_FOUND";
    pub const PERSISTED_QUERY_REQUIRED: &str = "PERSISTED_QUERY_REQUIRED";
    pub const TOO_MANY_TOKENS: &str = "TOO_MANY_TOKENS";
    pub const NESTED_TOO_DEEP: &str = "NESTED_TOO_DEEP";
    pub const RESPONSE_TOO_LARGE: &str = "RESPONSE_TOO_LARGE";
    /// The body did not arrive within the body-read timeout, or execution
    /// ran past the request timeout.
    pub const REQUEST_TIMEOUT: &str = "REQUEST_TIMEOUT";
    pub const NOT_ACCEPTABLE: &str = "NOT_ACCEPTABLE";
    pub const METHOD_NOT_ALLOWED: &str = "METHOD_NOT_ALLOWED";
    pub const UNSUPPORTED_MEDIA_TYPE: &str = "UNSUPPORTED_MEDIA_TYPE";
    pub const PAYLOAD_TOO_LARGE: &str = "PAYLOAD_TOO_LARGE";
    pub const OVERLOADED: &str = "OVERLOADED";
    pub const TOO_MANY_ERRORS: &str = "TOO_MANY_ERRORS";
}

pub enum AppError {
    /// The client sent something invalid; `field` names the argument or input
    /// field at fault.
    BadUserInput {
        message: String,
        field: Option<String>,
    },
    /// Several problems with the input, each `(field path, message)`; every
    /// one becomes its own `BAD_USER_INPUT` error (see [`AppError::into_errors`]).
    Invalid(Vec<(String, String)>),
    /// The thing asked for does not exist.
    NotFound(String),
    /// No valid token was presented where one is needed.
    Unauthenticated(String),
    /// The token is valid but may not do this.
    Forbidden(String),
    /// `expectedVersion` is not the current version.
    Conflict {
        message: String,
        current_version: i32,
    },
    /// The database cannot be reached right now; worth retrying.
    Unavailable(String),
    /// A bug or an unexpected failure; the detail is for the log only.
    Internal(String),
}

impl AppError {
    pub fn bad_input(field: impl Into<String>, message: impl Into<String>) -> Self {
        AppError::BadUserInput {
            message: message.into(),
            field: Some(field.into()),
        }
    }

    pub fn internal(detail: impl fmt::Display) -> Self {
        AppError::Internal(detail.to_string())
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::BadUserInput { .. } | AppError::Invalid(_) => code::BAD_USER_INPUT,
            AppError::NotFound(_) => code::NOT_FOUND,
            AppError::Unauthenticated(_) => code::UNAUTHENTICATED,
            AppError::Forbidden(_) => code::FORBIDDEN,
            AppError::Conflict { .. } => code::CONFLICT,
            AppError::Unavailable(_) => code::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => code::INTERNAL_SERVER_ERROR,
        }
    }

    /// What a client may be told.
    pub fn public_message(&self) -> String {
        match self {
            AppError::BadUserInput { message, .. }
            | AppError::NotFound(message)
            | AppError::Unauthenticated(message)
            | AppError::Forbidden(message)
            | AppError::Conflict { message, .. } => message.clone(),
            AppError::Invalid(problems) => problems
                .iter()
                .map(|(field, message)| format!("{field}: {message}"))
                .collect::<Vec<_>>()
                .join("; "),
            AppError::Unavailable(_) => "the database is unavailable; try again shortly".to_owned(),
            AppError::Internal(_) => "internal server error".to_owned(),
        }
    }

    /// Everything, for logs and for the command line.
    pub fn detail(&self) -> String {
        match self {
            AppError::Unavailable(detail) | AppError::Internal(detail) => {
                format!("{}: {detail}", self.public_message())
            }
            _ => self.public_message(),
        }
    }

    /// The GraphQL errors for this error: one per problem for `Invalid`, so
    /// that a client sees every problem of its input at once, each with its
    /// field; one otherwise.
    pub fn into_errors(self) -> Vec<async_graphql::Error> {
        match self {
            AppError::Invalid(problems) if problems.len() > 1 => problems
                .into_iter()
                .map(|problem| AppError::Invalid(vec![problem]).into())
                .collect(),
            other => vec![other.into()],
        }
    }

    /// A unique-constraint violation becomes `BAD_USER_INPUT` on `field`;
    /// any other database error keeps its usual mapping.
    pub fn unique_violation(err: DbErr, field: &str, message: &str) -> AppError {
        match err.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
                AppError::bad_input(field, message)
            }
            _ => AppError::from(err),
        }
    }
}

impl fmt::Debug for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.detail(), self.code())
    }
}

impl Clone for AppError {
    fn clone(&self) -> Self {
        match self {
            AppError::BadUserInput { message, field } => AppError::BadUserInput {
                message: message.clone(),
                field: field.clone(),
            },
            AppError::Invalid(problems) => AppError::Invalid(problems.clone()),
            AppError::NotFound(message) => AppError::NotFound(message.clone()),
            AppError::Unauthenticated(message) => AppError::Unauthenticated(message.clone()),
            AppError::Forbidden(message) => AppError::Forbidden(message.clone()),
            AppError::Conflict {
                message,
                current_version,
            } => AppError::Conflict {
                message: message.clone(),
                current_version: *current_version,
            },
            AppError::Unavailable(detail) => AppError::Unavailable(detail.clone()),
            AppError::Internal(detail) => AppError::Internal(detail.clone()),
        }
    }
}

impl From<DbErr> for AppError {
    fn from(err: DbErr) -> Self {
        match err {
            DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => AppError::Unavailable(err.to_string()),
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<std::sync::Arc<AppError>> for AppError {
    fn from(err: std::sync::Arc<AppError>) -> Self {
        (*err).clone()
    }
}

impl From<AppError> for async_graphql::Error {
    fn from(err: AppError) -> Self {
        match &err {
            AppError::Internal(detail) => tracing::error!(error = %detail, "request failed"),
            AppError::Unavailable(detail) => {
                tracing::warn!(error = %detail, "database unavailable")
            }
            _ => {}
        }
        let code = err.code();
        let message = match &err {
            // One problem: its own message; several: see `into_errors`.
            AppError::Invalid(problems) if problems.len() == 1 => problems[0].1.clone(),
            _ => err.public_message(),
        };
        async_graphql::Error::new(message).extend_with(|_, extensions| {
            extensions.set("code", code);
            match &err {
                AppError::BadUserInput {
                    field: Some(field), ..
                } => extensions.set("field", field.as_str()),
                AppError::Invalid(problems) if problems.len() == 1 => {
                    extensions.set("field", problems[0].0.as_str())
                }
                AppError::Conflict {
                    current_version, ..
                } => extensions.set("currentVersion", *current_version),
                _ => {}
            }
        })
    }
}

/// An error shared by every resolver waiting on one failed batch load.
#[derive(Clone)]
pub struct SharedError(pub std::sync::Arc<AppError>);

impl From<SharedError> for async_graphql::Error {
    fn from(err: SharedError) -> Self {
        AppError::from(err.0).into()
    }
}

impl From<SharedError> for AppError {
    fn from(err: SharedError) -> Self {
        AppError::from(err.0)
    }
}

/// The result type of resolvers and services.
pub type AppResult<T> = Result<T, AppError>;
