//! A course of study: one of the person's simple lists. Everything of the
//! type is here: its cap and the rules of its fields, its translatable
//! texts, how it is stored, its GraphQL type and its mutations.

use async_graphql::{Context, Result};

use super::enums::EducationStatus;
use super::locale;
use super::object::portfolio_object;
use crate::document::{EducationDoc, EducationText, ListItem, has};
use crate::domain::YearMonth;
use crate::domain::limits::SHORT_TEXT;
use crate::domain::texts::{Shape, TextField};
use crate::domain::validate::Checker;
use crate::graphql::mutation::items::{Rules, item_inputs, item_mutations};
use crate::service::codec::optional_month;
use crate::service::rows::{listed_item, listed_row, stored};

/// The most courses of study a person may have.
pub const MAX_PER_PERSON: usize = 20;

/// Its translatable fields.
pub const TEXTS: &[TextField] = &[
    ("institution", Shape::Line(SHORT_TEXT)),
    ("degree", Shape::Line(SHORT_TEXT)),
    ("field", Shape::Line(SHORT_TEXT)),
];

/// The rules of a course of study's fields under `path`; `None` is a field
/// not given, `months` `None` when the order of start and end can only be
/// judged against the stored row.
pub fn rules(
    c: &mut Checker,
    path: &str,
    institution: Option<&str>,
    degree: Option<&str>,
    field: Option<&str>,
    months: Option<(Option<YearMonth>, Option<YearMonth>)>,
) {
    c.optional_text(&format!("{path}.institution"), institution, SHORT_TEXT);
    c.optional_text(&format!("{path}.degree"), degree, SHORT_TEXT);
    c.optional_text(&format!("{path}.field"), field, SHORT_TEXT);
    if let Some((start, end)) = months {
        c.months(path, start, end);
    }
}

impl ListItem for EducationDoc {
    const MAX_PER_PERSON: usize = MAX_PER_PERSON;

    fn check(&self, c: &mut Checker, path: &str) {
        let (degree, field) = (self.degree.as_deref(), self.field.as_deref());
        let months = Some((self.start, self.end));
        rules(c, path, Some(&self.institution), degree, field, months);
    }

    fn check_text(&self, c: &mut Checker, path: &str, text: &EducationText) {
        has(c, path, "degree", &text.degree, &self.degree);
        has(c, path, "field", &text.field, &self.field);
        let (degree, field) = (text.degree.as_deref(), text.field.as_deref());
        rules(c, path, text.institution.as_deref(), degree, field, None);
    }
}

stored! {
    EducationDoc in education,
    row: |e, place| listed_row!(education, e, place, {
        institution: e.institution.clone(),
        degree: e.degree.clone(),
        field: e.field.clone(),
        start_ym: e.start.map(|m| m.to_yyyymm()),
        end_ym: e.end.map(|m| m.to_yyyymm()),
        status: e.status,
    }),
    read: |e| listed_item!(EducationDoc, education, e, {
        institution: e.institution.clone(),
        degree: e.degree.clone(),
        field: e.field.clone(),
        start: optional_month("education.start_ym", e.start_ym)?,
        end: optional_month("education.end_ym", e.end_ym)?,
        status: e.status,
    }),
}

portfolio_object! {
    /// A course of study.
    Education(education) {
        /// School or university, e.g. "동국대학교".
        text institution;
        /// Degree or level, e.g. "대학교(학사)".
        optional degree;
        /// Field of study, e.g. "영화영상학과".
        optional field;

        /// First month.
        month start(start_ym);
        /// Last month.
        month end(end_ym);

        /// Graduated, enrolled, ...
        enum status: Option<EducationStatus>;

        /// `status` as shown to readers, in the locale served ("Graduated", "졸업").
        label status_label(status: Option<EducationStatus>);

        /// Its months as shown to readers, in the locale served; null without
        /// a start month.
        async fn period(&self, ctx: &Context<'_>) -> Result<Option<String>> {
            let Some(start) = optional_month("education.start_ym", self.0.start_ym)? else {
                return Ok(None);
            };
            let end = optional_month("education.end_ym", self.0.end_ym)?;
            let speech = locale::speech(ctx, self.0.person_id).await?;
            Ok(Some(speech.span(start, end)))
        }

        /// Whose education this is.
        owner;
        localized "education";
        published;
        stamps;
    }
}

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
        rules(
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
