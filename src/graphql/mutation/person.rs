//! Creating, changing and deleting people.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::Utc;
use entity::person;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};

use super::common::*;
use super::fields::inputs;
use super::items::mutations;
use crate::domain::rules::{self, Naming, PersonFields};
use crate::domain::validate::Checker;
use crate::error::{AppError, AppResult};
use crate::graphql::ids::{self, NodeType};
use crate::graphql::person::Person;
use crate::service::write;

inputs! {
    /// A new person (admin only).
    CreatePersonInput {}
    /// Changes to a person; fields left out stay as they are, `null` clears an
    /// optional field.
    UpdatePersonInput {
        pub id: ID,
        /// The version the change is based on; a different current version
        /// fails with CONFLICT. Left out, the change applies to whatever is current.
        pub expected_version: Option<i32>,
    }
    for person => PersonGiven {
        /// Unique URL-safe handle: `^[a-z0-9]+(-[a-z0-9]+)*$`, 3-64 characters.
        slug: String,
        name: String,
        headline: String,
        /// Introduction, one string per paragraph.
        #[graphql(default)]
        summary: Vec<String>,
        location: Option<String>,
        email: Option<String>,
        /// Absolute http(s) URL.
        avatar_url: Option<String>,
        /// False to create the person as a draft, visible only with a token.
        #[graphql(default = true)]
        published: bool,
    }
}

impl PersonGiven<'_> {
    /// The rules of what is given.
    fn check(&self) -> AppResult<()> {
        let mut c = Checker::default();
        let fields = PersonFields {
            slug: self.slug,
            name: self.name,
            headline: self.headline,
            summary: self.summary,
            location: self.location,
            email: self.email,
            avatar_url: self.avatar_url,
        };
        rules::person(&mut c, "input", Naming::Api, fields);
        ensure_valid(c)
    }
}

/// Deleting a person and the whole portfolio (admin only).
#[derive(InputObject)]
pub struct DeletePersonInput {
    pub id: ID,
}

/// The person as created.
#[derive(SimpleObject)]
pub struct CreatePersonPayload {
    /// The person as it is now.
    pub person: Person,
}

/// The person as changed.
#[derive(SimpleObject)]
pub struct UpdatePersonPayload {
    /// The person as it is now.
    pub person: Person,
}

/// What was deleted.
#[derive(SimpleObject)]
pub struct DeletePersonPayload {
    /// The id of the deleted person.
    pub deleted_id: ID,
}

async fn slug_taken(
    txn: &impl sea_orm::ConnectionTrait,
    slug: &str,
    except: Option<i64>,
) -> AppResult<bool> {
    let mut query = person::Entity::find().filter(person::Column::Slug.eq(slug));
    if let Some(id) = except {
        query = query.filter(person::Column::Id.ne(id));
    }
    Ok(query.one(txn).await?.is_some())
}

const SLUG_TAKEN: &str = "this slug is taken by another person";
/// What a person's token is told of a slug in use: the same whoever uses it
/// and whether that person is published or a draft. (That the slug cannot
/// be had is inherent in unique slugs; who has it, or that it is someone
/// the token cannot see, is not said.)
const SLUG_UNAVAILABLE: &str = "this slug is not available; choose another";

mutations! {
    /// Mutations of people.
    PersonMutation;
    /// Creates a person with an empty portfolio. Needs an admin token.
    create_person(CreatePersonInput) -> CreatePersonPayload = create_person;
    /// Changes a person's own fields. Needs the person's token (or admin).
    update_person(UpdatePersonInput) -> UpdatePersonPayload = update_person;
    /// Deletes a person and everything in the portfolio. Needs an admin token.
    delete_person(DeletePersonInput) -> DeletePersonPayload = delete_person;
}

async fn create_person(
    ctx: &Context<'_>,
    input: CreatePersonInput,
) -> AppResult<CreatePersonPayload> {
    let edit = Edit::admin(ctx)?;
    input.given().check()?;
    let input = &input;
    let done = write_then(ctx, edit.db, Written::Person, async |txn| {
        if slug_taken(txn, &input.slug, None).await? {
            return Err(AppError::bad_input("input.slug", SLUG_TAKEN));
        }
        let now = Utc::now();
        let mut model = input.columns();
        model.version = Set(1);
        model.created_at = Set(now);
        model.updated_at = Set(now);
        let model = model
            .insert(txn)
            .await
            .map_err(|e| AppError::unique_violation(e, "input.slug", SLUG_TAKEN))?;
        let id = model.id;
        Ok(Some((model, id)))
    })
    .await?;
    Ok(CreatePersonPayload {
        person: Person(written(done)?),
    })
}

async fn update_person(
    ctx: &Context<'_>,
    input: UpdatePersonInput,
) -> AppResult<UpdatePersonPayload> {
    let edit = Edit::new(ctx)?;
    let (input, edit) = (&input, &edit);
    input.given().check()?;
    // The person's own row carries `updated_at`: one UPDATE sets it with
    // the changes.
    let person = with_retries(|| {
        write_person_row(ctx, edit.db, async |txn| {
            let current = load_person(txn, &edit.viewer, "input.id", &input.id).await?;
            check_version(current.version, input.expected_version, "person")?;
            let taken = if edit.viewer.is_admin() {
                SLUG_TAKEN
            } else {
                SLUG_UNAVAILABLE
            };
            if let Some(slug) = &input.slug
                && slug_taken(txn, slug, Some(current.id)).await?
            {
                return Err(AppError::bad_input("input.slug", taken));
            }
            let Some(updated) = compare_and_set::<person::Entity>(
                txn,
                input.columns(),
                current.id,
                current.version,
            )
            .await
            .map_err(|e| AppError::unique_violation(e, "input.slug", taken))?
            else {
                return Ok(None);
            };
            let id = updated.id;
            Ok(Some((updated, id)))
        })
    })
    .await?;
    Ok(UpdatePersonPayload {
        person: Person(person),
    })
}

async fn delete_person(
    ctx: &Context<'_>,
    input: DeletePersonInput,
) -> AppResult<DeletePersonPayload> {
    let edit = Edit::admin(ctx)?;
    let row = row_id("input.id", &input.id, NodeType::Person)?;
    let deleted = write::transaction(edit.db, async |txn| {
        Ok(write::delete_person(txn, row).await?.then_some(()))
    })
    .await?;
    if deleted.is_none() {
        return Err(AppError::NotFound(format!(
            "no person with id {:?}",
            input.id
        )));
    }
    committed(ctx, row, true);
    Ok(DeletePersonPayload {
        deleted_id: ids::encode(NodeType::Person, row),
    })
}

/// A JSON Resume document to create a person from (admin only).
#[derive(InputObject)]
pub struct ImportJsonResumeInput {
    /// The new person's slug.
    pub slug: String,
    /// A JSON Resume (schema 1.0.0) document.
    pub resume: async_graphql::Json<serde_json::Value>,
}

/// The person created from the resume.
#[derive(SimpleObject)]
pub struct ImportJsonResumePayload {
    /// The person as it is now.
    pub person: Person,
}

/// Importing JSON Resume documents.
#[derive(Default)]
pub struct ImportMutation;

#[Object]
impl ImportMutation {
    /// Creates a person from a JSON Resume document. Needs an admin token.
    /// An invalid document writes nothing and gets one BAD_USER_INPUT per
    /// problem, each naming its path (e.g. `input.resume.work[0].startDate`).
    async fn import_json_resume(
        &self,
        ctx: &Context<'_>,
        input: ImportJsonResumeInput,
    ) -> Result<ImportJsonResumePayload> {
        let run = async {
            let edit = Edit::admin(ctx)?;
            let id = crate::service::json_resume::import(
                edit.db,
                &input.resume.0,
                &input.slug,
                crate::service::json_resume::Named {
                    slug: "input.slug",
                    resume: "input.resume",
                },
            )
            .await?;
            committed(ctx, id, true);
            let person = person::Entity::find_by_id(id)
                .one(edit.db)
                .await?
                .ok_or_else(|| AppError::internal("an imported person vanished"))?;
            Ok(ImportJsonResumePayload {
                person: Person(person),
            })
        };
        run.await.map_err(|e| fail(ctx, e))
    }
}
