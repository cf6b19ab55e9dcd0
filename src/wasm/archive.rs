//! JS bindings of the archive core: `ArchiveChecksum` (streaming SHA-256 in wasm), the archive
//! status predicates, and the stateless zip steps behind `ArchiveInspector`.
//!
//! `ArchiveInspector` and `ArchiveChecksum.verifyStream` are written in JavaScript
//! (`pkg-template/web/archive.js`): they do the I/O (ranged reads of a `Blob` or a file, reading a
//! stream) and the inflating (the platform's `DecompressionStream` or `node:zlib`, which keeps an
//! inflater out of the wasm), and cross into wasm once per step: the file's tail in, the whole
//! directory out as one JSON text; one small entry in, its CRC-32 and shape checked.

use js_sys::{Promise, Uint8Array};
use wasm_bindgen::prelude::*;

use super::errors;
use crate::archive::checksum::{self, verify_digest};
use crate::archive::content::{check_chat, check_metadata};
use crate::archive::zip::{
    check_entry_data, inspect, local_data_offset, locate_eocd, parse_central_directory, Layout,
    ZipEntry,
};
use crate::archive::ArchiveStatus;
use crate::error::{ArchiveError, Error};

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

    /// Hashes a whole stream (a web `ReadableStream`, a Node stream, or any async iterable of
    /// `Uint8Array`) in constant memory and checks it against `expectedHex` like `verify`;
    /// resolves to the digest and the byte count. In Node it hashes with `node:crypto` (several
    /// times faster than any wasm SHA-256), on a worker thread once the stream reaches 1 MiB; in
    /// browsers with this wasm hasher. The digests are compared in constant time either
    /// way. `onProgress` is called after each chunk.
    /// Rejects with an `ArchiveError` (`INVALID_CHECKSUM` before reading anything,
    /// `CHECKSUM_MISMATCH`), a `ValidationError` for a chunk that is not a `Uint8Array`, or the
    /// stream's own error.
    // The implementation is JavaScript (pkg-template/web/archive.js), installed over this
    // declaration by the package entry: reading a stream is cheap there and costly from here.
    #[wasm_bindgen(js_name = verifyStream, unchecked_return_type = "Promise<VerifiedStream>")]
    pub fn verify_stream(
        #[wasm_bindgen(js_name = stream, unchecked_param_type = "ArchiveByteStream")]
        _stream: JsValue,
        #[wasm_bindgen(js_name = expectedHex, unchecked_param_type = "string")]
        _expected_hex: JsValue,
        #[wasm_bindgen(js_name = options, unchecked_optional_param_type = "VerifyStreamOptions")]
        _options: JsValue,
    ) -> Promise {
        Promise::reject(&JsValue::from_str(
            "ArchiveChecksum.verifyStream: import the package entry, not flexperto_sdk.js",
        ))
    }

    /// Checks a digest computed elsewhere (Node's `node:crypto`) like `verify`; with an empty
    /// `digest`, only checks that `expectedHex` is 64 hex characters (so that `verifyStream`
    /// refuses a bad checksum before reading anything). Internal.
    #[wasm_bindgen(js_name = verifyDigest, skip_typescript)]
    pub fn verify_digest(digest: &[u8], expected_hex: JsValue) -> Result<(), JsValue> {
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
    #[wasm_bindgen(unchecked_param_type = "ArchiveStatus")] status: &str,
) -> bool {
    ArchiveStatus::parse(status).is_downloadable()
}

/// Whether the archive will never become downloadable again: `FAILED` or `EXPIRED`. Unknown
/// statuses are neither downloadable nor terminal: keep polling, with a limit of your own.
#[wasm_bindgen(js_name = isTerminal)]
pub fn is_terminal(#[wasm_bindgen(unchecked_param_type = "ArchiveStatus")] status: &str) -> bool {
    ArchiveStatus::parse(status).is_terminal()
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
#[wasm_bindgen(js_name = zipDirectory, skip_typescript)]
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
    let entries = parse_central_directory(cd, location.entries).map_err(aerr)?;
    location.check_entries(&entries).map_err(aerr)?;
    let layout = inspect(&entries);
    Ok(directory_json(location.zip64, &entries, &layout))
}

/// `{"zip64":b,"entries":[[name,method,flags,crc32,compressedSize,size,localHeaderOffset],..],
/// "themis":[i,..],"mithra":[..],"whiteboard":[..],"other":[..],"metadata":i|null,
/// "chat":i|null,"findings":[[code,name|null],..]}`, written by hand: a serde derive of the same
/// costs ~1 KB of wasm.
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
            ",{},{},{},{},{},{}]",
            e.method,
            e.flags,
            e.crc32,
            e.compressed_size,
            e.uncompressed_size,
            e.local_header_offset
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

/// The offset of an entry's data from its local header's start, given the header's first 30
/// bytes. Internal (`ArchiveInspector`).
#[wasm_bindgen(js_name = zipDataOffset, skip_typescript)]
pub fn zip_data_offset(local_header: &[u8]) -> Result<f64, JsValue> {
    local_data_offset(local_header)
        .map(|n| n as f64)
        .map_err(aerr)
}

/// Checks one entry's inflated data: its size and CRC-32, then (`kind` 1: conference metadata,
/// 2: chat history) its JSON shape. Internal (`ArchiveInspector`).
#[wasm_bindgen(js_name = zipCheckEntry, skip_typescript)]
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

#[wasm_bindgen(typescript_custom_section)]
const TS_ARCHIVES: &str = r#"
/**
 * The `status` of an archive record: PROCESSING -> ARTIFACT_GATHERING_COMPLETE -> PACKING ->
 * AVAILABLE, or FAILED; after the abandon call ABANDONED (still downloadable until it expires),
 * then EXPIRED. A status the SDK does not know yet is passed through as received.
 */
export type ArchiveStatus =
  | "PROCESSING" | "ARTIFACT_GATHERING_COMPLETE" | "PACKING" | "AVAILABLE" | "FAILED" | "ABANDONED"
  | "EXPIRED" | (string & {});
/** Codes of {@link ArchiveError}. */
export type ArchiveErrorCode =
  | "INVALID_CHECKSUM" | "CHECKSUM_MISMATCH" | "CORRUPT_ZIP" | "TRUNCATED" | "UNSUPPORTED_ZIP"
  | "UNSUPPORTED_COMPRESSION" | "LIMIT_EXCEEDED" | "ENTRY_TOO_LARGE" | "CRC_MISMATCH"
  | "INVALID_CONTENT";
/**
 * An archive file, or a checksum meant for one, that the SDK refuses. CHECKSUM_MISMATCH has
 * `expected` and `actual` (lowercase hex); INVALID_CONTENT (a JSON entry of an unexpected shape)
 * has `entry` (its name in the zip) and `path` (the field, e.g. "participants[0].email").
 */
export interface ArchiveError extends Error {
  name: "ArchiveError";
  code: ArchiveErrorCode;
  expected?: string;
  actual?: string;
  entry?: string;
  path?: string;
}
/** What {@link ArchiveChecksum.verifyStream} reads: a web ReadableStream, a Node stream, or any async iterable of chunks. */
export type ArchiveByteStream = ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;
/** Options of {@link ArchiveChecksum.verifyStream}. */
export interface VerifyStreamOptions {
  /** Called after each chunk with the bytes hashed so far. */
  onProgress?: (progress: { bytes: number }) => void;
}
/** A stream whose SHA-256 matched. */
export interface VerifiedStream {
  /** The SHA-256, 64 lowercase hex characters. */
  sha256: string;
  /** How many bytes the stream had. */
  bytes: number;
}
"#;
