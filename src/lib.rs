//! sportello: the video desk server for INPS "Punto Utente Evoluto".
//!
//! This crate is the `sportello` binary's library: configuration, the HTTP application edge
//! ([`app`]), the domains it serves (booking, identity, meetings, audit) on one shared
//! [`store`] with one HTTP vocabulary ([`api`]), TLS, telemetry and the wiring of the signalling
//! layer (`sportello-signalling`) and the media plane (`sportello-sfu`). Tests start it in-process with [`Server::start`].

pub mod api;
pub mod app;
pub mod audit;
pub mod booking;
pub mod catalogue;
pub mod codice_fiscale;
pub mod config;
pub mod documents;
pub mod identity;
pub mod meeting;
pub mod monitoring;
pub mod retention;
pub mod store;
pub mod telemetry;
pub mod tls;

pub use app::server::Server;
pub use config::{Cli, Config, LogFormat};
