//! The portfolio data model: person and everything hanging from it.
//!
//! Every child row references its person with `ON DELETE CASCADE`, so
//! deleting (or re-importing) a person removes the whole portfolio in one
//! statement. Indexes follow the read paths: each list is read as "all rows of
//! these parents, in position order", so each child table has an index on
//! `(parent_id, position)`. Metrics and achievement-skill links also carry
//! their person, so that a whole portfolio is one indexed query per table.
//!
//! An achievement hangs from exactly one of a role and an activity. That rule
//! is kept by the application, not by a CHECK constraint: MariaDB refuses
//! CHECK constraints on columns that carry cascading foreign keys.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Person {
    Table,
    Id,
    Slug,
    Name,
    Headline,
    Summary,
    Location,
    Email,
    AvatarUrl,
}

#[derive(DeriveIden)]
enum ProfileLink {
    Table,
    Id,
    PersonId,
    Kind,
    Label,
    Url,
}

#[derive(DeriveIden)]
enum Role {
    Table,
    Id,
    PersonId,
    Organization,
    Title,
    Department,
    EmploymentType,
    Location,
    StartYm,
    EndYm,
    Summary,
}

#[derive(DeriveIden)]
enum Achievement {
    Table,
    Id,
    PersonId,
    RoleId,
    ActivityId,
    Title,
    Context,
    Actions,
    Results,
    Links,
}

#[derive(DeriveIden)]
enum Metric {
    Table,
    Id,
    AchievementId,
    PersonId,
    Label,
    Value,
    Unit,
    Display,
}

#[derive(DeriveIden)]
enum Skill {
    Table,
    Id,
    PersonId,
    Name,
    NameKey,
    Category,
    Featured,
}

#[derive(DeriveIden)]
enum AchievementSkill {
    Table,
    AchievementId,
    SkillId,
    PersonId,
}

#[derive(DeriveIden)]
enum Activity {
    Table,
    Id,
    PersonId,
    Kind,
    Title,
    Organization,
    StartYm,
    EndYm,
    Year,
    Description,
    Highlights,
    Links,
}

#[derive(DeriveIden)]
enum Education {
    Table,
    Id,
    PersonId,
    Institution,
    Degree,
    Field,
    StartYm,
    EndYm,
    Status,
}

#[derive(DeriveIden)]
enum Language {
    Table,
    Id,
    PersonId,
    Name,
    Fluency,
}

#[derive(DeriveIden)]
enum Common {
    Position,
    Version,
    CreatedAt,
    UpdatedAt,
}

/// `position`, `version`, `created_at`, `updated_at`: on every item table.
fn bookkeeping(table: &mut TableCreateStatement, with_position: bool) -> &mut TableCreateStatement {
    if with_position {
        table.col(integer(Common::Position));
    }
    table
        .col(integer(Common::Version).default(1))
        .col(timestamp_with_time_zone(Common::CreatedAt))
        .col(timestamp_with_time_zone(Common::UpdatedAt))
}

/// A foreign key from `from_table.from_column` to `to_table.to_column`, cascading deletes.
fn fk(
    from_table: impl IntoIden,
    from_column: impl IntoIden,
    to_table: impl IntoIden,
    to_column: impl IntoIden,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from_table, from_column)
        .to(to_table, to_column)
        .on_delete(ForeignKeyAction::Cascade)
        .take()
}

fn index(name: &str, table: impl IntoIden, columns: &[&'static str]) -> IndexCreateStatement {
    let mut stmt = Index::create().name(name).table(table).take();
    for column in columns {
        stmt.col(*column);
    }
    stmt
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                bookkeeping(
                    Table::create()
                        .table(Person::Table)
                        .col(big_pk_auto(Person::Id))
                        .col(string_len_uniq(Person::Slug, 64))
                        .col(string_len(Person::Name, 200))
                        .col(string_len(Person::Headline, 300))
                        .col(text(Person::Summary))
                        .col(string_len_null(Person::Location, 200))
                        .col(string_len_null(Person::Email, 320))
                        .col(text_null(Person::AvatarUrl)),
                    false,
                )
                .to_owned(),
            )
            .await?;

        manager
            .create_table(
                bookkeeping(
                    Table::create()
                        .table(ProfileLink::Table)
                        .col(big_pk_auto(ProfileLink::Id))
                        .col(big_integer(ProfileLink::PersonId))
                        .col(string_len(ProfileLink::Kind, 32))
                        .col(string_len(ProfileLink::Label, 200))
                        .col(text(ProfileLink::Url))
                        .foreign_key(&mut fk(
                            ProfileLink::Table,
                            ProfileLink::PersonId,
                            Person::Table,
                            Person::Id,
                        )),
                    true,
                )
                .to_owned(),
            )
            .await?;

        manager
            .create_table(
                bookkeeping(
                    Table::create()
                        .table(Role::Table)
                        .col(big_pk_auto(Role::Id))
                        .col(big_integer(Role::PersonId))
                        .col(string_len(Role::Organization, 200))
                        .col(string_len(Role::Title, 200))
                        .col(string_len_null(Role::Department, 200))
                        .col(string_len_null(Role::EmploymentType, 32))
                        .col(string_len_null(Role::Location, 200))
                        .col(integer(Role::StartYm))
                        .col(integer_null(Role::EndYm))
                        .col(text_null(Role::Summary))
                        .foreign_key(&mut fk(
                            Role::Table,
                            Role::PersonId,
                            Person::Table,
                            Person::Id,
                        )),
                    true,
                )
                .to_owned(),
            )
            .await?;

        manager
            .create_table(
                bookkeeping(
                    Table::create()
                        .table(Activity::Table)
                        .col(big_pk_auto(Activity::Id))
                        .col(big_integer(Activity::PersonId))
                        .col(string_len(Activity::Kind, 32))
                        .col(text(Activity::Title))
                        .col(string_len_null(Activity::Organization, 200))
                        .col(integer_null(Activity::StartYm))
                        .col(integer_null(Activity::EndYm))
                        .col(integer_null(Activity::Year))
                        .col(text_null(Activity::Description))
                        .col(text(Activity::Highlights))
                        .col(text(Activity::Links))
                        .foreign_key(&mut fk(
                            Activity::Table,
                            Activity::PersonId,
                            Person::Table,
                            Person::Id,
                        )),
                    true,
                )
                .to_owned(),
            )
            .await?;

        manager
            .create_table(
                bookkeeping(
                    Table::create()
                        .table(Achievement::Table)
                        .col(big_pk_auto(Achievement::Id))
                        .col(big_integer(Achievement::PersonId))
                        .col(big_integer_null(Achievement::RoleId))
                        .col(big_integer_null(Achievement::ActivityId))
                        .col(text(Achievement::Title))
                        .col(text_null(Achievement::Context))
                        .col(text(Achievement::Actions))
                        .col(text(Achievement::Results))
                        .col(text(Achievement::Links))
                        .foreign_key(&mut fk(
                            Achievement::Table,
                            Achievement::PersonId,
                            Person::Table,
                            Person::Id,
                        ))
                        .foreign_key(&mut fk(
                            Achievement::Table,
                            Achievement::RoleId,
                            Role::Table,
                            Role::Id,
                        ))
                        .foreign_key(&mut fk(
                            Achievement::Table,
                            Achievement::ActivityId,
                            Activity::Table,
                            Activity::Id,
                        )),
                    true,
                )
                .to_owned(),
            )
            .await?;

        manager
            .create_table(
                bookkeeping(
                    Table::create()
                        .table(Metric::Table)
                        .col(big_pk_auto(Metric::Id))
                        .col(big_integer(Metric::AchievementId))
                        .col(big_integer(Metric::PersonId))
                        .col(string_len(Metric::Label, 200))
                        .col(double_null(Metric::Value))
                        .col(string_len_null(Metric::Unit, 64))
                        .col(string_len(Metric::Display, 300))
                        .foreign_key(&mut fk(
                            Metric::Table,
                            Metric::AchievementId,
                            Achievement::Table,
                            Achievement::Id,
                        ))
                        .foreign_key(&mut fk(
                            Metric::Table,
                            Metric::PersonId,
                            Person::Table,
                            Person::Id,
                        )),
                    true,
                )
                .to_owned(),
            )
            .await?;

        manager
            .create_table(
                bookkeeping(
                    Table::create()
                        .table(Skill::Table)
                        .col(big_pk_auto(Skill::Id))
                        .col(big_integer(Skill::PersonId))
                        .col(string_len(Skill::Name, 100))
                        .col(string_len(Skill::NameKey, 100))
                        .col(string_len(Skill::Category, 32))
                        .col(boolean(Skill::Featured).default(false))
                        .foreign_key(&mut fk(
                            Skill::Table,
                            Skill::PersonId,
                            Person::Table,
                            Person::Id,
                        )),
                    true,
                )
                .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AchievementSkill::Table)
                    .col(big_integer(AchievementSkill::AchievementId))
                    .col(big_integer(AchievementSkill::SkillId))
                    .col(big_integer(AchievementSkill::PersonId))
                    .col(integer(Common::Position))
                    .primary_key(
                        Index::create()
                            .col(AchievementSkill::AchievementId)
                            .col(AchievementSkill::SkillId),
                    )
                    .foreign_key(&mut fk(
                        AchievementSkill::Table,
                        AchievementSkill::AchievementId,
                        Achievement::Table,
                        Achievement::Id,
                    ))
                    .foreign_key(&mut fk(
                        AchievementSkill::Table,
                        AchievementSkill::SkillId,
                        Skill::Table,
                        Skill::Id,
                    ))
                    .foreign_key(&mut fk(
                        AchievementSkill::Table,
                        AchievementSkill::PersonId,
                        Person::Table,
                        Person::Id,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                bookkeeping(
                    Table::create()
                        .table(Education::Table)
                        .col(big_pk_auto(Education::Id))
                        .col(big_integer(Education::PersonId))
                        .col(string_len(Education::Institution, 200))
                        .col(string_len_null(Education::Degree, 200))
                        .col(string_len_null(Education::Field, 200))
                        .col(integer_null(Education::StartYm))
                        .col(integer_null(Education::EndYm))
                        .col(string_len_null(Education::Status, 32))
                        .foreign_key(&mut fk(
                            Education::Table,
                            Education::PersonId,
                            Person::Table,
                            Person::Id,
                        )),
                    true,
                )
                .to_owned(),
            )
            .await?;

        manager
            .create_table(
                bookkeeping(
                    Table::create()
                        .table(Language::Table)
                        .col(big_pk_auto(Language::Id))
                        .col(big_integer(Language::PersonId))
                        .col(string_len(Language::Name, 100))
                        .col(string_len_null(Language::Fluency, 200))
                        .foreign_key(&mut fk(
                            Language::Table,
                            Language::PersonId,
                            Person::Table,
                            Person::Id,
                        )),
                    true,
                )
                .to_owned(),
            )
            .await?;

        // Indexes of the read paths: "children of these parents, in order".
        let indexes = [
            index(
                "idx_profile_link_person",
                ProfileLink::Table,
                &["person_id", "position"],
            ),
            index("idx_role_person", Role::Table, &["person_id", "position"]),
            index(
                "idx_activity_person",
                Activity::Table,
                &["person_id", "position"],
            ),
            index(
                "idx_achievement_person",
                Achievement::Table,
                &["person_id", "position"],
            ),
            index(
                "idx_achievement_role",
                Achievement::Table,
                &["role_id", "position"],
            ),
            index(
                "idx_achievement_activity",
                Achievement::Table,
                &["activity_id", "position"],
            ),
            index(
                "idx_metric_achievement",
                Metric::Table,
                &["achievement_id", "position"],
            ),
            index("idx_metric_person", Metric::Table, &["person_id"]),
            index("idx_skill_person", Skill::Table, &["person_id", "position"]),
            index(
                "idx_achievement_skill_person",
                AchievementSkill::Table,
                &["person_id"],
            ),
            index(
                "idx_achievement_skill_skill",
                AchievementSkill::Table,
                &["skill_id"],
            ),
            index(
                "idx_education_person",
                Education::Table,
                &["person_id", "position"],
            ),
            index(
                "idx_language_person",
                Language::Table,
                &["person_id", "position"],
            ),
        ];
        for stmt in indexes {
            manager.create_index(stmt).await?;
        }
        for table in [
            "person",
            "profile_link",
            "role",
            "activity",
            "achievement",
            "metric",
            "skill",
            "education",
            "language",
        ] {
            crate::precision::microseconds(
                manager,
                table,
                &[("created_at", false), ("updated_at", false)],
            )
            .await?;
        }
        // Skill names are unique per person, case-insensitively.
        manager
            .create_index(
                index(
                    "uq_skill_person_name_key",
                    Skill::Table,
                    &["person_id", "name_key"],
                )
                .unique()
                .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Children first, so that no foreign key is left dangling.
        for table in [
            AchievementSkill::Table.into_iden(),
            Metric::Table.into_iden(),
            Achievement::Table.into_iden(),
            Activity::Table.into_iden(),
            Role::Table.into_iden(),
            Skill::Table.into_iden(),
            ProfileLink::Table.into_iden(),
            Education::Table.into_iden(),
            Language::Table.into_iden(),
            Person::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
