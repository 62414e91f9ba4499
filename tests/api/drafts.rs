//! Drafts: invisible to anonymous readers through every read path, visible
//! to their owner.

use serde_json::{Value, json};

use crate::helpers::*;

async fn unpublish_first_role(app: &TestApp, token: &str) -> Value {
    let data = app
        .anonymous()
        .data(
            "{ person(slug: \"dahye-ahn\") { roles { nodes { id } } } }",
            json!({}),
        )
        .await;
    let role = data["person"]["roles"]["nodes"][0]["id"].clone();
    let update = "mutation($i: UpdateRoleInput!) { updateRole(input: $i) { role { published } } }";
    let done = app
        .as_token(token)
        .data(update, json!({ "i": { "id": role, "published": false } }))
        .await;
    assert_eq!(done["updateRole"]["role"]["published"], false);
    role
}

const VIEW: &str = r#"query($id: ID!) {
  person(slug: "dahye-ahn") {
    roles { totalCount nodes { id } }
    achievements { totalCount }
    skills { nodes { name roles { id } achievements { totalCount } } }
  }
  node(id: $id) { id }
}"#;

#[tokio::test]
async fn a_draft_role_is_invisible_anonymously_and_visible_to_its_owner() {
    for app in TestApp::all().await {
        let b = app.backend;
        let token = app.token(Some("dahye-ahn")).await;
        let role = unpublish_first_role(&app, &token).await;

        let anonymous = app.anonymous().data(VIEW, json!({ "id": role })).await;
        assert_eq!(
            anonymous["person"]["roles"]["totalCount"], 1,
            "[{b}] not counted"
        );
        assert!(
            !anonymous["person"]["roles"]["nodes"]
                .to_string()
                .contains(role.as_str().unwrap_or("?")),
            "[{b}] not listed"
        );
        assert_eq!(
            anonymous["person"]["achievements"]["totalCount"], 5,
            "[{b}] its 6 achievements are hidden with it"
        );
        assert_eq!(anonymous["node"], Value::Null, "[{b}] not by id");
        let skills = nodes(&anonymous["person"]["skills"]);
        let k6 = skills.iter().find(|s| s["name"] == "K6").expect("K6");
        assert_eq!(
            k6["achievements"]["totalCount"], 0,
            "[{b}] no back-link to hidden achievements"
        );
        assert_eq!(
            k6["roles"],
            json!([]),
            "[{b}] no back-link to the hidden role"
        );

        let owner = app.as_token(&token).data(VIEW, json!({ "id": role })).await;
        assert_eq!(owner["person"]["roles"]["totalCount"], 2, "[{b}]");
        assert_eq!(owner["person"]["achievements"]["totalCount"], 11, "[{b}]");
        assert_eq!(owner["node"]["id"], role, "[{b}]");

        // Another person's token sees what anonymous readers see.
        import(&app, &copy_of_bundled("someone-else")).await;
        let stranger = app.token(Some("someone-else")).await;
        let seen = app
            .as_token(&stranger)
            .data(VIEW, json!({ "id": role }))
            .await;
        assert_eq!(seen["person"]["roles"]["totalCount"], 1, "[{b}]");
        assert_eq!(seen["node"], Value::Null, "[{b}]");
    }
}

#[tokio::test]
async fn a_draft_achievement_metric_and_skill_are_invisible_by_id_and_in_lists() {
    for app in TestApp::all().await {
        let b = app.backend;
        let token = app.token(Some("dahye-ahn")).await;
        let data = app
            .anonymous().data("{ person(slug: \"dahye-ahn\") { achievements(first: 1) { nodes { id metrics { id } } } skills(first: 1) { nodes { id } } } }", json!({}))
            .await;
        let achievement = data["person"]["achievements"]["nodes"][0]["id"].clone();
        let metric = data["person"]["achievements"]["nodes"][0]["metrics"][0]["id"].clone();
        let skill = data["person"]["skills"]["nodes"][0]["id"].clone();
        app.as_token(&token).data("mutation($i: UpdateAchievementInput!) { updateAchievement(input: $i) { achievement { id } } }", json!({ "i": { "id": achievement, "published": false } }))
            .await;
        app.as_token(&token)
            .data(
                "mutation($i: UpdateSkillInput!) { updateSkill(input: $i) { skill { id } } }",
                json!({ "i": { "id": skill, "published": false } }),
            )
            .await;
        let query = "query($ids: [ID!]!) { nodes(ids: $ids) { id } person(slug: \"dahye-ahn\") { achievements { totalCount } skills { totalCount } } }";
        let ids = json!({ "ids": [achievement, metric, skill] });
        let anonymous = app.anonymous().data(query, ids.clone()).await;
        assert_eq!(anonymous["nodes"], json!([null, null, null]), "[{b}]");
        assert_eq!(
            anonymous["person"]["achievements"]["totalCount"], 10,
            "[{b}]"
        );
        assert_eq!(anonymous["person"]["skills"]["totalCount"], 25, "[{b}]");
        let owner = app.as_token(&token).data(query, ids).await;
        assert!(
            owner["nodes"]
                .as_array()
                .is_some_and(|n| n.iter().all(|x| !x.is_null())),
            "[{b}] {owner}"
        );
    }
}

#[tokio::test]
async fn a_draft_person_is_invisible_anonymously_and_visible_to_its_owner() {
    for app in TestApp::all().await {
        let b = app.backend;
        let token = app.token(Some("dahye-ahn")).await;
        let id = app.person_id("dahye-ahn").await;
        import(&app, &copy_of_bundled("someone-else")).await;
        let update =
            "mutation($i: UpdatePersonInput!) { updatePerson(input: $i) { person { published } } }";
        app.as_token(&token)
            .data(update, json!({ "i": { "id": id, "published": false } }))
            .await;
        let query = "query($id: ID!) { person(slug: \"dahye-ahn\") { name } people { totalCount nodes { slug } } node(id: $id) { id } }";
        let anonymous = app.anonymous().data(query, json!({ "id": id })).await;
        assert_eq!(anonymous["person"], Value::Null, "[{b}]");
        assert_eq!(anonymous["people"]["totalCount"], 1, "[{b}]");
        assert_eq!(
            strings(&nodes(&anonymous["people"]), "slug"),
            ["someone-else"],
            "[{b}]"
        );
        assert_eq!(anonymous["node"], Value::Null, "[{b}]");
        let owner = app.as_token(&token).data(query, json!({ "id": id })).await;
        assert_eq!(owner["person"]["name"], "안다혜", "[{b}]");
        assert_eq!(owner["people"]["totalCount"], 2, "[{b}]");
        assert_eq!(owner["node"]["id"], id, "[{b}]");
    }
}
