//! Requests a stranger would send: each is refused or bounded with a coded
//! answer, costs nothing it should not, and leaves the server serving.
//! A request that overflowed a stack would abort this whole test binary.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};

use crate::helpers::*;

const NAME: &str = "{ person(slug: \"dahye-ahn\") { name } }";

fn post(body: Value) -> Request<Body> {
    Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .expect("request")
}

fn body_json(body: &[u8]) -> Value {
    serde_json::from_slice(body)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(body)))
}

fn codes(response: &Value) -> Vec<String> {
    response["errors"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|e| {
            e["extensions"]["code"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

/// Sends `query`; returns the answer, which must be a coded refusal.
async fn refused(app: &TestApp, query: &str, code: &str) -> Value {
    refused_with(app, query, json!({}), code).await
}

async fn refused_with(app: &TestApp, query: &str, variables: Value, code: &str) -> Value {
    let (status, _, body) = app
        .send(post(json!({ "query": query, "variables": variables })))
        .await;
    let response = body_json(&body);
    assert_eq!(status, StatusCode::OK, "[{}] {response}", app.backend);
    assert_eq!(
        codes(&response).first().map(String::as_str),
        Some(code),
        "[{}] {}: {response}",
        app.backend,
        &query[..query.len().min(60)]
    );
    assert!(response["data"].is_null(), "nothing was answered");
    response
}

async fn metric(app: &TestApp, line_start: &str) -> f64 {
    let (_, _, body) = app
        .send(
            Request::get("/metrics")
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    String::from_utf8_lossy(&body)
        .lines()
        .find(|l| l.starts_with(line_start))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0)
}

#[tokio::test]
async fn values_nested_past_the_limit_are_refused_before_parsing_and_the_server_lives() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    let deep = |open: &str, close: &str, n: usize| {
        format!(
            "{{ person(slug: {}\"x\"{}) {{ name }} }}",
            open.repeat(n),
            close.repeat(n)
        )
    };
    let cases = [
        deep("[", "]", 1_500),
        deep("[", "]", 100_000),
        deep("{a: ", "}", 1_500),
        format!(
            "query($x: {}String{}) {{ __typename }}",
            "[".repeat(1_500),
            "]".repeat(1_500)
        ),
        format!(
            "{{ {}name{} }}",
            "person(slug: \"x\") { ".repeat(1_000),
            " }".repeat(1_000)
        ),
        format!(
            "{{ person(slug: \"x\") {{ {}name{} }} }}",
            "... on Person { ".repeat(1_000),
            " }".repeat(1_000)
        ),
    ];
    for query in &cases {
        refused(&app, query, "NESTED_TOO_DEEP").await;
    }
    assert_eq!(
        app.anonymous().data(NAME, json!({})).await["person"]["name"],
        "안다혜"
    );
}

#[tokio::test]
async fn documents_of_too_many_tokens_are_refused_before_parsing() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    let operations: String = (0..20_000)
        .map(|i| format!("query Q{i} {{ __typename }}\n"))
        .collect();
    refused(&app, &operations, "TOO_MANY_TOKENS").await;
    let arguments = format!(
        "{{ person({}) {{ name }} }}",
        (0..20_000).map(|i| format!("a{i}: 1 ")).collect::<String>()
    );
    refused(&app, &arguments, "TOO_MANY_TOKENS").await;
}

#[tokio::test]
async fn nested_plain_lists_are_priced_and_a_multiplying_query_is_refused() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    let bomb = "{person(slug:\"dahye-ahn\"){roles{nodes{skills{roles{skills{roles{skills{roles{skills{roles{name}}}}}}}}}}}}";
    let response = refused(&app, bomb, "GRAPHQL_VALIDATION_FAILED").await;
    assert!(
        response["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("complex")),
        "{response}"
    );
    // One level of the same lists is an ordinary query.
    let data = app
        .anonymous()
        .data(
            "{person(slug:\"dahye-ahn\"){roles{nodes{skills{roles{title}}}}}}",
            json!({}),
        )
        .await;
    assert!(!nodes(&data["person"]["roles"]).is_empty());
}

#[tokio::test]
async fn an_answer_past_the_byte_budget_becomes_one_coded_error() {
    let app = TestApp::spawn_configured(&Backend::Sqlite, |config| {
        config.http.max_response_bytes = 4 * 1024;
    })
    .await;
    let response = refused_with(
        &app,
        FULL_QUERY,
        json!({ "slug": "dahye-ahn" }),
        "RESPONSE_TOO_LARGE",
    )
    .await;
    assert_eq!(response["errors"].as_array().map(Vec::len), Some(1));
    // A small answer still fits.
    assert_eq!(
        app.anonymous().data(NAME, json!({})).await["person"]["name"],
        "안다혜"
    );
}

#[tokio::test]
async fn thousands_of_errors_are_answered_as_fifty() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    let unknown: String = (0..900).map(|i| format!("f{i} ")).collect();
    let (_, _, body) = app
        .send(post(json!({ "query": format!("{{ {unknown} }}") })))
        .await;
    let response = body_json(&body);
    let codes = codes(&response);
    assert_eq!(codes.len(), 50, "{response}");
    assert_eq!(codes.last().map(String::as_str), Some("TOO_MANY_ERRORS"));
}

#[tokio::test]
async fn documents_refused_by_a_limit_are_neither_kept_parsed_nor_registered() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    for i in 0..300 {
        let aliases: String = (0..60).map(|a| format!("a{a}: __typename ")).collect();
        let query = format!("query Q{i} {{ {aliases} }}");
        let hash = portfolio::digest::sha256_hex(&query);
        let (_, _, body) = app
            .send(post(json!({
                "query": query,
                "extensions": { "persistedQuery": { "version": 1, "sha256Hash": hash } }
            })))
            .await;
        assert_eq!(codes(&body_json(&body)), ["TOO_MANY_ALIASES"]);
    }
    assert_eq!(
        metric(&app, "portfolio_cache_bytes{cache=\"documents\"}").await,
        0.0
    );
    assert_eq!(
        metric(&app, "portfolio_cache_bytes{cache=\"persisted\"}").await,
        0.0
    );

    // A document that validates is kept, and its hash registered.
    let hash = portfolio::digest::sha256_hex(NAME);
    let extensions = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } });
    let (_, _, body) = app
        .send(post(json!({ "query": NAME, "extensions": extensions })))
        .await;
    assert_eq!(body_json(&body)["data"]["person"]["name"], "안다혜");
    assert!(metric(&app, "portfolio_cache_bytes{cache=\"documents\"}").await > 0.0);
    assert!(metric(&app, "portfolio_cache_bytes{cache=\"persisted\"}").await > 0.0);
    let (_, _, body) = app.send(post(json!({ "extensions": extensions }))).await;
    assert_eq!(body_json(&body)["data"]["person"]["name"], "안다혜");

    // One that parses but does not validate is not registered either.
    let invalid = "{ person(slug: \"dahye-ahn\") { noSuchField } }";
    let hash = portfolio::digest::sha256_hex(invalid);
    let extensions = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } });
    app.send(post(json!({ "query": invalid, "extensions": extensions })))
        .await;
    let (_, _, body) = app.send(post(json!({ "extensions": extensions }))).await;
    assert_eq!(codes(&body_json(&body)), ["PERSISTED_QUERY_NOT_FOUND"]);
}

#[tokio::test]
async fn a_mutation_that_partly_failed_still_hides_what_it_unpublished() {
    for app in TestApp::all().await {
        let b = app.backend;
        let token = app.token(Some("dahye-ahn")).await;
        let titles = "{ person(slug: \"dahye-ahn\") { roles { nodes { id title } } } }";
        let before = app.anonymous().data(titles, json!({})).await;
        let roles = nodes(&before["person"]["roles"]);
        assert_eq!(roles.len(), 2, "[{b}]");
        // Cached now.
        app.anonymous().data(titles, json!({})).await;
        let hide = format!(
            "mutation {{ hide: updateRole(input: {{ id: {}, published: false }}) {{ role {{ id }} }} \
             fail: updateRole(input: {{ id: \"Um9sZTo5OTk5OTk\", title: \"x\" }}) {{ role {{ id }} }} }}",
            roles[0]["id"]
        );
        let (status, written) = app.as_token(&token).graphql(&hide, json!({})).await;
        assert_eq!(status, StatusCode::OK, "[{b}] {written}");
        assert!(
            !written["data"]["hide"].is_null(),
            "[{b}] the first field committed: {written}"
        );
        assert!(
            !codes(&written).is_empty(),
            "[{b}] the second field failed: {written}"
        );
        let after = app.anonymous().data(titles, json!({})).await;
        let left = nodes(&after["person"]["roles"]);
        assert_eq!(
            left.len(),
            1,
            "[{b}] the hidden role is gone for anonymous readers: {after}"
        );
        assert_ne!(left[0]["id"], roles[0]["id"], "[{b}]");
    }
}

#[tokio::test]
async fn compressed_and_identity_answers_have_different_etags_and_both_revalidate() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    let uri =
        "/graphql?query=%7B%20person(slug%3A%20%22dahye-ahn%22)%20%7B%20name%20summary%20%7D%20%7D";
    let get = |encoding: Option<&str>, tag: Option<&str>| {
        let mut request = Request::get(uri);
        if let Some(encoding) = encoding {
            request = request.header(header::ACCEPT_ENCODING, encoding);
        }
        if let Some(tag) = tag {
            request = request.header(header::IF_NONE_MATCH, tag);
        }
        request.body(Body::empty()).expect("request")
    };
    let (_, plain, _) = app.send(get(None, None)).await;
    let (_, gzip, _) = app.send(get(Some("gzip"), None)).await;
    assert_eq!(gzip[header::CONTENT_ENCODING], "gzip");
    let plain_tag = plain[header::ETAG].to_str().expect("ascii").to_owned();
    let gzip_tag = gzip[header::ETAG].to_str().expect("ascii").to_owned();
    assert_ne!(plain_tag, gzip_tag);
    for (encoding, tag) in [(None, &plain_tag), (Some("gzip"), &gzip_tag)] {
        let (status, _, _) = app.send(get(encoding, Some(tag))).await;
        assert_eq!(status, StatusCode::NOT_MODIFIED, "{tag}");
    }
}
