//! The black-box test suite: one binary, one module per area. Every test runs
//! against SQLite, and also against PostgreSQL and MariaDB when
//! `PORTFOLIO_TEST_POSTGRES_URL` / `PORTFOLIO_TEST_MYSQL_URL` are set; each
//! test gets fresh databases that are dropped afterwards (see `helpers`).

mod auth;
mod cli;
mod concurrency;
mod documents;
mod drafts;
mod fuzz_corpus;
mod helpers;
mod hostile;
mod http;
mod input_rules;
mod json_resume;
mod lifecycle;
mod locales;
mod migrate_lock;
mod mutations;
mod nodes;
mod oracles;
mod pagination;
mod portfolio;
mod properties;
mod read_model;
mod replicas;
mod request_hygiene;
mod schema;
mod serving;
mod slow_clients;
mod sql_count;
mod standby;
mod trusted_proxy;
mod webhooks;
