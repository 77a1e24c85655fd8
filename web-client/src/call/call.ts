// One person's presence in a meeting: local media, signalling, the peer connection,
// reconnection. Knows nothing of the DOM; reports to a `CallView`.

import { ApiError } from '../api';
import { JitteredBackoff, type ReconnectPolicy } from './backoff';
import {
  type CallEndCode, FATAL_ERRORS, type ConnectionState, errorText, joinedNotice, leftNotice, mediaErrorText, partialMediaText,
  roleChangeNotice,
} from '../messages';
import { Peer } from './peer';
import type { ErrorCode } from '../generated/ErrorCode';
import type { MediaKind } from '../generated/MediaKind';
import type { ParticipantInfo } from '../generated/ParticipantInfo';
import type { Role } from '../generated/Role';
import type { ServerMessage } from '../generated/ServerMessage';
import { preferredDevice, rememberDevice } from './devices';
import { PROTOCOL_VERSION, SignallingClient, signalUrl } from './signalling';

const AUDIO_CONSTRAINTS = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };
const VIDEO_CONSTRAINTS = { width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 24, max: 30 } };

export interface CallView {
  setState(state: ConnectionState): void;
  setLocalStream(stream: MediaStream | null): void;
  setLocalMuted(kind: MediaKind, muted: boolean): void;
  /** Whether this device has a track of `kind` at all. */
  setAvailable(kind: MediaKind, available: boolean): void;
  upsertParticipant(p: ParticipantInfo): void;
  removeParticipant(id: string): void;
  clearParticipants(): void;
  attachTrack(participantId: string, track: MediaStreamTrack): void;
  setRemoteMuted(participantId: string, kind: MediaKind, muted: boolean): void;
  /** A short polite announcement (someone joined or left, a device problem). */
  notice(text: string): void;
  /** The meeting cannot go on for this page; `text` says why, in Italian. */
  fatal(text: string): void;
  /** The person left by pressing "Esci". */
  left(): void;
  /** This page's own role in the room: on every join and after `reauthenticate`. */
  setSelfRole(role: Role): void;
  /** The official closed the meeting (`meeting_ended`): nothing more happens on this page. */
  ended(): void;
  /** The meeting's documents changed (`documents_changed`). */
  documentsChanged?(): void;
  /** The meeting's documents to print changed (`prints_changed`). */
  printsChanged?(): void;
}

export interface CallOptions {
  /** Returns a meeting token; called before every (re)join. */
  token(): Promise<string>;
  view: CallView;
  policy?: ReconnectPolicy;
}

const LEAVE_GRACE_MS = 1500;
/** How long a `reauthenticate` may wait for its answer before the call rejoins instead. */
const REAUTH_TIMEOUT_MS = 5000;
/** Signalling errors that refuse a `reauthenticate` (the connection itself goes on). */
const REAUTH_ERRORS: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'wrong_room', 'token_invalid', 'token_expired', 'ticket_used', 'not_admitted', 'rate_limited',
]);

interface PendingReauth {
  /** The role the switch is to. */
  role: Role;
  /** The token of the new identity, for a `reauthenticate` after a join under the old one. */
  token: string;
  resolve(role: Role): void;
  reject(err: Error): void;
}

export class Call {
  private state: ConnectionState = 'idle';
  private signalling: SignallingClient | null = null;
  private peer: Peer | null = null;
  private local: MediaStream | null = null;
  /** Resolves once camera and microphone are open (or known to be unavailable). */
  private media: Promise<MediaStream | null> = Promise.resolve(null);
  private participants = new Map<string, ParticipantInfo>();
  private pendingTracks = new Map<string, MediaStreamTrack[]>();
  private selfId: string | null = null;
  private attempt = 0;
  private retryTimer: number | undefined;
  private leaving = false;
  private fatalCode: ErrorCode | null = null;
  private leftAck: (() => void) | null = null;
  private audioMuted = false;
  private videoMuted = false;
  private readonly policy: ReconnectPolicy;
  private tokenSource: () => Promise<string>;
  private selfRole: Role | null = null;
  private pendingReauth: PendingReauth | null = null;
  private reauthTimer: number | undefined;
  /** `Date.now()` when `joined` last arrived. */
  joinedAt: number | null = null;

  constructor(private readonly opts: CallOptions) {
    this.policy = opts.policy ?? new JitteredBackoff();
    this.tokenSource = () => opts.token();
  }

  get connectionState(): ConnectionState { return this.state; }
  get participantId(): string | null { return this.selfId; }
  get peerConnection(): RTCPeerConnection | null { return this.peer?.pc ?? null; }
  get remoteParticipants(): string[] { return [...this.participants.keys()]; }
  get isAudioMuted(): boolean { return this.audioMuted; }
  get isVideoMuted(): boolean { return this.videoMuted; }
  /** This page's role in the room (from `joined` or `reauthenticated`), null before joining. */
  get role(): Role | null { return this.selfRole; }
  /** The others in the room, as last announced. */
  get roster(): ParticipantInfo[] { return [...this.participants.values()].map((p) => ({ ...p })); }

  /**
   * Continues as `role` in the same room (handover, "Richiama operatore"): sends
   * `reauthenticate` with `first` on the live socket, without touching the media, and resolves
   * once the server confirms. From now on every rejoin takes its token from `next`. When the
   * socket is down, or the server refuses the switch on this connection, the call rejoins
   * with a token from `next` and resolves on that `joined`.
   */
  reauthenticate(role: Role, first: string, next: () => Promise<string>): Promise<Role> {
    this.tokenSource = next;
    this.pendingReauth?.reject(new Error('superseded'));
    return new Promise<Role>((resolve, reject) => {
      this.pendingReauth = { role, token: first, resolve, reject };
      if (this.signalling && this.peer) {
        this.sendReauth(first);
      } else {
        // Not in the room right now: the join in progress or the next one uses `first`.
        let once: string | null = first;
        this.tokenSource = async () => {
          if (once !== null) {
            const t = once;
            once = null;
            return t;
          }
          return next();
        };
      }
    });
  }

  async start(): Promise<void> {
    this.setState('connecting');
    // Camera and token in parallel: the preview shows while the socket opens.
    this.media = this.openMedia();
    await this.connect();
  }

  toggle(kind: MediaKind): void {
    const muted = kind === 'audio' ? !this.audioMuted : !this.videoMuted;
    if (kind === 'audio') this.audioMuted = muted; else this.videoMuted = muted;
    for (const track of this.local?.getTracks() ?? []) {
      if (track.kind === kind) track.enabled = !muted;
    }
    this.opts.view.setLocalMuted(kind, muted);
    this.signalling?.send({ type: 'track_state', kind, muted });
  }

  /**
   * Switches camera or microphone to `deviceId`: opens that device alone, replaces the track on
   * the sender (no renegotiation), stops the old one and remembers the choice. The mute state
   * carries over. On failure the old device stays and a notice says so. Resolves to success.
   */
  async chooseDevice(kind: MediaKind, deviceId: string): Promise<boolean> {
    const old = this.local?.getTracks().find((t) => t.kind === kind);
    if (!this.local || !old) return false;
    const constraints = { ...(kind === 'audio' ? AUDIO_CONSTRAINTS : VIDEO_CONSTRAINTS), deviceId: { exact: deviceId } };
    let track: MediaStreamTrack | undefined;
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ [kind]: constraints });
      track = stream.getTracks().find((t) => t.kind === kind);
      if (!track) throw new Error('no track');
      track.enabled = !(kind === 'audio' ? this.audioMuted : this.videoMuted);
      await this.peer?.replaceTrack(old, track);
    } catch (err) {
      console.warn('sportello: could not switch device', kind, err);
      track?.stop();
      this.opts.view.notice(kind === 'audio'
        ? 'Non è stato possibile usare il microfono scelto: resta quello di prima.'
        : 'Non è stato possibile usare la videocamera scelta: resta quella di prima.');
      // The pickers show the device still in use again.
      this.opts.view.setLocalStream(this.local);
      return false;
    }
    // A new stream object, so the preview and the level meter follow the new track.
    this.local = new MediaStream([...this.local.getTracks().filter((t) => t !== old), track]);
    old.stop();
    rememberDevice(kind === 'audio' ? 'audioinput' : 'videoinput', deviceId);
    this.opts.view.setLocalStream(this.local);
    return true;
  }

  /** Leaves the meeting ("Esci"): tells the server, waits briefly for `left`, closes. */
  async leave(): Promise<void> {
    if (this.leaving) return;
    this.leaving = true;
    window.clearTimeout(this.retryTimer);
    const signalling = this.signalling;
    if (signalling) {
      const ack = new Promise<void>((resolve) => {
        this.leftAck = resolve;
        window.setTimeout(resolve, LEAVE_GRACE_MS);
      });
      signalling.send({ type: 'leave' });
      await ack;
    }
    this.teardown();
    for (const track of this.local?.getTracks() ?? []) track.stop();
    this.local = null;
    this.opts.view.setLocalStream(null);
    this.setState('disconnected');
    this.opts.view.left();
  }

  /** Best effort when the page goes away: no waiting. */
  leaveNow(): void {
    if (this.leaving) return;
    this.leaving = true;
    this.signalling?.send({ type: 'leave' });
    this.teardown();
  }

  /**
   * Camera and microphone; falls back to whichever of the two works, so a workstation without
   * a camera can still talk, and one without anything can still watch and listen.
   */
  private async openMedia(): Promise<MediaStream | null> {
    const audio = AUDIO_CONSTRAINTS;
    const video = VIDEO_CONSTRAINTS;
    // The devices chosen on this workstation first, exactly (Chromium does not honour an `ideal`
    // device id); if one went away, the browser's defaults.
    const chosenAudio = preferredDevice('audioinput');
    const chosenVideo = preferredDevice('videoinput');
    const chosen: MediaStreamConstraints[] = chosenAudio || chosenVideo
      ? [{ audio: { ...audio, ...chosenAudio }, video: { ...video, ...chosenVideo } }]
      : [];
    let firstError: unknown = null;
    const plain: MediaStreamConstraints[] = [{ audio, video }, { audio }, { video }];
    for (const constraints of [...chosen, ...plain]) {
      const isChoice = chosen.includes(constraints);
      try {
        const stream = await navigator.mediaDevices.getUserMedia(constraints);
        this.local = stream;
        this.opts.view.setLocalStream(stream);
        this.opts.view.setAvailable('audio', stream.getAudioTracks().length > 0);
        this.opts.view.setAvailable('video', stream.getVideoTracks().length > 0);
        if (firstError !== null) this.opts.view.notice(partialMediaText(stream));
        return stream;
      } catch (err) {
        console.warn('sportello: getUserMedia failed', constraints, err);
        // A remembered device that is gone is not a problem to report.
        if (isChoice && err instanceof DOMException && (err.name === 'OverconstrainedError' || err.name === 'NotFoundError')) continue;
        firstError ??= err;
        // Refused by the person or the browser: asking again for less will not help.
        if (err instanceof DOMException && (err.name === 'NotAllowedError' || err.name === 'SecurityError')) break;
      }
    }
    this.opts.view.setAvailable('audio', false);
    this.opts.view.setAvailable('video', false);
    this.opts.view.notice(mediaErrorText(firstError));
    return null;
  }

  private async connect(): Promise<void> {
    let token: string;
    try {
      token = await this.tokenSource();
    } catch (err) {
      console.warn('sportello: no token', err);
      if (err instanceof ApiError && err.code === 'meeting_closed') {
        this.end();
        return;
      }
      this.fail('dev_token');
      return;
    }
    if (this.leaving) return;
    const signalling = new SignallingClient(signalUrl(), {
      onMessage: (msg) => { void this.onMessage(msg); },
      onClose: () => { this.onClose(signalling); },
    });
    this.signalling = signalling;
    try {
      await signalling.opening();
    } catch {
      return; // onClose schedules the retry.
    }
    signalling.send({ type: 'join', version: PROTOCOL_VERSION, token });
  }

  private async onMessage(msg: ServerMessage): Promise<void> {
    const view = this.opts.view;
    switch (msg.type) {
      case 'joined': {
        this.attempt = 0;
        this.selfId = msg.participant_id;
        this.joinedAt = Date.now();
        this.setSelfRole(msg.role);
        if (this.pendingReauth?.role === msg.role) this.settleReauth(msg.role);
        // Joined under the old identity (its token was already on its way): switch now.
        else if (this.pendingReauth) this.sendReauth(this.pendingReauth.token);
        this.participants.clear();
        this.pendingTracks.clear();
        view.clearParticipants();
        for (const p of msg.participants) this.addParticipant(p);
        const peer = new Peer(msg.ice_servers, {
          send: (m) => { this.signalling?.send(m); },
          onRemoteTrack: (id, track) => { this.onRemoteTrack(id, track); },
          onConnectionState: (s) => { this.onPeerState(peer, s); },
        });
        this.peer = peer;
        // Camera and microphone may still be opening (a permission prompt): wait for them.
        const stream = await this.media;
        if (this.peer !== peer) return;
        // Always make the first offer, with receive-only sections for what we cannot send.
        peer.publish(stream);
        // A kind this device lacks is announced as muted, so the others see why it is silent or dark.
        const hasAudio = (stream?.getAudioTracks().length ?? 0) > 0;
        const hasVideo = (stream?.getVideoTracks().length ?? 0) > 0;
        if (this.audioMuted || !hasAudio) this.signalling?.send({ type: 'track_state', kind: 'audio', muted: true });
        if (this.videoMuted || !hasVideo) this.signalling?.send({ type: 'track_state', kind: 'video', muted: true });
        return;
      }
      case 'offer':
        this.peer?.onRemoteOffer(msg.sdp);
        return;
      case 'answer':
        this.peer?.onRemoteAnswer(msg.sdp);
        return;
      case 'candidate':
        this.peer?.onRemoteCandidate(msg.candidate);
        return;
      case 'participant_joined':
        this.addParticipant(msg.participant);
        view.notice(joinedNotice(msg.participant.display_name));
        return;
      case 'participant_updated': {
        const before = this.participants.get(msg.participant.id);
        if (!before) {
          this.addParticipant(msg.participant);
          return;
        }
        this.participants.set(msg.participant.id, { ...msg.participant });
        view.upsertParticipant(msg.participant);
        if (before.role !== msg.participant.role) {
          view.notice(roleChangeNotice(before.role, msg.participant.role, msg.participant.display_name));
        }
        return;
      }
      case 'reauthenticated':
        this.setSelfRole(msg.participant.role);
        this.settleReauth(msg.participant.role);
        return;
      case 'participant_left': {
        const p = this.participants.get(msg.participant_id);
        this.participants.delete(msg.participant_id);
        view.removeParticipant(msg.participant_id);
        if (p) view.notice(leftNotice(p.display_name, msg.reason));
        return;
      }
      case 'track_state': {
        const p = this.participants.get(msg.participant_id);
        if (p) {
          if (msg.kind === 'audio') p.audio_muted = msg.muted; else p.video_muted = msg.muted;
        }
        view.setRemoteMuted(msg.participant_id, msg.kind, msg.muted);
        return;
      }
      case 'left':
        this.leftAck?.();
        return;
      case 'documents_changed':
        view.documentsChanged?.();
        return;
      case 'prints_changed':
        view.printsChanged?.();
        return;
      case 'error':
        this.onError(msg.code, msg.message);
        return;
      case 'ping':
      case 'pong':
        return;
    }
  }

  private addParticipant(p: ParticipantInfo): void {
    if (p.id === this.selfId) return;
    this.participants.set(p.id, { ...p });
    this.opts.view.upsertParticipant(p);
    const pending = this.pendingTracks.get(p.id);
    this.pendingTracks.delete(p.id);
    for (const track of pending ?? []) {
      if (track.readyState === 'live') this.opts.view.attachTrack(p.id, track);
    }
  }

  private onRemoteTrack(participantId: string, track: MediaStreamTrack): void {
    if (participantId === this.selfId) return;
    if (!this.participants.has(participantId)) {
      // Not (yet) a known participant: keep it until `participant_joined` names its owner.
      // Tracks that never get an owner (e.g. an unsignalled stream) are never shown.
      const pending = this.pendingTracks.get(participantId) ?? [];
      pending.push(track);
      this.pendingTracks.set(participantId, pending);
      return;
    }
    this.opts.view.attachTrack(participantId, track);
  }

  private onPeerState(peer: Peer, state: RTCPeerConnectionState): void {
    if (this.peer !== peer || this.leaving) return;
    if (state === 'connected') {
      this.setState('connected');
    } else if (state === 'failed') {
      console.warn('sportello: media connection failed, rejoining');
      this.signalling?.close();
      this.lost();
    }
  }

  private onError(code: ErrorCode, message: string): void {
    console.warn(`sportello: server error ${code}: ${message}`);
    if (this.pendingReauth && REAUTH_ERRORS.has(code)) {
      // This connection keeps its old identity: rejoin with a token of the new one.
      this.rejoinForReauth();
      return;
    }
    if (code === 'meeting_ended') {
      this.fatalCode = code;
      return; // The server closes the socket next; onClose ends the page.
    }
    if (FATAL_ERRORS.has(code)) {
      this.fatalCode = code;
      return; // The server closes the socket next; onClose reports it.
    }
    if (code === 'shutting_down') this.opts.view.notice(errorText(code));
    // Glare, a stale answer, a refused candidate: the negotiation recovers by itself.
  }

  private onClose(closed: SignallingClient): void {
    if (this.signalling !== closed || this.leaving) return;
    if (this.fatalCode === 'meeting_ended') {
      this.end();
      return;
    }
    if (this.fatalCode !== null) {
      this.fail(this.fatalCode);
      return;
    }
    this.lost();
  }

  /** The meeting is over (closed by the official): stop everything, tell the view once. */
  end(): void {
    if (this.leaving) return;
    this.leaving = true;
    window.clearTimeout(this.retryTimer);
    this.teardown();
    this.pendingReauth?.reject(new Error('meeting ended'));
    this.pendingReauth = null;
    for (const track of this.local?.getTracks() ?? []) track.stop();
    this.local = null;
    this.opts.view.setLocalStream(null);
    this.setState('disconnected');
    this.opts.view.ended();
  }

  private sendReauth(token: string): void {
    this.signalling?.send({ type: 'reauthenticate', token });
    window.clearTimeout(this.reauthTimer);
    this.reauthTimer = window.setTimeout(() => { this.rejoinForReauth(); }, REAUTH_TIMEOUT_MS);
  }

  private rejoinForReauth(): void {
    window.clearTimeout(this.reauthTimer);
    if (this.leaving || !this.pendingReauth) return;
    console.warn('sportello: reauthenticate did not complete on this connection, rejoining');
    this.signalling?.close();
    this.attempt = 0;
    this.lost();
  }

  private settleReauth(role: Role): void {
    window.clearTimeout(this.reauthTimer);
    const pending = this.pendingReauth;
    this.pendingReauth = null;
    pending?.resolve(role);
  }

  private setSelfRole(role: Role): void {
    this.selfRole = role;
    this.opts.view.setSelfRole(role);
  }

  private lost(): void {
    this.teardown();
    const delay = this.policy.nextDelayMs(this.attempt);
    if (delay === null) {
      this.fail('connection_lost');
      return;
    }
    this.attempt += 1;
    this.setState('reconnecting');
    this.retryTimer = window.setTimeout(() => { void this.connect(); }, delay);
  }

  private fail(code: CallEndCode): void {
    this.teardown();
    this.leaving = true;
    window.clearTimeout(this.reauthTimer);
    this.pendingReauth?.reject(new Error(code));
    this.pendingReauth = null;
    for (const track of this.local?.getTracks() ?? []) track.stop();
    this.local = null;
    this.opts.view.setLocalStream(null);
    this.setState('disconnected');
    this.opts.view.fatal(errorText(code));
  }

  private teardown(): void {
    const signalling = this.signalling;
    this.signalling = null;
    signalling?.close();
    this.peer?.close();
    this.peer = null;
  }

  private setState(state: ConnectionState): void {
    if (this.state === state) return;
    this.state = state;
    this.opts.view.setState(state);
  }
}
