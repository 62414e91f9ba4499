//! `api_token`: a bearer token that authorises edits of one person's
//! portfolio, or of everything (admin, `person_id` null). Only the SHA-256 of
//! the token's secret is stored.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_token")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The person whose portfolio it may edit; null for an admin token.
    pub person_id: Option<i64>,
    pub name: String,
    /// Hex SHA-256 of the secret part of the token.
    #[sea_orm(unique)]
    pub token_hash: String,
    pub created_at: DateTimeUtc,
    pub last_used_at: Option<DateTimeUtc>,
    pub revoked_at: Option<DateTimeUtc>,
    #[sea_orm(belongs_to, from = "person_id", to = "id", on_delete = "Cascade")]
    pub person: HasOne<super::person::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
