//! `webhook_event`: one change event of the outbox, written in the
//! transaction of the change, with the body every delivery of it sends.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_event")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The stable id receivers deduplicate on (a UUID).
    #[sea_orm(unique)]
    pub event_id: String,
    /// `person.updated`, `person.published`, `person.unpublished` or `person.deleted`.
    pub kind: String,
    pub person_id: i64,
    /// The JSON body, as sent.
    #[sea_orm(column_type = "Text")]
    pub payload: String,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
