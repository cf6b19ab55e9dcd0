//! What an archive record carries that the SDK parses today: the `sha256CheckSum` (as the
//! expected value of a verification) and the `status`. There is no record model yet; when it
//! lands, its JSON parser belongs here too.
#![no_main]

use flexperto_sdk::archive::checksum::parse_hex_digest;
use flexperto_sdk::archive::{ArchiveChecksum, ArchiveStatus};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let mut sum = ArchiveChecksum::new();
    sum.update(data);
    let parsed = parse_hex_digest(s);
    let verified = sum.verify(s);
    // verify refuses exactly what parse_hex_digest refuses.
    assert_eq!(
        parsed.is_err(),
        verified
            .as_ref()
            .is_err_and(|e| e.code() == "INVALID_CHECKSUM")
    );
    let status = ArchiveStatus::parse(s);
    assert_eq!(status.as_str(), s);
    assert_eq!(ArchiveStatus::from(String::from(status.clone())), status);
});
