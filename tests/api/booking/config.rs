//! What the configuration changes: no demo login in production mode, the privacy notice
//! from its file.

use serde_json::json;

use crate::support::TestServer;

#[tokio::test]
async fn production_mode_has_no_demo_login() {
    let mut config = sportello::Config::for_tests();
    config.demo = false;
    let server = sportello::Server::start(config).await.unwrap();
    let c = crate::support::Client {
        addr: server.http_addr(),
        cookie: None,
    };
    c.post("/v1/demo/login", &json!({"account": "admin.inps"}))
        .await
        .expect_error(404, "not_found");
    c.get("/v1/booking/services")
        .await
        .expect_error(401, "unauthenticated");
    let r = c.get("/v1/openapi.json").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["openapi"], "3.1.0");
    server.shutdown().await;
}

/// The GDPR notice comes from the administrator's file when one is configured.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
pub(super) async fn privacy_notice_from_the_configured_file() {
    let dir = std::env::temp_dir().join(format!("sportello-notice-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("informativa.txt");
    let text = "Informativa del Comune di prova.\n\nSecondo paragrafo: titolare INPS.";
    std::fs::write(&file, format!("{text}\n")).unwrap();
    let env = TestServer::start_with(None, |c| c.privacy_notice_file = Some(file.clone())).await;
    let op = env.operator().await;
    let r = op.get("/v1/booking/privacy-notice").await;
    assert_eq!(r.status, 200, "{}", r.text);
    let v = r.json();
    assert_eq!(v["configured"], true);
    assert_eq!(v["text"], text);
    env.stop().await;
    // A missing file stops the server from starting rather than printing a wrong notice.
    let mut config = sportello::Config::for_tests();
    config.privacy_notice_file = Some(dir.join("missing.txt"));
    assert!(sportello::Server::start(config).await.is_err());
    let _ = std::fs::remove_dir_all(&dir);
}
