//! Webhooks and the state of their deliveries, for admins only (the
//! secrets never leave the database but to sign).

use async_graphql::{Context, Enum, ID, Object};
use chrono::{DateTime, Utc};

use crate::error::AppError;
use crate::graphql::ids::{self, NodeType};
use crate::graphql::{cost, state, viewer};
use crate::service::webhook;

/// The most deliveries one `deliveries` field lists.
const MAX_DELIVERIES: i32 = 100;

/// The type of a change event.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::service::webhook::EventKind")]
pub enum WebhookEventType {
    /// `person.updated`: anything in the portfolio, or the person's own fields, changed.
    Updated,
    /// `person.published`: the person became public (or was created public).
    Published,
    /// `person.unpublished`: the person became a draft.
    Unpublished,
    /// `person.deleted`: the person was deleted.
    Deleted,
}

/// Where a delivery stands.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::service::webhook::Status")]
pub enum WebhookDeliveryStatus {
    /// Not delivered yet; tried again at `nextAttemptAt`.
    Pending,
    /// The receiver answered 2xx.
    Delivered,
    /// Given up after the most attempts, or the longest time, allowed.
    Dead,
}

pub struct Webhook(webhook::Registered);

/// A registered webhook (`portfolio webhook add`): a URL told of every
/// committed change of a person, signed with its secret (never shown).
#[Object]
impl Webhook {
    /// The id `portfolio webhook remove` takes.
    async fn id(&self) -> i64 {
        self.0.id
    }

    /// Where the events are posted.
    async fn url(&self) -> &str {
        &self.0.url
    }

    /// The event types it receives.
    async fn events(&self) -> Vec<WebhookEventType> {
        self.0.events.iter().map(|k| (*k).into()).collect()
    }

    /// When it was registered.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// Its newest deliveries, newest first (`first`: 0-100).
    #[graphql(complexity = "cost::list(first.clamp(0, MAX_DELIVERIES) as usize, child_complexity)")]
    async fn deliveries(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20)] first: i32,
    ) -> async_graphql::Result<Vec<WebhookDelivery>> {
        let run = async {
            if !(0..=MAX_DELIVERIES).contains(&first) {
                return Err(AppError::bad_input(
                    "first",
                    format!("must be between 0 and {MAX_DELIVERIES}"),
                ));
            }
            let db = &state(ctx)?.db;
            let rows =
                webhook::deliveries(db, self.0.id, u64::try_from(first).unwrap_or(0)).await?;
            Ok(rows.into_iter().map(WebhookDelivery).collect())
        };
        run.await.map_err(|e: AppError| e.into())
    }
}

pub struct WebhookDelivery(webhook::Delivery);

/// One event's delivery to one webhook.
#[Object]
impl WebhookDelivery {
    /// The event's id, sent as `Portfolio-Event-Id` (the same on every attempt).
    async fn event_id(&self) -> &str {
        &self.0.event_id
    }

    /// The event's type, sent as `Portfolio-Event`.
    async fn event(&self) -> WebhookEventType {
        self.0.kind.into()
    }

    /// The person the event is about (who may since have been deleted).
    async fn person_id(&self) -> ID {
        ids::encode(NodeType::Person, self.0.person_id)
    }

    /// Pending, delivered or dead.
    async fn status(&self) -> WebhookDeliveryStatus {
        self.0.status.into()
    }

    /// Attempts started so far.
    async fn attempts(&self) -> i32 {
        self.0.attempts
    }

    /// Why the last attempt failed (null once delivered).
    async fn last_error(&self) -> Option<&str> {
        self.0.last_error.as_deref()
    }

    /// The HTTP status of the last answer, if one came.
    async fn last_status(&self) -> Option<i32> {
        self.0.last_status
    }

    /// When it is tried next (null unless pending).
    async fn next_attempt_at(&self) -> Option<DateTime<Utc>> {
        self.0.next_attempt_at
    }

    /// When the receiver accepted it (null until then).
    async fn delivered_at(&self) -> Option<DateTime<Utc>> {
        self.0.delivered_at
    }

    /// When the event happened.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// The webhooks query (admins only).
#[derive(Default)]
pub struct WebhookQuery;

#[Object]
impl WebhookQuery {
    /// Every registered webhook with the state of its deliveries. Needs an
    /// admin token (UNAUTHENTICATED without a token, FORBIDDEN with a
    /// person's).
    #[graphql(complexity = "cost::list(MAX_DELIVERIES as usize, child_complexity)")]
    async fn webhooks(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Webhook>> {
        let run = async {
            viewer(ctx).must_be_admin()?;
            let db = &state(ctx)?.db;
            Ok::<_, AppError>(webhook::list(db).await?.into_iter().map(Webhook).collect())
        };
        run.await.map_err(Into::into)
    }
}
