//! A small OpenID Connect provider inside the test process (axum on 127.0.0.1:0): discovery,
//! a JWKS with one RSA key (2048 bits, generated once per test binary), `/authorize` (a code
//! bound to the client, redirect URI, nonce and PKCE challenge) and `/token` (client
//! authentication, the code once, the PKCE verifier; answers an RS256-signed ID token).
//!
//! What the next ID token looks like is set with [`TestProvider::set`] ([`Token`]): its claims,
//! its audience, its expiry, its nonce, or a signature by another key (a forgery).

#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock};

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use rsa::RsaPrivateKey;
use rsa::pkcs1v15::SigningKey;
use rsa::signature::{SignatureEncoding as _, Signer as _};
use rsa::traits::PublicKeyParts as _;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

/// Our client at the test provider.
pub const CLIENT_ID: &str = "sportello-test";
pub const CLIENT_SECRET: &str = "test-secret-0123456789";
/// The key id in the JWKS (a forgery uses it too, with another key).
const KID: &str = "test-key-1";

fn key(slot: usize) -> &'static RsaPrivateKey {
    static KEYS: [OnceLock<RsaPrivateKey>; 2] = [OnceLock::new(), OnceLock::new()];
    KEYS[slot].get_or_init(|| {
        let mut rng = rsa::rand_core::OsRng;
        RsaPrivateKey::new(&mut rng, 2048).expect("an RSA key")
    })
}

/// The provider's signing key.
pub fn provider_key() -> &'static RsaPrivateKey {
    key(0)
}

/// Another key, for forgeries.
pub fn forger_key() -> &'static RsaPrivateKey {
    key(1)
}

/// A compact RS256 JWT of `claims` signed with `key`.
pub fn sign_jwt(key: &RsaPrivateKey, claims: &Value) -> String {
    let header = json!({"alg": "RS256", "typ": "JWT", "kid": KID});
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let signer = SigningKey::<Sha256>::new(key.clone());
    let signature = signer.sign(input.as_bytes()).to_bytes();
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

/// Writes an OIDC config with provider `spid` (subject claim `fiscal_number`), `cie` (subject
/// `sub`), both at `issuer`, and `rotto` (an issuer nobody answers at); returns its path.
pub fn write_config(issuer: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("sportello-oidc-{:x}", rand::random::<u64>()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("cie.secret"), format!("{CLIENT_SECRET}\n")).unwrap();
    let text = format!(
        r#"
[[provider]]
name = "spid"
label = "Entra con SPID"
issuer = "{issuer}"
client_id = "{CLIENT_ID}"
client_secret = "{CLIENT_SECRET}"
redirect_url = "http://127.0.0.1/v1/oidc/spid/callback"
scopes = ["openid", "profile"]
subject_claim = "fiscal_number"

[[provider]]
name = "cie"
label = "Entra con CIE"
issuer = "{issuer}"
client_id = "{CLIENT_ID}"
client_secret_file = "cie.secret"
redirect_url = "http://127.0.0.1/v1/oidc/cie/callback"

[[provider]]
name = "rotto"
label = "Entra con un fornitore spento"
issuer = "http://127.0.0.1:1"
client_id = "x"
client_secret = "y"
redirect_url = "http://127.0.0.1/v1/oidc/rotto/callback"
"#
    );
    let path = dir.join("oidc.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// How the next ID token is made.
#[derive(Debug, Clone)]
pub struct Token {
    /// The `sub` claim.
    pub sub: String,
    /// Further claims (e.g. `fiscal_number`, `name`).
    pub extra: Value,
    /// The audience (default: our client id).
    pub aud: Option<String>,
    /// The issuer (default: the provider's).
    pub iss: Option<String>,
    /// Seconds from now to expiry (default 300; negative = already expired).
    pub expires_in: i64,
    /// Replaces the nonce of the authorization request.
    pub nonce: Option<String>,
    /// Signed by another key than the JWKS's.
    pub forged: bool,
}

impl Token {
    /// A good token for a person with `sub` and codice fiscale `fiscal_number`.
    pub fn person(sub: &str, fiscal_number: &str) -> Self {
        Self {
            sub: sub.to_owned(),
            extra: json!({
                "fiscal_number": fiscal_number,
                "given_name": "Mario",
                "family_name": "Rossi",
                "email": "mario.rossi@example.org"
            }),
            aud: None,
            iss: None,
            expires_in: 300,
            nonce: None,
            forged: false,
        }
    }
}

#[derive(Debug)]
struct Grant {
    redirect_uri: String,
    nonce: String,
    challenge: String,
    token: Token,
}

#[derive(Debug)]
struct Inner {
    issuer: String,
    next: Mutex<Token>,
    codes: Mutex<HashMap<String, Grant>>,
    /// Token requests refused (bad client, code or verifier).
    refused: Mutex<Vec<&'static str>>,
}

/// The running provider.
#[derive(Debug, Clone)]
pub struct TestProvider {
    pub addr: SocketAddr,
    inner: Arc<Inner>,
}

impl TestProvider {
    /// Starts the provider on a free loopback port.
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let inner = Arc::new(Inner {
            issuer: format!("http://{addr}"),
            next: Mutex::new(Token::person("opaque-sub-1", "RSSMRA80A01H501U")),
            codes: Mutex::new(HashMap::new()),
            refused: Mutex::new(Vec::new()),
        });
        // Both keys before serving: a key made inside a request would stall it.
        let _ = (provider_key(), forger_key());
        let app = Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/jwks", get(jwks))
            .route("/authorize", get(authorize))
            .route("/token", post(token))
            .with_state(inner.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { addr, inner }
    }

    /// The issuer URL.
    pub fn issuer(&self) -> String {
        self.inner.issuer.clone()
    }

    /// Sets how the next ID tokens are made.
    pub fn set(&self, token: Token) {
        *self.inner.next.lock().unwrap() = token;
    }

    /// The token requests refused so far, by reason.
    pub fn refused(&self) -> Vec<&'static str> {
        self.inner.refused.lock().unwrap().clone()
    }
}

async fn discovery(State(p): State<Arc<Inner>>) -> Json<Value> {
    let i = &p.issuer;
    Json(json!({
        "issuer": i,
        "authorization_endpoint": format!("{i}/authorize"),
        "token_endpoint": format!("{i}/token"),
        "jwks_uri": format!("{i}/jwks"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic"],
        "code_challenge_methods_supported": ["S256"],
        "scopes_supported": ["openid", "profile"]
    }))
}

async fn jwks() -> Json<Value> {
    let public = provider_key().to_public_key();
    Json(json!({"keys": [{
        "kty": "RSA",
        "use": "sig",
        "alg": "RS256",
        "kid": KID,
        "n": URL_SAFE_NO_PAD.encode(public.n().to_bytes_be()),
        "e": URL_SAFE_NO_PAD.encode(public.e().to_bytes_be()),
    }]}))
}

async fn authorize(
    State(p): State<Arc<Inner>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let get = |k: &str| q.get(k).cloned().unwrap_or_default();
    if get("client_id") != CLIENT_ID
        || get("response_type") != "code"
        || get("code_challenge_method") != "S256"
        || get("code_challenge").is_empty()
        || get("nonce").is_empty()
        || get("state").is_empty()
        || !get("scope").split(' ').any(|s| s == "openid")
    {
        return (StatusCode::BAD_REQUEST, "bad authorization request").into_response();
    }
    let code = format!("code-{:032x}", rand::random::<u128>());
    let redirect_uri = get("redirect_uri");
    p.codes.lock().unwrap().insert(
        code.clone(),
        Grant {
            redirect_uri: redirect_uri.clone(),
            nonce: get("nonce"),
            challenge: get("code_challenge"),
            token: p.next.lock().unwrap().clone(),
        },
    );
    let mut location = url::Url::parse(&redirect_uri).unwrap();
    location
        .query_pairs_mut()
        .append_pair("code", &code)
        .append_pair("state", &get("state"));
    (
        StatusCode::SEE_OTHER,
        [(axum::http::header::LOCATION, location.to_string())],
    )
        .into_response()
}

fn refuse(p: &Inner, why: &'static str) -> Response {
    p.refused.lock().unwrap().push(why);
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"error": "invalid_grant", "error_description": why})),
    )
        .into_response()
}

async fn token(
    State(p): State<Arc<Inner>>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let basic = format!(
        "Basic {}",
        STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"))
    );
    if headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v != basic)
    {
        return refuse(&p, "client_auth");
    }
    if form.get("grant_type").map(String::as_str) != Some("authorization_code") {
        return refuse(&p, "grant_type");
    }
    let Some(grant) = form
        .get("code")
        .and_then(|c| p.codes.lock().unwrap().remove(c))
    else {
        return refuse(&p, "code");
    };
    if form.get("redirect_uri") != Some(&grant.redirect_uri) {
        return refuse(&p, "redirect_uri");
    }
    let verifier = form.get("code_verifier").cloned().unwrap_or_default();
    if URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) != grant.challenge {
        return refuse(&p, "pkce");
    }
    let t = grant.token;
    let now = chrono::Utc::now().timestamp();
    let mut claims = json!({
        "iss": t.iss.clone().unwrap_or_else(|| p.issuer.clone()),
        "sub": t.sub,
        "aud": t.aud.clone().unwrap_or_else(|| CLIENT_ID.to_owned()),
        "iat": now,
        "exp": now + t.expires_in,
        "nonce": t.nonce.clone().unwrap_or(grant.nonce),
    });
    if let (Some(c), Some(extra)) = (claims.as_object_mut(), t.extra.as_object()) {
        c.extend(extra.clone());
    }
    let key = if t.forged {
        forger_key()
    } else {
        provider_key()
    };
    Json(json!({
        "access_token": format!("at-{:032x}", rand::random::<u128>()),
        "token_type": "Bearer",
        "expires_in": 300,
        "id_token": sign_jwt(key, &claims),
    }))
    .into_response()
}
