//! `Role`: a position held, with its months and achievements.

use std::cmp::Reverse;
use std::collections::HashSet;

use std::borrow::Cow;

use async_graphql::{Context, ID, Object, Result};
use chrono::{DateTime, Utc};
use entity::role;

use super::achievement::Achievement;
use super::connection::{Page, PageArgs, paginate};
use super::cost;
use super::enums::EmploymentType;
use super::ids::{self, NodeType};
use super::loaders::*;
use super::locale::{self, Localizer, Translation, translations};
use super::person::Person;
use super::skill::Skill;
use super::{Duration, loaders, state};
use crate::domain::YearMonth;
use crate::error::AppError;
use crate::service::codec::month;

/// Current roles first, then by start month, newest first.
pub fn sort_roles(rows: &mut [role::Model]) {
    rows.sort_by_key(|r| {
        (
            r.end_ym.is_some(),
            Reverse(r.start_ym),
            Reverse(r.end_ym),
            r.position,
            r.id,
        )
    });
}

/// First and last month of a role; a current role runs through `today`.
pub fn span(row: &role::Model, today: YearMonth) -> Result<(YearMonth, YearMonth), AppError> {
    let start = month("role.start_ym", row.start_ym)?;
    let end = match row.end_ym {
        Some(end) => month("role.end_ym", end)?,
        None => today,
    };
    Ok((start, end))
}

#[derive(Clone)]
pub struct Role(pub role::Model);

/// A position held at an organization.
#[Object(cache_control(max_age = 60))]
impl Role {
    /// Global id (opaque; resolve with `node(id:)`).
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::Role, self.0.id)
    }

    /// The employer, e.g. "주식회사 무신사".
    async fn organization(&self, ctx: &Context<'_>) -> Result<Cow<'_, str>> {
        Ok(Localizer::of(ctx, &self.0)
            .await?
            .text("organization", &self.0.organization))
    }

    /// Job title, e.g. "Site Reliability Engineer".
    async fn title(&self, ctx: &Context<'_>) -> Result<Cow<'_, str>> {
        Ok(Localizer::of(ctx, &self.0)
            .await?
            .text("title", &self.0.title))
    }

    /// Team or department.
    async fn department(&self, ctx: &Context<'_>) -> Result<Option<Cow<'_, str>>> {
        Ok(Localizer::of(ctx, &self.0)
            .await?
            .optional("department", self.0.department.as_deref()))
    }

    /// Full-time, contract, ...
    async fn employment_type(&self) -> Option<EmploymentType> {
        self.0.employment_type.map(Into::into)
    }

    /// `employmentType` as shown to readers, in the locale served
    /// ("Full-time", "정규직").
    async fn employment_type_label(&self, ctx: &Context<'_>) -> Result<Option<&'static str>> {
        let Some(kind) = self.0.employment_type else {
            return Ok(None);
        };
        let speech = locale::speech(ctx, self.0.person_id).await?;
        Ok(Some(EmploymentType::from(kind).label(speech)))
    }

    /// Where the role was based.
    async fn location(&self, ctx: &Context<'_>) -> Result<Option<Cow<'_, str>>> {
        Ok(Localizer::of(ctx, &self.0)
            .await?
            .optional("location", self.0.location.as_deref()))
    }

    /// First month in the role.
    async fn start(&self) -> Result<YearMonth> {
        Ok(month("role.start_ym", self.0.start_ym)?)
    }

    /// Last month in the role; null while the role is current.
    async fn end(&self) -> Result<Option<YearMonth>> {
        Ok(self
            .0
            .end_ym
            .map(|end| month("role.end_ym", end))
            .transpose()?)
    }

    /// The months in the role as shown to readers, in the locale served
    /// ("2022년 9월 ~ 현재", "Sep 2022 – Present").
    async fn period(&self, ctx: &Context<'_>) -> Result<String> {
        let start = month("role.start_ym", self.0.start_ym)?;
        let end = self
            .0
            .end_ym
            .map(|end| month("role.end_ym", end))
            .transpose()?;
        Ok(locale::speech(ctx, self.0.person_id)
            .await?
            .span(start, end))
    }

    /// Whether the role is held now (it has no end).
    async fn current(&self) -> bool {
        self.0.end_ym.is_none()
    }

    /// Months in the role, counting both the first and the last month
    /// (2021-06 to 2022-09 is 16); a current role counts through this month.
    async fn duration_months(&self, ctx: &Context<'_>) -> Result<i32> {
        let (start, end) = span(&self.0, state(ctx)?.clock.current_month())?;
        Ok(start.months_through(end))
    }

    /// `durationMonths` split into years and months (16 months = 1 year 4 months).
    async fn duration(&self, ctx: &Context<'_>) -> Result<Duration> {
        let (start, end) = span(&self.0, state(ctx)?.clock.current_month())?;
        let speech = locale::speech(ctx, self.0.person_id).await?;
        Ok(Duration::new(start.months_through(end), speech))
    }

    /// Free-text description of the role.
    async fn summary(&self, ctx: &Context<'_>) -> Result<Option<Cow<'_, str>>> {
        Ok(Localizer::of(ctx, &self.0)
            .await?
            .optional("summary", self.0.summary.as_deref()))
    }

    /// What was achieved in the role, in display order.
    #[graphql(
        complexity = "cost::page(first, last, crate::domain::limits::MAX_ACHIEVEMENTS_PER_PARENT, child_complexity)"
    )]
    async fn achievements(
        &self,
        ctx: &Context<'_>,
        after: Option<String>,
        before: Option<String>,
        #[graphql(
            desc = "At most this many from the start (0-100; 100 when neither `first` nor `last` is given)."
        )]
        first: Option<i32>,
        #[graphql(desc = "At most this many from the end (0-100).")] last: Option<i32>,
    ) -> Result<Page<Achievement>> {
        let args = PageArgs::new(after, before, first, last)?;
        let rows = loaders(ctx)?.achievements(self.0.person_id).await?;
        let rows = rows
            .iter()
            .filter(|a| a.role_id == Some(self.0.id))
            .cloned()
            .collect();
        Ok(paginate(rows, args, Achievement))
    }

    /// Skills used by the role's achievements, each once, in the person's
    /// skill order.
    #[graphql(
        complexity = "cost::list(crate::domain::limits::MAX_SKILLS_PER_PERSON, child_complexity)"
    )]
    async fn skills(&self, ctx: &Context<'_>) -> Result<Vec<Skill>> {
        let loaders = loaders(ctx)?;
        let person = self.0.person_id;
        let achievements = loaders.achievements(person).await?;
        let links = loaders.rows(SkillLinksOf(person)).await?;
        let used: HashSet<i64> = achievements
            .iter()
            .filter(|a| a.role_id == Some(self.0.id))
            .flat_map(|a| run_of(&links, a.id, |l| l.achievement_id))
            .map(|link| link.skill_id)
            .collect();
        let skills = loaders.rows(SkillsOf(person)).await?;
        Ok(skills
            .iter()
            .filter(|s| used.contains(&s.id))
            .cloned()
            .map(Skill)
            .collect())
    }

    /// Whose role this is.
    async fn person(&self, ctx: &Context<'_>) -> Result<Person> {
        let row = loaders(ctx)?.get(PersonById(self.0.person_id)).await?;
        row.map(Person)
            .ok_or_else(|| AppError::internal(format!("role {} has no person", self.0.id)).into())
    }

    /// Text fields of this role shown in the person's default locale because
    /// they have no translation in the locale served (empty when the
    /// default locale is served).
    async fn fallbacks(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        Ok(Localizer::of(ctx, &self.0).await?.fallbacks(&[
            ("organization", true),
            ("title", true),
            ("department", self.0.department.is_some()),
            ("location", self.0.location.is_some()),
            ("summary", self.0.summary.is_some()),
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

    /// When the role was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When the role was last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}
