//! Outgoing webhooks: events written in the transaction of the change,
//! delivered at least once, signed, retried with the same event id, and
//! their state shown to admins only.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use entity::{webhook_delivery, webhook_event};
use hmac::{Hmac, Mac};
use portfolio::config::Config;
use portfolio::domain::Clock;
use portfolio::service::webhook;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::helpers::*;

const SECRET: &str = "a-test-secret-of-some-length";

/// One request the receiver got.
#[derive(Clone, Debug)]
struct Received {
    headers: HeaderMap,
    body: String,
    accepted: bool,
}

/// An HTTP receiver that refuses its first `fail_first` requests (503),
/// then accepts.
#[derive(Clone)]
struct Receiver {
    received: Arc<Mutex<Vec<Received>>>,
    fail_first: Arc<AtomicUsize>,
    url: String,
}

impl Receiver {
    async fn start(fail_first: usize) -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let receiver = Receiver {
            received: Arc::default(),
            fail_first: Arc::new(AtomicUsize::new(fail_first)),
            url: format!("http://{addr}/hook"),
        };
        let app = axum::Router::new()
            .route("/hook", axum::routing::post(receive))
            .with_state(receiver.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        receiver
    }

    fn received(&self) -> Vec<Received> {
        self.received.lock().expect("lock").clone()
    }

    fn accepted(&self) -> Vec<Value> {
        self.received()
            .into_iter()
            .filter(|r| r.accepted)
            .map(|r| serde_json::from_str(&r.body).expect("JSON body"))
            .collect()
    }

    /// Waits until `count` events were accepted (failing after a minute,
    /// which only a broken worker takes).
    async fn wait_for(&self, count: usize, backend: &str) -> Vec<Value> {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let accepted = self.accepted();
            if accepted.len() >= count {
                return accepted;
            }
            assert!(
                Instant::now() < deadline,
                "[{backend}] {} of {count} events delivered: {:?}",
                accepted.len(),
                self.received()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

async fn receive(State(receiver): State<Receiver>, headers: HeaderMap, body: String) -> StatusCode {
    let fail = receiver
        .fail_first
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok();
    receiver.received.lock().expect("lock").push(Received {
        headers,
        body,
        accepted: !fail,
    });
    if fail {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::NO_CONTENT
    }
}

/// How many deliveries are not (yet) delivered.
async fn undelivered(app: &TestApp) -> u64 {
    webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::Status.ne("delivered"))
        .count(&app.db)
        .await
        .expect("count")
}

/// Waits until `/metrics` counts `value` attempts of `outcome` (the count
/// follows the recorded outcome by a moment).
async fn wait_for_metric(app: &TestApp, outcome: &str, value: f64) {
    let name = format!("portfolio_webhook_deliveries_total{{outcome=\"{outcome}\"}}");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let counted = metric(&metrics(app).await, &name);
        if counted == value {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "[{}] {name}: {counted}",
            app.backend
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Quick retries for tests.
fn quick(config: &mut Config) {
    config.webhooks.poll = Duration::from_millis(50);
    config.webhooks.backoff = Duration::from_millis(50);
    config.webhooks.backoff_max = Duration::from_millis(200);
    config.webhooks.timeout = Duration::from_secs(5);
}

/// Checks `Portfolio-Signature` the way a receiver should.
fn verify(received: &Received, secret: &str) {
    let header = received.headers["portfolio-signature"]
        .to_str()
        .expect("ASCII");
    let (t, v1) = header
        .strip_prefix("t=")
        .and_then(|rest| rest.split_once(",v1="))
        .unwrap_or_else(|| panic!("signature format: {header}"));
    let t: i64 = t.parse().expect("unix seconds");
    assert!(
        (chrono::Utc::now().timestamp() - t).abs() < 300,
        "signed within five minutes"
    );
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).expect("key");
    mac.update(format!("{t}.{}", received.body).as_bytes());
    let expected: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(v1, expected, "the signature verifies");
}

const UPDATE: &str =
    "mutation($i: UpdatePersonInput!) { updatePerson(input: $i) { person { id } } }";

#[tokio::test]
async fn every_change_is_delivered_signed_and_retries_keep_the_event_id() {
    for backend in backends() {
        let app = TestApp::spawn_configured(&backend, quick).await;
        let b = app.backend;
        let receiver = Receiver::start(3).await;
        webhook::add(&app.db, &receiver.url, SECRET, &[])
            .await
            .expect("webhook");
        let admin = app.token(None).await;
        let id = app.person_id("dahye-ahn").await;
        let as_admin = app.as_token(&admin);

        as_admin
            .data(UPDATE, json!({ "i": { "id": id, "headline": "SRE" } }))
            .await;
        as_admin
            .data(UPDATE, json!({ "i": { "id": id, "published": false } }))
            .await;
        as_admin
            .data(
                UPDATE,
                json!({ "i": { "id": id, "published": true, "slug": "dahye" } }),
            )
            .await;
        as_admin
            .data(
                "mutation($i: CreateRoleInput!) { createRole(input: $i) { role { id } } }",
                json!({ "i": { "personId": id, "organization": "Acme", "title": "SRE", "start": "2024-01" } }),
            )
            .await;
        let created = as_admin
            .data(
                "mutation($i: CreatePersonInput!) { createPerson(input: $i) { person { id } } }",
                json!({ "i": { "slug": "someone", "name": "Someone", "headline": "New" } }),
            )
            .await;
        let other = created["createPerson"]["person"]["id"].clone();
        as_admin
            .data(
                "mutation($i: DeletePersonInput!) { deletePerson(input: $i) { deletedId } }",
                json!({ "i": { "id": other } }),
            )
            .await;

        let accepted = receiver.wait_for(6, b).await;
        let summary: Vec<(String, String, Vec<String>)> = accepted
            .iter()
            .map(|e| {
                (
                    e["type"].as_str().expect("type").to_owned(),
                    e["person"]["slug"].as_str().unwrap_or_default().to_owned(),
                    e["surrogateKeys"]
                        .as_array()
                        .expect("keys")
                        .iter()
                        .map(|k| k.as_str().expect("key").to_owned())
                        .collect(),
                )
            })
            .collect();
        let person = accepted[0]["person"]["id"].as_i64().expect("row id");
        let key = format!("person-{person}");
        let mut expected = vec![
            ("person.updated", "dahye-ahn", vec![key.as_str(), "people"]),
            (
                "person.unpublished",
                "dahye-ahn",
                vec![key.as_str(), "people"],
            ),
            ("person.published", "dahye", vec![key.as_str(), "people"]),
            ("person.updated", "dahye", vec![key.as_str()]),
        ];
        let other_id = accepted
            .iter()
            .find(|e| e["person"]["slug"] == "someone")
            .and_then(|e| e["person"]["id"].as_i64())
            .expect("the new person's events");
        let other_key = format!("person-{other_id}");
        expected.push((
            "person.published",
            "someone",
            vec![other_key.as_str(), "people"],
        ));
        expected.push((
            "person.deleted",
            "someone",
            vec![other_key.as_str(), "people"],
        ));
        let mut got: Vec<(&str, &str, Vec<&str>)> = summary
            .iter()
            .map(|(t, s, k)| {
                (
                    t.as_str(),
                    s.as_str(),
                    k.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        got.sort();
        expected.sort();
        assert_eq!(got, expected, "[{b}]");
        let renamed = accepted
            .iter()
            .find(|e| e["type"] == "person.published" && e["person"]["slug"] == "dahye")
            .expect("the rename");
        assert_eq!(renamed["person"]["previousSlug"], "dahye-ahn", "[{b}]");

        let received = receiver.received();
        for r in &received {
            verify(r, SECRET);
            let body: Value = serde_json::from_str(&r.body).expect("JSON");
            assert_eq!(
                r.headers["portfolio-event-id"],
                body["id"].as_str().expect("id"),
                "[{b}]"
            );
            assert_eq!(
                r.headers["portfolio-event"],
                body["type"].as_str().expect("type"),
                "[{b}]"
            );
            assert_eq!(r.headers["content-type"], "application/json", "[{b}]");
        }
        let mut ids: Vec<&str> = accepted
            .iter()
            .map(|e| e["id"].as_str().expect("id"))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 6, "[{b}] one event per change");
        for failed in received.iter().filter(|r| !r.accepted) {
            let retried = received
                .iter()
                .find(|r| {
                    r.accepted
                        && r.headers["portfolio-event-id"] == failed.headers["portfolio-event-id"]
                })
                .unwrap_or_else(|| panic!("[{b}] a refused delivery is retried"));
            assert_eq!(
                retried.body, failed.body,
                "[{b}] the same body on every attempt"
            );
        }
        assert_eq!(received.iter().filter(|r| !r.accepted).count(), 3, "[{b}]");

        // The state as admins see it, once every outcome is recorded (an
        // answer reaches the receiver just before its sender records it).
        let deadline = Instant::now() + Duration::from_secs(60);
        while undelivered(&app).await > 0 {
            assert!(Instant::now() < deadline, "[{b}] outcomes recorded");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let query = "{ webhooks { id url events deliveries(first: 50) { eventId event personId status attempts lastError lastStatus nextAttemptAt deliveredAt } } }";
        let data = as_admin.data(query, json!({})).await;
        let hooks = data["webhooks"].as_array().expect("list");
        assert_eq!(hooks.len(), 1, "[{b}]");
        assert_eq!(hooks[0]["url"], receiver.url.as_str(), "[{b}]");
        assert_eq!(
            hooks[0]["events"].as_array().map(Vec::len),
            Some(4),
            "[{b}]"
        );
        let deliveries = hooks[0]["deliveries"].as_array().expect("deliveries");
        assert_eq!(deliveries.len(), 6, "[{b}]");
        for d in deliveries {
            assert_eq!(d["status"], "DELIVERED", "[{b}] {d}");
            assert!(d["deliveredAt"].is_string(), "[{b}] {d}");
            assert!(d["nextAttemptAt"].is_null(), "[{b}] {d}");
        }
        let attempts: i64 = deliveries
            .iter()
            .filter_map(|d| d["attempts"].as_i64())
            .sum();
        assert_eq!(attempts, 9, "[{b}] six deliveries, three of them retried");
        assert!(
            !data.to_string().contains(SECRET),
            "[{b}] the secret is never shown"
        );

        wait_for_metric(&app, "delivered", 6.0).await;
        wait_for_metric(&app, "retry", 3.0).await;
    }
}

#[tokio::test]
async fn a_change_that_is_rolled_back_makes_no_event() {
    for backend in backends() {
        let app = TestApp::spawn_configured(&backend, quick).await;
        let b = app.backend;
        let receiver = Receiver::start(0).await;
        webhook::add(&app.db, &receiver.url, SECRET, &[])
            .await
            .expect("webhook");
        let admin = app.token(None).await;
        let id = app.person_id("dahye-ahn").await;
        import(&app, &copy_of_bundled("taken-slug")).await;
        let before = webhook_event::Entity::find()
            .count(&app.db)
            .await
            .expect("count");
        assert_eq!(before, 1, "[{b}] the import is an event");

        let as_admin = app.as_token(&admin);
        let conflict = as_admin
            .error(
                UPDATE,
                json!({ "i": { "id": id, "headline": "X", "expectedVersion": 99 } }),
            )
            .await;
        assert_eq!(conflict["extensions"]["code"], "CONFLICT", "[{b}]");
        let taken = as_admin
            .error(UPDATE, json!({ "i": { "id": id, "slug": "taken-slug" } }))
            .await;
        assert_eq!(taken["extensions"]["code"], "BAD_USER_INPUT", "[{b}]");
        let invalid = as_admin
            .error(
                "mutation($i: CreateRoleInput!) { createRole(input: $i) { role { id } } }",
                json!({ "i": { "personId": id, "organization": "Acme", "title": "SRE", "start": "2024-05", "end": "2024-01" } }),
            )
            .await;
        assert_eq!(invalid["extensions"]["code"], "BAD_USER_INPUT", "[{b}]");
        let after = webhook_event::Entity::find()
            .count(&app.db)
            .await
            .expect("count");
        assert_eq!(after, before, "[{b}] nothing committed, nothing to tell");

        // A webhook for some types only gets those.
        let deletions = Receiver::start(0).await;
        webhook::add(
            &app.db,
            &deletions.url,
            SECRET,
            &[webhook::EventKind::Deleted],
        )
        .await
        .expect("webhook");
        as_admin
            .data(UPDATE, json!({ "i": { "id": id, "headline": "Y" } }))
            .await;
        receiver.wait_for(2, b).await;
        let deliveries = webhook_delivery::Entity::find()
            .count(&app.db)
            .await
            .expect("count");
        assert_eq!(deliveries, 2, "[{b}] one delivery per subscribed webhook");
        assert!(deletions.received().is_empty(), "[{b}]");
    }
}

#[tokio::test]
async fn only_admins_see_webhooks() {
    for backend in backends() {
        let app = TestApp::spawn_configured(&backend, quick).await;
        let b = app.backend;
        webhook::add(&app.db, "https://hooks.example/build", SECRET, &[])
            .await
            .expect("webhook");
        let query = "{ webhooks { id url } }";
        let error = app.anonymous().error(query, json!({})).await;
        assert_eq!(error["extensions"]["code"], "UNAUTHENTICATED", "[{b}]");
        let owner = app.token(Some("dahye-ahn")).await;
        let error = app.as_token(&owner).error(query, json!({})).await;
        assert_eq!(error["extensions"]["code"], "FORBIDDEN", "[{b}]");
        let admin = app.token(None).await;
        let error = app
            .as_token(&admin)
            .error(
                "{ webhooks { deliveries(first: 101) { eventId } } }",
                json!({}),
            )
            .await;
        assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT", "[{b}]");
        let data = app.as_token(&admin).data(query, json!({})).await;
        assert_eq!(
            data["webhooks"][0]["url"], "https://hooks.example/build",
            "[{b}]"
        );
    }
}

#[tokio::test]
async fn a_delivery_failing_every_time_ends_dead() {
    let app = TestApp::spawn_configured(&Backend::Sqlite, |c| {
        quick(c);
        c.webhooks.max_attempts = 3;
    })
    .await;
    let receiver = Receiver::start(usize::MAX).await;
    webhook::add(&app.db, &receiver.url, SECRET, &[])
        .await
        .expect("webhook");
    import(&app, &copy_of_bundled("another")).await;
    let deadline = Instant::now() + Duration::from_secs(60);
    let row = loop {
        let row = webhook_delivery::Entity::find()
            .one(&app.db)
            .await
            .expect("read")
            .expect("a delivery");
        if row.status == "dead" || Instant::now() > deadline {
            break row;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(row.status, "dead");
    assert_eq!(row.attempts, 3);
    assert_eq!(row.last_status, Some(503));
    assert_eq!(row.last_error.as_deref(), Some("answered HTTP 503"));
    assert_eq!(receiver.received().len(), 3);
    let ids: Vec<_> = receiver
        .received()
        .iter()
        .map(|r| r.headers["portfolio-event-id"].clone())
        .collect();
    assert!(
        ids.iter().all(|id| *id == ids[0]),
        "one event, three attempts"
    );
    wait_for_metric(&app, "dead", 1.0).await;
    wait_for_metric(&app, "retry", 2.0).await;
}

/// A process that does not deliver (`--webhook-delivery false`) on `app`'s database.
async fn process(app: &TestApp, deliver: bool) -> portfolio::startup::App {
    let mut config = Config::new("127.0.0.1:0".parse().expect("address"), app.url.clone());
    config.no_seed = true;
    config.clock = Clock::Fixed(today());
    config.pool.max_connections = 3;
    quick(&mut config);
    config.webhooks.delivery = deliver;
    portfolio::startup::build(config)
        .await
        .unwrap_or_else(|e| panic!("[{}] another process: {e}", app.backend))
}

#[tokio::test]
async fn processes_share_the_deliveries_and_take_over_expired_leases() {
    for backend in backends() {
        let app = TestApp::spawn_configured(&backend, |c| {
            quick(c);
            c.webhooks.delivery = false;
        })
        .await;
        let b = app.backend;
        let receiver = Receiver::start(0).await;
        webhook::add(&app.db, &receiver.url, SECRET, &[])
            .await
            .expect("webhook");
        for i in 0..6 {
            import(&app, &copy_of_bundled(&format!("copy-{i}"))).await;
        }
        // Two deliveries held by a process that died mid-delivery: one
        // lease has expired, the other has not.
        let rows = webhook_delivery::Entity::find()
            .all(&app.db)
            .await
            .expect("rows");
        assert_eq!(rows.len(), 6, "[{b}]");
        let past = chrono::Utc::now() - chrono::Duration::seconds(1);
        let future = chrono::Utc::now() + chrono::Duration::hours(1);
        for (row, until) in [(&rows[0], past), (&rows[1], future)] {
            webhook_delivery::Entity::update_many()
                .col_expr(webhook_delivery::Column::LeaseUntil, Expr::value(until))
                .col_expr(webhook_delivery::Column::LeaseOwner, Expr::value("gone"))
                .col_expr(webhook_delivery::Column::Attempts, Expr::value(1))
                .filter(webhook_delivery::Column::Id.eq(row.id))
                .exec(&app.db)
                .await
                .expect("lease");
        }
        // Three processes deliver together.
        let workers = [
            process(&app, true).await,
            process(&app, true).await,
            process(&app, true).await,
        ];
        let accepted = receiver.wait_for(5, b).await;
        let deadline = Instant::now() + Duration::from_secs(60);
        while undelivered(&app).await > 1 {
            assert!(Instant::now() < deadline, "[{b}] outcomes recorded");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let mut ids: Vec<&str> = accepted
            .iter()
            .map(|e| e["id"].as_str().expect("id"))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 5, "[{b}] every free delivery once");
        let taken_over = webhook_delivery::Entity::find_by_id(rows[0].id)
            .one(&app.db)
            .await
            .expect("read")
            .expect("row");
        assert_eq!(taken_over.status, "delivered", "[{b}]");
        assert_eq!(
            taken_over.attempts, 2,
            "[{b}] the dead process's attempt counts"
        );
        let held = webhook_delivery::Entity::find_by_id(rows[1].id)
            .one(&app.db)
            .await
            .expect("read")
            .expect("row");
        assert_eq!(held.status, "pending", "[{b}] a live lease is respected");
        assert_eq!(held.attempts, 1, "[{b}]");
        drop(workers);
    }
}

#[tokio::test]
async fn the_webhook_commands_add_list_and_remove() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_portfolio"))
            .arg("--database-url")
            .arg(&app.url)
            .arg("webhook")
            .args(args)
            .env_remove("PORTFOLIO_WEBHOOK_SECRET")
            .output()
            .expect("the portfolio binary runs")
    };
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    let out = run(&[
        "add",
        "https://cdn.example/purge",
        "--secret",
        SECRET,
        "--event",
        "person.deleted",
        "--event",
        "person.updated",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let id = text(&out.stdout).trim().to_owned();
    let out = run(&["list"]);
    let listed = text(&out.stdout);
    assert!(listed.contains("https://cdn.example/purge"), "{listed}");
    assert!(listed.contains("person.updated,person.deleted"), "{listed}");
    assert!(!listed.contains(SECRET), "the secret is never listed");

    for (args, says) in [
        (vec!["add", "ftp://x.example", "--secret", SECRET], "url"),
        (
            vec!["add", "https://x.example", "--secret", "short"],
            "secret",
        ),
        (
            vec![
                "add",
                "https://x.example",
                "--secret",
                SECRET,
                "--event",
                "person.created",
            ],
            "unknown event type",
        ),
        (vec!["remove", "999"], "no webhook with id 999"),
    ] {
        let out = run(&args);
        assert!(!out.status.success(), "{args:?}");
        assert!(
            text(&out.stderr).contains(says),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
    assert_eq!(
        webhook::list(&app.db).await.expect("list").len(),
        1,
        "nothing added by refusals"
    );

    let out = run(&["remove", &id]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(webhook::list(&app.db).await.expect("list").is_empty());
}
