//! Reading from a PostgreSQL hot standby (`--database-read-url`) without
//! ever going back in time.
//!
//! Anonymous queries may read from the standby; writes and authenticated
//! viewers always use the primary. A standby replays the primary's WAL a
//! little later, so a read there may miss a change this process already
//! knows of (its own write, or one the change feed brought). Such a read
//! could put an older portfolio into the read model or in front of a reader
//! after a newer one. So every read first asks where it may go
//! ([`Standby::route`]):
//!
//! - while the change feed is not followed, changes elsewhere may be missed:
//!   the primary;
//! - else the standby, but only once it has replayed the primary's WAL up to
//!   where it was when this process last learnt of a change: the primary's
//!   flushed WAL position, asked once after each change learnt (a change is
//!   learnt after its commit, so that position is past the commit's
//!   record), against the standby's `pg_last_wal_replay_lsn()`;
//! - a standby that has not replayed that far, does not answer, or fails a
//!   read: the primary (a failed read is run again there, see the HTTP
//!   layer), and the standby is left alone for [`DOWN_FOR`].
//!
//! The clock of changes ([`Freshness::now`]) says when something was learnt:
//! the primary's position is asked again only after it moved.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, Statement};

use super::freshness::Freshness;

/// How long a standby that failed is not read from.
pub const DOWN_FOR: Duration = Duration::from_secs(1);

/// How long the position of the primary or of the standby may take to come.
const ASK_WITHIN: Duration = Duration::from_millis(500);

/// Where one read goes.
#[derive(Clone)]
pub struct Route {
    /// The connection to read through.
    pub db: DatabaseConnection,
    /// Whether that is the standby.
    pub standby: bool,
    /// Why the primary was chosen although a standby is configured (`None`
    /// when none is, or when it was the standby).
    pub fallback: Option<Fallback>,
}

/// Why a read that could have gone to the standby went to the primary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fallback {
    /// The change feed is not followed: changes elsewhere may be missed.
    FeedLost,
    /// The standby has not replayed every change known here.
    Behind,
    /// The standby does not answer (or failed lately).
    Down,
    /// A read on the standby failed and was run again on the primary.
    Failed,
}

impl Fallback {
    /// The metric label.
    pub fn label(self) -> &'static str {
        match self {
            Fallback::FeedLost => "feed_lost",
            Fallback::Behind => "behind",
            Fallback::Down => "down",
            Fallback::Failed => "failed",
        }
    }
}

/// The primary and its standby, and what is known of their positions.
pub struct Standby {
    primary: DatabaseConnection,
    standby: DatabaseConnection,
    freshness: Arc<Freshness>,
    /// Whether the change feed is followed.
    following: AtomicBool,
    /// The primary's position a standby must have replayed...
    required: AtomicU64,
    /// ...as of this time of the clock of changes, plus one (0: never asked).
    required_at: AtomicU64,
    /// The newest position the standby said it had replayed.
    replayed: AtomicU64,
    /// One question at a time to each server.
    asking_primary: tokio::sync::Mutex<()>,
    asking_standby: tokio::sync::Mutex<()>,
    /// Until when the standby is not read from.
    down_until: std::sync::Mutex<Option<Instant>>,
}

impl Standby {
    /// Reads through `standby` when it is recent enough, else through
    /// `primary`; changes are learnt through `freshness`. The change feed
    /// counts as not followed until [`Standby::set_following`] says it is.
    pub fn new(
        primary: DatabaseConnection,
        standby: DatabaseConnection,
        freshness: Arc<Freshness>,
    ) -> Arc<Self> {
        Arc::new(Standby {
            primary,
            standby,
            freshness,
            following: AtomicBool::new(false),
            required: AtomicU64::new(0),
            required_at: AtomicU64::new(0),
            replayed: AtomicU64::new(0),
            asking_primary: tokio::sync::Mutex::new(()),
            asking_standby: tokio::sync::Mutex::new(()),
            down_until: std::sync::Mutex::new(None),
        })
    }

    /// Whether the change feed is followed (only then may the standby be
    /// read from).
    pub fn set_following(&self, following: bool) {
        self.following.store(following, Ordering::Release);
    }

    /// The primary, chosen for `why`.
    fn primary(&self, why: Fallback) -> Route {
        Route {
            db: self.primary.clone(),
            standby: false,
            fallback: Some(why),
        }
    }

    /// Where a read that may go to the standby goes now.
    pub async fn route(&self) -> Route {
        if !self.following.load(Ordering::Acquire) {
            return self.primary(Fallback::FeedLost);
        }
        if self.is_down() {
            return self.primary(Fallback::Down);
        }
        // Noted before the primary is asked: whatever was learnt by then
        // committed before its answer.
        let now = self.freshness.now();
        let Some(required) = self.required(now).await else {
            return self.primary(Fallback::Down);
        };
        if self.replayed.load(Ordering::Acquire) >= required {
            return self.standby_route();
        }
        match self.ask_standby(required).await {
            Ok(true) => self.standby_route(),
            Ok(false) => self.primary(Fallback::Behind),
            Err(err) => {
                tracing::warn!(%err, "the standby does not answer: reading from the primary");
                self.failed();
                self.primary(Fallback::Down)
            }
        }
    }

    fn standby_route(&self) -> Route {
        Route {
            db: self.standby.clone(),
            standby: true,
            fallback: None,
        }
    }

    /// A read on the standby failed: leave it alone for a while.
    pub fn failed(&self) {
        *self.down_until.lock().unwrap_or_else(|e| e.into_inner()) =
            Some(Instant::now() + DOWN_FOR);
    }

    /// The primary, for a read that failed on the standby.
    pub fn after_failure(&self) -> Route {
        self.failed();
        self.primary(Fallback::Failed)
    }

    fn is_down(&self) -> bool {
        let mut down = self.down_until.lock().unwrap_or_else(|e| e.into_inner());
        match *down {
            Some(until) if Instant::now() < until => true,
            Some(_) => {
                *down = None;
                false
            }
            None => false,
        }
    }

    /// The primary's position as of the clock's time `now` (asked when the
    /// clock moved since last asked); `None` when the primary does not say.
    async fn required(&self, now: u64) -> Option<u64> {
        // Asked already, for this time or a later one.
        if self.required_at.load(Ordering::Acquire) > now {
            return Some(self.required.load(Ordering::Acquire));
        }
        let _one = self.asking_primary.lock().await;
        if self.required_at.load(Ordering::Acquire) > now {
            return Some(self.required.load(Ordering::Acquire));
        }
        let asked = tokio::time::timeout(
            ASK_WITHIN,
            position(
                &self.primary,
                "SELECT pg_current_wal_flush_lsn()::text AS lsn",
            ),
        )
        .await;
        match asked {
            Ok(Ok(Some(lsn))) => {
                self.required.fetch_max(lsn, Ordering::AcqRel);
                self.required_at.fetch_max(now + 1, Ordering::AcqRel);
                Some(self.required.load(Ordering::Acquire))
            }
            _ => None,
        }
    }

    /// Asks the standby how far it has replayed: whether that reaches
    /// `required`. While another read is asking, the answer is no (the
    /// primary is always right): reads do not queue behind a lagging
    /// standby.
    async fn ask_standby(&self, required: u64) -> Result<bool, String> {
        let Ok(_one) = self.asking_standby.try_lock() else {
            return Ok(self.replayed.load(Ordering::Acquire) >= required);
        };
        if self.replayed.load(Ordering::Acquire) >= required {
            return Ok(true);
        }
        let asked = tokio::time::timeout(
            ASK_WITHIN,
            position(
                &self.standby,
                "SELECT pg_last_wal_replay_lsn()::text AS lsn",
            ),
        )
        .await;
        match asked {
            Ok(Ok(Some(lsn))) => {
                self.replayed.fetch_max(lsn, Ordering::AcqRel);
                Ok(lsn >= required)
            }
            Ok(Ok(None)) => Err("the read database is not a standby".to_owned()),
            Ok(Err(err)) => Err(err.to_string()),
            Err(_) => Err(format!("no answer within {ASK_WITHIN:?}")),
        }
    }
}

/// A WAL position a statement returns as text (`16/B374D848`).
async fn position(db: &DatabaseConnection, sql: &str) -> Result<Option<u64>, DbErr> {
    let row = db
        .query_one_raw(Statement::from_string(DbBackend::Postgres, sql))
        .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let text: Option<String> = row.try_get("", "lsn")?;
    Ok(text.as_deref().and_then(parse_lsn))
}

/// `16/B374D848` as one number.
pub fn parse_lsn(text: &str) -> Option<u64> {
    let (high, low) = text.split_once('/')?;
    let high = u64::from_str_radix(high, 16).ok()?;
    let low = u64::from_str_radix(low, 16).ok()?;
    (high <= u64::from(u32::MAX) && low <= u64::from(u32::MAX)).then_some((high << 32) | low)
}

#[cfg(test)]
mod tests {
    use super::parse_lsn;

    #[test]
    fn positions_compare_as_numbers() {
        assert_eq!(parse_lsn("0/3000060"), Some(0x0300_0060));
        assert_eq!(parse_lsn("16/B374D848"), Some((0x16 << 32) | 0xB374_D848));
        assert!(parse_lsn("1/0") > parse_lsn("0/FFFFFFFF"));
        for bad in ["", "1", "x/1", "1/", "100000000/0"] {
            assert_eq!(parse_lsn(bad), None, "{bad}");
        }
    }
}
