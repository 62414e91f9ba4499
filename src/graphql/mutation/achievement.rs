//! Achievements: created under a role or an activity, with their metrics,
//! actions, results, links and skills.

use async_graphql::{Context, ID, InputObject, Result, SimpleObject};
use chrono::Utc;
use entity::{achievement, achievement_skill, activity, metric, role, skill};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait,
    PaginatorTrait, QueryFilter,
};

use super::activity::{ReferenceInput, check_references};
use super::common::*;
use super::fields::inputs;
use super::items::patch_input;
use super::items::{
    self, DeleteInput, DeletePayload, ItemInput, ItemPatch, Unique, mutations, target,
};
use crate::auth::Viewer;
use crate::domain::limits;
use crate::domain::rules::{self, MetricFields};
use crate::domain::validate::Checker;
use crate::error::{AppError, AppResult};
use crate::graphql::achievement::Achievement;
use crate::graphql::activity::Activity;
use crate::graphql::ids::NodeType;
use crate::graphql::role::Role;

/// A quantified impact.
#[derive(InputObject, Clone)]
pub struct MetricInput {
    /// What is measured.
    pub label: String,
    /// The number, when there is one.
    pub value: Option<f64>,
    /// Unit of `value`, e.g. "requests/min", "x".
    pub unit: Option<String>,
    /// The wording to show.
    pub display: String,
}

inputs! {
    /// A new achievement, under exactly one of a role or an activity.
    CreateAchievementInput {
        /// The role it belongs to (or give `activityId`).
        pub role_id: Option<ID>,
        /// The activity it belongs to (or give `roleId`).
        pub activity_id: Option<ID>,
    }
    /// Changes to an achievement; left out stays, `null` clears; lists given
    /// replace the whole list.
    UpdateAchievementInput {
        pub id: ID,
        /// The version the change is based on (CONFLICT if no longer current).
        pub expected_version: Option<i32>,
    }
    for achievement => AchievementGiven {
        title: String,
        /// The problem it answered.
        context: Option<String>,
        #[graphql(default)]
        actions: Vec<String>,
        #[graphql(default)]
        results: Vec<String>,
        #[graphql(default)]
        metrics: Vec<MetricInput> => none,
        #[graphql(default)]
        links: Vec<ReferenceInput>,
        /// Skills of the same person that it used.
        #[graphql(default)]
        skill_ids: Vec<ID> [#[graphql(skip)]] => none,
        #[graphql(default = true)]
        published: bool,
    }
}

patch_input! {
    /// Sets which skills an achievement used, in order.
    SetAchievementSkillsInput {
        /// Skills of the same person, in the order to show them.
        pub skill_ids: Vec<ID>,
    }
}

/// Orders the achievements of one role or activity.
#[derive(InputObject)]
pub struct ReorderAchievementsInput {
    /// The role or activity whose achievements these are.
    pub parent_id: ID,
    /// Every achievement of it, in the new order.
    pub ids: Vec<ID>,
}

/// The achievement as saved.
#[derive(SimpleObject)]
pub struct AchievementPayload {
    /// The achievement as it is now.
    pub achievement: Achievement,
}

/// The role or activity whose achievements were reordered.
#[derive(SimpleObject)]
pub struct ReorderAchievementsPayload {
    /// Set when the parent is a role.
    pub role: Option<Role>,
    /// Set when the parent is an activity.
    pub activity: Option<Activity>,
}

impl AchievementGiven<'_> {
    /// The rules of what is given.
    fn check(&self, c: &mut Checker) {
        rules::achievement(
            c,
            "input",
            self.title,
            self.context,
            self.actions,
            self.results,
        );
        let metrics = self
            .metrics
            .unwrap_or_default()
            .iter()
            .map(|m| MetricFields {
                label: &m.label,
                value: m.value,
                unit: m.unit.as_deref(),
                display: &m.display,
            });
        rules::metrics(c, "input", metrics);
        check_references(c, self.links);
        if let Some(skill_ids) = self.skill_ids {
            check_skill_ids(c, skill_ids);
        }
    }
}

impl ItemInput for UpdateAchievementInput {
    type Entity = achievement::Entity;
    const UNIQUE: Unique = Unique::NONE;

    fn check(&self, c: &mut Checker) {
        self.given().check(c);
    }

    fn row(&self) -> achievement::ActiveModel {
        self.columns()
    }
}

target!(UpdateAchievementInput);

impl ItemPatch for UpdateAchievementInput {
    async fn after(&self, txn: &DatabaseTransaction, row: &achievement::Model) -> AppResult<()> {
        match &self.metrics {
            Some(metrics) => write_metrics(txn, row, metrics).await,
            None => Ok(()),
        }
    }
}

/// Only the version moves on the achievement's row; the skills are rows of
/// their own.
impl ItemInput for SetAchievementSkillsInput {
    type Entity = achievement::Entity;
    const UNIQUE: Unique = Unique::NONE;

    fn check(&self, c: &mut Checker) {
        check_skill_ids(c, &self.skill_ids);
    }

    fn row(&self) -> achievement::ActiveModel {
        <achievement::ActiveModel as Default>::default()
    }
}

impl ItemPatch for SetAchievementSkillsInput {
    async fn after(&self, txn: &DatabaseTransaction, row: &achievement::Model) -> AppResult<()> {
        write_skills(txn, row, &self.skill_ids).await
    }
}

/// An achievement names at most so many skills.
fn check_skill_ids(c: &mut Checker, skill_ids: &[ID]) {
    c.list(
        "input.skillIds",
        skill_ids.len(),
        limits::MAX_SKILLS_PER_ACHIEVEMENT,
    );
}

/// Replaces the metrics of an achievement.
async fn write_metrics(
    txn: &impl ConnectionTrait,
    achievement: &achievement::Model,
    metrics: &[MetricInput],
) -> AppResult<()> {
    metric::Entity::delete_many()
        .filter(metric::Column::AchievementId.eq(achievement.id))
        .exec(txn)
        .await?;
    let now = Utc::now();
    let rows: Vec<_> = metrics
        .iter()
        .enumerate()
        .map(|(position, m)| metric::ActiveModel {
            id: NotSet,
            achievement_id: Set(achievement.id),
            person_id: Set(achievement.person_id),
            label: Set(m.label.trim().to_owned()),
            value: Set(m.value),
            unit: Set(m.unit.clone()),
            display: Set(m.display.trim().to_owned()),
            position: Set(position as i32),
            version: Set(1),
            translations: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .collect();
    if !rows.is_empty() {
        metric::Entity::insert_many(rows).exec(txn).await?;
    }
    Ok(())
}

/// Replaces the skills of an achievement; every id must be a skill of the
/// achievement's person.
async fn write_skills(
    txn: &impl ConnectionTrait,
    achievement: &achievement::Model,
    skill_ids: &[ID],
) -> AppResult<()> {
    let skills = skill::Entity::find()
        .filter(skill::Column::PersonId.eq(achievement.person_id))
        .all(txn)
        .await?;
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for (i, id) in skill_ids.iter().enumerate() {
        let field = format!("input.skillIds[{i}]");
        match row_id(&field, id, NodeType::Skill) {
            Ok(row) if !skills.iter().any(|s| s.id == row) => {
                problems.push((field, format!("{id:?} is not a skill of this person")))
            }
            Ok(row)
                if rows
                    .iter()
                    .any(|r: &achievement_skill::ActiveModel| r.skill_id.as_ref() == &row) =>
            {
                problems.push((field, format!("{id:?} appears twice")))
            }
            Ok(row) => rows.push(achievement_skill::ActiveModel {
                achievement_id: Set(achievement.id),
                skill_id: Set(row),
                person_id: Set(achievement.person_id),
                position: Set(i as i32),
            }),
            Err(AppError::BadUserInput { message, field }) => {
                problems.push((field.unwrap_or_default(), message))
            }
            Err(other) => return Err(other),
        }
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    achievement_skill::Entity::delete_many()
        .filter(achievement_skill::Column::AchievementId.eq(achievement.id))
        .exec(txn)
        .await?;
    if !rows.is_empty() {
        achievement_skill::Entity::insert_many(rows)
            .exec(txn)
            .await?;
    }
    Ok(())
}

/// The parent named by a create or reorder input: its kind, row id and person.
async fn parent(
    txn: &impl ConnectionTrait,
    viewer: &Viewer,
    role_id: Option<&ID>,
    activity_id: Option<&ID>,
) -> AppResult<(NodeType, i64, i64)> {
    match (role_id, activity_id) {
        (Some(id), None) => {
            let role = load::<role::Entity>(txn, viewer, "input.roleId", id).await?;
            Ok((NodeType::Role, role.id, role.person_id))
        }
        (None, Some(id)) => {
            let activity = load::<activity::Entity>(txn, viewer, "input.activityId", id).await?;
            Ok((NodeType::Activity, activity.id, activity.person_id))
        }
        _ => Err(AppError::bad_input(
            "input.roleId",
            "give exactly one of `roleId` and `activityId`",
        )),
    }
}

mutations! {
    /// Mutations of achievements.
    AchievementMutation;
    /// Adds an achievement at the end of a role's or activity's list, with its
    /// metrics, links and skills, in one transaction.
    create_achievement(CreateAchievementInput) -> AchievementPayload = create;
    /// Changes an achievement; `metrics` given replaces all its metrics.
    update_achievement(UpdateAchievementInput) -> AchievementPayload = items::update;
    /// Sets the skills an achievement used, replacing the previous ones.
    set_achievement_skills(SetAchievementSkillsInput) -> AchievementPayload = items::update;
    /// Deletes an achievement with its metrics and skill links.
    delete_achievement(DeleteInput) -> DeletePayload = items::delete::<achievement::Entity>;
    /// Puts the achievements of one role or activity in a new order.
    reorder_achievements(ReorderAchievementsInput) -> ReorderAchievementsPayload = reorder;
}

impl From<achievement::Model> for AchievementPayload {
    fn from(row: achievement::Model) -> Self {
        AchievementPayload {
            achievement: Achievement(row),
        }
    }
}

async fn create(ctx: &Context<'_>, input: CreateAchievementInput) -> Result<AchievementPayload> {
    let run = async {
        let edit = Edit::new(ctx)?;
        let mut c = Checker::default();
        input.given().check(&mut c);
        ensure_valid(c)?;
        let input = &input;
        let done = write(ctx, edit.db, async |txn| {
            let (kind, parent_id, person_id) = parent(
                txn,
                &edit.viewer,
                input.role_id.as_ref(),
                input.activity_id.as_ref(),
            )
            .await?;
            let parent_field = match kind {
                NodeType::Role => "input.roleId",
                _ => "input.activityId",
            };
            ensure_room::<achievement::Entity>(txn, person_id, parent_field).await?;
            let siblings = achievement::Entity::find()
                .filter(match kind {
                    NodeType::Role => achievement::Column::RoleId.eq(parent_id),
                    _ => achievement::Column::ActivityId.eq(parent_id),
                })
                .count(txn)
                .await?;
            let mut c = Checker::default();
            c.list_room(
                parent_field,
                "achievements in one role or activity",
                usize::try_from(siblings).unwrap_or(usize::MAX),
                limits::MAX_ACHIEVEMENTS_PER_PARENT,
            );
            ensure_valid(c)?;
            let position = next_position::<achievement::Entity>(txn, person_id).await?;
            let mut row =
                items::new_row::<achievement::Entity>(input.columns(), person_id, position)?;
            row.role_id = Set((kind == NodeType::Role).then_some(parent_id));
            row.activity_id = Set((kind == NodeType::Activity).then_some(parent_id));
            let model = row.insert(txn).await?;
            write_metrics(txn, &model, &input.metrics).await?;
            write_skills(txn, &model, &input.skill_ids).await?;
            Ok(Some((model, person_id)))
        })
        .await?;
        Ok(AchievementPayload {
            achievement: Achievement(written(done)?),
        })
    };
    run.await.map_err(|e| fail(ctx, e))
}

async fn reorder(
    ctx: &Context<'_>,
    input: ReorderAchievementsInput,
) -> Result<ReorderAchievementsPayload> {
    let run = async {
        let edit = Edit::new(ctx)?;
        check_reorder_ids::<achievement::Entity>(&input.ids)?;
        let (node_type, _) = crate::graphql::ids::decode("input.parentId", &input.parent_id)?;
        let (role_id, activity_id) = match node_type {
            NodeType::Role => (Some(&input.parent_id), None),
            NodeType::Activity => (None, Some(&input.parent_id)),
            _ => {
                return Err(AppError::bad_input(
                    "input.parentId",
                    "must be the id of a role or an activity",
                ));
            }
        };
        let input = &input;
        let done = write(ctx, edit.db, async |txn| {
            let (kind, parent_id, person_id) =
                parent(txn, &edit.viewer, role_id, activity_id).await?;
            let column = if kind == NodeType::Role {
                achievement::Column::RoleId
            } else {
                achievement::Column::ActivityId
            };
            let rows = achievement::Entity::find()
                .filter(column.eq(parent_id))
                .all(txn)
                .await?;
            reorder_rows::<achievement::Entity>(txn, rows, &input.ids).await?;
            let (role, activity) = match kind {
                NodeType::Role => (role::Entity::find_by_id(parent_id).one(txn).await?, None),
                _ => (
                    None,
                    activity::Entity::find_by_id(parent_id).one(txn).await?,
                ),
            };
            let (role, activity) = (role.map(Role), activity.map(Activity));
            Ok(Some((
                ReorderAchievementsPayload { role, activity },
                person_id,
            )))
        })
        .await?;
        written(done)
    };
    run.await.map_err(|e| fail(ctx, e))
}
