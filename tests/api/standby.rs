//! `--database-read-url`: anonymous reads from a PostgreSQL hot standby,
//! never older than what the server already knows of.
//!
//! The test makes its own standby of the PostgreSQL under test
//! (`pg_basebackup -R -X stream` into a temporary directory, started on a
//! free port), and is skipped, saying why, when it cannot: no PostgreSQL
//! under test, no PostgreSQL tools, or a primary that refuses replication
//! connections. Replay is paused on the standby to make it lag.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use portfolio::config::Config;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use serde_json::{Value, json};

use crate::helpers::*;

const HEADLINE: &str = "{ person(slug: \"dahye-ahn\") { headline } }";

/// A running standby, stopped and removed when dropped.
struct Standby {
    dir: PathBuf,
    pg_ctl: PathBuf,
    port: u16,
}

/// Runs a PostgreSQL tool, as `postgres` when this is root (PostgreSQL
/// refuses to run as root).
fn pg_tool(tool: &std::path::Path, args: &[&str]) -> Result<(), String> {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .map(|out| out.stdout.starts_with(b"0\n"))
        .unwrap_or(false);
    let mut command = if root {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(tool);
        command
    } else {
        Command::new(tool)
    };
    let out = command
        .args(args)
        .output()
        .map_err(|err| format!("cannot run {}: {err}", tool.display()))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{} failed: {}",
            tool.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// The newest PostgreSQL's directory of programs.
fn pg_bin() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            bin.join("pg_ctl").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

impl Standby {
    /// A standby of the primary at `admin` (a PostgreSQL URL), or why not.
    fn start(admin: &str) -> Result<Standby, String> {
        let bin = pg_bin().ok_or("no PostgreSQL programs under /usr/lib/postgresql")?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|err| err.to_string())?
            .port();
        let dir = std::env::temp_dir().join(format!("portfolio-standby-{}", unique_suffix()));
        std::fs::create_dir_all(&dir).map_err(|err| err.to_string())?;
        let _ = Command::new("chown").arg("postgres").arg(&dir).status();
        let standby = Standby {
            dir: dir.clone(),
            pg_ctl: bin.join("pg_ctl"),
            port,
        };
        let data = dir.join("data");
        let data_text = data.display().to_string();
        pg_tool(
            &bin.join("pg_basebackup"),
            &[
                "-d", admin, "-D", &data_text, "-R", "-X", "stream", "-c", "fast",
            ],
        )?;
        // Debian keeps the configuration outside the data directory.
        std::fs::write(
            data.join("postgresql.conf"),
            "listen_addresses = '127.0.0.1'\nhot_standby = on\nmax_connections = 200\n",
        )
        .map_err(|err| err.to_string())?;
        std::fs::write(
            data.join("pg_hba.conf"),
            "local all all trust\nhost all all 127.0.0.1/32 trust\n",
        )
        .map_err(|err| err.to_string())?;
        let _ = Command::new("chown")
            .args(["-R", "postgres"])
            .arg(&dir)
            .status();
        let log = dir.join("log").display().to_string();
        let options = format!("-p {port} -k /tmp");
        pg_tool(
            &standby.pg_ctl,
            &[
                "-D", &data_text, "-w", "-t", "60", "-l", &log, "-o", &options, "start",
            ],
        )?;
        Ok(standby)
    }

    /// `url` (of the primary) on the standby.
    fn url_of(&self, url: &str) -> String {
        let scheme_end = url.find("://").map_or(0, |i| i + 3);
        let authority_end = url[scheme_end..]
            .find('/')
            .map_or(url.len(), |i| scheme_end + i);
        let user = url[scheme_end..authority_end]
            .rsplit_once('@')
            .map_or(String::new(), |(user, _)| format!("{user}@"));
        format!(
            "{}{user}127.0.0.1:{}{}",
            &url[..scheme_end],
            self.port,
            &url[authority_end..]
        )
    }
}

impl Drop for Standby {
    fn drop(&mut self) {
        let data = self.dir.join("data").display().to_string();
        let _ = pg_tool(&self.pg_ctl, &["-D", &data, "-m", "immediate", "stop"]);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn unique_suffix() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{}-{nanos}", std::process::id())
}

async fn one_text(db: &DatabaseConnection, sql: &str) -> Option<String> {
    let row = db
        .query_one_raw(Statement::from_string(DbBackend::Postgres, sql))
        .await
        .ok()??;
    row.try_get_by_index::<Option<String>>(0).ok()?
}

async fn headline(app: &TestApp) -> Value {
    app.anonymous().data(HEADLINE, json!({})).await["person"]["headline"].clone()
}

async fn reads(app: &TestApp, server: &str) -> f64 {
    metric(
        &metrics(app).await,
        &format!("portfolio_standby_reads_total{{server=\"{server}\"}}"),
    )
}

/// Anonymous reads until one is answered by the standby (it has caught up).
async fn until_read_from_standby(app: &TestApp, expected: &Value) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let before = reads(app, "standby").await;
        assert_eq!(&headline(app).await, expected);
        if reads(app, "standby").await > before {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "no read went to the standby within 30 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn anonymous_reads_use_the_standby_only_once_it_has_what_the_server_knows() {
    let Some(admin) = std::env::var(POSTGRES_ENV).ok().filter(|u| !u.is_empty()) else {
        eprintln!("note: standby test skipped: set {POSTGRES_ENV}");
        return;
    };
    let standby = match Standby::start(&admin) {
        Ok(standby) => standby,
        Err(why) => {
            eprintln!(
                "note: standby test skipped: cannot set up a standby ({why}); it needs \
                 `host replication postgres 127.0.0.1/32 trust` in pg_hba.conf and wal_level = replica"
            );
            return;
        }
    };
    let backend = Backend::Postgres(admin.clone());
    let mut read_url = String::new();
    // Every read reaches the database: nothing cached in between.
    let app = Box::pin(TestApp::spawn_configured(
        &backend,
        |config: &mut Config| {
            read_url = standby.url_of(&config.database_url);
            config.database_read_url = Some(read_url.clone());
            config.http.response_cache_bytes = 0;
            config.http.read_model_bytes = 0;
        },
    ))
    .await;
    let standby_db = sea_orm::Database::connect(read_url.as_str()).await;
    let first = headline(&app).await;

    // Caught up: reads go to the standby.
    until_read_from_standby(&app, &first).await;

    // Replay paused: a write through the server is never read back old,
    // although the standby still holds the old headline.
    let standby_db = standby_db.expect("the standby answers");
    standby_db
        .execute_unprepared("SELECT pg_wal_replay_pause()")
        .await
        .expect("pause replay");
    let token = app.token(Some("dahye-ahn")).await;
    let id = app.person_id("dahye-ahn").await;
    let update =
        "mutation($i: UpdatePersonInput!) { updatePerson(input: $i) { person { headline } } }";
    app.as_token(&token)
        .data(
            update,
            json!({ "i": { "id": id, "headline": "Written while the standby lags" } }),
        )
        .await;
    let fallbacks =
        |text: &str| metric(text, "portfolio_standby_fallbacks_total{reason=\"behind\"}");
    let behind_before = fallbacks(&metrics(&app).await);
    for _ in 0..20 {
        assert_eq!(
            headline(&app).await,
            json!("Written while the standby lags")
        );
    }
    assert!(fallbacks(&metrics(&app).await) > behind_before);
    let on_standby = "SELECT headline FROM person WHERE slug = 'dahye-ahn'";
    assert_eq!(
        one_text(&standby_db, on_standby).await.map(Value::from),
        Some(first.clone()),
        "the standby was meant to lag"
    );

    // A change by another program reaches the server through the change
    // feed: once it is read, never the older one again.
    app.db
        .execute_unprepared(
            "UPDATE person SET headline = 'Written by an operator' WHERE slug = 'dahye-ahn'",
        )
        .await
        .expect("update");
    let deadline = Instant::now() + Duration::from_secs(10);
    while headline(&app).await != json!("Written by an operator") {
        assert!(Instant::now() < deadline, "the change never showed");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    for _ in 0..20 {
        assert_eq!(headline(&app).await, json!("Written by an operator"));
    }

    // Replay resumed: the standby catches up and is read from again.
    standby_db
        .execute_unprepared("SELECT pg_wal_replay_resume()")
        .await
        .expect("resume replay");
    until_read_from_standby(&app, &json!("Written by an operator")).await;
    let _ = standby_db.close().await;
    drop(app);
    drop(standby);
}

#[tokio::test]
async fn a_read_url_needs_postgresql_on_both_sides() {
    let sqlite = format!(
        "sqlite://{}?mode=rwc",
        std::env::temp_dir()
            .join(format!("read-url-{}.db", unique_suffix()))
            .display()
    );
    let refused = [
        (sqlite.clone(), "postgres://postgres@127.0.0.1:5442/x"),
        (sqlite.clone(), "sqlite://other.db"),
    ];
    for (primary, read) in refused {
        let mut config = Config::new("127.0.0.1:0".parse().expect("address"), primary);
        config.database_read_url = Some(read.to_owned());
        let err = match portfolio::startup::build(config).await {
            Ok(_) => panic!("a read URL on SQLite must be refused"),
            Err(err) => err.to_string(),
        };
        assert!(err.contains("only supported with PostgreSQL"), "{err}");
    }
    let _ = std::fs::remove_file(
        sqlite
            .trim_start_matches("sqlite://")
            .trim_end_matches("?mode=rwc"),
    );
    if let Some(admin) = std::env::var(POSTGRES_ENV).ok().filter(|u| !u.is_empty()) {
        let db = TestDb::create(&Backend::Postgres(admin)).await;
        let mut config = Config::new("127.0.0.1:0".parse().expect("address"), db.url.clone());
        config.database_read_url = Some("mysql://root@127.0.0.1:3306/x".to_owned());
        let err = match portfolio::startup::build(config).await {
            Ok(_) => panic!("a MySQL read URL must be refused"),
            Err(err) => err.to_string(),
        };
        assert!(err.contains("must be a PostgreSQL standby"), "{err}");
    }
}
