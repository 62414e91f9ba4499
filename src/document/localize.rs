//! A document's translations: to and from the `translations` columns, and
//! the document as read in one locale.
//!
//! The database keeps an item's translations as the JSON of
//! [`Translations`] (locale -> field -> text), whose field names are the
//! document's keys: the typed `*Text` tables of the document serialise to
//! exactly that, so the conversion is a serde round trip.

use serde::{Serialize, de::DeserializeOwned};

use super::model::*;
use crate::domain::Locale;
use crate::domain::locale::Translations;

/// The value of a `translations` column for an item's tables: null when
/// nothing is translated.
pub fn to_column<T: Serialize>(translations: &Localized<T>) -> Option<String> {
    let value = serde_json::to_value(translations)
        .unwrap_or_else(|err| unreachable!("translated texts always serialise: {err}"));
    let column: Translations = serde_json::from_value(value)
        .unwrap_or_else(|err| unreachable!("translated texts are texts or lists of texts: {err}"));
    column.encode()
}

/// An item's tables from its `translations` column. A column this type
/// cannot read (a field the item does not have, malformed JSON) is an
/// error naming why.
pub fn from_column<T: DeserializeOwned>(column: Option<&str>) -> Result<Localized<T>, String> {
    let translations = Translations::decode(column).map_err(|err| err.to_string())?;
    let kept: Translations = Translations(
        translations
            .0
            .into_iter()
            .filter(|(_, fields)| !fields.is_empty())
            .collect(),
    );
    let value = serde_json::to_value(&kept).map_err(|err| err.to_string())?;
    serde_json::from_value(value).map_err(|err| err.to_string())
}

/// The document as read in `locale`: every text in its translation where
/// there is one, else in the document's own locale (field by field); no
/// translations left, and `locale` as the document's locale. Achievements
/// name their skills and awards their activities by the names and titles
/// of that locale, so the result is itself a valid document.
pub fn localize(doc: &PortfolioDocument, locale: &Locale) -> PortfolioDocument {
    let tag = locale.as_str();
    let skill_name = |name: &str| -> String {
        doc.skills
            .iter()
            .find(|s| s.name.eq_ignore_ascii_case(name))
            .and_then(|s| s.translations.get(tag)?.name.clone())
            .unwrap_or_else(|| name.to_owned())
    };
    let references = |links: &[ReferenceDoc]| each(links, |r| r.in_locale(tag));
    let achievements = |list: &[AchievementDoc]| {
        each(list, |a| AchievementDoc {
            skills: each(&a.skills, |s| skill_name(s)),
            metrics: each(&a.metrics, |m| m.in_locale(tag)),
            links: references(&a.links),
            ..a.in_locale(tag)
        })
    };
    let activity_title = |a: &ActivityDoc| -> String {
        a.translations
            .get(tag)
            .and_then(|t| t.title.clone())
            .unwrap_or_else(|| a.title.clone())
    };
    let mut localized = PortfolioDocument {
        format: doc.format,
        links: each(&doc.links, |l| l.in_locale(tag)),
        skills: each(&doc.skills, |s| SkillDoc {
            name: skill_name(&s.name),
            ..s.in_locale(tag)
        }),
        roles: each(&doc.roles, |r| RoleDoc {
            achievements: achievements(&r.achievements),
            ..r.in_locale(tag)
        }),
        activities: each(&doc.activities, |a| ActivityDoc {
            awarded_for: a.awarded_for.as_ref().map(|target| {
                doc.activities
                    .iter()
                    .find(|x| &x.title == target)
                    .map_or_else(|| target.clone(), activity_title)
            }),
            links: references(&a.links),
            achievements: achievements(&a.achievements),
            ..a.in_locale(tag)
        }),
        ..PortfolioDocument::new(PersonDoc {
            locale: tag.to_owned(),
            locales: Vec::new(),
            ..doc.person.in_locale(tag)
        })
    };
    localized.lists_in_locale(doc, tag);
    localized
}

/// `f` of every item of a list.
fn each<T, U>(items: &[T], f: impl FnMut(&T) -> U) -> Vec<U> {
    items.iter().map(f).collect()
}
