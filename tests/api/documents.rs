//! The native document: export reproduces what was imported, import replaces
//! a person whole, and malformed documents are rejected with file, line and
//! field.

use portfolio::document::{self, DocumentError};
use portfolio::service;
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn exporting_the_bundled_portfolio_gives_back_the_bundled_document() {
    for app in TestApp::all().await {
        let exported = service::export_document(&app.db, "dahye-ahn")
            .await
            .expect("export")
            .expect("person exists");
        assert_eq!(exported, bundled(), "[{}]", app.backend);
    }
}

#[tokio::test]
async fn importing_an_export_reproduces_the_same_document_text() {
    for app in TestApp::all().await {
        let b = app.backend;
        let first = service::export_document(&app.db, "dahye-ahn")
            .await
            .expect("export")
            .expect("person");
        let text = document::to_toml(&first);
        let reparsed = document::parse("export.toml", &text).expect("an export parses");
        let outcome = service::import_document(&app.db, &reparsed)
            .await
            .expect("import");
        assert!(outcome.replaced, "[{b}] the same slug is replaced");
        let second = service::export_document(&app.db, "dahye-ahn")
            .await
            .expect("export")
            .expect("person");
        assert_eq!(document::to_toml(&second), text, "[{b}]");
        let people = app
            .anonymous()
            .data("{ people { totalCount } }", json!({}))
            .await;
        assert_eq!(
            people["people"]["totalCount"], 1,
            "[{b}] replaced, not duplicated"
        );
    }
}

#[tokio::test]
async fn importing_replaces_the_whole_portfolio_of_the_same_slug() {
    for app in TestApp::all().await {
        let b = app.backend;
        let mut smaller = bundled();
        smaller.roles.truncate(1);
        smaller.roles[0].achievements.truncate(2);
        smaller.activities.clear();
        smaller.person.headline = "Platform Engineer".to_owned();
        import(&app, &smaller).await;
        let data = app
            .anonymous().data(
                r#"{ person(slug: "dahye-ahn") { headline roles { totalCount } achievements { totalCount } activities { totalCount } skills { totalCount } } }"#,
                json!({}),
            )
            .await;
        assert_eq!(
            data["person"],
            json!({
                "headline": "Platform Engineer",
                "roles": { "totalCount": 1 },
                "achievements": { "totalCount": 2 },
                "activities": { "totalCount": 0 },
                "skills": { "totalCount": 26 }
            }),
            "[{b}]"
        );
    }
}

fn reject(text: &str) -> DocumentError {
    document::parse("bad.toml", text).expect_err("the document must be rejected")
}

const VALID_HEAD: &str = "format = 1\n\n[person]\nslug = \"jane-doe\"\nlocale = \"en\"\nname = \"Jane\"\nheadline = \"SRE\"\n";

#[test]
fn a_toml_syntax_error_names_the_file_and_line() {
    let err = reject("format = 1\n[person\nslug = \"x\"\n");
    let message = err.to_string();
    assert!(message.contains("bad.toml:2"), "{message}");
}

#[test]
fn an_unknown_field_is_named_with_its_line() {
    let err = reject(&format!(
        "{VALID_HEAD}\n[[roles]]\norganization = \"A\"\ntitel = \"typo\"\nstart = \"2020-01\"\n"
    ));
    let problem = &err.problems[0];
    assert_eq!(problem.line, Some(11), "{err}");
    assert!(problem.message.contains("titel"), "{err}");
    assert!(err.to_string().contains("bad.toml:11"), "{err}");
}

#[test]
fn a_missing_required_field_names_the_table() {
    let err = reject(&format!(
        "{VALID_HEAD}\n[[roles]]\norganization = \"A\"\nstart = \"2020-01\"\n"
    ));
    let problem = &err.problems[0];
    assert!(problem.message.contains("title"), "{err}");
    assert!(problem.field.starts_with("roles[0]"), "{err}");
    assert_eq!(problem.line, Some(9), "{err}");
}

#[test]
fn a_wrong_type_and_a_bad_enum_value_are_named_with_their_lines() {
    let err = reject(&format!(
        "{VALID_HEAD}\n[[skills]]\nname = \"Go\"\ncategory = \"LANGUAGES\"\n"
    ));
    let problem = &err.problems[0];
    assert_eq!(problem.field, "skills[0].category", "{err}");
    assert_eq!(problem.line, Some(11), "{err}");
    assert!(problem.message.contains("LANGUAGES"), "{err}");

    let err = reject(&format!(
        "{VALID_HEAD}summary = \"one paragraph, not a list\"\n"
    ));
    assert_eq!(err.problems[0].field, "person.summary", "{err}");
    assert_eq!(err.problems[0].line, Some(8), "{err}");
}

#[test]
fn a_month_that_is_not_yyyy_mm_is_rejected_at_its_line() {
    let err = reject(&format!(
        "{VALID_HEAD}\n[[roles]]\norganization = \"A\"\ntitle = \"B\"\nstart = \"2020-13\"\n"
    ));
    let problem = &err.problems[0];
    assert_eq!(problem.field, "roles[0].start", "{err}");
    assert_eq!(problem.line, Some(12), "{err}");
    assert!(problem.message.contains("YYYY-MM"), "{err}");
}

#[test]
fn every_broken_rule_is_reported_at_once_with_field_and_line() {
    let text = "format = 1\n\n[person]\nslug = \"Not A Slug\"\nname = \" \"\nheadline = \"SRE\"\nlocale = \"en\"\n\n\
         [[links]]\nkind = \"BLOG\"\nlabel = \"Blog\"\nurl = \"ftp://example.com\"\n\n\
         [[skills]]\nname = \"Go\"\ncategory = \"LANGUAGE\"\n\n[[skills]]\nname = \"go\"\ncategory = \"LANGUAGE\"\n\n\
         [[roles]]\norganization = \"A\"\ntitle = \"B\"\nstart = \"2022-09\"\nend = \"2021-06\"\n\n\
         [[roles.achievements]]\ntitle = \"Did it\"\nskills = [\"Rust\"]\n";
    let err = reject(text);
    let found: Vec<(&str, Option<usize>)> = err
        .problems
        .iter()
        .map(|p| (p.field.as_str(), p.line))
        .collect();
    assert_eq!(
        found,
        [
            ("person.slug", Some(4)),
            ("person.name", Some(5)),
            ("links[0].url", Some(12)),
            ("skills[1].name", Some(19)),
            ("roles[0].end", Some(26)),
            ("roles[0].achievements[0].skills[0]", Some(30)),
        ],
        "{err}"
    );
    let message = err.to_string();
    assert!(message.contains("6 problems"), "{message}");
    assert!(message.contains("bad.toml:30"), "{message}");
    assert!(message.contains("\"Rust\""), "{message}");
}

#[test]
fn a_document_of_another_format_version_is_refused() {
    let err = reject(&VALID_HEAD.replace("format = 1", "format = 2"));
    assert_eq!(err.problems[0].field, "format", "{err}");
    assert_eq!(err.problems[0].line, Some(1), "{err}");
}

#[test]
fn the_example_in_the_format_documentation_is_a_valid_document() {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/portfolio-format.md"
    ))
    .expect("docs");
    let example = doc
        .split("```toml\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a toml example block");
    let parsed =
        document::parse("docs/portfolio-format.md", example).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(parsed.person.slug, "jane-doe");
    assert_eq!(parsed.roles[0].achievements[0].skills, ["k6", "python"]);
}

/// A document in English offering Korean, with one role to translate.
const BILINGUAL: &str = "format = 1\n\n[person]\nslug = \"jane-doe\"\nlocale = \"en\"\nlocales = [\"ko\"]\nname = \"Jane\"\nheadline = \"SRE\"\n\n[[roles]]\norganization = \"Acme\"\ntitle = \"SRE\"\nstart = \"2020-01\"\n";

fn problems_of(text: &str) -> Vec<(String, Option<usize>)> {
    reject(text)
        .problems
        .into_iter()
        .map(|p| (p.field, p.line))
        .collect()
}

#[test]
fn translations_are_kept_next_to_the_text_and_parsed_per_item() {
    let text = format!(
        "{BILINGUAL}\n[roles.translations.ko]\norganization = \"애크미\"\n\n[[roles.achievements]]\ntitle = \"Did it\"\nactions = [\"a\", \"b\"]\n\n[roles.achievements.translations.ko]\ntitle = \"해냄\"\nactions = [\"가\", \"나\"]\n\n[[roles.achievements.links]]\nkind = \"TALK\"\ntitle = \"Talk\"\nevent = \"Meetup\"\ndate = \"2024-05\"\n\n[roles.achievements.links.translations.ko]\ntitle = \"발표\"\nevent = \"모임\"\n"
    );
    let doc = document::parse("ok.toml", &text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(doc.person.locales, ["ko"]);
    let role = &doc.roles[0];
    assert_eq!(
        role.translations["ko"].organization.as_deref(),
        Some("애크미")
    );
    let achievement = &role.achievements[0];
    assert_eq!(
        achievement.translations["ko"].actions.as_deref(),
        Some(&["가".to_owned(), "나".to_owned()][..])
    );
    let link = &achievement.links[0];
    assert_eq!(link.event.as_deref(), Some("Meetup"));
    assert_eq!(link.date.map(|d| d.to_string()).as_deref(), Some("2024-05"));
    assert_eq!(link.translations["ko"].event.as_deref(), Some("모임"));
    // Written back, it reads the same.
    let written = document::to_toml(&doc);
    assert!(
        written.contains("[roles.achievements.links.translations.ko]"),
        "{written}"
    );
    assert_eq!(document::parse("again.toml", &written).ok(), Some(doc));
}

#[test]
fn a_typo_in_a_translated_key_is_named_with_its_line() {
    let err = reject(&format!(
        "{BILINGUAL}\n[roles.translations.ko]\norganisation = \"애크미\"\n"
    ));
    let problem = &err.problems[0];
    assert_eq!(
        problem.field, "roles[0].translations.ko.organisation",
        "{err}"
    );
    assert!(problem.message.contains("organisation"), "{err}");
    assert_eq!(problem.line, Some(16), "{err}");
}

#[test]
fn a_translation_in_a_locale_not_offered_or_in_the_documents_own_is_refused_with_its_path() {
    let found = problems_of(&format!(
        "{BILINGUAL}\n[roles.translations.fr]\ntitle = \"Ingénieure\"\n\n[roles.translations.en]\ntitle = \"Engineer\"\n\n[roles.translations.EN-gb]\ntitle = \"Engineer\"\n\n[roles.translations.xx-notatag]\ntitle = \"?\"\n"
    ));
    let fields: Vec<&str> = found.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(
        fields,
        [
            "roles[0].translations.EN-gb",
            "roles[0].translations.en",
            "roles[0].translations.fr",
            "roles[0].translations.xx-notatag",
        ],
        "{found:?}"
    );
    assert!(found.iter().all(|(_, line)| line.is_some()), "{found:?}");

    let err = reject(&format!(
        "{BILINGUAL}\n[roles.translations.fr]\ntitle = \"Ingénieure\"\n"
    ));
    assert!(err.problems[0].message.contains("person.locales"), "{err}");
    let err = reject(&format!(
        "{BILINGUAL}\n[roles.translations.en]\ntitle = \"Engineer\"\n"
    ));
    assert!(err.problems[0].message.contains("own locale"), "{err}");
}

#[test]
fn the_persons_locales_are_registered_canonical_tags_other_than_its_own() {
    let text = BILINGUAL
        .replace("locale = \"en\"", "locale = \"english\"")
        .replace(
            "locales = [\"ko\"]",
            "locales = [\"ko\", \"ko\", \"ko-kr\", \"en_US\"]",
        );
    let found = problems_of(&text);
    let fields: Vec<&str> = found.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(
        fields,
        [
            "person.locale",
            "person.locales[1]",
            "person.locales[2]",
            "person.locales[3]"
        ],
        "{found:?}"
    );
    let err = reject(&BILINGUAL.replace("locales = [\"ko\"]", "locales = [\"en\"]"));
    assert_eq!(err.problems[0].field, "person.locales[0]", "{err}");
}

#[test]
fn translations_are_held_to_the_rules_of_the_fields_they_translate() {
    let long = "가".repeat(201);
    let found = problems_of(&format!(
        "{BILINGUAL}\n[roles.translations.ko]\norganization = \"{long}\"\ntitle = \" \"\ndepartment = \"없는 부서\"\n\n[[roles.achievements]]\ntitle = \"Did it\"\nactions = [\"a\", \"b\"]\n\n[roles.achievements.translations.ko]\nactions = [\"가\"]\n\n[[roles.achievements.metrics]]\nlabel = \"Speed\"\ndisplay = \"2x\"\n\n[roles.achievements.metrics.translations.ko]\n\n[[roles.achievements.links]]\nkind = \"TALK\"\ntitle = \"Talk\"\n\n[roles.achievements.links.translations.ko]\npublisher = \"누군가\"\n"
    ));
    let fields: Vec<&str> = found.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(
        fields,
        [
            "roles[0].translations.ko.department",
            "roles[0].translations.ko.organization",
            "roles[0].translations.ko.title",
            "roles[0].achievements[0].metrics[0].translations.ko",
            "roles[0].achievements[0].links[0].translations.ko.publisher",
            "roles[0].achievements[0].translations.ko.actions",
        ],
        "{found:?}"
    );
}

#[test]
fn an_award_names_an_activity_of_the_document_by_its_title() {
    let activities = "\n[[activities]]\nkind = \"OPEN_SOURCE\"\ntitle = \"Contributions\"\n\n[[activities]]\nkind = \"AWARD\"\ntitle = \"Prize\"\nawarded_for = \"Contributions\"\n";
    let doc = document::parse("ok.toml", &format!("{BILINGUAL}{activities}"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        doc.activities[1].awarded_for.as_deref(),
        Some("Contributions")
    );

    let unknown = activities.replace(
        "awarded_for = \"Contributions\"",
        "awarded_for = \"Contribution\"",
    );
    let err = reject(&format!("{BILINGUAL}{unknown}"));
    assert_eq!(err.problems[0].field, "activities[1].awarded_for", "{err}");
    assert_eq!(err.problems[0].line, Some(22), "{err}");
    assert!(
        err.problems[0].message.contains("\"Contribution\""),
        "{err}"
    );

    let not_an_award = activities.replace("kind = \"AWARD\"", "kind = \"COMPETITION\"");
    let err = reject(&format!("{BILINGUAL}{not_an_award}"));
    assert_eq!(err.problems[0].field, "activities[1].awarded_for", "{err}");
}

/// Whether a text holds Korean letters (Hangul syllables or jamo).
fn has_hangul(text: &str) -> bool {
    text.chars().any(|c| {
        matches!(c, '\u{AC00}'..='\u{D7A3}' | '\u{1100}'..='\u{11FF}' | '\u{3130}'..='\u{318F}')
    })
}

/// Every string of a JSON value.
fn strings_in(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(items) => items.iter().for_each(|v| strings_in(v, out)),
        serde_json::Value::Object(map) => map.values().for_each(|v| strings_in(v, out)),
        _ => {}
    }
}

#[test]
fn every_korean_text_of_the_bundled_portfolio_has_an_english_translation() {
    let doc = bundled();
    assert_eq!(doc.person.locale, "ko");
    assert_eq!(doc.person.locales, ["en"]);
    let english = document::localize(&doc, &portfolio::domain::Locale::parse("en").expect("en"));
    let mut texts = Vec::new();
    strings_in(&serde_json::to_value(&english).expect("json"), &mut texts);
    let korean: Vec<&String> = texts.iter().filter(|t| has_hangul(t)).collect();
    assert!(korean.is_empty(), "not translated: {korean:#?}");
    // And the Korean reading is the document's own text.
    let korean = document::localize(&doc, &portfolio::domain::Locale::parse("ko").expect("ko"));
    assert_eq!(korean.roles[0].organization, "주식회사 무신사");
    assert_eq!(english.roles[0].organization, "MUSINSA Co., Ltd.");
    assert_eq!(english.person.name, "Dahye Ahn");
    assert_eq!(english.education[0].institution, "Dongguk University");
}

#[tokio::test]
async fn an_import_keeps_translations_locales_and_the_award_link_in_the_database() {
    use entity::{activity, person, role};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    for app in TestApp::all().await {
        let b = app.backend;
        let p = person::Entity::find()
            .filter(person::Column::Slug.eq("dahye-ahn"))
            .one(&app.db)
            .await
            .expect("query")
            .expect("person");
        assert_eq!(p.locales.as_deref(), Some("[\"en\"]"), "[{b}]");
        let translations =
            portfolio::domain::locale::Translations::decode(p.translations.as_deref())
                .expect("json");
        assert_eq!(
            translations.0["en"]["name"],
            portfolio::domain::locale::Text::One("Dahye Ahn".to_owned()),
            "[{b}]"
        );
        let musinsa = role::Entity::find()
            .filter(role::Column::PersonId.eq(p.id))
            .filter(role::Column::Organization.eq("주식회사 무신사"))
            .one(&app.db)
            .await
            .expect("query")
            .expect("role");
        assert_eq!(musinsa.employment_type, None, "[{b}]");
        assert!(
            musinsa
                .translations
                .as_deref()
                .is_some_and(|t| t.contains("MUSINSA Co., Ltd.")),
            "[{b}]"
        );
        let activities = activity::Entity::find()
            .filter(activity::Column::PersonId.eq(p.id))
            .all(&app.db)
            .await
            .expect("query");
        let by_title = |title: &str| {
            activities
                .iter()
                .find(|a| a.title == title)
                .unwrap_or_else(|| panic!("[{b}] no activity {title}"))
        };
        let award = by_title("과학기술정보통신부장관상 (대상)");
        let project = by_title("Argo Workflows 오픈소스 기여");
        assert_eq!(award.awarded_for_id, Some(project.id), "[{b}]");
        assert!(
            activities
                .iter()
                .filter(|a| a.id != award.id)
                .all(|a| a.awarded_for_id.is_none()),
            "[{b}]"
        );
        let community = by_title("성수 지역 소모임/Women In Cloud 오거나이저");
        assert!(
            community.links.contains("\"event\":\"AWSKRUG\""),
            "[{b}] {}",
            community.links
        );
    }
}
