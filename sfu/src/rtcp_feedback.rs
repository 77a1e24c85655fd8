//! The RTCP-feedback interceptor: lets keyframe requests (and, for the SFU, NACKs) reach the
//! application.
//!
//! Inbound RTCP is consumed by the `rtc` interceptor chain unless something marks it for the
//! application: without this interceptor a publisher never sees keyframe requests
//! (`TrackLocal::poll` in the `webrtc` crate, `poll_read` in `rtc`). Same pattern as webrtc-rs
//! `examples/rtcp-processing`. A compound packet made only of selected feedback is marked
//! [`Attribute::DeliverToApplication`]; from a mixed compound the selected packets are delivered
//! as a compound of their own (so `rtc` routes it by the request's media SSRC), and the original
//! passes on unmarked. Marking consumes nothing: the NACK responder still answers NACKs. Other
//! RTCP passes through untouched. Register it at [`SLOT`], after every default interceptor.
//!
//! Used by the SFU (keyframe requests and NACKs: it relays the first and counts the second) and
//! by our client peers (keyframe requests).

use std::collections::VecDeque;
use std::time::Instant;

use rtc::interceptor::{
    Attribute, AttributedPacket, Interceptor, Packet, StreamInfo, TaggedPacket,
};
use rtc::rtcp::payload_feedbacks::full_intra_request::FullIntraRequest;
use rtc::rtcp::payload_feedbacks::picture_loss_indication::PictureLossIndication;
use rtc::rtcp::transport_feedbacks::transport_layer_nack::TransportLayerNack;
use rtc::sansio::Protocol;
use rtc::shared::error::Error;

/// Registry slot after every default interceptor.
pub const SLOT: usize = 14_000;

/// What kind of keyframe request an RTCP packet is, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyframeRequest {
    /// Picture Loss Indication.
    Pli,
    /// Full Intra Request.
    Fir,
}

/// The keyframe request `packet` is, if it is one.
pub fn classify(packet: &dyn rtc::rtcp::Packet) -> Option<KeyframeRequest> {
    let any = packet.as_any();
    if any.is::<PictureLossIndication>() {
        Some(KeyframeRequest::Pli)
    } else if any.is::<FullIntraRequest>() {
        Some(KeyframeRequest::Fir)
    } else {
        None
    }
}

/// Marks keyframe requests (and optionally NACKs) for the application; see the module docs.
#[derive(Default)]
pub struct FeedbackTap {
    nacks: bool,
    read_queue: VecDeque<TaggedPacket>,
    write_queue: VecDeque<TaggedPacket>,
}

impl FeedbackTap {
    /// Delivers PLI and FIR (a client peer).
    pub fn keyframe_requests() -> Self {
        Self::default()
    }

    /// Delivers PLI, FIR and NACK (the SFU).
    pub fn keyframe_requests_and_nacks() -> Self {
        Self {
            nacks: true,
            ..Self::default()
        }
    }

    fn selected(&self, packet: &dyn rtc::rtcp::Packet) -> bool {
        classify(packet).is_some() || (self.nacks && packet.as_any().is::<TransportLayerNack>())
    }
}

impl std::fmt::Debug for FeedbackTap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FeedbackTap")
            .field("nacks", &self.nacks)
            .finish_non_exhaustive()
    }
}

impl Protocol<TaggedPacket, TaggedPacket, ()> for FeedbackTap {
    type Rout = TaggedPacket;
    type Wout = TaggedPacket;
    type Eout = ();
    type Error = Error;
    type Time = Instant;

    fn handle_read(&mut self, mut msg: TaggedPacket) -> Result<(), Self::Error> {
        if let Packet::Rtcp(packets) = &msg.message.packet {
            let selected = packets.iter().filter(|p| self.selected(p.as_ref())).count();
            if selected > 0 && selected == packets.len() {
                msg.message.add(Attribute::DeliverToApplication);
            } else if selected > 0 {
                let feedback: Vec<Box<dyn rtc::rtcp::Packet>> = packets
                    .iter()
                    .filter(|p| self.selected(p.as_ref()))
                    .cloned()
                    .collect();
                self.read_queue.push_back(TaggedPacket {
                    now: msg.now,
                    transport: msg.transport,
                    message: AttributedPacket::new(Packet::Rtcp(feedback))
                        .with(Attribute::DeliverToApplication),
                });
            }
        }
        self.read_queue.push_back(msg);
        Ok(())
    }

    fn poll_read(&mut self) -> Option<Self::Rout> {
        self.read_queue.pop_front()
    }

    fn handle_write(&mut self, msg: TaggedPacket) -> Result<(), Self::Error> {
        self.write_queue.push_back(msg);
        Ok(())
    }

    fn poll_write(&mut self) -> Option<Self::Wout> {
        self.write_queue.pop_front()
    }

    fn handle_timeout(&mut self, _now: Instant) -> Result<(), Self::Error> {
        Ok(())
    }

    fn poll_timeout(&mut self) -> Option<Self::Time> {
        None
    }
}

impl Interceptor for FeedbackTap {
    fn bind_local_stream(&mut self, _info: &StreamInfo) {}
    fn unbind_local_stream(&mut self, _info: &StreamInfo) {}
    fn bind_remote_stream(&mut self, _info: &StreamInfo) {}
    fn unbind_remote_stream(&mut self, _info: &StreamInfo) {}
}
