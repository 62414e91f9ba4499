//! `Activity`: community, open source, talks, awards, competitions, study groups.

use async_graphql::{Context, ID, Object, Result};
use chrono::{DateTime, Utc};
use entity::activity;

use super::achievement::{Achievement, Reference, references};
use super::enums::ActivityKind;
use super::ids::{self, NodeType};
use super::loaders;
use super::loaders::*;
use super::person::Person;
use crate::domain::YearMonth;
use crate::error::AppError;
use crate::service::codec::{decode, optional_month as month};

#[derive(Clone)]
pub struct Activity(pub activity::Model);

/// Something done outside a role.
#[Object(cache_control(max_age = 60))]
impl Activity {
    /// Global id (opaque; resolve with `node(id:)`).
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::Activity, self.0.id)
    }

    /// Community, open source, award, ...
    async fn kind(&self) -> ActivityKind {
        self.0.kind.into()
    }

    /// Its name, e.g. "Argo Workflows 오픈소스 기여".
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// The organization behind it, e.g. "AWSKRUG".
    async fn organization(&self) -> Option<&str> {
        self.0.organization.as_deref()
    }

    /// First month, when known.
    async fn start(&self) -> Result<Option<YearMonth>> {
        Ok(month("activity.start_ym", self.0.start_ym)?)
    }

    /// Last month, when known.
    async fn end(&self) -> Result<Option<YearMonth>> {
        Ok(month("activity.end_ym", self.0.end_ym)?)
    }

    /// The year, when only the year is known.
    async fn year(&self) -> Option<i32> {
        self.0.year
    }

    /// What it was.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    /// Notable points, in order.
    #[graphql(
        complexity = "super::cost::list(crate::domain::limits::MAX_LIST_ITEMS, child_complexity)"
    )]
    async fn highlights(&self) -> Result<Vec<String>> {
        Ok(decode("activity.highlights", &self.0.highlights)?)
    }

    /// Talks and posts it produced.
    #[graphql(
        complexity = "super::cost::list(crate::domain::limits::MAX_LINKS_PER_ITEM, child_complexity)"
    )]
    async fn links(&self) -> Result<Vec<Reference>> {
        Ok(references("activity.links", &self.0.links)?)
    }

    /// Measured results of the activity, like a competition rank.
    #[graphql(
        complexity = "super::cost::list(crate::domain::limits::MAX_ACHIEVEMENTS_PER_PARENT, child_complexity)"
    )]
    async fn achievements(&self, ctx: &Context<'_>) -> Result<Vec<Achievement>> {
        let rows = loaders(ctx)?.achievements(self.0.person_id).await?;
        Ok(rows
            .iter()
            .filter(|a| a.activity_id == Some(self.0.id))
            .cloned()
            .map(Achievement)
            .collect())
    }

    /// Whose activity this is.
    async fn person(&self, ctx: &Context<'_>) -> Result<Person> {
        let row = loaders(ctx)?.get(PersonById(self.0.person_id)).await?;
        row.map(Person).ok_or_else(|| {
            AppError::internal(format!("activity {} has no person", self.0.id)).into()
        })
    }

    /// False for a draft, which only the portfolio's owner sees.
    async fn published(&self) -> bool {
        self.0.published
    }

    /// Incremented on every change.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When it was last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}
