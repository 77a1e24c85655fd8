// A small read-only hook for the browser end-to-end tests (`window.sportello`).

import type { ParticipantInfo } from './generated/ParticipantInfo';
import type { Role } from './generated/Role';
import type { Call } from './call/call';

export interface SportelloHook {
  state(): string;
  participantId(): string | null;
  pc(): RTCPeerConnection | null;
  remoteParticipants(): string[];
  /** This page's role in the room (changes on handover and "Richiama operatore"). */
  role(): Role | null;
  /** The others in the room with their roles and names. */
  roster(): ParticipantInfo[];
  readonly joinedAt: number | null;
}

declare global {
  interface Window {
    sportello?: SportelloHook;
  }
}

export function exposeHook(current: () => Call | null): void {
  const hook: SportelloHook = {
    state: () => current()?.connectionState ?? 'idle',
    participantId: () => current()?.participantId ?? null,
    pc: () => current()?.peerConnection ?? null,
    remoteParticipants: () => current()?.remoteParticipants ?? [],
    role: () => current()?.role ?? null,
    roster: () => current()?.roster ?? [],
    get joinedAt() { return current()?.joinedAt ?? null; },
  };
  Object.defineProperty(window, 'sportello', { value: Object.freeze(hook), writable: false, configurable: false });
}
