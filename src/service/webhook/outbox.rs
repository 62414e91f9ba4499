//! The outbox: events written in the transaction of the change they report.
//!
//! Every write transaction runs [`write::transaction`](super::super::write::transaction),
//! which keeps a journal of the persons the transaction changed while its
//! work runs, and before committing turns it into events ([`record`]): one
//! per person per transaction, and only for the webhooks subscribed to its
//! type (no webhook, no event). Rolled back, the journal and any event are
//! gone with the rest.
//!
//! The journal is filled where the write side already passes for every
//! change: `write::touch_person` (anything in a portfolio),
//! `write::noting_person` (a person's own row, as read before it changes),
//! `write::delete_person` and the import; which event a person gets is
//! decided at commit, from the row as read before the change (when there
//! was one) and the row as it is then.

use std::cell::RefCell;

use chrono::Utc;
use entity::{person, webhook, webhook_delivery, webhook_event};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QuerySelect,
};
use serde_json::json;

use super::{EventKind, Status};
use crate::error::AppResult;

tokio::task_local! {
    static JOURNAL: RefCell<Journal>;
}

/// Woken when a transaction committed deliveries, so that this process's
/// worker takes them at once rather than at its next poll.
pub(super) static COMMITTED: tokio::sync::Notify = tokio::sync::Notify::const_new();

/// What a transaction changed, person by person, in the order first seen.
#[derive(Default)]
pub struct Journal {
    entries: Vec<Entry>,
}

struct Entry {
    person_id: i64,
    /// The person's own row as read before it changed: slug, published.
    before: Option<(String, bool)>,
    /// Whether the person's own row was written (not just their items).
    own_row: bool,
    /// Persons this one replaced (an import of the same slug).
    replaced: Vec<i64>,
}

impl Journal {
    fn entry(&mut self, person_id: i64) -> &mut Entry {
        let at = match self.entries.iter().position(|e| e.person_id == person_id) {
            Some(at) => at,
            None => {
                self.entries.push(Entry {
                    person_id,
                    before: None,
                    own_row: false,
                    replaced: Vec::new(),
                });
                self.entries.len() - 1
            }
        };
        &mut self.entries[at]
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Deliveries were committed: the worker of this process takes them now.
pub fn committed() {
    COMMITTED.notify_one();
}

/// Runs `work` with a fresh journal; returns its output and the journal.
pub async fn journaled<T>(work: impl Future<Output = T>) -> (T, Journal) {
    JOURNAL
        .scope(RefCell::new(Journal::default()), async {
            let output = work.await;
            let journal = JOURNAL.with(|j| j.take());
            (output, journal)
        })
        .await
}

fn with_journal(note: impl FnOnce(&mut Journal)) {
    // Outside a write transaction (nothing to record) this does nothing.
    let _ = JOURNAL.try_with(|j| note(&mut j.borrow_mut()));
}

/// Something in `person_id`'s portfolio changed.
pub fn items_changed(person_id: i64) {
    with_journal(|j| {
        j.entry(person_id);
    });
}

/// `person` is read for a change, before it changes (the first reading
/// counts: later ones may see the transaction's own changes).
pub fn person_read(person: &person::Model) {
    with_journal(|j| {
        let entry = j.entry(person.id);
        if entry.before.is_none() && !entry.own_row {
            entry.before = Some((person.slug.clone(), person.published));
        }
    });
}

/// `person_id`'s own row was written (or created, or deleted).
pub fn person_written(person_id: i64) {
    with_journal(|j| j.entry(person_id).own_row = true);
}

/// `old` was replaced by `new_id` (same slug): one event for the new
/// person, as a change of the old one.
pub fn person_replaced(old: &person::Model, new_id: i64) {
    with_journal(|j| {
        j.entries
            .retain(|e| e.person_id != old.id && e.person_id != new_id);
        j.entries.push(Entry {
            person_id: new_id,
            before: Some((old.slug.clone(), old.published)),
            own_row: true,
            replaced: vec![old.id],
        });
    });
}

/// The webhooks and the events each subscribes to, read in `txn` before
/// its work: a transaction reads them before it locks any row it edits.
pub async fn subscriptions(txn: &impl ConnectionTrait) -> AppResult<Subscriptions> {
    Ok(Subscriptions(
        webhook::Entity::find()
            .select_only()
            .columns([webhook::Column::Id, webhook::Column::Events])
            .into_tuple::<(i64, String)>()
            .all(txn)
            .await?,
    ))
}

/// The webhooks (id, events) a transaction's events go to.
pub struct Subscriptions(Vec<(i64, String)>);

/// Writes the events of `journal` and their deliveries to `webhooks`, in
/// `txn` (before it commits). Returns how many deliveries were written.
pub async fn record(
    txn: &impl ConnectionTrait,
    journal: Journal,
    Subscriptions(webhooks): Subscriptions,
) -> AppResult<usize> {
    if journal.is_empty() || webhooks.is_empty() {
        return Ok(0);
    }
    let ids: Vec<i64> = journal.entries.iter().map(|e| e.person_id).collect();
    let after = person::Entity::find()
        .select_only()
        .columns([
            person::Column::Id,
            person::Column::Slug,
            person::Column::Published,
            person::Column::Version,
        ])
        .filter(person::Column::Id.is_in(ids))
        .into_tuple::<(i64, String, bool, i32)>()
        .all(txn)
        .await?;
    let now = Utc::now();
    let mut deliveries = 0;
    for entry in journal.entries {
        let found = after.iter().find(|row| row.0 == entry.person_id);
        let event = Event::of(
            &entry,
            found.map(|(_, slug, published, version)| (slug.as_str(), *published, *version)),
        );
        let subscribers: Vec<i64> = webhooks
            .iter()
            .filter(|(_, events)| super::subscribes(events, event.kind))
            .map(|(id, _)| *id)
            .collect();
        if subscribers.is_empty() {
            continue;
        }
        let event_id = uuid::Uuid::new_v4().to_string();
        let payload = event.payload(&event_id, now);
        let row = webhook_event::ActiveModel {
            event_id: Set(event_id),
            kind: Set(event.kind.as_str().to_owned()),
            person_id: Set(entry.person_id),
            payload: Set(payload),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        let rows = subscribers
            .iter()
            .map(|webhook_id| webhook_delivery::ActiveModel {
                webhook_id: Set(*webhook_id),
                event_id: Set(row.id),
                status: Set(Status::Pending.as_str().to_owned()),
                attempts: Set(0),
                next_attempt_at: Set(now),
                lease_until: Set(None),
                lease_owner: Set(None),
                last_error: Set(None),
                last_status: Set(None),
                delivered_at: Set(None),
                created_at: Set(now),
                ..Default::default()
            });
        webhook_delivery::Entity::insert_many(rows)
            .exec(txn)
            .await?;
        deliveries += subscribers.len();
    }
    Ok(deliveries)
}

/// One person's event.
struct Event<'a> {
    kind: EventKind,
    person_id: i64,
    slug: Option<&'a str>,
    previous_slug: Option<&'a str>,
    keys: Vec<String>,
}

impl<'a> Event<'a> {
    /// The event of `entry`, given the person's row at commit (`None`:
    /// deleted): slug, published, version.
    fn of(entry: &'a Entry, after: Option<(&'a str, bool, i32)>) -> Self {
        let before_slug = entry.before.as_ref().map(|(slug, _)| slug.as_str());
        let (kind, slug) = match (after, &entry.before) {
            (None, _) => (EventKind::Deleted, before_slug),
            (Some((slug, now, _)), Some((_, was))) if now != *was => (
                if now {
                    EventKind::Published
                } else {
                    EventKind::Unpublished
                },
                Some(slug),
            ),
            // Written, never read before, and at version 1: created here.
            (Some((slug, true, 1)), None) if entry.own_row => (EventKind::Published, Some(slug)),
            (Some((slug, ..)), _) => (EventKind::Updated, Some(slug)),
        };
        let mut keys = vec![format!("person-{}", entry.person_id)];
        keys.extend(entry.replaced.iter().map(|id| format!("person-{id}")));
        // The list of people changes with a person's own row (who is in
        // it, in which order, under which slug), not with their items.
        if kind != EventKind::Updated || entry.own_row {
            keys.push("people".to_owned());
        }
        Event {
            kind,
            person_id: entry.person_id,
            slug,
            previous_slug: before_slug.filter(|old| Some(*old) != slug),
            keys,
        }
    }

    fn payload(&self, event_id: &str, at: chrono::DateTime<Utc>) -> String {
        let mut person = json!({ "id": self.person_id, "slug": self.slug });
        if let Some(previous) = self.previous_slug {
            person["previousSlug"] = json!(previous);
        }
        json!({
            "id": event_id,
            "type": self.kind.as_str(),
            "createdAt": at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "person": person,
            "surrogateKeys": self.keys,
        })
        .to_string()
    }
}
