//! Outgoing webhooks: the registered receivers, and the outbox of events
//! with one delivery row per subscribed receiver.
//!
//! Events are written in the transaction of the change they report, so an
//! event exists exactly when its change was committed. Deliveries are
//! claimed by any process serving the database with a compare-and-set on
//! `lease_until` (portable to all three backends): a process that dies
//! mid-delivery leaves a lease that expires, and the delivery is taken up
//! again.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Webhook {
    Table,
    Id,
    Url,
    Secret,
    Events,
    CreatedAt,
}

#[derive(DeriveIden)]
enum WebhookEvent {
    Table,
    Id,
    EventId,
    Kind,
    PersonId,
    Payload,
    CreatedAt,
}

#[derive(DeriveIden)]
enum WebhookDelivery {
    Table,
    Id,
    WebhookId,
    EventId,
    Status,
    Attempts,
    NextAttemptAt,
    LeaseUntil,
    LeaseOwner,
    LastError,
    LastStatus,
    DeliveredAt,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Webhook::Table)
                    .col(big_pk_auto(Webhook::Id))
                    .col(string_len(Webhook::Url, 2048))
                    // The signing key: receivers verify with it, so it is kept as given.
                    .col(string_len(Webhook::Secret, 256))
                    // Event types, comma-separated; empty for every type.
                    .col(string_len(Webhook::Events, 256))
                    .col(timestamp_with_time_zone(Webhook::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WebhookEvent::Table)
                    .col(big_pk_auto(WebhookEvent::Id))
                    // The stable id receivers deduplicate on (a UUID).
                    .col(string_len_uniq(WebhookEvent::EventId, 36))
                    .col(string_len(WebhookEvent::Kind, 32))
                    // No foreign key: the event of a deletion outlives its person.
                    .col(big_integer(WebhookEvent::PersonId))
                    // The body as sent, byte for byte, on every attempt.
                    .col(text(WebhookEvent::Payload))
                    .col(timestamp_with_time_zone(WebhookEvent::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WebhookDelivery::Table)
                    .col(big_pk_auto(WebhookDelivery::Id))
                    .col(big_integer(WebhookDelivery::WebhookId))
                    .col(big_integer(WebhookDelivery::EventId))
                    // pending, delivered or dead.
                    .col(string_len(WebhookDelivery::Status, 16))
                    .col(integer(WebhookDelivery::Attempts))
                    .col(timestamp_with_time_zone(WebhookDelivery::NextAttemptAt))
                    .col(timestamp_with_time_zone_null(WebhookDelivery::LeaseUntil))
                    .col(string_len_null(WebhookDelivery::LeaseOwner, 64))
                    .col(string_len_null(WebhookDelivery::LastError, 512))
                    .col(integer_null(WebhookDelivery::LastStatus))
                    .col(timestamp_with_time_zone_null(WebhookDelivery::DeliveredAt))
                    .col(timestamp_with_time_zone(WebhookDelivery::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(WebhookDelivery::Table, WebhookDelivery::WebhookId)
                            .to(Webhook::Table, Webhook::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(WebhookDelivery::Table, WebhookDelivery::EventId)
                            .to(WebhookEvent::Table, WebhookEvent::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        crate::precision::microseconds(manager, "webhook", &[("created_at", false)]).await?;
        crate::precision::microseconds(manager, "webhook_event", &[("created_at", false)]).await?;
        crate::precision::microseconds(
            manager,
            "webhook_delivery",
            &[
                ("next_attempt_at", false),
                ("lease_until", true),
                ("delivered_at", true),
                ("created_at", false),
            ],
        )
        .await?;
        // What the delivery workers look for.
        manager
            .create_index(
                Index::create()
                    .name("idx_webhook_delivery_due")
                    .table(WebhookDelivery::Table)
                    .col(WebhookDelivery::Status)
                    .col(WebhookDelivery::NextAttemptAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_webhook_delivery_webhook")
                    .table(WebhookDelivery::Table)
                    .col(WebhookDelivery::WebhookId)
                    .col(WebhookDelivery::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_webhook_delivery_event")
                    .table(WebhookDelivery::Table)
                    .col(WebhookDelivery::EventId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["webhook_delivery", "webhook_event", "webhook"] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
