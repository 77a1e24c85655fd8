// "Area operatore": today's appointments of the comune, those to call back ("Da richiamare"),
// the next days, "Prenota appuntamento".

import * as booking from '../booking/api';
import { addDays, dayOf, formatDay, serverNowMs, todayRome } from '../booking/dates';
import type { Appointment } from '../booking/types';
import { linkTo } from '../navigation';
import { appointmentCard, appointmentsByDay } from './appointments';
import { h } from '../widgets/dom';
import type { PageContext } from '../staff/pages';
import { meetingAction } from './staffMeeting';
import { followUpsSection } from './followUps';
import { appointmentOps, printArea, searchSection } from './appointmentOps';

/** How many days after today the home lists. */
const AHEAD_DAYS = 14;

/** The appointment just booked by the wizard, highlighted once on the home. */
let justBooked: string | null = null;
export function markJustBooked(id: string): void {
  justBooked = id;
}

export async function renderOperatorHome(ctx: PageContext): Promise<void> {
  const istat = ctx.principal.comune_istat ?? '';
  // "Today" by the server's clock (the booking rules and the meeting window follow it).
  const today = todayRome(serverNowMs());
  const newId = justBooked;
  justBooked = null;

  // One request for today and the next days (GET …/appointments?from=&to=).
  const [all, followUps] = await Promise.all([
    booking.comuneRange(istat, today, addDays(today, AHEAD_DAYS)),
    followUpsSection(istat),
  ]);
  const todays: Appointment[] = all.filter((a) => dayOf(a.starts_at) === today);
  const later = all.filter((a) => dayOf(a.starts_at) !== today);

  const area = printArea();
  const changed = (): void => { void renderOperatorHome(ctx); };
  const actions = (a: Appointment, meeting: HTMLElement | null): HTMLElement | null => {
    const ops = appointmentOps(a, ctx, area, changed);
    return meeting || ops ? h('div', {}, meeting, ops) : null;
  };
  const prenota = linkTo(h('a', { class: 'btn btn-primary btn-lg btn-book', href: '/operatore/prenota' }, 'Prenota appuntamento'));

  ctx.root.replaceChildren(
    h('div', { class: 'operator-home no-print' },
      h('div', { class: 'page-top' },
        h('div', {},
          h('h1', { tabindex: '-1' }, 'Area operatore'),
          h('p', { class: 'lead mb-0' }, `Comune di ${ctx.principal.comune_name ?? istat}`)),
        prenota),
      h('section', { class: 'mt-5', 'aria-labelledby': 'today-title' },
        h('h2', { id: 'today-title' }, `Oggi, ${formatDay(today)}`),
        todays.length === 0
          ? h('p', { class: 'empty' }, 'Oggi non ci sono appuntamenti.')
          : h('ul', { class: 'appt-list' }, ...todays
            .sort((a, b) => a.starts_at.localeCompare(b.starts_at))
            .map((a) => appointmentCard(a, { isNew: a.id === newId, actions: actions(a, meetingAction(a, 'open', ctx)) })))),
      followUps,
      h('section', { class: 'mt-5', 'aria-labelledby': 'next-title' },
        h('h2', { id: 'next-title' }, 'Prossimi giorni'),
        later.length === 0
          ? h('p', { class: 'empty' }, `Nessun appuntamento nei prossimi ${AHEAD_DAYS} giorni.`)
          : appointmentsByDay(later, { newId, actions: (a) => actions(a, null) })),
      searchSection(ctx, area, changed)),
    area);
}
