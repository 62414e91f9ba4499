//! Writing activities, and the links (talks, posts, ...) that activities and
//! achievements carry.

use async_graphql::{InputObject, MaybeUndefined};
use entity::activity;
use sea_orm::ActiveValue::Set;

use super::common::{maybe, month_after, set, trimmed, ym};
use super::items::{ItemPatch, NewItem, item_inputs, item_mutations};
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
    CreateActivityInput {
        pub kind: ActivityKind,
        pub title: String,
        pub organization: Option<String>,
        pub start: Option<YearMonth>,
        pub end: Option<YearMonth>,
        pub year: Option<i32>,
        pub description: Option<String>,
        #[graphql(default)]
        pub highlights: Vec<String>,
        #[graphql(default)]
        pub links: Vec<ReferenceInput>,
        #[graphql(default = true)]
        pub published: bool,
    }
    /// Changes to an activity; left out stays, `null` clears.
    UpdateActivityInput {
        pub kind: Option<ActivityKind>,
        pub title: Option<String>,
        pub organization: MaybeUndefined<String>,
        pub start: MaybeUndefined<YearMonth>,
        pub end: MaybeUndefined<YearMonth>,
        pub year: MaybeUndefined<i32>,
        pub description: MaybeUndefined<String>,
        /// Replaces the whole list.
        pub highlights: Option<Vec<String>>,
        /// Replaces the whole list.
        pub links: Option<Vec<ReferenceInput>>,
        pub published: Option<bool>,
    }
}

impl NewItem for CreateActivityInput {
    type Entity = activity::Entity;

    fn check(&self, c: &mut Checker) {
        let fields = ActivityFields {
            title: Some(&self.title),
            organization: self.organization.as_deref(),
            description: self.description.as_deref(),
            highlights: Some(&self.highlights),
            months: Some((self.start, self.end)),
            year: self.year,
        };
        rules::activity(c, "input", fields);
        check_references(c, Some(&self.links));
    }

    fn row(self) -> activity::ActiveModel {
        activity::ActiveModel {
            kind: Set(self.kind.into()),
            title: Set(self.title.trim().to_owned()),
            organization: Set(self.organization),
            start_ym: Set(ym(self.start)),
            end_ym: Set(ym(self.end)),
            year: Set(self.year),
            description: Set(self.description),
            highlights: Set(encode(&self.highlights)),
            links: Set(encode_references(&self.links)),
            published: Set(self.published),
            ..Default::default()
        }
    }
}

impl ItemPatch for UpdateActivityInput {
    type Entity = activity::Entity;

    fn check(&self, c: &mut Checker) {
        let fields = ActivityFields {
            title: self.title.as_deref(),
            organization: self.organization.value().map(String::as_str),
            description: self.description.value().map(String::as_str),
            highlights: self.highlights.as_deref(),
            months: None,
            year: self.year.value().copied(),
        };
        rules::activity(c, "input", fields);
        check_references(c, self.links.as_deref());
    }

    fn changes(&self, current: &activity::Model, c: &mut Checker) -> activity::ActiveModel {
        let start = month_after(&self.start, current.start_ym);
        c.months("input", start, month_after(&self.end, current.end_ym));
        activity::ActiveModel {
            organization: maybe(self.organization.clone()),
            start_ym: maybe(self.start.map_value(YearMonth::to_yyyymm)),
            end_ym: maybe(self.end.map_value(YearMonth::to_yyyymm)),
            year: maybe(self.year),
            description: maybe(self.description.clone()),
            kind: set(self.kind.map(Into::into)),
            title: set(trimmed(&self.title)),
            highlights: set(self.highlights.as_deref().map(encode)),
            links: set(self.links.as_deref().map(encode_references)),
            published: set(self.published),
            ..Default::default()
        }
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
