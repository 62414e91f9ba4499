//! JSON Resume: export through GraphQL and the CLI, import through the
//! mutation, round trips, and invalid documents.

use serde_json::{Value, json};

use crate::helpers::*;

const EXPORT: &str = "query($s: String!) { person(slug: $s) { jsonResume } }";
const IMPORT: &str = "mutation($i: ImportJsonResumeInput!) { importJsonResume(input: $i) { person { slug name roles { totalCount } } } }";

async fn resume_of(app: &TestApp, slug: &str) -> Value {
    app.anonymous().data(EXPORT, json!({ "s": slug })).await["person"]["jsonResume"].clone()
}

#[tokio::test]
async fn the_bundled_portfolio_exports_as_a_json_resume() {
    for app in TestApp::all().await {
        let b = app.backend;
        let resume = resume_of(&app, "dahye-ahn").await;
        assert_eq!(resume["basics"]["name"], "안다혜", "[{b}]");
        assert_eq!(
            resume["basics"]["label"], "Software Engineer (Site Reliability Engineer)",
            "[{b}]"
        );
        assert_eq!(
            resume["basics"]["profiles"].as_array().map(Vec::len),
            Some(3),
            "[{b}]"
        );
        let work = resume["work"].as_array().cloned().unwrap_or_default();
        assert_eq!(work.len(), 2, "[{b}]");
        assert_eq!(work[0]["name"], "주식회사 무신사", "[{b}]");
        assert_eq!(work[0]["startDate"], "2022-09", "[{b}]");
        assert!(
            work[0].get("endDate").is_none(),
            "[{b}] a current role has no end"
        );
        assert_eq!(work[1]["endDate"], "2022-09", "[{b}]");
        assert_eq!(
            work[0]["highlights"].as_array().map(Vec::len),
            Some(6),
            "[{b}]"
        );
        assert_eq!(
            work[1]["highlights"].as_array().map(Vec::len),
            Some(4),
            "[{b}]"
        );
        let first = work[0]["highlights"][0].as_str().unwrap_or_default();
        assert!(
            first.contains("전광판") && first.contains("1/20배") && first.contains("2,150만"),
            "[{b}] metrics and actions in highlights: {first}"
        );
        assert_eq!(
            resume["awards"].as_array().map(Vec::len),
            Some(3),
            "[{b}] the award and both competitions"
        );
        assert_eq!(
            resume["volunteer"].as_array().map(Vec::len),
            Some(5),
            "[{b}] community, open source, three study groups"
        );
        let publications: Vec<&str> = resume["publications"]
            .as_array()
            .map(|p| p.iter().filter_map(|x| x["name"].as_str()).collect())
            .unwrap_or_default();
        for talk in [
            "AWS 인프라 환경을 처음부터 구축하며 배운 것들",
            "EKS 환경에서의 EFK 도입기",
            "주니어의 스터디 드라이븐 성장기",
            "devlake로 DORA Metrics 측정하기",
        ] {
            assert!(
                publications.contains(&talk),
                "[{b}] {talk} in {publications:?}"
            );
        }
        assert_eq!(resume["education"][0]["institution"], "동국대학교", "[{b}]");
        assert_eq!(resume["languages"][0]["language"], "영어", "[{b}]");
        assert_eq!(
            resume["skills"][0],
            json!({ "name": "Languages", "keywords": ["Python", "Go"] }),
            "[{b}]"
        );
    }
}

#[tokio::test]
async fn drafts_are_left_out_of_the_json_resume() {
    for app in TestApp::all().await {
        let b = app.backend;
        let token = app.token(Some("dahye-ahn")).await;
        let roles = app
            .anonymous()
            .data(
                "{ person(slug: \"dahye-ahn\") { roles { nodes { id } } } }",
                json!({}),
            )
            .await;
        let role = roles["person"]["roles"]["nodes"][1]["id"].clone();
        app.as_token(&token)
            .data(
                "mutation($i: UpdateRoleInput!) { updateRole(input: $i) { role { id } } }",
                json!({ "i": { "id": role, "published": false } }),
            )
            .await;
        let resume = resume_of(&app, "dahye-ahn").await;
        assert_eq!(resume["work"].as_array().map(Vec::len), Some(1), "[{b}]");
        assert!(
            !resume.to_string().contains("여기어때"),
            "[{b}] nothing of the draft role"
        );
        let owner_view = app
            .as_token(&token)
            .data(EXPORT, json!({ "s": "dahye-ahn" }))
            .await;
        assert_eq!(
            owner_view["person"]["jsonResume"]["work"]
                .as_array()
                .map(Vec::len),
            Some(1),
            "[{b}] a resume is for publishing: drafts never"
        );
    }
}

#[tokio::test]
async fn importing_an_exported_json_resume_and_exporting_again_gives_the_same_document() {
    for app in TestApp::all().await {
        let b = app.backend;
        let admin = app.token(None).await;
        let original = resume_of(&app, "dahye-ahn").await;
        let created = app
            .as_token(&admin)
            .data(
                IMPORT,
                json!({ "i": { "slug": "dahye-copy", "resume": original } }),
            )
            .await;
        assert_eq!(
            created["importJsonResume"]["person"]["name"], "안다혜",
            "[{b}]"
        );
        assert_eq!(
            created["importJsonResume"]["person"]["roles"]["totalCount"], 2,
            "[{b}]"
        );
        let again = resume_of(&app, "dahye-copy").await;
        assert_eq!(again, original, "[{b}]");
    }
}

#[tokio::test]
async fn an_invalid_json_resume_is_refused_with_every_problem_and_writes_nothing() {
    for app in TestApp::all().await {
        let b = app.backend;
        let admin = app.token(None).await;
        let resume = json!({
            "basics": { "label": "SRE", "profiles": [{ "network": "GitHub" }] },
            "work": [
                { "name": "Acme", "position": "SRE" },
                { "name": "Beta", "position": "SRE", "startDate": "June 2020" }
            ],
            "skills": "Rust"
        });
        let errors = app
            .as_token(&admin)
            .errors(
                IMPORT,
                json!({ "i": { "slug": "Bad Slug", "resume": resume } }),
            )
            .await;
        assert!(
            codes(&errors).iter().all(|c| c == "BAD_USER_INPUT"),
            "[{b}] {errors:?}"
        );
        let mut found = fields(&errors);
        found.sort();
        assert_eq!(
            found,
            [
                "input.resume.basics.name",
                "input.resume.basics.profiles[0].url",
                "input.resume.skills",
                "input.resume.work[0].startDate",
                "input.resume.work[1].startDate",
                "input.slug",
            ],
            "[{b}]"
        );
        let people = app
            .anonymous()
            .data("{ people { totalCount } }", json!({}))
            .await;
        assert_eq!(people["people"]["totalCount"], 1, "[{b}] nothing written");
        let owner = app.token(Some("dahye-ahn")).await;
        let valid = resume_of(&app, "dahye-ahn").await;
        let refused = app
            .as_token(&owner)
            .errors(
                IMPORT,
                json!({ "i": { "slug": "jane-doe", "resume": valid } }),
            )
            .await;
        assert_eq!(
            codes(&refused),
            ["FORBIDDEN"],
            "[{b}] importing creates a person: admin only"
        );
    }
}

#[tokio::test]
async fn the_cli_exports_and_imports_json_resume() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    let dir = std::env::temp_dir().join(format!("portfolio-jr-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("resume.json");
    let bin = env!("CARGO_BIN_EXE_portfolio");
    let out = std::process::Command::new(bin)
        .args([
            "--database-url",
            &app.url,
            "export",
            "dahye-ahn",
            "--format",
            "json-resume",
            "--out",
        ])
        .arg(&file)
        .output()
        .expect("export runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let exported: Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("file")).expect("JSON");
    assert_eq!(exported, resume_of(&app, "dahye-ahn").await);
    let out = std::process::Command::new(bin)
        .args([
            "--database-url",
            &app.url,
            "import",
            "--format",
            "json-resume",
            "--slug",
            "from-file",
        ])
        .arg(&file)
        .output()
        .expect("import runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(resume_of(&app, "from-file").await, exported);
    std::fs::write(
        &file,
        r#"{"basics": {"name": "X"}, "work": [{"name": "A"}]}"#,
    )
    .expect("write");
    let out = std::process::Command::new(bin)
        .args([
            "--database-url",
            &app.url,
            "import",
            "--format",
            "json-resume",
            "--slug",
            "broken",
        ])
        .arg(&file)
        .output()
        .expect("import runs");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    for problem in [
        "resume.basics.label",
        "resume.work[0].position",
        "resume.work[0].startDate",
    ] {
        assert!(stderr.contains(problem), "{problem} in {stderr}");
    }
    let _ = std::fs::remove_dir_all(dir);
}
