//! `schema.graphql` is exactly what `portfolio schema` prints, and it
//! documents every type and field.

#[test]
fn the_committed_schema_matches_the_code() {
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql"))
        .unwrap_or_default();
    let current = portfolio::graphql::sdl();
    assert!(
        committed == current,
        "schema.graphql is out of date with the code; regenerate it with:\n\n    cargo run -- schema > schema.graphql\n"
    );
}

#[test]
fn every_object_type_and_field_has_a_description() {
    let schema =
        async_graphql::parser::parse_schema(portfolio::graphql::sdl()).expect("the SDL parses");
    let mut undocumented = Vec::new();
    for definition in schema.definitions {
        if let async_graphql::parser::types::TypeSystemDefinition::Type(ty) = definition {
            let ty = ty.node;
            let name = ty.name.node.to_string();
            if ty.description.is_none()
                && !["Query", "PageInfo"].contains(&name.as_str())
                && !name.ends_with("Edge")
                && !name.ends_with("Connection")
            {
                undocumented.push(name.clone());
            }
            let fields = match &ty.kind {
                async_graphql::parser::types::TypeKind::Object(o) => o.fields.clone(),
                async_graphql::parser::types::TypeKind::Interface(i) => i.fields.clone(),
                _ => Vec::new(),
            };
            for field in fields {
                if field.node.description.is_none() {
                    undocumented.push(format!("{name}.{}", field.node.name.node));
                }
            }
        }
    }
    assert!(undocumented.is_empty(), "undocumented: {undocumented:?}");
}
