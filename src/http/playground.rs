//! `GET /`: the GraphiQL playground, opening on a query that shows the
//! bundled portfolio.
//!
//! GraphiQL's JavaScript and CSS come from npm, pinned by
//! `playground/package-lock.json`, and are served by this server from
//! `playground/node_modules` (`npm ci --prefix playground` puts them there),
//! so the playground works without internet access under a
//! Content-Security-Policy that allows only this origin. When the assets are
//! not installed, the server says so in the log at start and the page loads
//! the same pinned versions from a public CDN instead: an explicit fallback,
//! never a silent one. Should GraphiQL not load all the same (no internet
//! access, a blocked CDN), the page itself says what is wrong and the command
//! that fixes it, in place of "Loading GraphiQL…"; its scripts are all served
//! from this origin, so the policy needs no inline script.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use super::AppState;

/// The query the playground opens with: the whole portfolio of the bundled
/// person, in one request.
pub const DEFAULT_QUERY: &str = r#"# The whole portfolio of the bundled person. Press ▶ to run it.
query Portfolio {
  person(slug: "dahye-ahn") {
    name
    headline
    summary
    experience { years months }
    profileLinks { kind label url }
    roles {
      nodes {
        organization
        title
        department
        start
        end
        current
        duration { years months }
        achievements {
          nodes {
            title
            context
            actions
            results
            metrics { label value unit display }
            skills { name }
            links { kind title url }
          }
        }
      }
    }
    skills(featured: true) { nodes { name category } }
    activities { nodes { kind title organization highlights links { kind title } } }
    education { institution degree field start end status }
    languages { name fluency }
  }
}
"#;

/// The files the page needs: URL name → path inside `node_modules`, and the
/// pinned package versions the CDN fallback uses.
const ASSETS: [(&str, &str, &str); 4] = [
    (
        "react.js",
        "react/umd/react.production.min.js",
        "react@18.3.1/umd/react.production.min.js",
    ),
    (
        "react-dom.js",
        "react-dom/umd/react-dom.production.min.js",
        "react-dom@18.3.1/umd/react-dom.production.min.js",
    ),
    (
        "graphiql.js",
        "graphiql/graphiql.min.js",
        "graphiql@3.8.3/graphiql.min.js",
    ),
    (
        "graphiql.css",
        "graphiql/graphiql.min.css",
        "graphiql@3.8.3/graphiql.min.css",
    ),
];

/// The page's first script, served from this binary and loaded before
/// GraphiQL's: when one of GraphiQL's files fails to load, or GraphiQL has not
/// rendered after a while, it shows the page's explanation instead of
/// "Loading GraphiQL…". Rendering GraphiQL replaces both.
const STATUS_JS: &str = r#"(function () {
  function failed() {
    if (document.querySelector('.graphiql-container')) return;
    var loading = document.getElementById('playground-loading');
    var failure = document.getElementById('playground-failed');
    if (loading) loading.hidden = true;
    if (failure) failure.hidden = false;
  }
  // Resource errors do not bubble; they reach the window while capturing.
  window.addEventListener('error', function (event) {
    var element = event.target;
    if (element && (element.tagName === 'SCRIPT' || element.tagName === 'LINK')) failed();
  }, true);
  setTimeout(failed, 15000);
  window.playgroundFailed = failed;
})();
"#;

/// The page's own start-up script, served from this binary.
const INIT_JS: &str = r#"(function () {
  if (typeof React === 'undefined' || typeof ReactDOM === 'undefined' || typeof GraphiQL === 'undefined') {
    window.playgroundFailed();
    return;
  }
  var query = JSON.parse(document.getElementById('default-query').textContent);
  var fetcher = GraphiQL.createFetcher({ url: new URL('/graphql', location.href).href });
  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, { fetcher: fetcher, defaultQuery: query, defaultEditorToolsVisibility: false })
  );
})();
"#;

const CDN: &str = "https://unpkg.com";

/// Where the playground's files come from, decided once at start.
#[derive(Clone, Debug)]
pub struct PlaygroundAssets {
    /// URL name → file, when every asset is installed locally.
    local: Option<Arc<HashMap<&'static str, PathBuf>>>,
}

impl PlaygroundAssets {
    /// Looks for the assets under `node_modules`.
    pub fn locate(node_modules: &Path) -> Self {
        let files: HashMap<_, _> = ASSETS
            .iter()
            .map(|(name, path, _)| (*name, node_modules.join(path)))
            .collect();
        let missing: Vec<_> = files.values().filter(|p| !p.is_file()).collect();
        if missing.is_empty() {
            tracing::info!(dir = %node_modules.display(), "playground assets served locally");
            PlaygroundAssets {
                local: Some(Arc::new(files)),
            }
        } else {
            tracing::warn!(
                dir = %node_modules.display(),
                "playground assets not installed; the playground will load GraphiQL from {CDN} \
                 (run `npm ci --prefix playground` to serve it offline)"
            );
            PlaygroundAssets { local: None }
        }
    }

    /// No local assets: always the CDN.
    pub fn cdn() -> Self {
        PlaygroundAssets { local: None }
    }

    pub fn is_local(&self) -> bool {
        self.local.is_some()
    }

    /// What the page says when GraphiQL does not load, as HTML.
    fn failure(&self) -> String {
        if self.is_local() {
            "<p><strong>GraphiQL could not be loaded</strong> from this server; \
             its log says why.</p>"
                .to_owned()
        } else {
            format!(
                "<p><strong>GraphiQL could not be loaded.</strong> This server does not \
                 have the playground's files installed, and the public CDN it falls back \
                 to ({CDN}) cannot be reached from this browser.</p>\
                 <p>To serve the playground without internet access, run this where the \
                 server runs, then restart the server:</p>\
                 <pre id=\"playground-fix\" style=\"font-size: 1.1em;\">npm ci --prefix playground</pre>"
            )
        }
    }

    fn url(&self, name: &str) -> String {
        match self.local {
            Some(_) => format!("/playground/{name}"),
            None => ASSETS
                .iter()
                .find(|(n, _, _)| *n == name)
                .map(|(_, _, cdn)| format!("{CDN}/{cdn}"))
                .unwrap_or_default(),
        }
    }

    fn content_security_policy(&self) -> String {
        let source = if self.is_local() {
            "'self'".to_owned()
        } else {
            format!("'self' {CDN}")
        };
        format!(
            "default-src 'none'; script-src {source}; style-src {source} 'unsafe-inline'; \
             img-src 'self' data:; font-src 'self' data:; connect-src 'self'; \
             base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
        )
    }
}

/// The playground page.
pub async fn page(State(state): State<AppState>) -> Response {
    let assets = &state.playground_assets;
    let query = serde_json::to_string(DEFAULT_QUERY)
        .unwrap_or_else(|err| unreachable!("a string always serialises: {err}"))
        // Inside a <script> element, "</" would end it.
        .replace("</", "<\\/");
    let html = PAGE
        .replace("__DEFAULT_QUERY__", &query)
        .replace("__FAILURE__", &assets.failure())
        .replace("__GRAPHIQL_CSS__", &assets.url("graphiql.css"))
        .replace("__REACT_JS__", &assets.url("react.js"))
        .replace("__REACT_DOM_JS__", &assets.url("react-dom.js"))
        .replace("__GRAPHIQL_JS__", &assets.url("graphiql.js"));
    let mut response = Html(html).into_response();
    if let Ok(csp) = HeaderValue::from_str(&assets.content_security_policy()) {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    response
}

/// `GET /playground/{name}`: one of the allow-listed assets, or one of the
/// page's own scripts.
pub async fn asset(State(state): State<AppState>, UrlPath(name): UrlPath<String>) -> Response {
    let own = match name.as_str() {
        "status.js" => Some(STATUS_JS),
        "init.js" => Some(INIT_JS),
        _ => None,
    };
    if let Some(script) = own {
        return (
            [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
            script,
        )
            .into_response();
    }
    let Some(path) = state
        .playground_assets
        .local
        .as_ref()
        .and_then(|files| files.get(name.as_str()).cloned())
    else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let content_type = if name.ends_with(".css") {
        "text/css; charset=utf-8"
    } else {
        "text/javascript; charset=utf-8"
    };
    match tokio::fs::read(&path).await {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, content_type),
                // Pinned versions: the bytes behind a name change only on upgrade.
                (header::CACHE_CONTROL, "public, max-age=86400"),
            ],
            bytes,
        )
            .into_response(),
        Err(err) => {
            tracing::error!(path = %path.display(), %err, "cannot read playground asset");
            StatusCode::NOT_FOUND.into_response()
        }
    }
}

const PAGE: &str = r#"<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>portfolio · GraphiQL</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="__GRAPHIQL_CSS__">
</head>
<body style="margin: 0; height: 100vh;">
  <div id="graphiql" style="height: 100vh;">
    <p id="playground-loading" style="margin: 2em;">Loading GraphiQL…</p>
    <div id="playground-failed" role="alert" hidden style="margin: 2em; max-width: 40em; font-family: sans-serif; line-height: 1.5;">__FAILURE__</div>
  </div>
  <script type="application/json" id="default-query">__DEFAULT_QUERY__</script>
  <script src="/playground/status.js"></script>
  <script src="__REACT_JS__"></script>
  <script src="__REACT_DOM_JS__"></script>
  <script src="__GRAPHIQL_JS__"></script>
  <script src="/playground/init.js"></script>
</body>
</html>
"#;
