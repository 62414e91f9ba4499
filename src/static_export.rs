//! CDN mode: `portfolio export-static --out DIR [--manifest FILE]` answers
//! the site's operations ahead of time and writes each response as a static
//! JSON file, so that object storage behind a CDN can serve a portfolio
//! frontend with no server at all (the layout is in docs/static-export.md).
//!
//! - Without a manifest: `people.json` (every published person) and
//!   `people/<slug>.json` (the whole portfolio of each, the playground's
//!   query);
//! - with a manifest: `operations/<id>.json` for each operation without
//!   variables, and `operations/<id>/<slug>.json` for each operation whose
//!   only variable is `$slug`, once per published person;
//! - always `schema.graphql` and `index.json`, listing every file written.
//!
//! Every file is exactly the body the API would answer anonymously: drafts
//! are never exported.

use std::path::Path;

use async_graphql::Variables;
use serde_json::{Value, json};

use crate::auth::Viewer;
use crate::graphql::{AppSchema, new_loaders, sdl};

/// The query behind `people/<slug>.json`.
const PORTFOLIO: &str = r#"query Portfolio($slug: String!) {
  person(slug: $slug) {
    id slug name headline summary location email avatarUrl updatedAt
    experience { years months totalMonths }
    profileLinks { kind label url }
    roles {
      nodes {
        id organization title department employmentType location start end current summary
        duration { years months }
        achievements { nodes { id title context actions results metrics { label value unit display } skills { name } links { kind title url } } }
      }
    }
    skills { nodes { name category featured } }
    activities { nodes { kind title organization start end year description highlights links { kind title url } achievements { title metrics { label value unit display } } } }
    education { institution degree field start end status }
    languages { name fluency }
  }
}"#;

const PEOPLE: &str = "query People($after: String) { people(first: 100, after: $after) { nodes { slug name headline updatedAt } pageInfo { hasNextPage endCursor } } }";

/// What was written.
#[derive(Debug, Default)]
pub struct Report {
    pub files: Vec<String>,
}

async fn run(
    schema: &AppSchema,
    db: &sea_orm::DatabaseConnection,
    query: &str,
    variables: Value,
) -> Result<Value, String> {
    let document = async_graphql::parser::parse_query(query)
        .map_err(|err| format!("the operation does not parse: {err}"))?;
    let mut request = async_graphql::Request::new(query)
        .variables(Variables::from_json(variables))
        .data(Viewer::Anonymous)
        .data(new_loaders(db.clone(), Viewer::Anonymous));
    request.set_parsed_query(document.clone());
    let mut response = schema.execute(request).await;
    crate::graphql::order::in_query_order(&mut response, &document, None);
    if let Some(error) = response.errors.first() {
        return Err(format!("the operation failed: {}", error.message));
    }
    serde_json::to_value(&response).map_err(|err| err.to_string())
}

fn write(out: &Path, relative: &str, value: &Value, report: &mut Report) -> Result<(), String> {
    let path = out.join(relative);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|err| format!("cannot create {}: {err}", parent.display()))?;
    }
    let bytes = serde_json::to_vec(value).map_err(|err| err.to_string())?;
    std::fs::write(&path, bytes)
        .map_err(|err| format!("cannot write {}: {err}", path.display()))?;
    report.files.push(relative.to_owned());
    Ok(())
}

/// Writes the static site data into `out`.
pub async fn export(
    schema: &AppSchema,
    db: &sea_orm::DatabaseConnection,
    out: &Path,
    manifest: Option<&Path>,
) -> Result<Report, String> {
    let mut report = Report::default();
    // Every published person, page by page.
    let mut slugs = Vec::new();
    let mut people = Vec::new();
    let mut after = Value::Null;
    loop {
        let page = run(schema, db, PEOPLE, json!({ "after": after })).await?;
        let connection = &page["data"]["people"];
        for node in connection["nodes"].as_array().into_iter().flatten() {
            slugs.push(node["slug"].as_str().unwrap_or_default().to_owned());
            people.push(node.clone());
        }
        if connection["pageInfo"]["hasNextPage"] != json!(true) {
            break;
        }
        after = connection["pageInfo"]["endCursor"].clone();
    }

    match manifest {
        None => {
            write(
                out,
                "people.json",
                &json!({ "data": { "people": { "nodes": people } } }),
                &mut report,
            )?;
            for slug in &slugs {
                let response = run(schema, db, PORTFOLIO, json!({ "slug": slug })).await?;
                write(out, &format!("people/{slug}.json"), &response, &mut report)?;
            }
        }
        Some(manifest) => {
            for (id, body) in crate::manifest::load_manifest(manifest)? {
                let safe_id: String = id
                    .chars()
                    .map(|c| {
                        if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                            c
                        } else {
                            '_'
                        }
                    })
                    .collect();
                let document = async_graphql::parser::parse_query(&body)
                    .map_err(|err| format!("operation {id:?}: {err}"))?;
                let variables: Vec<String> = document
                    .operations
                    .iter()
                    .flat_map(|(_, op)| {
                        op.node
                            .variable_definitions
                            .iter()
                            .map(|v| v.node.name.node.to_string())
                    })
                    .collect();
                match variables.as_slice() {
                    [] => {
                        let response = run(schema, db, &body, json!({})).await?;
                        write(
                            out,
                            &format!("operations/{safe_id}.json"),
                            &response,
                            &mut report,
                        )?;
                    }
                    [only] if only == "slug" => {
                        for slug in &slugs {
                            let response = run(schema, db, &body, json!({ "slug": slug })).await?;
                            write(
                                out,
                                &format!("operations/{safe_id}/{slug}.json"),
                                &response,
                                &mut report,
                            )?;
                        }
                    }
                    other => {
                        return Err(format!(
                            "operation {id:?} takes variables {other:?}: a static export can fill in only `$slug`"
                        ));
                    }
                }
            }
        }
    }

    let schema_path = out.join("schema.graphql");
    std::fs::write(&schema_path, sdl())
        .map_err(|err| format!("cannot write {}: {err}", schema_path.display()))?;
    report.files.push("schema.graphql".to_owned());
    let index = json!({
        "generatedAt": chrono::Utc::now().to_rfc3339(),
        "people": slugs,
        "files": report.files,
    });
    write(out, "index.json", &index, &mut report)?;
    Ok(report)
}
