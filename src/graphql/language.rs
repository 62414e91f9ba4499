//! A spoken language: one of the person's simple lists. Everything of the
//! type is here: its cap and the rules of its fields, its translatable
//! texts, how it is stored, its GraphQL type and its mutations.

use super::object::portfolio_object;
use crate::document::{LanguageDoc, LanguageText, ListItem, has};
use crate::domain::limits::{SHORT_TEXT, SKILL_NAME};
use crate::domain::texts::{Shape, TextField};
use crate::domain::validate::Checker;
use crate::graphql::mutation::items::{Rules, item_inputs, item_mutations};
use crate::service::rows::{listed_item, listed_row, stored};

/// The most languages a person may have.
pub const MAX_PER_PERSON: usize = 20;

/// Its translatable fields.
pub const TEXTS: &[TextField] = &[
    ("name", Shape::Line(SKILL_NAME)),
    ("fluency", Shape::Line(SHORT_TEXT)),
];

/// The rules of a language's fields under `path`; `None` is a field not
/// given.
pub fn rules(c: &mut Checker, path: &str, name: Option<&str>, fluency: Option<&str>) {
    c.optional_text(&format!("{path}.name"), name, SKILL_NAME);
    c.optional_text(&format!("{path}.fluency"), fluency, SHORT_TEXT);
}

impl ListItem for LanguageDoc {
    const MAX_PER_PERSON: usize = MAX_PER_PERSON;

    fn check(&self, c: &mut Checker, path: &str) {
        rules(c, path, Some(&self.name), self.fluency.as_deref());
    }

    fn check_text(&self, c: &mut Checker, path: &str, text: &LanguageText) {
        has(c, path, "fluency", &text.fluency, &self.fluency);
        rules(c, path, text.name.as_deref(), text.fluency.as_deref());
    }
}

stored! {
    LanguageDoc in language,
    row: |l, place| listed_row!(language, l, place, {
        name: l.name.clone(),
        fluency: l.fluency.clone(),
    }),
    read: |l| listed_item!(LanguageDoc, language, l, {
        name: l.name.clone(),
        fluency: l.fluency.clone(),
    }),
}

portfolio_object! {
    /// A spoken language.
    Language(language) {
        /// The language, e.g. "영어".
        text name;
        /// How well, in the person's words, e.g. "비즈니스 회화 가능".
        optional fluency;

        /// Whose language this is.
        owner;
        localized "language";
        published;
        stamps;
    }
}

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
        rules(c, "input", self.name, self.fluency);
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
