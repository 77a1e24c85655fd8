// Appointment cards (operator home) and rows (agenda). Names, never the codice fiscale.

import { dayOf, formatDay, formatRange } from '../booking/dates';
import type { Appointment } from '../booking/types';
import { h } from '../widgets/dom';

function otherServices(a: Appointment): string | null {
  const others = a.services.filter((s) => s !== a.service_code).length;
  if (others === 0) return null;
  return others === 1 ? ' e 1 altro servizio' : ` e altri ${others} servizi`;
}

/** One appointment as a card; `forOfficial` shows the comune instead of the Sede. */
interface CardOptions {
  forOfficial?: boolean;
  isNew?: boolean;
  level?: 'h3' | 'h4';
  /** Buttons shown at the bottom of the card (e.g. "Apri la videochiamata"). */
  actions?: HTMLElement | null;
}

export function appointmentCard(a: Appointment, { forOfficial = false, isNew = false, level = 'h3', actions = null }: CardOptions = {}): HTMLElement {
  return h('li', { class: `appt-card${isNew ? ' is-new' : ''}${a.status === 'cancelled' ? ' is-cancelled' : ''}`, 'data-appointment-id': a.id },
    h('p', { class: 'appt-time' }, formatRange(a.starts_at, a.ends_at),
      isNew ? h('span', { class: 'appt-badge' }, 'Appena prenotato') : null),
    h(level, { class: 'appt-name' }, `${a.given_name} ${a.family_name}`),
    a.status === 'cancelled' ? h('p', { class: 'appt-flag' }, 'Annullato') : null,
    a.code ? h('p', { class: 'appt-code' }, 'Codice ', h('span', { class: 'booking-code' }, a.code)) : null,
    h('p', { class: 'appt-service' }, a.service_name, otherServices(a)),
    forOfficial
      ? h('p', { class: 'appt-place' }, `Dal Comune di ${a.comune_name}`)
      : h('p', { class: 'appt-place' }, `${a.sede_name} – ${a.sportello_name}`),
    a.has_delegate ? h('p', { class: 'appt-flag' }, 'Con delegato') : null,
    actions);
}

/** Appointments grouped by day, each day with its heading. */
export function appointmentsByDay(
  list: Appointment[],
  opts: { forOfficial?: boolean; newId?: string | null; actions?: (a: Appointment) => HTMLElement | null } = {},
): HTMLElement {
  const days = new Map<string, Appointment[]>();
  for (const a of [...list].sort((x, y) => x.starts_at.localeCompare(y.starts_at))) {
    const d = dayOf(a.starts_at);
    days.set(d, [...(days.get(d) ?? []), a]);
  }
  return h('div', { class: 'appt-days' },
    ...[...days.entries()].map(([day, items]) => h('section', { class: 'appt-day', 'aria-label': formatDay(day) },
      h('h3', { class: 'appt-day-title' }, formatDay(day)),
      h('ul', { class: 'appt-list' },
        ...items.map((a) => appointmentCard(a, {
          forOfficial: opts.forOfficial ?? false, isNew: a.id === opts.newId, level: 'h4', actions: opts.actions?.(a) ?? null,
        }))))));
}
