//! The write side of the API: Relay-style mutations (one `input` argument, a
//! payload type returned) for every type of the portfolio.
//!
//! Every mutation: needs a token, checked before its arguments are even read
//! (`UNAUTHENTICATED` without one, whatever the input); checks its whole
//! input and reports every problem at once (`BAD_USER_INPUT`, each with its
//! field); looks up only what the token may edit, so that another person's
//! items, drafts or not, are `NOT_FOUND` exactly like ids that do not exist;
//! honours `expectedVersion` (`CONFLICT` with `currentVersion`); runs in one
//! transaction that also moves the person's `updatedAt`.

mod achievement;
mod activity;
pub(crate) mod common;
pub(crate) mod fields;
pub(crate) mod items;
mod person;
mod profile_link;
mod role;
mod skill;
mod translation;

use std::borrow::Cow;

use async_graphql::parser::types::Field;
use async_graphql::registry::Registry;
use async_graphql::resolver_utils::{ContainerType, resolve_container_serial};
use async_graphql::{
    Context, ContextSelectionSet, MergedObject, ObjectType, OutputType, Positioned, ServerResult,
    Value,
};

// Every mutation, merged into one type; its doc comment is the schema's
// description of `Mutation`.
/// The root of all mutations.
#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct Mutations(
    person::PersonMutation,
    person::ImportMutation,
    role::RoleMutation,
    activity::ActivityMutation,
    achievement::AchievementMutation,
    profile_link::ProfileLinkMutation,
    skill::SkillMutation,
    ListMutations,
    translation::TranslationMutation,
);

/// The mutation objects of the simple lists, each in its type's module, in
/// the order of the table of portfolio types.
macro_rules! list_mutations {
    (@read [$($found:path),*]) => {
        /// The mutations of the simple lists.
        #[derive(MergedObject, Default)]
        pub struct ListMutations($($found),*);
    };
    (@read [$($found:path),*]
        $type:ident => $entity:ident, $module:ident::$object:ident, $by_id:ident,
            list($of:ident, $name:literal, $plural:literal, $field:ident, $doc:literal, $mutation:ident);
        $($rest:tt)*
    ) => {
        list_mutations!(@read [$($found,)* crate::graphql::$module::$mutation] $($rest)*);
    };
    (@read $found:tt
        $type:ident => $entity:ident, $module:ident::$object:ident, $by_id:ident, $shape:ident $args:tt;
        $($rest:tt)*
    ) => {
        list_mutations!(@read $found $($rest)*);
    };
    ($($rows:tt)*) => {
        list_mutations!(@read [] $($rows)*);
    };
}

crate::graphql::portfolio_types!(list_mutations);

/// The root of all mutations: [`Mutations`], behind one check that the
/// request carries a token. It runs before a mutation's arguments are
/// parsed, so an anonymous caller learns nothing from how its input is
/// judged. The schema sees exactly the type of [`Mutations`].
#[derive(Default)]
pub struct MutationRoot(Mutations);

impl ContainerType for MutationRoot {
    async fn resolve_field(&self, ctx: &Context<'_>) -> ServerResult<Option<Value>> {
        if crate::graphql::viewer(ctx).is_anonymous() {
            let error: async_graphql::Error = crate::auth::unauthenticated().into();
            return Err(ctx.set_error_path(error.into_server_error(ctx.item.pos)));
        }
        self.0.resolve_field(ctx).await
    }

    async fn find_entity(&self, ctx: &Context<'_>, params: &Value) -> ServerResult<Option<Value>> {
        self.0.find_entity(ctx, params).await
    }
}

impl OutputType for MutationRoot {
    fn type_name() -> Cow<'static, str> {
        Mutations::type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        Mutations::create_type_info(registry)
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        _field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        resolve_container_serial(ctx, self).await
    }
}

impl ObjectType for MutationRoot {}
