//! What a caller without the right to an item can learn about it: nothing.
//! No token: `UNAUTHENTICATED` before the input is looked at. Another
//! person's token: another person's items, published, drafts or missing, all
//! answer `NOT_FOUND` alike; a slug in use is "not available", whoever uses it.

use serde_json::{Value, json};

use crate::helpers::*;

const UPDATE_ROLE: &str =
    "mutation($i: UpdateRoleInput!) { updateRole(input: $i) { role { title } } }";
const DELETE_ROLE: &str = "mutation($i: DeleteInput!) { deleteRole(input: $i) { deletedId } }";
const CREATE_ROLE: &str =
    "mutation($i: CreateRoleInput!) { createRole(input: $i) { role { id } } }";
const UPDATE_PERSON: &str =
    "mutation($i: UpdatePersonInput!) { updatePerson(input: $i) { person { slug } } }";

/// The one error of a refused request, with `id` in its message replaced,
/// so that answers about different ids can be compared.
fn shape(errors: &[Value], id: &Value) -> (String, String) {
    assert_eq!(errors.len(), 1, "{errors:?}");
    let message = errors[0]["message"].as_str().unwrap_or_default();
    let id = id.as_str().unwrap_or("?");
    (
        errors[0]["extensions"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        message.replace(id, "<id>"),
    )
}

/// `someone-else` (a copy of the bundled portfolio) with its first role a
/// draft; returns its person id, its published role and its draft role.
async fn someone_else(app: &TestApp, admin: &str) -> (Value, Value, Value) {
    import(app, &copy_of_bundled("someone-else")).await;
    let data = app
        .anonymous()
        .data(
            "{ person(slug: \"someone-else\") { id roles { nodes { id } } } }",
            json!({}),
        )
        .await;
    let person = data["person"]["id"].clone();
    let draft = data["person"]["roles"]["nodes"][0]["id"].clone();
    let published = data["person"]["roles"]["nodes"][1]["id"].clone();
    app.as_token(admin)
        .data(
            UPDATE_ROLE,
            json!({ "i": { "id": draft, "published": false } }),
        )
        .await;
    (person, published, draft)
}

#[tokio::test]
async fn an_anonymous_mutation_is_unauthenticated_before_its_input_is_read() {
    for app in TestApp::all().await {
        let b = app.backend;
        let person = app.person_id("dahye-ahn").await;
        let before = app.snapshot("dahye-ahn").await;
        let create_language =
            "mutation($i: CreateLanguageInput!) { createLanguage(input: $i) { language { id } } }";
        for (query, input) in [
            // An input missing its required fields, and one whose values
            // are all wrong: neither is judged.
            (create_language, json!({})),
            (
                create_language,
                json!({ "personId": "nonsense", "name": "" }),
            ),
            (create_language, json!({ "personId": person, "name": " " })),
            (DELETE_ROLE, json!({ "id": "Um9sZTo5OTk5OQ" })),
            (
                UPDATE_PERSON,
                json!({ "id": person, "slug": "Not A Slug", "name": "" }),
            ),
            (
                "mutation($i: CreatePersonInput!) { createPerson(input: $i) { person { id } } }",
                json!({ "slug": "dahye-ahn" }),
            ),
        ] {
            let errors = app.anonymous().errors(query, json!({ "i": input })).await;
            assert_eq!(
                codes(&errors),
                ["UNAUTHENTICATED"],
                "[{b}] {query} {input}: {errors:?}"
            );
        }
        assert_eq!(app.snapshot("dahye-ahn").await, before, "[{b}]");
    }
}

#[tokio::test]
async fn another_persons_items_are_not_found_exactly_like_missing_ones() {
    for app in TestApp::all().await {
        let b = app.backend;
        let admin = app.token(None).await;
        let (other, published, draft) = someone_else(&app, &admin).await;
        let before = app.snapshot("someone-else").await;
        let token = app.token(Some("dahye-ahn")).await;
        let missing_role = json!("Um9sZTo5OTk5OQ"); // Role:99999
        let missing_person = json!("UGVyc29uOjk5OTk5"); // Person:99999

        for (query, make) in [
            (
                UPDATE_ROLE,
                (|id: &Value| json!({ "id": id, "title": "Taken over" })) as fn(&Value) -> Value,
            ),
            (DELETE_ROLE, |id: &Value| json!({ "id": id })),
            (
                "mutation($i: CreateAchievementInput!) { createAchievement(input: $i) { achievement { id } } }",
                |id: &Value| json!({ "roleId": id, "title": "Mine" }),
            ),
            (
                "mutation($i: ReorderAchievementsInput!) { reorderAchievements(input: $i) { role { id } } }",
                |id: &Value| json!({ "parentId": id, "ids": [] }),
            ),
        ] {
            let mut answers = Vec::new();
            for id in [&published, &draft, &missing_role] {
                let errors = app
                    .as_token(&token)
                    .errors(query, json!({ "i": make(id) }))
                    .await;
                answers.push(shape(&errors, id));
            }
            assert_eq!(answers[0].0, "NOT_FOUND", "[{b}] {query}: {answers:?}");
            assert!(
                answers.iter().all(|a| a == &answers[0]),
                "[{b}] {query}: {answers:?}"
            );
        }

        // The person itself, and creating in its portfolio.
        for (query, make) in [
            (
                UPDATE_PERSON,
                (|id: &Value| json!({ "id": id, "headline": "Mine" })) as fn(&Value) -> Value,
            ),
            (
                CREATE_ROLE,
                |id: &Value| json!({ "personId": id, "organization": "O", "title": "T", "start": "2020-01" }),
            ),
            (
                "mutation($i: ReorderInput!) { reorderSkills(input: $i) { person { id } } }",
                |id: &Value| json!({ "personId": id, "ids": [] }),
            ),
        ] {
            let mut answers = Vec::new();
            for id in [&other, &missing_person] {
                let errors = app
                    .as_token(&token)
                    .errors(query, json!({ "i": make(id) }))
                    .await;
                answers.push(shape(&errors, id));
            }
            assert_eq!(answers[0].0, "NOT_FOUND", "[{b}] {query}: {answers:?}");
            assert_eq!(answers[0], answers[1], "[{b}] {query}");
        }

        // A draft person answers the same too.
        app.as_token(&admin)
            .data(
                UPDATE_PERSON,
                json!({ "i": { "id": other, "published": false } }),
            )
            .await;
        let errors = app
            .as_token(&token)
            .errors(
                UPDATE_PERSON,
                json!({ "i": { "id": other, "headline": "Mine" } }),
            )
            .await;
        let missing = app
            .as_token(&token)
            .errors(
                UPDATE_PERSON,
                json!({ "i": { "id": missing_person, "headline": "Mine" } }),
            )
            .await;
        assert_eq!(
            shape(&errors, &other),
            shape(&missing, &missing_person),
            "[{b}]"
        );

        let mut after = app.snapshot("someone-else").await;
        if let Some(after) = after.as_mut() {
            after.person.draft = false;
        }
        assert_eq!(
            after, before,
            "[{b}] nothing changed but the admin's draft flag"
        );
    }
}

#[tokio::test]
async fn a_slug_in_use_is_not_available_to_a_persons_token_whoever_uses_it() {
    for app in TestApp::all().await {
        let b = app.backend;
        let admin = app.token(None).await;
        import(&app, &copy_of_bundled("someone-else")).await;
        import(&app, &copy_of_bundled("a-draft")).await;
        let draft = app.person_id("a-draft").await;
        app.as_token(&admin)
            .data(
                UPDATE_PERSON,
                json!({ "i": { "id": draft, "published": false } }),
            )
            .await;
        let token = app.token(Some("dahye-ahn")).await;
        let me = app.person_id("dahye-ahn").await;
        let before = app.snapshot("dahye-ahn").await;

        let mut answers = Vec::new();
        for slug in ["someone-else", "a-draft"] {
            let errors = app
                .as_token(&token)
                .errors(UPDATE_PERSON, json!({ "i": { "id": me, "slug": slug } }))
                .await;
            assert_eq!(codes(&errors), ["BAD_USER_INPUT"], "[{b}] {errors:?}");
            assert_eq!(fields(&errors), ["input.slug"], "[{b}]");
            answers.push(errors[0]["message"].clone());
        }
        assert_eq!(answers[0], answers[1], "[{b}] published or draft alike");
        assert!(
            !answers[0].to_string().contains("taken"),
            "[{b}] {}",
            answers[0]
        );
        assert_eq!(app.snapshot("dahye-ahn").await, before, "[{b}]");

        // An admin sees everyone, and is told the slug is taken.
        let errors = app
            .as_token(&admin)
            .errors(
                UPDATE_PERSON,
                json!({ "i": { "id": me, "slug": "a-draft" } }),
            )
            .await;
        assert!(
            errors[0]["message"]
                .as_str()
                .is_some_and(|m| m.contains("taken")),
            "[{b}] {errors:?}"
        );
    }
}
