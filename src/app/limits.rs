//! Limits of the HTTP edge against slow and greedy clients ([`HttpLimits`]), and the count of
//! open connections that enforces the caps ([`ConnectionSlots`]).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Deserialize;

use crate::api::ClientAddr;

/// How long the HTTP edge waits for slow clients and how many connections it keeps open. The
/// same limits apply to the plain-HTTP and the HTTPS listener.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpLimits {
    /// Time to receive a request's headers (and the TLS handshake), counted from the
    /// connection's opening or the end of the previous answer: it is also how long an idle
    /// keep-alive connection is kept.
    pub header_timeout: Duration,
    /// Time to receive a request's whole body, counted from when the server starts reading it:
    /// slower uploads are answered 408 `request_timeout` and the connection is closed.
    pub body_timeout: Duration,
    /// A keep-alive connection is closed after its current answer once it is this old. A
    /// connection upgraded to a WebSocket is no longer HTTP: none of these times apply to it.
    pub max_connection_age: Duration,
    /// Open connections (WebSockets included) at most, all clients together; a connection
    /// beyond it is closed at once.
    pub max_connections: usize,
    /// Open connections (WebSockets included) at most from one IP address.
    pub max_connections_per_ip: usize,
}

impl Default for HttpLimits {
    fn default() -> Self {
        Self {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            max_connection_age: Duration::from_secs(600),
            max_connections: 4096,
            max_connections_per_ip: 256,
        }
    }
}

/// The `[http]` table of the TOML configuration file; every key is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpLimitsFile {
    header_timeout_secs: Option<u64>,
    body_timeout_secs: Option<u64>,
    max_connection_age_secs: Option<u64>,
    max_connections: Option<usize>,
    max_connections_per_ip: Option<usize>,
}

impl HttpLimitsFile {
    /// The limits, defaults filled in; zero is refused everywhere.
    pub fn resolve(&self) -> anyhow::Result<HttpLimits> {
        let d = HttpLimits::default();
        let secs = |key: &str, v: Option<u64>, default: Duration| match v {
            None => Ok(default),
            Some(0) => anyhow::bail!("http.{key} must be at least 1"),
            Some(s) => Ok(Duration::from_secs(s)),
        };
        let count = |key: &str, v: Option<usize>, default: usize| match v {
            None => Ok(default),
            Some(0) => anyhow::bail!("http.{key} must be at least 1"),
            Some(n) => Ok(n),
        };
        Ok(HttpLimits {
            header_timeout: secs(
                "header_timeout_secs",
                self.header_timeout_secs,
                d.header_timeout,
            )?,
            body_timeout: secs("body_timeout_secs", self.body_timeout_secs, d.body_timeout)?,
            max_connection_age: secs(
                "max_connection_age_secs",
                self.max_connection_age_secs,
                d.max_connection_age,
            )?,
            max_connections: count("max_connections", self.max_connections, d.max_connections)?,
            max_connections_per_ip: count(
                "max_connections_per_ip",
                self.max_connections_per_ip,
                d.max_connections_per_ip,
            )?,
        })
    }
}

#[derive(Debug, Default)]
struct Counts {
    total: usize,
    per_ip: HashMap<IpAddr, usize>,
}

/// The open connections, counted overall and per IP address.
#[derive(Debug)]
pub struct ConnectionSlots {
    max_total: usize,
    max_per_ip: usize,
    counts: Mutex<Counts>,
}

/// One open connection's place; freed when dropped (when the connection, or the WebSocket it
/// became, ends).
#[derive(Debug)]
pub struct Slot {
    slots: Arc<ConnectionSlots>,
    ip: IpAddr,
}

impl ConnectionSlots {
    /// Slots for at most `limits.max_connections` connections, `max_connections_per_ip` from
    /// one address.
    pub fn new(limits: &HttpLimits) -> Arc<Self> {
        Arc::new(Self {
            max_total: limits.max_connections,
            max_per_ip: limits.max_connections_per_ip,
            counts: Mutex::new(Counts::default()),
        })
    }

    /// A place for one more connection from `ip`, if both caps allow it. Addresses are counted
    /// as the login limits count them ([`ClientAddr::of`]): IPv4-mapped IPv6 as IPv4, IPv6 by
    /// its /64 network (one host usually holds a whole /64).
    pub fn take(self: &Arc<Self>, ip: IpAddr) -> Option<Slot> {
        let ip = ClientAddr::of(ip).0;
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        if counts.total >= self.max_total {
            return None;
        }
        let mine = counts.per_ip.entry(ip).or_insert(0);
        if *mine >= self.max_per_ip {
            return None;
        }
        *mine += 1;
        counts.total += 1;
        Some(Slot {
            slots: self.clone(),
            ip,
        })
    }

    /// Open connections now.
    pub fn open(&self) -> usize {
        self.counts.lock().unwrap_or_else(|e| e.into_inner()).total
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut counts = self.slots.counts.lock().unwrap_or_else(|e| e.into_inner());
        counts.total = counts.total.saturating_sub(1);
        if let Some(n) = counts.per_ip.get_mut(&self.ip) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                counts.per_ip.remove(&self.ip);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_per_address_and_overall_and_frees_on_drop() {
        let slots = ConnectionSlots::new(&HttpLimits {
            max_connections: 3,
            max_connections_per_ip: 2,
            ..HttpLimits::default()
        });
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let mapped: IpAddr = "::ffff:10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        let c: IpAddr = "10.0.0.3".parse().unwrap();
        let first = slots.take(a).unwrap();
        let _second = slots.take(mapped).unwrap();
        assert!(
            slots.take(a).is_none(),
            "IPv4-mapped counts as the same address"
        );
        let _third = slots.take(b).unwrap();
        assert!(slots.take(c).is_none(), "overall cap");
        drop(first);
        let _fourth = slots.take(c).unwrap();
        assert_eq!(slots.open(), 3);
    }

    #[test]
    fn ipv6_addresses_of_one_64_share_the_cap() {
        let slots = ConnectionSlots::new(&HttpLimits {
            max_connections: 10,
            max_connections_per_ip: 2,
            ..HttpLimits::default()
        });
        let host = |last: &str| -> IpAddr { format!("2001:db8:1:2::{last}").parse().unwrap() };
        let _one = slots.take(host("1")).unwrap();
        let _two = slots.take(host("abcd")).unwrap();
        assert!(
            slots.take(host("ffff")).is_none(),
            "a third address of the same /64"
        );
        let other: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert!(slots.take(other).is_some(), "another /64");
    }

    #[test]
    fn zero_limits_are_refused() {
        let file: HttpLimitsFile = toml::from_str("max_connections = 0").unwrap();
        assert!(file.resolve().is_err());
        let file: HttpLimitsFile = toml::from_str("header_timeout_secs = 2").unwrap();
        assert_eq!(
            file.resolve().unwrap().header_timeout,
            Duration::from_secs(2)
        );
    }
}
