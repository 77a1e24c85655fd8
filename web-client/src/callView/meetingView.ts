// The meeting page: remote tiles, local preview, controls, connection state, notices, the
// roster, and the lobby with the device check while alone. The same view serves the staff, the
// citizen kiosk (`setKiosk`) and the demo landing; it changes mode in place, media untouched.

import { CONNECTION_LABEL, type ConnectionState, ROLE_LABEL } from '../messages';
import type { MediaKind } from '../generated/MediaKind';
import type { ParticipantInfo } from '../generated/ParticipantInfo';
import type { Role } from '../generated/Role';
import type { CallView } from '../call/call';
import { h } from '../widgets/dom';
import { icon } from '../widgets/icons';
import { type Awaited, Lobby } from './lobby';
import type { DeviceKind } from '../call/devices';
import { closeAllModals } from '../widgets/modal';
import { Roster } from './roster';

const NOTICE_MS = 10_000;

export interface MeetingActions {
  toggle(kind: MediaKind): void;
  /** Switch camera (`videoinput`) or microphone (`audioinput`) to `deviceId`. */
  chooseDevice(kind: DeviceKind, deviceId: string): void;
  leave(): void;
  rejoin(): void;
}

export interface MeetingViewOptions {
  /** Who the lobby says the meeting waits for. */
  awaited?: Awaited[];
  /** The page shown when the meeting ends (`meeting_ended`); by default a big thank-you. */
  endedPage?: () => HTMLElement;
  /**
   * The citizen's real name, shown instead of the signalling's "Cittadino" (the official's page
   * only: the name never travels over signalling).
   */
  citizenName?: string;
  /** Shown in the side column under the own image, before the participants (case, documents). */
  sidePanel?: HTMLElement;
  /** The meeting's documents changed (signalling `documents_changed`). */
  onDocumentsChanged?: () => void;
  /** The meeting's documents to print changed (signalling `prints_changed`). */
  onPrintsChanged?: () => void;
}

/** The default end of the meeting: a thank-you and nothing to press. */
export function endedMessage(): HTMLElement {
  return h('div', { class: 'ended-page', id: 'meeting-ended' },
    h('h1', { tabindex: '-1', class: 'ended-title' }, 'La videochiamata è terminata. Grazie.'));
}

interface Tile {
  root: HTMLElement;
  video: HTMLVideoElement;
  stream: MediaStream;
  name: HTMLElement;
  role: HTMLElement;
  micOff: HTMLElement;
  camOff: HTMLElement;
  placeholder: HTMLElement;
}

function initials(name: string): string {
  return name.split(/\s+/).filter(Boolean).slice(0, 2).map((w) => w.charAt(0).toUpperCase()).join('') || '?';
}

export class MeetingView implements CallView {
  private readonly status = h('p', { id: 'connection-state', class: 'status-pill', role: 'status', 'aria-live': 'polite' });
  private readonly notices = h('div', { id: 'notices', class: 'notices', 'aria-live': 'polite', 'aria-atomic': 'false' });
  private readonly fatalBox = h('div', { id: 'fatal', class: 'alert alert-danger fatal', role: 'alert', hidden: true });
  private readonly remote = h('div', { id: 'remote-tiles', class: 'remote-grid', 'data-count': '0' });
  private readonly lobby: Lobby;
  private readonly roster = new Roster();
  private readonly title = h('h1', { class: 'meeting-title', tabindex: '-1' });
  /** The kiosk's one plain sentence of what is happening (hidden for the staff). */
  private readonly guide = h('p', { class: 'kiosk-guide', id: 'kiosk-guide', 'aria-live': 'polite', hidden: true });
  private kiosk = false;
  private readonly extra = h('div', { class: 'controls-extra' });
  private readonly problem = h('div', { class: 'alert alert-danger meeting-problem', role: 'alert', id: 'meeting-problem', hidden: true });
  private readonly meetingRoot: HTMLElement;
  private over = false;
  private readonly localVideo = h('video', { class: 'mirror', muted: true, playsinline: true, autoplay: true });
  private readonly localOff = h('div', { class: 'tile-placeholder', hidden: true }, 'La sua videocamera è spenta');
  private readonly micBtn: HTMLButtonElement;
  private readonly camBtn: HTMLButtonElement;
  private readonly leaveBtn: HTMLButtonElement;
  private readonly soundBtn = h('button', { type: 'button', class: 'btn btn-warning btn-lg btn-sound', hidden: true },
    'Attiva l’audio degli altri partecipanti');
  private readonly controls: HTMLElement;
  private readonly stage: HTMLElement;
  private readonly tiles = new Map<string, Tile>();

  constructor(
    private readonly root: HTMLElement,
    room: string,
    private readonly actions: MeetingActions,
    private readonly options: MeetingViewOptions = {},
  ) {
    this.lobby = new Lobby(options.awaited ?? [], (kind, id) => { this.actions.chooseDevice(kind, id); });
    this.setTitle(h('span', {}, 'Videochiamata ', h('span', { class: 'room-name' }, `«${room}»`)));
    this.localVideo.muted = true;
    this.micBtn = h('button', { type: 'button', id: 'btn-mic', class: 'btn btn-lg btn-control' });
    this.camBtn = h('button', { type: 'button', id: 'btn-cam', class: 'btn btn-lg btn-control' });
    this.leaveBtn = h('button', { type: 'button', id: 'btn-leave', class: 'btn btn-lg btn-danger btn-control' },
      icon('exit'), h('span', {}, 'Lascia la videochiamata'));
    this.micBtn.addEventListener('click', () => { this.actions.toggle('audio'); });
    this.camBtn.addEventListener('click', () => { this.actions.toggle('video'); });
    this.leaveBtn.addEventListener('click', () => {
      this.leaveBtn.disabled = true;
      this.actions.leave();
    });
    this.soundBtn.addEventListener('click', () => { this.unmuteAll(); });
    this.setLocalMuted('audio', false);
    this.setLocalMuted('video', false);
    this.setState('connecting');

    this.controls = h('div', { class: 'controls', role: 'group', 'aria-label': 'Comandi della videochiamata' },
      this.micBtn, this.camBtn, this.extra, this.leaveBtn);
    this.stage = h('div', { class: 'stage' },
      h('section', { class: 'remote-area', 'aria-label': 'Altri partecipanti' }, this.notices, this.lobby.root, this.remote),
      // Scrolls when the roster is long: focusable, so that the keyboard can scroll it too.
      h('div', { class: 'side', tabindex: '0', role: 'region', 'aria-label': 'La sua immagine e i partecipanti' },
        h('figure', { class: 'tile tile-local', 'aria-label': 'La sua immagine' },
          this.localVideo, this.localOff,
          h('figcaption', { class: 'tile-caption' }, h('span', { class: 'tile-name' }, 'Lei'))),
        options.sidePanel ?? null,
        this.roster.root));
    document.body.classList.add('in-meeting');
    this.meetingRoot = h('div', { class: 'meeting' },
      h('div', { class: 'meeting-top' }, this.title, this.status),
      this.guide,
      this.fatalBox,
      this.problem,
      this.soundBtn,
      this.stage,
      this.controls);
    root.replaceChildren(this.meetingRoot);
    this.layout();
  }

  /** The heading of the page. */
  setTitle(content: Node | string): void {
    this.title.replaceChildren(content);
  }

  /** Buttons of the page's role ("Passa al cittadino", "Chiudi la videochiamata", "Richiama operatore"). */
  setExtraControls(...buttons: HTMLElement[]): void {
    this.extra.replaceChildren(...buttons);
  }

  /**
   * After a change of role: the staff get the focus on their role's first button; the kiosk on
   * its heading (the citizen reads what is happening, "Richiama operatore" is not for them).
   */
  focusRoleControl(): void {
    if (this.kiosk) this.title.focus();
    else this.extra.querySelector<HTMLElement>('button')?.focus();
  }

  /** An error of one of the page's actions, shown above the call (null clears it). */
  showProblem(text: string | null): void {
    this.problem.textContent = text ?? '';
    this.problem.hidden = text === null;
  }

  /**
   * The citizen kiosk: big video of the others, big buttons, no "Esci" and no staff navigation.
   * Switches in place: the video elements and the call are untouched.
   */
  setKiosk(kiosk: boolean): void {
    this.kiosk = kiosk;
    this.meetingRoot.classList.toggle('is-kiosk', kiosk);
    document.body.classList.toggle('kiosk', kiosk);
    this.leaveBtn.hidden = kiosk;
    this.guide.hidden = !kiosk;
    this.showGuide();
  }

  /** The kiosk's sentence: waiting for the official, or talking with them. */
  private showGuide(): void {
    if (!this.kiosk) return;
    const official = [...this.tiles.values()].some((t) => t.root.dataset.role === 'official');
    const text = official
      ? 'Il funzionario INPS la vede e la sente: parli pure.'
      : 'Attenda: il funzionario INPS si sta collegando.';
    if (this.guide.textContent !== text) this.guide.textContent = text;
  }

  /** Who the lobby waits for (after a change of role the expected people change too). */
  setAwaited(awaited: Awaited[]): void {
    this.lobby.setAwaited(awaited);
  }

  setSelfRole(role: Role): void {
    this.roster.setSelfRole(role);
  }

  ended(): void {
    if (this.over) return;
    this.over = true;
    closeAllModals();
    this.lobby.dispose();
    for (const id of [...this.tiles.keys()]) this.removeParticipant(id);
    document.body.classList.remove('in-meeting');
    const page = (this.options.endedPage ?? endedMessage)();
    this.root.replaceChildren(page);
    page.querySelector<HTMLElement>('h1')?.focus();
  }

  setState(state: ConnectionState): void {
    this.status.textContent = CONNECTION_LABEL[state];
    this.status.dataset.state = state;
  }

  setLocalStream(stream: MediaStream | null): void {
    this.localVideo.srcObject = stream;
    this.lobby.setStream(stream);
    if (stream) this.play(this.localVideo);
  }

  setLocalMuted(kind: MediaKind, muted: boolean): void {
    const btn = kind === 'audio' ? this.micBtn : this.camBtn;
    // A toggle that says both what is (state) and what pressing does (action).
    const [state, action] = kind === 'audio'
      ? (muted ? ['Microfono spento', 'prema per accenderlo'] : ['Microfono acceso', 'prema per spegnerlo'])
      : (muted ? ['Videocamera spenta', 'prema per accenderla'] : ['Videocamera accesa', 'prema per spegnerla']);
    const name = kind === 'audio' ? (muted ? 'micOff' : 'mic') : (muted ? 'camOff' : 'cam');
    btn.replaceChildren(icon(name), h('span', { class: 'control-text' },
      h('span', { class: 'control-state' }, state),
      h('span', { class: 'visually-hidden' }, ' – '),
      h('span', { class: 'control-action' }, action)));
    btn.classList.toggle('is-off', muted);
    btn.removeAttribute('title');
    if (kind === 'video') this.localOff.hidden = !muted;
  }

  setAvailable(kind: MediaKind, available: boolean): void {
    const btn = kind === 'audio' ? this.micBtn : this.camBtn;
    if (available) {
      btn.disabled = false;
      return;
    }
    btn.disabled = true;
    btn.replaceChildren(icon(kind === 'audio' ? 'micOff' : 'camOff'),
      h('span', {}, kind === 'audio' ? 'Microfono non disponibile' : 'Videocamera non disponibile'));
    btn.classList.add('is-off');
    btn.removeAttribute('title');
    if (kind === 'video') this.localOff.hidden = false;
  }

  documentsChanged(): void {
    this.options.onDocumentsChanged?.();
  }

  printsChanged(): void {
    this.options.onPrintsChanged?.();
  }

  upsertParticipant(info: ParticipantInfo): void {
    const p = info.role === 'citizen' && this.options.citizenName
      ? { ...info, display_name: this.options.citizenName }
      : info;
    let tile = this.tiles.get(p.id);
    if (!tile) {
      tile = this.createTile(p.id);
      this.tiles.set(p.id, tile);
      this.remote.append(tile.root);
      this.layout();
    }
    tile.name.textContent = p.display_name;
    tile.role.textContent = ROLE_LABEL[p.role];
    tile.placeholder.textContent = initials(p.display_name);
    tile.root.setAttribute('aria-label', `${p.display_name}, ${ROLE_LABEL[p.role]}`);
    tile.root.dataset.role = p.role;
    this.roster.upsert(p);
    this.showGuide();
    this.setRemoteMuted(p.id, 'audio', p.audio_muted);
    this.setRemoteMuted(p.id, 'video', p.video_muted);
  }

  removeParticipant(id: string): void {
    const tile = this.tiles.get(id);
    if (!tile) return;
    tile.video.srcObject = null;
    tile.root.remove();
    this.tiles.delete(id);
    this.roster.remove(id);
    this.layout();
    this.showGuide();
  }

  clearParticipants(): void {
    for (const id of [...this.tiles.keys()]) this.removeParticipant(id);
  }

  attachTrack(participantId: string, track: MediaStreamTrack): void {
    const tile = this.tiles.get(participantId);
    if (!tile) return;
    for (const old of tile.stream.getTracks()) {
      if (old.kind === track.kind && old.id !== track.id) tile.stream.removeTrack(old);
    }
    if (!tile.stream.getTrackById(track.id)) tile.stream.addTrack(track);
    track.addEventListener('ended', () => { tile.stream.removeTrack(track); });
    if (tile.video.srcObject !== tile.stream) tile.video.srcObject = tile.stream;
    this.play(tile.video);
  }

  setRemoteMuted(participantId: string, kind: MediaKind, muted: boolean): void {
    const tile = this.tiles.get(participantId);
    if (!tile) return;
    if (kind === 'audio') {
      tile.micOff.hidden = !muted;
    } else {
      tile.camOff.hidden = !muted;
      tile.placeholder.hidden = !muted;
      tile.video.classList.toggle('invisible', muted);
    }
  }

  notice(text: string): void {
    const item = h('p', { class: 'notice' }, text);
    this.notices.append(item);
    // Two at most: the newest are the ones that matter.
    while (this.notices.childElementCount > 2) this.notices.firstElementChild?.remove();
    window.setTimeout(() => { item.remove(); }, NOTICE_MS);
  }

  fatal(text: string): void {
    this.fatalBox.replaceChildren(
      h('p', { class: 'mb-3' }, text),
      h('a', { class: 'btn btn-outline-primary btn-lg', href: '/' }, 'Torna alla pagina iniziale'));
    this.fatalBox.hidden = false;
    this.lobby.dispose();
    document.body.classList.remove('in-meeting');
    this.controls.hidden = true;
    this.stage.hidden = true;
    this.soundBtn.hidden = true;
  }

  left(): void {
    this.lobby.dispose();
    document.body.classList.remove('in-meeting');
    const rejoin = h('button', { type: 'button', class: 'btn btn-primary btn-lg' }, 'Rientra nella videochiamata');
    rejoin.addEventListener('click', () => { this.actions.rejoin(); });
    this.root.replaceChildren(
      h('div', { class: 'left-page' },
        h('h1', {}, 'Ha lasciato la videochiamata'),
        h('p', { class: 'lead' }, 'Videocamera e microfono sono spenti. Può chiudere questa finestra.'),
        h('p', { class: 'mb-0' }, rejoin)));
    rejoin.focus();
  }

  private createTile(id: string): Tile {
    const video = h('video', { playsinline: true, autoplay: true });
    const name = h('span', { class: 'tile-name' });
    const role = h('span', { class: 'tile-role' });
    const micOff = h('span', { class: 'tile-flag', hidden: true }, icon('micOff'), h('span', {}, 'Microfono spento'));
    const camOff = h('span', { class: 'tile-flag', hidden: true }, icon('camOff'), h('span', {}, 'Videocamera spenta'));
    const placeholder = h('div', { class: 'tile-placeholder tile-initials', hidden: true, 'aria-hidden': 'true' });
    const root = h('figure', { class: 'tile tile-remote', 'data-participant-id': id },
      video, placeholder,
      h('figcaption', { class: 'tile-caption' }, name, role, micOff, camOff));
    return { root, video, stream: new MediaStream(), name, role, micOff, camOff, placeholder };
  }

  private layout(): void {
    this.remote.dataset.count = String(this.tiles.size);
    const alone = this.tiles.size === 0 && !this.over;
    this.lobby.setVisible(alone);
    this.stage.classList.toggle('is-lobby', alone);
  }

  /** Starts playback; if the browser blocks sound without a click, plays muted and offers a button. */
  private play(video: HTMLVideoElement): void {
    video.play().catch((err: unknown) => {
      if (!(err instanceof DOMException) || err.name !== 'NotAllowedError' || video.muted) return;
      video.muted = true;
      void video.play().catch(() => undefined);
      this.soundBtn.hidden = false;
    });
  }

  private unmuteAll(): void {
    for (const tile of this.tiles.values()) {
      tile.video.muted = false;
      void tile.video.play().catch(() => undefined);
    }
    this.soundBtn.hidden = true;
  }
}
