//! Editing: every entity's create/update/delete/reorder, validation of every
//! rule, optimistic concurrency, atomicity, and `updatedAt` propagation.

use serde_json::{Value, json};

use crate::helpers::*;

const UPDATE_PERSON: &str = "mutation($i: UpdatePersonInput!) { updatePerson(input: $i) { person { headline slug version updatedAt } } }";

async fn owner(app: &TestApp) -> (String, String) {
    (
        app.token(Some("dahye-ahn")).await,
        app.person_id("dahye-ahn").await,
    )
}

#[tokio::test]
async fn the_owner_changes_the_headline_and_the_version_moves() {
    for app in TestApp::all().await {
        let b = app.backend;
        let (token, id) = owner(&app).await;
        let before = app
            .anonymous()
            .data(
                "{ person(slug: \"dahye-ahn\") { version updatedAt } }",
                json!({}),
            )
            .await;
        let data = app
            .as_token(&token)
            .data(
                UPDATE_PERSON,
                json!({ "i": { "id": id, "headline": "Platform Engineer", "expectedVersion": 1 } }),
            )
            .await;
        let person = &data["updatePerson"]["person"];
        assert_eq!(person["headline"], "Platform Engineer", "[{b}]");
        assert_eq!(person["version"], 2, "[{b}]");
        assert_ne!(person["updatedAt"], before["person"]["updatedAt"], "[{b}]");
        let read = app
            .anonymous()
            .data("{ person(slug: \"dahye-ahn\") { headline } }", json!({}))
            .await;
        assert_eq!(read["person"]["headline"], "Platform Engineer", "[{b}]");
    }
}

#[tokio::test]
async fn a_stale_expected_version_is_a_conflict_with_the_current_version() {
    for app in TestApp::all().await {
        let b = app.backend;
        let (token, id) = owner(&app).await;
        app.as_token(&token)
            .data(
                UPDATE_PERSON,
                json!({ "i": { "id": id, "headline": "One" } }),
            )
            .await;
        let errors = app
            .as_token(&token)
            .errors(
                UPDATE_PERSON,
                json!({ "i": { "id": id, "headline": "Two", "expectedVersion": 1 } }),
            )
            .await;
        assert_eq!(codes(&errors), ["CONFLICT"], "[{b}]");
        assert_eq!(errors[0]["extensions"]["currentVersion"], 2, "[{b}]");
        let read = app
            .anonymous()
            .data(
                "{ person(slug: \"dahye-ahn\") { headline version } }",
                json!({}),
            )
            .await;
        assert_eq!(
            read["person"],
            json!({ "headline": "One", "version": 2 }),
            "[{b}]"
        );
    }
}

#[tokio::test]
async fn every_invalid_field_is_reported_at_once_and_nothing_changes() {
    for app in TestApp::all().await {
        let b = app.backend;
        let (token, id) = owner(&app).await;
        let before = app.snapshot("dahye-ahn").await;
        let input = json!({ "i": {
            "id": id,
            "headline": "   ",
            "name": "x".repeat(201),
            "slug": "Not A Slug",
            "avatarUrl": "javascript:alert(1)",
            "summary": ["fine", ""]
        } });
        let errors = app.as_token(&token).errors(UPDATE_PERSON, input).await;
        assert!(
            codes(&errors).iter().all(|c| c == "BAD_USER_INPUT"),
            "[{b}] {errors:?}"
        );
        let mut found = fields(&errors);
        found.sort();
        assert_eq!(
            found,
            [
                "input.avatarUrl",
                "input.headline",
                "input.name",
                "input.slug",
                "input.summary[1]"
            ],
            "[{b}]"
        );
        assert_eq!(
            app.snapshot("dahye-ahn").await,
            before,
            "[{b}] nothing written"
        );
    }
}

#[tokio::test]
async fn slugs_are_checked_for_shape_length_and_uniqueness() {
    for app in TestApp::all().await {
        let b = app.backend;
        let admin = app.token(None).await;
        let create =
            "mutation($i: CreatePersonInput!) { createPerson(input: $i) { person { slug } } }";
        for (slug, ok) in [
            ("ab", false),
            ("abc", true),
            (&"a".repeat(64)[..], true),
            (&"a".repeat(65)[..], false),
            ("a-b-c", true),
            ("a--b", false),
            ("-ab", false),
            ("dahye-ahn", false),
        ] {
            let input = json!({ "i": { "slug": slug, "name": "N", "headline": "H" } });
            let (_, response) = app.as_token(&admin).graphql(create, input).await;
            if ok {
                assert_eq!(
                    response["data"]["createPerson"]["person"]["slug"], slug,
                    "[{b}] {slug}: {response}"
                );
            } else {
                assert_eq!(
                    response["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
                    "[{b}] {slug}: {response}"
                );
                assert_eq!(
                    response["errors"][0]["extensions"]["field"], "input.slug",
                    "[{b}] {slug}"
                );
            }
        }
    }
}

#[tokio::test]
async fn roles_are_created_updated_reordered_and_deleted_with_month_rules() {
    for app in TestApp::all().await {
        let b = app.backend;
        let (token, person) = owner(&app).await;
        let create = "mutation($i: CreateRoleInput!) { createRole(input: $i) { role { id organization start end current durationMonths version } } }";
        let errors = app
            .as_token(&token).errors(create, json!({ "i": { "personId": person, "organization": " ", "title": "T", "start": "2020-05", "end": "2020-01" } }))
            .await;
        let mut found = fields(&errors);
        found.sort();
        assert_eq!(found, ["input.end", "input.organization"], "[{b}]");
        let bad_month = app.as_token(&token).errors(create, json!({ "i": { "personId": person, "organization": "O", "title": "T", "start": "2020-13" } })).await;
        assert_eq!(
            codes(&bad_month),
            ["BAD_USER_INPUT"],
            "[{b}] a YearMonth that is not a month: {bad_month:?}"
        );

        let created = app
            .as_token(&token).data(create, json!({ "i": { "personId": person, "organization": "Acme", "title": "Intern", "start": "2020-01", "end": "2020-06", "employmentType": "INTERNSHIP" } }))
            .await;
        let role = created["createRole"]["role"].clone();
        assert_eq!(role["durationMonths"], 6, "[{b}]");
        let id = role["id"].clone();

        let update = "mutation($i: UpdateRoleInput!) { updateRole(input: $i) { role { end current version } } }";
        let errors = app
            .as_token(&token)
            .errors(update, json!({ "i": { "id": id, "end": "2019-12" } }))
            .await;
        assert_eq!(
            fields(&errors),
            ["input.end"],
            "[{b}] end before the stored start"
        );
        let updated = app
            .as_token(&token)
            .data(update, json!({ "i": { "id": id, "end": null } }))
            .await;
        assert_eq!(
            updated["updateRole"]["role"],
            json!({ "end": null, "current": true, "version": 2 }),
            "[{b}]"
        );

        let list = app
            .anonymous()
            .data(
                "{ person(slug: \"dahye-ahn\") { roles { nodes { id } } } }",
                json!({}),
            )
            .await;
        let ids: Vec<Value> = nodes(&list["person"]["roles"])
            .iter()
            .map(|r| r["id"].clone())
            .collect();
        assert_eq!(ids.len(), 3, "[{b}]");
        let reversed: Vec<Value> = ids.iter().rev().cloned().collect();
        let reorder = "mutation($i: ReorderInput!) { reorderRoles(input: $i) { person { slug } } }";
        app.as_token(&token)
            .data(
                reorder,
                json!({ "i": { "personId": person, "ids": reversed } }),
            )
            .await;
        let errors = app
            .as_token(&token)
            .errors(
                reorder,
                json!({ "i": { "personId": person, "ids": [ids[0], ids[0]] } }),
            )
            .await;
        assert_eq!(codes(&errors)[0], "BAD_USER_INPUT", "[{b}] a duplicate");

        let delete = "mutation($i: DeleteInput!) { deleteRole(input: $i) { deletedId } }";
        let deleted = app
            .as_token(&token)
            .data(delete, json!({ "i": { "id": id } }))
            .await;
        assert_eq!(deleted["deleteRole"]["deletedId"], id, "[{b}]");
        let errors = app
            .as_token(&token)
            .errors(delete, json!({ "i": { "id": id } }))
            .await;
        assert_eq!(codes(&errors), ["NOT_FOUND"], "[{b}]");
    }
}

#[tokio::test]
async fn an_achievement_is_created_with_metrics_links_and_skills_and_reported_everywhere() {
    for app in TestApp::all().await {
        let b = app.backend;
        let (token, _) = owner(&app).await;
        let data = app
            .anonymous().data("{ person(slug: \"dahye-ahn\") { roles { nodes { id } } skills { nodes { id name } } } }", json!({}))
            .await;
        let role = data["person"]["roles"]["nodes"][0]["id"].clone();
        let skills = nodes(&data["person"]["skills"]);
        let go = skills.iter().find(|s| s["name"] == "Go").expect("Go")["id"].clone();
        let create = "mutation($i: CreateAchievementInput!) { createAchievement(input: $i) {
            achievement { id title metrics { value unit display } skills { name } links { kind title url } role { organization } } } }";
        let input = json!({ "i": {
            "roleId": role, "title": "Rewrote the deployer in Go", "context": "Slow deploys",
            "actions": ["Rewrote it"], "results": ["Deploys take 30 s"],
            "metrics": [{ "label": "배포 시간", "value": 30.0, "unit": "s", "display": "30초" }],
            "links": [{ "kind": "BLOG_POST", "title": "How", "url": "https://example.com/how" }],
            "skillIds": [go]
        } });
        let created =
            app.as_token(&token).data(create, input).await["createAchievement"]["achievement"]
                .clone();
        assert_eq!(
            created["metrics"],
            json!([{ "value": 30.0, "unit": "s", "display": "30초" }]),
            "[{b}]"
        );
        assert_eq!(created["skills"], json!([{ "name": "Go" }]), "[{b}]");
        assert_eq!(created["role"]["organization"], "주식회사 무신사", "[{b}]");
        let go_users = app
            .anonymous()
            .data(
                "{ person(slug: \"dahye-ahn\") { achievements(skill: \"go\") { totalCount } } }",
                json!({}),
            )
            .await;
        assert_eq!(
            go_users["person"]["achievements"]["totalCount"], 1,
            "[{b}] the skill filter sees it"
        );

        // Exactly one parent; bad metric and link values are named.
        let errors = app
            .as_token(&token)
            .errors(create, json!({ "i": { "title": "Orphan" } }))
            .await;
        assert_eq!(fields(&errors), ["input.roleId"], "[{b}]");
        let errors = app
            .as_token(&token).errors(create, json!({ "i": { "roleId": role, "title": "T",
                "metrics": [{ "label": "", "display": "d" }], "links": [{ "kind": "TALK", "title": "t", "url": "not a url" }] } }))
            .await;
        let mut found = fields(&errors);
        found.sort();
        assert_eq!(
            found,
            ["input.links[0].url", "input.metrics[0].label"],
            "[{b}]"
        );

        let set = "mutation($i: SetAchievementSkillsInput!) { setAchievementSkills(input: $i) { achievement { skills { name } version } } }";
        let python = skills
            .iter()
            .find(|s| s["name"] == "Python")
            .expect("Python")["id"]
            .clone();
        let done = app
            .as_token(&token)
            .data(
                set,
                json!({ "i": { "id": created["id"], "skillIds": [python, go] } }),
            )
            .await;
        assert_eq!(
            done["setAchievementSkills"]["achievement"]["skills"],
            json!([{ "name": "Python" }, { "name": "Go" }]),
            "[{b}]"
        );
        assert_eq!(
            done["setAchievementSkills"]["achievement"]["version"], 2,
            "[{b}]"
        );
    }
}

#[tokio::test]
async fn a_mutation_failing_half_way_leaves_nothing_behind() {
    for app in TestApp::all().await {
        let b = app.backend;
        import(&app, &copy_of_bundled("someone-else")).await;
        let (token, _) = owner(&app).await;
        let before = app.snapshot("dahye-ahn").await;
        let data = app.anonymous().data("{ a: person(slug: \"dahye-ahn\") { roles { nodes { id } } } b: person(slug: \"someone-else\") { skills { nodes { id } } } }", json!({})).await;
        let role = data["a"]["roles"]["nodes"][0]["id"].clone();
        let foreign_skill = data["b"]["skills"]["nodes"][0]["id"].clone();
        // The achievement and its metrics are written before the skills are
        // checked; the foreign skill fails the last step.
        let create = "mutation($i: CreateAchievementInput!) { createAchievement(input: $i) { achievement { id } } }";
        let input = json!({ "i": { "roleId": role, "title": "Half", "metrics": [{ "label": "l", "display": "d" }], "skillIds": [foreign_skill] } });
        let errors = app.as_token(&token).errors(create, input).await;
        assert_eq!(fields(&errors), ["input.skillIds[0]"], "[{b}]");
        assert_eq!(
            app.snapshot("dahye-ahn").await,
            before,
            "[{b}] no achievement, metric or link was kept"
        );
    }
}

#[tokio::test]
async fn skill_names_are_unique_per_person_ignoring_case() {
    for app in TestApp::all().await {
        let b = app.backend;
        let (token, person) = owner(&app).await;
        let create = "mutation($i: CreateSkillInput!) { createSkill(input: $i) { skill { name category } } }";
        let errors = app.as_token(&token).errors(create, json!({ "i": { "personId": person, "name": "kubernetes", "category": "CONTAINER" } })).await;
        assert_eq!(codes(&errors), ["BAD_USER_INPUT"], "[{b}]");
        assert_eq!(fields(&errors), ["input.name"], "[{b}]");
        let made = app
            .as_token(&token)
            .data(
                create,
                json!({ "i": { "personId": person, "name": "Rust", "category": "LANGUAGE" } }),
            )
            .await;
        assert_eq!(
            made["createSkill"]["skill"],
            json!({ "name": "Rust", "category": "LANGUAGE" }),
            "[{b}]"
        );
        // Another person may have the same name.
        import(&app, &copy_of_bundled("someone-else")).await;
        let admin = app.token(None).await;
        let other = app.person_id("someone-else").await;
        app.as_token(&admin)
            .data(
                create,
                json!({ "i": { "personId": other, "name": "RUST", "category": "LANGUAGE" } }),
            )
            .await;
        let update =
            "mutation($i: UpdateSkillInput!) { updateSkill(input: $i) { skill { name } } }";
        let skills = app
            .anonymous()
            .data(
                "{ person(slug: \"dahye-ahn\") { skills(first: 1) { nodes { id } } } }",
                json!({}),
            )
            .await;
        let first = skills["person"]["skills"]["nodes"][0]["id"].clone();
        let errors = app
            .as_token(&token)
            .errors(update, json!({ "i": { "id": first, "name": "RUST" } }))
            .await;
        assert_eq!(
            fields(&errors),
            ["input.name"],
            "[{b}] renaming onto an existing name"
        );
    }
}

#[tokio::test]
async fn links_activities_education_and_languages_are_edited_with_their_rules() {
    for app in TestApp::all().await {
        let b = app.backend;
        let (token, person) = owner(&app).await;
        let link = "mutation($i: CreateProfileLinkInput!) { createProfileLink(input: $i) { profileLink { id kind url } } }";
        let errors = app.as_token(&token).errors(link, json!({ "i": { "personId": person, "kind": "WEBSITE", "label": "", "url": "example.com" } })).await;
        let mut found = fields(&errors);
        found.sort();
        assert_eq!(found, ["input.label", "input.url"], "[{b}]");
        let made = app.as_token(&token).data(link, json!({ "i": { "personId": person, "kind": "WEBSITE", "label": "Site", "url": "https://example.com" } })).await;
        assert_eq!(
            made["createProfileLink"]["profileLink"]["kind"], "WEBSITE",
            "[{b}]"
        );

        let activity = "mutation($i: CreateActivityInput!) { createActivity(input: $i) { activity { kind title year } } }";
        let errors = app
            .as_token(&token)
            .errors(
                activity,
                json!({ "i": { "personId": person, "kind": "TALK", "title": "T", "year": 12345 } }),
            )
            .await;
        assert_eq!(fields(&errors), ["input.year"], "[{b}]");
        let made = app.as_token(&token).data(activity, json!({ "i": { "personId": person, "kind": "TALK", "title": "KubeCon", "year": 2025 } })).await;
        assert_eq!(
            made["createActivity"]["activity"],
            json!({ "kind": "TALK", "title": "KubeCon", "year": 2025 }),
            "[{b}]"
        );

        let education = "mutation($i: CreateEducationInput!) { createEducation(input: $i) { education { institution status } } }";
        let errors = app.as_token(&token).errors(education, json!({ "i": { "personId": person, "institution": "U", "start": "2020-01", "end": "2019-01" } })).await;
        assert_eq!(fields(&errors), ["input.end"], "[{b}]");
        app.as_token(&token)
            .data(
                education,
                json!({ "i": { "personId": person, "institution": "U", "status": "ENROLLED" } }),
            )
            .await;

        let language = "mutation($i: CreateLanguageInput!) { createLanguage(input: $i) { language { id name fluency } } }";
        let made = app
            .as_token(&token)
            .data(
                language,
                json!({ "i": { "personId": person, "name": "日本語", "fluency": "기초" } }),
            )
            .await;
        let id = made["createLanguage"]["language"]["id"].clone();
        let update = "mutation($i: UpdateLanguageInput!) { updateLanguage(input: $i) { language { fluency version } } }";
        let cleared = app
            .as_token(&token)
            .data(update, json!({ "i": { "id": id, "fluency": null } }))
            .await;
        assert_eq!(
            cleared["updateLanguage"]["language"],
            json!({ "fluency": null, "version": 2 }),
            "[{b}]"
        );
        let all = app.anonymous().data("{ person(slug: \"dahye-ahn\") { profileLinks { kind } activities { totalCount } education { institution } languages { name } } }", json!({})).await;
        assert_eq!(
            all["person"]["profileLinks"].as_array().map(Vec::len),
            Some(4),
            "[{b}]"
        );
        assert_eq!(all["person"]["activities"]["totalCount"], 9, "[{b}]");
        assert_eq!(
            all["person"]["languages"].as_array().map(Vec::len),
            Some(2),
            "[{b}]"
        );
    }
}

#[tokio::test]
async fn any_change_in_the_portfolio_moves_the_persons_updated_at() {
    for app in TestApp::all().await {
        let b = app.backend;
        let (token, person) = owner(&app).await;
        let read = "{ person(slug: \"dahye-ahn\") { updatedAt version languages { id } } }";
        let before = app.anonymous().data(read, json!({})).await;
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        let language = before["person"]["languages"][0]["id"].clone();
        app.as_token(&token).data("mutation($i: UpdateLanguageInput!) { updateLanguage(input: $i) { language { name } } }", json!({ "i": { "id": language, "fluency": "원어민 수준" } }))
            .await;
        let after = app.anonymous().data(read, json!({})).await;
        assert_ne!(
            after["person"]["updatedAt"], before["person"]["updatedAt"],
            "[{b}]"
        );
        assert_eq!(
            after["person"]["version"], before["person"]["version"],
            "[{b}] the person's own fields did not change"
        );
        let _ = person;
    }
}
