//! Tokens: none, wrong, revoked, another person's, admin.

use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::*;

const UPDATE: &str =
    "mutation($i: UpdatePersonInput!) { updatePerson(input: $i) { person { headline version } } }";

#[tokio::test]
async fn a_mutation_without_a_token_is_unauthenticated_and_changes_nothing() {
    for app in TestApp::all().await {
        let b = app.backend;
        let id = app.person_id("dahye-ahn").await;
        let before = app.snapshot("dahye-ahn").await;
        let errors = app
            .anonymous()
            .errors(UPDATE, json!({ "i": { "id": id, "headline": "Hacked" } }))
            .await;
        assert_eq!(codes(&errors), ["UNAUTHENTICATED"], "[{b}]");
        assert_eq!(app.snapshot("dahye-ahn").await, before, "[{b}]");
    }
}

#[tokio::test]
async fn a_wrong_or_revoked_token_is_refused_at_once() {
    for app in TestApp::all().await {
        let b = app.backend;
        let id = app.person_id("dahye-ahn").await;
        for bad in ["pf_1_not-the-secret", "pf_999_x", "garbage", ""] {
            let (status, response) = app
                .as_token(bad)
                .graphql("{ people { totalCount } }", json!({}))
                .await;
            assert_eq!(
                status,
                StatusCode::UNAUTHORIZED,
                "[{b}] {bad:?}: {response}"
            );
            assert_eq!(
                response["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
                "[{b}]"
            );
            assert!(
                !response.to_string().contains(bad) || bad.is_empty(),
                "[{b}] the token is not echoed"
            );
        }
        let token = app.token(Some("dahye-ahn")).await;
        app.as_token(&token)
            .data(UPDATE, json!({ "i": { "id": id, "headline": "First" } }))
            .await;
        let token_id: i64 = token
            .split('_')
            .nth(1)
            .and_then(|n| n.parse().ok())
            .expect("token id");
        assert!(
            portfolio::auth::revoke_token(&app.db, token_id)
                .await
                .expect("revoke"),
            "[{b}]"
        );
        let (status, response) = app
            .as_token(&token)
            .graphql(UPDATE, json!({ "i": { "id": id, "headline": "Second" } }))
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "[{b}] {response}");
        let headline = app
            .anonymous()
            .data("{ person(slug: \"dahye-ahn\") { headline } }", json!({}))
            .await;
        assert_eq!(
            headline["person"]["headline"], "First",
            "[{b}] the revoked token changed nothing"
        );
    }
}

#[tokio::test]
async fn only_the_hash_of_a_token_is_stored() {
    for app in TestApp::all().await {
        let token = app.token(None).await;
        let rows = portfolio::auth::list_tokens(&app.db).await.expect("list");
        let (row, _) = &rows[0];
        assert_eq!(row.token_hash.len(), 64, "[{}]", app.backend);
        assert!(row.token_hash.chars().all(|c| c.is_ascii_hexdigit()));
        let secret = token.rsplit('_').next().expect("secret");
        assert!(
            !row.token_hash.contains(secret) && !token.contains(&row.token_hash),
            "[{}]",
            app.backend
        );
    }
}

#[tokio::test]
async fn a_persons_token_changes_only_that_persons_portfolio() {
    for app in TestApp::all().await {
        let b = app.backend;
        import(&app, &copy_of_bundled("someone-else")).await;
        let other = app.person_id("someone-else").await;
        let token = app.token(Some("dahye-ahn")).await;
        let errors = app
            .as_token(&token)
            .errors(
                UPDATE,
                json!({ "i": { "id": other, "headline": "Mine now" } }),
            )
            .await;
        assert_eq!(
            codes(&errors),
            ["NOT_FOUND"],
            "[{b}] as if there were no such person"
        );
        // Through the node id of another person's item, too.
        let roles = app
            .anonymous()
            .data(
                "{ person(slug: \"someone-else\") { roles { nodes { id } } } }",
                json!({}),
            )
            .await;
        let role = roles["person"]["roles"]["nodes"][0]["id"].clone();
        let errors = app
            .as_token(&token)
            .errors(
                "mutation($i: UpdateRoleInput!) { updateRole(input: $i) { role { title } } }",
                json!({ "i": { "id": role, "title": "Taken over" } }),
            )
            .await;
        assert_eq!(codes(&errors), ["NOT_FOUND"], "[{b}]");
        let errors = app
            .as_token(&token)
            .errors(
                "mutation($i: DeleteInput!) { deleteRole(input: $i) { deletedId } }",
                json!({ "i": { "id": role } }),
            )
            .await;
        assert_eq!(codes(&errors), ["NOT_FOUND"], "[{b}]");
        assert_eq!(
            app.snapshot("someone-else").await,
            Some(copy_of_bundled("someone-else")),
            "[{b}] untouched"
        );
    }
}

#[tokio::test]
async fn creating_and_deleting_people_needs_an_admin_token() {
    for app in TestApp::all().await {
        let b = app.backend;
        let create = "mutation($i: CreatePersonInput!) { createPerson(input: $i) { person { id slug name } } }";
        let input = json!({ "i": { "slug": "jane-doe", "name": "Jane Doe", "headline": "SRE" } });
        let owner = app.token(Some("dahye-ahn")).await;
        assert_eq!(
            codes(&app.anonymous().errors(create, input.clone()).await),
            ["UNAUTHENTICATED"],
            "[{b}]"
        );
        assert_eq!(
            codes(&app.as_token(&owner).errors(create, input.clone()).await),
            ["FORBIDDEN"],
            "[{b}]"
        );
        let admin = app.token(None).await;
        let created = app.as_token(&admin).data(create, input.clone()).await;
        assert_eq!(
            created["createPerson"]["person"]["slug"], "jane-doe",
            "[{b}]"
        );
        let id = created["createPerson"]["person"]["id"].clone();
        let delete = "mutation($i: DeletePersonInput!) { deletePerson(input: $i) { deletedId } }";
        assert_eq!(
            codes(
                &app.as_token(&owner)
                    .errors(delete, json!({ "i": { "id": id } }))
                    .await
            ),
            ["FORBIDDEN"],
            "[{b}]"
        );
        let deleted = app
            .as_token(&admin)
            .data(delete, json!({ "i": { "id": id } }))
            .await;
        assert_eq!(deleted["deletePerson"]["deletedId"], id, "[{b}]");
        assert!(app.snapshot("jane-doe").await.is_none(), "[{b}]");
        // The admin may also edit anyone's portfolio.
        let dahye = app.person_id("dahye-ahn").await;
        let updated = app
            .as_token(&admin)
            .data(
                UPDATE,
                json!({ "i": { "id": dahye, "headline": "By admin" } }),
            )
            .await;
        assert_eq!(
            updated["updatePerson"]["person"]["headline"], "By admin",
            "[{b}]"
        );
    }
}
