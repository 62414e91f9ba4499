//! `Skill`, with its back-links to the achievements and roles that used it.

use async_graphql::{Context, ID, Object, Result};
use chrono::{DateTime, Utc};
use entity::skill;

use super::achievement::Achievement;
use super::connection::{Page, PageArgs, paginate};
use super::enums::SkillCategory;
use super::ids::{self, NodeType};
use super::loaders;
use super::loaders::*;
use super::person::Person;
use super::role::{Role, sort_roles};
use crate::error::AppError;

/// A tool or technology, e.g. "Kubernetes".
pub struct Skill(pub skill::Model);

impl Skill {
    async fn used_by(&self, ctx: &Context<'_>) -> Result<Vec<entity::achievement::Model>> {
        let loaders = loaders(ctx)?;
        let ids = loaders
            .load_one(AchievementIdsOfSkill(self.0.id))
            .await?
            .unwrap_or_default();
        let mut rows: Vec<_> = loaders
            .load_many(ids.into_iter().map(AchievementById))
            .await?
            .into_values()
            .collect();
        rows.sort_by_key(|a| (a.position, a.id));
        Ok(rows)
    }
}

#[Object]
impl Skill {
    /// Global id (opaque; resolve with `node(id:)`).
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::Skill, self.0.id)
    }

    /// Its name, unique per person ignoring case.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// How it is grouped.
    async fn category(&self) -> SkillCategory {
        self.0.category.into()
    }

    /// Part of the person's headline tech stack.
    async fn featured(&self) -> bool {
        self.0.featured
    }

    /// The achievements that used it, in the person's achievement order.
    async fn achievements(
        &self,
        ctx: &Context<'_>,
        after: Option<String>,
        before: Option<String>,
        #[graphql(
            desc = "At most this many from the start (0-100; 100 when neither `first` nor `last` is given)."
        )]
        first: Option<i32>,
        #[graphql(desc = "At most this many from the end (0-100).")] last: Option<i32>,
    ) -> Result<Page<Achievement>> {
        let args = PageArgs::new(after, before, first, last)?;
        Ok(paginate(self.used_by(ctx).await?, args, Achievement))
    }

    /// The roles in which it was used (through their achievements), current
    /// first, then newest first.
    async fn roles(&self, ctx: &Context<'_>) -> Result<Vec<Role>> {
        let achievements = self.used_by(ctx).await?;
        let role_ids = achievements.iter().filter_map(|a| a.role_id).map(RoleById);
        let mut roles: Vec<_> = loaders(ctx)?
            .load_many(role_ids)
            .await?
            .into_values()
            .collect();
        sort_roles(&mut roles);
        Ok(roles.into_iter().map(Role).collect())
    }

    /// Whose skill this is.
    async fn person(&self, ctx: &Context<'_>) -> Result<Person> {
        let row = loaders(ctx)?.load_one(PersonById(self.0.person_id)).await?;
        row.map(Person)
            .ok_or_else(|| AppError::internal(format!("skill {} has no person", self.0.id)).into())
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
