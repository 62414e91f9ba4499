//! The fields of create and update inputs, declared once per type.
//!
//! [`inputs!`] takes a type's fields as its create input spells them (a
//! required `String`, an optional `Option<YearMonth>`, a `bool` with its
//! default) and writes both inputs from that one list: the update input
//! holds each field's [`Field::Patch`] (left out keeps the column; `null`
//! clears an optional one). It also writes how both map onto the row and a
//! borrowed view of what each input gives, which the type's one check
//! function reads: the create and the update input of a type obey the same
//! rules by construction.

use std::convert::identity;

use async_graphql::{ID, MaybeUndefined};

use super::achievement::MetricInput;
use super::activity::{ReferenceInput, encode_references};
use crate::domain::YearMonth;
use crate::graphql::enums::{
    ActivityKind, EducationStatus, EmploymentType, ProfileLinkKind, SkillCategory,
};
use crate::service::codec::encode;

/// A field of a create input: how it is stored, what an update gives for
/// it, and what the rules read of it.
pub trait Field: Clone {
    /// The update input's type of the field.
    type Patch;
    /// The column's value.
    type Column;
    /// What the rules read of a given value.
    type View<'a>: Copy
    where
        Self: 'a;
    /// The value as a create stores it.
    fn column(self) -> Self::Column;
    /// What a create gives (`None` for an optional field left out).
    fn view(&self) -> Option<Self::View<'_>>;
    /// The column's new value after an update (`None`: left as it is).
    fn change(patch: &Self::Patch) -> Option<Self::Column>;
    /// What an update gives (`None` when it leaves or clears the field).
    fn patch_view(patch: &Self::Patch) -> Option<Self::View<'_>>;
}

/// `Field` for required fields: an update may leave one out, never clear
/// it. `$store` makes the column value, `$look` the view.
macro_rules! required {
    ($($ty:ty => $column:ty, $view:ty, $store:expr, $look:expr;)*) => {$(
        impl Field for $ty {
            type Patch = Option<$ty>;
            type Column = $column;
            type View<'a> = $view;
            fn column(self) -> $column {
                $store(self)
            }
            fn view(&self) -> Option<Self::View<'_>> {
                Some($look(self))
            }
            fn change(patch: &Option<$ty>) -> Option<$column> {
                patch.clone().map($store)
            }
            fn patch_view(patch: &Option<$ty>) -> Option<Self::View<'_>> {
                patch.as_ref().map($look)
            }
        }
    )*};
}

fn copied<T: Copy>(value: &T) -> T {
    *value
}

required! {
    String => String, &'a str, |v: String| v.trim().to_owned(), String::as_str;
    bool => bool, bool, identity, copied;
    i32 => i32, i32, identity, copied;
    YearMonth => i32, YearMonth, YearMonth::to_yyyymm, copied;
    Vec<String> => String, &'a [String], |v: Vec<String>| encode(&v), Vec::as_slice;
    Vec<ReferenceInput> => String, &'a [ReferenceInput], |v: Vec<ReferenceInput>| encode_references(&v), Vec::as_slice;
    Vec<MetricInput> => Vec<MetricInput>, &'a [MetricInput], identity, Vec::as_slice;
    Vec<ID> => Vec<ID>, &'a [ID], identity, Vec::as_slice;
    ProfileLinkKind => entity::enums::ProfileLinkKind, ProfileLinkKind, Into::into, copied;
    SkillCategory => entity::enums::SkillCategory, SkillCategory, Into::into, copied;
    EmploymentType => entity::enums::EmploymentType, EmploymentType, Into::into, copied;
    ActivityKind => entity::enums::ActivityKind, ActivityKind, Into::into, copied;
    EducationStatus => entity::enums::EducationStatus, EducationStatus, Into::into, copied;
}

/// An optional field: left out on create stores nothing; an update may
/// leave it (absent), clear it (`null`) or set it.
impl<T> Field for Option<T>
where
    T: Field<Patch = Option<T>>,
{
    type Patch = MaybeUndefined<T>;
    type Column = Option<T::Column>;
    type View<'a>
        = T::View<'a>
    where
        T: 'a;

    fn column(self) -> Self::Column {
        self.map(T::column)
    }

    fn view(&self) -> Option<Self::View<'_>> {
        self.as_ref().and_then(T::view)
    }

    fn change(patch: &MaybeUndefined<T>) -> Option<Self::Column> {
        match patch {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(v) => Some(Some(v.clone().column())),
        }
    }

    fn patch_view(patch: &MaybeUndefined<T>) -> Option<Self::View<'_>> {
        patch.value().and_then(T::view)
    }
}

/// The create and update inputs of a type from one list of its fields,
/// with the fields every input of that kind starts with:
///
/// ```text
/// inputs! {
///     /// create input's doc
///     CreateXInput { head fields of the create input }
///     /// update input's doc
///     UpdateXInput { head fields of the update input }
///     for entity::x => XGiven {
///         /// doc on the create field
///         name: String [/// doc on the update field],
///         start: YearMonth => start_ym,
///         ...
///     }
/// }
/// ```
///
/// A field's `=> column` names its column when that is not the field's own
/// name; `=> none` marks a field that is not a column of the row (the
/// caller stores it elsewhere), `[#[graphql(skip)]]` one only a create
/// input has. `XGiven` is the view of what an input gives, field by field
/// (`None` for what it leaves out); both inputs get `given()`, the create
/// input `row()` and the update input `changes()`.
macro_rules! inputs {
    (
        $(#[$create_doc:meta])* $create:ident { $($create_head:tt)* }
        $(#[$update_doc:meta])* $update:ident { $($update_head:tt)* }
        for $entity:ident => $given:ident {
            $(
                $(#[$attr:meta])*
                $field:ident : $ty:ty $([$(#[$update_attr:meta])*])? $(=> $column:ident)?
            ),* $(,)?
        }
    ) => {
        $(#[$create_doc])*
        #[derive(async_graphql::InputObject)]
        pub struct $create {
            $($create_head)*
            $($(#[$attr])* pub $field: $ty,)*
        }

        $(#[$update_doc])*
        #[derive(async_graphql::InputObject)]
        pub struct $update {
            $($update_head)*
            $($($(#[$update_attr])*)? pub $field: <$ty as $crate::graphql::mutation::fields::Field>::Patch,)*
        }

        /// What an input gives, field by field (`None`: not given).
        #[derive(Clone, Copy)]
        // Every field is in view; a type's rules read those that have rules.
        #[allow(dead_code)]
        pub struct $given<'a> {
            $(pub $field: Option<<$ty as $crate::graphql::mutation::fields::Field>::View<'a>>,)*
        }

        impl $create {
            /// What this input gives.
            pub fn given(&self) -> $given<'_> {
                use $crate::graphql::mutation::fields::Field;
                $given { $($field: self.$field.view(),)* }
            }

            /// The row's own columns.
            pub fn columns(&self) -> entity::$entity::ActiveModel {
                use $crate::graphql::mutation::fields::Field;
                let mut row = <entity::$entity::ActiveModel as Default>::default();
                $($crate::graphql::mutation::fields::inputs!(@set row, $field $(=> $column)?, Some(self.$field.clone().column()));)*
                row
            }
        }

        impl $update {
            /// What this input gives.
            pub fn given(&self) -> $given<'_> {
                $given { $($field: <$ty as $crate::graphql::mutation::fields::Field>::patch_view(&self.$field),)* }
            }

            /// The changes of the row's own columns.
            pub fn columns(&self) -> entity::$entity::ActiveModel {
                let mut row = <entity::$entity::ActiveModel as Default>::default();
                $($crate::graphql::mutation::fields::inputs!(@set row, $field $(=> $column)?, <$ty as $crate::graphql::mutation::fields::Field>::change(&self.$field));)*
                row
            }
        }
    };
    (@set $row:ident, $field:ident => none, $value:expr) => {};
    (@set $row:ident, $field:ident => $column:ident, $value:expr) => {
        if let Some(value) = $value {
            $row.$column = sea_orm::ActiveValue::Set(value);
        }
    };
    (@set $row:ident, $field:ident, $value:expr) => {
        if let Some(value) = $value {
            $row.$field = sea_orm::ActiveValue::Set(value);
        }
    };
}

pub(crate) use inputs;

/// The change of a month field in an update input: the month it leaves,
/// given the stored column.
pub trait MonthChange {
    /// The stored column.
    type Stored;
    /// The month after the change.
    fn after(&self, stored: &Self::Stored) -> Option<YearMonth>;
}

/// A required month: left out keeps the stored one.
impl MonthChange for Option<YearMonth> {
    type Stored = i32;
    fn after(&self, stored: &i32) -> Option<YearMonth> {
        self.or(YearMonth::from_yyyymm(*stored))
    }
}

/// An optional month: left out keeps it, `null` clears it.
impl MonthChange for MaybeUndefined<YearMonth> {
    type Stored = Option<i32>;
    fn after(&self, stored: &Option<i32>) -> Option<YearMonth> {
        match self {
            MaybeUndefined::Undefined => stored.and_then(YearMonth::from_yyyymm),
            MaybeUndefined::Null => None,
            MaybeUndefined::Value(month) => Some(*month),
        }
    }
}
