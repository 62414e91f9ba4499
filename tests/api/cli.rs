//! The `portfolio` binary's commands against a real database: import, export,
//! schema and migrate.

use std::process::{Command, Output};

use migration::MigratorTrait;
use portfolio::service;
use serde_json::json;

use crate::helpers::*;

fn portfolio(database_url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_portfolio"))
        .arg("--database-url")
        .arg(database_url)
        .args(args)
        .env_remove("PORTFOLIO_ADDR")
        .output()
        .expect("the portfolio binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test]
async fn export_writes_the_document_and_import_of_it_replaces_the_person() {
    for app in TestApp::all().await {
        let b = app.backend;
        let dir = tempdir(b);
        let file = dir.join("dahye.toml");
        let out = portfolio(
            &app.url,
            &["export", "dahye-ahn", "--out", file.to_str().expect("path")],
        );
        assert!(out.status.success(), "[{b}] {}", text(&out.stderr));
        let written = std::fs::read_to_string(&file).expect("export file");
        assert!(written.contains("slug = \"dahye-ahn\""), "[{b}]");

        let out = portfolio(&app.url, &["import", file.to_str().expect("path")]);
        assert!(out.status.success(), "[{b}] {}", text(&out.stderr));
        assert!(
            text(&out.stdout).contains("replaced dahye-ahn"),
            "[{b}] {}",
            text(&out.stdout)
        );

        let out = portfolio(&app.url, &["export", "dahye-ahn"]);
        assert_eq!(
            text(&out.stdout),
            written,
            "[{b}] export to stdout equals the file"
        );
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[tokio::test]
async fn a_malformed_document_is_rejected_with_file_line_and_field_and_changes_nothing() {
    for app in TestApp::all().await {
        let b = app.backend;
        let before = service::export_document(&app.db, "dahye-ahn")
            .await
            .expect("export");
        let dir = tempdir(b);
        let file = dir.join("broken.toml");
        // A valid document whose 4th skill has a category that does not exist.
        let broken = portfolio::document::BUNDLED.replacen(
            "category = \"CONTAINER\"",
            "category = \"CONTAINERS\"",
            1,
        );
        let line = broken
            .lines()
            .position(|l| l.contains("CONTAINERS"))
            .expect("changed line")
            + 1;
        std::fs::write(&file, &broken).expect("write");
        let out = portfolio(&app.url, &["import", file.to_str().expect("path")]);
        assert_eq!(out.status.code(), Some(1), "[{b}]");
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains(&format!("broken.toml:{line}")),
            "[{b}] names file and line {line}: {stderr}"
        );
        assert!(
            stderr.contains("skills[3].category"),
            "[{b}] names the field: {stderr}"
        );
        assert!(stderr.contains("CONTAINERS"), "[{b}] {stderr}");
        let after = service::export_document(&app.db, "dahye-ahn")
            .await
            .expect("export");
        assert_eq!(after, before, "[{b}] the database is untouched");
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[tokio::test]
async fn exporting_an_unknown_slug_fails_with_a_clear_message() {
    for app in TestApp::all().await {
        let out = portfolio(&app.url, &["export", "nobody"]);
        assert_eq!(out.status.code(), Some(1), "[{}]", app.backend);
        assert!(
            text(&out.stderr).contains("no person with slug \"nobody\""),
            "[{}] {}",
            app.backend,
            text(&out.stderr)
        );
    }
}

#[tokio::test]
async fn migrate_reports_status_and_goes_down_and_up_again() {
    for app in TestApp::all().await {
        let b = app.backend;
        let first = "m20261125_000001_create_portfolio_tables";
        let migrations = migration::Migrator::migrations();
        let last = migrations.last().expect("migrations").name();
        let status = text(&portfolio(&app.url, &["migrate", "status"]).stdout);
        assert!(
            status.contains(&format!("Applied\t{first}"))
                && status.contains(&format!("Applied\t{last}")),
            "[{b}] {status}"
        );
        let down = portfolio(&app.url, &["migrate", "down"]);
        assert!(down.status.success(), "[{b}] {}", text(&down.stderr));
        let status = text(&portfolio(&app.url, &["migrate", "status"]).stdout);
        assert!(
            status.contains(&format!("Applied\t{first}"))
                && status.contains(&format!("Pending\t{last}")),
            "[{b}] {status}"
        );
        let up = portfolio(&app.url, &["migrate", "up"]);
        assert!(up.status.success(), "[{b}] {}", text(&up.stderr));
        assert!(
            text(&up.stdout).contains("applied 1 migration"),
            "[{b}] {}",
            text(&up.stdout)
        );
        let data = app
            .anonymous()
            .data("{ person(slug: \"dahye-ahn\") { name } }", json!({}))
            .await;
        assert_eq!(
            data["person"]["name"], "안다혜",
            "[{b}] down and up again kept the data of the first migration"
        );
        let fresh = portfolio(&app.url, &["migrate", "fresh"]);
        assert!(fresh.status.success(), "[{b}] {}", text(&fresh.stderr));
        let people = app
            .anonymous()
            .data("{ people { totalCount } }", json!({}))
            .await;
        assert_eq!(
            people["people"]["totalCount"], 0,
            "[{b}] fresh leaves empty tables"
        );
    }
}

#[test]
fn the_schema_command_prints_the_sdl() {
    let out = portfolio("sqlite::memory:", &["schema"]);
    assert!(out.status.success());
    assert_eq!(text(&out.stdout), portfolio::graphql::sdl());
}

#[test]
fn an_unreachable_database_is_reported_without_its_password() {
    let out = portfolio(
        "postgres://user:hunter2@127.0.0.1:1/db",
        &["migrate", "status"],
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("cannot connect to the database"),
        "{stderr}"
    );
    assert!(!stderr.contains("hunter2"), "{stderr}");
}

fn tempdir(tag: &str) -> std::path::PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let dir = std::env::temp_dir().join(format!(
        "portfolio-cli-{tag}-{}-{nanos}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[tokio::test]
async fn export_static_writes_the_sites_responses_as_files() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    let dir = tempdir("static");
    let out = portfolio(
        &app.url,
        &[
            "export-static",
            "--out",
            dir.join("site").to_str().expect("path"),
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let read = |path: &str| -> serde_json::Value {
        serde_json::from_str(
            &std::fs::read_to_string(dir.join("site").join(path))
                .unwrap_or_else(|e| panic!("{path}: {e}")),
        )
        .expect("JSON")
    };
    let page = read("people/dahye-ahn.json");
    assert_eq!(page["data"]["person"]["name"], "안다혜");
    assert_eq!(
        page["data"]["person"]["roles"]["nodes"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    let live = app
        .anonymous()
        .data(
            "{ person(slug: \"dahye-ahn\") { roles { nodes { organization } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        page["data"]["person"]["roles"]["nodes"][0]["organization"],
        live["person"]["roles"]["nodes"][0]["organization"]
    );
    assert_eq!(
        read("people.json")["data"]["people"]["nodes"][0]["slug"],
        "dahye-ahn"
    );
    assert_eq!(read("index.json")["people"], json!(["dahye-ahn"]));
    let schema = std::fs::read_to_string(dir.join("site/schema.graphql")).expect("schema");
    assert_eq!(schema, portfolio::graphql::sdl());

    let manifest = dir.join("manifest.json");
    std::fs::write(
        &manifest,
        json!({
            "headline": "query Headline($slug: String!) { person(slug: $slug) { headline } }",
            "count": "{ people { totalCount } }"
        })
        .to_string(),
    )
    .expect("manifest");
    let out = portfolio(
        &app.url,
        &[
            "export-static",
            "--out",
            dir.join("ops").to_str().expect("path"),
            "--manifest",
            manifest.to_str().expect("path"),
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let headline: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("ops/operations/headline/dahye-ahn.json")).expect("file"),
    )
    .expect("JSON");
    assert_eq!(
        headline["data"]["person"]["headline"],
        "Software Engineer (Site Reliability Engineer)"
    );
    let count: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("ops/operations/count.json")).expect("file"),
    )
    .expect("JSON");
    assert_eq!(count["data"]["people"]["totalCount"], 1);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn a_bad_slug_on_the_command_line_is_named_as_the_flag_the_user_typed() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    let dir = std::env::temp_dir().join(format!("resume-slug-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("resume.json");
    std::fs::write(&file, r#"{"basics": {"name": "Jane"}}"#).expect("write");
    let path = file.to_string_lossy().into_owned();
    let out = portfolio(
        &app.url,
        &[
            "import",
            &path,
            "--format",
            "json-resume",
            "--slug",
            "Not A Slug",
        ],
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("--slug"), "{stderr}");
    assert!(!stderr.contains("input.slug"), "{stderr}");
    let _ = std::fs::remove_dir_all(dir);
}
