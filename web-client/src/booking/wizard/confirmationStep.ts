// Step 6 of the booking wizard, "Appuntamento confermato": the booking code, when and where, what
// to tell the citizen, the request form to reprint with the code, the .ics file and the way back
// to the home.

import * as booking from '../api';
import { dayOf, formatDay, formatRange } from '../dates';
import type { Appointment, CitizenRequest } from '../types';
import { navigate } from '../../navigation';
import { h } from '../../widgets/dom';
import { type FormContext, requestForm } from './requestForm';
import { def } from './stepHost';

/** The box "Cosa dire al cittadino": the code, day, time, place and what to bring. */
export function tellTheCitizen(a: Appointment, comune: string, hasDelegate: boolean, paperAct: boolean): HTMLElement {
  const bring = [
    'un documento d’identità valido e la tessera sanitaria (codice fiscale)',
    ...(hasDelegate ? [
      'il delegato porta anche il proprio documento d’identità',
      ...(paperAct ? ['l’atto di delega firmato e una copia del documento d’identità del richiedente'] : []),
    ] : []),
    'gli eventuali documenti che riguardano la pratica',
  ];
  return h('section', { class: 'tell-citizen', 'aria-labelledby': 'tell-title' },
    h('h3', { id: 'tell-title' }, 'Cosa dire al cittadino'),
    h('dl', { class: 'summary-list' },
      ...def('Codice di prenotazione', h('span', { class: 'booking-code' }, a.code)),
      ...def('Giorno', formatDay(dayOf(a.starts_at))),
      ...def('Ora', `${formatRange(a.starts_at, a.ends_at)} (venga 10 minuti prima)`),
      ...def('Dove', `Punto Utente Evoluto del Comune di ${comune}: la videochiamata con ${a.sede_name} si fa qui, in Comune`),
      ...def('Cosa portare', h('ul', { class: 'bring-list' }, ...bring.map((b) => h('li', {}, b))))),
    h('p', { class: 'mb-0' }, 'Per spostare o annullare l’appuntamento basta dire il codice di prenotazione all’operatore del Comune.'));
}

/** Shows the confirmation in `body` and puts the request form in `printArea` (printed only). */
export function confirmation(body: HTMLElement, printArea: HTMLElement, a: Appointment, req: CitizenRequest, form: FormContext): void {
  printArea.replaceChildren(requestForm(a, req, form));
  const print = h('button', { type: 'button', class: 'btn btn-primary btn-lg' }, 'Ristampa il modulo con il codice');
  print.addEventListener('click', () => { window.print(); });
  const ics = h('a', { class: 'btn btn-outline-primary btn-lg', href: booking.icsUrl(a.id), download: `appuntamento-${a.code || a.id}.ics` },
    'Scarica nel calendario (.ics)');
  const home = h('a', { class: 'btn btn-outline-primary btn-lg', href: '/operatore' }, 'Torna all’area operatore');
  home.addEventListener('click', (ev) => {
    ev.preventDefault();
    navigate('/operatore');
  });
  const comune = form.comune?.name ?? form.operatorName ?? a.comune_name;
  body.append(
    h('div', { class: 'alert alert-success confirmed', role: 'status' },
      h('p', { class: 'confirmed-when' }, `${formatDay(dayOf(a.starts_at))}, ore ${formatRange(a.starts_at, a.ends_at)}`),
      h('p', { class: 'confirmed-code' }, 'Codice di prenotazione: ', h('strong', { class: 'booking-code' }, a.code)),
      h('p', { class: 'mb-0' }, `La videochiamata di ${a.given_name} ${a.family_name} con l’INPS è prenotata.`)),
    tellTheCitizen(a, comune, req.delegate != null, req.delegate != null && !req.delegate.digital_delegation),
    h('dl', { class: 'summary-list' },
      ...def('Sede', a.sede_name),
      ...def('Sportello', a.sportello_name),
      ...def('Servizi', form.services.map((s) => s.name).join(', '))),
    h('p', {}, 'Se serve, ristampi il modulo: ora riporta anche il codice di prenotazione.'),
    h('div', { class: 'confirm-actions' }, print, ics, home));
}
