//! Who a request comes from, as rate limits, caps and the cross-site check must see it.
//!
//! A real hub runs behind a TLS proxy, so the connection's peer is the proxy; and on a dual-stack
//! listener an IPv4 client arrives as `::ffff:a.b.c.d`. So:
//!
//! - addresses are canonical: an IPv4-mapped IPv6 address is the IPv4 address ([`canonical`]);
//!   rate limits key IPv6 clients by their /64, which one subscriber usually holds whole
//!   ([`limit_key`]);
//! - the client is the peer, unless the peer is a trusted proxy (`--trusted-proxy`, addresses or
//!   CIDR blocks): then it is the right-most address of `Forwarded` (RFC 7239) or, without it,
//!   `X-Forwarded-For` that is not itself a trusted proxy ([`client_address`]). Headers from any
//!   other peer are ignored: anyone can write them;
//! - the hub's own origin is `--public-origin` when given, else the request's `Host` (or, from a
//!   trusted proxy, its `X-Forwarded-Host`); a browser request whose `Origin` is another, or whose
//!   `Sec-Fetch-Site` says it was made by another site, is cross-site ([`Client::same_origin`]).
//!
//! [`identify`] computes a [`Client`] once per request (a middleware in [`crate::serve`]) and
//! puts it in the request's extensions for the handlers.

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap};
use axum::middleware::Next;
use axum::response::Response;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::str::FromStr;
use std::sync::Arc;

/// An address or a block of them (`10.0.0.1`, `10.0.0.0/8`, `fd00::/8`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

/// A `--trusted-proxy` value that is not an address or a CIDR block.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an IP address or a CIDR block (e.g. 127.0.0.1, 10.0.0.0/8, fd00::/8)")]
pub struct CidrError(String);

impl FromStr for Cidr {
    type Err = CidrError;

    fn from_str(s: &str) -> Result<Cidr, CidrError> {
        let bad = || CidrError(s.to_owned());
        let (address, prefix) = match s.trim().split_once('/') {
            Some((a, p)) => (a, Some(p.parse::<u8>().map_err(|_| bad())?)),
            None => (s.trim(), None),
        };
        let network = canonical(address.parse::<IpAddr>().map_err(|_| bad())?);
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        if prefix > max {
            return Err(bad());
        }
        Ok(Cidr { network, prefix })
    }
}

impl Cidr {
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.network, canonical(ip)) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// How the hub tells who a request is from and what its own origin is.
#[derive(Debug, Clone, Default)]
pub struct ClientSettings {
    /// Peers whose `Forwarded` / `X-Forwarded-For` / `X-Forwarded-Host` are believed.
    pub trusted_proxies: Vec<Cidr>,
    /// The origin residents reach the hub at (`https://machi.example.jp`), when the proxy does
    /// not pass the `Host` through.
    pub public_origin: Option<String>,
}

/// The client of one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Client {
    /// Canonical (IPv4-mapped addresses are IPv4).
    pub address: IpAddr,
    /// False when a browser says another site made the request (`Origin` is not the hub's, or
    /// `Sec-Fetch-Site` is `cross-site` or `same-site`). A request without either header comes
    /// from no web page (curl, a script) and cannot be a cross-site forgery.
    pub same_origin: bool,
}

impl Client {
    /// The client of a request from `peer` with `headers`.
    pub fn of(peer: IpAddr, headers: &HeaderMap, settings: &ClientSettings) -> Client {
        let from_proxy = is_trusted(peer, &settings.trusted_proxies);
        Client {
            address: client_address(peer, headers, &settings.trusted_proxies),
            same_origin: same_origin(headers, settings, from_proxy),
        }
    }
}

/// `::ffff:a.b.c.d` is the IPv4 address `a.b.c.d`; every other address is itself.
pub fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// What a rate limit counts by: the canonical IPv4 address, or the /64 of an IPv6 one.
pub fn limit_key(ip: IpAddr) -> IpAddr {
    match canonical(ip) {
        IpAddr::V6(v6) => {
            let s = v6.segments();
            IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
        }
        v4 => v4,
    }
}

fn is_trusted(ip: IpAddr, trusted: &[Cidr]) -> bool {
    trusted.iter().any(|c| c.contains(ip))
}

/// The client's address: the peer's, or, when the peer is a trusted proxy, the right-most
/// forwarded address that is not a trusted proxy (the left part of those headers is whatever the
/// client wrote).
pub fn client_address(peer: IpAddr, headers: &HeaderMap, trusted: &[Cidr]) -> IpAddr {
    let peer = canonical(peer);
    if !is_trusted(peer, trusted) {
        return peer;
    }
    let chain = forwarded_for(headers).or_else(|| x_forwarded_for(headers));
    let Some(chain) = chain else {
        return peer;
    };
    for hop in chain.iter().rev() {
        match hop {
            Some(ip) if is_trusted(*ip, trusted) => continue,
            Some(ip) => return canonical(*ip),
            // `unknown` or an obfuscated name: nothing further left can be believed.
            None => return peer,
        }
    }
    // Every hop is a trusted proxy: the first of them is as close to the client as we know.
    chain.first().copied().flatten().unwrap_or(peer)
}

/// The `for=` values of every `Forwarded` header, in order (`None` for `unknown`, `_hidden`).
fn forwarded_for(headers: &HeaderMap) -> Option<Vec<Option<IpAddr>>> {
    let mut hops = Vec::new();
    for value in headers.get_all(header::FORWARDED) {
        let value = value.to_str().ok()?;
        for element in value.split(',') {
            let Some(node) = element.split(';').find_map(|pair| {
                let (k, v) = pair.split_once('=')?;
                k.trim().eq_ignore_ascii_case("for").then_some(v.trim())
            }) else {
                continue;
            };
            hops.push(parse_node(node.trim_matches('"')));
        }
    }
    (!hops.is_empty()).then_some(hops)
}

fn x_forwarded_for(headers: &HeaderMap) -> Option<Vec<Option<IpAddr>>> {
    let mut hops = Vec::new();
    for value in headers.get_all("x-forwarded-for") {
        let value = value.to_str().ok()?;
        hops.extend(value.split(',').map(|h| parse_node(h.trim())));
    }
    (!hops.is_empty()).then_some(hops)
}

/// `192.0.2.1`, `192.0.2.1:4711`, `[2001:db8::1]`, `[2001:db8::1]:4711`, `2001:db8::1`.
fn parse_node(node: &str) -> Option<IpAddr> {
    if let Ok(ip) = node.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Some(rest) = node.strip_prefix('[') {
        return rest
            .split(']')
            .next()?
            .parse::<Ipv6Addr>()
            .ok()
            .map(IpAddr::V6);
    }
    let (host, _port) = node.rsplit_once(':')?;
    host.parse::<Ipv4Addr>().ok().map(IpAddr::V4)
}

/// Whether a browser's `Origin` / `Sec-Fetch-Site` say the hub's own pages made the request.
fn same_origin(headers: &HeaderMap, settings: &ClientSettings, from_proxy: bool) -> bool {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = text("sec-fetch-site") {
        if !matches!(site, "same-origin" | "none") {
            return false;
        }
    }
    let Some(origin) = text(header::ORIGIN.as_str()) else {
        return true;
    };
    let Some(origin) = authority(origin) else {
        // `null` (a sandboxed frame, a file) or garbage: not this hub.
        return false;
    };
    let own = match &settings.public_origin {
        Some(public) => authority(public),
        None => {
            let forwarded = from_proxy
                .then(|| text("x-forwarded-host"))
                .flatten()
                .and_then(|h| h.split(',').next());
            forwarded
                .or_else(|| text(header::HOST.as_str()))
                .map(|h| h.trim().to_ascii_lowercase())
        }
    };
    own.is_some_and(|own| own == origin)
}

/// `host[:port]` of an origin, the port only when it is not the scheme's default (as a `Host`
/// header writes it).
fn authority(origin: &str) -> Option<String> {
    let url = url::Url::parse(origin).ok()?;
    let host = url.host_str()?.to_ascii_lowercase();
    Some(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host,
    })
}

/// Middleware: works out the request's [`Client`] once and leaves it in its extensions.
pub async fn identify(
    State(settings): State<Arc<ClientSettings>>,
    mut request: Request,
    next: Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
    let client = Client::of(peer, request.headers(), &settings);
    request.extensions_mut().insert(client);
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn a_mapped_address_is_its_ipv4_address_and_ipv6_counts_by_its_64() {
        assert_eq!(canonical(ip("::ffff:203.0.113.5")), ip("203.0.113.5"));
        assert_eq!(limit_key(ip("::ffff:203.0.113.5")), ip("203.0.113.5"));
        assert_ne!(
            limit_key(ip("::ffff:203.0.113.5")),
            limit_key(ip("::ffff:203.0.113.6"))
        );
        assert_eq!(
            limit_key(ip("2001:db8:1:2::1")),
            limit_key(ip("2001:db8:1:2:ffff::9"))
        );
        assert_ne!(
            limit_key(ip("2001:db8:1:2::1")),
            limit_key(ip("2001:db8:1:3::1"))
        );
    }

    #[test]
    fn cidr_blocks() {
        let block: Cidr = "10.0.0.0/8".parse().unwrap();
        assert!(block.contains(ip("10.9.8.7")));
        assert!(block.contains(ip("::ffff:10.9.8.7")));
        assert!(!block.contains(ip("11.0.0.1")));
        let one: Cidr = "127.0.0.1".parse().unwrap();
        assert!(one.contains(ip("127.0.0.1")) && !one.contains(ip("127.0.0.2")));
        let v6: Cidr = "fd00::/8".parse().unwrap();
        assert!(v6.contains(ip("fd12::1")) && !v6.contains(ip("fe80::1")));
        let all: Cidr = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains(ip("8.8.8.8")));
        for bad in ["", "10.0.0.0/33", "fd00::/129", "localhost", "10.0.0.0/x"] {
            assert!(bad.parse::<Cidr>().is_err(), "{bad}");
        }
    }

    #[test]
    fn forwarded_headers_count_only_from_a_trusted_proxy() {
        let proxy = vec!["127.0.0.1".parse::<Cidr>().unwrap()];
        let xff = headers(&[("x-forwarded-for", "198.51.100.7")]);
        assert_eq!(
            client_address(ip("127.0.0.1"), &xff, &proxy),
            ip("198.51.100.7")
        );
        // Anyone else may write the header: it is ignored.
        assert_eq!(
            client_address(ip("203.0.113.9"), &xff, &proxy),
            ip("203.0.113.9")
        );
        assert_eq!(client_address(ip("127.0.0.1"), &xff, &[]), ip("127.0.0.1"));
        // The client wrote the left part: the right-most untrusted hop is the client.
        let spoofed = headers(&[("x-forwarded-for", "1.2.3.4, 198.51.100.7")]);
        assert_eq!(
            client_address(ip("127.0.0.1"), &spoofed, &proxy),
            ip("198.51.100.7")
        );
        // RFC 7239, preferred over X-Forwarded-For; IPv6 in brackets with a port.
        let forwarded = headers(&[
            (
                "forwarded",
                "for=192.0.2.60;proto=https, for=\"[2001:db8:cafe::17]:4711\"",
            ),
            ("x-forwarded-for", "198.51.100.7"),
        ]);
        assert_eq!(
            client_address(ip("127.0.0.1"), &forwarded, &proxy),
            ip("2001:db8:cafe::17")
        );
        // A chain of trusted proxies.
        let two = vec!["10.0.0.0/8".parse().unwrap(), "127.0.0.1".parse().unwrap()];
        let chain = headers(&[("x-forwarded-for", "198.51.100.7, 10.1.1.1")]);
        assert_eq!(
            client_address(ip("127.0.0.1"), &chain, &two),
            ip("198.51.100.7")
        );
        let unknown = headers(&[("forwarded", "for=unknown")]);
        assert_eq!(
            client_address(ip("127.0.0.1"), &unknown, &proxy),
            ip("127.0.0.1")
        );
        let mapped = headers(&[("x-forwarded-for", "::ffff:198.51.100.7")]);
        assert_eq!(
            client_address(ip("::ffff:127.0.0.1"), &mapped, &proxy),
            ip("198.51.100.7")
        );
    }

    #[test]
    fn cross_site_requests_are_told_apart() {
        let plain = ClientSettings::default();
        let from = |pairs: &[(&'static str, &str)], settings: &ClientSettings, proxy: bool| {
            same_origin(&headers(pairs), settings, proxy)
        };
        assert!(from(&[], &plain, false), "no browser, no forgery");
        assert!(from(
            &[
                ("host", "machi.example.jp"),
                ("origin", "https://machi.example.jp")
            ],
            &plain,
            false
        ));
        assert!(from(
            &[
                ("host", "127.0.0.1:8080"),
                ("origin", "http://127.0.0.1:8080")
            ],
            &plain,
            false
        ));
        assert!(!from(
            &[
                ("host", "machi.example.jp"),
                ("origin", "https://evil.example")
            ],
            &plain,
            false
        ));
        assert!(!from(
            &[("host", "machi.example.jp"), ("origin", "null")],
            &plain,
            false
        ));
        assert!(!from(&[("sec-fetch-site", "cross-site")], &plain, false));
        assert!(!from(&[("sec-fetch-site", "same-site")], &plain, false));
        assert!(from(&[("sec-fetch-site", "same-origin")], &plain, false));
        // Behind a proxy that rewrites Host: its X-Forwarded-Host, or the configured origin.
        let proxied = [
            ("host", "127.0.0.1:8080"),
            ("x-forwarded-host", "machi.example.jp"),
            ("origin", "https://machi.example.jp"),
        ];
        assert!(from(&proxied, &plain, true));
        assert!(
            !from(&proxied, &plain, false),
            "only a trusted proxy says so"
        );
        let public = ClientSettings {
            public_origin: Some("https://machi.example.jp".into()),
            ..ClientSettings::default()
        };
        assert!(from(
            &[
                ("host", "127.0.0.1:8080"),
                ("origin", "https://machi.example.jp")
            ],
            &public,
            false
        ));
    }
}
