//! Every fact of the bundled portfolio is reachable through GraphQL, in order,
//! with filters and computed durations.

use serde_json::{Value, json};

use crate::helpers::*;

async fn full(app: &TestApp) -> Value {
    app.anonymous()
        .data(FULL_QUERY, json!({ "slug": "dahye-ahn" }))
        .await["person"]
        .clone()
}

fn metric_values(achievement: &Value) -> Vec<(f64, String)> {
    nodes(&achievement["metrics"])
        .iter()
        .map(|m| {
            (
                m["value"].as_f64().unwrap_or(f64::NAN),
                m["unit"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_bundled_person_is_served_with_name_headline_introduction_and_links() {
    for app in TestApp::all().await {
        let person = full(&app).await;
        let b = app.backend;
        assert_eq!(person["name"], "안다혜", "[{b}]");
        assert_eq!(person["slug"], "dahye-ahn", "[{b}]");
        assert_eq!(
            person["headline"], "Software Engineer (Site Reliability Engineer)",
            "[{b}]"
        );
        let summary = person["summary"].as_array().expect("summary");
        assert_eq!(summary.len(), 4, "[{b}] four introduction paragraphs");
        assert!(
            summary[0]
                .as_str()
                .unwrap_or_default()
                .starts_with("무신사에서 트래픽이 평소 피크의 N배"),
            "[{b}]"
        );
        assert!(
            summary[3]
                .as_str()
                .unwrap_or_default()
                .contains("<기술 문서 작성 완벽 가이드>"),
            "[{b}]"
        );
        let links = nodes(&person["profileLinks"]);
        assert_eq!(
            strings(&links, "kind"),
            ["LINKEDIN", "BLOG", "GITHUB"],
            "[{b}]"
        );
        assert_eq!(
            strings(&links, "url"),
            [
                "https://www.linkedin.com/in/dahye-ahn-223244234/",
                "https://aimb.tistory.com/",
                "https://github.com/da-head0"
            ],
            "[{b}]"
        );
        assert_eq!(nodes(&person["languages"])[0]["name"], "영어", "[{b}]");
        assert_eq!(
            nodes(&person["languages"])[0]["fluency"],
            "비즈니스 회화 가능",
            "[{b}]"
        );
        let education = &nodes(&person["education"])[0];
        assert_eq!(education["institution"], "동국대학교", "[{b}]");
        assert_eq!(education["degree"], "대학교(학사)", "[{b}]");
        assert_eq!(education["field"], "영화영상학과", "[{b}]");
        assert_eq!(
            (education["start"].clone(), education["end"].clone()),
            (json!("2012-03"), json!("2017-02")),
            "[{b}]"
        );
        assert_eq!(education["status"], "GRADUATED", "[{b}]");
    }
}

#[tokio::test]
async fn the_tech_stack_is_eleven_featured_skills_with_categories() {
    for app in TestApp::all().await {
        let query = r#"{ person(slug: "dahye-ahn") { skills(featured: true) { totalCount nodes { name category } } } }"#;
        let data = app.anonymous().data(query, json!({})).await;
        let skills = nodes(&data["person"]["skills"]);
        assert_eq!(
            strings(&skills, "name"),
            [
                "Python",
                "Go",
                "AWS",
                "Kubernetes",
                "Terraform",
                "Docker",
                "Elasticsearch",
                "Logstash",
                "Kibana",
                "Grafana",
                "EKS"
            ],
            "[{}]",
            app.backend
        );
        assert_eq!(data["person"]["skills"]["totalCount"], 11);
        assert_eq!(skills[0]["category"], "LANGUAGE");
        assert_eq!(skills[4]["category"], "INFRASTRUCTURE_AS_CODE");
        assert_eq!(skills[9]["category"], "OBSERVABILITY");
    }
}

#[tokio::test]
async fn both_roles_come_current_first_with_their_achievements_metrics_skills_and_links() {
    for app in TestApp::all().await {
        let b = app.backend;
        let person = full(&app).await;
        let roles = nodes(&person["roles"]);
        assert_eq!(
            strings(&roles, "organization"),
            ["주식회사 무신사", "주식회사 여기어때컴퍼니"],
            "[{b}]"
        );
        let (musinsa, yeogi) = (&roles[0], &roles[1]);
        assert_eq!(musinsa["title"], "Site Reliability Engineer");
        assert_eq!(musinsa["department"], "SRE팀");
        assert_eq!(
            musinsa["employmentType"],
            Value::Null,
            "the resume states no employment type"
        );
        assert_eq!(
            (
                musinsa["start"].clone(),
                musinsa["end"].clone(),
                musinsa["current"].clone()
            ),
            (json!("2022-09"), Value::Null, json!(true))
        );
        assert_eq!(yeogi["title"], "Data Engineer");
        assert_eq!(yeogi["department"], "인프라개발팀");
        assert_eq!(
            (
                yeogi["start"].clone(),
                yeogi["end"].clone(),
                yeogi["current"].clone()
            ),
            (json!("2021-06"), json!("2022-09"), json!(false))
        );

        let m = nodes(&musinsa["achievements"]);
        let y = nodes(&yeogi["achievements"]);
        assert_eq!(
            (m.len(), y.len()),
            (6, 4),
            "[{b}] six and four achievements"
        );
        assert_eq!(musinsa["achievements"]["totalCount"], 6);

        // The dashboard served from a CDN: 1/20 of the servers, 21.5M requests a minute.
        let dashboard = &m[0];
        assert!(
            dashboard["title"]
                .as_str()
                .unwrap_or_default()
                .contains("전광판"),
            "[{b}]"
        );
        assert!(
            dashboard["context"]
                .as_str()
                .unwrap_or_default()
                .contains("CDN → 서버"),
            "[{b}]"
        );
        assert_eq!(nodes(&dashboard["actions"]).len(), 1);
        assert!(
            dashboard["results"][0]
                .as_str()
                .unwrap_or_default()
                .contains("2,150만")
        );
        assert_eq!(
            metric_values(dashboard),
            [
                (0.05, "x".to_owned()),
                (21_500_000.0, "requests/min".to_owned())
            ],
            "[{b}]"
        );
        assert!(strings(&nodes(&dashboard["skills"]), "name").contains(&"Python".to_owned()));

        // Automation: 30 seconds; skills Argo Workflows and GitHub Actions.
        assert!(
            metric_values(&m[2]).contains(&(30.0, "s".to_owned())),
            "[{b}]"
        );
        let automation_skills = strings(&nodes(&m[2]["skills"]), "name");
        assert!(
            automation_skills.contains(&"Argo Workflows".to_owned())
                && automation_skills.contains(&"GitHub Actions".to_owned())
        );
        // The AWS infrastructure talk.
        assert_eq!(m[3]["links"][0]["kind"], "TALK");
        assert_eq!(
            m[3]["links"][0]["title"],
            "AWS 인프라 환경을 처음부터 구축하며 배운 것들"
        );
        // Load testing: 4x teams, with K6, ArgoCD, Datadog.
        assert_eq!(metric_values(&m[4]), [(4.0, "x".to_owned())]);
        let migration_skills = strings(&nodes(&m[4]["skills"]), "name");
        for skill in ["K6", "GitHub Actions", "ArgoCD", "Datadog"] {
            assert!(
                migration_skills.contains(&skill.to_owned()),
                "[{b}] {skill} in {migration_skills:?}"
            );
        }
        // ELK retention 14x.
        assert_eq!(metric_values(&m[5]), [(14.0, "x".to_owned())]);
        // Fluentd: 1/2 CPU, 1/8 memory.
        assert_eq!(
            metric_values(&y[0]),
            [(0.5, "x".to_owned()), (0.125, "x".to_owned())],
            "[{b}]"
        );
        assert!(strings(&nodes(&y[0]["skills"]), "name").contains(&"Fluentd".to_owned()));
        // Kinesis: 50+ conditions, and the EFK blog post.
        assert_eq!(metric_values(&y[1]), [(50.0, "conditions".to_owned())]);
        assert_eq!(y[1]["links"][0]["kind"], "BLOG_POST");
        assert_eq!(y[1]["links"][0]["title"], "EKS 환경에서의 EFK 도입기");
        for skill in ["Fluent Bit", "Kinesis"] {
            assert!(
                strings(&nodes(&y[1]["skills"]), "name").contains(&skill.to_owned()),
                "[{b}] {skill}"
            );
        }
        // The warehouse move uses Redshift.
        assert!(strings(&nodes(&y[3]["skills"]), "name").contains(&"Redshift".to_owned()));
        // Every achievement points back at its role.
        assert!(m.iter().all(|a| a["role"]["id"] == musinsa["id"]), "[{b}]");
    }
}

#[tokio::test]
async fn activities_hold_the_community_talks_open_source_award_competitions_and_study_groups() {
    for app in TestApp::all().await {
        let b = app.backend;
        let person = full(&app).await;
        let activities = nodes(&person["activities"]);
        assert_eq!(
            strings(&activities, "kind"),
            [
                "COMMUNITY",
                "OPEN_SOURCE",
                "AWARD",
                "COMPETITION",
                "COMPETITION",
                "STUDY_GROUP",
                "STUDY_GROUP",
                "STUDY_GROUP"
            ],
            "[{b}]"
        );
        let awskrug = &activities[0];
        assert_eq!(awskrug["organization"], "AWSKRUG");
        let talks = nodes(&awskrug["links"]);
        assert_eq!(
            strings(&talks, "title"),
            [
                "주니어의 스터디 드라이븐 성장기",
                "devlake로 DORA Metrics 측정하기"
            ],
            "[{b}]"
        );
        assert!(talks.iter().all(|t| t["kind"] == "TALK"));
        assert_eq!(activities[1]["title"], "Argo Workflows 오픈소스 기여");
        assert_eq!(nodes(&activities[1]["highlights"]).len(), 2);
        assert!(
            activities[2]["title"]
                .as_str()
                .unwrap_or_default()
                .contains("과학기술정보통신부장관상")
        );
        let jam = &activities[3];
        assert_eq!(jam["title"], "App Modernization EKS Jam 1위");
        assert_eq!(jam["organization"], "AWS x LG CNS");
        let ranks = metric_values(&jam["achievements"][0]);
        assert_eq!(
            ranks,
            [(1.0, "rank".to_owned()), (72.0, "teams".to_owned())],
            "[{b}] 1st of 72 teams"
        );
        assert_eq!(activities[4]["title"], "GameDay 우승");
        assert_eq!(
            strings(&activities[5..], "title"),
            [
                "구글 엔지니어는 이렇게 일한다",
                "개발자와 함께하는 EKS 실습 스터디",
                "기술 문서 작성 완벽 가이드"
            ],
            "[{b}]"
        );
    }
}

#[tokio::test]
async fn role_durations_count_both_end_months_and_experience_counts_overlaps_once() {
    for app in TestApp::all().await {
        let b = app.backend;
        let person = full(&app).await;
        let roles = nodes(&person["roles"]);
        // Now is 2024-12 in tests: 2022-09..2024-12 is 28 months, "2년 4개월".
        assert_eq!(roles[0]["durationMonths"], 28, "[{b}]");
        assert_eq!(
            roles[0]["duration"],
            json!({ "years": 2, "months": 4 }),
            "[{b}]"
        );
        // 2021-06..2022-09 is 16 months, "1년 4개월".
        assert_eq!(roles[1]["durationMonths"], 16, "[{b}]");
        assert_eq!(
            roles[1]["duration"],
            json!({ "years": 1, "months": 4 }),
            "[{b}]"
        );
        // 2022-09 is in both roles and counts once: 16 + 28 - 1.
        assert_eq!(person["experienceMonths"], 43, "[{b}]");
        assert_eq!(
            person["experience"],
            json!({ "years": 3, "months": 7, "totalMonths": 43 }),
            "[{b}]"
        );
    }
}

#[tokio::test]
async fn achievements_filter_by_skill_name_ignoring_case() {
    for app in TestApp::all().await {
        let b = app.backend;
        let query = r#"query($skill: String) { person(slug: "dahye-ahn") { achievements(skill: $skill) { totalCount nodes { title } } } }"#;
        let all = app.anonymous().data(query, json!({ "skill": null })).await;
        assert_eq!(
            all["person"]["achievements"]["totalCount"], 11,
            "[{b}] 6 + 4 role achievements + 1 of an activity"
        );
        let k6 = app.anonymous().data(query, json!({ "skill": "k6" })).await;
        assert_eq!(k6["person"]["achievements"]["totalCount"], 1, "[{b}]");
        assert!(
            k6["person"]["achievements"]["nodes"][0]["title"]
                .as_str()
                .unwrap_or_default()
                .contains("EKS 환경으로 이관")
        );
        let eks = app.anonymous().data(query, json!({ "skill": "EKS" })).await;
        assert_eq!(
            eks["person"]["achievements"]["totalCount"], 4,
            "[{b}] migration, Fluentd, EFK, EKS Jam"
        );
        let none = app
            .anonymous()
            .data(query, json!({ "skill": "COBOL" }))
            .await;
        assert_eq!(
            none["person"]["achievements"],
            json!({ "totalCount": 0, "nodes": [] }),
            "[{b}]"
        );
    }
}

#[tokio::test]
async fn activities_filter_by_kind_and_skills_by_category() {
    for app in TestApp::all().await {
        let b = app.backend;
        let query = r#"query($kind: ActivityKind) { person(slug: "dahye-ahn") { activities(kind: $kind) { totalCount nodes { kind } } } }"#;
        let study = app
            .anonymous()
            .data(query, json!({ "kind": "STUDY_GROUP" }))
            .await;
        assert_eq!(study["person"]["activities"]["totalCount"], 3, "[{b}]");
        let award = app
            .anonymous()
            .data(query, json!({ "kind": "AWARD" }))
            .await;
        assert_eq!(award["person"]["activities"]["totalCount"], 1, "[{b}]");
        let bad = app
            .anonymous()
            .error(query, json!({ "kind": "PARTY" }))
            .await;
        assert_eq!(bad["extensions"]["code"], "BAD_USER_INPUT", "[{b}] {bad}");

        let query = r#"query($c: SkillCategory) { person(slug: "dahye-ahn") { skills(category: $c) { nodes { name category } } } }"#;
        let ci = app.anonymous().data(query, json!({ "c": "CI_CD" })).await;
        assert_eq!(
            strings(&nodes(&ci["person"]["skills"]), "name"),
            ["Argo Workflows", "GitHub Actions", "ArgoCD"],
            "[{b}]"
        );
    }
}

#[tokio::test]
async fn each_skill_lists_the_achievements_and_roles_that_used_it() {
    for app in TestApp::all().await {
        let b = app.backend;
        let query = r#"{ person(slug: "dahye-ahn") { skills { nodes { name achievements { totalCount nodes { title } } roles { organization } } } } }"#;
        let data = app.anonymous().data(query, json!({})).await;
        let skills = nodes(&data["person"]["skills"]);
        let skill = |name: &str| {
            skills
                .iter()
                .find(|s| s["name"] == name)
                .cloned()
                .unwrap_or_else(|| panic!("[{b}] no skill {name}"))
        };
        let aws = skill("AWS");
        assert_eq!(
            strings(
                &aws["roles"].as_array().cloned().unwrap_or_default(),
                "organization"
            ),
            ["주식회사 무신사", "주식회사 여기어때컴퍼니"],
            "[{b}]"
        );
        assert_eq!(skill("Datadog")["achievements"]["totalCount"], 1, "[{b}]");
        assert_eq!(
            skill("Go")["achievements"]["totalCount"],
            0,
            "[{b}] listed in the stack, used by no achievement"
        );
        assert_eq!(skill("Go")["roles"], json!([]));
        // The EKS Jam achievement belongs to an activity: it counts, but adds no role.
        let eks = skill("EKS");
        assert_eq!(eks["achievements"]["totalCount"], 4);
        assert_eq!(eks["roles"].as_array().map(Vec::len), Some(2));
        // Achievements come in the person's order.
        let elk = skill("Kibana");
        let titles = strings(&nodes(&elk["achievements"]), "title");
        assert_eq!(titles.len(), 2);
        assert!(
            titles[0].contains("ELK 클러스터 고도화"),
            "[{b}] {titles:?}"
        );
    }
}

#[tokio::test]
async fn an_unknown_person_is_null_not_an_error() {
    for app in TestApp::all().await {
        let data = app
            .anonymous()
            .data(r#"{ person(slug: "nobody-here") { name } }"#, json!({}))
            .await;
        assert_eq!(data["person"], Value::Null, "[{}]", app.backend);
    }
}
