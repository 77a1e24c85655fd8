//! Citizen → INPS documents over HTTP: the operator uploads during the meeting (PDF or signed
//! .p7m, judged by content, at most 4,000,000 bytes, cut while streaming), attests a copy; the
//! officials of the sportello list and download; every refusal has its code and keeps nothing;
//! every step is audited.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use crate::support::http::{Client, Response, read};
use crate::support::internals::csrf_token_for;
use crate::support::slots::{MON_0930, MON_1000};
use crate::support::{TestServer, at, eventually};

const MAX: usize = 4_000_000;

/// A small valid PDF of one page.
pub(crate) fn pdf() -> Vec<u8> {
    pdf_with("Domanda")
}

/// A valid PDF of one page whose text is `text` (hand-written, with a correct cross-reference
/// table).
pub(crate) fn pdf_with(text: &str) -> Vec<u8> {
    let stream = format!("BT /F1 12 Tf 72 712 Td ({text}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>".to_owned(),
        format!(
            "<< /Length {} >>\nstream\n{stream}\nendstream",
            stream.len()
        ),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// A CAdES .p7m (DER, content embedded) of `pdf()` signed by "Mario Rossi", made with the
/// `openssl` command-line tool (CI installs it).
fn p7m(dir: &Path) -> Vec<u8> {
    std::fs::create_dir_all(dir).unwrap();
    let run = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("these tests need the `openssl` command-line tool");
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    std::fs::write(dir.join("doc.pdf"), pdf()).unwrap();
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "key.pem",
        "-out",
        "cert.pem",
        "-days",
        "30",
        "-subj",
        "/CN=Mario Rossi/serialNumber=TINIT-RSSMRA80A01H501U",
    ]);
    run(&[
        "cms",
        "-sign",
        "-binary",
        "-nodetach",
        "-outform",
        "DER",
        "-in",
        "doc.pdf",
        "-signer",
        "cert.pem",
        "-inkey",
        "key.pem",
        "-out",
        "doc.p7m",
    ]);
    std::fs::read(dir.join("doc.p7m")).unwrap()
}

fn docs(id: &str) -> String {
    format!("/v1/booking/appointments/{id}/documents")
}

/// Uploads `bytes` as `name` with `c`'s session (and its CSRF token).
pub(crate) async fn upload(c: &Client, id: &str, name: &str, bytes: Vec<u8>) -> Response {
    let path = format!("{}?name={}", docs(id), urlencode(name));
    post_file(c, &path, "application/octet-stream", &bytes).await
}

/// POSTs `bytes` to `path` as `c` (its session and CSRF token) over a raw connection: the
/// server may answer a too large file before it is all sent.
pub(crate) async fn post_file(
    c: &Client,
    path: &str,
    content_type: &str,
    bytes: &[u8],
) -> Response {
    let mut head = format!(
        "POST {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\
         Content-Type: {content_type}\r\nContent-Length: {}\r\n",
        bytes.len()
    );
    if let Some(cookie) = &c.cookie {
        head.push_str(&format!("Cookie: {cookie}\r\n"));
        if let Some(token) = cookie.strip_prefix("sportello_session=") {
            head.push_str(&format!("x-csrf-token: {}\r\n", csrf_token_for(token)));
        }
    }
    head.push_str("\r\n");
    crate::support::http::send_raw(c.addr, &head, bytes).await
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b'_' {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The server's data dir, as it starts.
async fn start() -> (TestServer, PathBuf) {
    let dir = Arc::new(Mutex::new(PathBuf::new()));
    let seen = dir.clone();
    let env = TestServer::start_with(None, move |c| {
        *seen.lock().unwrap() = c.data_dir.clone();
    })
    .await;
    let data = dir.lock().unwrap().clone();
    (env, data)
}

/// The files kept under `<data>/documents`.
fn stored(data: &Path) -> Vec<PathBuf> {
    match std::fs::read_dir(data.join("documents")) {
        Ok(entries) => entries.flatten().map(|e| e.path()).collect(),
        Err(_) => Vec::new(),
    }
}

#[tokio::test]
async fn operator_uploads_the_official_downloads() {
    let (env, data) = start().await;
    let op = env.operator().await;
    let a = op.book(&at(MON_0930), "a").await;
    // Not before the meeting is open.
    upload(&op, &a, "domanda.pdf", pdf())
        .await
        .expect_error(409, "meeting_not_open");
    assert_eq!(op.meeting(&a, "", json!({})).await.status, 200);

    let r = upload(&op, &a, "Domanda pensione è.pdf", pdf()).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let e = r.json();
    assert_eq!(e["name"], "Domanda pensione è.pdf");
    assert_eq!(e["kind"], "pdf");
    assert_eq!(e["pages"], 1);
    assert_eq!(e["size"], pdf().len());
    assert_eq!(e["signature"], "none");
    assert_eq!(e["uploaded_by"], "operatore.villanova");
    assert_eq!(e["uploaded_by_name"], "Giulia Serra");
    assert_eq!(e["attested_by"], Value::Null);
    let pdf_id = e["id"].as_str().unwrap().to_owned();

    // Kept once, content-addressed, readable only by the server's user.
    let files = stored(&data);
    assert_eq!(files.len(), 1);
    assert_eq!(std::fs::read(&files[0]).unwrap(), pdf());
    assert_eq!(
        files[0].file_name().unwrap().to_str().unwrap(),
        e["sha256"].as_str().unwrap()
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&files[0]).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let mode = std::fs::metadata(data.join("documents"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o700);
    }

    // A signed .p7m: the signer is shown; without a trust list the certificate is not verified.
    let signed = p7m(&data.join("fixtures"));
    let r = upload(&op, &a, "delega.pdf.p7m", signed.clone()).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let s = r.json();
    assert_eq!(s["kind"], "p7m");
    assert_eq!(s["signer_name"], "Mario Rossi");
    assert_eq!(s["signer_codice_fiscale"], "RSSMRA80A01H501U");
    assert_eq!(s["signature"], "not_checked");

    // The operator attests the copy; once.
    let attest = format!("{}/{pdf_id}/attest", docs(&a));
    let r = op.post(&attest, &json!({})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["attested_by"], "operatore.villanova");
    let first = r.json()["attested_at"].clone();
    env.clock.advance(chrono::Duration::minutes(1));
    assert_eq!(
        op.post(&attest, &json!({})).await.json()["attested_at"],
        first
    );

    // The official lists and downloads.
    let official = env.official().await;
    let list = official.get(&docs(&a)).await;
    assert_eq!(list.status, 200, "{}", list.text);
    assert_eq!(list.header("cache-control"), Some("no-store"));
    let list = list.json();
    assert_eq!(list.as_array().unwrap().len(), 2);
    let attested = list
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == pdf_id.as_str())
        .unwrap();
    assert_eq!(attested["attested_by"], "operatore.villanova");
    let r = reqwest::Client::new()
        .get(format!("http://{}{}/{pdf_id}", official.addr, docs(&a)))
        .header("Host", "localhost")
        .header("Cookie", official.cookie.clone().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert_eq!(r.headers()["cache-control"], "no-store");
    let disposition = r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.starts_with("attachment; filename=\"Domanda_pensione__.pdf\""),
        "{disposition}"
    );
    assert!(
        disposition.contains("filename*=UTF-8''Domanda%20pensione%20%C3%A8.pdf"),
        "{disposition}"
    );
    assert_eq!(r.bytes().await.unwrap().as_ref(), pdf().as_slice());

    // Audited: two uploads, one attestation, one download.
    for (action, n) in [
        ("document.upload", 2),
        ("document.attest", 1),
        ("document.download", 1),
    ] {
        assert_eq!(env.audited_ok(action).await, n, "{action}");
    }
    env.stop().await;
}

#[tokio::test]
async fn refusals_keep_nothing() {
    let (env, data) = start().await;
    let op = env.operator().await;
    let a = op.book(&at(MON_0930), "a").await;
    assert_eq!(op.meeting(&a, "", json!({})).await.status, 200);
    let png = {
        let mut b = b"\x89PNG\r\n\x1a\n".to_vec();
        b.extend_from_slice(&[0u8; 512]);
        b
    };
    let mut truncated = pdf();
    truncated.truncate(truncated.len() / 2);
    let mut tampered = p7m(&data.join("fixtures"));
    // One byte of the embedded PDF's text changed ("Domanda" → "Eomanda").
    let at_text = tampered
        .windows(7)
        .position(|w| w == b"Domanda")
        .expect("the content is embedded");
    tampered[at_text] = b'E';
    let cases: Vec<(&str, Vec<u8>, u16, &str)> = vec![
        ("immagine.pdf", png, 422, "not_a_document"),
        ("vuoto.pdf", Vec::new(), 422, "empty_document"),
        ("rotto.pdf", truncated, 422, "corrupt_document"),
        ("firmato.p7m", tampered, 422, "signature_invalid"),
        ("", pdf(), 400, "bad_document_name"),
        ("a/b.pdf", pdf(), 400, "bad_document_name"),
        ("troppo.pdf", vec![b'%'; MAX + 1], 413, "document_too_large"),
    ];
    for (name, bytes, status, code) in cases {
        upload(&op, &a, name, bytes)
            .await
            .expect_error(status, code);
    }
    assert!(stored(&data).is_empty(), "nothing kept");
    assert_eq!(env.count("SELECT COUNT(*) FROM documents").await, 0);
    let refused = env
        .count("SELECT COUNT(*) FROM audit_log WHERE action = 'document.refuse'")
        .await;
    assert_eq!(refused, 5, "each refusal of a content is audited");
    let codes: Vec<(String,)> = sqlx::query_as(
        "SELECT detail FROM audit_log WHERE action = 'document.refuse' ORDER BY detail",
    )
    .fetch_all(env.pool())
    .await
    .unwrap();
    let codes: Vec<&str> = codes
        .iter()
        .map(|(d,)| d.split(' ').next().unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "code=corrupt_document",
            "code=document_too_large",
            "code=empty_document",
            "code=not_a_document",
            "code=signature_invalid"
        ]
    );
    // Exactly 4,000,000 bytes is not refused for its size (it is not a PDF: another code).
    upload(&op, &a, "limite.pdf", vec![b'%'; MAX])
        .await
        .expect_error(422, "not_a_document");

    // At most 20 documents per meeting.
    for i in 0..20 {
        assert_eq!(
            upload(&op, &a, &format!("d{i}.pdf"), pdf()).await.status,
            201
        );
    }
    upload(&op, &a, "d20.pdf", pdf())
        .await
        .expect_error(409, "too_many_documents");
    assert_eq!(stored(&data).len(), 1, "the same bytes are kept once");
    env.stop().await;
}

#[tokio::test]
async fn only_the_meetings_staff() {
    let (env, _data) = start().await;
    let op = env.operator().await;
    let a = op.book(&at(MON_0930), "a").await;
    let other = op.book(&at(MON_1000), "b").await;
    assert_eq!(op.meeting(&a, "", json!({})).await.status, 200);
    let id = upload(&op, &a, "domanda.pdf", pdf()).await.json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let doc = format!("{}/{id}", docs(&a));
    for account in [
        "funzionario.sassari",
        "operatore.alghero",
        "utenze.villanova",
        "admin.inps",
    ] {
        let c = env.login(account).await;
        upload(&c, &a, "x.pdf", pdf())
            .await
            .expect_error(403, "forbidden");
        c.post(&format!("{doc}/attest"), &json!({}))
            .await
            .expect_error(403, "forbidden");
    }
    for account in [
        "operatore.villanova",
        "operatore.alghero",
        "funzionario.laquila",
        "admin.inps",
    ] {
        env.login(account)
            .await
            .get(&doc)
            .await
            .expect_error(403, "forbidden");
    }
    for account in ["funzionario.laquila", "operatore.alghero"] {
        env.login(account)
            .await
            .get(&docs(&a))
            .await
            .expect_error(403, "forbidden");
    }
    env.anonymous()
        .get(&doc)
        .await
        .expect_error(401, "unauthenticated");
    upload(&env.anonymous(), &a, "x.pdf", pdf())
        .await
        .expect_error(401, "unauthenticated");
    let official = env.official().await;
    // Another meeting's document id, a bad id, an unknown one.
    official
        .get(&format!("{}/{id}", docs(&other)))
        .await
        .expect_error(404, "unknown_document");
    official
        .get(&format!("{}/XYZ", docs(&a)))
        .await
        .expect_error(400, "bad_document_id");
    official
        .get(&format!("{}/{}", docs(&a), "0".repeat(32)))
        .await
        .expect_error(404, "unknown_document");
    // Without the CSRF token an upload is refused before anything is read.
    let r = reqwest::Client::new()
        .post(format!("http://{}{}?name=x.pdf", op.addr, docs(&a)))
        .header("Host", "localhost")
        .header("Cookie", op.cookie.clone().unwrap())
        .body(pdf())
        .send()
        .await
        .unwrap();
    read(r).await.expect_error(403, "csrf_failed");
    env.stop().await;
}

/// Resident memory of this process (the server runs in it), in bytes.
fn rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_100_mb_upload_is_cut_at_the_limit() {
    let (env, data) = start().await;
    let op = env.operator().await;
    let a = op.book(&at(MON_0930), "a").await;
    assert_eq!(op.meeting(&a, "", json!({})).await.status, 200);
    let cookie = op.cookie.clone().unwrap();
    let token = csrf_token_for(cookie.strip_prefix("sportello_session=").unwrap());
    let before = rss();

    // Chunked, no Content-Length: the server can only count as the bytes come.
    let stream = tokio::net::TcpStream::connect(op.addr).await.unwrap();
    let (mut rd, mut wr) = stream.into_split();
    let head = format!(
        "POST {}?name=grande.pdf HTTP/1.1\r\nHost: localhost\r\nCookie: {cookie}\r\n\
         x-csrf-token: {token}\r\nContent-Type: application/octet-stream\r\n\
         Transfer-Encoding: chunked\r\n\r\n",
        docs(&a)
    );
    wr.write_all(head.as_bytes()).await.unwrap();
    let reader = tokio::spawn(async move {
        let mut answer = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(60), rd.read_to_end(&mut answer)).await;
        answer
    });
    let chunk = vec![b'%'; 64 * 1024];
    let mut sent = 0usize;
    while sent < 100 * 1024 * 1024 {
        let framed = [format!("{:x}\r\n", chunk.len()).as_bytes(), &chunk, b"\r\n"].concat();
        // A server that stopped reading and closed makes the write fail; one that stopped
        // reading without closing would block it: both end the loop.
        match tokio::time::timeout(Duration::from_secs(10), wr.write_all(&framed)).await {
            Ok(Ok(())) => {}
            _ => break,
        }
        sent += chunk.len();
        if reader.is_finished() {
            break;
        }
    }
    drop(wr);
    let answer = String::from_utf8_lossy(&reader.await.unwrap()).into_owned();
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("document_too_large"), "{answer}");
    assert!(
        sent < 100 * 1024 * 1024,
        "the server stopped reading ({sent} bytes sent)"
    );
    let grown = rss().saturating_sub(before);
    println!(
        "upload cut after {sent} bytes sent; RSS grew by {} KiB",
        grown / 1024
    );
    assert!(
        grown < 64 * 1024 * 1024,
        "memory stays bounded: grew {grown} bytes"
    );
    assert!(stored(&data).is_empty());
    env.stop().await;
}

#[tokio::test]
async fn the_meetings_pages_are_told_at_once() {
    let (env, _data) = start().await;
    let op = env.operator().await;
    let a = op.book(&at(MON_0930), "a").await;
    assert_eq!(op.meeting(&a, "", json!({})).await.status, 200);
    let official = env.official().await;
    let ticket = official.meeting(&a, "join", json!({})).await.json();
    let (mut off, _) =
        crate::support::ws::join(&env.server, ticket["token"].as_str().unwrap()).await;
    let within = Duration::from_secs(10);
    let r = upload(&op, &a, "domanda.pdf", pdf()).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let told = crate::support::ws::next_of(&mut off, "documents_changed", within)
        .await
        .expect("documents_changed after the upload");
    // Nothing but the event: no names, no file name.
    assert_eq!(told, json!({"type": "documents_changed"}));
    let id = r.json()["id"].as_str().unwrap().to_owned();
    let r = op
        .post(&format!("{}/{id}/attest", docs(&a)), &json!({}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    crate::support::ws::next_of(&mut off, "documents_changed", within)
        .await
        .expect("documents_changed after the attestation");
    env.stop().await;
}

/// Opens an upload that sends its headers and 10 bytes of a 1,000-byte body, then stalls.
async fn stalled_upload(c: &Client, id: &str) -> tokio::net::TcpStream {
    let cookie = c.cookie.clone().unwrap();
    let token = csrf_token_for(cookie.strip_prefix("sportello_session=").unwrap());
    let mut s = tokio::net::TcpStream::connect(c.addr).await.unwrap();
    let head = format!(
        "POST {}?name=lento.pdf HTTP/1.1\r\nHost: localhost\r\nCookie: {cookie}\r\n\
         x-csrf-token: {token}\r\nContent-Type: application/pdf\r\nContent-Length: 1000\r\n\r\n\
         %PDF-1.4\n",
        docs(id)
    );
    s.write_all(head.as_bytes()).await.unwrap();
    s
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_at_once_are_bounded_and_a_stalled_one_times_out() {
    // Body timeout 2 s: an upload gets 8 s, time enough for the eight to be admitted on a
    // loaded machine.
    let env = TestServer::start_with(None, |c| c.http.body_timeout = Duration::from_secs(2)).await;
    let op = env.operator().await;
    let a = op.book(&at(MON_0930), "a").await;
    assert_eq!(op.meeting(&a, "", json!({})).await.status, 200);
    let mut stalled = Vec::new();
    for _ in 0..8 {
        stalled.push(stalled_upload(&op, &a).await);
    }
    let metrics = env.anonymous();
    let metrics = &metrics;
    assert!(
        eventually(Duration::from_secs(8), || async move {
            let text = metrics.get("/metrics").await.text;
            text.lines().any(|l| l == "sportello_uploads_in_progress 8")
        })
        .await,
        "the eight stalled uploads are being read"
    );
    // Once the eight are being read, a ninth is refused at once, whatever its size.
    upload(&op, &a, "nono.pdf", Vec::new())
        .await
        .expect_error(503, "uploads_busy");
    let busy = upload(&op, &a, "nono.pdf", pdf()).await;
    // (The real document is refused too while the eight are read.)
    busy.expect_error(503, "uploads_busy");
    // The stalled ones are answered 408 when their time is up, and their places come back.
    for s in &mut stalled {
        let mut answer = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(20), s.read_to_end(&mut answer)).await;
        let answer = String::from_utf8_lossy(&answer).into_owned();
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
        assert!(answer.contains("request_timeout"), "{answer}");
    }
    let text = metrics.get("/metrics").await.text;
    assert!(text.contains("sportello_uploads_in_progress 0\n"), "{text}");
    assert_eq!(upload(&op, &a, "dopo.pdf", pdf()).await.status, 201);
    assert_eq!(
        env.count("SELECT COUNT(*) FROM documents WHERE name = 'lento.pdf'")
            .await,
        0,
        "nothing of the stalled uploads kept"
    );
    env.stop().await;
}
