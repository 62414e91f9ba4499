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
                "skills": { "totalCount": 24 }
            }),
            "[{b}]"
        );
    }
}

fn reject(text: &str) -> DocumentError {
    document::parse("bad.toml", text).expect_err("the document must be rejected")
}

const VALID_HEAD: &str =
    "format = 1\n\n[person]\nslug = \"jane-doe\"\nname = \"Jane\"\nheadline = \"SRE\"\n";

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
    assert_eq!(problem.line, Some(10), "{err}");
    assert!(problem.message.contains("titel"), "{err}");
    assert!(err.to_string().contains("bad.toml:10"), "{err}");
}

#[test]
fn a_missing_required_field_names_the_table() {
    let err = reject(&format!(
        "{VALID_HEAD}\n[[roles]]\norganization = \"A\"\nstart = \"2020-01\"\n"
    ));
    let problem = &err.problems[0];
    assert!(problem.message.contains("title"), "{err}");
    assert!(problem.field.starts_with("roles[0]"), "{err}");
    assert_eq!(problem.line, Some(8), "{err}");
}

#[test]
fn a_wrong_type_and_a_bad_enum_value_are_named_with_their_lines() {
    let err = reject(&format!(
        "{VALID_HEAD}\n[[skills]]\nname = \"Go\"\ncategory = \"LANGUAGES\"\n"
    ));
    let problem = &err.problems[0];
    assert_eq!(problem.field, "skills[0].category", "{err}");
    assert_eq!(problem.line, Some(10), "{err}");
    assert!(problem.message.contains("LANGUAGES"), "{err}");

    let err = reject(&format!(
        "{VALID_HEAD}summary = \"one paragraph, not a list\"\n"
    ));
    assert_eq!(err.problems[0].field, "person.summary", "{err}");
    assert_eq!(err.problems[0].line, Some(7), "{err}");
}

#[test]
fn a_month_that_is_not_yyyy_mm_is_rejected_at_its_line() {
    let err = reject(&format!(
        "{VALID_HEAD}\n[[roles]]\norganization = \"A\"\ntitle = \"B\"\nstart = \"2020-13\"\n"
    ));
    let problem = &err.problems[0];
    assert_eq!(problem.field, "roles[0].start", "{err}");
    assert_eq!(problem.line, Some(11), "{err}");
    assert!(problem.message.contains("YYYY-MM"), "{err}");
}

#[test]
fn every_broken_rule_is_reported_at_once_with_field_and_line() {
    let text = "format = 1\n\n[person]\nslug = \"Not A Slug\"\nname = \" \"\nheadline = \"SRE\"\n\n\
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
            ("links[0].url", Some(11)),
            ("skills[1].name", Some(18)),
            ("roles[0].end", Some(25)),
            ("roles[0].achievements[0].skills[0]", Some(29)),
        ],
        "{err}"
    );
    let message = err.to_string();
    assert!(message.contains("6 problems"), "{message}");
    assert!(message.contains("bad.toml:29"), "{message}");
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
