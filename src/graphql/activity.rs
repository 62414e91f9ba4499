//! `Activity`: community, open source, talks, awards, competitions, study groups.

use async_graphql::{Context, Result};

use super::achievement::{Achievement, Linked, Reference};
use super::enums::ActivityKind;
use super::loaders;
use super::loaders::*;
use super::locale;
use super::object::portfolio_object;
use crate::domain::limits;
use crate::service::codec::optional_month as month;

portfolio_object! {
    /// Something done outside a role.
    Activity(activity) {
        /// Community, open source, award, ...
        enum kind: ActivityKind;

        /// `kind` as shown to readers, in the locale served ("Open source", "오픈소스").
        label kind_label(kind: ActivityKind);

        /// Its name, e.g. "Argo Workflows 오픈소스 기여".
        text title;
        /// The organization behind it, e.g. "AWSKRUG".
        optional organization;

        /// First month, when known.
        month start(start_ym);
        /// Last month, when known.
        month end(end_ym);

        /// Its months as shown to readers, in the locale served; null without
        /// a start month.
        async fn period(&self, ctx: &Context<'_>) -> Result<Option<String>> {
            let Some(start) = month("activity.start_ym", self.0.start_ym)? else {
                return Ok(None);
            };
            let end = month("activity.end_ym", self.0.end_ym)?;
            let speech = locale::speech(ctx, self.0.person_id).await?;
            Ok(Some(speech.span(start, end)))
        }

        /// The year, when only the year is known.
        async fn year(&self) -> Option<i32> {
            self.0.year
        }

        /// What it was.
        optional description;
        /// Notable points, in order.
        list(limits::MAX_LIST_ITEMS) highlights;

        /// Talks and posts it produced.
        list(limits::MAX_LINKS_PER_ITEM)
        async fn links(&self) -> Result<Vec<Reference>> {
            Ok(self.0.references()?)
        }

        /// For an award: the activity (a project, a contribution) it was given
        /// for; null otherwise.
        async fn awarded_for(&self, ctx: &Context<'_>) -> Result<Option<Activity>> {
            let activities = ActivitiesOf(self.0.person_id);
            let activity = loaders(ctx)?.find(activities, self.0.awarded_for_id).await?;
            Ok(activity.map(Activity))
        }

        /// The awards given for this activity, in display order.
        list(limits::MAX_ACTIVITIES_PER_PERSON)
        async fn awards(&self, ctx: &Context<'_>) -> Result<Vec<Activity>> {
            let rows = loaders(ctx)?.rows(ActivitiesOf(self.0.person_id)).await?;
            Ok(rows
                .iter()
                .filter(|a| a.awarded_for_id == Some(self.0.id))
                .cloned()
                .map(Activity)
                .collect())
        }

        /// Measured results of the activity, like a competition rank.
        list(limits::MAX_ACHIEVEMENTS_PER_PARENT)
        async fn achievements(&self, ctx: &Context<'_>) -> Result<Vec<Achievement>> {
            let rows = loaders(ctx)?.achievements(self.0.person_id).await?;
            Ok(rows
                .iter()
                .filter(|a| a.activity_id == Some(self.0.id))
                .cloned()
                .map(Achievement)
                .collect())
        }

        /// Whose activity this is.
        owner;
        localized "activity";
        published;
        stamps;
    }
}
