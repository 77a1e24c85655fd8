// "Monitoraggio" (`/monitoraggio`): the figures of the PUE in the signed-in person's scope — a
// comune's referente or user administrator their comune, an INPS referente their regions, the
// INPS administrator and ANCI all of Italy (ANCI aggregated: counts under 5 not shown). Key
// figures, a chart by month, a chart and a table by the chosen grouping, CSV/JSON downloads.

import { ApiError } from '../api';
import type { MonitoringFigures } from '../generated/MonitoringFigures';
import type { MonitoringGroupBy } from '../generated/MonitoringGroupBy';
import type { MonitoringSummary } from '../generated/MonitoringSummary';
import { bookingErrorText } from '../messages';
import type { PageContext } from '../staff/pages';
import { h, present } from '../widgets/dom';
import { textField } from '../widgets/form';
import * as api from './api';
import { renderReports } from './reports';

export const MONITORING_PATH = '/monitoraggio';

const GROUPS: [MonitoringGroupBy, string][] = [
  ['region', 'Regione'],
  ['province', 'Provincia'],
  ['comune', 'Comune'],
  ['sede', 'Sede o Polo INPS'],
  ['service', 'Servizio'],
  ['month', 'Mese'],
];

const MONTHS = ['gennaio', 'febbraio', 'marzo', 'aprile', 'maggio', 'giugno', 'luglio', 'agosto',
  'settembre', 'ottobre', 'novembre', 'dicembre'];

/** "novembre 2026" for '2026-11'. */
export function monthName(key: string): string {
  const [y, m] = key.split('-');
  const i = Number(m) - 1;
  return MONTHS[i] ? `${MONTHS[i]} ${y}` : key;
}

/** A count as shown: "< 5" where the server suppressed it. */
function count(n: number | null): string {
  return n === null ? '< 5' : n.toLocaleString('it-IT');
}

function decimal(n: number | null, unit: string): string {
  return n === null ? 'non disponibile' : `${n.toLocaleString('it-IT', { maximumFractionDigits: 1 })} ${unit}`;
}

/** A month field's value: 'YYYY-MM', '' when empty (the server's default), null when bad. */
function monthValue(input: HTMLInputElement): string | null {
  const v = input.value.trim();
  return v === '' || /^\d{4}-\d{2}$/.test(v) ? v : null;
}

/** Shows the Italian text of `code` in the page's `problem` box and moves the focus there. */
export function showProblem(problem: HTMLElement, code: string): void {
  problem.textContent = bookingErrorText(code);
  problem.hidden = false;
  problem.focus();
}

/** The months of a period's two fields ('' = the server's default), or null after saying why. */
export function readPeriod(from: HTMLInputElement, to: HTMLInputElement, problem: HTMLElement): [string, string] | null {
  const f = monthValue(from);
  const t = monthValue(to);
  if (f === null || t === null) {
    showProblem(problem, 'bad_month');
    return null;
  }
  return [f, t];
}

function keyFigures(t: MonitoringFigures): HTMLElement {
  const items: [string, string][] = [
    ['Appuntamenti prenotati', count(t.booked)],
    ['Incontri svolti', count(t.held)],
    ['Risolti', count(t.resolved)],
    ['Da richiamare', count(t.call_back)],
    ['Cittadini non presentati', count(t.no_show)],
    ['Annullati', count(t.cancelled)],
    ['Cittadini serviti (distinti)', count(t.citizens)],
    ['Attesa mediana dalla prenotazione', decimal(t.waiting_days_median, 'giorni')],
    ['Durata mediana della videochiamata', decimal(t.duration_minutes_median, 'minuti')],
    ['Valutazione media dei cittadini', t.rating_average === null
      ? `non disponibile (${count(t.feedback)} risposte)`
      : `${decimal(t.rating_average, 'su 5')} (${count(t.feedback)} risposte)`],
  ];
  return h('dl', { class: 'key-figures', id: 'key-figures' },
    ...items.flatMap(([label, value]) => [
      h('div', { class: 'key-figure' }, h('dt', {}, label), h('dd', {}, value)),
    ]));
}

function figuresTable(s: MonitoringSummary, groupLabel: string): HTMLElement {
  const label = (f: MonitoringFigures): string => s.by === 'month' ? monthName(f.key) : f.label || f.key;
  const cols: [string, (f: MonitoringFigures) => string][] = [
    ['Prenotati', (f) => count(f.booked)],
    ['Svolti', (f) => count(f.held)],
    ['Risolti', (f) => count(f.resolved)],
    ['Da richiamare', (f) => count(f.call_back)],
    ['Non presentati', (f) => count(f.no_show)],
    ['Annullati', (f) => count(f.cancelled)],
    ['Cittadini serviti', (f) => count(f.citizens)],
    ['Attesa mediana (giorni)', (f) => f.waiting_days_median === null ? '–' : String(f.waiting_days_median)],
    ['Durata mediana (minuti)', (f) => f.duration_minutes_median === null ? '–' : String(f.duration_minutes_median)],
  ];
  const row = (f: MonitoringFigures, total: boolean): HTMLElement => h('tr', total ? { class: 'total-row' } : {},
    h('th', { scope: 'row' }, total ? 'Totale' : label(f)),
    ...cols.map(([, get]) => h('td', {}, get(f))));
  return h('div', { class: 'table-responsive', tabindex: '0', role: 'region', 'aria-label': 'Tabella scorrevole' },
    h('table', { class: 'table data-table figures-table', id: 'figures' },
      h('caption', {}, `Dati per ${groupLabel.toLowerCase()} – ${s.scope}`),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, groupLabel), ...cols.map(([t]) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, ...s.rows.map((f) => row(f, false)), row(s.total, true))));
}

function chart(src: string, alt: string, id: string): HTMLElement {
  // On a narrow screen the chart keeps a readable size and scrolls sideways.
  return h('figure', { class: 'chart', id },
    h('div', { class: 'chart-scroll', tabindex: '0', role: 'region', 'aria-label': alt },
      h('img', { src, alt, width: '720' })),
    h('figcaption', {}, alt));
}

export async function renderMonitoring(ctx: PageContext): Promise<void> {
  // Empty at first: the server answers with its default period (the last 12 months, by its
  // clock) and the fields show it.
  const to = textField('mon-to', 'Fino al mese', { type: 'month', required: false, hint: 'Mese e anno, ad esempio 2026-11.' });
  const from = textField('mon-from', 'Dal mese', { type: 'month', required: false, hint: 'Mese e anno, ad esempio 2025-12.' });
  const group = h('select', { class: 'form-select form-select-lg', id: 'mon-by' },
    ...GROUPS.map(([v, t]) => h('option', { value: v }, t)));
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-lg' }, 'Aggiorna');
  const form = h('form', { class: 'sp-form monitoring-filters', novalidate: true },
    h('div', { class: 'field-row' }, from.wrap, to.wrap,
      h('div', { class: 'sp-select' }, h('label', { for: 'mon-by' }, 'Raggruppa per'), group)),
    submit);
  const problem = h('div', { class: 'alert alert-danger', role: 'alert', id: 'mon-error', tabindex: '-1', hidden: true });
  const results = h('div', { id: 'mon-results', 'aria-live': 'polite' });
  const scopeLine = h('p', { class: 'lead', id: 'mon-scope' });

  const load = async (): Promise<void> => {
    problem.hidden = true;
    const period = readPeriod(from.input, to.input, problem);
    if (!period) return;
    const [f, t] = period;
    submit.disabled = true;
    try {
      const asked: api.ViewQuery = { from: f, to: t, by: group.value as MonitoringGroupBy };
      const s = await api.summary(asked);
      from.input.value = s.from;
      to.input.value = s.to;
      const q: api.ViewQuery = { ...asked, from: s.from, to: s.to };
      const byMonth: api.ViewQuery = { ...q, by: 'month' };
      const groupLabel = GROUPS.find(([v]) => v === q.by)?.[1] ?? '';
      scopeLine.textContent = `${s.scope}, da ${monthName(s.from)} a ${monthName(s.to)}.`;
      results.replaceChildren(...present(
        s.suppressed_below !== null
          ? h('p', { class: 'alert alert-info', id: 'mon-suppressed' },
            `Dati aggregati: i numeri inferiori a ${s.suppressed_below} non sono mostrati (“< ${s.suppressed_below}”) per non rendere riconoscibili le persone.`)
          : null,
        h('h2', { id: 'mon-key-title' }, 'In sintesi'),
        keyFigures(s.total),
        h('h2', { id: 'mon-month-title' }, 'Andamento per mese'),
        chart(api.chartLink(byMonth, 'booked'), 'Grafico: appuntamenti prenotati per mese (i valori sono nella tabella “Dati”)', 'chart-months'),
        chart(api.chartLink(byMonth, 'held'), 'Grafico: incontri svolti per mese (i valori sono nella tabella “Dati”)', 'chart-held'),
        q.by === 'month' ? null : h('h2', {}, `Per ${groupLabel.toLowerCase()}`),
        q.by === 'month' ? null : chart(api.chartLink(q, 'booked'), `Grafico: appuntamenti prenotati per ${groupLabel.toLowerCase()} (i più numerosi; i valori sono nella tabella “Dati”)`, 'chart-groups'),
        h('h2', { id: 'mon-table-title' }, 'Dati'),
        figuresTable(s, groupLabel),
        h('p', { class: 'downloads' },
          h('a', { class: 'btn btn-outline-primary', href: api.csvLink(q), download: 'monitoraggio.csv', id: 'mon-csv' }, 'Scarica i dati (CSV)'),
          ' ',
          h('a', { class: 'btn btn-outline-primary', href: api.jsonLink(q), target: '_blank', rel: 'noopener', id: 'mon-json' }, 'Dati in formato JSON')),
      ));
    } catch (err) {
      showProblem(problem, err instanceof ApiError ? err.code : 'network');
    } finally {
      submit.disabled = false;
    }
  };
  form.addEventListener('submit', (ev) => { ev.preventDefault(); void load(); });

  // The problem reports of the scope: for the referenti of a comune or of INPS and the INPS
  // administrator (not for ANCI: a report's text may name people).
  const role = ctx.principal.role;
  const reports = ['referente_comune', 'referente_inps', 'inps_admin'].includes(role)
    ? h('div', { id: 'mon-reports', class: 'mt-5' })
    : null;
  ctx.root.replaceChildren(h('div', { class: 'monitoring' },
    h('h1', { tabindex: '-1' }, 'Monitoraggio del servizio'),
    scopeLine,
    h('p', {}, 'Appuntamenti, incontri svolti, esiti e valutazioni dei cittadini nei Punti Utente Evoluto. Nessun dato personale: solo numeri.'),
    form, problem, results,
    reports));
  await load();
  if (reports) await renderReports(reports);
}
