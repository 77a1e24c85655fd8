// Step 5 of the booking wizard, "Verifica dei dati": everything the operator entered, to check
// while the slot is held (the hold and its countdown are the wizard's, see holdTimer.ts).

import { dayOf, formatDay, formatRange } from '../dates';
import type { Service, Slot } from '../types';
import { h } from '../../widgets/dom';
import type { ApplicantStep } from './applicantStep';
import type { Choice } from './placeStep';
import { def } from './stepHost';

/**
 * The summary of the booking about to be confirmed; `notes` is the trimmed text ('' for none),
 * `birthplace` the birthplace's code with its name ("H501 – Roma (RM)", see birthplaces.ts).
 */
export function summary(a: ApplicantStep, services: Service[], notes: string, choice: Choice | null, slot: Slot | null,
  birthplace: string): HTMLElement {
  const residence = a.residenceName();
  const delegate = a.delegateOn.input.checked;
  return h('div', { class: 'summary' },
    h('section', { 'aria-labelledby': 'sum-when' },
      h('h3', { id: 'sum-when' }, 'Appuntamento'),
      h('dl', { class: 'summary-list' },
        ...def('Giorno', slot ? formatDay(dayOf(slot.starts_at)) : null),
        ...def('Ora', slot ? formatRange(slot.starts_at, slot.ends_at) : null),
        ...def('Sede', choice?.sedeName ?? null),
        ...def('Sportello', choice?.sportelloName ?? null),
        ...def('Servizi', services.map((s) => s.name).join(', ')))),
    h('section', { 'aria-labelledby': 'sum-who' },
      h('h3', { id: 'sum-who' }, 'Richiedente'),
      h('dl', { class: 'summary-list' },
        ...def('Nome e cognome', `${a.givenName.input.value.trim()} ${a.familyName.input.value.trim()}`),
        ...def('Codice fiscale', a.cf.input.value.trim().toUpperCase()),
        ...def('Data di nascita', a.birthDate.input.value.trim() || null),
        ...def('Luogo di nascita', birthplace || null),
        ...def('Residenza', residence),
        ...def('E-mail', a.email.input.value.trim() || null),
        ...def('Telefono', a.phone.input.value.trim() || null))),
    delegate ? h('section', { 'aria-labelledby': 'sum-delegate' },
      h('h3', { id: 'sum-delegate' }, 'Delegato'),
      h('dl', { class: 'summary-list' },
        ...def('Nome e cognome', `${a.dGiven.input.value.trim()} ${a.dFamily.input.value.trim()}`),
        ...def('Codice fiscale', a.dCf.input.value.trim().toUpperCase()),
        ...def('Delega', a.delegationKind.value() === 'digital'
          ? 'Delega dell’identità digitale già registrata'
          : `Atto su carta: ${a.act.input.value.trim()}`))) : null,
    notes ? h('section', { 'aria-labelledby': 'sum-notes' },
      h('h3', { id: 'sum-notes' }, 'Note'),
      h('p', { class: 'summary-notes' }, notes)) : null);
}

