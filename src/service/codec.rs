//! The JSON text columns: ordered lists of strings and of references.

use serde::{Serialize, de::DeserializeOwned};

use crate::error::{AppError, AppResult};

/// Encodes a list for a JSON text column.
pub fn encode<T: Serialize>(values: &[T]) -> String {
    serde_json::to_string(values).unwrap_or_else(|err| {
        unreachable!("lists of strings and references always serialise: {err}")
    })
}

/// Decodes a JSON text column; a malformed value is an internal error (the
/// database holds something this program did not write).
pub fn decode<T: DeserializeOwned>(column: &str, text: &str) -> AppResult<Vec<T>> {
    serde_json::from_str(text)
        .map_err(|err| AppError::internal(format!("column {column} holds malformed JSON: {err}")))
}

/// Reads a stored `YYYYMM` month; anything else is an internal error.
pub fn month(column: &str, value: i32) -> AppResult<crate::domain::YearMonth> {
    crate::domain::YearMonth::from_yyyymm(value).ok_or_else(|| {
        AppError::internal(format!(
            "column {column} holds {value}, which is not a YYYYMM month"
        ))
    })
}

/// Reads a nullable stored `YYYYMM` month.
pub fn optional_month(
    column: &str,
    value: Option<i32>,
) -> AppResult<Option<crate::domain::YearMonth>> {
    value.map(|v| month(column, v)).transpose()
}
