//! Database reads and writes per use case. Resolvers and commands call these;
//! SQL never appears above this layer (except in the batched loaders of
//! `graphql::loaders`, which are reads shaped by the API).

pub mod codec;
pub mod export;
pub mod import;
pub mod json_resume;
pub mod write;

pub use export::export_document;
pub use import::{import_document, load_bundled_if_empty};
