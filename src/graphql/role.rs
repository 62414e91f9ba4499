//! `Role`: a position held, with its months and achievements.

use std::cmp::Reverse;
use std::collections::HashSet;

use async_graphql::{Context, Result};
use entity::role;

use super::achievement::Achievement;
use super::enums::EmploymentType;
use super::loaders::*;
use super::locale;
use super::object::portfolio_object;
use super::skill::Skill;
use super::{Duration, loaders, state};
use crate::domain::{YearMonth, limits};
use crate::error::AppError;
use crate::service::codec::month;

/// Current roles first, then by start month, newest first.
pub fn sort_roles(rows: &mut [role::Model]) {
    rows.sort_by_key(|r| {
        (
            r.end_ym.is_some(),
            Reverse(r.start_ym),
            Reverse(r.end_ym),
            r.position,
            r.id,
        )
    });
}

/// First and last month of a role; a current role runs through `today`.
pub fn span(row: &role::Model, today: YearMonth) -> Result<(YearMonth, YearMonth), AppError> {
    let start = month("role.start_ym", row.start_ym)?;
    let end = match row.end_ym {
        Some(end) => month("role.end_ym", end)?,
        None => today,
    };
    Ok((start, end))
}

portfolio_object! {
    /// A position held at an organization.
    Role(role) {
        /// The employer, e.g. "주식회사 무신사".
        text organization;
        /// Job title, e.g. "Site Reliability Engineer".
        text title;
        /// Team or department.
        optional department;

        /// Full-time, contract, ...
        enum employment_type: Option<EmploymentType>;

        /// `employmentType` as shown to readers, in the locale served
        /// ("Full-time", "정규직").
        label employment_type_label(employment_type: Option<EmploymentType>);

        /// Where the role was based.
        optional location;

        /// First month in the role.
        async fn start(&self) -> Result<YearMonth> {
            Ok(month("role.start_ym", self.0.start_ym)?)
        }

        /// Last month in the role; null while the role is current.
        async fn end(&self) -> Result<Option<YearMonth>> {
            Ok(self
                .0
                .end_ym
                .map(|end| month("role.end_ym", end))
                .transpose()?)
        }

        /// The months in the role as shown to readers, in the locale served
        /// ("2022년 9월 ~ 현재", "Sep 2022 – Present").
        async fn period(&self, ctx: &Context<'_>) -> Result<String> {
            let start = month("role.start_ym", self.0.start_ym)?;
            let end = self
                .0
                .end_ym
                .map(|end| month("role.end_ym", end))
                .transpose()?;
            Ok(locale::speech(ctx, self.0.person_id)
                .await?
                .span(start, end))
        }

        /// Whether the role is held now (it has no end).
        async fn current(&self) -> bool {
            self.0.end_ym.is_none()
        }

        /// Months in the role, counting both the first and the last month
        /// (2021-06 to 2022-09 is 16); a current role counts through this month.
        async fn duration_months(&self, ctx: &Context<'_>) -> Result<i32> {
            let (start, end) = span(&self.0, state(ctx)?.clock.current_month())?;
            Ok(start.months_through(end))
        }

        /// `durationMonths` split into years and months (16 months = 1 year 4 months).
        async fn duration(&self, ctx: &Context<'_>) -> Result<Duration> {
            let (start, end) = span(&self.0, state(ctx)?.clock.current_month())?;
            let speech = locale::speech(ctx, self.0.person_id).await?;
            Ok(Duration::new(start.months_through(end), speech))
        }

        /// Free-text description of the role.
        optional summary;

        /// What was achieved in the role, in display order.
        page(limits::MAX_ACHIEVEMENTS_PER_PARENT)
        async fn achievements(&self, ctx: &Context<'_>) -> Achievement {
            let rows = loaders(ctx)?.achievements(self.0.person_id).await?;
            rows.iter()
                .filter(|a| a.role_id == Some(self.0.id))
                .cloned()
                .collect()
        }

        /// Skills used by the role's achievements, each once, in the person's
        /// skill order.
        list(limits::MAX_SKILLS_PER_PERSON)
        async fn skills(&self, ctx: &Context<'_>) -> Result<Vec<Skill>> {
            let loaders = loaders(ctx)?;
            let person = self.0.person_id;
            let achievements = loaders.achievements(person).await?;
            let links = loaders.rows(SkillLinksOf(person)).await?;
            let used: HashSet<i64> = achievements
                .iter()
                .filter(|a| a.role_id == Some(self.0.id))
                .flat_map(|a| run_of(&links, a.id, |l| l.achievement_id))
                .map(|link| link.skill_id)
                .collect();
            let skills = loaders.rows(SkillsOf(person)).await?;
            Ok(skills
                .iter()
                .filter(|s| used.contains(&s.id))
                .cloned()
                .map(Skill)
                .collect())
        }

        /// Whose role this is.
        owner;
        localized "role";
        published;
        version;
        /// When the role was created.
        created_at;
        /// When the role was last changed.
        updated_at;
    }
}
