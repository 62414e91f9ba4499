//! Which locale each part of an answer is served in.
//!
//! A reader chooses with the `locale` argument of a root field (`person`,
//! `people`, `node`, `nodes`), which holds for everything beneath that
//! field, or else with the request's `Accept-Language`. Each person's part
//! of the answer is then served in the best locale that person offers
//! ([`Preferences::choose`]), and each text field falls back on its own to
//! the person's default locale where it has no translation (`fallbacks`
//! names those fields).
//!
//! Without any preference, text comes straight from the item's columns: no
//! lookup, no parsing.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, PoisonError};

use async_graphql::{Context, SimpleObject};
use entity::person;

use super::loaders;
use super::loaders::PersonById;
use crate::domain::locale::{Text, Translations};
use crate::domain::{Locale, Preferences, Speech};
use crate::error::{AppError, AppResult};
use crate::service::codec::decode;

/// The locale choices of one request, put into its data by the HTTP layer.
#[derive(Default)]
pub struct LocaleChoice {
    /// From `Accept-Language`; empty without the header.
    accept: Preferences,
    /// Root field (by response key) -> its `locale` argument.
    roots: Mutex<HashMap<String, Preferences>>,
    /// Persons whose rows this request has read: their default and other
    /// locales.
    known: Mutex<HashMap<i64, Arc<Offered>>>,
    /// (preferences, person) -> what is served.
    served: Mutex<HashMap<(Preferences, i64), Arc<Served>>>,
    /// Every locale served, for `Content-Language`.
    content: Mutex<BTreeSet<Locale>>,
}

/// The locales a person offers.
#[derive(Debug)]
struct Offered {
    default: Locale,
    others: Vec<Locale>,
}

/// The locale a person's part of an answer is served in.
#[derive(Debug)]
pub struct Served {
    pub locale: Locale,
    pub default: Locale,
}

impl Served {
    /// The language of derived text (durations, months, labels).
    pub fn speech(&self) -> Speech {
        Speech::of(&self.locale)
    }

    fn is_default(&self) -> bool {
        self.locale == self.default
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl LocaleChoice {
    pub fn new(accept: Preferences) -> LocaleChoice {
        LocaleChoice {
            accept,
            ..LocaleChoice::default()
        }
    }

    /// Notes a locale served, and says every locale served so far in the
    /// answer's `Content-Language`.
    fn serving(&self, ctx: &Context<'_>, locale: &Locale) {
        let mut served = lock(&self.content);
        if served.insert(locale.clone()) {
            let all = served
                .iter()
                .map(Locale::as_str)
                .collect::<Vec<_>>()
                .join(", ");
            ctx.insert_http_header(axum::http::header::CONTENT_LANGUAGE, all);
        }
    }

    fn preferences(&self, ctx: &Context<'_>) -> Preferences {
        if let Some(root) = root_key(ctx)
            && let Some(p) = lock(&self.roots).get(root)
        {
            return p.clone();
        }
        self.accept.clone()
    }
}

/// The response key of the root field `ctx` is beneath.
fn root_key<'a>(ctx: &'a Context<'_>) -> Option<&'a str> {
    let mut node = ctx.path_node.as_ref()?;
    while let Some(parent) = node.parent {
        node = parent;
    }
    match node.segment {
        async_graphql::QueryPathSegment::Name(name) => Some(name),
        async_graphql::QueryPathSegment::Index(_) => None,
    }
}

/// Called by each root field with its `locale` argument: checks it and
/// makes it hold for everything beneath the field.
pub fn choose(ctx: &Context<'_>, locale: Option<&str>) -> AppResult<()> {
    let Some(locale) = locale else {
        return Ok(());
    };
    let locale = Locale::parse(locale).map_err(|e| AppError::bad_input("locale", e.to_string()))?;
    if let (Some(choice), Some(root)) = (ctx.data_opt::<LocaleChoice>(), root_key(ctx)) {
        lock(&choice.roots).insert(root.to_owned(), Preferences::exactly(locale));
    }
    Ok(())
}

/// Notes the rows of persons read for the answer, so that what is served
/// for them needs no further lookup.
pub fn known(ctx: &Context<'_>, rows: &[person::Model]) -> AppResult<()> {
    if let Some(choice) = ctx.data_opt::<LocaleChoice>() {
        let preferences = choice.preferences(ctx);
        for row in rows {
            let offered = offered(row)?;
            choice.serving(ctx, preferences.choose(&offered.default, &offered.others));
            lock(&choice.known).insert(row.id, Arc::new(offered));
        }
    }
    Ok(())
}

fn offered(row: &person::Model) -> AppResult<Offered> {
    let stored = |tag: &str| {
        Locale::parse(tag)
            .map_err(|e| AppError::internal(format!("person {} holds locale {tag:?}: {e}", row.id)))
    };
    let others = match &row.locales {
        None => Vec::new(),
        Some(json) => decode::<String>("person.locales", json)?
            .iter()
            .map(|t| stored(t))
            .collect::<AppResult<_>>()?,
    };
    Ok(Offered {
        default: stored(&row.default_locale)?,
        others,
    })
}

/// What is served for `person_id` beneath the current field.
pub async fn served(ctx: &Context<'_>, person_id: i64) -> AppResult<Arc<Served>> {
    let Some(choice) = ctx.data_opt::<LocaleChoice>() else {
        // Outside a request (exports, the schema alone): the default.
        let offered = offered_by(ctx, person_id).await?;
        return Ok(Arc::new(Served {
            locale: offered.default.clone(),
            default: offered.default.clone(),
        }));
    };
    let preferences = choice.preferences(ctx);
    let key = (preferences, person_id);
    if let Some(served) = lock(&choice.served).get(&key) {
        return Ok(served.clone());
    }
    let known = lock(&choice.known).get(&person_id).cloned();
    let offered = match known {
        Some(offered) => offered,
        None => {
            let offered = Arc::new(offered_by(ctx, person_id).await?);
            lock(&choice.known).insert(person_id, offered.clone());
            offered
        }
    };
    let locale = key.0.choose(&offered.default, &offered.others).clone();
    let served = Arc::new(Served {
        locale: locale.clone(),
        default: offered.default.clone(),
    });
    choice.serving(ctx, &locale);
    lock(&choice.served).insert(key, served.clone());
    Ok(served)
}

/// The language of derived text for `person_id` beneath the current field.
pub async fn speech(ctx: &Context<'_>, person_id: i64) -> AppResult<Speech> {
    Ok(served(ctx, person_id).await?.speech())
}

async fn offered_by(ctx: &Context<'_>, person_id: i64) -> AppResult<Offered> {
    let row = loaders(ctx)?
        .get(PersonById(person_id))
        .await
        .map_err(AppError::from)?
        .ok_or_else(|| AppError::internal(format!("no person {person_id}")))?;
    offered(&row)
}

/// The translations to serve for an item, or none when its person is
/// served in the default locale (or nothing was asked for).
pub struct Localizer {
    served: Option<Arc<Served>>,
    translations: Translations,
}

impl Localizer {
    /// For an item with text.
    pub async fn of(ctx: &Context<'_>, item: &impl HasText) -> AppResult<Localizer> {
        let (person_id, column) = (item.person_id(), item.translations());
        let wanted = ctx
            .data_opt::<LocaleChoice>()
            .is_some_and(|c| !c.preferences(ctx).is_empty());
        if !wanted {
            return Ok(Localizer {
                served: None,
                translations: Translations::default(),
            });
        }
        let served = served(ctx, person_id).await?;
        let translations = if served.is_default() {
            Translations::default()
        } else {
            Translations::decode(column.as_deref())
                .map_err(|e| AppError::internal(format!("malformed translations column: {e}")))?
        };
        Ok(Localizer {
            served: Some(served),
            translations,
        })
    }

    fn get(&self, field: &str) -> Option<&Text> {
        let served = self.served.as_ref().filter(|s| !s.is_default())?;
        self.translations.get(&served.locale, field)
    }

    /// A text field: its translation, else the default locale's text.
    pub fn text<'o>(&self, field: &str, own: &'o str) -> Cow<'o, str> {
        match self.get(field) {
            Some(Text::One(t)) => Cow::Owned(t.clone()),
            _ => Cow::Borrowed(own),
        }
    }

    /// An optional text field.
    pub fn optional<'o>(&self, field: &str, own: Option<&'o str>) -> Option<Cow<'o, str>> {
        match self.get(field) {
            Some(Text::One(t)) => Some(Cow::Owned(t.clone())),
            _ => own.map(Cow::Borrowed),
        }
    }

    /// A list field stored as JSON text.
    pub fn list(&self, field: &str, column: &str, own: &str) -> AppResult<Vec<String>> {
        match self.get(field) {
            Some(Text::Many(t)) => Ok(t.clone()),
            _ => decode(column, own),
        }
    }

    /// Which of `fields` (name, whether the item has text for it) are shown
    /// in the default locale for want of a translation.
    pub fn fallbacks(&self, fields: &[(&str, bool)]) -> Vec<String> {
        match &self.served {
            Some(served) if !served.is_default() => fields
                .iter()
                .filter(|(name, has)| *has && self.translations.get(&served.locale, name).is_none())
                .map(|(name, _)| (*name).to_owned())
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// A row with text fields and their translations.
pub trait HasText {
    /// The person whose portfolio it is part of.
    fn person_id(&self) -> i64;
    /// Its `translations` column.
    fn translations(&self) -> &Option<String>;
}

/// `HasText` for the rows of every type of the table of portfolio types
/// but the person's (below).
macro_rules! has_text {
    ($($type:ident => $entity:ident, $module:ident::$object:ident, $by_id:ident, $shape:ident $args:tt;)*) => {
        $(has_text!(@$shape $entity);)*
    };
    (@owner $entity:ident) => {};
    (@$shape:ident $entity:ident) => {
        impl HasText for entity::$entity::Model {
            fn person_id(&self) -> i64 {
                self.person_id
            }
            fn translations(&self) -> &Option<String> {
                &self.translations
            }
        }
    };
}
super::portfolio_types!(has_text);

impl HasText for person::Model {
    fn person_id(&self) -> i64 {
        self.id
    }
    fn translations(&self) -> &Option<String> {
        &self.translations
    }
}

/// One translated field of an item, as editors read them.
#[derive(SimpleObject, Clone, Debug)]
pub struct Translation {
    /// The locale of the text (BCP 47).
    pub locale: String,
    /// The field it translates, e.g. `title`.
    pub field: String,
    /// The text of a text field.
    pub text: Option<String>,
    /// The texts of a list field (`actions`, `highlights`, ...).
    pub texts: Option<Vec<String>>,
}

/// Every translation of an item, by locale then field.
pub fn translations(column: &Option<String>) -> AppResult<Vec<Translation>> {
    let all = Translations::decode(column.as_deref())
        .map_err(|e| AppError::internal(format!("malformed translations column: {e}")))?;
    Ok(all
        .0
        .into_iter()
        .flat_map(|(locale, fields)| {
            fields.into_iter().map(move |(field, text)| {
                let (text, texts) = match text {
                    Text::One(t) => (Some(t), None),
                    Text::Many(t) => (None, Some(t)),
                };
                Translation {
                    locale: locale.clone(),
                    field,
                    text,
                    texts,
                }
            })
        })
        .collect())
}
