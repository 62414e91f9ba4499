//! Writing spoken languages.

use async_graphql::MaybeUndefined;
use entity::language;
use sea_orm::ActiveValue::Set;

use super::common::{maybe, set, trimmed};
use super::items::{ItemPatch, NewItem, item_inputs, item_mutations};
use crate::domain::rules;
use crate::domain::validate::Checker;
use crate::graphql::profile::Language;

item_inputs! {
    /// A new spoken language, appended to the person's list.
    CreateLanguageInput {
        pub name: String,
        pub fluency: Option<String>,
        #[graphql(default = true)]
        pub published: bool,
    }
    /// Changes to a language; left out stays, `null` clears.
    UpdateLanguageInput {
        pub name: Option<String>,
        pub fluency: MaybeUndefined<String>,
        pub published: Option<bool>,
    }
}

impl NewItem for CreateLanguageInput {
    type Entity = language::Entity;

    fn check(&self, c: &mut Checker) {
        rules::language(c, "input", Some(&self.name), self.fluency.as_deref());
    }

    fn row(self) -> language::ActiveModel {
        language::ActiveModel {
            name: Set(self.name.trim().to_owned()),
            fluency: Set(self.fluency),
            published: Set(self.published),
            ..Default::default()
        }
    }
}

impl ItemPatch for UpdateLanguageInput {
    type Entity = language::Entity;

    fn check(&self, c: &mut Checker) {
        let fluency = self.fluency.value().map(String::as_str);
        rules::language(c, "input", self.name.as_deref(), fluency);
    }

    fn changes(&self, _: &language::Model, _: &mut Checker) -> language::ActiveModel {
        language::ActiveModel {
            fluency: maybe(self.fluency.clone()),
            name: set(trimmed(&self.name)),
            published: set(self.published),
            ..Default::default()
        }
    }
}

item_mutations! {
    /// Mutations of spoken languages.
    LanguageMutation for language => Language;
    /// The language as saved.
    LanguagePayload {
        /// The language as it is now.
        language
    }
    /// Adds a spoken language at the end of the person's list.
    create_language(CreateLanguageInput);
    /// Changes a spoken language.
    update_language(UpdateLanguageInput);
    /// Deletes a spoken language.
    delete_language;
    /// Puts a person's languages in a new order.
    reorder_languages;
}
