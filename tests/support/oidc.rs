//! A small OpenID Connect provider inside the test process (axum on 127.0.0.1:0): discovery,
//! a JWKS with one RSA key (2048 bits, generated once per test binary; [`TestProvider::rotate`]
//! replaces it by another with a new key id), `/authorize` (a code bound to the client, redirect
//! URI, nonce and PKCE challenge; the `acr_values` asked are recorded) and `/token` (client
//! authentication by `client_secret_basic` or by a `private_key_jwt` assertion checked against
//! our client's registered public key: signature, `iss`/`sub`, `aud`, expiry, `jti` used once;
//! then the code once, the PKCE verifier; answers an RS256-signed ID token).
//!
//! What the next ID token looks like is set with [`TestProvider::set`] ([`Token`]): its claims,
//! its audience, its expiry, its nonce, its `acr`, or a signature by another key (a forgery,
//! with the JWKS's key id or another).

#![allow(dead_code)]

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use rsa::RsaPrivateKey;
use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::pkcs8::{EncodePrivateKey as _, LineEnding};
use rsa::signature::{SignatureEncoding as _, Signer as _, Verifier as _};
use rsa::traits::PublicKeyParts as _;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

/// Our client at the test provider.
pub const CLIENT_ID: &str = "sportello-test";
pub const CLIENT_SECRET: &str = "test-secret-0123456789";
/// The key id in the JWKS (a forgery uses it too, with another key).
const KID: &str = "test-key-1";
/// The key id of the provider's key after [`TestProvider::rotate`].
pub const ROTATED_KID: &str = "test-key-2";
/// The key id of our client's public key, as registered at the provider (`private_key_jwt`).
pub const CLIENT_KID: &str = "rp-key-1";
/// The `client_assertion_type` of `private_key_jwt`.
const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// SPID's (and CIE OIDC's) authentication levels.
pub const SPID_L1: &str = "https://www.spid.gov.it/SpidL1";
pub const SPID_L2: &str = "https://www.spid.gov.it/SpidL2";
pub const SPID_L3: &str = "https://www.spid.gov.it/SpidL3";

fn key(slot: usize) -> &'static RsaPrivateKey {
    static KEYS: [OnceLock<RsaPrivateKey>; 4] = [
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
    ];
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

/// The provider's signing key after [`TestProvider::rotate`].
pub fn rotated_key() -> &'static RsaPrivateKey {
    key(2)
}

/// Our client's private key for `private_key_jwt` (its public key is registered at the provider).
pub fn client_key() -> &'static RsaPrivateKey {
    key(3)
}

/// `key` as a PKCS#8 PEM file's text.
pub fn pem(key: &RsaPrivateKey) -> String {
    key.to_pkcs8_pem(LineEnding::LF).unwrap().to_string()
}

/// A compact RS256 JWT of `claims` signed with `key`, with key id `kid`.
pub fn sign_jwt_with_kid(key: &RsaPrivateKey, kid: &str, claims: &Value) -> String {
    let header = json!({"alg": "RS256", "typ": "JWT", "kid": kid});
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let signer = SigningKey::<Sha256>::new(key.clone());
    let signature = signer.sign(input.as_bytes()).to_bytes();
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

/// A compact RS256 JWT of `claims` signed with `key`, with the JWKS's first key id.
pub fn sign_jwt(key: &RsaPrivateKey, claims: &Value) -> String {
    sign_jwt_with_kid(key, KID, claims)
}

/// Providers that authenticate with `private_key_jwt` (append to [`write_config_with`]):
/// `spid-l2` (our client key, SPID level 2 or 3 required, subject claim `fiscal_number`) and
/// `chiave-errata` (a key the provider does not know, under the registered key id).
pub const PRIVATE_KEY_JWT_PROVIDERS: &str = r#"
[[provider]]
name = "spid-l2"
label = "Entra con SPID (livello 2)"
issuer = "{issuer}"
client_id = "{client_id}"
client_auth = "private_key_jwt"
private_key_file = "rp.key"
key_id = "{client_kid}"
redirect_url = "http://127.0.0.1/v1/oidc/spid-l2/callback"
subject_claim = "fiscal_number"
acr_values = ["{l2}", "{l3}"]

[[provider]]
name = "chiave-errata"
label = "Entra con una chiave sbagliata"
issuer = "{issuer}"
client_id = "{client_id}"
client_auth = "private_key_jwt"
private_key_file = "wrong.key"
key_id = "{client_kid}"
redirect_url = "http://127.0.0.1/v1/oidc/chiave-errata/callback"
subject_claim = "fiscal_number"
"#;

/// Writes an OIDC config with provider `spid` (subject claim `fiscal_number`), `cie` (subject
/// `sub`), both at `issuer`, and `rotto` (an issuer nobody answers at); returns its path.
pub fn write_config(issuer: &str) -> std::path::PathBuf {
    write_config_with(issuer, "")
}

/// [`write_config`] followed by `extra` providers (`{issuer}`, `{client_id}`, `{client_kid}`,
/// `{l2}` and `{l3}` replaced); the directory also holds `rp.key` ([`client_key`]) and
/// `wrong.key` ([`forger_key`]).
pub fn write_config_with(issuer: &str, extra: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("sportello-oidc-{:x}", rand::random::<u64>()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("cie.secret"), format!("{CLIENT_SECRET}\n")).unwrap();
    std::fs::write(dir.join("rp.key"), pem(client_key())).unwrap();
    std::fs::write(dir.join("wrong.key"), pem(forger_key())).unwrap();
    let extra = extra
        .replace("{issuer}", issuer)
        .replace("{client_id}", CLIENT_ID)
        .replace("{client_kid}", CLIENT_KID)
        .replace("{l2}", SPID_L2)
        .replace("{l3}", SPID_L3);
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
{extra}"#
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
    /// The key id in the header (default: the provider's current one).
    pub kid: Option<String>,
    /// The `acr` claim (default: none).
    pub acr: Option<String>,
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
            kid: None,
            acr: None,
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
    /// Signing with [`rotated_key`] (after [`TestProvider::rotate`]).
    rotated: AtomicBool,
    /// `GET /jwks` requests answered.
    jwks_fetches: AtomicUsize,
    /// The `acr_values` of the last authorization request.
    acr_values: Mutex<Option<String>>,
    /// The `jti` of the client assertions accepted.
    jtis: Mutex<HashSet<String>>,
    /// Token requests authenticated with a client assertion.
    assertions: AtomicUsize,
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
            rotated: AtomicBool::new(false),
            jwks_fetches: AtomicUsize::new(0),
            acr_values: Mutex::new(None),
            jtis: Mutex::new(HashSet::new()),
            assertions: AtomicUsize::new(0),
        });
        // Every key before serving: a key made inside a request would stall it.
        let _ = (provider_key(), forger_key(), rotated_key(), client_key());
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

    /// Rotates the signing key: from now on the ID tokens are signed with [`rotated_key`] under
    /// [`ROTATED_KID`], and the JWKS publishes only that key.
    pub fn rotate(&self) {
        self.inner.rotated.store(true, Ordering::SeqCst);
    }

    /// How many times the JWKS was fetched.
    pub fn jwks_fetches(&self) -> usize {
        self.inner.jwks_fetches.load(Ordering::SeqCst)
    }

    /// The `acr_values` of the last authorization request (`None`: not sent).
    pub fn last_acr_values(&self) -> Option<String> {
        self.inner.acr_values.lock().unwrap().clone()
    }

    /// How many token requests were authenticated by a client assertion.
    pub fn assertions_accepted(&self) -> usize {
        self.inner.assertions.load(Ordering::SeqCst)
    }

    /// The token endpoint (the audience of client assertions).
    pub fn token_endpoint(&self) -> String {
        format!("{}/token", self.inner.issuer)
    }
}

impl Inner {
    /// The current signing key and its key id.
    fn signing(&self) -> (&'static RsaPrivateKey, &'static str) {
        if self.rotated.load(Ordering::SeqCst) {
            (rotated_key(), ROTATED_KID)
        } else {
            (provider_key(), KID)
        }
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
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
        "acr_values_supported": [SPID_L1, SPID_L2, SPID_L3],
        "code_challenge_methods_supported": ["S256"],
        "scopes_supported": ["openid", "profile"]
    }))
}

async fn jwks(State(p): State<Arc<Inner>>) -> Json<Value> {
    p.jwks_fetches.fetch_add(1, Ordering::SeqCst);
    let (key, kid) = p.signing();
    let public = key.to_public_key();
    Json(json!({"keys": [{
        "kty": "RSA",
        "use": "sig",
        "alg": "RS256",
        "kid": kid,
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
    *p.acr_values.lock().unwrap() = q.get("acr_values").cloned();
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
    if let Err(why) = client_authentication(&p, &headers, &form) {
        return refuse(&p, why);
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
    if let Some(acr) = &t.acr {
        claims["acr"] = acr.clone().into();
    }
    let (key, kid) = p.signing();
    let key = if t.forged { forger_key() } else { key };
    let kid = t.kid.as_deref().unwrap_or(kid);
    Json(json!({
        "access_token": format!("at-{:032x}", rand::random::<u128>()),
        "token_type": "Bearer",
        "expires_in": 300,
        "id_token": sign_jwt_with_kid(key, kid, &claims),
    }))
    .into_response()
}

/// Checks the token request's client authentication: HTTP Basic with our secret, or (with
/// `client_assertion_type`) a `private_key_jwt` assertion, with no Basic header beside it.
fn client_authentication(
    p: &Inner,
    headers: &HeaderMap,
    form: &HashMap<String, String>,
) -> Result<(), &'static str> {
    let authorization = headers.get("authorization").and_then(|v| v.to_str().ok());
    let Some(kind) = form.get("client_assertion_type") else {
        let basic = format!(
            "Basic {}",
            STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"))
        );
        return match authorization {
            Some(v) if v == basic => Ok(()),
            _ => Err("client_auth"),
        };
    };
    if kind != JWT_BEARER || authorization.is_some() {
        return Err("client_auth");
    }
    if form.get("client_id").is_some_and(|c| c != CLIENT_ID) {
        return Err("client_auth");
    }
    let assertion = form
        .get("client_assertion")
        .ok_or("client_assertion_format")?;
    check_assertion(p, assertion)?;
    p.assertions.fetch_add(1, Ordering::SeqCst);
    Ok(())
}

/// Checks a client assertion against our client's registered key ([`client_key`] under
/// [`CLIENT_KID`], RS256): signature, `iss` = `sub` = the client id, `aud` the token endpoint,
/// `exp` in the future and at most 5 minutes after `iat`, a `jti` never seen before.
fn check_assertion(p: &Inner, jwt: &str) -> Result<(), &'static str> {
    let parts: Vec<&str> = jwt.split('.').collect();
    let [header, payload, signature] = parts[..] else {
        return Err("client_assertion_format");
    };
    let json = |s: &str| -> Option<Value> {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(s).ok()?).ok()
    };
    let (Some(header_json), Some(claims), Ok(signature)) = (
        json(header),
        json(payload),
        URL_SAFE_NO_PAD.decode(signature),
    ) else {
        return Err("client_assertion_format");
    };
    if header_json["alg"] != "RS256" || header_json["kid"] != CLIENT_KID {
        return Err("client_assertion_key");
    }
    let verifying = VerifyingKey::<Sha256>::new(client_key().to_public_key());
    let signature =
        Signature::try_from(signature.as_slice()).map_err(|_| "client_assertion_signature")?;
    verifying
        .verify(format!("{header}.{payload}").as_bytes(), &signature)
        .map_err(|_| "client_assertion_signature")?;
    if claims["iss"] != CLIENT_ID || claims["sub"] != CLIENT_ID {
        return Err("client_assertion_issuer");
    }
    let audience = format!("{}/token", p.issuer);
    let aud_ok = match &claims["aud"] {
        Value::String(a) => *a == audience,
        Value::Array(a) => a.iter().any(|a| *a == audience),
        _ => false,
    };
    if !aud_ok {
        return Err("client_assertion_audience");
    }
    let now = chrono::Utc::now().timestamp();
    let (Some(iat), Some(exp)) = (claims["iat"].as_i64(), claims["exp"].as_i64()) else {
        return Err("client_assertion_expiry");
    };
    if exp <= now || exp - iat > 300 || iat > now + 5 {
        return Err("client_assertion_expiry");
    }
    let jti = claims["jti"].as_str().filter(|j| !j.is_empty());
    let Some(jti) = jti else {
        return Err("client_assertion_replay");
    };
    if !p.jtis.lock().unwrap().insert(jti.to_owned()) {
        return Err("client_assertion_replay");
    }
    Ok(())
}
