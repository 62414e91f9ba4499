//! Writing skills.

use entity::skill;
use sea_orm::ActiveValue::Set;

use super::items::{Rules, Unique, item_inputs, item_mutations};
use crate::domain::rules;
use crate::domain::validate::Checker;
use crate::graphql::enums::SkillCategory;
use crate::graphql::skill::Skill;

item_inputs! {
    /// A new skill, appended to the person's list.
    CreateSkillInput
    /// Changes to a skill; fields left out stay as they are.
    UpdateSkillInput
    for skill => SkillGiven {
        /// Unique per person, ignoring case.
        name: String,
        category: SkillCategory,
        #[graphql(default)]
        featured: bool,
        #[graphql(default = true)]
        published: bool,
    }
    derive name_key;
}

impl Rules for SkillGiven<'_> {
    /// Names are unique per person ignoring case; the database says so.
    const UNIQUE: Unique = Unique(Some((
        "input.name",
        "the person already has a skill of this name (names are compared ignoring case)",
    )));

    fn check(&self, c: &mut Checker, _new: bool) {
        rules::skill(c, "input", self.name);
    }
}

/// The column that makes names unique ignoring case follows the name.
fn name_key(row: &mut skill::ActiveModel) {
    if let Some(name) = row.name.try_as_ref() {
        row.name_key = Set(name.to_lowercase());
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
