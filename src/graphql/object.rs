//! [`portfolio_object!`]: a portfolio type and its `#[Object]` impl, written
//! from the list of its fields in schema order.
//!
//! Every portfolio type (the person, and each row of their lists) is a
//! newtype around its entity row, and shares most of its fields with the
//! others: the global `id`, the text fields translated into the locale
//! served, the owner `person`, `fallbacks`, `translations`, `published`,
//! `version`, `createdAt` and `updatedAt`. The macro writes those from
//! one-line entries and copies the type's own resolvers as they are, in the
//! order given: the schema lists the fields in that order.
//!
//! ```text
//! portfolio_object! {
//!     /// A tool or technology, e.g. "Kubernetes".
//!     Skill(skill) {
//!         /// Its name, unique per person ignoring case.
//!         text name;
//!         /// How it is grouped.
//!         enum category: SkillCategory;
//!         /// `category` as shown to readers, in the locale served.
//!         label category_label(category: SkillCategory);
//!         /// The achievements that used it.
//!         page(limits::MAX_ACHIEVEMENTS_PER_PERSON)
//!         async fn achievements(&self, ctx: &Context<'_>) -> Achievement {
//!             self.used_by(ctx).await?
//!         }
//!         /// Whose skill this is.
//!         owner;
//!         localized "skill";
//!         published;
//!         stamps;
//!     }
//! }
//! ```
//!
//! The type is `Skill(pub entity::skill::Model)`; its first field is always
//! `id`. Each entry may carry doc comments (the field's description) and
//! attributes, and is one of:
//!
//! - `text name;`, `optional name;`: the text of column `name` (a `String`,
//!   an `Option<String>`) in the locale served, else in the person's
//!   default locale; `list(bound) name;` likewise for a JSON list of at
//!   most `bound` strings;
//! - `month name(column);`: the optional month column `column`;
//! - `enum column: Enum;`, `enum column: Option<Enum>;`: the enum column
//!   `column` as the API's `Enum`; `label name(column: Enum);`,
//!   `label name(column: Option<Enum>);`: its label as readers see it, in
//!   the locale served (null without a value);
//! - `async fn ...`: a resolver of the type's own, copied as it is;
//!   `list(bound) async fn ...` when it returns a list of at most `bound`
//!   items;
//! - `page(bound) async fn name(&self, ctx: &Context<'_>, filters) -> Node
//!   { rows }`: a connection of at most `bound` `Node`s (`Node(row)` for
//!   each row). The body gives the whole list as a `Vec` of rows; the macro
//!   adds the `after`, `before`, `first` and `last` arguments after the
//!   filters and pages the list;
//! - `owner;`: `person`, whose portfolio it is part of (its doc comment is
//!   required: the wording differs by type);
//! - `localized "noun";`: `fallbacks`, of the text entries above ("Text
//!   fields of this noun ..."), then `translations`;
//! - `published;`, `version;`, `created_at;`, `updated_at;`: the row's
//!   columns, with the usual doc unless one is given; `stamps;` is the last
//!   three with the usual docs.
//!
//! `list` and `page` set the field's complexity (see [`super::cost`]): the
//! macro writes that attribute itself, because the `child_complexity` it
//! names must come from the same expansion as `#[Object]` (a complexity
//! attribute given with an entry would not compile).
//!
//! It is a `macro_rules!` because it expands before `#[Object]` reads the
//! impl, so every method it writes is a field; a macro called inside an
//! `#[Object]` impl would not be. It reads its entries one at a time,
//! gathering the methods and the text fields, and writes the impl once all
//! are read.

use async_graphql::{Context, Result};

use super::loaders;
use super::loaders::PersonById;
use super::person::Person;
use crate::error::AppError;

/// The person row `id` of `table` belongs to.
pub(crate) async fn owner(
    ctx: &Context<'_>,
    person_id: i64,
    table: &str,
    id: i64,
) -> Result<Person> {
    let row = loaders(ctx)?.get(PersonById(person_id)).await?;
    row.map(Person)
        .ok_or_else(|| AppError::internal(format!("{table} {id} has no person")).into())
}

/// A portfolio type and its `#[Object]` impl; see the module docs.
///
/// While reading, each field is kept as `{ [attributes] [cost] [method] }`,
/// the cost being empty or `list(bound,)` / `page(first, last, bound,)`.
/// The complexity attribute is written last, with the impl, because
/// `child_complexity` must come from the same expansion as `#[Object]`.
macro_rules! portfolio_object {
    (
        $(#[$type_attr:meta])*
        $type:ident($module:ident) {
            $($entries:tt)*
        }
    ) => {
        $crate::graphql::object::portfolio_object!(@read
            { $type, $module, [$(#[$type_attr])*] } [] []
            $($entries)*
        );
    };

    // Every entry read: `$texts` holds the text fields as `(kind name)`.
    (@read { $type:ident, $module:ident, [$($type_attr:tt)*] }
        [$({ [$($attr:tt)*] [$($cost:ident($($cost_arg:tt)*))?] [$($method:tt)*] })*]
        [$($texts:tt)*]
    ) => {
        $($type_attr)*
        #[derive(Clone)]
        pub struct $type(pub ::entity::$module::Model);

        $($type_attr)*
        #[::async_graphql::Object(cache_control(max_age = 60))]
        impl $type {
            /// Global id (opaque; resolve with `node(id:)`).
            pub async fn id(&self) -> ::async_graphql::ID {
                $crate::graphql::ids::encode($crate::graphql::ids::NodeType::$type, self.0.id)
            }

            $(
                $($attr)*
                $(#[graphql(complexity = $crate::graphql::cost::$cost($($cost_arg)* child_complexity))])?
                $($method)*
            )*
        }

        impl $type {
            /// Its text fields, each with whether it holds any text.
            fn text_fields(&self) -> Vec<(&'static str, bool)> {
                vec![$($crate::graphql::object::portfolio_object!(@has self $texts)),*]
            }
        }
    };

    // Whether a text field of `$row` holds text.
    (@has $row:ident (text $name:ident)) => {
        (stringify!($name), true)
    };
    (@has $row:ident (optional $name:ident)) => {
        (stringify!($name), $row.0.$name.is_some())
    };
    (@has $row:ident (list $name:ident)) => {
        (stringify!($name), $row.0.$name != "[]")
    };

    // Text fields.
    (@read $head:tt [$($fields:tt)*] [$($texts:tt)*]
        $(#[$attr:meta])* text $name:ident; $($rest:tt)*
    ) => {
        $crate::graphql::object::portfolio_object!(@read $head [$($fields)* { [$(#[$attr])*] [] [
            async fn $name(
                &self,
                ctx: &::async_graphql::Context<'_>,
            ) -> ::async_graphql::Result<::std::borrow::Cow<'_, str>> {
                Ok($crate::graphql::locale::Localizer::of(ctx, &self.0)
                    .await?
                    .text(stringify!($name), &self.0.$name))
            }
        ] }] [$($texts)* (text $name)] $($rest)*);
    };
    (@read $head:tt [$($fields:tt)*] [$($texts:tt)*]
        $(#[$attr:meta])* optional $name:ident; $($rest:tt)*
    ) => {
        $crate::graphql::object::portfolio_object!(@read $head [$($fields)* { [$(#[$attr])*] [] [
            async fn $name(
                &self,
                ctx: &::async_graphql::Context<'_>,
            ) -> ::async_graphql::Result<Option<::std::borrow::Cow<'_, str>>> {
                Ok($crate::graphql::locale::Localizer::of(ctx, &self.0)
                    .await?
                    .optional(stringify!($name), self.0.$name.as_deref()))
            }
        ] }] [$($texts)* (optional $name)] $($rest)*);
    };
    (@read { $type:ident, $module:ident, $type_attrs:tt } [$($fields:tt)*] [$($texts:tt)*]
        $(#[$attr:meta])* list($bound:expr) $name:ident; $($rest:tt)*
    ) => {
        $crate::graphql::object::portfolio_object!(@read { $type, $module, $type_attrs }
            [$($fields)* { [$(#[$attr])*] [list($bound,)] [
                async fn $name(
                    &self,
                    ctx: &::async_graphql::Context<'_>,
                ) -> ::async_graphql::Result<Vec<String>> {
                    Ok($crate::graphql::locale::Localizer::of(ctx, &self.0).await?.list(
                        stringify!($name),
                        concat!(stringify!($module), ".", stringify!($name)),
                        &self.0.$name,
                    )?)
                }
            ] }]
            [$($texts)* (list $name)] $($rest)*
        );
    };

    // A connection.
    (@read $head:tt [$($fields:tt)*] $texts:tt
        $(#[$attr:meta])*
        page($bound:expr) async fn $name:ident(
            &$self:ident,
            $ctx:ident: &Context<'_>
            $(, $(#[$arg_attr:meta])* $arg:ident: $arg_type:ty)*
        ) -> $node:ident $body:block
        $($rest:tt)*
    ) => {
        $crate::graphql::object::portfolio_object!(@read $head
            [$($fields)* { [$(#[$attr])*] [page(first, last, $bound,)] [
                async fn $name(
                    &$self,
                    $ctx: &::async_graphql::Context<'_>,
                    $($(#[$arg_attr])* $arg: $arg_type,)*
                    after: Option<String>,
                    before: Option<String>,
                    #[graphql(
                        desc = "At most this many from the start (0-100; 100 when neither `first` nor `last` is given)."
                    )]
                    first: Option<i32>,
                    #[graphql(desc = "At most this many from the end (0-100).")] last: Option<i32>,
                ) -> ::async_graphql::Result<$crate::graphql::connection::Page<$node>> {
                    let args = $crate::graphql::connection::PageArgs::new(after, before, first, last)?;
                    let rows: Vec<_> = $body;
                    Ok($crate::graphql::connection::paginate(rows, args, $node))
                }
            ] }]
            $texts $($rest)*
        );
    };

    // A resolver of the type's own, priced as a list or not.
    (@read $head:tt [$($fields:tt)*] $texts:tt
        $(#[$attr:meta])*
        list($bound:expr) async fn $name:ident $args:tt -> $output:ty $body:block
        $($rest:tt)*
    ) => {
        $crate::graphql::object::portfolio_object!(@read $head
            [$($fields)* { [$(#[$attr])*] [list($bound,)] [async fn $name $args -> $output $body] }]
            $texts $($rest)*
        );
    };
    (@read $head:tt [$($fields:tt)*] $texts:tt
        $(#[$attr:meta])*
        async fn $name:ident $args:tt -> $output:ty $body:block
        $($rest:tt)*
    ) => {
        $crate::graphql::object::portfolio_object!(@read $head
            [$($fields)* { [$(#[$attr])*] [] [async fn $name $args -> $output $body] }]
            $texts $($rest)*
        );
    };

    // An optional month column.
    (@read { $type:ident, $module:ident, $type_attrs:tt } $fields:tt $texts:tt
        $(#[$attr:meta])* month $name:ident($column:ident); $($rest:tt)*
    ) => {
        $crate::graphql::object::portfolio_object!(@read { $type, $module, $type_attrs } $fields $texts
            $(#[$attr])*
            async fn $name(&self) -> ::async_graphql::Result<Option<$crate::domain::YearMonth>> {
                let column = concat!(stringify!($module), ".", stringify!($column));
                Ok($crate::service::codec::optional_month(column, self.0.$column)?)
            }
            $($rest)*
        );
    };

    // An enum column, as the API's enum.
    (@read $head:tt $fields:tt $texts:tt
        $(#[$attr:meta])* enum $column:ident: Option<$enum:ident>; $($rest:tt)*
    ) => {
        $crate::graphql::object::portfolio_object!(@read $head $fields $texts
            $(#[$attr])*
            async fn $column(&self) -> Option<$enum> {
                self.0.$column.map(Into::into)
            }
            $($rest)*
        );
    };
    (@read $head:tt $fields:tt $texts:tt
        $(#[$attr:meta])* enum $column:ident: $enum:ident; $($rest:tt)*
    ) => {
        $crate::graphql::object::portfolio_object!(@read $head $fields $texts
            $(#[$attr])*
            async fn $column(&self) -> $enum {
                self.0.$column.into()
            }
            $($rest)*
        );
    };

    // The label of an enum column, in the locale served.
    (@read $head:tt $fields:tt $texts:tt
        $(#[$attr:meta])* label $name:ident($column:ident: Option<$enum:ident>); $($rest:tt)*
    ) => {
        $crate::graphql::object::portfolio_object!(@read $head $fields $texts
            $(#[$attr])*
            async fn $name(
                &self,
                ctx: &::async_graphql::Context<'_>,
            ) -> ::async_graphql::Result<Option<&'static str>> {
                let Some(value) = self.0.$column else {
                    return Ok(None);
                };
                let speech = $crate::graphql::locale::speech(ctx, self.0.person_id).await?;
                Ok(Some($enum::from(value).label(speech)))
            }
            $($rest)*
        );
    };
    (@read $head:tt $fields:tt $texts:tt
        $(#[$attr:meta])* label $name:ident($column:ident: $enum:ident); $($rest:tt)*
    ) => {
        $crate::graphql::object::portfolio_object!(@read $head $fields $texts
            $(#[$attr])*
            async fn $name(
                &self,
                ctx: &::async_graphql::Context<'_>,
            ) -> ::async_graphql::Result<&'static str> {
                let speech = $crate::graphql::locale::speech(ctx, self.0.person_id).await?;
                Ok($enum::from(self.0.$column).label(speech))
            }
            $($rest)*
        );
    };

    // The person's simple lists, a field each (`lists;`): the rows of the
    // table of portfolio types are read one by one, after the state.
    (@read $head:tt $fields:tt $texts:tt lists; $($rest:tt)*) => {
        $crate::graphql::portfolio_types!(portfolio_object @lists $head $fields $texts [$($rest)*]);
    };
    (@lists $head:tt [$($fields:tt)*] $texts:tt $rest:tt
        $type:ident => $entity:ident, $module:ident::$object:ident, $by_id:ident,
            list($of:ident, $name:literal, $plural:literal, $field:ident, $doc:literal, $mutation:ident);
        $($rows:tt)*
    ) => {
        $crate::graphql::object::portfolio_object!(@lists $head
            [$($fields)* { [#[doc = $doc]] [list($crate::graphql::$module::MAX_PER_PERSON,)] [
                async fn $field(
                    &self,
                    ctx: &::async_graphql::Context<'_>,
                ) -> ::async_graphql::Result<Vec<$crate::graphql::$module::$object>> {
                    let l = $crate::graphql::loaders(ctx)?;
                    let rows = l.rows($crate::graphql::loaders::$of(self.0.id)).await?;
                    Ok(rows.iter().cloned().map($crate::graphql::$module::$object).collect())
                }
            ] }]
            $texts $rest $($rows)*
        );
    };
    (@lists $head:tt $fields:tt $texts:tt $rest:tt
        $type:ident => $entity:ident, $module:ident::$object:ident, $by_id:ident, $shape:ident $args:tt;
        $($rows:tt)*
    ) => {
        $crate::graphql::object::portfolio_object!(@lists $head $fields $texts $rest $($rows)*);
    };
    (@lists $head:tt $fields:tt $texts:tt [$($rest:tt)*]) => {
        $crate::graphql::object::portfolio_object!(@read $head $fields $texts $($rest)*);
    };

    // The owner.
    (@read { $type:ident, $module:ident, $type_attrs:tt } [$($fields:tt)*] $texts:tt
        $(#[$attr:meta])+ owner; $($rest:tt)*
    ) => {
        $crate::graphql::object::portfolio_object!(@read { $type, $module, $type_attrs }
            [$($fields)* { [$(#[$attr])+] [] [
                async fn person(
                    &self,
                    ctx: &::async_graphql::Context<'_>,
                ) -> ::async_graphql::Result<$crate::graphql::person::Person> {
                    let table = stringify!($module);
                    $crate::graphql::object::owner(ctx, self.0.person_id, table, self.0.id).await
                }
            ] }]
            $texts $($rest)*
        );
    };

    // `fallbacks` and `translations`.
    (@read $head:tt [$($fields:tt)*] $texts:tt localized $noun:literal; $($rest:tt)*) => {
        $crate::graphql::object::portfolio_object!(@read $head [$($fields)* {
            [
                #[doc = concat!(
                    "Text fields of this ", $noun, " shown in the person's default locale because\n",
                    "they have no translation in the locale served (empty when the\n",
                    "default locale is served)."
                )]
            ]
            []
            [
                async fn fallbacks(
                    &self,
                    ctx: &::async_graphql::Context<'_>,
                ) -> ::async_graphql::Result<Vec<String>> {
                    Ok($crate::graphql::locale::Localizer::of(ctx, &self.0)
                        .await?
                        .fallbacks(&self.text_fields()))
                }
            ]
        } {
            [
                /// Every translation of its text, for editors: the text fields hold the
                /// person's default locale, these the others.
            ]
            []
            [
                async fn translations(
                    &self,
                ) -> ::async_graphql::Result<Vec<$crate::graphql::locale::Translation>> {
                    Ok($crate::graphql::locale::translations(&self.0.translations)?)
                }
            ]
        }] $texts $($rest)*);
    };

    // The row's bookkeeping columns, with their usual docs or the ones given.
    (@read $head:tt $fields:tt $texts:tt published; $($rest:tt)*) => {
        $crate::graphql::object::portfolio_object!(@read $head $fields $texts
            /// False for a draft, which only the portfolio's owner sees.
            published; $($rest)*
        );
    };
    (@read $head:tt $fields:tt $texts:tt stamps; $($rest:tt)*) => {
        $crate::graphql::object::portfolio_object!(@read $head $fields $texts
            version; created_at; updated_at; $($rest)*
        );
    };
    (@read $head:tt $fields:tt $texts:tt version; $($rest:tt)*) => {
        $crate::graphql::object::portfolio_object!(@read $head $fields $texts
            /// Incremented on every change.
            version; $($rest)*
        );
    };
    (@read $head:tt $fields:tt $texts:tt created_at; $($rest:tt)*) => {
        $crate::graphql::object::portfolio_object!(@read $head $fields $texts
            /// When it was created.
            created_at; $($rest)*
        );
    };
    (@read $head:tt $fields:tt $texts:tt updated_at; $($rest:tt)*) => {
        $crate::graphql::object::portfolio_object!(@read $head $fields $texts
            /// When it was last changed.
            updated_at; $($rest)*
        );
    };
    (@read $head:tt $fields:tt $texts:tt $(#[$attr:meta])+ published; $($rest:tt)*) => {
        $crate::graphql::object::portfolio_object!(@read $head $fields $texts
            $(#[$attr])+
            async fn published(&self) -> bool {
                self.0.published
            }
            $($rest)*
        );
    };
    (@read $head:tt $fields:tt $texts:tt $(#[$attr:meta])+ version; $($rest:tt)*) => {
        $crate::graphql::object::portfolio_object!(@read $head $fields $texts
            $(#[$attr])+
            async fn version(&self) -> i32 {
                self.0.version
            }
            $($rest)*
        );
    };
    (@read $head:tt $fields:tt $texts:tt $(#[$attr:meta])+ created_at; $($rest:tt)*) => {
        $crate::graphql::object::portfolio_object!(@read $head $fields $texts
            $(#[$attr])+
            async fn created_at(&self) -> ::chrono::DateTime<::chrono::Utc> {
                self.0.created_at
            }
            $($rest)*
        );
    };
    (@read $head:tt $fields:tt $texts:tt $(#[$attr:meta])+ updated_at; $($rest:tt)*) => {
        $crate::graphql::object::portfolio_object!(@read $head $fields $texts
            $(#[$attr])+
            async fn updated_at(&self) -> ::chrono::DateTime<::chrono::Utc> {
                self.0.updated_at
            }
            $($rest)*
        );
    };
}
pub(crate) use portfolio_object;
