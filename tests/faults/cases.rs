//! The fault table: one faulty target per rule, and the scenarios that must notice.
//!
//! Each [`Case`] breaks exactly one rule, in one of three ways: a reference issuer with one
//! behaviour switched off (`reference_server::Faults`, compiled only for tests), a proxy that
//! changes one thing on the way in or out (`proxy`), or a canned wiremock answer where canned is
//! enough (HTML, truncated JSON). `expect` names the scenarios that encode the broken rule, by
//! feature file and name; the test fails unless every one of them is violated. With `precise`,
//! every other scenario of the case's run must still pass: the fault is caught for the right
//! reason, not because the target fell over. This table is also the source of
//! `docs/kill-matrix.md`.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};
use std::time::Instant;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reference_server::Faults;
use serde_json::{Value, json};
use tokenspec_profile::{GrantType, RequestedGrant};
use wiremock::ResponseTemplate;

use crate::proxy::{Ctx, ProxyRequest, RequestHook, ResponseHook};

/// Which profile the target is configured from (and the suite runs with).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileName {
    Reference,
    /// `targets/variants/hs256.toml`: the proxy can re-sign JWTs with the shared secret.
    Hs256,
}

pub enum Target {
    /// The reference issuer with these rules switched off.
    Issuer(Faults),
    /// A proxy in front of a correct reference issuer.
    Proxy {
        request: Option<RequestHook>,
        response: Option<ResponseHook>,
    },
    /// wiremock answering every request with this.
    Canned(fn() -> ResponseTemplate),
}

impl Target {
    pub fn kind(&self) -> &'static str {
        match self {
            Target::Issuer(_) => "issuer switch",
            Target::Proxy { .. } => "proxy",
            Target::Canned(_) => "canned (wiremock)",
        }
    }
}

/// Scenarios by feature file (path prefix under `features/`) and a part of the name.
pub type Sel = (&'static str, &'static str);

pub struct Case {
    pub id: &'static str,
    /// The rule the target breaks, in words.
    pub rule: &'static str,
    pub profile: ProfileName,
    pub target: Target,
    /// Tag expression restricting the run to the features concerned.
    pub tags: &'static str,
    /// Scenarios that must fail; empty for a known gap.
    pub expect: &'static [Sel],
    /// Nothing else in the run may fail.
    pub precise: bool,
}

fn issuer(f: Faults) -> Target {
    Target::Issuer(f)
}
fn on_request(h: RequestHook) -> Target {
    Target::Proxy {
        request: Some(h),
        response: None,
    }
}
fn on_response(h: ResponseHook) -> Target {
    Target::Proxy {
        request: None,
        response: Some(h),
    }
}

const ACQUIRE: &[Sel] = &[
    ("policy/acquire", "with the key of"),
    ("acl/acquire", "with a credential"),
];
const JWT_SIGNED: &[Sel] = &[
    ("policy/acquire", "signed and expires as configured"),
    ("policy/acquire", "signed with a shared secret"),
    ("acl/acquire", "signed and expires as configured"),
    ("refresh/refresh", "a refreshed JWT"),
    ("refresh/refresh", "has no exp claim"),
    // Selected by their implied @jwt/@policy/@acl tags: a JWT that does not verify is
    // inactive to introspection and has no scope claim to judge.
    (
        "introspection/introspect",
        "an issued JWT token introspects active",
    ),
    (
        "scope/scope",
        "JWT client_credentials with a role of the key",
    ),
    ("scope/scope", "JWT password grant with a role of the user"),
    // Every claim is read from a verified JWT.
    ("jwt/claims", "claim names"),
    ("jwt/claims", "as iss"),
    ("jwt/claims", "jti"),
    ("jwt/claims", "kid names"),
];
const EXPIRES_IN: &[Sel] = &[
    ("policy/acquire", "with the key of"),
    ("refresh/refresh", "refresh after the access token expired"),
    ("acl/acquire", "with a credential"),
    ("refresh/refresh", "refresh, managed from"),
    (
        "transport/url_parameters",
        "token by GET with URL parameters (managed",
    ),
    ("shape/shapes", "refreshable"),
    ("shape/shapes", "granted scope"),
];
/// A JWT re-signed by the proxy is not one the issuer signed: introspection says inactive.
const RESIGNED_INACTIVE: Sel = (
    "introspection/introspect",
    "an issued JWT token introspects active",
);
const ERROR_CODES: &[Sel] = &[
    ("errors/credentials", "a wrong client secret is refused"),
    ("errors/credentials", "an unknown client id is refused"),
    ("errors/credentials", "is invalid_grant"),
    ("errors/credentials", "the dash is refused"),
    ("errors/grants", "unknown grant type"),
    ("errors/grants", "documented code"),
    ("errors/parameters", "a missing"),
];

/// The whole table, in the order the kill matrix lists it.
pub fn all() -> Vec<Case> {
    vec![
        // ---- canned-response and proxy faults --------------------------------------------
        Case {
            id: "token-type-lowercase",
            rule: "token_type is spelled \"Bearer\" (here: \"bearer\")",
            profile: ProfileName::Reference,
            target: on_response(|_, _, r| {
                r.edit_token(|m| {
                    m.insert("token_type".into(), json!("bearer"));
                })
            }),
            tags: "@headers",
            expect: &[("transport/headers", "token_type is spelled")],
            precise: true,
        },
        Case {
            id: "token-type-wrong",
            rule: "token_type is Bearer (here: \"MAC\")",
            profile: ProfileName::Reference,
            target: on_response(|_, _, r| {
                r.edit_token(|m| {
                    m.insert("token_type".into(), json!("MAC"));
                })
            }),
            tags: "@policy or @headers",
            expect: &[
                ("policy/acquire", "with the key of"),
                ("transport/headers", "token_type is spelled"),
            ],
            precise: false,
        },
        Case {
            id: "field-missing",
            rule: "a token response carries expires_in (here: absent)",
            profile: ProfileName::Reference,
            target: on_response(|_, _, r| {
                r.edit_token(|m| {
                    m.remove("expires_in");
                })
            }),
            tags: "@policy or @acl",
            expect: &[
                ("policy/acquire", "with the key of"),
                ("acl/acquire", "with a credential"),
                ("policy/acquire", "x-www-form-urlencoded POST"),
                ("acl/acquire", "x-www-form-urlencoded POST"),
            ],
            precise: false,
        },
        Case {
            id: "field-mistyped",
            rule: "expires_in is an integer (here: a string)",
            profile: ProfileName::Reference,
            target: on_response(|_, _, r| {
                r.edit_token(|m| {
                    if let Some(v) = m.get("expires_in").cloned() {
                        m.insert("expires_in".into(), json!(v.to_string()));
                    }
                })
            }),
            tags: "@policy or @acl",
            expect: ACQUIRE,
            precise: false,
        },
        Case {
            id: "expires-in-seconds",
            rule: "expires_in in the profile's unit (here: seconds where milliseconds are configured)",
            profile: ProfileName::Reference,
            target: on_response(|_, _, r| {
                r.edit_token(|m| {
                    if let Some(n) = m.get("expires_in").and_then(Value::as_u64) {
                        m.insert("expires_in".into(), json!(n / 1000));
                    }
                })
            }),
            tags: "@policy or @acl or @refresh or @url_params or @shape",
            expect: EXPIRES_IN,
            precise: true,
        },
        Case {
            id: "expires-in-wrong-value",
            rule: "expires_in is the configured validity, 0 when immortal (here: +1 s, immortal 1 h)",
            profile: ProfileName::Reference,
            target: on_response(|_, _, r| {
                r.edit_token(|m| {
                    let n = m.get("expires_in").and_then(Value::as_u64).unwrap_or(0);
                    m.insert(
                        "expires_in".into(),
                        json!(if n == 0 { 3_600_000 } else { n + 1000 }),
                    );
                })
            }),
            tags: "@policy or @acl or @refresh or @url_params or @shape",
            expect: &[
                ("policy/acquire", "with the key of"),
                ("acl/acquire", "with a credential"),
                ("refresh/refresh", "refresh, managed from"),
                ("refresh/refresh", "refresh after the access token expired"),
                (
                    "refresh/refresh",
                    "does not expire and has no refresh token",
                ),
                (
                    "transport/url_parameters",
                    "token by GET with URL parameters (managed",
                ),
                ("shape/shapes", "refreshable"),
                ("shape/shapes", "immortal"),
                ("shape/shapes", "granted scope"),
            ],
            precise: true,
        },
        Case {
            id: "jwt-alg-none",
            rule: "a JWT is signed with an allowed algorithm (here: alg none, no signature)",
            profile: ProfileName::Reference,
            target: on_response(|_, req, r| {
                if req.is_token_endpoint() {
                    r.edit_token(|m| {
                        map_jwt(m, |_, payload, _| {
                            Some(format!(
                                "{}.{payload}.",
                                URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#)
                            ))
                        })
                    });
                }
            }),
            tags: "@policy or @acl or @refresh",
            expect: JWT_SIGNED,
            precise: true,
        },
        Case {
            id: "jwt-bad-signature",
            rule: "a JWT's signature verifies (here: one signature byte changed)",
            profile: ProfileName::Reference,
            target: on_response(|_, req, r| {
                if req.is_token_endpoint() {
                    r.edit_token(|m| {
                        map_jwt(m, |header, payload, sig| {
                            let mut bytes = URL_SAFE_NO_PAD.decode(sig).ok()?;
                            let mid = bytes.len() / 2;
                            *bytes.get_mut(mid)? ^= 0x01;
                            Some(format!(
                                "{header}.{payload}.{}",
                                URL_SAFE_NO_PAD.encode(bytes)
                            ))
                        })
                    });
                }
            }),
            tags: "@policy or @acl or @refresh",
            expect: JWT_SIGNED,
            precise: true,
        },
        Case {
            id: "jwt-wrong-exp",
            rule: "exp is iat plus the validity and absent when immortal (here: +120 s, immortal 1 h; validly re-signed)",
            profile: ProfileName::Hs256,
            target: on_response(|ctx, req, r| {
                if req.is_token_endpoint() {
                    let Some(secret) = ctx
                        .profile
                        .target
                        .hs_secret
                        .as_ref()
                        .map(|s| s.expose().to_owned())
                    else {
                        return;
                    };
                    r.edit_token(|m| {
                        map_jwt(m, |header, payload, _| {
                            resign_with_wrong_exp(header, payload, &secret)
                        })
                    });
                }
            }),
            tags: "@policy or @acl or @refresh",
            // The `signed with a published key` scenarios do not apply to an all-HS256 profile.
            expect: &[
                ("policy/acquire", "signed with a shared secret"),
                ("acl/acquire", "signed and expires as configured"),
                ("refresh/refresh", "a refreshed JWT"),
                ("refresh/refresh", "has no exp claim"),
                // The re-signed token is not the one the issuer recorded.
                (
                    "introspection/introspect",
                    "an issued JWT token introspects active",
                ),
            ],
            precise: true,
        },
        Case {
            id: "no-cache-control",
            rule: "token and error responses carry Cache-Control: no-store (here: absent)",
            profile: ProfileName::Reference,
            target: on_response(|_, req, r| {
                if req.is_token_endpoint() {
                    r.headers.remove(axum::http::header::CACHE_CONTROL);
                }
            }),
            tags: "@headers",
            expect: &[("transport/headers", "not cacheable")],
            precise: true,
        },
        Case {
            id: "wrong-secret-accepted",
            rule: "a wrong client secret issues no token (here: 200 with a token)",
            profile: ProfileName::Reference,
            target: on_request(|ctx, req| {
                let Some(f) = req.fixture(&ctx.profile) else {
                    return;
                };
                let real = f.client_secret.expose().to_owned();
                if let Some(sent) = req.param("client_secret")
                    && sent != real
                    && sent != "-"
                {
                    req.set("client_secret", &real);
                }
            }),
            tags: "@errors",
            expect: &[("errors/credentials", "a wrong client secret is refused")],
            precise: true,
        },
        Case {
            id: "unknown-client-accepted",
            rule: "an unknown client id issues no token (here: served as a known client)",
            profile: ProfileName::Reference,
            target: on_request(|ctx, req| {
                let Some(id) = req.param("client_id") else {
                    return;
                };
                if !req.is_token_endpoint() || ctx.profile.fixture_by_client_id(id).is_some() {
                    return;
                }
                let grant = req.param("grant_type").unwrap_or_default().to_owned();
                let stand_in = ctx
                    .profile
                    .fixtures
                    .iter()
                    .find(|f| f.endpoint_path() == req.path && f.grant_type.as_str() == grant);
                if let Some(f) = stand_in {
                    let secret = f.documented_client_secret(f.grant_type.into()).to_owned();
                    req.set("client_id", &f.client_id.clone());
                    req.set("client_secret", &secret);
                }
            }),
            tags: "@errors",
            expect: &[("errors/credentials", "an unknown client id is refused")],
            precise: true,
        },
        Case {
            id: "user-password-unchecked",
            rule: "a wrong user password issues no token (here: any password works)",
            profile: ProfileName::Reference,
            target: on_request(|ctx, req| {
                if req.param("grant_type") != Some("password") {
                    return;
                }
                let Some(f) = req.fixture(&ctx.profile) else {
                    return;
                };
                let Some(u) = req.param("username").and_then(|n| f.user(n)) else {
                    return;
                };
                if req.param("password").is_some() {
                    let real = u.password.expose().to_owned();
                    req.set("password", &real);
                }
            }),
            tags: "@errors",
            expect: &[("errors/credentials", "a wrong user password")],
            precise: true,
        },
        Case {
            id: "missing-parameters-defaulted",
            rule: "a request missing a documented parameter issues no token (here: defaults filled in)",
            profile: ProfileName::Reference,
            target: on_request(fill_missing_parameters),
            tags: "@errors",
            expect: &[
                ("errors/parameters", "without"),
                ("errors/parameters", "a missing"),
            ],
            precise: true,
        },
        Case {
            id: "content-type-ignored",
            rule: "only an x-www-form-urlencoded body issues a token (here: JSON and text bodies accepted)",
            profile: ProfileName::Reference,
            target: on_request(|_, req| {
                if req.method != axum::http::Method::POST || req.form || !req.is_token_endpoint() {
                    return;
                }
                req.params =
                    match serde_json::from_slice::<serde_json::Map<String, Value>>(&req.body) {
                        Ok(obj) => obj
                            .into_iter()
                            .map(|(k, v)| {
                                (k, v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                            })
                            .collect(),
                        Err(_) => form_urlencoded::parse(&req.body).into_owned().collect(),
                    };
                req.form = true;
                req.content_type = Some("application/x-www-form-urlencoded".into());
            }),
            tags: "@errors",
            expect: &[
                ("errors/parameters", "issues no token (managed from"),
                ("errors/parameters", "wrong content type"),
            ],
            precise: true,
        },
        Case {
            id: "token-on-refused-get",
            rule: "GET issues no token where URL parameters are not allowed (here: GET served as POST)",
            profile: ProfileName::Reference,
            target: on_request(|_, req| {
                if req.method == axum::http::Method::GET && req.is_token_endpoint() {
                    req.method = axum::http::Method::POST;
                    req.form = true;
                    req.content_type = None;
                }
            }),
            tags: "@url_params",
            expect: &[
                ("transport/url_parameters", "GET issues no"),
                ("transport/url_parameters", "refused GET"),
                ("transport/url_parameters", "refresh by GET is refused"),
            ],
            precise: true,
        },
        Case {
            id: "get-refused-everywhere",
            rule: "GET with URL parameters issues a token where allowed (here: always 405)",
            profile: ProfileName::Reference,
            target: on_response(|_, req, r| {
                if req.method == axum::http::Method::GET && req.is_token_endpoint() {
                    r.status = axum::http::StatusCode::METHOD_NOT_ALLOWED;
                    r.body =
                        br#"{"error":"invalid_request","error_description":"use POST"}"#.to_vec();
                }
            }),
            tags: "@url_params",
            expect: &[(
                "transport/url_parameters",
                "by GET with URL parameters (managed",
            )],
            precise: true,
        },
        Case {
            id: "refresh-any-token",
            rule: "a refresh token the target never issued (or none at all) gets no token (here: served as a new acquisition)",
            profile: ProfileName::Reference,
            target: on_request(|ctx, req| {
                if req.param("grant_type") != Some("refresh_token") {
                    return;
                }
                if req
                    .param("refresh_token")
                    .is_some_and(|t| ctx.issued_refresh_token(t))
                {
                    return;
                }
                let Some(f) = req.fixture(&ctx.profile).cloned() else {
                    return;
                };
                req.params.retain(|(k, _)| k != "refresh_token");
                req.set("grant_type", f.grant_type.as_str());
                req.set(
                    "client_secret",
                    f.documented_client_secret(f.grant_type.into()),
                );
                if f.grant_type == GrantType::Password
                    && let Some(u) = f.users.first()
                {
                    req.set("username", &u.username);
                    req.set("password", u.password.expose());
                }
            }),
            tags: "@refresh",
            expect: &[
                ("refresh/refresh", "never issued is refused"),
                ("refresh/refresh", "cannot be refreshed"),
                ("refresh/refresh", "with Token Refresh off"),
            ],
            precise: true,
        },
        Case {
            id: "refresh-token-missing",
            rule: "a refresh-enabled policy's response carries refresh_token (here: absent)",
            profile: ProfileName::Reference,
            target: on_response(|_, _, r| {
                r.edit_token(|m| {
                    m.remove("refresh_token");
                })
            }),
            tags: "@refresh",
            expect: &[
                ("refresh/refresh", "refresh, managed from"),
                ("refresh/refresh", "a refreshed JWT"),
                ("refresh/refresh", "issues a new access token"),
                ("refresh/refresh", "refresh count is spent"),
                ("refresh/refresh", "spent refresh count"),
                ("refresh/refresh", "a refresh with the dash"),
                ("refresh/refresh", "refreshed-token validity period"),
                ("refresh/refresh", "expired refresh window"),
                ("refresh/refresh", "simultaneous refreshes"),
                (
                    "introspection/introspect",
                    "retires the previous access token",
                ),
                (
                    "introspection/introspect",
                    "refresh token is not an access token",
                ),
                ("transport/url_parameters", "refresh by GET"),
                ("jwt/claims", "keeps the principal as iss"),
                ("jwt/claims", "a refreshed JWT carries a new jti"),
                ("refresh/refresh", "refresh after the access token expired"),
                // Selected by their implied @refresh tag: the shape lacks refresh_token.
                ("shape/shapes", "a refreshable"),
                ("shape/shapes", "a JWT response with a granted scope"),
            ],
            precise: true,
        },
        Case {
            id: "refresh-token-where-off",
            rule: "no refresh_token when refresh is off or the token is immortal (here: one is added)",
            profile: ProfileName::Reference,
            target: on_response(|ctx, req, r| {
                if req.fixture(&ctx.profile).is_some_and(|f| !f.can_refresh()) {
                    r.edit_token(|m| {
                        m.insert(
                            "refresh_token".into(),
                            json!("faulty-refresh-token-0123456789"),
                        );
                    });
                }
            }),
            tags: "@refresh",
            expect: &[
                (
                    "refresh/refresh",
                    "does not expire and has no refresh token",
                ),
                ("refresh/refresh", "with Token Refresh off"),
            ],
            precise: true,
        },
        Case {
            id: "scope-not-echoed",
            rule: "the granted scope comes back in `scope` (here: absent)",
            profile: ProfileName::Reference,
            target: on_response(|_, _, r| {
                r.edit_token(|m| {
                    m.remove("scope");
                })
            }),
            tags: "@scope or @shape",
            expect: &[
                ("scope/scope", "as scope (managed from"),
                ("shape/shapes", "granted scope"),
            ],
            precise: true,
        },
        Case {
            id: "introspect-never-active",
            rule: "introspection reports a live token of the caller as active (here: always {\"active\": false})",
            profile: ProfileName::Reference,
            target: on_response(|_, req, r| {
                if req.path.ends_with("/introspect") && r.status == axum::http::StatusCode::OK {
                    r.body = br#"{"active":false}"#.to_vec();
                }
            }),
            tags: "@introspection",
            expect: &[
                (
                    "introspection/introspect",
                    "introspects active for its client",
                ),
                (
                    "introspection/introspect",
                    "retires the previous access token",
                ),
                ("introspection/introspect", "stays active"),
            ],
            precise: true,
        },
        Case {
            id: "introspect-always-active",
            rule: "an unknown, foreign, refreshed-away, expired or refresh token introspects as exactly {\"active\": false} (here: active)",
            profile: ProfileName::Reference,
            target: on_response(|_, req, r| {
                if req.path.ends_with("/introspect")
                    && r.json()
                        .is_some_and(|m| m.get("active") == Some(&Value::Bool(false)))
                {
                    r.body = br#"{"active":true,"token_type":"Bearer"}"#.to_vec();
                }
            }),
            tags: "@introspection",
            expect: &[
                ("introspection/introspect", "inactive for another client"),
                ("introspection/introspect", "never issued is inactive"),
                (
                    "introspection/introspect",
                    "retires the previous access token",
                ),
                (
                    "introspection/introspect",
                    "refresh token is not an access token",
                ),
                ("introspection/introspect", "expired"),
            ],
            precise: true,
        },
        Case {
            id: "charset-refused",
            rule: "a charset parameter on the form content type is accepted (here: 400)",
            profile: ProfileName::Reference,
            target: on_response(|_, req, r| {
                if req.is_token_endpoint()
                    && req
                        .content_type
                        .as_deref()
                        .is_some_and(|ct| ct.to_ascii_lowercase().contains("charset"))
                {
                    r.status = axum::http::StatusCode::BAD_REQUEST;
                    r.body = br#"{"error":"invalid_request","error_description":"unsupported content type"}"#.to_vec();
                }
            }),
            tags: "@policy",
            expect: &[("policy/acquire", "charset parameter")],
            precise: true,
        },
        Case {
            id: "oauth2-token-not-opaque",
            rule: "an OAuth2 policy issues an opaque access token (here: a JWT-shaped one)",
            profile: ProfileName::Reference,
            target: on_response(|_, req, r| {
                if req.path.ends_with("/token") {
                    r.edit_token(|m| {
                        if let Some(t) = m.get("access_token").and_then(Value::as_str) {
                            let shaped = format!(
                                "eyJhbGciOiJIUzI1NiJ9.{}.c2lnbmF0dXJl",
                                URL_SAFE_NO_PAD.encode(t)
                            );
                            m.insert("access_token".into(), json!(shaped));
                        }
                    });
                }
            }),
            tags: "@policy",
            expect: &[
                ("policy/acquire", "issues an opaque token"),
                // Selected by their implied @policy tag: the rewritten token is unknown to the
                // issuer, and its shape is `[jwt]`.
                (
                    "introspection/introspect",
                    "an issued OAuth2 token introspects active for its client (managed from this policy",
                ),
                (
                    "introspection/introspect",
                    "an OAuth2 refresh retires the previous access token (managed from this policy)",
                ),
                (
                    "shape/shapes",
                    "a refreshable OAuth2 response (managed from this policy)",
                ),
                ("shape/shapes", "an immortal OAuth2 response"),
            ],
            precise: true,
        },
        Case {
            id: "error-description-mistyped",
            rule: "an error response is {error, error_description} with string values (here: error_description a number)",
            profile: ProfileName::Reference,
            target: on_response(|_, _, r| {
                r.edit_error(|_, m| {
                    m.insert("error_description".into(), json!(401));
                })
            }),
            tags: "@shape or @headers",
            expect: &[
                ("shape/shapes", "invalid_client error response"),
                ("transport/headers", "error response is JSON"),
            ],
            precise: true,
        },
        Case {
            id: "basic-auth-ignored",
            rule: "client authentication by HTTP Basic works, and Basic with body credentials or a malformed Basic header is refused (here: the header is ignored)",
            profile: ProfileName::Reference,
            target: on_request(|_, req| {
                if req.is_token_endpoint() {
                    req.authorization = None;
                }
            }),
            tags: "@client_auth",
            expect: &[
                (
                    "transport/client_auth",
                    "with HTTP Basic client authentication",
                ),
                ("transport/client_auth", "at once are refused"),
                ("transport/client_auth", "malformed HTTP Basic header"),
            ],
            precise: true,
        },
        Case {
            id: "wrong-error-code",
            rule: "error codes come from the documented set (here: every code replaced by access_denied)",
            profile: ProfileName::Reference,
            target: on_response(|_, _, r| {
                r.edit_error(|_, m| {
                    m.insert("error".into(), json!("access_denied"));
                })
            }),
            tags: "@errors",
            expect: ERROR_CODES,
            precise: true,
        },
        Case {
            id: "wrong-error-status",
            rule: "errors use the documented status, 400 or 401 (here: 403)",
            profile: ProfileName::Reference,
            target: on_response(|_, _, r| {
                r.edit_error(|status, _| {
                    *status = axum::http::StatusCode::FORBIDDEN;
                })
            }),
            tags: "@errors",
            expect: ERROR_CODES,
            precise: false,
        },
        Case {
            id: "html-body",
            rule: "a token response is a JSON object (here: an HTML page with status 200)",
            profile: ProfileName::Reference,
            target: Target::Canned(|| {
                ResponseTemplate::new(200).set_body_raw(
                    "<!doctype html><html><body><h1>Welcome</h1></body></html>",
                    "text/html; charset=utf-8",
                )
            }),
            tags: "@policy or @acl",
            expect: ACQUIRE,
            precise: false,
        },
        Case {
            id: "truncated-json",
            rule: "a token response is a JSON object (here: JSON cut off mid-body)",
            profile: ProfileName::Reference,
            target: Target::Canned(|| {
                ResponseTemplate::new(200)
                    .insert_header("cache-control", "no-store")
                    .set_body_raw(
                        r#"{"access_token":"eyJhbGciOi","token_type":"Bearer","expi"#,
                        "application/json",
                    )
            }),
            tags: "@policy or @acl",
            expect: ACQUIRE,
            precise: false,
        },
        // ---- stateful faults: the reference issuer with one rule switched off ---------------
        Case {
            id: "refresh-count-unenforced",
            rule: "at most refresh.count refreshes per acquisition",
            profile: ProfileName::Reference,
            target: issuer(Faults {
                refresh_count_unenforced: true,
                ..Faults::default()
            }),
            tags: "@refresh",
            expect: &[
                ("refresh/refresh", "refresh count is spent"),
                ("refresh/refresh", "spent refresh count"),
                ("refresh/refresh", "simultaneous refreshes"),
            ],
            precise: true,
        },
        Case {
            id: "refresh-window-ignored",
            rule: "no refresh after the refreshed-token validity period",
            profile: ProfileName::Reference,
            target: issuer(Faults {
                refresh_window_ignored: true,
                ..Faults::default()
            }),
            tags: "@refresh",
            expect: &[
                ("refresh/refresh", "refreshed-token validity period"),
                ("refresh/refresh", "expired refresh window"),
            ],
            precise: true,
        },
        Case {
            id: "dash-refused",
            rule: "policy-mode JWT password grant takes the dash as client_secret (here: refused)",
            profile: ProfileName::Reference,
            target: issuer(Faults {
                dash_refused: true,
                ..Faults::default()
            }),
            tags: "@policy",
            expect: &[
                ("policy/acquire", "JWT password grant with the key of"),
                ("policy/acquire", "JWT password request is"),
                ("policy/acquire", "from a password policy"),
                // The refresh examples tagged @policy: a JWT refresh in policy mode takes the dash too.
                ("refresh/refresh", "JWT refresh, managed from this policy"),
                // Selected by their implied @policy tag: every policy-mode JWT password or
                // refresh request sends the dash.
                ("jwt/claims", "(password, managed from this policy)"),
                (
                    "jwt/claims",
                    "keeps the principal as iss (managed from this policy)",
                ),
                ("jwt/claims", "a refreshed JWT carries a new jti"),
                (
                    "refresh/refresh",
                    "JWT refresh after the access token expired",
                ),
                (
                    "errors/credentials",
                    "a wrong user password is invalid_grant (JWT)",
                ),
                (
                    "refresh/refresh",
                    "a refreshed JWT (managed from this policy)",
                ),
                (
                    "refresh/refresh",
                    "no JWT refresh after the refreshed-token validity period (managed from this policy)",
                ),
                (
                    "refresh/refresh",
                    "an expired refresh window is refused with invalid_grant (JWT, this policy)",
                ),
                (
                    "refresh/refresh",
                    "no JWT refresh after the refresh count is spent (managed from this policy)",
                ),
                (
                    "refresh/refresh",
                    "a spent refresh count is refused with invalid_grant (JWT)",
                ),
                (
                    "scope/scope",
                    "JWT password grant with a role of the user as scope (managed from this policy)",
                ),
                (
                    "scope/scope",
                    "a JWT password scope the principal does not hold",
                ),
                (
                    "transport/url_parameters",
                    "JWT password token by GET with URL parameters (managed from this policy)",
                ),
                (
                    "transport/url_parameters",
                    "JWT refresh by GET with URL parameters (managed from this policy)",
                ),
            ],
            precise: true,
        },
        Case {
            id: "dash-accepted-everywhere",
            rule: "the dash works only where the seed documents it (here: everywhere)",
            profile: ProfileName::Reference,
            target: issuer(Faults {
                dash_accepted_everywhere: true,
                ..Faults::default()
            }),
            tags: "@acl or @errors or @refresh",
            expect: &[
                ("acl/acquire", "the dash is refused"),
                ("errors/credentials", "the dash is refused"),
                ("refresh/refresh", "a refresh with the dash"),
            ],
            precise: true,
        },
        Case {
            id: "mode-prefix-unchecked",
            rule: "a key works only on its own mode's prefix (/auth vs /credential)",
            profile: ProfileName::Reference,
            target: issuer(Faults {
                mode_prefix_unchecked: true,
                ..Faults::default()
            }),
            tags: "@errors",
            expect: &[("errors/routing", "other mode's prefix")],
            precise: true,
        },
        Case {
            id: "token-kind-unchecked",
            rule: "a JWT key works only on .../jwt and an OAuth2 key only on .../token",
            profile: ProfileName::Reference,
            target: issuer(Faults {
                token_kind_unchecked: true,
                ..Faults::default()
            }),
            tags: "@errors",
            expect: &[("errors/routing", "other token kind's endpoint")],
            precise: true,
        },
        Case {
            id: "scope-unchecked",
            rule: "a scope the principal does not hold is refused (strict mode)",
            profile: ProfileName::Reference,
            target: issuer(Faults {
                scope_unchecked: true,
                ..Faults::default()
            }),
            tags: "@scope",
            expect: &[
                ("scope/scope", "handled per the target's scope setting"),
                ("scope/scope", "issues no scope it does not hold"),
            ],
            precise: true,
        },
        Case {
            id: "oauth2-old-token-survives-refresh",
            rule: "an OAuth2 refresh invalidates the previous access token",
            profile: ProfileName::Reference,
            target: issuer(Faults {
                oauth2_old_token_survives_refresh: true,
                ..Faults::default()
            }),
            tags: "@refresh",
            expect: &[(
                "introspection/introspect",
                "retires the previous access token",
            )],
            precise: true,
        },
        Case {
            id: "get-always-allowed",
            rule: "GET is refused where URL parameters are not allowed",
            profile: ProfileName::Reference,
            target: issuer(Faults {
                get_always_allowed: true,
                ..Faults::default()
            }),
            tags: "@url_params",
            expect: &[
                ("transport/url_parameters", "GET issues no"),
                ("transport/url_parameters", "refused GET"),
                ("transport/url_parameters", "refresh by GET is refused"),
            ],
            precise: true,
        },
        Case {
            id: "grant-type-unchecked",
            rule: "a policy issues tokens only for the grant type it was defined with",
            profile: ProfileName::Reference,
            target: issuer(Faults {
                grant_type_unchecked: true,
                ..Faults::default()
            }),
            tags: "@errors",
            // The switch serves a client_credentials request on a password policy; the reverse
            // still fails on the user check (a client_credentials policy has no user pool), so
            // `grant-type-ignored` below covers the client_credentials policies.
            expect: &[("errors/grants", "password policy")],
            precise: true,
        },
        Case {
            id: "grant-type-ignored",
            rule: "a policy issues tokens only for the grant type it was defined with (here: the policy's own grant is used whatever was asked)",
            profile: ProfileName::Reference,
            target: on_request(|ctx, req| {
                let Some(f) = req.fixture(&ctx.profile).cloned() else {
                    return;
                };
                let asked = req.param("grant_type");
                let other = match f.grant_type {
                    GrantType::ClientCredentials => "password",
                    GrantType::Password => "client_credentials",
                };
                if asked != Some(other) {
                    return;
                }
                req.set("grant_type", f.grant_type.as_str());
                req.set(
                    "client_secret",
                    f.documented_client_secret(f.grant_type.into()),
                );
                match (f.grant_type, f.users.first()) {
                    (GrantType::Password, Some(u)) => {
                        req.set("username", &u.username);
                        req.set("password", u.password.expose());
                    }
                    _ => req
                        .params
                        .retain(|(k, _)| k != "username" && k != "password"),
                }
            }),
            tags: "@errors",
            expect: &[
                ("errors/grants", "refuses the other grant type"),
                ("errors/grants", "documented code"),
            ],
            precise: true,
        },
        // ---- JWT claims (validly re-signed with the HS256 variant's secret) ---------------
        Case {
            id: "jwt-wrong-iss",
            rule: "iss is the principal (client id or username) or a gateway URL on the mode prefix (here: another name)",
            profile: ProfileName::Hs256,
            target: on_response(|ctx, req, r| {
                resign_token(ctx, req, r, |c| {
                    c.insert("iss".into(), json!("tokenspec-someone-else"));
                })
            }),
            tags: "@jwt and not @slow",
            expect: &[
                ("jwt/claims", "the iss claim names the principal"),
                ("jwt/claims", "keeps the principal as iss"),
                RESIGNED_INACTIVE,
            ],
            precise: true,
        },
        Case {
            id: "jwt-wrong-aud",
            rule: "aud names the client (#GW#+client id or client id in policy mode, client id in ACL mode; here: another client)",
            profile: ProfileName::Hs256,
            target: on_response(|ctx, req, r| {
                resign_token(ctx, req, r, |c| {
                    c.insert("aud".into(), json!("#GW#tokenspec-someone-else"));
                })
            }),
            tags: "@jwt and not @slow",
            expect: &[
                ("jwt/claims", "the aud claim names the client"),
                RESIGNED_INACTIVE,
            ],
            precise: true,
        },
        Case {
            id: "jwt-fixed-jti",
            rule: "every JWT has its own jti (here: the same jti in every token)",
            profile: ProfileName::Hs256,
            target: on_response(|ctx, req, r| {
                resign_token(ctx, req, r, |c| {
                    c.insert("jti".into(), json!("tokenspec-fixed-jti"));
                })
            }),
            tags: "@jwt and not @slow",
            expect: &[
                ("jwt/claims", "every JWT carries its own jti"),
                ("jwt/claims", "a refreshed JWT carries a new jti"),
                RESIGNED_INACTIVE,
            ],
            precise: true,
        },
        Case {
            id: "jwt-no-jti",
            rule: "a JWT carries a jti (here: removed)",
            profile: ProfileName::Hs256,
            target: on_response(|ctx, req, r| {
                resign_token(ctx, req, r, |c| {
                    c.remove("jti");
                })
            }),
            tags: "@jwt and not @slow",
            expect: &[
                ("jwt/claims", "every JWT carries its own jti"),
                ("jwt/claims", "a refreshed JWT carries a new jti"),
                RESIGNED_INACTIVE,
            ],
            precise: true,
        },
        Case {
            id: "jwks-kid-mismatch",
            rule: "the JWT header's kid names a key of the target's JWKS (here: the JWKS publishes the keys under other kids)",
            profile: ProfileName::Reference,
            target: on_response(|_, req, r| {
                if !req.path.ends_with("/.well-known/jwks.json") {
                    return;
                }
                if let Some(mut m) = r.json() {
                    if let Some(Value::Array(keys)) = m.get_mut("keys") {
                        for k in keys.iter_mut() {
                            if let Some(Value::String(kid)) = k.get_mut("kid") {
                                kid.push_str("-rotated");
                            }
                        }
                    }
                    r.set_json(m);
                }
            }),
            tags: "@jwt and not @slow",
            // Every scenario that verifies a published-key JWT looks its kid up in the JWKS.
            expect: &[
                ("jwt/claims", "claim names"),
                ("jwt/claims", "as iss"),
                ("jwt/claims", "jti"),
                ("jwt/claims", "kid names"),
                ("policy/acquire", "signed and expires as configured"),
                ("acl/acquire", "signed and expires as configured"),
                ("refresh/refresh", "a refreshed JWT"),
                ("refresh/refresh", "has no exp claim"),
                (
                    "scope/scope",
                    "JWT client_credentials with a role of the key",
                ),
                ("scope/scope", "JWT password grant with a role of the user"),
            ],
            precise: true,
        },
        // ---- refresh after the access token died ----------------------------------------
        Case {
            id: "refresh-only-while-token-lives",
            rule: "a refresh works after the access token expired while the refresh window is open (here: refused once the access token died)",
            profile: ProfileName::Reference,
            target: Target::Proxy {
                request: Some(|_, req| {
                    if req.param("grant_type") != Some("refresh_token") {
                        return;
                    }
                    let Some(rt) = req.param("refresh_token").map(str::to_owned) else {
                        return;
                    };
                    let dead = ACCESS_EXPIRY
                        .lock()
                        .is_ok_and(|m| m.get(&rt).is_some_and(|t| Instant::now() >= *t));
                    if dead {
                        // The upstream answers an unknown refresh token with invalid_grant.
                        req.set("refresh_token", "tokenspec-access-token-died");
                    }
                }),
                response: Some(|ctx, req, r| {
                    let Some(validity) =
                        req.fixture(&ctx.profile).and_then(|f| f.expiry.validity())
                    else {
                        return;
                    };
                    let rt = r.json().and_then(|m| {
                        m.get("refresh_token")
                            .and_then(Value::as_str)
                            .map(str::to_owned)
                    });
                    if let (Some(rt), Ok(mut m)) = (rt, ACCESS_EXPIRY.lock()) {
                        m.insert(rt, Instant::now() + validity);
                    }
                }),
            },
            tags: "@refresh",
            expect: &[(
                "refresh/refresh",
                "refresh after the access token expired but inside the window",
            )],
            precise: true,
        },
    ]
}

/// Replaces a JWT access token with `f(header, payload, signature)` (base64url segments).
fn map_jwt(
    m: &mut serde_json::Map<String, Value>,
    f: impl FnOnce(&str, &str, &str) -> Option<String>,
) {
    let Some(token) = m.get("access_token").and_then(Value::as_str) else {
        return;
    };
    let parts: Vec<&str> = token.split('.').collect();
    let [h, p, s] = parts.as_slice() else { return };
    if let Some(new) = f(h, p, s) {
        m.insert("access_token".into(), Value::String(new));
    }
}

/// The same token with `exp` moved by 120 s (or added to an immortal one), validly signed with
/// the profile's HS secret: only the expiry is wrong.
fn resign_with_wrong_exp(header: &str, payload: &str, secret: &str) -> Option<String> {
    let header: jsonwebtoken::Header =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).ok()?).ok()?;
    let mut claims: serde_json::Map<String, Value> =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?;
    let iat = claims.get("iat").and_then(Value::as_u64)?;
    let exp = match claims.get("exp").and_then(Value::as_u64) {
        Some(exp) => exp + 120,
        None => iat + 3600,
    };
    claims.insert("exp".into(), json!(exp));
    let key = jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()).ok()?;
    jsonwebtoken::encode(&header, &claims, &key).ok()
}

/// Refresh token → when the access token last issued with it expires, for
/// `refresh-only-while-token-lives` (hooks are plain functions, so the state is a static).
static ACCESS_EXPIRY: LazyLock<Mutex<HashMap<String, Instant>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// A token response's JWT with its claims changed by `edit` and validly re-signed with the
/// profile's HS secret (the HS256 variant): only the edited claims are wrong.
fn resign_token(
    ctx: &Ctx,
    req: &ProxyRequest,
    r: &mut crate::proxy::ProxyResponse,
    edit: fn(&mut serde_json::Map<String, Value>),
) {
    if !req.is_token_endpoint() {
        return;
    }
    let Some(secret) = ctx
        .profile
        .target
        .hs_secret
        .as_ref()
        .map(|s| s.expose().to_owned())
    else {
        return;
    };
    r.edit_token(|m| {
        map_jwt(m, |header, payload, _| {
            let header: jsonwebtoken::Header =
                serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).ok()?).ok()?;
            let mut claims: serde_json::Map<String, Value> =
                serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?;
            edit(&mut claims);
            let key = jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()).ok()?;
            jsonwebtoken::encode(&header, &claims, &key).ok()
        })
    });
}

/// A target that fills in what a client left out: a default client, the policy's grant type,
/// the real secret, the pool's first user.
fn fill_missing_parameters(ctx: &Ctx, req: &mut ProxyRequest) {
    if !req.is_token_endpoint() {
        return;
    }
    if req.param("client_id").is_none() {
        let Some(f) = ctx.profile.fixtures.iter().find(|f| {
            f.endpoint_path() == req.path && f.grant_type == GrantType::ClientCredentials
        }) else {
            return;
        };
        req.set("client_id", &f.client_id.clone());
        req.set("client_secret", f.client_secret.expose());
    }
    let Some(f) = req.fixture(&ctx.profile).cloned() else {
        return;
    };
    if req.param("grant_type").is_none() {
        req.set("grant_type", f.grant_type.as_str());
    }
    let grant: Option<RequestedGrant> = req.param("grant_type").and_then(|g| g.parse().ok());
    if req.param("client_secret").is_none()
        && let Some(g) = grant
    {
        req.set("client_secret", f.documented_client_secret(g));
    }
    if grant == Some(RequestedGrant::Password) {
        let Some(first) = f.users.first() else { return };
        let user = req
            .param("username")
            .and_then(|n| f.user(n))
            .unwrap_or(first)
            .clone();
        if req.param("username").is_none() {
            req.set("username", &user.username);
        }
        if req.param("password").is_none() {
            req.set("password", user.password.expose());
        }
    }
}

/// Whether the scenario `(path, name)` is selected by `sel`.
pub fn selected(sel: &[Sel], path: &str, name: &str) -> bool {
    sel.iter()
        .any(|(p, n)| path.starts_with(p) && name.contains(n))
}
