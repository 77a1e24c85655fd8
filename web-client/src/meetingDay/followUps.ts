// "Da richiamare" on the operator's home: the comune's appointments closed with "Da richiamare"
// that nobody has booked again for that citizen, each with "Prenota di nuovo" (the booking
// wizard filled in with the applicant's data). They go away once a new appointment is booked.

import * as booking from '../booking/api';
import { dayOf, formatDay, formatTime } from '../booking/dates';
import type { FollowUp } from '../booking/types';
import { linkTo } from '../navigation';
import { h } from '../widgets/dom';

/** Where "Prenota di nuovo" goes: the wizard, with the follow-up's appointment. */
export function rebookPath(f: FollowUp): string {
  return `/operatore/prenota?richiamo=${encodeURIComponent(f.appointment_id)}`;
}

function followUpCard(f: FollowUp): HTMLElement {
  const a = f.applicant;
  const others = f.services.filter((s) => s !== f.service_code).length;
  return h('li', { class: 'appt-card follow-up-card', 'data-appointment-id': f.appointment_id },
    h('h3', { class: 'appt-name' }, `${a.given_name} ${a.family_name}`),
    h('p', { class: 'appt-cf' }, h('span', { class: 'visually-hidden' }, 'Codice fiscale: '), a.codice_fiscale),
    h('p', { class: 'appt-service' }, f.service_name, others === 0 ? null : others === 1 ? ' e 1 altro servizio' : ` e altri ${others} servizi`),
    h('p', { class: 'appt-when' }, `Videochiamata di ${formatDay(dayOf(f.starts_at))}, alle ${formatTime(f.starts_at)}`),
    f.notes
      ? h('p', { class: 'appt-note' }, h('span', { class: 'appt-note-label' }, 'Nota del funzionario INPS: '), f.notes)
      : null,
    h('div', { class: 'appt-actions' },
      linkTo(h('a', {
        class: 'btn btn-primary btn-lg btn-rebook', href: rebookPath(f),
        'aria-label': `Prenota di nuovo per ${a.given_name} ${a.family_name}`,
      }, 'Prenota di nuovo'))));
}

/** The "Da richiamare" section of comune `istat` (nothing when there is none). */
export async function followUpsSection(istat: string): Promise<HTMLElement | null> {
  const list = await booking.followUps(istat);
  if (list.length === 0) return null;
  return h('section', { class: 'mt-5 follow-ups', 'aria-labelledby': 'follow-ups-title' },
    h('h2', { id: 'follow-ups-title' }, 'Da richiamare'),
    h('p', { class: 'lead' }, list.length === 1
      ? 'Il funzionario INPS ha chiesto di richiamare questo cittadino: prenoti un nuovo appuntamento.'
      : `Il funzionario INPS ha chiesto di richiamare questi ${list.length} cittadini: prenoti un nuovo appuntamento.`),
    h('ul', { class: 'appt-list' }, ...list.map(followUpCard)));
}
