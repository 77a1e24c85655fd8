// The one RTCPeerConnection to the SFU, with "perfect negotiation" as the polite peer:
// on an offer collision the client rolls back its own offer and accepts the server's.

import type { ClientMessage } from '../generated/ClientMessage';
import type { IceCandidate } from '../generated/IceCandidate';
import type { IceServer } from '../generated/IceServer';

export interface PeerEvents {
  send(msg: ClientMessage): void;
  /** A remote track arrived; `participantId` is the id of its MediaStream. */
  onRemoteTrack(participantId: string, track: MediaStreamTrack): void;
  onConnectionState(state: RTCPeerConnectionState): void;
}

export class Peer {
  readonly pc: RTCPeerConnection;
  private makingOffer = false;
  /** Incoming descriptions are applied one at a time, in arrival order. */
  private queue: Promise<void> = Promise.resolve();

  constructor(iceServers: IceServer[], private readonly events: PeerEvents) {
    this.pc = new RTCPeerConnection({
      iceServers: iceServers.map((s) => ({
        urls: s.urls,
        ...(s.username != null ? { username: s.username } : {}),
        ...(s.credential != null ? { credential: s.credential } : {}),
      })),
      bundlePolicy: 'max-bundle',
      rtcpMuxPolicy: 'require',
    });
    this.pc.addEventListener('negotiationneeded', () => { void this.offer(); });
    this.pc.addEventListener('icecandidate', (ev) => {
      if (!ev.candidate?.candidate) return;
      this.events.send({
        type: 'candidate',
        candidate: {
          candidate: ev.candidate.candidate,
          sdp_mid: ev.candidate.sdpMid,
          sdp_m_line_index: ev.candidate.sdpMLineIndex,
        },
      });
    });
    this.pc.addEventListener('track', (ev) => {
      const stream = ev.streams[0];
      if (stream) this.events.onRemoteTrack(stream.id, ev.track);
    });
    this.pc.addEventListener('connectionstatechange', () => {
      this.events.onConnectionState(this.pc.connectionState);
    });
  }

  /**
   * Publishes the local camera and microphone; a kind the device lacks gets a receive-only
   * section, so the first offer always comes from the client.
   */
  publish(stream: MediaStream | null): void {
    for (const kind of ['audio', 'video'] as const) {
      const track = stream?.getTracks().find((t) => t.kind === kind);
      if (stream && track) this.pc.addTrack(track, stream);
      else this.pc.addTransceiver(kind, { direction: 'recvonly' });
    }
  }

  /** Sends `next` where `old` was sent, without renegotiation (a device switch). */
  async replaceTrack(old: MediaStreamTrack, next: MediaStreamTrack): Promise<void> {
    const sender = this.pc.getSenders().find((s) => s.track === old);
    if (sender) await sender.replaceTrack(next);
  }

  onRemoteOffer(sdp: string): void {
    this.enqueue(async () => {
      // Polite peer: setRemoteDescription(offer) rolls back our own pending offer if any.
      await this.pc.setRemoteDescription({ type: 'offer', sdp });
      await this.pc.setLocalDescription();
      const answer = this.pc.localDescription;
      if (answer) this.events.send({ type: 'answer', sdp: answer.sdp });
    });
  }

  onRemoteAnswer(sdp: string): void {
    this.enqueue(async () => {
      // An answer to an offer we have rolled back is stale: drop it.
      if (this.pc.signalingState !== 'have-local-offer') return;
      await this.pc.setRemoteDescription({ type: 'answer', sdp });
    });
  }

  onRemoteCandidate(candidate: IceCandidate): void {
    this.enqueue(async () => {
      await this.pc.addIceCandidate({
        candidate: candidate.candidate,
        sdpMid: candidate.sdp_mid,
        sdpMLineIndex: candidate.sdp_m_line_index,
      });
    });
  }

  close(): void {
    this.pc.close();
  }

  private async offer(): Promise<void> {
    if (this.pc.signalingState === 'closed') return;
    try {
      this.makingOffer = true;
      await this.pc.setLocalDescription();
      const offer = this.pc.localDescription;
      if (offer?.type === 'offer') this.events.send({ type: 'offer', sdp: offer.sdp });
    } catch (err) {
      console.warn('sportello: could not create an offer', err);
    } finally {
      this.makingOffer = false;
    }
  }

  /** Whether an offer of ours is being made or awaits its answer (for tests and logs). */
  get negotiating(): boolean {
    return this.makingOffer || this.pc.signalingState !== 'stable';
  }

  private enqueue(step: () => Promise<void>): void {
    this.queue = this.queue.then(step).catch((err: unknown) => {
      if (this.pc.signalingState !== 'closed') console.warn('sportello: negotiation step failed', err);
    });
  }
}
