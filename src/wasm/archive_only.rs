//! The archive bindings alone, for the `flexperto-sdk/archive` entry's own wasm
//! (`crates/archive-wasm`): the same files as the full build's, without the client.

#[path = "archive.rs"]
mod archive;
#[path = "errors.rs"]
mod errors;
#[path = "options.rs"]
mod options;
#[path = "panic.rs"]
mod panic;

pub use archive::ArchiveChecksum;
pub use errors::is_flexperto_error;
