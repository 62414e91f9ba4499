//! The command line: `serve`, `migrate`, `import`, `export`, `schema`.
//! Every flag has a `PORTFOLIO_*` environment fallback; those of `serve`
//! are the server's configuration, [`Config`].

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use migration::{Migrator, MigratorTrait};
use sea_orm::DatabaseConnection;

use crate::config::{Config, DEFAULT_DATABASE_URL, PoolConfig};
use crate::db;
use crate::domain::Locale;
use crate::service::webhook;
use crate::{auth, document, graphql, service, startup};

#[derive(Debug, Parser)]
#[command(
    name = "portfolio",
    version,
    about = "A GraphQL backend serving a professional portfolio"
)]
pub struct Cli {
    /// Database URL: sqlite://FILE?mode=rwc, postgres://USER@HOST/DB or mysql://USER@HOST/DB.
    #[arg(long, env = "PORTFOLIO_DATABASE_URL", default_value = DEFAULT_DATABASE_URL, global = true)]
    pub database_url: String,

    /// Log format: `pretty` for people, `json` for log pipelines.
    #[arg(long, env = "PORTFOLIO_LOG_FORMAT", value_enum, default_value_t = LogFormat::Pretty, global = true)]
    pub log_format: LogFormat,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the GraphQL API (and the playground at /).
    Serve(Box<Config>),
    /// Apply, revert or inspect schema migrations.
    Migrate {
        #[command(subcommand)]
        action: MigrateAction,
    },
    /// Load a portfolio document, replacing the person with the same slug
    /// (native format), or create a person from a JSON Resume.
    Import {
        /// A TOML portfolio document (docs/portfolio-format.md) or a JSON Resume.
        file: PathBuf,
        /// The file's format.
        #[arg(long, value_enum, default_value_t = Format::Native)]
        format: Format,
        /// The new person's slug (JSON Resume only; the native format names its own).
        #[arg(long, required_if_eq("format", "json-resume"))]
        slug: Option<String>,
    },
    /// Write the portfolio of a person as a document.
    Export {
        /// The person's slug, e.g. dahye-ahn.
        slug: String,
        /// The format: the native document (everything, drafts marked) or a
        /// JSON Resume (published content only).
        #[arg(long, value_enum, default_value_t = Format::Native)]
        format: Format,
        /// The locale of a JSON Resume (a BCP 47 tag, e.g. `en`); each text
        /// the person has not translated into it is in their own locale.
        /// Without it: the person's own locale. The native format holds
        /// every locale.
        #[arg(long)]
        locale: Option<String>,
        /// Write to this file instead of standard output.
        #[arg(long, short)]
        out: Option<PathBuf>,
    },
    /// Print the GraphQL schema (SDL); `schema.graphql` is its output.
    Schema,
    /// Write the site's responses as static JSON files for a CDN (docs/static-export.md).
    ExportStatic {
        /// The directory to write into (created if missing).
        #[arg(long)]
        out: PathBuf,
        /// The operations to answer (Apollo persisted-query manifest or
        /// `{"id": "query"}`); without it, every person's whole portfolio.
        #[arg(long)]
        manifest: Option<PathBuf>,
    },
    /// Create, list or revoke API tokens.
    Token {
        #[command(subcommand)]
        action: TokenAction,
    },
    /// Register, list or remove webhooks: URLs told of every change of a
    /// person (docs/webhooks.md).
    Webhook {
        #[command(subcommand)]
        action: WebhookAction,
    },
}

#[derive(Debug, Subcommand)]
pub enum WebhookAction {
    /// Register a webhook; prints its id.
    Add {
        /// The receiver: an absolute http(s) URL.
        url: String,
        /// The key deliveries are signed with (HMAC-SHA256), 16-256 characters.
        #[arg(long, env = "PORTFOLIO_WEBHOOK_SECRET", hide_env_values = true)]
        secret: String,
        /// An event type to deliver (repeatable; every type without it):
        /// person.updated, person.published, person.unpublished, person.deleted.
        #[arg(long = "event", value_name = "EVENT", value_parser = event_kind)]
        events: Vec<webhook::EventKind>,
    },
    /// List webhooks and their deliveries by status (never their secrets).
    List,
    /// Remove a webhook and its pending deliveries.
    Remove {
        /// The webhook's id, as `webhook list` shows it.
        id: i64,
    },
}

fn event_kind(text: &str) -> Result<webhook::EventKind, String> {
    webhook::EventKind::parse(text).ok_or_else(|| {
        let known: Vec<&str> = webhook::EventKind::ALL.iter().map(|k| k.as_str()).collect();
        format!("unknown event type; one of {}", known.join(", "))
    })
}

/// Portfolio document formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// The TOML document of docs/portfolio-format.md.
    Native,
    /// JSON Resume, schema 1.0.0 (docs/json-resume.md).
    JsonResume,
}

#[derive(Debug, Subcommand)]
pub enum TokenAction {
    /// Create a token and print it once on stdout (only its hash is stored).
    Create {
        /// The person whose portfolio the token may edit.
        #[arg(long, required_unless_present = "admin", conflicts_with = "admin")]
        person: Option<String>,
        /// An admin token: may edit everything, create and delete people.
        #[arg(long)]
        admin: bool,
        /// What the token is for, e.g. "laptop" or "ci".
        #[arg(long)]
        name: String,
    },
    /// List tokens (never their secrets).
    List,
    /// Revoke a token: it stops working at once.
    Revoke {
        /// The token's id, as `token list` shows it.
        id: i64,
    },
}

#[derive(Debug, Subcommand)]
pub enum MigrateAction {
    /// Apply every pending migration.
    Up,
    /// Revert the last applied migrations.
    Down {
        /// How many to revert.
        #[arg(long, short = 'n', default_value_t = 1)]
        steps: u32,
    },
    /// List migrations and whether each is applied.
    Status,
    /// Revert every migration and apply them all again (destroys all data).
    Fresh,
}

/// Runs a parsed command line on a multi-threaded Tokio runtime; the exit
/// code says whether it worked.
///
/// The runtime is started here rather than by `#[tokio::main]` in the
/// binary: whoever polls an `async fn` compiles its state machine, and this
/// one reaches every command, so polling it here compiles them once, in
/// this crate, instead of again in the binary.
pub fn run(cli: Cli) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(dispatch(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn dispatch(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Schema => {
            print!("{}", graphql::sdl());
            Ok(())
        }
        Command::Serve(mut config) => {
            config.database_url = cli.database_url;
            serve(*config).await
        }
        Command::Migrate { action } => migrate(&cli.database_url, action).await,
        Command::Import {
            file,
            format: Format::Native,
            ..
        } => import(&cli.database_url, &file).await,
        Command::Import {
            file,
            format: Format::JsonResume,
            slug,
        } => {
            import_json_resume(
                &cli.database_url,
                &file,
                slug.as_deref().unwrap_or_default(),
            )
            .await
        }
        Command::Export {
            slug,
            format,
            locale,
            out,
        } => export(&cli.database_url, &slug, format, locale.as_deref(), out).await,
        Command::Token { action } => token(&cli.database_url, action).await,
        Command::Webhook { action } => webhooks(&cli.database_url, action).await,
        Command::ExportStatic { out, manifest } => {
            export_static(&cli.database_url, &out, manifest.as_deref()).await
        }
    }
}

async fn serve(config: Config) -> Result<(), String> {
    let database_url = config.database_url.clone();
    let app = startup::build(config)
        .await
        .map_err(|err| err.to_string())?;
    let addr = app.local_addr();
    tracing::info!(
        %addr,
        database = %db::redact_url(&database_url),
        "serving GraphQL at http://{addr}/graphql, playground at http://{addr}/"
    );
    app.run_until_stopped(startup::shutdown_signal())
        .await
        .map_err(|err| format!("server failed: {err}"))?;
    tracing::info!("stopped");
    Ok(())
}

async fn connect(database_url: &str) -> Result<DatabaseConnection, String> {
    let (db, _) = db::connect(database_url, &PoolConfig::default())
        .await
        .map_err(|err| {
            format!(
                "cannot connect to the database at {}: {err}",
                db::redact_url(database_url)
            )
        })?;
    Ok(db)
}

async fn migrate(database_url: &str, action: MigrateAction) -> Result<(), String> {
    let db = connect(database_url).await?;
    let failed = |err: sea_orm::DbErr| format!("migration failed: {err}");
    match action {
        MigrateAction::Up => {
            let applied = db::migrate_up(&db).await.map_err(failed)?;
            println!("applied {applied} migration(s)");
        }
        MigrateAction::Down { steps } => {
            Migrator::down(&db, Some(steps)).await.map_err(failed)?;
            println!("reverted up to {steps} migration(s)");
        }
        MigrateAction::Fresh => {
            // Reverting every migration drops the tables children first, which
            // (unlike dropping them in name order) respects foreign keys on
            // every backend.
            Migrator::reset(&db).await.map_err(failed)?;
            Migrator::up(&db, None).await.map_err(failed)?;
            println!("reverted and re-applied every migration: all tables are empty");
        }
        MigrateAction::Status => {
            for migration in Migrator::get_migration_with_status(&db)
                .await
                .map_err(failed)?
            {
                println!("{:?}\t{}", migration.status(), migration.name());
            }
        }
    }
    Ok(())
}

async fn import(database_url: &str, file: &std::path::Path) -> Result<(), String> {
    let name = file.display().to_string();
    let text = std::fs::read_to_string(file).map_err(|err| format!("cannot read {name}: {err}"))?;
    // Check the document before touching the database: a bad file changes nothing.
    let document = document::parse(&name, &text).map_err(|err| err.to_string())?;
    let db = connect(database_url).await?;
    db::migrate_up(&db)
        .await
        .map_err(|err| format!("migration failed: {err}"))?;
    let outcome = service::import_document(&db, &document)
        .await
        .map_err(|err| err.detail())?;
    println!(
        "{} {} from {name}",
        if outcome.replaced {
            "replaced"
        } else {
            "imported"
        },
        document.person.slug
    );
    Ok(())
}

async fn import_json_resume(
    database_url: &str,
    file: &std::path::Path,
    slug: &str,
) -> Result<(), String> {
    let name = file.display().to_string();
    let text = std::fs::read_to_string(file).map_err(|err| format!("cannot read {name}: {err}"))?;
    let resume: serde_json::Value = serde_json::from_str(&text)
        .map_err(|err| format!("{name}:{}:{}: not JSON: {err}", err.line(), err.column()))?;
    let db = connect(database_url).await?;
    db::migrate_up(&db)
        .await
        .map_err(|err| format!("migration failed: {err}"))?;
    let named = service::json_resume::Named {
        slug: "--slug",
        resume: "resume",
    };
    match service::json_resume::import(&db, &resume, slug, named).await {
        Ok(_) => {
            println!("imported {slug} from {name}");
            Ok(())
        }
        Err(crate::error::AppError::Invalid(problems)) => {
            let mut message = format!("{name} was not imported ({} problems):", problems.len());
            for (field, problem) in problems {
                message.push_str(&format!("\n  {field}: {problem}"));
            }
            Err(message)
        }
        Err(err) => Err(err.detail()),
    }
}

async fn export(
    database_url: &str,
    slug: &str,
    format: Format,
    locale: Option<&str>,
    out: Option<PathBuf>,
) -> Result<(), String> {
    let locale = match (format, locale) {
        (_, None) => None,
        (Format::JsonResume, Some(tag)) => {
            Some(Locale::parse(tag).map_err(|err| format!("--locale: {err}"))?)
        }
        (Format::Native, Some(_)) => {
            return Err(
                "--locale is for --format json-resume: the native document holds every locale"
                    .to_owned(),
            );
        }
    };
    let db = connect(database_url).await?;
    let missing = || format!("no person with slug {slug:?}");
    let text = match format {
        Format::Native => {
            let document = service::export_document(&db, slug)
                .await
                .map_err(|err| err.detail())?
                .ok_or_else(missing)?;
            document::to_toml(&document)
        }
        Format::JsonResume => {
            let resume = service::json_resume::export(&db, slug, locale.as_ref())
                .await
                .map_err(|err| err.detail())?
                .ok_or_else(missing)?;
            format!("{resume:#}\n")
        }
    };
    match out {
        Some(path) => std::fs::write(&path, text)
            .map_err(|err| format!("cannot write {}: {err}", path.display()))?,
        None => print!("{text}"),
    }
    Ok(())
}

async fn token(database_url: &str, action: TokenAction) -> Result<(), String> {
    let db = connect(database_url).await?;
    db::migrate_up(&db)
        .await
        .map_err(|err| format!("migration failed: {err}"))?;
    match action {
        TokenAction::Create {
            person,
            admin: _,
            name,
        } => {
            let created = auth::create_token(&db, person.as_deref(), &name)
                .await
                .map_err(|err| err.detail())?;
            eprintln!(
                "created token {} ({}) for {}; it is shown only this once:",
                created.row.id,
                created.row.name,
                person.as_deref().unwrap_or("admin")
            );
            println!("{}", created.token);
        }
        TokenAction::List => {
            println!("id\tscope\tname\tcreated\tlast used\trevoked");
            for (row, slug) in auth::list_tokens(&db).await.map_err(|err| err.detail())? {
                let time = |t: Option<chrono::DateTime<chrono::Utc>>| {
                    t.map_or("-".to_owned(), |t| t.to_rfc3339())
                };
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    row.id,
                    slug.map_or("admin".to_owned(), |s| format!("person:{s}")),
                    row.name,
                    row.created_at.to_rfc3339(),
                    time(row.last_used_at),
                    time(row.revoked_at)
                );
            }
        }
        TokenAction::Revoke { id } => {
            if auth::revoke_token(&db, id)
                .await
                .map_err(|err| err.detail())?
            {
                println!("revoked token {id}");
            } else {
                return Err(format!("no live token with id {id}"));
            }
        }
    }
    Ok(())
}

async fn webhooks(database_url: &str, action: WebhookAction) -> Result<(), String> {
    let db = connect(database_url).await?;
    db::migrate_up(&db)
        .await
        .map_err(|err| format!("migration failed: {err}"))?;
    match action {
        WebhookAction::Add {
            url,
            secret,
            events,
        } => {
            let added =
                webhook::add(&db, &url, &secret, &events)
                    .await
                    .map_err(|err| match err {
                        crate::error::AppError::Invalid(problems) => problems
                            .into_iter()
                            .map(|(field, problem)| format!("{field}: {problem}"))
                            .collect::<Vec<_>>()
                            .join("; "),
                        other => other.detail(),
                    })?;
            eprintln!(
                "added webhook {} for {}",
                added.id,
                webhook::kinds(&added.events)
                    .iter()
                    .map(|k| k.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            println!("{}", added.id);
        }
        WebhookAction::List => {
            println!("id\turl\tevents\tcreated\tpending\tdelivered\tdead");
            for hook in webhook::list(&db).await.map_err(|err| err.detail())? {
                let mut counts = Vec::new();
                for status in [
                    webhook::Status::Pending,
                    webhook::Status::Delivered,
                    webhook::Status::Dead,
                ] {
                    counts.push(
                        webhook::count(&db, hook.id, status)
                            .await
                            .map_err(|err| err.detail())?
                            .to_string(),
                    );
                }
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    hook.id,
                    hook.url,
                    hook.events
                        .iter()
                        .map(|k| k.as_str())
                        .collect::<Vec<_>>()
                        .join(","),
                    hook.created_at.to_rfc3339(),
                    counts.join("\t")
                );
            }
        }
        WebhookAction::Remove { id } => {
            if webhook::remove(&db, id).await.map_err(|err| err.detail())? {
                println!("removed webhook {id}");
            } else {
                return Err(format!("no webhook with id {id}"));
            }
        }
    }
    Ok(())
}

async fn export_static(
    database_url: &str,
    out: &std::path::Path,
    manifest: Option<&std::path::Path>,
) -> Result<(), String> {
    let db = connect(database_url).await?;
    let pending = db::pending_migrations(&db)
        .await
        .map_err(|err| format!("cannot read migrations: {err}"))?;
    if !pending.is_empty() {
        return Err(format!(
            "the database has pending migrations ({}); run `portfolio migrate up`",
            pending.join(", ")
        ));
    }
    let api = graphql::ApiState {
        db: db.clone(),
        clock: crate::domain::Clock::System,
        caches: crate::service::freshness::Caches::default(),
    };
    let schema = graphql::build_schema(api, &crate::config::HttpOptions::default());
    let report = crate::static_export::export(&schema, &db, out, manifest).await?;
    println!("wrote {} files to {}", report.files.len(), out.display());
    Ok(())
}
