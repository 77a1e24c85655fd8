// The problem reports for the referenti ("Segnalazioni"): a table, newest first, a page at a
// time. Mounted by the monitoring dashboard: `renderReports(root)` fetches and draws into `root`.
// Each report says when, where (comune, Sede), what kind, what happened and who reported it by
// role; never the reporter's account.

import { ApiError } from '../api';
import * as booking from '../booking/api';
import { formatTime } from '../booking/dates';
import type { ReportPage } from '../generated/ReportPage';
import { bookingErrorText, REPORT_KIND_LABEL, REPORTER_ROLE_LABEL } from '../messages';
import { h } from '../widgets/dom';

/** Reports per page. */
const PAGE_SIZE = 20;

const dayFormat = new Intl.DateTimeFormat('it-IT', { timeZone: 'Europe/Rome', day: '2-digit', month: '2-digit', year: 'numeric' });

/** "23/11/2026 10:31". */
function when(instant: string): string {
  return `${dayFormat.format(new Date(instant))} ${formatTime(instant)}`;
}

function table(page: ReportPage): HTMLElement {
  return h('div', { class: 'table-responsive', tabindex: '0', role: 'region', 'aria-label': 'Tabella scorrevole delle segnalazioni' },
    h('table', { class: 'table table-striped reports-table' },
      h('caption', { class: 'visually-hidden' }, 'Segnalazioni di problemi nelle videochiamate, dalla più recente'),
      h('thead', {}, h('tr', {},
        ...['Data', 'Comune', 'Sede INPS', 'Problema', 'Descrizione', 'Segnalato da'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, ...page.reports.map((r) => h('tr', { 'data-report-id': r.id },
        h('td', { class: 'text-nowrap' }, when(r.created_at)),
        h('td', {}, r.comune_name),
        h('td', {}, r.sede_name),
        h('td', {}, REPORT_KIND_LABEL[r.kind]),
        h('td', { class: 'report-text' }, r.text || '—'),
        h('td', {}, REPORTER_ROLE_LABEL[r.reporter_role]))))));
}

/** Fetches page `n` of the reports and draws it (with the page buttons) into `root`. */
export async function renderReports(root: HTMLElement, n = 1): Promise<void> {
  const status = h('p', { class: 'reports-status', role: 'status' }, 'Caricamento delle segnalazioni…');
  root.replaceChildren(h('section', { class: 'reports', 'aria-labelledby': 'reports-title' },
    h('h2', { id: 'reports-title', tabindex: '-1' }, 'Segnalazioni di problemi'), status));
  let page: ReportPage;
  try {
    page = await booking.monitoringReports(n, PAGE_SIZE);
  } catch (err) {
    status.textContent = bookingErrorText(err instanceof ApiError ? err.code : 'network');
    status.setAttribute('role', 'alert');
    return;
  }
  const pages = Math.max(1, Math.ceil(page.total / page.limit));
  const section = root.querySelector('section');
  if (!section) return;
  if (page.total === 0) {
    status.textContent = 'Nessuna segnalazione.';
    return;
  }
  status.textContent = `${page.total === 1 ? '1 segnalazione' : `${page.total} segnalazioni`}, pagina ${page.page} di ${pages}.`;
  const go = (to: number): void => {
    void renderReports(root, to).then(() => { root.querySelector<HTMLElement>('#reports-title')?.focus(); });
  };
  // Only the moves that exist (a disabled button would be one more stop that does nothing).
  const prev = page.page > 1 ? h('button', { type: 'button', class: 'btn btn-outline-primary btn-lg' }, 'Pagina precedente') : null;
  const next = page.page < pages ? h('button', { type: 'button', class: 'btn btn-outline-primary btn-lg' }, 'Pagina successiva') : null;
  prev?.addEventListener('click', () => { go(page.page - 1); });
  next?.addEventListener('click', () => { go(page.page + 1); });
  section.append(table(page));
  if (prev || next) section.append(h('nav', { class: 'reports-pages', 'aria-label': 'Pagine delle segnalazioni' }, prev, next));
}
