//! `sportello-loadtest`: starts meetings of synthetic participants against a sportello server
//! and reports join times, media quality and server load. See `--help`.

use clap::{Parser, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use sportello_loadtest::run::{self, MediaProfile, Progress, RunConfig, Stage};
use sportello_loadtest::target::Target;
use sportello_loadtest::{html, report::Report};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Load test for a sportello server: meetings of synthetic participants that publish and
/// subscribe to packetized Opus (and VP8), with a report of join times, loss, jitter,
/// latency and server CPU/memory. Tokens come from the server's demo endpoint
/// (`POST /v1/dev/token`), so the server must run with `--demo`.
#[derive(Debug, Parser)]
#[command(name = "sportello-loadtest", version)]
struct Cli {
    /// Base URL of the server, e.g. http://127.0.0.1:8080.
    target: String,
    /// Meetings to start (at most 200).
    #[arg(short, long, default_value_t = 1)]
    meetings: u32,
    /// Participants per meeting, all publishing and subscribing (2..=10).
    #[arg(short, long, default_value_t = 2)]
    participants: u32,
    /// Ramp-up rate, joins per second (0.5..=50).
    #[arg(short, long, default_value_t = 5.0)]
    ramp_up: f64,
    /// Length of the steady measurement window, seconds (at most 600).
    #[arg(short, long, default_value_t = 30)]
    duration: u64,
    /// What each participant publishes.
    #[arg(long, value_enum, default_value_t = Media::Video)]
    media: Media,
    /// Video bitrate, kbit/s (video profile).
    #[arg(long, default_value_t = 300)]
    video_kbps: u32,
    /// Video frame rate (video profile).
    #[arg(long, default_value_t = 15)]
    fps: u32,
    /// Accept the server's (self-signed development) certificate on https/wss targets.
    #[arg(long)]
    insecure: bool,
    /// Allow a target that is not a loopback address.
    #[arg(long)]
    allow_remote: bool,
    /// Read the server's CPU and memory from /proc/<PID> instead of its /metrics.
    #[arg(long, value_name = "PID")]
    server_pid: Option<u32>,
    /// Write the JSON report here.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Write the self-contained HTML report here.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// Longest wait for one participant's join, and again for its connection, seconds.
    #[arg(long, default_value_t = 20)]
    join_timeout: u64,
    /// Prefix of the room names (random by default).
    #[arg(long)]
    room_prefix: Option<String>,
    /// Exit with status 2 if the loss in the steady window exceeds this percentage.
    #[arg(long, value_name = "PERCENT")]
    max_loss: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Media {
    /// Opus only.
    Audio,
    /// Opus and VP8.
    Video,
}

/// Progress on stderr, drawn only on a terminal.
struct Bar(ProgressBar);

impl Bar {
    fn new() -> Self {
        let target = if std::io::stderr().is_terminal() {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        let bar = ProgressBar::with_draw_target(Some(0), target);
        bar.set_style(
            ProgressStyle::with_template(
                "{prefix:>10.bold} [{elapsed_precise}] {bar:30} {pos}/{len} {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.enable_steady_tick(Duration::from_millis(200));
        Self(bar)
    }
}

impl Progress for Bar {
    fn stage(&self, stage: Stage, total: u64) {
        let name = match stage {
            Stage::Joining => "joining",
            Stage::Settling => "settling",
            Stage::Steady => "steady",
            Stage::Finishing => "finishing",
        };
        self.0.set_prefix(name);
        self.0.set_position(0);
        self.0.set_length(total);
        self.0.set_message("");
    }

    fn update(&self, done: u64, status: &str) {
        self.0.set_position(done);
        self.0.set_message(status.to_owned());
    }
}

fn config(cli: &Cli) -> Result<RunConfig, String> {
    let target = Target::parse(&cli.target).map_err(|err| err.to_string())?;
    let mut config = RunConfig::new(target);
    config.meetings = cli.meetings;
    config.participants_per_meeting = cli.participants;
    config.ramp_up_per_s = cli.ramp_up;
    config.duration = Duration::from_secs(cli.duration);
    config.media = match cli.media {
        Media::Audio => MediaProfile::Audio,
        Media::Video => MediaProfile::Video {
            kbps: cli.video_kbps,
            fps: cli.fps,
        },
    };
    config.allow_remote = cli.allow_remote;
    config.insecure = cli.insecure;
    config.server_pid = cli.server_pid;
    config.join_timeout = Duration::from_secs(cli.join_timeout);
    if let Some(prefix) = &cli.room_prefix {
        config.room_prefix = prefix.clone();
    }
    config.validate().map_err(|err| err.to_string())?;
    Ok(config)
}

fn write_reports(cli: &Cli, report: &Report) -> Result<(), String> {
    if let Some(path) = &cli.json {
        let json = serde_json::to_string_pretty(report).map_err(|err| err.to_string())?;
        std::fs::write(path, json + "\n")
            .map_err(|err| format!("writing {}: {err}", path.display()))?;
    }
    if let Some(path) = &cli.html {
        std::fs::write(path, html::render(report))
            .map_err(|err| format!("writing {}: {err}", path.display()))?;
    }
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("error")),
        )
        .with_writer(std::io::stderr)
        .try_init();
    let config = match config(&cli) {
        Ok(config) => config,
        Err(err) => {
            eprintln!("sportello-loadtest: {err}");
            return ExitCode::from(64);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("sportello-loadtest: cannot start the runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let bar = Bar::new();
    let result = runtime.block_on(run::run(config, &bar));
    bar.0.finish_and_clear();
    let report = match result {
        Ok(report) => report,
        Err(err) => {
            eprintln!("sportello-loadtest: {err}");
            return ExitCode::FAILURE;
        }
    };
    print!("{}", report.summary_table());
    if let Err(err) = write_reports(&cli, &report) {
        eprintln!("sportello-loadtest: {err}");
        return ExitCode::FAILURE;
    }
    // Leave the runtime without waiting for detached connection drivers.
    runtime.shutdown_timeout(Duration::from_secs(2));
    if !report.all_connected() {
        return ExitCode::from(2);
    }
    if let Some(max) = cli.max_loss
        && report.window.loss_fraction * 100.0 > max
    {
        eprintln!(
            "sportello-loadtest: loss {:.3}% exceeds --max-loss {max}%",
            report.window.loss_fraction * 100.0
        );
        return ExitCode::from(2);
    }
    ExitCode::SUCCESS
}
