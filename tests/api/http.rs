//! The HTTP surface: health, playground, request ids, error codes, and the
//! server on a real socket with graceful shutdown.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};

use crate::helpers::*;

#[tokio::test]
async fn healthz_answers_ok_without_the_database() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    // Close the pool: liveness must not depend on the database.
    app.db.clone().close().await.expect("close");
    let (status, _, body) = app
        .send(
            Request::get("/healthz")
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, b"ok");
}

#[tokio::test]
async fn the_playground_opens_on_a_query_of_the_bundled_person() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    let (status, headers, body) = app
        .send(Request::get("/").body(Body::empty()).expect("request"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap_or_default()
            .starts_with("text/html")
    );
    let csp = headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        csp.contains("connect-src 'self'") && csp.contains("default-src 'none'"),
        "{csp}"
    );
    let page = String::from_utf8(body).expect("utf-8");
    // Every script the page loads is allowed by its policy.
    let init = app
        .send(
            Request::get("/playground/init.js")
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(init.0, StatusCode::OK);
    assert!(String::from_utf8_lossy(&init.2).contains("GraphiQL.createFetcher"));
    let unknown = app
        .send(
            Request::get("/playground/secrets.txt")
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(
        unknown.0,
        StatusCode::NOT_FOUND,
        "only allow-listed files are served"
    );
    assert!(page.contains("GraphiQL"), "{page}");
    assert!(
        page.contains(r#"person(slug: \"dahye-ahn\")"#),
        "the default query is embedded: {page}"
    );
    assert!(
        !page.contains("<script>"),
        "no inline script, so the policy needs no 'unsafe-inline' for scripts"
    );
    // The default query itself runs and shows the person and her roles.
    let data = app
        .anonymous()
        .data(portfolio::http::DEFAULT_QUERY, json!({}))
        .await;
    assert_eq!(data["person"]["name"], "안다혜");
    assert_eq!(
        data["person"]["roles"]["nodes"].as_array().map(Vec::len),
        Some(2)
    );
}

#[tokio::test]
async fn without_its_files_the_playground_page_says_how_to_install_them() {
    let empty = std::env::temp_dir().join(format!(
        "portfolio-no-playground-assets-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&empty).expect("a directory");
    let app = TestApp::spawn_configured(&Backend::Sqlite, |c| {
        c.playground_assets = empty.clone();
    })
    .await;
    let _ = std::fs::remove_dir(&empty);
    let (status, headers, body) = app
        .send(Request::get("/").body(Body::empty()).expect("request"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let page = String::from_utf8(body).expect("utf-8");
    assert!(page.contains("https://unpkg.com/graphiql@"), "{page}");
    assert!(
        page.contains("npm ci --prefix playground") && page.contains("id=\"playground-failed\""),
        "the page holds the explanation and the fix: {page}"
    );
    // Shown by a script of this origin, which the policy allows.
    assert!(
        page.contains(r#"<script src="/playground/status.js">"#),
        "{page}"
    );
    let csp = headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap_or_default();
    assert!(
        csp.contains("script-src 'self' https://unpkg.com;"),
        "{csp}"
    );
    let (status, _, script) = app
        .send(
            Request::get("/playground/status.js")
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(String::from_utf8_lossy(&script).contains("playground-failed"));
}

#[tokio::test]
async fn queries_also_run_over_get() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    let uri = format!(
        "/graphql?query={}",
        "%7B%20person(slug%3A%20%22dahye-ahn%22)%20%7B%20name%20%7D%20%7D"
    );
    let (status, _, body) = app
        .send(Request::get(uri).body(Body::empty()).expect("request"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let value: Value = serde_json::from_slice(&body).expect("json");
    assert_eq!(value["data"]["person"]["name"], "안다혜");
}

#[tokio::test]
async fn a_request_id_is_echoed_or_generated() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    let request = Request::get("/healthz")
        .header("x-request-id", "abc-123")
        .body(Body::empty())
        .expect("request");
    let (_, headers, _) = app.send(request).await;
    assert_eq!(headers["x-request-id"], "abc-123");
    let (_, headers, _) = app
        .send(
            Request::get("/healthz")
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(headers["x-request-id"].len(), 36, "a generated UUID");
}

#[tokio::test]
async fn invalid_queries_get_a_code_and_no_internal_detail() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    let error = app
        .anonymous()
        .error("{ person(slug: \"dahye-ahn\") { salary } }", json!({}))
        .await;
    assert_eq!(
        error["extensions"]["code"], "GRAPHQL_VALIDATION_FAILED",
        "{error}"
    );
    let error = app.anonymous().error("{ person(slug: ", json!({})).await;
    assert_eq!(
        error["extensions"]["code"], "GRAPHQL_VALIDATION_FAILED",
        "{error}"
    );
}

#[tokio::test]
async fn a_database_failure_is_a_503_with_a_code_and_no_database_message() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    app.db.clone().close().await.expect("close");
    let request = Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            json!({ "query": "{ person(slug: \"dahye-ahn\") { name } }" }).to_string(),
        ))
        .expect("request");
    let (status, headers, body) = app.send(request).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(headers[header::RETRY_AFTER], "1");
    assert_eq!(headers[header::CACHE_CONTROL], "private, no-store");
    let response: Value = serde_json::from_slice(&body).expect("json");
    let error = &response["errors"][0];
    assert_eq!(
        error["extensions"]["code"], "SERVICE_UNAVAILABLE",
        "{response}"
    );
    let message = error["message"].as_str().unwrap_or_default();
    assert!(
        !message.to_lowercase().contains("sqlite") && !message.contains("pool"),
        "{message}"
    );
}

#[tokio::test]
async fn bodies_over_one_mebibyte_are_refused() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    let huge = format!(
        "{{\"query\":\"{{ people {{ totalCount }} }}\",\"variables\":{{\"pad\":\"{}\"}}}}",
        "x".repeat(1024 * 1024)
    );
    let request = Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CONTENT_LENGTH, huge.len())
        .body(Body::from(huge))
        .expect("request");
    let (status, _, _) = app.send(request).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    // And the server still answers.
    let data = app
        .anonymous()
        .data("{ people { totalCount } }", json!({}))
        .await;
    assert_eq!(data["people"]["totalCount"], 1);
}

#[tokio::test]
async fn the_server_answers_on_a_real_socket_and_stops_cleanly_on_signal() {
    let mut test = TestApp::spawn(&Backend::Sqlite).await;
    let (addr, stop, server) = test.serve();
    let client = reqwest::Client::new();
    let response = client
        .post(format!("http://{addr}/graphql"))
        .json(&json!({ "query": "{ person(slug: \"dahye-ahn\") { name } }" }))
        .send()
        .await
        .expect("request over TCP");
    assert_eq!(response.status(), reqwest::StatusCode::OK);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["data"]["person"]["name"], "안다혜");
    let _ = stop.send(());
    let result = tokio::time::timeout(std::time::Duration::from_secs(10), server)
        .await
        .expect("the server stops after the signal")
        .expect("the server task does not panic");
    assert!(result.is_ok(), "{result:?}");
    assert!(
        client
            .get(format!("http://{addr}/healthz"))
            .send()
            .await
            .is_err(),
        "no longer accepting"
    );
}

#[tokio::test]
async fn response_fields_come_in_the_order_the_query_asked_for_them() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    let query = r#"query { person(slug: "dahye-ahn") {
        languages { name } ...Head education { institution } alias: slug
        roles { nodes { end organization ... on Role { start title } } } name } }
      fragment Head on Person { headline experience { months years } }"#;
    for _ in 0..5 {
        let request = Request::post("/graphql")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(json!({ "query": query }).to_string()))
            .expect("request");
        let (_, _, body) = app.send(request).await;
        let text = String::from_utf8(body).expect("utf-8");
        let keys = [
            "\"languages\"",
            "\"headline\"",
            "\"experience\"",
            "\"education\"",
            "\"alias\"",
            "\"roles\"",
            "\"name\":\"안다혜\"",
        ];
        let positions: Vec<usize> = keys
            .iter()
            .map(|k| text.find(k).unwrap_or_else(|| panic!("{k} in {text}")))
            .collect();
        assert!(
            positions.windows(2).all(|w| w[0] < w[1]),
            "person fields out of order: {text}"
        );
        let role = &text[text.find("\"nodes\"").expect("nodes")..];
        let inner = ["\"end\"", "\"organization\"", "\"start\"", "\"title\""];
        let positions: Vec<usize> = inner
            .iter()
            .map(|k| role.find(k).expect("role field"))
            .collect();
        assert!(
            positions.windows(2).all(|w| w[0] < w[1]),
            "role fields out of order: {role}"
        );
        assert!(text.find("\"months\"") < text.find("\"years\""), "{text}");
    }
}
