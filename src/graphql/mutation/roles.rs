//! Roles and activities: the two lists that hold achievements.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use chrono::Utc;
use entity::{activity, role};
use sea_orm::ActiveValue::{NotSet, Set};

use super::common::*;
use super::items::{self, Unique};
use super::simple::{DeleteInput, DeletePayload, ReorderInput, ReorderPayload};
use crate::document::ReferenceDoc;
use crate::domain::validate::Checker;
use crate::domain::{YearMonth, limits};
use crate::graphql::activity::Activity;
use crate::graphql::enums::{ActivityKind, EmploymentType, ReferenceKind};
use crate::graphql::person::Person;
use crate::graphql::role::Role;
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
        ReferenceDoc {
            kind: input.kind.into(),
            title: input.title.trim().to_owned(),
            url: input.url.clone(),
        }
    }
}

pub fn check_references(c: &mut Checker, path: &str, links: &[ReferenceInput]) {
    if !c.list(path, links.len(), limits::MAX_LINKS_PER_ITEM) {
        return;
    }
    for (i, link) in links.iter().enumerate() {
        c.text(
            &format!("{path}[{i}].title"),
            &link.title,
            limits::SHORT_TEXT,
        );
        if let Some(url) = &link.url {
            c.url(&format!("{path}[{i}].url"), url);
        }
    }
}

pub fn encode_references(links: &[ReferenceInput]) -> String {
    encode(&links.iter().map(ReferenceDoc::from).collect::<Vec<_>>())
}

fn ym(value: Option<YearMonth>) -> Option<i32> {
    value.map(YearMonth::to_yyyymm)
}

/// A new role, appended to the person's list (lists show current roles first,
/// then the newest).
#[derive(InputObject)]
pub struct CreateRoleInput {
    pub person_id: ID,
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
#[derive(InputObject)]
pub struct UpdateRoleInput {
    pub id: ID,
    /// The version the change is based on (CONFLICT if no longer current).
    pub expected_version: Option<i32>,
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

/// The role as saved.
#[derive(SimpleObject)]
pub struct RolePayload {
    /// The role as it is now.
    pub role: Role,
}

/// A new activity, appended to the person's list.
#[derive(InputObject)]
pub struct CreateActivityInput {
    pub person_id: ID,
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
#[derive(InputObject)]
pub struct UpdateActivityInput {
    pub id: ID,
    /// The version the change is based on (CONFLICT if no longer current).
    pub expected_version: Option<i32>,
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

/// The activity as saved.
#[derive(SimpleObject)]
pub struct ActivityPayload {
    /// The activity as it is now.
    pub activity: Activity,
}

fn check_year(c: &mut Checker, year: Option<i32>) {
    if year.is_some_and(|y| !(1..=9999).contains(&y)) {
        c.fail("input.year", "must be a year between 1 and 9999");
    }
}

/// Mutations of roles and activities.
#[derive(Default)]
pub struct RoleMutation;

#[Object]
impl RoleMutation {
    /// Adds a role to a person's portfolio.
    async fn create_role(&self, ctx: &Context<'_>, input: CreateRoleInput) -> Result<RolePayload> {
        let run = async {
            let mut c = Checker::default();
            c.text(
                "input.organization",
                &input.organization,
                limits::SHORT_TEXT,
            );
            c.text("input.title", &input.title, limits::SHORT_TEXT);
            c.optional_text(
                "input.department",
                input.department.as_deref(),
                limits::SHORT_TEXT,
            );
            c.optional_text(
                "input.location",
                input.location.as_deref(),
                limits::SHORT_TEXT,
            );
            c.optional_multiline("input.summary", input.summary.as_deref(), limits::LONG_TEXT);
            c.months("input", Some(input.start), input.end);
            ensure_valid(c)?;
            let now = Utc::now();
            let model = items::create::<role::Entity>(
                ctx,
                &input.person_id,
                Unique::NONE,
                |person_id, position| {
                    Ok(role::ActiveModel {
                        id: NotSet,
                        person_id: Set(person_id),
                        organization: Set(input.organization.trim().to_owned()),
                        title: Set(input.title.trim().to_owned()),
                        department: Set(input.department.clone()),
                        employment_type: Set(input.employment_type.map(Into::into)),
                        location: Set(input.location.clone()),
                        start_ym: Set(input.start.to_yyyymm()),
                        end_ym: Set(ym(input.end)),
                        summary: Set(input.summary.clone()),
                        position: Set(position),
                        published: Set(input.published),
                        version: Set(1),
                        created_at: Set(now),
                        updated_at: Set(now),
                    })
                },
            )
            .await?;
            Ok(RolePayload { role: Role(model) })
        };
        run.await.map_err(|e| fail(ctx, e))
    }

    /// Changes a role.
    async fn update_role(&self, ctx: &Context<'_>, input: UpdateRoleInput) -> Result<RolePayload> {
        let run = async {
            let mut c = Checker::default();
            if let Some(organization) = &input.organization {
                c.text("input.organization", organization, limits::SHORT_TEXT);
            }
            if let Some(title) = &input.title {
                c.text("input.title", title, limits::SHORT_TEXT);
            }
            c.optional_text(
                "input.department",
                input.department.value().map(String::as_str),
                limits::SHORT_TEXT,
            );
            c.optional_text(
                "input.location",
                input.location.value().map(String::as_str),
                limits::SHORT_TEXT,
            );
            c.optional_multiline(
                "input.summary",
                input.summary.value().map(String::as_str),
                limits::LONG_TEXT,
            );
            ensure_valid(c)?;
            let model = items::update::<role::Entity>(
                ctx,
                &input.id,
                input.expected_version,
                Unique::NONE,
                |current| {
                    let start = input.start.or(YearMonth::from_yyyymm(current.start_ym));
                    let end = after(&input.end, current.end_ym.and_then(YearMonth::from_yyyymm));
                    let mut c = Checker::default();
                    c.months("input", start, end);
                    ensure_valid(c)?;
                    let mut changes = <role::ActiveModel as Default>::default();
                    if let Some(organization) = &input.organization {
                        changes.organization = Set(organization.trim().to_owned());
                    }
                    if let Some(title) = &input.title {
                        changes.title = Set(title.trim().to_owned());
                    }
                    changes.department = maybe(input.department.clone());
                    changes.employment_type = maybe(input.employment_type.map_value(Into::into));
                    changes.location = maybe(input.location.clone());
                    if let Some(start) = input.start {
                        changes.start_ym = Set(start.to_yyyymm());
                    }
                    changes.end_ym = maybe(input.end.map_value(YearMonth::to_yyyymm));
                    changes.summary = maybe(input.summary.clone());
                    if let Some(published) = input.published {
                        changes.published = Set(published);
                    }
                    Ok(changes)
                },
            )
            .await?;
            Ok(RolePayload { role: Role(model) })
        };
        run.await.map_err(|e| fail(ctx, e))
    }

    /// Deletes a role and its achievements.
    async fn delete_role(&self, ctx: &Context<'_>, input: DeleteInput) -> Result<DeletePayload> {
        let deleted_id = items::delete::<role::Entity>(ctx, &input.id)
            .await
            .map_err(|e| fail(ctx, e))?;
        Ok(DeletePayload { deleted_id })
    }

    /// Sets the order of a person's roles among roles that sort alike (lists
    /// show current roles first, then by start month; this order breaks ties
    /// and is the order of the document export).
    async fn reorder_roles(
        &self,
        ctx: &Context<'_>,
        input: ReorderInput,
    ) -> Result<ReorderPayload> {
        let person = items::reorder_person_list::<role::Entity>(ctx, &input.person_id, &input.ids)
            .await
            .map_err(|e| fail(ctx, e))?;
        Ok(ReorderPayload {
            person: Person(person),
        })
    }

    /// Adds an activity to a person's portfolio.
    async fn create_activity(
        &self,
        ctx: &Context<'_>,
        input: CreateActivityInput,
    ) -> Result<ActivityPayload> {
        let run = async {
            let mut c = Checker::default();
            c.multiline("input.title", &input.title, limits::LONG_TEXT);
            c.optional_text(
                "input.organization",
                input.organization.as_deref(),
                limits::SHORT_TEXT,
            );
            c.optional_multiline(
                "input.description",
                input.description.as_deref(),
                limits::LONG_TEXT,
            );
            c.texts(
                "input.highlights",
                &input.highlights,
                limits::MAX_HIGHLIGHTS_PER_ACTIVITY,
                limits::LONG_TEXT,
            );
            c.months("input", input.start, input.end);
            check_year(&mut c, input.year);
            check_references(&mut c, "input.links", &input.links);
            ensure_valid(c)?;
            let now = Utc::now();
            let model = items::create::<activity::Entity>(
                ctx,
                &input.person_id,
                Unique::NONE,
                |person_id, position| {
                    Ok(activity::ActiveModel {
                        id: NotSet,
                        person_id: Set(person_id),
                        kind: Set(input.kind.into()),
                        title: Set(input.title.trim().to_owned()),
                        organization: Set(input.organization.clone()),
                        start_ym: Set(ym(input.start)),
                        end_ym: Set(ym(input.end)),
                        year: Set(input.year),
                        description: Set(input.description.clone()),
                        highlights: Set(encode(&input.highlights)),
                        links: Set(encode_references(&input.links)),
                        position: Set(position),
                        published: Set(input.published),
                        version: Set(1),
                        created_at: Set(now),
                        updated_at: Set(now),
                    })
                },
            )
            .await?;
            Ok(ActivityPayload {
                activity: Activity(model),
            })
        };
        run.await.map_err(|e| fail(ctx, e))
    }

    /// Changes an activity.
    async fn update_activity(
        &self,
        ctx: &Context<'_>,
        input: UpdateActivityInput,
    ) -> Result<ActivityPayload> {
        let run = async {
            let mut c = Checker::default();
            if let Some(title) = &input.title {
                c.multiline("input.title", title, limits::LONG_TEXT);
            }
            c.optional_text(
                "input.organization",
                input.organization.value().map(String::as_str),
                limits::SHORT_TEXT,
            );
            c.optional_multiline(
                "input.description",
                input.description.value().map(String::as_str),
                limits::LONG_TEXT,
            );
            if let Some(highlights) = &input.highlights {
                c.texts(
                    "input.highlights",
                    highlights,
                    limits::MAX_HIGHLIGHTS_PER_ACTIVITY,
                    limits::LONG_TEXT,
                );
            }
            check_year(&mut c, input.year.value().copied());
            if let Some(links) = &input.links {
                check_references(&mut c, "input.links", links);
            }
            ensure_valid(c)?;
            let model = items::update::<activity::Entity>(
                ctx,
                &input.id,
                input.expected_version,
                Unique::NONE,
                |current| {
                    let start = after(
                        &input.start,
                        current.start_ym.and_then(YearMonth::from_yyyymm),
                    );
                    let end = after(&input.end, current.end_ym.and_then(YearMonth::from_yyyymm));
                    let mut c = Checker::default();
                    c.months("input", start, end);
                    ensure_valid(c)?;
                    let mut changes = <activity::ActiveModel as Default>::default();
                    if let Some(kind) = input.kind {
                        changes.kind = Set(kind.into());
                    }
                    if let Some(title) = &input.title {
                        changes.title = Set(title.trim().to_owned());
                    }
                    changes.organization = maybe(input.organization.clone());
                    changes.start_ym = maybe(input.start.map_value(YearMonth::to_yyyymm));
                    changes.end_ym = maybe(input.end.map_value(YearMonth::to_yyyymm));
                    changes.year = maybe(input.year);
                    changes.description = maybe(input.description.clone());
                    if let Some(highlights) = &input.highlights {
                        changes.highlights = Set(encode(highlights));
                    }
                    if let Some(links) = &input.links {
                        changes.links = Set(encode_references(links));
                    }
                    if let Some(published) = input.published {
                        changes.published = Set(published);
                    }
                    Ok(changes)
                },
            )
            .await?;
            Ok(ActivityPayload {
                activity: Activity(model),
            })
        };
        run.await.map_err(|e| fail(ctx, e))
    }

    /// Deletes an activity and its achievements.
    async fn delete_activity(
        &self,
        ctx: &Context<'_>,
        input: DeleteInput,
    ) -> Result<DeletePayload> {
        let deleted_id = items::delete::<activity::Entity>(ctx, &input.id)
            .await
            .map_err(|e| fail(ctx, e))?;
        Ok(DeletePayload { deleted_id })
    }

    /// Puts a person's activities in a new order.
    async fn reorder_activities(
        &self,
        ctx: &Context<'_>,
        input: ReorderInput,
    ) -> Result<ReorderPayload> {
        let person =
            items::reorder_person_list::<activity::Entity>(ctx, &input.person_id, &input.ids)
                .await
                .map_err(|e| fail(ctx, e))?;
        Ok(ReorderPayload {
            person: Person(person),
        })
    }
}
