// "Attività degli operatori" (`/utenze/attivita`): the comune's user administrator (who
// monitors the correct use of the service by its operators) sees, for a period, what each
// operator did (bookings, cancellations, meetings opened, documents, refused actions), the
// revocations, and the audit log with filters. The INPS administrator picks the comune.

import { ApiError, requestJson } from '../api';
import type { AuditEntry } from '../generated/AuditEntry';
import type { OperatorsActivity } from '../generated/OperatorsActivity';
import { linkTo } from '../navigation';
import type { PageContext } from '../staff/pages';
import { h, present } from '../widgets/dom';
import { textField } from '../widgets/form';
import { comunePicker } from '../widgets/comunePicker';
import * as api from './api';
import { MONITORING_PATH, monthName, readPeriod, showProblem } from './dashboard';

export const ACTIVITY_PATH = '/utenze/attivita';

/** The audit actions offered as a filter, with their Italian names. */
const ACTIONS: [string, string][] = [
  ['', 'Tutte le operazioni'],
  ['session.login', 'Accesso'],
  ['session.logout', 'Uscita'],
  ['hold.place', 'Riserva di un orario'],
  ['hold.release', 'Rinuncia a un orario'],
  ['hold.confirm', 'Prenotazione'],
  ['appointment.cancel', 'Annullamento'],
  ['appointment.reschedule', 'Spostamento'],
  ['meeting.open', 'Apertura videochiamata'],
  ['meeting.handover', 'Passaggio al cittadino'],
  ['case.view', 'Lettura della pratica'],
  ['meeting.report', 'Segnalazione di un problema'],
  ['monitoring.reports', 'Lettura delle segnalazioni'],
  ['operator.pue_enable', 'Abilitazione al PUE (INPS)'],
  ['password.change', 'Cambio della password'],
  ['document.upload', 'Invio documento'],
  ['operator.create', 'Abilitazione utente'],
  ['operator.revoke', 'Revoca utente'],
];

function actionName(code: string): string {
  return ACTIONS.find(([c]) => c === code)?.[1] ?? code;
}

function when(iso: string | null): string {
  if (!iso) return '–';
  return new Date(iso).toLocaleString('it-IT', { dateStyle: 'short', timeStyle: 'short', timeZone: 'Europe/Rome' });
}


function activityTable(a: OperatorsActivity): HTMLElement {
  if (a.operators.length === 0) return h('p', { class: 'empty' }, 'Il Comune non ha operatori abilitati.');
  const cols = ['Operatore', 'Prenotazioni', 'Annullamenti', 'Videochiamate aperte', 'Documenti inviati', 'Operazioni rifiutate', 'Ultima attività'];
  return h('div', { class: 'table-responsive', tabindex: '0', role: 'region', 'aria-label': 'Tabella scorrevole' },
    h('table', { class: 'table data-table', id: 'activity' },
      h('caption', {}, `Attività degli operatori, da ${monthName(a.from)} a ${monthName(a.to)}`),
      h('thead', {}, h('tr', {}, ...cols.map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, ...a.operators.map((o) => h('tr', { 'data-account': o.account },
        h('th', { scope: 'row' }, o.full_name ?? o.account, h('span', { class: 'user-account' }, ` (${o.account})`)),
        h('td', {}, String(o.bookings)),
        h('td', {}, String(o.cancellations)),
        h('td', {}, String(o.meetings_opened)),
        h('td', {}, String(o.documents)),
        h('td', {}, String(o.denied)),
        h('td', {}, when(o.last_action_at)))))));
}

function revocationList(a: OperatorsActivity): HTMLElement {
  if (a.revocations.length === 0) return h('p', { class: 'empty' }, 'Nessuna revoca nel periodo.');
  return h('ul', { id: 'revocations' }, ...a.revocations.map((r) =>
    h('li', {}, `${when(r.at)}: accesso di ${r.account} revocato da ${r.by}`)));
}

function auditTable(list: AuditEntry[]): HTMLElement {
  if (list.length === 0) return h('p', { class: 'empty' }, 'Nessuna operazione registrata con questi filtri.');
  return h('div', { class: 'table-responsive', tabindex: '0', role: 'region', 'aria-label': 'Tabella scorrevole' },
    h('table', { class: 'table data-table', id: 'audit' },
      h('caption', {}, 'Registro delle operazioni (le più recenti prima)'),
      h('thead', {}, h('tr', {}, ...['Quando', 'Chi', 'Operazione', 'Esito'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, ...list.map((e) => h('tr', {},
        h('td', {}, when(e.at)),
        h('td', {}, e.actor_subject),
        h('td', {}, actionName(e.action)),
        h('td', {}, e.outcome === 'ok' ? 'eseguita' : 'rifiutata'))))));
}

export async function renderActivity(ctx: PageContext): Promise<void> {
  const isInps = ctx.principal.role === 'inps_admin';
  // Empty at first: the server's default period (the last 12 months) fills them.
  const from = textField('act-from', 'Dal mese', { type: 'month', required: false });
  const to = textField('act-to', 'Fino al mese', { type: 'month', required: false });
  const comune = isInps ? comunePicker('act-comune', 'Comune', ctx.params.get('comune') ?? '') : null;
  const action = h('select', { class: 'form-select form-select-lg', id: 'act-action' }, ...ACTIONS.map(([v, t]) => h('option', { value: v }, t)));
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-lg' }, 'Mostra');
  const problem = h('div', { class: 'alert alert-danger', role: 'alert', id: 'act-error', tabindex: '-1', hidden: true });
  const results = h('div', { id: 'act-results', 'aria-live': 'polite' });
  const form = h('form', { class: 'sp-form', novalidate: true },
    h('div', { class: 'field-row' }, from.wrap, to.wrap, comune?.wrap ?? null),
    h('div', { class: 'sp-select' }, h('label', { for: 'act-action' }, 'Operazione (per il registro)'), action),
    submit);

  const load = async (): Promise<void> => {
    problem.hidden = true;
    const period = readPeriod(from.input, to.input, problem);
    if (!period) return;
    const [f, t] = period;
    if (comune && !comune.istat()) {
      comune.setError('Scriva il nome del comune e lo scelga nell’elenco.');
      comune.field.input.focus();
      return;
    }
    comune?.setError(null);
    submit.disabled = true;
    try {
      const a = await api.activity(f, t, comune?.istat() ?? undefined);
      from.input.value = a.from;
      to.input.value = a.to;
      // From the first day of the first month to the first of the month after the last, local
      // (Italian) time.
      const start = new Date(Number(a.from.slice(0, 4)), Number(a.from.slice(5, 7)) - 1, 1).toISOString();
      const end = new Date(Number(a.to.slice(0, 4)), Number(a.to.slice(5, 7)), 1).toISOString();
      const params = new URLSearchParams({ from: start, to: end, limit: '200', ...(action.value ? { action: action.value } : {}) });
      const audit = isInps
        ? null
        : (await requestJson<AuditEntry[]>(`/v1/audit?${params.toString()}`)).body;
      results.replaceChildren(...present(
        h('h2', {}, 'Attività per operatore'),
        activityTable(a),
        h('h2', {}, 'Revoche'),
        revocationList(a),
        audit ? h('h2', {}, 'Registro delle operazioni') : null,
        audit ? auditTable(audit) : null,
        audit ? h('p', {}, h('a', { class: 'btn btn-outline-primary', href: `/v1/audit.csv?${params.toString()}`, download: 'registro.csv' }, 'Scarica il registro (CSV)')) : null,
      ));
    } catch (err) {
      showProblem(problem, err instanceof ApiError ? err.code : 'network');
    } finally {
      submit.disabled = false;
    }
  };
  form.addEventListener('submit', (ev) => { ev.preventDefault(); void load(); });
  ctx.root.replaceChildren(h('div', { class: 'activity' },
    h('p', { class: 'back-link' }, linkTo(h('a', { href: '/utenze' }, 'Torna alla gestione degli operatori'))),
    h('h1', { tabindex: '-1' }, 'Attività degli operatori'),
    h('p', {}, 'Quello che gli operatori hanno fatto nel periodo scelto, dal registro delle operazioni.'),
    h('p', {}, linkTo(h('a', { href: MONITORING_PATH }, 'Vai al monitoraggio del servizio'))),
    form, problem, results));
  if (!isInps) await load();
}
