//! Writing profile links.

use entity::profile_link;
use sea_orm::ActiveValue::Set;

use super::common::{set, trimmed};
use super::items::{ItemPatch, NewItem, item_inputs, item_mutations};
use crate::domain::rules;
use crate::domain::validate::Checker;
use crate::graphql::enums::ProfileLinkKind;
use crate::graphql::profile::ProfileLink;

item_inputs! {
    /// A new profile link, appended to the person's list.
    CreateProfileLinkInput {
        pub kind: ProfileLinkKind,
        pub label: String,
        /// Absolute http(s) URL.
        pub url: String,
        #[graphql(default = true)]
        pub published: bool,
    }
    /// Changes to a profile link; fields left out stay as they are.
    UpdateProfileLinkInput {
        pub kind: Option<ProfileLinkKind>,
        pub label: Option<String>,
        pub url: Option<String>,
        pub published: Option<bool>,
    }
}

impl NewItem for CreateProfileLinkInput {
    type Entity = profile_link::Entity;

    fn check(&self, c: &mut Checker) {
        rules::profile_link(c, "input", Some(&self.label), Some(&self.url));
    }

    fn row(self) -> profile_link::ActiveModel {
        profile_link::ActiveModel {
            kind: Set(self.kind.into()),
            label: Set(self.label.trim().to_owned()),
            url: Set(self.url),
            published: Set(self.published),
            ..Default::default()
        }
    }
}

impl ItemPatch for UpdateProfileLinkInput {
    type Entity = profile_link::Entity;

    fn check(&self, c: &mut Checker) {
        rules::profile_link(c, "input", self.label.as_deref(), self.url.as_deref());
    }

    fn changes(&self, _: &profile_link::Model, _: &mut Checker) -> profile_link::ActiveModel {
        profile_link::ActiveModel {
            kind: set(self.kind.map(Into::into)),
            label: set(trimmed(&self.label)),
            url: set(self.url.clone()),
            published: set(self.published),
            ..Default::default()
        }
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
