//! Serving: the accept loop, connection timeouts, the purge task and graceful shutdown.
//!
//! axum's own `serve` offers no header-read timeout, so connections are served with hyper-util's
//! auto (HTTP/1.1 + h2c) builder directly: a slow client that never finishes its headers is
//! dropped after [`Options::header_read_timeout`]; one that dribbles its body hits the
//! per-request timeout in [`crate::http`]. [`ServerHandle`] owns the loop: `shutdown()` stops
//! accepting, lets in-flight requests finish (bounded), and returns; dropping the handle stops
//! the loop too.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::config::Issuer;
use crate::error::StartError;
use crate::store::StoreSizes;

/// How long `shutdown` waits for in-flight connections.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

/// Server knobs; [`Options::default`] is what the binary uses.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Options {
    /// How often expired opaque tokens and closed refresh windows are purged.
    pub purge_interval: Duration,
    /// The longest a client may take to deliver its request body (then `408`).
    pub request_timeout: Duration,
    /// The longest a connection may take to send its request headers.
    pub header_read_timeout: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            purge_interval: Duration::from_secs(5),
            request_timeout: Duration::from_secs(10),
            header_read_timeout: Duration::from_secs(5),
        }
    }
}

impl Options {
    /// Sets the purge interval.
    pub fn purge_interval(mut self, interval: Duration) -> Self {
        self.purge_interval = interval;
        self
    }

    /// Sets the per-request timeout.
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// Sets the header-read timeout.
    pub fn header_read_timeout(mut self, timeout: Duration) -> Self {
        self.header_read_timeout = timeout;
        self
    }
}

/// A running server. Dropping it stops the server (without waiting); call
/// [`ServerHandle::shutdown`] to wait for in-flight requests.
pub struct ServerHandle {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
    purge: Option<JoinHandle<()>>,
    issuer: Option<Arc<Issuer>>,
}

impl std::fmt::Debug for ServerHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerHandle")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl ServerHandle {
    /// The bound address (the real port when bound to port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://IP:PORT`, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// How many opaque tokens and refresh records are stored (`None` for a bare router server).
    pub fn store_sizes(&self) -> Option<StoreSizes> {
        self.issuer.as_ref().map(|i| i.store.sizes())
    }

    /// Stops accepting, waits (up to 5 s) for in-flight requests, and returns.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        if let Some(purge) = self.purge.take() {
            purge.abort();
        }
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        // Dropping `stop` ends the accept loop; the purge task is stopped explicitly.
        if let Some(purge) = self.purge.take() {
            purge.abort();
        }
    }
}

/// Serves `router` on `bind` with the issuer's connection settings. Used by [`crate::start`] and
/// by benchmarks that need the same server setup around a different router.
pub async fn serve_router(
    router: Router,
    bind: SocketAddr,
    options: &Options,
) -> Result<ServerHandle, StartError> {
    let listener = TcpListener::bind(bind)
        .await
        .map_err(|source| StartError::Bind { addr: bind, source })?;
    let addr = listener
        .local_addr()
        .map_err(|source| StartError::Bind { addr: bind, source })?;
    let (stop, stopped) = oneshot::channel();
    let task = tokio::spawn(accept_loop(
        listener,
        router,
        stopped,
        options.header_read_timeout,
    ));
    Ok(ServerHandle {
        addr,
        stop: Some(stop),
        task: Some(task),
        purge: None,
        issuer: None,
    })
}

pub(crate) async fn serve_issuer(
    issuer: Arc<Issuer>,
    bind: SocketAddr,
    options: &Options,
) -> Result<ServerHandle, StartError> {
    let router = crate::http::router(issuer.clone());
    let mut handle = serve_router(router, bind, options).await?;
    handle.purge = Some(tokio::spawn(purge_loop(
        Arc::downgrade(&issuer),
        options.purge_interval,
    )));
    handle.issuer = Some(issuer);
    Ok(handle)
}

async fn purge_loop(issuer: std::sync::Weak<Issuer>, every: Duration) {
    let mut interval = tokio::time::interval(every);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    interval.tick().await;
    loop {
        interval.tick().await;
        let Some(issuer) = issuer.upgrade() else {
            return;
        };
        let keep = issuer.faults.on(crate::fault::Fault::RefreshWindowIgnored);
        issuer.store.purge(Instant::now(), keep);
        tracing::trace!(sizes = ?issuer.store.sizes(), "purged expired tokens");
    }
}

async fn accept_loop(
    listener: TcpListener,
    router: Router,
    mut stopped: oneshot::Receiver<()>,
    header_read_timeout: Duration,
) {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(header_read_timeout)
        .keep_alive(true);
    let builder = Arc::new(builder);
    let graceful = GracefulShutdown::new();
    // Tells connections still waiting for their first byte that the server is closing.
    let (closing, closing_rx) = tokio::sync::watch::channel(false);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, _peer) = match accepted {
                    Ok(pair) => pair,
                    Err(error) => {
                        // EMFILE and friends: back off briefly instead of spinning.
                        tracing::warn!(%error, "accept failed");
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                tokio::spawn(serve_connection(
                    stream,
                    builder.clone(),
                    router.clone(),
                    graceful.watcher(),
                    closing_rx.clone(),
                    header_read_timeout,
                ));
            }
            _ = &mut stopped => break,
        }
    }
    drop(listener);
    let _ = closing.send(true);
    tracing::debug!(connections = graceful.count(), "draining connections");
    if tokio::time::timeout(DRAIN_TIMEOUT, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("in-flight connections did not finish within the drain timeout");
    }
}

/// Serves one connection. hyper's header-read timeout starts only once hyper reads a request,
/// and the auto builder first waits, without a limit, for the bytes that tell HTTP/1.1 from
/// HTTP/2; a client that connects and stays silent is therefore cut off here.
async fn serve_connection(
    stream: tokio::net::TcpStream,
    builder: Arc<auto::Builder<TokioExecutor>>,
    router: Router,
    watcher: hyper_util::server::graceful::Watcher,
    mut closing: tokio::sync::watch::Receiver<bool>,
    header_read_timeout: Duration,
) {
    let mut probe = [0u8; 1];
    let spoke = tokio::select! {
        peeked = tokio::time::timeout(header_read_timeout, stream.peek(&mut probe)) => {
            matches!(peeked, Ok(Ok(n)) if n > 0)
        }
        _ = closing.changed() => false,
    };
    if !spoke {
        return;
    }
    let service = TowerToHyperService::new(router);
    let connection = builder.serve_connection(TokioIo::new(stream), service);
    if let Err(error) = watcher.watch(connection).await {
        tracing::trace!(%error, "connection ended with an error");
    }
}

/// Resolves on SIGINT (Ctrl-C) or, on Unix, SIGTERM: what a server process waits for before a
/// graceful [`ServerHandle::shutdown`]. Shared by the `reference-server` binary and
/// `tokenspec serve` so both stop the same way.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
