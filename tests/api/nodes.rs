//! Global ids: every object's id resolves through `node(id:)` and
//! `nodes(ids:)` to the same object; foreign ids are refused with a code.

use serde_json::{Value, json};

use crate::helpers::*;

/// Every `id` in a response, with the object that carried it.
fn collect_ids(value: &Value, out: &mut Vec<(String, Value)>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(id)) = map.get("id") {
                out.push((id.clone(), value.clone()));
            }
            map.values().for_each(|v| collect_ids(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_ids(v, out)),
        _ => {}
    }
}

const NODE: &str = r#"query($id: ID!) {
  node(id: $id) {
    __typename id
    ... on Person { slug }
    ... on ProfileLink { url }
    ... on Role { organization }
    ... on Achievement { title }
    ... on Metric { display }
    ... on Skill { name }
    ... on Activity { title }
    ... on Education { institution }
    ... on Language { name }
  }
}"#;

#[tokio::test]
async fn every_id_in_the_portfolio_resolves_to_its_own_object() {
    for app in TestApp::all().await {
        let b = app.backend;
        let person = app
            .anonymous()
            .data(FULL_QUERY, json!({ "slug": "dahye-ahn" }))
            .await;
        let mut ids = Vec::new();
        collect_ids(&person, &mut ids);
        let mut types = std::collections::BTreeSet::new();
        for (id, object) in &ids {
            let node = app.anonymous().data(NODE, json!({ "id": id })).await["node"].clone();
            assert_eq!(&node["id"], &json!(id), "[{b}]");
            for field in [
                "slug",
                "url",
                "organization",
                "title",
                "display",
                "name",
                "institution",
            ] {
                if let (Some(expected), Some(actual)) = (object.get(field), node.get(field)) {
                    assert_eq!(actual, expected, "[{b}] {field} of {id}");
                }
            }
            types.insert(node["__typename"].as_str().unwrap_or_default().to_owned());
        }
        let expected: std::collections::BTreeSet<String> = [
            "Person",
            "ProfileLink",
            "Role",
            "Achievement",
            "Metric",
            "Skill",
            "Activity",
            "Education",
            "Language",
        ]
        .into_iter()
        .map(String::from)
        .collect();
        assert_eq!(types, expected, "[{b}] every node type was reached");
    }
}

#[tokio::test]
async fn nodes_keeps_order_and_answers_null_for_ids_that_no_longer_exist() {
    for app in TestApp::all().await {
        let b = app.backend;
        let data = app
            .anonymous()
            .data(
                r#"{ person(slug: "dahye-ahn") { id roles { nodes { id organization } } } }"#,
                json!({}),
            )
            .await;
        let roles = nodes(&data["person"]["roles"]);
        let person_id = data["person"]["id"].clone();
        // A well-formed id of a row that does not exist.
        let missing = {
            use base64::Engine;
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("Role:999999")
        };
        let query = r#"query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }"#;
        let ids = json!([roles[1]["id"], missing, person_id, roles[0]["id"]]);
        let result = app.anonymous().data(query, json!({ "ids": ids })).await["nodes"].clone();
        assert_eq!(result[0]["id"], roles[1]["id"], "[{b}]");
        assert_eq!(result[1], Value::Null, "[{b}]");
        assert_eq!(result[2]["__typename"], "Person", "[{b}]");
        assert_eq!(result[3]["id"], roles[0]["id"], "[{b}]");
        let single = app.anonymous().data(NODE, json!({ "id": missing })).await;
        assert_eq!(single["node"], Value::Null, "[{b}]");
    }
}

#[tokio::test]
async fn ids_this_api_did_not_hand_out_are_bad_user_input() {
    for app in TestApp::all().await {
        let b = app.backend;
        for id in ["", "garbage!", "Um9sZToxMg==", "Tm9wZTox"] {
            let error = app.anonymous().error(NODE, json!({ "id": id })).await;
            assert_eq!(
                error["extensions"]["code"], "BAD_USER_INPUT",
                "[{b}] {id:?}: {error}"
            );
            assert_eq!(error["extensions"]["field"], "id", "[{b}]");
        }
        let too_many: Vec<String> = (0..101).map(|_| "x".to_owned()).collect();
        let error = app
            .anonymous()
            .error(
                r#"query($ids: [ID!]!) { nodes(ids: $ids) { id } }"#,
                json!({ "ids": too_many }),
            )
            .await;
        assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT", "[{b}]");
    }
}
