//! The small fixed lists of a person: profile links, education, languages.

use std::borrow::Cow;

use async_graphql::{Context, ID, Object, Result};
use chrono::{DateTime, Utc};
use entity::{education, language, profile_link};

use super::enums::{EducationStatus, ProfileLinkKind};
use super::ids::{self, NodeType};
use super::loaders;
use super::loaders::*;
use super::locale::{self, Localizer, Translation, translations};
use super::person::Person;
use crate::domain::YearMonth;
use crate::error::AppError;
use crate::service::codec::optional_month;

async fn owner(ctx: &Context<'_>, person_id: i64, what: &str) -> Result<Person> {
    let row = loaders(ctx)?.get(PersonById(person_id)).await?;
    row.map(Person)
        .ok_or_else(|| AppError::internal(format!("{what} has no person")).into())
}

#[derive(Clone)]
pub struct ProfileLink(pub profile_link::Model);

/// A profile elsewhere: LinkedIn, GitHub, a blog.
#[Object(cache_control(max_age = 60))]
impl ProfileLink {
    /// Global id (opaque; resolve with `node(id:)`).
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::ProfileLink, self.0.id)
    }

    /// Which site.
    async fn kind(&self) -> ProfileLinkKind {
        self.0.kind.into()
    }

    /// `kind` as shown to readers, in the locale served.
    async fn kind_label(&self, ctx: &Context<'_>) -> Result<&'static str> {
        let speech = locale::speech(ctx, self.0.person_id).await?;
        Ok(ProfileLinkKind::from(self.0.kind).label(speech))
    }

    /// Text to show, e.g. "LinkedIn".
    async fn label(&self, ctx: &Context<'_>) -> Result<Cow<'_, str>> {
        Ok(Localizer::of(ctx, &self.0)
            .await?
            .text("label", &self.0.label))
    }

    /// Absolute http(s) URL.
    async fn url(&self) -> &str {
        &self.0.url
    }

    /// Whose link this is.
    async fn person(&self, ctx: &Context<'_>) -> Result<Person> {
        owner(ctx, self.0.person_id, "profile link").await
    }

    /// Text fields of this profileLink shown in the person's default locale because
    /// they have no translation in the locale served (empty when the
    /// default locale is served).
    async fn fallbacks(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        Ok(Localizer::of(ctx, &self.0)
            .await?
            .fallbacks(&[("label", true)]))
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

#[derive(Clone)]
pub struct Education(pub education::Model);

/// A course of study.
#[Object(cache_control(max_age = 60))]
impl Education {
    /// Global id (opaque; resolve with `node(id:)`).
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::Education, self.0.id)
    }

    /// School or university, e.g. "동국대학교".
    async fn institution(&self, ctx: &Context<'_>) -> Result<Cow<'_, str>> {
        Ok(Localizer::of(ctx, &self.0)
            .await?
            .text("institution", &self.0.institution))
    }

    /// Degree or level, e.g. "대학교(학사)".
    async fn degree(&self, ctx: &Context<'_>) -> Result<Option<Cow<'_, str>>> {
        Ok(Localizer::of(ctx, &self.0)
            .await?
            .optional("degree", self.0.degree.as_deref()))
    }

    /// Field of study, e.g. "영화영상학과".
    async fn field(&self, ctx: &Context<'_>) -> Result<Option<Cow<'_, str>>> {
        Ok(Localizer::of(ctx, &self.0)
            .await?
            .optional("field", self.0.field.as_deref()))
    }

    /// First month.
    async fn start(&self) -> Result<Option<YearMonth>> {
        Ok(optional_month("education.start_ym", self.0.start_ym)?)
    }

    /// Last month.
    async fn end(&self) -> Result<Option<YearMonth>> {
        Ok(optional_month("education.end_ym", self.0.end_ym)?)
    }

    /// Graduated, enrolled, ...
    async fn status(&self) -> Option<EducationStatus> {
        self.0.status.map(Into::into)
    }

    /// `status` as shown to readers, in the locale served ("Graduated", "졸업").
    async fn status_label(&self, ctx: &Context<'_>) -> Result<Option<&'static str>> {
        let Some(status) = self.0.status else {
            return Ok(None);
        };
        let speech = locale::speech(ctx, self.0.person_id).await?;
        Ok(Some(EducationStatus::from(status).label(speech)))
    }

    /// Its months as shown to readers, in the locale served; null without
    /// a start month.
    async fn period(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        let Some(start) = optional_month("education.start_ym", self.0.start_ym)? else {
            return Ok(None);
        };
        let end = optional_month("education.end_ym", self.0.end_ym)?;
        Ok(Some(
            locale::speech(ctx, self.0.person_id)
                .await?
                .span(start, end),
        ))
    }

    /// Whose education this is.
    async fn person(&self, ctx: &Context<'_>) -> Result<Person> {
        owner(ctx, self.0.person_id, "education").await
    }

    /// Text fields of this education shown in the person's default locale because
    /// they have no translation in the locale served (empty when the
    /// default locale is served).
    async fn fallbacks(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        Ok(Localizer::of(ctx, &self.0).await?.fallbacks(&[
            ("institution", true),
            ("degree", self.0.degree.is_some()),
            ("field", self.0.field.is_some()),
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

#[derive(Clone)]
pub struct Language(pub language::Model);

/// A spoken language.
#[Object(cache_control(max_age = 60))]
impl Language {
    /// Global id (opaque; resolve with `node(id:)`).
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::Language, self.0.id)
    }

    /// The language, e.g. "영어".
    async fn name(&self, ctx: &Context<'_>) -> Result<Cow<'_, str>> {
        Ok(Localizer::of(ctx, &self.0)
            .await?
            .text("name", &self.0.name))
    }

    /// How well, in the person's words, e.g. "비즈니스 회화 가능".
    async fn fluency(&self, ctx: &Context<'_>) -> Result<Option<Cow<'_, str>>> {
        Ok(Localizer::of(ctx, &self.0)
            .await?
            .optional("fluency", self.0.fluency.as_deref()))
    }

    /// Whose language this is.
    async fn person(&self, ctx: &Context<'_>) -> Result<Person> {
        owner(ctx, self.0.person_id, "language").await
    }

    /// Text fields of this language shown in the person's default locale because
    /// they have no translation in the locale served (empty when the
    /// default locale is served).
    async fn fallbacks(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        Ok(Localizer::of(ctx, &self.0)
            .await?
            .fallbacks(&[("name", true), ("fluency", self.0.fluency.is_some())]))
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
