use std::fmt;
use std::net::IpAddr;

use reqwest::Url;

/// The hosts TTAPI documents. Pay-per-use accounts use `api.*`, hosted ("hold") Midjourney accounts
/// `hold.*`; the `.org` twins are TTAPI's accelerated routes for long calls.
pub const KNOWN_HOSTS: [(&str, &str); 4] = [
    ("https://api.ttapi.io", "TTAPI (api.ttapi.io)"),
    ("https://api.ttapi.org", "TTAPI accelerated (api.ttapi.org)"),
    ("https://hold.ttapi.io", "Hold account (hold.ttapi.io)"),
    (
        "https://hold.ttapi.org",
        "Hold account accelerated (hold.ttapi.org)",
    ),
];

pub const DEFAULT_BASE_URL: &str = KNOWN_HOSTS[0].0;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BaseUrlError {
    #[error("`{0}` is not a URL")]
    NotAUrl(String),
    #[error(
        "`{0}` must start with https:// (plain http:// is only allowed for this machine, e.g. http://127.0.0.1:PORT)"
    )]
    Insecure(String),
    #[error("`{0}` must be an http(s) address without user name, password, query or fragment")]
    Unsupported(String),
}

/// Where the service lives: `https://` anywhere, or `http://` on loopback only (the simulator), because the
/// key travels in a header on every request.
#[derive(Clone, PartialEq, Eq)]
pub struct BaseUrl(Url);

impl BaseUrl {
    pub fn parse(input: &str) -> Result<BaseUrl, BaseUrlError> {
        let trimmed = input.trim().trim_end_matches('/');
        let url = Url::parse(trimmed).map_err(|_| BaseUrlError::NotAUrl(input.to_owned()))?;
        if url.host_str().is_none()
            || !url.username().is_empty()
            || url.password().is_some()
            || url.query().is_some()
            || url.fragment().is_some()
        {
            return Err(BaseUrlError::Unsupported(input.to_owned()));
        }
        match url.scheme() {
            "https" => Ok(BaseUrl(url)),
            "http" if is_loopback(&url) => Ok(BaseUrl(url)),
            "http" => Err(BaseUrlError::Insecure(input.to_owned())),
            _ => Err(BaseUrlError::Unsupported(input.to_owned())),
        }
    }

    pub fn official() -> BaseUrl {
        BaseUrl(Url::parse(DEFAULT_BASE_URL).expect("the default base URL is a valid literal"))
    }

    /// `https://api.ttapi.io` + `/midjourney/v1/imagine`.
    pub fn join(&self, path: &str) -> Url {
        let mut url = self.0.clone();
        let base_path = url.path().trim_end_matches('/').to_owned();
        url.set_path(&format!("{base_path}{path}"));
        url
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str().trim_end_matches('/')
    }

    /// The service runs on this machine (the simulator).
    pub fn is_loopback(&self) -> bool {
        is_loopback(&self.0)
    }

    /// The origin requests carrying the key may go to.
    pub fn url(&self) -> &Url {
        &self.0
    }

    /// The host is neither one of TTAPI's nor this machine: the key goes there only with the user's consent.
    pub fn needs_consent(&self) -> bool {
        !self.is_loopback() && !KNOWN_HOSTS.iter().any(|(known, _)| *known == self.as_str())
    }
}

/// Whether a URL points at this machine (where plain http cannot be sniffed by anyone else).
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

impl fmt::Debug for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BaseUrl({})", self.as_str())
    }
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_hosts_outside_ttapi_and_this_machine_need_consent() {
        let needs = |url: &str| BaseUrl::parse(url).unwrap().needs_consent();
        assert!(!needs("https://api.ttapi.io"));
        assert!(!needs("https://hold.ttapi.org/"));
        assert!(!needs("http://127.0.0.1:8787"));
        assert!(!needs("http://localhost:9000"));
        assert!(needs("https://ttapi-proxy.example.com"));
        assert!(needs("https://api.ttapi.io.evil.example"));
    }

    #[test]
    fn https_hosts_and_loopback_http_are_accepted() {
        for (url, _) in KNOWN_HOSTS {
            assert_eq!(BaseUrl::parse(url).unwrap().as_str(), url);
        }
        for ok in [
            "http://127.0.0.1:8080",
            "http://localhost:3000/",
            "http://[::1]:9000",
            "https://proxy.example.com/ttapi",
        ] {
            assert!(BaseUrl::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn plain_http_elsewhere_and_odd_urls_are_refused() {
        let cases = [
            ("http://api.ttapi.io", "https://"),
            ("http://192.168.1.5:8080", "https://"),
            ("ftp://api.ttapi.io", "http(s)"),
            ("api.ttapi.io", "not a URL"),
            ("https://user:pw@api.ttapi.io", "user name"),
            ("https://api.ttapi.io?x=1", "query"),
        ];
        for (input, says) in cases {
            let err = BaseUrl::parse(input).unwrap_err().to_string();
            assert!(err.contains(says), "{input}: {err}");
        }
    }

    #[test]
    fn paths_join_under_a_prefix() {
        let base = BaseUrl::parse("https://proxy.example.com/ttapi/").unwrap();
        assert_eq!(
            base.join("/midjourney/v1/fetch").as_str(),
            "https://proxy.example.com/ttapi/midjourney/v1/fetch"
        );
        assert_eq!(
            BaseUrl::official().join("/midjourney/v1/info").as_str(),
            "https://api.ttapi.io/midjourney/v1/info"
        );
    }
}
