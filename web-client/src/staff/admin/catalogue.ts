// "Gestione del catalogo" for the INPS administrator: services, comuni, Sedi and Poli with
// their competence and closures, sportelli with their hours, conventions, CSV import. After a
// change the page is drawn again from the server, and the outcome is shown (and focused) where
// the change was made.

import * as booking from '../../booking/api';
import type { ImportReport } from '../../generated/ImportReport';
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

/** What the last change was: its outcome, where to show it, and an import's report. */
interface After {
  text: string;
  at: string;
  report?: ImportReport;
}

/** Shows `after.text` at `after.at`: under a section's heading, or at the top of a disclosure (opened). */
function showOutcome(root: HTMLElement, after: After): void {
  const notice = h('div', { id: 'catalogue-notice', class: 'alert alert-success', role: 'status', tabindex: '-1' }, after.text);
  const at = root.querySelector(`#${CSS.escape(after.at)}`);
  const panel = at?.querySelector<HTMLElement>('.catalogue-panel');
  if (at && panel) {
    at.querySelector('.catalogue-toggle')?.setAttribute('aria-expanded', 'true');
    panel.hidden = false;
    panel.prepend(notice);
  } else if (at) {
    at.after(notice);
  } else {
    root.querySelector('h1')?.after(notice);
  }
  notice.focus();
}

export async function renderCatalogue(ctx: PageContext, after?: After): Promise<void> {
  const [services, sedi, conventions] = await Promise.all([api.services(), booking.sedi(), api.conventions()]);
  const saved = (text: string, at: string): void => { void renderCatalogue(ctx, { text, at }); };
  const imported = (text: string, report: ImportReport): void => { void renderCatalogue(ctx, { text, at: 'import-title', report }); };
  ctx.root.replaceChildren(
    h('div', { class: 'admin catalogue' },
      h('h1', { tabindex: '-1' }, 'Gestione del catalogo'),
      h('p', { class: 'lead' }, 'Servizi, comuni, Sedi e Poli nazionali, sportelli con i loro orari e convenzioni PUE.'),
      h('p', { class: 'admin-links' }, linkTo(h('a', { class: 'btn btn-outline-primary', href: '/admin' }, 'Torna all’amministrazione INPS'))),
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
      importSection(imported, after?.report)));
  if (after) showOutcome(ctx.root, after);
}
