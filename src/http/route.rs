//! Where a request's reads go: the primary, or (for an anonymous query,
//! when `--database-read-url` is set) the standby once it has replayed
//! every change this process knows of (see `service::standby`). A read the
//! standby fails runs again on the primary, so the client never sees it.

use std::sync::Arc;

use async_graphql::Response;
use async_graphql::parser::types::ExecutableDocument;

use super::AppState;
use super::reply::has_code;
use crate::auth::Viewer;
use crate::domain::Preferences;
use crate::error::code;
use crate::graphql::locale::LocaleChoice;
use crate::graphql::new_loaders;
use crate::service::freshness::Tags;

/// Runs `request` for `viewer` (parsed as `parsed`, when it was): its
/// answer, and whose data it read. `may_use_standby` for anonymous queries.
pub(super) async fn run(
    state: &AppState,
    viewer: Viewer,
    accept: &Preferences,
    request: async_graphql::Request,
    parsed: Option<&Arc<ExecutableDocument>>,
    may_use_standby: bool,
) -> (Response, Tags) {
    let standby = state
        .api
        .caches
        .standby
        .as_ref()
        .filter(|_| may_use_standby);
    let Some(standby) = standby else {
        return run_on(state, viewer, accept, request, state.api.db.clone()).await;
    };
    let mut route = standby.route().await;
    // Kept to run again on the primary should the standby fail it.
    let again = route.standby.then(|| copy(&request, parsed));
    let (mut response, mut tags) = run_on(state, viewer, accept, request, route.db.clone()).await;
    if let Some(request) = again
        && (has_code(&response, code::SERVICE_UNAVAILABLE)
            || has_code(&response, code::INTERNAL_SERVER_ERROR))
    {
        tracing::warn!("a read failed on the standby: running it again on the primary");
        route = standby.after_failure();
        (response, tags) = run_on(state, viewer, accept, request, route.db.clone()).await;
    }
    let metrics = &state.metrics;
    let server = if route.standby { "standby" } else { "primary" };
    metrics.standby_reads.with_label_values(&[server]).inc();
    if let Some(why) = route.fallback {
        metrics
            .standby_fallbacks
            .with_label_values(&[why.label()])
            .inc();
    }
    (response, tags)
}

/// Runs `request` for `viewer`, reading through `db`.
async fn run_on(
    state: &AppState,
    viewer: Viewer,
    accept: &Preferences,
    request: async_graphql::Request,
    db: sea_orm::DatabaseConnection,
) -> (Response, Tags) {
    let loaders = new_loaders(db, viewer).reading(
        state.api.caches.read_model.clone(),
        state.api.caches.freshness.clone(),
    );
    let tags = loaders.tags();
    let request = request
        .data(viewer)
        .data(LocaleChoice::new(accept.clone()))
        .data(loaders);
    let response = state.schema.execute(request).await;
    let tags = std::mem::take(&mut *tags.lock().unwrap_or_else(|e| e.into_inner()));
    (response, tags)
}

/// The same request again, before it runs (a request runs once).
fn copy(
    request: &async_graphql::Request,
    parsed: Option<&Arc<ExecutableDocument>>,
) -> async_graphql::Request {
    let mut copy =
        async_graphql::Request::new(request.query.clone()).variables(request.variables.clone());
    if let Some(name) = &request.operation_name {
        copy = copy.operation_name(name);
    }
    copy.extensions = request.extensions.clone();
    if let Some(document) = parsed {
        copy.set_parsed_query((**document).clone());
    }
    copy
}
