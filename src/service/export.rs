//! Reading a whole portfolio back into a native document.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use entity::{
    achievement, achievement_skill, activity, education, language, metric, person, profile_link,
    role, skill,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use super::codec::{decode, month, optional_month};
use crate::document::localize::from_column;
use crate::document::*;
use crate::error::{AppError, AppResult};

/// The portfolio of `slug` as a document, or `None` when there is no such person.
pub async fn export_document(
    db: &impl ConnectionTrait,
    slug: &str,
) -> AppResult<Option<PortfolioDocument>> {
    Ok(export_document_dated(db, slug).await?.map(|(doc, _)| doc))
}

/// The portfolio of `slug` as a document, with when anything of it last
/// changed (the person's `updated_at`).
pub async fn export_document_dated(
    db: &impl ConnectionTrait,
    slug: &str,
) -> AppResult<Option<(PortfolioDocument, DateTime<Utc>)>> {
    let Some(p) = person::Entity::find()
        .filter(person::Column::Slug.eq(slug))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let links = profile_link::Entity::find()
        .filter(profile_link::Column::PersonId.eq(p.id))
        .order_by_asc(profile_link::Column::Position)
        .all(db)
        .await?;
    let skills = skill::Entity::find()
        .filter(skill::Column::PersonId.eq(p.id))
        .order_by_asc(skill::Column::Position)
        .all(db)
        .await?;
    let roles = role::Entity::find()
        .filter(role::Column::PersonId.eq(p.id))
        .order_by_asc(role::Column::Position)
        .all(db)
        .await?;
    let activities = activity::Entity::find()
        .filter(activity::Column::PersonId.eq(p.id))
        .order_by_asc(activity::Column::Position)
        .all(db)
        .await?;
    let achievements = achievement::Entity::find()
        .filter(achievement::Column::PersonId.eq(p.id))
        .order_by_asc(achievement::Column::Position)
        .all(db)
        .await?;
    let achievement_ids: Vec<i64> = achievements.iter().map(|a| a.id).collect();
    let metrics = metric::Entity::find()
        .filter(metric::Column::AchievementId.is_in(achievement_ids.clone()))
        .order_by_asc(metric::Column::AchievementId)
        .order_by_asc(metric::Column::Position)
        .all(db)
        .await?;
    let skill_links = achievement_skill::Entity::find()
        .filter(achievement_skill::Column::AchievementId.is_in(achievement_ids))
        .order_by_asc(achievement_skill::Column::AchievementId)
        .order_by_asc(achievement_skill::Column::Position)
        .all(db)
        .await?;
    let education = education::Entity::find()
        .filter(education::Column::PersonId.eq(p.id))
        .order_by_asc(education::Column::Position)
        .all(db)
        .await?;
    let languages = language::Entity::find()
        .filter(language::Column::PersonId.eq(p.id))
        .order_by_asc(language::Column::Position)
        .all(db)
        .await?;

    let updated_at = p.updated_at;
    assemble(Rows {
        person: p,
        links: &links,
        skills: &skills,
        roles: &roles,
        activities: &activities,
        achievements: &achievements,
        metrics: &metrics,
        skill_links: &skill_links,
        education: &education,
        languages: &languages,
    })
    .map(|doc| Some((doc, updated_at)))
}

/// Every row of one portfolio, each list in display order (metrics and
/// skill links grouped by achievement).
pub struct Rows<'a> {
    pub person: person::Model,
    pub links: &'a [profile_link::Model],
    pub skills: &'a [skill::Model],
    pub roles: &'a [role::Model],
    pub activities: &'a [activity::Model],
    pub achievements: &'a [achievement::Model],
    pub metrics: &'a [metric::Model],
    pub skill_links: &'a [achievement_skill::Model],
    pub education: &'a [education::Model],
    pub languages: &'a [language::Model],
}

/// The translations kept in an item's `translations` column; a column the
/// document cannot express is an internal error.
fn texts<T: serde::de::DeserializeOwned>(
    table: &str,
    id: i64,
    column: Option<&str>,
) -> AppResult<Localized<T>> {
    from_column(column).map_err(|err| {
        AppError::internal(format!(
            "{table} {id}: its translations cannot be read: {err}"
        ))
    })
}

/// The document of a portfolio's rows. Pure: the GraphQL layer assembles
/// it from rows its batched loaders already hold.
pub fn assemble(rows: Rows<'_>) -> AppResult<PortfolioDocument> {
    let Rows {
        person: p,
        links,
        skills,
        roles,
        activities,
        achievements,
        metrics,
        skill_links,
        education,
        languages,
    } = rows;
    let skill_names: HashMap<i64, &str> = skills.iter().map(|s| (s.id, s.name.as_str())).collect();
    let mut metrics_of: HashMap<i64, Vec<MetricDoc>> = HashMap::new();
    for m in metrics {
        metrics_of
            .entry(m.achievement_id)
            .or_default()
            .push(MetricDoc {
                label: m.label.clone(),
                value: m.value,
                unit: m.unit.clone(),
                display: m.display.clone(),
                translations: texts("metric", m.id, m.translations.as_deref())?,
            });
    }
    let mut skills_of: HashMap<i64, Vec<String>> = HashMap::new();
    for link in skill_links {
        if let Some(name) = skill_names.get(&link.skill_id) {
            skills_of
                .entry(link.achievement_id)
                .or_default()
                .push((*name).to_owned());
        }
    }
    let mut by_role: HashMap<i64, Vec<AchievementDoc>> = HashMap::new();
    let mut by_activity: HashMap<i64, Vec<AchievementDoc>> = HashMap::new();
    for a in achievements {
        let doc = AchievementDoc {
            title: a.title.clone(),
            context: a.context.clone(),
            actions: decode("achievement.actions", &a.actions)?,
            results: decode("achievement.results", &a.results)?,
            skills: skills_of.remove(&a.id).unwrap_or_default(),
            metrics: metrics_of.remove(&a.id).unwrap_or_default(),
            links: decode("achievement.links", &a.links)?,
            draft: !a.published,
            translations: texts("achievement", a.id, a.translations.as_deref())?,
        };
        match (a.role_id, a.activity_id) {
            (Some(role_id), _) => by_role.entry(role_id).or_default().push(doc),
            (None, Some(activity_id)) => by_activity.entry(activity_id).or_default().push(doc),
            (None, None) => {
                return Err(AppError::internal(format!(
                    "achievement {} has no parent",
                    a.id
                )));
            }
        }
    }

    let titles: HashMap<i64, &str> = activities
        .iter()
        .map(|a| (a.id, a.title.as_str()))
        .collect();
    let locales: Vec<String> = match p.locales.as_deref() {
        None | Some("") => Vec::new(),
        Some(json) => decode("person.locales", json)?,
    };
    Ok(PortfolioDocument {
        format: FORMAT_VERSION,
        person: PersonDoc {
            translations: texts("person", p.id, p.translations.as_deref())?,
            locales,
            summary: decode("person.summary", &p.summary)?,
            slug: p.slug,
            locale: p.default_locale,
            name: p.name,
            headline: p.headline,
            location: p.location,
            email: p.email,
            avatar_url: p.avatar_url,
            draft: !p.published,
        },
        links: links
            .iter()
            .map(|l| {
                Ok(ProfileLinkDoc {
                    kind: l.kind,
                    label: l.label.clone(),
                    url: l.url.clone(),
                    draft: !l.published,
                    translations: texts("profile_link", l.id, l.translations.as_deref())?,
                })
            })
            .collect::<AppResult<_>>()?,
        skills: skills
            .iter()
            .map(|s| {
                Ok(SkillDoc {
                    name: s.name.clone(),
                    category: s.category,
                    featured: s.featured,
                    draft: !s.published,
                    translations: texts("skill", s.id, s.translations.as_deref())?,
                })
            })
            .collect::<AppResult<_>>()?,
        roles: roles
            .iter()
            .map(|r| {
                Ok(RoleDoc {
                    achievements: by_role.remove(&r.id).unwrap_or_default(),
                    organization: r.organization.clone(),
                    title: r.title.clone(),
                    department: r.department.clone(),
                    employment_type: r.employment_type,
                    location: r.location.clone(),
                    start: month("role.start_ym", r.start_ym)?,
                    end: optional_month("role.end_ym", r.end_ym)?,
                    summary: r.summary.clone(),
                    draft: !r.published,
                    translations: texts("role", r.id, r.translations.as_deref())?,
                })
            })
            .collect::<AppResult<_>>()?,
        activities: activities
            .iter()
            .map(|a| {
                Ok(ActivityDoc {
                    achievements: by_activity.remove(&a.id).unwrap_or_default(),
                    kind: a.kind,
                    title: a.title.clone(),
                    organization: a.organization.clone(),
                    start: optional_month("activity.start_ym", a.start_ym)?,
                    end: optional_month("activity.end_ym", a.end_ym)?,
                    year: a.year,
                    description: a.description.clone(),
                    highlights: decode("activity.highlights", &a.highlights)?,
                    links: decode("activity.links", &a.links)?,
                    awarded_for: a
                        .awarded_for_id
                        .and_then(|id| titles.get(&id))
                        .map(|t| (*t).to_owned()),
                    draft: !a.published,
                    translations: texts("activity", a.id, a.translations.as_deref())?,
                })
            })
            .collect::<AppResult<_>>()?,
        education: education
            .iter()
            .map(|e| {
                Ok(EducationDoc {
                    institution: e.institution.clone(),
                    degree: e.degree.clone(),
                    field: e.field.clone(),
                    start: optional_month("education.start_ym", e.start_ym)?,
                    end: optional_month("education.end_ym", e.end_ym)?,
                    status: e.status,
                    draft: !e.published,
                    translations: texts("education", e.id, e.translations.as_deref())?,
                })
            })
            .collect::<AppResult<_>>()?,
        languages: languages
            .iter()
            .map(|l| {
                Ok(LanguageDoc {
                    name: l.name.clone(),
                    fluency: l.fluency.clone(),
                    draft: !l.published,
                    translations: texts("language", l.id, l.translations.as_deref())?,
                })
            })
            .collect::<AppResult<_>>()?,
    })
}
