//! Streaming SHA-256 of an archive file, checked against the record's `sha256CheckSum`.
//!
//! Feed the download chunk by chunk with [`ArchiveChecksum::update`]; the state is a few hundred
//! bytes whatever the file's size. [`ArchiveChecksum::verify`] compares in constant time.

use sha2::{Digest, Sha256};

use crate::error::ArchiveError;

/// Length of a SHA-256 digest in hex characters.
const HEX_LEN: usize = 64;

/// A streaming SHA-256 hasher for archive files.
///
/// ```
/// use flexperto_sdk::archive::ArchiveChecksum;
///
/// let mut sum = ArchiveChecksum::new();
/// sum.update(b"ab");
/// sum.update(b"c");
/// assert_eq!(
///     sum.digest_hex(),
///     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
/// );
/// assert!(sum.verify("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD").is_ok());
/// ```
#[derive(Clone, Default)]
pub struct ArchiveChecksum {
    hasher: Sha256,
    bytes: u64,
}

impl core::fmt::Debug for ArchiveChecksum {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ArchiveChecksum")
            .field("bytes_hashed", &self.bytes)
            .finish_non_exhaustive()
    }
}

impl ArchiveChecksum {
    /// A hasher that has seen no bytes yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Hashes the next chunk of the file. Chunks may have any size, including zero.
    pub fn update(&mut self, chunk: &[u8]) {
        self.hasher.update(chunk);
        self.bytes = self.bytes.saturating_add(chunk.len() as u64);
    }

    /// How many bytes have been hashed so far.
    pub fn bytes_hashed(&self) -> u64 {
        self.bytes
    }

    /// The SHA-256 of the bytes hashed so far, as 64 lowercase hex characters. Does not consume
    /// the hasher: more bytes may follow.
    pub fn digest_hex(&self) -> String {
        to_hex(&self.digest())
    }

    /// Checks the bytes hashed so far against `expected_hex` (64 hex characters, either case),
    /// comparing the digests in constant time.
    ///
    /// # Errors
    /// [`ArchiveError::InvalidChecksum`] when `expected_hex` is not exactly 64 hex characters;
    /// [`ArchiveError::ChecksumMismatch`] (both digests in lowercase hex) when the digests differ.
    pub fn verify(&self, expected_hex: &str) -> Result<(), ArchiveError> {
        verify_digest(&self.digest(), expected_hex)
    }

    /// The SHA-256 of the bytes hashed so far (32 bytes). Does not consume the hasher.
    pub fn digest(&self) -> [u8; 32] {
        let mut out = [0u8; 32];
        out.copy_from_slice(&self.hasher.clone().finalize());
        out
    }
}

/// Checks a SHA-256 digest computed elsewhere (e.g. by the platform's native hasher) against
/// `expected_hex` (64 hex characters, either case), comparing in constant time.
///
/// # Errors
/// [`ArchiveError::InvalidChecksum`] when `expected_hex` is not exactly 64 hex characters;
/// [`ArchiveError::ChecksumMismatch`] (both digests in lowercase hex) when the digests differ.
pub fn verify_digest(actual: &[u8; 32], expected_hex: &str) -> Result<(), ArchiveError> {
    let expected = parse_hex_digest(expected_hex)?;
    let diff = expected
        .iter()
        .zip(actual.iter())
        .fold(0u8, |acc, (a, b)| acc | (a ^ b));
    // black_box keeps the optimiser from turning the fold into an early-exit comparison.
    if core::hint::black_box(diff) == 0 {
        Ok(())
    } else {
        Err(ArchiveError::ChecksumMismatch {
            expected: to_hex(&expected),
            actual: to_hex(actual),
        })
    }
}

/// Parses a SHA-256 digest written as exactly 64 hex characters, either case.
///
/// # Errors
/// [`ArchiveError::InvalidChecksum`] saying what is wrong (without repeating the input).
pub fn parse_hex_digest(hex: &str) -> Result<[u8; 32], ArchiveError> {
    let bytes = hex.as_bytes();
    if bytes.len() != HEX_LEN {
        return Err(ArchiveError::InvalidChecksum(format!(
            "expected {HEX_LEN} hex characters, got {}",
            hex.chars().count()
        )));
    }
    let mut out = [0u8; 32];
    for (i, pair) in bytes.chunks_exact(2).enumerate() {
        let hi = nibble(pair[0]).ok_or_else(|| bad_char(hex, 2 * i))?;
        let lo = nibble(pair[1]).ok_or_else(|| bad_char(hex, 2 * i + 1))?;
        out[i] = (hi << 4) | lo;
    }
    Ok(out)
}

fn bad_char(hex: &str, byte_index: usize) -> ArchiveError {
    // 64 bytes but not all ASCII: count characters, not bytes, for the message.
    let position = hex
        .char_indices()
        .take_while(|(i, _)| *i <= byte_index)
        .count()
        .saturating_sub(1);
    ArchiveError::InvalidChecksum(format!("not a hex character at position {position}"))
}

fn nibble(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex_of(data: &[u8]) -> String {
        let mut s = ArchiveChecksum::new();
        s.update(data);
        s.digest_hex()
    }

    // FIPS 180-2 / NIST CSRC example values for SHA-256.
    const EMPTY: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    const ABC: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    const MSG_448: &[u8] = b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    const HASH_448: &str = "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
    const MSG_896: &[u8] = b"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
    const HASH_896: &str = "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1";
    const MILLION_A: &str = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn nist_vectors() {
        assert_eq!(MSG_448.len() * 8, 448);
        assert_eq!(MSG_896.len() * 8, 896);
        assert_eq!(hex_of(b""), EMPTY);
        assert_eq!(hex_of(b"abc"), ABC);
        assert_eq!(hex_of(MSG_448), HASH_448);
        assert_eq!(hex_of(MSG_896), HASH_896);
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn one_million_a_in_uneven_chunks() {
        let data = vec![b'a'; 1_000_000];
        let mut sum = ArchiveChecksum::new();
        let mut rest = &data[..];
        let sizes = [1usize, 63, 64, 65, 0, 7, 4096, 127, 100_003];
        let mut i = 0;
        while !rest.is_empty() {
            let n = sizes[i % sizes.len()].min(rest.len());
            sum.update(&rest[..n]);
            rest = &rest[n..];
            i += 1;
        }
        assert_eq!(sum.bytes_hashed(), 1_000_000);
        assert_eq!(sum.digest_hex(), MILLION_A);
        assert!(sum.verify(MILLION_A).is_ok());
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn digest_hex_does_not_consume() {
        let mut sum = ArchiveChecksum::new();
        sum.update(b"ab");
        let partial = sum.digest_hex();
        sum.update(b"c");
        assert_eq!(partial, hex_of(b"ab"));
        assert_eq!(sum.digest_hex(), ABC);
        assert_eq!(sum.digest_hex(), ABC);
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn verify_accepts_either_case_and_reports_mismatch() {
        let mut sum = ArchiveChecksum::new();
        sum.update(b"abc");
        assert_eq!(sum.verify(ABC), Ok(()));
        assert_eq!(sum.verify(&ABC.to_uppercase()), Ok(()));
        let mixed: String = ABC
            .chars()
            .enumerate()
            .map(|(i, c)| {
                if i % 2 == 0 {
                    c.to_ascii_uppercase()
                } else {
                    c
                }
            })
            .collect();
        assert_eq!(sum.verify(&mixed), Ok(()));

        let err = sum.verify(&EMPTY.to_uppercase()).unwrap_err();
        assert_eq!(err.code(), "CHECKSUM_MISMATCH");
        assert_eq!(
            err,
            ArchiveError::ChecksumMismatch {
                expected: EMPTY.into(),
                actual: ABC.into()
            }
        );
        // One flipped bit in the last byte is still a mismatch.
        let last_flipped = format!("{}ac", &ABC[..62]);
        assert_eq!(
            sum.verify(&last_flipped).map_err(|e| e.code()),
            Err("CHECKSUM_MISMATCH")
        );
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn verify_rejects_malformed_expected_values() {
        let sum = ArchiveChecksum::new();
        let cases: Vec<String> = vec![
            String::new(),
            EMPTY[..63].into(),
            format!("{EMPTY}0"),
            format!(" {}", &EMPTY[1..]),
            format!("{}g", &EMPTY[..63]),
            format!("0x{}", &EMPTY[2..]),
            format!("{}\u{e9}", &EMPTY[..62]), // 64 bytes, 63 characters
            "\u{ff10}".repeat(16),             // full-width digits: 48 bytes
            "é".repeat(32),                    // 64 bytes, not hex
            format!("sha256:{EMPTY}"),
        ];
        for c in &cases {
            let err = sum.verify(c).unwrap_err();
            assert_eq!(err.code(), "INVALID_CHECKSUM", "{c:?}");
        }
        let msg = sum.verify(&format!("{}g", &EMPTY[..63])).unwrap_err();
        assert_eq!(
            msg.to_string(),
            "invalid sha256 checksum: not a hex character at position 63"
        );
        let msg = sum.verify("abc").unwrap_err();
        assert_eq!(
            msg.to_string(),
            "invalid sha256 checksum: expected 64 hex characters, got 3"
        );
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn verify_digest_of_a_digest_computed_elsewhere() {
        let abc = parse_hex_digest(ABC).unwrap();
        assert_eq!(verify_digest(&abc, &ABC.to_uppercase()), Ok(()));
        assert_eq!(
            verify_digest(&abc, EMPTY).map_err(|e| e.code()),
            Err("CHECKSUM_MISMATCH")
        );
        assert_eq!(
            verify_digest(&abc, "abc").map_err(|e| e.code()),
            Err("INVALID_CHECKSUM")
        );
        let mut sum = ArchiveChecksum::new();
        sum.update(b"abc");
        assert_eq!(sum.digest(), abc);
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn parse_hex_digest_round_trips() {
        let bytes = parse_hex_digest(HASH_896).unwrap();
        assert_eq!(to_hex(&bytes), HASH_896);
    }

    /// Property tests (proptest is a native-only dev-dependency).
    #[cfg(not(target_arch = "wasm32"))]
    mod props {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn chunking_does_not_change_the_digest(
                data in proptest::collection::vec(any::<u8>(), 0..4096),
                cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..16),
            ) {
                let whole = hex_of(&data);
                let mut points: Vec<usize> = cuts.iter().map(|c| c.index(data.len() + 1)).collect();
                points.sort_unstable();
                let mut sum = ArchiveChecksum::new();
                let mut start = 0;
                for p in points {
                    sum.update(&data[start..p]);
                    start = p;
                }
                sum.update(&data[start..]);
                prop_assert_eq!(sum.digest_hex(), whole.clone());
                prop_assert!(sum.verify(&whole).is_ok());
                prop_assert!(sum.verify(&whole.to_uppercase()).is_ok());
            }

            #[test]
            fn verify_never_panics(s in ".{0,80}") {
                let _ = ArchiveChecksum::new().verify(&s);
            }
        }
    }
}
