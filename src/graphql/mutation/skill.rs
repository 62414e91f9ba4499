//! Writing skills.

use entity::skill;
use sea_orm::ActiveValue::Set;

use super::common::{set, trimmed};
use super::items::{ItemPatch, NewItem, Unique, item_inputs, item_mutations};
use crate::domain::rules;
use crate::domain::validate::Checker;
use crate::graphql::enums::SkillCategory;
use crate::graphql::skill::Skill;

item_inputs! {
    /// A new skill, appended to the person's list.
    CreateSkillInput {
        /// Unique per person, ignoring case.
        pub name: String,
        pub category: SkillCategory,
        #[graphql(default)]
        pub featured: bool,
        #[graphql(default = true)]
        pub published: bool,
    }
    /// Changes to a skill; fields left out stay as they are.
    UpdateSkillInput {
        pub name: Option<String>,
        pub category: Option<SkillCategory>,
        pub featured: Option<bool>,
        pub published: Option<bool>,
    }
}

/// Names are unique per person ignoring case; the database says so.
const SKILL_TAKEN: Unique = Unique(Some((
    "input.name",
    "the person already has a skill of this name (names are compared ignoring case)",
)));

impl NewItem for CreateSkillInput {
    type Entity = skill::Entity;
    const UNIQUE: Unique = SKILL_TAKEN;

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

    fn check(&self, c: &mut Checker) {
        rules::skill(c, "input", self.name.as_deref());
    }

    fn changes(&self, _: &skill::Model, _: &mut Checker) -> skill::ActiveModel {
        skill::ActiveModel {
            name: set(trimmed(&self.name)),
            name_key: set(trimmed(&self.name).map(|n| n.to_lowercase())),
            category: set(self.category.map(Into::into)),
            featured: set(self.featured),
            published: set(self.published),
            ..Default::default()
        }
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
