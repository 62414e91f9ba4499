//! `TestApp`: the application built on a fresh database of one backend, driven
//! in-process through its router; and `TestDb`, which creates that database
//! and drops it when the test ends.

use std::io::Write;
use std::sync::Once;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use portfolio::config::Config;
use portfolio::db::SqlStats;
use portfolio::domain::{Clock, YearMonth};
use portfolio::startup::{self, App};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde_json::{Value, json};
use tower::ServiceExt;

/// Environment variables naming an admin URL of each server backend.
pub const POSTGRES_ENV: &str = "PORTFOLIO_TEST_POSTGRES_URL";
pub const MYSQL_ENV: &str = "PORTFOLIO_TEST_MYSQL_URL";

/// The month tests treat as "now": the resume was written in 2024-12, when
/// the current role had lasted "2년 4개월".
pub fn today() -> YearMonth {
    YearMonth::new(2024, 12).expect("valid month")
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres(String),
    MySql(String),
}

impl Backend {
    pub fn name(&self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres(_) => "postgres",
            Backend::MySql(_) => "mysql",
        }
    }
}

/// SQLite always; the server backends whose variables are set. Says once,
/// on the terminal (past the test harness's capture), which were skipped.
pub fn backends() -> Vec<Backend> {
    static NOTICE: Once = Once::new();
    let mut backends = vec![Backend::Sqlite];
    let mut skipped = Vec::new();
    match std::env::var(POSTGRES_ENV) {
        Ok(url) if !url.is_empty() => backends.push(Backend::Postgres(url)),
        _ => skipped.push(format!("PostgreSQL (set {POSTGRES_ENV})")),
    }
    match std::env::var(MYSQL_ENV) {
        Ok(url) if !url.is_empty() => backends.push(Backend::MySql(url)),
        _ => skipped.push(format!("MySQL/MariaDB (set {MYSQL_ENV})")),
    }
    NOTICE.call_once(|| {
        let ran: Vec<_> = backends.iter().map(Backend::name).collect();
        let mut line = format!("\nnote: database backends under test: {}", ran.join(", "));
        if !skipped.is_empty() {
            line.push_str(&format!("; skipped: {}", skipped.join(", ")));
        }
        let _ = writeln!(std::io::stderr(), "{line}");
    });
    backends
}

/// A database that exists for one test and is dropped after it.
pub struct TestDb {
    pub url: String,
    backend: Backend,
    name: String,
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn unique_name() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    format!(
        "portfolio_test_{}_{}_{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// `url` with its database name replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let host_end = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| scheme_end + i);
    let mut out = format!("{}/{name}", &base[..host_end]);
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    out
}

impl TestDb {
    pub async fn create(backend: &Backend) -> TestDb {
        let name = unique_name();
        let url = match backend {
            Backend::Sqlite => {
                let path = std::env::temp_dir().join(format!("{name}.db"));
                format!("sqlite://{}?mode=rwc", path.display())
            }
            Backend::Postgres(admin) | Backend::MySql(admin) => {
                let db = sea_orm::Database::connect(admin.as_str())
                    .await
                    .unwrap_or_else(|e| {
                        panic!("cannot connect to {} admin URL: {e}", backend.name())
                    });
                db.execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .unwrap_or_else(|e| {
                        panic!("cannot create test database on {}: {e}", backend.name())
                    });
                let _ = db.close().await;
                with_database(admin, &name)
            }
        };
        TestDb {
            url,
            backend: backend.clone(),
            name,
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let backend = self.backend.clone();
        let name = self.name.clone();
        // Drop runs outside async code: use a thread with its own runtime.
        let dropped = std::thread::spawn(move || match backend {
            Backend::Sqlite => {
                let path = std::env::temp_dir().join(format!("{name}.db"));
                for suffix in ["", "-wal", "-shm", "-journal"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Backend::Postgres(admin) | Backend::MySql(admin) => {
                let force = if admin.starts_with("postgres") {
                    " WITH (FORCE)"
                } else {
                    ""
                };
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build();
                if let Ok(runtime) = runtime {
                    runtime.block_on(async {
                        if let Ok(db) = sea_orm::Database::connect(admin.as_str()).await {
                            let _ = db
                                .execute_unprepared(&format!(
                                    "DROP DATABASE IF EXISTS {name}{force}"
                                ))
                                .await;
                            let _ = db.close().await;
                        }
                    });
                }
            }
        });
        let _ = dropped.join();
    }
}

/// The application on a fresh database of one backend.
pub struct TestApp {
    pub backend: &'static str,
    pub router: axum::Router,
    pub db: DatabaseConnection,
    pub stats: SqlStats,
    pub url: String,
    app: Option<App>,
    // Declared last: dropped after the pool above.
    _db: TestDb,
}

impl TestApp {
    /// Built with the bundled portfolio loaded, as `serve` does on an empty database.
    pub async fn spawn(backend: &Backend) -> TestApp {
        Self::spawn_with(backend, true).await
    }

    /// Built with the bundled portfolio and `configure` applied to the config.
    pub async fn spawn_configured(
        backend: &Backend,
        configure: impl FnOnce(&mut Config),
    ) -> TestApp {
        Self::spawn_inner(backend, true, configure).await
    }

    async fn spawn_with(backend: &Backend, seed: bool) -> TestApp {
        Self::spawn_inner(backend, seed, |_| {}).await
    }

    async fn spawn_inner(
        backend: &Backend,
        seed: bool,
        configure: impl FnOnce(&mut Config),
    ) -> TestApp {
        let test_db = TestDb::create(backend).await;
        let mut config = Config::new("127.0.0.1:0".parse().expect("address"), test_db.url.clone());
        config.no_seed = !seed;
        config.clock = Clock::Fixed(today());
        config.pool.max_connections = 5;
        configure(&mut config);
        let app = startup::build(config)
            .await
            .unwrap_or_else(|e| panic!("app failed to start on {}: {e}", backend.name()));
        TestApp {
            backend: backend.name(),
            router: app.router(),
            db: app.db().clone(),
            stats: app.sql_stats(),
            url: test_db.url.clone(),
            app: Some(app),
            _db: test_db,
        }
    }

    /// One app per backend under test.
    pub async fn all() -> Vec<TestApp> {
        let mut apps = Vec::new();
        for backend in backends() {
            apps.push(TestApp::spawn(&backend).await);
        }
        apps
    }

    /// The address the app listens on (bound already, served or not).
    pub fn local_addr(&self) -> std::net::SocketAddr {
        self.app
            .as_ref()
            .expect("the app is already serving")
            .local_addr()
    }

    /// Runs the application on its real socket until `stop` is sent;
    /// `server` completes when it has stopped.
    pub fn serve(
        &mut self,
    ) -> (
        std::net::SocketAddr,
        tokio::sync::oneshot::Sender<()>,
        tokio::task::JoinHandle<std::io::Result<()>>,
    ) {
        let app: App = self.app.take().expect("the app is already serving");
        let addr = app.local_addr();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(app.run_until_stopped(async {
            let _ = stopped.await;
        }));
        (addr, stop, server)
    }

    /// Sends a request through the router; returns status, headers and body.
    pub async fn send(
        &self,
        request: Request<Body>,
    ) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("router is infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes()
            .to_vec();
        (status, headers, body)
    }

    /// A client that sends no token.
    pub fn anonymous(&self) -> Client<'_> {
        Client {
            app: self,
            token: None,
        }
    }

    /// A client that sends `token` as `Authorization: Bearer <token>`.
    pub fn as_token(&self, token: &str) -> Client<'_> {
        Client {
            app: self,
            token: Some(token.to_owned()),
        }
    }
}

/// GraphQL requests to a [`TestApp`] as one caller, anonymous
/// ([`TestApp::anonymous`]) or with a token ([`TestApp::as_token`]): the same
/// methods and return shapes either way.
pub struct Client<'a> {
    app: &'a TestApp,
    token: Option<String>,
}

impl Client<'_> {
    /// POSTs a query as JSON; returns the status and the JSON response,
    /// asserting neither.
    pub async fn graphql(&self, query: &str, variables: Value) -> (StatusCode, Value) {
        let body = json!({ "query": query, "variables": variables });
        let mut request =
            Request::post("/graphql").header(header::CONTENT_TYPE, "application/json");
        if let Some(token) = &self.token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let (status, _, body) = self
            .app
            .send(request.body(Body::from(body.to_string())).expect("request"))
            .await;
        let value = serde_json::from_slice(&body).unwrap_or_else(|e| {
            panic!(
                "[{}] response is not JSON ({e}): {}",
                self.app.backend,
                String::from_utf8_lossy(&body)
            )
        });
        (status, value)
    }

    /// A query answered 200 without errors; returns its `data`.
    pub async fn data(&self, query: &str, variables: Value) -> Value {
        let (status, response) = self.graphql(query, variables).await;
        assert_eq!(status, StatusCode::OK, "[{}] {response}", self.app.backend);
        assert!(
            response.get("errors").is_none(),
            "[{}] unexpected errors: {response}",
            self.app.backend
        );
        response["data"].clone()
    }

    /// A query answered 200 with errors; returns every error.
    pub async fn errors(&self, query: &str, variables: Value) -> Vec<Value> {
        let (status, response) = self.graphql(query, variables).await;
        assert_eq!(status, StatusCode::OK, "[{}] {response}", self.app.backend);
        let errors = response["errors"].as_array().cloned().unwrap_or_default();
        assert!(
            !errors.is_empty(),
            "[{}] expected errors, got {response}",
            self.app.backend
        );
        errors
    }

    /// A query answered 200 with errors; returns the first.
    pub async fn error(&self, query: &str, variables: Value) -> Value {
        self.errors(query, variables).await.swap_remove(0)
    }
}

/// The `nodes` of a connection, or the items of a list.
pub fn nodes(value: &Value) -> Vec<Value> {
    value
        .get("nodes")
        .unwrap_or(value)
        .as_array()
        .cloned()
        .unwrap_or_else(|| panic!("not a list or connection: {value}"))
}

/// The string values of `field` in each item.
pub fn strings(items: &[Value], field: &str) -> Vec<String> {
    items
        .iter()
        .map(|item| {
            item[field]
                .as_str()
                .unwrap_or_else(|| panic!("{field} is not a string in {item}"))
                .to_owned()
        })
        .collect()
}

/// A whole-portfolio query touching every relation of the API.
pub const FULL_QUERY: &str = r#"
query Full($slug: String!) {
  person(slug: $slug) {
    id slug name headline summary location email avatarUrl experienceMonths
    experience { years months totalMonths }
    profileLinks { id kind label url }
    roles {
      totalCount
      nodes {
        id organization title department employmentType start end current durationMonths
        duration { years months }
        skills { name }
        achievements {
          totalCount
          nodes {
            id title context actions results
            metrics { id label value unit display }
            skills { id name category }
            links { kind title url }
            role { id }
          }
        }
      }
    }
    skills {
      totalCount
      nodes {
        id name category featured
        achievements { totalCount nodes { id title } }
        roles { id organization }
      }
    }
    activities {
      totalCount
      nodes {
        id kind title organization start end year description highlights
        links { kind title url }
        achievements { id title metrics { label value unit display } skills { name } }
      }
    }
    education { id institution degree field start end status }
    languages { id name fluency }
  }
}
"#;

/// The bundled document, parsed.
pub fn bundled() -> portfolio::document::PortfolioDocument {
    portfolio::document::parse(
        portfolio::document::BUNDLED_NAME,
        portfolio::document::BUNDLED,
    )
    .expect("bundled document")
}

/// The bundled portfolio under another slug.
pub fn copy_of_bundled(slug: &str) -> portfolio::document::PortfolioDocument {
    let mut document = bundled();
    document.person.slug = slug.to_owned();
    document
}

/// Imports a document through the service layer, as the CLI does.
pub async fn import(app: &TestApp, document: &portfolio::document::PortfolioDocument) {
    portfolio::service::import_document(&app.db, document)
        .await
        .unwrap_or_else(|e| panic!("[{}] import failed: {e:?}", app.backend));
}

impl TestApp {
    /// A new token for the person with `slug`, or an admin token.
    pub async fn token(&self, slug: Option<&str>) -> String {
        portfolio::auth::create_token(&self.db, slug, "test")
            .await
            .unwrap_or_else(|e| panic!("[{}] token: {e:?}", self.backend))
            .token
    }

    /// The global id of the bundled person.
    pub async fn person_id(&self, slug: &str) -> String {
        let query = "query($s: String!) { person(slug: $s) { id } }";
        let data = self.anonymous().data(query, json!({ "s": slug })).await;
        data["person"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("no person {slug}"))
            .to_owned()
    }

    /// The exported document of `slug`, drafts included: the whole stored state.
    pub async fn snapshot(&self, slug: &str) -> Option<portfolio::document::PortfolioDocument> {
        portfolio::service::export_document(&self.db, slug)
            .await
            .expect("export")
    }
}

/// The codes of a list of GraphQL errors.
pub fn codes(errors: &[Value]) -> Vec<String> {
    errors
        .iter()
        .map(|e| {
            e["extensions"]["code"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

/// The `extensions.field` of a list of GraphQL errors.
pub fn fields(errors: &[Value]) -> Vec<String> {
    errors
        .iter()
        .map(|e| {
            e["extensions"]["field"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

/// The text of the app's `/metrics`.
pub async fn metrics(app: &TestApp) -> String {
    let (status, _, body) = app
        .send(
            axum::http::Request::get("/metrics")
                .body(axum::body::Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(status, axum::http::StatusCode::OK);
    String::from_utf8(body).expect("UTF-8")
}

/// The sum of the samples of `name` (a metric name with its labels, or a
/// prefix of it) in a `/metrics` text.
pub fn metric(text: &str, name: &str) -> f64 {
    text.lines()
        .filter(|l| l.starts_with(name))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}
