//! `role`: a position held at an organization, from a start month to an end
//! month (`end_ym` null while the role is current).

use sea_orm::entity::prelude::*;

use crate::enums::EmploymentType;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "role")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub person_id: i64,
    pub organization: String,
    pub title: String,
    pub department: Option<String>,
    pub employment_type: Option<EmploymentType>,
    pub location: Option<String>,
    /// First month, as `YYYYMM`.
    pub start_ym: i32,
    /// Last month, as `YYYYMM`; null while the role is current.
    pub end_ym: Option<i32>,
    #[sea_orm(column_type = "Text", nullable)]
    pub summary: Option<String>,
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
    #[sea_orm(has_many)]
    pub achievements: HasMany<super::achievement::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
