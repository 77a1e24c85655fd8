//! Client-side test peers built on the `webrtc` crate, talking to the SFU over loopback.

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::time::Duration;

use rtc::ice::mdns::MulticastDnsMode;
use rtc::interceptor::{Registry, Slot};
use rtc::peer_connection::configuration::RTCConfigurationBuilder;
use rtc::peer_connection::configuration::interceptor_registry::register_default_interceptors;
use rtc::peer_connection::configuration::setting_engine::SettingEngineBuilder;
use rtc::peer_connection::sdp::RTCSessionDescription;
use rtc::rtcp::payload_feedbacks::picture_loss_indication::PictureLossIndication;
use rtc::rtp_transceiver::rtp_sender::RtpCodecKind;
use sportello_sfu::rtcp_feedback::{self, FeedbackTap};
use sportello_sfu::{ParticipantId, Sfu, SfuEvent, codecs};

use super::virtual_net::local_track;
use webrtc::media_stream::track_local::static_rtp::TrackLocalStaticRTP;
use webrtc::media_stream::track_local::{TrackLocal, TrackLocalEvent};
use webrtc::media_stream::track_remote::{TrackRemote, TrackRemoteEvent};
use webrtc::peer_connection::{
    PeerConnection, PeerConnectionBuilder, PeerConnectionEventHandler, RTCPeerConnectionState,
};
use webrtc::runtime::TokioRuntime;

pub const STEP: Duration = Duration::from_secs(10);

/// What a client observed.
#[derive(Default)]
pub struct Observed {
    pub connected: AtomicBool,
    pub audio_rx: AtomicU64,
    pub video_rx: AtomicU64,
    /// PLIs received on the client's own (published) video track.
    pub plis_rx: AtomicU64,
    /// msid stream ids of the remote tracks.
    pub remote_streams: Mutex<Vec<String>>,
    /// The remote video tracks (to send PLIs on).
    pub remote_video: Mutex<Vec<(Arc<dyn TrackRemote>, u32)>>,
    pub offers_handled: AtomicU64,
    /// The SFU reported `SfuEvent::Failed` for this participant.
    pub server_failed: AtomicBool,
}

struct Handler {
    observed: Arc<Observed>,
}

#[async_trait::async_trait]
impl PeerConnectionEventHandler for Handler {
    async fn on_connection_state_change(&self, state: RTCPeerConnectionState) {
        if state == RTCPeerConnectionState::Connected {
            self.observed.connected.store(true, Relaxed);
        }
    }

    async fn on_track(&self, track: Arc<dyn TrackRemote>) {
        let observed = self.observed.clone();
        tokio::spawn(async move {
            let kind = track.kind().await;
            let stream = track.stream_id().await;
            observed.remote_streams.lock().unwrap().push(stream);
            while let Some(evt) = track.poll().await {
                match evt {
                    TrackRemoteEvent::OnOpen(init) if kind == RtpCodecKind::Video => {
                        observed
                            .remote_video
                            .lock()
                            .unwrap()
                            .push((track.clone(), init.ssrc));
                    }
                    TrackRemoteEvent::OnRtpPacket(_) => {
                        let c = if kind == RtpCodecKind::Audio {
                            &observed.audio_rx
                        } else {
                            &observed.video_rx
                        };
                        c.fetch_add(1, Relaxed);
                    }
                    TrackRemoteEvent::OnEnded => break,
                    _ => {}
                }
            }
        });
    }
}

/// A client peer: publishes Opus + VP8 (synthetic), receives everything, answers server offers.
pub struct Client {
    pub id: ParticipantId,
    pub pc: Arc<dyn PeerConnection>,
    pub observed: Arc<Observed>,
    /// The SFU events, when the client was joined without automatic answering.
    pub events: Option<tokio::sync::mpsc::Receiver<SfuEvent>>,
    /// (kind, sender) of the published tracks.
    pub senders: Vec<(RtpCodecKind, Arc<dyn webrtc::rtp_transceiver::RtpSender>)>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Client {
    /// Joins `room` as `label`, publishes (if `publish`) and starts handling server offers.
    pub async fn join(sfu: &Sfu, room: &str, id: u64, label: &str, publish: bool) -> Client {
        Self::join_opts(sfu, room, id, label, publish, true).await
    }

    /// Like [`Client::join`]; without `auto_answer` the server offers are left in `events`.
    pub async fn join_opts(
        sfu: &Sfu,
        room: &str,
        id: u64,
        label: &str,
        publish: bool,
        auto_answer: bool,
    ) -> Client {
        let id = ParticipantId(id);
        let mut events = sfu.add_participant(room, id, label).await.expect("join");
        let observed = Arc::new(Observed::default());

        let mut me = codecs::client_media_engine().unwrap();
        let registry = Registry::new().with(
            Slot::from(rtcp_feedback::SLOT),
            FeedbackTap::keyframe_requests(),
        );
        let registry = register_default_interceptors(registry, &mut me).unwrap();
        let se = SettingEngineBuilder::new()
            .with_include_loopback_candidate(true)
            .with_multicast_dns_mode(MulticastDnsMode::Disabled)
            .build();
        let pc = PeerConnectionBuilder::new()
            .with_configuration(RTCConfigurationBuilder::new().build())
            .with_media_engine(me)
            .with_setting_engine(se)
            .with_interceptor_registry(registry)
            .with_handler(Arc::new(Handler {
                observed: observed.clone(),
            }))
            .with_runtime(Arc::new(TokioRuntime))
            .with_udp_addrs(vec!["127.0.0.1:0".to_string()])
            .build()
            .await
            .expect("client pc");
        let pc: Arc<dyn PeerConnection> = Arc::new(pc);
        let mut tasks = Vec::new();
        let mut senders = Vec::new();

        if publish {
            for (codec, kind) in codecs::client_codecs() {
                let ssrc: u32 = rand::random::<u32>() | 1;
                let track = Arc::new(TrackLocalStaticRTP::new(local_track(
                    format!("{label}-local"),
                    label,
                    kind,
                    ssrc,
                    codec.rtp_codec.clone(),
                )));
                let sender = pc
                    .add_track(track.clone() as Arc<dyn TrackLocal>)
                    .await
                    .expect("add_track");
                senders.push((kind, sender));
                tasks.push(tokio::spawn(send_media(
                    track.clone(),
                    ssrc,
                    codec.payload_type,
                    kind,
                )));
                if kind == RtpCodecKind::Video {
                    let obs = observed.clone();
                    let t = track.clone();
                    tasks.push(tokio::spawn(async move {
                        while let Some(evt) = t.poll().await {
                            let TrackLocalEvent::OnRtcpPacket(pkts) = evt else {
                                continue;
                            };
                            for p in pkts {
                                if p.as_any().is::<PictureLossIndication>() {
                                    obs.plis_rx.fetch_add(1, Relaxed);
                                }
                            }
                        }
                    }));
                }
            }
        }

        if !publish {
            // A subscriber-only client still needs an m-line to carry the transport.
            pc.add_transceiver_from_kind(RtpCodecKind::Audio, None)
                .await
                .expect("recvonly transceiver");
        }

        // Offer/answer with the SFU.
        let offer = pc.create_offer(None).await.expect("create_offer");
        pc.set_local_description(offer)
            .await
            .expect("set_local offer");
        let sdp = pc.local_description().await.expect("local desc").sdp;
        let answer = sfu.offer(id, sdp).await.expect("sfu offer");
        pc.set_remote_description(RTCSessionDescription::answer(answer).unwrap())
            .await
            .expect("set_remote answer");

        if !auto_answer {
            return Client {
                id,
                pc,
                observed,
                events: Some(events),
                senders,
                tasks,
            };
        }

        // Server-initiated renegotiation.
        let pc2 = pc.clone();
        let sfu2 = sfu.clone();
        let obs = observed.clone();
        tasks.push(tokio::spawn(async move {
            while let Some(ev) = events.recv().await {
                if let SfuEvent::Failed = ev {
                    obs.server_failed.store(true, Relaxed);
                }
                if let SfuEvent::Offer { sdp } = ev {
                    let r: Result<(), String> = async {
                        let desc = RTCSessionDescription::offer(sdp).map_err(|e| e.to_string())?;
                        pc2.set_remote_description(desc)
                            .await
                            .map_err(|e| format!("srd {e}"))?;
                        let answer = pc2
                            .create_answer(None)
                            .await
                            .map_err(|e| format!("ca {e}"))?;
                        pc2.set_local_description(answer)
                            .await
                            .map_err(|e| format!("sld {e}"))?;
                        let local = pc2.local_description().await.ok_or("no local")?;
                        sfu2.answer(id, local.sdp)
                            .await
                            .map_err(|e| format!("sfu answer {e}"))?;
                        Ok(())
                    }
                    .await;
                    match r {
                        Ok(()) => {
                            obs.offers_handled.fetch_add(1, Relaxed);
                        }
                        Err(e) => eprintln!("client {id:?}: server offer failed: {e}"),
                    }
                }
            }
        }));

        Client {
            id,
            pc,
            observed,
            events: None,
            senders,
            tasks,
        }
    }

    /// Sends a PLI on every remote video track this client receives.
    pub async fn send_pli(&self) -> usize {
        let tracks: Vec<_> = self.observed.remote_video.lock().unwrap().clone();
        for (t, ssrc) in &tracks {
            let _ = t
                .write_rtcp(vec![Box::new(PictureLossIndication {
                    sender_ssrc: 0,
                    media_ssrc: *ssrc,
                })])
                .await;
        }
        tracks.len()
    }

    /// Client-initiated renegotiation (offer to the SFU, apply its answer).
    pub async fn renegotiate(&self, sfu: &Sfu) -> Result<(), sportello_sfu::SfuError> {
        let offer = self.pc.create_offer(None).await.unwrap();
        self.pc.set_local_description(offer).await.unwrap();
        let sdp = self.pc.local_description().await.unwrap().sdp;
        let answer = sfu.offer(self.id, sdp).await?;
        self.pc
            .set_remote_description(RTCSessionDescription::answer(answer).unwrap())
            .await
            .unwrap();
        Ok(())
    }

    /// Answers one server offer.
    pub async fn answer_offer(
        &self,
        sfu: &Sfu,
        sdp: String,
    ) -> Result<(), sportello_sfu::SfuError> {
        self.pc
            .set_remote_description(RTCSessionDescription::offer(sdp).unwrap())
            .await
            .unwrap();
        let answer = self.pc.create_answer(None).await.unwrap();
        self.pc.set_local_description(answer).await.unwrap();
        let local = self.pc.local_description().await.unwrap();
        sfu.answer(self.id, local.sdp).await
    }

    pub async fn close(self) {
        for t in &self.tasks {
            t.abort();
        }
        let _ = self.pc.close().await;
    }
}

/// Synthetic media: Opus every 20 ms, VP8 every 33 ms (first packet of each frame starts a
/// "keyframe" payload descriptor; content is filler).
async fn send_media(track: Arc<TrackLocalStaticRTP>, ssrc: u32, pt: u8, kind: RtpCodecKind) {
    let (period, ts_step, size) = if kind == RtpCodecKind::Audio {
        (Duration::from_millis(20), 960u32, 80usize)
    } else {
        (Duration::from_millis(33), 3000u32, 900usize)
    };
    let mut seq: u16 = rand::random();
    let mut ts: u32 = rand::random();
    let mut tick = tokio::time::interval(period);
    let mut payload = vec![0xABu8; size];
    if kind == RtpCodecKind::Video {
        payload[0] = 0x10; // VP8 descriptor: S=1, PID=0
        payload[1] = 0x00; // keyframe bit clear in the VP8 payload header => keyframe
    }
    let payload = bytes::Bytes::from(payload);
    loop {
        tick.tick().await;
        let mut p = rtc::rtp::Packet::default();
        p.header.version = 2;
        p.header.payload_type = pt;
        p.header.sequence_number = seq;
        p.header.timestamp = ts;
        p.header.ssrc = ssrc;
        p.header.marker = true;
        p.payload = payload.clone();
        seq = seq.wrapping_add(1);
        ts = ts.wrapping_add(ts_step);
        // Fails until the track is bound: fine, keep going.
        let _ = track.write_rtp(p).await;
    }
}

/// Polls `cond` every 50 ms until it holds or `timeout` passes.
pub async fn wait_for(timeout: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let end = tokio::time::Instant::now() + timeout;
    loop {
        if cond() {
            return true;
        }
        if tokio::time::Instant::now() >= end {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
