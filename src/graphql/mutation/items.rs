//! The create / update / delete / reorder flow shared by every item type of a
//! portfolio; each type's module supplies its inputs and how they map to
//! columns.

use async_graphql::{Context, ID};
use entity::person;
use sea_orm::{ActiveModelTrait, ColumnTrait, IntoActiveModel, QueryFilter};

use super::common::*;
use crate::error::{AppError, AppResult};
use crate::graphql::ids;

/// Which input field a unique-constraint violation is about, if the table
/// has one the input can break.
#[derive(Clone, Copy)]
pub struct Unique(pub Option<(&'static str, &'static str)>);

impl Unique {
    pub const NONE: Unique = Unique(None);

    fn map(self, err: sea_orm::DbErr) -> AppError {
        match self.0 {
            Some((field, message)) => AppError::unique_violation(err, field, message),
            None => err.into(),
        }
    }
}

/// Creates a row of `E` in the portfolio of `person_id` (a global id), at the
/// end of its list, unless the list is full. `build` gets the person's row
/// id and the position.
pub async fn create<E>(
    ctx: &Context<'_>,
    person_id: &ID,
    unique: Unique,
    build: impl FnOnce(i64, i32) -> AppResult<E::ActiveModel>,
) -> AppResult<E::Model>
where
    E: Editable,
    E::Model: IntoActiveModel<E::ActiveModel> + Clone + Send + Sync,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
{
    let edit = Edit::new(ctx)?;
    let done = write(ctx, edit.db, async |txn| {
        let owner = load_person(txn, &edit.viewer, "input.personId", person_id).await?;
        ensure_room::<E>(txn, owner.id, "input.personId").await?;
        let position = next_position::<E>(txn, owner.id).await?;
        let model = build(owner.id, position)?
            .insert(txn)
            .await
            .map_err(|e| unique.map(e))?;
        Ok(Some((model, owner.id)))
    })
    .await?;
    written(done)
}

/// Changes row `id` of `E`: `changes` gets the current row and returns the
/// columns to set (or every problem found). Honours `expected_version`;
/// without it, a lost race is retried on the fresh row.
pub async fn update<E>(
    ctx: &Context<'_>,
    id: &ID,
    expected_version: Option<i32>,
    unique: Unique,
    changes: impl Fn(&E::Model) -> AppResult<E::ActiveModel>,
) -> AppResult<E::Model>
where
    E: Editable,
    E::Model: IntoActiveModel<E::ActiveModel> + Clone + Send + Sync,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
{
    let edit = Edit::new(ctx)?;
    let changes = &changes;
    let edit = &edit;
    with_retries(|| {
        write(ctx, edit.db, async |txn| {
            let current = load::<E>(txn, &edit.viewer, "input.id", id).await?;
            check_version(E::version_of(&current), expected_version, E::NAME)?;
            let row = E::id_of(&current);
            let set = compare_and_set::<E>(txn, changes(&current)?, row, E::version_of(&current))
                .await
                .map_err(|e| unique.map(e))?;
            if !set {
                return Ok(None);
            }
            let updated = E::find()
                .filter(E::id_column().eq(row))
                .one(txn)
                .await?
                .ok_or_else(|| AppError::internal(format!("an updated {} vanished", E::NAME)))?;
            let person_id = E::person_of(&updated);
            Ok(Some((updated, person_id)))
        })
    })
    .await
}

/// Deletes row `id` of `E` (and what hangs from it); returns its global id.
pub async fn delete<E>(ctx: &Context<'_>, id: &ID) -> AppResult<ID>
where
    E: Editable,
    E::Model: IntoActiveModel<E::ActiveModel> + Clone + Send + Sync,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
{
    let edit = Edit::new(ctx)?;
    let done = write(ctx, edit.db, async |txn| {
        let current = load::<E>(txn, &edit.viewer, "input.id", id).await?;
        E::delete_many()
            .filter(E::id_column().eq(E::id_of(&current)))
            .exec(txn)
            .await?;
        Ok(Some((
            ids::encode(E::NODE, E::id_of(&current)),
            E::person_of(&current),
        )))
    })
    .await?;
    written(done)
}

/// Puts a person's whole list of `E` in the order of `ids`.
pub async fn reorder_person_list<E>(
    ctx: &Context<'_>,
    person_id: &ID,
    ids: &[ID],
) -> AppResult<person::Model>
where
    E: Editable,
    E::Model: IntoActiveModel<E::ActiveModel> + Clone + Send + Sync,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
{
    let edit = Edit::new(ctx)?;
    check_reorder_ids::<E>(ids)?;
    let done = write(ctx, edit.db, async |txn| {
        let owner = load_person(txn, &edit.viewer, "input.personId", person_id).await?;
        let rows = E::find()
            .filter(E::person_column().eq(owner.id))
            .all(txn)
            .await?;
        reorder::<E>(txn, rows, ids).await?;
        let id = owner.id;
        Ok(Some((owner, id)))
    })
    .await?;
    written(done)
}
