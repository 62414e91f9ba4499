//! Custom scalars.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};

use crate::domain::YearMonth;

/// A calendar month, serialised as `"YYYY-MM"` (e.g. `"2022-09"`). Resumes
/// give dates to the month; so does this API.
#[Scalar(
    name = "YearMonth",
    specified_by_url = "https://en.wikipedia.org/wiki/ISO_8601#Calendar_dates"
)]
impl ScalarType for YearMonth {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(text) => text.parse().map_err(InputValueError::custom),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.to_string())
    }
}
