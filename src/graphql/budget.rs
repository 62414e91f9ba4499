//! Budgets that hold while a request executes: the size of its answer and
//! the time it may take, CPU-bound work included.
//!
//! The complexity limit prices a document before it runs, from upper bounds;
//! this measures what it actually produces. Every resolved field goes
//! through [`Budget`], which adds up the bytes its value will take in the
//! JSON answer (names, scalars, punctuation: children count themselves as
//! they resolve). Once the answer would pass the byte budget, or the
//! request has run past its deadline, the remaining fields are not resolved
//! at all, and the whole answer becomes one coded error: a partial answer
//! cut at an arbitrary field would look complete to a careless client.
//!
//! A request timeout around a future only fires when that future yields;
//! resolving fields from memory never does. The deadline is therefore
//! checked here, between fields, and every few fields the request offers
//! the executor a chance to run other tasks (tokio's cooperative budget).

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextResolve, ResolveInfo,
};
use async_graphql::{
    ErrorExtensions, QueryPathSegment, Response, ServerError, ServerResult, Value,
};

use crate::error::code;

/// Installs a fresh [`Budget`] on every request.
pub struct Budgets {
    pub max_response_bytes: usize,
    pub timeout: Duration,
}

impl ExtensionFactory for Budgets {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Budget {
            max_bytes: self.max_response_bytes,
            timeout: self.timeout,
            deadline: Instant::now() + self.timeout,
            used: AtomicUsize::new(0),
            fields: AtomicUsize::new(0),
            tripped: AtomicU8::new(WITHIN),
        })
    }
}

const WITHIN: u8 = 0;
const TOO_LARGE: u8 = 1;
const TOO_LONG: u8 = 2;

/// Fields between two looks at the clock and offers to yield.
const CHECK_EVERY: usize = 64;

/// One request's budgets.
pub struct Budget {
    max_bytes: usize,
    timeout: Duration,
    deadline: Instant,
    used: AtomicUsize,
    fields: AtomicUsize,
    tripped: AtomicU8,
}

impl Budget {
    fn trip(&self, why: u8) {
        let _ = self
            .tripped
            .compare_exchange(WITHIN, why, Ordering::Relaxed, Ordering::Relaxed);
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for Budget {
    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let response = next.run(ctx, operation_name).await;
        let (code, message) = match self.tripped.load(Ordering::Relaxed) {
            WITHIN => return response,
            TOO_LARGE => (
                code::RESPONSE_TOO_LARGE,
                format!(
                    "the answer would be larger than {} bytes: ask for fewer fields or smaller pages",
                    self.max_bytes
                ),
            ),
            _ => (
                code::REQUEST_TIMEOUT,
                format!(
                    "the request ran longer than {} s: ask for fewer fields or smaller pages",
                    self.timeout.as_secs_f32()
                ),
            ),
        };
        let error = async_graphql::Error::new(message).extend_with(|_, e| e.set("code", code));
        let mut server_error = ServerError::new(error.message, None);
        server_error.extensions = error.extensions;
        let mut cut = Response::from_errors(vec![server_error]);
        cut.http_headers = response.http_headers;
        cut
    }

    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        // Past a budget nothing more is resolved. Null, not "nothing": the
        // executor insists on a value for every list item.
        if self.tripped.load(Ordering::Relaxed) != WITHIN {
            return Ok(Some(Value::Null));
        }
        let fields = self.fields.fetch_add(1, Ordering::Relaxed);
        if fields.is_multiple_of(CHECK_EVERY) {
            if Instant::now() >= self.deadline {
                self.trip(TOO_LONG);
                return Ok(Some(Value::Null));
            }
            tokio::task::consume_budget().await;
        }
        // A list item is counted by its list, which sees its scalars.
        if matches!(info.path_node.segment, QueryPathSegment::Index(_)) {
            return next.run(ctx, info).await;
        }
        // `"key":` and a separator, then whatever the value adds itself.
        let key = info.alias.unwrap_or(info.name).len() + 4;
        let value = next.run(ctx, info).await?;
        let bytes = key + value.as_ref().map_or(4, own_bytes);
        if self.used.fetch_add(bytes, Ordering::Relaxed) + bytes > self.max_bytes {
            self.trip(TOO_LARGE);
        }
        Ok(value)
    }
}

/// The JSON bytes `value` adds beyond what its own fields counted: scalars
/// in full, and the brackets of objects and lists (an object's fields went
/// through [`Budget::resolve`] themselves).
fn own_bytes(value: &Value) -> usize {
    match value {
        Value::Null => 4,
        Value::Boolean(_) => 5,
        Value::Number(_) => 12,
        // Quotes; escapes can make it longer, which the margin absorbs.
        Value::String(s) => s.len() + 2,
        Value::Enum(name) => name.len() + 2,
        Value::Binary(bytes) => bytes.len() * 4 / 3 + 4,
        Value::List(items) => 2 + items.iter().map(|item| own_bytes(item) + 1).sum::<usize>(),
        Value::Object(_) => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_count_in_full_and_objects_only_their_braces() {
        assert_eq!(own_bytes(&Value::String("abc".into())), 5);
        let list = Value::List(vec![Value::String("ab".into()), Value::Null]);
        assert_eq!(own_bytes(&list), 2 + 5 + 5);
        let object = Value::Object(Default::default());
        assert_eq!(own_bytes(&object), 2);
    }
}

#[cfg(test)]
mod schema_tests {
    use super::*;
    use crate::graphql::schema_builder;

    #[tokio::test]
    async fn a_request_past_its_deadline_stops_with_a_coded_error() {
        let schema = schema_builder()
            .extension(Budgets {
                max_response_bytes: 1 << 20,
                timeout: Duration::ZERO,
            })
            .finish();
        let response = schema.execute("{ __schema { types { name } } }").await;
        assert_eq!(response.data, Value::Null);
        let codes: Vec<_> = response
            .errors
            .iter()
            .map(|e| e.extensions.as_ref().and_then(|x| x.get("code")).cloned())
            .collect();
        assert_eq!(codes, vec![Some(Value::from(code::REQUEST_TIMEOUT))]);
    }

    #[tokio::test]
    async fn an_answer_past_its_byte_budget_stops_with_a_coded_error() {
        let budget = |bytes| {
            schema_builder()
                .extension(Budgets {
                    max_response_bytes: bytes,
                    timeout: Duration::from_secs(60),
                })
                .finish()
        };
        let query = "{ __schema { types { name description fields { name } } } }";
        let full = budget(1 << 24).execute(query).await;
        assert!(full.errors.is_empty(), "{:?}", full.errors);
        let size = serde_json::to_vec(&full.data).expect("json").len();
        let cut = budget(size / 2).execute(query).await;
        assert_eq!(cut.data, Value::Null);
        assert_eq!(cut.errors.len(), 1);
        assert_eq!(
            cut.errors[0]
                .extensions
                .as_ref()
                .and_then(|x| x.get("code")),
            Some(&Value::from(code::RESPONSE_TOO_LARGE))
        );
    }
}
