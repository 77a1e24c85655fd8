// Form fields with a visible label, an optional hint and an Italian error message tied to the
// input (aria-invalid + aria-describedby), in the large style of the landing page.

import { h } from './dom';

export interface Field<E extends HTMLElement = HTMLInputElement> {
  input: E;
  wrap: HTMLElement;
  setError(message: string | null): void;
}

function describe(input: HTMLElement, ids: string[]): void {
  if (ids.length) input.setAttribute('aria-describedby', ids.join(' '));
  else input.removeAttribute('aria-describedby');
}

/** `hints`: ids of the elements that describe the field besides its error (hint, live note). */
function withError<E extends HTMLElement>(id: string, input: E, wrap: HTMLElement, hints: string[], markInvalid = true): Field<E> {
  const anchor: HTMLElement = input;
  const error = h('p', { class: 'field-error', id: `${id}-error`, hidden: true });
  wrap.append(error);
  describe(anchor, hints);
  const field: Field<E> = {
    input,
    wrap,
    setError(message) {
      error.textContent = message ?? '';
      error.hidden = !message;
      wrap.classList.toggle('has-error', Boolean(message));
      if (message && markInvalid) anchor.setAttribute('aria-invalid', 'true');
      else anchor.removeAttribute('aria-invalid');
      describe(anchor, [...(message ? [error.id] : []), ...hints]);
    },
  };
  // Once the person changes the value, the old message no longer applies.
  const clear = (): void => {
    if (error.hidden) return;
    field.setError(null);
    clearSummaryItem(input.id);
  };
  input.addEventListener('input', clear);
  input.addEventListener('change', clear);
  return field;
}

/** Removes the summary line of a field (and the summary when it was the last one). */
export function clearSummaryItem(fieldId: string): void {
  for (const li of document.querySelectorAll(`.error-summary li[data-for="${CSS.escape(fieldId)}"]`)) {
    const summary = li.closest('.error-summary');
    li.remove();
    const left = summary?.querySelectorAll('li').length ?? 0;
    if (left === 0) summary?.remove();
    const count = summary?.querySelector('.summary-count');
    if (count) count.textContent = summaryTitle(left);
  }
}

export interface TextOptions {
  type?: string;
  hint?: string;
  autocomplete?: string;
  required?: boolean;
  maxlength?: number;
  inputmode?: string;
  value?: string;
  min?: string;
  max?: string;
  className?: string;
  /** Id of a note shown next to the field (e.g. what a typed code stands for), also read with it. */
  noteId?: string;
}

export function textField(id: string, label: string, o: TextOptions = {}): Field {
  const hintId = o.hint ? `${id}-hint` : null;
  const input = h('input', {
    class: `form-control${o.className ? ` ${o.className}` : ''}`, id, name: id, type: o.type ?? 'text',
    autocomplete: o.autocomplete ?? 'off', required: o.required ?? false,
    maxlength: o.maxlength ? String(o.maxlength) : false, inputmode: o.inputmode ?? false,
    min: o.min ?? false, max: o.max ?? false, spellcheck: 'false',
  });
  input.value = o.value ?? '';
  const wrap = h('div', { class: 'field' },
    h('label', { for: id }, label, o.required === false ? h('span', { class: 'optional' }, ' (facoltativo)') : null),
    hintId ? h('p', { class: 'field-hint', id: hintId }, o.hint ?? '') : null,
    input);
  return withError(id, input, wrap, [...(hintId ? [hintId] : []), ...(o.noteId ? [o.noteId] : [])]);
}

export function textArea(id: string, label: string, hint: string, maxlength: number): Field<HTMLTextAreaElement> {
  const hintId = `${id}-hint`;
  const input = h('textarea', { class: 'form-control', id, name: id, rows: '3', maxlength: String(maxlength) });
  const wrap = h('div', { class: 'field' },
    h('label', { for: id }, label, h('span', { class: 'optional' }, ' (facoltativo)')),
    h('p', { class: 'field-hint', id: hintId }, hint),
    input);
  return withError(id, input, wrap, [hintId]);
}

export function checkField(id: string, label: string, hint?: string): Field {
  const hintId = hint ? `${id}-hint` : null;
  const input = h('input', { class: 'form-check-input', type: 'checkbox', id, name: id });
  const wrap = h('div', { class: 'form-check choice' },
    input,
    h('label', { class: 'form-check-label', for: id }, label),
    hintId ? h('p', { class: 'field-hint', id: hintId }, hint ?? '') : null);
  return withError(id, input, wrap, hintId ? [hintId] : []);
}

export interface RadioOption {
  value: string;
  label: string | Node;
  hint?: string;
}

export interface RadioGroup extends Field<HTMLFieldSetElement> {
  value(): string | null;
  set(value: string | null): void;
  inputs: HTMLInputElement[];
}

export function radioGroup(name: string, legend: string, options: RadioOption[], selected: string | null, hint?: string): RadioGroup {
  const hintId = hint ? `${name}-hint` : null;
  const inputs: HTMLInputElement[] = [];
  const fieldset = h('fieldset', { class: 'choice-list field', id: name },
    h('legend', {}, legend),
    hintId ? h('p', { class: 'field-hint', id: hintId }, hint ?? '') : null,
    ...options.map((o, i) => {
      const id = `${name}-${i}`;
      const input = h('input', { class: 'form-check-input', type: 'radio', name, id, value: o.value, checked: o.value === selected });
      inputs.push(input);
      const hid = o.hint ? `${id}-hint` : null;
      if (hid) input.setAttribute('aria-describedby', hid);
      return h('div', { class: 'form-check choice' },
        input,
        h('label', { class: 'form-check-label', for: id }, o.label),
        hid ? h('p', { class: 'field-hint', id: hid }, o.hint ?? '') : null);
    }));
  const field = withError(name, fieldset, fieldset, hintId ? [hintId] : [], false);
  return {
    ...field,
    inputs,
    value: () => inputs.find((i) => i.checked)?.value ?? null,
    set: (v) => { for (const i of inputs) i.checked = i.value === v; },
  };
}

function summaryTitle(n: number): string {
  return n === 1 ? 'C’è un dato da correggere:' : `Ci sono ${n} dati da correggere:`;
}

/** A box at the top of a step listing the problems, each a link to its field. */
export function errorSummary(problems: { field: HTMLElement; message: string }[]): HTMLElement {
  const list = h('ul', { class: 'mb-0' }, ...problems.map((p) => {
    const a = h('a', { href: `#${p.field.id}` }, p.message);
    a.addEventListener('click', (ev) => {
      ev.preventDefault();
      const target = p.field instanceof HTMLFieldSetElement ? p.field.querySelector('input') ?? p.field : p.field;
      target.focus();
      target.scrollIntoView({ block: 'center' });
    });
    return h('li', { 'data-for': p.field.id }, a);
  }));
  return h('div', { class: 'alert alert-danger error-summary', role: 'alert', tabindex: '-1' },
    h('p', { class: 'fw-bold summary-count' }, summaryTitle(problems.length)),
    list);
}
