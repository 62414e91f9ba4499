//! The GraphQL schema: one builder ([`schema_builder`]) used by the server,
//! the tests and `portfolio schema`, and one module per domain type.
//!
//! Each domain contributes its own query object, merged into [`QueryRoot`].
//! Resolvers read through the per-request [`loaders::Loaders`] and return
//! [`crate::error::AppError`]s, which carry `extensions.code`.

/// The portfolio's types, written once: every other list of them (global id
/// kinds, loader keys, the `Node` interface and its lookups, the editable
/// items of the write side, their translations, the mutations and the
/// person's fields of the simple lists) is made from this table by a macro
/// that gets its rows, as seaography's `register_entity_modules!` makes its
/// schema. Adding a type means one row here (and, for a simple list, one in
/// `document_lists!`, the document's table).
///
/// A row: `Type => entity module, module::GraphQLObject, ById key, shape;`,
/// the type's name being its GraphQL name and its global-id kind. Shapes:
/// - `owner()`: the person, the root that owns everything else;
/// - `item(XOf key, "name", "plural", MAX_PER_PERSON)`: a row of one of the
///   person's ordered lists, which can be drafts and are edited one by one;
///   `seen_by method` when the viewer's list comes from a `Loaders` method
///   rather than from the `XOf` key alone;
/// - `list(XOf key, "name", "plural", field, "doc", XMutation)`: an item of
///   one of the person's simple lists, whose module has everything of the
///   type (see `language`): its `MAX_PER_PERSON`, `TEXTS`, rules and storage,
///   its object and its mutation object `XMutation` (merged into the
///   schema's mutations, after the others'); the person lists them in
///   `field`, described by "doc";
/// - `part()`: a metric, shown with its achievement.
///
/// The order is that of the `Node` interface's types. A callback may be
/// given tokens to put before the rows (`portfolio_types!(cb @state ...)`).
macro_rules! portfolio_types {
    ($callback:ident $($state:tt)*) => {
        $callback! { $($state)*
            Person => person, person::Person, PersonById, owner();
            ProfileLink => profile_link, profile::ProfileLink, ProfileLinkById,
                item(ProfileLinksOf, "profile link", "profile links", MAX_PROFILE_LINKS_PER_PERSON);
            Role => role, role::Role, RoleById,
                item(RolesOf, "role", "roles", MAX_ROLES_PER_PERSON);
            Achievement => achievement, achievement::Achievement, AchievementById,
                item(AchievementsOf, "achievement", "achievements", MAX_ACHIEVEMENTS_PER_PERSON, seen_by achievements);
            Metric => metric, achievement::Metric, MetricById, part();
            Skill => skill, skill::Skill, SkillById,
                item(SkillsOf, "skill", "skills", MAX_SKILLS_PER_PERSON);
            Activity => activity, activity::Activity, ActivityById,
                item(ActivitiesOf, "activity", "activities", MAX_ACTIVITIES_PER_PERSON);
            Education => education, education::Education, EducationById,
                list(EducationOf, "education", "education entries", education,
                    "Schools and degrees, in display order.", EducationMutation);
            Language => language, language::Language, LanguageById,
                list(LanguagesOf, "language", "languages", languages,
                    "Spoken languages, in display order.", LanguageMutation);
        }
    };
}
pub(crate) use portfolio_types;

pub mod achievement;
pub mod activity;
pub mod budget;
pub mod connection;
pub mod cost;
pub mod education;
pub mod enums;
pub mod ids;
pub mod language;
pub mod loaders;
pub mod locale;
pub mod mutation;
pub mod node;
pub mod object;
pub mod order;
pub mod person;
pub mod profile;
pub mod role;
pub mod scalars;
pub mod scan;
pub mod skill;
pub mod webhook;
pub mod weigh;

use async_graphql::{
    Context, EmptySubscription, MergedObject, Schema, SchemaBuilder, SimpleObject,
};
use sea_orm::DatabaseConnection;

use crate::auth::Viewer;
use crate::domain::Clock;
use crate::error::{AppError, AppResult};

pub use loaders::{Loaders, new_loaders};

/// The root of all queries.
#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct QueryRoot(person::PersonQuery, node::NodeQuery, webhook::WebhookQuery);

pub type AppSchema = Schema<QueryRoot, MutationRoot, EmptySubscription>;

pub use mutation::MutationRoot;

/// What resolvers need besides the per-request loaders.
#[derive(Clone)]
pub struct ApiState {
    pub db: DatabaseConnection,
    pub clock: Clock,
    /// What the process keeps about the data, told of every change.
    pub caches: crate::service::freshness::Caches,
}

/// The schema without runtime data or limits: enough to print the SDL.
pub fn schema_builder() -> SchemaBuilder<QueryRoot, MutationRoot, EmptySubscription> {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        EmptySubscription,
    )
}

/// The schema the server runs, with the request limits of `options`
/// (defined with their flags in `config`).
pub fn build_schema(state: ApiState, options: &crate::config::HttpOptions) -> AppSchema {
    let mut builder = schema_builder()
        .data(state)
        .limit_depth(options.max_depth)
        .limit_complexity(options.max_complexity)
        .limit_directives(options.max_directives)
        .extension(budget::Budgets {
            max_response_bytes: options.max_response_bytes,
            timeout: options.request_timeout,
        });
    if !options.introspection {
        builder = builder.disable_introspection().disable_suggestions();
    }
    builder.finish()
}

/// The SDL of the schema, as committed in `schema.graphql`.
pub fn sdl() -> String {
    schema_builder().finish().sdl()
}

pub(crate) fn state<'a>(ctx: &Context<'a>) -> AppResult<&'a ApiState> {
    ctx.data::<ApiState>()
        .map_err(|_| AppError::internal("the schema was built without ApiState"))
}

/// Who the request acts as (anonymous unless a valid token came with it).
pub(crate) fn viewer(ctx: &Context<'_>) -> Viewer {
    ctx.data_opt::<Viewer>()
        .copied()
        .unwrap_or(Viewer::Anonymous)
}

pub(crate) fn loaders<'a>(ctx: &Context<'a>) -> AppResult<&'a Loaders> {
    ctx.data::<Loaders>()
        .map_err(|_| AppError::internal("the request was executed without loaders"))
}

/// A span of months, split for display: 16 months is 1 year 4 months.
#[derive(SimpleObject, Clone, Debug, PartialEq, Eq)]
pub struct Duration {
    /// Whole years.
    pub years: i32,
    /// Months beyond the whole years (0-11).
    pub months: i32,
    /// The whole span in months.
    pub total_months: i32,
    /// As shown to readers, in the locale served ("1년 4개월", "1 yr 4 mos").
    pub text: String,
}

impl Duration {
    pub fn new(total_months: i32, speech: crate::domain::Speech) -> Self {
        Duration {
            years: total_months / 12,
            months: total_months % 12,
            total_months,
            text: speech.duration(total_months),
        }
    }
}
