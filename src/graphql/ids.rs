//! Opaque global ids: `base64url("<Type>:<row id>")`, as Relay and GitHub do.
//! Clients must treat them as opaque strings; `node(id:)` resolves any of them.

use async_graphql::ID;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::error::AppError;

/// The id kinds, one per row of the table of portfolio types.
macro_rules! node_types {
    ($($type:ident => $entity:ident, $module:ident::$object:ident, $by_id:ident, $shape:ident $args:tt;)*) => {
        /// The types that have global ids.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum NodeType {
            $($type,)*
        }

        impl NodeType {
            const ALL: &[NodeType] = &[$(NodeType::$type,)*];

            /// The GraphQL name of the type, which global ids carry.
            fn name(self) -> &'static str {
                match self {
                    $(NodeType::$type => stringify!($type),)*
                }
            }
        }
    };
}

super::portfolio_types!(node_types);

/// The global id of row `id` of `node_type`.
pub fn encode(node_type: NodeType, id: i64) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{}:{id}", node_type.name())))
}

/// Reads a global id back. Anything that this API did not hand out is a
/// `BAD_USER_INPUT` on `field`.
pub fn decode(field: &str, id: &str) -> Result<(NodeType, i64), AppError> {
    let invalid = || AppError::bad_input(field, format!("{id:?} is not a valid id"));
    let bytes = URL_SAFE_NO_PAD.decode(id).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let (name, row) = text.split_once(':').ok_or_else(invalid)?;
    let node_type = NodeType::ALL
        .iter()
        .copied()
        .find(|t| t.name() == name)
        .ok_or_else(invalid)?;
    let row = row
        .parse::<i64>()
        .ok()
        .filter(|row| *row > 0)
        .ok_or_else(invalid)?;
    Ok((node_type, row))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_foreign_strings_are_refused() {
        let id = encode(NodeType::Role, 42);
        assert_eq!(decode("id", &id).ok(), Some((NodeType::Role, 42)));
        for bad in [
            "",
            "!!!",
            "Um9sZTo",
            &URL_SAFE_NO_PAD.encode("Nope:1"),
            &URL_SAFE_NO_PAD.encode("Role:x"),
        ] {
            assert!(decode("id", bad).is_err(), "{bad}");
        }
    }
}
