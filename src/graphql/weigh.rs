//! What a parsed document costs in memory, for caches bounded in bytes.
//!
//! A parsed document is a tree of vectors, maps and reference-counted names
//! that takes about two hundred times the bytes of its text: weighing a
//! cache of parsed documents by their text lets it hold two hundred times
//! its budget. This walks the tree once and adds up the size of every node
//! and of every heap block it owns (vector capacities, map tables, string
//! bytes, name headers). Allocator overhead is not counted, so the result
//! is a lower bound that is close for the small allocations a document is
//! made of. The walk recurses as deep as the document nests, which the
//! pre-parse scan has already bounded.

use std::mem::size_of;

use async_graphql::parser::types::{
    Directive, ExecutableDocument, Field, FragmentDefinition, OperationDefinition, Selection,
    SelectionSet, VariableDefinition,
};
use async_graphql::{Name, Positioned};
use async_graphql_value::{ConstValue, Value};

/// The approximate heap and inline bytes of `document`.
pub fn document_bytes(document: &ExecutableDocument) -> usize {
    let mut bytes = size_of::<ExecutableDocument>();
    for (name, operation) in document.operations.iter() {
        bytes += name.map_or(0, name_bytes) + size_of::<(Name, Positioned<OperationDefinition>)>();
        bytes += operation_bytes(&operation.node);
    }
    bytes += map_bytes::<Name, Positioned<FragmentDefinition>>(document.fragments.capacity());
    for (name, fragment) in &document.fragments {
        bytes += name_bytes(name)
            + name_bytes(&fragment.node.type_condition.node.on.node)
            + directives_bytes(&fragment.node.directives)
            + selection_set_bytes(&fragment.node.selection_set.node);
    }
    bytes
}

fn operation_bytes(operation: &OperationDefinition) -> usize {
    let mut bytes = vec_bytes(&operation.variable_definitions);
    for variable in &operation.variable_definitions {
        bytes += variable_bytes(&variable.node);
    }
    bytes
        + directives_bytes(&operation.directives)
        + selection_set_bytes(&operation.selection_set.node)
}

fn variable_bytes(variable: &VariableDefinition) -> usize {
    // A list type boxes its item type once per level.
    let type_text = variable.var_type.node.to_string();
    name_bytes(&variable.name.node)
        + type_text.len()
        + type_text.matches('[').count() * size_of::<async_graphql::parser::types::Type>()
        + directives_bytes(&variable.directives)
        + variable
            .default_value
            .as_ref()
            .map_or(0, |v| const_value_bytes(&v.node))
}

fn selection_set_bytes(set: &SelectionSet) -> usize {
    let mut bytes = vec_bytes(&set.items);
    for item in &set.items {
        bytes += match &item.node {
            Selection::Field(field) => field_bytes(&field.node),
            Selection::FragmentSpread(spread) => {
                name_bytes(&spread.node.fragment_name.node)
                    + directives_bytes(&spread.node.directives)
            }
            Selection::InlineFragment(inline) => {
                inline
                    .node
                    .type_condition
                    .as_ref()
                    .map_or(0, |t| name_bytes(&t.node.on.node))
                    + directives_bytes(&inline.node.directives)
                    + selection_set_bytes(&inline.node.selection_set.node)
            }
        };
    }
    bytes
}

fn field_bytes(field: &Field) -> usize {
    field.alias.as_ref().map_or(0, |a| name_bytes(&a.node))
        + name_bytes(&field.name.node)
        + arguments_bytes(&field.arguments)
        + directives_bytes(&field.directives)
        + selection_set_bytes(&field.selection_set.node)
}

fn directives_bytes(directives: &Vec<Positioned<Directive>>) -> usize {
    vec_bytes(directives)
        + directives
            .iter()
            .map(|d| name_bytes(&d.node.name.node) + arguments_bytes(&d.node.arguments))
            .sum::<usize>()
}

fn arguments_bytes(arguments: &Vec<(Positioned<Name>, Positioned<Value>)>) -> usize {
    vec_bytes(arguments)
        + arguments
            .iter()
            .map(|(name, value)| name_bytes(&name.node) + value_bytes(&value.node))
            .sum::<usize>()
}

/// `fn $name(&$value) -> usize`, for `Value` and `ConstValue`, which are
/// alike but for the variables only a `Value` can be (`$($variable)*`:
/// the match arm for those).
macro_rules! value_bytes {
    ($name:ident($value:ident) { $($variable:tt)* }) => {
        fn $name(value: &$value) -> usize {
            match value {
                $($variable)*
                $value::Enum(name) => name_bytes(name),
                $value::String(s) => s.capacity(),
                $value::Binary(b) => b.len(),
                $value::List(items) => vec_bytes(items) + items.iter().map($name).sum::<usize>(),
                $value::Object(map) => {
                    map_bytes::<Name, $value>(map.capacity())
                        + map
                            .iter()
                            .map(|(k, v)| name_bytes(k) + $name(v))
                            .sum::<usize>()
                }
                $value::Null | $value::Number(_) | $value::Boolean(_) => 0,
            }
        }
    };
}

value_bytes!(value_bytes(Value) {
    Value::Variable(name) => name_bytes(name),
});
value_bytes!(const_value_bytes(ConstValue) {});

/// A name is an `Arc<str>`: two counters and the text, per occurrence (the
/// parser does not intern them).
fn name_bytes(name: &Name) -> usize {
    2 * size_of::<usize>() + name.len()
}

fn vec_bytes<T>(items: &Vec<T>) -> usize {
    items.capacity() * size_of::<T>()
}

/// A hash table's slots plus one control byte per slot.
fn map_bytes<K, V>(capacity: usize) -> usize {
    capacity * (size_of::<(K, V)>() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weigh(query: &str) -> usize {
        document_bytes(&async_graphql::parser::parse_query(query).expect("parses"))
    }

    #[test]
    fn a_parsed_document_weighs_many_times_its_text() {
        let query = "{ person(slug: \"dahye-ahn\") { name roles { nodes { title start end } } } }";
        let bytes = weigh(query);
        assert!(
            bytes > 20 * query.len(),
            "{bytes} bytes for {} of text",
            query.len()
        );
    }

    #[test]
    fn weight_grows_with_every_field_and_argument() {
        let small = weigh("{ a }");
        let more = weigh("{ a b c(x: [1, 2, {y: \"z\"}]) @skip(if: false) }");
        let fragments = weigh("{ ...F } fragment F on Query { a b c }");
        assert!(more > small && fragments > small);
    }
}
