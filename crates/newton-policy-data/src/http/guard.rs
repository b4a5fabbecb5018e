//! The SSRF guard: which resolved addresses a PolicyData module may reach. Every address a
//! host name resolves to must be public unless the allow list admits the host.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Hosts admitted past the guard, each optionally pinned to a port.
#[derive(Clone, Debug, Default)]
pub struct AllowList(Vec<(String, Option<u16>)>);

impl AllowList {
    /// Parses entries like `127.0.0.1`, `localhost`, `127.0.0.1:8787`, `::1`, `[::1]:8080`.
    pub fn parse(entries: &[String]) -> Result<Self, String> {
        entries.iter().map(|e| parse_entry(e)).collect::<Result<_, _>>().map(Self)
    }

    /// Whether `host` (as written in the URL) on `port` is admitted.
    pub fn admits(&self, host: &str, port: u16) -> bool {
        let host = normalize_host(host);
        self.0.iter().any(|(h, p)| *h == host && p.is_none_or(|p| p == port))
    }
}

fn normalize_host(host: &str) -> String {
    host.trim_start_matches('[').trim_end_matches(']').trim_end_matches('.').to_ascii_lowercase()
}

fn parse_entry(entry: &str) -> Result<(String, Option<u16>), String> {
    let bad = || format!("allow-host entry `{entry}` is not HOST or HOST:PORT");
    let entry = entry.trim();
    if entry.is_empty() || entry.contains('/') {
        return Err(bad());
    }
    if entry.parse::<Ipv6Addr>().is_ok() {
        return Ok((normalize_host(entry), None));
    }
    let (host, port) = match entry.rsplit_once(':') {
        Some((h, p)) if !h.is_empty() && (!h.contains(':') || h.starts_with('[')) => {
            (h, Some(p.parse::<u16>().map_err(|_| bad())?))
        }
        Some(_) => return Err(bad()),
        None => (entry, None),
    };
    let host = normalize_host(host);
    if host.is_empty() {
        return Err(bad());
    }
    Ok((host, port))
}

/// Why `ip` is not a public unicast address, or `None` when it is.
pub fn forbidden_reason(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => v4_reason(v4),
        IpAddr::V6(v6) => v6_reason(v6),
    }
}

fn v4_reason(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, _] = ip.octets();
    Some(match (a, b, c) {
        (0, _, _) => "unspecified (0.0.0.0/8)",
        (127, _, _) => "loopback",
        (10, _, _) => "private (10.0.0.0/8)",
        (172, 16..=31, _) => "private (172.16.0.0/12)",
        (192, 168, _) => "private (192.168.0.0/16)",
        (169, 254, _) => "link-local (169.254.0.0/16)",
        (100, 64..=127, _) => "carrier-grade NAT (100.64.0.0/10)",
        (192, 0, 0) => "IETF protocol assignments (192.0.0.0/24)",
        (192, 0, 2) | (198, 51, 100) | (203, 0, 113) => "documentation range",
        (198, 18..=19, _) => "benchmarking (198.18.0.0/15)",
        (224..=239, _, _) => "multicast",
        (240..=255, _, _) => "reserved/broadcast (240.0.0.0/4)",
        _ => return None,
    })
}

fn v6_reason(ip: Ipv6Addr) -> Option<&'static str> {
    let s = ip.segments();
    let embedded_v4 = |hi: u16, lo: u16| Ipv4Addr::new((hi >> 8) as u8, hi as u8, (lo >> 8) as u8, lo as u8);
    if ip.is_unspecified() {
        return Some("unspecified (::)");
    }
    if ip.is_loopback() {
        return Some("loopback (::1)");
    }
    // IPv4-mapped ::ffff:a.b.c.d, IPv4-compatible ::a.b.c.d and NAT64 64:ff9b::a.b.c.d carry an
    // IPv4 address that is what is really reached: judge that one.
    let mapped = s[..5] == [0; 5] && (s[5] == 0xffff || s[5] == 0);
    let nat64 = s[..6] == [0x64, 0xff9b, 0, 0, 0, 0];
    if mapped || nat64 {
        return v4_reason(embedded_v4(s[6], s[7]));
    }
    if s[0] == 0x2002 {
        return v4_reason(embedded_v4(s[1], s[2])); // 6to4
    }
    Some(match s[0] {
        0x2001 if s[1] == 0 => "Teredo (2001::/32)",
        0x2001 if s[1] == 0x0db8 => "documentation (2001:db8::/32)",
        0x0100 if s[1..4] == [0, 0, 0] => "discard (100::/64)",
        x if x & 0xffc0 == 0xfe80 => "link-local (fe80::/10)",
        x if x & 0xffc0 == 0xfec0 => "site-local (fec0::/10)",
        x if x & 0xfe00 == 0xfc00 => "unique-local (fc00::/7)",
        x if x & 0xff00 == 0xff00 => "multicast (ff00::/8)",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(ip: &str) -> Option<&'static str> {
        forbidden_reason(ip.parse().expect("ip"))
    }

    #[test]
    fn refuses_non_public_v4() {
        for ip in [
            "127.0.0.1", "127.8.9.10", "10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1",
            "169.254.169.254", "100.64.0.1", "100.127.255.255", "0.0.0.0", "255.255.255.255",
            "224.0.0.1", "198.18.0.1",
        ] {
            assert!(reason(ip).is_some(), "{ip} must be refused");
        }
        for ip in ["1.1.1.1", "8.8.8.8", "172.32.0.1", "100.128.0.1", "93.184.216.34"] {
            assert_eq!(reason(ip), None, "{ip} is public");
        }
    }

    #[test]
    fn refuses_non_public_v6_and_embedded_v4() {
        for ip in [
            "::", "::1", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1", "::ffff:127.0.0.1",
            "::ffff:169.254.169.254", "::ffff:10.0.0.1", "::127.0.0.1", "64:ff9b::10.0.0.1",
            "2002:7f00:1::", "2001::1", "2001:db8::1", "fec0::1",
        ] {
            assert!(reason(ip).is_some(), "{ip} must be refused");
        }
        for ip in ["2606:4700:4700::1111", "::ffff:8.8.8.8", "2002:0808:0808::1"] {
            assert_eq!(reason(ip), None, "{ip} is public");
        }
    }

    #[test]
    fn allow_list_matches_host_and_optional_port() {
        let list = AllowList::parse(&[
            "127.0.0.1:8787".into(), "LocalHost".into(), "::1".into(), "[fe80::1]:80".into(),
        ])
        .expect("parse");
        assert!(list.admits("127.0.0.1", 8787));
        assert!(!list.admits("127.0.0.1", 80));
        assert!(list.admits("localhost", 1));
        assert!(list.admits("[::1]", 443));
        assert!(list.admits("[fe80::1]", 80));
        assert!(!list.admits("10.0.0.1", 80));
        assert!(AllowList::parse(&["http://x".into()]).is_err());
        assert!(AllowList::parse(&["x:notaport".into()]).is_err());
    }
}
