//! Liveness: answers as long as the process serves HTTP, without touching the
//! database (a database outage must not get the process restarted).

/// `GET /healthz`.
pub async fn healthz() -> &'static str {
    "ok"
}
