//! From what a scenario needs to a fixture of the profile, or "not applicable".
//!
//! Scenarios never name fixture ids (DESIGN.md): a `Given` states requirements in the docs'
//! words ("a JWT policy managed from this policy with grant type password and refresh allowed"),
//! [`Requirement::parse`] turns that phrase into a typed [`Requirement`], and [`select`] picks a
//! fixture that satisfies it. When none does, [`NotApplicable::needs`] describes the fixture to
//! add to the profile, in profile syntax, so a skip always says how to make it run.
//!
//! The phrase grammar is closed: an unknown clause is an error found by the preflight
//! ([`crate::catalog`]) before anything runs, with the closest known clauses as suggestions.

use std::fmt;
use std::time::Duration;

use tokenspec_profile::{Expiry, Fixture, GrantType, KeyLevel, ManagedFrom, Profile, TokenKind};

/// The longest refresh window a "short refresh window" fixture may have: scenarios wait it out.
pub const SHORT_WINDOW_MAX: Duration = Duration::from_secs(3);

/// What a scenario needs from a fixture. `None` means "any".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Requirement {
    pub token: Option<TokenKind>,
    pub managed_from: Option<ManagedFrom>,
    pub grant: Option<GrantType>,
    pub key_level: Option<KeyLevel>,
    /// Token Refresh on (`Some(true)`) or off.
    pub refresh: Option<bool>,
    pub url_parameters: Option<bool>,
    /// Token Should Be Immortal on (`Some(true)`) or off.
    pub immortal: Option<bool>,
    /// Refresh on with a window of at most [`SHORT_WINDOW_MAX`].
    pub short_refresh_window: bool,
    /// A token validity of at most [`SHORT_WINDOW_MAX`].
    pub short_validity: bool,
    /// HS* (`Some(true)`) or a published-key algorithm.
    pub symmetric: Option<bool>,
    /// A short token validity and a refresh window at least [`LATE_REFRESH_MARGIN`] longer, so
    /// a refresh can be sent after the access token died and inside the window (digest 9).
    pub refresh_after_expiry: bool,
}

/// How much longer than the token validity the refresh window of a
/// "whose refresh window outlasts a short token validity" fixture must be: the scenario waits
/// the validity plus 300 ms, and the refresh must still land well inside the window.
pub const LATE_REFRESH_MARGIN: Duration = Duration::from_secs(2);

/// The clauses a requirement phrase may carry after "a JWT policy managed from this policy".
/// Shown in the step catalogue and used for suggestions.
pub const CLAUSES: &[&str] = &[
    "with grant type client_credentials",
    "with grant type password",
    "with refresh allowed",
    "without refresh",
    "whose key belongs to an API proxy",
    "whose key belongs to a proxy group",
    "whose key belongs to a policy group",
    "that allows URL parameters",
    "that does not allow URL parameters",
    "whose token never expires",
    "whose token expires",
    "with a short refresh window",
    "with a short token validity",
    "whose refresh window outlasts a short token validity",
    "signed with a shared secret",
    "signed with a published key",
];

/// A requirement phrase that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown requirement `{clause}`{}", suggest(.suggestions))]
pub struct RequirementError {
    pub clause: String,
    pub suggestions: Vec<String>,
}

fn suggest(s: &[String]) -> String {
    if s.is_empty() {
        String::new()
    } else {
        format!(" (did you mean: {}?)", s.join(" | "))
    }
}

impl Requirement {
    /// Parses the phrase of the fixture `Given` step: token kind, mode, then clauses joined by
    /// `and` or commas, e.g. `JWT`, `this policy`, `with grant type password and refresh allowed`.
    pub fn parse(token: &str, mode: &str, clauses: &str) -> Result<Requirement, RequirementError> {
        let mut r = Requirement {
            token: Some(match token {
                "JWT" => TokenKind::Jwt,
                "OAuth2" => TokenKind::Oauth2,
                other => return Err(err(other, &["JWT", "OAuth2"])),
            }),
            managed_from: Some(match mode {
                "this policy" => ManagedFrom::Policy,
                "ACL" => ManagedFrom::Acl,
                other => return Err(err(other, &["this policy", "ACL"])),
            }),
            ..Requirement::default()
        };
        let clauses = clauses.trim();
        if clauses.is_empty() {
            return Ok(r);
        }
        for raw in clauses.split(" and ").flat_map(|p| p.split(',')) {
            let c = raw.trim();
            if c.is_empty() {
                continue;
            }
            match c {
                "with grant type client_credentials" => {
                    r.grant = Some(GrantType::ClientCredentials)
                }
                "with grant type password" => r.grant = Some(GrantType::Password),
                "with refresh allowed" | "refresh allowed" => r.refresh = Some(true),
                "without refresh" | "refresh not allowed" => r.refresh = Some(false),
                "whose key belongs to an API proxy" => r.key_level = Some(KeyLevel::ApiProxy),
                "whose key belongs to a proxy group" => r.key_level = Some(KeyLevel::ProxyGroup),
                "whose key belongs to a policy group" => r.key_level = Some(KeyLevel::PolicyGroup),
                "that allows URL parameters" => r.url_parameters = Some(true),
                "that does not allow URL parameters" => r.url_parameters = Some(false),
                "whose token never expires" => r.immortal = Some(true),
                "whose token expires" => r.immortal = Some(false),
                "with a short refresh window" => {
                    r.short_refresh_window = true;
                    r.refresh = Some(true);
                }
                "with a short token validity" => {
                    r.short_validity = true;
                    r.immortal = Some(false);
                }
                "whose refresh window outlasts a short token validity" => {
                    r.refresh_after_expiry = true;
                    r.short_validity = true;
                    r.immortal = Some(false);
                    r.refresh = Some(true);
                }
                "signed with a shared secret" => r.symmetric = Some(true),
                "signed with a published key" => r.symmetric = Some(false),
                other => return Err(err(other, CLAUSES)),
            }
        }
        if r.key_level.is_some() && r.managed_from == Some(ManagedFrom::Acl) {
            return Err(RequirementError {
                clause: "whose key belongs to ... (a key level only exists when managed from this policy)".into(),
                suggestions: vec![],
            });
        }
        if r.symmetric.is_some() && r.token == Some(TokenKind::Oauth2) {
            return Err(RequirementError {
                clause: "signed with ... (only JWT policies sign tokens)".into(),
                suggestions: vec![],
            });
        }
        Ok(r)
    }

    /// Whether `f` satisfies every stated requirement.
    pub fn matches(&self, f: &Fixture) -> bool {
        let refresh_on = f.refresh.is_some();
        self.token.is_none_or(|t| f.token == t)
            && self.managed_from.is_none_or(|m| f.managed_from == m)
            && self.grant.is_none_or(|g| f.grant_type == g)
            && self.key_level.is_none_or(|k| f.key_level == Some(k))
            && self.refresh.is_none_or(|r| refresh_on == r)
            && self
                .url_parameters
                .is_none_or(|u| f.allow_url_parameters == u)
            && self
                .immortal
                .is_none_or(|i| (f.expiry == Expiry::Never) == i)
            && (!self.short_refresh_window
                || f.refresh.is_some_and(|r| r.expires_in <= SHORT_WINDOW_MAX))
            && (!self.short_validity || f.expiry.validity().is_some_and(|d| d <= SHORT_WINDOW_MAX))
            && (!self.refresh_after_expiry
                || f.expiry.validity().is_some_and(|d| {
                    f.refresh
                        .is_some_and(|r| r.expires_in >= d + LATE_REFRESH_MARGIN)
                }))
            && self
                .symmetric
                .is_none_or(|s| f.jwt_algorithm.is_some_and(|a| a.is_symmetric() == s))
    }

    /// How well `f` fits what was *not* asked for (lower is better): a scenario that did not ask
    /// for a short window must not get a 1 s token that may expire mid-scenario, and one that did
    /// not ask for HS* gets a published-key fixture, the common case.
    fn penalty(&self, f: &Fixture) -> u32 {
        let mut p = 0;
        let short = f
            .expiry
            .validity()
            .is_some_and(|d| d < Duration::from_secs(10))
            || f.refresh.is_some_and(|r| r.expires_in <= SHORT_WINDOW_MAX);
        if short && !self.short_refresh_window && !self.short_validity {
            p += 4;
        }
        if self.symmetric.is_none() && f.jwt_algorithm.is_some_and(|a| a.is_symmetric()) {
            p += 2;
        }
        p
    }
}

/// Capability tags a requirement implies, and what each means. A scenario carries the tags its
/// `Given` implies (with outline values substituted) besides those written on it, so `--tags
/// @jwt` can never lose a scenario that exercises JWT because someone forgot to tag it.
pub const CAPABILITY_TAGS: &[(&str, &str)] = &[
    ("jwt", "a JWT policy or credential"),
    ("oauth2", "an OAuth2 policy or credential"),
    ("policy", "managed from this policy (/auth/...)"),
    ("acl", "managed from ACL (/credential/...)"),
    ("client_credentials", "grant type client_credentials"),
    ("password", "grant type password"),
    ("refresh", "Token Refresh on, or a step that refreshes"),
    (
        "url_params",
        "Allow URL Parameters on, or a step that sends a GET with URL parameters",
    ),
    ("scope", "a step that requests or judges a scope"),
    ("immortal", "Token Should Be Immortal on"),
    ("api_proxy", "the key belongs to an API proxy"),
    ("proxy_group", "the key belongs to a proxy group"),
    ("policy_group", "the key belongs to a policy group"),
    ("shared_secret", "signed with a shared secret (HS*)"),
];

impl Requirement {
    /// The capability tags (without `@`) this requirement implies; see [`CAPABILITY_TAGS`].
    pub fn capability_tags(&self) -> Vec<&'static str> {
        let mut t = Vec::new();
        match self.token {
            Some(TokenKind::Jwt) => t.push("jwt"),
            Some(TokenKind::Oauth2) => t.push("oauth2"),
            None => {}
        }
        match self.managed_from {
            Some(ManagedFrom::Policy) => t.push("policy"),
            Some(ManagedFrom::Acl) => t.push("acl"),
            None => {}
        }
        match self.grant {
            Some(GrantType::ClientCredentials) => t.push("client_credentials"),
            Some(GrantType::Password) => t.push("password"),
            None => {}
        }
        if self.refresh == Some(true) || self.short_refresh_window || self.refresh_after_expiry {
            t.push("refresh");
        }
        if self.url_parameters == Some(true) {
            t.push("url_params");
        }
        if self.immortal == Some(true) {
            t.push("immortal");
        }
        match self.key_level {
            Some(KeyLevel::ApiProxy) => t.push("api_proxy"),
            Some(KeyLevel::ProxyGroup) => t.push("proxy_group"),
            Some(KeyLevel::PolicyGroup) => t.push("policy_group"),
            None => {}
        }
        if self.symmetric == Some(true) {
            t.push("shared_secret");
        }
        t
    }
}

fn err(clause: &str, known: &[&str]) -> RequirementError {
    RequirementError {
        clause: clause.to_owned(),
        suggestions: closest(clause, known, 3),
    }
}

/// The `n` entries of `known` closest to `text` (normalised Levenshtein), best first.
pub fn closest(text: &str, known: &[&str], n: usize) -> Vec<String> {
    let mut scored: Vec<(f64, &str)> = known
        .iter()
        .map(|k| (strsim::normalized_levenshtein(text, k), *k))
        .filter(|(s, _)| *s > 0.3)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    scored
        .into_iter()
        .take(n)
        .map(|(_, k)| k.to_owned())
        .collect()
}

/// No fixture of the profile fits; `needs` is the fixture that would.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotApplicable {
    pub needs: String,
}

impl fmt::Display for NotApplicable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not applicable: needs {}", self.needs)
    }
}

/// The best fixture of `profile` for `req`.
pub fn select<'p>(profile: &'p Profile, req: &Requirement) -> Result<&'p Fixture, NotApplicable> {
    profile
        .fixtures
        .iter()
        .enumerate()
        .filter(|(_, f)| req.matches(f))
        .min_by_key(|(i, f)| (req.penalty(f), *i))
        .map(|(_, f)| f)
        .ok_or_else(|| NotApplicable {
            needs: describe(req),
        })
}

/// The requirement in profile syntax: the `[[fixtures]]` keys a fixture needs to satisfy it.
pub fn describe(req: &Requirement) -> String {
    let mut keys: Vec<String> = Vec::new();
    if let Some(t) = req.token {
        keys.push(format!("token = \"{t}\""));
    }
    if let Some(m) = req.managed_from {
        keys.push(format!("managed_from = \"{m}\""));
    }
    if let Some(k) = req.key_level {
        keys.push(format!("key_level = \"{k}\""));
    }
    if let Some(g) = req.grant {
        keys.push(format!("grant_type = \"{g}\""));
    }
    if let Some(u) = req.url_parameters {
        keys.push(format!("allow_url_parameters = {u}"));
    }
    match req.immortal {
        Some(true) => keys.push("token_never_expires = true".into()),
        Some(false) => keys.push("token_never_expires = false".into()),
        None => {}
    }
    match (req.refresh, req.short_refresh_window) {
        (_, true) => keys.push(format!(
            "refresh = {{ allowed = true, expires_in <= \"{}s\" }}",
            SHORT_WINDOW_MAX.as_secs()
        )),
        (Some(true), _) => keys.push("refresh = { allowed = true, ... }".into()),
        (Some(false), _) => keys.push("no refresh".into()),
        (None, _) => {}
    }
    if req.refresh_after_expiry {
        keys.push(format!(
            "refresh.expires_in >= token_expires_in + {}s",
            LATE_REFRESH_MARGIN.as_secs()
        ));
    }
    if req.short_validity {
        keys.push(format!(
            "token_expires_in <= \"{}s\"",
            SHORT_WINDOW_MAX.as_secs()
        ));
    }
    match req.symmetric {
        Some(true) => keys.push("jwt_signature_algorithm = \"HS256\" (HS*)".into()),
        Some(false) => keys.push("jwt_signature_algorithm = \"RS256\" (RS*/ES*)".into()),
        None => {}
    }
    format!("a fixture with {}", keys.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference() -> Profile {
        Profile::reference()
    }

    #[test]
    fn the_briefs_phrase_parses() {
        let r = Requirement::parse(
            "JWT",
            "this policy",
            "with grant type password and refresh allowed",
        )
        .expect("parses");
        assert_eq!(r.token, Some(TokenKind::Jwt));
        assert_eq!(r.managed_from, Some(ManagedFrom::Policy));
        assert_eq!(r.grant, Some(GrantType::Password));
        assert_eq!(r.refresh, Some(true));
    }

    #[test]
    fn an_unknown_clause_names_the_closest_ones() {
        let e = Requirement::parse("JWT", "ACL", "with grant type pasword").expect_err("must fail");
        assert_eq!(
            e.suggestions.first().map(String::as_str),
            Some("with grant type password")
        );
    }

    #[test]
    fn key_level_in_acl_mode_is_an_error() {
        assert!(Requirement::parse("JWT", "ACL", "whose key belongs to a proxy group").is_err());
    }

    #[test]
    fn selection_avoids_short_fixtures_unless_asked() {
        let p = reference();
        let r = Requirement::parse(
            "JWT",
            "this policy",
            "with grant type password and refresh allowed",
        )
        .expect("parses");
        let f = select(&p, &r).expect("a fixture fits");
        assert!(
            f.expiry
                .validity()
                .is_some_and(|d| d >= Duration::from_secs(10)),
            "{}",
            f.id
        );
        let r = Requirement::parse("JWT", "this policy", "with a short refresh window")
            .expect("parses");
        let f = select(&p, &r).expect("a fixture fits");
        assert!(
            f.refresh.is_some_and(|x| x.expires_in <= SHORT_WINDOW_MAX),
            "{}",
            f.id
        );
    }

    #[test]
    fn a_late_refresh_needs_a_window_that_outlasts_the_token() {
        let r = Requirement::parse(
            "OAuth2",
            "ACL",
            "whose refresh window outlasts a short token validity",
        )
        .expect("parses");
        assert_eq!(r.capability_tags(), vec!["oauth2", "acl", "refresh"]);
        let p = reference();
        let f = select(&p, &r).expect("the reference profile has one");
        let validity = f.expiry.validity().expect("expires");
        let window = f.refresh.expect("refreshes").expires_in;
        assert!(validity <= SHORT_WINDOW_MAX, "{}", f.id);
        assert!(window >= validity + LATE_REFRESH_MARGIN, "{}", f.id);
        // The 1 s / 1 s short fixtures do not qualify.
        let mut short_only = reference();
        short_only
            .fixtures
            .retain(|f| f.id != "oauth2-acl-late-refresh");
        let na = select(&short_only, &r).expect_err("no late-refresh fixture");
        assert!(na.needs.contains("token_expires_in + 2s"), "{}", na.needs);
    }

    #[test]
    fn no_fit_names_the_fixture_that_would() {
        let p = reference();
        let r = Requirement::parse(
            "OAuth2",
            "ACL",
            "whose token never expires and that allows URL parameters",
        )
        .expect("parses");
        let na = select(&p, &r).expect_err("the reference profile has no such fixture");
        assert!(na.needs.contains("token = \"oauth2\""), "{}", na.needs);
        assert!(
            na.needs.contains("allow_url_parameters = true"),
            "{}",
            na.needs
        );
    }
}
