//! Every input of the fuzz target's seed corpus (`fuzz/seeds/request/`:
//! the hostile requests found so far, and every crash the fuzzer ever
//! finds, kept there) replayed through the router, with the fuzz target's
//! own checks: no 5xx but a database outage, no answer past the budget,
//! and the server still answering afterwards.

use axum::body::Body;
use axum::http::{Request, header};
use serde_json::json;

use crate::helpers::*;

/// The body the fuzz target sends for `input` (see `fuzz/fuzz_targets/request.rs`).
fn body_of(input: &[u8]) -> Option<Vec<u8>> {
    let (&mode, rest) = input.split_first()?;
    Some(if mode < 0x80 {
        rest.to_vec()
    } else {
        json!({ "query": String::from_utf8_lossy(rest) })
            .to_string()
            .into_bytes()
    })
}

#[tokio::test]
async fn every_input_of_the_fuzz_corpus_gets_a_bounded_coded_answer() {
    let budget = 256 * 1024;
    let app = TestApp::spawn_configured(&Backend::Sqlite, |config| {
        config.http.max_response_bytes = budget;
    })
    .await;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds/request");
    let mut inputs: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .collect();
    inputs.sort();
    assert!(inputs.len() >= 10, "the corpus is there: {inputs:?}");
    for path in inputs {
        let input = std::fs::read(&path).expect("readable");
        let Some(body) = body_of(&input) else {
            continue;
        };
        let request = Request::post("/graphql")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body))
            .expect("request");
        let (status, _, answer) = app.send(request).await;
        let name = path.display();
        assert!(
            !status.is_server_error() || status.as_u16() == 503,
            "{name}: {status} {}",
            String::from_utf8_lossy(&answer)
        );
        assert!(
            answer.len() <= budget + 64 * 1024,
            "{name}: {} bytes",
            answer.len()
        );
        let json: serde_json::Value =
            serde_json::from_slice(&answer).unwrap_or_else(|e| panic!("{name}: not JSON ({e})"));
        if let Some(errors) = json["errors"].as_array() {
            assert!(
                errors.iter().all(|e| e["extensions"]["code"].is_string()),
                "{name}: every error is coded: {json}"
            );
        }
    }
    let alive = app
        .anonymous()
        .data("{ person(slug: \"dahye-ahn\") { name } }", json!({}))
        .await;
    assert_eq!(alive["person"]["name"], "안다혜");
}
