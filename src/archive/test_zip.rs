//! A tiny zip writer for tests: every byte written by hand, so that tests can also write what a
//! real writer never would (zip64 claims, wrong CRCs, bad counts).

use super::zip::{crc32, METHOD_DEFLATE, METHOD_STORED};

/// One entry to write.
#[derive(Clone)]
pub struct Entry {
    pub name: Vec<u8>,
    pub flags: u16,
    pub method: u16,
    /// The bytes written as the entry's data (already compressed).
    pub payload: Vec<u8>,
    pub crc: u32,
    pub uncompressed_size: u64,
    /// Overrides the compressed size written in the central directory.
    pub claimed_compressed_size: Option<u64>,
    /// Extra fields (id, data) for the central directory, besides the zip64 one.
    pub extra: Vec<(u16, Vec<u8>)>,
}

impl Entry {
    pub fn stored(name: &str, data: &[u8]) -> Self {
        Self {
            name: name.as_bytes().to_vec(),
            flags: 1 << 11,
            method: METHOD_STORED,
            payload: data.to_vec(),
            crc: crc32(data),
            uncompressed_size: data.len() as u64,
            claimed_compressed_size: None,
            extra: Vec::new(),
        }
    }

    pub fn deflated(name: &str, data: &[u8]) -> Self {
        Self {
            method: METHOD_DEFLATE,
            payload: miniz_oxide::deflate::compress_to_vec(data, 6),
            ..Self::stored(name, data)
        }
    }
}

/// Builds a zip in memory.
#[derive(Default)]
pub struct ZipWriter {
    pub out: Vec<u8>,
    central: Vec<u8>,
    count: u64,
    /// Write every entry and the end records in zip64 form.
    pub zip64: bool,
    /// The archive comment.
    pub comment: Vec<u8>,
}

fn extra_bytes(fields: &[(u16, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (id, data) in fields {
        out.extend_from_slice(&id.to_le_bytes());
        out.extend_from_slice(&(data.len() as u16).to_le_bytes());
        out.extend_from_slice(data);
    }
    out
}

impl ZipWriter {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn zip64() -> Self {
        Self {
            zip64: true,
            ..Self::default()
        }
    }

    pub fn add(&mut self, e: Entry) -> &mut Self {
        let offset = self.out.len() as u64;
        let compressed = e.claimed_compressed_size.unwrap_or(e.payload.len() as u64);
        let sat = |v: u64| if self.zip64 { u32::MAX } else { v as u32 };
        let mut local_extra = Vec::new();
        let mut central_extra = e.extra.clone();
        if self.zip64 {
            let mut d = e.uncompressed_size.to_le_bytes().to_vec();
            d.extend_from_slice(&compressed.to_le_bytes());
            local_extra.push((0x0001, d.clone()));
            d.extend_from_slice(&offset.to_le_bytes());
            central_extra.insert(0, (0x0001, d));
        }
        let local_extra = extra_bytes(&local_extra);
        let central_extra = extra_bytes(&central_extra);

        let o = &mut self.out;
        o.extend_from_slice(b"PK\x03\x04");
        o.extend_from_slice(&45u16.to_le_bytes()); // version needed
        o.extend_from_slice(&e.flags.to_le_bytes());
        o.extend_from_slice(&e.method.to_le_bytes());
        o.extend_from_slice(&[0, 0, 0x21, 0]); // time, date (1980-01-01)
        o.extend_from_slice(&e.crc.to_le_bytes());
        o.extend_from_slice(&sat(compressed).to_le_bytes());
        o.extend_from_slice(&sat(e.uncompressed_size).to_le_bytes());
        o.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
        o.extend_from_slice(&(local_extra.len() as u16).to_le_bytes());
        o.extend_from_slice(&e.name);
        o.extend_from_slice(&local_extra);
        o.extend_from_slice(&e.payload);

        let c = &mut self.central;
        c.extend_from_slice(b"PK\x01\x02");
        c.extend_from_slice(&0x031eu16.to_le_bytes()); // made by: Unix, 3.0
        c.extend_from_slice(&45u16.to_le_bytes());
        c.extend_from_slice(&e.flags.to_le_bytes());
        c.extend_from_slice(&e.method.to_le_bytes());
        c.extend_from_slice(&[0, 0, 0x21, 0]);
        c.extend_from_slice(&e.crc.to_le_bytes());
        c.extend_from_slice(&sat(compressed).to_le_bytes());
        c.extend_from_slice(&sat(e.uncompressed_size).to_le_bytes());
        c.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
        c.extend_from_slice(&(central_extra.len() as u16).to_le_bytes());
        c.extend_from_slice(&0u16.to_le_bytes()); // comment
        c.extend_from_slice(&0u16.to_le_bytes()); // disk
        c.extend_from_slice(&0u16.to_le_bytes()); // internal attributes
        c.extend_from_slice(&0u32.to_le_bytes()); // external attributes
        c.extend_from_slice(&sat(offset).to_le_bytes());
        c.extend_from_slice(&e.name);
        c.extend_from_slice(&central_extra);
        self.count += 1;
        self
    }

    /// The finished file, and where its central directory starts.
    pub fn finish(&self) -> (Vec<u8>, u64) {
        let mut o = self.out.clone();
        let cd_offset = o.len() as u64;
        o.extend_from_slice(&self.central);
        let cd_size = self.central.len() as u64;
        if self.zip64 {
            let record_offset = o.len() as u64;
            o.extend_from_slice(b"PK\x06\x06");
            o.extend_from_slice(&44u64.to_le_bytes());
            o.extend_from_slice(&45u16.to_le_bytes());
            o.extend_from_slice(&45u16.to_le_bytes());
            o.extend_from_slice(&0u32.to_le_bytes());
            o.extend_from_slice(&0u32.to_le_bytes());
            o.extend_from_slice(&self.count.to_le_bytes());
            o.extend_from_slice(&self.count.to_le_bytes());
            o.extend_from_slice(&cd_size.to_le_bytes());
            o.extend_from_slice(&cd_offset.to_le_bytes());
            o.extend_from_slice(b"PK\x06\x07");
            o.extend_from_slice(&0u32.to_le_bytes());
            o.extend_from_slice(&record_offset.to_le_bytes());
            o.extend_from_slice(&1u32.to_le_bytes());
        }
        let (n16, size32, off32) = if self.zip64 {
            (u16::MAX, u32::MAX, u32::MAX)
        } else {
            (self.count as u16, cd_size as u32, cd_offset as u32)
        };
        o.extend_from_slice(b"PK\x05\x06");
        o.extend_from_slice(&0u16.to_le_bytes());
        o.extend_from_slice(&0u16.to_le_bytes());
        o.extend_from_slice(&n16.to_le_bytes());
        o.extend_from_slice(&n16.to_le_bytes());
        o.extend_from_slice(&size32.to_le_bytes());
        o.extend_from_slice(&off32.to_le_bytes());
        o.extend_from_slice(&(self.comment.len() as u16).to_le_bytes());
        o.extend_from_slice(&self.comment);
        (o, cd_offset)
    }
}

/// A small archive shaped like Flexperto's: themis (metadata, chat, a recording), mithra,
/// whiteboard; stored and deflated entries.
pub fn sample_archive() -> Vec<u8> {
    let mut w = ZipWriter::new();
    add_sample_entries(&mut w);
    w.finish().0
}

pub fn add_sample_entries(w: &mut ZipWriter) {
    let metadata =
        br#"{"tenant_id":"acme","moderator":{"email":"expert@example.com"},"participants":[]}"#;
    let chat = br#"[{"from":"expert","text":"Hallo"},{"from":"customer","text":"Hi"}]"#.repeat(20);
    w.add(Entry::stored("themis/", b""))
        .add(Entry::deflated("themis/conference-metadata.json", metadata))
        .add(Entry::deflated("themis/chat-history.json", &chat))
        .add(Entry::stored("themis/recordings/track-1.mp4", &[0u8; 300]))
        .add(Entry::stored("mithra/contract.pdf", b"%PDF-1.7 ..."))
        .add(Entry::deflated("whiteboard/events.json", b"[]"));
}
