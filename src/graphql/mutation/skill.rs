//! Writing skills.

use async_graphql::{ID, InputObject};
use entity::skill;
use sea_orm::ActiveValue::Set;

use super::items::{ItemPatch, NewItem, Unique, item_mutations};
use crate::domain::rules;
use crate::domain::validate::Checker;
use crate::graphql::enums::SkillCategory;
use crate::graphql::skill::Skill;

/// A new skill, appended to the person's list.
#[derive(InputObject)]
pub struct CreateSkillInput {
    pub person_id: ID,
    /// Unique per person, ignoring case.
    pub name: String,
    pub category: SkillCategory,
    #[graphql(default)]
    pub featured: bool,
    #[graphql(default = true)]
    pub published: bool,
}

/// Changes to a skill; fields left out stay as they are.
#[derive(InputObject)]
pub struct UpdateSkillInput {
    pub id: ID,
    /// The version the change is based on (CONFLICT if no longer current).
    pub expected_version: Option<i32>,
    pub name: Option<String>,
    pub category: Option<SkillCategory>,
    pub featured: Option<bool>,
    pub published: Option<bool>,
}

/// Names are unique per person ignoring case; the database says so.
const SKILL_TAKEN: Unique = Unique(Some((
    "input.name",
    "the person already has a skill of this name (names are compared ignoring case)",
)));

impl NewItem for CreateSkillInput {
    type Entity = skill::Entity;
    const UNIQUE: Unique = SKILL_TAKEN;

    fn person_id(&self) -> &ID {
        &self.person_id
    }

    fn check(&self, c: &mut Checker) {
        rules::skill(c, "input", Some(&self.name));
    }

    fn row(self) -> skill::ActiveModel {
        let name = self.name.trim().to_owned();
        skill::ActiveModel {
            name_key: Set(name.to_lowercase()),
            name: Set(name),
            category: Set(self.category.into()),
            featured: Set(self.featured),
            published: Set(self.published),
            ..Default::default()
        }
    }
}

impl ItemPatch for UpdateSkillInput {
    type Entity = skill::Entity;
    const UNIQUE: Unique = SKILL_TAKEN;

    fn id(&self) -> &ID {
        &self.id
    }

    fn expected_version(&self) -> Option<i32> {
        self.expected_version
    }

    fn check(&self, c: &mut Checker) {
        rules::skill(c, "input", self.name.as_deref());
    }

    fn changes(&self, _: &skill::Model, _: &mut Checker) -> skill::ActiveModel {
        let mut changes = skill::ActiveModel::default();
        if let Some(name) = &self.name {
            changes.name = Set(name.trim().to_owned());
            changes.name_key = Set(name.trim().to_lowercase());
        }
        if let Some(category) = self.category {
            changes.category = Set(category.into());
        }
        if let Some(featured) = self.featured {
            changes.featured = Set(featured);
        }
        if let Some(published) = self.published {
            changes.published = Set(published);
        }
        changes
    }
}

item_mutations! {
    /// Mutations of skills.
    SkillMutation for skill => Skill;
    /// The skill as saved.
    SkillPayload {
        /// The skill as it is now.
        skill
    }
    /// Adds a skill at the end of the person's list.
    create_skill(CreateSkillInput);
    /// Changes a skill.
    update_skill(UpdateSkillInput);
    /// Deletes a skill (and its links to achievements).
    delete_skill;
    /// Puts a person's skills in a new order.
    reorder_skills;
}
