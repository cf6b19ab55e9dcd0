//! The archive record parsers: one record, a list, the download redirect's `Location`, and what a
//! record carries (the `sha256CheckSum` as the expected value of a verification, the `status`).
//! None may panic; whatever they accept must hold up.
#![no_main]

use flexperto_sdk::api::archives::{parse_archive, parse_archive_list, parse_download_location};
use flexperto_sdk::api::{ApiResponse, Operation};
use flexperto_sdk::archive::checksum::parse_hex_digest;
use flexperto_sdk::archive::{ArchiveChecksum, ArchiveStatus};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let resp = ApiResponse {
        status: 200,
        body: data.to_vec(),
        ..ApiResponse::default()
    };
    if let Ok(r) = parse_archive(Operation::GetArchive, &resp) {
        assert!(!r.id.is_empty() && !r.conference_id.is_empty());
        assert!(r.sha256.as_deref().is_none_or(|h| parse_hex_digest(h).is_ok()));
    }
    if let Ok(list) = parse_archive_list(&resp) {
        assert!(list.items.iter().all(|r| !r.id.is_empty()));
    }
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let redirect = ApiResponse {
        status: 302,
        location: Some(s.to_owned()),
        ..ApiResponse::default()
    };
    if let Ok(url) = parse_download_location(&redirect, "https://demo.test.flexperto.com") {
        let lower = url.to_ascii_lowercase();
        assert!(lower.starts_with("https://") || lower.starts_with("http://"));
        assert!(!url.bytes().any(|b| b <= b' '));
    }
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
