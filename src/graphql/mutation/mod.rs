//! The write side of the API: Relay-style mutations (one `input` argument, a
//! payload type returned) for every type of the portfolio.
//!
//! Every mutation: needs a token (`UNAUTHENTICATED` without one) that may edit
//! the person concerned (`FORBIDDEN` otherwise); checks its whole input and
//! reports every problem at once (`BAD_USER_INPUT`, each with its field);
//! honours `expectedVersion` (`CONFLICT` with `currentVersion`); runs in one
//! transaction that also moves the person's `updatedAt`.

mod achievements;
mod common;
mod items;
mod person;
mod roles;
mod simple;

use async_graphql::MergedObject;

/// The root of all mutations.
#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(
    person::PersonMutation,
    person::ImportMutation,
    roles::RoleMutation,
    achievements::AchievementMutation,
    simple::SimpleMutation,
);
