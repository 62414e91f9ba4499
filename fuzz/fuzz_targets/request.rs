//! The whole request path, from raw bytes: HTTP body → limits → parse →
//! validate → execute against the bundled portfolio (SQLite), through the
//! same router the server runs.
//!
//! The first byte picks what the rest is: below 0x80 a raw POST body; from
//! 0x80 the text of a GraphQL document, sent as `{"query": ...}` (so that
//! the fuzzer explores the GraphQL grammar without having to learn JSON
//! first). A crash, a hang, a 5xx other than a database outage, or an
//! answer larger than the response budget is a finding.

#![no_main]

use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{Request, header};
use http_body_util::BodyExt;
use libfuzzer_sys::fuzz_target;
use tower::ServiceExt;

struct Harness {
    runtime: tokio::runtime::Runtime,
    router: axum::Router,
    max_response_bytes: usize,
}

fn harness() -> &'static Harness {
    static HARNESS: OnceLock<Harness> = OnceLock::new();
    HARNESS.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        let path = std::env::temp_dir().join(format!("portfolio-fuzz-{}.db", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let url = format!("sqlite://{}?mode=rwc", path.display());
        let mut config = portfolio::config::Config::new(
            "127.0.0.1:0".parse().expect("an address"),
            url,
        );
        // Smaller than the defaults, so that budgets are reached quickly.
        config.http.max_response_bytes = 256 * 1024;
        config.http.request_timeout = std::time::Duration::from_secs(2);
        let max_response_bytes = config.http.max_response_bytes;
        let app = runtime
            .block_on(portfolio::startup::build(config))
            .expect("the app starts");
        Harness {
            router: app.router(),
            runtime,
            max_response_bytes,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let harness = harness();
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let body = if mode < 0x80 {
        rest.to_vec()
    } else {
        serde_json::json!({ "query": String::from_utf8_lossy(rest) })
            .to_string()
            .into_bytes()
    };
    let request = Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body))
        .expect("a request");
    let (status, bytes) = harness.runtime.block_on(async {
        let response = harness
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("the router is infallible");
        let status = response.status();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("a body")
            .to_bytes();
        (status, bytes)
    });
    assert!(
        !status.is_server_error() || status.as_u16() == 503,
        "{status}: {}",
        String::from_utf8_lossy(&bytes)
    );
    // The budget counts the answer's data; errors and punctuation add a
    // little.
    assert!(
        bytes.len() <= harness.max_response_bytes + 64 * 1024,
        "{} bytes answered",
        bytes.len()
    );
});
