//! `achievement`: one piece of work inside a role (or an activity): the
//! problem it answered, what was done, what it achieved.
//!
//! Exactly one of `role_id` and `activity_id` is set. `person_id` is kept on
//! every achievement so that a person's achievements (and the skill filter on
//! them) are one indexed query, whichever parent they hang from.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "achievement")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub person_id: i64,
    pub role_id: Option<i64>,
    pub activity_id: Option<i64>,
    #[sea_orm(column_type = "Text")]
    pub title: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub context: Option<String>,
    /// What was done, a JSON array of strings.
    #[sea_orm(column_type = "Text")]
    pub actions: String,
    /// What it achieved, a JSON array of strings.
    #[sea_orm(column_type = "Text")]
    pub results: String,
    /// Talks and posts about it, a JSON array of `{kind, title, url}`.
    #[sea_orm(column_type = "Text")]
    pub links: String,
    pub position: i32,
    /// False for a draft: visible only to its owner.
    /// Translations of the text fields: locale -> field -> text (JSON), null for none.
    #[sea_orm(column_type = "Text", nullable)]
    pub translations: Option<String>,
    pub published: bool,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    #[sea_orm(belongs_to, from = "person_id", to = "id", on_delete = "Cascade")]
    pub person: HasOne<super::person::Entity>,
    #[sea_orm(belongs_to, from = "role_id", to = "id", on_delete = "Cascade")]
    pub role: HasOne<super::role::Entity>,
    #[sea_orm(belongs_to, from = "activity_id", to = "id", on_delete = "Cascade")]
    pub activity: HasOne<super::activity::Entity>,
    #[sea_orm(has_many)]
    pub metrics: HasMany<super::metric::Entity>,
    #[sea_orm(has_many, via = "achievement_skill")]
    pub skills: HasMany<super::skill::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
