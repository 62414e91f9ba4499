//! SeaORM entities of the portfolio data model, and nothing else.
//!
//! One module per table. This crate knows no GraphQL and no HTTP: the
//! `portfolio` crate maps these models to its API, and the `migration` crate
//! creates the tables they describe.
//!
//! Conventions shared by every table:
//! - `id` is a 64-bit auto-increment primary key;
//! - year-months (`start_ym`, `end_ym`) are stored as `YYYYMM` integers
//!   (`202209` for September 2022): they sort and compare as numbers on every
//!   backend;
//! - ordered lists of short texts (actions, results, highlights, summary
//!   paragraphs) and reference links are stored as JSON text in `TEXT`
//!   columns, which behaves the same on SQLite, PostgreSQL and MariaDB;
//! - `position` orders items inside their list, in document order;
//! - `published` is false for a draft, which only its owner sees;
//! - `version` is bumped on every update (optimistic concurrency), and
//!   `created_at` / `updated_at` are UTC timestamps.

pub mod achievement;
pub mod achievement_skill;
pub mod activity;
pub mod api_token;
pub mod education;
pub mod enums;
pub mod language;
pub mod metric;
pub mod person;
pub mod profile_link;
pub mod role;
pub mod skill;
pub mod webhook;
pub mod webhook_delivery;
pub mod webhook_event;

pub mod prelude {
    //! The entities under short names, for `use entity::prelude::*`.
    pub use super::achievement::Entity as Achievement;
    pub use super::achievement_skill::Entity as AchievementSkill;
    pub use super::activity::Entity as Activity;
    pub use super::api_token::Entity as ApiToken;
    pub use super::education::Entity as Education;
    pub use super::language::Entity as Language;
    pub use super::metric::Entity as Metric;
    pub use super::person::Entity as Person;
    pub use super::profile_link::Entity as ProfileLink;
    pub use super::role::Entity as Role;
    pub use super::skill::Entity as Skill;
    pub use super::webhook::Entity as Webhook;
    pub use super::webhook_delivery::Entity as WebhookDelivery;
    pub use super::webhook_event::Entity as WebhookEvent;
}
