//! CPU time and resident memory of the server (from its `/metrics`, or `/proc/<pid>` when it
//! runs on this machine) and of the load generator itself (`/proc/self`).

use crate::http;
use crate::target::Target;
use serde::Serialize;
use std::time::Duration;

/// Linux reports `/proc/<pid>/stat` times in USER_HZ ticks, which is 100 on every architecture
/// this tool is meant for.
const USER_HZ: f64 = 100.0;

/// One reading of a process's resource usage.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Usage {
    /// User + system CPU time since the process started, seconds.
    pub cpu_seconds: f64,
    /// Resident set size, bytes.
    pub rss_bytes: u64,
}

/// Where the server's usage is read from.
#[derive(Debug, Clone)]
pub enum ServerProbe {
    /// `process_cpu_seconds_total` / `process_resident_memory_bytes` of `GET /metrics`.
    Metrics(Target),
    /// `/proc/<pid>/stat` and `/proc/<pid>/status`.
    Proc(u32),
}

impl ServerProbe {
    /// `"metrics"` or `"proc"`.
    pub fn source(&self) -> &'static str {
        match self {
            Self::Metrics(_) => "metrics",
            Self::Proc(_) => "proc",
        }
    }

    /// Reads the server's usage; `None` if it cannot be read.
    pub async fn read(&self) -> Option<Usage> {
        match self {
            Self::Metrics(target) => {
                let response =
                    http::request(target, "GET", "/metrics", None, Duration::from_secs(2))
                        .await
                        .ok()?;
                if response.status != 200 {
                    return None;
                }
                parse_metrics(&response.text())
            }
            Self::Proc(pid) => read_proc(&pid.to_string()),
        }
    }
}

/// The value of an unlabelled Prometheus sample `name` in a text exposition.
pub fn prometheus_value(text: &str, name: &str) -> Option<f64> {
    text.lines().find_map(|line| {
        let rest = line.strip_prefix(name)?;
        // Exactly this name (not a longer one), without labels.
        let value = rest.strip_prefix(' ')?;
        value.split_whitespace().next()?.parse().ok()
    })
}

/// Server usage from a `/metrics` body.
pub fn parse_metrics(text: &str) -> Option<Usage> {
    let cpu_seconds = prometheus_value(text, "process_cpu_seconds_total")?;
    let rss = prometheus_value(text, "process_resident_memory_bytes")?;
    Some(Usage {
        cpu_seconds,
        rss_bytes: rss.max(0.0) as u64,
    })
}

/// Usage of the process `pid` (`"self"` for this one) from `/proc`.
pub fn read_proc(pid: &str) -> Option<Usage> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    Some(Usage {
        cpu_seconds: parse_stat_cpu_seconds(&stat)?,
        rss_bytes: parse_status_rss(&status)?,
    })
}

/// This process's usage.
pub fn own_usage() -> Option<Usage> {
    read_proc("self")
}

/// utime + stime of a `/proc/<pid>/stat` line, in seconds.
pub fn parse_stat_cpu_seconds(stat: &str) -> Option<f64> {
    // The command name (field 2) is in parentheses and may contain spaces: count fields after
    // the last ')'. Field 3 (state) is then index 0, utime (14) index 11, stime (15) index 12.
    let after = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = after.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / USER_HZ)
}

/// `VmRSS` of a `/proc/<pid>/status`, in bytes.
pub fn parse_status_rss(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// The machine: CPU count and model.
#[derive(Debug, Clone, Serialize)]
pub struct Machine {
    /// CPUs available to this process (like `nproc`).
    pub cpus: usize,
    /// `model name` of `/proc/cpuinfo`.
    pub cpu_model: String,
}

impl Machine {
    /// Describes this machine.
    pub fn this() -> Self {
        let cpus = std::thread::available_parallelism().map_or(1, usize::from);
        let cpu_model = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|info| {
                info.lines()
                    .find(|l| l.starts_with("model name"))
                    .and_then(|l| l.split_once(':'))
                    .map(|(_, model)| model.trim().to_owned())
            })
            .unwrap_or_else(|| "unknown".to_owned());
        Self { cpus, cpu_model }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_prometheus_values() {
        let text = "# HELP process_cpu_seconds_total CPU\n# TYPE process_cpu_seconds_total gauge\n\
                    process_cpu_seconds_total 12.5\nprocess_cpu_seconds_total_other 99\n\
                    process_resident_memory_bytes 1.048576e6\nsportello_media_x{a=\"b\"} 3\n";
        assert_eq!(
            parse_metrics(text),
            Some(Usage {
                cpu_seconds: 12.5,
                rss_bytes: 1_048_576
            })
        );
        assert_eq!(prometheus_value(text, "sportello_media_x"), None);
        assert_eq!(parse_metrics("nothing here"), None);
    }

    #[test]
    fn reads_proc_stat_and_status() {
        let stat = "1234 (my (odd) name) S 1 2 3 4 5 6 7 8 9 10 250 50 0 0 20 0 8 0 100 200 300";
        assert_eq!(parse_stat_cpu_seconds(stat), Some(3.0));
        assert_eq!(
            parse_status_rss("Name:\tx\nVmRSS:\t  2048 kB\nVmSwap: 0 kB\n"),
            Some(2 * 1024 * 1024)
        );
        let own = own_usage().expect("/proc/self is readable on Linux");
        assert!(own.rss_bytes > 0);
    }
}
