//! A discovered OIDC provider: its client (endpoints from discovery), its signing keys (the
//! JWKS, refetched when an ID token names a key id we do not know, at most once per
//! [`JWKS_REFETCH_INTERVAL`]) and what the login reads from its ID tokens.

use std::sync::RwLock;
use std::time::{Duration, Instant};

use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreErrorResponseType, CoreGenderClaim, CoreJsonWebKey,
    CoreJsonWebKeySet, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm,
    CoreProviderMetadata, CoreRevocableToken, CoreRevocationErrorResponse,
    CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AdditionalClaims, ClaimsVerificationError, Client, EmptyExtraTokenFields, EndpointMaybeSet,
    EndpointNotSet, EndpointSet, IdToken, IdTokenClaims, IdTokenFields, IdTokenVerifier, IssuerUrl,
    JsonWebKeySetUrl, Nonce, SignatureVerificationError, StandardErrorResponse,
    StandardTokenResponse,
};
use serde::{Deserialize, Serialize};

use super::config::ProviderSettings;

/// The ID token's claims beyond the standard ones (e.g. SPID's `fiscal_number`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ExtraClaims(pub serde_json::Map<String, serde_json::Value>);

impl AdditionalClaims for ExtraClaims {}

/// The token response: standard, with [`ExtraClaims`] in the ID token.
pub type TokenResponse = StandardTokenResponse<
    IdTokenFields<
        ExtraClaims,
        EmptyExtraTokenFields,
        CoreGenderClaim,
        CoreJweContentEncryptionAlgorithm,
        CoreJwsSigningAlgorithm,
    >,
    CoreTokenType,
>;

/// The client type of a discovered provider.
pub type OidcClient = Client<
    ExtraClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    TokenResponse,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// Verified ID-token claims.
pub type Claims = IdTokenClaims<ExtraClaims, CoreGenderClaim>;

/// An ID token as received (not yet verified).
pub type OidcIdToken = IdToken<
    ExtraClaims,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;

/// How long one request to a provider may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// The JWKS is refetched (on an unknown key id) at most once in this time per provider, so that
/// ID tokens with made-up key ids cannot make us hammer the provider.
pub const JWKS_REFETCH_INTERVAL: Duration = Duration::from_secs(60);

/// A provider ready for logins.
#[derive(Debug)]
pub struct Provider {
    /// The configured settings.
    pub settings: ProviderSettings,
    /// The client built from discovery (endpoints).
    pub client: OidcClient,
    /// The HTTP client for the token request (no redirects followed).
    pub http: reqwest::Client,
    /// The issuer, as discovered.
    issuer: IssuerUrl,
    /// Where the signing keys are published.
    jwks_uri: JsonWebKeySetUrl,
    /// The ID-token signing algorithms the provider announces.
    signing_algs: Vec<CoreJwsSigningAlgorithm>,
    /// The provider's signing keys, as last fetched.
    jwks: RwLock<CoreJsonWebKeySet>,
    /// When the JWKS was last refetched (held while refetching: concurrent logins wait).
    last_refetch: tokio::sync::Mutex<Option<Instant>>,
}

impl Provider {
    /// A verifier of ID tokens with the current keys: signature (announced algorithms only),
    /// issuer, audience, expiry.
    fn verifier(&self) -> IdTokenVerifier<'static, CoreJsonWebKey> {
        let jwks = self.jwks.read().unwrap_or_else(|e| e.into_inner()).clone();
        let (client_id, issuer) = (self.settings.client_id.clone(), self.issuer.clone());
        match self.settings.client_auth.secret() {
            Some(secret) => {
                IdTokenVerifier::new_confidential_client(client_id, secret.clone(), issuer, jwks)
            }
            None => IdTokenVerifier::new_public_client(client_id, issuer, jwks),
        }
        .set_allowed_algs(self.signing_algs.clone())
    }

    /// Verifies `id_token` (and its `nonce`). When it is signed with a key id we do not know, the
    /// JWKS is refetched (see [`Self::refetch_jwks`]) and the token checked once more.
    pub async fn verify<'t>(
        &self,
        id_token: &'t OidcIdToken,
        nonce: &Nonce,
    ) -> Result<&'t Claims, ClaimsVerificationError> {
        match id_token.claims(&self.verifier(), nonce) {
            Err(ClaimsVerificationError::SignatureVerification(
                SignatureVerificationError::NoMatchingKey,
            )) => {
                self.refetch_jwks(Instant::now()).await;
                id_token.claims(&self.verifier(), nonce)
            }
            other => other,
        }
    }

    /// Refetches the JWKS, unless it was refetched less than [`JWKS_REFETCH_INTERVAL`] before
    /// `now`. A failed fetch keeps the keys we have (and still counts for the interval).
    async fn refetch_jwks(&self, now: Instant) {
        let mut last = self.last_refetch.lock().await;
        if last.is_some_and(|t| now.saturating_duration_since(t) < JWKS_REFETCH_INTERVAL) {
            return;
        }
        *last = Some(now);
        match CoreJsonWebKeySet::fetch_async(&self.jwks_uri, &self.http).await {
            Ok(jwks) => {
                tracing::info!(
                    provider = %self.settings.name,
                    keys = jwks.keys().len(),
                    "OIDC provider keys refetched (unknown key id)"
                );
                *self.jwks.write().unwrap_or_else(|e| e.into_inner()) = jwks;
            }
            Err(e) => tracing::warn!(
                provider = %self.settings.name,
                error_kind = discovery_error_kind(&e),
                "OIDC provider keys could not be refetched"
            ),
        }
    }

    /// Whether the authentication level of verified `claims` is accepted: `Err` with an error
    /// kind (`acr_missing`, `acr_not_accepted`) when levels are configured and the token's `acr`
    /// is missing or not one of them.
    pub fn check_acr(&self, claims: &Claims) -> Result<(), &'static str> {
        let accepted = &self.settings.acr_values;
        if accepted.is_empty() {
            return Ok(());
        }
        match claims.auth_context_ref() {
            None => Err("acr_missing"),
            Some(acr) if accepted.iter().any(|a| a == acr.as_str()) => Ok(()),
            Some(_) => Err("acr_not_accepted"),
        }
    }

    /// The value of the configured subject claim in verified `claims`, if present and a
    /// non-empty string (or number).
    pub fn subject<'a>(&self, claims: &'a Claims) -> Option<std::borrow::Cow<'a, str>> {
        let claim = self.settings.subject_claim.as_str();
        let value = if claim == "sub" {
            Some(std::borrow::Cow::Borrowed(claims.subject().as_str()))
        } else {
            match claims.additional_claims().0.get(claim) {
                Some(serde_json::Value::String(s)) => Some(std::borrow::Cow::Borrowed(s.as_str())),
                Some(serde_json::Value::Number(n)) => Some(std::borrow::Cow::Owned(n.to_string())),
                _ => None,
            }
        };
        value.filter(|v| !v.is_empty())
    }
}

/// The HTTP client used for discovery and token requests: no redirects (SSRF), a timeout.
pub fn http_client() -> Result<reqwest::Client, reqwest::Error> {
    reqwest::ClientBuilder::new()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(REQUEST_TIMEOUT)
        .build()
}

/// Why discovery failed, as a kind safe to log.
pub fn discovery_error_kind<E: std::error::Error + 'static>(
    e: &openidconnect::DiscoveryError<E>,
) -> &'static str {
    use openidconnect::DiscoveryError as D;
    match e {
        D::Request(_) => "request",
        D::Response(..) => "http_status",
        D::Parse(_) => "parse",
        D::UrlParse(_) => "url",
        D::Validation(_) => "validation",
        D::Other(_) => "other",
        _ => "other",
    }
}

/// Discovers `settings.issuer` (metadata and JWKS) and builds the client.
pub async fn discover(
    settings: ProviderSettings,
    http: reqwest::Client,
) -> Result<Provider, &'static str> {
    let metadata = CoreProviderMetadata::discover_async(settings.issuer.clone(), &http)
        .await
        .map_err(|e| discovery_error_kind(&e))?;
    let issuer = metadata.issuer().clone();
    let jwks_uri = metadata.jwks_uri().clone();
    let signing_algs = metadata.id_token_signing_alg_values_supported().clone();
    let jwks = metadata.jwks().clone();
    // With `private_key_jwt` the client has no secret: oauth2 then sends `client_id` in the token
    // request's body, and the login adds the client assertion.
    let client = OidcClient::from_provider_metadata(
        metadata,
        settings.client_id.clone(),
        settings.client_auth.secret().cloned(),
    )
    .set_redirect_uri(settings.redirect_url.clone());
    Ok(Provider {
        settings,
        client,
        http,
        issuer,
        jwks_uri,
        signing_algs,
        jwks: RwLock::new(jwks),
        last_refetch: tokio::sync::Mutex::new(None),
    })
}
