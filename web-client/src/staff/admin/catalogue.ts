// "Gestione del catalogo" for the INPS administrator: services, comuni, Sedi and Poli with
// their competence, sportelli with their hours, conventions, CSV import. After a change the
// page is drawn again from the server and the outcome shown at the top.

import * as booking from '../../booking/api';
import { linkTo } from '../../navigation';
import { h } from '../../widgets/dom';
import type { PageContext } from '../pages';
import * as api from './api';
import { comuniSection } from './comuni';
import { conventionsSection } from './conventions';
import { importSection } from './importCsv';
import { sediSection } from './sedi';
import { servicesSection } from './services';
import { sportelliSection } from './sportelli';

export const CATALOGUE_PATH = '/admin/catalogo';

export async function renderCatalogue(ctx: PageContext, notice?: string): Promise<void> {
  const [services, sedi, conventions] = await Promise.all([api.services(), booking.sedi(), api.conventions()]);
  const saved = (text: string): void => { void renderCatalogue(ctx, text); };
  const status = h('div', { id: 'catalogue-notice', class: 'alert alert-success', role: 'status', tabindex: '-1', hidden: !notice }, notice ?? '');
  ctx.root.replaceChildren(
    h('div', { class: 'admin catalogue' },
      h('h1', { tabindex: '-1' }, 'Gestione del catalogo'),
      h('p', { class: 'lead' }, 'Servizi, comuni, Sedi e Poli nazionali, sportelli con i loro orari e convenzioni PUE.'),
      h('p', { class: 'admin-links' }, linkTo(h('a', { class: 'btn btn-outline-primary', href: '/admin' }, 'Torna all’amministrazione INPS'))),
      status,
      h('nav', { 'aria-label': 'Sezioni della pagina' },
        h('ul', { class: 'admin-toc' },
          h('li', {}, h('a', { href: '#services-title' }, 'Servizi')),
          h('li', {}, h('a', { href: '#comuni-title' }, 'Comuni')),
          h('li', {}, h('a', { href: '#sedi-admin-title' }, 'Sedi e Poli nazionali')),
          h('li', {}, h('a', { href: '#sportelli-title' }, 'Sportelli e orari')),
          h('li', {}, h('a', { href: '#conventions-title' }, 'Convenzioni PUE')),
          h('li', {}, h('a', { href: '#import-title' }, 'Importazione da file CSV')))),
      servicesSection(services, saved),
      comuniSection(saved),
      sediSection(sedi, services, saved),
      sportelliSection(sedi, services, saved),
      conventionsSection(conventions, sedi, saved),
      importSection(saved)));
  if (notice) status.focus();
}
