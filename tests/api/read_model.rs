//! The read model and the precise invalidation it shares with the response
//! cache: a warm portfolio is answered without SQL, a cold one in a fixed
//! number of statements, and a write outdates what was read of its person
//! and nothing else (answers name their persons in `Surrogate-Key`).

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;

const HEADLINE: &str =
    "query($slug: String!) { person(slug: $slug) { headline roles { nodes { title } } } }";

async fn cache_hits(app: &TestApp) -> f64 {
    let text = metrics(app).await;
    metric(
        &text,
        "portfolio_response_cache_requests_total{result=\"hit\"}",
    )
}

async fn headline(app: &TestApp, slug: &str) -> Value {
    app.anonymous()
        .data(HEADLINE, json!({ "slug": slug }))
        .await["person"]
        .clone()
}

/// Sets `field` of the first item of dahye-ahn's `list` (of type `ty`)
/// to `value` with `token`: a change inside the portfolio, not of the
/// person's own row.
async fn change_first(app: &TestApp, token: &str, list: &str, ty: &str, field: &str, value: &str) {
    let query = format!("{{ person(slug: \"dahye-ahn\") {{ {list} {{ nodes {{ id }} }} }} }}");
    let id =
        app.anonymous().data(&query, json!({})).await["person"][list]["nodes"][0]["id"].clone();
    let mutation =
        format!("mutation($i: Update{ty}Input!) {{ update{ty}(input: $i) {{ __typename }} }}");
    let changed = app
        .as_token(token)
        .data(&mutation, json!({ "i": { "id": id, field: value } }))
        .await;
    assert!(changed.get(format!("update{ty}")).is_some(), "{changed}");
}

/// Asks for `slug`'s headline until the answer is served from the cache
/// twice in a row, a poll of the change feed apart: the feed also brings
/// back this process's own earlier writes (the import), and each outdates
/// what was cached of its person when it arrives.
async fn settled(app: &TestApp, slug: &str) -> Value {
    for _ in 0..50 {
        headline(app, slug).await;
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let hits = cache_hits(app).await;
        let answer = headline(app, slug).await;
        if cache_hits(app).await == hits + 1.0 {
            return answer;
        }
    }
    panic!(
        "[{}] the answer for {slug} never stayed cached",
        app.backend
    );
}

#[tokio::test]
async fn a_write_to_one_person_leaves_another_persons_cached_answer_a_hit() {
    for app in TestApp::all().await {
        let b = app.backend;
        import(&app, &copy_of_bundled("someone-else")).await;
        let dahye = settled(&app, "dahye-ahn").await;
        let other = settled(&app, "someone-else").await;
        let token = app.token(Some("dahye-ahn")).await;
        let id = app.person_id("dahye-ahn").await;
        app.as_token(&token)
            .data(
                "mutation($i: UpdatePersonInput!) { updatePerson(input: $i) { person { id } } }",
                json!({ "i": { "id": id, "headline": "Changed" } }),
            )
            .await;

        let hits = cache_hits(&app).await;
        let statements = app.stats.statements();
        assert_eq!(headline(&app, "someone-else").await, other, "[{b}]");
        assert_eq!(
            cache_hits(&app).await,
            hits + 1.0,
            "[{b}] the other person's answer is a hit"
        );
        assert_eq!(app.stats.statements(), statements, "[{b}] and runs no SQL");

        let fresh = headline(&app, "dahye-ahn").await;
        assert_eq!(
            fresh["headline"], "Changed",
            "[{b}] the written person is fresh"
        );
        assert_eq!(fresh["roles"], dahye["roles"], "[{b}]");
        assert_eq!(cache_hits(&app).await, hits + 1.0, "[{b}] it was not a hit");

        // A change inside a portfolio (not the person's own row) too.
        change_first(&app, &token, "roles", "Role", "title", "Renamed").await;
        let hits = cache_hits(&app).await;
        assert_eq!(headline(&app, "someone-else").await, other, "[{b}]");
        assert_eq!(cache_hits(&app).await, hits + 1.0, "[{b}] still a hit");
        let fresh = headline(&app, "dahye-ahn").await;
        assert_eq!(fresh["roles"]["nodes"][0]["title"], "Renamed", "[{b}]");
    }
}

#[tokio::test]
async fn a_warm_portfolio_is_read_without_sql_and_a_write_reloads_it() {
    for backend in backends() {
        let app = TestApp::spawn_configured(&backend, |config| {
            config.http.response_cache_bytes = 0;
        })
        .await;
        let b = app.backend;
        let skills = "query($slug: String!) { person(slug: $slug) { skills { nodes { name } } roles { nodes { achievements { nodes { title metrics { display } skills { name } } } } } } }";
        let titles = "query($slug: String!) { person(slug: $slug) { roles { nodes { title } } activities { nodes { title } } education { institution } languages { name } } }";
        let vars = json!({ "slug": "dahye-ahn" });
        let first = app.anonymous().data(skills, vars.clone()).await;
        // Another shape (no cached answer to reuse): the snapshot serves it.
        let before = app.stats.statements();
        app.anonymous().data(titles, vars.clone()).await;
        let warm = app.stats.statements() - before;
        assert_eq!(warm, 0, "[{b}] the snapshot answers, the person's row too");
        let before = app.stats.statements();
        assert_eq!(
            app.anonymous().data(skills, vars.clone()).await,
            first,
            "[{b}]"
        );
        assert_eq!(app.stats.statements() - before, 0, "[{b}]");

        let token = app.token(Some("dahye-ahn")).await;
        change_first(&app, &token, "skills", "Skill", "name", "Renamed skill").await;
        let after = app.anonymous().data(skills, vars).await;
        assert_eq!(
            after["person"]["skills"]["nodes"][0]["name"], "Renamed skill",
            "[{b}]"
        );
    }
}

#[tokio::test]
async fn a_write_of_a_persons_own_row_is_patched_into_their_snapshot() {
    for backend in backends() {
        let app = TestApp::spawn_configured(&backend, |config| {
            config.http.response_cache_bytes = 0;
        })
        .await;
        let b = app.backend;
        let query = "query($slug: String!) { person(slug: $slug) { headline version roles { nodes { title achievements { nodes { title } } } } skills { nodes { name } } } }";
        let vars = json!({ "slug": "dahye-ahn" });
        let first = app.anonymous().data(query, vars.clone()).await;
        let token = app.token(Some("dahye-ahn")).await;
        let id = app.person_id("dahye-ahn").await;
        let update = "mutation($i: UpdatePersonInput!) { updatePerson(input: $i) { person { headline version } } }";
        let written = app
            .as_token(&token)
            .data(update, json!({ "i": { "id": id, "headline": "Patched" } }))
            .await;
        assert_eq!(
            written["updatePerson"]["person"]["headline"], "Patched",
            "[{b}]"
        );

        // The snapshot took the written row: no SQL at all.
        let before = app.stats.statements();
        let after = app.anonymous().data(query, vars.clone()).await;
        assert_eq!(app.stats.statements() - before, 0, "[{b}] no reload");
        assert_eq!(after["person"]["headline"], "Patched", "[{b}]");
        assert_eq!(
            after["person"]["version"], written["updatePerson"]["person"]["version"],
            "[{b}]"
        );
        assert_eq!(after["person"]["roles"], first["person"]["roles"], "[{b}]");
        assert_eq!(
            after["person"]["skills"], first["person"]["skills"],
            "[{b}]"
        );

        // A change inside the portfolio reloads it, fresh.
        let role = after["person"]["roles"]["nodes"][0]["title"].clone();
        assert_ne!(role, "Renamed", "[{b}]");
        change_first(&app, &token, "roles", "Role", "title", "Renamed").await;
        let before = app.stats.statements();
        let reloaded = app.anonymous().data(query, vars).await;
        assert!(
            app.stats.statements() - before > 1,
            "[{b}] the portfolio is loaded again"
        );
        assert_eq!(
            reloaded["person"]["roles"]["nodes"][0]["title"], "Renamed",
            "[{b}]"
        );
        assert_eq!(reloaded["person"]["headline"], "Patched", "[{b}]");
    }
}

#[tokio::test]
async fn drafts_in_a_shared_snapshot_are_shown_to_their_owner_only() {
    for app in TestApp::all().await {
        let b = app.backend;
        let token = app.token(Some("dahye-ahn")).await;
        let id = app.person_id("dahye-ahn").await;
        let created = app
            .as_token(&token)
            .data(
                "mutation($i: CreateSkillInput!) { createSkill(input: $i) { skill { id } } }",
                json!({ "i": { "personId": id, "name": "Secret skill", "category": "OTHER", "published": false } }),
            )
            .await;
        assert!(created["createSkill"]["skill"]["id"].is_string(), "[{b}]");
        let query = "{ person(slug: \"dahye-ahn\") { skills { nodes { name } } } }";
        for _ in 0..2 {
            let anonymous = app.anonymous().data(query, json!({})).await;
            let owner = app.as_token(&token).data(query, json!({})).await;
            let names = |v: &Value| {
                let skills = v["person"]["skills"]["nodes"].as_array().expect("skills");
                strings(skills, "name")
            };
            assert!(
                !names(&anonymous).contains(&"Secret skill".to_owned()),
                "[{b}]"
            );
            assert!(names(&owner).contains(&"Secret skill".to_owned()), "[{b}]");
        }
    }
}

#[tokio::test]
async fn cacheable_answers_name_their_persons_in_surrogate_keys() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    let post = |query: &str| {
        Request::post("/graphql")
            .header("content-type", "application/json")
            .body(Body::from(json!({ "query": query }).to_string()))
            .expect("request")
    };
    for round in 0..2 {
        let (status, headers, _) = app
            .send(post("{ person(slug: \"dahye-ahn\") { name } }"))
            .await;
        assert_eq!(status, StatusCode::OK);
        let keys = headers["surrogate-key"].to_str().expect("ascii");
        assert!(
            keys.starts_with("person-") && !keys.contains(' '),
            "round {round}: {keys}"
        );
        assert_eq!(headers["cache-tag"], keys, "round {round}");

        let (_, headers, _) = app.send(post("{ people { nodes { name } } }")).await;
        let keys = headers["surrogate-key"].to_str().expect("ascii");
        assert!(
            keys.split(' ').any(|k| k == "people"),
            "round {round}: {keys}"
        );
        assert!(keys.contains("person-"), "round {round}: {keys}");
    }
    let token = app.token(Some("dahye-ahn")).await;
    let mut request = post("{ person(slug: \"dahye-ahn\") { name } }");
    request.headers_mut().insert(
        "authorization",
        format!("Bearer {token}").parse().expect("header"),
    );
    let (status, headers, _) = app.send(request).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers.get("surrogate-key").is_none(),
        "a private answer names nothing for shared caches"
    );
}

/// A crowd of anonymous requests missing the same answer at once computes
/// it once: the first is a miss, every other waits for it and is answered
/// from the cache.
#[tokio::test]
async fn a_crowd_missing_one_answer_computes_it_once() {
    for app in TestApp::all().await {
        let b = app.backend;
        settled(&app, "dahye-ahn").await;
        let text = metrics(&app).await;
        let count = |text: &str, result: &str| {
            metric(
                text,
                &format!("portfolio_response_cache_requests_total{{result=\"{result}\"}}"),
            )
        };
        let before = ["miss", "hit", "coalesced"].map(|r| count(&text, r));
        // A query text asked for the first time: nothing cached answers it.
        let query = "query($slug: String!) { crowd: person(slug: $slug) { headline } }";
        let client = app.anonymous();
        let answers = futures::future::join_all(
            (0..16).map(|_| client.data(query, json!({ "slug": "dahye-ahn" }))),
        )
        .await;
        assert!(answers.iter().all(|a| *a == answers[0]), "[{b}]");
        let text = metrics(&app).await;
        let after = ["miss", "hit", "coalesced"].map(|r| count(&text, r));
        assert_eq!(after[0] - before[0], 1.0, "[{b}] one miss computes it");
        assert_eq!(
            (after[1] - before[1]) + (after[2] - before[2]),
            15.0,
            "[{b}] the others are answered from the cache"
        );
    }
}

/// A crowd of requests needing the same cold portfolio at once (the
/// response cache off, so each runs) loads it once.
#[tokio::test]
async fn a_crowd_missing_one_portfolio_loads_it_once() {
    for backend in backends() {
        let app = TestApp::spawn_configured(&backend, |config| {
            config.http.response_cache_bytes = 0;
        })
        .await;
        let b = app.backend;
        // Through a page of people, which always runs its one statement:
        // a person found by slug in a kept snapshot would need none, and
        // the crowd's count would then depend on who arrived when.
        let query = "{ people(first: 1) { nodes { headline skills { nodes { name } } } } }";
        let vars = json!({});
        // A cold request: the page and the portfolio's load.
        let before = app.stats.statements();
        app.anonymous().data(query, vars.clone()).await;
        let cold = app.stats.statements() - before;
        let before = app.stats.statements();
        app.anonymous().data(query, vars.clone()).await;
        let warm = app.stats.statements() - before;
        assert!(warm < cold, "[{b}] the second request reads the snapshot");

        // A write inside the portfolio drops the snapshot; its echo from
        // the change feed (which drops it again) has arrived after a few
        // polls.
        let token = app.token(Some("dahye-ahn")).await;
        change_first(&app, &token, "skills", "Skill", "name", "Crowded").await;
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;

        let client = app.anonymous();
        let before = app.stats.statements();
        let answers =
            futures::future::join_all((0..16).map(|_| client.data(query, vars.clone()))).await;
        let crowd = app.stats.statements() - before;
        assert!(
            answers
                .iter()
                .all(|a| a["people"]["nodes"][0]["skills"]["nodes"][0]["name"] == "Crowded"),
            "[{b}] every answer is fresh"
        );
        assert_eq!(
            crowd,
            cold + 15 * warm,
            "[{b}] one load for the crowd (cold {cold}, warm {warm})"
        );
    }
}
