//! JS bindings of the archive core: `ArchiveChecksum` (streaming SHA-256 in wasm), the archive
//! status predicates, and the stateless zip steps behind `ArchiveInspector`.
//!
//! `ArchiveInspector` and `ArchiveChecksum.verifyStream` are written in JavaScript
//! (`pkg-template/web/archive.js`): they do the I/O (ranged reads of a `Blob` or a file, reading a
//! stream) and the inflating (the platform's `DecompressionStream` or `node:zlib`, which keeps an
//! inflater out of the wasm), and cross into wasm once per step: the file's tail in, the whole
//! directory out as one JSON text; one small entry in, its CRC-32 and shape checked.

use js_sys::Uint8Array;
use serde::Deserialize;
use wasm_bindgen::prelude::*;

use super::errors;
use crate::archive::checksum::{self, verify_digest};
use crate::archive::content::{check_chat, check_metadata};
use crate::archive::zip::{
    check_entry_data, check_local_name, check_readable, inspect, local_data_offset, locate_eocd,
    Layout, ZipEntry, MAX_INFLATED_LEN, RECOMMENDED_TAIL_LEN,
};
use crate::archive::ArchiveStatus;
use crate::error::{ArchiveError, Error, ValidationError};

fn aerr(e: ArchiveError) -> JsValue {
    errors::to_js(&Error::Archive(e))
}

/// Chunks are copied into wasm memory at most this many bytes at a time, so that a huge chunk
/// does not grow the wasm memory (which never shrinks) by its size.
const PIECE: u32 = 1 << 20;

/// A streaming SHA-256 of an archive file, in wasm (the browser's only streaming option).
/// Its state is a few hundred bytes, whatever the file's size.
#[wasm_bindgen]
#[derive(Default)]
pub struct ArchiveChecksum {
    inner: checksum::ArchiveChecksum,
}

#[wasm_bindgen]
impl ArchiveChecksum {
    /// A hasher that has seen no bytes yet.
    #[wasm_bindgen(constructor)]
    pub fn new() -> ArchiveChecksum {
        Self::default()
    }

    /// Hashes the next chunk of the file (any size, including empty). Throws a `ValidationError`
    /// code `INVALID_ARGUMENT` unless `chunk` is a `Uint8Array` (a `Buffer` is one).
    // A raw byte chunk, kept on purpose (a hot path): copying a chunk into wasm costs ~2% at
    // 4 KiB and nothing measurable at >= 64 KiB (PERF-NOTES.md); the hasher runs at 1.26-1.28x
    // hash-wasm in Node with sha2's rounds unrolled (scripts/build.sh; bench/archive-hash.mjs,
    // bench/README.md).
    pub fn update(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] chunk: JsValue,
    ) -> Result<(), JsValue> {
        let chunk = chunk.dyn_ref::<Uint8Array>().ok_or_else(|| {
            errors::to_js(&Error::Validation(
                crate::error::ValidationError::InvalidArgument {
                    field: "chunk".into(),
                    reason: "must be a Uint8Array".into(),
                },
            ))
        })?;
        let len = chunk.length();
        if len <= PIECE {
            self.inner.update(&chunk.to_vec());
            return Ok(());
        }
        let mut start = 0;
        while start < len {
            let end = start.saturating_add(PIECE).min(len);
            self.inner.update(&chunk.subarray(start, end).to_vec());
            start = end;
        }
        Ok(())
    }

    /// How many bytes have been hashed so far.
    #[wasm_bindgen(getter, js_name = bytesHashed)]
    pub fn bytes_hashed(&self) -> f64 {
        self.inner.bytes_hashed() as f64
    }

    /// The SHA-256 of the bytes hashed so far: 64 lowercase hex characters. More bytes may follow.
    #[wasm_bindgen(js_name = digestHex)]
    pub fn digest_hex(&self) -> String {
        self.inner.digest_hex()
    }

    /// Checks the bytes hashed so far against `expectedHex` (the record's `sha256CheckSum`: 64 hex
    /// characters, either case), comparing in constant time. Throws an `ArchiveError`:
    /// `INVALID_CHECKSUM` for a value that is not 64 hex characters, `CHECKSUM_MISMATCH` (with
    /// `expected` and `actual`) when the digests differ.
    pub fn verify(
        &self,
        #[wasm_bindgen(js_name = expectedHex, unchecked_param_type = "string")]
        expected_hex: JsValue,
    ) -> Result<(), JsValue> {
        let hex = hex_arg(&expected_hex)?;
        verify_digest(&self.inner.digest(), &hex).map_err(aerr)
    }
}

/// Checks a digest computed elsewhere (Node's `node:crypto`) like `ArchiveChecksum.verify`; with
/// an empty `digest`, only checks that `expectedHex` is 64 hex characters (so that
/// `verifyStream` refuses a bad checksum before reading anything). Internal (`verifyStream`).
/// @internal
#[wasm_bindgen(js_name = archiveVerifyDigest)]
pub fn archive_verify_digest(digest: &[u8], expected_hex: JsValue) -> Result<(), JsValue> {
    let hex = hex_arg(&expected_hex)?;
    if digest.is_empty() {
        return checksum::parse_hex_digest(&hex).map(drop).map_err(aerr);
    }
    let digest: [u8; 32] = digest.try_into().map_err(|_| {
        aerr(ArchiveError::InvalidChecksum(
            "a SHA-256 digest has 32 bytes".into(),
        ))
    })?;
    verify_digest(&digest, &hex).map_err(aerr)
}

fn hex_arg(v: &JsValue) -> Result<String, JsValue> {
    v.as_string().ok_or_else(|| {
        aerr(ArchiveError::InvalidChecksum(
            "expected a string of 64 hex characters".into(),
        ))
    })
}

/// Whether the download endpoint serves the archive's file: `AVAILABLE` or `ABANDONED`.
#[wasm_bindgen(js_name = isDownloadable)]
pub fn is_downloadable(
    #[wasm_bindgen(unchecked_param_type = "ArchiveStatus")] status: JsValue,
) -> bool {
    // Not a string: no status this SDK knows, so neither downloadable nor terminal (taken as a
    // JsValue: a `&str` parameter given a number or an object broke the glue's copy).
    status
        .as_string()
        .is_some_and(|s| ArchiveStatus::parse(&s).is_downloadable())
}

/// Whether the archive will never become downloadable again: `FAILED` or `EXPIRED`. Unknown
/// statuses are neither downloadable nor terminal: keep polling, with a limit of your own.
#[wasm_bindgen(js_name = isTerminal)]
pub fn is_terminal(
    #[wasm_bindgen(unchecked_param_type = "ArchiveStatus")] status: JsValue,
) -> bool {
    status
        .as_string()
        .is_some_and(|s| ArchiveStatus::parse(&s).is_terminal())
}

fn file_len_arg(file_len: f64) -> Result<u64, JsValue> {
    if file_len.is_finite() && file_len >= 0.0 && file_len.fract() == 0.0 && file_len < 9.0e15 {
        Ok(file_len as u64)
    } else {
        Err(aerr(ArchiveError::CorruptZip(
            "the file length must be a non-negative integer".into(),
        )))
    }
}

/// Reads a zip's directory from the last bytes of the file. Internal (`ArchiveInspector.open`).
///
/// Answers one JSON text: `{"readTail":n}` when the last `n` bytes are needed (a zip64 end record
/// or a central directory further back than `tail` reaches), else the entries, the layout and
/// the findings (see `Directory`). Throws an `ArchiveError` for a truncated or corrupt zip.
/// @internal
#[wasm_bindgen(js_name = zipDirectory)]
pub fn zip_directory(tail: &[u8], file_len: f64) -> Result<String, JsValue> {
    let file_len = file_len_arg(file_len)?;
    let location = match locate_eocd(tail, file_len) {
        Err(ArchiveError::TailTooShort { needed }) if needed > tail.len() as u64 => {
            return Ok(format!("{{\"readTail\":{needed}}}"));
        }
        other => other.map_err(aerr)?,
    };
    let Some(cd) = location.central_directory_in(tail, file_len) else {
        let needed = file_len.saturating_sub(location.offset);
        if needed <= tail.len() as u64 {
            return Err(aerr(ArchiveError::CorruptZip(
                "the central directory lies outside the file".into(),
            )));
        }
        return Ok(format!("{{\"readTail\":{needed}}}"));
    };
    let entries = location.read_central_directory(cd).map_err(aerr)?;
    let layout = inspect(&entries);
    Ok(directory_json(location.zip64, &entries, &layout))
}

/// `{"zip64":b,"entries":[[name,method,flags,crc32,compressedSize,size,localHeaderOffset,
/// isDirectory,encrypted],..],
/// "themis":[i,..],"mithra":[..],"whiteboard":[..],"other":[..],"metadata":i|null,
/// "chat":i|null,"findings":[[code,name|null],..]}`, written by hand: a serde derive of the same
/// costs ~1 KB of wasm. `ArchiveInspector.open` (pkg-template/web/archive.js) makes the objects
/// that `ArchiveEntry`, `ArchiveFolders` and `ArchiveFinding` below declare from it, one field
/// per value.
fn directory_json(zip64: bool, entries: &[ZipEntry], layout: &Layout) -> String {
    use core::fmt::Write;
    let mut out = String::with_capacity(64 + entries.len() * 80);
    let string = |out: &mut String, s: &str| {
        // Serialising a &str cannot fail.
        out.push_str(&serde_json::to_string(s).unwrap_or_default());
    };
    let _ = write!(out, "{{\"zip64\":{zip64},\"entries\":[");
    for (i, e) in entries.iter().enumerate() {
        out.push_str(if i == 0 { "[" } else { ",[" });
        string(&mut out, &e.name);
        let _ = write!(
            out,
            ",{},{},{},{},{},{},{},{}]",
            e.method,
            e.flags,
            e.crc32,
            e.compressed_size,
            e.uncompressed_size,
            e.local_header_offset,
            e.is_dir,
            e.is_encrypted()
        );
    }
    out.push(']');
    for (key, list) in [
        ("themis", &layout.themis),
        ("mithra", &layout.mithra),
        ("whiteboard", &layout.whiteboard),
        ("other", &layout.other),
    ] {
        let _ = write!(out, ",\"{key}\":[");
        for (i, n) in list.iter().enumerate() {
            let _ = write!(out, "{}{n}", if i == 0 { "" } else { "," });
        }
        out.push(']');
    }
    for (key, v) in [("metadata", layout.metadata), ("chat", layout.chat)] {
        let _ = match v {
            Some(n) => write!(out, ",\"{key}\":{n}"),
            None => write!(out, ",\"{key}\":null"),
        };
    }
    out.push_str(",\"findings\":[");
    for (i, f) in layout.findings.iter().enumerate() {
        let _ = write!(out, "{}[\"{}\",", if i == 0 { "" } else { "," }, f.code());
        match f.name(entries) {
            Some(name) => string(&mut out, name),
            None => out.push_str("null"),
        }
        out.push(']');
    }
    out.push_str("]}");
    out
}

// --- the TypeScript declarations of what `ArchiveInspector` answers (tsify; no wasm code) ---

/// One entry of the archive's zip (`ZipEntry`, as `directory_json` writes it).
#[derive(tsify::Tsify)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)] // declarations only
pub struct ArchiveEntry {
    /// The path inside the zip, e.g. "themis/recordings/recording-0001.mp4".
    name: String,
    /// Bytes once inflated.
    size: f64,
    /// Bytes as stored in the zip.
    compressed_size: f64,
    /// 0 stored, 8 deflate (others cannot be read).
    method: u16,
    crc32: u32,
    local_header_offset: f64,
    is_directory: bool,
    encrypted: bool,
}

/// Something worth a look about the archive's layout; `name` is the entry (or top-level folder)
/// concerned (`archive::zip::Finding`).
#[derive(tsify::Tsify)]
#[allow(dead_code)] // declarations only
pub struct ArchiveFinding {
    code: crate::archive::zip::ArchiveFindingCode,
    #[tsify(optional)]
    name: Option<String>,
}

/// The entries grouped by top-level folder (`archive::zip::Layout`).
#[derive(tsify::Tsify)]
#[allow(dead_code)] // declarations only
pub struct ArchiveFolders {
    /// Chat history, uploads, recordings, the conference metadata.
    themis: Vec<ArchiveEntry>,
    /// Contracts signed by e-signature.
    mithra: Vec<ArchiveEntry>,
    /// Whiteboard history and documents.
    whiteboard: Vec<ArchiveEntry>,
    /// Anything else (reported as UNKNOWN_TOP_LEVEL findings).
    other: Vec<ArchiveEntry>,
}

/// The offset of an entry's data from its local header's start, given the header's first 30
/// bytes. Internal (`ArchiveInspector`).
/// @internal
#[wasm_bindgen(js_name = zipDataOffset)]
pub fn zip_data_offset(local_header: &[u8]) -> Result<f64, JsValue> {
    local_data_offset(local_header)
        .map(|n| n as f64)
        .map_err(aerr)
}

/// Checks that an entry's local header (its first bytes through its name and extra field) names
/// the file the central directory lists. Internal (`ArchiveInspector`).
/// @internal
#[wasm_bindgen(js_name = zipCheckLocalName)]
pub fn zip_check_local_name(name: &str, local: &[u8]) -> Result<(), JsValue> {
    check_local_name(name, local).map_err(aerr)
}

/// Checks one entry's inflated data: its size and CRC-32, then (`kind` 1: conference metadata,
/// 2: chat history) its JSON shape. Internal (`ArchiveInspector`).
/// @internal
#[wasm_bindgen(js_name = zipCheckEntry)]
pub fn zip_check_entry(
    name: &str,
    kind: u8,
    data: &[u8],
    size: f64,
    crc: u32,
) -> Result<(), JsValue> {
    let size = file_len_arg(size)?;
    check_entry_data(data, size, crc).map_err(aerr)?;
    let shape = match kind {
        1 => check_metadata(data),
        2 => check_chat(data),
        _ => Ok(()),
    };
    shape.map_err(|e| {
        aerr(ArchiveError::InvalidContent {
            entry: name.to_owned(),
            path: e.path,
            reason: e.reason,
        })
    })
}

// --- the rules behind verifyStream and ArchiveInspector ---
//
// The JavaScript side (pkg-template/web/archive.js) performs the I/O and asks here: option objects
// are read once into the structs below (serde-wasm-bindgen, unknown keys refused), and the zip
// limits are `archive::zip`'s. Internal: none of these is declared in the shipped .d.ts or
// exported by the entries. (downloadArchive's: src/wasm/storage.rs.)

pub(super) fn invalid_argument(field: &str, reason: String) -> JsValue {
    errors::to_js(&Error::Validation(ValidationError::InvalidArgument {
        field: field.into(),
        reason,
    }))
}

/// A callback option: undefined or a function.
pub(super) fn callback(v: &JsValue, field: &str) -> Result<(), JsValue> {
    if v.is_undefined() || v.is_function() {
        Ok(())
    } else {
        Err(invalid_argument(field, "must be a function".into()))
    }
}

/// Options of `ArchiveChecksum.verifyStream`. The option objects of this file are read as JSON
/// text (`options::from_json`), not through serde-wasm-bindgen: that keeps serde-wasm-bindgen
/// out of the `flexperto-sdk/archive` wasm, 62.2 -> 52.1 KiB gzip measured (budget 64 KiB).
/// `onProgress` is a function, which JSON leaves out: its kind is checked on the object.
#[derive(Deserialize, Default, tsify::Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct VerifyStreamOptions {
    /// Called after each chunk with the bytes hashed so far.
    #[allow(dead_code)] // a function: absent from the JSON text, read from the object
    #[tsify(optional, type = "(progress: { bytes: number }) => void")]
    on_progress: Option<serde::de::IgnoredAny>,
}

/// Checks `verifyStream`'s options and `expectedHex` (before anything is read); answers the
/// `onProgress` callback (or undefined). Internal.
/// @internal
#[wasm_bindgen(js_name = archiveVerifyStreamOptions)]
pub fn archive_verify_stream_options(
    expected_hex: JsValue,
    options: JsValue,
) -> Result<JsValue, JsValue> {
    let _: VerifyStreamOptions = super::options::from_json(&options, "options", &["onProgress"])?;
    let on_progress = if options.is_object() {
        js_sys::Reflect::get(&options, &JsValue::from_str("onProgress"))?
    } else {
        JsValue::UNDEFINED
    };
    callback(&on_progress, "onProgress")?;
    archive_verify_digest(&[], expected_hex)?;
    Ok(on_progress)
}

/// Options of `ArchiveInspector.readEntry`.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ReadEntryOptions {
    max_bytes: Option<f64>,
}

/// Checks `readEntry`'s options; answers `maxBytes` (default and ceiling: the zip reader's
/// in-memory limit, 64 MiB). Internal.
/// @internal
#[wasm_bindgen(js_name = archiveReadEntryMaxBytes)]
pub fn archive_read_entry_max_bytes(options: JsValue) -> Result<f64, JsValue> {
    let o: ReadEntryOptions = super::options::from_json(&options, "options", &[])?;
    match o.max_bytes {
        None => Ok(MAX_INFLATED_LEN as f64),
        Some(n) if n.fract() == 0.0 && n >= 0.0 && n <= MAX_INFLATED_LEN as f64 => Ok(n),
        Some(_) => Err(invalid_argument(
            "maxBytes",
            format!("must be an integer from 0 to {MAX_INFLATED_LEN}"),
        )),
    }
}

/// How many bytes of the file's end `ArchiveInspector.open` reads first: enough for the end
/// record with the longest comment and the zip64 records. Internal.
/// @internal
#[wasm_bindgen(js_name = zipTailLength)]
pub fn zip_tail_length() -> f64 {
    RECOMMENDED_TAIL_LEN as f64
}

/// Whether an entry can be read into memory within `maxBytes`, its `compressedSize` read
/// first; answers whether it must be inflated. Throws an `ArchiveError` (UNSUPPORTED_ZIP for an
/// encrypted entry, UNSUPPORTED_COMPRESSION, ENTRY_TOO_LARGE, CORRUPT_ZIP for sizes that do not
/// fit). Internal (`ArchiveInspector`).
/// @internal
#[wasm_bindgen(js_name = zipCheckReadable)]
pub fn zip_check_readable(
    method: u16,
    flags: u16,
    compressed_size: f64,
    size: f64,
    max_bytes: f64,
) -> Result<bool, JsValue> {
    let compressed_size = file_len_arg(compressed_size)?;
    let size = file_len_arg(size)?;
    let max_bytes = file_len_arg(max_bytes)?;
    check_readable(method, flags, compressed_size, size, max_bytes).map_err(aerr)
}
