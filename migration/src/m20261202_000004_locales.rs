//! Localized text, and awards linked to the work they were given for.
//!
//! - `person.default_locale`: the BCP 47 tag of the language the person's
//!   text columns are written in; `person.locales`: the other locales the
//!   portfolio is offered in (a JSON list of tags, null for none).
//! - `translations` on every table with human-readable text: a JSON object
//!   from locale to the item's translated fields, e.g.
//!   `{"en": {"title": "...", "actions": ["..."]}}`; null for none. Kept on
//!   the item's own row, so that a translation goes wherever its item goes
//!   (read with it, deleted with it) and is versioned with it.
//! - `activity.awarded_for_id`: for an award, the activity (a project, an
//!   open-source contribution) it was given for.
//!
//! Rows written before locales existed keep their text as it was; the
//! default locale they get is Korean, the language of the bundled portfolio
//! (`updatePerson` relabels it).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Person {
    Table,
    DefaultLocale,
    Locales,
}

#[derive(DeriveIden)]
enum Translations {
    Translations,
}

/// Every table with human-readable text.
const LOCALIZED: [&str; 9] = [
    "person",
    "profile_link",
    "role",
    "achievement",
    "metric",
    "skill",
    "activity",
    "education",
    "language",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Person::Table)
                    .add_column(string_len(Person::DefaultLocale, 35).default("ko"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Person::Table)
                    .add_column(text_null(Person::Locales))
                    .to_owned(),
            )
            .await?;
        for table in LOCALIZED {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new(table))
                        .add_column(text_null(Translations::Translations))
                        .to_owned(),
                )
                .await?;
        }
        // A self-reference, added with its constraint in each backend's own
        // words: SQLite takes it inline (and only inline); MySQL parses an
        // inline REFERENCES but ignores it.
        let db = manager.get_connection();
        let sql = match manager.get_database_backend() {
            DbBackend::MySql => {
                "ALTER TABLE activity ADD COLUMN awarded_for_id BIGINT NULL, \
                 ADD CONSTRAINT fk_activity_awarded_for FOREIGN KEY (awarded_for_id) \
                 REFERENCES activity (id) ON DELETE SET NULL"
            }
            DbBackend::Postgres => {
                "ALTER TABLE activity ADD COLUMN awarded_for_id BIGINT NULL \
                 REFERENCES activity (id) ON DELETE SET NULL"
            }
            _ => {
                "ALTER TABLE activity ADD COLUMN awarded_for_id INTEGER NULL \
                 REFERENCES activity (id) ON DELETE SET NULL"
            }
        };
        db.execute_unprepared(sql).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if manager.get_database_backend() == DbBackend::MySql {
            db.execute_unprepared("ALTER TABLE activity DROP FOREIGN KEY fk_activity_awarded_for")
                .await?;
        }
        db.execute_unprepared("ALTER TABLE activity DROP COLUMN awarded_for_id")
            .await?;
        for table in LOCALIZED {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new(table))
                        .drop_column(Translations::Translations)
                        .to_owned(),
                )
                .await?;
        }
        for column in [Person::Locales, Person::DefaultLocale] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Person::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
