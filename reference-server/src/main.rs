//! `reference-server`: run the reference issuer from a profile file.
//!
//! Prints `listening on http://ADDR` as the first line of stdout (scripts parse it), logs to
//! stderr (`RUST_LOG` filters, `--log-format json` for machines), and shuts down gracefully on
//! SIGINT or SIGTERM. A profile that does not load exits with code 2 and the loader's message.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, ValueEnum};
use tokenspec_profile::Profile;

/// Reference issuer for the documented Apinizer gateway token service.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Target profile (TOML). Default: the embedded targets/reference.toml.
    #[arg(long, value_name = "FILE")]
    profile: Option<PathBuf>,
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    bind: SocketAddr,
    /// Log line format on stderr.
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

fn main() -> ExitCode {
    let args = Args::parse();
    init_tracing(args.log_format);
    let profile = match &args.profile {
        Some(path) => match Profile::load(path) {
            Ok(p) => p,
            Err(error) => {
                eprintln!("error: {error}");
                return ExitCode::from(2);
            }
        },
        None => Profile::reference(),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(error) => {
            eprintln!("error: cannot start the runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(run(profile, args.bind));
    // The server has drained; do not wait for idle runtime threads.
    runtime.shutdown_background();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(profile: Profile, bind: SocketAddr) -> anyhow::Result<()> {
    let origin = profile.origin.clone();
    let fixtures = profile.fixtures.len();
    let server = reference_server::start(profile, bind)
        .await
        .context("starting the reference issuer")?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "listening on {}", server.base_url())?;
        out.flush()?;
    }
    tracing::info!(addr = %server.addr(), profile = %origin, fixtures, "reference issuer started");
    reference_server::shutdown_signal().await;
    tracing::info!("shutting down");
    server.shutdown().await;
    tracing::debug!("server stopped");
    Ok(())
}

fn init_tracing(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}
