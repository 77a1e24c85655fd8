//! An interceptor that hands inbound PLI/FIR to the application.
//!
//! Without it, `TrackLocal::poll` never sees keyframe requests (see
//! `notes/webrtc-0.21.md`). Same pattern as webrtc-rs `examples/rtcp-processing`: it keeps only
//! PLI/FIR, marks them `DeliverToApplication`, and passes everything else on unmarked, so it
//! stops at the end of the chain as usual. Register it last.

use rtc::interceptor::{
    Attribute, AttributedPacket, Interceptor, Packet, StreamInfo, TaggedPacket,
};
use rtc::rtcp::payload_feedbacks::full_intra_request::FullIntraRequest;
use rtc::rtcp::payload_feedbacks::picture_loss_indication::PictureLossIndication;
use rtc::sansio::Protocol;
use rtc::shared::error::Error;
use std::collections::VecDeque;
use std::time::Instant;

/// Slot after every default interceptor.
pub(crate) const SLOT: usize = 14_000;

/// See the module documentation.
#[derive(Default)]
pub(crate) struct KeyframeRequestForwarder {
    read_queue: VecDeque<TaggedPacket>,
    write_queue: VecDeque<TaggedPacket>,
}

/// What kind of keyframe request an RTCP packet is, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyframeRequest {
    Pli,
    Fir,
}

pub(crate) fn classify(packet: &dyn rtc::rtcp::Packet) -> Option<KeyframeRequest> {
    let any = packet.as_any();
    if any.is::<PictureLossIndication>() {
        Some(KeyframeRequest::Pli)
    } else if any.is::<FullIntraRequest>() {
        Some(KeyframeRequest::Fir)
    } else {
        None
    }
}

impl Protocol<TaggedPacket, TaggedPacket, ()> for KeyframeRequestForwarder {
    type Rout = TaggedPacket;
    type Wout = TaggedPacket;
    type Eout = ();
    type Error = Error;
    type Time = Instant;

    fn handle_read(&mut self, mut msg: TaggedPacket) -> Result<(), Self::Error> {
        if let Packet::Rtcp(packets) = &msg.message.packet {
            let requests: Vec<Box<dyn rtc::rtcp::Packet>> = packets
                .iter()
                .filter(|packet| classify(packet.as_ref()).is_some())
                .cloned()
                .collect();
            // Anything else passes on unmarked (it then stops at the end of the chain as on a
            // default chain), so the forwarder drops nothing even if it is not registered last.
            if !requests.is_empty() {
                if requests.len() == packets.len() {
                    msg.message.add(Attribute::DeliverToApplication);
                } else {
                    self.read_queue.push_back(TaggedPacket {
                        now: msg.now,
                        transport: msg.transport,
                        message: AttributedPacket::new(Packet::Rtcp(requests))
                            .with(Attribute::DeliverToApplication),
                    });
                }
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
}

impl Interceptor for KeyframeRequestForwarder {
    fn bind_local_stream(&mut self, _info: &StreamInfo) {}
    fn unbind_local_stream(&mut self, _info: &StreamInfo) {}
    fn bind_remote_stream(&mut self, _info: &StreamInfo) {}
    fn unbind_remote_stream(&mut self, _info: &StreamInfo) {}
}
