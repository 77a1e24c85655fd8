//! One HTTP client for every test: reqwest, one connection per request (`Connection: close`,
//! `Host: localhost`, no redirects followed, no proxy), the session cookie kept by hand so a
//! test can forge, drop or swap it, and the staff CSRF token added as the web client does.

use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::Duration;

use serde_json::Value;

/// An HTTP response, read whole.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    /// Every header, in order (a repeated header such as `set-cookie` once per value).
    pub headers: Vec<(String, String)>,
    pub text: String,
}

impl Response {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The whole `Set-Cookie` value (with its attributes) of the cookie `name`.
    pub fn set_cookie(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("set-cookie"))
            .map(|(_, v)| v.as_str())
            .find(|v| v.starts_with(&format!("{name}=")))
    }

    /// `name=value` of the cookie `name` set by this response.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.set_cookie(name)
            .map(|v| v.split(';').next().unwrap().to_owned())
    }

    /// `name=value` of the first `Set-Cookie` of this response; panics without one.
    pub fn first_cookie(&self) -> String {
        self.header("set-cookie")
            .and_then(|v| v.split(';').next())
            .expect("a cookie")
            .to_owned()
    }

    /// Asserts a status and an error body `{code, message}` with `code`.
    pub fn expect_error(&self, status: u16, code: &str) {
        assert_eq!(self.status, status, "{code}: {}", self.text);
        let v = self.json();
        assert_eq!(v["code"], code, "{}", self.text);
        assert!(v["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
}

/// Reads a whole response.
pub async fn read(r: reqwest::Response) -> Response {
    let status = r.status().as_u16();
    let headers = r
        .headers()
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let bytes = r.bytes().await.expect("a whole body");
    Response {
        status,
        headers,
        text: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

/// A request as data, for tables of cases: method, path (with query), headers, raw body.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: &'static str,
    pub path: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
}

impl Request {
    /// A request with a raw body (possibly malformed) and no header.
    pub fn raw(method: &'static str, path: impl Into<String>, body: impl Into<String>) -> Self {
        Self {
            method,
            path: path.into(),
            headers: Vec::new(),
            body: body.into(),
        }
    }

    pub fn get(path: impl Into<String>) -> Self {
        Self::raw("GET", path, "")
    }

    /// A POST of `body` as JSON.
    pub fn post(path: impl Into<String>, body: &Value) -> Self {
        Self::raw("POST", path, body.to_string()).header("Content-Type", "application/json")
    }

    /// A PATCH of `body` as JSON.
    pub fn patch(path: impl Into<String>, body: &Value) -> Self {
        Self::raw("PATCH", path, body.to_string()).header("Content-Type", "application/json")
    }

    /// A POST of a raw JSON text (e.g. cut short).
    pub fn post_text(path: impl Into<String>, body: &str) -> Self {
        Self::raw("POST", path, body).header("Content-Type", "application/json")
    }

    /// The same request with one more header.
    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}

/// The reqwest client under every [`Client`]: no pool (each request on its own connection,
/// so a test's runtime owns nothing after the request), no redirect, no proxy.
fn http() -> &'static reqwest::Client {
    static HTTP: OnceLock<reqwest::Client> = OnceLock::new();
    HTTP.get_or_init(|| {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .pool_max_idle_per_host(0)
            .timeout(Duration::from_secs(60))
            .build()
            .expect("an HTTP client")
    })
}

/// A client of one server that sends the session cookie it holds.
#[derive(Debug, Clone)]
pub struct Client {
    pub addr: SocketAddr,
    pub cookie: Option<String>,
}

impl Client {
    /// A client of `addr` without a cookie.
    pub fn new(addr: SocketAddr) -> Self {
        Self { addr, cookie: None }
    }

    /// The same client with `cookie` (`name=value`).
    pub fn with_cookie(mut self, cookie: Option<String>) -> Self {
        self.cookie = cookie;
        self
    }

    pub async fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Response {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("a method");
        let get = method == reqwest::Method::GET;
        let mut req = http()
            .request(method, format!("http://{}{path}", self.addr))
            .header("Host", "localhost")
            .header("Connection", "close");
        if let Some(c) = &self.cookie {
            req = req.header("Cookie", c);
            // The staff session's CSRF token, as the web client sends it (a test that wants to
            // send none or another passes its own `x-csrf-token`).
            let explicit = headers
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case("x-csrf-token"));
            if let Some(token) = c.strip_prefix("sportello_session=")
                && !get
                && !explicit
            {
                req = req.header(
                    "x-csrf-token",
                    crate::support::internals::csrf_token_for(token),
                );
            }
        }
        for (n, v) in headers {
            req = req.header(*n, *v);
        }
        req = req.body(body.to_owned());
        read(req.send().await.expect("a response")).await
    }

    /// Sends a [`Request`].
    pub async fn request(&self, r: &Request) -> Response {
        let headers: Vec<(&str, &str)> = r.headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
        self.send(r.method, &r.path, &headers, &r.body).await
    }

    pub async fn get(&self, path: &str) -> Response {
        self.send("GET", path, &[], "").await
    }

    pub async fn delete(&self, path: &str) -> Response {
        self.send("DELETE", path, &[], "").await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Response {
        self.send(
            "POST",
            path,
            &[("Content-Type", "application/json")],
            &body.to_string(),
        )
        .await
    }

    pub async fn post_with(&self, path: &str, headers: &[(&str, &str)], body: &Value) -> Response {
        let mut h = vec![("Content-Type", "application/json")];
        h.extend_from_slice(headers);
        self.send("POST", path, &h, &body.to_string()).await
    }

    pub async fn patch(&self, path: &str, body: &Value) -> Response {
        self.send(
            "PATCH",
            path,
            &[("Content-Type", "application/json")],
            &body.to_string(),
        )
        .await
    }
}

/// Sends each request as its client and checks its error status and code; `label` names the
/// table in a failure.
pub async fn expect_errors(label: &str, cases: &[(&Client, Request, u16, &str)]) {
    for (i, (client, request, status, code)) in cases.iter().enumerate() {
        let r = client.request(request).await;
        assert_eq!(
            r.status, *status,
            "{label} case {i} ({} {}): {code}: {}",
            request.method, request.path, r.text
        );
        r.expect_error(*status, code);
    }
}

/// A client of `https://localhost` at `addr`, trusting only the PEM certificate at `ca` (a
/// fresh client: its roots are the test's own).
pub fn tls_client(addr: SocketAddr, ca: &std::path::Path) -> reqwest::Client {
    let pem = std::fs::read(ca).expect("the CA certificate");
    reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(&pem).expect("a PEM certificate"))
        .resolve("localhost", addr)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .pool_max_idle_per_host(0)
        .http1_only()
        .timeout(Duration::from_secs(60))
        .build()
        .expect("an HTTPS client")
}

/// GET `path` over HTTPS at `addr` as `https://localhost`, trusting only the PEM certificate
/// at `ca`.
pub async fn get_over_tls(addr: SocketAddr, ca: &std::path::Path, path: &str) -> Response {
    let r = tls_client(addr, ca)
        .get(format!("https://localhost:{}{path}", addr.port()))
        .header("Connection", "close")
        .send()
        .await
        .expect("TLS handshake with the development certificate");
    assert_eq!(r.version(), reqwest::Version::HTTP_11);
    read(r).await
}

/// Sends each request as its client and checks its status; `label` names the table in a
/// failure.
pub async fn expect_statuses(label: &str, cases: &[(&Client, Request, u16)]) {
    for (i, (client, request, status)) in cases.iter().enumerate() {
        let r = client.request(request).await;
        assert_eq!(
            r.status, *status,
            "{label} case {i} ({} {}): {}",
            request.method, request.path, r.text
        );
    }
}

/// Sends a request over a raw connection: `head` (request line and headers, ending in a blank
/// line), then `body`, while reading the answer. For bodies the server may refuse before they
/// are sent whole (it answers and closes: a client library would report a broken pipe). Returns
/// the answer's status and body.
pub async fn send_raw(addr: SocketAddr, head: &str, body: &[u8]) -> Response {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let stream = tokio::net::TcpStream::connect(addr)
        .await
        .expect("a connection");
    let (mut rd, mut wr) = stream.into_split();
    let reader = tokio::spawn(async move {
        let mut answer = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(60), rd.read_to_end(&mut answer)).await;
        answer
    });
    let _ = wr.write_all(head.as_bytes()).await;
    for chunk in body.chunks(64 * 1024) {
        let write = tokio::time::timeout(Duration::from_secs(10), wr.write_all(chunk)).await;
        if !matches!(write, Ok(Ok(()))) || reader.is_finished() {
            break;
        }
    }
    // The write half stays open until the answer is in: a half-closed connection is closed
    // by the server without an answer.
    let answer = String::from_utf8_lossy(&reader.await.expect("the reader")).into_owned();
    drop(wr);
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let text = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    Response {
        status,
        headers: Vec::new(),
        text,
    }
}
