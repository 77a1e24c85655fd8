// What the operator can do with a future appointment from the home: reprint its request form
// (with the booking code), cancel it with a reason, move it to another slot ("Sposta", through
// the wizard's 5-minute hold), and find appointments by code, family name or date.

import { ApiError } from '../api';
import * as booking from '../booking/api';
import { birthplaceText } from '../booking/birthplaces';
import { dayOf, formatDay, formatRange, isDay, parseItalianDate, serverNowMs } from '../booking/dates';
import type { Appointment, Service } from '../booking/types';
import { requestForm } from '../booking/wizard/requestForm';
import { bookingErrorText } from '../messages';
import { navigate } from '../navigation';
import type { PageContext } from '../staff/pages';
import { h } from '../widgets/dom';
import { openModal } from '../widgets/modal';
import { appointmentCard } from './appointments';

const REASON_MAX = 200;

let catalogue: Promise<Service[]> | null = null;

/** The print area of the home: the reprinted form, shown only on paper. */
export function printArea(): HTMLElement {
  return h('div', { class: 'print-only', id: 'print-area' });
}

/** Reprints the request form of `a` (its recorded request, with the booking code). */
async function reprint(a: Appointment, ctx: PageContext, area: HTMLElement): Promise<void> {
  catalogue ??= booking.services();
  const [{ appointment, request }, services, notice] = await Promise.all([
    booking.appointmentRequest(a.id), catalogue, booking.privacyNotice(),
  ]);
  const own = ctx.principal.comune_istat ?? '';
  // Another comune of residence is printed by its ISTAT code (the form's fallback).
  const residence = request.applicant.residence_istat === own ? ctx.principal.comune_name ?? '' : '';
  area.replaceChildren(requestForm(appointment, request, {
    services: services.filter((s) => request.services.includes(s.code)),
    comune: null,
    operatorName: ctx.principal.comune_name,
    residenceName: residence,
    birthplace: await birthplaceText(request.applicant.birth_place),
    notice,
  }));
  window.print();
}

/** The dialog "Annulla l’appuntamento" asking the reason; resolves true once cancelled. */
export function cancelDialog(a: Appointment): Promise<boolean> {
  return new Promise((resolve) => {
    const error = h('div', { class: 'alert alert-danger', role: 'alert', id: 'cancel-error', hidden: true });
    const reason = h('textarea', { class: 'form-control', id: 'cancel-reason', maxlength: String(REASON_MAX), rows: '2', 'aria-describedby': 'cancel-reason-hint' });
    const submit = h('button', { type: 'submit', class: 'btn btn-danger btn-lg', id: 'btn-cancel-confirm' }, 'Annulla l’appuntamento');
    const keep = h('button', { type: 'button', class: 'btn btn-outline-primary btn-lg' }, 'Non annullare');
    const form = h('form', { class: 'sp-form', novalidate: true },
      h('div', { class: 'field' },
        h('label', { for: 'cancel-reason' }, 'Motivo dell’annullamento'),
        h('p', { class: 'field-hint', id: 'cancel-reason-hint' }, 'Per esempio: «Il cittadino non può venire». Al massimo 200 caratteri; non scriva dati sanitari.'),
        reason),
      error,
      h('div', { class: 'sp-modal-buttons' }, submit, keep));
    const modal = openModal('Annulla l’appuntamento', [
      h('p', { class: 'sp-modal-text' },
        `${a.given_name} ${a.family_name}, ${formatDay(dayOf(a.starts_at))} alle ${formatRange(a.starts_at, a.ends_at)} (codice ${a.code}). `
        + 'L’orario torna libero per altri cittadini.'),
      form,
    ], () => { resolve(false); });
    keep.addEventListener('click', () => { modal.close(); resolve(false); });
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const text = reason.value.trim();
      if (!text) {
        error.textContent = 'Scriva il motivo dell’annullamento.';
        error.hidden = false;
        reason.focus();
        return;
      }
      error.hidden = true;
      submit.disabled = true;
      booking.cancelAppointment(a.id, text).then(() => {
        modal.close();
        resolve(true);
      }, (err: unknown) => {
        submit.disabled = false;
        error.textContent = bookingErrorText(err instanceof ApiError ? err.code : 'network');
        error.hidden = false;
      });
    });
    reason.focus();
  });
}

/**
 * The buttons of an appointment on the operator home: for a booked appointment that has not begun,
 * not concluded, "Ristampa il modulo", "Sposta" and "Annulla"; `changed` is called after a
 * cancellation.
 */
export function appointmentOps(a: Appointment, ctx: PageContext, area: HTMLElement, changed: () => void): HTMLElement | null {
  if (a.status !== 'booked' || a.meeting_closed || Date.parse(a.starts_at) <= serverNowMs()) return null;
  const who = `${a.given_name} ${a.family_name}`;
  const print = h('button', { type: 'button', class: 'btn btn-outline-primary btn-lg', 'aria-label': `Ristampa il modulo di ${who}` }, 'Ristampa il modulo');
  print.addEventListener('click', () => {
    print.disabled = true;
    void reprint(a, ctx, area).finally(() => { print.disabled = false; });
  });
  const move = h('button', { type: 'button', class: 'btn btn-outline-primary btn-lg', 'aria-label': `Sposta l’appuntamento di ${who}` }, 'Sposta');
  move.addEventListener('click', () => { navigate(`/operatore/prenota?sposta=${encodeURIComponent(a.id)}`); });
  const cancel = h('button', { type: 'button', class: 'btn btn-outline-danger btn-lg', 'aria-label': `Annulla l’appuntamento di ${who}` }, 'Annulla');
  cancel.addEventListener('click', () => {
    void cancelDialog(a).then((done) => { if (done) changed(); });
  });
  return h('div', { class: 'appt-actions appt-ops no-print' }, print, move, cancel);
}

/** The search box of the operator home: by booking code, family name or date. */
export function searchSection(ctx: PageContext, area: HTMLElement, changed: () => void): HTMLElement {
  const istat = ctx.principal.comune_istat ?? '';
  const input = h('input', { class: 'form-control', type: 'search', id: 'appt-search', maxlength: '60', autocomplete: 'off', 'aria-describedby': 'appt-search-hint' });
  const go = h('button', { type: 'submit', class: 'btn btn-primary btn-lg' }, 'Cerca');
  const status = h('p', { class: 'search-status', role: 'status' });
  const results = h('ul', { class: 'appt-list', id: 'search-results' });
  const form = h('form', { class: 'sp-form appt-search', role: 'search', 'aria-label': 'Cerca appuntamenti', novalidate: true },
    h('div', { class: 'field' },
      h('label', { for: 'appt-search' }, 'Cerca per codice di prenotazione, cognome o data'),
      h('p', { class: 'field-hint', id: 'appt-search-hint' }, 'Per esempio PUE-7K4M-2Q, Rossi oppure 24/11/2026.'),
      input),
    go);
  const run = async (): Promise<void> => {
    const q = input.value.trim();
    results.replaceChildren();
    if (!q) {
      status.textContent = 'Scriva un codice, un cognome o una data.';
      return;
    }
    const day = isDay(q) ? q : parseItalianDate(q);
    status.textContent = 'Ricerca in corso…';
    let found: Appointment[];
    try {
      found = day ? await booking.comuneDay(istat, day) : await booking.searchAppointments(istat, q);
    } catch (err) {
      status.textContent = bookingErrorText(err instanceof ApiError ? err.code : 'network');
      return;
    }
    status.textContent = found.length === 0
      ? 'Nessun appuntamento trovato.'
      : found.length === 1 ? 'Trovato 1 appuntamento.' : `Trovati ${found.length} appuntamenti.`;
    results.replaceChildren(...found.map((a) => {
      const card = appointmentCard(a, { actions: appointmentOps(a, ctx, area, changed) });
      card.querySelector('.appt-time')?.prepend(`${formatDay(dayOf(a.starts_at))}, `);
      return card;
    }));
  };
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void run();
  });
  return h('section', { class: 'mt-5 no-print', 'aria-labelledby': 'search-title' },
    h('h2', { id: 'search-title' }, 'Cerca un appuntamento'), form, status, results);
}
