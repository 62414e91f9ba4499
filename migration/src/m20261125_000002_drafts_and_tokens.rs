//! The write side: a `published` flag on the person and on every item (a
//! draft is `published = false`), and the API tokens that authorise edits.
//!
//! Columns are added one statement per column: SQLite's `ALTER TABLE` adds
//! one column at a time.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ApiToken {
    Table,
    Id,
    PersonId,
    Name,
    TokenHash,
    CreatedAt,
    LastUsedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum Person {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Published {
    Published,
}

/// Every table whose rows can be drafts.
const PUBLISHABLE: [&str; 8] = [
    "person",
    "profile_link",
    "role",
    "achievement",
    "skill",
    "activity",
    "education",
    "language",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in PUBLISHABLE {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new(table))
                        .add_column(boolean(Published::Published).default(true))
                        .to_owned(),
                )
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(ApiToken::Table)
                    .col(big_pk_auto(ApiToken::Id))
                    // Null for an admin token.
                    .col(big_integer_null(ApiToken::PersonId))
                    .col(string_len(ApiToken::Name, 100))
                    // Hex SHA-256 of the token's secret; the secret itself is never stored.
                    .col(string_len_uniq(ApiToken::TokenHash, 64))
                    .col(timestamp_with_time_zone(ApiToken::CreatedAt))
                    .col(timestamp_with_time_zone_null(ApiToken::LastUsedAt))
                    .col(timestamp_with_time_zone_null(ApiToken::RevokedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ApiToken::Table, ApiToken::PersonId)
                            .to(Person::Table, Person::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        crate::precision::microseconds(
            manager,
            "api_token",
            &[
                ("created_at", false),
                ("last_used_at", true),
                ("revoked_at", true),
            ],
        )
        .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_api_token_person")
                    .table(ApiToken::Table)
                    .col(ApiToken::PersonId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ApiToken::Table).to_owned())
            .await?;
        for table in PUBLISHABLE {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new(table))
                        .drop_column(Published::Published)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
