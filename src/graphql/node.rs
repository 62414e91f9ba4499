//! The `Node` interface and `node(id:)` / `nodes(ids:)`: any object by its
//! global id, as Relay clients expect.

use async_graphql::{Context, ID, Interface, Object, Result};

use super::achievement::{Achievement, Metric};
use super::activity::Activity;
use super::ids::{self, NodeType};
use super::loaders;
use super::loaders::*;
use super::person::Person;
use super::profile::{Education, Language, ProfileLink};
use super::role::Role;
use super::skill::Skill;
use crate::error::AppError;

/// An object with a global id.
#[derive(Interface)]
#[graphql(field(
    name = "id",
    ty = "ID",
    desc = "Global id (opaque; resolve with `node(id:)`)."
))]
pub enum Node {
    Person(Person),
    ProfileLink(ProfileLink),
    Role(Role),
    Achievement(Achievement),
    Metric(Metric),
    Skill(Skill),
    Activity(Activity),
    Education(Education),
    Language(Language),
}

/// Looking objects up by global id.
#[derive(Default)]
pub struct NodeQuery;

/// The most ids `nodes` takes at once.
pub const MAX_NODES: usize = 100;

async fn fetch(ctx: &Context<'_>, node_type: NodeType, id: i64) -> Result<Option<Node>> {
    let l = loaders(ctx)?;
    Ok(match node_type {
        NodeType::Person => l
            .get(PersonById(id))
            .await?
            .map(|m| Node::Person(Person(m))),
        NodeType::ProfileLink => l
            .get(ProfileLinkById(id))
            .await?
            .map(|m| Node::ProfileLink(ProfileLink(m))),
        NodeType::Role => l.get(RoleById(id)).await?.map(|m| Node::Role(Role(m))),
        NodeType::Achievement => l
            .get(AchievementById(id))
            .await?
            .map(|m| Node::Achievement(Achievement(m))),
        NodeType::Metric => l
            .get(MetricById(id))
            .await?
            .map(|m| Node::Metric(Metric(m))),
        NodeType::Skill => l.get(SkillById(id)).await?.map(|m| Node::Skill(Skill(m))),
        NodeType::Activity => l
            .get(ActivityById(id))
            .await?
            .map(|m| Node::Activity(Activity(m))),
        NodeType::Education => l
            .get(EducationById(id))
            .await?
            .map(|m| Node::Education(Education(m))),
        NodeType::Language => l
            .get(LanguageById(id))
            .await?
            .map(|m| Node::Language(Language(m))),
    })
}

#[Object]
impl NodeQuery {
    /// The object with this global id, or null when it does not exist.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Node>> {
        let (node_type, row) = ids::decode("id", &id)?;
        fetch(ctx, node_type, row).await
    }

    /// The objects with these global ids, in the same order; null for each
    /// that does not exist. At most 100 ids.
    async fn nodes(&self, ctx: &Context<'_>, ids: Vec<ID>) -> Result<Vec<Option<Node>>> {
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
        // All lookups start together, so the loaders batch them per type.
        let lookups = decoded
            .into_iter()
            .map(|(node_type, row)| fetch(ctx, node_type, row));
        futures::future::try_join_all(lookups).await
    }
}
