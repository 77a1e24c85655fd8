//! Slow and greedy HTTP clients over raw TCP: unfinished headers, trickled bodies, idle
//! keep-alive connections and too many connections from one address are cut off, with short
//! configured limits; a signalling WebSocket outlives them all.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use serde_json::json;
use sportello::Config;
use sportello_signalling::protocol::Role;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

use crate::support::{TestServer, ws};

/// The longest any step waits: far above the configured limits, so a server without them fails.
const CAP: Duration = Duration::from_secs(5);

/// A short limit for the tests.
const SHORT: Duration = Duration::from_millis(300);

async fn start(tweak: impl FnOnce(&mut Config)) -> TestServer {
    TestServer::start_with(None, tweak).await
}

/// A TCP connection to `server` from the loopback address `127.0.0.{from}`.
async fn connect_from(server: SocketAddr, from: u8) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket
        .bind(SocketAddr::new(
            IpAddr::V4(Ipv4Addr::new(127, 0, 0, from)),
            0,
        ))
        .unwrap();
    socket.connect(server).await.unwrap()
}

/// Reads until the server closes the connection (or resets it); `None` if it is still open
/// after [`CAP`]. Returns what was read and how long it took.
async fn read_until_closed(stream: &mut TcpStream) -> Option<(String, Duration)> {
    let started = Instant::now();
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match tokio::time::timeout_at((started + CAP).into(), stream.read(&mut buf)).await {
            Err(_) => return None,
            Ok(Ok(0) | Err(_)) => {
                return Some((
                    String::from_utf8_lossy(&out).into_owned(),
                    started.elapsed(),
                ));
            }
            Ok(Ok(n)) => out.extend_from_slice(&buf[..n]),
        }
    }
}

/// Sends one keep-alive `GET /healthz` and reads its whole answer; the status line.
async fn healthz(stream: &mut TcpStream) -> Option<String> {
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .await
        .ok()?;
    let mut out = Vec::new();
    let mut buf = [0u8; 1024];
    let deadline = tokio::time::Instant::now() + CAP;
    loop {
        let n = tokio::time::timeout_at(deadline, stream.read(&mut buf))
            .await
            .ok()?
            .ok()?;
        if n == 0 {
            return None;
        }
        out.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&out);
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length: usize = head
                .lines()
                .find_map(|l| {
                    let (name, value) = l.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse().ok())?
                })
                .unwrap_or(0);
            if body.len() >= length {
                return head.lines().next().map(str::to_owned);
            }
        }
    }
}

#[tokio::test]
async fn unfinished_headers_are_cut_off() {
    let s = start(|c| c.http.header_timeout = SHORT).await;
    let mut stream = connect_from(s.server.http_addr(), 1).await;
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        .await
        .unwrap();
    let (_, took) = read_until_closed(&mut stream)
        .await
        .expect("the server closes a connection whose headers never end");
    eprintln!("unfinished headers closed after {took:?} (limit {SHORT:?})");
}

#[tokio::test]
async fn a_trickled_body_gets_408() {
    let s = start(|c| c.http.body_timeout = SHORT).await;
    let mut stream = connect_from(s.server.http_addr(), 1).await;
    stream
        .write_all(
            b"POST /v1/demo/login HTTP/1.1\r\nHost: 127.0.0.1\r\n\
              Content-Type: application/json\r\nContent-Length: 1000000\r\n\r\n",
        )
        .await
        .unwrap();
    let (mut reader, mut writer) = stream.into_split();
    // One byte every 20 ms, bounded: at most CAP worth of bytes.
    let trickle = tokio::spawn(async move {
        for _ in 0..250 {
            if writer.write_all(b" ").await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    });
    let started = Instant::now();
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&out).contains("request_timeout") {
        match tokio::time::timeout_at((started + CAP).into(), reader.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => out.extend_from_slice(&buf[..n]),
            _ => break,
        }
    }
    trickle.abort();
    let text = String::from_utf8_lossy(&out);
    eprintln!("trickled body answered after {:?}", started.elapsed());
    assert!(
        text.starts_with("HTTP/1.1 408"),
        "a 408 answer, got {text:?}"
    );
    assert!(text.contains("\"code\":\"request_timeout\""), "{text}");
}

/// Serves one keep-alive request with `tweak`, then waits for the server to close the
/// connection; how long that took after the answer.
async fn closed_after_one_request(tweak: impl FnOnce(&mut Config), what: &str) -> Duration {
    let s = start(tweak).await;
    let mut stream = connect_from(s.server.http_addr(), 1).await;
    assert_eq!(
        healthz(&mut stream).await.as_deref(),
        Some("HTTP/1.1 200 OK")
    );
    let (_, took) = read_until_closed(&mut stream)
        .await
        .unwrap_or_else(|| panic!("{what} is closed"));
    took
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed() {
    let took = closed_after_one_request(
        |c| c.http.header_timeout = SHORT,
        "an idle keep-alive connection",
    )
    .await;
    eprintln!("idle keep-alive closed after {took:?} (limit {SHORT:?})");
}

#[tokio::test]
async fn an_old_keep_alive_connection_is_closed() {
    let took = closed_after_one_request(
        |c| c.http.max_connection_age = SHORT,
        "a keep-alive connection at its maximum age",
    )
    .await;
    eprintln!("keep-alive connection closed at age {took:?} (limit {SHORT:?})");
}

#[tokio::test]
async fn connections_are_capped_per_address_and_overall() {
    let s = start(|c| {
        c.http.max_connections_per_ip = 3;
        c.http.max_connections = 5;
    })
    .await;
    let addr = s.server.http_addr();
    let mut held = Vec::new();
    for from in [2, 2, 2, 3] {
        let mut stream = connect_from(addr, from).await;
        assert_eq!(
            healthz(&mut stream).await.as_deref(),
            Some("HTTP/1.1 200 OK")
        );
        held.push(stream);
    }
    // The fourth connection from 127.0.0.2 is refused...
    let mut extra = connect_from(addr, 2).await;
    assert_eq!(healthz(&mut extra).await, None, "over the per-address cap");
    // ...while another address is still served, up to the overall cap.
    let mut other = connect_from(addr, 3).await;
    assert_eq!(
        healthz(&mut other).await.as_deref(),
        Some("HTTP/1.1 200 OK")
    );
    held.push(other);
    let mut over = connect_from(addr, 4).await;
    assert_eq!(healthz(&mut over).await, None, "over the overall cap");
    // Closing a connection frees its place (the server notices the close asynchronously).
    drop(held.remove(0));
    let deadline = Instant::now() + CAP;
    loop {
        let mut again = connect_from(addr, 2).await;
        if healthz(&mut again).await.as_deref() == Some("HTTP/1.1 200 OK") {
            break;
        }
        assert!(Instant::now() < deadline, "the freed place is given again");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_websocket_outlives_the_http_timeouts() {
    let s = start(|c| {
        c.http.header_timeout = SHORT;
        c.http.body_timeout = SHORT;
        c.http.max_connection_age = SHORT;
    })
    .await;
    let token = s.server.token("slow-clients", Role::Official, "Official");
    let (mut socket, joined) = ws::join(&s.server, &token).await;
    assert_eq!(joined["type"], "joined", "{joined}");
    // Well past every HTTP limit.
    tokio::time::sleep(SHORT * 4).await;
    ws::send(&mut socket, json!({"type": "no-such-message"})).await;
    let answer = ws::next(&mut socket, CAP)
        .await
        .expect("the socket is still open");
    assert_eq!(answer["type"], "error", "{answer}");
}
