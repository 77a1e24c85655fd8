//! Configuration: command-line flags and environment variables over an optional TOML file
//! over built-in defaults.

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use serde::Deserialize;
use sportello_signalling::SignallingConfig;
use sportello_signalling::protocol::IceServer;

use crate::app::limits::{HttpLimits, HttpLimitsFile};
use crate::identity::SessionLimits;
use crate::retention::RetentionConfig;
use crate::store::{Clock, OffsetClock, SystemClock};

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, clap::ValueEnum, Default)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Human,
    /// One JSON object per line.
    Json,
}

/// Command-line flags; each also reads an environment variable.
#[derive(Debug, Parser, Default)]
#[command(
    name = "sportello",
    version,
    about = "Video desk server for INPS Punto Utente Evoluto"
)]
pub struct Cli {
    /// TOML configuration file (flags and environment variables override it).
    #[arg(long, env = "SPORTELLO_CONFIG")]
    pub config: Option<PathBuf>,
    /// Plain-HTTP listen address (browsers allow the camera on http://localhost only).
    #[arg(long, env = "SPORTELLO_LISTEN")]
    pub listen: Option<SocketAddr>,
    /// HTTPS listen address; off unless set.
    #[arg(long, env = "SPORTELLO_TLS_LISTEN")]
    pub tls_listen: Option<SocketAddr>,
    /// PEM certificate chain for HTTPS (a development certificate is generated when absent).
    #[arg(long, env = "SPORTELLO_TLS_CERT")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key for HTTPS.
    #[arg(long, env = "SPORTELLO_TLS_KEY")]
    pub tls_key: Option<PathBuf>,
    /// Folder for the generated development certificate.
    #[arg(long, env = "SPORTELLO_CERTS_DIR")]
    pub certs_dir: Option<PathBuf>,
    /// UDP address of the media plane (one socket for all peers).
    #[arg(long, env = "SPORTELLO_MEDIA_LISTEN")]
    pub media_listen: Option<SocketAddr>,
    /// IP addresses announced in ICE candidates (NAT 1:1); repeat or separate with commas.
    #[arg(long, env = "SPORTELLO_MEDIA_ANNOUNCE", value_delimiter = ',')]
    pub media_announce: Vec<IpAddr>,
    /// ICE server URLs given to clients (stun:, turn:, turns:); repeat or separate with commas.
    #[arg(long, env = "SPORTELLO_ICE_SERVERS", value_delimiter = ',')]
    pub ice_server: Vec<String>,
    /// Demo mode: development token endpoint and demo data. Never in production.
    #[arg(long, env = "SPORTELLO_DEMO")]
    pub demo: bool,
    /// Folder for persistent data (token key, database).
    #[arg(long, env = "SPORTELLO_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Secret that signs meeting tokens (otherwise one is generated and kept in the data dir).
    #[arg(long, env = "SPORTELLO_TOKEN_SECRET", hide_env_values = true)]
    pub token_secret: Option<String>,
    /// Booking database: `postgres://…` for shared deployments (default: SQLite in the data dir).
    #[arg(long, env = "SPORTELLO_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// Log format.
    #[arg(long, env = "SPORTELLO_LOG_FORMAT", value_enum)]
    pub log_format: Option<LogFormat>,
    /// Demo mode only: start the booking clock at this instant (RFC 3339, e.g.
    /// `2026-11-23T10:05:00+01:00`) and let it run from there, to show or test the meeting day at
    /// any hour. Refused without `--demo`.
    #[arg(long, env = "SPORTELLO_DEMO_CLOCK")]
    pub demo_clock: Option<chrono::DateTime<chrono::FixedOffset>>,
    /// UTF-8 text file with the GDPR notice (art. 13 Reg. UE 2016/679) printed on the booking
    /// request form; paragraphs separated by blank lines (default: a built-in Italian text).
    #[arg(long, env = "SPORTELLO_PRIVACY_NOTICE_FILE")]
    pub privacy_notice_file: Option<PathBuf>,
    /// A staff session ends after this many minutes without use (default 30).
    #[arg(long, env = "SPORTELLO_SESSION_IDLE_MINUTES")]
    pub session_idle_minutes: Option<u64>,
    /// A staff session ends this many minutes after login at the latest (default 600).
    #[arg(long, env = "SPORTELLO_SESSION_ABSOLUTE_MINUTES")]
    pub session_absolute_minutes: Option<u64>,
    /// First start of a production deployment: create this INPS administrator account (if no
    /// account of that id exists), with the password in `SPORTELLO_ADMIN_PASSWORD`.
    #[arg(long, env = "SPORTELLO_ADMIN_ACCOUNT")]
    pub admin_account: Option<String>,
    /// TOML file of OIDC providers for staff login (SPID/CIE through an OIDC provider): one
    /// `[[provider]]` table each, see `identity::oidc::config`. Issuers are https:// (http://
    /// only to a loopback host, for tests). Without it there is no OIDC login.
    #[arg(long, env = "SPORTELLO_OIDC_CONFIG")]
    pub oidc_config: Option<PathBuf>,
    /// Whether comune operators may log in with a password (`true`, the default); `false` where
    /// SPID/CIE is the rule: operators then log in through OIDC only (other roles keep their
    /// passwords, and the demo login is not affected).
    #[arg(long, env = "SPORTELLO_OPERATOR_PASSWORD_LOGIN")]
    pub operator_password_login: Option<bool>,
    /// Host names the server answers to besides loopback names and IP literals (the `Host`
    /// check against DNS rebinding); repeat or separate with commas.
    #[arg(
        long = "public-host",
        env = "SPORTELLO_PUBLIC_HOSTS",
        value_delimiter = ','
    )]
    pub public_hosts: Vec<String>,
    /// Addresses of reverse proxies in front of the server: a request from one of them is
    /// attributed to the client its `X-Forwarded-For` names (for the per-client limits); repeat
    /// or separate with commas. From any other address the header is ignored.
    #[arg(
        long = "trusted-proxy",
        env = "SPORTELLO_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<IpAddr>,
    /// Bearer token that `/metrics` asks for (without one, it answers loopback clients only).
    #[arg(long, env = "SPORTELLO_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,
    /// PEM bundle of the certification authorities trusted for signed (.p7m) documents (e.g. the
    /// AgID/EU trusted lists exported as PEM). Without it a valid signature is reported as
    /// "firma valida, certificato non verificato".
    #[arg(long, env = "SPORTELLO_DOCUMENT_TRUST_LIST")]
    pub document_trust_list: Option<PathBuf>,
    /// Days the citizen's request data is kept after the appointment (default 365).
    #[arg(long, env = "SPORTELLO_RETENTION_REQUESTS_DAYS")]
    pub retention_requests_days: Option<u32>,
    /// Days uploaded documents are kept after the appointment (default 90).
    #[arg(long, env = "SPORTELLO_RETENTION_DOCUMENTS_DAYS")]
    pub retention_documents_days: Option<u32>,
    /// Days the anonymised appointments are kept before they are rolled up into counts
    /// (default 730).
    #[arg(long, env = "SPORTELLO_RETENTION_APPOINTMENTS_DAYS")]
    pub retention_appointments_days: Option<u32>,
    /// Days audit log entries are kept (default 730).
    #[arg(long, env = "SPORTELLO_RETENTION_AUDIT_DAYS")]
    pub retention_audit_days: Option<u32>,
    /// Days the citizens' feedback is kept before it is rolled up into counts (default 730).
    #[arg(long, env = "SPORTELLO_RETENTION_FEEDBACK_DAYS")]
    pub retention_feedback_days: Option<u32>,
}

/// The same settings as a TOML file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    listen: Option<SocketAddr>,
    tls_listen: Option<SocketAddr>,
    tls_cert: Option<PathBuf>,
    tls_key: Option<PathBuf>,
    certs_dir: Option<PathBuf>,
    media_listen: Option<SocketAddr>,
    #[serde(default)]
    media_announce: Vec<IpAddr>,
    #[serde(default)]
    ice_servers: Vec<String>,
    demo: Option<bool>,
    data_dir: Option<PathBuf>,
    token_secret: Option<String>,
    database_url: Option<String>,
    log_format: Option<LogFormat>,
    privacy_notice_file: Option<PathBuf>,
    session_idle_minutes: Option<u64>,
    session_absolute_minutes: Option<u64>,
    oidc_config: Option<PathBuf>,
    operator_password_login: Option<bool>,
    #[serde(default)]
    http: HttpLimitsFile,
    #[serde(default)]
    public_hosts: Vec<String>,
    #[serde(default)]
    trusted_proxies: Vec<IpAddr>,
    metrics_token: Option<String>,
    document_trust_list: Option<PathBuf>,
    retention_requests_days: Option<u32>,
    retention_documents_days: Option<u32>,
    retention_appointments_days: Option<u32>,
    retention_audit_days: Option<u32>,
    retention_feedback_days: Option<u32>,
}

/// The server's resolved configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Plain-HTTP listen address.
    pub listen: SocketAddr,
    /// HTTPS listen address, if any.
    pub tls_listen: Option<SocketAddr>,
    /// Configured certificate and key, if any.
    pub tls_files: Option<(PathBuf, PathBuf)>,
    /// Where the development certificate lives.
    pub certs_dir: PathBuf,
    /// Media UDP socket.
    pub media_listen: SocketAddr,
    /// Addresses announced in candidates.
    pub media_announce: Vec<IpAddr>,
    /// ICE servers for clients.
    pub ice_servers: Vec<IceServer>,
    /// Demo mode.
    pub demo: bool,
    /// Data folder.
    pub data_dir: PathBuf,
    /// Token secret, if configured.
    pub token_secret: Option<String>,
    /// Booking database URL; `None` = SQLite file `booking.db` in the data dir.
    pub database_url: Option<String>,
    /// The booking clock (tests inject a manual one).
    pub booking_clock: Arc<dyn Clock>,
    /// Log format.
    pub log_format: LogFormat,
    /// The administrator's GDPR notice text file; `None` = the built-in default text.
    pub privacy_notice_file: Option<PathBuf>,
    /// The OIDC provider file; `None` = no OIDC login.
    pub oidc_config: Option<PathBuf>,
    /// Whether comune operators may log in with a password.
    pub operator_password_login: bool,
    /// Signalling limits and timings (not configurable from the command line yet).
    pub signalling: SignallingConfig,
    /// Idle and absolute lifetimes of staff sessions.
    pub session_limits: SessionLimits,
    /// The INPS administrator account to create at start (id, password), if any.
    pub bootstrap_admin: Option<(String, String)>,
    /// Timeouts and connection caps of the HTTP and HTTPS listeners (`[http]` in the file).
    pub http: HttpLimits,
    /// Host names the server answers to besides loopback names and IP literals.
    pub public_hosts: Vec<String>,
    /// Reverse proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<IpAddr>,
    /// The bearer token of `/metrics`; `None` = loopback clients only.
    pub metrics_token: Option<String>,
    /// The PEM bundle of CAs trusted for signed documents, if any.
    pub document_trust_list: Option<PathBuf>,
    /// How long each kind of data is kept (checked at start).
    pub retention: RetentionConfig,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: ([127, 0, 0, 1], 8080).into(),
            tls_listen: None,
            tls_files: None,
            certs_dir: PathBuf::from("certs"),
            media_listen: ([0, 0, 0, 0], 40000).into(),
            media_announce: Vec::new(),
            ice_servers: Vec::new(),
            demo: false,
            data_dir: PathBuf::from("data"),
            token_secret: None,
            database_url: None,
            booking_clock: Arc::new(SystemClock),
            log_format: LogFormat::Human,
            privacy_notice_file: None,
            oidc_config: None,
            operator_password_login: true,
            signalling: SignallingConfig::default(),
            session_limits: SessionLimits::default(),
            bootstrap_admin: None,
            http: HttpLimits::default(),
            public_hosts: Vec::new(),
            trusted_proxies: Vec::new(),
            metrics_token: None,
            document_trust_list: None,
            retention: RetentionConfig::default(),
        }
    }
}

impl Config {
    /// A configuration for tests: loopback, ephemeral ports, demo mode, a fresh temp data dir.
    pub fn for_tests() -> Self {
        let data_dir = std::env::temp_dir().join(format!(
            "sportello-test-{}-{}",
            std::process::id(),
            rand::random::<u64>()
        ));
        Self {
            listen: ([127, 0, 0, 1], 0).into(),
            media_listen: ([127, 0, 0, 1], 0).into(),
            demo: true,
            certs_dir: data_dir.join("certs"),
            data_dir,
            ..Self::default()
        }
    }

    /// Resolves flags and environment over the optional file over defaults.
    pub fn from_cli(cli: Cli) -> anyhow::Result<Self> {
        let file = match &cli.config {
            Some(path) => read_file(path)?,
            None => FileConfig::default(),
        };
        let d = Config::default();
        let tls_cert = cli.tls_cert.or(file.tls_cert);
        let tls_key = cli.tls_key.or(file.tls_key);
        let tls_files = match (tls_cert, tls_key) {
            (Some(c), Some(k)) => Some((c, k)),
            (None, None) => None,
            _ => anyhow::bail!("--tls-cert and --tls-key must be given together"),
        };
        let ice_urls = if cli.ice_server.is_empty() {
            file.ice_servers
        } else {
            cli.ice_server
        };
        let ice_servers = ice_urls
            .into_iter()
            .map(|url| {
                if ["stun:", "turn:", "turns:"]
                    .iter()
                    .any(|p| url.starts_with(p))
                {
                    Ok(IceServer {
                        urls: vec![url],
                        username: None,
                        credential: None,
                    })
                } else {
                    anyhow::bail!("ICE server {url:?} must start with stun:, turn: or turns:")
                }
            })
            .collect::<anyhow::Result<_>>()?;
        let demo = cli.demo || file.demo.unwrap_or(false);
        let booking_clock: Arc<dyn Clock> = match cli.demo_clock {
            Some(_) if !demo => anyhow::bail!("--demo-clock is allowed only with --demo"),
            Some(at) => Arc::new(OffsetClock::starting_at(at.with_timezone(&chrono::Utc))),
            None => Arc::new(SystemClock),
        };
        let minutes = |m: Option<u64>, default: Duration| -> anyhow::Result<Duration> {
            match m {
                None => Ok(default),
                Some(0) => anyhow::bail!("session lifetimes must be at least 1 minute"),
                Some(m) => Ok(Duration::from_secs(m.saturating_mul(60))),
            }
        };
        let session_limits = SessionLimits {
            idle: minutes(
                cli.session_idle_minutes.or(file.session_idle_minutes),
                d.session_limits.idle,
            )?,
            absolute: minutes(
                cli.session_absolute_minutes
                    .or(file.session_absolute_minutes),
                d.session_limits.absolute,
            )?,
        };
        let bootstrap_admin = match cli.admin_account {
            None => None,
            Some(account) => {
                let password = std::env::var("SPORTELLO_ADMIN_PASSWORD").map_err(|_| {
                    anyhow::anyhow!(
                        "--admin-account needs SPORTELLO_ADMIN_PASSWORD in the environment"
                    )
                })?;
                Some((account, password))
            }
        };
        let days =
            |flag: Option<u32>, key: Option<u32>, default: u32| flag.or(key).unwrap_or(default);
        let retention = RetentionConfig {
            requests_days: days(
                cli.retention_requests_days,
                file.retention_requests_days,
                d.retention.requests_days,
            ),
            documents_days: days(
                cli.retention_documents_days,
                file.retention_documents_days,
                d.retention.documents_days,
            ),
            appointments_days: days(
                cli.retention_appointments_days,
                file.retention_appointments_days,
                d.retention.appointments_days,
            ),
            audit_days: days(
                cli.retention_audit_days,
                file.retention_audit_days,
                d.retention.audit_days,
            ),
            feedback_days: days(
                cli.retention_feedback_days,
                file.retention_feedback_days,
                d.retention.feedback_days,
            ),
        };
        retention.validate()?;
        Ok(Self {
            retention,
            http: file.http.resolve()?,
            public_hosts: if cli.public_hosts.is_empty() {
                file.public_hosts
            } else {
                cli.public_hosts
            },
            trusted_proxies: if cli.trusted_proxies.is_empty() {
                file.trusted_proxies
            } else {
                cli.trusted_proxies
            },
            session_limits,
            bootstrap_admin,
            document_trust_list: cli.document_trust_list.or(file.document_trust_list),
            listen: cli.listen.or(file.listen).unwrap_or(d.listen),
            tls_listen: cli.tls_listen.or(file.tls_listen),
            tls_files,
            certs_dir: cli.certs_dir.or(file.certs_dir).unwrap_or(d.certs_dir),
            media_listen: cli
                .media_listen
                .or(file.media_listen)
                .unwrap_or(d.media_listen),
            media_announce: if cli.media_announce.is_empty() {
                file.media_announce
            } else {
                cli.media_announce
            },
            ice_servers,
            demo,
            data_dir: cli.data_dir.or(file.data_dir).unwrap_or(d.data_dir),
            token_secret: cli.token_secret.or(file.token_secret),
            metrics_token: cli.metrics_token.or(file.metrics_token),
            database_url: cli.database_url.or(file.database_url),
            booking_clock,
            log_format: cli.log_format.or(file.log_format).unwrap_or_default(),
            privacy_notice_file: cli.privacy_notice_file.or(file.privacy_notice_file),
            oidc_config: cli.oidc_config.or(file.oidc_config),
            operator_password_login: cli
                .operator_password_login
                .or(file.operator_password_login)
                .unwrap_or(true),
            signalling: SignallingConfig::default(),
        })
    }
}

fn read_file(path: &Path) -> anyhow::Result<FileConfig> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("cannot read config file {}: {e}", path.display()))?;
    toml::from_str(&text).map_err(|e| anyhow::anyhow!("bad config file {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_override_file() {
        let dir = std::env::temp_dir().join(format!("sportello-cfg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("s.toml");
        std::fs::write(
            &file,
            "listen = \"127.0.0.1:9000\"\ndemo = true\nmedia_listen = \"127.0.0.1:5000\"\n\
             privacy_notice_file = \"/etc/sportello/informativa.txt\"\n",
        )
        .unwrap();
        let cli = Cli::parse_from([
            "sportello",
            "--config",
            file.to_str().unwrap(),
            "--listen",
            "127.0.0.1:9001",
        ]);
        let cfg = Config::from_cli(cli).unwrap();
        assert_eq!(cfg.listen.port(), 9001);
        assert_eq!(cfg.media_listen.port(), 5000);
        assert!(cfg.demo);
        assert_eq!(
            cfg.privacy_notice_file.as_deref(),
            Some(Path::new("/etc/sportello/informativa.txt"))
        );
        let cli = Cli::parse_from([
            "sportello",
            "--config",
            file.to_str().unwrap(),
            "--privacy-notice-file",
            "/tmp/other.txt",
        ]);
        let cfg = Config::from_cli(cli).unwrap();
        assert_eq!(
            cfg.privacy_notice_file.as_deref(),
            Some(Path::new("/tmp/other.txt"))
        );
        std::fs::write(&file, "lisen = \"127.0.0.1:9000\"\n").unwrap();
        let cli = Cli::parse_from(["sportello", "--config", file.to_str().unwrap()]);
        assert!(Config::from_cli(cli).is_err());
    }

    #[test]
    fn bad_ice_server_is_refused() {
        let cli = Cli::parse_from(["sportello", "--ice-server", "http://x"]);
        assert!(Config::from_cli(cli).is_err());
        let cli = Cli::parse_from(["sportello", "--ice-server", "stun:127.0.0.1:3478"]);
        assert_eq!(Config::from_cli(cli).unwrap().ice_servers.len(), 1);
    }

    #[test]
    fn retention_periods_from_flags_and_file() {
        let dir = std::env::temp_dir().join(format!("sportello-ret-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("s.toml");
        std::fs::write(
            &file,
            "retention_requests_days = 200\nretention_documents_days = 30\n",
        )
        .unwrap();
        let path = file.to_str().unwrap();
        let cli = Cli::parse_from([
            "sportello",
            "--config",
            path,
            "--retention-audit-days",
            "400",
        ]);
        let r = Config::from_cli(cli).unwrap().retention;
        assert_eq!(
            (
                r.requests_days,
                r.documents_days,
                r.appointments_days,
                r.audit_days
            ),
            (200, 30, 730, 400)
        );
        let cli = Cli::parse_from([
            "sportello",
            "--config",
            path,
            "--retention-documents-days",
            "300",
        ]);
        let e = Config::from_cli(cli).unwrap_err().to_string();
        assert!(e.contains("--retention-documents-days"), "{e}");
        let cli = Cli::parse_from(["sportello", "--retention-feedback-days", "0"]);
        assert!(Config::from_cli(cli).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn demo_clock_needs_demo_mode() {
        let cli = Cli::parse_from(["sportello", "--demo-clock", "2026-11-23T10:05:00+01:00"]);
        assert!(Config::from_cli(cli).is_err());
        let cli = Cli::parse_from([
            "sportello",
            "--demo",
            "--demo-clock",
            "2026-11-23T10:05:00+01:00",
        ]);
        let cfg = Config::from_cli(cli).unwrap();
        let now = cfg.booking_clock.now();
        let start: chrono::DateTime<chrono::Utc> = "2026-11-23T09:05:00Z".parse().unwrap();
        assert!(now >= start && now < start + chrono::Duration::minutes(1));
    }
}
