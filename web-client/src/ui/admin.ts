// Amministrazione INPS, read-only: what the server lets an administrator read today.

import * as booking from '../booking/api';
import { h } from './dom';
import type { PageContext } from './staff';

export async function renderAdmin(ctx: PageContext): Promise<void> {
  const services = await booking.services();
  ctx.root.replaceChildren(
    h('div', { class: 'admin' },
      h('h1', { tabindex: '-1' }, 'Amministrazione INPS'),
      h('p', { class: 'lead' }, 'Consultazione dei dati del servizio di prenotazione.'),
      h('section', { class: 'mt-4', 'aria-labelledby': 'services-title' },
        h('h2', { id: 'services-title' }, 'Catalogo dei servizi'),
        h('table', { class: 'table data-table' },
          h('caption', { class: 'visually-hidden' }, 'Servizi prenotabili'),
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Servizio'), h('th', { scope: 'col' }, 'Codice'))),
          h('tbody', {}, ...services.map((s) => h('tr', {}, h('td', {}, s.name), h('td', {}, h('code', {}, s.code))))))),
      h('section', { class: 'mt-4', 'aria-labelledby': 'todo-title' },
        h('h2', { id: 'todo-title' }, 'Sedi, sportelli, orari e chiusure'),
        h('p', {}, 'Il server non permette ancora di consultare da qui l’elenco delle Sedi, degli sportelli, degli orari di apertura e delle chiusure straordinarie.'))));
}
