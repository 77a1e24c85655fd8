// Small building blocks shared by the catalogue administration's sections: a section with its
// heading, a message box for the outcome of a form, a data table, a select.

import { ApiError } from '../../api';
import { bookingErrorText } from '../../messages';
import { h } from '../../widgets/dom';

/** After a change: the text to show and where (a section heading or a disclosure id). */
export type Saved = (text: string, at: string) => void;

export function section(id: string, title: string, intro: string, ...children: (Node | null)[]): HTMLElement {
  return h('section', { class: 'mt-5 catalogue-section', 'aria-labelledby': id },
    h('h2', { id }, title),
    h('p', {}, intro),
    ...children.filter((c): c is Node => c !== null));
}

/** The outcome of a form: a success line (status) or an Italian error text (alert). */
export interface Outcome {
  el: HTMLElement;
  ok(text: string): void;
  fail(err: unknown): void;
  /** A problem found before asking the server. */
  warn(text: string): void;
  clear(): void;
}

export function outcome(id: string): Outcome {
  const el = h('div', { id, class: 'catalogue-outcome', 'aria-live': 'polite' });
  const show = (cls: string, role: string, text: string): void => {
    el.replaceChildren(h('div', { class: `alert ${cls}`, role }, text));
  };
  return {
    el,
    ok: (text) => { show('alert-success', 'status', text); },
    fail: (err) => {
      const code = err instanceof ApiError ? err.code : 'network';
      show('alert-danger', 'alert', bookingErrorText(code));
    },
    warn: (text) => { show('alert-danger', 'alert', text); },
    clear: () => { el.replaceChildren(); },
  };
}

export function table(caption: string, headers: string[], rows: (string | Node)[][], empty: string): HTMLElement {
  if (rows.length === 0) return h('p', { class: 'admin-empty' }, empty);
  return h('div', { class: 'table-responsive', tabindex: '0', role: 'region', 'aria-label': `${caption}: tabella scorrevole` },
    h('table', { class: 'table data-table' },
      h('caption', {}, caption),
      h('thead', {}, h('tr', {}, ...headers.map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, ...rows.map(([first, ...rest]) => h('tr', {},
        h('th', { scope: 'row' }, first ?? ''), ...rest.map((c) => h('td', {}, c)))))));
}

export function selectField(id: string, label: string, options: { value: string; label: string }[], value = ''): { wrap: HTMLElement; input: HTMLSelectElement } {
  const input = h('select', { class: 'form-select', id, name: id },
    ...options.map((o) => h('option', { value: o.value, selected: o.value === value }, o.label)));
  const wrap = h('div', { class: 'field' }, h('label', { for: id }, label), input);
  return { wrap, input };
}

/** A group of checkboxes (services): the values checked. */
export function checkboxes(id: string, legend: string, options: { value: string; label: string }[], checked: string[] = []): { wrap: HTMLElement; values(): string[]; set(values: string[]): void } {
  const inputs = options.map((o, i) => h('input', { class: 'form-check-input', type: 'checkbox', id: `${id}-${i}`, value: o.value, checked: checked.includes(o.value) }));
  const wrap = h('fieldset', { class: 'field choice-list', id },
    h('legend', {}, legend),
    ...options.map((o, i) => h('div', { class: 'form-check choice' }, inputs[i] ?? null, h('label', { class: 'form-check-label', for: `${id}-${i}` }, o.label))));
  return {
    wrap,
    values: () => inputs.filter((i) => i.checked).map((i) => i.value),
    set: (values) => { for (const i of inputs) i.checked = values.includes(i.value); },
  };
}

export function button(label: string, kind: 'primary' | 'outline-primary' | 'outline-danger' = 'primary', type: 'submit' | 'button' = 'submit'): HTMLButtonElement {
  return h('button', { type, class: `btn btn-${kind}` }, label);
}

/** A button that shows or hides `content` (closed at first). */
export function disclosure(id: string, label: string, content: Node): HTMLElement {
  const panel = h('div', { id: `${id}-panel`, class: 'catalogue-panel', hidden: true }, content);
  const toggle = h('button', { type: 'button', class: 'btn btn-link catalogue-toggle', 'aria-expanded': 'false', 'aria-controls': `${id}-panel` }, label);
  toggle.addEventListener('click', () => {
    const open = panel.hidden;
    panel.hidden = !open;
    toggle.setAttribute('aria-expanded', String(open));
  });
  return h('div', { class: 'catalogue-disclosure', id }, toggle, panel);
}
