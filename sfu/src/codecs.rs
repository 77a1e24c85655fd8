//! The one codec table: what the SFU accepts and forwards, and what our own client peers (the
//! tests, the forwarding bench and the load generator) offer.
//!
//! The server registers Opus, VP8 and H.264 (constrained baseline, both common
//! profile-level-ids, packetization-mode 1); clients register Opus and VP8. Video codecs carry
//! NACK, PLI and FIR feedback. No RTX: retransmissions are answered from the NACK responder's
//! buffer on the original SSRC. The types are the `rtc` crate's, which the `webrtc` crate
//! re-exports (`webrtc::peer_connection::MediaEngine` is `rtc`'s `MediaEngine`), so the same
//! table serves both.

use rtc::media_stream::MediaStreamTrack;
use rtc::peer_connection::configuration::media_engine::{
    MIME_TYPE_H264, MIME_TYPE_OPUS, MIME_TYPE_VP8, MediaEngine,
};
use rtc::rtp_transceiver::rtp_sender::{
    RTCPFeedback, RTCRtpCodec, RTCRtpCodecParameters, RTCRtpCodingParameters,
    RTCRtpEncodingParameters, RtpCodecKind,
};
use rtc::shared::error::Error;

/// Payload type of Opus.
pub const OPUS_PT: u8 = 111;
/// Payload type of VP8.
pub const VP8_PT: u8 = 96;
/// Payload types and fmtp lines of the H.264 profiles the server accepts.
const H264: [(u8, &str); 2] = [
    (
        102,
        "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f",
    ),
    (
        106,
        "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f",
    ),
];

/// Opus, 48 kHz stereo, in-band FEC.
pub fn opus() -> RTCRtpCodec {
    RTCRtpCodec {
        mime_type: MIME_TYPE_OPUS.to_owned(),
        clock_rate: 48_000,
        channels: 2,
        sdp_fmtp_line: "minptime=10;useinbandfec=1".to_owned(),
        rtcp_feedback: vec![],
    }
}

/// VP8 with NACK, PLI and FIR feedback.
pub fn vp8() -> RTCRtpCodec {
    video(MIME_TYPE_VP8, "")
}

/// The feedback every video codec carries: FIR, NACK, PLI.
pub fn video_feedback() -> Vec<RTCPFeedback> {
    let feedback = |typ: &str, parameter: &str| RTCPFeedback {
        typ: typ.to_owned(),
        parameter: parameter.to_owned(),
    };
    vec![
        feedback("ccm", "fir"),
        feedback("nack", ""),
        feedback("nack", "pli"),
    ]
}

fn video(mime: &str, fmtp: &str) -> RTCRtpCodec {
    RTCRtpCodec {
        mime_type: mime.to_owned(),
        clock_rate: 90_000,
        channels: 0,
        sdp_fmtp_line: fmtp.to_owned(),
        rtcp_feedback: video_feedback(),
    }
}

/// The codecs a client peer offers: Opus and VP8, with their payload types and kinds.
pub fn client_codecs() -> [(RTCRtpCodecParameters, RtpCodecKind); 2] {
    [
        (
            RTCRtpCodecParameters {
                rtp_codec: opus(),
                payload_type: OPUS_PT,
            },
            RtpCodecKind::Audio,
        ),
        (
            RTCRtpCodecParameters {
                rtp_codec: vp8(),
                payload_type: VP8_PT,
            },
            RtpCodecKind::Video,
        ),
    ]
}

/// The codecs the SFU accepts: the client codecs plus H.264.
pub fn server_codecs() -> Vec<(RTCRtpCodecParameters, RtpCodecKind)> {
    let mut codecs = client_codecs().to_vec();
    codecs.extend(H264.iter().map(|&(payload_type, fmtp)| {
        (
            RTCRtpCodecParameters {
                rtp_codec: video(MIME_TYPE_H264, fmtp),
                payload_type,
            },
            RtpCodecKind::Video,
        )
    }));
    codecs
}

/// A media engine with the client codecs registered.
pub fn client_media_engine() -> Result<MediaEngine, Error> {
    media_engine(client_codecs())
}

/// A media engine with the server codecs registered.
pub fn server_media_engine() -> Result<MediaEngine, Error> {
    media_engine(server_codecs())
}

fn media_engine(
    codecs: impl IntoIterator<Item = (RTCRtpCodecParameters, RtpCodecKind)>,
) -> Result<MediaEngine, Error> {
    let mut me = MediaEngine::default();
    for (codec, kind) in codecs {
        me.register_codec(codec, kind)?;
    }
    Ok(me)
}

/// A local track `track_id` of stream `stream_id` with one encoding: `codec` on `ssrc`.
pub fn track(
    stream_id: String,
    track_id: String,
    kind: RtpCodecKind,
    ssrc: u32,
    codec: RTCRtpCodec,
) -> MediaStreamTrack {
    MediaStreamTrack::new(
        stream_id,
        track_id.clone(),
        track_id,
        kind,
        vec![RTCRtpEncodingParameters {
            rtp_coding_parameters: RTCRtpCodingParameters {
                ssrc: Some(ssrc),
                ..Default::default()
            },
            codec,
            ..Default::default()
        }],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_table_extends_the_client_table() {
        let server = server_codecs();
        let client = client_codecs();
        assert_eq!(server.len(), 4);
        for (i, (c, k)) in client.iter().enumerate() {
            assert_eq!(server[i].0.payload_type, c.payload_type);
            assert_eq!(server[i].0.rtp_codec.mime_type, c.rtp_codec.mime_type);
            assert_eq!(server[i].1, *k);
        }
        assert!(server_media_engine().is_ok());
        assert!(client_media_engine().is_ok());
    }
}
