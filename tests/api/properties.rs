//! Properties of every request a client could write: random documents over
//! the whole schema (nested lists, pages of any size, aliases, fragments,
//! `jsonResume`, back-links), each answered within the response budget and
//! the request's time budget, with every error coded.

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use proptest::prelude::*;
use proptest::test_runner::{Config as RunnerConfig, TestCaseError, TestRunner};
use serde_json::{Value, json};

use crate::helpers::*;

/// A field of the schema: its name, arguments to try, and the type of its
/// items when it has a selection.
struct Field {
    name: &'static str,
    args: &'static [&'static str],
    of: Option<&'static str>,
}

const fn leaf(name: &'static str) -> Field {
    Field {
        name,
        args: &[],
        of: None,
    }
}

const PAGE: &[&str] = &["", "(first: 1)", "(first: 100)", "(last: 3)", "(first: 0)"];
const NONE: &[&str] = &[""];

const fn list(name: &'static str, args: &'static [&'static str], of: &'static str) -> Field {
    Field {
        name,
        args,
        of: Some(of),
    }
}

const QUERY: &[Field] = &[
    list(
        "person",
        &["(slug: \"dahye-ahn\")", "(slug: \"nobody\")"],
        "Person",
    ),
    list("people", PAGE, "PersonConnection"),
];
const PERSON_CONNECTION: &[Field] = &[list("nodes", NONE, "Person"), leaf("totalCount")];
const PERSON: &[Field] = &[
    leaf("name"),
    leaf("headline"),
    leaf("summary"),
    leaf("experienceMonths"),
    leaf("jsonResume"),
    list("profileLinks", NONE, "ProfileLink"),
    list("roles", PAGE, "RoleConnection"),
    list("achievements", PAGE, "AchievementConnection"),
    list("skills", PAGE, "SkillConnection"),
    list("activities", PAGE, "ActivityConnection"),
    list("education", NONE, "Education"),
];
const PROFILE_LINK: &[Field] = &[leaf("kind"), leaf("url")];
const EDUCATION: &[Field] = &[leaf("institution"), leaf("start")];
const ROLE_CONNECTION: &[Field] = &[list("nodes", NONE, "Role"), leaf("totalCount")];
const ACHIEVEMENT_CONNECTION: &[Field] = &[list("nodes", NONE, "Achievement"), leaf("totalCount")];
const SKILL_CONNECTION: &[Field] = &[list("nodes", NONE, "Skill"), leaf("totalCount")];
const ACTIVITY_CONNECTION: &[Field] = &[list("nodes", NONE, "Activity")];
const ROLE: &[Field] = &[
    leaf("title"),
    leaf("organization"),
    leaf("start"),
    leaf("end"),
    leaf("durationMonths"),
    list("skills", NONE, "Skill"),
    list("achievements", PAGE, "AchievementConnection"),
    list("person", NONE, "Person"),
];
const ACHIEVEMENT: &[Field] = &[
    leaf("title"),
    leaf("context"),
    leaf("actions"),
    leaf("results"),
    list("metrics", NONE, "Metric"),
    list("skills", NONE, "Skill"),
    list("role", NONE, "Role"),
];
const METRIC: &[Field] = &[leaf("label"), leaf("value"), leaf("display")];
const SKILL: &[Field] = &[
    leaf("name"),
    leaf("category"),
    list("roles", NONE, "Role"),
    list("achievements", PAGE, "AchievementConnection"),
];
const ACTIVITY: &[Field] = &[
    leaf("kind"),
    leaf("title"),
    leaf("highlights"),
    list("achievements", NONE, "Achievement"),
];

fn fields(type_name: &str) -> &'static [Field] {
    match type_name {
        "Query" => QUERY,
        "PersonConnection" => PERSON_CONNECTION,
        "Person" => PERSON,
        "ProfileLink" => PROFILE_LINK,
        "Education" => EDUCATION,
        "RoleConnection" => ROLE_CONNECTION,
        "AchievementConnection" => ACHIEVEMENT_CONNECTION,
        "SkillConnection" => SKILL_CONNECTION,
        "ActivityConnection" => ACTIVITY_CONNECTION,
        "Role" => ROLE,
        "Achievement" => ACHIEVEMENT,
        "Metric" => METRIC,
        "Skill" => SKILL,
        "Activity" => ACTIVITY,
        _ => QUERY,
    }
}

/// Builds a selection set of `type_name` from a tape of choices.
fn selection(
    type_name: &str,
    tape: &mut impl Iterator<Item = u32>,
    depth: usize,
    out: &mut String,
) {
    let available = fields(type_name);
    let count = 1 + tape.next().unwrap_or(0) as usize % 3;
    out.push_str("{ ");
    for i in 0..count {
        let field = &available[tape.next().unwrap_or(0) as usize % available.len()];
        let choice = tape.next().unwrap_or(0) as usize;
        if choice.is_multiple_of(5) {
            out.push_str(&format!("a{depth}x{i}: "));
        }
        out.push_str(field.name);
        if !field.args.is_empty() {
            out.push_str(field.args[choice % field.args.len()]);
        }
        match field.of {
            Some(of) if depth < 8 => {
                out.push(' ');
                selection(of, tape, depth + 1, out);
            }
            Some(_) => out.push_str(" { __typename }"),
            None => {}
        }
        out.push(' ');
    }
    out.push_str("} ");
}

fn document(tape: &[u32]) -> String {
    let mut choices = tape.iter().copied();
    let mut out = String::new();
    selection("Query", &mut choices, 0, &mut out);
    out
}

#[test]
fn any_accepted_request_stays_within_the_response_and_time_budgets() {
    let budget = 64 * 1024;
    let timeout = Duration::from_secs(2);
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let app = runtime.block_on(TestApp::spawn_configured(&Backend::Sqlite, |config| {
        config.http.max_response_bytes = budget;
        config.http.request_timeout = timeout;
        config.http.response_cache_bytes = 0;
    }));
    let mut runner = TestRunner::new(RunnerConfig {
        cases: 128,
        failure_persistence: None,
        ..RunnerConfig::default()
    });
    let answered = std::cell::Cell::new(0usize);
    let refused = std::cell::Cell::new(0usize);
    runner
        .run(&prop::collection::vec(any::<u32>(), 4..160), |tape| {
            let query = document(&tape);
            let request = Request::post("/graphql")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(json!({ "query": query }).to_string()))
                .expect("request");
            let started = Instant::now();
            let (status, _, body) = runtime.block_on(app.send(request));
            let took = started.elapsed();
            let fail = |why: String| TestCaseError::fail(format!("{why}\n{query}"));
            if status != StatusCode::OK {
                return Err(fail(format!("status {status}")));
            }
            // A liveness bound, not a performance one: the deadline holds.
            if took > timeout + Duration::from_secs(5) {
                return Err(fail(format!("took {took:?}")));
            }
            if body.len() > budget + 16 * 1024 {
                return Err(fail(format!("{} bytes", body.len())));
            }
            let json: Value = serde_json::from_slice(&body).map_err(|e| fail(e.to_string()))?;
            match json["errors"].as_array() {
                None => answered.set(answered.get() + 1),
                Some(errors) => {
                    refused.set(refused.get() + 1);
                    if !errors.iter().all(|e| e["extensions"]["code"].is_string()) {
                        return Err(fail(format!("uncoded error: {json}")));
                    }
                }
            }
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
    // Both kinds were exercised: this is not a test of refusals only.
    let (answered, refused) = (answered.get(), refused.get());
    assert!(
        answered > 10 && refused > 0,
        "answered {answered}, refused {refused}"
    );
}
