//! `Achievement`, its `Metric`s and its `Reference`s.

use async_graphql::{Context, Object, Result};

use super::activity::Activity;
use super::enums::ReferenceKind;
use super::loaders;
use super::loaders::*;
use super::locale;
use super::object::portfolio_object;
use super::role::Role;
use super::skill::Skill;
use crate::document::ReferenceDoc;
use crate::document::ReferenceText;
use crate::domain::{YearMonth, limits};
use crate::error::AppError;
use crate::service::codec::decode;

/// What a reference belongs to.
#[derive(Clone, Copy, Debug)]
pub enum Owner {
    Achievement(i64),
    Activity(i64),
}

/// A talk, post or other work, with the achievement or activity it belongs to.
#[derive(Clone)]
pub struct Reference {
    pub doc: ReferenceDoc,
    pub person_id: i64,
    pub owner: Owner,
}

/// A talk, post or other work about an achievement or activity.
#[Object(cache_control(max_age = 60))]
impl Reference {
    /// Talk, blog post, ...
    async fn kind(&self) -> ReferenceKind {
        self.doc.kind.into()
    }

    /// `kind` as shown to readers, in the locale served ("Talk", "발표").
    async fn kind_label(&self, ctx: &Context<'_>) -> Result<&'static str> {
        let speech = locale::speech(ctx, self.person_id).await?;
        Ok(ReferenceKind::from(self.doc.kind).label(speech))
    }

    /// Its title, in the locale served where it has a translation.
    async fn title(&self, ctx: &Context<'_>) -> Result<String> {
        let t = self.text(ctx).await?;
        Ok(t.and_then(|t| t.title)
            .unwrap_or_else(|| self.doc.title.clone()))
    }

    /// Where to find it, when known.
    async fn url(&self) -> Option<&str> {
        self.doc.url.as_deref()
    }

    /// For a talk: the event or meetup where it was given, when known.
    async fn event(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        let t = self.text(ctx).await?;
        Ok(t.and_then(|t| t.event).or_else(|| self.doc.event.clone()))
    }

    /// For a post or article: who published it (whose blog), when known.
    async fn publisher(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        let t = self.text(ctx).await?;
        Ok(t.and_then(|t| t.publisher)
            .or_else(|| self.doc.publisher.clone()))
    }

    /// When it was given or published, when known.
    async fn date(&self) -> Option<YearMonth> {
        self.doc.date
    }

    /// The achievement it belongs to (null when it belongs to an activity).
    async fn achievement(&self, ctx: &Context<'_>) -> Result<Option<Achievement>> {
        let Owner::Achievement(id) = self.owner else {
            return Ok(None);
        };
        let rows = loaders(ctx)?.achievements(self.person_id).await?;
        Ok(rows.iter().find(|a| a.id == id).cloned().map(Achievement))
    }

    /// The activity it belongs to: its own, or that of its achievement.
    async fn activity(&self, ctx: &Context<'_>) -> Result<Option<Activity>> {
        let l = loaders(ctx)?;
        let id = match self.owner {
            Owner::Activity(id) => Some(id),
            Owner::Achievement(id) => l
                .achievements(self.person_id)
                .await?
                .iter()
                .find(|a| a.id == id)
                .and_then(|a| a.activity_id),
        };
        let activity = l.find(ActivitiesOf(self.person_id), id).await?;
        Ok(activity.map(Activity))
    }

    /// The role its achievement was part of, if any.
    async fn role(&self, ctx: &Context<'_>) -> Result<Option<Role>> {
        let Owner::Achievement(id) = self.owner else {
            return Ok(None);
        };
        let l = loaders(ctx)?;
        let role_id = l
            .achievements(self.person_id)
            .await?
            .iter()
            .find(|a| a.id == id)
            .and_then(|a| a.role_id);
        Ok(l.find(RolesOf(self.person_id), role_id).await?.map(Role))
    }
}

impl Reference {
    /// Its translated text in the locale served, if that is not the default.
    async fn text(&self, ctx: &Context<'_>) -> Result<Option<ReferenceText>, AppError> {
        if self.doc.translations.is_empty() {
            return Ok(None);
        }
        let served = locale::served(ctx, self.person_id).await?;
        Ok(self.doc.translations.get(served.locale.as_str()).cloned())
    }
}

/// A row with a `links` column of references.
pub(crate) trait Linked {
    /// The references in its `links` column.
    fn references(&self) -> Result<Vec<Reference>, AppError>;
}

impl Linked for entity::achievement::Model {
    fn references(&self) -> Result<Vec<Reference>, AppError> {
        Owner::Achievement(self.id).references(self.person_id, &self.links)
    }
}

impl Linked for entity::activity::Model {
    fn references(&self) -> Result<Vec<Reference>, AppError> {
        Owner::Activity(self.id).references(self.person_id, &self.links)
    }
}

impl Owner {
    /// The references stored in its row's `links` column, `json`.
    fn references(self, person_id: i64, json: &str) -> Result<Vec<Reference>, AppError> {
        let column = match self {
            Owner::Achievement(_) => "achievement.links",
            Owner::Activity(_) => "activity.links",
        };
        Ok(decode::<ReferenceDoc>(column, json)?
            .into_iter()
            .map(|doc| Reference {
                doc,
                person_id,
                owner: self,
            })
            .collect())
    }
}

portfolio_object! {
    /// One piece of work: the problem it answered (`context`), what was done
    /// (`actions`), what it achieved (`results`, `metrics`), the skills it used.
    Achievement(achievement) {
        /// What the work was, in one line.
        text title;
        /// The problem or situation that called for it.
        optional context;
        /// What was done, in order.
        list(limits::MAX_LIST_ITEMS) actions;
        /// What it achieved, in order.
        list(limits::MAX_LIST_ITEMS) results;

        /// Its impact in numbers.
        list(limits::MAX_METRICS_PER_ACHIEVEMENT)
        async fn metrics(&self, ctx: &Context<'_>) -> Result<Vec<Metric>> {
            let rows = loaders(ctx)?.rows(MetricsOf(self.0.person_id)).await?;
            Ok(run_of(&rows, self.0.id, |m| m.achievement_id)
                .iter()
                .cloned()
                .map(Metric)
                .collect())
        }

        /// The skills (tools, technologies) it used, in the achievement's order.
        list(limits::MAX_SKILLS_PER_ACHIEVEMENT)
        async fn skills(&self, ctx: &Context<'_>) -> Result<Vec<Skill>> {
            let loaders = loaders(ctx)?;
            let links = loaders.rows(SkillLinksOf(self.0.person_id)).await?;
            let skills = loaders.rows(SkillsOf(self.0.person_id)).await?;
            Ok(run_of(&links, self.0.id, |l| l.achievement_id)
                .iter()
                .filter_map(|link| skills.iter().find(|s| s.id == link.skill_id))
                .cloned()
                .map(Skill)
                .collect())
        }

        /// Talks and posts about it.
        list(limits::MAX_LINKS_PER_ITEM)
        async fn links(&self) -> Result<Vec<Reference>> {
            Ok(self.0.references()?)
        }

        /// The role it was part of (null when it belongs to an activity).
        async fn role(&self, ctx: &Context<'_>) -> Result<Option<Role>> {
            let roles = RolesOf(self.0.person_id);
            Ok(loaders(ctx)?.find(roles, self.0.role_id).await?.map(Role))
        }

        /// The activity it was part of (null when it belongs to a role).
        async fn activity(&self, ctx: &Context<'_>) -> Result<Option<Activity>> {
            let activities = ActivitiesOf(self.0.person_id);
            let activity = loaders(ctx)?.find(activities, self.0.activity_id).await?;
            Ok(activity.map(Activity))
        }

        /// Whose achievement this is.
        owner;
        localized "achievement";
        published;
        stamps;
    }
}

portfolio_object! {
    /// A quantified impact: "분당 최대 2,150만 번" is `value` 21500000 with `unit`
    /// "requests/min"; "1/20배" is `value` 0.05 with `unit` "x" (a factor).
    Metric(metric) {
        /// What is measured, e.g. "분당 최대 요청 수".
        text label;

        /// The number, where the source gives one.
        async fn value(&self) -> Option<f64> {
            self.0.value
        }

        /// Unit of `value`: "requests/min", "x" (a factor of a baseline), "s", ...
        async fn unit(&self) -> Option<&str> {
            self.0.unit.as_deref()
        }

        /// The wording to show, e.g. "분당 최대 2,150만 번".
        text display;

        /// The achievement it measures.
        async fn achievement(&self, ctx: &Context<'_>) -> Result<Achievement> {
            let rows = loaders(ctx)?.achievements(self.0.person_id).await?;
            rows.iter()
                .find(|a| a.id == self.0.achievement_id)
                .cloned()
                .map(Achievement)
                .ok_or_else(|| {
                    AppError::internal(format!("metric {} has no achievement", self.0.id)).into()
                })
        }

        localized "metric";
        stamps;
    }
}
