//! The zip reader on arbitrary bytes: locating the end records (from the whole file and from a
//! partial tail), parsing the central directory, checking bounds, the layout inspection, and
//! reading small entries. Any panic is a bug; errors are expected.
#![no_main]

use flexperto_sdk::archive::zip::{
    inspect, inspect_file, list_entries, local_data_offset, local_name_matches, locate_eocd,
    parse_central_directory, read_entry,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let len = data.len() as u64;
    // A caller that read only part of the end of the file.
    let _ = locate_eocd(&data[data.len() / 3..], len);
    // The central directory parser on raw bytes, with the count it would be given.
    let _ = parse_central_directory(data, (data.len() / 64) as u64);
    let _ = local_data_offset(data);
    // The whole path a caller takes.
    if let Ok(entries) = list_entries(data) {
        let layout = inspect(&entries);
        for f in &layout.findings {
            let _ = (f.code(), f.name(&entries));
        }
        // The local headers held against the directory.
        let _ = inspect_file(data);
        for entry in entries.iter().take(64) {
            if let Some(local) = usize::try_from(entry.local_header_offset)
                .ok()
                .and_then(|at| data.get(at..))
            {
                let _ = local_name_matches(entry, local);
            }
            if entry.uncompressed_size <= 1 << 20 {
                let _ = read_entry(data, entry);
            }
        }
    }
});
