//! Writing roles.

use super::items::{Rules, item_inputs, item_mutations};
use crate::domain::YearMonth;
use crate::domain::rules::{self, RoleFields};
use crate::domain::validate::Checker;
use crate::graphql::enums::EmploymentType;
use crate::graphql::role::Role;

item_inputs! {
    /// A new role, appended to the person's list (lists show current roles first,
    /// then the newest).
    CreateRoleInput
    /// Changes to a role; left out stays, `null` clears.
    UpdateRoleInput
    for role => RoleGiven {
        organization: String,
        title: String,
        department: Option<String>,
        employment_type: Option<EmploymentType>,
        location: Option<String>,
        start: YearMonth => start_ym,
        /// Left out for a current role; not before `start`.
        end: Option<YearMonth> [
            /// `null` makes the role current.
        ] => end_ym,
        summary: Option<String>,
        #[graphql(default = true)]
        published: bool,
    }
    span start => start_ym, end => end_ym;
}

impl Rules for RoleGiven<'_> {
    fn check(&self, c: &mut Checker, new: bool) {
        let fields = RoleFields {
            organization: self.organization,
            title: self.title,
            department: self.department,
            location: self.location,
            summary: self.summary,
            months: new.then_some((self.start, self.end)),
        };
        rules::role(c, "input", fields);
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
