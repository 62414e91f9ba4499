//! `achievement_skill`: which skills an achievement used (many-to-many).

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "achievement_skill")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub achievement_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub skill_id: i64,
    /// The achievement's person, kept here so that a whole portfolio's skill
    /// links are one indexed query.
    pub person_id: i64,
    /// Order of the skill within the achievement.
    pub position: i32,
    #[sea_orm(belongs_to, from = "achievement_id", to = "id", on_delete = "Cascade")]
    pub achievement: HasOne<super::achievement::Entity>,
    #[sea_orm(belongs_to, from = "skill_id", to = "id", on_delete = "Cascade")]
    pub skill: HasOne<super::skill::Entity>,
    #[sea_orm(belongs_to, from = "person_id", to = "id", on_delete = "Cascade")]
    pub person: HasOne<super::person::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
