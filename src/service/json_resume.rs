//! JSON Resume export and import against the database.

use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde_json::Value;

use crate::document::{self, json_resume};
use crate::domain::{Locale, limits};
use crate::error::{AppError, AppResult};

/// The published portfolio of `slug` as a JSON Resume document in
/// `locale` (see [`json_resume::export`]; `None`: the person's own).
pub async fn export(
    db: &impl ConnectionTrait,
    slug: &str,
    locale: Option<&Locale>,
) -> AppResult<Option<Value>> {
    Ok(super::export::export_document_dated(db, slug)
        .await?
        .map(|(doc, updated_at)| {
            let options = json_resume::Export {
                locale,
                last_modified: Some(updated_at),
            };
            json_resume::export(&doc, options)
        }))
}

/// Where the caller's user gave the slug and the document: each caller
/// names them in its own terms (`input.slug` for the API, `--slug` for the
/// command line).
pub struct Named<'a> {
    pub slug: &'a str,
    pub resume: &'a str,
}

/// Creates the person `slug` from a JSON Resume document. Every problem, of
/// the document or of the slug, is reported at once with its path as the
/// caller names it; nothing is written unless all is well.
pub async fn import(
    db: &DatabaseConnection,
    resume: &Value,
    slug: &str,
    named: Named<'_>,
) -> AppResult<i64> {
    let prefix = named.resume;
    let mut problems = Vec::new();
    if !limits::is_valid_slug(slug) {
        problems.push((
            named.slug.to_owned(),
            "must be 3-64 characters of a-z and 0-9 in words joined by single dashes".to_owned(),
        ));
    } else if entity::person::Entity::find()
        .filter(entity::person::Column::Slug.eq(slug))
        .one(db)
        .await?
        .is_some()
    {
        problems.push((
            named.slug.to_owned(),
            "this slug is taken by another person".to_owned(),
        ));
    }
    let doc = match json_resume::import(
        resume,
        if limits::is_valid_slug(slug) {
            slug
        } else {
            "placeholder"
        },
    ) {
        Ok(doc) => {
            problems.extend(
                document::check(&doc)
                    .into_iter()
                    .filter(|(field, _)| field != "person.slug")
                    .map(|(field, message)| (format!("{prefix}(as portfolio).{field}"), message)),
            );
            Some(doc)
        }
        Err(found) => {
            problems.extend(
                found
                    .into_iter()
                    .map(|(field, message)| (format!("{prefix}.{field}"), message)),
            );
            None
        }
    };
    match doc {
        Some(doc) if problems.is_empty() => {
            let last_modified = json_resume::last_modified(resume);
            let outcome = super::import::import_document_dated(db, &doc, last_modified).await?;
            Ok(outcome.person_id)
        }
        _ => Err(AppError::Invalid(problems)),
    }
}
