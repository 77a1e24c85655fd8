//! Synthetic media, packetized like the real thing but without an encoder.
//!
//! Pure code: callers pass the send time in, packets come out. Payloads are prepared once;
//! per packet only the RTP header and the 8-byte send time change.
//!
//! Payload layouts (the send time is a big-endian [`crate::clock::mono_micros`] value):
//! - Opus: `TOC(0x78) | send_time(8) | filler` — 80 bytes.
//! - VP8: `descriptor(4: X, I, 15-bit picture id) | [frame header, first packet only] |
//!   send_time(8) | filler`. The frame header is the real VP8 frame tag (keyframe bit = 0 on
//!   keyframes), plus the start code and dimensions on keyframes.

use bytes::{BufMut, Bytes, BytesMut};
use rtc::rtp;
use sportello_signalling::protocol::MediaKind;
use std::time::Duration;

/// Bytes of the send timestamp carried in every synthetic payload.
pub const SEND_TIME_LEN: usize = 8;
/// Largest RTP packet (header + payload) the video packetizer produces.
pub const MAX_RTP_PACKET_LEN: usize = 1200;
/// Size of the RTP fixed header (no CSRCs, no extensions).
const RTP_HEADER_LEN: usize = 12;
/// Size of our VP8 payload descriptor: X=1, I=1 with a 15-bit picture id.
const VP8_DESCRIPTOR_LEN: usize = 4;
const VP8_KEY_HEADER_LEN: usize = 10;
const VP8_DELTA_HEADER_LEN: usize = 3;

/// Opus payload size in bytes (≈ 32 kbit/s at 50 packets/s).
pub const OPUS_PAYLOAD_LEN: usize = 80;
/// Opus packet duration.
pub const OPUS_FRAME_DURATION: Duration = Duration::from_millis(20);
/// RTP timestamp increment per Opus packet (48 kHz clock).
const OPUS_TICKS_PER_PACKET: u32 = 960;
/// Opus TOC byte: config 15 (hybrid fullband, 20 ms), mono, one frame.
const OPUS_TOC: u8 = 0x78;
/// RTP clock of video.
const VIDEO_CLOCK_RATE: u32 = 90_000;
/// RTP clock of Opus.
const OPUS_CLOCK_RATE: u32 = 48_000;

/// The RTP clock rate of our synthetic media of `kind`.
pub fn clock_rate(kind: MediaKind) -> u32 {
    match kind {
        MediaKind::Audio => OPUS_CLOCK_RATE,
        MediaKind::Video => VIDEO_CLOCK_RATE,
    }
}

fn filler(len: usize, seed: u8) -> Bytes {
    // Not compressible-looking, not all zeros: a cheap xorshift pattern.
    let mut x: u32 = 0x9E37_79B9 ^ u32::from(seed);
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x.to_le_bytes()[0]
        })
        .collect::<Vec<u8>>()
        .into()
}

fn rtp_packet(
    payload_type: u8,
    seq: u16,
    timestamp: u32,
    ssrc: u32,
    marker: bool,
    payload: Bytes,
) -> rtp::Packet {
    rtp::Packet {
        header: rtp::header::Header {
            version: 2,
            marker,
            payload_type,
            sequence_number: seq,
            timestamp,
            ssrc,
            ..Default::default()
        },
        payload,
    }
}

/// Produces one Opus-like RTP packet per call; call it every [`OPUS_FRAME_DURATION`].
#[derive(Debug, Clone)]
pub struct AudioPacketizer {
    ssrc: u32,
    payload_type: u8,
    seq: u16,
    timestamp: u32,
    filler: Bytes,
}

impl AudioPacketizer {
    /// A packetizer starting at the given sequence number and RTP timestamp.
    pub fn new(ssrc: u32, payload_type: u8, first_seq: u16, first_timestamp: u32) -> Self {
        Self {
            ssrc,
            payload_type,
            seq: first_seq,
            timestamp: first_timestamp,
            filler: filler(OPUS_PAYLOAD_LEN - 1 - SEND_TIME_LEN, 0xA0),
        }
    }

    /// Change the payload type (after a renegotiation).
    pub fn set_payload_type(&mut self, payload_type: u8) {
        self.payload_type = payload_type;
    }

    /// The next 20-ms packet, stamped with `send_time_us`.
    pub fn next_packet(&mut self, send_time_us: u64) -> rtp::Packet {
        let mut payload = BytesMut::with_capacity(OPUS_PAYLOAD_LEN);
        payload.put_u8(OPUS_TOC);
        payload.put_u64(send_time_us);
        payload.extend_from_slice(&self.filler);
        let packet = rtp_packet(
            self.payload_type,
            self.seq,
            self.timestamp,
            self.ssrc,
            false,
            payload.freeze(),
        );
        self.seq = self.seq.wrapping_add(1);
        self.timestamp = self.timestamp.wrapping_add(OPUS_TICKS_PER_PACKET);
        packet
    }
}

/// Shape of the synthetic VP8 stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VideoConfig {
    /// Target bitrate of the encoded stream (payloads), in bits per second.
    pub bitrate_bps: u32,
    /// Frames per second.
    pub fps: u32,
    /// A keyframe at least this often (also on every received PLI/FIR).
    pub keyframe_interval: Duration,
    /// Width written into keyframe headers.
    pub width: u16,
    /// Height written into keyframe headers.
    pub height: u16,
}

impl Default for VideoConfig {
    fn default() -> Self {
        Self {
            bitrate_bps: 300_000,
            fps: 15,
            keyframe_interval: Duration::from_secs(3),
            width: 640,
            height: 360,
        }
    }
}

impl VideoConfig {
    /// Time between frames.
    pub fn frame_interval(&self) -> Duration {
        Duration::from_secs(1) / self.fps.max(1)
    }

    /// Frames between periodic keyframes (at least 1).
    fn gop_frames(&self) -> u64 {
        let frames = self.keyframe_interval.as_secs_f64() * f64::from(self.fps.max(1));
        (frames.round() as u64).max(1)
    }

    /// (keyframe bytes, delta-frame bytes): a keyframe is about 3× an average frame and the
    /// delta frames make up for it, so the average matches the target bitrate.
    fn frame_sizes(&self) -> (usize, usize) {
        let average = (u64::from(self.bitrate_bps) / 8 / u64::from(self.fps.max(1))).max(1);
        let gop = self.gop_frames();
        let min = (VP8_KEY_HEADER_LEN + SEND_TIME_LEN) as u64;
        if gop < 4 {
            let size = average.max(min) as usize;
            return (size, size);
        }
        let key = 3 * average;
        let delta = (gop * average - key) / (gop - 1);
        (key.max(min) as usize, delta.max(min) as usize)
    }
}

/// Produces VP8-like frames split into RTP packets of at most [`MAX_RTP_PACKET_LEN`] bytes.
#[derive(Debug, Clone)]
pub struct Vp8Packetizer {
    config: VideoConfig,
    ssrc: u32,
    payload_type: u8,
    seq: u16,
    timestamp: u32,
    picture_id: u16,
    frames_since_keyframe: Option<u64>,
    key_len: usize,
    delta_len: usize,
    filler: Bytes,
}

impl Vp8Packetizer {
    /// A packetizer starting at the given sequence number and RTP timestamp. The first frame
    /// is a keyframe.
    pub fn new(
        config: VideoConfig,
        ssrc: u32,
        payload_type: u8,
        first_seq: u16,
        first_timestamp: u32,
    ) -> Self {
        let (key_len, delta_len) = config.frame_sizes();
        Self {
            config,
            ssrc,
            payload_type,
            seq: first_seq,
            timestamp: first_timestamp,
            picture_id: first_seq & 0x7FFF,
            frames_since_keyframe: None,
            key_len,
            delta_len,
            filler: filler(MAX_RTP_PACKET_LEN, 0x5C),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &VideoConfig {
        &self.config
    }

    /// Change the payload type (after a renegotiation).
    pub fn set_payload_type(&mut self, payload_type: u8) {
        self.payload_type = payload_type;
    }

    /// Appends the packets of the next frame to `out` and returns whether it is a keyframe.
    /// A keyframe is produced for the first frame, every `keyframe_interval`, or when
    /// `force_keyframe` is set (a PLI/FIR arrived).
    pub fn next_frame(
        &mut self,
        send_time_us: u64,
        force_keyframe: bool,
        out: &mut Vec<rtp::Packet>,
    ) -> bool {
        let keyframe = force_keyframe
            || match self.frames_since_keyframe {
                None => true,
                Some(n) => n + 1 >= self.config.gop_frames(),
            };
        self.frames_since_keyframe = Some(if keyframe {
            0
        } else {
            self.frames_since_keyframe.map_or(0, |n| n + 1)
        });

        let frame_len = if keyframe {
            self.key_len
        } else {
            self.delta_len
        };
        let capacity = MAX_RTP_PACKET_LEN - RTP_HEADER_LEN - VP8_DESCRIPTOR_LEN;
        let packets = frame_len.div_ceil(capacity);
        let header = self.frame_header(keyframe, frame_len);
        let mut remaining = frame_len;
        for index in 0..packets {
            // Near-equal split, like libwebrtc's, so no packet is tiny.
            let chunk = remaining / (packets - index);
            remaining -= chunk;
            let first = index == 0;
            let last = index + 1 == packets;
            let mut payload = BytesMut::with_capacity(VP8_DESCRIPTOR_LEN + chunk);
            payload.put_u8(if first { 0x90 } else { 0x80 }); // X=1, S on the first packet, PID=0
            payload.put_u8(0x80); // I=1
            payload.put_u16(0x8000 | self.picture_id); // M=1, 15-bit picture id
            let mut body = chunk;
            if first {
                payload.extend_from_slice(&header);
                body -= header.len();
            }
            payload.put_u64(send_time_us);
            body -= SEND_TIME_LEN;
            payload.extend_from_slice(&self.filler[..body]);
            out.push(rtp_packet(
                self.payload_type,
                self.seq,
                self.timestamp,
                self.ssrc,
                last,
                payload.freeze(),
            ));
            self.seq = self.seq.wrapping_add(1);
        }
        self.picture_id = (self.picture_id + 1) & 0x7FFF;
        self.timestamp = self
            .timestamp
            .wrapping_add(VIDEO_CLOCK_RATE / self.config.fps.max(1));
        keyframe
    }

    fn frame_header(&self, keyframe: bool, frame_len: usize) -> Vec<u8> {
        // Frame tag (RFC 6386 §9.1): P (0 = keyframe), version 0, show_frame 1, first partition
        // size; little-endian, 3 bytes.
        let first_partition = (frame_len / 4).min(0x7_FFFF) as u32;
        let tag = u32::from(!keyframe) | (1 << 4) | (first_partition << 5);
        let mut header = tag.to_le_bytes()[..3].to_vec();
        if keyframe {
            header.extend_from_slice(&[0x9D, 0x01, 0x2A]);
            header.extend_from_slice(&(self.config.width & 0x3FFF).to_le_bytes());
            header.extend_from_slice(&(self.config.height & 0x3FFF).to_le_bytes());
        }
        header
    }
}

/// What a receiver reads from a VP8 RTP payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Vp8Info {
    /// The packet starts a frame (S=1, partition 0).
    pub start_of_frame: bool,
    /// The packet starts a keyframe.
    pub keyframe: bool,
    /// The picture id, if present.
    pub picture_id: Option<u16>,
    /// Offset of the VP8 payload after the descriptor.
    pub payload_offset: usize,
}

/// Parses the VP8 payload descriptor (RFC 7741 §4.2) and, on a frame start, the keyframe bit.
pub fn parse_vp8(payload: &[u8]) -> Option<Vp8Info> {
    let b0 = *payload.first()?;
    let mut offset = 1;
    let mut picture_id = None;
    if b0 & 0x80 != 0 {
        let ext = *payload.get(offset)?;
        offset += 1;
        if ext & 0x80 != 0 {
            let p0 = *payload.get(offset)?;
            if p0 & 0x80 != 0 {
                let p1 = *payload.get(offset + 1)?;
                picture_id = Some(u16::from_be_bytes([p0 & 0x7F, p1]));
                offset += 2;
            } else {
                picture_id = Some(u16::from(p0));
                offset += 1;
            }
        }
        if ext & 0x40 != 0 {
            offset += 1; // TL0PICIDX
        }
        if ext & 0x30 != 0 {
            offset += 1; // TID/Y/KEYIDX
        }
    }
    let start_of_frame = b0 & 0x10 != 0 && b0 & 0x07 == 0;
    let keyframe = start_of_frame && payload.get(offset)? & 0x01 == 0;
    Some(Vp8Info {
        start_of_frame,
        keyframe,
        picture_id,
        payload_offset: offset,
    })
}

/// The send time stamped by our packetizers into a payload of the given kind.
pub fn send_time_us(kind: MediaKind, payload: &[u8]) -> Option<u64> {
    let offset = match kind {
        MediaKind::Audio => 1,
        MediaKind::Video => {
            let info = parse_vp8(payload)?;
            match (info.start_of_frame, info.keyframe) {
                (false, _) => info.payload_offset,
                (true, false) => info.payload_offset + VP8_DELTA_HEADER_LEN,
                (true, true) => info.payload_offset + VP8_KEY_HEADER_LEN,
            }
        }
    };
    let bytes = payload.get(offset..offset + SEND_TIME_LEN)?;
    Some(u64::from_be_bytes(bytes.try_into().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rtc::shared::marshal::MarshalSize;

    #[test]
    fn audio_packets_advance_and_carry_send_time() {
        let mut audio = AudioPacketizer::new(7, 111, u16::MAX, u32::MAX - 100);
        let first = audio.next_packet(1234);
        let second = audio.next_packet(5678);
        assert_eq!(first.payload.len(), OPUS_PAYLOAD_LEN);
        assert_eq!(first.payload[0], OPUS_TOC);
        assert_eq!(first.header.sequence_number, u16::MAX);
        assert_eq!(second.header.sequence_number, 0);
        assert_eq!(
            second.header.timestamp,
            (u32::MAX - 100).wrapping_add(OPUS_TICKS_PER_PACKET)
        );
        assert_eq!(first.header.payload_type, 111);
        assert_eq!(first.header.ssrc, 7);
        assert_eq!(send_time_us(MediaKind::Audio, &first.payload), Some(1234));
        assert_eq!(send_time_us(MediaKind::Audio, &second.payload), Some(5678));
    }

    #[test]
    fn video_frames_split_mark_and_fit() {
        let config = VideoConfig::default();
        let mut video = Vp8Packetizer::new(config, 9, 96, 65_530, 0);
        let mut out = Vec::new();
        let mut total_payload = 0usize;
        let frames = config.fps * 6;
        let mut keyframes = 0;
        for n in 0..frames {
            out.clear();
            let key = video.next_frame(u64::from(n) * 1000, false, &mut out);
            keyframes += usize::from(key);
            assert!(!out.is_empty());
            let info = parse_vp8(&out[0].payload).unwrap();
            assert!(info.start_of_frame);
            assert_eq!(info.keyframe, key);
            for (i, packet) in out.iter().enumerate() {
                assert!(packet.marshal_size() <= MAX_RTP_PACKET_LEN);
                assert_eq!(packet.header.marker, i + 1 == out.len());
                assert_eq!(packet.header.timestamp, out[0].header.timestamp);
                let info = parse_vp8(&packet.payload).unwrap();
                assert_eq!(info.start_of_frame, i == 0);
                assert!(!info.keyframe || i == 0);
                assert_eq!(
                    info.picture_id,
                    out[0]
                        .payload
                        .get(2..4)
                        .map(|p| { u16::from_be_bytes([p[0] & 0x7F, p[1]]) })
                );
                assert_eq!(
                    send_time_us(MediaKind::Video, &packet.payload),
                    Some(u64::from(n) * 1000)
                );
                total_payload += packet.payload.len() - VP8_DESCRIPTOR_LEN;
            }
            for pair in out.windows(2) {
                assert_eq!(
                    pair[1].header.sequence_number,
                    pair[0].header.sequence_number.wrapping_add(1)
                );
            }
        }
        // 6 s with a keyframe every 3 s.
        assert_eq!(keyframes, 2);
        // Average bitrate within 5% of the target.
        let bps = total_payload as f64 * 8.0 / 6.0;
        assert!(
            (bps / f64::from(config.bitrate_bps) - 1.0).abs() < 0.05,
            "{bps}"
        );
    }

    #[test]
    fn forced_keyframe_and_keyframe_header() {
        let mut video = Vp8Packetizer::new(VideoConfig::default(), 1, 96, 0, 0);
        let mut out = Vec::new();
        assert!(video.next_frame(0, false, &mut out));
        out.clear();
        assert!(!video.next_frame(0, false, &mut out));
        out.clear();
        assert!(video.next_frame(0, true, &mut out));
        let payload = &out[0].payload;
        assert_eq!(
            &payload[VP8_DESCRIPTOR_LEN + 3..VP8_DESCRIPTOR_LEN + 6],
            &[0x9D, 0x01, 0x2A]
        );
        assert_eq!(
            u16::from_le_bytes([
                payload[VP8_DESCRIPTOR_LEN + 6],
                payload[VP8_DESCRIPTOR_LEN + 7]
            ]),
            640
        );
    }

    #[test]
    fn parse_vp8_descriptor_variants() {
        // No extension: S=1, keyframe.
        let info = parse_vp8(&[0x10, 0x00]).unwrap();
        assert!(info.keyframe && info.start_of_frame);
        assert_eq!(info.payload_offset, 1);
        // X, I with 7-bit picture id, L, T: offset 5, delta frame.
        let info = parse_vp8(&[0x90, 0xE0, 0x05, 0x01, 0x02, 0x01]).unwrap();
        assert_eq!(info.picture_id, Some(5));
        assert_eq!(info.payload_offset, 5);
        assert!(info.start_of_frame && !info.keyframe);
        // Continuation packets are never keyframes.
        assert!(!parse_vp8(&[0x80, 0x80, 0x80, 0x01, 0x00]).unwrap().keyframe);
        // Truncated input.
        assert_eq!(parse_vp8(&[]), None);
        assert_eq!(parse_vp8(&[0x90, 0x80, 0x80]), None);
        assert_eq!(send_time_us(MediaKind::Video, &[0x10, 0x00, 0, 0]), None);
    }
}
