// Step 6 of the booking wizard, "Appuntamento confermato": when and where, the request form to
// print for signature (with the GDPR notice), the .ics file and the way back to the home.

import * as booking from '../api';
import { dayOf, formatDay, formatRange } from '../dates';
import type { Appointment, CitizenRequest } from '../types';
import { navigate } from '../../navigation';
import { h } from '../../widgets/dom';
import { type FormContext, requestForm } from './requestForm';
import { def } from './stepHost';

/** Shows the confirmation in `body` and puts the request form in `printArea` (printed only). */
export function confirmation(body: HTMLElement, printArea: HTMLElement, a: Appointment, req: CitizenRequest, form: FormContext): void {
  printArea.replaceChildren(requestForm(a, req, form));
  const print = h('button', { type: 'button', class: 'btn btn-primary btn-lg' }, 'Stampa modulo di richiesta');
  print.addEventListener('click', () => { window.print(); });
  const ics = h('a', { class: 'btn btn-outline-primary btn-lg', href: booking.icsUrl(a.id), download: `appuntamento-${a.id}.ics` },
    'Scarica nel calendario (.ics)');
  const home = h('a', { class: 'btn btn-outline-primary btn-lg', href: '/operatore' }, 'Torna all’area operatore');
  home.addEventListener('click', (ev) => {
    ev.preventDefault();
    navigate('/operatore');
  });
  body.append(
    h('div', { class: 'alert alert-success confirmed', role: 'status' },
      h('p', { class: 'confirmed-when' }, `${formatDay(dayOf(a.starts_at))}, ore ${formatRange(a.starts_at, a.ends_at)}`),
      h('p', { class: 'mb-0' }, `La videochiamata di ${a.given_name} ${a.family_name} con l’INPS è prenotata.`)),
    h('dl', { class: 'summary-list' },
      ...def('Sede', a.sede_name),
      ...def('Sportello', a.sportello_name),
      ...def('Servizi', form.services.map((s) => s.name).join(', '))),
    h('p', {}, 'Stampi il modulo di richiesta con l’informativa privacy e lo faccia firmare al richiedente.'),
    h('div', { class: 'confirm-actions' }, print, ics, home));
}
