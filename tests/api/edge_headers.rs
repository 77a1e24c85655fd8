//! The edge's checks on every request: the `Host` header names this server (loopback names,
//! IP literals or a configured public name, against DNS rebinding); HTTPS answers carry HSTS
//! and `__Host-` session cookies.

use std::time::Duration;

use sportello::{Config, Server};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use serde_json::json;

use crate::support::http::{get_over_tls, read, tls_client};
use crate::support::{Client, TestServer, account};

/// Sends `request` raw and returns the whole answer (the server closes: `Connection: close`).
async fn raw(addr: std::net::SocketAddr, request: &str) -> String {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut out))
        .await
        .expect("the answer within 5 s")
        .unwrap();
    String::from_utf8_lossy(&out).into_owned()
}

async fn status_for_host(addr: std::net::SocketAddr, host: Option<&str>) -> String {
    let host = host.map(|h| format!("Host: {h}\r\n")).unwrap_or_default();
    raw(
        addr,
        &format!("GET /healthz HTTP/1.1\r\n{host}Connection: close\r\n\r\n"),
    )
    .await
}

#[tokio::test]
async fn only_known_host_names_are_served() {
    let s = TestServer::start_with(None, |c: &mut Config| {
        c.public_hosts = vec!["sportello.comune.example".to_owned()];
    })
    .await;
    let addr = s.server.http_addr();
    for host in [
        "localhost",
        "localhost:8080",
        "LOCALHOST.",
        "127.0.0.1:9",
        "[::1]:8080",
        "10.1.2.3",
        "[2001:db8::1]",
        "sportello.comune.example",
        "Sportello.Comune.Example:443",
    ] {
        let answer = status_for_host(addr, Some(host)).await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{host}: {answer}");
    }
    for host in [
        Some("evil.example"),
        Some("localhost.evil.example"),
        Some("sportello.comune.example.evil.example"),
        Some("127.0.0.1.nip.io"),
        Some(""),
        None,
    ] {
        let answer = status_for_host(addr, host).await;
        assert!(answer.starts_with("HTTP/1.1 421"), "{host:?}: {answer}");
        assert!(answer.contains("\"code\":\"bad_host\""), "{answer}");
    }
    // The signalling upgrade too.
    let answer = raw(
        addr,
        "GET /v1/signal HTTP/1.1\r\nHost: evil.example\r\nConnection: Upgrade, close\r\n\
         Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 421"), "{answer}");
}

/// A server with HTTPS too, and its development certificate.
async fn start_with_tls() -> (Server, std::path::PathBuf) {
    let mut config = Config::for_tests();
    config.tls_listen = Some(([127, 0, 0, 1], 0).into());
    let ca = config.certs_dir.join("dev-cert.pem");
    (Server::start(config).await.unwrap(), ca)
}

#[tokio::test]
async fn https_answers_carry_hsts_and_http_answers_do_not() {
    let (server, ca) = start_with_tls().await;
    let r = get_over_tls(server.https_addr().unwrap(), &ca, "/healthz").await;
    assert_eq!(r.status, 200);
    let hsts = r
        .header("strict-transport-security")
        .expect("HSTS over HTTPS");
    assert!(hsts.starts_with("max-age="), "{hsts}");
    let r = Client::new(server.http_addr()).get("/healthz").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("strict-transport-security"), None);
    server.shutdown().await;
}

#[tokio::test]
async fn session_cookies_get_the_host_prefix_over_https_only() {
    let (server, ca) = start_with_tls().await;
    let https = server.https_addr().unwrap();
    let client = tls_client(https, &ca);
    let url = |path: &str| format!("https://localhost:{}{path}", https.port());
    let login = read(
        client
            .post(url("/v1/demo/login"))
            .header("Content-Type", "application/json")
            .body(json!({"account": account::OPERATOR}).to_string())
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(login.status, 200, "{}", login.text);
    let cookie = login
        .set_cookie("__Host-sportello_session")
        .expect("the prefixed cookie over HTTPS");
    assert!(cookie.contains("Secure") && cookie.contains("Path=/"));
    assert!(!cookie.contains("Domain"), "{cookie}");
    let pair = cookie.split(';').next().unwrap().to_owned();
    let token = pair.split_once('=').unwrap().1.to_owned();
    let session = |cookie: String| {
        let request = client.get(url("/v1/session")).header("Cookie", cookie);
        async move { read(request.send().await.unwrap()).await }
    };
    assert_eq!(session(pair).await.status, 200, "the prefixed name is read");
    // Over HTTPS a plain-named session cookie can only have been planted: it is ignored.
    session(format!("sportello_session={token}"))
        .await
        .expect_error(401, "unauthenticated");

    // Plain HTTP (development on localhost) keeps the plain name.
    let plain = Client::new(server.http_addr())
        .post("/v1/demo/login", &json!({"account": account::OPERATOR}))
        .await;
    assert!(plain.set_cookie("sportello_session").is_some());
    assert!(plain.set_cookie("__Host-sportello_session").is_none());
    server.shutdown().await;
}

#[tokio::test]
async fn metrics_with_a_configured_token_need_it() {
    let s = TestServer::start_with(None, |c: &mut Config| {
        c.metrics_token = Some("metrics-s3cret".to_owned());
    })
    .await;
    let c = s.anonymous();
    c.get("/metrics").await.expect_error(401, "unauthenticated");
    c.send("GET", "/metrics", &[("Authorization", "Bearer wrong")], "")
        .await
        .expect_error(401, "unauthenticated");
    let r = c
        .send(
            "GET",
            "/metrics",
            &[("Authorization", "Bearer metrics-s3cret")],
            "",
        )
        .await;
    assert_eq!(r.status, 200);
    assert!(r.text.contains("sportello_rooms"), "{}", r.text);
    // Without a token, a client on this machine reads them (the tests' default).
    let plain = TestServer::start(None).await;
    assert_eq!(plain.anonymous().get("/metrics").await.status, 200);
}
