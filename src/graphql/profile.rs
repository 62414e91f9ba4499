//! The small fixed lists of a person: profile links, education.

use async_graphql::{Context, Result};

use super::enums::{EducationStatus, ProfileLinkKind};
use super::locale;
use super::object::portfolio_object;
use crate::service::codec::optional_month;

portfolio_object! {
    /// A profile elsewhere: LinkedIn, GitHub, a blog.
    ProfileLink(profile_link) {
        /// Which site.
        enum kind: ProfileLinkKind;

        /// `kind` as shown to readers, in the locale served.
        label kind_label(kind: ProfileLinkKind);

        /// Text to show, e.g. "LinkedIn".
        text label;

        /// Absolute http(s) URL.
        async fn url(&self) -> &str {
            &self.0.url
        }

        /// Whose link this is.
        owner;
        localized "profileLink";
        published;
        stamps;
    }
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
