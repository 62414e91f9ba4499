//! `profile_link`: a person's presence elsewhere (LinkedIn, GitHub, blog).

use sea_orm::entity::prelude::*;

use crate::enums::ProfileLinkKind;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "profile_link")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub person_id: i64,
    pub kind: ProfileLinkKind,
    pub label: String,
    #[sea_orm(column_type = "Text")]
    pub url: String,
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
}

impl ActiveModelBehavior for ActiveModel {}
