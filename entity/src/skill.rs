//! `skill`: a tool or technology of a person. Names are unique per person
//! case-insensitively, enforced by a unique index on `(person_id, name_key)`
//! where `name_key` is the lower-cased name.

use sea_orm::entity::prelude::*;

use crate::enums::SkillCategory;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "skill")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub person_id: i64,
    pub name: String,
    /// `name` lower-cased: the key of case-insensitive uniqueness.
    pub name_key: String,
    pub category: SkillCategory,
    /// Part of the person's headline tech stack.
    pub featured: bool,
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
    #[sea_orm(has_many, via = "achievement_skill")]
    pub achievements: HasMany<super::achievement::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
