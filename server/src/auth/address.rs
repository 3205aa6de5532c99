//! The address a request comes from, for throttling failed logins: the
//! connection's peer, or, behind trusted proxies
//! (`login.forwarded_for_hops`), the address the outermost of them saw in
//! `X-Forwarded-For`. An IPv6 address counts as its /64 network: one host
//! usually holds a whole /64.

use crate::state::AppState;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use std::convert::Infallible;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};

/// Where a request comes from, as counted by the login throttle; `None`
/// when the server cannot tell (a request made in process, in tests).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientAddress(pub Option<String>);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(addr)| addr.ip());
        let hops = state.config.login.forwarded_for_hops as usize;
        let forwarded = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .map(str::trim)
            .collect::<Vec<_>>();
        Ok(ClientAddress(client_ip(peer, &forwarded, hops).map(network)))
    }
}

/// The client's address: the peer's, unless `hops` proxies are trusted, in
/// which case the `hops`-th address from the right of `forwarded` (what the
/// outermost trusted proxy saw). A list too short or unreadable counts as
/// the peer's own address: it cannot be trusted.
fn client_ip(peer: Option<IpAddr>, forwarded: &[&str], hops: usize) -> Option<IpAddr> {
    if hops == 0 || forwarded.len() < hops {
        return peer;
    }
    forwarded[forwarded.len() - hops].parse().ok().or(peer)
}

/// The throttle's name of `ip`: an IPv4 address as it is, an IPv6 one as
/// its /64 network (IPv4 mapped in IPv6 as IPv4).
fn network(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{}/64", Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwarded_addresses_count_only_behind_trusted_proxies() {
        let peer: IpAddr = "10.0.0.1".parse().unwrap();
        let list = ["1.2.3.4", "5.6.7.8"];
        assert_eq!(client_ip(Some(peer), &list, 0), Some(peer), "not trusted by default");
        assert_eq!(client_ip(Some(peer), &list, 1), Some("5.6.7.8".parse().unwrap()));
        assert_eq!(client_ip(Some(peer), &list, 2), Some("1.2.3.4".parse().unwrap()));
        assert_eq!(client_ip(Some(peer), &list, 3), Some(peer), "a short list is not trusted");
        assert_eq!(client_ip(Some(peer), &["junk"], 1), Some(peer));
    }

    #[test]
    fn ipv6_addresses_count_as_their_network() {
        assert_eq!(network("2001:db8:1:2:3:4:5:6".parse().unwrap()), "2001:db8:1:2::/64");
        assert_eq!(network("::ffff:192.0.2.7".parse().unwrap()), "192.0.2.7");
        assert_eq!(network("192.0.2.7".parse().unwrap()), "192.0.2.7");
    }
}
