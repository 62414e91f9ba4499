//! `Skill`, with its back-links to the achievements and roles that used it.

use std::collections::HashSet;

use async_graphql::{Context, Result};

use super::achievement::Achievement;
use super::enums::SkillCategory;
use super::loaders;
use super::loaders::*;
use super::object::portfolio_object;
use super::role::{Role, sort_roles};
use crate::domain::limits;

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

portfolio_object! {
    /// A tool or technology, e.g. "Kubernetes".
    Skill(skill) {
        /// Its name, unique per person ignoring case.
        text name;

        /// How it is grouped.
        enum category: SkillCategory;

        /// `category` as shown to readers, in the locale served
        /// ("Observability", "관측 가능성").
        label category_label(category: SkillCategory);

        /// Part of the person's headline tech stack.
        async fn featured(&self) -> bool {
            self.0.featured
        }

        /// The achievements that used it, in the person's achievement order.
        page(limits::MAX_ACHIEVEMENTS_PER_PERSON)
        async fn achievements(&self, ctx: &Context<'_>) -> Achievement {
            self.used_by(ctx).await?
        }

        /// The roles in which it was used (through their achievements), current
        /// first, then newest first.
        list(limits::MAX_ROLES_PER_PERSON)
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
        owner;
        localized "skill";
        published;
        stamps;
    }
}
