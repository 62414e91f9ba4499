//! Loading a native document into the database, replacing the person with the
//! same slug, all in one transaction: either the whole portfolio is written
//! or nothing is.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{achievement_skill, activity, person};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, PaginatorTrait, PrimaryKeyTrait, QueryFilter,
};

use super::rows::{Place, Stored, metric_row, person_row};
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
        let old = person::Entity::find()
            .filter(person::Column::Slug.eq(doc.person.slug.as_str()))
            .one(txn)
            .await?;
        let removed = person::Entity::delete_many()
            .filter(person::Column::Slug.eq(doc.person.slug.as_str()))
            .exec(txn)
            .await?;
        let person_id = insert_portfolio(txn, doc, last_modified).await?;
        match &old {
            Some(old) => super::webhook::outbox::person_replaced(old, person_id),
            None => super::write::person_written(person_id),
        }
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
    let updated_at = last_modified.map_or(now, |t| t.min(now));
    let person_id = insert_one(txn, person_row(&doc.person, now, updated_at)).await?;
    let place = |position: usize| Place {
        person_id,
        position: position as i32,
        now,
    };

    insert_all(txn, rows(&doc.links, place)).await?;

    let mut skill_ids = HashMap::new();
    for (position, s) in doc.skills.iter().enumerate() {
        let id = insert_one(txn, s.row(place(position))).await?;
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
        let role_id = insert_one(txn, r.row(place(position))).await?;
        for a in &r.achievements {
            writer.write(Parent::Role(role_id), a).await?;
        }
    }

    let mut activity_ids = Vec::with_capacity(doc.activities.len());
    for (position, a) in doc.activities.iter().enumerate() {
        let activity_id = insert_one(txn, a.row(place(position))).await?;
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

    insert_lists(txn, doc, place).await?;
    Ok(person_id)
}

/// Inserts the rows of the simple lists, one row of [`document_lists!`]
/// each, in the table's order.
macro_rules! insert_lists {
    ($($key:ident: $doc:ident in $table:ident;)*) => {
        /// Writes the items of the document's simple lists.
        async fn insert_lists(
            txn: &impl ConnectionTrait,
            doc: &PortfolioDocument,
            place: impl Fn(usize) -> Place + Copy,
        ) -> AppResult<()> {
            $(insert_all(txn, rows(&doc.$key, place)).await?;)*
            Ok(())
        }
    };
}

document::document_lists!(insert_lists);

/// The rows of a list of items, each at its place in the list.
fn rows<'a, I: Stored>(
    items: &'a [I],
    place: impl Fn(usize) -> Place + 'a,
) -> impl Iterator<Item = <I::Entity as EntityTrait>::ActiveModel> + 'a {
    items
        .iter()
        .enumerate()
        .map(move |(position, item)| item.row(place(position)))
}

/// Inserts one row and returns its id.
async fn insert_one<A>(txn: &impl ConnectionTrait, row: A) -> AppResult<i64>
where
    A: ActiveModelTrait,
    A::Entity: EntityTrait<PrimaryKey: PrimaryKeyTrait<ValueType = i64>>,
{
    Ok(<A::Entity as EntityTrait>::insert(row)
        .exec(txn)
        .await?
        .last_insert_id)
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
        let place = |position: i32| Place {
            person_id: self.person_id,
            position,
            now: self.now,
        };
        let mut row = a.row(place(self.next_position));
        row.role_id = Set(role_id);
        row.activity_id = Set(activity_id);
        let achievement_id = insert_one(self.txn, row).await?;
        self.next_position += 1;

        let metrics = a
            .metrics
            .iter()
            .enumerate()
            .map(|(position, m)| metric_row(m, achievement_id, place(position as i32)));
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
