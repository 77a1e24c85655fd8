// A comune picked by name (the INPS administrator does not know ISTAT codes): the person types
// the start of the name, the matching comuni appear in a list to choose from ("Villanova
// Monteleone (SS)"), and the picker answers the chosen ISTAT code.

import { searchComuni } from '../booking/api';
import type { Comune } from '../booking/types';
import { h } from './dom';
import { type Field, textField } from './form';

export interface ComunePicker {
  /** Everything to put in the form. */
  wrap: HTMLElement;
  /** The name field (for focus and its error). */
  field: Field;
  /** The chosen comune's ISTAT code, or null when none is chosen. */
  istat(): string | null;
  /** Shows (or clears, with null) a problem on the picker. */
  setError(message: string | null): void;
  /** Empties it. */
  reset(): void;
}

/** A picker with ids derived from `id` and the label `label`. */
export function comunePicker(id: string, label: string, initialIstat = ''): ComunePicker {
  const field = textField(id, label, {
    required: true, maxlength: 60, autocomplete: 'off', hint: 'Scriva l’inizio del nome, poi scelga il comune nell’elenco.',
  });
  const choice = h('select', { class: 'form-select form-select-lg', id: `${id}-choice` });
  const choiceWrap = h('div', { class: 'sp-select', hidden: true },
    h('label', { for: `${id}-choice` }, 'Comune trovato'), choice);
  const note = h('p', { class: 'form-text', id: `${id}-note`, 'aria-live': 'polite' });
  let asked = '';
  let timer = 0;
  if (initialIstat) {
    choice.replaceChildren(h('option', { value: initialIstat }, `codice ISTAT ${initialIstat}`));
    choiceWrap.hidden = false;
  }
  const search = async (): Promise<void> => {
    const q = field.input.value.trim();
    if (q === asked) return;
    asked = q;
    if (q.length < 2) {
      choice.replaceChildren();
      choiceWrap.hidden = true;
      note.textContent = '';
      return;
    }
    let found: Comune[];
    try {
      found = await searchComuni(q);
    } catch {
      found = [];
    }
    if (asked !== q) return; // a newer search is under way
    choice.replaceChildren(
      ...(found.length > 1 ? [h('option', { value: '' }, 'Scelga il comune')] : []),
      ...found.map((c) => h('option', { value: c.istat }, `${c.name} (${c.province})`)));
    choiceWrap.hidden = found.length === 0;
    note.textContent = found.length === 0
      ? 'Nessun comune trovato con questo nome: controlli come è scritto.'
      : found.length === 1 ? 'Trovato 1 comune.' : `Trovati ${found.length} comuni: scelga quello giusto nell’elenco.`;
  };
  field.input.addEventListener('input', () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => { void search(); }, 250);
  });
  field.input.addEventListener('change', () => { void search(); });
  return {
    wrap: h('div', { class: 'comune-picker' }, field.wrap, note, choiceWrap),
    field,
    istat: () => (choiceWrap.hidden ? null : choice.value || null),
    setError: (message) => { field.setError(message); },
    reset: () => {
      field.input.value = '';
      asked = '';
      choice.replaceChildren();
      choiceWrap.hidden = true;
      note.textContent = '';
    },
  };
}
