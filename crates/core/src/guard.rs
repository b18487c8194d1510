//! The SSRF guard: a page can link anywhere, but a checker must not be turned against the
//! network it runs in. Loopback, private, link-local, CGNAT, unspecified and cloud-metadata
//! addresses are refused unless the operator allows private targets. Workers ask it of every
//! address they connect to; loading a registry asks it of every address the registry itself
//! names, so a target the round would refuse is an error before the round starts.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Why an address is refused, or `None` when it is public.
pub fn refusal(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => v4_refusal(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return v4_refusal(v4);
            }
            v6_refusal(v6)
        }
    }
}

fn v4_refusal(ip: Ipv4Addr) -> Option<&'static str> {
    let o = ip.octets();
    if ip == Ipv4Addr::new(169, 254, 169, 254) || ip == Ipv4Addr::new(100, 100, 100, 200) {
        Some("a cloud metadata address")
    } else if ip.is_loopback() {
        Some("a loopback address")
    } else if ip.is_private() {
        Some("a private address")
    } else if ip.is_link_local() {
        Some("a link-local address")
    } else if o[0] == 100 && (64..128).contains(&o[1]) {
        Some("a carrier-grade NAT address")
    } else if ip.is_unspecified() || ip.is_broadcast() || o[0] == 0 {
        Some("an unroutable address")
    } else {
        None
    }
}

fn v6_refusal(ip: Ipv6Addr) -> Option<&'static str> {
    let s = ip.segments();
    // NAT64 (64:ff9b::/96) reaches the IPv4 address in its last 32 bits: judge that one.
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        let [.., a, b, c, d] = ip.octets();
        return v4_refusal(Ipv4Addr::new(a, b, c, d));
    }
    if ip.is_loopback() {
        Some("a loopback address")
    } else if ip.is_unspecified() {
        Some("an unroutable address")
    } else if s[0] & 0xfe00 == 0xfc00 {
        Some("a private address")
    } else if s[0] & 0xffc0 == 0xfe80 {
        Some("a link-local address")
    } else if s[0] & 0xffc0 == 0xfec0 {
        // Site-local, deprecated but still routed inside some networks.
        Some("a private address")
    } else if s[0] & 0xff00 == 0xff00 {
        Some("a multicast address")
    } else if ip == Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254) {
        Some("a cloud metadata address")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_internal_ranges() {
        for a in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "169.254.1.1",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fc00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "fd12:3456::1",
            "fec0::1",
            "ff02::1",
            "64:ff9b::a00:1",
            "64:ff9b::7f00:1",
        ] {
            assert!(refusal(a.parse().unwrap()).is_some(), "{a} allowed");
        }
        for a in [
            "61.131.1.1",
            "114.114.114.114",
            "2400:3200::1",
            "64:ff9b::3d83:101",
        ] {
            assert!(refusal(a.parse().unwrap()).is_none(), "{a} refused");
        }
    }
}
