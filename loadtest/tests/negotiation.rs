//! The client against a fake signalling server built on the `webrtc` crate, to exercise the
//! polite-peer path: the server answers the client's first offer with an offer of its own
//! (a collision), so the client must roll back, answer, and offer again; media then flows both
//! ways. The client also answers a server `ping` by itself.

use async_trait::async_trait;
use futures_util::{SinkExt, StreamExt};
use rtc::media_stream::MediaStreamTrack;
use rtc::rtp_transceiver::rtp_sender::{
    RTCRtpCodingParameters, RTCRtpEncodingParameters, RtpCodecKind,
};
use sportello_loadtest::media::{VideoConfig, Vp8Packetizer};
use sportello_loadtest::{Participant, ParticipantConfig};
use sportello_sfu::codecs;
use sportello_signalling::protocol::{ClientMessage, MediaKind, Role, ServerMessage};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::Message;
use webrtc::media_stream::track_local::TrackLocal;
use webrtc::media_stream::track_local::static_rtp::TrackLocalStaticRTP;
use webrtc::media_stream::track_remote::{TrackRemote, TrackRemoteEvent};
use webrtc::peer_connection::{
    PeerConnection, PeerConnectionBuilder, PeerConnectionEventHandler, RTCIceGatheringState,
    RTCPeerConnectionState, RTCSessionDescription, SettingEngineBuilder,
};
use webrtc::runtime::TokioRuntime;

struct ServerHandler {
    gathered: watch::Sender<bool>,
    connected: watch::Sender<bool>,
    received: Arc<AtomicU64>,
}

#[async_trait]
impl PeerConnectionEventHandler for ServerHandler {
    async fn on_ice_gathering_state_change(&self, state: RTCIceGatheringState) {
        if state == RTCIceGatheringState::Complete {
            self.gathered.send_replace(true);
        }
    }
    async fn on_connection_state_change(&self, state: RTCPeerConnectionState) {
        if state == RTCPeerConnectionState::Connected {
            self.connected.send_replace(true);
        }
    }
    async fn on_track(&self, track: Arc<dyn TrackRemote>) {
        let received = Arc::clone(&self.received);
        tokio::spawn(async move {
            while let Some(event) = track.poll().await {
                if let TrackRemoteEvent::OnRtpPacket(_) = event {
                    received.fetch_add(1, Ordering::Relaxed);
                }
            }
        });
    }
}

type Ws = tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>;

async fn send(ws: &mut Ws, message: ServerMessage) {
    let text = serde_json::to_string(&message).unwrap();
    ws.send(Message::text(text)).await.unwrap();
}

async fn recv(ws: &mut Ws) -> ClientMessage {
    loop {
        match ws.next().await.expect("client still connected").unwrap() {
            Message::Text(text) => return serde_json::from_str(text.as_str()).unwrap(),
            _ => continue,
        }
    }
}

/// Plays the server for one client; returns how many RTP packets it received from it.
async fn fake_server(listener: TcpListener) -> Arc<AtomicU64> {
    let (stream, _) = listener.accept().await.unwrap();
    let mut ws = tokio_tungstenite::accept_async(stream).await.unwrap();
    assert!(matches!(recv(&mut ws).await, ClientMessage::Join { .. }));
    send(
        &mut ws,
        ServerMessage::Joined {
            version: 1,
            participant_id: "c1".into(),
            room: "r".into(),
            role: Role::LoadTester,
            participants: vec![],
            ice_servers: vec![],
        },
    )
    .await;
    // A ping the client must answer by itself.
    send(&mut ws, ServerMessage::Ping { nonce: 7 }).await;

    let media_engine = codecs::client_media_engine().unwrap();
    let (gathered_tx, mut gathered) = watch::channel(false);
    let (connected_tx, mut connected) = watch::channel(false);
    let received = Arc::new(AtomicU64::new(0));
    let pc = PeerConnectionBuilder::new()
        .with_media_engine(media_engine)
        .with_setting_engine(
            SettingEngineBuilder::new()
                .with_include_loopback_candidate(true)
                .with_multicast_dns_mode(rtc::ice::mdns::MulticastDnsMode::Disabled)
                .build(),
        )
        .with_runtime(Arc::new(TokioRuntime))
        .with_handler(Arc::new(ServerHandler {
            gathered: gathered_tx,
            connected: connected_tx,
            received: Arc::clone(&received),
        }))
        .with_udp_addrs(vec!["127.0.0.1:0".to_owned()])
        .build()
        .await
        .unwrap();
    let ssrc = 4242;
    let track = Arc::new(TrackLocalStaticRTP::new(MediaStreamTrack::new(
        "srv".into(),
        "srv-video".into(),
        "srv video".into(),
        RtpCodecKind::Video,
        vec![RTCRtpEncodingParameters {
            rtp_coding_parameters: RTCRtpCodingParameters {
                ssrc: Some(ssrc),
                ..Default::default()
            },
            active: true,
            codec: codecs::vp8(),
            ..Default::default()
        }],
    )));
    let sender = pc
        .add_track(Arc::clone(&track) as Arc<dyn TrackLocal>)
        .await
        .unwrap();

    // The client's first offer: ignored (impolite side), and collided with ours.
    assert!(matches!(recv(&mut ws).await, ClientMessage::Offer { .. }));
    let offer = pc.create_offer(None).await.unwrap();
    pc.set_local_description(offer).await.unwrap();
    let _ = tokio::time::timeout(Duration::from_secs(2), gathered.wait_for(|g| *g)).await;
    let sdp = pc.local_description().await.unwrap().sdp;
    send(&mut ws, ServerMessage::Offer { sdp }).await;

    let mut answered = false;
    let mut reoffered = false;
    let mut ponged = false;
    while !(answered && reoffered && ponged) {
        match recv(&mut ws).await {
            ClientMessage::Pong { nonce } => {
                assert_eq!(nonce, 7);
                ponged = true;
            }
            ClientMessage::Answer { sdp } => {
                pc.set_remote_description(RTCSessionDescription::answer(sdp).unwrap())
                    .await
                    .unwrap();
                answered = true;
            }
            ClientMessage::Offer { sdp } => {
                assert!(answered, "the client offers again only after answering");
                pc.set_remote_description(RTCSessionDescription::offer(sdp).unwrap())
                    .await
                    .unwrap();
                let answer = pc.create_answer(None).await.unwrap();
                pc.set_local_description(answer).await.unwrap();
                let sdp = pc.local_description().await.unwrap().sdp;
                send(&mut ws, ServerMessage::Answer { sdp }).await;
                reoffered = true;
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    connected.wait_for(|c| *c).await.unwrap();
    let payload_type = sender.get_parameters().await.unwrap().rtp_parameters.codecs[0].payload_type;
    // A keyframe every second: the first frames may go out before the client can decrypt them.
    let config = VideoConfig {
        keyframe_interval: Duration::from_secs(1),
        ..VideoConfig::default()
    };
    let mut video = Vp8Packetizer::new(config, ssrc, payload_type, 100, 0);
    let mut packets = Vec::new();
    let mut ticker = tokio::time::interval(Duration::from_millis(66));
    for _ in 0..45 {
        ticker.tick().await;
        packets.clear();
        video.next_frame(
            sportello_loadtest::clock::mono_micros(),
            false,
            &mut packets,
        );
        for packet in packets.drain(..) {
            track.write_rtp(packet).await.unwrap();
        }
    }
    let _ = pc.close().await;
    received
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_rolls_back_on_offer_collision() {
    tokio::time::timeout(Duration::from_secs(20), async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("ws://{}/v1/signal", listener.local_addr().unwrap());
        let server = tokio::spawn(fake_server(listener));

        let client = Participant::join(ParticipantConfig::new(url, "token"))
            .await
            .unwrap();
        assert_eq!(client.id(), "c1");
        client
            .wait_connected(Duration::from_secs(10))
            .await
            .unwrap();
        client
            .wait_until(Duration::from_secs(10), "server video", |me| {
                me.remote_stats("srv", MediaKind::Video)
                    .is_some_and(|s| s.seq.received() > 30 && s.keyframes > 0)
            })
            .await
            .unwrap_or_else(|e| panic!("{e}: {:?}", client.remote_stats("srv", MediaKind::Video)));
        let stats = client.remote_stats("srv", MediaKind::Video).unwrap();
        assert_eq!(stats.lost(), 0);
        assert_eq!(client.server_offers(), 1);
        assert!(client.errors().is_empty(), "{:?}", client.errors());
        let from_client = server.await.unwrap();
        assert!(
            from_client.load(Ordering::Relaxed) > 0,
            "server got client media"
        );
        client.close().await;
    })
    .await
    .expect("finishes in time");
}
