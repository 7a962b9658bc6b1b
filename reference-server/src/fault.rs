//! Fault switches for the fault-matrix tests (issue 4): each field of [`Faults`] turns exactly
//! one rule of the issuer off, so a test can prove the suite notices. The public struct exists
//! only with the `faults` feature; without it [`Faults`] is a private zero-sized type whose
//! [`Faults::on`] is a constant `false`, so the shipped binary has no way to misbehave and the
//! checks compile away.

/// The rules a fault can switch off (names match the [`Faults`] fields).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fault {
    RefreshCountUnenforced,
    RefreshWindowIgnored,
    DashRefused,
    DashAcceptedEverywhere,
    ModePrefixUnchecked,
    ScopeUnchecked,
    Oauth2OldTokenSurvivesRefresh,
    GetAlwaysAllowed,
    GrantTypeUnchecked,
    TokenKindUnchecked,
}

/// One switch per rule; `Default` is every rule enforced.
#[cfg(feature = "faults")]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Faults {
    /// Refreshes beyond `refresh.count` succeed.
    pub refresh_count_unenforced: bool,
    /// Refreshes after the refresh window succeed (and closed windows are not purged).
    pub refresh_window_ignored: bool,
    /// The seed's dash is refused where it applies (policy-mode JWT password/refresh).
    pub dash_refused: bool,
    /// The dash is accepted as the secret on every endpoint and grant.
    pub dash_accepted_everywhere: bool,
    /// A client id works on the other mode's prefix (`/auth` vs `/credential`).
    pub mode_prefix_unchecked: bool,
    /// Strict scope mode grants any requested scope.
    pub scope_unchecked: bool,
    /// An OAuth2 refresh leaves the previous opaque access token alive.
    pub oauth2_old_token_survives_refresh: bool,
    /// GET with URL parameters works even where the fixture does not allow it.
    pub get_always_allowed: bool,
    /// A grant the fixture was not defined with is served anyway.
    pub grant_type_unchecked: bool,
    /// A JWT fixture works on `.../token` and an OAuth2 fixture on `.../jwt`.
    pub token_kind_unchecked: bool,
}

#[cfg(feature = "faults")]
impl Faults {
    /// Every rule enforced.
    pub(crate) fn none() -> Faults {
        Faults::default()
    }

    /// Whether `fault` is switched on.
    pub(crate) fn on(&self, fault: Fault) -> bool {
        match fault {
            Fault::RefreshCountUnenforced => self.refresh_count_unenforced,
            Fault::RefreshWindowIgnored => self.refresh_window_ignored,
            Fault::DashRefused => self.dash_refused,
            Fault::DashAcceptedEverywhere => self.dash_accepted_everywhere,
            Fault::ModePrefixUnchecked => self.mode_prefix_unchecked,
            Fault::ScopeUnchecked => self.scope_unchecked,
            Fault::Oauth2OldTokenSurvivesRefresh => self.oauth2_old_token_survives_refresh,
            Fault::GetAlwaysAllowed => self.get_always_allowed,
            Fault::GrantTypeUnchecked => self.grant_type_unchecked,
            Fault::TokenKindUnchecked => self.token_kind_unchecked,
        }
    }
}

/// Without the `faults` feature: no switches, every rule enforced.
#[cfg(not(feature = "faults"))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Faults;

#[cfg(not(feature = "faults"))]
impl Faults {
    /// Every rule enforced (the only possibility in this build).
    pub(crate) fn none() -> Faults {
        Faults
    }

    /// Always `false`: the rules cannot be switched off in this build.
    #[inline(always)]
    pub(crate) fn on(&self, _fault: Fault) -> bool {
        false
    }
}
