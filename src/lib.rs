//! sportello: the video desk server for INPS "Punto Utente Evoluto".
//!
//! This crate is the `sportello` binary's library: configuration, the HTTP API, TLS, telemetry
//! and the wiring of the signalling layer (`sportello-signalling`) and the media plane
//! (`sportello-sfu`). Tests start it in-process with [`Server::start`].

pub mod audit;
pub mod booking;
pub mod codice_fiscale;
pub mod config;
pub mod http;
pub mod identity;
pub mod meeting;
mod server;
pub mod telemetry;
pub mod tls;

pub use config::{Cli, Config, LogFormat};
pub use server::Server;
