//! Loading a native document into the database, replacing the person with the
//! same slug, all in one transaction: either the whole portfolio is written
//! or nothing is.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{
    achievement, achievement_skill, activity, education, language, metric, person, profile_link,
    role, skill,
};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
};

use super::codec::encode;
use crate::document::localize::to_column;
use crate::document::{self, AchievementDoc, PortfolioDocument};
use crate::error::{AppError, AppResult};

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportOutcome {
    pub person_id: i64,
    /// An existing person with the same slug was replaced.
    pub replaced: bool,
}

/// Writes `doc` as the portfolio of `doc.person.slug`, replacing any person
/// with that slug. The document must already be checked (`document::parse`).
pub async fn import_document(
    db: &DatabaseConnection,
    doc: &PortfolioDocument,
) -> AppResult<ImportOutcome> {
    import_document_dated(db, doc, None).await
}

/// As [`import_document`]; the person's `updated_at` is `last_modified`
/// when given (a resume that says when it was last changed), else now.
pub async fn import_document_dated(
    db: &DatabaseConnection,
    doc: &PortfolioDocument,
    last_modified: Option<DateTime<Utc>>,
) -> AppResult<ImportOutcome> {
    let outcome = super::write::transaction(db, async |txn| {
        let removed = person::Entity::delete_many()
            .filter(person::Column::Slug.eq(doc.person.slug.as_str()))
            .exec(txn)
            .await?;
        let person_id = insert_portfolio(txn, doc, last_modified).await?;
        Ok(Some(ImportOutcome {
            person_id,
            replaced: removed.rows_affected > 0,
        }))
    })
    .await?;
    outcome.ok_or_else(|| AppError::internal("an import finished without an outcome"))
}

/// On an empty database, loads the bundled portfolio. Returns whether it did.
pub async fn load_bundled_if_empty(db: &DatabaseConnection) -> AppResult<bool> {
    if person::Entity::find().count(db).await? > 0 {
        return Ok(false);
    }
    let doc = document::parse(document::BUNDLED_NAME, document::BUNDLED)
        .map_err(|err| AppError::internal(format!("the bundled portfolio is invalid: {err}")))?;
    import_document(db, &doc).await?;
    Ok(true)
}

async fn insert_portfolio(
    txn: &impl ConnectionTrait,
    doc: &PortfolioDocument,
    last_modified: Option<DateTime<Utc>>,
) -> AppResult<i64> {
    let now = Utc::now();
    let p = &doc.person;
    let person_id = person::Entity::insert(person::ActiveModel {
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
        updated_at: Set(last_modified.map_or(now, |t| t.min(now))),
    })
    .exec(txn)
    .await?
    .last_insert_id;

    let links = doc
        .links
        .iter()
        .enumerate()
        .map(|(position, link)| profile_link::ActiveModel {
            id: NotSet,
            person_id: Set(person_id),
            kind: Set(link.kind),
            label: Set(link.label.clone()),
            url: Set(link.url.clone()),
            position: Set(position as i32),
            published: Set(!link.draft),
            version: Set(1),
            translations: Set(to_column(&link.translations)),
            created_at: Set(now),
            updated_at: Set(now),
        });
    insert_all(txn, links).await?;

    let mut skill_ids = HashMap::new();
    for (position, s) in doc.skills.iter().enumerate() {
        let id = skill::Entity::insert(skill::ActiveModel {
            id: NotSet,
            person_id: Set(person_id),
            name: Set(s.name.clone()),
            name_key: Set(s.name.to_lowercase()),
            category: Set(s.category),
            featured: Set(s.featured),
            position: Set(position as i32),
            published: Set(!s.draft),
            version: Set(1),
            translations: Set(to_column(&s.translations)),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .exec(txn)
        .await?
        .last_insert_id;
        skill_ids.insert(s.name.to_lowercase(), id);
    }

    let mut writer = AchievementWriter {
        txn,
        person_id,
        now,
        skill_ids,
        next_position: 0,
    };
    for (position, r) in doc.roles.iter().enumerate() {
        let role_id = role::Entity::insert(role::ActiveModel {
            id: NotSet,
            person_id: Set(person_id),
            organization: Set(r.organization.clone()),
            title: Set(r.title.clone()),
            department: Set(r.department.clone()),
            employment_type: Set(r.employment_type),
            location: Set(r.location.clone()),
            start_ym: Set(r.start.to_yyyymm()),
            end_ym: Set(r.end.map(|m| m.to_yyyymm())),
            summary: Set(r.summary.clone()),
            position: Set(position as i32),
            published: Set(!r.draft),
            version: Set(1),
            translations: Set(to_column(&r.translations)),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .exec(txn)
        .await?
        .last_insert_id;
        for a in &r.achievements {
            writer.write(Parent::Role(role_id), a).await?;
        }
    }

    let mut activity_ids = Vec::with_capacity(doc.activities.len());
    for (position, a) in doc.activities.iter().enumerate() {
        let activity_id = activity::Entity::insert(activity::ActiveModel {
            id: NotSet,
            person_id: Set(person_id),
            kind: Set(a.kind),
            title: Set(a.title.clone()),
            organization: Set(a.organization.clone()),
            start_ym: Set(a.start.map(|m| m.to_yyyymm())),
            end_ym: Set(a.end.map(|m| m.to_yyyymm())),
            year: Set(a.year),
            description: Set(a.description.clone()),
            highlights: Set(encode(&a.highlights)),
            links: Set(encode(&a.links)),
            awarded_for_id: Set(None),
            position: Set(position as i32),
            published: Set(!a.draft),
            version: Set(1),
            translations: Set(to_column(&a.translations)),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .exec(txn)
        .await?
        .last_insert_id;
        activity_ids.push(activity_id);
        for achievement in &a.achievements {
            writer
                .write(Parent::Activity(activity_id), achievement)
                .await?;
        }
    }

    // An award names the activity it was given for by title, which may come
    // later in the document: linked once every activity has its id.
    for (a, id) in doc.activities.iter().zip(&activity_ids) {
        let Some(target) = a.awarded_for.as_deref() else {
            continue;
        };
        let target_id = doc
            .activities
            .iter()
            .position(|x| x.title == target)
            .and_then(|i| activity_ids.get(i))
            .ok_or_else(|| {
                AppError::bad_input(
                    "activities",
                    format!("award {:?} names unknown activity {target:?}", a.title),
                )
            })?;
        activity::Entity::update_many()
            .col_expr(
                activity::Column::AwardedForId,
                sea_orm::sea_query::Expr::value(*target_id),
            )
            .filter(activity::Column::Id.eq(*id))
            .exec(txn)
            .await?;
    }

    let education = doc
        .education
        .iter()
        .enumerate()
        .map(|(position, e)| education::ActiveModel {
            id: NotSet,
            person_id: Set(person_id),
            institution: Set(e.institution.clone()),
            degree: Set(e.degree.clone()),
            field: Set(e.field.clone()),
            start_ym: Set(e.start.map(|m| m.to_yyyymm())),
            end_ym: Set(e.end.map(|m| m.to_yyyymm())),
            status: Set(e.status),
            position: Set(position as i32),
            published: Set(!e.draft),
            version: Set(1),
            translations: Set(to_column(&e.translations)),
            created_at: Set(now),
            updated_at: Set(now),
        });
    insert_all(txn, education).await?;

    let languages = doc
        .languages
        .iter()
        .enumerate()
        .map(|(position, l)| language::ActiveModel {
            id: NotSet,
            person_id: Set(person_id),
            name: Set(l.name.clone()),
            fluency: Set(l.fluency.clone()),
            position: Set(position as i32),
            published: Set(!l.draft),
            version: Set(1),
            translations: Set(to_column(&l.translations)),
            created_at: Set(now),
            updated_at: Set(now),
        });
    insert_all(txn, languages).await?;
    Ok(person_id)
}

/// Inserts rows whose ids nobody needs, in one statement per table.
async fn insert_all<A>(
    txn: &impl ConnectionTrait,
    rows: impl IntoIterator<Item = A>,
) -> AppResult<()>
where
    A: sea_orm::ActiveModelTrait,
{
    let rows: Vec<A> = rows.into_iter().collect();
    if !rows.is_empty() {
        <A::Entity as EntityTrait>::insert_many(rows)
            .exec(txn)
            .await?;
    }
    Ok(())
}

enum Parent {
    Role(i64),
    Activity(i64),
}

/// Writes achievements with their metrics and skill links, numbering them in
/// document order across the whole person.
struct AchievementWriter<'a, C> {
    txn: &'a C,
    person_id: i64,
    now: chrono::DateTime<Utc>,
    skill_ids: HashMap<String, i64>,
    next_position: i32,
}

impl<C: ConnectionTrait> AchievementWriter<'_, C> {
    async fn write(&mut self, parent: Parent, a: &AchievementDoc) -> AppResult<()> {
        let (role_id, activity_id) = match parent {
            Parent::Role(id) => (Some(id), None),
            Parent::Activity(id) => (None, Some(id)),
        };
        let now = self.now;
        let achievement_id = achievement::Entity::insert(achievement::ActiveModel {
            id: NotSet,
            person_id: Set(self.person_id),
            role_id: Set(role_id),
            activity_id: Set(activity_id),
            title: Set(a.title.clone()),
            context: Set(a.context.clone()),
            actions: Set(encode(&a.actions)),
            results: Set(encode(&a.results)),
            links: Set(encode(&a.links)),
            position: Set(self.next_position),
            published: Set(!a.draft),
            version: Set(1),
            translations: Set(to_column(&a.translations)),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .exec(self.txn)
        .await?
        .last_insert_id;
        self.next_position += 1;

        let metrics = a
            .metrics
            .iter()
            .enumerate()
            .map(|(position, m)| metric::ActiveModel {
                id: NotSet,
                achievement_id: Set(achievement_id),
                person_id: Set(self.person_id),
                label: Set(m.label.clone()),
                value: Set(m.value),
                unit: Set(m.unit.clone()),
                display: Set(m.display.clone()),
                position: Set(position as i32),
                version: Set(1),
                translations: Set(to_column(&m.translations)),
                created_at: Set(now),
                updated_at: Set(now),
            });
        insert_all(self.txn, metrics).await?;

        let mut links = Vec::with_capacity(a.skills.len());
        for (position, name) in a.skills.iter().enumerate() {
            let skill_id = *self.skill_ids.get(&name.to_lowercase()).ok_or_else(|| {
                AppError::bad_input(
                    "skills",
                    format!("achievement {:?} names unknown skill {name:?}", a.title),
                )
            })?;
            links.push(achievement_skill::ActiveModel {
                achievement_id: Set(achievement_id),
                skill_id: Set(skill_id),
                person_id: Set(self.person_id),
                position: Set(position as i32),
            });
        }
        insert_all(self.txn, links).await?;
        Ok(())
    }
}
