//! `webhook_delivery`: the state of one event's delivery to one webhook.
//! A process delivering it holds a lease (`lease_until`, `lease_owner`);
//! once the lease has expired any process may take it up.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_delivery")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub webhook_id: i64,
    /// The `webhook_event` row (not its UUID).
    pub event_id: i64,
    /// `pending`, `delivered` or `dead`.
    pub status: String,
    /// Attempts started so far.
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    pub lease_until: Option<DateTimeUtc>,
    pub lease_owner: Option<String>,
    pub last_error: Option<String>,
    /// The HTTP status of the last answer, if one came.
    pub last_status: Option<i32>,
    pub delivered_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
