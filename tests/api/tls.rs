//! HTTPS with the development certificate: generated on first start, reused on the next, and
//! it serves the same application as plain HTTP.

use sportello::{Config, Server};

use crate::support::http::get_over_tls;

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
    assert_eq!(response.status, 200, "{response:?}");
    assert!(response.text.ends_with("ok\n"), "{response:?}");
    assert!(
        response.header("content-security-policy").is_some(),
        "security headers on HTTPS too"
    );
    server.shutdown().await;

    // A second start reuses the same certificate.
    let server = Server::start(config).await.unwrap();
    assert_eq!(std::fs::read(&ca).unwrap(), first);
    let response = get_over_tls(server.https_addr().unwrap(), &ca, "/healthz").await;
    assert_eq!(response.status, 200, "{response:?}");
    server.shutdown().await;
}
