// Sportelli: a form to add or change one (its Sede, name, length of an appointment, services)
// and its weekly opening hours, written per day as intervals ("08:30-12:00, 14:30-16:00").

import type { SedeDetail, Service, SportelloDetail } from '../../booking/types';
import type { HoursInterval } from '../../generated/HoursInterval';
import { h } from '../../widgets/dom';
import { type Field, textField } from '../../widgets/form';
import * as api from './api';
import { type Saved, button, checkboxes, disclosure, outcome, section, selectField } from './ui';

const WEEKDAYS = ['Lunedì', 'Martedì', 'Mercoledì', 'Giovedì', 'Venerdì', 'Sabato', 'Domenica'];
const INTERVAL = /^(\d{2}:\d{2})\s*-\s*(\d{2}:\d{2})$/;

/** "08:30-12:00, 14:30-16:00" → intervals of `weekday`; null when a part is not written so. */
export function parseDay(weekday: number, text: string): HoursInterval[] | null {
  const parts = text.split(',').map((p) => p.trim()).filter((p) => p !== '');
  const out: HoursInterval[] = [];
  for (const p of parts) {
    const m = INTERVAL.exec(p);
    if (!m?.[1] || !m[2]) return null;
    out.push({ weekday, opens: m[1], closes: m[2] });
  }
  return out;
}

function hoursForm(s: SportelloDetail, saved: Saved): HTMLElement {
  const result = outcome(`hours-${s.id}-outcome`);
  const days: Field[] = WEEKDAYS.map((name, i) => {
    const value = s.opening_hours.filter((o) => o.weekday === i + 1).map((o) => `${o.opens}-${o.closes}`).join(', ');
    return textField(`hours-${s.id}-${i + 1}`, name, { value, maxlength: 200, className: 'hours-input' });
  });
  const form = h('form', { class: 'catalogue-form', novalidate: true, 'aria-labelledby': `hours-${s.id}-title` },
    h('h4', { id: `hours-${s.id}-title` }, `Orari settimanali – ${s.name}`),
    h('p', { class: 'field-hint' }, 'Per ogni giorno scriva le fasce di apertura separate da virgole, ad esempio 08:30-12:00, 14:30-16:00. Lasci vuoto il giorno di chiusura.'),
    h('div', { class: 'hours-grid' }, ...days.map((d) => d.wrap)),
    button('Salva gli orari'), result.el);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    result.clear();
    const hours: HoursInterval[] = [];
    const bad: Field[] = [];
    days.forEach((d, i) => {
      const list = parseDay(i + 1, d.input.value);
      if (list === null) {
        d.setError('Scriva le fasce come 08:30-12:00, separate da virgole.');
        bad.push(d);
      } else {
        d.setError(null);
        hours.push(...list);
      }
    });
    if (bad[0]) { bad[0].input.focus(); return; }
    api.setHours(s.id, hours).then(() => { saved(`Orari di ${s.name} salvati.`, `sportello-${s.id}`); })
      .catch((err: unknown) => { result.fail(err); });
  });
  return form;
}

export function sportelliSection(sedi: SedeDetail[], services: Service[], saved: Saved): HTMLElement {
  const result = outcome('sportello-outcome');
  const id = textField('sportello-id', 'Codice dello sportello', { hint: 'Lettere minuscole, cifre e trattini, ad esempio sassari-3. Un codice esistente modifica quello sportello.', maxlength: 40 });
  const sede = selectField('sportello-sede', 'Sede o Polo', sedi.map((s) => ({ value: s.id, label: s.name })));
  const name = textField('sportello-name', 'Nome dello sportello', { maxlength: 100 });
  const slot = textField('sportello-slot', 'Durata di un appuntamento (minuti)', { type: 'number', min: '5', max: '240', value: '30', inputmode: 'numeric' });
  const boxes = checkboxes('sportello-services', 'Servizi trattati', services.map((x) => ({ value: x.code, label: x.name })));
  const form = h('form', { class: 'catalogue-form', novalidate: true, 'aria-labelledby': 'sportello-form-title' },
    h('h3', { id: 'sportello-form-title' }, 'Nuovo sportello o modifica'),
    id.wrap, sede.wrap, name.wrap, slot.wrap, boxes.wrap, button('Salva lo sportello'), result.el);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    result.clear();
    api.saveSportello(id.input.value.trim(), {
      sede_id: sede.input.value, name: name.input.value, slot_minutes: Number(slot.input.value || '0'), services: boxes.values(),
    }).then((s) => { saved(s.created ? `Sportello ${s.id} creato: ora indichi i suoi orari.` : `Sportello ${s.id} aggiornato.`, `sportello-${s.id}`); })
      .catch((err: unknown) => { result.fail(err); });
  });
  const edit = (s: SportelloDetail, sedeId: string): HTMLButtonElement => {
    const b = button('Modifica', 'outline-primary', 'button');
    b.setAttribute('aria-label', `Modifica ${s.name}`);
    b.addEventListener('click', () => {
      id.input.value = s.id; sede.input.value = sedeId; name.input.value = s.name;
      slot.input.value = String(s.slot_minutes); boxes.set(s.services);
      name.input.focus();
    });
    return b;
  };
  return section('sportelli-title', 'Sportelli e orari', 'Ogni sportello appartiene a una Sede o a un Polo, tratta alcuni servizi e ha i suoi orari settimanali.',
    sedi.length === 0 ? h('p', {}, 'Prima crei una Sede.') : form,
    ...sedi.flatMap((s) => s.sportelli.map((p) => disclosure(`sportello-${p.id}`, `${p.name} – ${s.name}`, h('div', {},
      h('p', {}, `Codice ${p.id}; appuntamenti di ${p.slot_minutes} minuti. `, edit(p, s.id)),
      hoursForm(p, saved))))));
}
