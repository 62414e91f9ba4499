//! What a field costs in the complexity limit: every list is priced by how
//! many items it can hold, so that no nesting of lists multiplies unpriced.
//!
//! async-graphql prices a field at 1 plus its children, whatever it returns;
//! a plain list of objects nested in another (`roles { skills { roles {
//! skills ... } } }`) therefore costs as little as a single object while
//! answering the product of the lists' lengths. Here:
//!
//! - a connection costs its page size (`first`/`last`, else the default
//!   page) times its children, and never more items than its parent can
//!   hold;
//! - a plain list costs the most items it can hold times its children; the
//!   maxima are the portfolio's own limits, enforced on every write
//!   ([`crate::domain::limits`]);
//! - a field that assembles a whole portfolio (`jsonResume`) costs what
//!   selecting all of it would.
//!
//! Every sum is capped far below `usize::MAX`, so that async-graphql's sums
//! of sibling costs cannot overflow however a hostile query nests.

use super::connection::MAX_PAGE_SIZE;
use crate::domain::limits;

/// No cost exceeds this (the sums of siblings stay far from overflowing).
const CAP: usize = 1_000_000_000_000;

/// A connection: `first` or `last` (the default page when neither is
/// given), at most `most` items, times the cost of one item.
pub fn page(first: Option<i32>, last: Option<i32>, most: usize, child_complexity: usize) -> usize {
    let size = first
        .or(last)
        .unwrap_or(MAX_PAGE_SIZE)
        .clamp(1, MAX_PAGE_SIZE) as usize;
    list(size.min(most), child_complexity)
}

/// A plain list of at most `most` items, each costing `child_complexity`
/// (a list of scalars: `child_complexity` 0, one per item).
pub fn list(most: usize, child_complexity: usize) -> usize {
    most.saturating_mul(child_complexity.clamp(1, CAP))
        .saturating_add(1)
        .min(CAP)
}

/// `jsonResume`: a whole published portfolio, every row of every table.
pub fn json_resume() -> usize {
    let achievement = 8
        + limits::MAX_METRICS_PER_ACHIEVEMENT * 4
        + limits::MAX_LINKS_PER_ITEM * 3
        + limits::MAX_SKILLS_PER_ACHIEVEMENT
        + 2 * limits::MAX_LIST_ITEMS;
    let portfolio = 20
        + limits::MAX_PROFILE_LINKS_PER_PERSON * 3
        + limits::MAX_SKILLS_PER_PERSON * 3
        + limits::MAX_ROLES_PER_PERSON * 10
        + limits::MAX_ACTIVITIES_PER_PERSON * (10 + limits::MAX_LIST_ITEMS)
        + super::education::MAX_PER_PERSON * 6
        + super::language::MAX_PER_PERSON * 2
        + limits::MAX_ACHIEVEMENTS_PER_PERSON * achievement;
    portfolio.min(CAP)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_plain_lists_multiply() {
        let inner = list(limits::MAX_ROLES_PER_PERSON, 1);
        let outer = list(limits::MAX_SKILLS_PER_PERSON, inner);
        assert!(outer > limits::MAX_SKILLS_PER_PERSON * limits::MAX_ROLES_PER_PERSON);
    }

    #[test]
    fn a_page_never_costs_more_items_than_its_parent_can_hold() {
        assert_eq!(page(None, None, 50, 2), 101);
        assert_eq!(page(Some(10), None, 50, 2), 21);
        assert_eq!(page(None, Some(1000), 500, 1), 101);
    }

    #[test]
    fn costs_saturate_instead_of_overflowing() {
        assert_eq!(list(usize::MAX, usize::MAX), CAP);
    }
}

#[cfg(test)]
mod schema_costs {
    use async_graphql::extensions::Analyzer;

    /// The complexity async-graphql computes for `query` on our schema.
    async fn complexity_of(query: &str) -> u64 {
        let schema = super::super::schema_builder().extension(Analyzer).finish();
        let response = schema.execute(query).await;
        let analyzer = response
            .extensions
            .get("analyzer")
            .unwrap_or_else(|| panic!("no analysis for {query}: {:?}", response.errors));
        let json = serde_json::to_value(analyzer).expect("serialisable");
        json["complexity"].as_u64().expect("a number")
    }

    #[tokio::test]
    async fn the_playground_query_fits_the_default_complexity() {
        let cost = complexity_of(crate::http::DEFAULT_QUERY).await;
        let limit = crate::config::HttpOptions::default().max_complexity as u64;
        assert!(cost <= limit, "{cost} > {limit}");
    }

    #[tokio::test]
    async fn nested_plain_lists_of_a_person_cost_their_product() {
        let query =
            "{ person(slug: \"x\") { roles { nodes { skills { roles { skills { name } } } } } } }";
        let cost = complexity_of(query).await;
        let limit = crate::config::HttpOptions::default().max_complexity as u64;
        assert!(cost > limit, "{cost} <= {limit}");
    }
}
