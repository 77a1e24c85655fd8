//! Logs (tracing) and metrics (Prometheus) setup.

use std::sync::OnceLock;

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// Our crates at info; the WebRTC stack only when something is wrong (its info lines are per
/// connection state change, and DTLS warns about a missing server name on every handshake).
const DEFAULT_FILTER: &str = "info,webrtc=warn,rtc=warn,rtc_ice=warn,rtc_dtls=error,rtc_sctp=warn,\
rtc_srtp=warn,rtc_interceptor=warn,rtc_mdns=warn";

/// Installs the global log subscriber (once per process; later calls do nothing).
pub fn init_logs(format: LogFormat) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let _ = match format {
        LogFormat::Human => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}

/// The process-wide Prometheus recorder (installed on first use).
pub fn prometheus() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new().build_recorder();
            let handle = recorder.handle();
            // Another recorder may already be installed (e.g. by a test harness): then our
            // handle renders only what this process records through it, which is still valid.
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}

/// CPU seconds (user + system) and resident memory of this process, from `/proc`.
pub fn process_usage() -> Option<(f64, u64)> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may contain spaces.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let rss_pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    // USER_HZ is 100 on Linux for every architecture we run on; pages are 4 KiB.
    Some(((utime + stime) / 100.0, rss_pages * 4096))
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_own_usage() {
        let (cpu, rss) = super::process_usage().expect("/proc is readable");
        assert!(cpu >= 0.0);
        assert!(rss > 1024 * 1024);
    }
}
