// Import from CSV (comuni, Sedi, conventions): first a dry run that checks every line and
// reports the bad ones, then the import itself (nothing is saved while a line is wrong).

import type { ImportLineError } from '../../generated/ImportLineError';
import type { ImportReport } from '../../generated/ImportReport';
import { bookingErrorText } from '../../messages';
import { h } from '../../widgets/dom';
import * as api from './api';
import { button, outcome, section, selectField, table } from './ui';

const COLUMNS: Record<api.ImportKind, string> = {
  comuni: 'istat,name,province,region,population,belfiore',
  sedi: 'id,kind,name,comune_istat,patron_day',
  conventions: 'comune_istat,sede_id,valid_from,valid_until',
};

/** The Italian reason of a bad line. */
function reason(e: ImportLineError): string {
  if (e.code === 'bad_csv') {
    const repeated = /already on line (\d+)/.exec(e.reason);
    if (repeated) return `Riga ripetuta: è uguale alla riga ${repeated[1]}.`;
    if (e.reason.includes('fields instead of')) return 'Il numero di colonne non è quello dell’intestazione.';
    if (e.reason.includes('never closed')) return 'Le virgolette aperte in questa riga non sono mai chiuse.';
    return 'La riga non si riesce a leggere.';
  }
  return bookingErrorText(e.code);
}

function reportView(r: ImportReport): HTMLElement {
  const what = r.dry_run ? 'Prova (nessun dato è stato salvato)' : r.applied ? 'Importazione eseguita' : 'Importazione non eseguita: nessun dato è stato salvato';
  return h('div', { class: 'import-report' },
    h('h3', { id: 'import-report-title', tabindex: '-1' }, what),
    h('p', {}, `Righe lette: ${r.lines}. Nuove: ${r.created}. Modificate: ${r.updated}. Già uguali: ${r.unchanged}. Righe con errori: ${r.errors.length}.`),
    r.errors.length === 0
      ? h('p', { class: 'alert alert-success', role: 'status' }, r.applied ? 'Tutte le righe sono state salvate.' : 'Tutte le righe sono corrette.')
      : table('Righe con errori', ['Riga', 'Problema'], r.errors.map((e) => [String(e.line), reason(e)]), ''));
}

/** `imported` runs after an import that changed the catalogue; `last` is its report, shown again. */
export function importSection(imported: (text: string, report: ImportReport) => void, last?: ImportReport): HTMLElement {
  const result = outcome('import-outcome');
  const kind = selectField('import-kind', 'Che cosa contiene il file', [
    { value: 'comuni', label: 'Comuni (elenco ISTAT)' }, { value: 'sedi', label: 'Sedi e Poli' }, { value: 'conventions', label: 'Convenzioni' }]);
  const columns = h('p', { class: 'field-hint', id: 'import-columns' });
  const showColumns = (): void => { columns.replaceChildren('Prima riga (intestazione): ', h('code', {}, COLUMNS[kind.input.value as api.ImportKind])); };
  kind.input.addEventListener('change', showColumns);
  showColumns();
  const file = h('input', { class: 'form-control', type: 'file', id: 'import-file', accept: '.csv,text/csv', 'aria-describedby': 'import-columns' });
  const report = h('div', { id: 'import-report', 'aria-live': 'polite' }, last ? reportView(last) : null);
  const dry = button('Verifica il file (senza salvare)', 'outline-primary', 'button');
  const run = button('Importa');
  const go = (dryRun: boolean): void => {
    result.clear();
    const f = file.files?.[0];
    if (!f) { result.warn('Scelga prima il file CSV.'); return; }
    if (f.size > 2 * 1024 * 1024) { result.warn(bookingErrorText('csv_too_large')); return; }
    void f.text().then((text) => api.importCsv(kind.input.value as api.ImportKind, text, dryRun)).then((r) => {
      if (r.applied) {
        imported(`Importazione eseguita: ${r.created} nuovi, ${r.updated} modificati.`, r);
      } else {
        report.replaceChildren(reportView(r));
      }
    }).catch((err: unknown) => { result.fail(err); });
  };
  dry.addEventListener('click', () => { go(true); });
  const form = h('form', { class: 'catalogue-form', novalidate: true },
    kind.wrap, h('div', { class: 'field' }, h('label', { for: 'import-file' }, 'File CSV (UTF-8, separato da virgole o punti e virgola, al massimo 2 MB)'), columns, file),
    h('p', { class: 'catalogue-actions' }, dry, ' ', run), result.el);
  form.addEventListener('submit', (ev) => { ev.preventDefault(); go(false); });
  return section('import-title', 'Importazione da file CSV', 'Per caricare molti dati insieme. Con anche una sola riga sbagliata non viene salvato nulla: la verifica elenca tutte le righe da correggere.',
    form, report);
}
