//! Whole-portfolio use cases against the database: import and export of
//! documents and JSON Resumes, the bundled portfolio, and the write
//! transaction every change runs in ([`write`]). The GraphQL layer reads
//! through its batched loaders (`graphql::loaders`) and writes single items
//! through its shared mutation flow (`graphql::mutation`), inside
//! [`write::begin`]'s transactions.

pub mod codec;
pub mod export;
pub mod flight;
pub mod freshness;
pub mod import;
pub mod json_resume;
pub mod read_model;
pub mod rows;
pub mod standby;
pub mod webhook;
pub mod write;

pub use export::export_document;
pub use import::{import_document, load_bundled_if_empty};
