//! Callback URL checks, before a subscription is registered: https, no user information, a host
//! that is not a special-purpose address or a localhost name, and a secret path segment of at
//! least 128 bits. Optionally, the addresses the name resolves to (the resolving is the caller's
//! I/O; the decision is [`check_resolved`]).
//!
//! The URL is read by a WHATWG URL parser, the one `fetch` and servers use: natively the `url`
//! crate, in wasm the platform's own `URL`. This module only classifies the host it returns, so
//! every spelling the parser accepts (`0x7f.1`, `２１３０７０６４３３`, `%31%32%37.1`, ...) is
//! decided as the address it denotes, and what the parser refuses (port 99999, `%5B::1%5D`) is
//! refused.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use serde::Serialize;

pub use flexperto_webhook::secret_bits;

use super::ip::{is_loopback, special_purpose_block};
use crate::error::WebhookError;
use flexperto_webhook::WebhookErrorCode as Rule;

/// Longest accepted callback URL.
pub const MAX_URL_LEN: usize = 2048;

fn refuse(rule: Rule, reason: impl Into<String>, host: Option<&str>) -> WebhookError {
    WebhookError::InvalidCallbackUrl {
        rule,
        reason: reason.into(),
        host: host.map(str::to_owned),
    }
}

/// The secret segments of at least 128 bits in a path.
pub fn secret_segments(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter(|s| secret_bits(s) >= 128.0)
}

/// A URL's parts as a WHATWG URL parser serialises them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WhatwgUrl {
    /// The whole URL.
    pub href: String,
    /// The scheme, lower case, without `:`.
    pub scheme: String,
    /// User name (empty when none).
    pub username: String,
    /// Password (empty when none).
    pub password: String,
    /// The host: a domain (ASCII, lower case), dotted-decimal IPv4, or `[IPv6]`.
    pub hostname: String,
    /// The port, when not the scheme's default.
    pub port: Option<u16>,
    /// The path.
    pub pathname: String,
}

/// Parses `input` with the platform's WHATWG URL parser. `None` when it refuses the input.
#[cfg(not(target_arch = "wasm32"))]
pub fn parse_whatwg(input: &str) -> Option<WhatwgUrl> {
    let u = ::url::Url::parse(input).ok()?;
    Some(WhatwgUrl {
        href: u.as_str().to_owned(),
        scheme: u.scheme().to_owned(),
        username: u.username().to_owned(),
        password: u.password().unwrap_or("").to_owned(),
        hostname: u.host_str().unwrap_or("").to_owned(),
        port: u.port(),
        pathname: u.path().to_owned(),
    })
}

/// Parses `input` with the platform's WHATWG URL parser. `None` when it refuses the input.
#[cfg(target_arch = "wasm32")]
pub fn parse_whatwg(input: &str) -> Option<WhatwgUrl> {
    let u = web_sys::Url::new(input).ok()?;
    let protocol = u.protocol();
    let port = u.port();
    Some(WhatwgUrl {
        href: u.href(),
        scheme: protocol.strip_suffix(':').unwrap_or(&protocol).to_owned(),
        username: u.username(),
        password: u.password(),
        hostname: u.hostname(),
        port: if port.is_empty() {
            None
        } else {
            Some(port.parse().ok()?)
        },
        pathname: u.pathname(),
    })
}

/// What a WHATWG host is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(
    all(target_arch = "wasm32", feature = "js-client"),
    derive(tsify::Tsify)
)]
pub enum HostType {
    /// A domain name.
    Domain,
    /// An IPv4 address.
    Ipv4,
    /// An IPv6 address.
    Ipv6,
}

/// Classifies a host as a WHATWG URL parser serialises it: `[..]` is IPv6, dotted decimal is
/// IPv4 (the parser turns every other IPv4 spelling into it, and never leaves a domain that
/// ends in a number), anything else a domain.
pub fn classify_host(hostname: &str) -> (HostType, Option<IpAddr>) {
    if let Some(inner) = hostname.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        if let Ok(a) = inner.parse::<Ipv6Addr>() {
            return (HostType::Ipv6, Some(IpAddr::V6(a)));
        }
    }
    match hostname.parse::<Ipv4Addr>() {
        Ok(a) => (HostType::Ipv4, Some(IpAddr::V4(a))),
        Err(_) => (HostType::Domain, None),
    }
}

/// A callback URL that passed the checks, with what they were made on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(
    all(target_arch = "wasm32", feature = "js-client"),
    derive(tsify::Tsify)
)]
pub struct CheckedCallbackUrl {
    /// The URL as the WHATWG parser serialises it.
    pub href: String,
    /// The host the checks were made on, as the WHATWG parser serialises it (the `hostname` of
    /// `new URL(url)`): a domain, dotted-decimal IPv4, or `[IPv6]`.
    pub host: String,
    /// What the host is.
    pub host_type: HostType,
    /// The port, when not 443 (or 80 for http).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(all(target_arch = "wasm32", feature = "js-client"), tsify(optional))]
    pub port: Option<u16>,
    /// Admitted as an http loopback URL for local runs (`allowHttpLoopback`).
    pub http_loopback: bool,
    /// Whether the addresses below are what the name resolved to.
    pub resolved: bool,
    /// The addresses checked: the literal one, or those the name resolved to (empty for a name
    /// not resolved).
    pub addresses: Vec<String>,
}

impl CheckedCallbackUrl {
    /// Whether the host is a name whose addresses still need checking: a domain, outside the
    /// http loopback exemption, not resolved yet.
    pub fn needs_resolution(&self) -> bool {
        self.host_type == HostType::Domain && !self.http_loopback && !self.resolved
    }
}

fn is_localhost_name(host: &str) -> bool {
    let h = host.strip_suffix('.').unwrap_or(host);
    h == "localhost" || h.ends_with(".localhost")
}

/// The SDK's spelling rules, stricter than WHATWG, which strips or rewrites what they refuse:
/// the string registered must mean one thing to every parser on the way. `None` when `url` is
/// written plainly as `scheme://host...` with no white space, control characters, backslashes
/// or empty user information (`https://@host`, which WHATWG drops), and fits 2048 bytes.
fn loose_spelling(url: &str, scheme: &str) -> Option<String> {
    if url.len() > MAX_URL_LEN || url.bytes().any(|b| b <= b' ' || b == b'\\' || b == 0x7f) {
        return Some(
            "white space, control characters or backslashes, or longer than 2048".to_owned(),
        );
    }
    let prefix_len = scheme.len() + 3;
    let spelled_out = url
        .get(..prefix_len)
        .is_some_and(|p| p.eq_ignore_ascii_case(&format!("{scheme}://")));
    if !spelled_out {
        return Some(format!("write the URL as {scheme}://host/..."));
    }
    let rest = &url[prefix_len..];
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    authority
        .contains('@')
        .then(|| "an empty user information (@) before the host: write the URL without it".into())
}

/// Checks a callback URL. `allow_http_loopback` admits `http://` to a loopback address or a
/// `localhost` name (for local runs against the simulator) and nothing else that would
/// otherwise be refused.
///
/// # Errors
/// [`WebhookError::InvalidCallbackUrl`] naming the rule broken (and the host, once parsed).
pub fn validate_callback_url(
    url: &str,
    allow_http_loopback: bool,
) -> Result<CheckedCallbackUrl, WebhookError> {
    // A cheap bound first: a string over the cap is never parsed (the parse allocates as it
    // goes); its refusal names no host. The spelling rules below keep the same cap.
    if url.len() > MAX_URL_LEN {
        return Err(refuse(
            Rule::InvalidUrl,
            format!("longer than {MAX_URL_LEN} bytes"),
            None,
        ));
    }
    let parsed = parse_whatwg(url).ok_or_else(|| {
        refuse(
            Rule::InvalidUrl,
            "not a URL a WHATWG URL parser accepts (as fetch and servers parse it)",
            None,
        )
    })?;
    // From here on every refusal names the host the parser found (empty for a URL without
    // one, as `new URL(url).hostname` is), so the error tells what the URL means to `fetch`.
    // The scheme, credential and address rules are decided on the parsed values first; the
    // SDK's own spelling rules (stricter than WHATWG) come after them.
    let host = parsed.hostname.as_str();
    let https = match parsed.scheme.as_str() {
        "https" => true,
        "http" => false,
        _ => {
            return Err(refuse(
                Rule::NotHttps,
                "the URL must start with https://",
                Some(host),
            ))
        }
    };
    if host.is_empty() {
        return Err(refuse(Rule::InvalidUrl, "no host", Some(host)));
    }
    let (host_type, ip) = classify_host(host);
    let localhost = host_type == HostType::Domain && is_localhost_name(host);
    let http_loopback = !https && allow_http_loopback && (localhost || ip.is_some_and(is_loopback));
    if !https && !http_loopback {
        return Err(refuse(Rule::NotHttps, "the URL must use https", Some(host)));
    }
    if !parsed.username.is_empty() || !parsed.password.is_empty() {
        return Err(refuse(
            Rule::CredentialsInUrl,
            "user information (user:password@) is not allowed",
            Some(host),
        ));
    }
    if !http_loopback {
        if let Some(a) = ip {
            if let Some(b) = special_purpose_block(a) {
                return Err(refuse(
                    Rule::SpecialPurposeAddress,
                    format!(
                        "{host} is in the IANA special-purpose block {} ({})",
                        b.block, b.name
                    ),
                    Some(host),
                ));
            }
        } else if localhost {
            return Err(refuse(
                Rule::LocalHostname,
                "localhost names resolve to loopback",
                Some(host),
            ));
        }
    }
    if let Some(reason) = loose_spelling(url, &parsed.scheme) {
        return Err(refuse(Rule::InvalidUrl, reason, Some(host)));
    }
    if secret_segments(&parsed.pathname).next().is_none() {
        return Err(refuse(
            Rule::NoSecretSegment,
            "the path needs a secret segment of at least 128 bits (e.g. generateWebhookSecret())",
            Some(host),
        ));
    }
    Ok(CheckedCallbackUrl {
        host: host.to_owned(),
        host_type,
        port: parsed.port,
        http_loopback,
        resolved: false,
        addresses: ip.map(|a| a.to_string()).into_iter().collect(),
        href: parsed.href,
    })
}

/// Reads one address a resolver returned: IPv4 or IPv6 text, an IPv6 zone (`%eth0`) ignored.
pub fn parse_resolved_address(s: &str) -> Option<IpAddr> {
    let s = s.split_once('%').map_or(s, |(a, _)| a);
    s.parse().ok()
}

/// Decides a checked URL by the addresses its name resolved to: every one must be outside the
/// special-purpose blocks, and there must be at least one. A URL that needs no resolution
/// (an IP literal, the http loopback exemption) is returned as it is.
///
/// # Errors
/// `SPECIAL_PURPOSE_ADDRESS` naming the first refused address, `UNRESOLVABLE_HOST` for none.
pub fn check_resolved(
    mut checked: CheckedCallbackUrl,
    addresses: &[IpAddr],
) -> Result<CheckedCallbackUrl, WebhookError> {
    if !checked.needs_resolution() {
        return Ok(checked);
    }
    let host = checked.host.as_str();
    if addresses.is_empty() {
        return Err(unresolvable(&checked, "the name resolved to no address"));
    }
    for &a in addresses {
        if let Some(b) = special_purpose_block(a) {
            return Err(refuse(
                Rule::SpecialPurposeAddress,
                format!(
                    "{host} resolves to {a}, in the IANA special-purpose block {} ({})",
                    b.block, b.name
                ),
                Some(host),
            ));
        }
    }
    checked.resolved = true;
    checked.addresses = addresses.iter().map(ToString::to_string).collect();
    Ok(checked)
}

/// The error for a name whose lookup failed; `detail` is the resolver's own word (e.g.
/// `ENOTFOUND`).
pub fn unresolvable(checked: &CheckedCallbackUrl, detail: &str) -> WebhookError {
    refuse(
        Rule::UnresolvableHost,
        format!("{} did not resolve: {detail}", checked.host),
        Some(&checked.host),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: &str = "F40mfum7pZC8DtdgGOYSijx26blP0HLs";

    fn rule(url: &str) -> &'static str {
        match validate_callback_url(url, false) {
            Ok(_) => "OK",
            Err(e) => e.code(),
        }
    }

    fn host_of(url: &str) -> Option<String> {
        match validate_callback_url(url, false) {
            Ok(c) => Some(c.host),
            Err(WebhookError::InvalidCallbackUrl { host, .. }) => host,
            Err(_) => None,
        }
    }

    #[test]
    fn a_url_over_the_cap_is_refused_before_it_is_parsed() {
        let at_cap = format!("https://crm.example.com/{S}/");
        let at_cap = format!("{at_cap}{}", "a".repeat(MAX_URL_LEN - at_cap.len()));
        assert_eq!(rule(&at_cap), "OK");
        // Over the cap, even a URL another rule would refuse after parsing (a loopback
        // address) is refused for its length, without a parse: no host is named.
        for url in [
            format!("{at_cap}a"),
            format!("https://127.0.0.1/{S}/{}", "a".repeat(100_000)),
        ] {
            let e = validate_callback_url(&url, false).unwrap_err();
            assert_eq!(e.code(), "INVALID_URL");
            assert!(e.to_string().contains("longer than 2048 bytes"), "{e}");
            assert_eq!(host_of(&url), None);
        }
    }

    #[test]
    fn rules() {
        assert_eq!(
            rule(&format!("https://crm.example.com/callbacks/flexperto/{S}")),
            "OK"
        );
        assert_eq!(rule(&format!("https://8.8.8.8/cb/{S}?x=1")), "OK");
        assert_eq!(rule(&format!("HTTPS://Crm.Example.COM/cb/{S}")), "OK");
        assert_eq!(rule(&format!("http://crm.example.com/cb/{S}")), "NOT_HTTPS");
        assert_eq!(rule(&format!("ftp://crm.example.com/cb/{S}")), "NOT_HTTPS");
        assert_eq!(
            rule(&format!("https:crm.example.com/cb/{S}")),
            "INVALID_URL"
        );
        assert_eq!(
            rule(&format!("https:/crm.example.com/cb/{S}")),
            "INVALID_URL"
        );
        assert_eq!(
            rule(&format!("https://u:p@crm.example.com/cb/{S}")),
            "CREDENTIALS_IN_URL"
        );
        assert_eq!(
            rule(&format!("https://u@crm.example.com/cb/{S}")),
            "CREDENTIALS_IN_URL"
        );
        // WHATWG drops an empty user information: no credentials, but not written plainly.
        assert_eq!(
            rule(&format!("https://@crm.example.com/cb/{S}")),
            "INVALID_URL"
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
        // The secret is read from the path the parser resolves, dot segments removed.
        assert_eq!(
            rule(&format!("https://crm.example.com/{S}/..")),
            "NO_SECRET_SEGMENT"
        );
        assert_eq!(rule(&format!("https://localhost/cb/{S}")), "LOCAL_HOSTNAME");
        assert_eq!(
            rule(&format!("https://a.LOCALHOST./cb/{S}")),
            "LOCAL_HOSTNAME"
        );
        assert_eq!(
            rule(&format!("https://ｌｏｃａｌｈｏｓｔ/cb/{S}")),
            "LOCAL_HOSTNAME"
        );
        for host in [
            "127.0.0.1",
            "2130706433",
            "0x7f.1",
            "0177.0.0.1",
            "127.1",
            "%31%32%37.0.0.1",
            "１２７.０.０.１",
            "127。0。0。1",
            "10.0.0.1",
            "169.254.169.254",
            "[::1]",
            "[::ffff:127.0.0.1]",
            "[::ffff:a00:1]",
            "[::ffff:8.8.8.8]",
            "[::127.0.0.1]",
            "[fe80::1]",
            "[64:ff9b::a9fe:a9fe]",
            "[100:0:0:1::1]",
            "[3fff::1]",
            "[5f00::1]",
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
        // What a WHATWG parser refuses is refused.
        for host in [
            "1.2.3.256",
            "%5B::1%5D",
            "[::1",
            "[fe80::1%25eth0]",
            "0x100000000",
            "1.2.3.4.5",
        ] {
            assert_eq!(
                rule(&format!("https://{host}/cb/{S}")),
                "INVALID_URL",
                "{host}"
            );
        }
        assert_eq!(
            rule(&format!("https://example.com:99999/cb/{S}")),
            "INVALID_URL"
        );
        assert_eq!(rule(&format!("https://example.com:65535/cb/{S}")), "OK");
        assert!(validate_callback_url(&format!("http://127.0.0.1:9/cb/{S}"), true).is_ok());
        assert!(validate_callback_url(&format!("http://localhost:9/cb/{S}"), true).is_ok());
        assert!(validate_callback_url(&format!("http://[::1]:9/cb/{S}"), true).is_ok());
        assert_eq!(
            validate_callback_url(&format!("http://u:p@127.0.0.1:9/cb/{S}"), true)
                .map_err(|e| e.code()),
            Err("CREDENTIALS_IN_URL")
        );
        assert!(validate_callback_url(&format!("http://10.0.0.1/cb/{S}"), true).is_err());
        assert!(validate_callback_url(&format!("http://example.com/cb/{S}"), true).is_err());
        assert_eq!(
            validate_callback_url(&format!("https://127.0.0.1/cb/{S}"), true).map_err(|e| e.code()),
            Err("SPECIAL_PURPOSE_ADDRESS")
        );
    }

    #[test]
    fn the_host_is_the_parsers() {
        for (url_host, host) in [
            ("２１３０７０６４３３", "127.0.0.1"),
            ("0x7f.1", "127.0.0.1"),
            ("%31%32%37.1", "127.0.0.1"),
            ("[0:0::FFFF:7f00:1]", "[::ffff:7f00:1]"),
            ("Crm.Example.COM", "crm.example.com"),
            ("bücher.example", "xn--bcher-kva.example"),
        ] {
            assert_eq!(
                host_of(&format!("https://{url_host}/cb/{S}")).as_deref(),
                Some(host),
                "{url_host}"
            );
        }
        // Arabic-Indic digits do not fold to ASCII: a label of them breaks the bidi rule the
        // WHATWG host parser checks, so the url crate refuses the host (Node's parser, which
        // the wasm build uses, makes it xn--9hbcp.xn--8hb.xn--8hb.xn--9hb); neither is an IPv4.
        assert_eq!(rule(&format!("https://١٢٧.٠.٠.١/cb/{S}")), "INVALID_URL");
        let c = validate_callback_url(&format!("https://[::FFFF:8.8.8.8]:443/cb/{S}"), false);
        assert!(c.is_err());
        let c = validate_callback_url(&format!("https://0x08080808:8443/cb/{S}"), false).unwrap();
        assert_eq!(
            (c.host.as_str(), c.host_type, c.port, c.addresses.as_slice()),
            (
                "8.8.8.8",
                HostType::Ipv4,
                Some(8443),
                &["8.8.8.8".to_owned()][..]
            )
        );
        assert!(!c.needs_resolution());
        assert_eq!(c.href, format!("https://8.8.8.8:8443/cb/{S}"));
    }

    /// Every refusal of a URL the parser accepts names the host it found, the rule that
    /// refused it being the SDK's own (white space, another scheme, a missing `//`); only a URL
    /// the parser refuses has no host.
    #[test]
    fn refusals_after_parsing_name_the_parsers_host() {
        for (url, code, host) in [
            ("https://example\t.\norg/cb/S", "INVALID_URL", "example.org"),
            // The parsed values are decided on first: the scheme, the credentials, the address.
            ("http://example\t.\norg/cb/S", "NOT_HTTPS", "example.org"),
            (
                "http://u:p@www.example.com/cb/S",
                "NOT_HTTPS",
                "www.example.com",
            ),
            (
                "http://@www.example.com/cb/S",
                "NOT_HTTPS",
                "www.example.com",
            ),
            (
                "https:a:b@www.example.com",
                "CREDENTIALS_IN_URL",
                "www.example.com",
            ),
            ("https://a:b@c\\", "CREDENTIALS_IN_URL", "c"),
            (
                "https://127.0.0.1\t/cb/S",
                "SPECIAL_PURPOSE_ADDRESS",
                "127.0.0.1",
            ),
            ("https:0x7f.1/cb/S", "SPECIAL_PURPOSE_ADDRESS", "127.0.0.1"),
            ("https:\\\\localhost/cb", "LOCAL_HOSTNAME", "localhost"),
            (" https://0x8.8.8.8/cb/S", "INVALID_URL", "8.8.8.8"),
            (
                "https://crm.example.com\\cb",
                "INVALID_URL",
                "crm.example.com",
            ),
            (
                "https:\\\\crm.example.com/cb",
                "INVALID_URL",
                "crm.example.com",
            ),
            ("https:crm.example.com/cb", "INVALID_URL", "crm.example.com"),
            ("ftp://crm.example.com/cb", "NOT_HTTPS", "crm.example.com"),
            ("wss://0x7f.1/cb", "NOT_HTTPS", "127.0.0.1"),
            ("non-special://test:@test/x", "NOT_HTTPS", "test"),
            ("foo:/bar.com/", "NOT_HTTPS", ""),
            ("mailto:a@b.example", "NOT_HTTPS", ""),
            ("file:///etc/passwd", "NOT_HTTPS", ""),
        ] {
            let got = validate_callback_url(url, false).map_err(|e| (e.code(), e));
            match got {
                Err((c, WebhookError::InvalidCallbackUrl { host: h, .. })) => {
                    assert_eq!((c, h.as_deref()), (code, Some(host)), "{url:?}");
                }
                other => panic!("{url:?}: {other:?}"),
            }
        }
        for url in [
            "https://[::1",
            "http://1.2.3.256/",
            "https://a b.example/",
            "",
        ] {
            assert_eq!((rule(url), host_of(url)), ("INVALID_URL", None), "{url:?}");
        }
    }

    #[test]
    fn resolved_addresses() {
        let checked =
            validate_callback_url(&format!("https://crm.example.com/cb/{S}"), false).unwrap();
        assert!(checked.needs_resolution());
        let ip = |s: &str| parse_resolved_address(s).unwrap();
        let ok = check_resolved(
            checked.clone(),
            &[
                ip("93.184.215.14"),
                ip("2606:2800:21f:cb07:6820:80da:af6b:8b2c"),
            ],
        )
        .unwrap();
        assert!(ok.resolved && !ok.needs_resolution());
        assert_eq!(
            ok.addresses,
            ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"]
        );
        for bad in [
            &["10.0.0.1"][..],
            &["127.0.0.1"],
            &["8.8.8.8", "::1"],
            &["fe80::1%eth0"],
        ] {
            let addrs: Vec<IpAddr> = bad.iter().map(|s| ip(s)).collect();
            let e = check_resolved(checked.clone(), &addrs).unwrap_err();
            assert_eq!(e.code(), "SPECIAL_PURPOSE_ADDRESS", "{bad:?}");
            assert!(e.to_string().contains("crm.example.com resolves to"), "{e}");
        }
        assert_eq!(
            check_resolved(checked.clone(), &[]).unwrap_err().code(),
            "UNRESOLVABLE_HOST"
        );
        assert_eq!(
            unresolvable(&checked, "ENOTFOUND").code(),
            "UNRESOLVABLE_HOST"
        );
        assert!(parse_resolved_address("not an address").is_none());
        // An IP literal or the loopback exemption needs no resolution.
        let lit = validate_callback_url(&format!("https://8.8.8.8/cb/{S}"), false).unwrap();
        assert_eq!(check_resolved(lit.clone(), &[]), Ok(lit));
        let local = validate_callback_url(&format!("http://localhost:8080/cb/{S}"), true).unwrap();
        assert!(local.http_loopback && !local.needs_resolution());
    }

    #[test]
    fn secret_bits_by_alphabet() {
        assert!(secret_bits(S) >= 128.0);
        assert!(secret_bits("2b4e1c9a7f3d5e8b0a6c4f2d1e9b7a3c") >= 128.0);
        assert!(secret_bits("short") < 128.0);
        assert!(secret_bits("a.b") == 0.0);
    }
}
