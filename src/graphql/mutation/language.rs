//! Writing spoken languages.

use super::items::{Rules, item_inputs, item_mutations};
use crate::domain::rules;
use crate::domain::validate::Checker;
use crate::graphql::profile::Language;

item_inputs! {
    /// A new spoken language, appended to the person's list.
    CreateLanguageInput
    /// Changes to a language; left out stays, `null` clears.
    UpdateLanguageInput
    for language => LanguageGiven {
        name: String,
        fluency: Option<String>,
        #[graphql(default = true)]
        published: bool,
    }
}

impl Rules for LanguageGiven<'_> {
    fn check(&self, c: &mut Checker, _new: bool) {
        rules::language(c, "input", self.name, self.fluency);
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
