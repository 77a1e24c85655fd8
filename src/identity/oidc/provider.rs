//! A discovered OIDC provider: its client (endpoints and JWKS from discovery) and what the login
//! reads from its ID tokens.

use std::time::Duration;

use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreErrorResponseType, CoreGenderClaim, CoreJsonWebKey,
    CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm, CoreProviderMetadata,
    CoreRevocableToken, CoreRevocationErrorResponse, CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AdditionalClaims, Client, EmptyExtraTokenFields, EndpointMaybeSet, EndpointNotSet, EndpointSet,
    IdTokenClaims, IdTokenFields, StandardErrorResponse, StandardTokenResponse,
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

/// How long one request to a provider may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// A provider ready for logins.
#[derive(Debug)]
pub struct Provider {
    /// The configured settings.
    pub settings: ProviderSettings,
    /// The client built from discovery (endpoints, JWKS).
    pub client: OidcClient,
    /// The HTTP client for the token request (no redirects followed).
    pub http: reqwest::Client,
}

impl Provider {
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
    let client = OidcClient::from_provider_metadata(
        metadata,
        settings.client_id.clone(),
        Some(settings.client_secret.clone()),
    )
    .set_redirect_uri(settings.redirect_url.clone());
    Ok(Provider {
        settings,
        client,
        http,
    })
}
