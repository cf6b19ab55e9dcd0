//! The wasm of the `flexperto-sdk/archive` entry (a page that only checks and inspects archives):
//! the SDK's archive bindings, `ArchiveChecksum` and the steps of `ArchiveInspector`, without the
//! API client. Built by `scripts/build.sh`; everything it exports is defined in the SDK crate
//! (`src/wasm/archive_only.rs`).

#[cfg(target_arch = "wasm32")]
pub use flexperto_sdk::wasm::ArchiveChecksum;
