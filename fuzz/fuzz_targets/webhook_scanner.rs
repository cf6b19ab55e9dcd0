//! The webhook verifier's one-pass scanner (the parser most exposed to the internet) against the
//! full parse, on arbitrary bodies: whenever the scanner answers, the full parse must accept the
//! body and give the same fields, under the default archive topic and under another one (as the
//! differential test in src/webhook/mod.rs does with mutated payloads). Any panic or any
//! disagreement is a bug.
#![no_main]

use flexperto_sdk::webhook::{full_parse, Field, VerifiedParts, TOPIC_ARCHIVE_AVAILABLE};
use flexperto_webhook::verify::fast_path;
use libfuzzer_sys::fuzz_target;

const FIELDS: [Field; 5] = [
    Field::Topic,
    Field::NotificationId,
    Field::ArchiveId,
    Field::ConferenceId,
    Field::Sha256,
];

fuzz_target!(|body: &[u8]| {
    for topic in [TOPIC_ARCHIVE_AVAILABLE, "conference.ended"] {
        let mut fast = VerifiedParts::default();
        fast.clear();
        let answered = fast_path(body, topic, &mut fast).is_some();
        let mut full = VerifiedParts::default();
        full.clear();
        let parsed = full_parse(body, topic, &mut full);
        if !answered {
            continue;
        }
        let text = String::from_utf8_lossy(body);
        assert!(parsed.is_ok(), "fast path accepted, full parse refused: {parsed:?} for {text}");
        for f in FIELDS {
            assert_eq!(fast.get(f), full.get(f), "{f:?} under {topic} of {text}");
        }
        assert_eq!(fast.ascii, full.ascii, "ascii flag of {text}");
    }
});
