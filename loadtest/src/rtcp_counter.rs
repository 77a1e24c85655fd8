//! An interceptor next to the wire that counts the feedback a participant sends and receives:
//! NACKs, PLIs and FIRs. It changes nothing and passes every packet on.
//!
//! It sits closer to the wire than the default interceptors ([`SLOT`]), so outgoing NACKs made
//! by the NACK generator and incoming feedback consumed by later interceptors both pass it.

use rtc::interceptor::{Interceptor, Packet, StreamInfo, TaggedPacket};
use rtc::rtcp::payload_feedbacks::full_intra_request::FullIntraRequest;
use rtc::rtcp::payload_feedbacks::picture_loss_indication::PictureLossIndication;
use rtc::rtcp::transport_feedbacks::transport_layer_nack::TransportLayerNack;
use rtc::sansio::Protocol;
use rtc::shared::error::Error;
use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// Closer to the wire than every default interceptor (the nearest is at 1,000 and up).
pub(crate) const SLOT: usize = 100;

/// Feedback counters of one peer connection.
#[derive(Debug, Default)]
pub(crate) struct RtcpCounters {
    nacks_sent: AtomicU64,
    nacked_packets_sent: AtomicU64,
    plis_sent: AtomicU64,
    firs_sent: AtomicU64,
    nacks_received: AtomicU64,
    nacked_packets_received: AtomicU64,
    plis_received: AtomicU64,
    firs_received: AtomicU64,
}

/// RTCP feedback sent and received by one participant (all its tracks).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FeedbackStats {
    /// NACK packets sent (as subscriber).
    pub nacks_sent: u64,
    /// Sequence numbers asked for in the NACKs sent.
    pub nacked_packets_sent: u64,
    /// PLIs sent (as subscriber).
    pub plis_sent: u64,
    /// FIRs sent.
    pub firs_sent: u64,
    /// NACK packets received (as publisher).
    pub nacks_received: u64,
    /// Sequence numbers asked for in the NACKs received.
    pub nacked_packets_received: u64,
    /// PLIs received (as publisher).
    pub plis_received: u64,
    /// FIRs received.
    pub firs_received: u64,
}

impl RtcpCounters {
    pub(crate) fn snapshot(&self) -> FeedbackStats {
        let get = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        FeedbackStats {
            nacks_sent: get(&self.nacks_sent),
            nacked_packets_sent: get(&self.nacked_packets_sent),
            plis_sent: get(&self.plis_sent),
            firs_sent: get(&self.firs_sent),
            nacks_received: get(&self.nacks_received),
            nacked_packets_received: get(&self.nacked_packets_received),
            plis_received: get(&self.plis_received),
            firs_received: get(&self.firs_received),
        }
    }

    fn count(&self, packet: &Packet, outgoing: bool) {
        let Packet::Rtcp(packets) = packet else {
            return;
        };
        for packet in packets {
            let any = packet.as_any();
            if let Some(nack) = any.downcast_ref::<TransportLayerNack>() {
                let asked: u64 = nack
                    .nacks
                    .iter()
                    .map(|pair| 1 + u64::from(pair.lost_packets.count_ones()))
                    .sum();
                let (packets, seqs) = if outgoing {
                    (&self.nacks_sent, &self.nacked_packets_sent)
                } else {
                    (&self.nacks_received, &self.nacked_packets_received)
                };
                packets.fetch_add(1, Ordering::Relaxed);
                seqs.fetch_add(asked, Ordering::Relaxed);
            } else if any.is::<PictureLossIndication>() {
                let counter = if outgoing {
                    &self.plis_sent
                } else {
                    &self.plis_received
                };
                counter.fetch_add(1, Ordering::Relaxed);
            } else if any.is::<FullIntraRequest>() {
                let counter = if outgoing {
                    &self.firs_sent
                } else {
                    &self.firs_received
                };
                counter.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

/// See the module documentation.
pub(crate) struct RtcpCounter {
    counters: Arc<RtcpCounters>,
    read_queue: VecDeque<TaggedPacket>,
    write_queue: VecDeque<TaggedPacket>,
}

impl RtcpCounter {
    pub(crate) fn new(counters: Arc<RtcpCounters>) -> Self {
        Self {
            counters,
            read_queue: VecDeque::new(),
            write_queue: VecDeque::new(),
        }
    }
}

impl Protocol<TaggedPacket, TaggedPacket, ()> for RtcpCounter {
    type Rout = TaggedPacket;
    type Wout = TaggedPacket;
    type Eout = ();
    type Error = Error;
    type Time = Instant;

    fn handle_read(&mut self, msg: TaggedPacket) -> Result<(), Self::Error> {
        self.counters.count(&msg.message.packet, false);
        self.read_queue.push_back(msg);
        Ok(())
    }

    fn poll_read(&mut self) -> Option<Self::Rout> {
        self.read_queue.pop_front()
    }

    fn handle_write(&mut self, msg: TaggedPacket) -> Result<(), Self::Error> {
        self.counters.count(&msg.message.packet, true);
        self.write_queue.push_back(msg);
        Ok(())
    }

    fn poll_write(&mut self) -> Option<Self::Wout> {
        self.write_queue.pop_front()
    }
}

impl Interceptor for RtcpCounter {
    fn bind_local_stream(&mut self, _info: &StreamInfo) {}
    fn unbind_local_stream(&mut self, _info: &StreamInfo) {}
    fn bind_remote_stream(&mut self, _info: &StreamInfo) {}
    fn unbind_remote_stream(&mut self, _info: &StreamInfo) {}
}
