//! Pure forwarding bookkeeping: keyframe-request throttling, keyframe-on-subscribe, payload
//! type mapping and header rewriting. No I/O, no clock: every time is an argument, so all of it
//! is unit-tested with virtual time.

use std::time::{Duration, Instant};

use rtc::rtp;

/// Default minimum spacing of keyframe requests sent to one publisher track.
pub const PLI_INTERVAL: Duration = Duration::from_millis(500);

/// Throttles keyframe requests (PLI) towards one publisher video track.
///
/// At most one request per `interval`. A request that arrives inside the interval is not lost:
/// it is remembered and becomes due when the interval ends (trailing edge), so a subscriber that
/// joins right after another still gets its keyframe within `interval`.
#[derive(Debug, Clone)]
pub struct PliThrottle {
    interval: Duration,
    last_sent: Option<Instant>,
    pending: bool,
}

impl PliThrottle {
    /// A throttle allowing one request per `interval`.
    pub fn new(interval: Duration) -> Self {
        Self {
            interval,
            last_sent: None,
            pending: false,
        }
    }

    /// A keyframe was asked for at `now`. Returns true when a PLI must be sent now; otherwise the
    /// request is remembered and [`Self::poll_timeout`] says when it becomes due.
    pub fn request(&mut self, now: Instant) -> bool {
        match self.last_sent {
            Some(last) if now.saturating_duration_since(last) < self.interval => {
                self.pending = true;
                false
            }
            _ => {
                self.last_sent = Some(now);
                self.pending = false;
                true
            }
        }
    }

    /// When a remembered request becomes due, if any.
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.pending {
            self.last_sent.map(|l| l + self.interval)
        } else {
            None
        }
    }

    /// Advances time. Returns true when a remembered request is due and a PLI must be sent now.
    pub fn handle_timeout(&mut self, now: Instant) -> bool {
        match self.poll_timeout() {
            Some(due) if now >= due => {
                self.last_sent = Some(now);
                self.pending = false;
                true
            }
            _ => false,
        }
    }
}

impl Default for PliThrottle {
    fn default() -> Self {
        Self::new(PLI_INTERVAL)
    }
}

/// Tracks when a new subscriber leg becomes able to render, so the publisher is asked for a
/// keyframe exactly once, as soon as the leg is both negotiated (answer applied) and connected
/// (ICE+DTLS up).
#[derive(Debug, Clone, Default)]
pub struct SubscribeKeyframe {
    negotiated: bool,
    connected: bool,
    requested: bool,
}

impl SubscribeKeyframe {
    /// The subscriber's answer covering this leg was applied. Returns true when a keyframe must
    /// be requested now.
    pub fn on_negotiated(&mut self) -> bool {
        self.negotiated = true;
        self.check()
    }

    /// The subscriber's connection is up. Returns true when a keyframe must be requested now.
    pub fn on_connected(&mut self) -> bool {
        self.connected = true;
        self.check()
    }

    /// Media may be written on this leg.
    pub fn is_active(&self) -> bool {
        self.negotiated && self.connected
    }

    fn check(&mut self) -> bool {
        if self.negotiated && self.connected && !self.requested {
            self.requested = true;
            true
        } else {
            false
        }
    }
}

/// Maps the publisher's payload types to the subscriber leg's (matched by codec). Small and
/// linear: a handful of entries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PayloadMap {
    pairs: Vec<(u8, u8)>,
}

/// One negotiated codec as far as mapping is concerned.
#[derive(Debug, Clone, Copy)]
pub struct CodecRef<'a> {
    /// Payload type.
    pub payload_type: u8,
    /// e.g. `video/VP8`.
    pub mime_type: &'a str,
    /// The fmtp line.
    pub fmtp: &'a str,
}

impl PayloadMap {
    /// Builds the map: for each publisher codec, the subscriber codec with the same MIME type,
    /// preferring the same H.264 `packetization-mode` and `profile-level-id` when several match.
    pub fn build(publisher: &[CodecRef<'_>], subscriber: &[CodecRef<'_>]) -> Self {
        let mut pairs = Vec::new();
        for p in publisher {
            let candidates = subscriber
                .iter()
                .filter(|s| s.mime_type.eq_ignore_ascii_case(p.mime_type));
            let best = candidates
                .clone()
                .find(|s| fmtp_compatible(p.fmtp, s.fmtp))
                .or_else(|| {
                    // Only H.264 needs exact profile agreement; other codecs map by MIME type.
                    if p.mime_type.eq_ignore_ascii_case("video/H264") {
                        None
                    } else {
                        candidates.clone().next()
                    }
                });
            if let Some(s) = best {
                pairs.push((p.payload_type, s.payload_type));
            }
        }
        Self { pairs }
    }

    /// The subscriber payload type for a publisher payload type.
    #[inline]
    pub fn map(&self, pt: u8) -> Option<u8> {
        self.pairs.iter().find(|(i, _)| *i == pt).map(|(_, o)| *o)
    }

    /// True when nothing maps.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }
}

fn fmtp_param<'a>(fmtp: &'a str, key: &str) -> Option<&'a str> {
    fmtp.split(';').find_map(|kv| {
        let (k, v) = kv.trim().split_once('=')?;
        k.trim().eq_ignore_ascii_case(key).then_some(v.trim())
    })
}

fn fmtp_compatible(a: &str, b: &str) -> bool {
    let pm = |f| fmtp_param(f, "packetization-mode").unwrap_or("0");
    let profile = |f| {
        fmtp_param(f, "profile-level-id")
            .map(|p| p.get(..4).unwrap_or(p).to_ascii_lowercase())
            .unwrap_or_default()
    };
    pm(a) == pm(b) && profile(a) == profile(b)
}

/// Rewrites a publisher packet for a subscriber leg: the leg's SSRC and payload type, header
/// extensions stripped (their ids are negotiated per leg, and the ones that matter for a
/// forwarded stream — transport-cc, abs-send-time — are per-hop anyway). Sequence numbers and
/// timestamps pass through: one publisher track feeds one leg for the leg's whole life.
///
/// Returns `None` when the payload type has no counterpart on the leg. Allocates nothing unless
/// the packet carries CSRCs.
#[inline]
pub fn rewrite(packet: &rtp::Packet, ssrc: u32, map: &PayloadMap) -> Option<rtp::Packet> {
    let pt = map.map(packet.header.payload_type)?;
    let h = &packet.header;
    Some(rtp::Packet {
        header: rtp::header::Header {
            version: h.version,
            padding: false,
            extension: false,
            marker: h.marker,
            payload_type: pt,
            sequence_number: h.sequence_number,
            timestamp: h.timestamp,
            ssrc,
            csrc: h.csrc.clone(),
            extension_profile: 0,
            extensions: Vec::new(),
            ..Default::default()
        },
        payload: packet.payload.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn pli_throttle_allows_one_per_interval_and_remembers_the_rest() {
        let t0 = Instant::now();
        let mut t = PliThrottle::new(ms(500));
        assert!(t.request(t0), "first request goes out at once");
        assert_eq!(t.poll_timeout(), None);
        assert!(!t.request(t0 + ms(10)), "second inside interval is held");
        assert!(!t.request(t0 + ms(20)), "third coalesces with the second");
        assert_eq!(t.poll_timeout(), Some(t0 + ms(500)));
        assert!(!t.handle_timeout(t0 + ms(499)));
        assert!(t.handle_timeout(t0 + ms(500)), "held request becomes due");
        assert!(!t.handle_timeout(t0 + ms(501)), "only once");
        assert_eq!(t.poll_timeout(), None);
        // Next request inside the new interval is held again, counted from the trailing send.
        assert!(!t.request(t0 + ms(900)));
        assert_eq!(t.poll_timeout(), Some(t0 + ms(1000)));
        // A request after the interval goes straight out and clears the pending one.
        assert!(t.request(t0 + ms(2000)));
        assert_eq!(t.poll_timeout(), None);
    }

    #[test]
    fn pli_throttle_counts_requests_over_a_burst() {
        // 100 subscriber PLIs in 1 s (every 10 ms) -> at most 3 PLIs (0, 500, 1000 ms).
        let t0 = Instant::now();
        let mut t = PliThrottle::default();
        let mut sent = 0;
        for i in 0..=100u64 {
            let now = t0 + ms(i * 10);
            if t.handle_timeout(now) {
                sent += 1;
            }
            if t.request(now) {
                sent += 1;
            }
        }
        assert_eq!(sent, 3);
    }

    #[test]
    fn keyframe_on_subscribe_fires_once_when_negotiated_and_connected() {
        let mut k = SubscribeKeyframe::default();
        assert!(!k.on_negotiated());
        assert!(!k.is_active());
        assert!(k.on_connected(), "fires when the second condition arrives");
        assert!(k.is_active());
        assert!(!k.on_connected(), "never twice");
        assert!(!k.on_negotiated());

        let mut k = SubscribeKeyframe::default();
        assert!(!k.on_connected());
        assert!(k.on_negotiated(), "order does not matter");
    }

    #[test]
    fn new_subscriber_keyframe_goes_through_the_throttle_without_loss() {
        // Publisher just sent a PLI for subscriber A; subscriber B becomes active 100 ms later.
        let t0 = Instant::now();
        let mut throttle = PliThrottle::default();
        assert!(throttle.request(t0));
        let mut b = SubscribeKeyframe::default();
        b.on_connected();
        let now = t0 + ms(100);
        assert!(b.on_negotiated());
        assert!(!throttle.request(now), "held by the throttle");
        assert!(
            throttle.handle_timeout(t0 + ms(500)),
            "but sent at the end of the interval"
        );
    }

    fn c<'a>(pt: u8, mime: &'a str, fmtp: &'a str) -> CodecRef<'a> {
        CodecRef {
            payload_type: pt,
            mime_type: mime,
            fmtp,
        }
    }

    #[test]
    fn payload_map_matches_by_codec() {
        let publisher = [
            c(111, "audio/opus", "minptime=10;useinbandfec=1"),
            c(96, "video/VP8", ""),
            c(
                102,
                "video/H264",
                "packetization-mode=1;profile-level-id=42e01f",
            ),
            c(35, "video/AV1", ""),
        ];
        let subscriber = [
            c(109, "audio/OPUS", ""),
            c(120, "video/vp8", ""),
            c(
                125,
                "video/H264",
                "profile-level-id=42001f;packetization-mode=0",
            ),
            c(
                126,
                "video/H264",
                "profile-level-id=42e01f;packetization-mode=1",
            ),
        ];
        let m = PayloadMap::build(&publisher, &subscriber);
        assert_eq!(m.map(111), Some(109));
        assert_eq!(m.map(96), Some(120));
        assert_eq!(m.map(102), Some(126));
        assert_eq!(m.map(35), None);
        assert_eq!(m.map(0), None);
    }

    #[test]
    fn rewrite_sets_ssrc_pt_and_strips_extensions() {
        let mut p = rtp::Packet::default();
        p.header.version = 2;
        p.header.payload_type = 96;
        p.header.sequence_number = 7;
        p.header.timestamp = 9000;
        p.header.ssrc = 1;
        p.header.marker = true;
        p.header.extension = true;
        p.header.extension_profile = 0xBEDE;
        p.header.extensions.push(rtp::header::Extension {
            id: 3,
            payload: bytes::Bytes::from_static(&[1, 2]),
        });
        p.payload = bytes::Bytes::from_static(b"frame");
        let m = PayloadMap::build(&[c(96, "video/VP8", "")], &[c(100, "video/VP8", "")]);
        let out = rewrite(&p, 42, &m).expect("mapped");
        assert_eq!(out.header.ssrc, 42);
        assert_eq!(out.header.payload_type, 100);
        assert_eq!(out.header.sequence_number, 7);
        assert_eq!(out.header.timestamp, 9000);
        assert!(out.header.marker);
        assert!(!out.header.extension && out.header.extensions.is_empty());
        assert_eq!(&out.payload[..], b"frame");
        p.header.payload_type = 97;
        assert!(rewrite(&p, 42, &m).is_none());
    }
}
