//! Response fields in the order the query asked for them.
//!
//! async-graphql 7.2 resolves the fields of an object concurrently and
//! writes each into the response as it completes, so the order of a
//! response's fields varies from run to run. The GraphQL specification asks
//! for the order of the selection set, and people reading responses (in
//! GraphiQL, in logs, in diffs) expect it. Whoever executes a request puts
//! every object's fields back in that order with [`in_query_order`].

use std::collections::HashMap;

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, FragmentDefinition, OperationDefinition, Selection,
    SelectionSet,
};
use async_graphql::{Name, Positioned, Response, Value};

/// Puts the fields of `response` in the order `document` selects them for
/// the operation `operation_name` picks. Done on the finished response
/// rather than in a schema extension: an extension makes async-graphql route
/// every field of every object through its hook chain.
pub fn in_query_order(
    response: &mut Response,
    document: &ExecutableDocument,
    operation_name: Option<&str>,
) {
    if let Some((_, operation)) = selected_operation(document, operation_name) {
        reorder(
            &mut response.data,
            &[&operation.node.selection_set.node],
            &document.fragments,
            0,
        );
    }
}

/// The operation a request runs: the one named `operation_name`, or the
/// document's only one; with its name, when it has one. `None` when there is
/// no such operation (validation reports that).
pub fn selected_operation<'d>(
    document: &'d ExecutableDocument,
    operation_name: Option<&str>,
) -> Option<(Option<&'d Name>, &'d Positioned<OperationDefinition>)> {
    let (name, operation) = match (&document.operations, operation_name) {
        (DocumentOperations::Single(op), _) => return Some((None, op)),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get_key_value(name)?,
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => ops.iter().next()?,
        _ => return None,
    };
    Some((Some(name), operation))
}

/// Deeper than any query the depth limit lets through.
const MAX_DEPTH: usize = 64;

fn reorder(
    value: &mut Value,
    sets: &[&SelectionSet],
    fragments: &HashMap<Name, Positioned<FragmentDefinition>>,
    depth: usize,
) {
    if depth > MAX_DEPTH {
        return;
    }
    match value {
        Value::List(items) => {
            // Every item of a list has the same selection: read it once.
            let order = keys_of(sets, fragments);
            for item in items {
                reorder_object(item, &order, fragments, depth + 1);
            }
        }
        Value::Object(_) => {
            let order = keys_of(sets, fragments);
            reorder_object(value, &order, fragments, depth);
        }
        _ => {}
    }
}

/// The response keys the selection sets name, in order, each with its own
/// selection sets.
fn keys_of<'d>(
    sets: &[&'d SelectionSet],
    fragments: &'d HashMap<Name, Positioned<FragmentDefinition>>,
) -> Vec<(Name, Vec<&'d SelectionSet>)> {
    let mut order = Vec::new();
    for set in sets {
        collect(set, fragments, &mut order, 0);
    }
    order
}

fn reorder_object(
    value: &mut Value,
    order: &[(Name, Vec<&SelectionSet>)],
    fragments: &HashMap<Name, Positioned<FragmentDefinition>>,
    depth: usize,
) {
    match value {
        Value::List(items) => {
            for item in items {
                reorder_object(item, order, fragments, depth + 1);
            }
        }
        Value::Object(map) => {
            let in_order = map.len() == order.len()
                && map
                    .keys()
                    .zip(order)
                    .all(|(key, (wanted, _))| key == wanted);
            if in_order {
                for (field, (_, subsets)) in map.values_mut().zip(order) {
                    if !subsets.is_empty() {
                        reorder(field, subsets, fragments, depth + 1);
                    }
                }
                return;
            }
            let mut old = std::mem::take(map);
            map.reserve(old.len());
            for (key, subsets) in order {
                if let Some(mut field) = old.swap_remove(key) {
                    if !subsets.is_empty() {
                        reorder(&mut field, subsets, fragments, depth + 1);
                    }
                    map.insert(key.clone(), field);
                }
            }
            // Anything the selection did not name keeps its place at the end.
            map.extend(old);
        }
        _ => {}
    }
}

/// The response keys of a selection set in order, with the selection sets
/// of each (a key can be selected several times, through fragments).
fn collect<'d>(
    set: &'d SelectionSet,
    fragments: &'d HashMap<Name, Positioned<FragmentDefinition>>,
    order: &mut Vec<(Name, Vec<&'d SelectionSet>)>,
    depth: usize,
) {
    if depth > MAX_DEPTH {
        return;
    }
    for selection in &set.items {
        match &selection.node {
            Selection::Field(field) => {
                let key = field.node.response_key().node.clone();
                let position = match order.iter().position(|(k, _)| *k == key) {
                    Some(position) => position,
                    None => {
                        order.push((key, Vec::new()));
                        order.len() - 1
                    }
                };
                if !field.node.selection_set.node.items.is_empty() {
                    order[position].1.push(&field.node.selection_set.node);
                }
            }
            Selection::FragmentSpread(spread) => {
                if let Some(fragment) = fragments.get(&spread.node.fragment_name.node) {
                    collect(
                        &fragment.node.selection_set.node,
                        fragments,
                        order,
                        depth + 1,
                    );
                }
            }
            Selection::InlineFragment(inline) => {
                collect(&inline.node.selection_set.node, fragments, order, depth + 1);
            }
        }
    }
}
