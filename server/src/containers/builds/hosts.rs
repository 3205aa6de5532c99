//! Which hosts a git source may name. A build clones from the server's
//! network, so a source naming an internal address would let a tenant
//! reach what only the server can (a database port, a cloud metadata
//! service, another tenant's internal git server): loopback, private,
//! link-local, shared and unspecified addresses are refused unless the
//! configuration names the host in `allow_private_hosts`. The check runs
//! on the URL when a source is set, and on every address the host
//! resolves to right before a build clones it.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The host a remote git URL names (without brackets, user or port), and
/// its port (the transport's default when absent). `None` for local
/// repositories and what is not a remote URL.
pub(super) fn host_of(url: &str) -> Option<(String, u16)> {
    if let Some((scheme, rest)) = url.split_once("://") {
        if scheme == "file" {
            return None;
        }
        let authority = rest.split('/').next()?;
        let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        let default = if scheme == "https" { 443 } else { 22 };
        return Some(split_port(host_port, default));
    }
    if url.starts_with('/') {
        return None;
    }
    // scp-like `user@host:path`
    let (user_host, _) = url.split_once(':')?;
    let host = user_host.rsplit_once('@').map_or(user_host, |(_, h)| h);
    Some((host.trim_matches(['[', ']']).to_ascii_lowercase(), 22))
}

fn split_port(host_port: &str, default: u16) -> (String, u16) {
    if let Some(rest) = host_port.strip_prefix('[') {
        let (host, after) = rest.split_once(']').unwrap_or((rest, ""));
        let port = after.strip_prefix(':').and_then(|p| p.parse().ok()).unwrap_or(default);
        return (host.to_ascii_lowercase(), port);
    }
    match host_port.rsplit_once(':') {
        Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) && !port.is_empty() => {
            (host.to_ascii_lowercase(), port.parse().unwrap_or(default))
        }
        _ => (host_port.to_ascii_lowercase(), default),
    }
}

/// Whether `ip` is an address a tenant must not reach through the server
/// (anything but a public unicast address).
pub(super) fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => internal_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => internal_v4(v4),
            None => internal_v6(v6),
        },
    }
}

fn internal_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || a == 0
        // Shared address space (carrier-grade NAT), 100.64.0.0/10.
        || (a == 100 && (64..128).contains(&b))
        // Benchmarking, 198.18.0.0/15, and the reserved 240.0.0.0/4.
        || (a == 198 && (b == 18 || b == 19))
        || a >= 240
}

fn internal_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        // Unique local fc00::/7 and link-local fe80::/10.
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        // NAT64 of an internal IPv4 address (64:ff9b::/96).
        || (ip.segments()[..6] == [0x64, 0xff9b, 0, 0, 0, 0] && {
            let [.., c, d, e, f] = ip.octets();
            internal_v4(Ipv4Addr::new(c, d, e, f))
        })
}

fn allowed(host: &str, allowed: &[String]) -> bool {
    allowed.iter().any(|a| a.trim_matches(['[', ']']).eq_ignore_ascii_case(host))
}

/// What a source's URL says of itself: a host that is an internal address
/// written out, or a name only the server resolves (`localhost`), is
/// refused unless allowed.
pub(super) fn check_written(url: &str, allow: &[String]) -> Result<(), String> {
    let Some((host, _)) = host_of(url) else { return Ok(()) };
    if allowed(&host, allow) {
        return Ok(());
    }
    let internal_name = host == "localhost" || host.ends_with(".localhost") || host.ends_with(".internal");
    let internal_ip = host.parse::<IpAddr>().is_ok_and(is_internal);
    if internal_name || internal_ip {
        return Err(refusal(&host, None));
    }
    Ok(())
}

/// Resolves the URL's host and refuses it when any address it resolves
/// to is internal (unless allowed). A name that does not resolve is left
/// to the clone, which reports it.
pub(super) async fn check_resolved(url: &str, allow: &[String]) -> Result<(), String> {
    let Some((host, port)) = host_of(url) else { return Ok(()) };
    if allowed(&host, allow) {
        return Ok(());
    }
    let Ok(addresses) = tokio::net::lookup_host((host.as_str(), port)).await else { return Ok(()) };
    for address in addresses {
        if is_internal(address.ip()) {
            return Err(refusal(&host, Some(address.ip())));
        }
    }
    Ok(())
}

fn refusal(host: &str, resolved: Option<IpAddr>) -> String {
    let what = match resolved {
        Some(ip) => format!("`{host}` resolves to {ip}, an internal address"),
        None => format!("`{host}` is an internal address"),
    };
    format!(
        "{what} (loopback, private, link-local or reserved): sources may name only public hosts unless the \
         server's `[builds] allow_private_hosts` lists `{host}`"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_read_from_every_url_form() {
        assert_eq!(host_of("https://Git.Example.com/o/r.git"), Some(("git.example.com".into(), 443)));
        assert_eq!(host_of("https://u@example.com:8443/o/r"), Some(("example.com".into(), 8443)));
        assert_eq!(host_of("ssh://git@[::1]:2222/o/r"), Some(("::1".into(), 2222)));
        assert_eq!(host_of("git@10.0.0.5:o/r.git"), Some(("10.0.0.5".into(), 22)));
        assert_eq!(host_of("file:///tmp/r"), None);
        assert_eq!(host_of("/tmp/r"), None);
    }

    #[test]
    fn internal_addresses_are_recognised() {
        for internal in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "64:ff9b::a9fe:a9fe",
        ] {
            assert!(is_internal(internal.parse().unwrap()), "{internal}");
        }
        for public in ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "64:ff9b::5db8:d822"] {
            assert!(!is_internal(public.parse().unwrap()), "{public}");
        }
    }

    #[test]
    fn written_internal_hosts_are_refused_unless_allowed() {
        let none: &[String] = &[];
        assert!(check_written("https://example.com/o/r", none).is_ok());
        for url in [
            "https://127.0.0.1/o/r",
            "https://localhost/o/r",
            "ssh://git@[::1]/o/r",
            "git@169.254.169.254:o/r",
            "https://10.0.0.8:3000/o/r",
        ] {
            let refused = check_written(url, none).unwrap_err();
            assert!(refused.contains("allow_private_hosts"), "{url}: {refused}");
        }
        assert!(check_written("https://10.0.0.8:3000/o/r", &["10.0.0.8".into()]).is_ok());
    }

    #[tokio::test]
    async fn names_resolving_to_internal_addresses_are_refused() {
        let none: &[String] = &[];
        // `0x7f000001` is 127.0.0.1 to the resolver, though not to a parser.
        let refused = check_resolved("https://0x7f000001/o/r", none).await.unwrap_err();
        assert!(refused.contains("resolves to 127.0.0.1"), "{refused}");
        let refused = check_resolved("https://localhost:9/o/r", none).await.unwrap_err();
        assert!(refused.contains("internal address"), "{refused}");
        assert!(check_resolved("https://localhost:9/o/r", &["localhost".into()]).await.is_ok());
    }
}
