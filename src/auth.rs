//! API tokens and who is asking.
//!
//! A token reads `pf_<id>_<secret>`: the id selects the stored row, and the
//! SHA-256 of the 256-bit random secret is compared, in constant time, with
//! the stored hash. The secret itself is printed once at creation and stored
//! nowhere. Tokens are checked on every request, so a revoked token stops
//! working at once.

use std::fmt;

use axum::http::HeaderValue;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use entity::{api_token, person};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder,
};
use subtle::ConstantTimeEq;

use crate::error::{AppError, AppResult};

/// Who a request acts as.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    /// No token: sees published content only, may not change anything.
    Anonymous,
    /// A person's token: sees and edits that person's portfolio, drafts included.
    Owner { person_id: i64, token_id: i64 },
    /// An admin token: sees and edits everything, creates and deletes people.
    Admin { token_id: i64 },
}

impl fmt::Debug for Viewer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Viewer::Anonymous => f.write_str("anonymous"),
            Viewer::Owner {
                person_id,
                token_id,
            } => write!(f, "token {token_id} of person {person_id}"),
            Viewer::Admin { token_id } => write!(f, "admin token {token_id}"),
        }
    }
}

impl Viewer {
    /// Whether drafts of `person_id`'s portfolio are visible.
    pub fn sees_drafts_of(&self, person_id: i64) -> bool {
        match self {
            Viewer::Anonymous => false,
            Viewer::Owner { person_id: own, .. } => *own == person_id,
            Viewer::Admin { .. } => true,
        }
    }

    /// Whether responses to this viewer may be shared (cached) between clients.
    pub fn is_anonymous(&self) -> bool {
        matches!(self, Viewer::Anonymous)
    }

    /// Whose portfolio this viewer may change: `Some(person)` for a
    /// person's token, `None` (anyone's) for an admin. Lookups for a change
    /// are limited to it before they run, so that another person's items are
    /// not found, exactly like items that do not exist.
    pub fn edit_scope(&self) -> AppResult<Option<i64>> {
        match self {
            Viewer::Anonymous => Err(unauthenticated()),
            Viewer::Owner { person_id, .. } => Ok(Some(*person_id)),
            Viewer::Admin { .. } => Ok(None),
        }
    }

    /// Whether this viewer may see everything (and so may be told what
    /// exists, e.g. that a slug is taken).
    pub fn is_admin(&self) -> bool {
        matches!(self, Viewer::Admin { .. })
    }

    /// Allows admin-only operations (creating, deleting, importing people).
    pub fn must_be_admin(&self) -> AppResult<()> {
        match self {
            Viewer::Anonymous => Err(unauthenticated()),
            Viewer::Owner { .. } => {
                Err(AppError::Forbidden("this needs an admin token".to_owned()))
            }
            Viewer::Admin { .. } => Ok(()),
        }
    }
}

/// The refusal of a request that needs a token and has none.
pub fn unauthenticated() -> AppError {
    AppError::Unauthenticated("this needs a token: send `Authorization: Bearer <token>`".to_owned())
}

fn hash(secret: &str) -> String {
    crate::digest::sha256_hex(secret)
}

/// Who the `Authorization` header says the request is: [`authenticate`] on
/// its text. A value that is not visible ASCII cannot hold a token and is
/// refused like a wrong one, never taken for no header.
pub async fn authenticate_header(
    db: &DatabaseConnection,
    header: Option<&HeaderValue>,
) -> AppResult<Viewer> {
    authenticate(db, header_text(header)?).await
}

/// The text of an `Authorization` header; an error when it is not visible
/// ASCII.
fn header_text(header: Option<&HeaderValue>) -> AppResult<Option<&str>> {
    header
        .map(|value| {
            value.to_str().map_err(|_| {
                AppError::Unauthenticated(
                    "the Authorization header must be visible ASCII: `Bearer <token>`".to_owned(),
                )
            })
        })
        .transpose()
}

/// Who the `Authorization` header value says the request is. `None` means
/// no header; a header that does not name a live token is an error.
pub async fn authenticate(db: &DatabaseConnection, header: Option<&str>) -> AppResult<Viewer> {
    let Some(header) = header else {
        return Ok(Viewer::Anonymous);
    };
    let invalid = || AppError::Unauthenticated("the bearer token is invalid or revoked".to_owned());
    let token = header
        .strip_prefix("Bearer ")
        .or_else(|| header.strip_prefix("bearer "))
        .ok_or_else(|| {
            AppError::Unauthenticated(
                "the Authorization header must read `Bearer <token>`".to_owned(),
            )
        })?
        .trim();
    let (id, secret) = token
        .strip_prefix("pf_")
        .and_then(|rest| rest.split_once('_'))
        .ok_or_else(invalid)?;
    let id: i64 = id.parse().map_err(|_| invalid())?;
    let row = api_token::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(invalid)?;
    let matches: bool = hash(secret)
        .as_bytes()
        .ct_eq(row.token_hash.as_bytes())
        .into();
    if !matches || row.revoked_at.is_some() {
        return Err(invalid());
    }
    let now = Utc::now();
    // Record use at most once a minute: a read path should not write each time.
    if row
        .last_used_at
        .is_none_or(|last| now - last > chrono::Duration::minutes(1))
    {
        let mut active: api_token::ActiveModel = row.clone().into();
        active.last_used_at = Set(Some(now));
        if let Err(err) = active.update(db).await {
            tracing::warn!(token_id = row.id, %err, "cannot record token use");
        }
    }
    Ok(match row.person_id {
        Some(person_id) => Viewer::Owner {
            person_id,
            token_id: row.id,
        },
        None => Viewer::Admin { token_id: row.id },
    })
}

/// A newly created token: its row, and the token text to hand out once.
pub struct NewToken {
    pub row: api_token::Model,
    pub token: String,
}

/// Creates a token for the person with `slug`, or an admin token when `slug`
/// is `None`.
pub async fn create_token(
    db: &DatabaseConnection,
    slug: Option<&str>,
    name: &str,
) -> AppResult<NewToken> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::bad_input(
            "name",
            "a token needs a name of 1 to 100 characters",
        ));
    }
    let person_id = match slug {
        Some(slug) => Some(
            person::Entity::find()
                .filter(person::Column::Slug.eq(slug))
                .one(db)
                .await?
                .ok_or_else(|| AppError::NotFound(format!("no person with slug {slug:?}")))?
                .id,
        ),
        None => None,
    };
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|err| AppError::internal(format!("no randomness: {err}")))?;
    let secret = URL_SAFE_NO_PAD.encode(bytes);
    let row = api_token::ActiveModel {
        person_id: Set(person_id),
        name: Set(name.to_owned()),
        token_hash: Set(hash(&secret)),
        created_at: Set(Utc::now()),
        last_used_at: Set(None),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let token = format!("pf_{}_{secret}", row.id);
    Ok(NewToken { row, token })
}

/// Every token with the slug of its person (none for admin tokens).
pub async fn list_tokens(
    db: &DatabaseConnection,
) -> AppResult<Vec<(api_token::Model, Option<String>)>> {
    let rows = api_token::Entity::find()
        .find_also_related(person::Entity)
        .order_by_asc(api_token::Column::Id)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(token, person)| (token, person.map(|p| p.slug)))
        .collect())
}

/// Revokes token `id`; false when there is no such live token.
pub async fn revoke_token(db: &DatabaseConnection, id: i64) -> AppResult<bool> {
    let result = api_token::Entity::update_many()
        .col_expr(
            api_token::Column::RevokedAt,
            sea_orm::sea_query::Expr::value(Utc::now()),
        )
        .filter(api_token::Column::Id.eq(id))
        .filter(api_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_authorization_header_that_is_not_visible_ascii_is_refused() {
        assert!(matches!(header_text(None), Ok(None)));
        let ok = HeaderValue::from_static("Bearer pf_1_abc");
        assert!(matches!(
            header_text(Some(&ok)),
            Ok(Some("Bearer pf_1_abc"))
        ));
        for bad in [&b"Bearer \xff\xfe"[..], "Bearer 토큰".as_bytes()] {
            let value = HeaderValue::from_bytes(bad).expect("a header value");
            assert!(
                matches!(header_text(Some(&value)), Err(AppError::Unauthenticated(_))),
                "{bad:?}"
            );
        }
    }
}
