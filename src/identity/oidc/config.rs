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
//! ```
//!
//! Production issuers are `https://`; plain `http://` is accepted only for loopback hosts
//! (`127.0.0.1`, `::1`, `localhost`), which is what the tests' in-process provider uses.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use openidconnect::{ClientId, ClientSecret, IssuerUrl, RedirectUrl};
use serde::Deserialize;

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
    /// Our client secret at the provider (`client_secret_basic`).
    pub client_secret: ClientSecret,
    /// Our callback URL, as registered at the provider.
    pub redirect_url: RedirectUrl,
    /// Scopes requested (always including `openid`).
    pub scopes: Vec<String>,
    /// The ID-token claim that identifies the person.
    pub subject_claim: String,
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

/// Parses the provider file's text (`base` resolves relative `client_secret_file` paths).
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
            client_secret: ClientSecret::new(secret),
            redirect_url,
            scopes,
            subject_claim,
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
