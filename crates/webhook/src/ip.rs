//! IP address blocks: [`Block`] (one family, no mapping: the special-purpose registries) and
//! [`Cidr`] (the source allowlist, where an IPv4-mapped IPv6 peer counts as its IPv4 address).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// An address block of one family (`a.b.c.d/n` or `x::y/n`). An IPv4 address is never inside
/// an IPv6 block nor the other way round: `::ffff:10.0.0.1` is an IPv6 address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Block {
    addr: IpAddr,
    prefix: u8,
}

impl Block {
    /// The IPv4 block `a.b.c.d/prefix` (`prefix` at most 32).
    pub const fn v4(octets: [u8; 4], prefix: u8) -> Self {
        let [a, b, c, d] = octets;
        Self {
            addr: IpAddr::V4(Ipv4Addr::new(a, b, c, d)),
            prefix,
        }
    }

    /// The IPv6 block of `segments` and `prefix` (at most 128).
    pub const fn v6(segments: [u16; 8], prefix: u8) -> Self {
        let [a, b, c, d, e, f, g, h] = segments;
        Self {
            addr: IpAddr::V6(Ipv6Addr::new(a, b, c, d, e, f, g, h)),
            prefix,
        }
    }

    /// Parses `a.b.c.d/n`, `x::y/n` or a single address (a full-length prefix).
    pub fn parse(s: &str) -> Option<Self> {
        let (a, p) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr: IpAddr = a.trim().parse().ok()?;
        let max = max_prefix(addr);
        let prefix = match p {
            None => max,
            Some(p) if !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()) => {
                p.parse().ok()?
            }
            Some(_) => return None,
        };
        (prefix <= max).then_some(Self { addr, prefix })
    }

    /// The block's first address (its network address).
    pub fn first(&self) -> IpAddr {
        match self.addr {
            IpAddr::V4(a) => IpAddr::V4(Ipv4Addr::from(u32::from(a) & mask32(self.prefix))),
            IpAddr::V6(a) => IpAddr::V6(Ipv6Addr::from(u128::from(a) & mask128(self.prefix))),
        }
    }

    /// The block's last address.
    pub fn last(&self) -> IpAddr {
        match self.addr {
            IpAddr::V4(a) => IpAddr::V4(Ipv4Addr::from(u32::from(a) | !mask32(self.prefix))),
            IpAddr::V6(a) => IpAddr::V6(Ipv6Addr::from(u128::from(a) | !mask128(self.prefix))),
        }
    }

    /// The prefix length.
    pub fn prefix(&self) -> u8 {
        self.prefix
    }

    /// Whether `ip`, of the block's family, is inside it.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let m = mask32(self.prefix);
                u32::from(net) & m == u32::from(ip) & m
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let m = mask128(self.prefix);
                u128::from(net) & m == u128::from(ip) & m
            }
            _ => false,
        }
    }
}

impl std::fmt::Display for Block {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.first(), self.prefix)
    }
}

fn max_prefix(ip: IpAddr) -> u8 {
    if ip.is_ipv4() {
        32
    } else {
        128
    }
}

fn mask32(prefix: u8) -> u32 {
    u32::MAX
        .checked_shl(32 - u32::from(prefix.min(32)))
        .unwrap_or(0)
}

fn mask128(prefix: u8) -> u128 {
    u128::MAX
        .checked_shl(128 - u32::from(prefix.min(128)))
        .unwrap_or(0)
}

/// An allowlist block. A peer given as IPv4-mapped IPv6 (`::ffff:a.b.c.d`, as dual-stack
/// sockets report IPv4 peers) is matched as the IPv4 address it carries, and a block written in
/// the mapped form with a prefix of at least 96 is the IPv4 block it denotes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr(Block);

impl Cidr {
    /// Parses `a.b.c.d/n`, `x::y/n` or a single address (a full-length prefix).
    pub fn parse(s: &str) -> Option<Self> {
        let b = Block::parse(s)?;
        Some(Self(match b.addr {
            IpAddr::V6(a) if b.prefix >= 96 => match a.to_ipv4_mapped() {
                Some(v4) => Block {
                    addr: IpAddr::V4(v4),
                    prefix: b.prefix - 96,
                },
                None => b,
            },
            _ => b,
        }))
    }

    /// Whether `ip` (IPv4-mapped IPv6 counts as IPv4) is inside the block.
    pub fn contains(&self, ip: IpAddr) -> bool {
        self.0.contains(canonical(ip))
    }
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

    #[test]
    fn mapped_allowlist_blocks_are_ipv4_blocks() {
        // Once a panic: the mapped block became IPv4 but kept its IPv6 prefix length.
        let c = Cidr::parse("::ffff:203.0.113.0/120").unwrap();
        assert!(c.contains(v4("203.0.113.9")) && c.contains(v4("::ffff:203.0.113.9")));
        assert!(!c.contains(v4("203.0.114.9")));
        assert_eq!(c, Cidr::parse("203.0.113.0/24").unwrap());
        let all = Cidr::parse("::ffff:0:0/96").unwrap();
        assert!(all.contains(v4("8.8.8.8")) && !all.contains(v4("2001:db8::1")));
        // A wider IPv6 block stays IPv6: it does not take IPv4 peers in.
        let wide = Cidr::parse("::/0").unwrap();
        assert!(wide.contains(v4("2001:db8::1")) && !wide.contains(v4("8.8.8.8")));
        assert!(!wide.contains(v4("::ffff:8.8.8.8")));
    }

    #[test]
    fn blocks_keep_their_family() {
        let b = Block::parse("::ffff:0:0/96").unwrap();
        assert!(b.contains(v4("::ffff:127.0.0.1")) && !b.contains(v4("127.0.0.1")));
        let b = Block::v4([10, 0, 0, 0], 8);
        assert!(b.contains(v4("10.255.0.1")) && !b.contains(v4("::ffff:10.0.0.1")));
        assert_eq!(b.first(), v4("10.0.0.0"));
        assert_eq!(b.last(), v4("10.255.255.255"));
        assert_eq!(b.to_string(), "10.0.0.0/8");
        let b = Block::v6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0], 32);
        assert_eq!(b.last(), v4("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"));
        assert_eq!(Block::v4([0; 4], 0).last(), v4("255.255.255.255"));
        assert_eq!(Block::v6([0; 8], 128).last(), v4("::"));
    }
}
