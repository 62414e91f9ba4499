//! Reading a whole portfolio back into a native document.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use entity::{achievement, achievement_skill, activity, metric, person, profile_link, role, skill};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use super::rows::{Stored, listed, read_all, read_metric, read_person};
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
    let links = listed::<ProfileLinkDoc>(db, p.id).await?;
    let skills = listed::<SkillDoc>(db, p.id).await?;
    let roles = listed::<RoleDoc>(db, p.id).await?;
    let activities = listed::<ActivityDoc>(db, p.id).await?;
    let achievements = listed::<AchievementDoc>(db, p.id).await?;
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
    let lists = ListRows::load(db, p.id).await?;

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
        lists,
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
    pub lists: ListRows,
}

/// The rows of the simple lists, one field per row of [`document_lists!`].
macro_rules! list_rows {
    ($($key:ident: $doc:ident in $table:ident;)*) => {
        /// The rows of a portfolio's simple lists, each in display order.
        pub struct ListRows {
            $(pub $key: std::sync::Arc<Vec<entity::$table::Model>>,)*
        }

        impl ListRows {
            /// The rows of person `person_id`'s simple lists.
            async fn load(db: &impl ConnectionTrait, person_id: i64) -> AppResult<ListRows> {
                Ok(ListRows {
                    $($key: std::sync::Arc::new(listed::<$doc>(db, person_id).await?),)*
                })
            }

            /// Puts the items of the rows into `doc`.
            fn read_into(&self, doc: &mut PortfolioDocument) -> AppResult<()> {
                $(doc.$key = read_all::<$doc>(&self.$key)?;)*
                Ok(())
            }
        }
    };
}

document_lists!(list_rows);

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
        lists,
    } = rows;
    let skill_names: HashMap<i64, &str> = skills.iter().map(|s| (s.id, s.name.as_str())).collect();
    let mut metrics_of: HashMap<i64, Vec<MetricDoc>> = HashMap::new();
    for m in metrics {
        metrics_of
            .entry(m.achievement_id)
            .or_default()
            .push(read_metric(m)?);
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
            skills: skills_of.remove(&a.id).unwrap_or_default(),
            metrics: metrics_of.remove(&a.id).unwrap_or_default(),
            ..AchievementDoc::read(a)?
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
    let mut doc = PortfolioDocument {
        links: read_all(links)?,
        skills: read_all(skills)?,
        roles: roles
            .iter()
            .map(|r| {
                Ok(RoleDoc {
                    achievements: by_role.remove(&r.id).unwrap_or_default(),
                    ..RoleDoc::read(r)?
                })
            })
            .collect::<AppResult<_>>()?,
        activities: activities
            .iter()
            .map(|a| {
                Ok(ActivityDoc {
                    achievements: by_activity.remove(&a.id).unwrap_or_default(),
                    awarded_for: a
                        .awarded_for_id
                        .and_then(|id| titles.get(&id))
                        .map(|t| (*t).to_owned()),
                    ..ActivityDoc::read(a)?
                })
            })
            .collect::<AppResult<_>>()?,
        ..PortfolioDocument::new(read_person(p)?)
    };
    lists.read_into(&mut doc)?;
    Ok(doc)
}
