//! The login routes: `GET /v1/oidc/providers`, `GET /v1/oidc/{name}/start` and
//! `GET /v1/oidc/{name}/callback`.
//!
//! Start answers 303 to the provider's authorization endpoint (state, nonce, PKCE S256, the
//! configured `acr_values`) and sets the short-lived `sportello_oidc` cookie that binds the
//! attempt to this browser. The callback takes the attempt (once), exchanges the code with the
//! PKCE verifier (authenticating with the client secret or a `private_key_jwt` assertion),
//! verifies the ID token, checks its authentication level (`acr`), finds the linked account,
//! admits it and opens a staff session; every failure answers 303 to
//! `/accesso?errore=CODE`. Every outcome is audited as `session.login`; logs carry the provider
//! name and an error kind only, never the subject or any other claim.

use std::time::Instant;

use axum::Json;
use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use openidconnect::core::CoreAuthenticationFlow;
use openidconnect::{
    AuthenticationContextClass, AuthorizationCode, CsrfToken, Nonce, PkceCodeChallenge,
    PkceCodeVerifier, Scope as OidcScope, TokenResponse as _,
};
use serde::{Deserialize, Serialize};

use super::client_auth::{ClientAuth, JWT_BEARER};
use super::pending::{LIFETIME, Pending, StateError};
use super::provider::Provider;
use crate::api::ApiCode;
use crate::api::{AppError, ClientAddr, PathParams, QueryParams};
use crate::audit::RequestId;
use crate::identity::Identity;
use crate::identity::service::accounts::{self, AdmitError};
use crate::identity::service::oidc_links::{account_for, subject_hash};
use crate::identity::service::sessions;
use crate::identity::session::{cookie_value, random_token, set_cookie};

/// The cookie that binds a login attempt to the browser that started it.
pub const OIDC_COOKIE: &str = "sportello_oidc";
/// Where failures go: the login page, which shows an Italian text per `errore` code.
pub const LOGIN_PAGE: &str = "/accesso";

/// A provider as listed for the login page.
#[derive(Debug, Serialize, ts_rs::TS)]
#[ts(rename = "OidcProvider")]
pub struct ProviderInfo {
    /// URL slug (`/v1/oidc/{name}/start`).
    pub name: String,
    /// Button text, e.g. "Entra con SPID".
    pub label: String,
}

/// `GET /v1/oidc/providers`: the providers available for login (discovered at startup).
pub async fn providers(State(state): State<Identity>) -> Json<Vec<ProviderInfo>> {
    Json(
        state
            .oidc
            .configured()
            .filter(|c| c.provider.is_some())
            .map(|c| ProviderInfo {
                name: c.name.clone(),
                label: c.label.clone(),
            })
            .collect(),
    )
}

/// `start` query.
#[derive(Debug, Deserialize)]
pub struct StartQuery {
    torna: Option<String>,
}

/// Whether `path` is a same-origin path to return to: starts with one `/` (not `//` or `/\`),
/// at most 512 bytes, printable ASCII only.
pub fn safe_return_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && !path.starts_with("/\\")
        && path.len() <= 512
        && path.bytes().all(|b| b.is_ascii_graphic())
}

fn unknown_provider() -> AppError {
    AppError::new(
        StatusCode::NOT_FOUND,
        ApiCode::UnknownProvider,
        "no such OIDC provider",
    )
}

fn provider(state: &Identity, name: &str) -> Result<std::sync::Arc<Provider>, AppError> {
    let configured = state.oidc.get(name).ok_or_else(unknown_provider)?;
    configured.provider.clone().ok_or_else(|| {
        AppError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ApiCode::ProviderUnavailable,
            "this OIDC provider is not available now",
        )
    })
}

/// A browser-binding value we issued: 43 characters of URL-safe base64.
fn valid_binding(v: &str) -> bool {
    v.len() == 43
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// `GET /v1/oidc/{name}/start?torna=/path`: 303 to the provider.
pub async fn start(
    State(state): State<Identity>,
    PathParams(name): PathParams<String>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    query: Result<QueryParams<StartQuery>, AppError>,
) -> Result<Response, AppError> {
    let provider = provider(&state, &name)?;
    let torna = query
        .ok()
        .and_then(|QueryParams(q)| q.torna)
        .filter(|t| safe_return_path(t));
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = provider.client.authorize_url(
        CoreAuthenticationFlow::AuthorizationCode,
        CsrfToken::new_random,
        Nonce::new_random,
    );
    for scope in provider.settings.scopes.iter().filter(|s| *s != "openid") {
        request = request.add_scope(OidcScope::new(scope.clone()));
    }
    for acr in &provider.settings.acr_values {
        request = request.add_auth_context_value(AuthenticationContextClass::new(acr.clone()));
    }
    let (url, csrf, nonce) = request.set_pkce_challenge(challenge).url();
    // One binding per browser: a second tab's attempt keeps the first one's valid.
    let browser = cookie_value(&headers, OIDC_COOKIE)
        .filter(|v| valid_binding(v))
        .unwrap_or_else(random_token);
    state.oidc.pending.insert(
        csrf.secret().clone(),
        Pending {
            provider: name,
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
            torna,
            browser: browser.clone(),
            created: Instant::now(),
        },
        client,
        Instant::now(),
    );
    let location = HeaderValue::from_str(url.as_str()).map_err(|_| {
        AppError::new(
            StatusCode::BAD_GATEWAY,
            ApiCode::OidcFailed,
            "bad provider URL",
        )
    })?;
    let cookie = format!(
        "{OIDC_COOKIE}={browser}; Path=/v1/oidc/; HttpOnly; Secure; SameSite=Lax; Max-Age={}",
        LIFETIME.as_secs()
    );
    Ok((
        StatusCode::SEE_OTHER,
        [
            (LOCATION, location),
            (SET_COOKIE, HeaderValue::from_str(&cookie).expect("ASCII")),
            (CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
    )
        .into_response())
}

/// `callback` query (providers may add more parameters, e.g. `iss`).
#[derive(Debug, Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// Why a login failed: the `errore` code of the login page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Failure {
    Oidc(&'static str),
    State(StateError),
    NotLinked,
    /// The authentication level (`acr`) is missing or not accepted: the error kind.
    Acr(&'static str),
    /// The account may not act now: [`AdmitError::code`] (`account_revoked`, …).
    Refused(&'static str),
}

impl Failure {
    fn code(self) -> &'static str {
        match self {
            Self::Oidc(_) => "oidc_failed",
            Self::State(_) => "oidc_state",
            Self::NotLinked => "oidc_not_linked",
            Self::Acr(_) => "oidc_acr",
            Self::Refused(code) => code,
        }
    }

    fn kind(self) -> &'static str {
        match self {
            Self::Oidc(kind) => kind,
            Self::State(StateError::Unknown) => "state_unknown",
            Self::State(StateError::Expired) => "state_expired",
            Self::State(StateError::OtherBrowser) => "state_other_browser",
            Self::State(StateError::OtherProvider) => "state_other_provider",
            Self::NotLinked => "not_linked",
            Self::Acr(kind) => kind,
            Self::Refused(code) => code,
        }
    }
}

fn redirect(location: &str, cookie: Option<String>) -> Response {
    let mut response = (
        StatusCode::SEE_OTHER,
        [(CACHE_CONTROL, HeaderValue::from_static("no-store"))],
    )
        .into_response();
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(location) {
        h.insert(LOCATION, v);
    }
    if let Some(c) = cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
        h.insert(SET_COOKIE, c);
    }
    response
}

/// `GET /v1/oidc/{name}/callback?code&state` (or `?error=`): 303 to `torna` with a session
/// cookie, or to `/accesso?errore=CODE`.
pub async fn callback(
    State(state): State<Identity>,
    PathParams(name): PathParams<String>,
    rid: RequestId,
    headers: HeaderMap,
    query: Result<QueryParams<CallbackQuery>, AppError>,
) -> Result<Response, AppError> {
    let provider = provider(&state, &name)?;
    match login(&state, &provider, &headers, query).await {
        Ok((account, torna)) => {
            let token = sessions::start(&state, &rid, &account).await?;
            tracing::info!(provider = %name, "OIDC login");
            Ok(redirect(
                torna.as_deref().unwrap_or("/"),
                Some(set_cookie(&token)),
            ))
        }
        Err((failure, account)) => {
            tracing::info!(
                provider = %name,
                error_kind = failure.kind(),
                "OIDC login refused"
            );
            sessions::refused_account(&state, &rid, account.as_deref()).await;
            Ok(redirect(
                &format!("{LOGIN_PAGE}?errore={}", failure.code()),
                None,
            ))
        }
    }
}

/// The callback's checks, in order; on failure also the linked account, when known.
async fn login(
    state: &Identity,
    provider: &Provider,
    headers: &HeaderMap,
    query: Result<QueryParams<CallbackQuery>, AppError>,
) -> Result<(crate::identity::Principal, Option<String>), (Failure, Option<String>)> {
    let fail = |f| (f, None);
    let Ok(QueryParams(q)) = query else {
        return Err(fail(Failure::Oidc("bad_query")));
    };
    let browser = cookie_value(headers, OIDC_COOKIE);
    // The state is taken first, so that it is used up whatever happens next.
    let pending = match q.state.as_deref() {
        Some(s) => state.oidc.pending.take(
            s,
            &provider.settings.name,
            browser.as_deref(),
            Instant::now(),
        ),
        None => Err(StateError::Unknown),
    };
    if q.error.is_some() {
        return Err(fail(Failure::Oidc("provider_error")));
    }
    let pending = pending.map_err(|e| fail(Failure::State(e)))?;
    let code = q
        .code
        .filter(|c| !c.is_empty())
        .ok_or_else(|| fail(Failure::Oidc("missing_code")))?;
    let mut request = provider
        .client
        .exchange_code(AuthorizationCode::new(code))
        .map_err(|_| fail(Failure::Oidc("no_token_endpoint")))?
        .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier));
    if let ClientAuth::PrivateKeyJwt(key) = &provider.settings.client_auth {
        let audience = provider
            .client
            .token_uri()
            .ok_or_else(|| fail(Failure::Oidc("no_token_endpoint")))?;
        let assertion = key
            .assertion(
                provider.settings.client_id.as_str(),
                audience.as_str(),
                chrono::Utc::now().timestamp(),
            )
            .map_err(|_| fail(Failure::Oidc("client_assertion")))?;
        request = request
            .add_extra_param("client_assertion_type", JWT_BEARER)
            .add_extra_param("client_assertion", assertion);
    }
    let response = request
        .request_async(&provider.http)
        .await
        .map_err(|e| fail(Failure::Oidc(token_error_kind(&e))))?;
    let id_token = response
        .id_token()
        .ok_or_else(|| fail(Failure::Oidc("no_id_token")))?;
    let nonce = Nonce::new(pending.nonce);
    let claims = provider
        .verify(id_token, &nonce)
        .await
        .map_err(|e| fail(Failure::Oidc(claims_error_kind(&e))))?;
    provider
        .check_acr(claims)
        .map_err(|kind| fail(Failure::Acr(kind)))?;
    let subject = provider
        .subject(claims)
        .ok_or_else(|| fail(Failure::Oidc("missing_subject_claim")))?;
    let hash = subject_hash(
        state.signalling.token_key(),
        &provider.settings.name,
        &subject,
    );
    let account = account_for(state.store.db(), &provider.settings.name, &hash)
        .await
        .map_err(|_| fail(Failure::Oidc("database")))?
        .ok_or_else(|| fail(Failure::NotLinked))?;
    match accounts::admit(state, &account).await {
        Ok(principal) => Ok((principal, pending.torna)),
        Err(e) => {
            let failure = match e {
                AdmitError::Unknown => Failure::NotLinked,
                AdmitError::Db(_) => Failure::Oidc("database"),
                refused => Failure::Refused(refused.code().as_str()),
            };
            Err((failure, Some(account)))
        }
    }
}

fn token_error_kind<RE: std::error::Error + 'static, T: openidconnect::ErrorResponse>(
    e: &openidconnect::RequestTokenError<RE, T>,
) -> &'static str {
    use openidconnect::RequestTokenError as R;
    match e {
        R::ServerResponse(_) => "token_error_response",
        R::Request(_) => "token_request",
        R::Parse(..) => "token_parse",
        R::Other(_) => "token_other",
    }
}

fn claims_error_kind(e: &openidconnect::ClaimsVerificationError) -> &'static str {
    use openidconnect::ClaimsVerificationError as C;
    match e {
        C::Expired(_) => "id_token_expired",
        C::InvalidAudience(_) => "id_token_audience",
        C::InvalidAuthContext(_) => "id_token_acr",
        C::InvalidAuthTime(_) => "id_token_auth_time",
        C::InvalidIssuer(_) => "id_token_issuer",
        C::InvalidNonce(_) => "id_token_nonce",
        C::InvalidSubject(_) => "id_token_subject",
        C::SignatureVerification(_) => "id_token_signature",
        C::Unsupported(_) => "id_token_unsupported",
        _ => "id_token_other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn return_paths_are_same_origin_only() {
        for ok in ["/", "/operatore", "/agenda?giorno=2026-11-23#x"] {
            assert!(safe_return_path(ok), "{ok}");
        }
        for bad in [
            "",
            "operatore",
            "//evil.example",
            "/\\evil.example",
            "https://evil.example/",
            "/a b",
            "/a\r\nSet-Cookie: x=1",
            &"/x".repeat(300),
        ] {
            assert!(!safe_return_path(bad), "{bad:?}");
        }
    }
}
