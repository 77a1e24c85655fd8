//! The OIDC provider file (`--oidc-config FILE`): one `[[provider]]` table per provider.
//!
//! ```toml
//! [[provider]]
//! name = "spid"                          # URL slug: a-z, 0-9, '-' (1-32 characters)
//! label = "Entra con SPID"               # button text (Italian)
//! issuer = "https://id.example.it"       # discovered at startup (/.well-known/openid-configuration)
//! client_id = "sportello"
//! client_secret_file = "/etc/sportello/spid.secret"   # or client_secret = "…"
//! redirect_url = "https://sportello.example.it/v1/oidc/spid/callback"
//! scopes = ["openid", "profile"]         # default ["openid"]; "openid" is always sent
//! subject_claim = "fiscal_number"        # default "sub"
//! acr_values = ["https://www.spid.gov.it/SpidL2", "https://www.spid.gov.it/SpidL3"]
//! ```
//!
//! - `acr_values`: the authentication levels accepted, in the order requested. They are sent as
//!   `acr_values` in the authorization request, and an ID token whose `acr` claim is missing or
//!   not one of them is refused (`/accesso?errore=oidc_acr`). Default: none (not requested, not
//!   checked). SPID and CIE OIDC both name their levels `https://www.spid.gov.it/SpidL1`…`L3`.
//! - `client_auth`: how we authenticate at the token endpoint: `"client_secret_basic"` (default:
//!   `client_secret` or `client_secret_file`) or `"private_key_jwt"` (SPID/CIE OIDC federation:
//!   a signed JWT client assertion), which takes instead
//!   `private_key_file = "/etc/sportello/spid-rp.key"` (PEM: RSA of 2048 bits or more as PKCS#1
//!   or PKCS#8, or EC P-256 as PKCS#8) and optionally `key_id = "…"` (the assertion's `kid`
//!   header; default the key's RFC 7638 JWK thumbprint). A missing or unusable key file stops the
//!   server at startup.
//!
//! Production issuers are `https://`; plain `http://` is accepted only for loopback hosts
//! (`127.0.0.1`, `::1`, `localhost`), which is what the tests' in-process provider uses.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use openidconnect::{ClientId, ClientSecret, IssuerUrl, RedirectUrl};
use serde::Deserialize;

use super::client_auth::{AssertionKey, ClientAuth};

/// The file as written (no `Debug`: it holds secrets).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    provider: Vec<Entry>,
}

/// One `[[provider]]` table as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    name: String,
    label: String,
    issuer: String,
    client_id: String,
    client_secret: Option<String>,
    client_secret_file: Option<PathBuf>,
    redirect_url: String,
    #[serde(default)]
    scopes: Option<Vec<String>>,
    #[serde(default)]
    subject_claim: Option<String>,
    #[serde(default)]
    acr_values: Option<Vec<String>>,
    #[serde(default)]
    client_auth: Option<ClientAuthMethod>,
    private_key_file: Option<PathBuf>,
    key_id: Option<String>,
}

/// `client_auth` as written.
#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum ClientAuthMethod {
    ClientSecretBasic,
    PrivateKeyJwt,
}

/// One provider's resolved settings. `Debug` does not show the secret.
#[derive(Debug, Clone)]
pub struct ProviderSettings {
    /// URL slug.
    pub name: String,
    /// Button text.
    pub label: String,
    /// Issuer URL (discovery starts here).
    pub issuer: IssuerUrl,
    /// Our client id at the provider.
    pub client_id: ClientId,
    /// How we authenticate at the token endpoint.
    pub client_auth: ClientAuth,
    /// Our callback URL, as registered at the provider.
    pub redirect_url: RedirectUrl,
    /// Scopes requested (always including `openid`).
    pub scopes: Vec<String>,
    /// The ID-token claim that identifies the person.
    pub subject_claim: String,
    /// The accepted authentication levels (`acr`), in the order requested; empty: any.
    pub acr_values: Vec<String>,
}

/// Whether `name` is a provider slug: 1-32 characters of a-z, 0-9 and '-'.
pub fn valid_name(name: &str) -> bool {
    (1..=32).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Whether `url` is `https://…`, or `http://` to a loopback host (tests).
fn acceptable_url(url: &url::Url) -> bool {
    match url.scheme() {
        "https" => true,
        "http" => match url.host() {
            Some(url::Host::Domain(d)) => d == "localhost",
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        },
        _ => false,
    }
}

/// Reads and checks the provider file. Errors name the file and the provider, never a secret.
pub fn load(path: &Path) -> anyhow::Result<Vec<ProviderSettings>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read OIDC config file {}", path.display()))?;
    parse(&text, path.parent().unwrap_or(Path::new(".")))
        .with_context(|| format!("bad OIDC config file {}", path.display()))
}

/// Parses the provider file's text (`base` resolves relative `client_secret_file` and
/// `private_key_file` paths).
pub fn parse(text: &str, base: &Path) -> anyhow::Result<Vec<ProviderSettings>> {
    // The toml error quotes the offending line, which may hold a secret: only its position.
    let file: File = toml::from_str(text).map_err(|e| match e.span() {
        Some(span) => anyhow::anyhow!("not valid TOML near byte {}", span.start),
        None => anyhow::anyhow!("not valid TOML"),
    })?;
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(file.provider.len());
    for e in file.provider {
        anyhow::ensure!(
            valid_name(&e.name),
            "provider name {:?} must be 1-32 characters of a-z, 0-9 and '-'",
            e.name
        );
        let name = e.name;
        anyhow::ensure!(seen.insert(name.clone()), "provider {name} given twice");
        anyhow::ensure!(!e.label.trim().is_empty(), "provider {name}: empty label");
        let issuer = IssuerUrl::new(e.issuer)
            .map_err(|_| anyhow::anyhow!("provider {name}: issuer is not a URL"))?;
        anyhow::ensure!(
            acceptable_url(issuer.url()),
            "provider {name}: the issuer must be https:// (http:// only to a loopback host)"
        );
        let redirect_url = RedirectUrl::new(e.redirect_url)
            .map_err(|_| anyhow::anyhow!("provider {name}: redirect_url is not a URL"))?;
        anyhow::ensure!(
            acceptable_url(redirect_url.url()),
            "provider {name}: the redirect_url must be https:// (http:// only to a loopback host)"
        );
        anyhow::ensure!(!e.client_id.is_empty(), "provider {name}: empty client_id");
        let method = e.client_auth.unwrap_or(ClientAuthMethod::ClientSecretBasic);
        let client_auth = match method {
            ClientAuthMethod::ClientSecretBasic => {
                anyhow::ensure!(
                    e.private_key_file.is_none() && e.key_id.is_none(),
                    "provider {name}: private_key_file and key_id need client_auth = \"private_key_jwt\""
                );
                let secret = match (e.client_secret, e.client_secret_file) {
                    (Some(s), None) => s,
                    (None, Some(f)) => {
                        let f = base.join(f);
                        std::fs::read_to_string(&f)
                            .map_err(|err| {
                                anyhow::anyhow!(
                                    "provider {name}: cannot read client_secret_file {}: {}",
                                    f.display(),
                                    err.kind()
                                )
                            })?
                            .trim()
                            .to_owned()
                    }
                    _ => anyhow::bail!(
                        "provider {name}: give exactly one of client_secret and client_secret_file"
                    ),
                };
                anyhow::ensure!(!secret.is_empty(), "provider {name}: empty client secret");
                ClientAuth::SecretBasic(ClientSecret::new(secret))
            }
            ClientAuthMethod::PrivateKeyJwt => {
                anyhow::ensure!(
                    e.client_secret.is_none() && e.client_secret_file.is_none(),
                    "provider {name}: with client_auth = \"private_key_jwt\" give private_key_file, \
                     not client_secret or client_secret_file"
                );
                let Some(f) = e.private_key_file else {
                    anyhow::bail!(
                        "provider {name}: client_auth = \"private_key_jwt\" needs private_key_file"
                    );
                };
                let f = base.join(f);
                let pem = std::fs::read(&f).map_err(|err| {
                    anyhow::anyhow!(
                        "provider {name}: cannot read private_key_file {}: {}",
                        f.display(),
                        err.kind()
                    )
                })?;
                let key = AssertionKey::from_pem(&pem, e.key_id).map_err(|err| {
                    anyhow::anyhow!("provider {name}: private_key_file {}: {err}", f.display())
                })?;
                ClientAuth::PrivateKeyJwt(std::sync::Arc::new(key))
            }
        };
        let acr_values = e.acr_values.unwrap_or_default();
        anyhow::ensure!(
            acr_values
                .iter()
                .all(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_graphic())),
            "provider {name}: an acr_values entry is empty or has spaces"
        );
        let mut scopes = e.scopes.unwrap_or_else(|| vec!["openid".to_owned()]);
        if !scopes.iter().any(|s| s == "openid") {
            scopes.insert(0, "openid".to_owned());
        }
        anyhow::ensure!(
            scopes
                .iter()
                .all(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_graphic())),
            "provider {name}: a scope is empty or has spaces"
        );
        let subject_claim = e.subject_claim.unwrap_or_else(|| "sub".to_owned());
        anyhow::ensure!(
            !subject_claim.is_empty(),
            "provider {name}: empty subject_claim"
        );
        out.push(ProviderSettings {
            name,
            label: e.label,
            issuer,
            client_id: ClientId::new(e.client_id),
            client_auth,
            redirect_url,
            scopes,
            subject_claim,
            acr_values,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[[provider]]
name = "spid"
label = "Entra con SPID"
issuer = "https://id.example.it"
client_id = "sportello"
client_secret = "s3cret-value"
redirect_url = "https://sportello.example.it/v1/oidc/spid/callback"
subject_claim = "fiscal_number"

[[provider]]
name = "cie"
label = "Entra con CIE"
issuer = "http://127.0.0.1:9999"
client_id = "sportello"
client_secret = "x"
redirect_url = "http://127.0.0.1:8080/v1/oidc/cie/callback"
scopes = ["profile"]
"#;

    #[test]
    fn parses_and_defaults() {
        let p = parse(GOOD, Path::new(".")).unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].subject_claim, "fiscal_number");
        assert_eq!(p[0].scopes, ["openid"]);
        assert_eq!(p[1].subject_claim, "sub");
        assert_eq!(p[1].scopes, ["openid", "profile"]);
        assert!(!format!("{p:?}").contains("s3cret-value"));
        assert!(parse("", Path::new(".")).unwrap().is_empty());
        assert!(p[0].acr_values.is_empty());
        assert!(matches!(p[0].client_auth, ClientAuth::SecretBasic(_)));
    }

    #[test]
    fn acr_values_and_private_key_jwt() {
        let dir = std::env::temp_dir().join(format!("sportello-oidc-{:x}", rand::random::<u64>()));
        std::fs::create_dir_all(&dir).unwrap();
        let pem = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)
            .unwrap()
            .serialize_pem();
        std::fs::write(dir.join("rp.key"), pem).unwrap();
        std::fs::write(
            dir.join("bad.key"),
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        )
        .unwrap();
        let entry = |extra: &str| {
            format!(
                r#"
[[provider]]
name = "spid"
label = "Entra con SPID"
issuer = "https://id.example.it"
client_id = "sportello"
redirect_url = "https://sportello.example.it/v1/oidc/spid/callback"
acr_values = ["https://www.spid.gov.it/SpidL2", "https://www.spid.gov.it/SpidL3"]
{extra}
"#
            )
        };
        let p = parse(
            &entry("client_auth = \"private_key_jwt\"\nprivate_key_file = \"rp.key\"\nkey_id = \"rp-1\""),
            &dir,
        )
        .unwrap();
        assert_eq!(
            p[0].acr_values,
            [
                "https://www.spid.gov.it/SpidL2",
                "https://www.spid.gov.it/SpidL3"
            ]
        );
        let ClientAuth::PrivateKeyJwt(key) = &p[0].client_auth else {
            panic!("{:?}", p[0].client_auth)
        };
        assert_eq!((key.alg(), key.kid()), ("ES256", "rp-1"));
        for (extra, says) in [
            (
                "client_auth = \"private_key_jwt\"",
                "needs private_key_file",
            ),
            (
                "client_auth = \"private_key_jwt\"\nprivate_key_file = \"missing.key\"",
                "cannot read private_key_file",
            ),
            (
                "client_auth = \"private_key_jwt\"\nprivate_key_file = \"bad.key\"",
                "not an RSA",
            ),
            (
                "client_auth = \"private_key_jwt\"\nprivate_key_file = \"rp.key\"\nclient_secret = \"x\"",
                "not client_secret",
            ),
            (
                "client_secret = \"x\"\nprivate_key_file = \"rp.key\"",
                "need client_auth",
            ),
            (
                "client_auth = \"client_secret_jwt\"\nclient_secret = \"x\"",
                "TOML",
            ),
        ] {
            let err = format!("{:#}", parse(&entry(extra), &dir).unwrap_err());
            assert!(err.contains(says), "{extra}: {err}");
        }
        let text = entry("client_secret = \"x\"").replace("SpidL3\"", "SpidL3\", \"a b\"");
        let err = format!("{:#}", parse(&text, &dir).unwrap_err());
        assert!(err.contains("acr_values"), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn refuses_bad_entries_without_quoting_secrets() {
        for (from, to) in [
            ("name = \"spid\"", "name = \"Spid!\""),
            ("https://id.example.it", "http://id.example.it"),
            ("client_secret = \"s3cret-value\"", ""),
            ("name = \"cie\"", "name = \"spid\""),
            ("subject_claim", "subject_clam"),
        ] {
            let text = GOOD.replacen(from, to, 1);
            let err = format!("{:#}", parse(&text, Path::new(".")).unwrap_err());
            assert!(!err.contains("s3cret-value"), "{err}");
        }
        let text = GOOD.replacen(
            "client_id = \"sportello\"",
            "client_id = \"sportello\"\nclient_secret_file = \"/nonexistent\"",
            1,
        );
        assert!(parse(&text, Path::new(".")).is_err());
        let err = format!(
            "{:#}",
            parse("client_secret = \"s3cret-value\" =", Path::new(".")).unwrap_err()
        );
        assert!(!err.contains("s3cret-value"), "{err}");
    }
}
