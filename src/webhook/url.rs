//! Callback URL checks, before a subscription is registered: https, no special-purpose IP literal
//! in any spelling, no local host name, and a secret path segment of at least 128 bits.

pub use flexperto_webhook::secret_bits;

use super::ip::{host_ip, is_special_purpose};
use crate::error::WebhookError;

fn refuse(rule: &'static str, reason: impl Into<String>) -> WebhookError {
    WebhookError::InvalidCallbackUrl {
        rule,
        reason: reason.into(),
    }
}

/// The secret segments of at least 128 bits in a path.
pub fn secret_segments(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter(|s| secret_bits(s) >= 128.0)
}

/// Checks a callback URL. `allow_http_loopback` admits `http://127.0.0.1` and `http://localhost`
/// (for local runs against the simulator) and nothing else that would otherwise be refused.
///
/// # Errors
/// [`WebhookError::InvalidCallbackUrl`] naming the rule broken.
pub fn validate_callback_url(url: &str, allow_http_loopback: bool) -> Result<(), WebhookError> {
    if url.len() > 2048 || url.bytes().any(|b| b <= b' ' || b == b'\\' || b == 0x7f) {
        return Err(refuse(
            "INVALID_URL",
            "white space, control characters or backslashes, or longer than 2048",
        ));
    }
    let lower = url.to_ascii_lowercase();
    let (https, rest) = match (
        lower.strip_prefix("https://"),
        lower.strip_prefix("http://"),
    ) {
        (Some(_), _) => (true, &url[8..]),
        (None, Some(_)) => (false, &url[7..]),
        _ => return Err(refuse("NOT_HTTPS", "the URL must start with https://")),
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    if authority.contains('@') {
        return Err(refuse(
            "CREDENTIALS_IN_URL",
            "user information (@) is not allowed",
        ));
    }
    let host = if authority.starts_with('[') {
        match authority.find(']') {
            Some(i) => &authority[..=i],
            None => return Err(refuse("INVALID_URL", "unclosed [")),
        }
    } else {
        authority.split(':').next().unwrap_or("")
    };
    if host.is_empty() {
        return Err(refuse("INVALID_URL", "no host"));
    }
    let ip = host_ip(host)
        .map_err(|()| refuse("INVALID_URL", "the host is not a valid address or name"))?;
    let folded = host.to_ascii_lowercase();
    let loopback_name = folded.trim_end_matches('.') == "localhost"
        || folded.trim_end_matches('.').ends_with(".localhost");
    let is_loopback_ip = ip.is_some_and(|a| super::ip::canonical(a).is_loopback());
    if !https {
        if allow_http_loopback && (loopback_name || is_loopback_ip) {
            // Local runs only: nothing below applies but the secret.
        } else {
            return Err(refuse("NOT_HTTPS", "the URL must use https"));
        }
    } else if let Some(a) = ip {
        if is_special_purpose(a) {
            return Err(refuse(
                "SPECIAL_PURPOSE_ADDRESS",
                format!("{a} is in an IANA special-purpose block"),
            ));
        }
    } else if loopback_name {
        return Err(refuse(
            "LOCAL_HOSTNAME",
            "localhost names resolve to loopback",
        ));
    }
    let path = tail.split(['?', '#']).next().unwrap_or("");
    if secret_segments(path).next().is_none() {
        return Err(refuse(
            "NO_SECRET_SEGMENT",
            "the path needs a secret segment of at least 128 bits (e.g. generateWebhookSecret())",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: &str = "F40mfum7pZC8DtdgGOYSijx26blP0HLs";

    fn rule(url: &str) -> &'static str {
        match validate_callback_url(url, false) {
            Ok(()) => "OK",
            Err(e) => e.code(),
        }
    }

    #[test]
    fn rules() {
        assert_eq!(
            rule(&format!("https://crm.example.com/callbacks/flexperto/{S}")),
            "OK"
        );
        assert_eq!(rule(&format!("https://8.8.8.8/cb/{S}?x=1")), "OK");
        assert_eq!(rule(&format!("http://crm.example.com/cb/{S}")), "NOT_HTTPS");
        assert_eq!(rule(&format!("ftp://crm.example.com/cb/{S}")), "NOT_HTTPS");
        assert_eq!(
            rule(&format!("https://u:p@crm.example.com/cb/{S}")),
            "CREDENTIALS_IN_URL"
        );
        assert_eq!(
            rule("https://crm.example.com/callbacks/flexperto"),
            "NO_SECRET_SEGMENT"
        );
        assert_eq!(
            rule("https://crm.example.com/cb/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
            "NO_SECRET_SEGMENT"
        );
        assert_eq!(
            rule("https://crm.example.com/cb/0123456789abcdef0123456789abcde"),
            "NO_SECRET_SEGMENT"
        );
        assert_eq!(
            rule("https://crm.example.com/cb/0123456789abcdef0123456789abcdef"),
            "OK"
        );
        assert_eq!(rule(&format!("https://localhost/cb/{S}")), "LOCAL_HOSTNAME");
        for host in [
            "127.0.0.1",
            "2130706433",
            "0x7f.1",
            "0177.0.0.1",
            "127.1",
            "%31%32%37.0.0.1",
            "１２７.０.０.１",
            "10.0.0.1",
            "169.254.169.254",
            "[::1]",
            "[::ffff:127.0.0.1]",
            "[::ffff:a00:1]",
            "[fe80::1]",
            "[64:ff9b::a9fe:a9fe]",
            "0",
            "0x0",
            "192.168.1.1.",
            "[2001:db8::1]",
            "224.0.0.1",
        ] {
            assert_eq!(
                rule(&format!("https://{host}:8443/cb/{S}")),
                "SPECIAL_PURPOSE_ADDRESS",
                "{host}"
            );
        }
        assert_eq!(rule(&format!("https://1.2.3.256/cb/{S}")), "INVALID_URL");
        assert!(validate_callback_url(&format!("http://127.0.0.1:9/cb/{S}"), true).is_ok());
        assert!(validate_callback_url(&format!("http://10.0.0.1/cb/{S}"), true).is_err());
    }

    #[test]
    fn secret_bits_by_alphabet() {
        assert!(secret_bits(S) >= 128.0);
        assert!(secret_bits("2b4e1c9a7f3d5e8b0a6c4f2d1e9b7a3c") >= 128.0);
        assert!(secret_bits("short") < 128.0);
        assert!(secret_bits("a.b") == 0.0);
    }
}
