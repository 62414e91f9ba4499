//! `portfolio`: a GraphQL backend serving a person's professional portfolio.
//!
//! Where things are, following a request from the outside in:
//!
//! - [`cli`] and [`config`]: the command line (`serve`, `migrate`, `import`,
//!   `export`, `schema`), flags with `PORTFOLIO_*` environment fallbacks; the
//!   flags of `serve` are the server's configuration.
//! - [`startup`]: builds the application from a config: connects, migrates,
//!   loads the bundled portfolio into an empty database, binds the listener,
//!   and runs until a shutdown signal, draining in-flight requests.
//! - [`http`]: the axum router: `/graphql` (its cheap limits first, its
//!   caches bounded in bytes), the GraphiQL playground at `/`, `/healthz`,
//!   `/readyz`, `/metrics`.
//! - [`graphql`]: the schema (one builder used by the server, the tests and the
//!   SDL export), one module per domain type, the batched loaders that keep
//!   the number of SQL statements independent of the data size.
//! - [`static_export`]: CDN mode, the site's responses written as files.
//! - [`service`]: database writes and whole-portfolio reads (import, export),
//!   and outgoing webhooks (the outbox each write fills, the delivery worker).
//! - [`document`]: the native TOML portfolio format, its checks and its errors.
//! - [`domain`]: year-months, durations, the clock, field limits.
//! - [`error`]: the one error type and its GraphQL codes.
//! - [`db`]: connection pool, statement counter, migrations under a lock.
//! - [`changes`]: following the database's change feed, so that other
//!   processes' writes reach this one's response cache.
//! - [`digest`], [`manifest`]: SHA-256 names; trusted-document manifests.
//!
//! Entities live in the `entity` crate, migrations in the `migration` crate.

pub mod auth;
pub mod changes;
pub mod cli;
pub mod config;
pub mod db;
pub mod digest;
pub mod document;
pub mod domain;
pub mod error;
pub mod graphql;
pub mod http;
pub mod manifest;
pub mod service;
pub mod startup;
pub mod static_export;
