//! The `faults` feature: each switch turns exactly one rule off and leaves every other rule
//! enforced. The fault-matrix tests of the suite (issue 4) rely on that.

use std::time::Duration;

use reference_server::Faults;
use tokenspec_profile::Profile;

use crate::support::{self, Issuer};

const EXTRA: &str = r#"
[[fixtures]]
id = "window"
token = "jwt"
managed_from = "acl"
grant_type = "client_credentials"
client_id = "window-key"
client_secret = "window-secret"
token_expires_in = "100ms"
refresh = { allowed = true, count = 5, expires_in = "200ms" }
"#;

fn profile() -> Profile {
    let text = format!("{}\n{EXTRA}", tokenspec_profile::REFERENCE_PROFILE_TOML);
    Profile::from_toml_str(&text, "reference+window").unwrap()
}

/// One probe per rule: `true` when the rule held.
async fn probes(issuer: &Issuer) -> Vec<(&'static str, bool)> {
    let mut out = Vec::new();

    let first = issuer.acquire("jwt-acl-cc", &[]).await;
    let mut last = 0;
    for _ in 0..3 {
        last = issuer
            .refresh("jwt-acl-cc", first.refresh_token())
            .await
            .status;
    }
    out.push(("refresh_count_unenforced", last == 400));

    let first = issuer.acquire("window", &[]).await;
    tokio::time::sleep(Duration::from_millis(250)).await;
    let late = issuer.refresh("window", first.refresh_token()).await;
    out.push(("refresh_window_ignored", late.status == 400));

    let dash = issuer
        .post(
            "/auth/jwt",
            &[
                ("grant_type", "password"),
                ("client_id", "jwt-policy-proxy-password-key"),
                ("client_secret", "-"),
                ("username", "alice"),
                ("password", "alice-pw-1"),
            ],
        )
        .await;
    out.push(("dash_refused", dash.status == 200));

    let dash = issuer
        .post(
            "/credential/jwt",
            &[
                ("grant_type", "client_credentials"),
                ("client_id", "jwt-acl-cc-key"),
                ("client_secret", "-"),
            ],
        )
        .await;
    out.push(("dash_accepted_everywhere", dash.status == 401));

    let form = issuer.acquire_form("jwt-acl-cc", &[]);
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let prefix = issuer.post("/auth/jwt", &form).await;
    out.push(("mode_prefix_unchecked", prefix.status == 401));

    let scope = issuer
        .acquire("jwt-policy-proxy-cc", &[("scope", "admin")])
        .await;
    out.push(("scope_unchecked", scope.status == 400));

    let first = issuer.acquire("oauth2-acl-cc", &[]).await;
    issuer.refresh("oauth2-acl-cc", first.refresh_token()).await;
    let old = issuer
        .introspect("oauth2-acl-cc", first.access_token())
        .await;
    out.push((
        "oauth2_old_token_survives_refresh",
        old.body["active"] == false,
    ));

    let get_form = form_of(issuer, "jwt-policy-proxy-cc");
    let get_form: Vec<(&str, &str)> = get_form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let get = issuer.get("/auth/jwt", &get_form).await;
    out.push(("get_always_allowed", get.status == 405));

    let g = issuer.fixture("oauth2-acl-password");
    let grant = issuer
        .post(
            "/credential/token",
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &g.client_id),
                ("client_secret", g.client_secret.expose()),
            ],
        )
        .await;
    out.push(("grant_type_unchecked", grant.status == 400));

    let kind = issuer.post("/credential/token", &form).await;
    out.push(("token_kind_unchecked", kind.status == 401));
    out
}

fn form_of(issuer: &Issuer, id: &str) -> Vec<(&'static str, String)> {
    issuer.acquire_form(id, &[])
}

fn faults_with(name: &str) -> Faults {
    let mut f = Faults::default();
    let flag = match name {
        "refresh_count_unenforced" => &mut f.refresh_count_unenforced,
        "refresh_window_ignored" => &mut f.refresh_window_ignored,
        "dash_refused" => &mut f.dash_refused,
        "dash_accepted_everywhere" => &mut f.dash_accepted_everywhere,
        "mode_prefix_unchecked" => &mut f.mode_prefix_unchecked,
        "scope_unchecked" => &mut f.scope_unchecked,
        "oauth2_old_token_survives_refresh" => &mut f.oauth2_old_token_survives_refresh,
        "get_always_allowed" => &mut f.get_always_allowed,
        "grant_type_unchecked" => &mut f.grant_type_unchecked,
        "token_kind_unchecked" => &mut f.token_kind_unchecked,
        other => panic!("unknown fault {other}"),
    };
    *flag = true;
    f
}

async fn run(faults: Faults) -> Vec<(&'static str, bool)> {
    let profile = profile();
    let handle = reference_server::start_with_faults(
        profile.clone(),
        "127.0.0.1:0".parse().unwrap(),
        faults,
    )
    .await
    .unwrap();
    let issuer = support::wrap(handle, profile);
    probes(&issuer).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_fault_breaks_exactly_its_rule() {
    let healthy = run(Faults::default()).await;
    assert!(
        healthy.iter().all(|(_, held)| *held),
        "without faults every rule holds: {healthy:?}"
    );
    let names: Vec<&str> = healthy.iter().map(|(n, _)| *n).collect();
    let results = futures::future::join_all(
        names
            .iter()
            .map(|name| async move { (*name, run(faults_with(name)).await) }),
    )
    .await;
    for (name, probes) in results {
        for (rule, held) in probes {
            assert_eq!(
                held,
                rule != name,
                "fault {name}: rule {rule} should {}",
                if rule == name { "break" } else { "hold" }
            );
        }
    }
}
