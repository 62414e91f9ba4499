//! `Person`, and the `person` / `people` queries.

use std::collections::HashSet;

use async_graphql::{Context, Object, Result};
use entity::person;
use futures::future::try_join3;
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::achievement::{Achievement, Linked, Reference};
use super::activity::Activity;
use super::connection::{ConnectionFields, Cursor, Page, PageArgs};
use super::cost;
use super::enums::{ActivityKind, ReferenceKind, SkillCategory};
use super::loaders::*;
use super::locale;
use super::object::portfolio_object;
use super::profile::ProfileLink;
use super::role::{Role, sort_roles};
use super::skill::Skill;
use super::{Duration, loaders, state, viewer};
use crate::auth::Viewer;
use crate::document::PortfolioDocument;
use crate::domain::{Locale, experience_months, limits};
use crate::error::{AppError, SharedError};
use crate::service::export;

/// Queries about people.
#[derive(Default)]
pub struct PersonQuery;

#[Object]
impl PersonQuery {
    /// The person with this slug (e.g. `"dahye-ahn"`), or null.
    async fn person(
        &self,
        ctx: &Context<'_>,
        slug: String,
        #[graphql(
            desc = "The locale to answer in (BCP 47, e.g. `en`), for everything beneath this field; without it, the request's `Accept-Language`. Each person answers in the best locale they offer, else their default."
        )]
        locale: Option<String>,
    ) -> Result<Option<Person>> {
        locale::choose(ctx, locale.as_deref())?;
        let loaders = loaders(ctx)?;
        // A person whose snapshot is kept is found there, without SQL.
        let row = match loaders.kept_person(&slug) {
            Some(row) => Some(row),
            None => person::Entity::find()
                .filter(person::Column::Slug.eq(slug))
                .one(loaders.db())
                .await
                .map_err(AppError::from)?,
        };
        let viewer = viewer(ctx);
        match &row {
            Some(person) => loaders.tag_person(person.id),
            None => loaders.tag_list(),
        }
        let row = row.filter(|p| p.published || viewer.sees_drafts_of(p.id));
        if row.is_none() {
            loaders.tag_list();
        }
        locale::known(ctx, row.as_slice())?;
        Ok(row.map(Person))
    }

    /// Everyone with a portfolio here, oldest first.
    #[graphql(complexity = "cost::page(first, last, usize::MAX, child_complexity)")]
    async fn people(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(
            desc = "At most this many items from the start (0-100; 100 when neither `first` nor `last` is given)."
        )]
        first: Option<i32>,
        #[graphql(desc = "At most this many items from the end (0-100).")] last: Option<i32>,
        #[graphql(
            desc = "The locale to answer in (BCP 47, e.g. `en`), for everything beneath this field; without it, the request's `Accept-Language`. Each person answers in the best locale they offer, else their default."
        )]
        locale: Option<String>,
    ) -> Result<Page<Person>> {
        locale::choose(ctx, locale.as_deref())?;
        let args = PageArgs::new(after, before, first, last)?;
        let db = loaders(ctx)?.db();
        // Draft people are listed only for their owner (or an admin).
        let visible = match viewer(ctx) {
            Viewer::Anonymous => Condition::all().add(person::Column::Published.eq(true)),
            Viewer::Owner { person_id, .. } => Condition::any()
                .add(person::Column::Published.eq(true))
                .add(person::Column::Id.eq(person_id)),
            Viewer::Admin { .. } => Condition::all(),
        };
        // Counting scans every visible person: only when `totalCount` is asked.
        let total = if ctx.look_ahead().field("totalCount").exists() {
            person::Entity::find()
                .filter(visible.clone())
                .count(db)
                .await
                .map_err(AppError::from)? as usize
        } else {
            0
        };
        let mut query = person::Entity::find().filter(visible);
        if let Some(after) = args.after {
            query = query.filter(person::Column::Id.gt(after as i64));
        }
        if let Some(before) = args.before {
            query = query.filter(person::Column::Id.lt(before as i64));
        }
        // Keyset paging on the primary key: a deep page costs what the first does.
        let (rows, has_previous, has_next) = if let Some(first) = args.first {
            let mut rows = query
                .order_by_asc(person::Column::Id)
                .limit(first as u64 + 1)
                .all(db)
                .await
                .map_err(AppError::from)?;
            let has_next = rows.len() > first;
            rows.truncate(first);
            let mut has_previous = args.after.is_some();
            if let Some(last) = args.last
                && rows.len() > last
            {
                rows.drain(..rows.len() - last);
                has_previous = true;
            }
            (rows, has_previous, has_next)
        } else {
            let last = args.last.unwrap_or_default();
            let mut rows = query
                .order_by_desc(person::Column::Id)
                .limit(last as u64 + 1)
                .all(db)
                .await
                .map_err(AppError::from)?;
            let has_previous = rows.len() > last;
            rows.truncate(last);
            rows.reverse();
            (rows, has_previous, args.before.is_some())
        };
        let loaders = loaders(ctx)?;
        loaders.tag_list();
        for row in &rows {
            loaders.tag_person(row.id);
        }
        locale::known(ctx, &rows)?;
        let mut page = Page::with_additional_fields(
            has_previous,
            has_next,
            ConnectionFields { total_count: total },
        );
        page.edges.extend(
            rows.into_iter().map(|row| {
                async_graphql::connection::Edge::new(Cursor(row.id as u64), Person(row))
            }),
        );
        Ok(page)
    }
}

portfolio_object! {
    /// Someone whose professional portfolio this is.
    Person(person) {
        /// URL-safe unique handle, e.g. `"dahye-ahn"`.
        async fn slug(&self) -> &str {
            &self.0.slug
        }

        /// Full name as the person writes it.
        text name;
        /// One-line professional title.
        text headline;
        /// Introduction, one string per paragraph.
        list(limits::MAX_SUMMARY_PARAGRAPHS) summary;
        /// Where the person is based.
        optional location;

        /// Contact email.
        async fn email(&self) -> Option<&str> {
            self.0.email.as_deref()
        }

        /// Picture URL.
        async fn avatar_url(&self) -> Option<&str> {
            self.0.avatar_url.as_deref()
        }

        /// The locale this person's part of the answer is served in: the
        /// best match of the request's `locale` (or `Accept-Language`) among
        /// `availableLocales`, else `defaultLocale`.
        async fn locale(&self, ctx: &Context<'_>) -> Result<String> {
            Ok(locale::served(ctx, self.0.id).await?.locale.to_string())
        }

        /// The locale the portfolio is written in; every text falls back to it.
        async fn default_locale(&self) -> &str {
            &self.0.default_locale
        }

        /// Every locale the portfolio is offered in, the default first.
        async fn available_locales(&self) -> Result<Vec<String>> {
            let others: Vec<String> = match &self.0.locales {
                Some(json) => crate::service::codec::decode("person.locales", json)?,
                None => Vec::new(),
            };
            Ok(std::iter::once(self.0.default_locale.clone())
                .chain(others)
                .collect())
        }

        /// Profiles elsewhere (LinkedIn, GitHub, blog), in display order.
        list(limits::MAX_PROFILE_LINKS_PER_PERSON)
        async fn profile_links(&self, ctx: &Context<'_>) -> Result<Vec<ProfileLink>> {
            let rows = loaders(ctx)?.rows(ProfileLinksOf(self.0.id)).await?;
            Ok(rows.iter().cloned().map(ProfileLink).collect())
        }

        /// Positions held: the current ones first, then the newest first.
        page(limits::MAX_ROLES_PER_PERSON)
        async fn roles(&self, ctx: &Context<'_>) -> Role {
            let mut rows = loaders(ctx)?.rows(RolesOf(self.0.id)).await?.to_vec();
            sort_roles(&mut rows);
            rows
        }

        /// Every achievement, in role order then activity order; with `skill`,
        /// only those that used that skill (name compared ignoring case).
        page(limits::MAX_ACHIEVEMENTS_PER_PERSON)
        async fn achievements(
            &self,
            ctx: &Context<'_>,
            #[graphql(desc = "Only achievements that used the skill of this name (ignoring case).")]
            skill: Option<String>
        ) -> Achievement {
            let loaders = loaders(ctx)?;
            let mut rows = loaders.achievements(self.0.id).await?.to_vec();
            if let Some(name) = skill {
                let key = name.to_lowercase();
                let skills = loaders.rows(SkillsOf(self.0.id)).await?;
                let used_by: HashSet<i64> = match skills.iter().find(|s| s.name_key == key) {
                    Some(skill) => loaders
                        .rows(SkillLinksOf(self.0.id))
                        .await?
                        .iter()
                        .filter(|link| link.skill_id == skill.id)
                        .map(|link| link.achievement_id)
                        .collect(),
                    None => HashSet::new(),
                };
                rows.retain(|a| used_by.contains(&a.id));
            }
            rows
        }

        /// Activities outside roles (community, open source, awards, ...), in
        /// display order; with `kind`, only that kind.
        page(limits::MAX_ACTIVITIES_PER_PERSON)
        async fn activities(
            &self,
            ctx: &Context<'_>,
            #[graphql(desc = "Only activities of this kind.")] kind: Option<ActivityKind>
        ) -> Activity {
            let mut rows = loaders(ctx)?.rows(ActivitiesOf(self.0.id)).await?.to_vec();
            if let Some(kind) = kind {
                let kind = entity::enums::ActivityKind::from(kind);
                rows.retain(|a| a.kind == kind);
            }
            rows
        }

        /// Skills in display order (the featured tech stack first); filter by
        /// `category` and/or `featured`.
        page(limits::MAX_SKILLS_PER_PERSON)
        async fn skills(
            &self,
            ctx: &Context<'_>,
            #[graphql(desc = "Only skills of this category.")] category: Option<SkillCategory>,
            #[graphql(desc = "Only featured (true) or only other (false) skills.")]
            featured: Option<bool>
        ) -> Skill {
            let mut rows = loaders(ctx)?.rows(SkillsOf(self.0.id)).await?.to_vec();
            if let Some(category) = category {
                let category = entity::enums::SkillCategory::from(category);
                rows.retain(|s| s.category == category);
            }
            if let Some(featured) = featured {
                rows.retain(|s| s.featured == featured);
            }
            rows
        }

        /// Every talk, post and other reference of the portfolio, with the
        /// achievement or activity each belongs to: those of achievements first
        /// (in achievement order), then those of activities; with `kinds`, only
        /// those kinds.
        list(
            limits::MAX_LINKS_PER_ITEM
                * (limits::MAX_ACHIEVEMENTS_PER_PERSON + limits::MAX_ACTIVITIES_PER_PERSON)
        )
        async fn references(
            &self,
            ctx: &Context<'_>,
            #[graphql(desc = "Only references of these kinds (e.g. `[TALK]`).")] kinds: Option<
                Vec<ReferenceKind>,
            >,
        ) -> Result<Vec<Reference>> {
            let l = loaders(ctx)?;
            let id = self.0.id;
            let (achievements, activities) =
                futures::try_join!(l.achievements(id), l.rows(ActivitiesOf(id)))?;
            let mut all = Vec::new();
            for a in achievements.iter() {
                all.extend(a.references()?);
            }
            for a in activities.iter() {
                all.extend(a.references()?);
            }
            if let Some(kinds) = kinds {
                all.retain(|r| kinds.contains(&ReferenceKind::from(r.doc.kind)));
            }
            Ok(all)
        }

        lists;

        /// Months of professional experience: every month covered by a role,
        /// counted once even when roles overlap; a current role counts through the
        /// current month.
        async fn experience_months(&self, ctx: &Context<'_>) -> Result<i32> {
            self.experience_total(ctx).await
        }

        /// `experienceMonths` split into years and months.
        async fn experience(&self, ctx: &Context<'_>) -> Result<Duration> {
            let speech = locale::speech(ctx, self.0.id).await?;
            Ok(Duration::new(self.experience_total(ctx).await?, speech))
        }

        localized "person";
        published;

        /// The published portfolio as a JSON Resume (schema 1.0.0) document, for
        /// JSON Resume themes and tools; drafts are never included. The mapping
        /// is described in docs/json-resume.md.
        #[graphql(complexity = "cost::json_resume()")]
        async fn json_resume(
            &self,
            ctx: &Context<'_>,
            #[graphql(
                desc = "The locale to write it in, a BCP 47 tag (`en`, `ko`); each text the person has not translated into it is in their own locale. Default: the locale the person is served in (the root field's `locale`, else `Accept-Language`, else the person's own). A malformed or unregistered tag is `BAD_USER_INPUT`."
            )]
            locale: Option<String>,
        ) -> Result<async_graphql::Json<serde_json::Value>> {
            let locale = match locale {
                Some(tag) => Locale::parse(&tag)
                    .map_err(|err| AppError::bad_input("locale", err.to_string()))?,
                None => locale::served(ctx, self.0.id).await?.locale.clone(),
            };
            let document = self.document(ctx).await?;
            let options = crate::document::json_resume::Export {
                locale: Some(&locale),
                last_modified: Some(self.0.updated_at),
            };
            Ok(async_graphql::Json(crate::document::json_resume::export(
                &document, options,
            )))
        }

        /// Incremented on every change of the person's own fields.
        version;
        /// When the person was created.
        created_at;
        /// When the person was last changed.
        updated_at;
    }
}

impl Person {
    /// The whole portfolio as a document, from the request's batched
    /// loaders: the same statements for one person or a hundred.
    async fn document(&self, ctx: &Context<'_>) -> Result<PortfolioDocument> {
        let l = loaders(ctx)?;
        let id = self.0.id;
        let ((links, skills, roles), (activities, achievements, metrics), (skill_links, lists)) = futures::try_join!(
            try_join3(
                l.rows(ProfileLinksOf(id)),
                l.rows(SkillsOf(id)),
                l.rows(RolesOf(id))
            ),
            try_join3(
                l.rows(ActivitiesOf(id)),
                l.achievements(id),
                l.rows(MetricsOf(id))
            ),
            futures::future::try_join(l.rows(SkillLinksOf(id)), list_rows(l, id)),
        )?;
        Ok(export::assemble(export::Rows {
            person: self.0.clone(),
            links: &links,
            skills: &skills,
            roles: &roles,
            activities: &activities,
            achievements: &achievements,
            metrics: &metrics,
            skill_links: &skill_links,
            lists,
        })?)
    }

    async fn experience_total(&self, ctx: &Context<'_>) -> Result<i32> {
        let today = state(ctx)?.clock.current_month();
        let rows = loaders(ctx)?.rows(RolesOf(self.0.id)).await?;
        let spans = rows
            .iter()
            .map(|row| super::role::span(row, today))
            .collect::<Result<Vec<_>, AppError>>()?;
        Ok(experience_months(spans))
    }
}

/// The rows of the simple lists, one per row of `document_lists!`.
macro_rules! list_rows {
    ($($key:ident: $doc:ident in $table:ident;)*) => {
        /// The rows of person `id`'s simple lists, as the viewer may see them.
        async fn list_rows(l: &Loaders, id: i64) -> Result<export::ListRows, SharedError> {
            Ok(export::ListRows {
                $($key: l.listed::<entity::$table::Model>(id).await?,)*
            })
        }
    };
}

crate::document::document_lists!(list_rows);
