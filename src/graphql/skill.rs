//! `Skill`, with its back-links to the achievements and roles that used it.

use std::collections::HashSet;

use std::borrow::Cow;

use async_graphql::{Context, ID, Object, Result};
use chrono::{DateTime, Utc};
use entity::skill;

use super::achievement::Achievement;
use super::connection::{Page, PageArgs, paginate};
use super::cost;
use super::enums::SkillCategory;
use super::ids::{self, NodeType};
use super::loaders;
use super::loaders::*;
use super::locale::{self, Localizer, Translation, translations};
use super::person::Person;
use super::role::{Role, sort_roles};
use crate::error::AppError;

#[derive(Clone)]
pub struct Skill(pub skill::Model);

impl Skill {
    async fn used_by(&self, ctx: &Context<'_>) -> Result<Vec<entity::achievement::Model>> {
        let loaders = loaders(ctx)?;
        let links = loaders.rows(SkillLinksOf(self.0.person_id)).await?;
        let ids: HashSet<i64> = links
            .iter()
            .filter(|link| link.skill_id == self.0.id)
            .map(|link| link.achievement_id)
            .collect();
        let achievements = loaders.achievements(self.0.person_id).await?;
        Ok(achievements
            .iter()
            .filter(|a| ids.contains(&a.id))
            .cloned()
            .collect())
    }
}

/// A tool or technology, e.g. "Kubernetes".
#[Object(cache_control(max_age = 60))]
impl Skill {
    /// Global id (opaque; resolve with `node(id:)`).
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::Skill, self.0.id)
    }

    /// Its name, unique per person ignoring case.
    async fn name(&self, ctx: &Context<'_>) -> Result<Cow<'_, str>> {
        Ok(Localizer::of(ctx, &self.0)
            .await?
            .text("name", &self.0.name))
    }

    /// How it is grouped.
    async fn category(&self) -> SkillCategory {
        self.0.category.into()
    }

    /// `category` as shown to readers, in the locale served
    /// ("Observability", "관측 가능성").
    async fn category_label(&self, ctx: &Context<'_>) -> Result<&'static str> {
        let speech = locale::speech(ctx, self.0.person_id).await?;
        Ok(SkillCategory::from(self.0.category).label(speech))
    }

    /// Part of the person's headline tech stack.
    async fn featured(&self) -> bool {
        self.0.featured
    }

    /// The achievements that used it, in the person's achievement order.
    #[graphql(
        complexity = "cost::page(first, last, crate::domain::limits::MAX_ACHIEVEMENTS_PER_PERSON, child_complexity)"
    )]
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
    #[graphql(
        complexity = "cost::list(crate::domain::limits::MAX_ROLES_PER_PERSON, child_complexity)"
    )]
    async fn roles(&self, ctx: &Context<'_>) -> Result<Vec<Role>> {
        let role_ids: HashSet<i64> = self
            .used_by(ctx)
            .await?
            .iter()
            .filter_map(|a| a.role_id)
            .collect();
        let roles = loaders(ctx)?.rows(RolesOf(self.0.person_id)).await?;
        let mut roles: Vec<_> = roles
            .iter()
            .filter(|r| role_ids.contains(&r.id))
            .cloned()
            .collect();
        sort_roles(&mut roles);
        Ok(roles.into_iter().map(Role).collect())
    }

    /// Whose skill this is.
    async fn person(&self, ctx: &Context<'_>) -> Result<Person> {
        let row = loaders(ctx)?.get(PersonById(self.0.person_id)).await?;
        row.map(Person)
            .ok_or_else(|| AppError::internal(format!("skill {} has no person", self.0.id)).into())
    }

    /// Text fields of this skill shown in the person's default locale because
    /// they have no translation in the locale served (empty when the
    /// default locale is served).
    async fn fallbacks(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        Ok(Localizer::of(ctx, &self.0)
            .await?
            .fallbacks(&[("name", true)]))
    }

    /// Every translation of its text, for editors: the text fields hold the
    /// person's default locale, these the others.
    async fn translations(&self) -> Result<Vec<Translation>> {
        Ok(translations(&self.0.translations)?)
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
