//! The stable-Rust stand-in for `fuzz/` (cargo-fuzz needs nightly): every archive parser runs over
//! tens of thousands of mutated and random inputs, deterministically (fixed seed), in a few
//! seconds. A panic fails the test; errors are the expected outcome.

use super::checksum::{parse_hex_digest, ArchiveChecksum};
use super::status::ArchiveStatus;
use super::test_zip::{add_sample_entries, sample_archive, Entry, ZipWriter};
use super::zip::*;

/// xorshift64*: small, fast, and reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

const INTERESTING_16: [u16; 6] = [0, 1, 0x7FFF, 0x8000, 0xFFFE, 0xFFFF];
const INTERESTING_32: [u32; 6] = [0, 1, 46, 0x7FFF_FFFF, 0xFFFF_FFFE, 0xFFFF_FFFF];

fn seeds() -> Vec<Vec<u8>> {
    let mut zip64 = ZipWriter::zip64();
    add_sample_entries(&mut zip64);
    let mut commented = ZipWriter::new();
    add_sample_entries(&mut commented);
    commented.comment = b"PK\x05\x06 a comment".to_vec();
    let mut claims = ZipWriter::zip64();
    let mut e = Entry::deflated("themis/recordings/huge.mp4", b"tiny");
    e.uncompressed_size = 5 << 30;
    claims.add(e);
    vec![
        sample_archive(),
        zip64.finish().0,
        commented.finish().0,
        claims.finish().0,
        ZipWriter::new().finish().0,
    ]
}

fn mutate(rng: &mut Rng, seeds: &[Vec<u8>]) -> Vec<u8> {
    let mut data = seeds[rng.below(seeds.len())].clone();
    for _ in 0..=rng.below(4) {
        let len = data.len();
        match rng.below(8) {
            0 if len > 0 => {
                let i = rng.below(len);
                data[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                data[i] = rng.next() as u8;
            }
            2 if len >= 2 => {
                let i = rng.below(len - 1);
                let v = INTERESTING_16[rng.below(INTERESTING_16.len())];
                data[i..i + 2].copy_from_slice(&v.to_le_bytes());
            }
            3 if len >= 4 => {
                let i = rng.below(len - 3);
                let v = INTERESTING_32[rng.below(INTERESTING_32.len())];
                data[i..i + 4].copy_from_slice(&v.to_le_bytes());
            }
            4 => data.truncate(rng.below(len + 1)),
            5 if len > 0 => {
                let i = rng.below(len);
                let n = rng.below(len - i + 1).min(64);
                data.drain(i..i + n);
            }
            6 => {
                let i = rng.below(len + 1);
                let junk: Vec<u8> = (0..rng.below(64)).map(|_| rng.next() as u8).collect();
                data.splice(i..i, junk);
            }
            _ => {
                // Splice: the end of another seed (a valid end record) onto this prefix.
                let other = &seeds[rng.below(seeds.len())];
                let keep = rng.below(len + 1);
                let from = rng.below(other.len() + 1);
                data.truncate(keep);
                data.extend_from_slice(&other[from..]);
            }
        }
    }
    data
}

fn random_bytes(rng: &mut Rng, max: usize) -> Vec<u8> {
    (0..rng.below(max + 1)).map(|_| rng.next() as u8).collect()
}

/// Everything a caller may do with a zip, on bytes that may be anything. Same as the cargo-fuzz
/// target `zip_reader`.
fn drive_zip(data: &[u8]) -> bool {
    let len = data.len() as u64;
    let _ = locate_eocd(&data[data.len() / 3..], len);
    let _ = parse_central_directory(data, (data.len() / 64) as u64);
    let _ = local_data_offset(data);
    let Ok(entries) = list_entries(data) else {
        return false;
    };
    let layout = inspect(&entries);
    for f in &layout.findings {
        let _ = (f.code(), f.name(&entries));
    }
    let _ = crate::archive::zip::inspect_file(data);
    for e in entries.iter().take(64) {
        if e.uncompressed_size <= 1 << 20 {
            let _ = read_entry(data, e);
        }
    }
    true
}

#[test]
fn zip_reader_survives_mutated_and_random_inputs() {
    let started = std::time::Instant::now();
    let seeds = seeds();
    for s in &seeds {
        assert!(drive_zip(s), "a seed must parse");
    }
    let mut rng = Rng(0x5eed_f1e7_a4c4_1e55);
    let mut parsed = 0;
    for i in 0..20_000 {
        let data = if i % 10 == 0 {
            random_bytes(&mut rng, 512)
        } else {
            mutate(&mut rng, &seeds)
        };
        parsed += usize::from(drive_zip(&data));
    }
    // The mutations must leave a fair share parseable, or they only test the first check.
    assert!(parsed > 1_000, "only {parsed} of 20000 inputs parsed");
    assert!(started.elapsed().as_secs() < 20, "{:?}", started.elapsed());
}

#[test]
fn central_directory_parser_survives_mutated_directories() {
    let seeds: Vec<Vec<u8>> = seeds()
        .iter()
        .map(|f| {
            let loc = locate_eocd(f, f.len() as u64).unwrap();
            f[loc.offset as usize..(loc.offset + loc.size) as usize].to_vec()
        })
        .collect();
    let mut rng = Rng(0xcd0c_d0cd_0cd0_cd0c);
    let mut parsed = 0;
    for _ in 0..20_000 {
        let cd = mutate(&mut rng, &seeds);
        let n = rng.below(8) as u64;
        if let Ok(entries) = parse_central_directory(&cd, n) {
            parsed += 1;
            let _ = inspect(&entries);
        }
    }
    assert!(parsed > 100, "only {parsed} parsed");
}

#[test]
fn inflate_survives_mutated_streams() {
    let data = br#"{"tenant_id":"acme","participants":[{"email":"a@example.com"}]}"#.repeat(8);
    let stream = miniz_oxide::deflate::compress_to_vec(&data, 6);
    let crc = crc32(&data);
    let mut rng = Rng(0x1f1a_7e00_0000_0001);
    for _ in 0..20_000 {
        let mutated = mutate(&mut rng, std::slice::from_ref(&stream));
        let size = match rng.below(3) {
            0 => data.len() as u64,
            1 => rng.below(1 << 16) as u64,
            _ => rng.next(),
        };
        let _ = inflate_entry(METHOD_DEFLATE, &mutated, size, crc);
    }
}

#[test]
fn checksum_and_status_parsers_survive_random_strings() {
    let mut rng = Rng(0xc4ec_c5a1_0000_0002);
    let alphabet: Vec<char> = "0123456789abcdefABCDEFgxyz: \u{e9}\u{ff10}\u{1F600}\0"
        .chars()
        .collect();
    let sum = ArchiveChecksum::new();
    let mut valid = 0;
    for _ in 0..20_000 {
        let len = match rng.below(4) {
            0 => 64,
            1 => 63 + rng.below(3),
            _ => rng.below(100),
        };
        let s: String = (0..len)
            .map(|_| alphabet[rng.below(alphabet.len())])
            .collect();
        valid += usize::from(parse_hex_digest(&s).is_ok());
        let _ = sum.verify(&s);
        let status = ArchiveStatus::parse(&s);
        assert_eq!(status.as_str(), s);
    }
    let _ = valid;
}

/// Writes the seeds as the cargo-fuzz corpus: `cargo test -p flexperto-sdk --lib
/// write_fuzz_seeds -- --ignored` (scripts/fuzz.sh does). Also the webhook scanner's seeds.
#[test]
#[ignore = "writes files; run by scripts/fuzz.sh"]
fn write_fuzz_seeds() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    let zip_dir = root.join("zip_reader");
    std::fs::create_dir_all(&zip_dir).unwrap();
    for (i, s) in seeds().iter().enumerate() {
        std::fs::write(zip_dir.join(format!("seed-{i}.zip")), s).unwrap();
    }
    let record_dir = root.join("archive_record");
    std::fs::create_dir_all(&record_dir).unwrap();
    let inputs: [&[u8]; 4] = [
        b"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        b"BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD",
        b"AVAILABLE",
        b"ARTIFACT_GATHERING_COMPLETE",
    ];
    for (i, s) in inputs.iter().enumerate() {
        std::fs::write(record_dir.join(format!("seed-{i}")), s).unwrap();
    }
    let webhook_dir = root.join("webhook_scanner");
    std::fs::create_dir_all(&webhook_dir).unwrap();
    let bodies: [&str; 5] = [
        r#"{"id":"ntf_1","topic":"archive.available","createdAt":"2026-11-28T20:00:00Z","data":{"archive_id":"arc_1","archive_subject":{"conference_id":"conf_1","x":1},"sha256CheckSum":"ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef0123456789","status":"AVAILABLE","extra":[1]},"more":true}"#,
        r#"{"id":7,"topic":"conference.ended","data":{"conference_id":"c"}}"#,
        r#"{"data":{"archive_id":"a\u00e9\n","archive_subject":{"conference_id":"ü"},"sha256CheckSum":null,"status":null},"id":null,"topic":null}"#,
        r#" { "id" : "x\"y" , "data" : { "archive_subject" : { "conference_id" : "c" } , "archive_id" : "a" , "n" : [ -0.5 , 12 , true , false , null , { } , [ ] ] } } "#,
        r#"{"id":9,"topic":"other","data":[1,{"archive_id":"a"}]}"#,
    ];
    for (i, s) in bodies.iter().enumerate() {
        std::fs::write(webhook_dir.join(format!("seed-{i}.json")), s).unwrap();
    }
}
