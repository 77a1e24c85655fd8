//! The client behind a trusted reverse proxy. A request that arrives from a configured proxy
//! address is attributed to the client named in its `X-Forwarded-For` header; from any other
//! address the header is ignored (anyone can send it). Everything that counts per client (login
//! attempt limits, the OIDC pending-login bound) then sees the real client, not the proxy.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::http::HeaderMap;

/// The reverse proxies whose `X-Forwarded-For` is believed.
#[derive(Debug, Clone, Default)]
pub(crate) struct TrustedProxies(Arc<[IpAddr]>);

impl TrustedProxies {
    /// Trust these addresses (IPv4-mapped IPv6 and IPv4 are the same address).
    pub fn new(addresses: &[IpAddr]) -> Self {
        Self(addresses.iter().map(IpAddr::to_canonical).collect())
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.contains(&ip.to_canonical())
    }

    /// The client of a request that came from `peer` with `headers`: `peer` itself, unless
    /// `peer` is a trusted proxy; then the rightmost `X-Forwarded-For` entry that is not itself a
    /// trusted proxy (entries left of it were written by the client and may be forged). An
    /// entry that is not an IP address, or a header that names only proxies, leaves `peer`.
    pub fn client(&self, peer: SocketAddr, headers: &HeaderMap) -> SocketAddr {
        if !self.trusts(peer.ip()) {
            return peer;
        }
        let mut hops = Vec::new();
        for value in headers.get_all("x-forwarded-for") {
            let Ok(text) = value.to_str() else {
                return peer;
            };
            hops.extend(text.split(',').map(str::trim));
        }
        for hop in hops.iter().rev() {
            match hop.parse::<IpAddr>() {
                Ok(ip) if self.trusts(ip) => {}
                Ok(ip) => return SocketAddr::new(ip.to_canonical(), peer.port()),
                Err(_) => return peer,
            }
        }
        peer
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append("x-forwarded-for", HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn only_a_trusted_proxy_is_believed() {
        let proxy: SocketAddr = "10.0.0.9:4000".parse().unwrap();
        let stranger: SocketAddr = "198.51.100.7:4000".parse().unwrap();
        let trusted = TrustedProxies::new(&["10.0.0.9".parse().unwrap()]);
        let h = headers(&["203.0.113.5"]);
        assert_eq!(trusted.client(proxy, &h).ip().to_string(), "203.0.113.5");
        assert_eq!(
            trusted.client(stranger, &h),
            stranger,
            "header from a stranger"
        );
        assert_eq!(
            TrustedProxies::default().client(proxy, &h),
            proxy,
            "nobody trusted"
        );
        assert_eq!(trusted.client(proxy, &HeaderMap::new()), proxy, "no header");
    }

    #[test]
    fn the_rightmost_untrusted_hop_is_the_client() {
        let proxy: SocketAddr = "10.0.0.9:4000".parse().unwrap();
        let trusted =
            TrustedProxies::new(&["10.0.0.9".parse().unwrap(), "10.0.0.8".parse().unwrap()]);
        // The client forged "1.2.3.4"; the first proxy appended the real client, the second
        // proxy appended the first one.
        let h = headers(&["1.2.3.4, 203.0.113.5", "10.0.0.8"]);
        assert_eq!(trusted.client(proxy, &h).ip().to_string(), "203.0.113.5");
        let mapped = headers(&["::ffff:203.0.113.6"]);
        assert_eq!(
            trusted.client(proxy, &mapped).ip().to_string(),
            "203.0.113.6"
        );
        assert_eq!(trusted.client(proxy, &headers(&["unknown"])), proxy);
        assert_eq!(trusted.client(proxy, &headers(&["10.0.0.8"])), proxy);
    }
}
