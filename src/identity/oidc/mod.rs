//! Staff login through OpenID Connect providers (SPID and CIE are reached through such a
//! provider): authorization code flow with state, nonce and PKCE (S256), ID tokens checked by
//! `openidconnect`'s verifier (JWKS signature, issuer, audience, expiry, nonce).
//!
//! - [`config`]: the provider file named by `--oidc-config`.
//! - [`client_auth`]: `client_secret_basic` or `private_key_jwt` at the token endpoint.
//! - [`provider`]: discovery (metadata + JWKS), the client of one provider, the JWKS refetched
//!   on an unknown key id (rate-limited), the accepted authentication levels (`acr`).
//! - [`pending`]: login attempts in flight (state → nonce, PKCE verifier, return path).
//! - [`routes`]: `GET /v1/oidc/providers`, `GET /v1/oidc/{name}/start`,
//!   `GET /v1/oidc/{name}/callback`.
//! - [`links`]: which person (provider + hashed subject) may act as which staff account, and
//!   `POST /v1/identity/oidc-links`, `DELETE /v1/identity/oidc-links/{provider}/{account}`.
//!
//! The person's subject value (which may be a codice fiscale) is never stored, logged or
//! audited: only its hash is kept, in `staff_oidc_links`.

pub mod client_auth;
pub mod config;
pub mod links;
pub mod pending;
pub mod provider;
pub mod routes;

use std::sync::Arc;

use config::ProviderSettings;
use pending::PendingLogins;
use provider::Provider;

/// A configured provider: discovered (ready) or not.
#[derive(Debug)]
pub struct Configured {
    /// URL slug.
    pub name: String,
    /// Button text.
    pub label: String,
    /// The discovered provider; `None` when discovery failed at startup.
    pub provider: Option<Arc<Provider>>,
}

/// The OIDC providers and the logins in flight.
#[derive(Debug, Default)]
pub struct Oidc {
    providers: Vec<Configured>,
    /// Login attempts in flight.
    pub pending: PendingLogins,
}

impl Oidc {
    /// Discovers every configured provider (concurrently). A provider that fails is logged (its
    /// name and the error kind) and kept as unavailable; it does not stop the server.
    pub async fn start(settings: Vec<ProviderSettings>) -> anyhow::Result<Self> {
        let http = provider::http_client()?;
        let found = futures_util::future::join_all(settings.into_iter().map(|s| {
            let http = http.clone();
            async move {
                let (name, label) = (s.name.clone(), s.label.clone());
                let provider = match provider::discover(s, http).await {
                    Ok(p) => {
                        tracing::info!(provider = %name, "OIDC provider discovered");
                        Some(Arc::new(p))
                    }
                    Err(kind) => {
                        tracing::warn!(
                            provider = %name,
                            error_kind = kind,
                            "OIDC provider discovery failed: provider unavailable"
                        );
                        None
                    }
                };
                Configured {
                    name,
                    label,
                    provider,
                }
            }
        }))
        .await;
        Ok(Self {
            providers: found,
            pending: PendingLogins::default(),
        })
    }

    /// The configured provider `name`, discovered or not.
    pub fn get(&self, name: &str) -> Option<&Configured> {
        self.providers.iter().find(|p| p.name == name)
    }

    /// The configured providers, in file order.
    pub fn configured(&self) -> impl Iterator<Item = &Configured> {
        self.providers.iter()
    }
}
