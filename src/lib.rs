//! flexperto-sdk: a sans-IO core for the Flexperto video-consulting API, compiled to WebAssembly.
//!
//! The core builds requests as data ([`api::ApiRequest`]), parses responses from bytes, and decides
//! retries with a pure policy ([`retry`]). Only [`transport`] performs HTTP, and only the `wasm`
//! module (on `wasm32`) knows about JavaScript.
#![deny(missing_docs)]

pub mod api;
pub mod archive;
mod b64;
pub mod client;
pub mod config;
pub mod drift;
pub mod error;
pub mod jwt;
pub mod models;
pub mod pagination;
pub mod retry;
pub mod time;
pub mod transport;
pub mod webhook;

#[cfg(test)]
mod test_mutate;

#[cfg(all(target_arch = "wasm32", feature = "js-client"))]
pub mod wasm;
/// The archive bindings alone (`ArchiveChecksum`, the inspector's steps): the wasm of the
/// `flexperto-sdk/archive` entry, built by `crates/archive-wasm` without the `js-client` feature.
#[cfg(all(target_arch = "wasm32", not(feature = "js-client")))]
#[path = "wasm/archive_only.rs"]
pub mod wasm;

pub use client::{Client, EnsuredExpert, ExpertRef, VideoCall};
pub use config::{ClientConfig, Environment};
pub use error::{ApiError, ConfigError, Error, NetworkError, ValidationError, WebhookError};
