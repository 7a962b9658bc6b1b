//! The HTTP ceiling for `scripts/bench.sh`: a trivial axum handler that answers every request
//! with a fixed token-shaped JSON body, served exactly like the reference issuer (same runtime,
//! same [`reference_server::serve_router`] accept loop and connection settings).
//!
//! Nothing is parsed, checked, signed or stored, so its throughput is what this machine's
//! HTTP stack and load generator allow; every issuer figure in `docs/benchmarks.md` is read as
//! a fraction of it. It keeps the issuer's static response headers (`Content-Type`,
//! `Cache-Control: no-store`, `Pragma: no-cache`) so the bytes on the wire are comparable.
//!
//! Usage: `cargo run --release -p reference-server --example ceiling -- --bind 127.0.0.1:0`;
//! prints `listening on http://ADDR` first, like the `reference-server` binary.

use std::io::Write as _;
use std::net::SocketAddr;

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;

const BODY: &str = r#"{"access_token":"fixed-token-0123456789abcdef0123456789abcdef","token_type":"Bearer","expires_in":3600000}"#;

async fn fixed() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-store"),
            (header::PRAGMA, "no-cache"),
        ],
        BODY,
    )
}

fn bind_arg() -> anyhow::Result<SocketAddr> {
    let mut args = std::env::args().skip(1);
    let mut bind = "127.0.0.1:0".to_owned();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--bind" => {
                bind = args
                    .next()
                    .ok_or_else(|| anyhow::anyhow!("--bind needs ADDR"))?
            }
            other => anyhow::bail!("unknown argument `{other}` (usage: ceiling [--bind ADDR])"),
        }
    }
    Ok(bind.parse()?)
}

/// SIGINT or SIGTERM (scripts stop their servers with `kill PID`).
async fn stop_signal() -> anyhow::Result<()> {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        r = tokio::signal::ctrl_c() => r?,
        _ = term.recv() => {}
    }
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let bind = bind_arg()?;
    // The same runtime the reference-server binary builds.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let router = Router::new().fallback(fixed);
        let options = reference_server::Options::default();
        let server = reference_server::serve_router(router, bind, &options).await?;
        {
            let mut out = std::io::stdout().lock();
            writeln!(out, "listening on {}", server.base_url())?;
            out.flush()?;
        }
        stop_signal().await?;
        server.shutdown().await;
        Ok(())
    })
}
