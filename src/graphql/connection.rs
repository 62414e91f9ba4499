//! Relay connections: opaque cursors, `first/after/last/before` checking and
//! slicing, `totalCount`.
//!
//! A person's lists (roles, achievements, skills, activities) are loaded whole
//! by a batched loader and paged in memory: a portfolio holds hundreds of
//! items, not millions, and loading them whole is what keeps the number of SQL
//! statements independent of how many parents are on the page. The list of all
//! people can be large and is paged in SQL by id (`graphql::person`).

use async_graphql::connection::{Connection, CursorType, Edge};
use async_graphql::{OutputType, SimpleObject};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::error::{AppError, AppResult};

/// The largest page a client may ask for, and the page size when it asks for
/// none.
pub const MAX_PAGE_SIZE: i32 = 100;

/// An opaque cursor: a position in the list (or, for people, a row id).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor(pub u64);

impl CursorType for Cursor {
    type Error = AppCursorError;

    fn decode_cursor(s: &str) -> Result<Self, Self::Error> {
        let bytes = URL_SAFE_NO_PAD.decode(s).map_err(|_| AppCursorError)?;
        let text = String::from_utf8(bytes).map_err(|_| AppCursorError)?;
        let n = text.strip_prefix("cursor:").ok_or(AppCursorError)?;
        n.parse().map(Cursor).map_err(|_| AppCursorError)
    }

    fn encode_cursor(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("cursor:{}", self.0))
    }
}

/// A cursor this API did not hand out.
#[derive(Debug)]
pub struct AppCursorError;

impl std::fmt::Display for AppCursorError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("invalid cursor")
    }
}

/// Fields every connection has besides edges, nodes and pageInfo.
#[derive(SimpleObject)]
pub struct ConnectionFields {
    /// How many items the whole list holds, across all pages (after filters).
    pub total_count: usize,
}

pub type Page<N> = Connection<Cursor, N, ConnectionFields>;

/// The paging arguments of a connection field, checked.
#[derive(Clone, Copy, Debug, Default)]
pub struct PageArgs {
    pub after: Option<u64>,
    pub before: Option<u64>,
    pub first: Option<usize>,
    pub last: Option<usize>,
}

impl PageArgs {
    /// Checks raw arguments: cursors must be ours, counts within 0..=100.
    pub fn new(
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
    ) -> AppResult<Self> {
        let cursor = |field: &str, value: Option<String>| -> AppResult<Option<u64>> {
            value
                .map(|s| {
                    Cursor::decode_cursor(&s).map(|c| c.0).map_err(|_| {
                        AppError::bad_input(field, format!("{s:?} is not a cursor of this list"))
                    })
                })
                .transpose()
        };
        let count = |field: &str, value: Option<i32>| -> AppResult<Option<usize>> {
            match value {
                Some(n) if !(0..=MAX_PAGE_SIZE).contains(&n) => Err(AppError::bad_input(
                    field,
                    format!("`{field}` must be between 0 and {MAX_PAGE_SIZE}, got {n}"),
                )),
                other => Ok(other.map(|n| n as usize)),
            }
        };
        let mut args = PageArgs {
            after: cursor("after", after)?,
            before: cursor("before", before)?,
            first: count("first", first)?,
            last: count("last", last)?,
        };
        if args.first.is_none() && args.last.is_none() {
            args.first = Some(MAX_PAGE_SIZE as usize);
        }
        Ok(args)
    }
}

/// The complexity of a connection field: its children, times the page size
/// asked for (the default page size when none is).
///
/// Capped far below `usize::MAX`, so that async-graphql's sums of sibling
/// costs cannot overflow however deep a hostile query nests.
pub fn page_cost(first: Option<i32>, last: Option<i32>, child_complexity: usize) -> usize {
    const CAP: usize = 1_000_000_000_000;
    let size = first
        .or(last)
        .unwrap_or(MAX_PAGE_SIZE)
        .clamp(1, MAX_PAGE_SIZE) as usize;
    size.saturating_mul(child_complexity.min(CAP))
        .saturating_add(1)
        .min(CAP)
}

/// One page of an in-memory list, following the Relay cursor specification:
/// `after`/`before` narrow the list, then `first` keeps its head and `last`
/// its tail.
pub fn paginate<T, N: OutputType>(items: Vec<T>, args: PageArgs, node: impl Fn(T) -> N) -> Page<N> {
    let total = items.len();
    let mut start = 0;
    let mut end = total;
    if let Some(after) = args.after {
        start = (after as usize).saturating_add(1).min(total);
    }
    if let Some(before) = args.before {
        end = (before as usize).min(total).max(start);
    }
    if let Some(first) = args.first {
        end = end.min(start + first);
    }
    if let Some(last) = args.last {
        start = start.max(end.saturating_sub(last));
    }
    let mut connection = Connection::with_additional_fields(
        start > 0,
        end < total,
        ConnectionFields { total_count: total },
    );
    connection.edges.extend(
        items
            .into_iter()
            .enumerate()
            .skip(start)
            .take(end - start)
            .map(|(index, item)| Edge::new(Cursor(index as u64), node(item))),
    );
    connection
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(
        after: Option<u64>,
        before: Option<u64>,
        first: Option<usize>,
        last: Option<usize>,
    ) -> (Vec<i32>, bool, bool) {
        let args = PageArgs {
            after,
            before,
            first,
            last,
        };
        let c = paginate((0..10).collect(), args, |n: i32| n);
        (
            c.edges.iter().map(|e| e.node).collect(),
            c.has_previous_page,
            c.has_next_page,
        )
    }

    #[test]
    fn pages_follow_the_relay_rules() {
        assert_eq!(
            page(None, None, Some(3), None),
            (vec![0, 1, 2], false, true)
        );
        assert_eq!(
            page(Some(2), None, Some(3), None),
            (vec![3, 4, 5], true, true)
        );
        assert_eq!(page(None, None, None, Some(2)), (vec![8, 9], true, false));
        assert_eq!(page(None, Some(5), None, Some(2)), (vec![3, 4], true, true));
        assert_eq!(page(Some(1), Some(4), None, None), (vec![2, 3], true, true));
        assert_eq!(page(Some(9), None, Some(5), None), (vec![], true, false));
        assert_eq!(page(Some(50), None, Some(5), None), (vec![], true, false));
        assert_eq!(page(None, None, Some(0), None), (vec![], false, true));
    }

    #[test]
    fn counts_over_the_cap_and_foreign_cursors_are_refused() {
        assert!(PageArgs::new(None, None, Some(101), None).is_err());
        assert!(PageArgs::new(None, None, None, Some(-1)).is_err());
        assert!(PageArgs::new(Some("bogus".into()), None, None, None).is_err());
        let cursor = Cursor(7).encode_cursor();
        assert_eq!(
            PageArgs::new(Some(cursor), None, None, None)
                .map(|a| a.after)
                .ok(),
            Some(Some(7))
        );
        assert_eq!(
            PageArgs::new(None, None, None, None).map(|a| a.first).ok(),
            Some(Some(100))
        );
    }
}
