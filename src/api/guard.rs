//! Where requests may go. The key travels only to the service's own origin (a redirect elsewhere is an
//! error naming the target); images come from https addresses on the public internet, every redirect hop
//! checked again, host names checked after resolution; loopback is allowed only when the service itself is
//! on loopback (the simulator), and loopback traffic never goes through a proxy. Through a proxy the proxy
//! resolves names, not [`PublicOnly`], so a proxied download resolves its host here first
//! ([`every_address_public`]) and follows its redirects itself, checking each hop the same way.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use reqwest::Url;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::redirect::{Attempt, Policy};

use super::base_url::is_loopback;

/// Redirects followed at most (same origin for the API, checked hops for downloads).
pub const MAX_REDIRECTS: usize = 5;

/// Why a request was not sent to an address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Refused(pub String);

/// The API client's redirect rule: the same origin only, so `TT-API-KEY` never reaches another host.
pub fn same_origin_only(base: &Url) -> Policy {
    let origin = base.origin();
    Policy::custom(move |attempt: Attempt<'_>| {
        if attempt.url().origin() != origin {
            let to = attempt.url().to_string();
            attempt.error(Refused(format!(
                "the service redirected the request to {to}; Moodgrid does not send the key to another address"
            )))
        } else if attempt.previous().len() >= MAX_REDIRECTS {
            attempt.error(Refused("too many redirects".into()))
        } else {
            attempt.follow()
        }
    })
}

/// The download client's redirect rule: every hop passes [`check_download`] again.
pub fn checked_hops(local_service: bool) -> Policy {
    Policy::custom(move |attempt: Attempt<'_>| {
        if attempt.previous().len() >= MAX_REDIRECTS {
            return attempt.error(Refused("too many redirects".into()));
        }
        match check_download(attempt.url(), local_service) {
            Ok(()) => attempt.follow(),
            Err(refused) => attempt.error(refused),
        }
    })
}

/// Whether an image may be fetched from `url`: https (or http on loopback when the service is local), and
/// no private, link-local or loopback address unless the service itself is local. Host names are checked
/// again once resolved ([`PublicOnly`]).
pub fn check_download(url: &Url, local_service: bool) -> Result<(), Refused> {
    let secure =
        url.scheme() == "https" || (url.scheme() == "http" && local_service && is_loopback(url));
    if !secure {
        return Err(Refused(format!(
            "refusing to download from {url}: only https addresses are used"
        )));
    }
    if local_service {
        return Ok(());
    }
    let private = match url.host() {
        Some(url::Host::Ipv4(ip)) => !is_public(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => !is_public(IpAddr::V6(ip)),
        Some(url::Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            name == "localhost" || name.ends_with(".localhost")
        }
        None => true,
    };
    if private {
        return Err(Refused(format!(
            "refusing to download from {url}: a private or local address"
        )));
    }
    Ok(())
}

/// An address on the public internet: not loopback, private (RFC 1918, unique local, site-local), link-local,
/// shared (CGNAT), unspecified, broadcast, multicast or documentation space, also when mapped into IPv6.
/// NAT64 (`64:ff9b::/96`) and 6to4 (`2002::/16`) addresses reach an IPv4 address a gateway chooses from the
/// bits inside, so they are not taken as public whatever those bits say.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b)))
        }
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public(IpAddr::V4(v4)),
            None => {
                let [s0, s1, ..] = v6.segments();
                let nat64 = s0 == 0x64 && s1 == 0xff9b && v6.segments()[2..6] == [0; 4];
                let six_to_four = s0 == 0x2002;
                let site_local = s0 & 0xffc0 == 0xfec0;
                !(v6.is_loopback()
                    || v6.is_unspecified()
                    || v6.is_multicast()
                    || v6.is_unique_local()
                    || v6.is_unicast_link_local()
                    || nat64
                    || six_to_four
                    || site_local)
            }
        },
    }
}

/// A resolver for image downloads that drops every non-public address a name resolves to, so a host name
/// pointing into the local network is refused before any connection is made.
#[derive(Debug, Default)]
pub struct PublicOnly;

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let resolved: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let public = public_addresses(resolved);
            if public.is_empty() {
                return Err(Box::new(Refused(format!(
                    "refusing to download from {host}: it resolves only to private or local addresses"
                )))
                    as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(public.into_iter()) as Addrs)
        })
    }
}

fn public_addresses(addresses: Vec<SocketAddr>) -> Vec<SocketAddr> {
    addresses
        .into_iter()
        .filter(|a| is_public(a.ip()))
        .collect()
}

/// Before a download goes through a proxy: `url`'s host resolves here, and only to public addresses. The
/// proxy resolves the name again and may pick any of them, so one private address is enough to refuse.
pub async fn every_address_public(url: &Url) -> Result<(), Refused> {
    let host = match url.host() {
        Some(url::Host::Domain(name)) => name.to_owned(),
        // An address in the URL was checked by `check_download`; there is nothing to resolve.
        Some(_) => return Ok(()),
        None => return Err(Refused(format!("refusing to download from {url}: no host"))),
    };
    let resolved = tokio::net::lookup_host((host.as_str(), 0))
        .await
        .map_err(|e| {
            Refused(format!(
                "refusing to download from {host} through the proxy: its address could not be checked ({e})"
            ))
        })?;
    all_public(&host, resolved)
}

fn all_public(host: &str, resolved: impl IntoIterator<Item = SocketAddr>) -> Result<(), Refused> {
    let mut any = false;
    for address in resolved {
        if !is_public(address.ip()) {
            return Err(Refused(format!(
                "refusing to download from {host}: it resolves to a private or local address ({})",
                address.ip()
            )));
        }
        any = true;
    }
    if any {
        Ok(())
    } else {
        Err(Refused(format!(
            "refusing to download from {host}: it resolves to no address"
        )))
    }
}

/// The resolver for a download client: the system's when the service is local, else [`PublicOnly`].
pub fn download_resolver(local_service: bool) -> Option<Arc<PublicOnly>> {
    (!local_service).then(|| Arc::new(PublicOnly))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn downloads_go_to_public_https_addresses_only() {
        let refused = [
            "http://cdn.example.com/a.png",
            "https://10.1.2.3/a.png",
            "https://192.168.0.10/a.png",
            "https://172.16.5.5/a.png",
            "https://169.254.169.254/latest/meta-data",
            "https://127.0.0.1/a.png",
            "https://localhost/a.png",
            "https://[::1]/a.png",
            "https://[fe80::1]/a.png",
            "https://[fd00::1]/a.png",
            "https://[::ffff:10.0.0.1]/a.png",
            "https://100.64.1.1/a.png",
            "https://0.0.0.0/a.png",
            // NAT64 of 10.0.0.1 and of a public address alike: the gateway decides where they go.
            "https://[64:ff9b::a00:1]/a.png",
            "https://[64:ff9b::5db8:d822]/a.png",
            // 6to4 of 192.168.0.1.
            "https://[2002:c0a8:1::1]/a.png",
            // Site-local, deprecated but still routed by some networks.
            "https://[fec0::1]/a.png",
            "https://[feff::1]/a.png",
        ];
        for address in refused {
            assert!(check_download(&url(address), false).is_err(), "{address}");
        }
        for address in [
            "https://cdn.ttapi.io/a.png",
            "https://93.184.216.34/a.png",
            "https://[2606:2800:220:1:248:1893:25c8:1946]/a.png",
            // Outside the NAT64 prefix's /96 and beside 6to4's /16.
            "https://[64:ff9b:1::1]/a.png",
            "https://[2003::1]/a.png",
        ] {
            assert_eq!(check_download(&url(address), false), Ok(()), "{address}");
        }
        // The simulator serves its images on loopback over http: allowed only when the service is local.
        assert_eq!(
            check_download(&url("http://127.0.0.1:8787/cdn/x/grid.png"), true),
            Ok(())
        );
        assert!(check_download(&url("http://10.0.0.1/a.png"), true).is_err());
    }

    #[test]
    fn names_resolving_into_the_local_network_are_dropped() {
        let resolved: Vec<SocketAddr> = ["10.0.0.7:0", "93.184.216.34:0", "[fe80::2]:0"]
            .iter()
            .map(|a| a.parse().unwrap())
            .collect();
        assert_eq!(
            public_addresses(resolved),
            vec!["93.184.216.34:0".parse::<SocketAddr>().unwrap()]
        );
    }

    #[test]
    fn a_proxied_name_needs_every_address_public() {
        let addresses = |list: &[&str]| -> Vec<SocketAddr> {
            list.iter().map(|a| a.parse().unwrap()).collect()
        };
        assert_eq!(
            all_public(
                "cdn.example",
                addresses(&["93.184.216.34:0", "[2606:2800::1]:0"])
            ),
            Ok(())
        );
        for list in [
            &["93.184.216.34:0", "10.0.0.7:0"][..],
            &["[fec0::1]:0"],
            &["[64:ff9b::5db8:d822]:0"],
            &["127.0.0.1:0"],
            &[],
        ] {
            let refused = all_public("cdn.example", addresses(list));
            assert!(
                refused
                    .as_ref()
                    .is_err_and(|r| r.0.starts_with("refusing to download from cdn.example")),
                "{list:?}: {refused:?}"
            );
        }
    }
}
