//! A zip reader that needs only the end of the file.
//!
//! Archives are gigabytes of video, kept in object storage: reading them whole to list them is
//! not an option. A zip's table of contents (the central directory) sits at its end, so two
//! ranged reads are enough:
//!
//! 1. read the last [`RECOMMENDED_TAIL_LEN`] bytes (or the whole file, if shorter) and call
//!    [`locate_eocd`]; it answers where the central directory is (or, for a zip64 file whose
//!    end record lies further back, [`ArchiveError::TailTooShort`] with the length to read);
//! 2. read `location.size` bytes at `location.offset` and call
//!    [`CentralDirectoryLocation::read_central_directory`] (which counts a self-extractor's
//!    prefix in the entries' offsets), then [`inspect`] for the layout.
//!
//! To read one small entry (the conference metadata JSON), check it with [`check_readable`],
//! read [`LOCAL_HEADER_LEN`] bytes at its `local_header_offset`, add [`local_data_offset`] to
//! find its data, check the local header's name with [`check_local_name`], read
//! `compressed_size` bytes and call [`inflate_entry`]. For a zip already in memory,
//! [`list_entries`] and [`read_entry`] do all of this.
//!
//! Other readers: checked against the corpora of yauzl, the `zip` crate and Go's `archive/zip`
//! with Python's `zipfile` and Info-ZIP's `unzip` as references (`tests/zip_interop.rs` holds our
//! own cases for each difference found). Deliberately stricter than Python: entries whose data
//! would reach past the central directory, entries whose data is shorter or longer than
//! declared, and disk numbers other than 0 are errors. Deliberately more lenient: an extra field
//! overrunning its area is skipped (as Info-ZIP and Go do).
//!
//! Every malformed input is an [`ArchiveError`], never a panic, and no allocation is sized by a
//! number read from the file without a cap ([`MAX_ENTRIES`], [`MAX_CENTRAL_DIRECTORY_LEN`],
//! [`MAX_INFLATED_LEN`]).

use crate::error::ArchiveError;

/// Length of the end of central directory (EOCD) record without its comment.
pub const EOCD_LEN: usize = 22;
/// The longest comment an EOCD record can carry.
pub const MAX_COMMENT_LEN: usize = 0xFFFF;
/// Length of the zip64 end of central directory locator.
pub const ZIP64_LOCATOR_LEN: usize = 20;
/// Length of the zip64 end of central directory record without extensible data.
pub const ZIP64_EOCD_LEN: usize = 56;
/// Length of a local file header without its name and extra field.
pub const LOCAL_HEADER_LEN: usize = 30;
/// How many bytes from the end of the file to hand to [`locate_eocd`]: enough for the EOCD with
/// the longest comment, the zip64 locator and a zip64 record without extensible data.
pub const RECOMMENDED_TAIL_LEN: u64 =
    (EOCD_LEN + MAX_COMMENT_LEN + ZIP64_LOCATOR_LEN + ZIP64_EOCD_LEN) as u64;
/// The most entries a central directory may declare.
pub const MAX_ENTRIES: u64 = 1_000_000;
/// The largest central directory accepted, in bytes (256 MiB).
pub const MAX_CENTRAL_DIRECTORY_LEN: u64 = 256 * 1024 * 1024;
/// The largest entry [`inflate_entry`] inflates in memory, in bytes (64 MiB).
pub const MAX_INFLATED_LEN: u64 = 64 * 1024 * 1024;

/// The longest zip64 end record believed (with its extensible data): 1 MiB.
const MAX_ZIP64_RECORD_LEN: u64 = 1 << 20;
/// Length of a central directory file header without its name, extra field and comment.
const CD_HEADER_LEN: usize = 46;
const EOCD_SIG: [u8; 4] = *b"PK\x05\x06";
const ZIP64_LOCATOR_SIG: [u8; 4] = *b"PK\x06\x07";
const ZIP64_EOCD_SIG: [u8; 4] = *b"PK\x06\x06";
const CD_SIG: [u8; 4] = *b"PK\x01\x02";
const LOCAL_SIG: [u8; 4] = *b"PK\x03\x04";
const DIGITAL_SIGNATURE_SIG: [u8; 4] = *b"PK\x05\x05";
const ZIP64_EXTRA_ID: u16 = 0x0001;
const UNICODE_PATH_EXTRA_ID: u16 = 0x7075;
const FLAG_ENCRYPTED: u16 = 1;
const FLAG_UTF8: u16 = 1 << 11;

/// Compression method: stored (no compression).
pub const METHOD_STORED: u16 = 0;
/// Compression method: deflate.
pub const METHOD_DEFLATE: u16 = 8;

/// Where the central directory of a zip file lies, as its end records say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CentralDirectoryLocation {
    /// Offset of the central directory from the start of the file.
    pub offset: u64,
    /// Length of the central directory in bytes (at most [`MAX_CENTRAL_DIRECTORY_LEN`]).
    pub size: u64,
    /// Number of entries (at most [`MAX_ENTRIES`]).
    pub entries: u64,
    /// Offset of the end of central directory record from the start of the file.
    pub eocd_offset: u64,
    /// Whether the values came from a zip64 end record.
    pub zip64: bool,
    /// Bytes before the zip proper (a self-extractor's stub, or anything else prepended to the
    /// archive), which the offsets the archive records do not count: `offset` already includes
    /// them, and [`CentralDirectoryLocation::read_central_directory`] adds them to each entry's
    /// `local_header_offset`. Zero for almost every archive.
    pub prefix: u64,
}

/// One entry of the central directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZipEntry {
    /// The entry's path inside the archive: the Info-ZIP Unicode Path extra field's when it
    /// matches the raw name, else the raw name decoded as UTF-8 when general purpose bit 11 says
    /// so, else as CP437 (APPNOTE appendix D), as Info-ZIP and Python read it, even when the bytes
    /// would also be valid UTF-8. It ends before its first NUL byte, if any (as in Python and
    /// Info-ZIP).
    pub name: String,
    /// Compression method: [`METHOD_STORED`], [`METHOD_DEFLATE`] or another (unsupported) one.
    pub method: u16,
    /// The general purpose bit flags.
    pub flags: u16,
    /// CRC-32 of the uncompressed data.
    pub crc32: u32,
    /// Length of the data as stored in the file.
    pub compressed_size: u64,
    /// Length of the data once inflated.
    pub uncompressed_size: u64,
    /// Offset of the entry's local file header from the start of the file.
    pub local_header_offset: u64,
    /// Whether the entry is a directory (its name ends with `/`).
    pub is_dir: bool,
}

impl ZipEntry {
    /// Whether the entry is encrypted (bit 0 of the flags); such entries cannot be inflated.
    pub fn is_encrypted(&self) -> bool {
        self.flags & FLAG_ENCRYPTED != 0
    }

    /// The offset of the entry's data from the start of the file, given the entry's local
    /// header (at least its first [`LOCAL_HEADER_LEN`] bytes, read at `local_header_offset`).
    ///
    /// # Errors
    /// As [`local_data_offset`]; [`ArchiveError::CorruptZip`] if the offset overflows.
    pub fn data_offset(&self, local_header: &[u8]) -> Result<u64, ArchiveError> {
        self.local_header_offset
            .checked_add(local_data_offset(local_header)?)
            .ok_or_else(|| corrupt("local header offset overflows"))
    }

    /// Inflates this entry's data (its `compressed_size` bytes at [`ZipEntry::data_offset`]) and
    /// checks its size and CRC-32. Not built for wasm32: the JS bindings inflate with the
    /// platform's own inflater and check the result with [`check_entry_data`].
    ///
    /// # Errors
    /// [`ArchiveError::UnsupportedZip`] for an encrypted entry; otherwise as [`inflate_entry`].
    #[cfg(any(not(target_arch = "wasm32"), test))]
    pub fn inflate(&self, compressed: &[u8]) -> Result<Vec<u8>, ArchiveError> {
        if self.is_encrypted() {
            return Err(ArchiveError::UnsupportedZip("encrypted entry"));
        }
        inflate_entry(self.method, compressed, self.uncompressed_size, self.crc32)
    }
}

fn corrupt(msg: impl Into<String>) -> ArchiveError {
    ArchiveError::CorruptZip(msg.into())
}

fn truncated(msg: impl Into<String>) -> ArchiveError {
    ArchiveError::Truncated(msg.into())
}

fn le16(b: &[u8], at: usize) -> Option<u16> {
    let s = b.get(at..at.checked_add(2)?)?;
    Some(u16::from_le_bytes(s.try_into().ok()?))
}

fn le32(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes(s.try_into().ok()?))
}

fn le64(b: &[u8], at: usize) -> Option<u64> {
    let s = b.get(at..at.checked_add(8)?)?;
    Some(u64::from_le_bytes(s.try_into().ok()?))
}

fn has_sig(b: &[u8], at: usize, sig: &[u8; 4]) -> bool {
    at.checked_add(4)
        .and_then(|end| b.get(at..end))
        .is_some_and(|s| s == sig)
}

/// Finds the end of central directory record in the last bytes of a zip file, and from it (and
/// the zip64 locator and record, when present) where the central directory lies.
///
/// `tail` is the last `tail.len()` bytes of a file of `file_len` bytes; [`RECOMMENDED_TAIL_LEN`]
/// bytes (or the whole file, if shorter) are enough unless the zip64 record carries extensible
/// data. The search goes back at most 65,535 + 22 bytes; an archive comment that contains
/// what looks like an end record is resolved as other readers do, by taking the last candidate
/// whose comment fits in the file.
///
/// # Errors
/// - [`ArchiveError::Truncated`]: the file is shorter than an end record.
/// - [`ArchiveError::TailTooShort`]: `tail` does not reach far enough back; read the last
///   `needed` bytes and call again.
/// - [`ArchiveError::CorruptZip`]: no end record (not a zip, or a file cut short), a zip64
///   record that is missing or misplaced, or a central directory that does not fit before the
///   end records; also if `tail` is longer than `file_len`.
/// - [`ArchiveError::UnsupportedZip`]: a split (multi-disk) archive.
/// - [`ArchiveError::LimitExceeded`]: more than [`MAX_ENTRIES`] entries, or a central directory
///   over [`MAX_CENTRAL_DIRECTORY_LEN`] bytes.
pub fn locate_eocd(tail: &[u8], file_len: u64) -> Result<CentralDirectoryLocation, ArchiveError> {
    let tail_len = tail.len() as u64;
    if tail_len > file_len {
        return Err(corrupt(format!(
            "a tail of {tail_len} bytes cannot come from a file of {file_len} bytes"
        )));
    }
    if file_len < EOCD_LEN as u64 {
        return Err(truncated(format!(
            "a file of {file_len} bytes cannot hold an end of central directory record"
        )));
    }
    let full_search = file_len.min((EOCD_LEN + MAX_COMMENT_LEN) as u64);
    let tail_start = file_len - tail_len;
    let Some(pos) = find_eocd(tail, tail_start) else {
        if tail_len < full_search {
            return Err(ArchiveError::TailTooShort {
                needed: file_len.min(RECOMMENDED_TAIL_LEN),
            });
        }
        return Err(corrupt(
            "no end of central directory record (not a zip file, or a file cut short)",
        ));
    };
    let eocd_offset = tail_start + pos as u64;
    let field16 = |at: usize| le16(tail, pos + at).unwrap_or(0);
    let field32 = |at: usize| le32(tail, pos + at).unwrap_or(0);
    let (disk, cd_disk) = (field16(4), field16(6));
    let (disk_entries, total_entries) = (field16(8), field16(10));
    let (cd_size32, cd_offset32) = (field32(12), field32(16));
    let saturated = disk == u16::MAX
        || cd_disk == u16::MAX
        || disk_entries == u16::MAX
        || total_entries == u16::MAX
        || cd_size32 == u32::MAX
        || cd_offset32 == u32::MAX;

    // A zip64 locator sits right before the end record, but so do the last bytes of the central
    // directory: a name may hold the locator's signature there. When the end record's own values
    // are not saturated and put the directory's end exactly at the end record, there is no room
    // for zip64 records: those bytes belong to the directory (Info-ZIP and Python agree).
    let classic_fits = !saturated && u64::from(cd_offset32) + u64::from(cd_size32) == eocd_offset;
    let locator_present = !classic_fits
        && pos >= ZIP64_LOCATOR_LEN
        && has_sig(tail, pos - ZIP64_LOCATOR_LEN, &ZIP64_LOCATOR_SIG);
    if !locator_present && saturated && pos < ZIP64_LOCATOR_LEN && tail_start > 0 {
        // The locator, if any, lies just before the tail.
        return Err(ArchiveError::TailTooShort {
            needed: (file_len - eocd_offset)
                .saturating_add((ZIP64_LOCATOR_LEN + ZIP64_EOCD_LEN) as u64)
                .min(file_len),
        });
    }

    let classic = (
        u64::from(total_entries),
        u64::from(cd_size32),
        u64::from(cd_offset32),
        eocd_offset,
        false,
    );
    let record = if locator_present {
        zip64_record(tail, tail_start, pos - ZIP64_LOCATOR_LEN, file_len)?
    } else {
        None
    };
    let (entries, cd_size, cd_offset, cd_end_limit, zip64) =
        if let Some((r, record_offset)) = record {
            let missing = || truncated("zip64 end of central directory record");
            let z_disk = le32(tail, r + 16).ok_or_else(missing)?;
            let z_cd_disk = le32(tail, r + 20).ok_or_else(missing)?;
            let z_disk_entries = le64(tail, r + 24).ok_or_else(missing)?;
            let z_entries = le64(tail, r + 32).ok_or_else(missing)?;
            let z_cd_size = le64(tail, r + 40).ok_or_else(missing)?;
            let z_cd_offset = le64(tail, r + 48).ok_or_else(missing)?;
            if z_disk != 0 || z_cd_disk != 0 || z_disk_entries != z_entries {
                return Err(ArchiveError::UnsupportedZip("split (multi-disk) archive"));
            }
            (z_entries, z_cd_size, z_cd_offset, record_offset, true)
        } else {
            if locator_present && saturated {
                let claimed = le64(tail, pos - ZIP64_LOCATOR_LEN + 8).unwrap_or(0);
                return Err(corrupt(format!(
                    "no zip64 end of central directory record at offset {claimed}"
                )));
            }
            // No locator, or (as Python's zipfile and Info-ZIP read it) a locator that leads to no
            // zip64 record while the end record's own values are complete: those values stand.
            if disk != 0 || cd_disk != 0 || disk_entries != total_entries {
                return Err(ArchiveError::UnsupportedZip("split (multi-disk) archive"));
            }
            classic
        };

    if entries > MAX_ENTRIES {
        return Err(ArchiveError::LimitExceeded {
            what: "entries",
            value: entries,
            limit: MAX_ENTRIES,
        });
    }
    if cd_size > MAX_CENTRAL_DIRECTORY_LEN {
        return Err(ArchiveError::LimitExceeded {
            what: "central directory bytes",
            value: cd_size,
            limit: MAX_CENTRAL_DIRECTORY_LEN,
        });
    }
    let Some(recorded_end) = cd_offset
        .checked_add(cd_size)
        .filter(|end| *end <= cd_end_limit)
    else {
        return Err(corrupt(format!(
            "the central directory (offset {cd_offset}, {cd_size} bytes) does not end before the end record at {cd_end_limit}"
        )));
    };
    if entries * CD_HEADER_LEN as u64 > cd_size {
        return Err(corrupt(format!(
            "{entries} entries cannot fit in a central directory of {cd_size} bytes"
        )));
    }
    // The directory ends right before the end records in a zip as written. When it ends earlier,
    // the bytes between are taken as a prefix that the recorded offsets do not count (a
    // self-extractor's stub), as Python's zipfile and Info-ZIP's unzip take them; unless the
    // tail shows that the shifted offset holds no directory while the recorded one does (as Go
    // and Info-ZIP fall back).
    let mut prefix = cd_end_limit - recorded_end;
    if prefix > 0 && entries > 0 {
        let sig_at = |offset: u64| {
            offset
                .checked_sub(tail_start)
                .and_then(|at| usize::try_from(at).ok())
                .map(|at| has_sig(tail, at, &CD_SIG))
        };
        if sig_at(cd_offset + prefix) == Some(false) && sig_at(cd_offset) == Some(true) {
            prefix = 0;
        }
    }
    Ok(CentralDirectoryLocation {
        offset: cd_offset + prefix,
        size: cd_size,
        entries,
        eocd_offset,
        zip64,
        prefix,
    })
}

/// Finds the zip64 end record that the locator at `l` (in `tail`) leads to: at the offset the
/// locator records or, as Python's zipfile looks for it, right before the locator (where a
/// prefixed archive's record lies, its recorded offset not counting the prefix). Answers its
/// position in `tail` and in the file, or `None` when neither place holds one.
fn zip64_record(
    tail: &[u8],
    tail_start: u64,
    l: usize,
    file_len: u64,
) -> Result<Option<(usize, u64)>, ArchiveError> {
    let locator_offset = tail_start + l as u64;
    let record_disk = le32(tail, l + 4).unwrap_or(0);
    let claimed = le64(tail, l + 8).unwrap_or(0);
    let disks = le32(tail, l + 16).unwrap_or(0);
    if record_disk != 0 || disks > 1 {
        return Err(ArchiveError::UnsupportedZip("split (multi-disk) archive"));
    }
    let in_tail = |offset: u64| {
        offset
            .checked_sub(tail_start)
            .and_then(|at| usize::try_from(at).ok())
            .filter(|&at| has_sig(tail, at, &ZIP64_EOCD_SIG))
    };
    // A record with extensible data ends at its locator: more than MAX_ZIP64_RECORD_LEN before
    // it, the locator's offset is not believed (it would have the caller read that much tail).
    let claimed_fits = claimed
        .checked_add(ZIP64_EOCD_LEN as u64)
        .is_some_and(|end| end <= locator_offset)
        && locator_offset - claimed <= MAX_ZIP64_RECORD_LEN;
    let before_locator = locator_offset.checked_sub(ZIP64_EOCD_LEN as u64);
    let found = [claimed_fits.then_some(claimed), before_locator]
        .into_iter()
        .flatten()
        .find_map(|offset| in_tail(offset).map(|at| (at, offset)));
    let Some((r, record_offset)) = found else {
        let before_tail = [claimed_fits.then_some(claimed), before_locator]
            .into_iter()
            .flatten()
            .filter(|offset| *offset < tail_start)
            .min();
        if let Some(offset) = before_tail {
            return Err(ArchiveError::TailTooShort {
                needed: file_len - offset,
            });
        }
        return Ok(None);
    };
    let record_size =
        le64(tail, r + 4).ok_or_else(|| truncated("zip64 end of central directory record"))?;
    let record_end = record_offset
        .checked_add(12)
        .and_then(|v| v.checked_add(record_size));
    if record_size < (ZIP64_EOCD_LEN - 12) as u64
        || record_end.is_none_or(|end| end > locator_offset)
    {
        return Err(corrupt(format!(
            "the zip64 end record declares an impossible size of {record_size} bytes"
        )));
    }
    Ok(Some((r, record_offset)))
}

/// The position of the end record in `tail` (the last bytes of the file from `tail_start` on):
/// the last candidate whose comment fits in `tail`, or whose directory ends right before it;
/// failing both, the last candidate at all. Python's zipfile and Info-ZIP read an archive whose
/// comment the end of the file cuts (after a warning), a self-extractor's too.
fn find_eocd(tail: &[u8], tail_start: u64) -> Option<usize> {
    let last = tail.len().checked_sub(EOCD_LEN)?;
    let first = last.saturating_sub(MAX_COMMENT_LEN);
    let mut cut = None;
    for pos in (first..=last).rev() {
        if !has_sig(tail, pos, &EOCD_SIG) {
            continue;
        }
        let comment_fits =
            le16(tail, pos + 20).is_some_and(|c| pos + EOCD_LEN + usize::from(c) <= tail.len());
        let size = le32(tail, pos + 12).unwrap_or(0);
        let offset = le32(tail, pos + 16).unwrap_or(0);
        // The directory's recorded end is this record, or (after a prefix) the bytes right
        // before it are a directory of that size.
        let directory_ends_here = size != u32::MAX
            && offset != u32::MAX
            && (u64::from(offset) + u64::from(size) == tail_start + pos as u64
                || (size > 0
                    && pos
                        .checked_sub(size as usize)
                        .is_some_and(|at| has_sig(tail, at, &CD_SIG))));
        if comment_fits || directory_ends_here {
            return Some(pos);
        }
        cut.get_or_insert(pos);
    }
    cut
}

/// Parses a central directory (the `location.size` bytes at `location.offset`) holding
/// `expected_entries` entries.
///
/// # Errors
/// - [`ArchiveError::LimitExceeded`]: more than [`MAX_ENTRIES`] entries, or more than
///   [`MAX_CENTRAL_DIRECTORY_LEN`] bytes.
/// - [`ArchiveError::Truncated`]: `cd` ends inside an entry, or is too short for the count.
/// - [`ArchiveError::CorruptZip`]: a bad header signature, a zip64 field that is needed but
///   missing, or more entries (or other bytes) after the expected count.
pub fn parse_central_directory(
    cd: &[u8],
    expected_entries: u64,
) -> Result<Vec<ZipEntry>, ArchiveError> {
    if expected_entries > MAX_ENTRIES {
        return Err(ArchiveError::LimitExceeded {
            what: "entries",
            value: expected_entries,
            limit: MAX_ENTRIES,
        });
    }
    if cd.len() as u64 > MAX_CENTRAL_DIRECTORY_LEN {
        return Err(ArchiveError::LimitExceeded {
            what: "central directory bytes",
            value: cd.len() as u64,
            limit: MAX_CENTRAL_DIRECTORY_LEN,
        });
    }
    // Both bounded: by MAX_ENTRIES, and by bytes the caller holds.
    if expected_entries * CD_HEADER_LEN as u64 > cd.len() as u64 {
        return Err(truncated(format!(
            "a central directory of {} bytes cannot hold {expected_entries} entries",
            cd.len()
        )));
    }
    let mut entries = Vec::with_capacity(expected_entries as usize);
    let mut pos = 0usize;
    for index in 0..expected_entries {
        let cut = || truncated(format!("central directory entry {index} at offset {pos}"));
        if cd.len() - pos < CD_HEADER_LEN {
            return Err(cut());
        }
        if !has_sig(cd, pos, &CD_SIG) {
            return Err(corrupt(format!(
                "bad central directory header signature for entry {index} at offset {pos}"
            )));
        }
        // In bounds: checked above.
        let field16 = |at: usize| le16(cd, pos + at).unwrap_or(0);
        let field32 = |at: usize| le32(cd, pos + at).unwrap_or(0);
        let flags = field16(8);
        let method = field16(10);
        let crc32 = field32(16);
        let compressed32 = field32(20);
        let uncompressed32 = field32(24);
        let name_len = usize::from(field16(28));
        let extra_len = usize::from(field16(30));
        let comment_len = usize::from(field16(32));
        let offset32 = field32(42);
        let name_start = pos + CD_HEADER_LEN;
        let extra_start = name_start + name_len;
        let end = extra_start + extra_len + comment_len;
        if end > cd.len() {
            return Err(cut());
        }
        let raw_name = &cd[name_start..extra_start];
        let extra = &cd[extra_start..extra_start + extra_len];

        let mut uncompressed_size = u64::from(uncompressed32);
        let mut compressed_size = u64::from(compressed32);
        let mut local_header_offset = u64::from(offset32);
        let need = [
            uncompressed32 == u32::MAX,
            compressed32 == u32::MAX,
            offset32 == u32::MAX,
        ];
        if need.iter().any(|n| *n) {
            let z = find_extra(extra, ZIP64_EXTRA_ID).unwrap_or(&[]);
            let mut at = 0usize;
            let mut next = || {
                let v = le64(z, at);
                at += 8;
                v.ok_or_else(|| {
                    corrupt(format!(
                        "entry {index}: the zip64 extra field is missing or too short"
                    ))
                })
            };
            if need[0] {
                uncompressed_size = next()?;
            }
            if need[1] {
                compressed_size = next()?;
            }
            if need[2] {
                local_header_offset = next()?;
            }
        }
        let name = decode_name(raw_name, flags & FLAG_UTF8 != 0, extra);
        entries.push(ZipEntry {
            is_dir: name.ends_with('/'),
            name,
            method,
            flags,
            crc32,
            compressed_size,
            uncompressed_size,
            local_header_offset,
        });
        pos = end;
    }
    if pos < cd.len() {
        if has_sig(cd, pos, &CD_SIG) {
            return Err(corrupt(format!(
                "the central directory holds more entries than the {expected_entries} declared"
            )));
        }
        if !has_sig(cd, pos, &DIGITAL_SIGNATURE_SIG) {
            return Err(corrupt(format!(
                "{} unexpected bytes after the last central directory entry",
                cd.len() - pos
            )));
        }
    }
    Ok(entries)
}

/// The data of the first extra field with this id, if the fields parse that far. Malformed
/// trailing bytes (some writers pad) end the search instead of failing it.
fn find_extra(mut extra: &[u8], id: u16) -> Option<&[u8]> {
    while extra.len() >= 4 {
        let field_id = le16(extra, 0)?;
        let len = usize::from(le16(extra, 2)?);
        let data = extra.get(4..4 + len)?;
        if field_id == id {
            return Some(data);
        }
        extra = &extra[4 + len..];
    }
    None
}

fn decode_name(raw: &[u8], utf8_flag: bool, extra: &[u8]) -> String {
    let mut name = decode_raw_name(raw, utf8_flag, extra);
    // A name ends at its first NUL byte, as Python's zipfile and Info-ZIP's unzip read it (and as
    // any C string API would pass it on): the rest is not part of the path.
    if let Some(nul) = name.find('\0') {
        name.truncate(nul);
    }
    name
}

fn decode_raw_name(raw: &[u8], utf8_flag: bool, extra: &[u8]) -> String {
    // Info-ZIP Unicode Path extra field: version 1, CRC-32 of the raw name, UTF-8 name.
    if let Some(field) = find_extra(extra, UNICODE_PATH_EXTRA_ID) {
        if field.first() == Some(&1) && le32(field, 1) == Some(crc32(raw)) {
            if let Some(name) = field.get(5..).and_then(|n| std::str::from_utf8(n).ok()) {
                return name.to_owned();
            }
        }
    }
    if utf8_flag {
        return String::from_utf8_lossy(raw).into_owned();
    }
    // Without the flag, the name is CP437 (APPNOTE 4.4.4 and appendix D), whatever else its
    // bytes might also be. Sized exactly: a name of 65,535 bytes may take three times that.
    let cp437 = |b: u8| {
        if b < 0x80 {
            char::from(b)
        } else {
            char::from_u32(u32::from(CP437_HIGH[usize::from(b - 0x80)]))
                .unwrap_or(char::REPLACEMENT_CHARACTER)
        }
    };
    let len = raw.iter().map(|&b| cp437(b).len_utf8()).sum();
    let mut name = String::with_capacity(len);
    name.extend(raw.iter().map(|&b| cp437(b)));
    name
}

/// Code page 437, bytes 0x80 to 0xFF (as UTF-16 code units: all in the Basic Multilingual Plane).
const CP437_HIGH: [u16; 128] = [
    0x00C7, 0x00FC, 0x00E9, 0x00E2, 0x00E4, 0x00E0, 0x00E5, 0x00E7, 0x00EA, 0x00EB, 0x00E8, 0x00EF,
    0x00EE, 0x00EC, 0x00C4, 0x00C5, 0x00C9, 0x00E6, 0x00C6, 0x00F4, 0x00F6, 0x00F2, 0x00FB, 0x00F9,
    0x00FF, 0x00D6, 0x00DC, 0x00A2, 0x00A3, 0x00A5, 0x20A7, 0x0192, 0x00E1, 0x00ED, 0x00F3, 0x00FA,
    0x00F1, 0x00D1, 0x00AA, 0x00BA, 0x00BF, 0x2310, 0x00AC, 0x00BD, 0x00BC, 0x00A1, 0x00AB, 0x00BB,
    0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x2561, 0x2562, 0x2556, 0x2555, 0x2563, 0x2551, 0x2557,
    0x255D, 0x255C, 0x255B, 0x2510, 0x2514, 0x2534, 0x252C, 0x251C, 0x2500, 0x253C, 0x255E, 0x255F,
    0x255A, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256C, 0x2567, 0x2568, 0x2564, 0x2565, 0x2559,
    0x2558, 0x2552, 0x2553, 0x256B, 0x256A, 0x2518, 0x250C, 0x2588, 0x2584, 0x258C, 0x2590, 0x2580,
    0x03B1, 0x00DF, 0x0393, 0x03C0, 0x03A3, 0x03C3, 0x00B5, 0x03C4, 0x03A6, 0x0398, 0x03A9, 0x03B4,
    0x221E, 0x03C6, 0x03B5, 0x2229, 0x2261, 0x00B1, 0x2265, 0x2264, 0x2320, 0x2321, 0x00F7, 0x2248,
    0x00B0, 0x2219, 0x00B7, 0x221A, 0x207F, 0x00B2, 0x25A0, 0x00A0,
];

impl CentralDirectoryLocation {
    /// The central directory's bytes, when the `tail` given to [`locate_eocd`] (the last
    /// `tail.len()` bytes of a file of `file_len` bytes) already holds them all: most archives'
    /// directories are a few kilobytes, so they need no second read.
    pub fn central_directory_in<'a>(&self, tail: &'a [u8], file_len: u64) -> Option<&'a [u8]> {
        let tail_start = file_len.checked_sub(tail.len() as u64)?;
        slice_at(tail, self.offset.checked_sub(tail_start)?, self.size)
    }

    /// Parses the central directory's bytes (the `size` bytes at `offset`) with
    /// [`parse_central_directory`], adds the archive's [`prefix`](Self::prefix) to each entry's
    /// `local_header_offset`, and checks the entries with [`Self::check_entries`].
    ///
    /// # Errors
    /// As [`parse_central_directory`] and [`Self::check_entries`].
    pub fn read_central_directory(&self, cd: &[u8]) -> Result<Vec<ZipEntry>, ArchiveError> {
        let mut entries = parse_central_directory(cd, self.entries)?;
        if self.prefix > 0 {
            for e in &mut entries {
                e.local_header_offset = e
                    .local_header_offset
                    .checked_add(self.prefix)
                    .ok_or_else(|| corrupt("local header offset overflows"))?;
            }
        }
        self.check_entries(&entries)?;
        Ok(entries)
    }

    /// Checks that every entry's local header and data lie before the central directory (a
    /// lower bound: the local header's name and extra field are not counted).
    ///
    /// # Errors
    /// [`ArchiveError::CorruptZip`] naming the first entry (by index) that does not fit.
    pub fn check_entries(&self, entries: &[ZipEntry]) -> Result<(), ArchiveError> {
        for (index, e) in entries.iter().enumerate() {
            let end = e
                .local_header_offset
                .checked_add(LOCAL_HEADER_LEN as u64)
                .and_then(|v| v.checked_add(e.compressed_size));
            if end.is_none_or(|end| end > self.offset) {
                return Err(corrupt(format!(
                    "entry {index} (local header at {}, {} bytes of data) extends past the central directory at {}",
                    e.local_header_offset, e.compressed_size, self.offset
                )));
            }
        }
        Ok(())
    }
}

/// The offset of an entry's data from the start of its local file header: the 30-byte header
/// plus its name and extra field lengths. Only the first [`LOCAL_HEADER_LEN`] bytes are read.
///
/// # Errors
/// [`ArchiveError::Truncated`] if fewer than 30 bytes are given; [`ArchiveError::CorruptZip`] if
/// the local header signature is wrong.
pub fn local_data_offset(local_header: &[u8]) -> Result<u64, ArchiveError> {
    if local_header.len() < LOCAL_HEADER_LEN {
        return Err(truncated(format!(
            "a local file header needs {LOCAL_HEADER_LEN} bytes, got {}",
            local_header.len()
        )));
    }
    if !has_sig(local_header, 0, &LOCAL_SIG) {
        return Err(corrupt("bad local file header signature"));
    }
    let name_len = le16(local_header, 26).unwrap_or(0);
    let extra_len = le16(local_header, 28).unwrap_or(0);
    Ok(LOCAL_HEADER_LEN as u64 + u64::from(name_len) + u64::from(extra_len))
}

/// Whether an entry can be read into memory within `max_bytes` (at most [`MAX_INFLATED_LEN`]):
/// not encrypted (`flags` bit 0), stored or deflated, and with a `compressed_size` that its
/// `uncompressed_size` allows (the caller reads that many bytes before inflating: equal for a
/// stored entry; for a deflated one at most twice the size plus 64 KiB, far above what any
/// deflater writes, so that a small entry declaring gigabytes of data is refused before it is
/// read). Answers whether it must be inflated.
///
/// # Errors
/// [`ArchiveError::UnsupportedZip`] (encrypted), [`ArchiveError::UnsupportedCompression`],
/// [`ArchiveError::EntryTooLarge`], [`ArchiveError::CorruptZip`] (sizes that do not fit).
pub fn check_readable(
    method: u16,
    flags: u16,
    compressed_size: u64,
    uncompressed_size: u64,
    max_bytes: u64,
) -> Result<bool, ArchiveError> {
    if flags & 1 != 0 {
        return Err(ArchiveError::UnsupportedZip("encrypted entry"));
    }
    if method != METHOD_STORED && method != METHOD_DEFLATE {
        return Err(ArchiveError::UnsupportedCompression(method));
    }
    let limit = max_bytes.min(MAX_INFLATED_LEN);
    if uncompressed_size > limit {
        return Err(ArchiveError::EntryTooLarge {
            size: uncompressed_size,
            limit,
        });
    }
    if method == METHOD_STORED && compressed_size != uncompressed_size {
        return Err(corrupt(format!(
            "a stored entry of {compressed_size} bytes declares {uncompressed_size} bytes"
        )));
    }
    if compressed_size
        > uncompressed_size
            .saturating_mul(2)
            .saturating_add(64 * 1024)
    {
        return Err(corrupt(format!(
            "an entry of {uncompressed_size} bytes cannot take {compressed_size} bytes deflated"
        )));
    }
    Ok(method == METHOD_DEFLATE)
}

/// Inflates one entry's data, stored (method 0) or deflated (method 8), and checks that it has
/// exactly `uncompressed_size` bytes and the CRC-32 `crc`. Never produces more than
/// [`MAX_INFLATED_LEN`] bytes.
///
/// Not built for wasm32 (outside tests), where it would add the inflater (~10 KB gzip) to the
/// package: the JS bindings inflate with the platform's own (`DecompressionStream`, `node:zlib`)
/// and check the result with [`check_entry_data`].
///
/// # Errors
/// - [`ArchiveError::EntryTooLarge`]: `uncompressed_size` exceeds [`MAX_INFLATED_LEN`].
/// - [`ArchiveError::UnsupportedCompression`]: any other method.
/// - [`ArchiveError::Truncated`]: the deflate stream ends early.
/// - [`ArchiveError::CorruptZip`]: invalid deflate data, or a size other than declared.
/// - [`ArchiveError::CrcMismatch`]: the data does not match `crc`.
#[cfg(any(not(target_arch = "wasm32"), test))]
pub fn inflate_entry(
    method: u16,
    compressed: &[u8],
    uncompressed_size: u64,
    crc: u32,
) -> Result<Vec<u8>, ArchiveError> {
    check_readable(
        method,
        0,
        compressed.len() as u64,
        uncompressed_size,
        MAX_INFLATED_LEN,
    )?;
    let size = usize::try_from(uncompressed_size).map_err(|_| ArchiveError::EntryTooLarge {
        size: uncompressed_size,
        limit: MAX_INFLATED_LEN,
    })?;
    let data = match method {
        METHOD_STORED => {
            if compressed.len() != size {
                return Err(corrupt(format!(
                    "a stored entry of {} bytes declares {size} bytes",
                    compressed.len()
                )));
            }
            compressed.to_vec()
        }
        METHOD_DEFLATE => {
            use miniz_oxide::inflate::{decompress_to_vec_with_limit, TINFLStatus};
            let out =
                decompress_to_vec_with_limit(compressed, size).map_err(|e| match e.status {
                    TINFLStatus::HasMoreOutput => corrupt(format!(
                        "the entry inflates to more than the {size} bytes declared"
                    )),
                    TINFLStatus::FailedCannotMakeProgress | TINFLStatus::NeedsMoreInput => {
                        truncated("the deflate stream ends early")
                    }
                    _ => corrupt("invalid deflate data"),
                })?;
            if out.len() != size {
                return Err(corrupt(format!(
                    "the entry inflates to {} bytes, {size} declared",
                    out.len()
                )));
            }
            out
        }
        other => return Err(ArchiveError::UnsupportedCompression(other)),
    };
    check_entry_data(&data, uncompressed_size, crc)?;
    Ok(data)
}

/// Checks an entry's data once inflated (or as stored): exactly `uncompressed_size` bytes, with
/// the CRC-32 `crc` the central directory declares.
///
/// # Errors
/// [`ArchiveError::CorruptZip`] for another length; [`ArchiveError::CrcMismatch`].
pub fn check_entry_data(data: &[u8], uncompressed_size: u64, crc: u32) -> Result<(), ArchiveError> {
    if data.len() as u64 != uncompressed_size {
        return Err(corrupt(format!(
            "the entry holds {} bytes, {uncompressed_size} declared",
            data.len()
        )));
    }
    let actual = crc32(data);
    if actual != crc {
        return Err(ArchiveError::CrcMismatch {
            expected: crc,
            actual,
        });
    }
    Ok(())
}

/// Lists the entries of a zip file held whole in memory: [`locate_eocd`],
/// [`parse_central_directory`] and [`CentralDirectoryLocation::check_entries`] in one call.
///
/// # Errors
/// As those functions.
pub fn list_entries(file: &[u8]) -> Result<Vec<ZipEntry>, ArchiveError> {
    let location = locate_eocd(file, file.len() as u64)?;
    let cd = slice_at(file, location.offset, location.size)
        .ok_or_else(|| corrupt("the central directory lies outside the file"))?;
    location.read_central_directory(cd)
}

/// Reads and inflates one entry of a zip file held whole in memory.
///
/// # Errors
/// [`ArchiveError::Truncated`] if the local header or the data lies (partly) outside `file`;
/// otherwise as [`local_data_offset`], [`check_local_name`] and [`ZipEntry::inflate`].
#[cfg(any(not(target_arch = "wasm32"), test))]
pub fn read_entry(file: &[u8], entry: &ZipEntry) -> Result<Vec<u8>, ArchiveError> {
    let header = slice_at(file, entry.local_header_offset, LOCAL_HEADER_LEN as u64)
        .ok_or_else(|| truncated("the local file header lies outside the file"))?;
    let start = entry.data_offset(header)?;
    let local = slice_at(
        file,
        entry.local_header_offset,
        start - entry.local_header_offset,
    )
    .ok_or_else(|| truncated("the local file header lies outside the file"))?;
    check_local_name(&entry.name, local)?;
    let data = slice_at(file, start, entry.compressed_size)
        .ok_or_else(|| truncated("the entry's data lies outside the file"))?;
    entry.inflate(data)
}

fn slice_at(file: &[u8], offset: u64, len: u64) -> Option<&[u8]> {
    let start = usize::try_from(offset).ok()?;
    let end = start.checked_add(usize::try_from(len).ok()?)?;
    file.get(start..end)
}

/// CRC-32 (IEEE 802.3, as zip uses it) of `data`. The 1 KiB table is built on each call (a few
/// microseconds) rather than stored: it is only used for small entries and names, and the wasm
/// package is size-bound.
pub fn crc32(data: &[u8]) -> u32 {
    let mut table = [0u32; 256];
    for (i, slot) in table.iter_mut().enumerate() {
        let mut c = i as u32;
        for _ in 0..8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
        *slot = c;
    }
    !data
        .iter()
        .fold(!0u32, |c, &b| table[usize::from((c as u8) ^ b)] ^ (c >> 8))
}

/// The top-level folders a Flexperto archive is known to use.
pub const KNOWN_TOP_LEVEL: [&str; 3] = ["themis", "mithra", "whiteboard"];

/// What [`inspect`] found about an archive's layout. Entries are referred to by their index in
/// the slice given to [`inspect`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Layout {
    /// Entries under `themis/` (chat history, uploads, recordings, conference metadata).
    pub themis: Vec<usize>,
    /// Entries under `mithra/` (contracts signed by e-signature).
    pub mithra: Vec<usize>,
    /// Entries under `whiteboard/` (whiteboard history and documents).
    pub whiteboard: Vec<usize>,
    /// Every other entry (unknown folders, files at the root).
    pub other: Vec<usize>,
    /// The JSON files under `themis/`; one of them holds the conference metadata.
    pub themis_json: Vec<usize>,
    /// The best guess at the conference metadata JSON: the first JSON file under `themis/`
    /// whose file name contains `meta` (any case). Its exact name is not documented publicly.
    pub metadata: Option<usize>,
    /// The best guess at the chat history JSON: the first JSON file under `themis/` whose file
    /// name contains `chat` (any case). Its exact name is not documented publicly either.
    pub chat: Option<usize>,
    /// Everything worth a look, in the order found. None of them stops the archive from being
    /// stored; several mean an extractor must not trust the names.
    pub findings: Vec<Finding>,
}

/// Something [`inspect`] noticed about an archive; a finding, not an error. A finding names
/// the entry by its index in the slice given to [`inspect`] ([`Finding::name`] gives the name), so
/// that findings never copy names: a directory of long, odd names costs no more to inspect than
/// to list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// No JSON file under `themis/`, so no conference metadata.
    NoThemisMetadata,
    /// A top-level folder or file other than `themis/`, `mithra/` and `whiteboard/` (reported
    /// once per top-level name, at the first entry under it).
    UnknownTopLevel {
        /// The first entry under that top-level name.
        entry: usize,
    },
    /// An entry name with a `..` segment (path traversal if extracted naively).
    ParentSegment {
        /// The entry.
        entry: usize,
    },
    /// An entry name that is absolute: a leading `/` or `\`, or a drive letter such as `C:`.
    AbsolutePath {
        /// The entry.
        entry: usize,
    },
    /// An entry name containing `\` (zip names use `/`).
    Backslash {
        /// The entry.
        entry: usize,
    },
    /// Two or more entries with the same name (reported once per name, at its second entry).
    DuplicateName {
        /// The entry that repeats an earlier one's name.
        entry: usize,
    },
    /// The entry's local file header names another file than the central directory does: an
    /// extractor that walks local headers would write something else than what is listed.
    /// Found by [`inspect_file`] or [`local_name_matches`], not by [`inspect`] (which sees only
    /// the directory).
    LocalNameMismatch {
        /// The entry.
        entry: usize,
    },
}

crate::error::error_codes! {
    /// Codes of {@link ArchiveFinding}: layout problems, reported rather than thrown.
    pub enum ArchiveFindingCode {
        NoThemisMetadata => "NO_THEMIS_METADATA",
        UnknownTopLevel => "UNKNOWN_TOP_LEVEL",
        ParentSegment => "PARENT_SEGMENT",
        AbsolutePath => "ABSOLUTE_PATH",
        Backslash => "BACKSLASH",
        DuplicateName => "DUPLICATE_NAME",
        /// Found only by reading local headers (`inspect_file`), which `ArchiveInspector` does
        /// not: never in its findings.
        #[cfg_attr(target_arch = "wasm32", serde(skip))]
        LocalNameMismatch => "LOCAL_NAME_MISMATCH",
    }
}

impl Finding {
    /// The stable code of this finding.
    pub fn code(&self) -> &'static str {
        use ArchiveFindingCode as C;
        match self {
            Self::NoThemisMetadata => C::NoThemisMetadata,
            Self::UnknownTopLevel { .. } => C::UnknownTopLevel,
            Self::ParentSegment { .. } => C::ParentSegment,
            Self::AbsolutePath { .. } => C::AbsolutePath,
            Self::Backslash { .. } => C::Backslash,
            Self::DuplicateName { .. } => C::DuplicateName,
            Self::LocalNameMismatch { .. } => C::LocalNameMismatch,
        }
        .as_str()
    }

    /// The entry this finding is about, if any.
    pub fn entry(&self) -> Option<usize> {
        match self {
            Self::NoThemisMetadata => None,
            Self::UnknownTopLevel { entry }
            | Self::ParentSegment { entry }
            | Self::AbsolutePath { entry }
            | Self::Backslash { entry }
            | Self::DuplicateName { entry }
            | Self::LocalNameMismatch { entry } => Some(*entry),
        }
    }

    /// The name this finding is about, from the entries given to [`inspect`]: the top-level
    /// folder or file for `UNKNOWN_TOP_LEVEL`, the entry's (central directory) name otherwise.
    pub fn name<'a>(&self, entries: &'a [ZipEntry]) -> Option<&'a str> {
        let name = entries.get(self.entry()?)?.name.as_str();
        Some(match self {
            Self::UnknownTopLevel { .. } => top_level(name),
            _ => name,
        })
    }
}

/// The first segment of a name (all of it without a `/`).
fn top_level(name: &str) -> &str {
    name.split_once('/').map_or(name, |(top, _)| top)
}

/// Groups entries by top-level folder (`themis/`, `mithra/`, `whiteboard/`, other) and reports
/// [`Finding`]s: no themis metadata JSON, unknown top-level names, `..` segments, absolute
/// paths, backslashes and duplicate names. Time and memory are linear in the names' length:
/// names are hashed (not compared in order) and never copied.
pub fn inspect(entries: &[ZipEntry]) -> Layout {
    use std::collections::HashSet;
    let mut layout = Layout::default();
    let mut seen: HashSet<&str> = HashSet::with_capacity(entries.len());
    let mut duplicates: HashSet<&str> = HashSet::new();
    let mut unknown: HashSet<&str> = HashSet::new();
    for (index, entry) in entries.iter().enumerate() {
        let name = entry.name.as_str();
        let (top, rest) = match name.split_once('/') {
            Some((top, rest)) => (top, Some(rest)),
            None => (name, None),
        };
        let group = match (top, rest) {
            ("themis", Some(_)) => &mut layout.themis,
            ("mithra", Some(_)) => &mut layout.mithra,
            ("whiteboard", Some(_)) => &mut layout.whiteboard,
            _ => {
                if !top.is_empty() && unknown.insert(top) {
                    layout
                        .findings
                        .push(Finding::UnknownTopLevel { entry: index });
                }
                &mut layout.other
            }
        };
        group.push(index);
        if top == "themis"
            && rest.is_some()
            && !entry.is_dir
            && ends_with_ignore_case(name, ".json")
        {
            layout.themis_json.push(index);
            let file_name = name.rsplit('/').next().unwrap_or(name);
            if layout.metadata.is_none() && contains_ignore_case(file_name, "meta") {
                layout.metadata = Some(index);
            } else if layout.chat.is_none() && contains_ignore_case(file_name, "chat") {
                layout.chat = Some(index);
            }
        }

        if name.split(['/', '\\']).any(|segment| segment == "..") {
            layout
                .findings
                .push(Finding::ParentSegment { entry: index });
        }
        let b = name.as_bytes();
        let drive = b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':';
        if name.starts_with('/') || name.starts_with('\\') || drive {
            layout.findings.push(Finding::AbsolutePath { entry: index });
        }
        if name.contains('\\') {
            layout.findings.push(Finding::Backslash { entry: index });
        }
        if !seen.insert(name) && duplicates.insert(name) {
            layout
                .findings
                .push(Finding::DuplicateName { entry: index });
        }
    }
    if layout.themis_json.is_empty() {
        layout.findings.push(Finding::NoThemisMetadata);
    }
    layout
}

fn contains_ignore_case(s: &str, needle: &str) -> bool {
    !needle.is_empty()
        && s.as_bytes()
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// Whether the name in an entry's local file header is the name the central directory gives
/// it. `local` holds the bytes from the local header's start through at least its name and
/// extra field ([`local_data_offset`] bytes); the name is decoded by the same rules, from the
/// local header's own flags and extra field.
///
/// # Errors
/// [`ArchiveError::Truncated`] when `local` ends before the name and extra field do;
/// otherwise as [`local_data_offset`].
pub fn local_name_matches(entry: &ZipEntry, local: &[u8]) -> Result<bool, ArchiveError> {
    Ok(local_name(&entry.name, local)? == entry.name)
}

/// The name in a local file header (`local`: as for [`local_name_matches`]).
fn local_name(listed: &str, local: &[u8]) -> Result<String, ArchiveError> {
    let header_len = local_data_offset(local)?;
    if (local.len() as u64) < header_len {
        return Err(truncated(format!(
            "the local header of {listed} needs {header_len} bytes, got {}",
            local.len()
        )));
    }
    let flags = le16(local, 6).unwrap_or(0);
    let name_len = usize::from(le16(local, 26).unwrap_or(0));
    let name_end = LOCAL_HEADER_LEN + name_len;
    let raw = &local[LOCAL_HEADER_LEN..name_end];
    let extra = &local[name_end..header_len as usize];
    Ok(decode_name(raw, flags & FLAG_UTF8 != 0, extra))
}

/// Checks, before an entry's data is read, that its local header (`local`: as for
/// [`local_name_matches`]) names the file the central directory lists as `name`. Python's
/// `zipfile` refuses to read such an entry too: the data may belong to another file than the
/// one listed (yauzl's corpus has archives whose directory names `../xt`, `/atxt` or `C:/xt` for
/// the local header's `a.txt`).
///
/// # Errors
/// [`ArchiveError::CorruptZip`] naming both names; otherwise as [`local_name_matches`].
pub fn check_local_name(name: &str, local: &[u8]) -> Result<(), ArchiveError> {
    let found = local_name(name, local)?;
    if found != name {
        return Err(corrupt(format!(
            "the central directory lists '{name}', but the local header names '{found}'"
        )));
    }
    Ok(())
}

/// Lists and inspects a zip file held whole in memory: [`list_entries`], [`inspect`], and
/// each entry's local header name held against the directory's ([`Finding::LocalNameMismatch`]).
///
/// # Errors
/// As [`list_entries`]; [`ArchiveError::Truncated`] or [`ArchiveError::CorruptZip`] when an
/// entry's local header is cut or has a bad signature.
pub fn inspect_file(file: &[u8]) -> Result<(Vec<ZipEntry>, Layout), ArchiveError> {
    let entries = list_entries(file)?;
    let mut layout = inspect(&entries);
    for (index, e) in entries.iter().enumerate() {
        let local = usize::try_from(e.local_header_offset)
            .ok()
            .and_then(|at| file.get(at..))
            .ok_or_else(|| truncated("the local file header lies outside the file"))?;
        if !local_name_matches(e, local)? {
            layout
                .findings
                .push(Finding::LocalNameMismatch { entry: index });
        }
    }
    Ok((entries, layout))
}

fn ends_with_ignore_case(s: &str, suffix: &str) -> bool {
    s.len() >= suffix.len()
        && s.as_bytes()[s.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::archive::test_zip::{add_sample_entries, sample_archive, Entry, ZipWriter};

    fn code<T: core::fmt::Debug>(r: Result<T, ArchiveError>) -> &'static str {
        match r {
            Ok(v) => panic!("expected an error, got {v:?}"),
            Err(e) => e.code(),
        }
    }

    fn tail_of(file: &[u8], n: u64) -> &[u8] {
        &file[file.len() - (n.min(file.len() as u64) as usize)..]
    }

    /// Reads the central directory and every entry as a caller with ranged reads would.
    fn read_via_ranges(file: &[u8]) -> Result<Vec<(ZipEntry, Vec<u8>)>, ArchiveError> {
        let len = file.len() as u64;
        let loc = match locate_eocd(tail_of(file, RECOMMENDED_TAIL_LEN), len) {
            Err(ArchiveError::TailTooShort { needed }) => locate_eocd(tail_of(file, needed), len)?,
            other => other?,
        };
        let cd = &file[loc.offset as usize..(loc.offset + loc.size) as usize];
        let entries = loc.read_central_directory(cd)?;
        let mut out = Vec::new();
        for e in entries {
            let at = e.local_header_offset as usize;
            let start = e.data_offset(&file[at..at + LOCAL_HEADER_LEN])? as usize;
            let data = e.inflate(&file[start..start + e.compressed_size as usize])?;
            out.push((e, data));
        }
        Ok(out)
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn crc32_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
        assert_eq!(
            crc32(b"The quick brown fox jumps over the lazy dog"),
            0x414F_A339
        );
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn reads_stored_and_deflated_entries() {
        let file = sample_archive();
        let loc = locate_eocd(&file, file.len() as u64).unwrap();
        assert!(!loc.zip64);
        assert_eq!(loc.entries, 6);
        assert_eq!(loc.eocd_offset, file.len() as u64 - 22);
        let read = read_via_ranges(&file).unwrap();
        let names: Vec<&str> = read.iter().map(|(e, _)| e.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "themis/",
                "themis/conference-metadata.json",
                "themis/chat-history.json",
                "themis/recordings/track-1.mp4",
                "mithra/contract.pdf",
                "whiteboard/events.json"
            ]
        );
        let (meta, data) = &read[1];
        assert_eq!(meta.method, METHOD_DEFLATE);
        assert!(meta.compressed_size > 0);
        assert!(data.starts_with(b"{\"tenant_id\""));
        assert_eq!(read[2].0.method, METHOD_DEFLATE);
        assert!(read[2].0.compressed_size < read[2].0.uncompressed_size);
        assert_eq!(read[3].0.method, METHOD_STORED);
        assert_eq!(read[3].1, vec![0u8; 300]);
        assert!(read[0].0.is_dir && !read[1].0.is_dir);
        assert!(read.iter().all(|(e, _)| !e.is_encrypted()));

        // The in-memory helpers agree.
        let entries = list_entries(&file).unwrap();
        assert_eq!(entries.len(), 6);
        assert_eq!(read_entry(&file, &entries[1]).unwrap(), *data);
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn empty_zip() {
        let (file, _) = ZipWriter::new().finish();
        assert_eq!(file.len(), 22);
        let loc = locate_eocd(&file, 22).unwrap();
        assert_eq!((loc.offset, loc.size, loc.entries), (0, 0, 0));
        assert_eq!(parse_central_directory(&[], 0).unwrap(), vec![]);
        assert_eq!(inspect(&[]).findings, vec![Finding::NoThemisMetadata]);
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn only_the_tail_is_needed() {
        let mut w = ZipWriter::new();
        w.add(Entry::stored(
            "themis/recordings/big.mp4",
            &vec![7u8; 300_000],
        ));
        add_sample_entries(&mut w);
        w.comment = b"created by a test".to_vec();
        let (file, cd_offset) = w.finish();
        let tail = tail_of(&file, RECOMMENDED_TAIL_LEN);
        assert!(tail.len() < file.len());
        let loc = locate_eocd(tail, file.len() as u64).unwrap();
        assert_eq!(loc.offset, cd_offset);
        assert_eq!(loc.entries, 7);
        // The directory is in the tail already; one byte less of tail and it is not.
        let cd = loc.central_directory_in(tail, file.len() as u64).unwrap();
        assert_eq!(parse_central_directory(cd, loc.entries).unwrap().len(), 7);
        let exact = &file[cd_offset as usize..];
        let loc2 = locate_eocd(exact, file.len() as u64).unwrap();
        assert_eq!(loc, loc2);
        assert!(loc.central_directory_in(exact, file.len() as u64).is_some());
        assert!(loc
            .central_directory_in(&exact[1..], file.len() as u64)
            .is_none());
        assert!(loc.central_directory_in(exact, 3).is_none());
        assert_eq!(read_via_ranges(&file).unwrap()[0].1.len(), 300_000);
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn tail_shorter_than_the_search_asks_for_more() {
        let mut w = ZipWriter::new();
        w.add(Entry::stored("a.txt", &vec![1u8; 100_000]));
        w.comment = vec![b'c'; 1000];
        let (file, _) = w.finish();
        let len = file.len() as u64;
        // The record lies beyond a 500-byte tail, inside a 2000-byte one.
        assert_eq!(
            locate_eocd(tail_of(&file, 500), len),
            Err(ArchiveError::TailTooShort {
                needed: RECOMMENDED_TAIL_LEN
            })
        );
        assert!(locate_eocd(tail_of(&file, 2000), len).is_ok());
        assert_eq!(code(locate_eocd(&file[..10], len)), "TAIL_TOO_SHORT");
        assert_eq!(code(locate_eocd(&file, len - 1)), "CORRUPT_ZIP");
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn longest_comment_and_a_fake_record_inside_it() {
        let mut w = ZipWriter::new();
        add_sample_entries(&mut w);
        // A fake end record inside the comment whose own comment length overruns the file.
        let mut comment = vec![b' '; MAX_COMMENT_LEN];
        comment[100..104].copy_from_slice(b"PK\x05\x06");
        comment[120..122].copy_from_slice(&u16::MAX.to_le_bytes());
        w.comment = comment;
        let (file, cd_offset) = w.finish();
        let loc = locate_eocd(tail_of(&file, RECOMMENDED_TAIL_LEN), file.len() as u64).unwrap();
        assert_eq!(loc.offset, cd_offset);
        assert_eq!(
            loc.eocd_offset,
            file.len() as u64 - 22 - MAX_COMMENT_LEN as u64
        );
        assert_eq!(read_via_ranges(&file).unwrap().len(), 6);
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn prefixed_archives_are_read_past_their_prefix() {
        // A self-extractor's stub before the zip: its recorded offsets do not count it.
        for zip64 in [false, true] {
            let mut w = if zip64 {
                ZipWriter::zip64()
            } else {
                ZipWriter::new()
            };
            add_sample_entries(&mut w);
            let (zip, cd_offset) = w.finish();
            let stub = b"MZ stub of a self-extractor, PK\x01\x02 included".repeat(40);
            let file = [&stub[..], &zip].concat();
            let loc = locate_eocd(&file, file.len() as u64).unwrap();
            assert_eq!(
                (loc.prefix, loc.offset),
                (stub.len() as u64, cd_offset + stub.len() as u64)
            );
            assert_eq!(loc.zip64, zip64);
            let read = read_via_ranges(&file).unwrap();
            let plain = read_via_ranges(&zip).unwrap();
            assert_eq!(read.len(), 6);
            for ((a, data_a), (b, data_b)) in read.iter().zip(&plain) {
                assert_eq!(
                    a.local_header_offset,
                    b.local_header_offset + stub.len() as u64
                );
                assert_eq!((&a.name, data_a), (&b.name, data_b));
            }
            let (_, layout) = inspect_file(&file).unwrap();
            assert!(layout.findings.is_empty(), "{:?}", layout.findings);
            // From a tail that holds neither the directory nor the stub, as ranged reads go.
            let tail = tail_of(&file, 200);
            assert_eq!(
                locate_eocd(tail, file.len() as u64).unwrap().offset,
                loc.offset
            );
        }
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn bytes_between_directory_and_end_record_are_not_a_prefix() {
        // Junk after the directory, before the end record: the directory is where the end
        // record says (Go and Info-ZIP fall back to it), not shifted by the junk's length.
        let (zip, cd_offset) = {
            let mut w = ZipWriter::new();
            add_sample_entries(&mut w);
            w.finish()
        };
        let eocd = zip.len() - EOCD_LEN;
        let file = [&zip[..eocd], &b"junk".repeat(5)[..], &zip[eocd..]].concat();
        let loc = locate_eocd(&file, file.len() as u64).unwrap();
        assert_eq!((loc.offset, loc.prefix), (cd_offset, 0));
        assert_eq!(read_via_ranges(&file).unwrap().len(), 6);
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn an_end_record_whose_comment_was_cut_is_still_the_end_record() {
        // The comment length says 10, the file ends after 3 (Python and Info-ZIP read it).
        let mut w = ZipWriter::new();
        add_sample_entries(&mut w);
        w.comment = b"cut-short!".to_vec();
        let (mut file, cd_offset) = w.finish();
        file.truncate(file.len() - 7);
        let loc = locate_eocd(&file, file.len() as u64).unwrap();
        assert_eq!(loc.offset, cd_offset);
        assert_eq!(read_via_ranges(&file).unwrap().len(), 6);
        // ... after a self-extractor's stub too, where the offsets do not place the directory.
        let prefixed = [&b"stub".repeat(100)[..], &file].concat();
        let loc = locate_eocd(&prefixed, prefixed.len() as u64).unwrap();
        assert_eq!((loc.offset, loc.prefix), (cd_offset + 400, 400));
        assert_eq!(read_via_ranges(&prefixed).unwrap().len(), 6);
        // A lone end record cut inside its comment still is one.
        let mut lone = b"PK\x05\x06".to_vec();
        lone.extend_from_slice(&[0; 16]);
        lone.extend_from_slice(&[9, 0, b'c']);
        assert_eq!(list_entries(&lone).unwrap(), []);
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn a_locator_without_a_record_leaves_a_complete_end_record_standing() {
        // An empty archive whose end record is complete, preceded by a locator's signature
        // that leads nowhere: empty, as Python and Info-ZIP read it.
        let mut file = b"PK\x06\x07".to_vec();
        file.extend_from_slice(&[0; 16]);
        file.extend_from_slice(b"PK\x05\x06");
        file.extend_from_slice(&[0; 18]);
        assert_eq!(list_entries(&file).unwrap(), []);
        // Saturated values need the record: refused.
        file[20 + 8..20 + 12].copy_from_slice(&[0xFF; 4]);
        assert_eq!(code(list_entries(&file)), "CORRUPT_ZIP");
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn compressed_sizes_out_of_proportion_are_refused_before_reading() {
        let ok = |method, c, u| check_readable(method, 0, c, u, MAX_INFLATED_LEN);
        assert_eq!(ok(METHOD_STORED, 100, 100), Ok(false));
        assert_eq!(ok(METHOD_DEFLATE, 2, 0), Ok(true));
        assert_eq!(ok(METHOD_DEFLATE, 1000 * 2 + 65_536, 1000), Ok(true));
        for (method, c, u) in [
            (METHOD_STORED, 101, 100),
            (METHOD_STORED, 99, 100),
            (METHOD_DEFLATE, 1000 * 2 + 65_537, 1000),
            (METHOD_DEFLATE, 3 << 30, 20),
            (METHOD_DEFLATE, u64::MAX, MAX_INFLATED_LEN),
        ] {
            assert_eq!(code(ok(method, c, u)), "CORRUPT_ZIP", "{method} {c} {u}");
        }
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn trailing_garbage_after_the_comment_is_tolerated() {
        let mut file = sample_archive();
        file.extend_from_slice(b"trailing");
        assert_eq!(read_via_ranges(&file).unwrap().len(), 6);
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn zip64_records_and_extra_fields() {
        let mut w = ZipWriter::zip64();
        add_sample_entries(&mut w);
        let (file, cd_offset) = w.finish();
        let loc = locate_eocd(tail_of(&file, RECOMMENDED_TAIL_LEN), file.len() as u64).unwrap();
        assert!(loc.zip64);
        assert_eq!(loc.offset, cd_offset);
        assert_eq!(loc.entries, 6);
        assert_eq!(loc.eocd_offset, file.len() as u64 - 22);
        let read = read_via_ranges(&file).unwrap();
        assert_eq!(read.len(), 6);
        assert!(read[1].1.starts_with(b"{\"tenant_id\""));
        assert_eq!(read[3].0.compressed_size, 300);
        assert!(read[3].0.local_header_offset > 0);
        // The local header's zip64 extra field (20 bytes) is skipped over.
        let lh = read[1].0.local_header_offset as usize;
        assert_eq!(
            local_data_offset(&file[lh..lh + 30]).unwrap(),
            30 + "themis/conference-metadata.json".len() as u64 + 20
        );
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn zip64_entry_claiming_more_than_4_gib() {
        const FIVE_GIB: u64 = 5 << 30;
        let mut w = ZipWriter::zip64();
        let mut e = Entry::deflated("themis/recordings/huge.mp4", b"tiny");
        e.uncompressed_size = FIVE_GIB;
        w.add(e);
        let (file, _) = w.finish();
        let entries = list_entries(&file).unwrap();
        assert_eq!(entries[0].uncompressed_size, FIVE_GIB);
        assert_eq!(
            read_entry(&file, &entries[0]),
            Err(ArchiveError::EntryTooLarge {
                size: FIVE_GIB,
                limit: MAX_INFLATED_LEN
            })
        );

        // Claiming 5 GiB of compressed data in a small file is caught by the bounds check.
        let mut w = ZipWriter::zip64();
        let mut e = Entry::stored("themis/recordings/huge.mp4", b"tiny");
        e.claimed_compressed_size = Some(FIVE_GIB);
        w.add(e);
        let (file, _) = w.finish();
        let loc = locate_eocd(&file, file.len() as u64).unwrap();
        let cd = &file[loc.offset as usize..][..loc.size as usize];
        let entries = parse_central_directory(cd, loc.entries).unwrap();
        assert_eq!(entries[0].compressed_size, FIVE_GIB);
        assert_eq!(code(loc.check_entries(&entries)), "CORRUPT_ZIP");
        assert_eq!(code(list_entries(&file)), "CORRUPT_ZIP");
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn zip64_record_outside_the_tail() {
        let mut w = ZipWriter::zip64();
        add_sample_entries(&mut w);
        w.comment = vec![b'x'; 100];
        let (file, _) = w.finish();
        let len = file.len() as u64;
        // A tail holding the end record and the locator but not the zip64 record.
        let tail = tail_of(&file, 22 + 100 + 20 + 10);
        let needed = match locate_eocd(tail, len) {
            Err(ArchiveError::TailTooShort { needed }) => needed,
            other => panic!("{other:?}"),
        };
        assert_eq!(needed, 22 + 100 + 20 + 56);
        assert!(locate_eocd(tail_of(&file, needed), len).unwrap().zip64);
        // A tail holding the end record only: the locator may be just before it.
        assert_eq!(
            code(locate_eocd(tail_of(&file, 22 + 100), len)),
            "TAIL_TOO_SHORT"
        );
        assert!(locate_eocd(tail_of(&file, 22 + 100 + 20 + 56), len).is_ok());
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn zip64_corruptions() {
        let mut w = ZipWriter::zip64();
        add_sample_entries(&mut w);
        let (file, _) = w.finish();
        let len = file.len();
        let eocd = len - 22;
        let locator = eocd - 20;
        let record = locator - 56;
        let with = |at: usize, bytes: &[u8]| {
            let mut f = file.clone();
            f[at..at + bytes.len()].copy_from_slice(bytes);
            f
        };
        let locate = |f: &[u8]| locate_eocd(f, f.len() as u64);
        // Record signature.
        assert_eq!(code(locate(&with(record, b"PK\x06\x07"))), "CORRUPT_ZIP");
        // A record offset past the locator: the record right before the locator is the one (as
        // Python's zipfile looks for it), and without it, nothing is.
        for bad in [record as u64 + 1, u64::MAX] {
            let f = with(locator + 8, &bad.to_le_bytes());
            assert_eq!(locate(&f).unwrap().offset, locate(&file).unwrap().offset);
            let mut f = with(record, b"PK\x06\x07");
            f[locator + 8..locator + 16].copy_from_slice(&bad.to_le_bytes());
            assert_eq!(code(locate(&f)), "CORRUPT_ZIP");
        }
        // Record size too small / too large.
        assert_eq!(
            code(locate(&with(record + 4, &10u64.to_le_bytes()))),
            "CORRUPT_ZIP"
        );
        assert_eq!(
            code(locate(&with(record + 4, &u64::MAX.to_le_bytes()))),
            "CORRUPT_ZIP"
        );
        // A locator pointing more than 1 MiB back, with no record before it, asks for no such
        // tail: the record is missing.
        let far = [&vec![0u8; 2 << 20][..], &file].concat();
        let (far_len, far_locator) = (far.len() as u64, far.len() - 22 - 20);
        let mut far = far;
        far[far_locator + 8..far_locator + 16].copy_from_slice(&0u64.to_le_bytes());
        far[far_locator - 56..far_locator - 52].copy_from_slice(b"PK\x06\x07");
        assert_eq!(
            code(locate_eocd(tail_of(&far, RECOMMENDED_TAIL_LEN), far_len)),
            "CORRUPT_ZIP"
        );
        // Split archives.
        assert_eq!(
            code(locate(&with(locator + 16, &3u32.to_le_bytes()))),
            "UNSUPPORTED_ZIP"
        );
        assert_eq!(
            code(locate(&with(record + 16, &1u32.to_le_bytes()))),
            "UNSUPPORTED_ZIP"
        );
        // Absurd counts and sizes.
        assert_eq!(
            locate(&with(
                record + 24,
                &[&2_000_000u64.to_le_bytes()[..], &2_000_000u64.to_le_bytes()].concat()
            )),
            Err(ArchiveError::LimitExceeded {
                what: "entries",
                value: 2_000_000,
                limit: MAX_ENTRIES
            })
        );
        assert_eq!(
            code(locate(&with(record + 40, &(1u64 << 40).to_le_bytes()))),
            "LIMIT_EXCEEDED"
        );
        // A central directory reaching past the zip64 record.
        assert_eq!(
            code(locate(&with(record + 48, &(record as u64).to_le_bytes()))),
            "CORRUPT_ZIP"
        );
        assert_eq!(
            code(locate(&with(record + 48, &u64::MAX.to_le_bytes()))),
            "CORRUPT_ZIP"
        );
        // A zip64 extra field that is needed but missing: rename its id.
        let loc = locate(&file).unwrap();
        let cd_start = loc.offset as usize;
        let name_len = usize::from(le16(&file, cd_start + 28).unwrap());
        let extra_at = cd_start + 46 + name_len;
        let broken = with(extra_at, &0x9999u16.to_le_bytes());
        assert_eq!(code(list_entries(&broken)), "CORRUPT_ZIP");
        // ... or too short for the fields it must hold.
        let broken = with(extra_at + 2, &8u16.to_le_bytes());
        assert!(list_entries(&broken).is_err());
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn every_truncation_is_an_error() {
        let file = sample_archive();
        for cut in 0..file.len() {
            let prefix = &file[..cut];
            let r = locate_eocd(prefix, prefix.len() as u64);
            assert!(
                matches!(
                    r.as_ref().map_err(|e| e.code()),
                    Err("CORRUPT_ZIP" | "TRUNCATED")
                ),
                "cut at {cut}: {r:?}"
            );
            assert!(list_entries(prefix).is_err());
        }
        assert_eq!(code(locate_eocd(&file[..10], 10)), "TRUNCATED");

        let loc = locate_eocd(&file, file.len() as u64).unwrap();
        let cd = &file[loc.offset as usize..][..loc.size as usize];
        for cut in 0..cd.len() {
            assert_eq!(
                code(parse_central_directory(&cd[..cut], loc.entries)),
                "TRUNCATED",
                "cut at {cut}"
            );
        }
        assert_eq!(code(local_data_offset(&file[..29])), "TRUNCATED");
        // The data itself cut short.
        let entries = list_entries(&file).unwrap();
        let chat = &entries[2];
        let start = chat
            .data_offset(&file[chat.local_header_offset as usize..])
            .unwrap() as usize;
        let data = &file[start..start + chat.compressed_size as usize];
        assert_eq!(code(chat.inflate(&data[..data.len() / 2])), "TRUNCATED");
        assert_eq!(code(chat.inflate(&[])), "TRUNCATED");
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn corrupted_end_record() {
        let file = sample_archive();
        let eocd = file.len() - 22;
        let with = |at: usize, bytes: &[u8]| {
            let mut f = file.clone();
            f[at..at + bytes.len()].copy_from_slice(bytes);
            f
        };
        let locate = |f: &[u8]| locate_eocd(f, f.len() as u64);
        assert_eq!(code(locate(&with(eocd, b"PK\x05\x07"))), "CORRUPT_ZIP");
        // Split archive.
        assert_eq!(
            code(locate(&with(eocd + 4, &1u16.to_le_bytes()))),
            "UNSUPPORTED_ZIP"
        );
        assert_eq!(
            code(locate(&with(eocd + 8, &5u16.to_le_bytes()))),
            "UNSUPPORTED_ZIP"
        );
        // Central directory offset or size beyond the end record.
        assert_eq!(
            code(locate(&with(eocd + 16, &(eocd as u32).to_le_bytes()))),
            "CORRUPT_ZIP"
        );
        assert_eq!(
            code(locate(&with(eocd + 12, &(eocd as u32).to_le_bytes()))),
            "CORRUPT_ZIP"
        );
        // Saturated fields without a zip64 locator: the raw values do not add up.
        assert_eq!(
            code(locate(&with(eocd + 16, &u32::MAX.to_le_bytes()))),
            "CORRUPT_ZIP"
        );
        // More entries than the central directory can hold.
        assert_eq!(
            code(locate(&with(
                eocd + 8,
                &[&999u16.to_le_bytes()[..], &999u16.to_le_bytes()].concat()
            ))),
            "CORRUPT_ZIP"
        );
        // A tail longer than the file.
        assert_eq!(code(locate_eocd(&file, 5)), "CORRUPT_ZIP");
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn counts_that_do_not_match() {
        let file = sample_archive();
        let loc = locate_eocd(&file, file.len() as u64).unwrap();
        let cd = &file[loc.offset as usize..][..loc.size as usize];
        // Fewer declared than present.
        assert_eq!(
            code(parse_central_directory(cd, loc.entries - 1)),
            "CORRUPT_ZIP"
        );
        assert_eq!(code(parse_central_directory(cd, 0)), "CORRUPT_ZIP");
        // More declared than present.
        assert_eq!(
            code(parse_central_directory(cd, loc.entries + 1)),
            "TRUNCATED"
        );
        assert_eq!(
            parse_central_directory(cd, MAX_ENTRIES + 1),
            Err(ArchiveError::LimitExceeded {
                what: "entries",
                value: MAX_ENTRIES + 1,
                limit: MAX_ENTRIES
            })
        );
        // Unexpected bytes after the last entry; a digital signature record is fine.
        let mut longer = cd.to_vec();
        longer.extend_from_slice(b"junk");
        assert_eq!(
            code(parse_central_directory(&longer, loc.entries)),
            "CORRUPT_ZIP"
        );
        let mut signed = cd.to_vec();
        signed.extend_from_slice(b"PK\x05\x05\x00\x00");
        assert_eq!(
            parse_central_directory(&signed, loc.entries).unwrap().len(),
            6
        );
        // A bad header signature in the middle.
        let mut bad = cd.to_vec();
        let second = 46 + usize::from(le16(cd, 28).unwrap()) + usize::from(le16(cd, 30).unwrap());
        bad[second + 3] = 9;
        assert_eq!(
            code(parse_central_directory(&bad, loc.entries)),
            "CORRUPT_ZIP"
        );
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn oversized_central_directory_is_refused_before_parsing() {
        let big = vec![0u8; MAX_CENTRAL_DIRECTORY_LEN as usize + 1];
        assert_eq!(code(parse_central_directory(&big, 1)), "LIMIT_EXCEEDED");
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn local_header_checks() {
        let file = sample_archive();
        assert_eq!(
            local_data_offset(&file[..30]).unwrap(),
            30 + "themis/".len() as u64
        );
        let mut bad = file[..30].to_vec();
        bad[2] = b'x';
        assert_eq!(code(local_data_offset(&bad)), "CORRUPT_ZIP");
        let entries = list_entries(&file).unwrap();
        // An entry pointing at the wrong place.
        let mut moved = entries[1].clone();
        moved.local_header_offset += 1;
        assert_eq!(code(read_entry(&file, &moved)), "CORRUPT_ZIP");
        moved.local_header_offset = u64::MAX - 3;
        assert_eq!(code(read_entry(&file, &moved)), "TRUNCATED");
        assert_eq!(code(moved.data_offset(&file[..30])), "CORRUPT_ZIP");
        let mut long = entries[1].clone();
        long.compressed_size = file.len() as u64;
        assert_eq!(code(read_entry(&file, &long)), "TRUNCATED");
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn inflate_checks() {
        let data = b"hello hello hello hello".repeat(10);
        let crc = crc32(&data);
        let n = data.len() as u64;
        let deflated = miniz_oxide::deflate::compress_to_vec(&data, 9);
        assert_eq!(inflate_entry(METHOD_STORED, &data, n, crc).unwrap(), data);
        assert_eq!(
            inflate_entry(METHOD_DEFLATE, &deflated, n, crc).unwrap(),
            data
        );
        assert_eq!(
            inflate_entry(METHOD_DEFLATE, &deflated, n, crc ^ 1),
            Err(ArchiveError::CrcMismatch {
                expected: crc ^ 1,
                actual: crc
            })
        );
        assert_eq!(
            code(inflate_entry(METHOD_STORED, &data, n, crc ^ 1)),
            "CRC_MISMATCH"
        );
        assert_eq!(
            inflate_entry(12, &deflated, n, crc),
            Err(ArchiveError::UnsupportedCompression(12))
        );
        assert_eq!(
            code(inflate_entry(14, &[], 0, 0)),
            "UNSUPPORTED_COMPRESSION"
        );
        // Declared sizes that are wrong either way.
        assert_eq!(
            code(inflate_entry(METHOD_DEFLATE, &deflated, n - 1, crc)),
            "CORRUPT_ZIP"
        );
        assert_eq!(
            code(inflate_entry(METHOD_DEFLATE, &deflated, n + 1, crc)),
            "CORRUPT_ZIP"
        );
        assert_eq!(
            code(inflate_entry(METHOD_STORED, &data, n + 1, crc)),
            "CORRUPT_ZIP"
        );
        assert_eq!(
            code(inflate_entry(METHOD_DEFLATE, &deflated, 0, crc)),
            "CORRUPT_ZIP"
        );
        // Invalid deflate data (reserved block type 3).
        assert_eq!(
            code(inflate_entry(METHOD_DEFLATE, &[0xff; 16], 10, 0)),
            "CORRUPT_ZIP"
        );
        // The cap, checked before anything is allocated.
        assert_eq!(
            code(inflate_entry(
                METHOD_DEFLATE,
                &deflated,
                MAX_INFLATED_LEN + 1,
                crc
            )),
            "ENTRY_TOO_LARGE"
        );
        assert_eq!(
            code(inflate_entry(METHOD_STORED, &[], u64::MAX, 0)),
            "ENTRY_TOO_LARGE"
        );
        // Empty entries, stored and deflated.
        assert_eq!(inflate_entry(METHOD_STORED, &[], 0, 0).unwrap(), b"");
        let empty = miniz_oxide::deflate::compress_to_vec(b"", 6);
        assert_eq!(inflate_entry(METHOD_DEFLATE, &empty, 0, 0).unwrap(), b"");
        // A deflate bomb: 10 MB of zeros declared as 1 KB.
        let bomb = miniz_oxide::deflate::compress_to_vec(&vec![0u8; 10_000_000], 9);
        assert!(bomb.len() < 20_000);
        assert_eq!(
            code(inflate_entry(METHOD_DEFLATE, &bomb, 1000, 0)),
            "CORRUPT_ZIP"
        );
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn encrypted_entries_are_not_inflated() {
        let mut w = ZipWriter::new();
        let mut e = Entry::stored("themis/secret.json", b"{}");
        e.flags |= 1;
        w.add(e);
        let (file, _) = w.finish();
        let entries = list_entries(&file).unwrap();
        assert!(entries[0].is_encrypted());
        assert_eq!(code(read_entry(&file, &entries[0])), "UNSUPPORTED_ZIP");
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn name_encodings() {
        let mut w = ZipWriter::new();
        let mut cp437 = Entry::stored("x", b"");
        cp437.name = b"themis/Gr\x81\xe1e.txt".to_vec(); // "Grüße" in CP437
        cp437.flags = 0;
        w.add(cp437.clone());
        let mut unflagged = Entry::stored("themis/Grüße.txt", b"");
        unflagged.flags = 0;
        w.add(unflagged);
        w.add(Entry::stored("themis/Grüße-utf8.txt", b""));
        let mut lossy = Entry::stored("x", b"");
        lossy.name = b"themis/bad\xff.txt".to_vec();
        w.add(lossy);
        let mut unicode_path = cp437.clone();
        let mut field = vec![1u8];
        field.extend_from_slice(&crc32(&cp437.name).to_le_bytes());
        field.extend_from_slice("themis/Grüße-extra.txt".as_bytes());
        unicode_path.extra = vec![(0x7075, field.clone())];
        w.add(unicode_path.clone());
        // A Unicode Path field for another name (stale CRC) is ignored.
        field[1] ^= 1;
        unicode_path.extra = vec![(0x7075, field)];
        w.add(unicode_path);
        let (file, _) = w.finish();
        let names: Vec<String> = list_entries(&file)
            .unwrap()
            .into_iter()
            .map(|e| e.name)
            .collect();
        assert_eq!(
            names,
            [
                "themis/Grüße.txt",
                "themis/Gr\u{251c}\u{255d}\u{251c}\u{0192}e.txt",
                "themis/Grüße-utf8.txt",
                "themis/bad\u{fffd}.txt",
                "themis/Grüße-extra.txt",
                "themis/Grüße.txt"
            ]
        );
    }

    /// A name holding `PK\x06\x07` (the zip64 locator's signature) right before the end record is a
    /// name, not a zip64 locator: Info-ZIP and Python read such archives.
    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn names_holding_zip64_signatures_are_names() {
        // The locator's fields as a real one would have them: disk 0, one disk.
        let mut tail_name = b"themis/a-PK".to_vec();
        tail_name.extend_from_slice(b"\x06\x07\0\0\0\0");
        tail_name.extend_from_slice(&0u64.to_le_bytes());
        tail_name.extend_from_slice(&1u32.to_le_bytes());
        let mut w = ZipWriter::new();
        add_sample_entries(&mut w);
        w.add(Entry::stored("x", b"last"));
        let mut last = Entry::stored("x", b"tail");
        last.name = tail_name.clone();
        w.add(last);
        let (file, cd_offset) = w.finish();
        let at = file.len() - 22 - 20;
        assert_eq!(&file[at..at + 4], b"PK\x06\x07");
        let loc = locate_eocd(tail_of(&file, RECOMMENDED_TAIL_LEN), file.len() as u64).unwrap();
        assert_eq!((loc.offset, loc.entries, loc.zip64), (cd_offset, 8, false));
        let read = read_via_ranges(&file).unwrap();
        assert_eq!(read[7].1, b"tail");

        // A fake locator that points at a fake zip64 record inside an earlier name: still names.
        let mut w = ZipWriter::new();
        let mut record_name = b"themis/b-".to_vec();
        let record_at = w.out.len() + 30 + record_name.len();
        record_name.extend_from_slice(b"PK\x06\x06");
        record_name.extend_from_slice(&44u64.to_le_bytes());
        record_name.extend_from_slice(&[0; 44]);
        let mut first = Entry::stored("x", b"one");
        first.name = record_name;
        w.add(first);
        let mut locator_name = b"themis/c-PK\x06\x07\0\0\0\0".to_vec();
        locator_name.extend_from_slice(&(record_at as u64).to_le_bytes());
        locator_name.extend_from_slice(&1u32.to_le_bytes());
        let mut second = Entry::stored("x", b"two");
        second.name = locator_name;
        w.add(second);
        let (file, cd_offset) = w.finish();
        assert_eq!(&file[record_at..record_at + 4], b"PK\x06\x06");
        let loc = locate_eocd(&file, file.len() as u64).unwrap();
        assert_eq!((loc.offset, loc.entries, loc.zip64), (cd_offset, 2, false));
        assert_eq!(read_via_ranges(&file).unwrap()[1].1, b"two");

        // A real zip64 archive is still read as one.
        let mut w = ZipWriter::zip64();
        let mut last = Entry::stored("x", b"tail");
        last.name = tail_name;
        w.add(last);
        let (file, _) = w.finish();
        assert!(locate_eocd(&file, file.len() as u64).unwrap().zip64);
        assert_eq!(read_via_ranges(&file).unwrap()[0].1, b"tail");
    }

    /// A local header whose name is not the central directory's is a finding: an extractor that
    /// walks local headers would write another file than the one listed.
    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn local_names_that_differ_are_findings() {
        let mut w = ZipWriter::new();
        add_sample_entries(&mut w);
        let (mut file, _) = w.finish();
        let (entries, layout) = inspect_file(&file).unwrap();
        assert_eq!(layout.findings, vec![]);
        // Rename entry 1 in its local header only (same length).
        let at = entries[1].local_header_offset as usize + LOCAL_HEADER_LEN;
        let name = b"themis/conference-metadata.json";
        assert_eq!(&file[at..at + name.len()], name);
        file[at..at + 7].copy_from_slice(b"../../x");
        let (entries, layout) = inspect_file(&file).unwrap();
        assert_eq!(
            layout.findings,
            vec![Finding::LocalNameMismatch { entry: 1 }]
        );
        assert_eq!(
            layout.findings[0].name(&entries),
            Some("themis/conference-metadata.json")
        );
        assert_eq!(layout.findings[0].code(), "LOCAL_NAME_MISMATCH");
        let local = &file[entries[1].local_header_offset as usize..];
        assert!(!local_name_matches(&entries[1], local).unwrap());
        assert!(local_name_matches(
            &entries[2],
            &file[entries[2].local_header_offset as usize..]
        )
        .unwrap());
        // A header cut before the end of its name is an error, not a guess.
        assert_eq!(
            code(local_name_matches(&entries[1], &local[..40])),
            "TRUNCATED"
        );
        // The same bytes under another flag decode to another name: a finding too.
        let mut w = ZipWriter::new();
        let mut e = Entry::stored("themis/\u{e9}.json", b"{}");
        e.flags = FLAG_UTF8;
        w.add(e);
        let (mut file, cd_offset) = w.finish();
        assert_eq!(inspect_file(&file).unwrap().1.findings, vec![]);
        assert!(cd_offset > 8);
        file[6] = 0; // the local header's flags: no longer UTF-8
        file[7] = 0;
        assert_eq!(
            inspect_file(&file).unwrap().1.findings,
            vec![Finding::LocalNameMismatch { entry: 0 }]
        );
    }

    /// Every byte of a name without the UTF-8 flag is CP437 (APPNOTE appendix D), even when the
    /// bytes happen to be valid UTF-8.
    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn unflagged_names_are_cp437() {
        let mut w = ZipWriter::new();
        let mut e = Entry::stored("x", b"");
        e.name = "themis/Grüße.txt".as_bytes().to_vec();
        e.flags = 0;
        w.add(e);
        let mut all = Entry::stored("x", b"");
        all.name = (1u8..=255).filter(|b| *b != b'/').collect();
        all.flags = 0;
        w.add(all);
        let (file, _) = w.finish();
        let entries = list_entries(&file).unwrap();
        // C3 BC and C3 9F in CP437.
        assert_eq!(
            entries[0].name,
            "themis/Gr\u{251c}\u{255d}\u{251c}\u{0192}e.txt"
        );
        let name: Vec<char> = entries[1].name.chars().collect();
        assert_eq!(name.len(), 254);
        assert_eq!(name[0x41 - 2], 'A');
        assert_eq!(name[0x80 - 2], '\u{c7}');
        assert_eq!(name[0xB0 - 2], '\u{2591}');
        assert_eq!(name[0xFF - 2], '\u{a0}');
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn malformed_extra_fields_are_skipped() {
        let mut w = ZipWriter::new();
        let mut e = Entry::stored("themis/a.json", b"{}");
        // A field whose declared length overruns the extra area (padding some writers emit).
        e.extra = vec![(0xcafe, vec![1, 2, 3])];
        w.add(e);
        let (mut file, cd_offset) = w.finish();
        let extra_len_at = cd_offset as usize + 30;
        let extra_at = cd_offset as usize + 46 + "themis/a.json".len();
        file[extra_at + 2] = 200; // claims 200 bytes, has 3
        assert_eq!(le16(&file, extra_len_at), Some(7));
        assert_eq!(list_entries(&file).unwrap()[0].name, "themis/a.json");
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn layout_of_a_well_formed_archive() {
        let entries = list_entries(&sample_archive()).unwrap();
        let layout = inspect(&entries);
        assert_eq!(layout.themis, [0, 1, 2, 3]);
        assert_eq!(layout.mithra, [4]);
        assert_eq!(layout.whiteboard, [5]);
        assert!(layout.other.is_empty());
        assert_eq!(layout.themis_json, [1, 2]);
        assert_eq!(layout.metadata, Some(1));
        assert_eq!(layout.chat, Some(2));
        assert_eq!(layout.findings, vec![]);
    }

    fn entry(name: &str) -> ZipEntry {
        ZipEntry {
            name: name.into(),
            method: METHOD_STORED,
            flags: 0,
            crc32: 0,
            compressed_size: 0,
            uncompressed_size: 0,
            local_header_offset: 0,
            is_dir: name.ends_with('/'),
        }
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn layout_findings() {
        let names = [
            "themis/chat.JSON",
            "themis/../../etc/passwd",
            "/etc/shadow",
            "C:\\Windows\\evil.dll",
            "themis\\windows-style.json",
            "themis/chat.JSON",
            "themis/chat.JSON",
            "readme.txt",
            "extras/a.bin",
            "extras/b.bin",
            "Themis/upper.json",
            "mithra/..",
            "whiteboard",
            "themis/meta/", // a folder: not metadata
        ];
        let entries: Vec<ZipEntry> = names.iter().map(|n| entry(n)).collect();
        let layout = inspect(&entries);
        assert_eq!(layout.themis, [0, 1, 5, 6, 13]);
        assert_eq!(layout.mithra, [11]);
        assert_eq!(layout.other, [2, 3, 4, 7, 8, 9, 10, 12]);
        assert_eq!(layout.themis_json, [0, 5, 6]);
        assert_eq!(layout.metadata, None);
        assert_eq!(layout.chat, Some(0));
        let codes: Vec<(&str, String)> = layout
            .findings
            .iter()
            .map(|f| (f.code(), f.name(&entries).unwrap_or_default().to_owned()))
            .collect();
        let expected: Vec<(&str, String)> = [
            ("PARENT_SEGMENT", "themis/../../etc/passwd"),
            ("ABSOLUTE_PATH", "/etc/shadow"),
            ("UNKNOWN_TOP_LEVEL", "C:\\Windows\\evil.dll"),
            ("ABSOLUTE_PATH", "C:\\Windows\\evil.dll"),
            ("BACKSLASH", "C:\\Windows\\evil.dll"),
            ("UNKNOWN_TOP_LEVEL", "themis\\windows-style.json"),
            ("BACKSLASH", "themis\\windows-style.json"),
            ("DUPLICATE_NAME", "themis/chat.JSON"),
            ("UNKNOWN_TOP_LEVEL", "readme.txt"),
            ("UNKNOWN_TOP_LEVEL", "extras"),
            ("UNKNOWN_TOP_LEVEL", "Themis"),
            ("PARENT_SEGMENT", "mithra/.."),
            ("UNKNOWN_TOP_LEVEL", "whiteboard"),
        ]
        .into_iter()
        .map(|(c, n)| (c, n.to_string()))
        .collect();
        assert_eq!(codes, expected);

        let no_json = inspect(&[entry("themis/recording.mp4"), entry("mithra/c.pdf")]);
        assert_eq!(no_json.findings, vec![Finding::NoThemisMetadata]);
    }

    /// Property tests (proptest is a native-only dev-dependency).
    #[cfg(not(target_arch = "wasm32"))]
    mod props {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn arbitrary_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..2048)) {
                let len = data.len() as u64;
                let _ = locate_eocd(&data, len);
                let _ = locate_eocd(&data[data.len() / 2..], len);
                let _ = locate_eocd(&data, len.saturating_add(1 << 33));
                let _ = parse_central_directory(&data, (data.len() / 46) as u64);
                let _ = parse_central_directory(&data, 1);
                let _ = local_data_offset(&data);
                let _ = inflate_entry(METHOD_DEFLATE, &data, 4096, 0);
                let _ = inflate_entry(METHOD_STORED, &data, len, 0);
                if let Ok(entries) = list_entries(&data) {
                    let _ = inspect(&entries);
                    for e in &entries {
                        let _ = read_entry(&data, e);
                    }
                }
            }

            #[test]
            fn arbitrary_central_directory_entries_never_panic(
                fields in proptest::collection::vec(any::<u8>(), 46..300),
                n in 0u64..4,
            ) {
                let mut cd = fields;
                cd[..4].copy_from_slice(b"PK\x01\x02");
                if let Ok(entries) = parse_central_directory(&cd, n) {
                    let _ = inspect(&entries);
                }
            }
        }
    }
}
