//! IP addresses for the source check: CIDR allowlists, and IPv4-mapped IPv6 as IPv4.

use std::net::IpAddr;

/// An address block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    addr: IpAddr,
    prefix: u8,
}

impl Cidr {
    /// Parses `a.b.c.d/n`, `x::y/n` or a single address (a full-length prefix).
    pub fn parse(s: &str) -> Option<Self> {
        let (a, p) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr: IpAddr = a.trim().parse().ok()?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match p {
            None => max,
            Some(p) if !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()) => {
                p.parse().ok()?
            }
            Some(_) => return None,
        };
        (prefix <= max).then_some(Self {
            addr: canonical(addr),
            prefix,
        })
    }

    /// Whether `ip` (IPv4-mapped IPv6 counts as IPv4) is inside the block.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, canonical(ip)) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => mask_eq(&net.octets(), &ip.octets(), self.prefix),
            (IpAddr::V6(net), IpAddr::V6(ip)) => mask_eq(&net.octets(), &ip.octets(), self.prefix),
            _ => false,
        }
    }
}

fn mask_eq(a: &[u8], b: &[u8], prefix: u8) -> bool {
    let full = usize::from(prefix / 8);
    let rest = prefix % 8;
    if a[..full] != b[..full] {
        return false;
    }
    rest == 0 || (a[full] ^ b[full]) & (0xffu8 << (8 - rest)) == 0
}

/// IPv4-mapped IPv6 (`::ffff:a.b.c.d`) as the IPv4 address it carries.
pub fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(v6),
        },
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v4(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn cidr_allowlists() {
        let c = Cidr::parse("203.0.113.0/24").unwrap();
        assert!(c.contains(v4("203.0.113.77")) && c.contains(v4("::ffff:203.0.113.77")));
        assert!(!c.contains(v4("203.0.114.1")));
        let c6 = Cidr::parse("2001:db8:abcd::/48").unwrap();
        assert!(c6.contains(v4("2001:db8:abcd:1::5")) && !c6.contains(v4("2001:db8:abce::1")));
        assert!(Cidr::parse("1.2.3.4").unwrap().contains(v4("1.2.3.4")));
        for bad in ["1.2.3.4/33", "x/8", "1.2.3.4/", "::1/129", "1.2.3.4/-1"] {
            assert!(Cidr::parse(bad).is_none(), "{bad}");
        }
    }
}
