// WebSocket signalling client: typed JSON messages, keep-alive pings, close reporting.

import type { ClientMessage } from '../generated/ClientMessage';
import type { ServerMessage } from '../generated/ServerMessage';

/** Protocol version this client speaks (`PROTOCOL_VERSION` in signalling/src/protocol.rs). */
export const PROTOCOL_VERSION = 1;

/** How often the client probes the server. */
const PING_INTERVAL_MS = 10_000;
/** The connection is considered lost when no message arrived for this long. */
const SILENCE_TIMEOUT_MS = 25_000;

export interface SignallingEvents {
  /** Every server message except `ping`/`pong`, which are handled here. */
  onMessage(msg: ServerMessage): void;
  /** The socket closed. `wasOpen` is false when it never opened. */
  onClose(info: { wasOpen: boolean; code: number; reason: string }): void;
}

/** The `/v1/signal` URL on the page's own origin (wss on https pages). */
export function signalUrl(location: Location = window.location): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/v1/signal`;
}

function isServerMessage(value: unknown): value is ServerMessage {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}

export class SignallingClient {
  private readonly ws: WebSocket;
  private opened = false;
  private closed = false;
  private nonce = 0;
  private lastHeard = Date.now();
  private pingTimer: number | undefined;

  constructor(url: string, private readonly events: SignallingEvents) {
    this.ws = new WebSocket(url);
    this.ws.addEventListener('open', () => {
      this.opened = true;
      this.lastHeard = Date.now();
      this.pingTimer = window.setInterval(() => { this.tick(); }, PING_INTERVAL_MS);
    });
    this.ws.addEventListener('message', (ev: MessageEvent) => { this.receive(ev.data); });
    this.ws.addEventListener('close', (ev: CloseEvent) => {
      this.finish(ev.code, ev.reason);
    });
    // An `error` event is always followed by `close`; nothing to do here.
  }

  /** Resolves when the socket is open; rejects if it closes first. */
  opening(): Promise<void> {
    if (this.opened) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.ws.addEventListener('open', () => { resolve(); }, { once: true });
      this.ws.addEventListener('close', () => { reject(new Error('signalling socket closed')); }, { once: true });
    });
  }

  send(msg: ClientMessage): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    this.ws.send(JSON.stringify(msg));
  }

  /** Closes the socket without reporting it as a loss (the caller asked for it). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopTimer();
    this.ws.close(1000, 'bye');
  }

  private tick(): void {
    if (Date.now() - this.lastHeard > SILENCE_TIMEOUT_MS) {
      // The server is gone without a close frame (network cut): give up on this socket.
      this.ws.close(4000, 'silence');
      this.finish(4000, 'silence');
      return;
    }
    this.nonce += 1;
    this.send({ type: 'ping', nonce: this.nonce });
  }

  private receive(data: unknown): void {
    this.lastHeard = Date.now();
    if (typeof data !== 'string') return;
    let msg: unknown;
    try {
      msg = JSON.parse(data);
    } catch {
      console.warn('sportello: ignoring a signalling frame that is not JSON');
      return;
    }
    if (!isServerMessage(msg)) return;
    if (msg.type === 'ping') {
      this.send({ type: 'pong', nonce: msg.nonce });
      return;
    }
    if (msg.type === 'pong') return;
    this.events.onMessage(msg);
  }

  private finish(code: number, reason: string): void {
    this.stopTimer();
    if (this.closed) return;
    this.closed = true;
    this.events.onClose({ wasOpen: this.opened, code, reason });
  }

  private stopTimer(): void {
    if (this.pingTimer !== undefined) {
      window.clearInterval(this.pingTimer);
      this.pingTimer = undefined;
    }
  }
}
