//! Writing profile links.

use async_graphql::{ID, InputObject};
use entity::profile_link;
use sea_orm::ActiveValue::Set;

use super::items::{ItemPatch, NewItem, item_mutations};
use crate::domain::rules;
use crate::domain::validate::Checker;
use crate::graphql::enums::ProfileLinkKind;
use crate::graphql::profile::ProfileLink;

/// A new profile link, appended to the person's list.
#[derive(InputObject)]
pub struct CreateProfileLinkInput {
    pub person_id: ID,
    pub kind: ProfileLinkKind,
    pub label: String,
    /// Absolute http(s) URL.
    pub url: String,
    #[graphql(default = true)]
    pub published: bool,
}

/// Changes to a profile link; fields left out stay as they are.
#[derive(InputObject)]
pub struct UpdateProfileLinkInput {
    pub id: ID,
    /// The version the change is based on (CONFLICT if no longer current).
    pub expected_version: Option<i32>,
    pub kind: Option<ProfileLinkKind>,
    pub label: Option<String>,
    pub url: Option<String>,
    pub published: Option<bool>,
}

impl NewItem for CreateProfileLinkInput {
    type Entity = profile_link::Entity;

    fn person_id(&self) -> &ID {
        &self.person_id
    }

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

    fn id(&self) -> &ID {
        &self.id
    }

    fn expected_version(&self) -> Option<i32> {
        self.expected_version
    }

    fn check(&self, c: &mut Checker) {
        rules::profile_link(c, "input", self.label.as_deref(), self.url.as_deref());
    }

    fn changes(&self, _: &profile_link::Model, _: &mut Checker) -> profile_link::ActiveModel {
        let mut changes = profile_link::ActiveModel::default();
        if let Some(kind) = self.kind {
            changes.kind = Set(kind.into());
        }
        if let Some(label) = &self.label {
            changes.label = Set(label.trim().to_owned());
        }
        if let Some(url) = &self.url {
            changes.url = Set(url.clone());
        }
        if let Some(published) = self.published {
            changes.published = Set(published);
        }
        changes
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
