//! Which addresses the hub connects to on anyone's behalf: public unicast only. Push endpoints
//! come from the public and source links from remote feeds, so either could otherwise make the
//! hub a request forwarder into its own network (SSRF): to a router's admin page, a cloud
//! metadata service, a database on localhost.
//!
//! [`is_public`] says whether an address may be reached; [`PublicResolver`] is the HTTP clients'
//! resolver, which refuses a name if ANY of its addresses is not public. As a connection uses
//! exactly the addresses this resolver returned, a name that resolved to a public address when it
//! was checked and to 127.0.0.1 later (DNS rebinding) is refused at connect time.
//!
//! The test-only setting `allow_loopback` (`--push-allow-loopback`, `--fetch-allow-loopback`)
//! additionally accepts loopback addresses, for local test servers.

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// Whether an address is public unicast: not loopback, private (RFC 1918, ULA), link-local,
/// CGNAT, multicast, broadcast, unspecified, documentation, benchmarking or reserved, and not
/// one of the IPv6 forms that carry an IPv4 address to somewhere else (IPv4-mapped and
/// -translated, 6to4, Teredo, NAT64), whatever that address is.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_documentation()
        || a == 0 // "this network"
        || (a == 100 && (64..128).contains(&b)) // CGNAT 100.64.0.0/10
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments 192.0.0.0/24
        || (a == 198 && (b == 18 || b == 19)) // benchmarking 198.18.0.0/15
        || a >= 240) // reserved 240.0.0.0/4
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let s = ip.segments();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (s[0] & 0xfe00) == 0xfc00 // unique local fc00::/7
        || (s[0] & 0xffc0) == 0xfe80 // link-local fe80::/10
        || (s[0] & 0xffc0) == 0xfec0 // site-local fec0::/10 (deprecated)
        || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation 2001:db8::/32
        || (s[0] == 0x3fff && s[1] & 0xf000 == 0) // documentation 3fff::/20 (RFC 9637)
        || s[0] == 0x2002 // 6to4 2002::/16: an IPv4 address inside, reached through a relay
        || (s[0] == 0x2001 && s[1] == 0x0000) // Teredo 2001::/32: likewise
        || s[..6] == [0, 0, 0, 0, 0xffff, 0] // IPv4-translated ::ffff:0:0:0/96
        || (s[0] == 0x0064 && s[1] == 0xff9b) // NAT64 64:ff9b::/96 would reach IPv4 anywhere
        || s[0] == 0x0100 && s[1..4] == [0, 0, 0] // discard-only 100::/64
        || s[..6] == [0, 0, 0, 0, 0, 0]) // IPv4-compatible ::/96 (deprecated)
}

/// Whether the hub may connect to `ip`: public, or loopback when a test allows it.
pub fn is_allowed(ip: IpAddr, allow_loopback: bool) -> bool {
    is_public(ip) || (allow_loopback && ip.is_loopback())
}

/// The error of a refused resolution; found in a send error's source chain to tell "refused"
/// from "network trouble" (which is retried).
#[derive(Debug)]
pub struct NotPublic(pub String);

impl std::fmt::Display for NotPublic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} resolves to a non-public address", self.0)
    }
}

impl std::error::Error for NotPublic {}

/// The HTTP client's resolver: the system's, refusing any name with a non-public address.
#[derive(Debug, Clone, Copy)]
pub struct PublicResolver {
    pub allow_loopback: bool,
}

impl Resolve for PublicResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_loopback = self.allow_loopback;
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if addrs.is_empty() || addrs.iter().any(|a| !is_allowed(a.ip(), allow_loopback)) {
                return Err(Box::new(NotPublic(host)) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "192.0.2.1",
            "198.51.100.1",
            "203.0.113.9",
            "198.18.0.1",
            "240.0.0.1",
            "::1",
            "::",
            "fc00::1",
            "fd12::1",
            "fe80::1",
            "ff02::1",
            "2001:db8::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
            // 6to4 and Teredo carry an IPv4 address inside: 2002:7f00:1:: is 127.0.0.1.
            "2002:7f00:1::1",
            "2002:c0a8:101::1",
            "2001:0:4136:e378:8000:63bf:3fff:fdd2",
            // IPv4-translated ::ffff:0:a.b.c.d (RFC 2765).
            "::ffff:0:7f00:1",
            "::ffff:0:808:808",
            // Documentation: 3fff::/20 (RFC 9637) beside 2001:db8::/32.
            "3fff::1",
            "3fff:fff:ffff::1",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip}");
        }
        // Next to those ranges, public addresses stay public.
        for ip in ["2003::1", "2001:4860::8888", "3fff:1000::1", "4000::1"] {
            assert!(is_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["8.8.8.8", "142.250.1.1", "2606:4700::1111", "2a00:1450::1"] {
            assert!(is_public(ip.parse().unwrap()), "{ip}");
        }
    }

    /// DNS rebinding: whatever a name resolved to when it was accepted, the connection uses what
    /// this resolver returns now, and it refuses loopback (here through `localhost`).
    #[tokio::test]
    async fn the_resolver_refuses_names_with_non_public_addresses() {
        use std::str::FromStr as _;
        let strict = PublicResolver {
            allow_loopback: false,
        };
        let err = match strict.resolve(Name::from_str("localhost").unwrap()).await {
            Err(e) => e,
            Ok(_) => panic!("localhost resolved"),
        };
        assert!(err.is::<NotPublic>(), "{err}");
        let test_only = PublicResolver {
            allow_loopback: true,
        };
        let addrs: Vec<SocketAddr> = test_only
            .resolve(Name::from_str("localhost").unwrap())
            .await
            .unwrap()
            .collect();
        assert!(addrs.iter().all(|a| a.ip().is_loopback()));
    }
}
