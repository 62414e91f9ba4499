//! Writing activities, and the links (talks, posts, ...) that activities and
//! achievements carry.

use async_graphql::InputObject;

use super::items::{Rules, item_inputs, item_mutations};
use crate::document::ReferenceDoc;
use crate::domain::YearMonth;
use crate::domain::rules::{self, ActivityFields};
use crate::domain::validate::Checker;
use crate::graphql::activity::Activity;
use crate::graphql::enums::{ActivityKind, ReferenceKind};
use crate::service::codec::encode;

/// A talk, post or other work about an achievement or activity.
#[derive(InputObject, Clone)]
pub struct ReferenceInput {
    pub kind: ReferenceKind,
    pub title: String,
    /// Absolute http(s) URL, when known.
    pub url: Option<String>,
}

impl From<&ReferenceInput> for ReferenceDoc {
    fn from(input: &ReferenceInput) -> Self {
        ReferenceDoc::new(
            input.kind.into(),
            input.title.trim().to_owned(),
            input.url.clone(),
        )
    }
}

/// The rules of the links given, if any, under `input.links`.
pub fn check_references(c: &mut Checker, links: Option<&[ReferenceInput]>) {
    if let Some(links) = links {
        let links = links.iter().map(|l| (l.title.as_str(), l.url.as_deref()));
        rules::references(c, "input", links);
    }
}

/// Links as stored.
pub fn encode_references(links: &[ReferenceInput]) -> String {
    encode(&links.iter().map(ReferenceDoc::from).collect::<Vec<_>>())
}

item_inputs! {
    /// A new activity, appended to the person's list.
    CreateActivityInput
    /// Changes to an activity; left out stays, `null` clears.
    UpdateActivityInput
    for activity => ActivityGiven {
        kind: ActivityKind,
        title: String,
        organization: Option<String>,
        start: Option<YearMonth> => start_ym,
        end: Option<YearMonth> => end_ym,
        year: Option<i32>,
        description: Option<String>,
        #[graphql(default)]
        highlights: Vec<String> [
            /// Replaces the whole list.
        ],
        #[graphql(default)]
        links: Vec<ReferenceInput> [
            /// Replaces the whole list.
        ],
        #[graphql(default = true)]
        published: bool,
    }
    span start => start_ym, end => end_ym;
}

impl Rules for ActivityGiven<'_> {
    fn check(&self, c: &mut Checker, new: bool) {
        let fields = ActivityFields {
            title: self.title,
            organization: self.organization,
            description: self.description,
            highlights: self.highlights,
            months: new.then_some((self.start, self.end)),
            year: self.year,
        };
        rules::activity(c, "input", fields);
        check_references(c, self.links);
    }
}

item_mutations! {
    /// Mutations of activities.
    ActivityMutation for activity => Activity;
    /// The activity as saved.
    ActivityPayload {
        /// The activity as it is now.
        activity
    }
    /// Adds an activity to a person's portfolio.
    create_activity(CreateActivityInput);
    /// Changes an activity.
    update_activity(UpdateActivityInput);
    /// Deletes an activity and its achievements.
    delete_activity;
    /// Puts a person's activities in a new order.
    reorder_activities;
}
