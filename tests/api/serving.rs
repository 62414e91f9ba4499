//! Serving like production: GraphQL over HTTP, hostile requests, caching,
//! persisted queries, metrics, readiness, CORS, compression.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};

use crate::helpers::*;

fn post(body: impl Into<Body>, content_type: Option<&str>, accept: Option<&str>) -> Request<Body> {
    let mut request = Request::post("/graphql");
    if let Some(content_type) = content_type {
        request = request.header(header::CONTENT_TYPE, content_type);
    }
    if let Some(accept) = accept {
        request = request.header(header::ACCEPT, accept);
    }
    request.body(body.into()).expect("request")
}

fn get(query: &str, extra: &str) -> Request<Body> {
    let uri = format!("/graphql?query={}{extra}", urlencode(query));
    Request::get(uri).body(Body::empty()).expect("request")
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn json_body(body: &[u8]) -> Value {
    serde_json::from_slice(body)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(body)))
}

fn first_code(body: &[u8]) -> String {
    json_body(body)["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

const NAME: &str = "{ person(slug: \"dahye-ahn\") { name } }";

async fn unharmed(app: &TestApp, before: &Option<portfolio::document::PortfolioDocument>) {
    let data = app.anonymous().data(NAME, json!({})).await;
    assert_eq!(data["person"]["name"], "안다혜", "the server still answers");
    assert_eq!(
        &app.snapshot("dahye-ahn").await,
        before,
        "the database is unchanged"
    );
}

#[tokio::test]
async fn get_runs_queries_only_and_a_mutation_over_get_is_405() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    let (status, _, body) = app.send(get(NAME, "")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(json_body(&body)["data"]["person"]["name"], "안다혜");
    let mutation = "mutation { deletePerson(input: { id: \"UGVyc29uOjE\" }) { deletedId } }";
    let (status, headers, body) = app.send(get(mutation, "")).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(headers[header::ALLOW], "POST");
    assert_eq!(first_code(&body), "METHOD_NOT_ALLOWED");
    let (status, headers, _) = app
        .send(
            Request::put("/graphql")
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(
        headers[header::ALLOW]
            .to_str()
            .unwrap_or_default()
            .contains("POST")
    );
}

#[tokio::test]
async fn a_mutation_over_get_is_counted_once_among_the_rejections() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    let before = metrics(&app).await;
    let mutation = "mutation { deletePerson(input: { id: \"UGVyc29uOjE\" }) { deletedId } }";
    let (status, _, _) = app.send(get(mutation, "")).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    let after = metrics(&app).await;
    let all = "portfolio_rejections_total{";
    let reason = "portfolio_rejections_total{reason=\"method_not_allowed\"}";
    assert_eq!(metric(&after, all) - metric(&before, all), 1.0, "{after}");
    assert_eq!(
        metric(&after, reason) - metric(&before, reason),
        1.0,
        "{after}"
    );
}

#[tokio::test]
async fn post_accepts_only_json_bodies() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    let body = json!({ "query": NAME }).to_string();
    for content_type in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        Some("multipart/form-data; boundary=x"),
        None,
    ] {
        let (status, _, response) = app.send(post(body.clone(), content_type, None)).await;
        assert_eq!(
            status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{content_type:?}"
        );
        assert_eq!(first_code(&response), "UNSUPPORTED_MEDIA_TYPE");
    }
    let (status, _, _) = app
        .send(post(body, Some("application/json; charset=utf-8"), None))
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn the_response_media_type_and_status_follow_accept() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    let good = json!({ "query": NAME }).to_string();
    let bad = json!({ "query": "{ person(slug: \"dahye-ahn\") { salary } }" }).to_string();
    let cases = [
        (None, "application/json", StatusCode::OK, StatusCode::OK),
        (
            Some("application/json"),
            "application/json",
            StatusCode::OK,
            StatusCode::OK,
        ),
        (
            Some("application/graphql-response+json"),
            "application/graphql-response+json",
            StatusCode::OK,
            StatusCode::BAD_REQUEST,
        ),
        (
            Some("application/graphql-response+json, application/json;q=0.9"),
            "application/graphql-response+json",
            StatusCode::OK,
            StatusCode::BAD_REQUEST,
        ),
        (
            Some("*/*"),
            "application/json",
            StatusCode::OK,
            StatusCode::OK,
        ),
    ];
    for (accept, media, ok_status, error_status) in cases {
        let (status, headers, _) = app
            .send(post(good.clone(), Some("application/json"), accept))
            .await;
        assert_eq!(status, ok_status, "{accept:?}");
        assert!(
            headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap_or_default()
                .starts_with(media),
            "{accept:?}"
        );
        let (status, _, body) = app
            .send(post(bad.clone(), Some("application/json"), accept))
            .await;
        assert_eq!(status, error_status, "{accept:?}: a request error");
        assert_eq!(first_code(&body), "GRAPHQL_VALIDATION_FAILED");
    }
    let (status, _, _) = app
        .send(post(good, Some("application/json"), Some("text/html")))
        .await;
    assert_eq!(status, StatusCode::NOT_ACCEPTABLE);
}

#[tokio::test]
async fn hostile_requests_are_refused_with_a_code_and_change_nothing() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    let before = app.snapshot("dahye-ahn").await;
    let deep = format!(
        "{{ person(slug: \"dahye-ahn\") {{ {} name {} }} }}",
        "roles { nodes { person { ".repeat(10),
        "} } }".repeat(10)
    );
    let aliases = format!(
        "{{ {} }}",
        (0..60)
            .map(|i| format!("a{i}: people {{ totalCount }}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let typenames = format!("{{ {} }}", "__typename ".repeat(1500));
    let fields = format!(
        "{{ person(slug: \"dahye-ahn\") {{ {} }} }}",
        "name ".repeat(1200)
    );
    let directives = format!(
        "{{ person(slug: \"dahye-ahn\") {{ name {} }} }}",
        "@include(if: true) ".repeat(50)
    );
    let cycle = "{ person(slug: \"dahye-ahn\") { ...A } } fragment A on Person { roles { nodes { person { ...B } } } } fragment B on Person { ...A }";
    let huge_first = "{ person(slug: \"dahye-ahn\") { skills(first: 1000000) { totalCount } } }";
    let complex = "{ people(first: 100) { nodes { roles(first: 100) { nodes { achievements(first: 100) { nodes { skills { achievements(first: 100) { nodes { title } } } } } } } } } }";
    let graphql_cases: Vec<(String, &[&str])> = vec![
        (deep, &["GRAPHQL_VALIDATION_FAILED"]),
        (aliases, &["TOO_MANY_ALIASES"]),
        (typenames, &["TOO_MANY_FIELDS"]),
        (fields, &["TOO_MANY_FIELDS"]),
        (directives, &["GRAPHQL_VALIDATION_FAILED"]),
        (cycle.to_owned(), &["GRAPHQL_VALIDATION_FAILED"]),
        (huge_first.to_owned(), &["BAD_USER_INPUT"]),
        (complex.to_owned(), &["GRAPHQL_VALIDATION_FAILED"]),
        ("{ person(slug: ".to_owned(), &["GRAPHQL_VALIDATION_FAILED"]),
    ];
    for (query, codes) in graphql_cases {
        let (status, _, body) = app
            .send(post(
                json!({ "query": query }).to_string(),
                Some("application/json"),
                None,
            ))
            .await;
        assert_eq!(status, StatusCode::OK, "{}", &query[..query.len().min(80)]);
        let code = first_code(&body);
        assert!(
            codes.contains(&code.as_str()),
            "{}: {code} {}",
            &query[..query.len().min(80)],
            String::from_utf8_lossy(&body)
        );
        let data = &json_body(&body)["data"];
        assert!(
            data.is_null() || data["person"].is_null(),
            "nothing was answered: {data}"
        );
    }
    let big = format!(
        "{{\"query\":\"{{ people {{ totalCount }} }}\",\"variables\":{{\"pad\":\"{}\"}}}}",
        "x".repeat(1_100_000)
    );
    let http_cases: Vec<(Vec<u8>, StatusCode, &str)> = vec![
        (
            b"{not json".to_vec(),
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
        ),
        (
            b"{\"query\": 5}".to_vec(),
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
        ),
        (
            b"\"just a string\"".to_vec(),
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
        ),
        (
            b"{\"query\": \"{ people { totalCount } }\", \"variables\": [1]}".to_vec(),
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
        ),
        (
            vec![b'{', b'"', b'q', 0xff, 0xfe, b'"', b':', b'1', b'}'],
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
        ),
        (
            json!([{ "query": NAME }, { "query": NAME }])
                .to_string()
                .into_bytes(),
            StatusCode::BAD_REQUEST,
            "BATCH_NOT_ALLOWED",
        ),
        (
            big.into_bytes(),
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
        ),
    ];
    for (body, expected, code) in http_cases {
        let (status, _, response) = app.send(post(body, Some("application/json"), None)).await;
        assert_eq!(status, expected, "{code}");
        assert_eq!(first_code(&response), code);
    }
    // Variables that do not fit their types, and an oversized variable list.
    let bad_vars = json!({ "query": "query($n: Int) { people(first: $n) { totalCount } }", "variables": { "n": "many" } });
    let (_, _, body) = app
        .send(post(bad_vars.to_string(), Some("application/json"), None))
        .await;
    assert_eq!(first_code(&body), "BAD_USER_INPUT");
    unharmed(&app, &before).await;
}

#[tokio::test]
async fn batches_are_capped_when_enabled() {
    let app = TestApp::spawn_configured(&Backend::Sqlite, |c| c.http.batch_limit = Some(3)).await;
    let two = json!([{ "query": NAME }, { "query": "{ people { totalCount } }" }]).to_string();
    let (status, _, body) = app.send(post(two, Some("application/json"), None)).await;
    assert_eq!(status, StatusCode::OK);
    let responses = json_body(&body);
    assert_eq!(responses[0]["data"]["person"]["name"], "안다혜");
    assert_eq!(responses[1]["data"]["people"]["totalCount"], 1);
    let four: Vec<Value> = (0..4).map(|_| json!({ "query": NAME })).collect();
    let (status, _, body) = app
        .send(post(
            Value::Array(four).to_string(),
            Some("application/json"),
            None,
        ))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(first_code(&body), "BATCH_NOT_ALLOWED");
}

#[tokio::test]
async fn anonymous_gets_are_cacheable_and_revalidate_with_etags() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    let (status, headers, _) = app.send(get(NAME, "")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CACHE_CONTROL], "public, max-age=60");
    let etag = headers[header::ETAG].to_str().expect("etag").to_owned();
    assert!(
        etag.starts_with('"') && etag.len() == 34,
        "a strong ETag: {etag}"
    );
    let revalidate = Request::get(format!("/graphql?query={}", urlencode(NAME)))
        .header(header::IF_NONE_MATCH, &etag)
        .body(Body::empty())
        .expect("request");
    let (status, headers, body) = app.send(revalidate).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert_eq!(headers[header::ETAG], etag.as_str());
    assert!(body.is_empty());
    // Errors and authenticated answers are never shared.
    let (_, headers, _) = app
        .send(get("{ person(slug: \"dahye-ahn\") { salary } }", ""))
        .await;
    assert_eq!(headers[header::CACHE_CONTROL], "private, no-store");
    let token = app.token(Some("dahye-ahn")).await;
    let authed = Request::get(format!("/graphql?query={}", urlencode(NAME)))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .expect("request");
    let (_, headers, _) = app.send(authed).await;
    assert_eq!(headers[header::CACHE_CONTROL], "private, no-store");
}

#[tokio::test]
async fn the_response_cache_serves_repeats_and_forgets_everything_after_a_mutation() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    let query = "{ person(slug: \"dahye-ahn\") { headline } }";
    let first = app.anonymous().data(query, json!({})).await;
    let sql_before = app.stats.statements();
    let second = app.anonymous().data(query, json!({})).await;
    assert_eq!(first, second);
    assert_eq!(app.stats.statements(), sql_before, "a hit runs no SQL");
    let text = metrics(&app).await;
    assert_eq!(
        metric(
            &text,
            "portfolio_response_cache_requests_total{result=\"hit\"}"
        ),
        1.0,
        "{text}"
    );
    let token = app.token(Some("dahye-ahn")).await;
    let id = app.person_id("dahye-ahn").await;
    app.as_token(&token)
        .data(
            "mutation($i: UpdatePersonInput!) { updatePerson(input: $i) { person { headline } } }",
            json!({ "i": { "id": id, "headline": "Changed" } }),
        )
        .await;
    let third = app.anonymous().data(query, json!({})).await;
    assert_eq!(
        third["person"]["headline"], "Changed",
        "the cache was invalidated by the mutation"
    );
}

#[tokio::test]
async fn automatic_persisted_queries_register_then_run_by_hash_over_get() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    let hash = portfolio::digest::sha256_hex(NAME);
    let extensions = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } }).to_string();
    let by_hash = Request::get(format!("/graphql?extensions={}", urlencode(&extensions)))
        .body(Body::empty())
        .expect("request");
    let (_, _, body) = app.send(by_hash).await;
    assert_eq!(first_code(&body), "PERSISTED_QUERY_NOT_FOUND");
    assert_eq!(
        json_body(&body)["errors"][0]["message"],
        "PersistedQueryNotFound"
    );
    let (status, _, body) = app
        .send(get(
            NAME,
            &format!("&extensions={}", urlencode(&extensions)),
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(json_body(&body)["data"]["person"]["name"], "안다혜");
    let by_hash = Request::get(format!("/graphql?extensions={}", urlencode(&extensions)))
        .body(Body::empty())
        .expect("request");
    let (status, headers, body) = app.send(by_hash).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(json_body(&body)["data"]["person"]["name"], "안다혜");
    assert!(headers.contains_key(header::ETAG));
    let wrong =
        json!({ "persistedQuery": { "version": 1, "sha256Hash": "00".repeat(32) } }).to_string();
    let (_, _, body) = app
        .send(get(NAME, &format!("&extensions={}", urlencode(&wrong))))
        .await;
    assert_eq!(
        first_code(&body),
        "BAD_USER_INPUT",
        "a hash that does not match its query"
    );
}

#[tokio::test]
async fn cached_answers_are_told_apart_by_operation_variables_and_document() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    let document = "query Name($slug: String!) { person(slug: $slug) { name } } \
                    query Headline($slug: String!) { person(slug: $slug) { headline } }";
    let hash = portfolio::digest::sha256_hex(document);
    let persisted = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } }).to_string();
    let by_hash = |operation: &str, slug: &str| {
        let variables = json!({ "slug": slug }).to_string();
        Request::get(format!(
            "/graphql?operationName={operation}&variables={}&extensions={}",
            urlencode(&variables),
            urlencode(&persisted)
        ))
        .body(Body::empty())
        .expect("request")
    };
    // Registered with its text, then asked by hash alone, twice each.
    let register = Request::get(format!(
        "/graphql?query={}&operationName=Name&variables={}&extensions={}",
        urlencode(document),
        urlencode(&json!({ "slug": "dahye-ahn" }).to_string()),
        urlencode(&persisted)
    ))
    .body(Body::empty())
    .expect("request");
    let (status, first_headers, first) = app.send(register).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(json_body(&first)["data"]["person"]["name"], "안다혜");
    for _ in 0..2 {
        let (_, headers, body) = app.send(by_hash("Name", "dahye-ahn")).await;
        assert_eq!(json_body(&body)["data"]["person"]["name"], "안다혜");
        assert_eq!(
            headers[header::ETAG],
            first_headers[header::ETAG],
            "a cached answer keeps the ETag of its body"
        );
        let (_, _, body) = app.send(by_hash("Headline", "dahye-ahn")).await;
        assert_eq!(
            json_body(&body)["data"]["person"],
            json!({ "headline": "Software Engineer (Site Reliability Engineer)" }),
            "another operation of the same document"
        );
        let (_, _, body) = app.send(by_hash("Name", "nobody")).await;
        assert_eq!(
            json_body(&body)["data"]["person"],
            Value::Null,
            "other variables"
        );
    }
    // The same text sent whole is the same request as far as answers go.
    let (_, _, body) = app
        .send(get(
            document,
            &format!(
                "&operationName=Headline&variables={}",
                urlencode(&json!({ "slug": "dahye-ahn" }).to_string())
            ),
        ))
        .await;
    assert_eq!(
        json_body(&body)["data"]["person"]["headline"],
        "Software Engineer (Site Reliability Engineer)"
    );
    let text = metrics(&app).await;
    assert_eq!(
        metric(
            &text,
            "portfolio_response_cache_requests_total{result=\"hit\"}"
        ),
        4.0,
        "the registered answer and the whole second round came from the cache: {text}"
    );
}

#[tokio::test]
async fn trusted_documents_mode_runs_only_the_manifest() {
    let dir = std::env::temp_dir().join(format!("portfolio-manifest-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let manifest = dir.join("manifest.json");
    let known = "query Name { person(slug: \"dahye-ahn\") { name } }";
    std::fs::write(
        &manifest,
        json!({ "format": "apollo-persisted-query-manifest", "version": 1,
        "operations": [{ "id": "name-v1", "name": "Name", "type": "query", "body": known }] })
        .to_string(),
    )
    .expect("write");
    let path = manifest.clone();
    let app = TestApp::spawn_configured(&Backend::Sqlite, move |c| {
        c.http.persisted_only = Some(path)
    })
    .await;
    let by_id = json!({ "extensions": { "documentId": "name-v1" } }).to_string();
    let (status, _, body) = app.send(post(by_id, Some("application/json"), None)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(json_body(&body)["data"]["person"]["name"], "안다혜");
    let hash = portfolio::digest::sha256_hex(known);
    let by_hash =
        json!({ "extensions": { "persistedQuery": { "version": 1, "sha256Hash": hash } } })
            .to_string();
    let (_, _, body) = app
        .send(post(by_hash, Some("application/json"), None))
        .await;
    assert_eq!(json_body(&body)["data"]["person"]["name"], "안다혜");
    let same_text = json!({ "query": known }).to_string();
    let (_, _, body) = app
        .send(post(same_text, Some("application/json"), None))
        .await;
    assert_eq!(
        json_body(&body)["data"]["person"]["name"],
        "안다혜",
        "the manifest's own text is trusted"
    );
    let (_, _, body) = app
        .send(post(
            json!({ "query": "{ people { totalCount } }" }).to_string(),
            Some("application/json"),
            None,
        ))
        .await;
    assert_eq!(first_code(&body), "PERSISTED_QUERY_REQUIRED");
    let unknown = json!({ "extensions": { "documentId": "nope" } }).to_string();
    let (_, _, body) = app
        .send(post(unknown, Some("application/json"), None))
        .await;
    assert_eq!(first_code(&body), "PERSISTED_QUERY_NOT_FOUND");
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn the_metrics_endpoint_reports_requests_operations_pool_cache_and_rejections() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    app.anonymous()
        .data(
            "query Portfolio { person(slug: \"dahye-ahn\") { name } }",
            json!({}),
        )
        .await;
    app.send(post("nope", Some("text/plain"), None)).await;
    let text = metrics(&app).await;
    for expected in [
        "portfolio_http_requests_total{route=\"/graphql\",status=\"200\"}",
        "portfolio_http_requests_total{route=\"/graphql\",status=\"415\"}",
        "portfolio_http_request_duration_seconds_bucket{route=\"/graphql\"",
        "portfolio_graphql_operations_total{operation=\"Portfolio\",outcome=\"success\"}",
        "portfolio_response_cache_requests_total{result=\"miss\"}",
        "portfolio_rejections_total{reason=\"unsupported_media_type\"}",
        "portfolio_db_pool_connections{state=\"idle\"}",
        "portfolio_db_pool_connections{state=\"in_use\"}",
        "portfolio_sql_statements_total",
    ] {
        assert!(text.contains(expected), "{expected} in\n{text}");
    }
    assert!(metric(&text, "portfolio_sql_statements_total") > 0.0);
}

#[tokio::test]
async fn readiness_needs_the_database_and_liveness_does_not() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    let (status, _, body) = app
        .send(
            Request::get("/readyz")
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    app.db.clone().close().await.expect("close");
    let (status, headers, body) = app
        .send(
            Request::get("/readyz")
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(headers[header::RETRY_AFTER], "1");
    assert_eq!(json_body(&body)["status"], "unavailable");
    let (status, _, _) = app
        .send(
            Request::get("/healthz")
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn cors_allows_only_the_configured_origins() {
    let closed = TestApp::spawn(&Backend::Sqlite).await;
    let preflight = |origin: &str| {
        Request::options("/graphql")
            .header(header::ORIGIN, origin)
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
            .body(Body::empty())
            .expect("request")
    };
    let (_, headers, _) = closed.send(preflight("https://example.com")).await;
    assert!(
        !headers.contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN),
        "no cross-origin access by default"
    );
    let open = TestApp::spawn_configured(&Backend::Sqlite, |c| {
        c.http.cors_origins = vec!["https://portfolio.example".to_owned()]
    })
    .await;
    let (_, headers, _) = open.send(preflight("https://portfolio.example")).await;
    assert_eq!(
        headers[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "https://portfolio.example"
    );
    let (_, headers, _) = open.send(preflight("https://evil.example")).await;
    assert!(!headers.contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN));
}

#[tokio::test]
async fn responses_are_compressed_when_asked() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    for encoding in ["gzip", "br"] {
        let request = Request::post("/graphql")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::ACCEPT_ENCODING, encoding)
            .body(Body::from(
                json!({ "query": portfolio::http::DEFAULT_QUERY }).to_string(),
            ))
            .expect("request");
        let (status, headers, body) = app.send(request).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers[header::CONTENT_ENCODING], encoding);
        assert!(body.len() < 10_000, "{encoding}: {} bytes", body.len());
    }
}

#[tokio::test]
async fn a_client_over_its_rate_is_refused_with_429() {
    let mut test =
        TestApp::spawn_configured(&Backend::Sqlite, |c| c.http.rate_limit_per_ip = Some(2)).await;
    let (addr, stop, server) = test.serve();
    let client = reqwest::Client::new();
    let mut statuses = Vec::new();
    let mut last = Value::Null;
    for _ in 0..8 {
        let response = client
            .post(format!("http://{addr}/graphql"))
            .json(&json!({ "query": NAME }))
            .send()
            .await
            .expect("request");
        statuses.push(response.status().as_u16());
        if response.status() == reqwest::StatusCode::TOO_MANY_REQUESTS {
            assert!(response.headers().contains_key("retry-after"));
            last = response.json().await.expect("json");
        }
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        4,
        "a burst of twice the rate: {statuses:?}"
    );
    assert!(statuses.contains(&429), "{statuses:?}");
    assert_eq!(last["errors"][0]["extensions"]["code"], "RATE_LIMITED");
    let _ = stop.send(());
    let _ = server.await;
}

#[tokio::test]
async fn introspection_and_suggestions_can_be_turned_off() {
    let app = TestApp::spawn_configured(&Backend::Sqlite, |c| c.http.introspection = false).await;
    let data = app
        .anonymous()
        .data("{ __schema { types { name } } }", json!({}))
        .await;
    assert_eq!(data["__schema"], Value::Null, "the schema is not revealed");
    let error = app
        .anonymous()
        .error("{ person(slug: \"dahye-ahn\") { nam } }", json!({}))
        .await;
    assert!(
        !error["message"]
            .as_str()
            .unwrap_or_default()
            .contains("Did you mean"),
        "{error}"
    );
    let open = TestApp::spawn(&Backend::Sqlite).await;
    let data = open
        .anonymous()
        .data("{ __schema { queryType { name } } }", json!({}))
        .await;
    assert_eq!(data["__schema"]["queryType"]["name"], "Query");
}

#[tokio::test]
async fn each_request_logs_one_line_with_its_id_and_operation_but_no_token_or_variables() {
    // The real binary, so that the log is exactly what an operator sees.
    let db = TestDb::create(&Backend::Sqlite).await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("a free port")
        .local_addr()
        .expect("addr")
        .port();
    let bin = env!("CARGO_BIN_EXE_portfolio");
    let mut server = std::process::Command::new(bin)
        .args([
            "--database-url",
            &db.url,
            "--log-format",
            "json",
            "serve",
            "--addr",
            &format!("127.0.0.1:{port}"),
        ])
        .env("RUST_LOG", "info")
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("the server starts");
    let client = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    let mut up = false;
    for _ in 0..100 {
        if client.get(format!("{base}/healthz")).send().await.is_ok() {
            up = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let token = std::process::Command::new(bin)
        .args([
            "--database-url",
            &db.url,
            "token",
            "create",
            "--person",
            "dahye-ahn",
            "--name",
            "log-test",
        ])
        .output()
        .expect("token create");
    let token = String::from_utf8_lossy(&token.stdout).trim().to_owned();
    let status = if up {
        client
            .post(format!("{base}/graphql"))
            .bearer_auth(&token)
            .header("x-request-id", "req-log-test")
            .json(&json!({ "query": "query WhoIs($slug: String!) { person(slug: $slug) { name } }", "variables": { "slug": "secret-variable-value" } }))
            .send()
            .await
            .map(|r| r.status().as_u16())
            .unwrap_or_default()
    } else {
        0
    };
    // A graceful stop: every line queued for the log is written before exit.
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status();
    let mut stopped = None;
    for _ in 0..100 {
        if let Ok(Some(status)) = server.try_wait() {
            stopped = Some(status);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    if stopped.is_none() {
        let _ = server.kill();
    }
    let output = server.wait_with_output().expect("server output");
    let logs = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(up, "the server did not start: {logs}");
    assert!(
        stopped.is_some_and(|s| s.success()),
        "SIGTERM stops the server cleanly: {stopped:?} {logs}"
    );
    assert_eq!(status, 200, "{logs}");
    let lines: Vec<&str> = logs
        .lines()
        .filter(|l| l.contains("req-log-test"))
        .collect();
    assert_eq!(lines.len(), 1, "one line per request: {logs}");
    let line: Value = serde_json::from_str(lines[0]).expect("a JSON log line");
    assert_eq!(line["span"]["operation"], "WhoIs", "{line}");
    assert_eq!(line["fields"]["status"], 200, "{line}");
    assert!(line["fields"]["latency"].is_string(), "{line}");
    let secret = token.rsplit('_').next().unwrap_or("no token");
    assert!(
        !secret.is_empty() && !logs.contains(secret),
        "the token never reaches the log"
    );
    assert!(
        !logs.contains("secret-variable-value"),
        "variables never reach the log"
    );
}
