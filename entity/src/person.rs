//! `person`: the owner of a portfolio, addressed by a unique URL-safe slug.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "person")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub slug: String,
    pub name: String,
    pub headline: String,
    /// Introduction paragraphs, a JSON array of strings.
    #[sea_orm(column_type = "Text")]
    pub summary: String,
    pub location: Option<String>,
    pub email: Option<String>,
    pub avatar_url: Option<String>,
    /// False for a draft: visible only to its owner.
    /// BCP 47 tag of the language the text columns are written in.
    pub default_locale: String,
    /// The other locales the portfolio is offered in (JSON list of tags), null for none.
    #[sea_orm(column_type = "Text", nullable)]
    pub locales: Option<String>,
    /// Translations of the text fields: locale -> field -> text (JSON), null for none.
    #[sea_orm(column_type = "Text", nullable)]
    pub translations: Option<String>,
    pub published: bool,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    #[sea_orm(has_many)]
    pub profile_links: HasMany<super::profile_link::Entity>,
    #[sea_orm(has_many)]
    pub roles: HasMany<super::role::Entity>,
    #[sea_orm(has_many)]
    pub skills: HasMany<super::skill::Entity>,
    #[sea_orm(has_many)]
    pub activities: HasMany<super::activity::Entity>,
    #[sea_orm(has_many)]
    pub achievements: HasMany<super::achievement::Entity>,
    #[sea_orm(has_many)]
    pub metrics: HasMany<super::metric::Entity>,
    #[sea_orm(has_many)]
    pub api_tokens: HasMany<super::api_token::Entity>,
    #[sea_orm(has_many)]
    pub achievement_skills: HasMany<super::achievement_skill::Entity>,
    #[sea_orm(has_many)]
    pub education: HasMany<super::education::Entity>,
    #[sea_orm(has_many)]
    pub languages: HasMany<super::language::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
