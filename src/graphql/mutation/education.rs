//! Writing courses of study.

use async_graphql::MaybeUndefined;
use entity::education;
use sea_orm::ActiveValue::Set;

use super::common::{maybe, month_after, set, trimmed, ym};
use super::items::{ItemPatch, NewItem, item_inputs, item_mutations};
use crate::domain::validate::Checker;
use crate::domain::{YearMonth, rules};
use crate::graphql::enums::EducationStatus;
use crate::graphql::profile::Education;

item_inputs! {
    /// A new course of study, appended to the person's list.
    CreateEducationInput {
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
    UpdateEducationInput {
        pub institution: Option<String>,
        pub degree: MaybeUndefined<String>,
        pub field: MaybeUndefined<String>,
        pub start: MaybeUndefined<YearMonth>,
        pub end: MaybeUndefined<YearMonth>,
        pub status: MaybeUndefined<EducationStatus>,
        pub published: Option<bool>,
    }
}

impl NewItem for CreateEducationInput {
    type Entity = education::Entity;

    fn check(&self, c: &mut Checker) {
        let (degree, field) = (self.degree.as_deref(), self.field.as_deref());
        let months = Some((self.start, self.end));
        rules::education(c, "input", Some(&self.institution), degree, field, months);
    }

    fn row(self) -> education::ActiveModel {
        education::ActiveModel {
            institution: Set(self.institution.trim().to_owned()),
            degree: Set(self.degree),
            field: Set(self.field),
            start_ym: Set(ym(self.start)),
            end_ym: Set(ym(self.end)),
            status: Set(self.status.map(Into::into)),
            published: Set(self.published),
            ..Default::default()
        }
    }
}

impl ItemPatch for UpdateEducationInput {
    type Entity = education::Entity;

    fn check(&self, c: &mut Checker) {
        let institution = self.institution.as_deref();
        let degree = self.degree.value().map(String::as_str);
        let field = self.field.value().map(String::as_str);
        rules::education(c, "input", institution, degree, field, None);
    }

    fn changes(&self, current: &education::Model, c: &mut Checker) -> education::ActiveModel {
        let start = month_after(&self.start, current.start_ym);
        c.months("input", start, month_after(&self.end, current.end_ym));
        education::ActiveModel {
            degree: maybe(self.degree.clone()),
            field: maybe(self.field.clone()),
            start_ym: maybe(self.start.map_value(YearMonth::to_yyyymm)),
            end_ym: maybe(self.end.map_value(YearMonth::to_yyyymm)),
            status: maybe(self.status.map_value(Into::into)),
            institution: set(trimmed(&self.institution)),
            published: set(self.published),
            ..Default::default()
        }
    }
}

item_mutations! {
    /// Mutations of courses of study.
    EducationMutation for education => Education;
    /// The course of study as saved.
    EducationPayload {
        /// The education as it is now.
        education
    }
    /// Adds a course of study at the end of the person's list.
    create_education(CreateEducationInput);
    /// Changes a course of study.
    update_education(UpdateEducationInput);
    /// Deletes a course of study.
    delete_education;
    /// Puts a person's education in a new order.
    reorder_education;
}
