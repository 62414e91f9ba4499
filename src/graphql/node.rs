//! The `Node` interface and `node(id:)` / `nodes(ids:)`: any object by its
//! global id, as Relay clients expect.

use std::future::Future;
use std::sync::Arc;

use async_graphql::{Context, ID, Interface, Object, Result};

use super::ids::{self, NodeType};
use super::loaders;
use super::loaders::*;
use crate::error::{AppError, SharedError};

/// The `Node` interface and `fetch`, one variant and one arm per row of the
/// table of portfolio types.
macro_rules! nodes {
    ($($type:ident => $entity:ident, $module:ident::$object:ident, $by_id:ident, $shape:ident $args:tt;)*) => {
        /// An object with a global id.
        #[derive(Interface)]
        #[graphql(field(
            name = "id",
            ty = "ID",
            desc = "Global id (opaque; resolve with `node(id:)`)."
        ))]
        #[derive(Clone)]
        pub enum Node {
            $($type(super::$module::$object),)*
        }

        /// The object of `node_type` with row `id`, if the viewer may see it.
        async fn fetch(ctx: &Context<'_>, node_type: NodeType, id: i64) -> Result<Option<Node>> {
            let l = loaders(ctx)?;
            Ok(match node_type {
                $(NodeType::$type => nodes!(@ $shape $args l id $by_id)
                    .map(|m| Node::$type(super::$module::$object(m))),)*
            })
        }
    };
    (@owner () $l:ident $id:ident $by_id:ident) => {
        $l.get($by_id($id)).await?
    };
    (@part () $l:ident $id:ident $by_id:ident) => {
        part_of_achievement($l, $l.get($by_id($id)).await?).await?
    };
    (@item ($of:ident, $name:literal, $plural:literal, $max:ident) $l:ident $id:ident $by_id:ident) => {
        visible($l, $l.get($by_id($id)).await?, |m| m.person_id, |m| m.id, |p| $l.rows($of(p))).await?
    };
    (@list ($of:ident, $($list:tt)*) $l:ident $id:ident $by_id:ident) => {
        nodes!(@item ($of, "", "", $of) $l $id $by_id)
    };
    (@item ($of:ident, $name:literal, $plural:literal, $max:ident, seen_by $seen:ident) $l:ident $id:ident $by_id:ident) => {
        visible($l, $l.get($by_id($id)).await?, |m| m.person_id, |m| m.id, |p| $l.$seen(p)).await?
    };
}

super::portfolio_types!(nodes);

/// Looking objects up by global id.
#[derive(Default)]
pub struct NodeQuery;

/// The most ids `nodes` takes at once.
pub const MAX_NODES: usize = 100;

/// `row` if the viewer may see it: its person is visible and the row is in
/// the person's list as the viewer sees it (which leaves out drafts).
async fn visible<M, Fut>(
    l: &Loaders,
    row: Option<M>,
    person_id: impl Fn(&M) -> i64,
    id: impl Fn(&M) -> i64,
    list: impl FnOnce(i64) -> Fut,
) -> Result<Option<M>, SharedError>
where
    Fut: Future<Output = Result<Arc<Vec<M>>, SharedError>>,
{
    let Some(row) = row else { return Ok(None) };
    let person = person_id(&row);
    if l.get(PersonById(person)).await?.is_none() {
        return Ok(None);
    }
    let listed = list(person).await?;
    Ok(listed.iter().any(|m| id(m) == id(&row)).then_some(row))
}

/// `metric` if the viewer may see its achievement.
async fn part_of_achievement(
    l: &Loaders,
    metric: Option<entity::metric::Model>,
) -> Result<Option<entity::metric::Model>, SharedError> {
    let Some(metric) = metric else {
        return Ok(None);
    };
    let achievement = Some(metric.achievement_id);
    let shown = visible(
        l,
        achievement,
        |_| metric.person_id,
        |a| *a,
        |p| async move {
            Ok(Arc::new(
                l.achievements(p).await?.iter().map(|a| a.id).collect(),
            ))
        },
    )
    .await?;
    Ok(shown.map(|_| metric))
}

#[Object]
impl NodeQuery {
    /// The object with this global id, or null when it does not exist.
    async fn node(
        &self,
        ctx: &Context<'_>,
        id: ID,
        #[graphql(
            desc = "The locale to answer in (BCP 47, e.g. `en`), for everything beneath this field; without it, the request's `Accept-Language`. Each person answers in the best locale they offer, else their default."
        )]
        locale: Option<String>,
    ) -> Result<Option<Node>> {
        super::locale::choose(ctx, locale.as_deref())?;
        let (node_type, row) = ids::decode("id", &id)?;
        fetch(ctx, node_type, row).await
    }

    /// The objects with these global ids, in the same order; null for each
    /// that does not exist. At most 100 ids; an id given twice is looked up
    /// once.
    #[graphql(complexity = "super::cost::list(ids.len(), child_complexity)")]
    async fn nodes(
        &self,
        ctx: &Context<'_>,
        ids: Vec<ID>,
        #[graphql(
            desc = "The locale to answer in (BCP 47, e.g. `en`), for everything beneath this field; without it, the request's `Accept-Language`. Each person answers in the best locale they offer, else their default."
        )]
        locale: Option<String>,
    ) -> Result<Vec<Option<Node>>> {
        super::locale::choose(ctx, locale.as_deref())?;
        if ids.len() > MAX_NODES {
            return Err(AppError::bad_input(
                "ids",
                format!("at most {MAX_NODES} ids at once, got {}", ids.len()),
            )
            .into());
        }
        let decoded = ids
            .iter()
            .enumerate()
            .map(|(i, id)| ids::decode(&format!("ids[{i}]"), id))
            .collect::<Result<Vec<_>, AppError>>()?;
        let mut distinct = decoded.clone();
        distinct.sort_unstable();
        distinct.dedup();
        // All lookups start together, so the loaders batch them per type.
        let lookups = distinct
            .iter()
            .map(|&(node_type, row)| fetch(ctx, node_type, row));
        let found = futures::future::try_join_all(lookups).await?;
        let found: std::collections::HashMap<_, _> = distinct.into_iter().zip(found).collect();
        Ok(decoded
            .iter()
            .map(|key| found.get(key).cloned().flatten())
            .collect())
    }
}
