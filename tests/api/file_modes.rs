//! The data dir is private: the directory 0700; the database, its WAL and shared-memory files
//! the token key and the development TLS key 0600, when the server creates them and, fixed at start, when an older run
//! left them readable by others.

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;

use sportello::{Config, Server};

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

fn set_mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

const FILES: [&str; 4] = [
    "booking.db",
    "booking.db-wal",
    "booking.db-shm",
    "token.key",
];

/// Starts a server on `data_dir`, logs in once (a write, so the WAL exists), checks the modes.
async fn start_and_check(data_dir: &Path) -> Server {
    let mut config = Config::for_tests();
    config.data_dir = data_dir.to_owned();
    config.certs_dir = data_dir.join("certs");
    config.tls_listen = Some(([127, 0, 0, 1], 0).into());
    let server = Server::start(config).await.expect("server starts");
    let c = crate::support::Client::new(server.http_addr());
    let r = c
        .post(
            "/v1/demo/login",
            &serde_json::json!({"account": "operatore.villanova"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(mode(data_dir), 0o700, "the data dir");
    for name in FILES {
        assert_eq!(mode(&data_dir.join(name)), 0o600, "{name}");
    }
    server
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_data_dir_and_its_files_are_private() {
    let parent = std::env::temp_dir().join(format!("sportello-modes-{}", rand::random::<u64>()));
    std::fs::create_dir(&parent).unwrap();
    let data_dir = parent.join("data");
    // Created by the server.
    let server = start_and_check(&data_dir).await;
    server.shutdown().await;
    // Left open by an older version: fixed at start.
    set_mode(&data_dir, 0o755);
    for name in FILES {
        let path = data_dir.join(name);
        if path.exists() {
            set_mode(&path, 0o644);
        }
    }
    let server = start_and_check(&data_dir).await;
    server.shutdown().await;
    std::fs::remove_dir_all(&parent).unwrap();
}
