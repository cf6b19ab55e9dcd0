//! The IANA special-purpose address registries (IPv4 and IPv6), entry by entry, plus multicast
//! and the deprecated IPv4-compatible IPv6 form. Address blocks ([`Block`]) come from
//! `flexperto-webhook`, where the verifier's allowlist ([`Cidr`]) uses them too.
//!
//! An IPv6 address is decided by the IPv6 registry only: `::ffff:8.8.8.8` is inside
//! `::ffff:0:0/96` (IPv4-mapped), so it is special-purpose whatever IPv4 address it carries.
//!
//! **Every address inside any entry is refused, whatever the entry's "Globally Reachable"
//! column says.** The guide's rule is membership: the resolved IP "must not be a IANA IPv4
//! Special-Purpose Address (or IPv6 equivalent) or delivery will fail". So:
//! - `2001::/23` (IETF Protocol Assignments) is refused whole: its sub-entries marked globally
//!   reachable (`2001:1::1/128`..`2001:1::3/128`, `2001:3::/32`, `2001:4:112::/48`,
//!   `2001:20::/28`, `2001:30::/28`) and the addresses no sub-entry names (`2001:1ff::1`) alike;
//!   the registry's footnote "unless allowed by a more specific allocation" is about routing,
//!   and a callback on an anycast service or an ORCHID is no webhook receiver either;
//! - likewise the IPv4 entries marked globally reachable (`192.0.0.9/32`, `192.0.0.10/32`,
//!   AS112, AMT) and `64:ff9b::/96` and `2002::/16` (reachability "N/A");
//! - terminated entries still listed (`192.88.99.0/24`, `2001:10::/28`) are refused too.
//!
//! Checked entry by entry against the registries as IANA publishes them (IPv4: 25 records,
//! `192.0.0.170/32, 192.0.0.171/32` being one record of two blocks; IPv6: 25 records, last
//! change `100:0:0:1::/64`, RFC 9780) on 2026-11-30.

use std::net::IpAddr;

pub use flexperto_webhook::ip::{canonical, Block, Cidr};

/// One registry entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpecialBlock {
    /// The address block.
    pub block: Block,
    /// Its name in the registry.
    pub name: &'static str,
    /// Where it is defined.
    pub source: &'static str,
}

const fn v4(octets: [u8; 4], prefix: u8, name: &'static str, source: &'static str) -> SpecialBlock {
    SpecialBlock {
        block: Block::v4(octets, prefix),
        name,
        source,
    }
}

const fn v6(
    segments: [u16; 8],
    prefix: u8,
    name: &'static str,
    source: &'static str,
) -> SpecialBlock {
    SpecialBlock {
        block: Block::v6(segments, prefix),
        name,
        source,
    }
}

/// The IANA IPv4 Special-Purpose Address Registry, every entry, in the registry's order.
#[rustfmt::skip]
pub const IPV4_REGISTRY: &[SpecialBlock] = &[
    v4([0, 0, 0, 0], 8, "\"This network\"", "RFC 791"),
    v4([0, 0, 0, 0], 32, "\"This host on this network\"", "RFC 1122"),
    v4([10, 0, 0, 0], 8, "Private-Use", "RFC 1918"),
    v4([100, 64, 0, 0], 10, "Shared Address Space", "RFC 6598"),
    v4([127, 0, 0, 0], 8, "Loopback", "RFC 1122"),
    v4([169, 254, 0, 0], 16, "Link Local", "RFC 3927"),
    v4([172, 16, 0, 0], 12, "Private-Use", "RFC 1918"),
    v4([192, 0, 0, 0], 24, "IETF Protocol Assignments", "RFC 6890"),
    v4([192, 0, 0, 0], 29, "IPv4 Service Continuity Prefix", "RFC 7335"),
    v4([192, 0, 0, 8], 32, "IPv4 dummy address", "RFC 7600"),
    v4([192, 0, 0, 9], 32, "Port Control Protocol Anycast", "RFC 7723"),
    v4([192, 0, 0, 10], 32, "Traversal Using Relays around NAT Anycast", "RFC 8155"),
    v4([192, 0, 0, 170], 32, "NAT64/DNS64 Discovery", "RFC 8880"),
    v4([192, 0, 0, 171], 32, "NAT64/DNS64 Discovery", "RFC 8880"),
    v4([192, 0, 2, 0], 24, "Documentation (TEST-NET-1)", "RFC 5737"),
    v4([192, 31, 196, 0], 24, "AS112-v4", "RFC 7535"),
    v4([192, 52, 193, 0], 24, "AMT", "RFC 7450"),
    v4([192, 88, 99, 0], 24, "Deprecated (6to4 Relay Anycast)", "RFC 7526"),
    v4([192, 88, 99, 2], 32, "6a44-relay anycast address", "RFC 6751"),
    v4([192, 168, 0, 0], 16, "Private-Use", "RFC 1918"),
    v4([192, 175, 48, 0], 24, "Direct Delegation AS112 Service", "RFC 7534"),
    v4([198, 18, 0, 0], 15, "Benchmarking", "RFC 2544"),
    v4([198, 51, 100, 0], 24, "Documentation (TEST-NET-2)", "RFC 5737"),
    v4([203, 0, 113, 0], 24, "Documentation (TEST-NET-3)", "RFC 5737"),
    v4([240, 0, 0, 0], 4, "Reserved", "RFC 1112"),
    v4([255, 255, 255, 255], 32, "Limited Broadcast", "RFC 8190"),
];

/// The IANA IPv6 Special-Purpose Address Registry, every entry, in the registry's order.
#[rustfmt::skip]
pub const IPV6_REGISTRY: &[SpecialBlock] = &[
    v6([0, 0, 0, 0, 0, 0, 0, 1], 128, "Loopback Address", "RFC 4291"),
    v6([0, 0, 0, 0, 0, 0, 0, 0], 128, "Unspecified Address", "RFC 4291"),
    v6([0, 0, 0, 0, 0, 0xffff, 0, 0], 96, "IPv4-mapped Address", "RFC 4291"),
    v6([0x64, 0xff9b, 0, 0, 0, 0, 0, 0], 96, "IPv4-IPv6 Translat.", "RFC 6052"),
    v6([0x64, 0xff9b, 1, 0, 0, 0, 0, 0], 48, "IPv4-IPv6 Translat.", "RFC 8215"),
    v6([0x100, 0, 0, 0, 0, 0, 0, 0], 64, "Discard-Only Address Block", "RFC 6666"),
    v6([0x100, 0, 0, 1, 0, 0, 0, 0], 64, "Dummy IPv6 Prefix", "RFC 9780"),
    v6([0x2001, 0, 0, 0, 0, 0, 0, 0], 23, "IETF Protocol Assignments", "RFC 2928"),
    v6([0x2001, 0, 0, 0, 0, 0, 0, 0], 32, "TEREDO", "RFC 4380"),
    v6([0x2001, 1, 0, 0, 0, 0, 0, 1], 128, "Port Control Protocol Anycast", "RFC 7723"),
    v6([0x2001, 1, 0, 0, 0, 0, 0, 2], 128, "Traversal Using Relays around NAT Anycast", "RFC 8155"),
    v6([0x2001, 1, 0, 0, 0, 0, 0, 3], 128, "DNS-SD Service Registration Protocol Anycast", "RFC 9665"),
    v6([0x2001, 2, 0, 0, 0, 0, 0, 0], 48, "Benchmarking", "RFC 5180"),
    v6([0x2001, 3, 0, 0, 0, 0, 0, 0], 32, "AMT", "RFC 7450"),
    v6([0x2001, 4, 0x112, 0, 0, 0, 0, 0], 48, "AS112-v6", "RFC 7535"),
    v6([0x2001, 0x10, 0, 0, 0, 0, 0, 0], 28, "Deprecated (previously ORCHID)", "RFC 4843"),
    v6([0x2001, 0x20, 0, 0, 0, 0, 0, 0], 28, "ORCHIDv2", "RFC 7343"),
    v6([0x2001, 0x30, 0, 0, 0, 0, 0, 0], 28, "Drone Remote ID Protocol Entity Tags (DETs) Prefix", "RFC 9374"),
    v6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0], 32, "Documentation", "RFC 3849"),
    v6([0x2002, 0, 0, 0, 0, 0, 0, 0], 16, "6to4", "RFC 3056"),
    v6([0x2620, 0x4f, 0x8000, 0, 0, 0, 0, 0], 48, "Direct Delegation AS112 Service", "RFC 7534"),
    v6([0x3fff, 0, 0, 0, 0, 0, 0, 0], 20, "Documentation", "RFC 9637"),
    v6([0x5f00, 0, 0, 0, 0, 0, 0, 0], 16, "Segment Routing (SRv6) SIDs", "RFC 9602"),
    v6([0xfc00, 0, 0, 0, 0, 0, 0, 0], 7, "Unique-Local", "RFC 4193"),
    v6([0xfe80, 0, 0, 0, 0, 0, 0, 0], 10, "Link-Local Unicast", "RFC 4291"),
];

/// Refused beside the registries: multicast (never a unicast callback target) and the
/// IPv4-compatible IPv6 form `::a.b.c.d` (deprecated by RFC 4291 section 2.5.5.1, inside the
/// IETF-reserved `::/8`; no public host has one, and old stacks tunnelled it to the IPv4
/// address it carries).
#[rustfmt::skip]
pub const ALSO_REFUSED: &[SpecialBlock] = &[
    v4([224, 0, 0, 0], 4, "Multicast", "RFC 5771"),
    v6([0xff00, 0, 0, 0, 0, 0, 0, 0], 8, "Multicast", "RFC 4291"),
    v6([0, 0, 0, 0, 0, 0, 0, 0], 96, "IPv4-compatible (deprecated)", "RFC 4291"),
];

/// The most specific refused block holding `ip`: an entry of its family's registry or of
/// [`ALSO_REFUSED`]. No mapping between families: an IPv6 address is decided by the IPv6 table.
pub fn special_purpose_block(ip: IpAddr) -> Option<&'static SpecialBlock> {
    let registry = if ip.is_ipv4() {
        IPV4_REGISTRY
    } else {
        IPV6_REGISTRY
    };
    registry
        .iter()
        .chain(ALSO_REFUSED)
        .filter(|e| e.block.contains(ip))
        .max_by_key(|e| e.block.prefix())
}

/// Whether `ip` is in an IANA special-purpose block (IPv4 or IPv6 registry), multicast, or an
/// IPv4-compatible IPv6 address.
pub fn is_special_purpose(ip: IpAddr) -> bool {
    special_purpose_block(ip).is_some()
}

/// Whether `ip` is a loopback address: `127.0.0.0/8`, `::1`, or IPv4-mapped loopback.
pub fn is_loopback(ip: IpAddr) -> bool {
    canonical(ip).is_loopback()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, Ipv6Addr};

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn step(a: IpAddr, up: bool) -> Option<IpAddr> {
        match a {
            IpAddr::V4(a) => {
                let n = u32::from(a);
                let n = if up {
                    n.checked_add(1)
                } else {
                    n.checked_sub(1)
                }?;
                Some(IpAddr::V4(Ipv4Addr::from(n)))
            }
            IpAddr::V6(a) => {
                let n = u128::from(a);
                let n = if up {
                    n.checked_add(1)
                } else {
                    n.checked_sub(1)
                }?;
                Some(IpAddr::V6(Ipv6Addr::from(n)))
            }
        }
    }

    /// Every registry entry, with a probe inside it and the addresses just outside it. Where the
    /// neighbour is itself special-purpose (an enclosing or adjacent block), the table says so.
    #[test]
    fn every_registry_entry_inside_and_just_outside() {
        // (block, a probe inside, the address below the block, the address above it; each
        // neighbour with whether it is special-purpose itself)
        type Neighbour = (&'static str, bool);
        #[rustfmt::skip]
        let table: &[(&str, &str, Neighbour, Neighbour)] = &[
            ("0.0.0.0/8", "0.1.2.3", ("", false), ("1.0.0.0", false)),
            ("0.0.0.0/32", "0.0.0.0", ("", false), ("0.0.0.1", true)),
            ("10.0.0.0/8", "10.20.30.40", ("9.255.255.255", false), ("11.0.0.0", false)),
            ("100.64.0.0/10", "100.100.1.1", ("100.63.255.255", false), ("100.128.0.0", false)),
            ("127.0.0.0/8", "127.0.0.1", ("126.255.255.255", false), ("128.0.0.0", false)),
            ("169.254.0.0/16", "169.254.169.254", ("169.253.255.255", false), ("169.255.0.0", false)),
            ("172.16.0.0/12", "172.31.255.254", ("172.15.255.255", false), ("172.32.0.0", false)),
            ("192.0.0.0/24", "192.0.0.77", ("191.255.255.255", false), ("192.0.1.0", false)),
            ("192.0.0.0/29", "192.0.0.3", ("191.255.255.255", false), ("192.0.0.8", true)),
            ("192.0.0.8/32", "192.0.0.8", ("192.0.0.7", true), ("192.0.0.9", true)),
            ("192.0.0.9/32", "192.0.0.9", ("192.0.0.8", true), ("192.0.0.10", true)),
            ("192.0.0.10/32", "192.0.0.10", ("192.0.0.9", true), ("192.0.0.11", true)),
            ("192.0.0.170/32", "192.0.0.170", ("192.0.0.169", true), ("192.0.0.171", true)),
            ("192.0.0.171/32", "192.0.0.171", ("192.0.0.170", true), ("192.0.0.172", true)),
            ("192.0.2.0/24", "192.0.2.1", ("192.0.1.255", false), ("192.0.3.0", false)),
            ("192.31.196.0/24", "192.31.196.1", ("192.31.195.255", false), ("192.31.197.0", false)),
            ("192.52.193.0/24", "192.52.193.1", ("192.52.192.255", false), ("192.52.194.0", false)),
            ("192.88.99.0/24", "192.88.99.1", ("192.88.98.255", false), ("192.88.100.0", false)),
            ("192.88.99.2/32", "192.88.99.2", ("192.88.99.1", true), ("192.88.99.3", true)),
            ("192.168.0.0/16", "192.168.1.1", ("192.167.255.255", false), ("192.169.0.0", false)),
            ("192.175.48.0/24", "192.175.48.1", ("192.175.47.255", false), ("192.175.49.0", false)),
            ("198.18.0.0/15", "198.19.255.1", ("198.17.255.255", false), ("198.20.0.0", false)),
            ("198.51.100.0/24", "198.51.100.7", ("198.51.99.255", false), ("198.51.101.0", false)),
            ("203.0.113.0/24", "203.0.113.9", ("203.0.112.255", false), ("203.0.114.0", false)),
            // Below 240/4 is multicast (refused beside the registry).
            ("240.0.0.0/4", "250.1.1.1", ("239.255.255.255", true), ("", false)),
            ("255.255.255.255/32", "255.255.255.255", ("255.255.255.254", true), ("", false)),
            ("::1/128", "::1", ("::", true), ("::2", true)),
            ("::/128", "::", ("", false), ("::1", true)),
            ("::ffff:0:0/96", "::ffff:8.8.8.8", ("::fffe:ffff:ffff", false), ("::1:0:0:0", false)),
            ("64:ff9b::/96", "64:ff9b::808:808", ("64:ff9a:ffff:ffff:ffff:ffff:ffff:ffff", false), ("64:ff9b::1:0:0", false)),
            ("64:ff9b:1::/48", "64:ff9b:1:abcd::1", ("64:ff9b:0:ffff:ffff:ffff:ffff:ffff", false), ("64:ff9b:2::", false)),
            ("100::/64", "100::1", ("ff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false), ("100:0:0:1::", true)),
            ("100:0:0:1::/64", "100:0:0:1::1", ("100::ffff:ffff:ffff:ffff", true), ("100:0:0:2::", false)),
            ("2001::/23", "2001:1ff::1", ("2000:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false), ("2001:200::", false)),
            ("2001::/32", "2001::1", ("2000:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false), ("2001:1::", true)),
            ("2001:1::1/128", "2001:1::1", ("2001:1::", true), ("2001:1::2", true)),
            ("2001:1::2/128", "2001:1::2", ("2001:1::1", true), ("2001:1::3", true)),
            ("2001:1::3/128", "2001:1::3", ("2001:1::2", true), ("2001:1::4", true)),
            ("2001:2::/48", "2001:2::1", ("2001:1:ffff:ffff:ffff:ffff:ffff:ffff", true), ("2001:2:1::", true)),
            ("2001:3::/32", "2001:3::1", ("2001:2:ffff:ffff:ffff:ffff:ffff:ffff", true), ("2001:4::", true)),
            ("2001:4:112::/48", "2001:4:112::1", ("2001:4:111:ffff:ffff:ffff:ffff:ffff", true), ("2001:4:113::", true)),
            ("2001:10::/28", "2001:10::1", ("2001:f:ffff:ffff:ffff:ffff:ffff:ffff", true), ("2001:20::", true)),
            ("2001:20::/28", "2001:20::1", ("2001:1f:ffff:ffff:ffff:ffff:ffff:ffff", true), ("2001:30::", true)),
            ("2001:30::/28", "2001:30::1", ("2001:2f:ffff:ffff:ffff:ffff:ffff:ffff", true), ("2001:40::", true)),
            ("2001:db8::/32", "2001:db8::1", ("2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", false), ("2001:db9::", false)),
            ("2002::/16", "2002:c000:0204::1", ("2001:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false), ("2003::", false)),
            ("2620:4f:8000::/48", "2620:4f:8000::53", ("2620:4f:7fff:ffff:ffff:ffff:ffff:ffff", false), ("2620:4f:8001::", false)),
            ("3fff::/20", "3fff:abc::1", ("3ffe:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false), ("3fff:1000::", false)),
            ("5f00::/16", "5f00:1::1", ("5eff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false), ("5f01::", false)),
            ("fc00::/7", "fd12:3456::1", ("fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false), ("fe00::", false)),
            ("fe80::/10", "fe80::1", ("fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false), ("fec0::", false)),
        ];
        let registry: Vec<Block> = IPV4_REGISTRY
            .iter()
            .chain(IPV6_REGISTRY)
            .map(|e| e.block)
            .collect();
        let listed: Vec<Block> = table.iter().map(|r| Block::parse(r.0).unwrap()).collect();
        assert_eq!(
            registry, listed,
            "the table lists every registry entry in order"
        );

        for &(block, inside, (below, below_special), (above, above_special)) in table {
            let b = Block::parse(block).unwrap();
            assert!(b.contains(ip(inside)), "{inside} in {block}");
            assert!(is_special_purpose(ip(inside)), "{inside} ({block})");
            for (edge, probe, special) in [
                (step(b.first(), false), below, below_special),
                (step(b.last(), true), above, above_special),
            ] {
                match edge {
                    None => assert_eq!(probe, "", "{block}: no address on that side"),
                    Some(edge) => {
                        assert_eq!(edge, ip(probe), "{block}: the neighbour");
                        assert!(!b.contains(edge), "{probe} outside {block}");
                        assert_eq!(
                            is_special_purpose(edge),
                            special,
                            "{probe} (next to {block})"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn also_refused_and_public() {
        for s in [
            "224.0.0.1",
            "239.255.255.255",
            "ff02::1",
            "::7f00:1",
            "::a00:1",
            "::8.8.8.8",
        ] {
            assert!(is_special_purpose(ip(s)), "{s}");
        }
        for s in [
            "8.8.8.8",
            "1.1.1.1",
            "172.32.0.1",
            "100.128.0.0",
            "223.255.255.255",
            "2a00:1450:4001::1",
            "2001:4860:4860::8888",
            "2003::1",
            "::1:0:0:1",
            "4000::1",
        ] {
            assert!(!is_special_purpose(ip(s)), "{s}");
        }
    }

    #[test]
    fn ipv6_forms_decided_by_the_ipv6_registry() {
        // IPv4-mapped: refused as IPv4-mapped, even for a public IPv4 address.
        let b = special_purpose_block(ip("::ffff:8.8.8.8")).unwrap();
        assert_eq!(b.name, "IPv4-mapped Address");
        // IPv4-compatible: refused as such, not as the IPv4 address it carries.
        let b = special_purpose_block(ip("::8.8.8.8")).unwrap();
        assert_eq!(b.name, "IPv4-compatible (deprecated)");
        // The most specific entry names the block.
        assert_eq!(
            special_purpose_block(ip("::1")).unwrap().name,
            "Loopback Address"
        );
        assert_eq!(
            special_purpose_block(ip("192.0.0.9")).unwrap().name,
            "Port Control Protocol Anycast"
        );
        assert_eq!(
            special_purpose_block(ip("192.88.99.2")).unwrap().name,
            "6a44-relay anycast address"
        );
        // Entries marked globally reachable are refused as well (the guide's rule is being in
        // the registry), and so is the rest of 2001::/23.
        for s in [
            "2001:1::1",
            "2001:3::1",
            "2001:20::1",
            "2001:1ff::1",
            "192.0.0.9",
            "64:ff9b::808:808",
        ] {
            assert!(is_special_purpose(ip(s)), "{s}");
        }
        assert_eq!(
            special_purpose_block(ip("0.0.0.0")).unwrap().block.prefix(),
            32
        );
        assert!(is_loopback(ip("::ffff:127.0.0.2")) && is_loopback(ip("::1")));
        assert!(!is_loopback(ip("::7f00:1")) && !is_loopback(ip("10.0.0.1")));
    }
}
