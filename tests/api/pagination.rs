//! Relay pagination: first/after, last/before, empty pages, past the end,
//! invalid cursors and counts, on a person's lists and on `people`.

use serde_json::{Value, json};

use crate::helpers::*;

const SKILLS: &str = r#"query($first: Int, $after: String, $last: Int, $before: String) {
  person(slug: "dahye-ahn") {
    skills(first: $first, after: $after, last: $last, before: $before) {
      totalCount
      edges { cursor node { name } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
}"#;

async fn skills_page(app: &TestApp, variables: Value) -> Value {
    app.anonymous().data(SKILLS, variables).await["person"]["skills"].clone()
}

fn names(page: &Value) -> Vec<String> {
    page["edges"]
        .as_array()
        .map(|edges| {
            edges
                .iter()
                .map(|e| e["node"]["name"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn walking_forward_with_first_and_after_visits_every_item_once() {
    for app in TestApp::all().await {
        let b = app.backend;
        let everything = names(&skills_page(&app, json!({ "first": 100 })).await);
        assert_eq!(everything.len(), 26, "[{b}]");
        let mut seen = Vec::new();
        let mut after = Value::Null;
        let mut pages = 0;
        loop {
            let page = skills_page(&app, json!({ "first": 5, "after": after })).await;
            assert_eq!(
                page["totalCount"], 26,
                "[{b}] totalCount is the whole list on every page"
            );
            seen.extend(names(&page));
            pages += 1;
            assert_eq!(
                page["pageInfo"]["hasPreviousPage"],
                json!(pages > 1),
                "[{b}] page {pages}"
            );
            if page["pageInfo"]["hasNextPage"] == json!(false) {
                break;
            }
            after = page["pageInfo"]["endCursor"].clone();
            assert!(pages < 10, "[{b}] pagination does not end");
        }
        assert_eq!(pages, 6, "[{b}] 26 items in pages of 5");
        assert_eq!(seen, everything, "[{b}]");
    }
}

#[tokio::test]
async fn walking_backward_with_last_and_before_visits_every_item_once() {
    for app in TestApp::all().await {
        let b = app.backend;
        let everything = names(&skills_page(&app, json!({ "first": 100 })).await);
        let mut seen = Vec::new();
        let mut before = Value::Null;
        loop {
            let page = skills_page(&app, json!({ "last": 7, "before": before })).await;
            let mut chunk = names(&page);
            chunk.extend(seen);
            seen = chunk;
            if page["pageInfo"]["hasPreviousPage"] == json!(false) {
                break;
            }
            before = page["pageInfo"]["startCursor"].clone();
            assert!(seen.len() <= 26, "[{b}] pagination does not end");
        }
        assert_eq!(seen, everything, "[{b}]");
        let tail = skills_page(&app, json!({ "last": 2 })).await;
        assert_eq!(names(&tail), ["Redshift", "SQL"], "[{b}]");
        assert_eq!(tail["pageInfo"]["hasNextPage"], false);
        assert_eq!(tail["pageInfo"]["hasPreviousPage"], true);
    }
}

#[tokio::test]
async fn empty_pages_and_pages_past_the_end_are_empty_not_errors() {
    for app in TestApp::all().await {
        let b = app.backend;
        let zero = skills_page(&app, json!({ "first": 0 })).await;
        assert_eq!(names(&zero), Vec::<String>::new(), "[{b}]");
        assert_eq!(zero["pageInfo"]["hasNextPage"], true);
        assert_eq!(zero["pageInfo"]["startCursor"], Value::Null);

        let last = skills_page(&app, json!({ "last": 1 })).await;
        let end = last["pageInfo"]["endCursor"].clone();
        let past = skills_page(&app, json!({ "first": 5, "after": end })).await;
        assert_eq!(names(&past), Vec::<String>::new(), "[{b}]");
        assert_eq!(past["pageInfo"]["hasNextPage"], false);

        let window = skills_page(&app, json!({ "first": 3 })).await;
        let first_cursor = window["edges"][0]["cursor"].clone();
        let before_first = skills_page(&app, json!({ "last": 5, "before": first_cursor })).await;
        assert_eq!(names(&before_first), Vec::<String>::new(), "[{b}]");
        assert_eq!(before_first["pageInfo"]["hasPreviousPage"], false);
    }
}

#[tokio::test]
async fn oversized_negative_and_foreign_paging_arguments_are_bad_user_input() {
    for app in TestApp::all().await {
        let b = app.backend;
        for (variables, field) in [
            (json!({ "first": 101 }), "first"),
            (json!({ "last": 1000 }), "last"),
            (json!({ "first": -1 }), "first"),
            (json!({ "first": 2, "after": "not-a-cursor" }), "after"),
            (json!({ "last": 2, "before": "Y3Vyc29yOng" }), "before"),
        ] {
            let error = app.anonymous().error(SKILLS, variables.clone()).await;
            assert_eq!(
                error["extensions"]["code"], "BAD_USER_INPUT",
                "[{b}] {variables}: {error}"
            );
            assert_eq!(error["extensions"]["field"], field, "[{b}] {variables}");
        }
    }
}

#[tokio::test]
async fn people_are_paged_by_keyset_in_both_directions() {
    for app in TestApp::all().await {
        let b = app.backend;
        for i in 1..=6 {
            import(&app, &copy_of_bundled(&format!("person-{i}"))).await;
        }
        let query = r#"query($first: Int, $after: String, $last: Int, $before: String) {
          people(first: $first, after: $after, last: $last, before: $before) {
            totalCount nodes { slug } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
          }
        }"#;
        let slugs = |page: &Value| strings(&nodes(&page["people"]), "slug");
        let first = app.anonymous().data(query, json!({ "first": 3 })).await;
        assert_eq!(first["people"]["totalCount"], 7, "[{b}]");
        assert_eq!(
            slugs(&first),
            ["dahye-ahn", "person-1", "person-2"],
            "[{b}]"
        );
        assert_eq!(first["people"]["pageInfo"]["hasNextPage"], true);
        let after = first["people"]["pageInfo"]["endCursor"].clone();
        let second = app
            .anonymous()
            .data(query, json!({ "first": 3, "after": after }))
            .await;
        assert_eq!(
            slugs(&second),
            ["person-3", "person-4", "person-5"],
            "[{b}]"
        );
        assert_eq!(second["people"]["pageInfo"]["hasPreviousPage"], true);
        let after = second["people"]["pageInfo"]["endCursor"].clone();
        let third = app
            .anonymous()
            .data(query, json!({ "first": 3, "after": after }))
            .await;
        assert_eq!(slugs(&third), ["person-6"], "[{b}]");
        assert_eq!(third["people"]["pageInfo"]["hasNextPage"], false);

        let tail = app.anonymous().data(query, json!({ "last": 2 })).await;
        assert_eq!(slugs(&tail), ["person-5", "person-6"], "[{b}]");
        assert_eq!(tail["people"]["pageInfo"]["hasPreviousPage"], true);
        let before = tail["people"]["pageInfo"]["startCursor"].clone();
        let earlier = app
            .anonymous()
            .data(query, json!({ "last": 2, "before": before }))
            .await;
        assert_eq!(slugs(&earlier), ["person-3", "person-4"], "[{b}]");
        assert_eq!(earlier["people"]["pageInfo"]["hasNextPage"], true);
    }
}
