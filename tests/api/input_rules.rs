//! The rules every input is held to beyond its type: characters of text,
//! URLs and e-mail addresses, the sizes of lists, and how many items one
//! person may have. The same rules hold for mutations, portfolio documents
//! and JSON Resume imports.

use serde_json::{Value, json};

use portfolio::domain::limits;

use crate::helpers::*;

const UPDATE_PERSON: &str =
    "mutation($i: UpdatePersonInput!) { updatePerson(input: $i) { person { summary } } }";
const CREATE_ACHIEVEMENT: &str =
    "mutation($i: CreateAchievementInput!) { createAchievement(input: $i) { achievement { id } } }";

async fn owner(app: &TestApp) -> (String, String) {
    (
        app.token(Some("dahye-ahn")).await,
        app.person_id("dahye-ahn").await,
    )
}

async fn first_role(app: &TestApp) -> Value {
    let data = app
        .anonymous()
        .data(
            "{ person(slug: \"dahye-ahn\") { roles { nodes { id } } } }",
            json!({}),
        )
        .await;
    data["person"]["roles"]["nodes"][0]["id"].clone()
}

fn sorted_fields(errors: &[Value]) -> Vec<String> {
    let mut found = fields(errors);
    found.sort();
    found
}

#[tokio::test]
async fn text_with_control_or_direction_characters_or_nothing_visible_is_refused() {
    for app in TestApp::all().await {
        let b = app.backend;
        let (token, id) = owner(&app).await;
        let before = app.snapshot("dahye-ahn").await;
        let input = json!({ "i": {
            "id": id,
            "name": "안다혜\u{0}",
            "headline": "\u{200B}\u{FEFF} \u{200D}",
            "location": "Seoul\u{1b}[2J",
            "slug": "dahye-ahn",
            "summary": ["two\nlines\tare fine", "an \u{202E}override", "a\u{7}bell"],
            "avatarUrl": "https://example.com/\u{1}",
            "email": "not an address"
        } });
        let errors = app.as_token(&token).errors(UPDATE_PERSON, input).await;
        assert!(
            codes(&errors).iter().all(|c| c == "BAD_USER_INPUT"),
            "[{b}] {errors:?}"
        );
        assert_eq!(
            sorted_fields(&errors),
            [
                "input.avatarUrl",
                "input.email",
                "input.headline",
                "input.location",
                "input.name",
                "input.summary[1]",
                "input.summary[2]",
            ],
            "[{b}] {errors:?}"
        );
        assert_eq!(app.snapshot("dahye-ahn").await, before, "[{b}] unchanged");

        // One-line fields take no line feed; multi-line ones do.
        let errors = app
            .as_token(&token)
            .errors(
                UPDATE_PERSON,
                json!({ "i": { "id": id, "headline": "two\nlines" } }),
            )
            .await;
        assert_eq!(fields(&errors), ["input.headline"], "[{b}]");
        for bad in ["a@b", "@example.com", "a@@example.com", "a b@example.com"] {
            let errors = app
                .as_token(&token)
                .errors(UPDATE_PERSON, json!({ "i": { "id": id, "email": bad } }))
                .await;
            assert_eq!(fields(&errors), ["input.email"], "[{b}] {bad}");
        }
        let done = app
            .as_token(&token).data(UPDATE_PERSON,
                json!({ "i": { "id": id, "summary": ["첫 줄\n둘째 줄\t끝"], "email": "dahye@example.com" } }),
            )
            .await;
        assert_eq!(
            done["updatePerson"]["person"]["summary"],
            json!(["첫 줄\n둘째 줄\t끝"]),
            "[{b}]"
        );

        // Items are held to the same rules.
        let role = first_role(&app).await;
        let errors = app
            .as_token(&token).errors(CREATE_ACHIEVEMENT,
                json!({ "i": { "roleId": role, "title": "ok", "actions": ["\u{2066}isolated\u{2069}"],
                    "metrics": [{ "label": "l\nl", "display": "\u{2060}" }],
                    "links": [{ "kind": "TALK", "title": "t", "url": "https://example.com/a b" }] } }),
            )
            .await;
        assert_eq!(
            sorted_fields(&errors),
            [
                "input.actions[0]",
                "input.links[0].url",
                "input.metrics[0].display",
                "input.metrics[0].label",
            ],
            "[{b}] {errors:?}"
        );
    }
}

#[test]
fn a_document_is_held_to_the_same_text_rules_and_the_bundled_one_passes() {
    let bundled = portfolio::document::BUNDLED;
    portfolio::document::parse("bundled", bundled).expect("the bundled portfolio loads");
    let bad = bundled.replacen("name = \"안다혜\"", "name = \"안다혜\\u001B[31m\"", 1);
    assert_ne!(bad, bundled, "the document names its person");
    let err = portfolio::document::parse("bad.toml", &bad).expect_err("refused");
    let problems: Vec<_> = err.problems.iter().map(|p| p.field.as_str()).collect();
    assert_eq!(problems, ["person.name"], "{err}");

    let mut document = bundled_document();
    document.person.email = Some("nobody".to_owned());
    document.roles[0].achievements[0].title = "\u{200B}".to_owned();
    let problems: Vec<_> = portfolio::document::check(&document)
        .into_iter()
        .map(|(field, _)| field)
        .collect();
    assert_eq!(
        problems,
        ["person.email", "roles[0].achievements[0].title"],
        "{problems:?}"
    );
}

fn bundled_document() -> portfolio::document::PortfolioDocument {
    bundled()
}

#[tokio::test]
async fn a_list_over_its_cap_is_refused_by_field_before_any_sql() {
    for app in TestApp::all().await {
        let b = app.backend;
        let (token, person) = owner(&app).await;
        let role = first_role(&app).await;
        let before = app.snapshot("dahye-ahn").await;
        let metric = json!({ "label": "l", "display": "d" });
        let many = |n: usize, item: Value| Value::Array(vec![item; n]);
        let achievement = app
            .anonymous()
            .data(
                "{ person(slug: \"dahye-ahn\") { achievements(first: 1) { nodes { id } } } }",
                json!({}),
            )
            .await["person"]["achievements"]["nodes"][0]["id"]
            .clone();
        let skill = app
            .anonymous()
            .data(
                "{ person(slug: \"dahye-ahn\") { skills(first: 1) { nodes { id } } } }",
                json!({}),
            )
            .await["person"]["skills"]["nodes"][0]["id"]
            .clone();
        let cases = [
            (
                CREATE_ACHIEVEMENT,
                json!({ "roleId": role, "title": "t", "metrics": many(4000, metric.clone()) }),
                "input.metrics",
            ),
            (
                "mutation($i: UpdateAchievementInput!) { updateAchievement(input: $i) { achievement { id } } }",
                json!({ "id": achievement, "metrics": many(51, metric.clone()) }),
                "input.metrics",
            ),
            (
                "mutation($i: UpdateAchievementInput!) { updateAchievement(input: $i) { achievement { id } } }",
                json!({ "id": achievement, "actions": many(51, json!("a")), "results": many(51, json!("r")) }),
                "input.actions",
            ),
            (
                CREATE_ACHIEVEMENT,
                json!({ "roleId": role, "title": "t", "links": many(51, json!({ "kind": "TALK", "title": "t" })) }),
                "input.links",
            ),
            (
                "mutation($i: SetAchievementSkillsInput!) { setAchievementSkills(input: $i) { achievement { id } } }",
                json!({ "id": achievement, "skillIds": many(51, skill.clone()) }),
                "input.skillIds",
            ),
            (
                "mutation($i: ReorderInput!) { reorderSkills(input: $i) { person { id } } }",
                json!({ "personId": person, "ids": many(201, skill.clone()) }),
                "input.ids",
            ),
            (
                "mutation($i: ReorderAchievementsInput!) { reorderAchievements(input: $i) { role { id } } }",
                json!({ "parentId": role, "ids": many(501, achievement.clone()) }),
                "input.ids",
            ),
            (
                UPDATE_PERSON,
                json!({ "id": person, "summary": many(51, json!("p")) }),
                "input.summary",
            ),
            (
                "mutation($i: CreateActivityInput!) { createActivity(input: $i) { activity { id } } }",
                json!({ "personId": person, "kind": "TALK", "title": "t", "highlights": many(51, json!("h")) }),
                "input.highlights",
            ),
        ];
        // The token is read once per request; its use was just recorded.
        app.as_token(&token).data("{ __typename }", json!({})).await;
        for (query, input, field) in cases {
            let statements = app.stats.statements();
            let errors = app
                .as_token(&token)
                .errors(query, json!({ "i": input }))
                .await;
            assert!(
                codes(&errors).iter().all(|c| c == "BAD_USER_INPUT"),
                "[{b}] {field}: {errors:?}"
            );
            assert_eq!(fields(&errors)[0], field, "[{b}] {errors:?}");
            assert!(
                errors[0]["message"]
                    .as_str()
                    .is_some_and(|m| m.starts_with("must hold at most ")),
                "[{b}] {errors:?}"
            );
            assert!(errors.len() <= 2, "[{b}] one error per list, not per item");
            assert_eq!(
                app.stats.statements() - statements,
                1,
                "[{b}] {field}: only the token was looked up"
            );
        }
        assert_eq!(app.snapshot("dahye-ahn").await, before, "[{b}] unchanged");

        // At the cap, the list is taken.
        app.as_token(&token).data(CREATE_ACHIEVEMENT,
            json!({ "i": { "roleId": role, "title": "t", "metrics": many(limits::MAX_METRICS_PER_ACHIEVEMENT, metric.clone()) } }),
        )
        .await;
    }
}

#[tokio::test]
async fn a_person_cannot_have_more_items_than_the_limit() {
    for app in TestApp::all().await {
        let b = app.backend;
        let (token, person) = owner(&app).await;
        let create =
            "mutation($i: CreateLanguageInput!) { createLanguage(input: $i) { language { id } } }";
        let count = "{ person(slug: \"dahye-ahn\") { languages { id } } }";
        let have = app.anonymous().data(count, json!({})).await["person"]["languages"]
            .as_array()
            .map_or(0, Vec::len);
        for n in have..portfolio::graphql::language::MAX_PER_PERSON {
            app.as_token(&token)
                .data(
                    create,
                    json!({ "i": { "personId": person, "name": format!("Language {n}") } }),
                )
                .await;
        }
        let before = app.snapshot("dahye-ahn").await;
        let errors = app
            .as_token(&token)
            .errors(
                create,
                json!({ "i": { "personId": person, "name": "One too many" } }),
            )
            .await;
        assert_eq!(codes(&errors), ["BAD_USER_INPUT"], "[{b}]");
        assert_eq!(fields(&errors), ["input.personId"], "[{b}]");
        assert!(
            errors[0]["message"]
                .as_str()
                .is_some_and(|m| m.contains(&format!(
                    "at most {} languages",
                    portfolio::graphql::language::MAX_PER_PERSON
                ))),
            "[{b}] {errors:?}"
        );
        assert_eq!(app.snapshot("dahye-ahn").await, before, "[{b}] unchanged");
    }
}

#[tokio::test]
async fn a_document_or_resume_over_a_limit_is_refused_and_writes_nothing() {
    let mut document = copy_of_bundled("too-many");
    let language = document.languages[0].clone();
    document.languages = vec![language; portfolio::graphql::language::MAX_PER_PERSON + 1];
    let achievement = document.roles[0].achievements[0].clone();
    document.roles[0].achievements[0].metrics =
        vec![achievement.metrics[0].clone(); limits::MAX_METRICS_PER_ACHIEVEMENT + 1];
    // Within each parent's limit, past the person's.
    let activity = document.activities[0].clone();
    document.activities = vec![activity; 11];
    for activity in &mut document.activities {
        activity.achievements = vec![achievement.clone(); limits::MAX_ACHIEVEMENTS_PER_PARENT];
    }
    let problems: Vec<_> = portfolio::document::check(&document)
        .into_iter()
        .map(|(field, _)| field)
        .collect();
    assert_eq!(problems, ["languages", "roles"], "{problems:?}");
    let mut crowded = copy_of_bundled("crowded");
    crowded.roles[1].achievements = vec![achievement; limits::MAX_ACHIEVEMENTS_PER_PARENT + 1];
    let problems: Vec<_> = portfolio::document::check(&crowded)
        .into_iter()
        .map(|(field, _)| field)
        .collect();
    assert_eq!(problems, ["roles[1].achievements"], "{problems:?}");
    let text = portfolio::document::to_toml(&document);
    let err = portfolio::document::parse("too-many.toml", &text).expect_err("refused");
    assert!(
        err.to_string().contains(&format!(
            "at most {} items",
            portfolio::graphql::language::MAX_PER_PERSON
        )),
        "{err}"
    );

    for app in TestApp::all().await {
        let b = app.backend;
        let admin = app.token(None).await;
        let import = "mutation($i: ImportJsonResumeInput!) { importJsonResume(input: $i) { person { id } } }";
        let job = json!({ "name": "Acme", "position": "SRE", "startDate": "2020-01" });
        let resume =
            json!({ "basics": { "name": "Jane", "label": "SRE" }, "work": vec![job; 501] });
        let errors = app
            .as_token(&admin)
            .errors(
                import,
                json!({ "i": { "slug": "jane-doe", "resume": resume } }),
            )
            .await;
        assert_eq!(codes(&errors), ["BAD_USER_INPUT"], "[{b}] {errors:?}");
        assert_eq!(fields(&errors), ["input.resume.work"], "[{b}]");
        let job = json!({ "name": "Acme", "position": "SRE", "startDate": "2020-01" });
        let resume =
            json!({ "basics": { "name": "Jane", "label": "SRE" }, "work": vec![job; 101] });
        let errors = app
            .as_token(&admin)
            .errors(
                import,
                json!({ "i": { "slug": "jane-doe", "resume": resume } }),
            )
            .await;
        assert_eq!(
            fields(&errors),
            ["input.resume(as portfolio).roles"],
            "[{b}] {errors:?}"
        );
        assert!(
            app.snapshot("jane-doe").await.is_none(),
            "[{b}] not created"
        );
    }
}
