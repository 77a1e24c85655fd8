//! The server under test: its base URL, split into what the HTTP and WebSocket clients need,
//! and the loopback check that keeps a load test from leaving the machine by accident.

use std::fmt;
use std::net::IpAddr;

/// Why a target URL was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TargetError {
    /// Not `http://host[:port][/]` or `https://…`.
    #[error("target {0:?} is not a URL of the form http://host:port or https://host:port")]
    BadUrl(String),
    /// An `https` target without `--insecure` (no other trust store is configured).
    #[error(
        "target {0} uses https; only the server's development certificate is supported, \
         accept it explicitly with --insecure"
    )]
    TlsNeedsInsecure(String),
    /// A target that is not loopback, without `--allow-remote`.
    #[error(
        "target host {0:?} is not a loopback address; a load test sends real traffic, so \
         pass --allow-remote to load a server on another machine"
    )]
    NotLoopback(String),
}

/// URL scheme of the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// Plain HTTP and WebSocket.
    Http,
    /// HTTPS and secure WebSocket.
    Https,
}

/// A parsed target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// http or https.
    pub scheme: Scheme,
    /// Host name or IP literal (IPv6 without brackets).
    pub host: String,
    /// TCP port.
    pub port: u16,
}

impl Target {
    /// Parses `http://host[:port][/]` or `https://host[:port][/]`. Paths, queries and user
    /// info are refused: the tool knows the server's paths itself.
    pub fn parse(url: &str) -> Result<Self, TargetError> {
        let bad = || TargetError::BadUrl(url.to_owned());
        let (scheme, rest) = if let Some(rest) = url.strip_prefix("http://") {
            (Scheme::Http, rest)
        } else if let Some(rest) = url.strip_prefix("https://") {
            (Scheme::Https, rest)
        } else {
            return Err(bad());
        };
        let authority = rest.strip_suffix('/').unwrap_or(rest);
        if authority.is_empty() || authority.contains(['/', '?', '#', '@']) {
            return Err(bad());
        }
        let default_port = match scheme {
            Scheme::Http => 80,
            Scheme::Https => 443,
        };
        let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
            let (host, after) = v6.split_once(']').ok_or_else(bad)?;
            host.parse::<std::net::Ipv6Addr>().map_err(|_| bad())?;
            let port = match after {
                "" => default_port,
                _ => after
                    .strip_prefix(':')
                    .and_then(|p| p.parse().ok())
                    .ok_or_else(bad)?,
            };
            (host.to_owned(), port)
        } else {
            match authority.split_once(':') {
                Some((host, port)) => (host.to_owned(), port.parse().map_err(|_| bad())?),
                None => (authority.to_owned(), default_port),
            }
        };
        let valid_host = !host.is_empty()
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':'));
        if !valid_host || port == 0 {
            return Err(bad());
        }
        Ok(Self { scheme, host, port })
    }

    /// Whether the host is a loopback IP literal or `localhost`.
    pub fn is_loopback(&self) -> bool {
        self.host.eq_ignore_ascii_case("localhost")
            || self.host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
    }

    /// Refuses a target the run may not use: not loopback without `allow_remote`, or https
    /// without `insecure`.
    pub fn check(&self, allow_remote: bool, insecure: bool) -> Result<(), TargetError> {
        if !allow_remote && !self.is_loopback() {
            return Err(TargetError::NotLoopback(self.host.clone()));
        }
        if self.scheme == Scheme::Https && !insecure {
            return Err(TargetError::TlsNeedsInsecure(self.to_string()));
        }
        Ok(())
    }

    /// `host:port` for the `Host` header and for connecting (IPv6 in brackets).
    pub fn authority(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// The signalling WebSocket URL.
    pub fn ws_url(&self) -> String {
        let scheme = match self.scheme {
            Scheme::Http => "ws",
            Scheme::Https => "wss",
        };
        format!("{scheme}://{}/v1/signal", self.authority())
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = match self.scheme {
            Scheme::Http => "http",
            Scheme::Https => "https",
        };
        write!(f, "{scheme}://{}", self.authority())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_derives_urls() {
        let t = Target::parse("http://127.0.0.1:8080/").unwrap();
        assert_eq!(
            (t.scheme, t.host.as_str(), t.port),
            (Scheme::Http, "127.0.0.1", 8080)
        );
        assert_eq!(t.ws_url(), "ws://127.0.0.1:8080/v1/signal");
        assert_eq!(t.to_string(), "http://127.0.0.1:8080");
        let t = Target::parse("https://[::1]:8443").unwrap();
        assert_eq!(t.ws_url(), "wss://[::1]:8443/v1/signal");
        assert!(t.is_loopback());
        assert_eq!(Target::parse("http://localhost").unwrap().port, 80);
    }

    #[test]
    fn refuses_bad_urls() {
        for url in [
            "127.0.0.1:8080",
            "ftp://x",
            "http://",
            "http://h:0",
            "http://h:x",
            "http://h/path",
            "http://u@h",
            "http://h?q",
            "http://[::1",
            "http://bad host",
        ] {
            assert!(Target::parse(url).is_err(), "{url}");
        }
    }

    #[test]
    fn remote_targets_need_allow_remote() {
        let remote = Target::parse("http://192.0.2.1:8080").unwrap();
        assert!(matches!(
            remote.check(false, false),
            Err(TargetError::NotLoopback(_))
        ));
        assert!(remote.check(true, false).is_ok());
        // A name that may resolve anywhere is remote too.
        let named = Target::parse("http://example.org").unwrap();
        assert!(named.check(false, false).is_err());
        for local in [
            "http://127.0.0.1:1",
            "http://127.9.9.9:1",
            "http://[::1]:1",
            "http://LOCALHOST:1",
        ] {
            assert!(
                Target::parse(local).unwrap().check(false, false).is_ok(),
                "{local}"
            );
        }
    }

    #[test]
    fn https_needs_insecure() {
        let t = Target::parse("https://127.0.0.1:8443").unwrap();
        assert!(matches!(
            t.check(false, false),
            Err(TargetError::TlsNeedsInsecure(_))
        ));
        assert!(t.check(false, true).is_ok());
    }
}
