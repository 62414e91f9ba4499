//! No N+1: the full-portfolio query sends the same number of SQL statements
//! for the bundled portfolio as for one with 50 roles of 20 achievements.

use portfolio::document::{AchievementDoc, MetricDoc, RoleDoc};
use portfolio::domain::YearMonth;
use serde_json::json;

use crate::helpers::*;

/// The bundled portfolio with 50 roles of 20 achievements each (every
/// achievement with two metrics and three skills), under another slug.
fn big_portfolio() -> portfolio::document::PortfolioDocument {
    let mut document = copy_of_bundled("big-portfolio");
    let skill_names: Vec<String> = document.skills.iter().map(|s| s.name.clone()).collect();
    document.roles = (0..50)
        .map(|r| RoleDoc {
            organization: format!("Company {r}"),
            title: "Engineer".to_owned(),
            department: Some("Platform".to_owned()),
            employment_type: None,
            location: None,
            start: YearMonth::new(1970 + r, 1).expect("month"),
            end: (r < 49).then(|| YearMonth::new(1970 + r, 12).expect("month")),
            summary: None,
            draft: false,
            translations: Default::default(),
            achievements: (0..20)
                .map(|a| AchievementDoc {
                    title: format!("Achievement {r}.{a}"),
                    context: Some("context".to_owned()),
                    actions: vec!["did".to_owned()],
                    results: vec!["done".to_owned()],
                    skills: (0..3)
                        .map(|s| skill_names[(r as usize + a + s * 7) % skill_names.len()].clone())
                        .collect(),
                    metrics: (0..2)
                        .map(|m| MetricDoc {
                            label: format!("m{m}"),
                            value: Some(m as f64),
                            unit: Some("x".to_owned()),
                            display: format!("{m}x"),
                            translations: Default::default(),
                        })
                        .collect(),
                    links: Vec::new(),
                    draft: false,
                    translations: Default::default(),
                })
                .collect(),
        })
        .collect();
    document
}

async fn statements_for(app: &TestApp, slug: &str) -> (u64, serde_json::Value) {
    let before = app.stats.statements();
    let data = app
        .anonymous()
        .data(FULL_QUERY, json!({ "slug": slug }))
        .await;
    (app.stats.statements() - before, data)
}

#[tokio::test]
async fn the_full_portfolio_query_costs_the_same_statements_whatever_the_size() {
    for app in TestApp::all().await {
        let b = app.backend;
        import(&app, &big_portfolio()).await;
        let (small, small_data) = statements_for(&app, "dahye-ahn").await;
        let (big, big_data) = statements_for(&app, "big-portfolio").await;
        let roles = big_data["person"]["roles"]["nodes"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(roles.len(), 50, "[{b}]");
        assert!(
            roles
                .iter()
                .all(|r| r["achievements"]["nodes"].as_array().map(Vec::len) == Some(20)),
            "[{b}]"
        );
        assert_eq!(small_data["person"]["roles"]["totalCount"], 2, "[{b}]");
        assert_eq!(
            small, big,
            "[{b}] bundled: {small} statements, 50x20: {big} statements"
        );
        // One statement per relation touched: a small fixed number.
        assert!(small <= 20, "[{b}] {small} statements for the full query");
    }
}

#[tokio::test]
async fn people_count_everyone_only_when_total_count_is_asked() {
    for app in TestApp::all().await {
        let b = app.backend;
        let before = app.stats.statements();
        let page = app
            .anonymous()
            .data("{ people(first: 10) { nodes { slug } } }", json!({}))
            .await;
        let without = app.stats.statements() - before;
        assert_eq!(page["people"]["nodes"][0]["slug"], "dahye-ahn", "[{b}]");

        let before = app.stats.statements();
        let page = app
            .anonymous()
            .data(
                "{ people(first: 10) { totalCount nodes { slug } } }",
                json!({}),
            )
            .await;
        let with = app.stats.statements() - before;
        assert_eq!(page["people"]["totalCount"], 1, "[{b}]");
        assert_eq!(without, 1, "[{b}] the page alone is one statement");
        assert_eq!(with, 2, "[{b}] the page and the count");
    }
}

#[tokio::test]
async fn json_resumes_of_many_people_cost_the_same_statements_as_of_one() {
    for app in TestApp::all().await {
        let b = app.backend;
        // Two names, so that the second is not answered from the cache.
        let query = "query One { people(first: 10) { nodes { slug jsonResume } } }";
        let before = app.stats.statements();
        let one = app.anonymous().data(query, json!({})).await;
        let query = "query Five { people(first: 10) { nodes { slug jsonResume } } }";
        let for_one = app.stats.statements() - before;
        for i in 0..4 {
            import(&app, &copy_of_bundled(&format!("copy-{i}"))).await;
        }
        let before = app.stats.statements();
        let five = app.anonymous().data(query, json!({})).await;
        let for_five = app.stats.statements() - before;
        let resumes = five["people"]["nodes"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(resumes.len(), 5, "[{b}]");
        assert!(
            resumes
                .iter()
                .all(|p| p["jsonResume"]["basics"]["name"] == "안다혜"),
            "[{b}] every person's resume is there"
        );
        assert_eq!(
            one["people"]["nodes"][0]["jsonResume"], resumes[0]["jsonResume"],
            "[{b}]"
        );
        assert_eq!(
            for_one, for_five,
            "[{b}] 1 person: {for_one}, 5: {for_five}"
        );
    }
}

#[tokio::test]
async fn an_id_asked_for_many_times_is_looked_up_once() {
    for app in TestApp::all().await {
        let b = app.backend;
        let id = app
            .anonymous()
            .data(
                "{ person(slug: \"dahye-ahn\") { roles { nodes { id } } } }",
                json!({}),
            )
            .await["person"]["roles"]["nodes"][0]["id"]
            .clone();
        let query = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }";
        let before = app.stats.statements();
        app.anonymous().data(query, json!({ "ids": [id] })).await;
        let once = app.stats.statements() - before;
        let before = app.stats.statements();
        let many = app
            .anonymous()
            .data(query, json!({ "ids": vec![id.clone(); 100] }))
            .await;
        let hundred = app.stats.statements() - before;
        let nodes = many["nodes"].as_array().cloned().unwrap_or_default();
        assert_eq!(nodes.len(), 100, "[{b}] one answer per id asked");
        assert!(nodes.iter().all(|n| n["id"] == id), "[{b}]");
        assert_eq!(once, hundred, "[{b}]");
    }
}
