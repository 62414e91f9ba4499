//! The `portfolio` binary: parse the command line, set up logging, dispatch.

use std::io::{BufWriter, IsTerminal};
use std::process::ExitCode;

use clap::Parser;
use portfolio::cli::{self, Cli, LogFormat};
use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Flushes every line still queued when the program ends.
    let _flush_logs = init_tracing(cli.log_format);
    cli::run(cli)
}

/// Logs go to stderr, so that `export` and `schema` keep stdout clean.
/// `RUST_LOG` overrides the default level.
///
/// Lines are written by a thread of their own, in batches: a request never
/// waits for the terminal or the disk, and under load many lines go out in
/// one write. The queue is not lossy: when it is full, the request waits
/// rather than a line being dropped.
fn init_tracing(format: LogFormat) -> WorkerGuard {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn,sea_orm_migration=warn"));
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(false)
        .thread_name("portfolio-log")
        .finish(BufWriter::with_capacity(64 * 1024, std::io::stderr()));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(writer);
    match format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Pretty => builder.init(),
    }
    guard
}
