//! The generated URL corpus (tests/js/url-corpus-cases.mjs) against the native build: for every
//! URL, Node's WHATWG `new URL()` and `validate_callback_url` (the `url` crate) must agree on the
//! host, or both refuse the URL. The one known difference is in the safe direction: labels of
//! right-to-left digits (Arabic-Indic and their kin) break the bidi rule the WHATWG host parser
//! checks; the url crate refuses them, Node's parser turns them into punycode. Neither is an IPv4.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

use flexperto_sdk::error::WebhookError;
use flexperto_sdk::webhook::url::validate_callback_url;

fn rtl_digits(s: &str) -> bool {
    s.chars()
        .any(|c| matches!(c as u32, 0x0660..=0x0669 | 0x06F0..=0x06F9))
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
    let (mut agree, mut bidi) = (0, 0);
    let mut disagree = Vec::new();
    for line in text.lines() {
        let (url, node_host): (String, Option<String>) = serde_json::from_str(line).unwrap();
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
        if sdk_host == node_host && (node_host.is_some() || code == "INVALID_URL") {
            agree += 1;
        } else if sdk_host.is_none() && code == "INVALID_URL" && rtl_digits(&url) {
            bidi += 1;
        } else {
            disagree.push((url, node_host, sdk_host, code));
        }
    }
    println!("{agree} agree, {bidi} right-to-left digit hosts refused by the url crate only");
    assert!(agree > 30_000, "{agree} agree");
    assert!(
        disagree.is_empty(),
        "{} disagree (and {bidi} right-to-left digit hosts refused), e.g. {:?}",
        disagree.len(),
        &disagree[..disagree.len().min(10)]
    );
}
