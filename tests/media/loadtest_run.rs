//! The load-test harness against a real server started in-process on port 0 (demo mode):
//! a short run of 2 meetings × 2 participants writes its JSON and HTML reports, everyone
//! joins, every stream arrives whole, and loss stays under 1% on loopback. A second, shorter
//! run goes over HTTPS/WSS with the development certificate (`--insecure`) and reads the
//! server's usage from `/proc/<pid>`.

use std::time::Duration;

use sportello::{Config, Server};
use sportello_loadtest::html;
use sportello_loadtest::run::{self, MediaProfile, NoProgress, RunConfig};
use sportello_loadtest::target::Target;

/// Bound of each test.
const WHOLE_TEST: Duration = Duration::from_secs(90);
const MAX_LOSS: f64 = 0.01;

/// Packets in flight at either edge of the window (snapshots of publisher and subscriber are
/// not taken at the same instant): a few per stream.
fn close_enough(sent: u64, received: u64) -> bool {
    let tolerance = 5 + sent / 50;
    sent.abs_diff(received) <= tolerance
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn short_run_writes_reports_and_everyone_gets_everything() {
    super::bounded(
        WHOLE_TEST,
        "the load-test run finishes within 90 s",
        short_run(),
    )
    .await;
}

async fn short_run() {
    let server = Server::start(Config::for_tests())
        .await
        .expect("server starts");
    let target = Target::parse(&format!("http://{}", server.http_addr())).unwrap();
    let mut config = RunConfig::new(target);
    config.meetings = 2;
    config.participants_per_meeting = 2;
    config.ramp_up_per_s = 20.0;
    config.duration = Duration::from_secs(5);
    config.media = MediaProfile::Video { kbps: 200, fps: 15 };

    let report = run::run(config, &NoProgress)
        .await
        .expect("the run completes");

    let dir = std::env::temp_dir().join(format!("sportello-loadtest-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let json_path = dir.join("report.json");
    let html_path = dir.join("report.html");
    std::fs::write(&json_path, serde_json::to_string_pretty(&report).unwrap()).unwrap();
    std::fs::write(&html_path, html::render(&report)).unwrap();

    let summary = report.summary_table();
    let o = &report.outcome;
    assert_eq!(
        (o.participants, o.joined, o.connected),
        (4, 4, 4),
        "{summary}"
    );
    assert!(o.media_settled, "{summary}");
    assert!(o.window_s >= 4.9, "{summary}");

    // The JSON report exists and holds what was measured.
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json_path).unwrap()).unwrap();
    assert_eq!(json["outcome"]["connected"], 4);
    assert_eq!(json["participants"].as_array().unwrap().len(), 4);
    for key in ["join", "first_rtp", "first_keyframe", "latency"] {
        let p = &json["percentiles"][key];
        assert!(p["count"].as_u64().unwrap() > 0, "{key}: {p}");
        for q in ["p50_ms", "p95_ms", "p99_ms"] {
            assert!(p[q].as_f64().is_some(), "{key}.{q}: {p}");
        }
    }
    for participant in &report.participants {
        assert!(participant.error.is_none(), "{participant:?}");
        assert!(participant.join_ms.is_some() && participant.connect_ms.is_some());
        assert!(participant.first_keyframe_ms.is_some(), "{participant:?}");
    }

    // Every stream (2 meetings × 2 directions × audio/video), received ≈ sent, loss < 1%.
    assert_eq!(report.streams.len(), 8, "{summary}");
    for stream in &report.streams {
        assert!(stream.sent > 0, "{stream:?}");
        assert!(
            close_enough(stream.sent, stream.received),
            "received {} of {} sent: {stream:?}\n{summary}",
            stream.received,
            stream.sent
        );
        assert!(stream.loss_fraction < MAX_LOSS, "{stream:?}\n{summary}");
    }
    assert!(report.window.loss_fraction < MAX_LOSS, "{summary}");
    assert!(report.percentiles.latency.p50_ms < 100.0, "{summary}");
    // Server usage was read from its /metrics.
    assert_eq!(report.server.source, "metrics", "{summary}");
    assert!(
        report.server.usage.rss_end_bytes.unwrap_or(0) > 0,
        "{summary}"
    );
    assert!(!report.timeline.is_empty());

    // The HTML report is written, self-contained, with its plots.
    let page = std::fs::read_to_string(&html_path).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(
        page.contains("Join time") && page.contains("Loss per interval") && page.contains("CPU")
    );
    assert!(page.matches("<svg").count() >= 4);
    for external in ["<script", "<link", "src=", "href=", "@import", "url("] {
        assert!(
            !page.contains(external),
            "HTML report references {external}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_over_https_with_the_development_certificate() {
    super::bounded(
        WHOLE_TEST,
        "the https run finishes within 90 s",
        https_run(),
    )
    .await;
}

async fn https_run() {
    let mut server_config = Config::for_tests();
    server_config.tls_listen = Some(([127, 0, 0, 1], 0).into());
    let server = Server::start(server_config).await.expect("server starts");
    let https = server.https_addr().expect("https is enabled");
    let target = Target::parse(&format!("https://{https}")).unwrap();

    // Refused without --insecure.
    let mut config = RunConfig::new(target);
    config.duration = Duration::from_secs(2);
    config.ramp_up_per_s = 20.0;
    config.media = MediaProfile::Audio;
    let refused = run::run(config.clone(), &NoProgress).await.unwrap_err();
    assert!(refused.to_string().contains("--insecure"), "{refused}");

    config.insecure = true;
    // The server runs in this process: exercise the /proc reading path.
    config.server_pid = Some(std::process::id());
    let report = run::run(config, &NoProgress)
        .await
        .expect("the run completes");
    let summary = report.summary_table();
    assert_eq!(report.outcome.connected, 2, "{summary}");
    assert_eq!(report.server.source, "proc", "{summary}");
    assert!(report.server.usage.cpu_seconds.is_some(), "{summary}");
    assert_eq!(report.streams.len(), 2, "{summary}");
    for stream in &report.streams {
        assert!(
            close_enough(stream.sent, stream.received),
            "{stream:?}\n{summary}"
        );
    }
    server.shutdown().await;
}
