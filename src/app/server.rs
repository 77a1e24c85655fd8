//! Starting and stopping the whole server: media plane, signalling, HTTP (and HTTPS).

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use sportello_sfu::{Sfu, SfuConfig};
use sportello_signalling::protocol::{ErrorCode, Role};
use sportello_signalling::token::MeetingClaims;
use sportello_signalling::{LocalRooms, Signalling, SignallingConfig, TokenKey};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::AppState;
use super::host_check::AllowedHosts;
use super::limits::ConnectionSlots;
use super::listener::{self, Listener};
use crate::booking::Booking;
use crate::config::Config;
use crate::identity::{DbSessions, LocalRevocationBus, RevocationBus, SessionStore};
use crate::meeting::admission::MeetingAdmission;
use crate::meeting::audit_observer::AuditObserver;
use crate::store::{Db, Store, files};
use crate::{telemetry, tls};

/// How long shutdown waits for connections to say goodbye before closing the media plane.
const DRAIN: Duration = Duration::from_secs(3);

/// A document upload may take this many times the body timeout (default 30 s × 4: 4 MB at
/// about 270 kbit/s).
const UPLOAD_TIME_FACTOR: u32 = 4;

/// The CAs trusted for signed documents, from the configured PEM bundle.
fn document_trust(config: &Config) -> anyhow::Result<Option<Arc<sportello_documents::TrustList>>> {
    let Some(path) = &config.document_trust_list else {
        return Ok(None);
    };
    let pem = std::fs::read(path)
        .with_context(|| format!("reading the document trust list {}", path.display()))?;
    let list = sportello_documents::TrustList::from_pem(&pem)
        .with_context(|| format!("the document trust list {}", path.display()))?;
    tracing::info!(authorities = list.len(), "documents: trust list loaded");
    Ok(Some(Arc::new(list)))
}

/// A running server.
#[derive(Debug)]
pub struct Server {
    http_addr: SocketAddr,
    https_addr: Option<SocketAddr>,
    media_addr: SocketAddr,
    signalling: Arc<Signalling>,
    booking: Booking,
    shutdown: CancellationToken,
    tasks: Vec<JoinHandle<()>>,
}

impl Server {
    /// Binds every listener and starts serving.
    pub async fn start(config: Config) -> anyhow::Result<Self> {
        files::private_dir(&config.data_dir)?;
        config.retention.validate()?;
        let key = token_key(&config)?;
        let db_url = match &config.database_url {
            Some(url) => url.clone(),
            None => {
                files::private_sqlite(&crate::store::db::sqlite_path(&config.data_dir))?;
                crate::store::db::sqlite_url(&config.data_dir)
            }
        };
        let db = Db::open(&db_url).await?;
        if config.demo && db.seed_demo().await? {
            tracing::info!("booking: demo data loaded");
        }
        let store = Store::new(db, config.booking_clock.clone());
        let booking = Booking::new(store.clone());
        let coded = booking.backfill_codes().await?;
        if coded > 0 {
            tracing::info!(coded, "booking: codes given to earlier appointments");
        }
        if config.demo {
            crate::identity::service::accounts::seed_demo(store.db(), store.now()).await?;
        }
        if let Some((account, password)) = &config.bootstrap_admin
            && crate::identity::service::accounts::bootstrap_admin(
                store.db(),
                account,
                password,
                store.now(),
            )
            .await?
        {
            tracing::info!("identity: INPS administrator account created");
        }
        let privacy_notice = Arc::new(crate::booking::privacy::load(
            config.privacy_notice_file.as_deref(),
            &config.retention,
        )?);
        if privacy_notice.configured {
            tracing::info!("booking: privacy notice read from the configured file");
        }
        let oidc_settings = match &config.oidc_config {
            Some(path) => crate::identity::oidc::config::load(path)?,
            None => Vec::new(),
        };
        let oidc = Arc::new(crate::identity::oidc::Oidc::start(oidc_settings).await?);
        let sfu = Sfu::start(SfuConfig {
            bind: config.media_listen,
            announce: config.media_announce.clone(),
            ..SfuConfig::default()
        })
        .await
        .with_context(|| format!("binding media socket {}", config.media_listen))?;
        let media_addr = sfu.local_addr();
        let signalling_config = SignallingConfig {
            ice_servers: config.ice_servers.clone(),
            ..config.signalling.clone()
        };
        let sessions: Arc<dyn SessionStore> =
            Arc::new(DbSessions::new(store.clone(), config.session_limits));
        let admission = MeetingAdmission::new(store.clone(), sessions.clone());
        let signalling = Arc::new(
            Signalling::new(signalling_config, key, sfu, Arc::new(LocalRooms::new()))
                .with_observer(Arc::new(AuditObserver::new(store.clone())))
                .with_admission(Arc::new(admission)),
        );
        let shutdown = CancellationToken::new();
        let revocations: Arc<dyn RevocationBus> = Arc::new(LocalRevocationBus::new());
        let mut tasks = Vec::new();
        // The one subscriber that applies revocations: on receipt it deletes the subject's HTTP
        // sessions and cuts off its signalling connections (see `identity::revocation`).
        tasks.push(tokio::spawn(
            crate::identity::revocation::apply_revocations(
                revocations.subscribe(),
                sessions.clone(),
                signalling.rooms().clone(),
                shutdown.clone(),
            ),
        ));
        // The end of each validity period, as the Italian day changes (see `identity::expiry`).
        tasks.push(tokio::spawn(crate::identity::expiry::revoke_at_day_end(
            store.clone(),
            revocations.clone(),
            shutdown.clone(),
        )));
        // Documents to print live in memory; those of ended meetings are dropped by this task.
        let prints = Arc::new(crate::documents::prints::Prints::default());
        tasks.push(tokio::spawn(crate::documents::prints::sweep_closed(
            prints.clone(),
            store.clone(),
            shutdown.clone(),
        )));
        // What is past its retention period is purged at start and then daily.
        let documents_dir = config.data_dir.join("documents");
        tasks.push(tokio::spawn(crate::retention::job::run_daily(
            store.clone(),
            config.retention,
            documents_dir.clone(),
            shutdown.clone(),
        )));
        let state = AppState {
            signalling: signalling.clone(),
            demo: config.demo,
            shutdown: shutdown.clone(),
            prometheus: telemetry::prometheus(),
            metrics_token: config.metrics_token.as_deref().map(Arc::from),
            store: store.clone(),
            booking: booking.clone(),
            sessions,
            revocations,
            privacy_notice,
            oidc,
            operator_password_login: config.operator_password_login,
            openings: Arc::default(),
            documents: crate::documents::Documents {
                store: store.clone(),
                dir: Arc::new(documents_dir),
                trust: document_trust(&config)?,
                signalling: signalling.clone(),
                prints: prints.clone(),
                uploads: Arc::new(tokio::sync::Semaphore::new(
                    crate::documents::MAX_UPLOADS_AT_ONCE,
                )),
            },
        };
        let body_timeout = config.http.body_timeout;
        let app = super::app(state)
            .layer(tower::util::MapRequestLayer::new(
                move |req: axum::extract::Request| {
                    // A document (up to 4 MB) from a comune on a weak link gets longer.
                    let limit = if crate::documents::is_upload(req.method(), req.uri().path()) {
                        body_timeout * UPLOAD_TIME_FACTOR
                    } else {
                        body_timeout
                    };
                    crate::api::body_deadline::with_body_deadline(req, limit)
                },
            ))
            .layer(axum::middleware::from_fn_with_state(
                AllowedHosts::new(&config.public_hosts),
                super::host_check::check,
            ));
        let slots = ConnectionSlots::new(&config.http);
        let proxies = super::forwarded::TrustedProxies::new(&config.trusted_proxies);

        let tcp = listen(config.listen).with_context(|| format!("binding {}", config.listen))?;
        let http_addr = tcp.local_addr()?;
        let plain = Listener {
            tcp,
            tls: None,
            limits: config.http,
            slots: slots.clone(),
            proxies: proxies.clone(),
        };
        tasks.push(tokio::spawn(listener::serve(
            plain,
            app.clone(),
            shutdown.clone(),
            DRAIN,
        )));

        let mut https_addr = None;
        if let Some(addr) = config.tls_listen {
            let (cert, key) = tls::cert_files(config.tls_files.as_ref(), &config.certs_dir)?;
            let rustls = tls::server_config(&cert, &key)?;
            let tcp = listen(addr).with_context(|| format!("binding {addr}"))?;
            https_addr = Some(tcp.local_addr()?);
            let secure = Listener {
                tcp,
                tls: Some(tokio_rustls::TlsAcceptor::from(rustls)),
                limits: config.http,
                slots,
                proxies,
            };
            tasks.push(tokio::spawn(listener::serve(
                secure,
                app,
                shutdown.clone(),
                DRAIN,
            )));
        }
        Ok(Self {
            http_addr,
            https_addr,
            media_addr,
            signalling,
            booking,
            shutdown,
            tasks,
        })
    }

    /// The plain-HTTP address.
    pub fn http_addr(&self) -> SocketAddr {
        self.http_addr
    }

    /// The HTTPS address, if enabled.
    pub fn https_addr(&self) -> Option<SocketAddr> {
        self.https_addr
    }

    /// The media UDP address.
    pub fn media_addr(&self) -> SocketAddr {
        self.media_addr
    }

    /// The signalling WebSocket URL on the plain-HTTP listener.
    pub fn ws_url(&self) -> String {
        format!("ws://{}/v1/signal", self.http_addr)
    }

    /// The signalling layer.
    pub fn signalling(&self) -> &Arc<Signalling> {
        &self.signalling
    }

    /// A signed, single-use meeting token valid for 10 minutes (for tests and in-process
    /// callers).
    pub fn token(&self, room: &str, role: Role, display_name: &str) -> String {
        let sub = format!("local-{:016x}", rand::random::<u64>());
        let claims = MeetingClaims::new(room, role, &sub, display_name, 600);
        self.signalling.token_key().sign(&claims)
    }

    /// The booking service (tests read the database through it).
    pub fn booking(&self) -> &Booking {
        &self.booking
    }

    /// Resolves when shutdown has been requested.
    pub async fn stopping(&self) {
        self.shutdown.cancelled().await;
    }

    /// Staged shutdown: stop accepting, tell clients, drain, close the media plane.
    pub async fn shutdown(self) {
        tracing::info!("shutting down: no new connections");
        self.shutdown.cancel();
        let told = self
            .signalling
            .rooms()
            .kick_all(ErrorCode::ShuttingDown)
            .await;
        tracing::info!(connections = told, "told clients; draining");
        let deadline = tokio::time::Instant::now() + DRAIN;
        while self.signalling.rooms().counts().1 > 0 && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.signalling.sfu().shutdown().await;
        for task in self.tasks {
            let _ = tokio::time::timeout(DRAIN, task).await;
        }
        self.booking.db().close().await;
        tracing::info!("stopped");
    }
}

/// Pending connections the kernel queues before `accept` (tokio's default, 128, overflows when
/// a few hundred clients connect at once, and each dropped SYN costs its client a 1 s retry).
const LISTEN_BACKLOG: u32 = 1024;

fn listen(addr: SocketAddr) -> std::io::Result<tokio::net::TcpListener> {
    let socket = if addr.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(LISTEN_BACKLOG)
}

/// The token key: configured secret, or one kept in the data dir (created on first run).
fn token_key(config: &Config) -> anyhow::Result<TokenKey> {
    if let Some(secret) = &config.token_secret {
        anyhow::ensure!(
            secret.len() >= 32,
            "the token secret must be at least 32 bytes"
        );
        return Ok(TokenKey::new(secret.as_bytes()));
    }
    let path = config.data_dir.join("token.key");
    files::private_file(&path)?;
    read_or_create_secret(&path)
}

fn read_or_create_secret(path: &Path) -> anyhow::Result<TokenKey> {
    match std::fs::read(path) {
        Ok(bytes) if bytes.len() >= 32 => Ok(TokenKey::new(&bytes)),
        Ok(_) => anyhow::bail!("{} holds fewer than 32 bytes", path.display()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let bytes: [u8; 32] = rand::random();
            write_secret(path, &bytes)?;
            Ok(TokenKey::new(&bytes))
        }
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

#[cfg(unix)]
fn write_secret(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    f.write_all(bytes)?;
    Ok(())
}

#[cfg(not(unix))]
fn write_secret(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    Ok(std::fs::write(path, bytes)?)
}
