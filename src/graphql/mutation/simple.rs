//! Profile links, skills, education and languages: flat items of a person's
//! portfolio.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use chrono::Utc;
use entity::{education, language, profile_link, skill};
use sea_orm::ActiveValue::{NotSet, Set};

use super::common::*;
use super::items::{self, Unique};
use crate::domain::validate::Checker;
use crate::domain::{YearMonth, limits};
use crate::graphql::enums::{EducationStatus, ProfileLinkKind, SkillCategory};
use crate::graphql::person::Person;
use crate::graphql::profile::{Education, Language, ProfileLink};
use crate::graphql::skill::Skill;

/// Orders a person's list: `ids` must name every item of it once.
#[derive(InputObject)]
pub struct ReorderInput {
    /// The person whose list it is.
    pub person_id: ID,
    /// Every item of the list, in the new order.
    pub ids: Vec<ID>,
}

/// Deleting one item.
#[derive(InputObject)]
pub struct DeleteInput {
    pub id: ID,
}

/// The id of what was deleted.
#[derive(SimpleObject)]
pub struct DeletePayload {
    /// The global id of what was deleted.
    pub deleted_id: ID,
}

/// The person whose list was reordered.
#[derive(SimpleObject)]
pub struct ReorderPayload {
    /// The person as it is now.
    pub person: Person,
}

// ---------------------------------------------------------------- profile links

/// A new profile link, appended to the person's list.
#[derive(InputObject)]
pub struct CreateProfileLinkInput {
    pub person_id: ID,
    pub kind: ProfileLinkKind,
    pub label: String,
    /// Absolute http(s) URL.
    pub url: String,
    #[graphql(default = true)]
    pub published: bool,
}

/// Changes to a profile link; fields left out stay as they are.
#[derive(InputObject)]
pub struct UpdateProfileLinkInput {
    pub id: ID,
    /// The version the change is based on (CONFLICT if no longer current).
    pub expected_version: Option<i32>,
    pub kind: Option<ProfileLinkKind>,
    pub label: Option<String>,
    pub url: Option<String>,
    pub published: Option<bool>,
}

/// The profile link as saved.
#[derive(SimpleObject)]
pub struct ProfileLinkPayload {
    /// The profile link as it is now.
    pub profile_link: ProfileLink,
}

fn check_link(label: Option<&str>, url: Option<&str>) -> Checker {
    let mut c = Checker::default();
    if let Some(label) = label {
        c.text("input.label", label, limits::SHORT_TEXT);
    }
    if let Some(url) = url {
        c.url("input.url", url);
    }
    c
}

// ---------------------------------------------------------------- skills

/// A new skill, appended to the person's list.
#[derive(InputObject)]
pub struct CreateSkillInput {
    pub person_id: ID,
    /// Unique per person, ignoring case.
    pub name: String,
    pub category: SkillCategory,
    #[graphql(default)]
    pub featured: bool,
    #[graphql(default = true)]
    pub published: bool,
}

/// Changes to a skill; fields left out stay as they are.
#[derive(InputObject)]
pub struct UpdateSkillInput {
    pub id: ID,
    /// The version the change is based on (CONFLICT if no longer current).
    pub expected_version: Option<i32>,
    pub name: Option<String>,
    pub category: Option<SkillCategory>,
    pub featured: Option<bool>,
    pub published: Option<bool>,
}

/// The skill as saved.
#[derive(SimpleObject)]
pub struct SkillPayload {
    /// The skill as it is now.
    pub skill: Skill,
}

const SKILL_TAKEN: Unique = Unique(Some((
    "input.name",
    "the person already has a skill of this name (names are compared ignoring case)",
)));

// ---------------------------------------------------------------- education

/// A new course of study, appended to the person's list.
#[derive(InputObject)]
pub struct CreateEducationInput {
    pub person_id: ID,
    pub institution: String,
    pub degree: Option<String>,
    pub field: Option<String>,
    pub start: Option<YearMonth>,
    /// Not before `start`.
    pub end: Option<YearMonth>,
    pub status: Option<EducationStatus>,
    #[graphql(default = true)]
    pub published: bool,
}

/// Changes to a course of study; left out stays, `null` clears.
#[derive(InputObject)]
pub struct UpdateEducationInput {
    pub id: ID,
    /// The version the change is based on (CONFLICT if no longer current).
    pub expected_version: Option<i32>,
    pub institution: Option<String>,
    pub degree: MaybeUndefined<String>,
    pub field: MaybeUndefined<String>,
    pub start: MaybeUndefined<YearMonth>,
    pub end: MaybeUndefined<YearMonth>,
    pub status: MaybeUndefined<EducationStatus>,
    pub published: Option<bool>,
}

/// The course of study as saved.
#[derive(SimpleObject)]
pub struct EducationPayload {
    /// The education as it is now.
    pub education: Education,
}

// ---------------------------------------------------------------- languages

/// A new spoken language, appended to the person's list.
#[derive(InputObject)]
pub struct CreateLanguageInput {
    pub person_id: ID,
    pub name: String,
    pub fluency: Option<String>,
    #[graphql(default = true)]
    pub published: bool,
}

/// Changes to a language; left out stays, `null` clears.
#[derive(InputObject)]
pub struct UpdateLanguageInput {
    pub id: ID,
    /// The version the change is based on (CONFLICT if no longer current).
    pub expected_version: Option<i32>,
    pub name: Option<String>,
    pub fluency: MaybeUndefined<String>,
    pub published: Option<bool>,
}

/// The language as saved.
#[derive(SimpleObject)]
pub struct LanguagePayload {
    /// The language as it is now.
    pub language: Language,
}

fn ym(value: Option<YearMonth>) -> Option<i32> {
    value.map(YearMonth::to_yyyymm)
}

/// Mutations of profile links, skills, education and languages.
#[derive(Default)]
pub struct SimpleMutation;

#[Object]
impl SimpleMutation {
    /// Adds a profile link at the end of the person's list.
    async fn create_profile_link(
        &self,
        ctx: &Context<'_>,
        input: CreateProfileLinkInput,
    ) -> Result<ProfileLinkPayload> {
        let run = async {
            ensure_valid(check_link(Some(&input.label), Some(&input.url)))?;
            let now = Utc::now();
            let model = items::create::<profile_link::Entity>(
                ctx,
                &input.person_id,
                Unique::NONE,
                |person_id, position| {
                    Ok(profile_link::ActiveModel {
                        id: NotSet,
                        person_id: Set(person_id),
                        kind: Set(input.kind.into()),
                        label: Set(input.label.trim().to_owned()),
                        url: Set(input.url.clone()),
                        position: Set(position),
                        published: Set(input.published),
                        version: Set(1),
                        created_at: Set(now),
                        updated_at: Set(now),
                    })
                },
            )
            .await?;
            Ok(ProfileLinkPayload {
                profile_link: ProfileLink(model),
            })
        };
        run.await.map_err(|e| fail(ctx, e))
    }

    /// Changes a profile link.
    async fn update_profile_link(
        &self,
        ctx: &Context<'_>,
        input: UpdateProfileLinkInput,
    ) -> Result<ProfileLinkPayload> {
        let run = async {
            ensure_valid(check_link(input.label.as_deref(), input.url.as_deref()))?;
            let model = items::update::<profile_link::Entity>(
                ctx,
                &input.id,
                input.expected_version,
                Unique::NONE,
                |_| {
                    let mut changes = <profile_link::ActiveModel as Default>::default();
                    if let Some(kind) = input.kind {
                        changes.kind = Set(kind.into());
                    }
                    if let Some(label) = &input.label {
                        changes.label = Set(label.trim().to_owned());
                    }
                    if let Some(url) = &input.url {
                        changes.url = Set(url.clone());
                    }
                    if let Some(published) = input.published {
                        changes.published = Set(published);
                    }
                    Ok(changes)
                },
            )
            .await?;
            Ok(ProfileLinkPayload {
                profile_link: ProfileLink(model),
            })
        };
        run.await.map_err(|e| fail(ctx, e))
    }

    /// Deletes a profile link.
    async fn delete_profile_link(
        &self,
        ctx: &Context<'_>,
        input: DeleteInput,
    ) -> Result<DeletePayload> {
        let deleted_id = items::delete::<profile_link::Entity>(ctx, &input.id)
            .await
            .map_err(|e| fail(ctx, e))?;
        Ok(DeletePayload { deleted_id })
    }

    /// Puts a person's profile links in a new order.
    async fn reorder_profile_links(
        &self,
        ctx: &Context<'_>,
        input: ReorderInput,
    ) -> Result<ReorderPayload> {
        let person =
            items::reorder_person_list::<profile_link::Entity>(ctx, &input.person_id, &input.ids)
                .await
                .map_err(|e| fail(ctx, e))?;
        Ok(ReorderPayload {
            person: Person(person),
        })
    }

    /// Adds a skill at the end of the person's list.
    async fn create_skill(
        &self,
        ctx: &Context<'_>,
        input: CreateSkillInput,
    ) -> Result<SkillPayload> {
        let run = async {
            let mut c = Checker::default();
            c.text("input.name", &input.name, limits::SKILL_NAME);
            ensure_valid(c)?;
            let now = Utc::now();
            let name = input.name.trim().to_owned();
            let model = items::create::<skill::Entity>(
                ctx,
                &input.person_id,
                SKILL_TAKEN,
                |person_id, position| {
                    Ok(skill::ActiveModel {
                        id: NotSet,
                        person_id: Set(person_id),
                        name_key: Set(name.to_lowercase()),
                        name: Set(name),
                        category: Set(input.category.into()),
                        featured: Set(input.featured),
                        position: Set(position),
                        published: Set(input.published),
                        version: Set(1),
                        created_at: Set(now),
                        updated_at: Set(now),
                    })
                },
            )
            .await?;
            Ok(SkillPayload {
                skill: Skill(model),
            })
        };
        run.await.map_err(|e| fail(ctx, e))
    }

    /// Changes a skill.
    async fn update_skill(
        &self,
        ctx: &Context<'_>,
        input: UpdateSkillInput,
    ) -> Result<SkillPayload> {
        let run = async {
            let mut c = Checker::default();
            if let Some(name) = &input.name {
                c.text("input.name", name, limits::SKILL_NAME);
            }
            ensure_valid(c)?;
            let model = items::update::<skill::Entity>(
                ctx,
                &input.id,
                input.expected_version,
                SKILL_TAKEN,
                |_| {
                    let mut changes = <skill::ActiveModel as Default>::default();
                    if let Some(name) = &input.name {
                        changes.name = Set(name.trim().to_owned());
                        changes.name_key = Set(name.trim().to_lowercase());
                    }
                    if let Some(category) = input.category {
                        changes.category = Set(category.into());
                    }
                    if let Some(featured) = input.featured {
                        changes.featured = Set(featured);
                    }
                    if let Some(published) = input.published {
                        changes.published = Set(published);
                    }
                    Ok(changes)
                },
            )
            .await?;
            Ok(SkillPayload {
                skill: Skill(model),
            })
        };
        run.await.map_err(|e| fail(ctx, e))
    }

    /// Deletes a skill (and its links to achievements).
    async fn delete_skill(&self, ctx: &Context<'_>, input: DeleteInput) -> Result<DeletePayload> {
        let deleted_id = items::delete::<skill::Entity>(ctx, &input.id)
            .await
            .map_err(|e| fail(ctx, e))?;
        Ok(DeletePayload { deleted_id })
    }

    /// Puts a person's skills in a new order.
    async fn reorder_skills(
        &self,
        ctx: &Context<'_>,
        input: ReorderInput,
    ) -> Result<ReorderPayload> {
        let person = items::reorder_person_list::<skill::Entity>(ctx, &input.person_id, &input.ids)
            .await
            .map_err(|e| fail(ctx, e))?;
        Ok(ReorderPayload {
            person: Person(person),
        })
    }

    /// Adds a course of study at the end of the person's list.
    async fn create_education(
        &self,
        ctx: &Context<'_>,
        input: CreateEducationInput,
    ) -> Result<EducationPayload> {
        let run = async {
            let mut c = Checker::default();
            c.text("input.institution", &input.institution, limits::SHORT_TEXT);
            c.optional_text("input.degree", input.degree.as_deref(), limits::SHORT_TEXT);
            c.optional_text("input.field", input.field.as_deref(), limits::SHORT_TEXT);
            c.months("input", input.start, input.end);
            ensure_valid(c)?;
            let now = Utc::now();
            let model = items::create::<education::Entity>(
                ctx,
                &input.person_id,
                Unique::NONE,
                |person_id, position| {
                    Ok(education::ActiveModel {
                        id: NotSet,
                        person_id: Set(person_id),
                        institution: Set(input.institution.trim().to_owned()),
                        degree: Set(input.degree.clone()),
                        field: Set(input.field.clone()),
                        start_ym: Set(ym(input.start)),
                        end_ym: Set(ym(input.end)),
                        status: Set(input.status.map(Into::into)),
                        position: Set(position),
                        published: Set(input.published),
                        version: Set(1),
                        created_at: Set(now),
                        updated_at: Set(now),
                    })
                },
            )
            .await?;
            Ok(EducationPayload {
                education: Education(model),
            })
        };
        run.await.map_err(|e| fail(ctx, e))
    }

    /// Changes a course of study.
    async fn update_education(
        &self,
        ctx: &Context<'_>,
        input: UpdateEducationInput,
    ) -> Result<EducationPayload> {
        let run = async {
            let mut c = Checker::default();
            if let Some(institution) = &input.institution {
                c.text("input.institution", institution, limits::SHORT_TEXT);
            }
            c.optional_text(
                "input.degree",
                input.degree.value().map(String::as_str),
                limits::SHORT_TEXT,
            );
            c.optional_text(
                "input.field",
                input.field.value().map(String::as_str),
                limits::SHORT_TEXT,
            );
            ensure_valid(c)?;
            let model = items::update::<education::Entity>(
                ctx,
                &input.id,
                input.expected_version,
                Unique::NONE,
                |current| {
                    let start = after(
                        &input.start,
                        current.start_ym.and_then(YearMonth::from_yyyymm),
                    );
                    let end = after(&input.end, current.end_ym.and_then(YearMonth::from_yyyymm));
                    let mut c = Checker::default();
                    c.months("input", start, end);
                    ensure_valid(c)?;
                    let mut changes = <education::ActiveModel as Default>::default();
                    if let Some(institution) = &input.institution {
                        changes.institution = Set(institution.trim().to_owned());
                    }
                    changes.degree = maybe(input.degree.clone());
                    changes.field = maybe(input.field.clone());
                    changes.start_ym = maybe(input.start.map_value(YearMonth::to_yyyymm));
                    changes.end_ym = maybe(input.end.map_value(YearMonth::to_yyyymm));
                    changes.status = maybe(input.status.map_value(Into::into));
                    if let Some(published) = input.published {
                        changes.published = Set(published);
                    }
                    Ok(changes)
                },
            )
            .await?;
            Ok(EducationPayload {
                education: Education(model),
            })
        };
        run.await.map_err(|e| fail(ctx, e))
    }

    /// Deletes a course of study.
    async fn delete_education(
        &self,
        ctx: &Context<'_>,
        input: DeleteInput,
    ) -> Result<DeletePayload> {
        let deleted_id = items::delete::<education::Entity>(ctx, &input.id)
            .await
            .map_err(|e| fail(ctx, e))?;
        Ok(DeletePayload { deleted_id })
    }

    /// Puts a person's education in a new order.
    async fn reorder_education(
        &self,
        ctx: &Context<'_>,
        input: ReorderInput,
    ) -> Result<ReorderPayload> {
        let person =
            items::reorder_person_list::<education::Entity>(ctx, &input.person_id, &input.ids)
                .await
                .map_err(|e| fail(ctx, e))?;
        Ok(ReorderPayload {
            person: Person(person),
        })
    }

    /// Adds a spoken language at the end of the person's list.
    async fn create_language(
        &self,
        ctx: &Context<'_>,
        input: CreateLanguageInput,
    ) -> Result<LanguagePayload> {
        let run = async {
            let mut c = Checker::default();
            c.text("input.name", &input.name, limits::SKILL_NAME);
            c.optional_text(
                "input.fluency",
                input.fluency.as_deref(),
                limits::SHORT_TEXT,
            );
            ensure_valid(c)?;
            let now = Utc::now();
            let model = items::create::<language::Entity>(
                ctx,
                &input.person_id,
                Unique::NONE,
                |person_id, position| {
                    Ok(language::ActiveModel {
                        id: NotSet,
                        person_id: Set(person_id),
                        name: Set(input.name.trim().to_owned()),
                        fluency: Set(input.fluency.clone()),
                        position: Set(position),
                        published: Set(input.published),
                        version: Set(1),
                        created_at: Set(now),
                        updated_at: Set(now),
                    })
                },
            )
            .await?;
            Ok(LanguagePayload {
                language: Language(model),
            })
        };
        run.await.map_err(|e| fail(ctx, e))
    }

    /// Changes a spoken language.
    async fn update_language(
        &self,
        ctx: &Context<'_>,
        input: UpdateLanguageInput,
    ) -> Result<LanguagePayload> {
        let run = async {
            let mut c = Checker::default();
            if let Some(name) = &input.name {
                c.text("input.name", name, limits::SKILL_NAME);
            }
            c.optional_text(
                "input.fluency",
                input.fluency.value().map(String::as_str),
                limits::SHORT_TEXT,
            );
            ensure_valid(c)?;
            let model = items::update::<language::Entity>(
                ctx,
                &input.id,
                input.expected_version,
                Unique::NONE,
                |_| {
                    let mut changes = <language::ActiveModel as Default>::default();
                    if let Some(name) = &input.name {
                        changes.name = Set(name.trim().to_owned());
                    }
                    changes.fluency = maybe(input.fluency.clone());
                    if let Some(published) = input.published {
                        changes.published = Set(published);
                    }
                    Ok(changes)
                },
            )
            .await?;
            Ok(LanguagePayload {
                language: Language(model),
            })
        };
        run.await.map_err(|e| fail(ctx, e))
    }

    /// Deletes a spoken language.
    async fn delete_language(
        &self,
        ctx: &Context<'_>,
        input: DeleteInput,
    ) -> Result<DeletePayload> {
        let deleted_id = items::delete::<language::Entity>(ctx, &input.id)
            .await
            .map_err(|e| fail(ctx, e))?;
        Ok(DeletePayload { deleted_id })
    }

    /// Puts a person's languages in a new order.
    async fn reorder_languages(
        &self,
        ctx: &Context<'_>,
        input: ReorderInput,
    ) -> Result<ReorderPayload> {
        let person =
            items::reorder_person_list::<language::Entity>(ctx, &input.person_id, &input.ids)
                .await
                .map_err(|e| fail(ctx, e))?;
        Ok(ReorderPayload {
            person: Person(person),
        })
    }
}
