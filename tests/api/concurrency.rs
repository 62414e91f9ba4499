//! Optimistic concurrency: many writers on one record lose no update.

use serde_json::json;

use crate::helpers::*;

const WRITERS: usize = 20;

#[tokio::test]
async fn twenty_concurrent_read_modify_write_updaters_lose_no_update() {
    for app in TestApp::all().await {
        let b = app.backend;
        let token = app.token(Some("dahye-ahn")).await;
        let id = app.person_id("dahye-ahn").await;
        let app = &app;
        let writers = (0..WRITERS).map(|n| {
            let (token, id) = (token.clone(), id.clone());
            async move {
                // Read, append this writer's paragraph, write back with the
                // version read; on CONFLICT read again and retry.
                let mut conflicts = 0;
                loop {
                    let read = app.as_token(&token).data("{ person(slug: \"dahye-ahn\") { summary version } }", json!({})).await;
                    let mut summary: Vec<String> = serde_json::from_value(read["person"]["summary"].clone()).expect("summary");
                    summary.push(format!("writer {n}"));
                    let (_, response) = app
                        .as_token(&token).graphql("mutation($i: UpdatePersonInput!) { updatePerson(input: $i) { person { version } } }",
                            json!({ "i": { "id": id, "summary": summary, "expectedVersion": read["person"]["version"] } }),
                        )
                        .await;
                    match response["errors"][0]["extensions"]["code"].as_str() {
                        None => return conflicts,
                        Some("CONFLICT") => conflicts += 1,
                        Some(other) => panic!("[{b}] writer {n}: unexpected {other}: {response}"),
                    }
                }
            }
        });
        let conflicts: usize = futures::future::join_all(writers).await.into_iter().sum();
        let read = app
            .anonymous()
            .data(
                "{ person(slug: \"dahye-ahn\") { summary version } }",
                json!({}),
            )
            .await;
        let summary: Vec<String> =
            serde_json::from_value(read["person"]["summary"].clone()).expect("summary");
        for n in 0..WRITERS {
            assert!(
                summary.contains(&format!("writer {n}")),
                "[{b}] writer {n}'s update was lost: {summary:?}"
            );
        }
        assert_eq!(summary.len(), 4 + WRITERS, "[{b}] each update applied once");
        assert_eq!(
            read["person"]["version"],
            1 + WRITERS as i64,
            "[{b}] one version per update ({conflicts} conflicts retried)"
        );
    }
}

#[tokio::test]
async fn twenty_concurrent_blind_updates_each_bump_the_version_once() {
    for app in TestApp::all().await {
        let b = app.backend;
        let token = app.token(Some("dahye-ahn")).await;
        let id = app.person_id("dahye-ahn").await;
        let app = &app;
        let writers = (0..WRITERS).map(|n| {
            let (token, id) = (token.clone(), id.clone());
            async move {
                app.as_token(&token).data("mutation($i: UpdatePersonInput!) { updatePerson(input: $i) { person { version } } }", json!({ "i": { "id": id, "headline": format!("headline {n}") } }))
                    .await
            }
        });
        futures::future::join_all(writers).await;
        let read = app
            .anonymous()
            .data("{ person(slug: \"dahye-ahn\") { version } }", json!({}))
            .await;
        assert_eq!(read["person"]["version"], 1 + WRITERS as i64, "[{b}]");
    }
}
