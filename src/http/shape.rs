//! What a request's document asks for, read before it runs: the operation's
//! type and name, and how many fields and aliases it selects (fragments
//! counted every time they are spread, `__typename` included, which
//! async-graphql's own complexity count leaves out); and the label the operation
//! goes by in metrics and logs.

use std::collections::HashMap;

use async_graphql::parser::types::{
    ExecutableDocument, FragmentDefinition, OperationType, Selection, SelectionSet,
};
use async_graphql::{Name, Positioned};

use crate::graphql::order::selected_operation;

/// The shape of the operation a request will run.
#[derive(Debug, Clone)]
pub struct Shape {
    pub operation_type: OperationType,
    pub name: Option<String>,
    pub fields: usize,
    pub aliases: usize,
}

/// Counting stops past this nesting of fragment spreads (a fragment cycle,
/// which validation rejects afterwards, would otherwise never end).
const MAX_SPREAD_DEPTH: usize = 32;

/// The shape of the operation `operation_name` picks, or `None` when the
/// document has no such operation (validation reports that).
pub fn inspect(
    document: &ExecutableDocument,
    operation_name: Option<&str>,
    cap: usize,
) -> Option<Shape> {
    let (name, operation) = selected_operation(document, operation_name)?;
    let name = name.map(ToString::to_string);
    let mut counts = Counts {
        fields: 0,
        aliases: 0,
        cap,
    };
    counts.visit(&operation.node.selection_set.node, &document.fragments, 0);
    Some(Shape {
        operation_type: operation.node.ty,
        name,
        fields: counts.fields,
        aliases: counts.aliases,
    })
}

struct Counts {
    fields: usize,
    aliases: usize,
    /// Past this many fields the answer is "too many"; stop counting.
    cap: usize,
}

impl Counts {
    fn visit(
        &mut self,
        set: &SelectionSet,
        fragments: &HashMap<Name, Positioned<FragmentDefinition>>,
        depth: usize,
    ) {
        if depth > MAX_SPREAD_DEPTH {
            // Only a fragment cycle nests this deep; validation refuses it.
            return;
        }
        for selection in &set.items {
            if self.fields > self.cap {
                return;
            }
            match &selection.node {
                Selection::Field(field) => {
                    self.fields += 1;
                    if field.node.alias.is_some() {
                        self.aliases += 1;
                    }
                    self.visit(&field.node.selection_set.node, fragments, depth);
                }
                Selection::FragmentSpread(spread) => {
                    if let Some(fragment) = fragments.get(&spread.node.fragment_name.node) {
                        self.visit(&fragment.node.selection_set.node, fragments, depth + 1);
                    }
                }
                Selection::InlineFragment(inline) => {
                    self.visit(&inline.node.selection_set.node, fragments, depth + 1);
                }
            }
        }
    }
}

/// The operation's name for metrics and logs: letters, digits and `_` only,
/// at most 64 of them, so that clients cannot flood the label space with
/// arbitrary text.
pub fn operation_label(shape: Option<&Shape>) -> String {
    match shape.and_then(|s| s.name.as_deref()) {
        Some(name)
            if name.len() <= 64 && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') =>
        {
            name.to_owned()
        }
        Some(_) => "invalid_name".to_owned(),
        None => "anonymous".to_owned(),
    }
}
