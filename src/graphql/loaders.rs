//! Batched reads. Every relation of the API resolves through these loaders, so
//! a query issues one SQL statement per relation it touches, however many rows
//! come back (no N+1).
//!
//! One `DbLoader` implements `Loader<K>` for each key type below: `XById`
//! keys load rows by primary key, `XOf` keys load the children of parents, in
//! display order. A fresh `DataLoader<DbLoader>` is made per request, so its
//! cache never outlives a request.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};
use entity::{
    achievement, achievement_skill, activity, education, language, metric, person, profile_link,
    role, skill,
};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};

use crate::error::{AppError, SharedError};

/// Loads rows for the API, in batches.
pub struct DbLoader {
    db: DatabaseConnection,
}

/// The per-request loader handle resolvers use.
pub type Loaders = DataLoader<DbLoader>;

/// A fresh loader for one request. Batches are sent when every resolver of a
/// level has asked (after 1 ms); the batch size is large enough that a whole
/// portfolio's items go in one statement.
pub fn new_loaders(db: DatabaseConnection) -> Loaders {
    DataLoader::new(DbLoader { db }, tokio::spawn).max_batch_size(10_000)
}

type LoadResult<K, V> = Result<HashMap<K, V>, SharedError>;

fn shared(err: sea_orm::DbErr) -> SharedError {
    SharedError(Arc::new(AppError::from(err)))
}

/// `Loader<$key>` loading `$entity` rows by primary key.
macro_rules! by_id {
    ($key:ident, $module:ident) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub struct $key(pub i64);

        impl Loader<$key> for DbLoader {
            type Value = $module::Model;
            type Error = SharedError;

            async fn load(&self, keys: &[$key]) -> LoadResult<$key, Self::Value> {
                let rows = $module::Entity::find()
                    .filter($module::Column::Id.is_in(keys.iter().map(|k| k.0)))
                    .all(&self.db)
                    .await
                    .map_err(shared)?;
                Ok(rows.into_iter().map(|row| ($key(row.id), row)).collect())
            }
        }
    };
}

/// `Loader<$key>` loading the `$module` rows whose `$parent` column is the
/// key, grouped by parent, in `position` order.
macro_rules! children {
    ($key:ident, $module:ident, $parent:ident, $field:ident) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub struct $key(pub i64);

        impl Loader<$key> for DbLoader {
            type Value = Vec<$module::Model>;
            type Error = SharedError;

            async fn load(&self, keys: &[$key]) -> LoadResult<$key, Self::Value> {
                let rows = $module::Entity::find()
                    .filter($module::Column::$parent.is_in(keys.iter().map(|k| k.0)))
                    .order_by_asc($module::Column::Position)
                    .order_by_asc($module::Column::Id)
                    .all(&self.db)
                    .await
                    .map_err(shared)?;
                let mut grouped: HashMap<$key, Self::Value> =
                    keys.iter().map(|k| (*k, Vec::new())).collect();
                for row in rows {
                    if let Some(list) = grouped.get_mut(&$key(row.$field.into())) {
                        list.push(row);
                    }
                }
                Ok(grouped)
            }
        }
    };
}

by_id!(PersonById, person);
by_id!(ProfileLinkById, profile_link);
by_id!(RoleById, role);
by_id!(AchievementById, achievement);
by_id!(MetricById, metric);
by_id!(SkillById, skill);
by_id!(ActivityById, activity);
by_id!(EducationById, education);
by_id!(LanguageById, language);

children!(ProfileLinksOf, profile_link, PersonId, person_id);
children!(RolesOf, role, PersonId, person_id);
children!(AchievementsOfPerson, achievement, PersonId, person_id);
children!(SkillsOf, skill, PersonId, person_id);
children!(ActivitiesOf, activity, PersonId, person_id);
children!(EducationOf, education, PersonId, person_id);
children!(LanguagesOf, language, PersonId, person_id);
children!(MetricsOf, metric, AchievementId, achievement_id);

/// Achievements of a role, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AchievementsOfRole(pub i64);

/// Achievements of an activity, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AchievementsOfActivity(pub i64);

impl Loader<AchievementsOfRole> for DbLoader {
    type Value = Vec<achievement::Model>;
    type Error = SharedError;

    async fn load(
        &self,
        keys: &[AchievementsOfRole],
    ) -> LoadResult<AchievementsOfRole, Self::Value> {
        let rows = achievement::Entity::find()
            .filter(achievement::Column::RoleId.is_in(keys.iter().map(|k| k.0)))
            .order_by_asc(achievement::Column::Position)
            .order_by_asc(achievement::Column::Id)
            .all(&self.db)
            .await
            .map_err(shared)?;
        let mut grouped: HashMap<_, Vec<_>> = keys.iter().map(|k| (*k, Vec::new())).collect();
        for row in rows {
            if let Some(list) = row
                .role_id
                .and_then(|id| grouped.get_mut(&AchievementsOfRole(id)))
            {
                list.push(row);
            }
        }
        Ok(grouped)
    }
}

impl Loader<AchievementsOfActivity> for DbLoader {
    type Value = Vec<achievement::Model>;
    type Error = SharedError;

    async fn load(
        &self,
        keys: &[AchievementsOfActivity],
    ) -> LoadResult<AchievementsOfActivity, Self::Value> {
        let rows = achievement::Entity::find()
            .filter(achievement::Column::ActivityId.is_in(keys.iter().map(|k| k.0)))
            .order_by_asc(achievement::Column::Position)
            .order_by_asc(achievement::Column::Id)
            .all(&self.db)
            .await
            .map_err(shared)?;
        let mut grouped: HashMap<_, Vec<_>> = keys.iter().map(|k| (*k, Vec::new())).collect();
        for row in rows {
            if let Some(list) = row
                .activity_id
                .and_then(|id| grouped.get_mut(&AchievementsOfActivity(id)))
            {
                list.push(row);
            }
        }
        Ok(grouped)
    }
}

/// Ids of the skills an achievement used, in the achievement's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SkillIdsOfAchievement(pub i64);

/// Ids of the achievements that used a skill.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AchievementIdsOfSkill(pub i64);

impl Loader<SkillIdsOfAchievement> for DbLoader {
    type Value = Vec<i64>;
    type Error = SharedError;

    async fn load(
        &self,
        keys: &[SkillIdsOfAchievement],
    ) -> LoadResult<SkillIdsOfAchievement, Self::Value> {
        let rows = achievement_skill::Entity::find()
            .filter(achievement_skill::Column::AchievementId.is_in(keys.iter().map(|k| k.0)))
            .order_by_asc(achievement_skill::Column::Position)
            .all(&self.db)
            .await
            .map_err(shared)?;
        let mut grouped: HashMap<_, Vec<_>> = keys.iter().map(|k| (*k, Vec::new())).collect();
        for row in rows {
            if let Some(list) = grouped.get_mut(&SkillIdsOfAchievement(row.achievement_id)) {
                list.push(row.skill_id);
            }
        }
        Ok(grouped)
    }
}

impl Loader<AchievementIdsOfSkill> for DbLoader {
    type Value = Vec<i64>;
    type Error = SharedError;

    async fn load(
        &self,
        keys: &[AchievementIdsOfSkill],
    ) -> LoadResult<AchievementIdsOfSkill, Self::Value> {
        let rows = achievement_skill::Entity::find()
            .filter(achievement_skill::Column::SkillId.is_in(keys.iter().map(|k| k.0)))
            .all(&self.db)
            .await
            .map_err(shared)?;
        let mut grouped: HashMap<_, Vec<_>> = keys.iter().map(|k| (*k, Vec::new())).collect();
        for row in rows {
            if let Some(list) = grouped.get_mut(&AchievementIdsOfSkill(row.skill_id)) {
                list.push(row.achievement_id);
            }
        }
        Ok(grouped)
    }
}
