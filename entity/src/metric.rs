//! `metric`: a quantified impact of an achievement ("21,500,000 requests per
//! minute", "0.05 x the servers"), with the wording to display.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "metric")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub achievement_id: i64,
    /// The achievement's person, kept here so that a whole portfolio's
    /// metrics are one indexed query.
    pub person_id: i64,
    pub label: String,
    /// The number, where the source gives one.
    pub value: Option<f64>,
    pub unit: Option<String>,
    /// The wording to show, e.g. "분당 최대 2,150만 번".
    pub display: String,
    /// Translations of the text fields: locale -> field -> text (JSON), null for none.
    #[sea_orm(column_type = "Text", nullable)]
    pub translations: Option<String>,
    pub position: i32,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    #[sea_orm(belongs_to, from = "achievement_id", to = "id", on_delete = "Cascade")]
    pub achievement: HasOne<super::achievement::Entity>,
    #[sea_orm(belongs_to, from = "person_id", to = "id", on_delete = "Cascade")]
    pub person: HasOne<super::person::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
