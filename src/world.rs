//! The scenario state and its verbs: what a step asks for, done once here.
//!
//! [`TokenWorld`] holds one scenario's state (the chosen fixture, the last exchange, the last
//! token issued); [`RunContext`] holds what every scenario of a run shares (profile, base URL,
//! HTTP client, JWKS cache, redactor, snapshot store). Steps (`crate::steps`) only parse text and
//! call a verb here or a check in `crate::checks`.
//!
//! A step ends in one of three ways, kept apart all the way to the report (DESIGN.md): it
//! returns (passed), or it panics with a typed [`StepFailure`] payload through
//! [`std::panic::panic_any`]: a `Violation` (the target broke a rule), `NotApplicable` (no fixture
//! fits) or `Harness` (the run itself broke: unreachable target, bad scenario). The runner's
//! writer downcasts the payload; a panic with any other payload is a harness bug and reported as
//! such. Every text in a payload is already redacted.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::jwk::JwkSet;
use tokenspec_profile::{
    Fixture, GrantType, JwtAlgorithm, ManagedFrom, Profile, RequestedGrant, TokenKind, User,
    endpoint_path,
};

use crate::checks::body::TokenFields;
use crate::checks::jwt::{KeySource, VerifiedJwt};
use crate::checks::shape::SnapshotStore;
use crate::checks::{self, Violation};
use crate::client::{self, Carrier, Exchange, TokenRequest, TransportError};
use crate::fixture::{self, Requirement, SHORT_WINDOW_MAX};
use crate::redact::Redactor;
use crate::report::model::Failure;

/// The most refreshes a scenario performs to exhaust a count.
pub const MAX_REFRESH_COUNT: u32 = 20;

/// A role name no fixture is expected to hold.
pub const UNHELD_ROLE: &str = "tokenspec-unheld-role";

/// The typed payload of a failing step (see the module docs).
#[derive(Debug, Clone)]
pub enum StepFailure {
    Violation(Failure),
    NotApplicable { needs: String },
    Harness { message: String },
}

/// A shape observed by a snapshot step, for recording (`cargo insta`) by the test binary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObservedShape {
    pub name: String,
    pub rendered: String,
}

/// What every scenario of one run shares.
pub struct RunContext {
    pub profile: Profile,
    /// Without a trailing slash.
    pub base_url: String,
    pub http: reqwest::Client,
    pub redactor: Redactor,
    pub snapshots: SnapshotStore,
    /// JWKS per mode prefix, fetched once per run.
    jwks: tokio::sync::Mutex<HashMap<ManagedFrom, Arc<JwkSet>>>,
    /// Shapes seen by snapshot steps.
    pub observed: Mutex<Vec<ObservedShape>>,
    /// `(feature path, scenario line)` → fixture id, filled by the runner's after-hook.
    pub fixtures_used: Mutex<HashMap<(String, usize), String>>,
    /// `(feature path, scenario line)` → notes (vendor fields seen, accepted alternatives).
    pub notes: Mutex<HashMap<(String, usize), Vec<String>>>,
}

impl fmt::Debug for RunContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RunContext")
            .field("profile", &self.profile.origin)
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl RunContext {
    pub fn new(
        profile: Profile,
        base_url: &str,
        snapshots_dir: std::path::PathBuf,
    ) -> Result<RunContext, TransportError> {
        let http = client::build_client(profile.target.request_timeout)?;
        let redactor = Redactor::new(profile.secrets());
        Ok(RunContext {
            base_url: base_url.trim_end_matches('/').to_owned(),
            profile,
            http,
            redactor,
            snapshots: SnapshotStore { dir: snapshots_dir },
            jwks: tokio::sync::Mutex::new(HashMap::new()),
            observed: Mutex::new(Vec::new()),
            fixtures_used: Mutex::new(HashMap::new()),
            notes: Mutex::new(HashMap::new()),
        })
    }

    fn timeout(&self) -> Duration {
        self.profile.target.request_timeout
    }
}

/// One scenario's state.
#[derive(Debug, Default, cucumber::World)]
pub struct TokenWorld {
    ctx: Option<Arc<RunContext>>,
    /// Identifies the scenario for notes: `(feature path, line)`.
    scenario: Option<(String, usize)>,
    pub fixture: Option<Fixture>,
    /// The user of the authentication pool the password grant uses.
    user: Option<User>,
    requested_scope: Option<String>,
    /// The scope that should come back for the last request, when the request asked for one.
    held_scope: Option<Vec<String>>,
    last: Option<Exchange>,
    /// The last successful token response (the one a refresh uses).
    issued: Option<TokenFields>,
    /// The access token before the last refresh, to check that a refresh issues a new one.
    previous_access_token: Option<String>,
    jwt: Option<VerifiedJwt>,
    /// The client id the last introspection authenticated as.
    introspected_by: Option<String>,
    /// `(tokens issued, refresh count)` of the last burst of concurrent refreshes.
    concurrent_issued: Option<(u32, u32)>,
    /// The `jti` of every JWT of the scenario whose `jti` was judged, in order.
    jtis: Vec<String>,
}

/// Which token of the scenario an introspection asks about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenChoice {
    /// The last access token issued.
    Access,
    /// The access token before the last refresh.
    Previous,
    /// The last refresh token issued.
    Refresh,
    /// A token the target never issued.
    Unknown,
}

impl TokenWorld {
    /// Called by the runner's before-hook.
    pub fn attach(&mut self, ctx: Arc<RunContext>, feature_path: String, line: usize) {
        self.ctx = Some(ctx);
        self.scenario = Some((feature_path, line));
    }

    /// The id of the fixture in use.
    pub fn fixture_id(&self) -> Option<&str> {
        self.fixture.as_ref().map(|f| f.id.as_str())
    }

    fn ctx(&self) -> Arc<RunContext> {
        match &self.ctx {
            Some(c) => Arc::clone(c),
            None => harness("the world has no run context (the runner's before-hook did not run)"),
        }
    }

    fn fx(&self) -> &Fixture {
        match &self.fixture {
            Some(f) => f,
            None => harness(
                "no fixture chosen: the scenario needs a `Given a ... policy managed from ...` step first",
            ),
        }
    }

    fn last_response(&self) -> &client::ResponseRecord {
        match &self.last {
            Some(e) => &e.response,
            None => harness("no request was sent yet: the scenario needs a `When` step first"),
        }
    }

    /// Fails the step with `v`, attaching the last exchange (redacted).
    pub fn fail(&self, v: Violation) -> ! {
        let ctx = self.ctx();
        let r = &ctx.redactor;
        let failure = Failure {
            rule: r.redact(&v.rule),
            expected: r.redact(&v.expected),
            actual: r.redact(&v.actual),
            request: self.last.as_ref().map(|e| r.render_request(&e.request)),
            response: self.last.as_ref().map(|e| r.render_response(&e.response)),
            step: String::new(),
        };
        std::panic::panic_any(StepFailure::Violation(failure))
    }

    /// Unwraps a check's result or fails the step with its violation.
    pub fn check<T>(&self, r: Result<T, Violation>) -> T {
        match r {
            Ok(t) => t,
            Err(v) => self.fail(v),
        }
    }

    fn note(&self, text: String) {
        if let (Some(ctx), Some(key)) = (&self.ctx, &self.scenario)
            && let Ok(mut notes) = ctx.notes.lock()
        {
            notes
                .entry(key.clone())
                .or_default()
                .push(ctx.redactor.redact(&text));
        }
    }

    // ---- Given ------------------------------------------------------------------------------

    /// Picks a fixture satisfying `req`, or ends the scenario as not applicable.
    pub fn require(&mut self, req: &Requirement) {
        let ctx = self.ctx();
        match fixture::select(&ctx.profile, req) {
            Ok(f) => self.fixture = Some(f.clone()),
            Err(na) => std::panic::panic_any(StepFailure::NotApplicable { needs: na.needs }),
        }
    }

    // ---- When: requests ---------------------------------------------------------------------

    /// The user a password grant authenticates: one holding a role when there is one (scope
    /// scenarios need it), else the first of the pool.
    fn pick_user(&mut self) -> User {
        if let Some(u) = &self.user {
            return u.clone();
        }
        let f = self.fx();
        let user = f
            .users
            .iter()
            .find(|u| !u.roles.is_empty())
            .or_else(|| f.users.first())
            .cloned()
            .unwrap_or_else(|| {
                std::panic::panic_any(StepFailure::NotApplicable {
                    needs: format!("users in the authentication pool of fixture `{}`", f.id),
                })
            });
        self.user = Some(user.clone());
        user
    }

    /// The parameters the seed documents for `grant` on the chosen fixture.
    pub fn documented_params(&mut self, grant: RequestedGrant) -> Vec<(String, String)> {
        let f = self.fx().clone();
        let mut p = vec![
            ("grant_type".to_owned(), grant.as_str().to_owned()),
            ("client_id".to_owned(), f.client_id.clone()),
            (
                "client_secret".to_owned(),
                f.documented_client_secret(grant).to_owned(),
            ),
        ];
        match grant {
            RequestedGrant::Password => {
                let u = self.pick_user();
                p.push(("username".to_owned(), u.username.clone()));
                p.push(("password".to_owned(), u.password.expose().to_owned()));
            }
            RequestedGrant::RefreshToken => {
                let rt = self.refresh_token();
                p.push(("refresh_token".to_owned(), rt));
            }
            RequestedGrant::ClientCredentials => {}
        }
        p
    }

    /// The fixture's own grant.
    pub fn own_grant(&self) -> RequestedGrant {
        self.fx().grant_type.into()
    }

    fn refresh_token(&self) -> String {
        match self.issued.as_ref().and_then(|t| t.refresh_token.clone()) {
            Some(rt) => rt,
            None => self.fail(Violation::new(
                "a token response of a refresh-enabled policy carries refresh_token",
                "a refresh_token from the earlier response",
                "no refresh_token was issued",
            )),
        }
    }

    /// Sends `params` to `path` and records the exchange.
    pub async fn send(&mut self, path: &str, carrier: Carrier, params: Vec<(String, String)>) {
        self.send_with(path, carrier, params, Vec::new()).await;
    }

    /// [`TokenWorld::send`] with extra request headers.
    pub async fn send_with(
        &mut self,
        path: &str,
        carrier: Carrier,
        params: Vec<(String, String)>,
        headers: Vec<(String, String)>,
    ) {
        let ctx = self.ctx();
        let req = TokenRequest {
            url: format!("{}{}", ctx.base_url, path),
            carrier,
            params,
            headers,
        };
        match client::send(&ctx.http, &req, ctx.timeout()).await {
            Ok(ex) => {
                for field in ["access_token", "refresh_token"] {
                    if let Some(t) = ex.response.str_field(field) {
                        ctx.redactor.add(t);
                    }
                }
                if ex.response.field("access_token").is_some() {
                    self.jwt = None;
                }
                self.last = Some(ex);
            }
            Err(e) => harness(&ctx.redactor.redact(&e.to_string())),
        }
    }

    /// The fixture's endpoint path.
    pub fn endpoint(&self) -> String {
        self.fx().endpoint_path()
    }

    /// A token request as the seed documents it for the fixture's grant.
    pub async fn request_token(&mut self, carrier: Carrier) {
        let grant = self.own_grant();
        let params = self.documented_params(grant);
        let path = self.endpoint();
        self.send(&path, carrier, params).await;
    }

    /// A documented token request with `change` applied to its parameters.
    pub async fn request_token_with(&mut self, change: impl FnOnce(&mut Vec<(String, String)>)) {
        let grant = self.own_grant();
        let mut params = self.documented_params(grant);
        change(&mut params);
        let path = self.endpoint();
        self.send(&path, Carrier::Form, params).await;
    }

    /// A documented token request sent to another path.
    pub async fn request_token_at(&mut self, path: String) {
        let grant = self.own_grant();
        let params = self.documented_params(grant);
        self.send(&path, Carrier::Form, params).await;
    }

    /// The same path on the other mode's prefix (`/auth` ↔ `/credential`).
    pub fn other_mode_path(&self) -> String {
        let f = self.fx();
        let other = match f.managed_from {
            ManagedFrom::Policy => ManagedFrom::Acl,
            ManagedFrom::Acl => ManagedFrom::Policy,
        };
        endpoint_path(other, f.token)
    }

    /// The other token kind's endpoint in the same mode (`/jwt` ↔ `/token`).
    pub fn other_kind_path(&self) -> String {
        let f = self.fx();
        let other = match f.token {
            TokenKind::Jwt => TokenKind::Oauth2,
            TokenKind::Oauth2 => TokenKind::Jwt,
        };
        endpoint_path(f.managed_from, other)
    }

    /// A request for the grant type the fixture was *not* defined with.
    pub async fn request_other_grant(&mut self) {
        let f = self.fx().clone();
        let params = match f.grant_type {
            GrantType::Password => {
                let mut p = self.documented_params(RequestedGrant::ClientCredentials);
                set(&mut p, "client_secret", f.client_secret.expose());
                p
            }
            GrantType::ClientCredentials => {
                let user = f.users.first().cloned();
                vec![
                    ("grant_type".into(), "password".into()),
                    ("client_id".into(), f.client_id.clone()),
                    // The real secret: the client authenticates, only the grant is wrong.
                    ("client_secret".into(), f.client_secret.expose().to_owned()),
                    (
                        "username".into(),
                        user.as_ref()
                            .map_or("tokenspec-user".into(), |u| u.username.clone()),
                    ),
                    (
                        "password".into(),
                        user.as_ref().map_or("tokenspec-password".into(), |u| {
                            u.password.expose().to_owned()
                        }),
                    ),
                ]
            }
        };
        let path = self.endpoint();
        self.send(&path, Carrier::Form, params).await;
    }

    /// A documented request with the literal dash as `client_secret` where the seed requires the
    /// real secret.
    pub async fn request_with_dash(&mut self) {
        let grant = self.own_grant();
        if self.fx().dash_applies(grant) {
            harness(
                "the seed documents the dash for this fixture and grant; pick a fixture where it does not apply",
            );
        }
        self.request_token_with(|p| set(p, "client_secret", "-"))
            .await;
    }

    /// A documented request with the real secret where the seed documents the dash.
    pub async fn request_with_real_secret_instead_of_dash(&mut self) {
        let grant = self.own_grant();
        let f = self.fx().clone();
        if !f.dash_applies(grant) {
            harness("the seed does not document the dash for this fixture and grant");
        }
        self.request_token_with(|p| set(p, "client_secret", f.client_secret.expose()))
            .await;
    }

    /// A documented request for a scope. `extra_unheld` adds a role the principal does not hold.
    pub async fn request_with_scope(&mut self, held: bool, extra_unheld: bool) {
        let grant = self.own_grant();
        let mut params = self.documented_params(grant);
        let f = self.fx().clone();
        let roles: Vec<String> = f.principal_roles(self.user.as_ref()).to_vec();
        let mut scope: Vec<String> = Vec::new();
        if held {
            match roles.first() {
                Some(r) => scope.push(r.clone()),
                None => std::panic::panic_any(StepFailure::NotApplicable {
                    needs: format!("a principal with at least one role in fixture `{}`", f.id),
                }),
            }
        }
        if extra_unheld {
            scope.push(UNHELD_ROLE.to_owned());
        }
        let scope_text = scope.join(" ");
        params.push(("scope".into(), scope_text.clone()));
        self.requested_scope = Some(scope_text);
        self.held_scope = Some(if held {
            roles.into_iter().take(1).collect()
        } else {
            Vec::new()
        });
        let path = self.endpoint();
        self.send(&path, Carrier::Form, params).await;
    }

    /// The documented request with the client authenticated by HTTP Basic instead of the form
    /// (digest 1.4). `also_in_body` keeps `client_id`/`client_secret` in the body too.
    pub async fn request_with_basic(&mut self, also_in_body: bool) {
        let grant = self.own_grant();
        let mut params = self.documented_params(grant);
        let f = self.fx().clone();
        let secret = f.documented_client_secret(grant).to_owned();
        if !also_in_body {
            params.retain(|(k, _)| k != "client_id" && k != "client_secret");
        }
        let auth = client::basic_auth(&f.client_id, &secret);
        self.send_form_with_authorization(params, auth).await;
    }

    /// The documented request with an `Authorization: Basic` header that does not decode.
    pub async fn request_with_malformed_basic(&mut self) {
        let grant = self.own_grant();
        let mut params = self.documented_params(grant);
        params.retain(|(k, _)| k != "client_id" && k != "client_secret");
        self.send_form_with_authorization(params, "Basic %%%not-base64%%%".into())
            .await;
    }

    /// POSTs `params` as a form to the fixture's endpoint with an `Authorization` header.
    async fn send_form_with_authorization(&mut self, params: Vec<(String, String)>, auth: String) {
        let path = self.endpoint();
        self.send_with(
            &path,
            Carrier::Form,
            params,
            vec![("authorization".into(), auth)],
        )
        .await;
    }

    // ---- When: introspection ---------------------------------------------------------------

    /// Introspects a token of this scenario (RFC 7662, digest 5), authenticated by HTTP Basic
    /// with the real secret ([INT] lists Basic as required). `other_client` introspects as
    /// another client of the same mode.
    pub async fn introspect(&mut self, which: TokenChoice, other_client: bool) {
        let f = self.fx().clone();
        let token = match which {
            TokenChoice::Access => self.issued.as_ref().map(|t| t.access_token.clone()),
            TokenChoice::Previous => self.previous_access_token.clone(),
            // A refresh-enabled policy's response without refresh_token is the target's fault.
            TokenChoice::Refresh => Some(self.refresh_token()),
            TokenChoice::Unknown => Some("tokenspec-never-issued-token".to_owned()),
        };
        let Some(token) = token else {
            harness(
                "no such token was issued earlier in the scenario (introspection comes after a token is issued)",
            )
        };
        let caller = if other_client {
            let ctx = self.ctx();
            match ctx
                .profile
                .fixtures
                .iter()
                .find(|o| o.managed_from == f.managed_from && o.client_id != f.client_id)
            {
                Some(o) => o.clone(),
                None => std::panic::panic_any(StepFailure::NotApplicable {
                    needs: format!(
                        "a second fixture with managed_from = \"{}\"",
                        f.managed_from
                    ),
                }),
            }
        } else {
            f.clone()
        };
        let mut params = vec![("token".to_owned(), token)];
        if which == TokenChoice::Refresh {
            params.push(("token_type_hint".into(), "refresh_token".into()));
        }
        let auth = client::basic_auth(&caller.client_id, caller.client_secret.expose());
        self.introspected_by = Some(caller.client_id.clone());
        let path = format!("{}/introspect", f.managed_from.prefix());
        self.send_with(
            &path,
            Carrier::Form,
            params,
            vec![("authorization".into(), auth)],
        )
        .await;
    }

    /// Waits until the access token's (short) validity has passed.
    pub async fn wait_out_validity(&mut self) {
        match self.fx().expiry.validity() {
            Some(d) if d <= SHORT_WINDOW_MAX => {
                tokio::time::sleep(d + Duration::from_millis(300)).await
            }
            _ => harness(
                "the token's validity is long or infinite; the scenario must ask for `with a short token validity`",
            ),
        }
    }

    // ---- When: refresh ----------------------------------------------------------------------

    /// A refresh as the seed documents it, with the last refresh token issued.
    pub async fn refresh(&mut self, carrier: Carrier) {
        let params = self.documented_params(RequestedGrant::RefreshToken);
        self.previous_access_token = self.issued.as_ref().map(|t| t.access_token.clone());
        let path = self.endpoint();
        self.send(&path, carrier, params).await;
        self.remember_if_issued();
    }

    /// Sends count + 2 refreshes of the same token at once; remembers how many issued a token.
    pub async fn refresh_concurrently(&mut self) {
        let Some(r) = self.fx().refresh else {
            harness("the fixture has no refresh; the scenario must ask for `refresh allowed`")
        };
        if r.count > MAX_REFRESH_COUNT {
            std::panic::panic_any(StepFailure::NotApplicable {
                needs: format!("a fixture with refresh count <= {MAX_REFRESH_COUNT}"),
            });
        }
        let params = self.documented_params(RequestedGrant::RefreshToken);
        let ctx = self.ctx();
        let req = TokenRequest {
            url: format!("{}{}", ctx.base_url, self.endpoint()),
            carrier: Carrier::Form,
            params,
            headers: Vec::new(),
        };
        let sends = (0..r.count + 2).map(|_| client::send(&ctx.http, &req, ctx.timeout()));
        let results = futures::future::join_all(sends).await;
        let mut issued = 0;
        for result in results {
            match result {
                Ok(ex) => {
                    if let Some(t) = ex.response.str_field("access_token") {
                        ctx.redactor.add(t);
                        issued += 1;
                    }
                    self.last = Some(ex);
                }
                Err(e) => harness(&ctx.redactor.redact(&e.to_string())),
            }
        }
        self.concurrent_issued = Some((issued, r.count));
    }

    /// At most Refresh Token Count of the concurrent refreshes issued a token.
    pub fn assert_refresh_count_held(&self) {
        let Some((issued, count)) = self.concurrent_issued else {
            harness(
                "no concurrent refreshes were sent: the scenario needs `When the client sends more refreshes at once than the policy allows`",
            )
        };
        if issued > count {
            self.fail(Violation::new(
                "concurrent refreshes of one token never exceed Refresh Token Count",
                format!(
                    "at most {count} tokens from {} simultaneous refreshes",
                    count + 2
                ),
                format!("{issued} tokens"),
            ));
        }
    }

    /// A refresh with the dash as `client_secret` where the seed requires the real secret.
    pub async fn refresh_with_dash(&mut self) {
        if self.fx().dash_applies(RequestedGrant::RefreshToken) {
            harness(
                "the seed documents the dash for this refresh; pick a fixture where it does not apply",
            );
        }
        let mut params = self.documented_params(RequestedGrant::RefreshToken);
        set(&mut params, "client_secret", "-");
        let path = self.endpoint();
        self.send(&path, Carrier::Form, params).await;
    }

    /// A refresh with a refresh token the target never issued.
    pub async fn refresh_with_unknown_token(&mut self) {
        let f = self.fx().clone();
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let params = vec![
            ("grant_type".into(), "refresh_token".into()),
            ("client_id".into(), f.client_id.clone()),
            (
                "client_secret".into(),
                f.documented_client_secret(RequestedGrant::RefreshToken)
                    .into(),
            ),
            (
                "refresh_token".into(),
                format!("tokenspec-never-issued-{nanos:x}"),
            ),
        ];
        let path = self.endpoint();
        self.send(&path, Carrier::Form, params).await;
    }

    /// Refreshes as many times as the fixture's count allows; each must issue a token.
    pub async fn use_every_refresh(&mut self) {
        let Some(r) = self.fx().refresh else {
            harness("the fixture has no refresh; the scenario must ask for `refresh allowed`")
        };
        if r.count > MAX_REFRESH_COUNT {
            std::panic::panic_any(StepFailure::NotApplicable {
                needs: format!("a fixture with refresh count <= {MAX_REFRESH_COUNT}"),
            });
        }
        for i in 1..=r.count {
            self.refresh(Carrier::Form).await;
            let resp = self.last_response();
            if let Err(v) =
                checks::status::status_is(resp, 200).and_then(|_| checks::body::token_fields(resp))
            {
                self.fail(Violation::new(
                    format!(
                        "refresh {i} of the {} the policy allows issues a token ({})",
                        r.count, v.rule
                    ),
                    v.expected,
                    v.actual,
                ));
            }
        }
    }

    /// Waits until the refresh window of the chosen fixture has passed.
    pub async fn wait_out_refresh_window(&mut self) {
        let Some(r) = self.fx().refresh else {
            harness(
                "the fixture has no refresh; the scenario must ask for `with a short refresh window`",
            )
        };
        if r.expires_in > SHORT_WINDOW_MAX {
            harness(
                "the refresh window is long; the scenario must ask for `with a short refresh window`",
            );
        }
        tokio::time::sleep(r.expires_in + Duration::from_millis(300)).await;
    }

    // ---- Then -------------------------------------------------------------------------------

    fn remember_if_issued(&mut self) {
        let resp = self.last_response();
        if resp.status == 200
            && let Ok(mut t) = checks::body::token_fields(resp)
        {
            // Issuers that do not rotate the refresh token omit it or repeat it (digest 9).
            if t.refresh_token.is_none() {
                t.refresh_token = self.issued.as_ref().and_then(|p| p.refresh_token.clone());
            }
            self.issued = Some(t);
        }
    }

    /// A token was issued: 200 and a valid token body.
    pub fn assert_issued(&mut self) -> TokenFields {
        let resp = self.last_response();
        self.check(
            checks::status::status_is(resp, 200).map_err(|v| {
                Violation::new("a token is issued (status 200)", v.expected, v.actual)
            }),
        );
        let fields = self.check(checks::body::token_fields(resp));
        self.remember_if_issued();
        fields
    }

    fn issued_fields(&mut self) -> TokenFields {
        let resp = self.last_response();
        match checks::body::token_fields(resp) {
            Ok(f) if resp.status == 200 => f,
            _ => self.assert_issued(),
        }
    }

    pub fn assert_token_type_exact(&mut self) {
        let f = self.issued_fields();
        self.check(checks::body::token_type_exact(&f));
    }

    pub fn assert_expires_in(&mut self) {
        let f = self.issued_fields();
        let fx = self.fx();
        let unit = self.ctx().profile.target.expires_in_unit;
        let expected = unit.expires_in(fx.expiry);
        self.check(checks::body::expires_in_is(&f, expected, unit.as_str()));
    }

    pub fn assert_refresh_token(&mut self, present: bool) {
        let f = self.issued_fields();
        match (present, &f.refresh_token) {
            (true, None) => self.fail(Violation::new(
                "the response of a refresh-enabled policy carries a refresh_token",
                "a refresh_token",
                "none",
            )),
            (false, Some(_)) => self.fail(Violation::new(
                "no refresh_token when refresh is off or the token is immortal (seed 1.1)",
                "no refresh_token",
                "a refresh_token",
            )),
            _ => {}
        }
    }

    /// The key to verify the fixture's tokens with.
    async fn key_source(&self, alg: JwtAlgorithm) -> KeySource {
        let ctx = self.ctx();
        let target = &ctx.profile.target;
        if alg.is_symmetric() {
            return match &target.hs_secret {
                Some(s) => KeySource::Secret(s.expose().as_bytes().to_vec()),
                None => {
                    harness("an HS* token needs `target.hs_secret` in the profile to be verified")
                }
            };
        }
        if let Some(pem) = &target.jwt_public_key_pem {
            return KeySource::Pem(pem.clone());
        }
        let mode = self.fx().managed_from;
        let mut cache = ctx.jwks.lock().await;
        if let Some(set) = cache.get(&mode) {
            return KeySource::Jwks((**set).clone());
        }
        let url = format!("{}{}/.well-known/jwks.json", ctx.base_url, mode.prefix());
        let ex = match client::get(&ctx.http, &url, ctx.timeout()).await {
            Ok(ex) => ex,
            Err(e) => harness(&e.to_string()),
        };
        let set: Result<JwkSet, String> = if ex.response.status == 200 {
            serde_json::from_str(&ex.response.body).map_err(|e| e.to_string())
        } else {
            Err(format!("status {}", ex.response.status))
        };
        match set {
            Ok(set) => {
                cache.insert(mode, Arc::new(set.clone()));
                KeySource::Jwks(set)
            }
            Err(why) => self.fail(Violation::new(
                format!(
                    "the target publishes its JWKS at {}/.well-known/jwks.json (digest 8)",
                    mode.prefix()
                ),
                "200 with {\"keys\": [...]}",
                why,
            )),
        }
    }

    /// The access token is a JWT whose signature verifies with an allowed algorithm.
    pub async fn assert_jwt_verified(&mut self) -> VerifiedJwt {
        if let Some(j) = &self.jwt {
            return j.clone();
        }
        let f = self.issued_fields();
        let ctx = self.ctx();
        let allowed = ctx.profile.target.allowed_algorithms.clone();
        let (alg, _) = self.check(checks::jwt::header(&f.access_token, &allowed));
        let keys = self.key_source(alg).await;
        let expected = self.fx().jwt_algorithm;
        let verified = self.check(checks::jwt::verify(
            &f.access_token,
            &allowed,
            expected,
            &keys,
        ));
        self.jwt = Some(verified.clone());
        verified
    }

    /// `iat` sane and `exp` = `iat` + validity (absent when immortal).
    pub async fn assert_jwt_times(&mut self) {
        let j = self.assert_jwt_verified().await;
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let iat = self.check(checks::jwt::iat_sane(&j.claims, now));
        let validity = self.fx().expiry.validity();
        self.check(checks::jwt::exp_matches(&j.claims, iat, validity));
    }

    /// `iss` is the principal (client id, or the username for `password`) or a gateway URL on
    /// the mode prefix (digest 11.3, 11.4); which one is noted.
    pub async fn assert_jwt_iss(&mut self) {
        let j = self.assert_jwt_verified().await;
        let f = self.fx().clone();
        let (principal, what) = match f.grant_type {
            GrantType::Password => match &self.user {
                Some(u) => (u.username.clone(), "username"),
                None => {
                    harness("no user authenticated yet: the scenario must request a token first")
                }
            },
            GrantType::ClientCredentials => (f.client_id.clone(), "client id"),
        };
        let form = self.check(checks::jwt::iss_is(
            &j.claims,
            &principal,
            what,
            f.managed_from.prefix(),
        ));
        if form == checks::jwt::IssForm::GatewayUrl {
            self.note("iss is a gateway URL (the API reference's form, digest 11.3), not the principal the screenshots show (11.4)".into());
        }
    }

    /// `aud` names the client: `#GW#` + client id or the client id in policy mode, the client
    /// id in ACL mode (digest 11.3 "usually the application key", 11.4); the form is noted.
    pub async fn assert_jwt_aud(&mut self) {
        let j = self.assert_jwt_verified().await;
        let f = self.fx().clone();
        let accepted = match f.managed_from {
            ManagedFrom::Policy => vec![format!("#GW#{}", f.client_id), f.client_id.clone()],
            ManagedFrom::Acl => vec![f.client_id.clone()],
        };
        let got = self.check(checks::jwt::aud_in(&j.claims, &accepted));
        if accepted.len() > 1 {
            self.note(format!("aud `{got}` (accepted: {})", accepted.join(", ")));
        }
    }

    /// The JWT carries a `jti`; remembers it for [`TokenWorld::assert_jti_unique`].
    pub async fn assert_jwt_jti(&mut self) -> String {
        let j = self.assert_jwt_verified().await;
        let jti = self.check(checks::jwt::jti(&j.claims));
        if !self.jtis.contains(&jti) {
            self.jtis.push(jti.clone());
        }
        jti
    }

    /// The current JWT's `jti` differs from every earlier one judged in the scenario.
    pub async fn assert_jti_unique(&mut self) {
        let j = self.assert_jwt_verified().await;
        let jti = self.check(checks::jwt::jti(&j.claims));
        if self.jtis.is_empty() {
            harness(
                "no earlier jti: the scenario must judge `the JWT carries a jti claim` on an earlier token",
            );
        }
        self.check(checks::jwt::jti_unique(&jti, &self.jtis));
        self.jtis.push(jti);
    }

    /// The header's `kid` names a key of the target's JWKS for the token's algorithm (digest 8).
    pub async fn assert_kid_in_jwks(&mut self) {
        let j = self.assert_jwt_verified().await;
        if self.ctx().profile.target.jwt_public_key_pem.is_some() {
            std::panic::panic_any(StepFailure::NotApplicable {
                needs: "a target whose published JWKS verifies its tokens (the profile sets target.jwt_public_key_pem instead)".into(),
            });
        }
        match self.key_source(j.alg).await {
            KeySource::Jwks(set) => {
                self.check(checks::jwt::kid_in_jwks(j.kid.as_deref(), j.alg, &set))
            }
            _ => std::panic::panic_any(StepFailure::NotApplicable {
                needs: "a fixture signed with a published key (RS*/ES*)".into(),
            }),
        }
    }

    pub fn assert_opaque(&mut self) {
        let f = self.issued_fields();
        if checks::jwt::is_jwt_shaped(&f.access_token) {
            self.fail(Violation::new(
                "an OAuth2 access token is opaque (digest 3.2)",
                "an opaque token",
                "a JWT",
            ));
        }
    }

    pub fn assert_new_access_token(&mut self) {
        let f = self.issued_fields();
        if self.previous_access_token.as_deref() == Some(f.access_token.as_str()) {
            self.fail(Violation::new(
                "a refresh issues a new access token (digest 9)",
                "a different access_token",
                "the same access_token as before the refresh",
            ));
        }
    }

    /// The scope granted equals the requested (held) role, in the body and, for a JWT, the claim.
    pub async fn assert_scope_granted(&mut self) {
        // "Ignore Request - Use All Scopes" grants every role held whatever was asked ([TMS],
        // digest 10.2); the other modes grant the requested held role.
        let want = match self.ctx().profile.target.scope_mismatch {
            tokenspec_profile::ScopeMismatch::All => {
                self.fx().principal_roles(self.user.as_ref()).to_vec()
            }
            _ => self.held_scope.clone().unwrap_or_default(),
        };
        let f = self.issued_fields();
        self.check(scope_equals(
            "the response's scope is the requested role (seed 1.3)",
            f.scope.as_deref(),
            &want,
        ));
        if self.fx().token == TokenKind::Jwt {
            let j = self.assert_jwt_verified().await;
            let claim = j.claims.get("scope").and_then(|s| s.as_str());
            self.check(scope_equals(
                "the JWT's scope claim is the requested role (digest 10.2)",
                claim,
                &want,
            ));
        }
    }

    /// A request for a held and an unheld role is handled as `target.scope_mismatch` says.
    pub async fn assert_scope_mismatch_handled(&mut self) {
        use tokenspec_profile::ScopeMismatch;
        let mode = self.ctx().profile.target.scope_mismatch;
        match mode {
            ScopeMismatch::Strict => {
                self.assert_refused_with(&["invalid_scope"], &[400, 401]);
            }
            ScopeMismatch::Intersection => {
                let want = self.held_scope.clone().unwrap_or_default();
                let f = self.assert_issued();
                self.check(scope_equals(
                    "scope is the intersection (scope_mismatch = intersection)",
                    f.scope.as_deref(),
                    &want,
                ));
            }
            ScopeMismatch::All => {
                let f = self.assert_issued();
                let want = self.fx().principal_roles(self.user.as_ref()).to_vec();
                self.check(scope_equals(
                    "scope is every role held (scope_mismatch = all)",
                    f.scope.as_deref(),
                    &want,
                ));
            }
        }
    }

    /// No token, a 4xx status.
    pub fn assert_refused(&self) {
        self.check(checks::status::refused(self.last_response()));
    }

    /// No token, a status from `statuses` (any 4xx when empty), an error code from `codes`
    /// (any code, but the documented error shape, when empty).
    pub fn assert_refused_with(&self, codes: &[&str], statuses: &[u16]) {
        let resp = self.last_response();
        self.check(checks::status::refused(resp));
        if !statuses.is_empty() {
            self.check(checks::status::status_in(resp, statuses));
        }
        if codes.is_empty() {
            self.check(checks::body::error_shape(resp));
        } else {
            self.check(checks::body::error_code_in(resp, codes));
        }
        if let Ok(code) = checks::body::error_shape(resp)
            && codes.len() > 1
        {
            self.note(format!("error `{code}` (accepted: {})", codes.join(", ")));
        }
    }

    pub fn assert_no_store(&self) {
        let resp = self.last_response();
        self.check(checks::headers::no_store(resp));
        self.check(checks::headers::pragma_no_cache(resp));
    }

    pub fn assert_json(&self) {
        self.check(checks::headers::json_content_type(self.last_response()));
    }

    /// An introspection answer for an active token of the introspecting client (digest 5).
    pub fn assert_introspection_active(&self) {
        let resp = self.last_response();
        self.check(checks::status::status_is(resp, 200));
        let caller = self.introspected_by.clone().unwrap_or_default();
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        self.check(checks::introspection::active(resp, &caller, now));
    }

    /// Exactly `{"active": false}` (digest 5).
    pub fn assert_introspection_inactive(&self) {
        let resp = self.last_response();
        self.check(checks::status::status_is(resp, 200));
        self.check(checks::introspection::inactive(resp));
    }

    /// The normalised response matches the stored snapshot `name`.
    pub fn assert_shape(&mut self, name: &str) {
        // A token response's expires_in is checked before the shape hides it.
        if self.last_response().status == 200 {
            self.assert_expires_in();
        }
        let ctx = self.ctx();
        let shape = checks::shape::normalise(self.last_response());
        for n in &shape.notes {
            self.note(n.clone());
        }
        if let Ok(mut obs) = ctx.observed.lock() {
            obs.push(ObservedShape {
                name: name.to_owned(),
                rendered: shape.rendered.clone(),
            });
        }
        let file = ctx.snapshots.path(name);
        match ctx.snapshots.load(name) {
            Ok(Some(stored)) => self.check(checks::shape::compare(
                name,
                &file,
                &stored,
                &shape.rendered,
            )),
            Ok(None) => harness(&format!(
                "snapshot `{name}` is not recorded ({} missing); record it from the reference issuer with `cargo insta test --test conformance --review` (see snapshots/README.md)",
                file.display()
            )),
            Err(e) => harness(&format!("cannot read snapshot {}: {e}", file.display())),
        }
    }
}

fn scope_equals(rule: &str, got: Option<&str>, want: &[String]) -> Result<(), Violation> {
    let mut got_set: Vec<&str> = got.unwrap_or_default().split_whitespace().collect();
    let mut want_set: Vec<&str> = want.iter().map(String::as_str).collect();
    got_set.sort_unstable();
    want_set.sort_unstable();
    if got_set == want_set {
        Ok(())
    } else {
        Err(Violation::new(
            rule,
            format!("\"{}\"", want_set.join(" ")),
            got.map_or_else(|| "no scope".to_owned(), |g| format!("\"{g}\"")),
        ))
    }
}

/// Replaces (or adds) a parameter.
pub fn set(params: &mut Vec<(String, String)>, name: &str, value: &str) {
    match params.iter_mut().find(|(k, _)| k == name) {
        Some((_, v)) => *v = value.to_owned(),
        None => params.push((name.to_owned(), value.to_owned())),
    }
}

/// Ends the step as a harness error.
pub fn harness(message: &str) -> ! {
    std::panic::panic_any(StepFailure::Harness {
        message: message.to_owned(),
    })
}
