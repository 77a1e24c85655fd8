// The meeting page of the staff ("/meeting"): opened by "Apri la videochiamata" (operator home) or
// "Entra nella videochiamata" (agenda). The join token travels in memory, never in the address bar or
// the history; every (re)join asks the server for a fresh one (the endpoints are idempotent).

import { ApiError } from '../api';
import * as booking from '../booking/api';
import { formatTime, serverNowMs } from '../booking/dates';
import type { Appointment, MeetingTicket } from '../booking/types';
import { linkTo, navigate } from '../navigation';
import { bookingErrorText, OUTCOME_LABEL } from '../messages';
import { h } from '../widgets/dom';
import { startDesk } from './meetingDesk';
import { type OpeningWait, waitForOpening } from './waitOpening';
import type { PageContext } from '../staff/pages';

export const MEETING_PATH = '/meeting';

/** The meeting window around a slot, as the server applies it (src/booking/meeting.rs). */
const OPENS_BEFORE_MS = 30 * 60_000;
const CLOSES_AFTER_MS = 30 * 60_000;

interface Pending {
  appointmentId: string;
  /** Shown as the meeting's title (the room id is not for people). */
  title: string;
  ticket: MeetingTicket;
  /** The citizen's name from the appointment card. */
  citizenName: string;
}

let pending: Pending | null = null;

/** Where an appointment stands against its meeting window, by the server's clock. */
export function meetingWindow(a: Appointment, now = serverNowMs()): 'before' | 'open' | 'after' {
  if (now < Date.parse(a.starts_at) - OPENS_BEFORE_MS) return 'before';
  if (now > Date.parse(a.ends_at) + CLOSES_AFTER_MS) return 'after';
  return 'open';
}

/** "10:00": when the meeting of `a` can be opened. */
export function meetingOpensAt(a: Appointment): string {
  return formatTime(new Date(Date.parse(a.starts_at) - OPENS_BEFORE_MS).toISOString());
}

/** "11:00": until when the meeting of `a` can be opened. */
export function meetingClosesAt(a: Appointment): string {
  return formatTime(new Date(Date.parse(a.ends_at) + CLOSES_AFTER_MS).toISOString());
}

/** Shows the meeting page for a ticket just obtained. */
export function goToMeeting(a: Appointment, ticket: MeetingTicket): void {
  pending = {
    appointmentId: a.id,
    title: `appuntamento delle ${formatTime(a.starts_at)}`,
    ticket,
    citizenName: `${a.given_name} ${a.family_name}`,
  };
  navigate(MEETING_PATH);
}

/** How often the buttons re-check the window (they enable themselves when it opens). */
const REFRESH_MS = 15_000;

/**
 * The meeting area of one of today's cards: "Apri la videochiamata" (operator) or "Entra nella videochiamata"
 * (official), enabled inside the meeting window; outside it, an Italian hint with the times.
 */
export function meetingAction(a: Appointment, kind: 'open' | 'join', ctx: PageContext): HTMLElement {
  if (a.meeting_closed) return concluded(a);
  const label = kind === 'open' ? 'Apri la videochiamata' : 'Entra nella videochiamata';
  const hintId = `meeting-hint-${a.id}`;
  const button = h('button', { type: 'button', class: 'btn btn-primary btn-lg btn-meeting', 'aria-describedby': hintId }, label);
  const hint = h('p', { class: 'meeting-hint', id: hintId });
  const problem = h('p', { class: 'meeting-error', role: 'alert', hidden: true });
  const area = h('div', { class: 'appt-actions no-print' }, button, hint, problem);
  let timer = 0;
  let busy = false;
  const refresh = (): void => {
    const where = meetingWindow(a);
    button.disabled = busy || where !== 'open';
    hint.textContent = where === 'before'
      ? `La videochiamata si potrà ${kind === 'open' ? 'aprire' : 'raggiungere'} dalle ${meetingOpensAt(a)}.`
      : where === 'after'
        ? `Il tempo per la videochiamata è finito alle ${meetingClosesAt(a)}.`
        : `Disponibile fino alle ${meetingClosesAt(a)}.`;
  };
  /** The official's wait for the operator (shown on the card; it joins by itself). */
  let wait: OpeningWait | null = null;
  const waiting = h('div', { class: 'meeting-waiting', hidden: true },
    h('p', { class: 'meeting-waiting-text', role: 'status' },
      h('span', { class: 'wait-dot', 'aria-hidden': 'true' }),
      'In attesa che l’operatore del Comune apra la videochiamata. Resti su questa pagina: entrerà da solo appena sarà aperta.'),
    h('button', { type: 'button', class: 'btn btn-outline-primary btn-lg btn-stop-waiting' }, 'Smetti di attendere'));
  area.append(waiting);
  const failed = (err: unknown): void => {
    if (err instanceof ApiError && err.code === 'meeting_closed') {
      // Closed meanwhile (by the official): the card shows the state, nothing to press.
      window.clearInterval(timer);
      // Nothing left to reprint, move or cancel either (appointmentOps.ts).
      area.closest('.appt-card')?.querySelector('.appt-ops')?.remove();
      area.replaceWith(concluded(a));
      return;
    }
    busy = false;
    waiting.hidden = true;
    button.textContent = label;
    problem.textContent = bookingErrorText(err instanceof ApiError ? err.code : 'network');
    problem.hidden = false;
    refresh();
  };
  const stopWaiting = (): void => {
    wait?.stop();
    wait = null;
  };
  const startWaiting = (): void => {
    button.textContent = 'In attesa dell’operatore…';
    waiting.hidden = false;
    wait = waitForOpening(a.id);
    wait.ticket.then((ticket) => { wait = null; goToMeeting(a, ticket); }, (err: unknown) => { wait = null; failed(err); });
  };
  waiting.querySelector('button')?.addEventListener('click', () => {
    stopWaiting();
    busy = false;
    waiting.hidden = true;
    button.textContent = label;
    refresh();
    button.focus();
  });
  button.addEventListener('click', () => {
    busy = true;
    problem.hidden = true;
    refresh();
    button.textContent = kind === 'open' ? 'Apertura della videochiamata…' : 'Ingresso nella videochiamata…';
    const ask = kind === 'open' ? booking.openMeeting(a.id) : booking.joinMeeting(a.id);
    ask.then((ticket) => { goToMeeting(a, ticket); }, (err: unknown) => {
      if (kind === 'join' && err instanceof ApiError && err.code === 'meeting_not_open') {
        startWaiting();
        return;
      }
      failed(err);
    });
  });
  refresh();
  timer = window.setInterval(refresh, REFRESH_MS);
  ctx.onLeave(() => { window.clearInterval(timer); stopWaiting(); });
  return area;
}

/**
 * The state of an appointment whose videochiamata the official closed: "Concluso: <esito>" and the
 * official's note, no action. (Closed meanwhile, the card may not know the outcome yet.)
 */
function concluded(a: Appointment): HTMLElement {
  const outcome = a.meeting_outcome ? `Concluso: ${OUTCOME_LABEL[a.meeting_outcome]}` : 'Concluso';
  return h('div', { class: 'appt-actions appt-concluded' },
    h('p', { class: 'appt-state', 'data-state': 'concluded', 'data-outcome': a.meeting_outcome ?? '' }, outcome),
    a.meeting_notes
      ? h('p', { class: 'appt-note' }, h('span', { class: 'appt-note-label' }, 'Nota del funzionario INPS: '), a.meeting_notes)
      : h('p', { class: 'meeting-hint' }, 'Il funzionario INPS ha chiuso la videochiamata.'));
}

export function renderStaffMeeting(ctx: PageContext): void {
  const p = pending;
  pending = null;
  const home = ctx.principal.role === 'official' ? '/agenda' : '/operatore';
  if (!p) {
    ctx.root.replaceChildren(h('div', { class: 'staff-meeting-empty' },
      h('h1', { tabindex: '-1' }, 'Videochiamata'),
      h('p', { class: 'lead' }, ctx.principal.role === 'official'
        ? 'Per entrare in una videochiamata usi il pulsante “Entra nella videochiamata” nell’agenda.'
        : 'Per aprire una videochiamata usi il pulsante “Apri la videochiamata” sull’appuntamento di oggi.'),
      linkTo(h('a', { class: 'btn btn-primary btn-lg', href: home },
        ctx.principal.role === 'official' ? 'Torna all’agenda' : 'Torna all’area operatore'))));
    return;
  }
  const desk = startDesk({
    root: ctx.root,
    appointmentId: p.appointmentId,
    title: p.title,
    ticket: p.ticket,
    // Only the official's lobby names the citizen (the operator is sitting next to them).
    ...(p.ticket.role === 'official' ? { citizenName: p.citizenName } : {}),
  });
  ctx.onLeave(() => { desk.leaveNow(); });
}
