//! The generated URL corpus (tests/js/url-corpus-cases.mjs) against the native build: for every
//! URL, Node's WHATWG `new URL()` and `validate_callback_url` (the `url` crate) must agree on the
//! host, or both refuse the URL, and the scheme and credential rules must be decided on the
//! values Node parsed. Three known differences between the parsers are counted apart, each one
//! narrow and none about an address:
//! - labels of right-to-left digits (Arabic-Indic and their kin) break the bidi rule the WHATWG
//!   host parser checks; the url crate refuses them, Node's parser turns them into punycode;
//! - code points whose UTS #46 status changed in Unicode 15.1/16 (`ẞ`, U+180E, U+206B, `Ӏ`,
//!   `Ↄ`): the url crate reads them by the newer table, which WPT's `toascii.json` expects
//!   (`ẞ.com` is `xn--zca.com`), Node 20's parser by the older one (`ss.com`, or a refusal); the
//!   host is a domain name to both;
//! - `file://host/C:/...`: the url crate drops the host before a Windows drive letter, as the
//!   WHATWG standard once did; Node keeps it. Refused as `NOT_HTTPS` either way;
//! - a label `xn--…-` (punycode with nothing after its last hyphen): the url crate refuses it,
//!   Node and WPT's IdnaTestV2 keep it as it is.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

use flexperto_sdk::error::WebhookError;
use flexperto_sdk::webhook::url::{classify_host, validate_callback_url, HostType};

fn rtl_digits(s: &str) -> bool {
    s.chars()
        .any(|c| matches!(c as u32, 0x0660..=0x0669 | 0x06F0..=0x06F9))
}

fn uts46_changed(s: &str) -> bool {
    s.chars().any(|c| {
        matches!(
            c,
            '\u{1E9E}' | '\u{180E}' | '\u{206B}' | '\u{04C0}' | '\u{2183}'
        )
    })
}

#[test]
fn the_url_crate_and_node_agree_on_every_host() {
    let out = Command::new("node")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/js/url-corpus-cases.mjs"
        ))
        .output()
        .expect("node runs (the test layers need Node 20)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let (mut agree, mut bidi, mut uts46, mut file, mut empty_punycode) = (0, 0, 0, 0, 0);
    let mut disagree = Vec::new();
    for line in text.lines() {
        let (url, node_host, rule): (String, Option<String>, Option<String>) =
            serde_json::from_str(line).unwrap();
        let (sdk_host, code) = match validate_callback_url(&url, false) {
            Ok(c) => (Some(c.host), "OK"),
            Err(e) => {
                let code = e.code();
                match e {
                    WebhookError::InvalidCallbackUrl { host, .. } => (host, code),
                    _ => (None, code),
                }
            }
        };
        let rule_kept = rule.as_deref().is_none_or(|r| r == code);
        if sdk_host == node_host && (node_host.is_some() || code == "INVALID_URL") && rule_kept {
            agree += 1;
        } else if sdk_host.is_none() && code == "INVALID_URL" && rtl_digits(&url) {
            bidi += 1;
        } else if uts46_changed(&url)
            && [&sdk_host, &node_host].iter().all(|h| {
                h.as_deref()
                    .is_none_or(|h| classify_host(h).0 == HostType::Domain)
            })
        {
            uts46 += 1;
        } else if sdk_host.is_none() && code == "INVALID_URL" && url.contains("xn--ascii-.") {
            empty_punycode += 1;
        } else if url.starts_with("file:") && code == "NOT_HTTPS" && sdk_host.as_deref() == Some("")
        {
            file += 1;
        } else {
            disagree.push((url, node_host, sdk_host, code, rule));
        }
    }
    println!(
        "{agree} agree; apart: {bidi} right-to-left digit hosts refused by the url crate only, \
         {uts46} hosts read by a newer UTS #46 table, {file} file: URLs without their host, \
         {empty_punycode} xn--…- labels refused by the url crate only"
    );
    assert!(agree > 35_000, "{agree} agree");
    assert!(
        disagree.is_empty(),
        "{} disagree, e.g. {:?}",
        disagree.len(),
        &disagree[..disagree.len().min(10)]
    );
}
