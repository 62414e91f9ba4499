//! Writing translations: the text of any item in a locale other than its
//! person's default. The item's own fields hold the default locale and are
//! written by its `update…` mutation; these write the others, field by
//! field, and deleting one lets the field fall back to the default again.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::common::{
    Edit, Versioned, check_version, compare_and_set, ensure_valid, fail, load, with_retries, write,
};
use crate::domain::Locale;
use crate::domain::locale::{Text, Translations};
use crate::domain::texts::{self, Shape, TextField};
use crate::domain::validate::Checker;
use crate::error::{AppError, AppResult};
use crate::graphql::ids::{self, NodeType};
use crate::graphql::locale::{Translation, translations};

/// One field's text in the locale being written.
#[derive(InputObject)]
pub struct TranslatedTextInput {
    /// The field, e.g. `title` (the names of the type's text fields).
    pub field: String,
    /// The text of a text field.
    pub text: Option<String>,
    /// The texts of a list field (`actions`, `highlights`, `summary`, ...).
    pub texts: Option<Vec<String>>,
}

/// Text of an item in one locale.
#[derive(InputObject)]
pub struct TranslateInput {
    /// The item: a person or any item of a portfolio with text.
    pub id: ID,
    /// The locale (BCP 47), other than the person's default locale; it is
    /// added to the locales the person offers.
    pub locale: String,
    /// The fields to set; a field given with neither `text` nor `texts`
    /// loses its translation (and falls back to the default locale).
    pub fields: Vec<TranslatedTextInput>,
    /// The version the change is based on (CONFLICT if no longer current).
    pub expected_version: Option<i32>,
}

/// Removing every text of an item in one locale.
#[derive(InputObject)]
pub struct DeleteTranslationInput {
    /// The item.
    pub id: ID,
    /// The locale whose texts go.
    pub locale: String,
    /// The version the change is based on (CONFLICT if no longer current).
    pub expected_version: Option<i32>,
}

/// The item's translations after a change.
#[derive(SimpleObject)]
pub struct TranslatePayload {
    /// The item's global id.
    pub id: ID,
    /// The item's version after the change.
    pub version: i32,
    /// Every translation the item has now.
    pub translations: Vec<Translation>,
}

/// Writing translations.
#[derive(Default)]
pub struct TranslationMutation;

#[Object]
impl TranslationMutation {
    /// Sets (or, with neither `text` nor `texts`, removes) text fields of
    /// an item in one locale.
    async fn translate(
        &self,
        ctx: &Context<'_>,
        input: TranslateInput,
    ) -> async_graphql::Result<TranslatePayload> {
        let change = Change::Set(input.fields);
        run(
            ctx,
            &input.id,
            &input.locale,
            input.expected_version,
            change,
        )
        .await
        .map_err(|e| fail(ctx, e))
    }

    /// Removes every text of an item in one locale: each field falls back
    /// to the default locale.
    async fn delete_translation(
        &self,
        ctx: &Context<'_>,
        input: DeleteTranslationInput,
    ) -> async_graphql::Result<TranslatePayload> {
        run(
            ctx,
            &input.id,
            &input.locale,
            input.expected_version,
            Change::Clear,
        )
        .await
        .map_err(|e| fail(ctx, e))
    }
}

enum Change {
    Set(Vec<TranslatedTextInput>),
    Clear,
}

/// A table with text fields and a `translations` column.
trait Translatable: Versioned {
    /// The text fields a translation may hold.
    const FIELDS: &'static [TextField];
    fn translations_column() -> Self::Column;
    fn translations_of(row: &Self::Model) -> &Option<String>;
}

/// The dispatch from a node type to its table, one arm per row of the table
/// of portfolio types, and `Translatable` for each table with translations:
/// a simple list's texts are its module's `TEXTS`, the others' in
/// [`texts`].
macro_rules! translatable {
    ($($type:ident => $entity:ident, $module:ident::$object:ident, $by_id:ident, $shape:ident $args:tt;)*) => {
        $(translatable!(@$shape $entity, crate::graphql::$module::TEXTS);)*

        /// Carries out `job` on its item, of type `node`.
        async fn apply_to(
            node: NodeType,
            ctx: &Context<'_>,
            job: &Job<'_>,
        ) -> AppResult<TranslatePayload> {
            match node {
                $(NodeType::$type => apply::<entity::$entity::Entity>(ctx, job).await,)*
            }
        }
    };
    (@list $entity:ident, $fields:path) => {
        translatable!(@texts $entity, $fields);
    };
    (@texts $entity:ident, $fields:path) => {
        impl Translatable for entity::$entity::Entity {
            const FIELDS: &'static [TextField] = $fields;
            fn translations_column() -> Self::Column {
                entity::$entity::Column::Translations
            }
            fn translations_of(row: &Self::Model) -> &Option<String> {
                &row.translations
            }
        }
    };
    (@$shape:ident $entity:ident, $fields:path) => {};
}

crate::graphql::portfolio_types!(translatable);
translatable!(@texts person, texts::PERSON);
translatable!(@texts profile_link, texts::PROFILE_LINK);
translatable!(@texts role, texts::ROLE);
translatable!(@texts achievement, texts::ACHIEVEMENT);
translatable!(@texts metric, texts::METRIC);
translatable!(@texts skill, texts::SKILL);
translatable!(@texts activity, texts::ACTIVITY);

async fn run(
    ctx: &Context<'_>,
    id: &ID,
    locale: &str,
    expected: Option<i32>,
    change: Change,
) -> AppResult<TranslatePayload> {
    let edit = Edit::new(ctx)?;
    let locale =
        Locale::parse(locale).map_err(|e| AppError::bad_input("input.locale", e.to_string()))?;
    let (node, _) = ids::decode("input.id", id)?;
    let job = Job {
        edit,
        id,
        locale,
        expected,
        change,
    };
    apply_to(node, ctx, &job).await
}

/// A change of one item's translations in one locale.
struct Job<'a> {
    edit: Edit<'a>,
    /// The item.
    id: &'a ID,
    locale: Locale,
    /// The version the change is based on.
    expected: Option<i32>,
    change: Change,
}

/// The new translations of one locale, checked against the type's fields.
fn changed(
    fields: &[TextField],
    mut current: Translations,
    locale: &Locale,
    change: &Change,
) -> AppResult<Translations> {
    let mut c = Checker::default();
    match change {
        Change::Clear => {
            current.0.remove(locale.as_str());
        }
        Change::Set(inputs) => {
            c.list("input.fields", inputs.len(), fields.len());
            let texts = current.0.entry(locale.as_str().to_owned()).or_default();
            for (i, input) in inputs.iter().enumerate() {
                let path = format!("input.fields[{i}]");
                let Some(shape) = texts::shape_of(fields, &input.field) else {
                    let names: Vec<&str> = fields.iter().map(|(n, _)| *n).collect();
                    c.fail(
                        format!("{path}.field"),
                        format!(
                            "not a text field of this type (one of: {})",
                            names.join(", ")
                        ),
                    );
                    continue;
                };
                match (&input.text, &input.texts, shape) {
                    (None, None, _) => {
                        texts.remove(&input.field);
                    }
                    (Some(text), None, Shape::Line(_) | Shape::Multiline(_)) => {
                        texts::check_text(&mut c, &format!("{path}.text"), shape, text);
                        texts.insert(input.field.clone(), Text::One(text.trim().to_owned()));
                    }
                    (None, Some(list), Shape::List(..)) => {
                        texts::check_texts(&mut c, &format!("{path}.texts"), shape, list);
                        texts.insert(input.field.clone(), Text::Many(list.clone()));
                    }
                    (_, _, Shape::List(..)) => c.fail(
                        format!("{path}.texts"),
                        format!("`{}` is a list: give `texts` only", input.field),
                    ),
                    _ => c.fail(
                        format!("{path}.text"),
                        format!("`{}` is a text: give `text` only", input.field),
                    ),
                }
            }
            if texts.is_empty() {
                current.0.remove(locale.as_str());
            }
        }
    }
    ensure_valid(c)?;
    Ok(current)
}

async fn apply<E: Translatable>(ctx: &Context<'_>, job: &Job<'_>) -> AppResult<TranslatePayload> {
    let Job {
        edit,
        id,
        locale,
        expected,
        change,
    } = job;
    let expected = *expected;
    with_retries(|| {
        write(ctx, edit.db, async |txn| {
            let current = load::<E>(txn, &edit.viewer, "input.id", id).await?;
            let person_id = E::person_of(&current);
            let version = E::version_of(&current);
            check_version(version, expected, E::NAME)?;
            let person = entity::person::Entity::find_by_id(person_id)
                .one(txn)
                .await?
                .ok_or_else(|| AppError::internal(format!("no person {person_id}")))?;
            if person.default_locale == locale.as_str() {
                return Err(AppError::bad_input(
                    "input.locale",
                    format!(
                        "{locale} is the portfolio's default locale: its text is the item's own fields (use the item's update mutation)"
                    ),
                ));
            }
            let stored = Translations::decode(E::translations_of(&current).as_deref())
                .map_err(|e| AppError::internal(format!("malformed translations column: {e}")))?;
            let next = changed(E::FIELDS, stored, locale, change)?;
            let mut changes = <E::ActiveModel as ActiveModelTrait>::default();
            changes.try_set(E::translations_column(), next.encode().into())?;
            if compare_and_set::<E>(txn, changes, E::id_of(&current), version)
                .await?
                .is_none()
            {
                return Ok(None);
            }
            if next.0.contains_key(locale.as_str()) {
                offer(txn, &person, locale).await?;
            }
            let payload = TranslatePayload {
                id: ids::encode(E::NODE, E::id_of(&current)),
                version: version + 1,
                translations: translations(&next.encode())?,
            };
            Ok(Some((payload, person_id)))
        })
    })
    .await
}

/// Adds `locale` to the locales the person offers, if it is new.
async fn offer(
    txn: &impl ConnectionTrait,
    person: &entity::person::Model,
    locale: &Locale,
) -> AppResult<()> {
    let mut offered: Vec<String> = match &person.locales {
        Some(json) => crate::service::codec::decode("person.locales", json)?,
        None => Vec::new(),
    };
    if offered.iter().any(|l| l == locale.as_str()) {
        return Ok(());
    }
    offered.push(locale.as_str().to_owned());
    entity::person::Entity::update_many()
        .col_expr(
            entity::person::Column::Locales,
            Expr::value(crate::service::codec::encode(&offered)),
        )
        .filter(entity::person::Column::Id.eq(person.id))
        .exec(txn)
        .await?;
    Ok(())
}
