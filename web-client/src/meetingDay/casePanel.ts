// The case of an appointment as the INPS official reads it: the citizen, the services asked for,
// the delegate, the operator's notes, who booked it. Shown in the agenda ("Dati della richiesta",
// loaded when opened) and beside the call. Personal data: fetched only when shown, never stored.

import { ApiError } from '../api';
import * as booking from '../booking/api';
import { birthplaceText } from '../booking/birthplaces';
import { italianDate } from '../booking/dates';
import type { CaseFile } from '../booking/types';
import { bookingErrorText } from '../messages';
import { h } from '../widgets/dom';

function row(label: string, value: string | HTMLElement): HTMLElement[] {
  return [h('dt', {}, label), h('dd', {}, value)];
}

/** "23/11/2026 alle 09:00". */
function when(instant: string): string {
  const d = new Date(instant);
  const time = d.toLocaleTimeString('it-IT', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Rome' });
  return `${italianDate(instant.slice(0, 10))} alle ${time}`;
}

/** The case as a description list; `birthplace` is the place as shown ("I452 – Sassari (SS)"). */
export function caseList(c: CaseFile, birthplace: string): HTMLElement {
  const a = c.applicant;
  const d = c.delegate;
  const booker = c.booked_by.full_name ? `${c.booked_by.full_name} (${c.booked_by.account})` : c.booked_by.account;
  return h('dl', { class: 'case-list' },
    ...row('Cittadino/a', `${a.family_name} ${a.given_name}`),
    ...row('Codice fiscale', h('span', { class: 'case-cf' }, a.codice_fiscale)),
    ...row('Nato/a il', italianDate(a.birth_date)),
    ...row('Luogo di nascita', birthplace),
    ...row('Servizi richiesti', c.services.length ? c.services.join('; ') : '—'),
    ...(d ? row('Delegato/a', `${d.family_name} ${d.given_name}, codice fiscale ${d.codice_fiscale}${d.delegation_act ? `; atto di delega: ${d.delegation_act}` : ''}`) : []),
    ...row('Note per il funzionario INPS', c.notes ?? 'Nessuna nota.'),
    ...row('Prenotato da', `${booker}, Comune di ${c.comune_name}`),
    ...row('Prenotato il', when(c.booked_at)));
}

/** A panel that loads the case of `appointmentId` now and shows it (or why it cannot). */
export function casePanel(appointmentId: string, headingLevel: 'h2' | 'h3' = 'h2'): HTMLElement {
  const body = h('div', { class: 'case-body', 'aria-busy': 'true' }, h('p', {}, 'Caricamento dei dati della richiesta…'));
  const panel = h('section', { class: 'case-panel', 'aria-labelledby': `case-title-${appointmentId}` },
    h(headingLevel, { class: 'case-title', id: `case-title-${appointmentId}` }, 'Dati della richiesta'),
    body);
  booking.caseFile(appointmentId).then(async (c) => {
    body.replaceChildren(caseList(c, await birthplaceText(c.applicant.birth_place)));
  }, (err: unknown) => {
    body.replaceChildren(h('p', { class: 'case-error', role: 'alert' },
      bookingErrorText(err instanceof ApiError ? err.code : 'network')));
  }).finally(() => { body.removeAttribute('aria-busy'); });
  return panel;
}

/** The agenda's "Dati della richiesta": a disclosure that loads the case the first time it opens. */
export function caseDisclosure(appointmentId: string): HTMLElement {
  const details = h('details', { class: 'case-details no-print' },
    h('summary', {}, 'Dati della richiesta'));
  let loaded = false;
  details.addEventListener('toggle', () => {
    if (!details.open || loaded) return;
    loaded = true;
    const panel = casePanel(appointmentId, 'h3');
    // The summary already names it: the panel's heading would repeat it.
    panel.querySelector('.case-title')?.classList.add('visually-hidden');
    details.append(panel);
  });
  return details;
}
