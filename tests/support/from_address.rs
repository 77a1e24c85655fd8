//! HTTP requests that leave from a chosen loopback address (127.0.0.2, 127.0.0.3, …: every
//! 127.x.y.z is loopback on Linux), so a test can be several clients as the server sees them.
//! A plain HTTP/1.1 exchange on a socket bound to that address: small enough that hundreds in
//! parallel cost the test process almost no memory of their own. The server's answers to these
//! requests have a `Content-Length` (JSON).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use super::http::Response;

/// The loopback address number `n` (1 = 127.0.0.1), `n` < 65,536.
pub fn loopback(n: u32) -> IpAddr {
    let [_, _, a, b] = n.to_be_bytes();
    IpAddr::V4(Ipv4Addr::new(127, 0, a, b))
}

/// POSTs `body` as JSON to `path` of the server at `addr`, from `local`; the whole answer.
pub async fn post_from(local: IpAddr, addr: SocketAddr, path: &str, body: &Value) -> Response {
    let body = body.to_string();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    send_from(local, addr, &format!("{head}{body}")).await
}

/// Sends the raw bytes `request` to the server at `addr` from `local` and reads the answer
/// until the server closes the connection.
pub async fn send_from(local: IpAddr, addr: SocketAddr, request: &str) -> Response {
    let exchange = async {
        let socket = tokio::net::TcpSocket::new_v4()?;
        socket.bind(SocketAddr::new(local, 0))?;
        let mut stream = socket.connect(addr).await?;
        stream.write_all(request.as_bytes()).await?;
        let mut answer = Vec::new();
        let mut buf = [0u8; 4096];
        // Until the server closes, or the answer is whole (a server waiting for a body it
        // refused to read may keep the connection open).
        while !whole(&answer) {
            let n = stream.read(&mut buf).await?;
            if n == 0 {
                break;
            }
            answer.extend_from_slice(&buf[..n]);
        }
        Ok::<_, std::io::Error>(answer)
    };
    let answer = tokio::time::timeout(Duration::from_secs(60), exchange)
        .await
        .expect("an answer within 60 s")
        .unwrap_or_else(|e| panic!("request from {local}: {e}"));
    parse(&String::from_utf8_lossy(&answer))
}

/// Whether `answer` holds a whole head and the `Content-Length` bytes of body it announces.
fn whole(answer: &[u8]) -> bool {
    let text = String::from_utf8_lossy(answer);
    let Some((head, body)) = text.split_once("\r\n\r\n") else {
        return false;
    };
    head.lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(n, _)| n.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse::<usize>().ok())
        .is_some_and(|len| body.len() >= len)
}

/// An HTTP/1.1 answer with a `Content-Length` body (what the server sends for JSON).
fn parse(answer: &str) -> Response {
    let (head, text) = answer.split_once("\r\n\r\n").expect("a whole head");
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Response {
        status,
        headers,
        text: text.to_owned(),
    }
}
