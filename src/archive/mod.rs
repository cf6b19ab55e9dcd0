//! Archives (MiFID II): the pure parts of claiming one.
//!
//! - [`checksum`]: streaming SHA-256 of the downloaded file, checked against the record's
//!   `sha256CheckSum` in constant time.
//! - [`status`]: the archive status, and what it allows (download, or nothing more to wait for).
//! - [`zip`]: a zip reader that needs only random access to the end of the file (the central
//!   directory), so a multi-gigabyte archive in object storage can be inspected with two ranged
//!   reads, plus the layout check (`themis/`, `mithra/`, `whiteboard/`).
//! - [`storage`]: the object-storage download's rules (URLs, error codes, resumes).
//! - [`claim`]: the claim state machine (download, verify, store, then abandon; never lose one).
//! - [`content`]: shape checks of the `themis/` conference metadata and chat history JSON
//!   (inferred shapes: required fields checked, unknown ones kept).
//!
//! Nothing here performs I/O: callers feed bytes and get values or an
//! [`ArchiveError`](crate::error::ArchiveError) back. Every parser here is fuzzed (`fuzz/`) and
//! never panics.

pub mod checksum;
pub mod claim;
pub mod content;
pub mod status;
pub mod storage;
pub mod zip;

pub use checksum::ArchiveChecksum;
pub use status::ArchiveStatus;
pub use zip::{CentralDirectoryLocation, Finding, Layout, ZipEntry};

// The unit tests also run in wasm (Node) as wasm-bindgen tests: sha2 uses its simd128 backend
// there, and usize is 32 bits wide.
#[cfg(test)]
mod test_zip;

// The stable stand-in for cargo-fuzz; uses the clock and the file system: native only.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod robustness;
