//! What a client controls in headers and operation names cannot pass for
//! something else: an `Authorization` header that is not visible ASCII is
//! refused, a request id that could forge log fields is replaced, and
//! operation names cannot grow the metrics without bound.

use axum::body::Body;
use axum::http::{HeaderValue, Request, StatusCode, header};
use serde_json::{Value, json};

use crate::helpers::*;

fn post() -> axum::http::request::Builder {
    Request::post("/graphql").header(header::CONTENT_TYPE, "application/json")
}

#[tokio::test]
async fn an_authorization_header_that_is_not_visible_ascii_is_unauthorized() {
    for app in TestApp::all().await {
        let b = app.backend;
        let before = app.snapshot("dahye-ahn").await;
        let id = app.person_id("dahye-ahn").await;
        let body = json!({ "query": "mutation($i: UpdatePersonInput!) { updatePerson(input: $i) { person { id } } }",
            "variables": { "i": { "id": id, "headline": "x" } } });
        for bad in [&b"Bearer \xff\xfe"[..], "Bearer 토큰".as_bytes(), b"\x80"] {
            for query in [
                json!({ "query": "{ people { totalCount } }" }),
                body.clone(),
            ] {
                let request = post()
                    .header(
                        header::AUTHORIZATION,
                        HeaderValue::from_bytes(bad).expect("header"),
                    )
                    .body(Body::from(query.to_string()))
                    .expect("request");
                let (status, _, body) = app.send(request).await;
                let response: Value = serde_json::from_slice(&body).expect("JSON");
                assert_eq!(
                    status,
                    StatusCode::UNAUTHORIZED,
                    "[{b}] {bad:?}: {response}"
                );
                assert_eq!(
                    response["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
                    "[{b}]"
                );
                assert!(response.get("data").is_none_or(Value::is_null), "[{b}]");
            }
        }
        assert_eq!(app.snapshot("dahye-ahn").await, before, "[{b}] unchanged");
    }
}

fn is_uuid(value: &str) -> bool {
    value.len() == 36
        && value.chars().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

#[tokio::test]
async fn a_request_id_that_could_forge_log_fields_is_replaced_by_a_fresh_one() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    let send = async |ids: &[&[u8]]| {
        let mut request = Request::get("/healthz");
        for id in ids {
            request = request.header("x-request-id", HeaderValue::from_bytes(id).expect("header"));
        }
        let (status, headers, _) = app
            .send(request.body(Body::empty()).expect("request"))
            .await;
        assert_eq!(status, StatusCode::OK);
        let all: Vec<String> = headers
            .get_all("x-request-id")
            .iter()
            .map(|v| v.to_str().expect("ASCII").to_owned())
            .collect();
        assert_eq!(all.len(), 1, "one id in the response: {all:?}");
        all[0].clone()
    };
    for good in ["req-42", "2f1c:9a.b_c-1", &"x".repeat(64)] {
        assert_eq!(send(&[good.as_bytes()]).await, good, "kept");
    }
    let long = "x".repeat(65);
    for bad in [
        &b"abc\" method=DELETE path=/admin"[..],
        b"a b",
        b"a=b",
        long.as_bytes(),
        "요청".as_bytes(),
        b"\xff",
        b"",
    ] {
        let id = send(&[bad]).await;
        assert!(is_uuid(&id), "{bad:?} became {id}");
    }
    let twice = send(&[b"one", b"two"]).await;
    assert!(is_uuid(&twice), "sent twice: {twice}");
    assert!(is_uuid(&send(&[]).await), "none sent");
}

/// The distinct `operation` labels of the operations counter.
fn operation_labels(text: &str) -> std::collections::BTreeSet<String> {
    text.lines()
        .filter(|l| l.starts_with("portfolio_graphql_operations_total{"))
        .filter_map(|l| l.split("operation=\"").nth(1)?.split('"').next())
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn operation_names_beyond_the_first_hundred_share_one_metrics_label() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    for i in 0..300 {
        app.anonymous()
            .data(&format!("query Flood{i} {{ __typename }}"), json!({}))
            .await;
    }
    let text = metrics(&app).await;
    let labels = operation_labels(&text);
    assert_eq!(labels.len(), 101, "{labels:?}");
    assert!(labels.contains("Flood0") && labels.contains("Flood99"));
    assert!(!labels.contains("Flood100"));
    assert!(labels.contains("other"));
    assert!(
        text.contains(
            "portfolio_graphql_operations_total{operation=\"other\",outcome=\"success\"} 200"
        ),
        "the rest are counted, as `other`"
    );
    // A known name keeps its label.
    app.anonymous()
        .data("query Flood7 { __typename }", json!({}))
        .await;
    assert!(metrics(&app).await.contains(
        "portfolio_graphql_operations_total{operation=\"Flood7\",outcome=\"success\"} 2"
    ));
}

#[tokio::test]
async fn every_operation_of_a_trusted_manifest_keeps_its_own_label() {
    let dir = std::env::temp_dir().join(format!("portfolio-label-manifest-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let manifest = dir.join("manifest.json");
    let operations: Vec<Value> = (0..150)
        .map(|i| json!({ "id": format!("op-{i}"), "body": format!("query Known{i} {{ __typename }}") }))
        .collect();
    std::fs::write(&manifest, json!({ "operations": operations }).to_string()).expect("write");
    let path = manifest.clone();
    let app = TestApp::spawn_configured(&Backend::Sqlite, move |c| {
        c.http.persisted_only = Some(path)
    })
    .await;
    for i in (0..150).rev() {
        let body = json!({ "extensions": { "documentId": format!("op-{i}") } });
        let request = post().body(Body::from(body.to_string())).expect("request");
        let (status, _, _) = app.send(request).await;
        assert_eq!(status, StatusCode::OK);
    }
    let labels = operation_labels(&metrics(&app).await);
    assert_eq!(labels.len(), 150, "{labels:?}");
    assert!(!labels.contains("other"));
    let _ = std::fs::remove_dir_all(dir);
}
