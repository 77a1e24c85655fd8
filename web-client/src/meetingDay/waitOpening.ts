// The official's wait for the comune operator to open the videochiamata. "Entra nella
// videochiamata" before the operator has opened it answers `meeting_not_open`; instead of asking
// the official to retry, the page listens to the server's event stream
// (`GET /v1/booking/appointments/{id}/meeting/opening`, Server-Sent Events) and asks for the join
// ticket as soon as the server says `opened`.

import { ApiError } from '../api';
import * as booking from '../booking/api';
import type { MeetingTicket } from '../booking/types';

/** A wait in progress: the ticket once the meeting opens, or the reason it never will. */
export interface OpeningWait {
  /** Resolves with the join ticket; rejects with an `ApiError` (or `Error('network')`). */
  readonly ticket: Promise<MeetingTicket>;
  /** Stops waiting (the page goes away, the official gives up); the promise never settles. */
  stop(): void;
}

/** After the stream could not be opened at all, try again this much later. */
const RETRY_MS = 5_000;

interface Refusal { code: string; message: string }

function isRefusal(v: unknown): v is Refusal {
  return typeof v === 'object' && v !== null && typeof (v as Refusal).code === 'string';
}

export function waitForOpening(appointmentId: string): OpeningWait {
  let source: EventSource | null = null;
  let retry = 0;
  let stopped = false;
  let settle!: { resolve: (t: MeetingTicket) => void; reject: (e: unknown) => void };
  const ticket = new Promise<MeetingTicket>((resolve, reject) => { settle = { resolve, reject }; });

  const stop = (): void => {
    stopped = true;
    source?.close();
    source = null;
    window.clearTimeout(retry);
  };
  /** Asks for the ticket: the meeting opened, or the stream failed and the answer says why. */
  const join = (): void => {
    source?.close();
    source = null;
    booking.joinMeeting(appointmentId).then((t) => {
      if (!stopped) { stop(); settle.resolve(t); }
    }, (err: unknown) => {
      if (stopped) return;
      if (err instanceof ApiError && err.code === 'meeting_not_open') {
        // Still closed (the stream was refused, e.g. too many waiting pages): listen again later.
        retry = window.setTimeout(listen, RETRY_MS);
        return;
      }
      stop();
      settle.reject(err);
    });
  };
  const listen = (): void => {
    if (stopped) return;
    const es = new EventSource(booking.meetingOpeningUrl(appointmentId));
    source = es;
    es.addEventListener('opened', () => { join(); });
    es.addEventListener('refused', (e) => {
      if (!(e instanceof MessageEvent) || stopped) return;
      let refusal: unknown = null;
      try { refusal = JSON.parse(String(e.data)); } catch { /* shown as a generic problem */ }
      stop();
      settle.reject(isRefusal(refusal)
        ? new ApiError(409, refusal.code, refusal.message)
        : new Error('network'));
    });
    es.addEventListener('error', () => {
      // A dropped stream reconnects by itself (CONNECTING); a refused one (an HTTP error) is
      // CLOSED: the join's answer tells why.
      if (es.readyState === EventSource.CLOSED && !stopped) join();
    });
  };
  listen();
  return { ticket, stop };
}
