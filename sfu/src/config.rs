//! SFU configuration.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// How the SFU binds and what it announces.
#[derive(Debug, Clone)]
pub struct SfuConfig {
    /// The one UDP socket all peers share. Port 0 picks a free port.
    pub bind: SocketAddr,
    /// IPs written into host candidates (NAT 1:1: the public IPs). Empty: the bind IP; when the
    /// bind IP is unspecified (`0.0.0.0`), `127.0.0.1` plus this machine's primary outbound IPv4
    /// address when one can be found without network traffic (a connected UDP socket's local
    /// address; nothing is sent).
    pub announce: Vec<IpAddr>,
    /// Room capacity (the 7th participant of a 6-room gets [`crate::SfuError::RoomFull`]).
    pub max_participants_per_room: usize,
    /// Media sections a participant may send on (`sendrecv`/`sendonly` in its offer): the web
    /// client sends audio and camera video, a screen share would be a third; one spare.
    pub max_sending_sections: usize,
    /// Media sections a participant's own offers may add to its connection over its life
    /// (sections the server added for other participants' tracks do not count). A new mid in
    /// an offer creates a transceiver that stays, so without a bound a client can make every
    /// later offer, and the engine task serving every room, slower and slower.
    pub max_client_sections: usize,
}

impl Default for SfuConfig {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            announce: Vec::new(),
            max_participants_per_room: 6,
            max_sending_sections: 4,
            max_client_sections: 16,
        }
    }
}

/// The IPs to announce for a socket bound to `bound`.
pub(crate) fn announced_ips(config: &SfuConfig, bound: SocketAddr) -> Vec<IpAddr> {
    if !config.announce.is_empty() {
        return config.announce.clone();
    }
    if !bound.ip().is_unspecified() {
        return vec![bound.ip()];
    }
    let mut ips = vec![IpAddr::V4(Ipv4Addr::LOCALHOST)];
    if let Some(ip) = primary_ipv4()
        && !ips.contains(&ip)
    {
        ips.push(ip);
    }
    ips
}

/// The source address the kernel would use towards a public address. `connect` on UDP sends
/// nothing; if there is no route (loopback-only machine) this returns `None`.
fn primary_ipv4() -> Option<IpAddr> {
    let s = std::net::UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0)).ok()?;
    s.connect((Ipv4Addr::new(192, 0, 2, 1), 9)).ok()?;
    let ip = s.local_addr().ok()?.ip();
    (!ip.is_unspecified() && !ip.is_loopback()).then_some(ip)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn announce_defaults() {
        let c = SfuConfig::default();
        let bound: SocketAddr = "127.0.0.1:5000".parse().unwrap();
        assert_eq!(announced_ips(&c, bound), vec![bound.ip()]);
        let any: SocketAddr = "0.0.0.0:5000".parse().unwrap();
        assert_eq!(announced_ips(&c, any)[0], IpAddr::V4(Ipv4Addr::LOCALHOST));
        let c = SfuConfig {
            announce: vec!["203.0.113.7".parse().unwrap()],
            ..SfuConfig::default()
        };
        assert_eq!(announced_ips(&c, any), c.announce);
    }
}
