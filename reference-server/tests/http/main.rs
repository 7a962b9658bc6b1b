//! HTTP-level tests of the reference issuer over a real loopback socket, one module per rule
//! area of issue 2. Each test starts its own issuer on 127.0.0.1:0.

mod support;

mod acquire;
mod binary;
mod client_auth;
#[cfg(feature = "faults")]
mod faults;
mod introspect;
mod refresh;
mod robustness;
mod scope;
mod transport;
