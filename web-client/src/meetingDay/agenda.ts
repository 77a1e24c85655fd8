// "Agenda dello sportello": the appointments of the official's sportelli, a week at a time.

import * as booking from '../booking/api';
import { addDays, dayOf, formatDay, isDay, serverNowMs, todayRome } from '../booking/dates';
import { navigate } from '../navigation';
import { appointmentsByDay } from './appointments';
import { h } from '../widgets/dom';
import type { PageContext } from '../staff/pages';
import { meetingAction } from './staffMeeting';
import { caseDisclosure } from './casePanel';

const DAYS = 7;

export async function renderAgenda(ctx: PageContext): Promise<void> {
  // "Today" by the server's clock (the booking rules and the meeting window follow it).
  const today = todayRome(serverNowMs());
  const asked = ctx.params.get('dal') ?? '';
  const from = isDay(asked) ? asked : today;
  const to = addDays(from, DAYS - 1);
  const sportelli = ctx.principal.sportello_ids;
  const lists = await Promise.all(sportelli.map((id) => booking.agenda(id, from, to)));

  const go = (day: string): void => { navigate(day === today ? '/agenda' : `/agenda?dal=${day}`); };
  const dayInput = h('input', { class: 'form-control', type: 'date', id: 'agenda-from', value: from });
  dayInput.addEventListener('change', () => { if (isDay(dayInput.value)) go(dayInput.value); });
  const prev = h('button', { type: 'button', class: 'btn btn-outline-primary btn-lg' }, 'Settimana precedente');
  const next = h('button', { type: 'button', class: 'btn btn-outline-primary btn-lg' }, 'Settimana successiva');
  const todayBtn = h('button', { type: 'button', class: 'btn btn-outline-primary btn-lg', hidden: from === today }, 'Oggi');
  prev.addEventListener('click', () => { go(addDays(from, -DAYS)); });
  next.addEventListener('click', () => { go(addDays(from, DAYS)); });
  todayBtn.addEventListener('click', () => { go(today); });

  ctx.root.replaceChildren(
    h('div', { class: 'agenda' },
      h('h1', { tabindex: '-1' }, 'Agenda dello sportello'),
      ctx.principal.sede_name ? h('p', { class: 'lead' }, ctx.principal.sede_name) : null,
      h('div', { class: 'agenda-tools sp-form' },
        h('div', { class: 'field' }, h('label', { for: 'agenda-from' }, 'Dal giorno'), dayInput),
        h('div', { class: 'agenda-buttons' }, prev, todayBtn, next)),
      h('p', { class: 'agenda-range', role: 'status' }, `Appuntamenti da ${formatDay(from)} a ${formatDay(to)}.`),
      sportelli.length === 0 ? h('p', { class: 'empty' }, 'Al suo profilo non è assegnato alcuno sportello.') : null,
      ...sportelli.map((id, i) => {
        const list = lists[i] ?? [];
        const name = list[0]?.sportello_name ?? ctx.principal.sportelli.find((s) => s.id === id)?.name ?? id;
        return h('section', { class: 'mt-4', 'aria-labelledby': `sp-${i}` },
          h('h2', { id: `sp-${i}` }, name),
          list.length === 0
            ? h('p', { class: 'empty' }, 'Nessun appuntamento in questi giorni.')
            : appointmentsByDay(list, {
              forOfficial: true,
              actions: (a) => h('div', { class: 'appt-official' },
                caseDisclosure(a.id),
                a.meeting_closed || dayOf(a.starts_at) === today ? meetingAction(a, 'join', ctx) : null),
            }));
      })));
}
