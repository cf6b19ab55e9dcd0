//! IP addresses: IANA special-purpose blocks, and the host spellings a WHATWG URL parser turns
//! into an IP address (decimal, hex, octal and short IPv4 forms, percent-encoding, full-width and
//! other compatibility digits, bracketed IPv6 with embedded IPv4). CIDR blocks and the canonical
//! form come from `flexperto-webhook`.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

pub use flexperto_webhook::ip::{canonical, Cidr};

const SPECIAL_V4: &[&str] = &[
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.0.0.0/24",
    "192.0.2.0/24",
    "192.31.196.0/24",
    "192.52.193.0/24",
    "192.88.99.0/24",
    "192.168.0.0/16",
    "192.175.48.0/24",
    "198.18.0.0/15",
    "198.51.100.0/24",
    "203.0.113.0/24",
    "240.0.0.0/4",
    "255.255.255.255/32",
    "224.0.0.0/4",
];
const SPECIAL_V6: &[&str] = &[
    "::/128",
    "::1/128",
    "::ffff:0:0/96",
    "64:ff9b::/96",
    "64:ff9b:1::/48",
    "100::/64",
    "2001::/23",
    "2001:db8::/32",
    "2002::/16",
    "2620:4f:8000::/48",
    "fc00::/7",
    "fe80::/10",
    "ff00::/8",
];

/// Whether `ip` is in an IANA special-purpose block (IPv4 or IPv6 registry, multicast included).
/// IPv4-mapped IPv6 is checked as the IPv4 address it carries.
pub fn is_special_purpose(ip: IpAddr) -> bool {
    let ip = canonical(ip);
    let list = if ip.is_ipv4() { SPECIAL_V4 } else { SPECIAL_V6 };
    list.iter()
        .filter_map(|c| Cidr::parse(c))
        .any(|c| c.contains(ip))
}

fn hex_val(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// Percent-decodes a host as a URL parser does before reading it.
fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hi = hex_val(*b.get(i + 1)?)?;
            let lo = hex_val(*b.get(i + 2)?)?;
            out.push(hi << 4 | lo);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Maps the compatibility characters IDNA folds into ASCII digits, letters and dots
/// (full-width forms, ideographic full stops, circled, super- and subscript and mathematical
/// digits), and lowercases.
fn fold_compat(s: &str) -> String {
    s.chars()
        .map(|c| {
            let u = c as u32;
            let mapped = match u {
                0xFF01..=0xFF5E => char::from_u32(u - 0xFF01 + 0x21),
                0x3002 | 0xFF61 => Some('.'),
                0x2460..=0x2468 => char::from_u32(u - 0x2460 + u32::from(b'1')),
                0x24EA | 0x2070 | 0x2080 => Some('0'),
                0x00B9 => Some('1'),
                0x00B2 => Some('2'),
                0x00B3 => Some('3'),
                0x2074..=0x2079 => char::from_u32(u - 0x2074 + u32::from(b'4')),
                0x2081..=0x2089 => char::from_u32(u - 0x2081 + u32::from(b'1')),
                0x1D7CE..=0x1D7FF => char::from_u32((u - 0x1D7CE) % 10 + u32::from(b'0')),
                _ => Some(c),
            };
            mapped.unwrap_or(c).to_ascii_lowercase()
        })
        .collect()
}

fn parse_ipv4_number(s: &str) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    let (digits, radix) = if let Some(h) = s.strip_prefix("0x") {
        (h, 16)
    } else if s.len() > 1 && s.starts_with('0') {
        (&s[1..], 8)
    } else {
        (s, 10)
    };
    if digits.is_empty() {
        return Some(0);
    }
    if digits.len() > 32 {
        return None;
    }
    u64::from_str_radix(digits, radix).ok()
}

/// Reads a host the way the WHATWG URL host parser does and returns the IP address it denotes,
/// or `None` for a domain name. `Err(())` for a host a URL parser would reject.
#[allow(clippy::result_unit_err)]
pub fn host_ip(host: &str) -> Result<Option<IpAddr>, ()> {
    if let Some(inner) = host.strip_prefix('[') {
        let inner = inner.strip_suffix(']').ok_or(())?;
        return inner
            .parse::<Ipv6Addr>()
            .map(|a| Some(IpAddr::V6(a)))
            .map_err(|_| ());
    }
    let decoded = percent_decode(host).ok_or(())?;
    let h = fold_compat(&decoded);
    let h = h.strip_suffix('.').unwrap_or(&h);
    let parts: Vec<&str> = h.split('.').collect();
    // "Ends in a number": the last label is numeric, so the host must be an IPv4 address.
    let last = parts.last().copied().unwrap_or("");
    let numeric = |p: &str| {
        p.bytes().all(|b| b.is_ascii_digit())
            || p.strip_prefix("0x")
                .is_some_and(|x| x.bytes().all(|b| b.is_ascii_hexdigit()))
    };
    if last.is_empty() || !numeric(last) {
        return Ok(None);
    }
    if parts.len() > 4 {
        return Err(());
    }
    let nums: Vec<u64> = parts
        .iter()
        .map(|p| parse_ipv4_number(p))
        .collect::<Option<_>>()
        .ok_or(())?;
    let (init, tail) = nums.split_at(nums.len() - 1);
    if init.iter().any(|&n| n > 255) {
        return Err(());
    }
    let tail_bits = 8 * (5 - nums.len() as u32);
    if tail[0] >= 1u64 << tail_bits {
        return Err(());
    }
    let mut v = tail[0];
    for (i, n) in init.iter().enumerate() {
        v += n << (8 * (3 - i as u32));
    }
    let v = u32::try_from(v).map_err(|_| ())?;
    Ok(Some(IpAddr::V4(Ipv4Addr::from(v))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v4(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn special_purpose_blocks() {
        for s in [
            "127.0.0.1",
            "10.1.2.3",
            "169.254.169.254",
            "192.168.1.1",
            "100.64.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "0.0.0.0",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
            "2001:db8::1",
            "ff02::1",
        ] {
            assert!(is_special_purpose(v4(s)), "{s}");
        }
        for s in [
            "8.8.8.8",
            "1.1.1.1",
            "2a00:1450:4001::1",
            "::ffff:8.8.8.8",
            "172.32.0.1",
        ] {
            assert!(!is_special_purpose(v4(s)), "{s}");
        }
    }

    #[test]
    fn every_spelling_of_loopback() {
        for h in [
            "127.0.0.1",
            "2130706433",
            "0x7f000001",
            "0x7F.1",
            "0177.0.0.1",
            "127.1",
            "127.0.1",
            "127.0.0.1.",
            "%31%32%37.0.0.1",
            "１２７.０.０.１",
            "127。0。0。1",
            "①②⑦.0.0.1",
            "0x7f.0.0.0x1",
            "[::1]",
            "[0:0:0:0:0:0:0:1]",
            "[::ffff:127.0.0.1]",
            "[::ffff:7f00:1]",
        ] {
            let ip = host_ip(h)
                .unwrap()
                .unwrap_or_else(|| panic!("{h} is an IP"));
            assert!(is_special_purpose(ip), "{h} -> {ip}");
        }
        assert_eq!(host_ip("example.com"), Ok(None));
        assert_eq!(host_ip("127.0.0.1.example.com"), Ok(None));
        assert!(host_ip("1.2.3.256").is_err());
        assert!(host_ip("1.2.3.4.5").is_err());
        assert!(host_ip("[::1").is_err());
        assert_eq!(host_ip("8.8.8.8").unwrap(), Some(v4("8.8.8.8")));
    }
}
