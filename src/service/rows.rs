//! How each item of a portfolio document is stored: the row it is written
//! as on import and the item a row is read back as on export, side by side
//! for every item type, so that the two directions cannot drift apart.
//!
//! An item's children (a role's achievements, an achievement's metrics and
//! skills, an award's target) live in rows of their own: the import links
//! them by id and the export hangs them back under their parent.

use chrono::{DateTime, Utc};
use entity::{metric, person};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use super::codec::{decode, encode, month, optional_month};
use crate::document::localize::{from_column, to_column};
use crate::document::*;
use crate::error::{AppError, AppResult};

/// Where a new row goes: whose it is, its place in its list, and when it
/// is written.
#[derive(Clone, Copy)]
pub struct Place {
    pub person_id: i64,
    pub position: i32,
    pub now: DateTime<Utc>,
}

/// A document item kept as one row of a table listed in its person's order.
pub trait Stored: Sized {
    /// The item's table.
    type Entity: EntityTrait;
    /// The column naming the owner, and the one holding the item's place.
    const PERSON_ID: <Self::Entity as EntityTrait>::Column;
    const POSITION: <Self::Entity as EntityTrait>::Column;

    /// The row of the item at `place`. Columns pointing at other rows (a
    /// parent, an award's target) are left empty for the caller to set.
    fn row(&self, place: Place) -> <Self::Entity as EntityTrait>::ActiveModel;

    /// The item a row holds, without its children (the caller adds them).
    fn read(row: &<Self::Entity as EntityTrait>::Model) -> AppResult<Self>;
}

/// The rows of `person_id`'s items of type `I`, in their order.
pub async fn listed<I: Stored>(
    db: &impl ConnectionTrait,
    person_id: i64,
) -> AppResult<Vec<<I::Entity as EntityTrait>::Model>> {
    Ok(I::Entity::find()
        .filter(I::PERSON_ID.eq(person_id))
        .order_by_asc(I::POSITION)
        .all(db)
        .await?)
}

/// The items of rows, in the rows' order.
pub fn read_all<I: Stored>(rows: &[<I::Entity as EntityTrait>::Model]) -> AppResult<Vec<I>> {
    rows.iter().map(I::read).collect()
}

/// The translations kept in an item's `translations` column; a column the
/// document cannot express is an internal error.
pub fn texts<T: serde::de::DeserializeOwned>(
    table: &str,
    id: i64,
    column: Option<&str>,
) -> AppResult<Localized<T>> {
    from_column(column).map_err(|err| {
        AppError::internal(format!(
            "{table} {id}: its translations cannot be read: {err}"
        ))
    })
}

/// The row of a listed item: its own columns, then those every listed item
/// has (owner, place, draft flag, translations, version and timestamps).
macro_rules! listed_row {
    ($table:ident, $item:expr, $place:expr, { $($column:ident: $value:expr),* $(,)? }) => {{
        use ::sea_orm::ActiveValue::{NotSet, Set};
        ::entity::$table::ActiveModel {
            $($column: Set($value),)*
            id: NotSet,
            person_id: Set($place.person_id),
            position: Set($place.position),
            published: Set(!$item.draft),
            version: Set(1),
            translations: Set($crate::document::localize::to_column(&$item.translations)),
            created_at: Set($place.now),
            updated_at: Set($place.now),
        }
    }};
}
pub(crate) use listed_row;

/// The item of a listed row: its own fields, then its draft flag and its
/// translations.
macro_rules! listed_item {
    ($doc:ident, $table:ident, $row:expr, { $($field:ident: $value:expr),* $(,)? }) => {
        $doc {
            $($field: $value,)*
            draft: !$row.published,
            translations: $crate::service::rows::texts(
                stringify!($table),
                $row.id,
                $row.translations.as_deref(),
            )?,
        }
    };
}
pub(crate) use listed_item;

/// Implements [`Stored`] for an item type: its table, then its row and its
/// item, each given by a closure-like `|item, place|` / `|row|` body (with
/// [`listed_row!`] and [`listed_item!`] for a listed item).
macro_rules! stored {
    ($doc:ident in $table:ident,
     row: |$item:ident, $place:ident| $row:expr,
     read: |$r:ident| $read:expr $(,)?) => {
        impl $crate::service::rows::Stored for $doc {
            type Entity = ::entity::$table::Entity;
            const PERSON_ID: ::entity::$table::Column = ::entity::$table::Column::PersonId;
            const POSITION: ::entity::$table::Column = ::entity::$table::Column::Position;

            fn row(&self, $place: $crate::service::rows::Place) -> ::entity::$table::ActiveModel {
                let $item = self;
                $row
            }

            fn read($r: &::entity::$table::Model) -> $crate::error::AppResult<Self> {
                Ok($read)
            }
        }
    };
}
pub(crate) use stored;

stored! {
    ProfileLinkDoc in profile_link,
    row: |l, place| listed_row!(profile_link, l, place, {
        kind: l.kind,
        label: l.label.clone(),
        url: l.url.clone(),
    }),
    read: |r| listed_item!(ProfileLinkDoc, profile_link, r, {
        kind: r.kind,
        label: r.label.clone(),
        url: r.url.clone(),
    }),
}

stored! {
    SkillDoc in skill,
    row: |s, place| listed_row!(skill, s, place, {
        name: s.name.clone(),
        name_key: s.name.to_lowercase(),
        category: s.category,
        featured: s.featured,
    }),
    read: |r| listed_item!(SkillDoc, skill, r, {
        name: r.name.clone(),
        category: r.category,
        featured: r.featured,
    }),
}

stored! {
    RoleDoc in role,
    row: |r, place| listed_row!(role, r, place, {
        organization: r.organization.clone(),
        title: r.title.clone(),
        department: r.department.clone(),
        employment_type: r.employment_type,
        location: r.location.clone(),
        start_ym: r.start.to_yyyymm(),
        end_ym: r.end.map(|m| m.to_yyyymm()),
        summary: r.summary.clone(),
    }),
    read: |r| listed_item!(RoleDoc, role, r, {
        achievements: Vec::new(),
        organization: r.organization.clone(),
        title: r.title.clone(),
        department: r.department.clone(),
        employment_type: r.employment_type,
        location: r.location.clone(),
        start: month("role.start_ym", r.start_ym)?,
        end: optional_month("role.end_ym", r.end_ym)?,
        summary: r.summary.clone(),
    }),
}

stored! {
    ActivityDoc in activity,
    row: |a, place| listed_row!(activity, a, place, {
        kind: a.kind,
        title: a.title.clone(),
        organization: a.organization.clone(),
        start_ym: a.start.map(|m| m.to_yyyymm()),
        end_ym: a.end.map(|m| m.to_yyyymm()),
        year: a.year,
        description: a.description.clone(),
        highlights: encode(&a.highlights),
        links: encode(&a.links),
        awarded_for_id: None,
    }),
    read: |a| listed_item!(ActivityDoc, activity, a, {
        achievements: Vec::new(),
        kind: a.kind,
        title: a.title.clone(),
        organization: a.organization.clone(),
        start: optional_month("activity.start_ym", a.start_ym)?,
        end: optional_month("activity.end_ym", a.end_ym)?,
        year: a.year,
        description: a.description.clone(),
        highlights: decode("activity.highlights", &a.highlights)?,
        links: decode("activity.links", &a.links)?,
        awarded_for: None,
    }),
}

stored! {
    AchievementDoc in achievement,
    row: |a, place| listed_row!(achievement, a, place, {
        role_id: None,
        activity_id: None,
        title: a.title.clone(),
        context: a.context.clone(),
        actions: encode(&a.actions),
        results: encode(&a.results),
        links: encode(&a.links),
    }),
    read: |a| listed_item!(AchievementDoc, achievement, a, {
        title: a.title.clone(),
        context: a.context.clone(),
        actions: decode("achievement.actions", &a.actions)?,
        results: decode("achievement.results", &a.results)?,
        skills: Vec::new(),
        metrics: Vec::new(),
        links: decode("achievement.links", &a.links)?,
    }),
}

/// The row of an achievement's metric; metrics have no draft flag.
pub fn metric_row(m: &MetricDoc, achievement_id: i64, place: Place) -> metric::ActiveModel {
    metric::ActiveModel {
        id: NotSet,
        achievement_id: Set(achievement_id),
        person_id: Set(place.person_id),
        label: Set(m.label.clone()),
        value: Set(m.value),
        unit: Set(m.unit.clone()),
        display: Set(m.display.clone()),
        position: Set(place.position),
        version: Set(1),
        translations: Set(to_column(&m.translations)),
        created_at: Set(place.now),
        updated_at: Set(place.now),
    }
}

/// The metric a row holds.
pub fn read_metric(m: &metric::Model) -> AppResult<MetricDoc> {
    Ok(MetricDoc {
        label: m.label.clone(),
        value: m.value,
        unit: m.unit.clone(),
        display: m.display.clone(),
        translations: texts("metric", m.id, m.translations.as_deref())?,
    })
}

/// The row of a person, changed last at `updated_at`.
pub fn person_row(
    p: &PersonDoc,
    now: DateTime<Utc>,
    updated_at: DateTime<Utc>,
) -> person::ActiveModel {
    person::ActiveModel {
        id: NotSet,
        slug: Set(p.slug.clone()),
        name: Set(p.name.clone()),
        headline: Set(p.headline.clone()),
        summary: Set(encode(&p.summary)),
        location: Set(p.location.clone()),
        email: Set(p.email.clone()),
        avatar_url: Set(p.avatar_url.clone()),
        default_locale: Set(p.locale.clone()),
        locales: Set((!p.locales.is_empty()).then(|| encode(&p.locales))),
        published: Set(!p.draft),
        version: Set(1),
        translations: Set(to_column(&p.translations)),
        created_at: Set(now),
        updated_at: Set(updated_at),
    }
}

/// The person a row holds.
pub fn read_person(p: person::Model) -> AppResult<PersonDoc> {
    let locales: Vec<String> = match p.locales.as_deref() {
        None | Some("") => Vec::new(),
        Some(json) => decode("person.locales", json)?,
    };
    Ok(PersonDoc {
        translations: texts("person", p.id, p.translations.as_deref())?,
        locales,
        summary: decode("person.summary", &p.summary)?,
        slug: p.slug,
        locale: p.default_locale,
        name: p.name,
        headline: p.headline,
        location: p.location,
        email: p.email,
        avatar_url: p.avatar_url,
        draft: !p.published,
    })
}
