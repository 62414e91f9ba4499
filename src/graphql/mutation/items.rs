//! The create / update / delete / reorder flow shared by every item type of a
//! portfolio. A type's create input implements [`NewItem`] (it checks itself
//! and becomes a row), its update input [`ItemPatch`] (it checks itself and
//! knows its changes), and [`item_mutations!`] writes its four resolvers, each
//! one call into this module.

use async_graphql::{Context, ID, InputObject, SimpleObject};
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter};

use super::common::*;
use crate::domain::validate::Checker;
use crate::error::{AppError, AppResult};
use crate::graphql::ids;
use crate::graphql::person::Person;

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

/// Which input field a unique-constraint violation is about, if the table
/// has one the input can break.
#[derive(Clone, Copy)]
pub struct Unique(pub Option<(&'static str, &'static str)>);

impl Unique {
    /// No unique constraint an input can break.
    pub const NONE: Unique = Unique(None);

    fn map(self, err: sea_orm::DbErr) -> AppError {
        match self.0 {
            Some((field, message)) => AppError::unique_violation(err, field, message),
            None => err.into(),
        }
    }
}

/// The row model and active model of an editable table.
pub type Row<E> = <E as EntityTrait>::Model;
/// The changes to a row of an editable table.
pub type Changes<E> = <E as EntityTrait>::ActiveModel;

/// The rules of a type's fields, read from what an input gives
/// ([`super::fields::inputs!`] writes the view): one function serves the
/// create and the update input of a type.
pub trait Rules {
    /// The unique constraint an input can break.
    const UNIQUE: Unique = Unique::NONE;
    /// Every broken rule of what is given, under `input`. `new` for a
    /// create input, which gives the whole row; rules between fields of an
    /// update are judged against the stored row (`against` in
    /// [`item_inputs!`]).
    fn check(&self, c: &mut Checker, new: bool);
}

/// A create or update input of a list item: it checks itself and knows
/// its columns. [`item_inputs!`] implements it.
pub trait ItemInput {
    /// The table of the item.
    type Entity: Editable;
    /// The unique constraint the input can break.
    const UNIQUE: Unique;
    /// Every broken rule of the input alone, under `input`.
    fn check(&self, c: &mut Checker);
    /// The columns it sets: all of a new row but its person, position,
    /// version and times; the changed ones of an update.
    fn row(&self) -> Changes<Self::Entity>;
}

/// A create input of a list item.
pub trait NewItem: ItemInput {
    /// Whose portfolio gets the item.
    fn person_id(&self) -> &ID;
}

/// What an update input is about: [`target!`] implements it.
pub trait Target {
    /// The item to change.
    fn id(&self) -> &ID;
    /// The version the change is based on.
    fn expected_version(&self) -> Option<i32>;
}

/// `Target` for an input with `id` and `expectedVersion`.
macro_rules! target {
    ($input:ty) => {
        impl $crate::graphql::mutation::items::Target for $input {
            fn id(&self) -> &async_graphql::ID {
                &self.id
            }

            fn expected_version(&self) -> Option<i32> {
                self.expected_version
            }
        }
    };
}

pub(crate) use target;

/// An input that changes one item: the item, the version the change is
/// based on, then the fields given.
macro_rules! patch_input {
    ($(#[$doc:meta])* $input:ident { $($fields:tt)* }) => {
        $(#[$doc])*
        #[derive(async_graphql::InputObject)]
        pub struct $input {
            pub id: async_graphql::ID,
            /// The version the change is based on (CONFLICT if no longer current).
            pub expected_version: Option<i32>,
            $($fields)*
        }

        $crate::graphql::mutation::items::target!($input);
    };
}

pub(crate) use patch_input;

/// An update input of a list item.
pub trait ItemPatch: ItemInput + Target {
    /// The rules that hold between the change and what is stored (a start
    /// month against the stored end).
    fn against(&self, _current: &Row<Self::Entity>, _c: &mut Checker) {}
    /// Writes what the change keeps outside the row (an achievement's
    /// metrics), once the row is written.
    fn after(
        &self,
        _txn: &DatabaseTransaction,
        _row: &Row<Self::Entity>,
    ) -> impl Future<Output = AppResult<()>> + Send {
        async { Ok(()) }
    }
}

/// Creates the item `input` describes, at the end of its person's list,
/// unless the list is full.
pub async fn create<I: NewItem, P: From<Row<I::Entity>>>(
    ctx: &Context<'_>,
    input: I,
) -> async_graphql::Result<P> {
    let row = create_row(ctx, input).await.map_err(|e| fail(ctx, e))?;
    Ok(P::from(row))
}

async fn create_row<I: NewItem>(ctx: &Context<'_>, input: I) -> AppResult<Row<I::Entity>> {
    let edit = Edit::new(ctx)?;
    let mut c = Checker::default();
    input.check(&mut c);
    ensure_valid(c)?;
    let person_id = input.person_id().clone();
    let done = write(ctx, edit.db, async |txn| {
        let owner = load_person(txn, &edit.viewer, "input.personId", &person_id).await?;
        ensure_room::<I::Entity>(txn, owner.id, "input.personId").await?;
        let position = next_position::<I::Entity>(txn, owner.id).await?;
        let model = new_row::<I::Entity>(input.row(), owner.id, position)?
            .insert(txn)
            .await
            .map_err(|e| I::UNIQUE.map(e))?;
        Ok(Some((model, owner.id)))
    })
    .await?;
    written(done)
}

/// `row` as a new row of `person_id` at `position`, at version 1, made now.
pub fn new_row<E: Editable>(
    mut row: Changes<E>,
    person_id: i64,
    position: i32,
) -> AppResult<Changes<E>> {
    let now = Utc::now();
    let columns = [
        (E::person_column(), sea_orm::Value::from(person_id)),
        (E::position_column(), position.into()),
        (E::version_column(), 1i32.into()),
        (E::created_at_column(), now.into()),
        (E::updated_at_column(), now.into()),
    ];
    for (column, value) in columns {
        row.try_set(column, value)?;
    }
    Ok(row)
}

/// Changes the item `input` names. Honours `expectedVersion`; without it, a
/// lost race is retried on the fresh row.
pub async fn update<P: ItemPatch, Payload: From<Row<P::Entity>>>(
    ctx: &Context<'_>,
    input: P,
) -> async_graphql::Result<Payload> {
    let row = update_row(ctx, &input).await.map_err(|e| fail(ctx, e))?;
    Ok(Payload::from(row))
}

async fn update_row<P: ItemPatch>(ctx: &Context<'_>, input: &P) -> AppResult<Row<P::Entity>> {
    type E<P> = <P as ItemInput>::Entity;
    let edit = &Edit::new(ctx)?;
    let mut c = Checker::default();
    input.check(&mut c);
    ensure_valid(c)?;
    with_retries(|| {
        write(ctx, edit.db, async |txn| {
            let current = load::<E<P>>(txn, &edit.viewer, "input.id", input.id()).await?;
            let version = E::<P>::version_of(&current);
            check_version(version, input.expected_version(), E::<P>::NAME)?;
            let mut c = Checker::default();
            input.against(&current, &mut c);
            ensure_valid(c)?;
            let changes = input.row();
            let row = E::<P>::id_of(&current);
            let Some(updated) = compare_and_set::<E<P>>(txn, changes, row, version)
                .await
                .map_err(|e| P::UNIQUE.map(e))?
            else {
                return Ok(None);
            };
            input.after(txn, &updated).await?;
            let person_id = E::<P>::person_of(&updated);
            Ok(Some((updated, person_id)))
        })
    })
    .await
}

/// Deletes row `input.id` of `E` (and what hangs from it).
pub async fn delete<E: Editable>(
    ctx: &Context<'_>,
    input: DeleteInput,
) -> AppResult<DeletePayload> {
    let edit = Edit::new(ctx)?;
    let done = write(ctx, edit.db, async |txn| {
        let current = load::<E>(txn, &edit.viewer, "input.id", &input.id).await?;
        E::delete_many()
            .filter(E::id_column().eq(E::id_of(&current)))
            .exec(txn)
            .await?;
        let deleted_id = ids::encode(E::NODE, E::id_of(&current));
        Ok(Some((DeletePayload { deleted_id }, E::person_of(&current))))
    })
    .await?;
    written(done)
}

/// Puts a person's whole list of `E` in the order of `input.ids`.
pub async fn reorder<E: Editable>(
    ctx: &Context<'_>,
    input: ReorderInput,
) -> AppResult<ReorderPayload> {
    let edit = Edit::new(ctx)?;
    check_reorder_ids::<E>(&input.ids)?;
    let done = write(ctx, edit.db, async |txn| {
        let owner = load_person(txn, &edit.viewer, "input.personId", &input.person_id).await?;
        let rows = E::find()
            .filter(E::person_column().eq(owner.id))
            .all(txn)
            .await?;
        reorder_rows::<E>(txn, rows, &input.ids).await?;
        let id = owner.id;
        Ok(Some((
            ReorderPayload {
                person: Person(owner),
            },
            id,
        )))
    })
    .await?;
    written(done)
}

/// The create and update inputs of an item type (see
/// [`$crate::graphql::mutation::fields::inputs!`] for the list of fields), with the fields every
/// item type has: the person a new item is for; the item a change is about
/// and the version it is based on. Its [`Rules`] are implemented on the
/// view; `span` names the start and end month of a type whose months must
/// be in order (an update is judged with the stored row), `derive` a
/// function that sets columns derived from others.
macro_rules! item_inputs {
    (
        $(#[$create_doc:meta])* $create:ident
        $(#[$update_doc:meta])* $update:ident
        for $entity:ident => $given:ident { $($fields:tt)* }
        $(span $start:ident => $start_column:ident, $end:ident => $end_column:ident;)?
        $(derive $derive:path;)?
    ) => {
        $crate::graphql::mutation::fields::inputs! {
            $(#[$create_doc])* $create { pub person_id: async_graphql::ID, }
            $(#[$update_doc])* $update {
                pub id: async_graphql::ID,
                /// The version the change is based on (CONFLICT if no longer current).
                pub expected_version: Option<i32>,
            }
            for $entity => $given { $($fields)* }
        }

        $crate::graphql::mutation::items::item_inputs!(@input $create, $entity, $given, true $(, $derive)?);
        $crate::graphql::mutation::items::item_inputs!(@input $update, $entity, $given, false $(, $derive)?);

        impl $crate::graphql::mutation::items::NewItem for $create {
            fn person_id(&self) -> &async_graphql::ID {
                &self.person_id
            }
        }

        $crate::graphql::mutation::items::target!($update);

        impl $crate::graphql::mutation::items::ItemPatch for $update {
            $(fn against(
                &self,
                current: &entity::$entity::Model,
                c: &mut $crate::domain::validate::Checker,
            ) {
                use $crate::graphql::mutation::fields::MonthChange;
                let start = self.$start.after(&current.$start_column);
                c.months("input", start, self.$end.after(&current.$end_column));
            })?
        }
    };
    (@input $input:ident, $entity:ident, $given:ident, $new:literal $(, $derive:path)?) => {
        impl $crate::graphql::mutation::items::ItemInput for $input {
            type Entity = entity::$entity::Entity;
            const UNIQUE: $crate::graphql::mutation::items::Unique =
                <$given<'static> as $crate::graphql::mutation::items::Rules>::UNIQUE;

            fn check(&self, c: &mut $crate::domain::validate::Checker) {
                $crate::graphql::mutation::items::Rules::check(&self.given(), c, $new);
            }

            fn row(&self) -> entity::$entity::ActiveModel {
                #[allow(unused_mut)]
                let mut row = self.columns();
                $($derive(&mut row);)?
                row
            }
        }
    };
}

pub(crate) use item_inputs;

/// The mutation object of one item type: its payload and its create,
/// update, delete and reorder resolvers, each one call into this module.
/// The doc comments given become the schema's descriptions.
macro_rules! item_mutations {
    (
        $(#[$doc:meta])* $mutation:ident for $entity:ident => $object:ident;
        $(#[$payload_doc:meta])* $payload:ident {
            $(#[$field_doc:meta])* $field:ident
        }
        $(#[$create_doc:meta])* $create:ident($create_input:ty);
        $(#[$update_doc:meta])* $update:ident($update_input:ty);
        $(#[$delete_doc:meta])* $delete:ident;
        $(#[$reorder_doc:meta])* $reorder:ident;
    ) => {
        $(#[$payload_doc])*
        #[derive(async_graphql::SimpleObject)]
        pub struct $payload {
            $(#[$field_doc])*
            pub $field: $object,
        }

        impl From<entity::$entity::Model> for $payload {
            fn from(row: entity::$entity::Model) -> Self {
                $payload { $field: $object(row) }
            }
        }

        $crate::graphql::mutation::items::mutations! {
            $(#[$doc])* $mutation;
            $(#[$create_doc])* $create($create_input) -> $payload = $crate::graphql::mutation::items::create;
            $(#[$update_doc])* $update($update_input) -> $payload = $crate::graphql::mutation::items::update;
            $(#[$delete_doc])* $delete($crate::graphql::mutation::items::DeleteInput) -> $crate::graphql::mutation::items::DeletePayload
                = $crate::graphql::mutation::items::delete::<entity::$entity::Entity>;
            $(#[$reorder_doc])* $reorder($crate::graphql::mutation::items::ReorderInput) -> $crate::graphql::mutation::items::ReorderPayload
                = $crate::graphql::mutation::items::reorder::<entity::$entity::Entity>;
        }
    };
}

pub(crate) use item_mutations;

/// A mutation object whose resolvers each call one function
/// `async fn(&Context, Input) -> Result<Payload, _>` (an [`AppResult`] or
/// an `async_graphql::Result`). The doc
/// comments given become the schema's descriptions.
macro_rules! mutations {
    (
        $(#[$doc:meta])* $mutation:ident;
        $($(#[$field_doc:meta])* $field:ident($input:ty) -> $payload:ty = $run:path;)*
    ) => {
        $(#[$doc])*
        #[derive(Default)]
        pub struct $mutation;

        #[async_graphql::Object]
        impl $mutation {
            $(
                $(#[$field_doc])*
                async fn $field(
                    &self,
                    ctx: &async_graphql::Context<'_>,
                    input: $input,
                ) -> async_graphql::Result<$payload> {
                    $crate::graphql::mutation::common::Answer::answer($run(ctx, input).await, ctx)
                }
            )*
        }
    };
}

pub(crate) use mutations;
