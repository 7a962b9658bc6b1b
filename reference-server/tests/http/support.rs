//! Shared helpers: start an issuer on 127.0.0.1:0, send forms, read JSON, verify JWTs.

use std::time::Duration;

use base64::Engine as _;
use reference_server::{Options, ServerHandle};
use reqwest::header::HeaderMap;
use serde_json::Value;
use tokenspec_profile::{Fixture, Profile, RequestedGrant};

/// A running issuer and a client for it.
pub struct Issuer {
    pub handle: Option<ServerHandle>,
    pub http: reqwest::Client,
    pub url: String,
    pub profile: Profile,
}

/// A response, fully read.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Reply {
    pub fn error(&self) -> &str {
        self.body["error"].as_str().unwrap_or("<no error field>")
    }

    pub fn access_token(&self) -> &str {
        self.body["access_token"]
            .as_str()
            .unwrap_or_else(|| panic!("no access_token in {}", self.text))
    }

    pub fn refresh_token(&self) -> &str {
        self.body["refresh_token"]
            .as_str()
            .unwrap_or_else(|| panic!("no refresh_token in {}", self.text))
    }

    /// Asserts status and error code, and the headers every token-endpoint answer carries.
    #[track_caller]
    pub fn assert_error(&self, status: u16, error: &str) {
        assert_eq!(
            (self.status, self.error()),
            (status, error),
            "body: {}",
            self.text
        );
        assert!(
            self.body["error_description"].is_string(),
            "no error_description: {}",
            self.text
        );
        self.assert_no_store();
    }

    #[track_caller]
    pub fn assert_ok(&self) {
        assert_eq!(self.status, 200, "body: {}", self.text);
        assert_eq!(self.body["token_type"], "Bearer", "body: {}", self.text);
        self.assert_no_store();
    }

    #[track_caller]
    pub fn assert_no_store(&self) {
        let h = |name: &str| self.headers.get(name).and_then(|v| v.to_str().ok());
        assert_eq!(h("content-type"), Some("application/json"), "{}", self.text);
        assert_eq!(h("cache-control"), Some("no-store"), "{}", self.text);
        assert_eq!(h("pragma"), Some("no-cache"), "{}", self.text);
    }
}

pub async fn start(profile: Profile) -> Issuer {
    start_with(profile, Options::default()).await
}

pub async fn start_with(profile: Profile, options: Options) -> Issuer {
    let handle = reference_server::start_with_options(
        profile.clone(),
        "127.0.0.1:0".parse().unwrap(),
        options,
    )
    .await
    .expect("issuer starts");
    wrap(handle, profile)
}

pub fn wrap(handle: ServerHandle, profile: Profile) -> Issuer {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let url = handle.base_url();
    Issuer {
        handle: Some(handle),
        http,
        url,
        profile,
    }
}

pub async fn reference() -> Issuer {
    start(Profile::reference()).await
}

/// Parses an inline profile (tests build small ones).
pub fn profile(toml: &str) -> Profile {
    Profile::from_toml_str(toml, "inline.toml").expect("inline profile is valid")
}

pub async fn read(response: reqwest::Response) -> Reply {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Reply {
        status,
        headers,
        body,
        text,
    }
}

impl Issuer {
    pub fn handle(&self) -> &ServerHandle {
        self.handle.as_ref().expect("an in-process issuer")
    }

    pub fn fixture(&self, id: &str) -> &Fixture {
        self.profile
            .fixture(id)
            .unwrap_or_else(|| panic!("fixture {id}"))
    }

    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Reply {
        read(
            self.http
                .post(format!("{}{path}", self.url))
                .form(form)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    pub async fn post_raw(&self, path: &str, content_type: Option<&str>, body: Vec<u8>) -> Reply {
        let mut req = self.http.post(format!("{}{path}", self.url)).body(body);
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        read(req.send().await.unwrap()).await
    }

    pub async fn get(&self, path: &str, query: &[(&str, &str)]) -> Reply {
        read(
            self.http
                .get(format!("{}{path}", self.url))
                .query(query)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    /// Acquires a token from `fixture` the way the seed documents (its grant, documented secret,
    /// its first user), with optional extra parameters.
    pub async fn acquire(&self, id: &str, extra: &[(&str, &str)]) -> Reply {
        let form = self.acquire_form(id, extra);
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        self.post(&self.fixture(id).endpoint_path(), &form).await
    }

    pub fn acquire_form(&self, id: &str, extra: &[(&str, &str)]) -> Vec<(&'static str, String)> {
        let f = self.fixture(id);
        let grant = RequestedGrant::from(f.grant_type);
        let mut form: Vec<(&'static str, String)> = vec![
            ("grant_type", grant.as_str().to_owned()),
            ("client_id", f.client_id.clone()),
            (
                "client_secret",
                f.documented_client_secret(grant).to_owned(),
            ),
        ];
        if grant == RequestedGrant::Password {
            let u = &f.users[0];
            form.push(("username", u.username.clone()));
            form.push(("password", u.password.expose().to_owned()));
        }
        for (k, v) in extra {
            let k: &'static str = Box::leak(k.to_string().into_boxed_str());
            form.push((k, v.to_string()));
        }
        form
    }

    /// One refresh of `refresh_token` at fixture `id`, with the documented secret.
    pub async fn refresh(&self, id: &str, refresh_token: &str) -> Reply {
        let f = self.fixture(id);
        self.post(
            &f.endpoint_path(),
            &[
                ("grant_type", "refresh_token"),
                ("client_id", &f.client_id),
                (
                    "client_secret",
                    f.documented_client_secret(RequestedGrant::RefreshToken),
                ),
                ("refresh_token", refresh_token),
            ],
        )
        .await
    }

    /// Introspects `token` as fixture `id`.
    pub async fn introspect(&self, id: &str, token: &str) -> Reply {
        let f = self.fixture(id);
        self.post(
            &format!("{}/introspect", f.managed_from.prefix()),
            &[
                ("token", token),
                ("client_id", &f.client_id),
                ("client_secret", f.client_secret.expose()),
            ],
        )
        .await
    }

    /// Verifies a JWT's signature with the issuer's JWKS (or the HS secret) and returns
    /// (header, claims).
    pub async fn verify_jwt(&self, jwt: &str, prefix: &str) -> (Value, Value) {
        let header = jsonwebtoken::decode_header(jwt).expect("JWT header");
        let alg = header.alg;
        let key = if matches!(
            alg,
            jsonwebtoken::Algorithm::HS256
                | jsonwebtoken::Algorithm::HS384
                | jsonwebtoken::Algorithm::HS512
        ) {
            let secret = self.profile.target.hs_secret.as_ref().unwrap();
            jsonwebtoken::DecodingKey::from_secret(secret.expose().as_bytes()).unwrap()
        } else {
            let jwks = self
                .get(&format!("{prefix}/.well-known/jwks.json"), &[])
                .await;
            let kid = header.kid.clone().expect("kid in header");
            let jwk = jwks.body["keys"]
                .as_array()
                .unwrap()
                .iter()
                .find(|k| k["kid"] == kid.as_str())
                .unwrap_or_else(|| panic!("kid {kid} in JWKS {}", jwks.text))
                .clone();
            let jwk: jsonwebtoken::jwk::Jwk = serde_json::from_value(jwk).unwrap();
            jsonwebtoken::DecodingKey::from_jwk(&jwk).unwrap()
        };
        let mut validation = jsonwebtoken::Validation::new(alg);
        validation.validate_aud = false;
        validation.required_spec_claims.clear();
        let data = jsonwebtoken::decode::<Value>(jwt, &key, &validation).expect("valid JWT");
        let header_json: Value = serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(jwt.split('.').next().unwrap())
                .unwrap(),
        )
        .unwrap();
        (header_json, data.claims)
    }
}

/// A client for an issuer running elsewhere (the binary), without a handle.
pub fn wrap_url(url: &str, profile: Profile) -> Issuer {
    Issuer {
        handle: None,
        http: reqwest::Client::new(),
        url: url.to_owned(),
        profile,
    }
}

/// The top-level keys of a flat JSON object, in the order they appear in the text
/// (`serde_json::Value` sorts them).
pub fn key_order(text: &str) -> Vec<String> {
    let mut keys = Vec::new();
    let mut de = serde_json::Deserializer::from_str(text);
    struct Keys<'a>(&'a mut Vec<String>);
    impl<'de> serde::de::Visitor<'de> for Keys<'_> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            while let Some((k, _)) = map.next_entry::<String, serde::de::IgnoredAny>()? {
                self.0.push(k);
            }
            Ok(())
        }
    }
    serde::Deserializer::deserialize_map(&mut de, Keys(&mut keys)).expect("a JSON object");
    keys
}
