//! The `sportello` binary.

use clap::Parser as _;
use sportello::{Cli, Config, Server, telemetry};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = Config::from_cli(Cli::parse())?;
    telemetry::init_logs(config.log_format);
    let demo = config.demo;
    let server = Server::start(config).await?;
    let url = format!("http://{}", server.http_addr());
    tracing::info!(%url, media = %server.media_addr(), demo, "sportello is listening");
    if let Some(https) = server.https_addr() {
        tracing::info!(url = %format!("https://{https}"), "HTTPS is listening");
    }
    if demo {
        println!(
            "\nOpen {url}/?room=demo in two browser tabs to talk to yourself.\n\
             Staff login: {url}/accesso (choose a demo profile, or e.g. operatore.villanova, \
             utenze.villanova, funzionario.sassari, admin.inps with the password {}).\n",
            sportello::identity::password::DEMO_PASSWORD
        );
    }
    // Machine-readable line for scripts and browser tests.
    println!("READY {url}");
    tokio::select! {
        () = shutdown_signal() => {}
        () = server.stopping() => {}
    }
    server.shutdown().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
