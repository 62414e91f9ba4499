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
        let jam = resume["awards"][1]["summary"].as_str().unwrap_or_default();
        assert_eq!(
            jam.matches("참가한 72팀 중 1위").count(),
            1,
            "[{b}] once: {jam}"
        );
        assert_eq!(
            resume["awards"][0]["x-portfolio"]["awarded_for"], "Argo Workflows 오픈소스 기여",
            "[{b}]"
        );
        assert_eq!(
            resume["volunteer"].as_array().map(Vec::len),
            Some(5),
            "[{b}] community, open source, three study groups"
        );
        let kinds: Vec<&str> = resume["volunteer"]
            .as_array()
            .map(|v| {
                v.iter()
                    .filter_map(|x| x["x-portfolio"]["kind"].as_str())
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(
            kinds,
            [
                "COMMUNITY",
                "OPEN_SOURCE",
                "STUDY_GROUP",
                "STUDY_GROUP",
                "STUDY_GROUP"
            ],
            "[{b}]"
        );
        // Posts are publications with their real publisher; talks are
        // projects of type "talk" with their event.
        assert_eq!(
            resume["publications"],
            json!([
                {
                    "name": "EKS 환경에서의 EFK 도입기",
                    "publisher": "주식회사 여기어때컴퍼니",
                    "x-portfolio": { "reference": true, "kind": "BLOG_POST" }
                },
                {
                    "name": "회사 블로그 글",
                    "x-portfolio": { "reference": true, "kind": "BLOG_POST" }
                }
            ]),
            "[{b}]"
        );
        assert_eq!(
            resume["projects"],
            json!([
                {
                    "name": "AWS 인프라 환경을 처음부터 구축하며 배운 것들",
                    "type": "talk",
                    "x-portfolio": { "reference": true, "kind": "TALK" }
                },
                {
                    "name": "주니어의 스터디 드라이븐 성장기",
                    "type": "talk",
                    "entity": "AWSKRUG",
                    "x-portfolio": { "reference": true, "kind": "TALK" }
                },
                {
                    "name": "devlake로 DORA Metrics 측정하기",
                    "type": "talk",
                    "entity": "AWSKRUG",
                    "x-portfolio": { "reference": true, "kind": "TALK" }
                }
            ]),
            "[{b}]"
        );
        // Problem statements are kept, with everything else of an achievement.
        let first = &work[0]["x-portfolio"]["achievements"][0];
        assert_eq!(
            first["context"],
            "기존에는 사용자의 요청을 CDN → 서버로 보냈기 때문에 서버 대수가 많이 필요하고, 서버가 죽는 경우가 생김",
            "[{b}]"
        );
        assert_eq!(first["metrics"][1]["value"], 21500000.0, "[{b}]");
        assert_eq!(
            resume["basics"]["url"], "https://aimb.tistory.com/",
            "[{b}]"
        );
        let usernames: Vec<&str> = resume["basics"]["profiles"]
            .as_array()
            .map(|p| p.iter().filter_map(|x| x["username"].as_str()).collect())
            .unwrap_or_default();
        assert_eq!(
            usernames,
            ["dahye-ahn-223244234", "aimb", "da-head0"],
            "[{b}]"
        );
        assert_eq!(resume["meta"]["x-portfolio"]["locale"], "ko", "[{b}]");
        let updated = app
            .anonymous()
            .data("{ person(slug: \"dahye-ahn\") { updatedAt } }", json!({}))
            .await;
        let updated = updated["person"]["updatedAt"].as_str().unwrap_or_default();
        let modified = resume["meta"]["lastModified"].as_str().unwrap_or_default();
        assert!(
            !modified.is_empty() && updated.starts_with(modified.trim_end_matches('Z')),
            "[{b}] lastModified {modified} is the person's updatedAt {updated}"
        );
        assert_eq!(resume["education"][0]["institution"], "동국대학교", "[{b}]");
        assert_eq!(resume["languages"][0]["language"], "영어", "[{b}]");
        assert_eq!(
            resume["skills"][0],
            json!({
                "name": "Languages",
                "keywords": ["Python", "Go", "SQL"],
                "x-portfolio": { "category": "LANGUAGE", "featured": ["Python", "Go"] }
            }),
            "[{b}]"
        );
    }
}

const EXPORT_IN: &str =
    "query($s: String!, $l: String) { person(slug: $s) { jsonResume(locale: $l) } }";

async fn resume_in(app: &TestApp, slug: &str, locale: &str) -> Value {
    app.anonymous()
        .data(EXPORT_IN, json!({ "s": slug, "l": locale }))
        .await["person"]["jsonResume"]
        .clone()
}

/// Every string of a JSON value.
fn texts(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|v| texts(v, out)),
        Value::Object(map) => map.values().for_each(|v| texts(v, out)),
        _ => {}
    }
}

#[tokio::test]
async fn the_english_json_resume_is_all_english() {
    for app in TestApp::all().await {
        let b = app.backend;
        let resume = resume_in(&app, "dahye-ahn", "en").await;
        assert_eq!(resume["basics"]["name"], "Dahye Ahn", "[{b}]");
        assert_eq!(resume["work"][0]["name"], "MUSINSA Co., Ltd.", "[{b}]");
        assert_eq!(
            resume["education"][0]["institution"], "Dongguk University",
            "[{b}]"
        );
        assert_eq!(resume["meta"]["x-portfolio"]["locale"], "en", "[{b}]");
        assert_eq!(
            resume["awards"][0]["x-portfolio"]["awarded_for"],
            "Open-source contributions to Argo Workflows",
            "[{b}] an award names its activity by the English title"
        );
        let mut all = Vec::new();
        texts(&resume, &mut all);
        let korean: Vec<&String> = all
            .iter()
            .filter(|t| t.chars().any(|c| ('\u{AC00}'..='\u{D7A3}').contains(&c)))
            .collect();
        assert!(korean.is_empty(), "[{b}] {korean:#?}");
        // Numbers are the same in every locale.
        let metrics = |r: &Value| r["work"][0]["x-portfolio"]["achievements"][0]["metrics"].clone();
        let korean = resume_of(&app, "dahye-ahn").await;
        let values = |m: Value| -> Vec<Value> {
            m.as_array()
                .map(|a| a.iter().map(|x| x["value"].clone()).collect())
                .unwrap_or_default()
        };
        assert_eq!(values(metrics(&resume)), values(metrics(&korean)), "[{b}]");
    }
}

#[tokio::test]
async fn a_locale_the_person_does_not_offer_falls_back_and_a_malformed_one_is_refused() {
    for app in TestApp::all().await {
        let b = app.backend;
        let korean = resume_of(&app, "dahye-ahn").await;
        assert_eq!(resume_in(&app, "dahye-ahn", "fr").await, korean, "[{b}]");
        assert_eq!(resume_in(&app, "dahye-ahn", "ko-KR").await, korean, "[{b}]");
        let english = resume_in(&app, "dahye-ahn", "en").await;
        assert_eq!(
            resume_in(&app, "dahye-ahn", "en-US").await,
            english,
            "[{b}]"
        );
        for bad in ["english", "en_US", "*", ""] {
            let errors = app
                .anonymous()
                .errors(EXPORT_IN, json!({ "s": "dahye-ahn", "l": bad }))
                .await;
            assert_eq!(
                codes(&errors),
                ["BAD_USER_INPUT"],
                "[{b}] {bad:?}: {errors:?}"
            );
            assert_eq!(fields(&errors), ["locale"], "[{b}] {bad:?}");
        }
    }
}

#[tokio::test]
async fn a_json_resume_in_either_locale_survives_import_and_export_unchanged() {
    for app in TestApp::all().await {
        let b = app.backend;
        let admin = app.token(None).await;
        for (locale, slug) in [("ko", "copy-ko"), ("en", "copy-en")] {
            let original = resume_in(&app, "dahye-ahn", locale).await;
            app.as_token(&admin)
                .data(IMPORT, json!({ "i": { "slug": slug, "resume": original } }))
                .await;
            let again = resume_of(&app, slug).await;
            assert_eq!(again, original, "[{b}] {locale}");
        }
        // The copy is the same portfolio, kinds, awards and all.
        let kinds = |slug: &str| {
            let app = &app;
            let slug = slug.to_owned();
            async move {
                let data = app
                    .anonymous()
                    .data(
                        "query($s: String!) { person(slug: $s) { activities { nodes { kind title } } roles { nodes { employmentType achievements { nodes { context metrics { value } } } } } } }",
                        json!({ "s": slug }),
                    )
                    .await;
                data["person"].clone()
            }
        };
        let original = kinds("dahye-ahn").await;
        let copy = kinds("copy-ko").await;
        assert_eq!(copy, original, "[{b}]");
        let original = bundled();
        let copy = app.snapshot("copy-ko").await.expect("the copy");
        let award = copy
            .activities
            .iter()
            .find(|a| a.awarded_for.is_some())
            .expect("an award");
        assert_eq!(
            award.awarded_for.as_deref(),
            Some("Argo Workflows 오픈소스 기여"),
            "[{b}]"
        );
        assert_eq!(
            copy.roles,
            original
                .roles
                .iter()
                .map(|r| {
                    let mut r = r.clone();
                    r.translations.clear();
                    for a in &mut r.achievements {
                        a.translations.clear();
                        for m in &mut a.metrics {
                            m.translations.clear();
                        }
                        for l in &mut a.links {
                            l.translations.clear();
                        }
                    }
                    r
                })
                .collect::<Vec<_>>(),
            "[{b}] roles whole, in the resume's one locale"
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
