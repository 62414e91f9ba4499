//! Who the client of a request is, for the rate limit and the logs.
//!
//! Normally the TCP peer. Behind proxies the peer is the nearest proxy, and
//! the client is in `X-Forwarded-For`, which every proxy appends its own
//! peer to: the list is walked from the right, skipping the addresses of
//! trusted proxies (`--trusted-proxy`), and the first address that is not
//! one is the client. Only a peer that is itself a trusted proxy is
//! believed: anyone else could name any address and pick their own
//! rate-limit bucket. A header that cannot be read is ignored, never an
//! error: the peer is the client then.

use std::net::IpAddr;

use axum::http::HeaderMap;
use ipnet::IpNet;

use super::ClientAddr;

/// The client of a request as resolved once, as it entered the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

/// The trusted proxies (`--trusted-proxy`).
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    pub fn new(nets: &[IpNet]) -> Self {
        TrustedProxies(nets.to_vec())
    }

    /// Whether `ip` is a trusted proxy.
    fn trusts(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client of a request that came from `peer` with `headers`.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = peer.to_canonical();
        if !self.trusts(peer) {
            return peer;
        }
        let mut furthest = peer;
        // Several headers are one list, in order.
        for value in headers.get_all("x-forwarded-for").iter().rev() {
            let Ok(text) = value.to_str() else {
                return peer;
            };
            for entry in text.rsplit(',') {
                let Some(ip) = parse(entry) else {
                    return peer;
                };
                if !self.trusts(ip) {
                    return ip;
                }
                furthest = ip;
            }
        }
        // Every hop is a trusted proxy: the furthest one is the client.
        furthest
    }

    /// The client of `request`, from the peer address the server put in it.
    pub fn client_of<B>(&self, request: &axum::http::Request<B>) -> Option<IpAddr> {
        let peer = request
            .extensions()
            .get::<axum::extract::ConnectInfo<ClientAddr>>()?
            .0
            .0
            .ip();
        Some(self.client(peer, request.headers()))
    }
}

/// One entry of `X-Forwarded-For`: an address, maybe with a port
/// (`192.0.2.1:4711`, `[2001:db8::1]:4711`).
fn parse(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    entry
        .parse::<IpAddr>()
        .or_else(|_| entry.parse::<std::net::SocketAddr>().map(|s| s.ip()))
        .ok()
        .map(|ip| ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn proxies(nets: &[&str]) -> TrustedProxies {
        let nets: Vec<IpNet> = nets.iter().map(|n| n.parse().expect("cidr")).collect();
        TrustedProxies::new(&nets)
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("ip")
    }

    fn forwarded(values: &[&[u8]]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(
                "x-forwarded-for",
                HeaderValue::from_bytes(value).expect("header"),
            );
        }
        headers
    }

    #[test]
    fn a_stranger_cannot_name_its_client() {
        let trusted = proxies(&["10.0.0.0/8"]);
        let headers = forwarded(&[b"203.0.113.9"]);
        assert_eq!(
            trusted.client(ip("198.51.100.1"), &headers),
            ip("198.51.100.1")
        );
        assert_eq!(
            TrustedProxies::default().client(ip("10.0.0.1"), &headers),
            ip("10.0.0.1"),
            "nobody is trusted by default"
        );
    }

    #[test]
    fn the_walk_skips_trusted_proxies_from_the_right() {
        let trusted = proxies(&["10.0.0.0/8", "fd00::/8"]);
        let peer = ip("10.0.0.1");
        let headers = forwarded(&[b"1.1.1.1, 203.0.113.9, 10.1.1.1", b"fd00::2"]);
        assert_eq!(trusted.client(peer, &headers), ip("203.0.113.9"));
        let headers = forwarded(&[b"2001:db8::7 , [fd00::3]:443"]);
        assert_eq!(trusted.client(peer, &headers), ip("2001:db8::7"));
        let headers = forwarded(&[b"10.2.2.2, 10.3.3.3"]);
        assert_eq!(
            trusted.client(peer, &headers),
            ip("10.2.2.2"),
            "all trusted: the furthest"
        );
        assert_eq!(trusted.client(peer, &HeaderMap::new()), peer);
    }

    #[test]
    fn ports_and_mapped_addresses_are_understood() {
        let trusted = proxies(&["10.0.0.0/8"]);
        let mapped = ip("::ffff:10.0.0.1");
        let headers = forwarded(&[b"203.0.113.9:4711"]);
        assert_eq!(trusted.client(mapped, &headers), ip("203.0.113.9"));
        let headers = forwarded(&[b"::ffff:198.51.100.4"]);
        assert_eq!(trusted.client(mapped, &headers), ip("198.51.100.4"));
    }

    #[test]
    fn a_malformed_header_means_the_peer() {
        let trusted = proxies(&["10.0.0.0/8"]);
        let peer = ip("10.0.0.1");
        for bad in [
            &b"203.0.113.9, nonsense"[..],
            b"",
            b" , ",
            b"203.0.113.9,",
            b"999.1.1.1",
            b"unknown",
            b"\xff\xfe",
            b"1.2.3.4/8",
        ] {
            assert_eq!(
                trusted.client(peer, &forwarded(&[bad])),
                peer,
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
        // Past the client, nothing further left is read.
        let headers = forwarded(&[b"nonsense, 203.0.113.9"]);
        assert_eq!(trusted.client(peer, &headers), ip("203.0.113.9"));
    }
}
