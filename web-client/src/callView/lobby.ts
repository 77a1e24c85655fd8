// The lobby: whoever is alone in the meeting checks camera, microphone and speakers, and reads
// who is expected. It gives way to the call as soon as someone else is in the room.

import { ROLE_LABEL } from '../messages';
import type { Role } from '../generated/Role';
import { playTestTone } from './audio';
import { h } from '../widgets/dom';
import { MicLevel } from './micLevel';
import { type DeviceKind, listDevices, mediaDevices } from '../call/devices';

/** Someone the lobby waits for, as shown: their name and role. */
export interface Awaited {
  name: string;
  role: Role;
}

const SEGMENTS = 12;

/** Called when the person picks another camera or microphone. */
export type ChooseDevice = (kind: DeviceKind, deviceId: string) => void;

const DEVICE_NAME: Record<DeviceKind, string> = { videoinput: 'Videocamera', audioinput: 'Microfono' };
const PICKER_LABEL: Record<DeviceKind, string> = { videoinput: 'Videocamera da usare', audioinput: 'Microfono da usare' };

export class Lobby {
  readonly root: HTMLElement;
  private readonly preview = h('video', { class: 'mirror', muted: true, playsinline: true, autoplay: true });
  private readonly noCamera = h('div', { class: 'tile-placeholder', hidden: true }, 'Videocamera non disponibile');
  private readonly meter = h('div', {
    class: 'mic-meter', id: 'mic-meter', role: 'meter', 'aria-label': 'Livello del microfono',
    'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': '0', 'data-level': '0',
  });
  private readonly micHint = h('p', { class: 'check-hint', id: 'mic-hint' }, 'Parli: la barra deve muoversi.');
  private readonly speakerStatus = h('p', { class: 'check-hint', id: 'speaker-status', 'aria-live': 'polite' },
    'Sentirà un breve suono.');
  private readonly speakerBtn = h('button', { type: 'button', id: 'btn-speaker-test', class: 'btn btn-outline-primary btn-lg btn-check-device' },
    'Prova altoparlanti');
  private readonly waitingList = h('ul', { class: 'awaited-list', id: 'awaited' });
  private readonly segments: HTMLElement[] = [];
  private readonly mic = new MicLevel((level) => { this.showLevel(level); });
  private stream: MediaStream | null = null;
  private active = false;
  private awaited: Awaited[] = [];
  /** The device pickers; a kind with a single device shows none (nothing to choose). */
  private readonly pickers: Record<DeviceKind, HTMLSelectElement> = {
    videoinput: h('select', { id: 'device-videoinput', class: 'form-select form-select-lg device-select', disabled: true }),
    audioinput: h('select', { id: 'device-audioinput', class: 'form-select form-select-lg device-select', disabled: true }),
  };
  private readonly onDeviceChange = (): void => { void this.refreshDevices(); };

  constructor(awaited: Awaited[], private readonly choose: ChooseDevice = () => undefined) {
    for (const kind of ['videoinput', 'audioinput'] as const) {
      this.pickers[kind].addEventListener('change', () => { this.choose(kind, this.pickers[kind].value); });
    }
    mediaDevices()?.addEventListener('devicechange', this.onDeviceChange);
    for (let i = 0; i < SEGMENTS; i += 1) this.segments.push(h('span', { class: 'mic-seg' }));
    this.meter.append(...this.segments);
    this.preview.muted = true;
    this.speakerBtn.addEventListener('click', () => { void this.testSpeakers(); });
    this.setAwaited(awaited);
    this.root = h('section', { class: 'lobby', id: 'lobby', 'aria-labelledby': 'lobby-title' },
      h('h2', { id: 'lobby-title', class: 'lobby-title' }, 'In attesa degli altri partecipanti…'),
      h('div', { class: 'lobby-awaited' }, h('p', { class: 'lobby-label', id: 'awaited-label' }, 'In attesa di:'), this.waitingList),
      h('div', { class: 'lobby-grid' },
        h('figure', { class: 'tile lobby-preview', 'aria-label': 'Anteprima della sua videocamera' },
          this.preview, this.noCamera,
          h('figcaption', { class: 'tile-caption' }, h('span', { class: 'tile-name' }, 'La sua immagine'))),
        h('div', { class: 'lobby-checks' },
          h('h3', { class: 'check-title' }, 'Prova dei dispositivi'),
          this.picker('videoinput'),
          this.picker('audioinput'),
          h('div', { class: 'check' },
            h('p', { class: 'check-label', id: 'mic-label' }, 'Microfono'),
            this.meter, this.micHint),
          h('div', { class: 'check' },
            h('p', { class: 'check-label' }, 'Altoparlanti'),
            this.speakerBtn, this.speakerStatus))));
    this.meter.setAttribute('aria-describedby', 'mic-hint');
  }

  /** Who the meeting expects (shown while alone). */
  setAwaited(awaited: Awaited[]): void {
    this.awaited = awaited;
    if (this.active) this.renderAwaited();
  }

  /** The names are in the page only while the lobby shows (the call has them on the tiles). */
  private renderAwaited(): void {
    this.waitingList.replaceChildren(...(this.awaited.length === 0
      ? [h('li', {}, 'gli altri partecipanti')]
      : this.awaited.map((a) => h('li', { 'data-role': a.role },
        h('span', { class: 'awaited-name' }, a.name), ' ', h('span', { class: 'awaited-role' }, `(${ROLE_LABEL[a.role]})`)))));
  }

  setStream(stream: MediaStream | null): void {
    this.stream = stream;
    this.preview.srcObject = stream;
    this.noCamera.hidden = (stream?.getVideoTracks().length ?? 0) > 0;
    if (!stream || stream.getAudioTracks().length === 0) {
      this.micHint.textContent = 'Microfono non disponibile: gli altri non potranno sentirla.';
    }
    if (this.active) this.activate();
    void this.refreshDevices();
  }

  private picker(kind: DeviceKind): HTMLElement {
    return h('div', { class: 'check check-device' },
      h('label', { class: 'check-label', for: `device-${kind}` }, PICKER_LABEL[kind]),
      this.pickers[kind]);
  }

  /** Lists the cameras and microphones, with the one in use selected. */
  private async refreshDevices(): Promise<void> {
    for (const kind of ['videoinput', 'audioinput'] as const) {
      const select = this.pickers[kind];
      let devices: MediaDeviceInfo[];
      try {
        devices = await listDevices(kind);
      } catch {
        devices = [];
      }
      const track = this.stream?.getTracks().find((t) => t.kind === (kind === 'audioinput' ? 'audio' : 'video'));
      const current = track?.getSettings().deviceId ?? '';
      const options = devices.map((d, i) => h('option', { value: d.deviceId }, d.label || `${DEVICE_NAME[kind]} ${String(i + 1)}`));
      if (options.length === 0) options.push(h('option', { value: '' }, `${DEVICE_NAME[kind]} non disponibile`));
      select.replaceChildren(...options);
      if (devices.some((d) => d.deviceId === current)) select.value = current;
      select.disabled = !track || devices.length < 2;
      const wrap = select.closest<HTMLElement>('.check-device');
      if (wrap) wrap.hidden = devices.length < 2;
    }
  }

  /** Shows or hides the lobby; the microphone is measured only while it shows. */
  setVisible(visible: boolean): void {
    this.root.hidden = !visible;
    this.active = visible;
    if (visible) {
      this.renderAwaited();
      this.activate();
    } else {
      this.waitingList.replaceChildren();
      this.mic.stop();
    }
  }

  get visible(): boolean { return this.active; }

  dispose(): void {
    this.active = false;
    mediaDevices()?.removeEventListener('devicechange', this.onDeviceChange);
    this.mic.stop();
    this.preview.srcObject = null;
  }

  private activate(): void {
    if (this.stream) {
      this.mic.start(this.stream);
      void this.preview.play().catch(() => undefined);
    } else {
      this.mic.stop();
      this.showLevel(0);
    }
  }

  private showLevel(level: number): void {
    const lit = Math.round(level * SEGMENTS);
    this.segments.forEach((seg, i) => { seg.classList.toggle('on', i < lit); });
    const pct = String(Math.round(level * 100));
    this.meter.setAttribute('aria-valuenow', pct);
    this.meter.dataset.level = pct;
  }

  private async testSpeakers(): Promise<void> {
    this.speakerBtn.disabled = true;
    this.speakerStatus.textContent = 'Suono in riproduzione…';
    try {
      await playTestTone();
      this.speakerStatus.textContent = 'Ha sentito il suono? Se no, alzi il volume o controlli le casse.';
    } catch {
      this.speakerStatus.textContent = 'Non è stato possibile riprodurre il suono di prova.';
    } finally {
      this.speakerBtn.disabled = false;
    }
  }
}
