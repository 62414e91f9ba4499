//! Several processes on one database: a write through one, or by any other
//! program, reaches every other process's response cache through the
//! database's change feed; while the feed is lost nothing cached is served.

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, header};
use http_body_util::BodyExt;
use portfolio::config::Config;
use portfolio::domain::Clock;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::helpers::*;

const HEADLINE: &str = "{ person(slug: \"dahye-ahn\") { headline } }";

/// Another server process on the same database (already migrated and
/// loaded by the first).
async fn second_process(app: &TestApp) -> axum::Router {
    let mut config = Config::new("127.0.0.1:0".parse().expect("address"), app.url.clone());
    config.no_seed = true;
    config.clock = Clock::Fixed(today());
    config.pool.max_connections = 3;
    let other = portfolio::startup::build(config)
        .await
        .unwrap_or_else(|e| panic!("[{}] a second process: {e}", app.backend));
    other.router()
}

async fn post(router: &axum::Router, query: &str, token: Option<&str>) -> Value {
    let mut request = Request::post("/graphql").header(header::CONTENT_TYPE, "application/json");
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let response = router
        .clone()
        .oneshot(
            request
                .body(Body::from(json!({ "query": query }).to_string()))
                .expect("request"),
        )
        .await
        .expect("infallible");
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    serde_json::from_slice(&body).expect("JSON")
}

async fn metric(router: &axum::Router, name: &str) -> f64 {
    let response = router
        .clone()
        .oneshot(
            Request::get("/metrics")
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .expect("infallible");
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    String::from_utf8_lossy(&body)
        .lines()
        .find(|l| l.starts_with(name))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(f64::NAN)
}

/// The headline `router` answers, asked until it is `wanted` or 5 s passed.
async fn eventually(router: &axum::Router, wanted: &str) -> (String, Duration) {
    let started = Instant::now();
    loop {
        let answer = post(router, HEADLINE, None).await;
        let headline = answer["data"]["person"]["headline"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        if headline == wanted || started.elapsed() > Duration::from_secs(5) {
            return (headline, started.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_write_through_one_process_reaches_the_cache_of_another() {
    for app in TestApp::all().await {
        let b = app.backend;
        let other = second_process(&app).await;
        let before = post(&other, HEADLINE, None).await["data"]["person"]["headline"].clone();
        // Asked twice: the second answer comes from the other process's cache.
        let hits = metric(
            &other,
            "portfolio_response_cache_requests_total{result=\"hit\"}",
        )
        .await;
        post(&other, HEADLINE, None).await;
        let after_hit = metric(
            &other,
            "portfolio_response_cache_requests_total{result=\"hit\"}",
        )
        .await;
        assert!(
            after_hit > hits || hits.is_nan() && after_hit >= 1.0,
            "[{b}] cached"
        );

        let token = app.token(Some("dahye-ahn")).await;
        let id = app
            .anonymous()
            .data("{ person(slug: \"dahye-ahn\") { id } }", json!({}))
            .await["person"]["id"]
            .clone();
        let write = format!(
            "mutation {{ updatePerson(input: {{ id: {id}, headline: \"Written elsewhere\" }}) {{ person {{ headline }} }} }}"
        );
        let written = post(&app.router, &write, Some(&token)).await;
        assert_eq!(
            written["data"]["updatePerson"]["person"]["headline"], "Written elsewhere",
            "[{b}] {written}"
        );
        let (seen, after) = eventually(&other, "Written elsewhere").await;
        assert_eq!(
            seen, "Written elsewhere",
            "[{b}] was {before}, still {seen} after {after:?}"
        );
    }
}

#[tokio::test]
async fn a_write_by_any_other_program_reaches_every_cache() {
    for app in TestApp::all().await {
        let b = app.backend;
        let other = second_process(&app).await;
        post(&app.router, HEADLINE, None).await;
        post(&other, HEADLINE, None).await;
        app.db
            .execute_unprepared(
                "UPDATE person SET headline = 'Changed by hand' WHERE slug = 'dahye-ahn'",
            )
            .await
            .unwrap_or_else(|e| panic!("[{b}] {e}"));
        for router in [&app.router, &other] {
            let (seen, after) = eventually(router, "Changed by hand").await;
            assert_eq!(seen, "Changed by hand", "[{b}] still stale after {after:?}");
        }
        assert!(
            metric(&other, "portfolio_changes_followed_total").await >= 1.0,
            "[{b}] the change came through the feed"
        );
    }
}

#[tokio::test]
async fn while_the_change_feed_is_cut_nothing_cached_is_served_and_it_comes_back() {
    let Some(backend) = backends()
        .into_iter()
        .find(|b| matches!(b, Backend::Postgres(_)))
    else {
        return;
    };
    let app = TestApp::spawn(&backend).await;
    let other = second_process(&app).await;
    post(&other, HEADLINE, None).await;
    assert_eq!(metric(&other, "portfolio_change_feed_up").await, 1.0);
    // Cut every change-feed connection of this test's database.
    let losses = metric(&other, "portfolio_change_feed_losses_total").await;
    let database = app.url.rsplit('/').next().unwrap_or_default().to_owned();
    app.db
        .execute_unprepared(&format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE application_name = 'portfolio-change-feed' AND datname = '{database}'"
        ))
        .await
        .expect("terminate");
    // Noticed (a closed connection is noticed at once; a silent one within
    // three heartbeats).
    let started = Instant::now();
    while metric(&other, "portfolio_change_feed_losses_total").await <= losses
        && started.elapsed() < Duration::from_secs(10)
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(metric(&other, "portfolio_change_feed_losses_total").await > losses);
    // A write while the feed may be down is never hidden behind the cache.
    app.db
        .execute_unprepared(
            "UPDATE person SET headline = 'During the cut' WHERE slug = 'dahye-ahn'",
        )
        .await
        .expect("update");
    let answer = post(&other, HEADLINE, None).await;
    assert_eq!(
        answer["data"]["person"]["headline"], "During the cut",
        "{answer}"
    );
    // The feed comes back by itself.
    let started = Instant::now();
    while metric(&other, "portfolio_change_feed_up").await != 1.0
        && started.elapsed() < Duration::from_secs(10)
    {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(metric(&other, "portfolio_change_feed_up").await, 1.0);
    app.db
        .execute_unprepared("UPDATE person SET headline = 'After the cut' WHERE slug = 'dahye-ahn'")
        .await
        .expect("update");
    let (seen, after) = eventually(&other, "After the cut").await;
    assert_eq!(seen, "After the cut", "still stale after {after:?}");
}
