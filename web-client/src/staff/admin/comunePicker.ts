// Picks a comune by name (never by ISTAT code): a search box and the matching comuni to choose
// from, with their province.

import * as booking from '../../booking/api';
import type { Comune } from '../../booking/types';
import { h } from '../../widgets/dom';

export interface ComunePicker {
  wrap: HTMLElement;
  /** The ISTAT code of the comune chosen, or null. */
  value(): string | null;
  clear(): void;
}

export function comunePicker(id: string, label: string): ComunePicker {
  const search = h('input', { class: 'form-control', id: `${id}-q`, type: 'search', autocomplete: 'off', spellcheck: 'false' });
  const choice = h('select', { class: 'form-select', id, name: id, disabled: true },
    h('option', { value: '' }, 'Scriva l’inizio del nome e scelga'));
  const note = h('p', { class: 'field-hint', id: `${id}-note`, 'aria-live': 'polite' });
  let timer = 0;
  const fill = (list: Comune[]): void => {
    choice.replaceChildren(
      h('option', { value: '' }, list.length ? `${list.length} comuni trovati: scelga` : 'Nessun comune trovato'),
      ...list.map((c) => h('option', { value: c.istat }, `${c.name} (${c.province})`)));
    choice.disabled = list.length === 0;
    if (list.length === 1 && list[0]) choice.value = list[0].istat;
    note.textContent = list.length ? `${list.length} comuni trovati.` : 'Nessun comune trovato con questo nome.';
  };
  search.addEventListener('input', () => {
    window.clearTimeout(timer);
    const q = search.value.trim();
    if (q.length < 2) return;
    timer = window.setTimeout(() => {
      void booking.searchComuni(q).then(fill).catch(() => { note.textContent = 'Ricerca non riuscita. Riprovi.'; });
    }, 250);
  });
  const wrap = h('div', { class: 'field comune-picker' },
    h('label', { for: `${id}-q` }, `${label}: cerchi per nome`),
    search,
    note,
    h('label', { for: id, class: 'mt-2' }, label),
    choice);
  return {
    wrap,
    value: () => choice.value || null,
    clear: () => { search.value = ''; fill([]); note.textContent = ''; choice.disabled = true; },
  };
}
