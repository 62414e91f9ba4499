//! Outgoing webhooks: receivers registered with `portfolio webhook add`,
//! told of every committed change of a person, through an outbox.
//!
//! - [`outbox`]: events written in the transaction of the change;
//! - [`deliver`]: the worker every `serve` process runs, which claims due
//!   deliveries (safely when several processes share the database), sends
//!   them signed, and retries with backoff until they are delivered or dead;
//! - here: the event types, and registering, listing and removing webhooks.

pub mod deliver;
pub mod outbox;

use std::fmt;

use chrono::{DateTime, Utc};
use entity::{webhook, webhook_delivery, webhook_event};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use crate::domain::validate::Checker;
use crate::error::{AppError, AppResult};

/// The types of events.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// Anything in the portfolio, or the person's own fields, changed.
    Updated,
    /// The person was published (or created published).
    Published,
    /// The person became a draft.
    Unpublished,
    /// The person was deleted.
    Deleted,
}

impl EventKind {
    pub const ALL: [EventKind; 4] = [
        EventKind::Updated,
        EventKind::Published,
        EventKind::Unpublished,
        EventKind::Deleted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Updated => "person.updated",
            EventKind::Published => "person.published",
            EventKind::Unpublished => "person.unpublished",
            EventKind::Deleted => "person.deleted",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        EventKind::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a delivery stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Not delivered yet: due at `next_attempt_at`.
    Pending,
    /// A receiver answered 2xx.
    Delivered,
    /// Given up: every attempt, or the time allowed, used up.
    Dead,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Delivered => "delivered",
            Status::Dead => "dead",
        }
    }

    pub fn parse(text: &str) -> Self {
        match text {
            "delivered" => Status::Delivered,
            "dead" => Status::Dead,
            _ => Status::Pending,
        }
    }
}

/// Whether a webhook with `events` (stored, comma-separated; empty for
/// all) wants `kind`.
pub fn subscribes(events: &str, kind: EventKind) -> bool {
    events.is_empty() || events.split(',').any(|e| e == kind.as_str())
}

/// The event types of a stored `events` column (every type when empty).
pub fn kinds(events: &str) -> Vec<EventKind> {
    if events.is_empty() {
        return EventKind::ALL.to_vec();
    }
    events.split(',').filter_map(EventKind::parse).collect()
}

/// The shortest secret accepted: receivers check signatures with it.
pub const MIN_SECRET_CHARS: usize = 16;
const MAX_SECRET_CHARS: usize = 256;
const MAX_URL_CHARS: usize = 2048;

/// Registers a webhook for `events` (every type when empty).
pub async fn add(
    db: &DatabaseConnection,
    url: &str,
    secret: &str,
    events: &[EventKind],
) -> AppResult<webhook::Model> {
    let mut c = Checker::default();
    c.url("url", url);
    if url.chars().count() > MAX_URL_CHARS {
        c.fail("url", format!("at most {MAX_URL_CHARS} characters"));
    }
    let length = secret.chars().count();
    if !(MIN_SECRET_CHARS..=MAX_SECRET_CHARS).contains(&length) {
        c.fail(
            "secret",
            format!("must be {MIN_SECRET_CHARS} to {MAX_SECRET_CHARS} characters"),
        );
    } else if secret
        .chars()
        .any(|ch| ch.is_control() || ch.is_whitespace())
    {
        c.fail("secret", "may not hold spaces or control characters");
    }
    if !c.is_empty() {
        return Err(AppError::Invalid(c.into_problems()));
    }
    // Each once, in the order of `EventKind::ALL`.
    let kinds: Vec<&str> = EventKind::ALL
        .iter()
        .filter(|kind| events.contains(kind))
        .map(|kind| kind.as_str())
        .collect();
    let events = if kinds.len() == EventKind::ALL.len() {
        String::new()
    } else {
        kinds.join(",")
    };
    Ok(webhook::ActiveModel {
        url: Set(url.to_owned()),
        secret: Set(secret.to_owned()),
        events: Set(events),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// Removes a webhook and its deliveries; false when there is none with `id`.
pub async fn remove(db: &DatabaseConnection, id: i64) -> AppResult<bool> {
    // The deliveries go first: not every backend enforces the cascade
    // (SQLite only with foreign keys on).
    webhook_delivery::Entity::delete_many()
        .filter(webhook_delivery::Column::WebhookId.eq(id))
        .exec(db)
        .await?;
    let removed = webhook::Entity::delete_by_id(id).exec(db).await?;
    Ok(removed.rows_affected == 1)
}

/// A webhook as shown to admins: never its secret.
#[derive(Clone, Debug)]
pub struct Registered {
    pub id: i64,
    pub url: String,
    pub events: Vec<EventKind>,
    pub created_at: DateTime<Utc>,
}

/// Every webhook, oldest first.
pub async fn list(db: &DatabaseConnection) -> AppResult<Vec<Registered>> {
    Ok(webhook::Entity::find()
        .order_by_asc(webhook::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|w| Registered {
            id: w.id,
            url: w.url,
            events: kinds(&w.events),
            created_at: w.created_at,
        })
        .collect())
}

/// Deliveries of a webhook by status.
pub async fn count(db: &DatabaseConnection, webhook_id: i64, status: Status) -> AppResult<u64> {
    Ok(webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::WebhookId.eq(webhook_id))
        .filter(webhook_delivery::Column::Status.eq(status.as_str()))
        .count(db)
        .await?)
}

/// One delivery, as shown to admins.
#[derive(Clone, Debug)]
pub struct Delivery {
    pub event_id: String,
    pub kind: EventKind,
    pub person_id: i64,
    pub status: Status,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub last_status: Option<i32>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// The newest `first` deliveries of a webhook.
pub async fn deliveries(
    db: &DatabaseConnection,
    webhook_id: i64,
    first: u64,
) -> AppResult<Vec<Delivery>> {
    let rows = webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::WebhookId.eq(webhook_id))
        .order_by_desc(webhook_delivery::Column::Id)
        .limit(first)
        .all(db)
        .await?;
    let events = webhook_event::Entity::find()
        .filter(webhook_event::Column::Id.is_in(rows.iter().map(|d| d.event_id)))
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|d| {
            let e = events.iter().find(|e| e.id == d.event_id)?;
            let status = Status::parse(&d.status);
            Some(Delivery {
                event_id: e.event_id.clone(),
                kind: EventKind::parse(&e.kind)?,
                person_id: e.person_id,
                status,
                attempts: d.attempts,
                last_error: d.last_error,
                last_status: d.last_status,
                next_attempt_at: (status == Status::Pending).then_some(d.next_attempt_at),
                delivered_at: d.delivered_at,
                created_at: d.created_at,
            })
        })
        .collect())
}
