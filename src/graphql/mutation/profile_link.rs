//! Writing profile links.

use super::items::{Rules, item_inputs, item_mutations};
use crate::domain::rules;
use crate::domain::validate::Checker;
use crate::graphql::enums::ProfileLinkKind;
use crate::graphql::profile::ProfileLink;

item_inputs! {
    /// A new profile link, appended to the person's list.
    CreateProfileLinkInput
    /// Changes to a profile link; fields left out stay as they are.
    UpdateProfileLinkInput
    for profile_link => ProfileLinkGiven {
        kind: ProfileLinkKind,
        label: String,
        /// Absolute http(s) URL.
        url: String,
        #[graphql(default = true)]
        published: bool,
    }
}

impl Rules for ProfileLinkGiven<'_> {
    fn check(&self, c: &mut Checker, _new: bool) {
        rules::profile_link(c, "input", self.label, self.url);
    }
}

item_mutations! {
    /// Mutations of profile links.
    ProfileLinkMutation for profile_link => ProfileLink;
    /// The profile link as saved.
    ProfileLinkPayload {
        /// The profile link as it is now.
        profile_link
    }
    /// Adds a profile link at the end of the person's list.
    create_profile_link(CreateProfileLinkInput);
    /// Changes a profile link.
    update_profile_link(UpdateProfileLinkInput);
    /// Deletes a profile link.
    delete_profile_link;
    /// Puts a person's profile links in a new order.
    reorder_profile_links;
}
