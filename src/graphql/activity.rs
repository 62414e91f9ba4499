//! `Activity`: community, open source, talks, awards, competitions, study groups.

use std::borrow::Cow;

use async_graphql::{Context, ID, Object, Result};
use chrono::{DateTime, Utc};
use entity::activity;

use super::achievement::{Achievement, Owner, Reference, references};
use super::enums::ActivityKind;
use super::ids::{self, NodeType};
use super::loaders;
use super::loaders::*;
use super::locale::{self, Localizer, Translation, translations};
use super::person::Person;
use crate::domain::YearMonth;
use crate::error::AppError;
use crate::service::codec::optional_month as month;

#[derive(Clone)]
pub struct Activity(pub activity::Model);

/// Something done outside a role.
#[Object(cache_control(max_age = 60))]
impl Activity {
    /// Global id (opaque; resolve with `node(id:)`).
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::Activity, self.0.id)
    }

    /// Community, open source, award, ...
    async fn kind(&self) -> ActivityKind {
        self.0.kind.into()
    }

    /// `kind` as shown to readers, in the locale served ("Open source", "오픈소스").
    async fn kind_label(&self, ctx: &Context<'_>) -> Result<&'static str> {
        let speech = locale::speech(ctx, self.0.person_id).await?;
        Ok(ActivityKind::from(self.0.kind).label(speech))
    }

    /// Its name, e.g. "Argo Workflows 오픈소스 기여".
    async fn title(&self, ctx: &Context<'_>) -> Result<Cow<'_, str>> {
        Ok(Localizer::of(ctx, &self.0)
            .await?
            .text("title", &self.0.title))
    }

    /// The organization behind it, e.g. "AWSKRUG".
    async fn organization(&self, ctx: &Context<'_>) -> Result<Option<Cow<'_, str>>> {
        Ok(Localizer::of(ctx, &self.0)
            .await?
            .optional("organization", self.0.organization.as_deref()))
    }

    /// First month, when known.
    async fn start(&self) -> Result<Option<YearMonth>> {
        Ok(month("activity.start_ym", self.0.start_ym)?)
    }

    /// Last month, when known.
    async fn end(&self) -> Result<Option<YearMonth>> {
        Ok(month("activity.end_ym", self.0.end_ym)?)
    }

    /// Its months as shown to readers, in the locale served; null without
    /// a start month.
    async fn period(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        let Some(start) = month("activity.start_ym", self.0.start_ym)? else {
            return Ok(None);
        };
        let end = month("activity.end_ym", self.0.end_ym)?;
        Ok(Some(
            locale::speech(ctx, self.0.person_id)
                .await?
                .span(start, end),
        ))
    }

    /// The year, when only the year is known.
    async fn year(&self) -> Option<i32> {
        self.0.year
    }

    /// What it was.
    async fn description(&self, ctx: &Context<'_>) -> Result<Option<Cow<'_, str>>> {
        Ok(Localizer::of(ctx, &self.0)
            .await?
            .optional("description", self.0.description.as_deref()))
    }

    /// Notable points, in order.
    #[graphql(
        complexity = "super::cost::list(crate::domain::limits::MAX_LIST_ITEMS, child_complexity)"
    )]
    async fn highlights(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        Ok(Localizer::of(ctx, &self.0).await?.list(
            "highlights",
            "activity.highlights",
            &self.0.highlights,
        )?)
    }

    /// Talks and posts it produced.
    #[graphql(
        complexity = "super::cost::list(crate::domain::limits::MAX_LINKS_PER_ITEM, child_complexity)"
    )]
    async fn links(&self) -> Result<Vec<Reference>> {
        Ok(references(
            "activity.links",
            &self.0.links,
            self.0.person_id,
            Owner::Activity(self.0.id),
        )?)
    }

    /// For an award: the activity (a project, a contribution) it was given
    /// for; null otherwise.
    async fn awarded_for(&self, ctx: &Context<'_>) -> Result<Option<Activity>> {
        let Some(id) = self.0.awarded_for_id else {
            return Ok(None);
        };
        let rows = loaders(ctx)?.rows(ActivitiesOf(self.0.person_id)).await?;
        Ok(rows.iter().find(|a| a.id == id).cloned().map(Activity))
    }

    /// The awards given for this activity, in display order.
    #[graphql(
        complexity = "super::cost::list(crate::domain::limits::MAX_ACTIVITIES_PER_PERSON, child_complexity)"
    )]
    async fn awards(&self, ctx: &Context<'_>) -> Result<Vec<Activity>> {
        let rows = loaders(ctx)?.rows(ActivitiesOf(self.0.person_id)).await?;
        Ok(rows
            .iter()
            .filter(|a| a.awarded_for_id == Some(self.0.id))
            .cloned()
            .map(Activity)
            .collect())
    }

    /// Measured results of the activity, like a competition rank.
    #[graphql(
        complexity = "super::cost::list(crate::domain::limits::MAX_ACHIEVEMENTS_PER_PARENT, child_complexity)"
    )]
    async fn achievements(&self, ctx: &Context<'_>) -> Result<Vec<Achievement>> {
        let rows = loaders(ctx)?.achievements(self.0.person_id).await?;
        Ok(rows
            .iter()
            .filter(|a| a.activity_id == Some(self.0.id))
            .cloned()
            .map(Achievement)
            .collect())
    }

    /// Whose activity this is.
    async fn person(&self, ctx: &Context<'_>) -> Result<Person> {
        let row = loaders(ctx)?.get(PersonById(self.0.person_id)).await?;
        row.map(Person).ok_or_else(|| {
            AppError::internal(format!("activity {} has no person", self.0.id)).into()
        })
    }

    /// Text fields of this activity shown in the person's default locale because
    /// they have no translation in the locale served (empty when the
    /// default locale is served).
    async fn fallbacks(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        Ok(Localizer::of(ctx, &self.0).await?.fallbacks(&[
            ("title", true),
            ("organization", self.0.organization.is_some()),
            ("description", self.0.description.is_some()),
            ("highlights", self.0.highlights != "[]"),
        ]))
    }

    /// Every translation of its text, for editors: the text fields hold the
    /// person's default locale, these the others.
    async fn translations(&self) -> Result<Vec<Translation>> {
        Ok(translations(&self.0.translations)?)
    }

    /// False for a draft, which only the portfolio's owner sees.
    async fn published(&self) -> bool {
        self.0.published
    }

    /// Incremented on every change.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When it was last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}
