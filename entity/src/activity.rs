//! `activity`: something done outside a role: community organizing, open
//! source, talks, publications, awards, competitions, study groups.

use sea_orm::entity::prelude::*;

use crate::enums::ActivityKind;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "activity")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub person_id: i64,
    pub kind: ActivityKind,
    #[sea_orm(column_type = "Text")]
    pub title: String,
    pub organization: Option<String>,
    pub start_ym: Option<i32>,
    pub end_ym: Option<i32>,
    pub year: Option<i32>,
    #[sea_orm(column_type = "Text", nullable)]
    pub description: Option<String>,
    /// A JSON array of strings.
    #[sea_orm(column_type = "Text")]
    pub highlights: String,
    /// A JSON array of `{kind, title, url}`.
    #[sea_orm(column_type = "Text")]
    pub links: String,
    pub position: i32,
    /// False for a draft: visible only to its owner.
    /// For an award: the activity it was given for.
    pub awarded_for_id: Option<i64>,
    /// Translations of the text fields: locale -> field -> text (JSON), null for none.
    #[sea_orm(column_type = "Text", nullable)]
    pub translations: Option<String>,
    pub published: bool,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    #[sea_orm(belongs_to, from = "person_id", to = "id", on_delete = "Cascade")]
    pub person: HasOne<super::person::Entity>,
    #[sea_orm(has_many)]
    pub achievements: HasMany<super::achievement::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
