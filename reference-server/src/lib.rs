//! The reference issuer: the documented Apinizer gateway token service, configured from a
//! tokenspec target profile.
//!
//! It is the default target of the conformance suite and an oracle for gateway implementers:
//! it behaves as the seed documents (`/auth/...` and `/credential/...`, JWT and opaque OAuth2
//! tokens, `client_credentials`, `password` and `refresh_token` grants, the seed's dash, URL
//! parameters, scope), fills the seed's gaps from the Apinizer docs digest, and records every
//! choice in `features/DECISIONS.md` ("Reference issuer").
//!
//! The pipeline of a token request: `http` decodes method, content type and body →
//! `form` extracts parameters and client credentials → `grant` applies the rules and builds
//! the response → `token` signs JWTs / mints opaque values → `store` keeps opaque tokens and
//! refresh records under 128-bit random keys.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let profile = tokenspec_profile::Profile::reference();
//! let server = reference_server::start(profile, "127.0.0.1:0".parse()?).await?;
//! println!("token endpoint: {}/auth/jwt", server.base_url());
//! server.shutdown().await;
//! # Ok(()) }
//! ```

#![forbid(unsafe_code)]
#![deny(rustdoc::all)]

mod config;
mod error;
mod fault;
mod form;
mod grant;
mod http;
mod server;
mod store;
mod token;

use std::net::SocketAddr;
use std::sync::Arc;

pub use error::{StartError, TokenError};
#[cfg(feature = "faults")]
pub use fault::Faults;
pub use http::BODY_LIMIT;
pub use server::{Options, ServerHandle, serve_router, shutdown_signal};
pub use store::StoreSizes;

/// Starts the issuer for `profile` on `bind` (use port 0 for a free port) with default
/// [`Options`], and returns once it is accepting connections.
pub async fn start(
    profile: tokenspec_profile::Profile,
    bind: SocketAddr,
) -> Result<ServerHandle, StartError> {
    start_with_options(profile, bind, Options::default()).await
}

/// Like [`start`], with explicit [`Options`] (timeouts, purge interval).
pub async fn start_with_options(
    profile: tokenspec_profile::Profile,
    bind: SocketAddr,
    options: Options,
) -> Result<ServerHandle, StartError> {
    let issuer = Arc::new(config::Issuer::new(
        profile,
        fault::Faults::none(),
        options.request_timeout,
    )?);
    server::serve_issuer(issuer, bind, &options).await
}

/// Starts the issuer with some rules switched off, for the fault-matrix tests.
#[cfg(feature = "faults")]
pub async fn start_with_faults(
    profile: tokenspec_profile::Profile,
    bind: SocketAddr,
    faults: Faults,
) -> Result<ServerHandle, StartError> {
    let options = Options::default();
    let issuer = Arc::new(config::Issuer::new(
        profile,
        faults,
        options.request_timeout,
    )?);
    server::serve_issuer(issuer, bind, &options).await
}

/// The issuer as an [`axum::Router`], for in-process `oneshot` tests. No purge task runs and no
/// socket-level timeouts apply; use [`start`] for a real server.
pub fn router(profile: tokenspec_profile::Profile) -> Result<axum::Router, StartError> {
    let issuer = Arc::new(config::Issuer::new(
        profile,
        fault::Faults::none(),
        Options::default().request_timeout,
    )?);
    Ok(http::router(issuer))
}
