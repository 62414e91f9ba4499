//! The shape of the native document. Field names are the file's keys; every
//! table rejects unknown keys so that a typo is reported, not ignored.
//! Empty lists and absent optional values are left out when writing.
//!
//! Every item with text may carry `translations`: a table per locale (a
//! BCP 47 tag the person offers, see [`PersonDoc::locales`]) holding the
//! same keys as the item's text fields, each optional. Their types are
//! the `*Text` structs below; the database keeps them, key for key, in the
//! item's `translations` column ([`crate::domain::locale::Translations`]).

use std::collections::BTreeMap;

use entity::enums::{
    ActivityKind, EducationStatus, EmploymentType, ProfileLinkKind, ReferenceKind, SkillCategory,
};
use serde::{Deserialize, Serialize};

use crate::domain::YearMonth;
use crate::domain::validate::Checker;

/// An item's translations: locale tag -> the translated fields.
pub type Localized<T> = BTreeMap<String, T>;

/// The version of the format this program reads and writes.
pub const FORMAT_VERSION: u32 = 1;

/// The person's simple lists: items without children of their own, each
/// kept in a table of its own, in the person's order, and edited one by one.
/// Every list of them (the document's keys, their checks and translations,
/// import, export, the read model's snapshot) is made from this table by a
/// macro that gets its rows, as the GraphQL schema's types are from
/// `portfolio_types!`. Adding such a list means one row here.
///
/// A row: `key: ItemDoc in table;`, `key` being the document's key and the
/// person's field, `table` the item's entity module. Each item type
/// implements [`ListItem`] (its cap and rules) and is stored as one row of
/// its table (`service::rows::Stored`), both next to its GraphQL type.
macro_rules! document_lists {
    ($callback:ident $($state:tt)*) => {
        $callback! { $($state)*
            education: EducationDoc in education;
            languages: LanguageDoc in language;
        }
    };
}
pub(crate) use document_lists;

/// An item of one of the person's simple lists ([`document_lists!`]): how
/// many a person may have, and the rules of its fields, which a document
/// and the mutations are both held to.
pub trait ListItem: Translatable {
    /// The most items of this list a person may have.
    const MAX_PER_PERSON: usize;

    /// Checks the item's own fields under `path` (`languages[2]`).
    fn check(&self, c: &mut Checker, path: &str);

    /// Checks one table of its translations under `path`: each translated
    /// field by the rules of the field, and only fields the item has.
    fn check_text(&self, c: &mut Checker, path: &str, text: &Self::Text);
}

/// An item with a `translations` table per locale.
pub trait Translatable {
    /// Its translated fields.
    type Text: TextTable;
    /// Its translations, by locale tag.
    fn translations(&self) -> &Localized<Self::Text>;
}

/// A `*Text` struct: the translated fields of one item in one locale.
pub trait TextTable {
    /// True when nothing is translated.
    fn is_empty(&self) -> bool;
}

/// The document type, with a key for each simple list after the others.
macro_rules! document {
    ($($key:ident: $doc:ident in $table:ident;)*) => {
        /// A whole portfolio: one person and everything about them.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct PortfolioDocument {
            /// Always [`FORMAT_VERSION`].
            pub format: u32,
            pub person: PersonDoc,
            #[serde(default, skip_serializing_if = "Vec::is_empty")]
            pub links: Vec<ProfileLinkDoc>,
            #[serde(default, skip_serializing_if = "Vec::is_empty")]
            pub skills: Vec<SkillDoc>,
            #[serde(default, skip_serializing_if = "Vec::is_empty")]
            pub roles: Vec<RoleDoc>,
            #[serde(default, skip_serializing_if = "Vec::is_empty")]
            pub activities: Vec<ActivityDoc>,
            $(
                #[serde(default, skip_serializing_if = "Vec::is_empty")]
                pub $key: Vec<$doc>,
            )*
        }

        impl PortfolioDocument {
            /// The portfolio of `person` alone: every list empty.
            pub fn new(person: PersonDoc) -> PortfolioDocument {
                PortfolioDocument {
                    format: FORMAT_VERSION,
                    person,
                    links: Vec::new(),
                    skills: Vec::new(),
                    roles: Vec::new(),
                    activities: Vec::new(),
                    $($key: Vec::new(),)*
                }
            }

            /// Takes the simple lists of `from`, each item as read in the
            /// locale `tag`.
            pub fn lists_in_locale(&mut self, from: &PortfolioDocument, tag: &str) {
                $(self.$key = from.$key.iter().map(|item| item.in_locale(tag)).collect();)*
            }
        }
    };
}

document_lists!(document);

fn default_locale() -> String {
    "en".to_owned()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonDoc {
    pub slug: String,
    /// BCP 47 tag of the language this document's text is written in
    /// (English when left out).
    #[serde(default = "default_locale")]
    pub locale: String,
    /// The other locales the portfolio is offered in; every `translations`
    /// table must be one of them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub locales: Vec<String>,
    pub name: String,
    pub headline: String,
    #[serde(default)]
    pub summary: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
    /// A draft: kept, but shown only to the portfolio's owner.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub draft: bool,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub translations: Localized<PersonText>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileLinkDoc {
    pub kind: ProfileLinkKind,
    pub label: String,
    pub url: String,
    /// A draft: kept, but shown only to the portfolio's owner.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub draft: bool,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub translations: Localized<ProfileLinkText>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SkillDoc {
    pub name: String,
    pub category: SkillCategory,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub featured: bool,
    /// A draft: kept, but shown only to the portfolio's owner.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub draft: bool,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub translations: Localized<SkillText>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleDoc {
    pub organization: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employment_type: Option<EmploymentType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    pub start: YearMonth,
    /// Absent while the role is current.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<YearMonth>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// A draft: kept, but shown only to the portfolio's owner.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub draft: bool,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub translations: Localized<RoleText>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub achievements: Vec<AchievementDoc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AchievementDoc {
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub results: Vec<String>,
    /// Names of entries of the document's `skills`, matched case-insensitively.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skills: Vec<String>,
    /// A draft: kept, but shown only to the portfolio's owner.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub draft: bool,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub translations: Localized<AchievementText>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub metrics: Vec<MetricDoc>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<ReferenceDoc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricDoc {
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    pub display: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub translations: Localized<MetricText>,
}

/// A talk, post or other work about an achievement or activity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReferenceDoc {
    pub kind: ReferenceKind,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// For a talk: the event or meetup where it was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
    /// For a post or article: who published it (whose blog).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publisher: Option<String>,
    /// When it was given or published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<YearMonth>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub translations: Localized<ReferenceText>,
}

impl ReferenceDoc {
    /// A reference with a kind, a title and maybe a URL, nothing else.
    pub fn new(kind: ReferenceKind, title: String, url: Option<String>) -> ReferenceDoc {
        ReferenceDoc {
            kind,
            title,
            url,
            event: None,
            publisher: None,
            date: None,
            translations: BTreeMap::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActivityDoc {
    pub kind: ActivityKind,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<YearMonth>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<YearMonth>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub highlights: Vec<String>,
    /// For an award: the `title` of the activity of this document it was
    /// given for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub awarded_for: Option<String>,
    /// A draft: kept, but shown only to the portfolio's owner.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub draft: bool,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub translations: Localized<ActivityText>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<ReferenceDoc>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub achievements: Vec<AchievementDoc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EducationDoc {
    pub institution: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub degree: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<YearMonth>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<YearMonth>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<EducationStatus>,
    /// A draft: kept, but shown only to the portfolio's owner.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub draft: bool,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub translations: Localized<EducationText>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LanguageDoc {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fluency: Option<String>,
    /// A draft: kept, but shown only to the portfolio's owner.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub draft: bool,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub translations: Localized<LanguageText>,
}

/// Declares the translatable fields of one item type: each optional, with
/// the item's own key; a key the item does not have is refused. The item
/// gets [`in_locale`](PersonDoc::in_locale), which reads it in a locale.
macro_rules! texts {
    ($(#[$doc:meta])* $name:ident for $item:ident { $($field:ident: $ty:ty),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            $(
                #[serde(default, skip_serializing_if = "Option::is_none")]
                pub $field: Option<$ty>,
            )+
        }

        impl $name {
            /// True when nothing is translated.
            pub fn is_empty(&self) -> bool {
                true $(&& self.$field.is_none())+
            }
        }

        impl TextTable for $name {
            fn is_empty(&self) -> bool {
                $name::is_empty(self)
            }
        }

        impl Translatable for $item {
            type Text = $name;
            fn translations(&self) -> &Localized<$name> {
                &self.translations
            }
        }

        impl $item {
            /// The item as read in the locale `tag`: each text in its
            /// translation where there is one, else its own; no
            /// translations left. Its children are left as they are.
            pub fn in_locale(&self, tag: &str) -> $item {
                let mut item = self.clone();
                let translations = std::mem::take(&mut item.translations);
                if let Some(text) = translations.get(tag) {
                    $(Translated::translate(&mut item.$field, text.$field.as_ref());)+
                }
                item
            }
        }
    };
}

/// A field a translation stands in for.
trait Translated<T> {
    /// Takes `text`'s place when there is one.
    fn translate(&mut self, text: Option<&T>);
}

impl<T: Clone> Translated<T> for T {
    fn translate(&mut self, text: Option<&T>) {
        if let Some(text) = text {
            self.clone_from(text);
        }
    }
}

/// An optional field stays left out, translated or not.
impl<T: Clone> Translated<T> for Option<T> {
    fn translate(&mut self, text: Option<&T>) {
        if let (Some(own), Some(text)) = (self.as_mut(), text) {
            own.clone_from(text);
        }
    }
}

texts! {
    /// A person's translated fields.
    PersonText for PersonDoc { name: String, headline: String, summary: Vec<String>, location: String }
}
texts! {
    /// A profile link's translated label.
    ProfileLinkText for ProfileLinkDoc { label: String }
}
texts! {
    /// A skill's translated name.
    SkillText for SkillDoc { name: String }
}
texts! {
    /// A role's translated fields.
    RoleText for RoleDoc { organization: String, title: String, department: String, location: String, summary: String }
}
texts! {
    /// An achievement's translated fields (lists item for item).
    AchievementText for AchievementDoc { title: String, context: String, actions: Vec<String>, results: Vec<String> }
}
texts! {
    /// A metric's translated label and wording.
    MetricText for MetricDoc { label: String, display: String }
}
texts! {
    /// A reference's translated title, event and publisher.
    ReferenceText for ReferenceDoc { title: String, event: String, publisher: String }
}
texts! {
    /// An activity's translated fields.
    ActivityText for ActivityDoc { title: String, organization: String, description: String, highlights: Vec<String> }
}
texts! {
    /// A course of study's translated fields.
    EducationText for EducationDoc { institution: String, degree: String, field: String }
}
texts! {
    /// A spoken language's translated name and fluency.
    LanguageText for LanguageDoc { name: String, fluency: String }
}
