//! HTTPS with the development certificate: generated on first start, reused on the next, and
//! it serves the same application as plain HTTP.

use std::sync::Arc;

use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, ServerName};
use sportello::{Config, Server};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn get_over_tls(addr: std::net::SocketAddr, ca: &std::path::Path, path: &str) -> String {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(ca).unwrap() {
        roots.add(cert.unwrap()).unwrap();
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut tls = connector
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
        .expect("TLS handshake with the development certificate");
    let request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    tls.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    tls.read_to_string(&mut response).await.unwrap();
    response
}

#[tokio::test]
async fn https_with_a_generated_dev_certificate() {
    let mut config = Config::for_tests();
    config.tls_listen = Some(([127, 0, 0, 1], 0).into());
    let certs_dir = config.certs_dir.clone();
    let server = Server::start(config.clone()).await.unwrap();
    let https = server.https_addr().expect("HTTPS is listening");
    let ca = certs_dir.join("dev-cert.pem");
    let first = std::fs::read(&ca).expect("a development certificate was generated");

    let response = get_over_tls(https, &ca, "/healthz").await;
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.ends_with("ok\n"), "{response}");
    assert!(
        response
            .to_ascii_lowercase()
            .contains("content-security-policy"),
        "security headers on HTTPS too"
    );
    server.shutdown().await;

    // A second start reuses the same certificate.
    let server = Server::start(config).await.unwrap();
    assert_eq!(std::fs::read(&ca).unwrap(), first);
    let response = get_over_tls(server.https_addr().unwrap(), &ca, "/healthz").await;
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    server.shutdown().await;
}
