//! Following the database's change feed, so that every process serving it
//! forgets what it cached about a person as soon as anyone changes that
//! person's portfolio: another replica, `portfolio import`, or an operator.
//!
//! The feed is written by triggers (see the `change_feed` migration):
//! PostgreSQL notifies `portfolio_changes` at commit; MySQL/MariaDB and
//! SQLite append to `change_log`, read here every [`POLL`]. Each change
//! reaches the process's [`Follower`] as "person P changed"; today it
//! outdates every cached answer (the answers are not yet tagged by person).
//!
//! Missing a change must never mean serving a stale answer. While the feed
//! cannot be followed (the listening connection dropped, a poll failed), the
//! response cache is switched off: nothing is served from it and nothing is
//! stored. It is emptied and switched back on only once the feed is
//! followed again, so whatever changed meanwhile is forgotten too.

use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

/// The PostgreSQL channel the triggers notify with the person's id (kept
/// for processes of earlier versions).
pub const CHANNEL: &str = "portfolio_changes";

/// The PostgreSQL channel the triggers notify with the person's id and the
/// writing transaction's, separated by a space: the one followed.
pub const CHANNEL_TX: &str = "portfolio_changes_tx";

/// How often `change_log` is read where there are no notifications.
pub const POLL: Duration = Duration::from_millis(250);

/// `change_log` rows older than this many changes are trimmed.
const KEEP_ROWS: i64 = 10_000;

/// What following the feed does to this process's state: the HTTP layer
/// keeps its response cache coherent with it (`http::CacheFollower`).
pub trait Follower: Send + Sync + 'static {
    /// The feed is about to be followed: until it is, nothing cached may be
    /// trusted.
    fn starting(&self);
    /// Person `person_id` changed (elsewhere, or here).
    fn changed(&self, person_id: i64);
    /// This process's own write transactions, whose echo changes nothing
    /// more.
    fn own_writes(&self) -> &OwnWrites;
    /// The echo of this process's own, already marked, change of
    /// `person_id` came through the feed.
    fn echoed(&self, person_id: i64);
    /// The feed is followed again: forget everything that may have changed
    /// meanwhile.
    fn following(&self);
    /// The feed is lost: trust nothing cached until it is followed again.
    fn lost(&self, err: &dyn std::fmt::Display);
}

/// Starts following the feed of the database at `url` in the background,
/// on connections of its own (not the pool's: its statements are not the
/// requests'); returns once it is followed (or after `ready_within`, with
/// the response cache off until it is), so that a server starts with a
/// coherent cache.
pub async fn follow(
    url: &str,
    backend: DbBackend,
    follower: impl Follower,
    ready_within: Duration,
) -> FeedTask {
    follower.starting();
    let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
    let url = url.to_owned();
    let task = match backend {
        DbBackend::Postgres => tokio::spawn(listen(url, follower, ready_tx)),
        _ => tokio::spawn(poll(url, follower, ready_tx)),
    };
    let _ = tokio::time::timeout(ready_within, ready_rx).await;
    FeedTask(task.abort_handle())
}

/// The task following the feed; stopped when dropped.
pub struct FeedTask(tokio::task::AbortHandle);

impl Drop for FeedTask {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// PostgreSQL: one connection of its own, `LISTEN`ing; on any error a new
/// one, after a pause that grows to 5 s.
///
/// A connection that dies says so at once, but one cut off silently (a
/// network partition) would just stop delivering. So the listener also
/// listens on a channel of its own, on which a heartbeat is sent (over a
/// second connection of the feed's small pool) every [`HEARTBEAT`]: a heartbeat missing for three periods
/// counts as a lost feed.
async fn listen(url: String, follower: impl Follower, ready: tokio::sync::oneshot::Sender<()>) {
    use sea_orm::sqlx::postgres::{PgConnectOptions, PgListener, PgPoolOptions};

    let mut ready = Some(ready);
    let mut pause = Duration::from_millis(100);
    let heartbeat_channel = format!("portfolio_heartbeat_{}", std::process::id());
    let beat = Heartbeat::default();
    let options = match url.parse::<PgConnectOptions>() {
        // Named, so that an operator can tell it from the request pool.
        Ok(options) => options.application_name("portfolio-change-feed"),
        Err(err) => {
            follower.lost(&err);
            return;
        }
    };
    let pool = PgPoolOptions::new()
        .max_connections(2)
        .min_connections(0)
        .acquire_timeout(Duration::from_secs(2))
        .connect_lazy_with(options);
    tokio::spawn(send_heartbeats(pool.clone(), heartbeat_channel.clone()));
    loop {
        let listener = async {
            let mut listener = PgListener::connect_with(&pool).await?;
            listener
                .listen_all([CHANNEL_TX, heartbeat_channel.as_str()])
                .await?;
            Ok::<_, sea_orm::sqlx::Error>(listener)
        }
        .await;
        let mut listener = match listener {
            Ok(listener) => listener,
            Err(err) => {
                follower.lost(&err);
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_secs(5));
                continue;
            }
        };
        pause = Duration::from_millis(100);
        beat.heard();
        follower.following();
        if let Some(ready) = ready.take() {
            let _ = ready.send(());
        }
        loop {
            let received = tokio::select! {
                received = listener.try_recv() => received,
                // Dropping the listener anyway: cancelling its read is fine.
                () = beat.silence() => {
                    follower.lost(&"no heartbeat came through the change feed");
                    break;
                }
            };
            match received {
                Ok(Some(notification)) if notification.channel() == CHANNEL_TX => {
                    match parse_change(notification.payload()) {
                        Some((person_id, txid)) => {
                            if follower.own_writes().is_echo(txid, person_id).await {
                                follower.echoed(person_id);
                            } else {
                                follower.changed(person_id);
                            }
                        }
                        // Not ours to read: anything may have changed.
                        None => {
                            follower.lost(&"an unreadable change came through the feed");
                            break;
                        }
                    }
                }
                Ok(Some(_)) => beat.heard(),
                // `None`: the connection was lost, and notifications with it.
                Ok(None) => {
                    follower.lost(&"the listening connection closed");
                    break;
                }
                Err(err) => {
                    follower.lost(&err);
                    break;
                }
            }
        }
    }
}

/// `"<person id> <transaction id>"`, as the triggers notify on [`CHANNEL_TX`].
fn parse_change(payload: &str) -> Option<(i64, i64)> {
    let (person, txid) = payload.split_once(' ')?;
    Some((person.parse().ok()?, txid.parse().ok()?))
}

/// How long a write of this process is remembered, waiting for its echo.
const ECHO_WAIT: Duration = Duration::from_secs(10);

/// How long the listener waits, on the echo of a write of this process that
/// committed but whose writer has not marked its person yet, for the mark
/// (the writer marks right after the commit returns, without awaiting
/// anything in between).
const MARK_GRACE: Duration = Duration::from_millis(50);

/// The write transactions of this process (PostgreSQL ids), so that their
/// echo through the change feed is told apart from anyone else's change:
/// once the writer marked its person changed, the echo would only outdate,
/// a second time, what was computed after that mark.
///
/// A transaction is noted when it starts ([`OwnWrites::begun`]) and marked
/// once its writer marked the person ([`OwnWrites::marked`]). Only the echo
/// of a marked transaction is skipped, so skipping never loses a change;
/// an echo that arrives first waits for the mark a moment ([`MARK_GRACE`])
/// and is followed as any change if it does not come (one invalidation too
/// many, never one too few). Transaction ids are never reused; notes whose
/// echo never comes (rolled back) are dropped after [`ECHO_WAIT`].
#[derive(Clone, Default)]
pub struct OwnWrites(std::sync::Arc<OwnShared>);

#[derive(Default)]
struct OwnShared {
    notes: std::sync::Mutex<Notes>,
    /// Woken at every mark.
    marked: tokio::sync::Notify,
}

#[derive(Default)]
struct Notes {
    /// By transaction: the person marked (none yet: not marked), and when
    /// the note was made.
    by_txid: std::collections::HashMap<i64, (Option<i64>, std::time::Instant)>,
    /// When notes older than [`ECHO_WAIT`] were last dropped.
    pruned: Option<std::time::Instant>,
}

impl OwnWrites {
    fn lock(&self) -> std::sync::MutexGuard<'_, Notes> {
        self.0
            .notes
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Transaction `txid` of this process started writing.
    pub fn begun(&self, txid: i64) {
        let mut notes = self.lock();
        // Echoes remove their notes: many are left only while the feed is
        // down. Dropped at most once a second, not at every write.
        if notes.by_txid.len() >= 1024
            && notes
                .pruned
                .is_none_or(|at| at.elapsed() >= Duration::from_secs(1))
        {
            notes.by_txid.retain(|_, (_, at)| at.elapsed() < ECHO_WAIT);
            notes.pruned = Some(std::time::Instant::now());
        }
        notes
            .by_txid
            .insert(txid, (None, std::time::Instant::now()));
    }

    /// Transaction `txid` will not be marked (it failed, or its commit's
    /// outcome is unknown): its echo, if any, is followed at once.
    pub fn abandoned(&self, txid: i64) {
        self.lock().by_txid.remove(&txid);
    }

    /// Transaction `txid` of this process committed a change of
    /// `person_id`, and the person is marked changed already.
    pub fn marked(&self, txid: i64, person_id: i64) {
        self.lock()
            .by_txid
            .insert(txid, (Some(person_id), std::time::Instant::now()));
        self.0.marked.notify_waiters();
    }

    /// Whether the change of `person_id` by transaction `txid` is the echo
    /// of a write this process made and marked (waiting at most
    /// [`MARK_GRACE`] for the mark of one it made but has not marked yet).
    pub async fn is_echo(&self, txid: i64, person_id: i64) -> bool {
        let deadline = tokio::time::Instant::now() + MARK_GRACE;
        loop {
            // Registered before looking, so that a mark in between wakes it.
            let notified = self.0.marked.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            {
                let mut notes = self.lock();
                match notes.by_txid.get(&txid) {
                    None => return false,
                    Some((Some(person), _)) => {
                        let echo = *person == person_id;
                        if echo {
                            notes.by_txid.remove(&txid);
                        }
                        return echo;
                    }
                    Some((None, _)) => {}
                }
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return false;
            }
        }
    }
}

/// How often a heartbeat goes through the change feed.
const HEARTBEAT: Duration = Duration::from_secs(2);

/// When the listener last heard its heartbeat.
#[derive(Default)]
struct Heartbeat {
    heard: std::sync::Mutex<Option<std::time::Instant>>,
}

impl Heartbeat {
    fn heard(&self) {
        *self.heard.lock().unwrap_or_else(|e| e.into_inner()) = Some(std::time::Instant::now());
    }

    /// Completes once three heartbeats in a row have not come through.
    async fn silence(&self) {
        loop {
            tokio::time::sleep(HEARTBEAT).await;
            let heard = *self.heard.lock().unwrap_or_else(|e| e.into_inner());
            if heard.is_some_and(|at| at.elapsed() > 3 * HEARTBEAT) {
                return;
            }
        }
    }
}

/// Sends a heartbeat on `channel` every [`HEARTBEAT`], on the feed's second
/// connection: the listener hears it only while its own connection works.
async fn send_heartbeats(pool: sea_orm::sqlx::PgPool, channel: String) {
    loop {
        tokio::time::sleep(HEARTBEAT).await;
        let sent = sea_orm::sqlx::query("SELECT pg_notify($1, '')")
            .bind(&channel)
            .execute(&pool)
            .await;
        if let Err(err) = sent {
            tracing::debug!(%err, "cannot send a heartbeat through the change feed");
        }
    }
}

/// MySQL/MariaDB and SQLite: read `change_log` past the last row seen.
async fn poll(url: String, follower: impl Follower, ready: tokio::sync::oneshot::Sender<()>) {
    let mut ready = Some(ready);
    let mut options = sea_orm::ConnectOptions::new(url);
    options
        .max_connections(1)
        .min_connections(0)
        .acquire_timeout(Duration::from_secs(2))
        .sqlx_logging(false);
    let db = loop {
        match sea_orm::Database::connect(options.clone()).await {
            Ok(db) => break db,
            Err(err) => {
                follower.lost(&err);
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    };
    let mut last: Option<i64> = None;
    let mut polls = 0u64;
    loop {
        match read_since(&db, last).await {
            Ok((newest, people)) => {
                if last.is_none() {
                    follower.following();
                    if let Some(ready) = ready.take() {
                        let _ = ready.send(());
                    }
                } else {
                    for person_id in people {
                        follower.changed(person_id);
                    }
                }
                last = Some(newest);
                polls += 1;
                if polls.is_multiple_of(240) {
                    trim(&db, newest).await;
                }
            }
            Err(err) => {
                follower.lost(&err);
                // Read everything again from the newest row once back.
                last = None;
            }
        }
        tokio::time::sleep(POLL).await;
    }
}

/// The newest row id, and the persons changed after `since` (none on the
/// first read: the cache starts empty).
async fn read_since(
    db: &DatabaseConnection,
    since: Option<i64>,
) -> Result<(i64, Vec<i64>), sea_orm::DbErr> {
    let backend = db.get_database_backend();
    let Some(since) = since else {
        let row = db
            .query_one_raw(Statement::from_string(
                backend,
                "SELECT COALESCE(MAX(id), 0) AS newest FROM change_log",
            ))
            .await?;
        let newest = row.map_or(Ok(0), |r| r.try_get::<i64>("", "newest"))?;
        return Ok((newest, Vec::new()));
    };
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            match backend {
                DbBackend::MySql => "SELECT id, person_id FROM change_log WHERE id > ? ORDER BY id",
                _ => "SELECT id, person_id FROM change_log WHERE id > $1 ORDER BY id",
            },
            [since.into()],
        ))
        .await?;
    let mut newest = since;
    let mut people = Vec::new();
    for row in rows {
        newest = newest.max(row.try_get::<i64>("", "id")?);
        let person: i64 = row.try_get("", "person_id")?;
        if !people.contains(&person) {
            people.push(person);
        }
    }
    Ok((newest, people))
}

/// Drops rows every follower has long read.
async fn trim(db: &DatabaseConnection, newest: i64) {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::MySql => "DELETE FROM change_log WHERE id <= ?",
        _ => "DELETE FROM change_log WHERE id <= $1",
    };
    if let Err(err) = db
        .execute_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [(newest - KEEP_ROWS).into()],
        ))
        .await
    {
        tracing::debug!(%err, "cannot trim the change log");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_names_its_person_and_transaction() {
        assert_eq!(parse_change("42 981"), Some((42, 981)));
        assert_eq!(parse_change("42"), None);
        assert_eq!(parse_change("42 x"), None);
        assert_eq!(parse_change(""), None);
    }

    #[tokio::test]
    async fn only_a_marked_write_of_this_process_is_its_echo_and_only_once() {
        let own = OwnWrites::default();
        own.begun(7);
        own.marked(7, 1);
        assert!(
            !own.is_echo(8, 1).await,
            "another transaction is somebody else's"
        );
        assert!(
            !own.is_echo(7, 2).await,
            "another person than the one marked"
        );
        assert!(own.is_echo(7, 1).await);
        assert!(!own.is_echo(7, 1).await, "an echo comes once");
    }

    #[tokio::test]
    async fn an_echo_ahead_of_the_mark_waits_for_it_a_moment() {
        let own = OwnWrites::default();
        own.begun(3);
        let waiting = tokio::spawn({
            let own = own.clone();
            async move { own.is_echo(3, 9).await }
        });
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished(), "the echo waits for the mark");
        own.marked(3, 9);
        assert!(
            waiting.await.expect("the listener"),
            "the mark came in time"
        );
        // Never marked (the writer gave up, or took too long): followed.
        own.begun(4);
        assert!(!own.is_echo(4, 9).await);
        own.begun(5);
        own.abandoned(5);
        assert!(!own.is_echo(5, 9).await);
    }

    #[tokio::test]
    async fn notes_whose_echo_never_came_do_not_pile_up() {
        let own = OwnWrites::default();
        for txid in 0..1024 {
            own.begun(txid);
        }
        own.lock()
            .by_txid
            .values_mut()
            .for_each(|(_, at)| *at = at.checked_sub(ECHO_WAIT).expect("an earlier instant"));
        own.begun(5000);
        assert_eq!(own.lock().by_txid.len(), 1, "old notes are dropped");
        own.marked(5000, 1);
        assert!(own.is_echo(5000, 1).await);
    }
}
