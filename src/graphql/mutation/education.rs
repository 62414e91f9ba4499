//! Writing courses of study.

use super::items::{Rules, item_inputs, item_mutations};
use crate::domain::validate::Checker;
use crate::domain::{YearMonth, rules};
use crate::graphql::enums::EducationStatus;
use crate::graphql::profile::Education;

item_inputs! {
    /// A new course of study, appended to the person's list.
    CreateEducationInput
    /// Changes to a course of study; left out stays, `null` clears.
    UpdateEducationInput
    for education => EducationGiven {
        institution: String,
        degree: Option<String>,
        field: Option<String>,
        start: Option<YearMonth> => start_ym,
        /// Not before `start`.
        end: Option<YearMonth> => end_ym,
        status: Option<EducationStatus>,
        #[graphql(default = true)]
        published: bool,
    }
    span start => start_ym, end => end_ym;
}

impl Rules for EducationGiven<'_> {
    fn check(&self, c: &mut Checker, new: bool) {
        let months = new.then_some((self.start, self.end));
        rules::education(
            c,
            "input",
            self.institution,
            self.degree,
            self.field,
            months,
        );
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
