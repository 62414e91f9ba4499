//! The delivery worker: every `serve` process runs one.
//!
//! It looks for due deliveries (pending, `next_attempt_at` passed, no live
//! lease), claims each with a compare-and-set that only one process can win
//! (`UPDATE … SET lease_until = now + lease … WHERE id = ? AND (lease_until
//! IS NULL OR lease_until < now)`), and sends it. The attempt is counted
//! when it is claimed, so a process killed mid-delivery uses up an attempt
//! and leaves a lease that expires: the delivery is then claimed again, by
//! another process or the restarted one. Delivery is therefore at least
//! once: receivers deduplicate on the event id.
//!
//! An answer 2xx delivers; anything else (another status, a timeout, no
//! connection) schedules the next attempt after an exponential backoff with
//! jitter, until `max_attempts` attempts or `max_age` since the event: then
//! the delivery is dead. Every attempt is bounded by `timeout`, and the
//! lease outlasts it.

use std::time::Duration;

use chrono::Utc;
use entity::{webhook, webhook_delivery, webhook_event};
use hmac::{Hmac, Mac};
use prometheus::IntCounterVec;
use sea_orm::sea_query::{Condition, Expr};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, ExprTrait, QueryFilter, QueryOrder, QuerySelect,
};
use sha2::Sha256;

use super::Status;
use super::outbox::COMMITTED;

/// How the worker behaves (`config::WebhookOptions` holds its flags).
#[derive(Clone, Debug)]
pub struct Options {
    /// Bound on one attempt, connecting included.
    pub timeout: Duration,
    /// Attempts before a delivery is dead.
    pub max_attempts: u32,
    /// Age of an event after which its delivery is dead.
    pub max_age: Duration,
    /// How often due deliveries are looked for (a commit of this process
    /// wakes the worker at once).
    pub poll: Duration,
    /// The first backoff; each next one doubles, up to `backoff_max`.
    pub backoff: Duration,
    pub backoff_max: Duration,
}

/// Deliveries claimed per round, sent concurrently.
const BATCH: u64 = 16;

/// How long delivered and dead deliveries stay for admins to see.
const KEEP_DAYS: i64 = 30;

/// How often each worker drops what is older than that.
const TRIM_EVERY: Duration = Duration::from_secs(600);

/// The worker, running until dropped.
pub struct Worker(tokio::task::AbortHandle);

impl Drop for Worker {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Starts the worker on the database at `url`, on a small pool of its own
/// (its statements are not the requests'); `outcomes` counts attempts by
/// outcome (`delivered`, `retry`, `dead`).
pub fn start(url: &str, options: Options, outcomes: IntCounterVec) -> Worker {
    let url = url.to_owned();
    let task = tokio::spawn(async move {
        let pool = crate::db::PoolSize {
            max_connections: 2,
            acquire_timeout: Duration::from_secs(5),
        };
        let db = loop {
            match crate::db::connect(&url, pool).await {
                Ok((db, _)) => break db,
                Err(err) => {
                    tracing::warn!(%err, "cannot connect to deliver webhooks; trying again");
                    tokio::time::sleep(Duration::from_secs(5)).await;
                }
            }
        };
        run(db, options, outcomes).await;
    });
    Worker(task.abort_handle())
}

async fn run(db: DatabaseConnection, options: Options, outcomes: IntCounterVec) {
    let client = match reqwest::Client::builder()
        .timeout(options.timeout)
        .connect_timeout(options.timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("portfolio-webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
    {
        Ok(client) => client,
        Err(err) => {
            tracing::error!(%err, "cannot build the webhook HTTP client; no webhook is delivered");
            return;
        }
    };
    let owner = uuid::Uuid::new_v4().to_string();
    let mut trimmed = std::time::Instant::now();
    loop {
        if trimmed.elapsed() > TRIM_EVERY {
            trimmed = std::time::Instant::now();
            if let Err(err) = trim(&db).await {
                tracing::debug!(%err, "cannot trim old webhook deliveries");
            }
        }
        // Registered before the round: a commit during it is not missed.
        let woken = COMMITTED.notified();
        match round(&db, &client, &options, &owner, &outcomes).await {
            // A full batch: there may be more due at once.
            Ok(claimed) if claimed as u64 >= BATCH => continue,
            Ok(_) => {}
            Err(err) => tracing::warn!(%err, "cannot deliver webhooks"),
        }
        tokio::select! {
            () = woken => {}
            () = tokio::time::sleep(options.poll) => {}
        }
    }
}

/// Claims the due deliveries and sends them; returns how many it claimed.
async fn round(
    db: &DatabaseConnection,
    client: &reqwest::Client,
    options: &Options,
    owner: &str,
    outcomes: &IntCounterVec,
) -> Result<usize, sea_orm::DbErr> {
    let now = Utc::now();
    let due: Vec<i64> = webhook_delivery::Entity::find()
        .select_only()
        .column(webhook_delivery::Column::Id)
        .filter(webhook_delivery::Column::Status.eq(Status::Pending.as_str()))
        .filter(webhook_delivery::Column::NextAttemptAt.lte(now))
        .filter(free(now))
        .order_by_asc(webhook_delivery::Column::NextAttemptAt)
        .limit(BATCH)
        .into_tuple()
        .all(db)
        .await?;
    let mut claimed = Vec::new();
    for id in due {
        if let Some(job) = claim(db, id, options, owner).await? {
            claimed.push(job);
        }
    }
    let count = claimed.len();
    let sends = claimed
        .into_iter()
        .map(|job| Box::pin(attempt(db, client, options, owner, outcomes, job)));
    for result in futures::future::join_all(sends).await {
        if let Err(err) = result {
            tracing::warn!(%err, "cannot record a webhook delivery");
        }
    }
    Ok(count)
}

/// Drops delivered and dead deliveries older than [`KEEP_DAYS`], then the
/// events left without a delivery (those of removed webhooks too).
async fn trim(db: &DatabaseConnection) -> Result<(), sea_orm::DbErr> {
    let before = Utc::now() - chrono::Duration::days(KEEP_DAYS);
    webhook_delivery::Entity::delete_many()
        .filter(webhook_delivery::Column::Status.ne(Status::Pending.as_str()))
        .filter(webhook_delivery::Column::CreatedAt.lt(before))
        .exec(db)
        .await?;
    webhook_event::Entity::delete_many()
        .filter(webhook_event::Column::CreatedAt.lt(before))
        .filter(
            webhook_event::Column::Id.not_in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(webhook_delivery::Column::EventId)
                    .from(webhook_delivery::Entity)
                    .to_owned(),
            ),
        )
        .exec(db)
        .await?;
    Ok(())
}

/// No live lease at `now`.
fn free(now: chrono::DateTime<Utc>) -> Condition {
    Condition::any()
        .add(webhook_delivery::Column::LeaseUntil.is_null())
        .add(webhook_delivery::Column::LeaseUntil.lt(now))
}

/// A claimed delivery with what sending it needs.
struct Job {
    id: i64,
    attempts: i32,
    url: String,
    secret: String,
    event: webhook_event::Model,
}

/// How long a claim holds: past any attempt's end.
fn lease(options: &Options) -> Duration {
    options.timeout * 2 + Duration::from_secs(5)
}

/// Takes delivery `id` if no other process holds it; `None` if one does
/// (or it is no longer due).
async fn claim(
    db: &DatabaseConnection,
    id: i64,
    options: &Options,
    owner: &str,
) -> Result<Option<Job>, sea_orm::DbErr> {
    let now = Utc::now();
    let until = now + lease(options);
    let taken = webhook_delivery::Entity::update_many()
        .col_expr(webhook_delivery::Column::LeaseUntil, Expr::value(until))
        .col_expr(webhook_delivery::Column::LeaseOwner, Expr::value(owner))
        .col_expr(
            webhook_delivery::Column::Attempts,
            Expr::col(webhook_delivery::Column::Attempts).add(1),
        )
        .filter(webhook_delivery::Column::Id.eq(id))
        .filter(webhook_delivery::Column::Status.eq(Status::Pending.as_str()))
        .filter(free(now))
        .exec(db)
        .await?;
    if taken.rows_affected != 1 {
        return Ok(None);
    }
    let Some(delivery) = webhook_delivery::Entity::find_by_id(id).one(db).await? else {
        return Ok(None);
    };
    let event = webhook_event::Entity::find_by_id(delivery.event_id)
        .one(db)
        .await?;
    let hook = webhook::Entity::find_by_id(delivery.webhook_id)
        .one(db)
        .await?;
    let (Some(event), Some(hook)) = (event, hook) else {
        // Removed meanwhile: nothing left to send.
        return Ok(None);
    };
    Ok(Some(Job {
        id,
        attempts: delivery.attempts,
        url: hook.url,
        secret: hook.secret,
        event,
    }))
}

/// The `Portfolio-Signature` header of `body` sent at `t` (Unix seconds):
/// `t=<t>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
pub fn signature(secret: &str, t: i64, body: &str) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|err| unreachable!("HMAC takes keys of any length: {err}"));
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    let hex = crate::digest::hex(&mac.finalize().into_bytes());
    format!("t={t},v1={hex}")
}

/// Sends a claimed delivery once and records the outcome (only while this
/// process still holds the claim).
async fn attempt(
    db: &DatabaseConnection,
    client: &reqwest::Client,
    options: &Options,
    owner: &str,
    outcomes: &IntCounterVec,
    job: Job,
) -> Result<(), sea_orm::DbErr> {
    let body = job.event.payload.clone();
    let t = Utc::now().timestamp();
    let sent = client
        .post(&job.url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header("portfolio-event", &job.event.kind)
        .header("portfolio-event-id", &job.event.event_id)
        .header("portfolio-signature", signature(&job.secret, t, &body))
        .body(body)
        .send()
        .await;
    let (status, error) = match sent {
        Ok(response) if response.status().is_success() => (Some(response.status()), None),
        Ok(response) => (
            Some(response.status()),
            Some(format!("answered HTTP {}", response.status().as_u16())),
        ),
        Err(err) => (None, Some(describe(&err, options.timeout))),
    };
    let now = Utc::now();
    let mut update = webhook_delivery::Entity::update_many()
        .col_expr(
            webhook_delivery::Column::LeaseUntil,
            Expr::value(Option::<chrono::DateTime<Utc>>::None),
        )
        .col_expr(
            webhook_delivery::Column::LeaseOwner,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            webhook_delivery::Column::LastStatus,
            Expr::value(status.map(|s| i32::from(s.as_u16()))),
        )
        .col_expr(
            webhook_delivery::Column::LastError,
            Expr::value(error.clone()),
        );
    let outcome = match &error {
        None => {
            update = update
                .col_expr(
                    webhook_delivery::Column::Status,
                    Expr::value(Status::Delivered.as_str()),
                )
                .col_expr(webhook_delivery::Column::DeliveredAt, Expr::value(now));
            "delivered"
        }
        Some(_) => {
            let attempts = u32::try_from(job.attempts).unwrap_or(u32::MAX);
            let age = (now - job.event.created_at).to_std().unwrap_or_default();
            let next = backoff(options, attempts);
            if attempts >= options.max_attempts || age + next > options.max_age {
                update = update.col_expr(
                    webhook_delivery::Column::Status,
                    Expr::value(Status::Dead.as_str()),
                );
                "dead"
            } else {
                let at = now + next;
                update = update.col_expr(webhook_delivery::Column::NextAttemptAt, Expr::value(at));
                "retry"
            }
        }
    };
    let recorded = update
        .filter(webhook_delivery::Column::Id.eq(job.id))
        .filter(webhook_delivery::Column::LeaseOwner.eq(owner))
        .filter(webhook_delivery::Column::Attempts.eq(job.attempts))
        .exec(db)
        .await?;
    if recorded.rows_affected == 1 {
        outcomes.with_label_values(&[outcome]).inc();
    }
    match &error {
        Some(error) => tracing::info!(
            event_id = %job.event.event_id,
            attempt = job.attempts,
            outcome,
            %error,
            "webhook delivery failed"
        ),
        None => tracing::debug!(event_id = %job.event.event_id, "webhook delivered"),
    }
    Ok(())
}

/// What went wrong with a request, for admins (never a secret: the URL is
/// left out).
fn describe(err: &reqwest::Error, timeout: Duration) -> String {
    if err.is_timeout() {
        format!("no answer within {} s", timeout.as_secs_f64())
    } else if err.is_connect() {
        "cannot connect".to_owned()
    } else {
        let text = err.to_string();
        let mut text = text.replace(err.url().map_or("", |u| u.as_str()), "<url>");
        text.truncate(300);
        format!("request failed: {text}")
    }
}

/// The wait after attempt `attempts` failed: `backoff` doubled per attempt,
/// at most `backoff_max`, of which a random half ("equal jitter"), so that
/// deliveries failing together do not retry together.
fn backoff(options: &Options, attempts: u32) -> Duration {
    let doubled = options
        .backoff
        .saturating_mul(1u32 << Ord::min(attempts.saturating_sub(1), 20));
    let bound = doubled.min(options.backoff_max);
    let half = bound / 2;
    let nanos = Ord::max(u64::try_from(half.as_nanos()).unwrap_or(u64::MAX), 1);
    half + Duration::from_nanos(random() % nanos)
}

/// A random number for jitter (no cryptographic quality needed).
fn random() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> Options {
        Options {
            timeout: Duration::from_secs(10),
            max_attempts: 10,
            max_age: Duration::from_secs(86_400),
            poll: Duration::from_secs(1),
            backoff: Duration::from_secs(10),
            backoff_max: Duration::from_secs(3600),
        }
    }

    #[test]
    fn backoff_doubles_with_jitter_up_to_its_bound() {
        let options = options();
        for (attempts, full) in [(1, 10), (2, 20), (3, 40), (9, 2560), (10, 3600), (40, 3600)] {
            for _ in 0..20 {
                let wait = backoff(&options, attempts);
                assert!(
                    wait >= Duration::from_secs(full) / 2,
                    "{attempts}: {wait:?}"
                );
                assert!(wait <= Duration::from_secs(full), "{attempts}: {wait:?}");
            }
        }
    }

    #[test]
    fn the_signature_is_hmac_sha256_of_time_and_body() {
        // HMAC-SHA256("Jefe", "0.what do ya want for nothing?"), as any
        // other implementation computes it (the key and text of RFC 4231's
        // test case 2, the text prefixed with the time and a dot).
        assert_eq!(
            signature("Jefe", 0, "what do ya want for nothing?"),
            "t=0,v1=37f471929915ccd2cbbe79feb84ffcff4f2bb25e15fc41c2506687331ae179cc"
        );
        assert!(signature("s", 1_700_000_000, "{}").starts_with("t=1700000000,v1="));
    }
}
