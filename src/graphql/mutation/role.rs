//! Writing roles.

use async_graphql::MaybeUndefined;
use entity::role;
use sea_orm::ActiveValue::Set;

use super::common::{maybe, month_after, set, trimmed, ym};
use super::items::{ItemPatch, NewItem, item_inputs, item_mutations};
use crate::domain::YearMonth;
use crate::domain::rules::{self, RoleFields};
use crate::domain::validate::Checker;
use crate::graphql::enums::EmploymentType;
use crate::graphql::role::Role;

item_inputs! {
    /// A new role, appended to the person's list (lists show current roles first,
    /// then the newest).
    CreateRoleInput {
        pub organization: String,
        pub title: String,
        pub department: Option<String>,
        pub employment_type: Option<EmploymentType>,
        pub location: Option<String>,
        pub start: YearMonth,
        /// Left out for a current role; not before `start`.
        pub end: Option<YearMonth>,
        pub summary: Option<String>,
        #[graphql(default = true)]
        pub published: bool,
    }
    /// Changes to a role; left out stays, `null` clears.
    UpdateRoleInput {
        pub organization: Option<String>,
        pub title: Option<String>,
        pub department: MaybeUndefined<String>,
        pub employment_type: MaybeUndefined<EmploymentType>,
        pub location: MaybeUndefined<String>,
        pub start: Option<YearMonth>,
        /// `null` makes the role current.
        pub end: MaybeUndefined<YearMonth>,
        pub summary: MaybeUndefined<String>,
        pub published: Option<bool>,
    }
}

impl NewItem for CreateRoleInput {
    type Entity = role::Entity;

    fn check(&self, c: &mut Checker) {
        let fields = RoleFields {
            organization: Some(&self.organization),
            title: Some(&self.title),
            department: self.department.as_deref(),
            location: self.location.as_deref(),
            summary: self.summary.as_deref(),
            months: Some((Some(self.start), self.end)),
        };
        rules::role(c, "input", fields);
    }

    fn row(self) -> role::ActiveModel {
        role::ActiveModel {
            organization: Set(self.organization.trim().to_owned()),
            title: Set(self.title.trim().to_owned()),
            department: Set(self.department),
            employment_type: Set(self.employment_type.map(Into::into)),
            location: Set(self.location),
            start_ym: Set(self.start.to_yyyymm()),
            end_ym: Set(ym(self.end)),
            summary: Set(self.summary),
            published: Set(self.published),
            ..Default::default()
        }
    }
}

impl ItemPatch for UpdateRoleInput {
    type Entity = role::Entity;

    fn check(&self, c: &mut Checker) {
        let fields = RoleFields {
            organization: self.organization.as_deref(),
            title: self.title.as_deref(),
            department: self.department.value().map(String::as_str),
            location: self.location.value().map(String::as_str),
            summary: self.summary.value().map(String::as_str),
            months: None,
        };
        rules::role(c, "input", fields);
    }

    fn changes(&self, current: &role::Model, c: &mut Checker) -> role::ActiveModel {
        let start = self.start.or(YearMonth::from_yyyymm(current.start_ym));
        c.months("input", start, month_after(&self.end, current.end_ym));
        role::ActiveModel {
            department: maybe(self.department.clone()),
            employment_type: maybe(self.employment_type.map_value(Into::into)),
            location: maybe(self.location.clone()),
            end_ym: maybe(self.end.map_value(YearMonth::to_yyyymm)),
            summary: maybe(self.summary.clone()),
            organization: set(trimmed(&self.organization)),
            title: set(trimmed(&self.title)),
            start_ym: set(self.start.map(YearMonth::to_yyyymm)),
            published: set(self.published),
            ..Default::default()
        }
    }
}

item_mutations! {
    /// Mutations of roles.
    RoleMutation for role => Role;
    /// The role as saved.
    RolePayload {
        /// The role as it is now.
        role
    }
    /// Adds a role to a person's portfolio.
    create_role(CreateRoleInput);
    /// Changes a role.
    update_role(UpdateRoleInput);
    /// Deletes a role and its achievements.
    delete_role;
    /// Sets the order of a person's roles among roles that sort alike (lists
    /// show current roles first, then by start month; this order breaks ties
    /// and is the order of the document export).
    reorder_roles;
}
