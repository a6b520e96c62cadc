//! Which push endpoints the hub will POST to: `https` URLs on public hosts only, so a subscription
//! cannot turn the hub into a request forwarder into its own network (SSRF).
//!
//! - When a subscription is created: [`check`] refuses other schemes, credentials in the URL,
//!   `localhost` names and IP literals outside the public unicast space ([`is_public`]).
//! - When sending: the same check again, and host names are resolved by [`PublicResolver`], the
//!   HTTP client's own resolver, which refuses a name if ANY of its addresses is not public. As the
//!   connection uses exactly the addresses this resolver returned, a name that resolves to a public
//!   address at creation and to 127.0.0.1 later (DNS rebinding) is refused at connect time.
//!
//! The test-only setting `allow_loopback` (`--push-allow-loopback`) additionally accepts loopback
//! addresses, with `http` allowed for IP-literal loopback hosts: a local test sink.

use reqwest::Url;
use std::net::IpAddr;

/// The longest endpoint accepted (real ones are under 600 characters).
pub const MAX_ENDPOINT_LEN: usize = 2048;

use crate::address::is_allowed;
pub use crate::address::{is_public, NotPublic, PublicResolver};

/// Why an endpoint is refused (said after "the push endpoint …").
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EndpointError {
    #[error("is longer than {MAX_ENDPOINT_LEN} characters")]
    TooLong,
    #[error("is not a URL: {0}")]
    NotAUrl(String),
    #[error("must not contain credentials")]
    Credentials,
    #[error("has no host")]
    NoHost,
    #[error("must be an https URL")]
    NotHttps,
    #[error("{0} is not a public address")]
    NotPublicAddress(IpAddr),
    #[error("{0} is not a public host name")]
    NotPublicName(String),
}

/// Checks an endpoint URL; returns it parsed.
pub fn check(endpoint: &str, allow_loopback: bool) -> Result<Url, EndpointError> {
    if endpoint.len() > MAX_ENDPOINT_LEN {
        return Err(EndpointError::TooLong);
    }
    let url = Url::parse(endpoint).map_err(|e| EndpointError::NotAUrl(e.to_string()))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(EndpointError::Credentials);
    }
    let host = url.host().ok_or(EndpointError::NoHost)?;
    let ip = match &host {
        url::Host::Ipv4(v4) => Some(IpAddr::V4(*v4)),
        url::Host::Ipv6(v6) => Some(IpAddr::V6(*v6)),
        url::Host::Domain(_) => None,
    };
    match url.scheme() {
        "https" => {}
        "http" if allow_loopback && ip.is_some_and(|ip| ip.is_loopback()) => {}
        _ => return Err(EndpointError::NotHttps),
    }
    match (ip, &host) {
        (Some(ip), _) if !is_allowed(ip, allow_loopback) => {
            Err(EndpointError::NotPublicAddress(ip))
        }
        (None, url::Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            if !name.contains('.')
                || name == "localhost"
                || name.ends_with(".localhost")
                || name.ends_with(".local")
                || name.ends_with(".internal")
                || name.ends_with(".home.arpa")
            {
                Err(EndpointError::NotPublicName(name))
            } else {
                Ok(url)
            }
        }
        _ => Ok(url),
    }
}

/// The origin of an endpoint (`https://host[:port]`), the VAPID JWT's audience.
pub fn origin(url: &Url) -> String {
    url.origin().ascii_serialization()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_only_when_allowed_for_tests() {
        assert!(check("http://127.0.0.1:9999/push", false).is_err());
        assert!(check("http://127.0.0.1:9999/push", true).is_ok());
        assert!(check("http://10.0.0.1/push", true).is_err());
        assert!(check("http://push.example.com/", true).is_err());
        assert!(check("https://user:pw@push.example.com/", false).is_err());
    }
}
