//! Trusted-document manifests: the operations a client ships, by id. Read
//! by the server (`--persisted-only`) and by `export-static`.

use std::path::Path;

use serde_json::Value;

use crate::digest::sha256_hex;

/// The operations of a manifest as `(id, query)`: Apollo's persisted-query
/// manifest (`{"operations": [{"id", "body"}]}`, an operation without an id
/// is named by its hash) or a plain `{"id": "query"}` object.
pub fn load_manifest(path: &Path) -> Result<Vec<(String, String)>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|err| format!("cannot read {}: {err}", path.display()))?;
    let json: Value = serde_json::from_str(&text)
        .map_err(|err| format!("{} is not JSON: {err}", path.display()))?;
    let mut operations = Vec::new();
    match &json {
        Value::Object(map) if map.get("operations").is_some_and(Value::is_array) => {
            for (i, op) in map["operations"]
                .as_array()
                .into_iter()
                .flatten()
                .enumerate()
            {
                let body = op["body"].as_str().ok_or_else(|| {
                    format!("{}: operations[{i}] has no string `body`", path.display())
                })?;
                let id = op["id"]
                    .as_str()
                    .map_or_else(|| sha256_hex(body), str::to_owned);
                operations.push((id, body.to_owned()));
            }
        }
        Value::Object(map) => {
            for (id, body) in map {
                let body = body.as_str().ok_or_else(|| {
                    format!(
                        "{}: the value of {id:?} is not a query string",
                        path.display()
                    )
                })?;
                operations.push((id.clone(), body.to_owned()));
            }
        }
        _ => return Err(format!("{} must be a JSON object", path.display())),
    }
    Ok(operations)
}
