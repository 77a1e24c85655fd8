//! Rough syntax check of trickled ICE candidates (RFC 8839 §5.1).
//!
//! The server is ICE-lite: it learns client addresses from their connectivity checks, so
//! trickled candidates are validated and then ignored.

use crate::SfuError;

/// Checks `candidate` (with or without the `a=` / `candidate:` prefixes). An empty string is the
/// end-of-candidates marker and is accepted.
pub fn validate(candidate: &str) -> Result<(), SfuError> {
    let bad = |why: &str| Err(SfuError::BadCandidate(why.to_owned()));
    let c = candidate.trim();
    let c = c.strip_prefix("a=").unwrap_or(c);
    if c.is_empty() {
        return Ok(());
    }
    let Some(c) = c.strip_prefix("candidate:") else {
        return bad("missing 'candidate:' prefix");
    };
    let mut f = c.split_ascii_whitespace();
    let (Some(foundation), Some(component), Some(transport), Some(priority)) =
        (f.next(), f.next(), f.next(), f.next())
    else {
        return bad("too few fields");
    };
    let (Some(address), Some(port), Some(typ_kw), Some(typ)) =
        (f.next(), f.next(), f.next(), f.next())
    else {
        return bad("too few fields");
    };
    if foundation.is_empty() || foundation.len() > 32 {
        return bad("foundation");
    }
    if !matches!(component.parse::<u16>(), Ok(1..=256)) {
        return bad("component");
    }
    if !(transport.eq_ignore_ascii_case("udp") || transport.eq_ignore_ascii_case("tcp")) {
        return bad("transport");
    }
    if priority.parse::<u32>().is_err() {
        return bad("priority");
    }
    let address_ok = address.parse::<std::net::IpAddr>().is_ok()
        || (address.len() <= 253
            && address.ends_with(".local")
            && address
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.'));
    if !address_ok {
        return bad("connection address");
    }
    if port.parse::<u16>().is_err() {
        return bad("port");
    }
    if typ_kw != "typ" || !matches!(typ, "host" | "srflx" | "prflx" | "relay") {
        return bad("candidate type");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_real_candidates() {
        for c in [
            "candidate:842163049 1 udp 1677729535 203.0.113.5 46154 typ srflx raddr 0.0.0.0 rport 0 generation 0 ufrag sXP5 network-cost 999",
            "candidate:1 1 UDP 2130706431 192.168.1.10 50000 typ host",
            "a=candidate:1 1 udp 2130706431 fe80::1 50000 typ host",
            "candidate:2 1 udp 2113937151 5e2e1e5c-3c3a-4a2b-9b5d-1f0b2b7a1c11.local 54400 typ host generation 0",
            "candidate:3 1 tcp 1518280447 10.0.0.1 9 typ host tcptype active",
            "",
        ] {
            assert!(validate(c).is_ok(), "{c}");
        }
    }

    #[test]
    fn rejects_garbage() {
        for c in [
            "hello",
            "candidate:",
            "candidate:1 1 udp",
            "candidate:1 0 udp 1 1.2.3.4 5 typ host",
            "candidate:1 1 sctp 1 1.2.3.4 5 typ host",
            "candidate:1 1 udp x 1.2.3.4 5 typ host",
            "candidate:1 1 udp 1 not-an-ip 5 typ host",
            "candidate:1 1 udp 1 1.2.3.4 99999 typ host",
            "candidate:1 1 udp 1 1.2.3.4 5 type host",
            "candidate:1 1 udp 1 1.2.3.4 5 typ bogus",
        ] {
            assert!(matches!(validate(c), Err(SfuError::BadCandidate(_))), "{c}");
        }
    }
}
