//! What a client controls in headers and operation names cannot pass for
//! something else: an `Authorization` header that is not visible ASCII is
//! refused, a request id that could forge log fields is replaced, and
//! operation names cannot grow the metrics without bound.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};

use crate::helpers::*;

fn post() -> axum::http::request::Builder {
    Request::post("/graphql").header(header::CONTENT_TYPE, "application/json")
}

async fn metrics_text(app: &TestApp) -> String {
    let (status, _, body) = app
        .send(
            Request::get("/metrics")
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    String::from_utf8(body).expect("UTF-8")
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
        app.data(&format!("query Flood{i} {{ __typename }}"), json!({}))
            .await;
    }
    let text = metrics_text(&app).await;
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
    app.data("query Flood7 { __typename }", json!({})).await;
    assert!(metrics_text(&app).await.contains(
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
    let labels = operation_labels(&metrics_text(&app).await);
    assert_eq!(labels.len(), 150, "{labels:?}");
    assert!(!labels.contains("other"));
    let _ = std::fs::remove_dir_all(dir);
}
