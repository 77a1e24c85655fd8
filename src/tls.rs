//! TLS with rustls (ring provider): configured PEM files, or a self-signed development
//! certificate generated under the certs folder on first run and reused afterwards.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context as _;
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

const DEV_CERT: &str = "dev-cert.pem";
const DEV_KEY: &str = "dev-key.pem";

/// Returns the certificate and key files: the configured ones, or the development pair
/// (generated now if missing).
pub fn cert_files(
    configured: Option<&(PathBuf, PathBuf)>,
    certs_dir: &Path,
) -> anyhow::Result<(PathBuf, PathBuf)> {
    if let Some((cert, key)) = configured {
        return Ok((cert.clone(), key.clone()));
    }
    let cert = certs_dir.join(DEV_CERT);
    let key = certs_dir.join(DEV_KEY);
    if !cert.exists() || !key.exists() {
        generate_dev_cert(&cert, &key)?;
        tracing::warn!(path = %cert.display(), "generated a self-signed development certificate");
    }
    crate::store::files::private_file(&key)?;
    Ok((cert, key))
}

fn generate_dev_cert(cert_path: &Path, key_path: &Path) -> anyhow::Result<()> {
    let names = vec![
        "localhost".to_owned(),
        "127.0.0.1".to_owned(),
        "::1".to_owned(),
    ];
    let certified = rcgen::generate_simple_self_signed(names).context("generating certificate")?;
    if let Some(dir) = cert_path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    std::fs::write(cert_path, certified.cert.pem())?;
    write_private(key_path, certified.signing_key.serialize_pem().as_bytes())?;
    Ok(())
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(bytes)?;
    Ok(())
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    Ok(std::fs::write(path, bytes)?)
}

/// A rustls server configuration (HTTP/1.1 only: WebSocket upgrades need it) from PEM files.
pub fn server_config(cert: &Path, key: &Path) -> anyhow::Result<Arc<rustls::ServerConfig>> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .with_context(|| format!("reading {}", cert.display()))?
        .collect::<Result<_, _>>()
        .with_context(|| format!("parsing {}", cert.display()))?;
    anyhow::ensure!(!chain.is_empty(), "no certificate in {}", cert.display());
    let key =
        PrivateKeyDer::from_pem_file(key).with_context(|| format!("reading {}", key.display()))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .context("certificate and key do not match")?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dev_cert_is_generated_once_and_loads() {
        let dir = std::env::temp_dir().join(format!("sportello-tls-{}", rand::random::<u64>()));
        let (cert, key) = cert_files(None, &dir).unwrap();
        let first = std::fs::read(&cert).unwrap();
        let (cert2, _) = cert_files(None, &dir).unwrap();
        assert_eq!(
            first,
            std::fs::read(&cert2).unwrap(),
            "reused, not regenerated"
        );
        server_config(&cert, &key).unwrap();
        std::fs::write(&key, "not a key").unwrap();
        assert!(server_config(&cert, &key).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
