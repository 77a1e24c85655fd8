// A small read-only hook for the browser end-to-end tests (`window.sportello`).

import type { Session } from './session';

export interface SportelloHook {
  state(): string;
  participantId(): string | null;
  pc(): RTCPeerConnection | null;
  remoteParticipants(): string[];
  readonly joinedAt: number | null;
}

declare global {
  interface Window {
    sportello?: SportelloHook;
  }
}

export function exposeHook(current: () => Session | null): void {
  const hook: SportelloHook = {
    state: () => current()?.connectionState ?? 'idle',
    participantId: () => current()?.participantId ?? null,
    pc: () => current()?.peerConnection ?? null,
    remoteParticipants: () => current()?.remoteParticipants ?? [],
    get joinedAt() { return current()?.joinedAt ?? null; },
  };
  Object.defineProperty(window, 'sportello', { value: Object.freeze(hook), writable: false, configurable: false });
}
